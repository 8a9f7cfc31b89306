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

# tapwire@NAME: `tapwire up` of /etc/tapwire/net.d/NAME.xml at start, `down`
# at stop, once (oneshot, it stays active), before libvirt.
AT=$top_builddir/systemd/tapwire@.service
[ -f "$AT" ] || { echo "Bail out! $AT was not built"; exit 1; }
for verb in up:Start down:Stop; do
	like "$(grep "^Exec${verb#*:}=" "$AT")" "^Exec${verb#*:}=/[^@]*/tapwire ${verb%:*} $sysconfdir/tapwire/net.d/%i\\.xml\$" \
		"tapwire@.service: Exec${verb#*:} is tapwire ${verb%:*} $sysconfdir/tapwire/net.d/%i.xml"
done
is "$(grep -E '^(Type|RemainAfterExit)=' "$AT" | tr '\n' ' ')" "Type=oneshot RemainAfterExit=yes " "tapwire@.service: oneshot, active after it ran"
like "$(grep '^Before=' "$AT")" "libvirtd\\.service.*virtqemud\\.service" "tapwire@.service: before libvirtd and virtqemud"
sed "s|^\(Exec[A-Za-z]*=\)[^ ]*/tapwire |\1$top_builddir/cli/tapwire |" "$AT" > "$tmp/tapwire@.service"
# systemctl enable tapwire@lab: the instance, through its template.
for u in tapwire-gc.service tapwire-gc.timer tapwire@lab.service; do
	if systemd-analyze verify --man=no "$tmp/$u" > "$tmp/out" 2>&1 && [ ! -s "$tmp/out" ]; then
		ok "systemd-analyze verify $u: no complaint"
	else
		not_ok "systemd-analyze verify $u"
		diag "$(cat "$tmp/out")"
	fi
done

done_testing
