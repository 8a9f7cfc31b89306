#!/bin/sh
# The attacks of the security audit (issue 10), each run as an unprivileged
# user against a setuid install of tapwire-bridge-helper, and each checked
# from the kernel and from a stand-in syslogd on a private /dev/log:
#   1. a deny rule bypassed through a bridge's alternative name;
#   2. the holder of a tap fd moving the bridge's MAC (SIOCSIFHWADDR);
#   4. the audit line suppressed: a stderr pipe nobody reads, RLIMIT_FSIZE=0,
#      a 16 KiB stack, TZ; and the "allowed" line logged before QEMU has
#      the tap;
#   5. a caller in more than 256 groups.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
tw_isolate "$@"

command -v strace >/dev/null || skip_all "strace is missing (tools/deps test installs it)"

BIN=$TW_TMP/bin
mkdir -p "$BIN"
install -o root -g root -m 4755 "$top_builddir/helper/tapwire-bridge-helper" "$BIN/"
HELPER=$BIN/tapwire-bridge-helper
cp "$top_builddir/tests/tw-helper-driver" "$BIN/" && DRIVER=$BIN/tw-helper-driver
U=4260
tw_add_user twaudit $U
tw_private_dir "$sysconfdir/tapwire"
POLICY=$sysconfdir/tapwire/bridge.conf
policy() { printf '%s\n' "$@" > "$POLICY"; chmod 0644 "$POLICY"; }

tw_syslog_sink 1000 300
# The syslog lines received since the last call of `mark`.
mark() { seen=$(wc -l < "$TW_TMP/syslog"); }
new_lines() { sleep 0.1; tail -n +"$((seen + 1))" "$TW_TMP/syslog"; }

as_user() { # as_user OUT DRIVER-ARGS... -> the driver's exit status
	out=$1; shift
	tw_as_user $U "$DRIVER" --timeout 10 "$@" > "$out" 2> "$out.err"
}

# ---- 1. alternative names: the policy decides on the kernel's name --------
ip link add br-prod type bridge && ip link set br-prod up
ip link add br-ok type bridge && ip link set br-ok up
ip link property add dev br-prod altname lab-prod ||
	skip_all "this kernel has no alternative interface names"
ip link property add dev br-ok altname lab-ok
policy 'allow all' 'deny br-prod'

mark
as_user "$TW_TMP/alt1" "$HELPER" --fd=N --br=lab-prod
is "$?" 1 "deny br-prod: --br=lab-prod (br-prod's altname) is refused"
like "$(cat "$TW_TMP/alt1.err")" "access denied: uid $U may not use bridge 'br-prod' \\(asked as 'lab-prod'" \
	"the message names the real bridge and what was asked"
is "$(bridge_ports br-prod)" "" "br-prod has no port"
like "$(new_lines)" "uid=$U bridge=br-prod asked=lab-prod tap=- denied: " "the audit line names br-prod"
as_user "$TW_TMP/alt2" "$HELPER" --fd=N --br=br-prod
is "$?" 1 "deny br-prod: --br=br-prod is refused too"

mark
as_user "$TW_TMP/alt3" --hold "$TW_TMP/alt3.done" "$HELPER" --fd=N --br=lab-ok &
drv=$!
i=0
while [ $i -lt 100 ] && ! grep -q '^tap=' "$TW_TMP/alt3" 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
tap=$(sed -n 's/^tap=\([^ ]*\).*/\1/p' "$TW_TMP/alt3")
is "$(dev_master "$tap")" br-ok "an allowed altname: the tap's master is the real bridge br-ok"
like "$(new_lines)" "uid=$U bridge=br-ok asked=lab-ok tap=$tap allowed: " "and the audit line says br-ok"
touch "$TW_TMP/alt3.done"; wait $drv
is "$?" 0 "the caller got its tap"

