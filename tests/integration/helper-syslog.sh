#!/bin/sh
# One syslog line per helper call (facility authpriv), with the caller's
# uid, the bridge, the tap and the outcome: received by a stand-in syslogd
# on a private /dev/log (an overlay of /dev in this test's mount namespace,
# so the host's /dev is untouched), for allowed, denied and failed calls,
# as root and from a setuid install run by a user.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
tw_isolate "$@"

HELPER=$top_builddir/helper/tapwire-bridge-helper
DRIVER=$top_builddir/tests/tw-helper-driver
export TAPWIRE_BRIDGE_CONF=$TW_TMP/bridge.conf
printf 'allow br0\nallow br7\n' > "$TAPWIRE_BRIDGE_CONF"
chmod 0644 "$TAPWIRE_BRIDGE_CONF"
ip link add br0 type bridge && ip link set br0 up

# The setuid install and its user, for the caller's uid in the log.
BIN=$TW_TMP/bin
mkdir -p "$BIN"
install -o root -g root -m 4755 "$HELPER" "$BIN/"
cp "$DRIVER" "$BIN/"
tw_add_user twlog 4250
tw_private_dir "$sysconfdir/tapwire"
printf 'allow br0 user:twlog\n' > "$sysconfdir/tapwire/bridge.conf"
chmod 0644 "$sysconfdir/tapwire/bridge.conf"

tw_syslog_sink 4 30

"$DRIVER" --timeout 10 "$HELPER" --fd=N --br=br0 > "$TW_TMP/a" 2>&1
is "$?" 0 "root: allowed call"
"$DRIVER" --timeout 10 "$HELPER" --fd=N --br=br9 > "$TW_TMP/b" 2>&1
is "$?" 1 "root: denied call"
"$DRIVER" --timeout 10 "$HELPER" --fd=N --br=br7 > "$TW_TMP/c" 2>&1
is "$?" 1 "root: failed call (no such bridge)"
tw_as_user 4250 "$BIN/tw-helper-driver" --timeout 10 "$BIN/tapwire-bridge-helper" --fd=N --br=br0 \
	> "$TW_TMP/d" 2>&1
is "$?" 0 "twlog (setuid): allowed call"
wait $tw_sink
is "$?" 0 "the stand-in syslogd received 4 messages"
grep -v '^ready$' "$TW_TMP/syslog" > "$TW_TMP/lines"
diag "$(cat "$TW_TMP/lines")"
is "$(wc -l < "$TW_TMP/lines" | tr -d ' ')" 4 "one line per call"

# PRI = facility * 8 + severity: authpriv is 10, info 6, warning 4.
line() { sed -n "${1}p" "$TW_TMP/lines"; }
like "$(line 1)" '^<86>.* tapwire-bridge-helper\[[0-9]+\]: uid=0 bridge=br0 tap=tw[0-9a-f]{8} allowed: tap created$' \
	"allowed: authpriv.info, uid, bridge, tap, outcome"
like "$(line 2)" "^<84>.* tapwire-bridge-helper\[[0-9]+\]: uid=0 bridge=br9 tap=- denied: access denied: uid 0 may not use bridge 'br9'" \
	"denied: authpriv.warning, and why"
like "$(line 3)" "^<84>.* uid=0 bridge=br7 tap=- failed: bridge 'br7' does not exist$" \
	"failed: authpriv.warning, and why"
like "$(line 4)" '^<86>.* uid=4250 bridge=br0 tap=tw[0-9a-f]{8} allowed: tap created$' \
	"the setuid call logs the caller's uid (from inside its seccomp sandbox)"

done_testing
