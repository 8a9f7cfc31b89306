#!/bin/sh
# The units `make install` puts in systemd's unit directory, read by systemd
# itself: `systemd-analyze verify` (syntax, options this systemd knows, the
# timer's unit, the ExecStart binary).
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

command -v systemd-analyze >/dev/null || skip_all "systemd-analyze is missing (package systemd)"
SERVICE=$top_builddir/systemd/tapwire-gc.service
[ -f "$SERVICE" ] || { echo "Bail out! $SERVICE was not built"; exit 1; }

like "$(grep '^ExecStart=' "$SERVICE")" '^ExecStart=/[^@]*/tapwire gc -q$' "ExecStart is the installed tapwire, by absolute path"

# verify wants the ExecStart binary to exist: the built one stands in for
# the installed one. The timer finds its service beside it.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tw-units.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
sed "s|^ExecStart=[^ ]*/tapwire |ExecStart=$top_builddir/cli/tapwire |" "$SERVICE" > "$tmp/tapwire-gc.service"
cp "$top_srcdir/systemd/tapwire-gc.timer" "$tmp/"
for u in tapwire-gc.service tapwire-gc.timer; do
	if systemd-analyze verify --man=no "$tmp/$u" > "$tmp/out" 2>&1 && [ ! -s "$tmp/out" ]; then
		ok "systemd-analyze verify $u: no complaint"
	else
		not_ok "systemd-analyze verify $u"
		diag "$(cat "$tmp/out")"
	fi
done

done_testing