# ---- 2. the bridge's MAC stays where it is ---------------------------------
policy 'allow all'
# A bridge nobody gave a MAC: the kernel says addr_assign_type 1 (random),
# and it would take the lowest MAC of its ports.
ip link add br-mac type bridge && ip link set br-mac up
is "$(sys_attr br-mac addr_assign_type)" 1 "a new bridge's MAC is random (not set)"
brmac=$(dev_mac br-mac)
low=02:00:00:00:00:01
as_user "$TW_TMP/mac1" --hold "$TW_TMP/mac1.done" --set-mac $low "$HELPER" --fd=N --br=br-mac &
drv=$!
i=0
while [ $i -lt 100 ] && ! grep -q '^mac=' "$TW_TMP/mac1" 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
tap=$(sed -n 's/^tap=\([^ ]*\).*/\1/p' "$TW_TMP/mac1")
is "$(dev_mac "$tap")" $low "the holder set its tap's MAC to $low through the fd"
is "$(dev_master "$tap")" br-mac "the tap is a port of br-mac"
is "$(dev_mac br-mac)" "$brmac" "br-mac kept its MAC"
is "$(sys_attr br-mac addr_assign_type)" 3 "br-mac's MAC is pinned (addr_assign_type 3, set)"
touch "$TW_TMP/mac1.done"; wait $drv
is "$(dev_mac br-mac)" "$brmac" "and keeps it after the tap is gone"

# A bridge tapwire makes is pinned from the start.
cat > "$TW_TMP/br.xml" <<'XML'
<tw:net xmlns:tw="urn:tapwire:1" name="audit">
  <tw:bridge name="br-tw"/>
</tw:net>
XML
"$top_builddir/cli/tapwire" -q up "$TW_TMP/br.xml" > "$TW_TMP/up.out" 2>&1
is "$?" 0 "tapwire up makes br-tw"
is "$(sys_attr br-tw addr_assign_type)" 3 "a bridge tapwire makes has its MAC set"
brmac=$(dev_mac br-tw)
as_user "$TW_TMP/mac2" --hold "$TW_TMP/mac2.done" --set-mac $low "$HELPER" --fd=N --br=br-tw &
drv=$!
i=0
while [ $i -lt 100 ] && ! grep -q '^mac=' "$TW_TMP/mac2" 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
is "$(dev_mac br-tw)" "$brmac" "br-tw kept its MAC while a port's holder set $low"
touch "$TW_TMP/mac2.done"; wait $drv
"$top_builddir/cli/tapwire" -q down "$TW_TMP/br.xml" > /dev/null 2>&1

# ---- 4. the audit line cannot be suppressed --------------------------------
policy 'allow br-ok'
# A stderr pipe nobody reads: the message write fails with EPIPE, no SIGPIPE.
mark
as_user "$TW_TMP/sup1" --closed-stderr "$HELPER" --fd=N --br=br-prod
is "$?" 1 "stderr a pipe with no reader: exit 1, not killed by SIGPIPE (141)"
like "$(new_lines)" "uid=$U bridge=br-prod tap=- denied: " "and the denial is logged"
# RLIMIT_FSIZE=0 with stderr a file: EFBIG, no SIGXFSZ.
mkdir -p "$TW_TMP/u" && chown $U "$TW_TMP/u"
mark
TW_FILE=$TW_TMP/u/fsize.err tw_as_user $U "$DRIVER" --timeout 10 /bin/sh -c 'ulimit -f 0; exec "$0" "$@" 2>"$TW_FILE"' \
	"$HELPER" --fd=N --br=br-prod > /dev/null 2>&1
is "$?" 1 "RLIMIT_FSIZE=0: exit 1, not killed by SIGXFSZ (153)"
like "$(new_lines)" "uid=$U bridge=br-prod tap=- denied: " "and the denial is logged"
if [ "${TW_SANITIZERS:-no}" = yes ]; then
	skip "a 16 KiB stack: the sanitizers' runtime alone needs more (checked in the plain build)"
	skip "a 16 KiB stack, allowed call (checked in the plain build)"
else
	mark
	# An empty environment: its strings sit on the same 16 KiB, and the
	# dynamic loader, before any of the helper's code, needs the rest.
	tw_as_user $U /usr/bin/env -i "$DRIVER" --timeout 10 /bin/sh -c 'ulimit -s 16; exec "$0" "$@"' \
		"$HELPER" --fd=N --br=br-prod > /dev/null 2> "$TW_TMP/sup3.err"
	r=$?
	l=$(new_lines)
	is "$r/$(printf '%s' "$l" | grep -c "uid=$U bridge=br-prod tap=- denied: ")" 1/1 \
		"a 16 KiB stack: the denied call exits 1 (no SIGSEGV) and is logged"
	mark
	tw_as_user $U /usr/bin/env -i "$DRIVER" --timeout 10 /bin/sh -c 'ulimit -s 16; exec "$0" "$@"' \
		"$HELPER" --fd=N --br=br-ok > /dev/null 2> "$TW_TMP/sup4.err"
	r=$?
	l=$(new_lines)
	is "$r/$(printf '%s' "$l" | grep -c "uid=$U bridge=br-ok tap=tw[0-9a-f]* allowed: ")" 0/1 \
		"a 16 KiB stack: the allowed call works and is logged"
fi
# TZ (read by syslog's time stamp) is gone before the first line: even an
# argv error is stamped with the host's time, not the caller's choice.
mark
h1=$(env -u TZ date +%H)
TZ=XYZ-11 tw_as_user $U "$DRIVER" --timeout 10 "$HELPER" --fd=N --br=-bad > /dev/null 2>&1
h2=$(env -u TZ date +%H)
stamp=$(new_lines | sed -n 's/^<[0-9]*>[A-Z][a-z]* *[0-9]* \([0-9][0-9]\):.*bad bridge name.*/\1/p')
case "$stamp" in
"$h1" | "$h2") ok "TZ of the caller does not shape the audit line (hour $stamp)" ;;
*) not_ok "TZ of the caller does not shape the audit line (hour '$stamp', host $h1)" ;;
esac

# The "allowed" line is sent before the tap is: hold the helper as it hands
# the fd to QEMU (its fourth sendmsg: bridge lookup, tap settings, up; br-ok
# is pinned already) and look at the log meanwhile.
mark
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
strace -f -qq -u twaudit -e trace=sendmsg -e inject=sendmsg:delay_enter=2000000:when=4 \
	-o "$TW_TMP/strace.log" "$DRIVER" --timeout 20 "$HELPER" --fd=N --br=br-ok > "$TW_TMP/st.out" 2>&1 &
spid=$!
held=
tw_held_in_sendmsg "$HELPER" > /dev/null && held=$(new_lines)
wait $spid
is "$?" 0 "the traced call succeeds"
like "$held" "uid=$U bridge=br-ok tap=tw[0-9a-f]{8} allowed: tap created" \
	"while the helper is still sending the tap, its allowed line is in the log"

# ---- 5. more than 256 groups ------------------------------------------------
ip link add br-grp type bridge && ip link set br-grp up
policy 'allow br-grp group:5299'
groups=$(seq -s, 5000 5299)
setpriv --reuid=$U --regid=$U --groups="$groups" --inh-caps=-all -- \
	"$DRIVER" --timeout 10 "$HELPER" --fd=N --br=br-grp > "$TW_TMP/grp" 2> "$TW_TMP/grp.err"
is "$?" 0 "a caller in 300 groups is allowed by its 300th (group:5299)"
diag "$(cat "$TW_TMP/grp.err")"
setpriv --reuid=$U --regid=$U --groups="$(seq -s, 5000 5298)" --inh-caps=-all -- \
	"$DRIVER" --timeout 10 "$HELPER" --fd=N --br=br-grp > /dev/null 2> "$TW_TMP/grp2.err"
is "$?" 1 "without group 5299 the same caller is refused"
like "$(cat "$TW_TMP/grp2.err")" "access denied" "by the policy"

kill $tw_sink 2>/dev/null
done_testing
