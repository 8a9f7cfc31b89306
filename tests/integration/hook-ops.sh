#!/bin/sh
# The libvirt hook fed directly, without a daemon: the argv and domain XML
# libvirt 9.0 really passed (recorded by tests/integration/hook-data/record),
# one operation at a time, to pin what the hook does for each. Everything is
# checked against the kernel and the state directory, never against what the
# hook says it did.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
tw_isolate "$@"

. "$top_srcdir/tests/integration/hook-lib.sh"
policy() { printf '%s\n' "$@" > "$TAPWIRE_HOOK_CONF"; chmod 0644 "$TAPWIRE_HOOK_CONF"; }

# hook DOMAIN OP-SUBOP [XML]: run it as libvirt does (argv from the
# recording); sets rc, and out/err hold what it printed.
hook() {
	xml=${3:-$D/$1.$2.xml}
	# shellcheck disable=SC2046 # the recorded argv is four words
	"$H" $(cat "$D/$1.$2.argv" 2>/dev/null || echo "$1 ${2%-*} ${2#*-} -") < "$xml" \
		> "$TW_TMP/out" 2> "$TW_TMP/err"
	rc=$?
	out=$(cat "$TW_TMP/out")
	err=$(cat "$TW_TMP/err")
}
quiet_ok() { # quiet_ok WHAT: exit 0, nothing on stdout or stderr
	is "$rc:$out:$err" "0::" "$1: exit 0, prints nothing"
}

ip link add lan0 type bridge && ip link set lan0 up
tw_add_user twqemu 4321
printf '# libvirt qemu.conf\n#user = "nobody"\nuser = "twqemu"\ngroup = "twqemu"\n' > "$TAPWIRE_QEMU_CONF"
policy '# hook-ops: nothing managed yet'

# --- operations that are none of the hook's business -------------------------

base=$(world)
for op in start-begin started-begin stopped-end reconnect-begin release-end; do
	hook plaindom "$op"
	quiet_ok "plaindom $op (never prepared)"
done
for op in migrate-begin restore-begin attach-begin prepare-end release-begin \
	stopped-begin started-end unknown-thing; do
	hook twdom "$op" "$D/twdom.prepare-begin.xml"
	quiet_ok "twdom $op (not acted on)"
done
is "$(world)" "$base" "no device or namespace appeared"
check "the state directory was never created" test ! -e "$TAPWIRE_RUNDIR"

# --- a domain that uses nothing of tapwire -----------------------------------

policy '# nothing managed'
hook plaindom prepare-begin
quiet_ok "plaindom prepare begin, no metadata and no policy bridge"
check "... and no state directory" test ! -e "$TAPWIRE_RUNDIR"
if command -v strace >/dev/null; then
	strace -f -qq -e trace=socket,openat,open,mkdir -o "$TW_TMP/strace" \
		"$H" plaindom prepare begin - < "$D/plaindom.prepare-begin.xml"
	is "$(grep -c 'AF_NETLINK' "$TW_TMP/strace")" 0 "... and no netlink socket is opened (strace)"
	is "$(grep -c "$TAPWIRE_RUNDIR" "$TW_TMP/strace")" 0 "... and the state directory is not even looked at"
else
	skip "strace is missing"
	skip "strace is missing"
fi
hook plaindom release-end
quiet_ok "plaindom release end, no metadata and no policy bridge"
check "... still no state directory" test ! -e "$TAPWIRE_RUNDIR"
is "$(world)" "$base" "nothing changed"

# --- prepare begin / release end with metadata -------------------------------

policy 'bridge vm-*'
hook twdom prepare-begin
quiet_ok "twdom prepare begin"
check "bridge twbr0 exists (from <tw:bridge>)" test -d /sys/class/net/twbr0/bridge
check "namespace twdom-ns exists" test -e /run/netns/twdom-ns
is "$(dev_master twdom-v0)" twbr0 "veth end twdom-v0 is on twbr0"
like "$(ip netns exec twdom-ns ip -br addr show eth0)" '10\.0\.1\.1/24' "the namespace end has 10.0.1.1/24"
like "$(ip -br addr show twbr0)" '10\.0\.1\.254/24' "twbr0 has 10.0.1.254/24"
is "$(dev_master twdom-mq)" twbr0 "the <tw:tap> of the ethernet interface is on twbr0"
flags=$(dev_tun_flags twdom-mq); flags=$((${flags:-0}))
is "$((flags & 0x0100))" "$((0x0100))" "... multi-queue (<driver queues='2'>)"
is "$((flags & 0x4000))" "$((0x4000))" "... with vnet_hdr (model virtio)"
is "$(dev_mac twdom-mq)" fe:54:00:10:00:03 "... MAC from <mac> with byte 0 fe"
is "$(sys_attr twdom-mq owner)" 4321 "... owned by qemu.conf's user"
check "... up" dev_is_up twdom-mq
check "lan0 (existing, not declared) is used, not touched" test "$(bridge_ports lan0)" = ""
after=$(world)
st=$(state_sum)

hook twdom prepare-begin
quiet_ok "twdom prepare begin again (idempotent)"
is "$(world)" "$after" "... changes nothing in the kernel"

for op in start-begin started-begin reconnect-begin migrate-begin restore-begin attach-begin stopped-end; do
	hook twdom "$op" "$D/twdom.started-begin.xml"
	quiet_ok "twdom $op while running"
done
is "$(world)" "$after" "... none of them changed the kernel"
is "$(state_sum)" "$st" "... or the state"

hook twdom release-end
quiet_ok "twdom release end"
for d in twbr0 twdom-v0 twdom-mq; do check "$d is gone" sh -c "! test -e /sys/class/net/$d"; done
check "namespace twdom-ns is gone" test ! -e /run/netns/twdom-ns
check "lan0, which tapwire did not make, stays" dev_exists lan0
hook twdom release-end
quiet_ok "twdom release end again"
is "$(world)" "$base" "everything tapwire made is gone"

# --- policy bridges, shared between domains ----------------------------------

policy 'bridge vm-* mtu 1400 stp on'
sed 's/plaindom/plain2/; s/6f71/6f72/; s/52:54:00:20/52:54:00:21/' \
	"$D/plaindom.prepare-begin.xml" > "$X/plain2.xml"
hook plaindom prepare-begin
quiet_ok "plaindom prepare begin, its bridge vm-lan matches 'bridge vm-*'"
check "vm-lan was made" test -d /sys/class/net/vm-lan/bridge
is "$(dev_mtu vm-lan)" 1400 "... with the policy's mtu"
is "$(sys_attr vm-lan bridge/stp_state)" 1 "... and stp on"
"$H" plain2 prepare begin - < "$X/plain2.xml"
is "$?" 0 "a second domain, plain2, on vm-lan"
hook plaindom release-end
quiet_ok "plaindom release end"
check "vm-lan stays while plain2 uses it" dev_exists vm-lan
"$H" plain2 release end - < "$X/plain2.xml"
is "$?" 0 "plain2 release end"
check "vm-lan goes with its last user" sh -c '! test -e /sys/class/net/vm-lan'
check "lan0 stays" dev_exists lan0

policy 'bridge vm-lan address 10.9.0.1/24'
hook plaindom prepare-begin
like "$(ip -br addr show vm-lan)" '10\.9\.0\.1/24' "a policy bridge gets the policy's address"
hook plaindom release-end
is "$(world)" "$base" "... and goes with it"
policy 'bridge vm-*'

# --- the QEMU user ----------------------------------------------------------

tw_add_user twstatic 4322
sed "s|</devices>|</devices><seclabel type='static' model='dac' relabel='no'><label>twstatic:twstatic</label></seclabel>|" \
	"$D/twdom.prepare-begin.xml" > "$X/static.xml"
hook twdom prepare-begin "$X/static.xml"
is "$rc:$(sys_attr twdom-mq owner)" 0:4322 "a static DAC seclabel names the tap's owner"
hook twdom release-end
sed "s|</devices>|</devices><seclabel type='static' model='dac' relabel='no'><label>+4323:+4323</label></seclabel>|" \
	"$D/twdom.prepare-begin.xml" > "$X/uid.xml"
hook twdom prepare-begin "$X/uid.xml"
is "$rc:$(sys_attr twdom-mq owner)" 0:4323 "... also as +UID"
hook twdom release-end
# Neither: libvirt's build default (configure --with-qemu-user/--with-qemu-group,
# libvirt-qemu:kvm as on Debian) when that user exists, else root. qemu.conf
# is there, without `user`.
printf '# no user here\n#user = "root"\ngroup = "twqemu"\n' > "$TW_TMP/qemu-nouser.conf"
qu=$(sed -n 's/^#define TW_QEMU_USER "\(.*\)"$/\1/p' "$top_builddir/config.h")
qg=$(sed -n 's/^#define TW_QEMU_GROUP "\(.*\)"$/\1/p' "$top_builddir/config.h")
check "the build names a default QEMU user and group ($qu:$qg; libvirt-qemu:kvm unless configured otherwise)" \
	test -n "$qu" -a -n "$qg"
# This test's private /etc/passwd and /etc/group, without them.
tw_add_user twdummy 4329
for f in passwd group; do
	grep -v -e "^$qu:" -e "^$qg:" "$TW_TMP/$f" > "$TW_TMP/$f.new"; cat "$TW_TMP/$f.new" > "$TW_TMP/$f"
done
TAPWIRE_QEMU_CONF=$TW_TMP/qemu-nouser.conf hook twdom prepare-begin
is "$rc:$(sys_attr twdom-mq owner):$(sys_attr twdom-mq group)" 0:0:-1 \
	"no seclabel, no qemu.conf user, no $qu user: root owns the tap, no group"
hook twdom release-end
TAPWIRE_QEMU_CONF=$TW_TMP/none hook twdom prepare-begin
is "$rc:$(sys_attr twdom-mq owner)" 0:0 "... the same without a qemu.conf at all"
hook twdom release-end
tw_add_user "$qu" 4330
TAPWIRE_QEMU_CONF=$TW_TMP/qemu-nouser.conf hook twdom prepare-begin
is "$rc:$(sys_attr twdom-mq owner):$(sys_attr twdom-mq group)" 0:4330:-1 \
	"user $qu exists: it owns the tap (no $qg group: none)"
hook twdom release-end
echo "$qg:x:4331:" >> "$TW_TMP/group"
TAPWIRE_QEMU_CONF=$TW_TMP/qemu-nouser.conf hook twdom prepare-begin
is "$rc:$(sys_attr twdom-mq owner):$(sys_attr twdom-mq group)" 0:4330:4331 \
	"... and with group $qg, $qu:$qg"
hook twdom release-end
TAPWIRE_QEMU_CONF=$TW_TMP/none hook twdom prepare-begin
is "$rc:$(sys_attr twdom-mq owner)" 0:4330 "... also without a qemu.conf"
hook twdom release-end
hook twdom prepare-begin
is "$rc:$(sys_attr twdom-mq owner):$(sys_attr twdom-mq group)" 0:4321:-1 "qemu.conf's user still comes first"
hook twdom release-end
hook twdom prepare-begin "$X/static.xml"
is "$rc:$(sys_attr twdom-mq owner)" 0:4322 "... and the seclabel before it"
hook twdom release-end

# libvirt reads <driver queues> for virtio models only, and opens the tap
# once for the others: a multi-queue tap would refuse that.
awk "/dev='twdom-mq'/ { t = 1 } t && /<model type=/ { sub(/virtio/, \"e1000\"); t = 0 } { print }" \
	"$D/twdom.prepare-begin.xml" > "$X/e1000.xml"
hook twdom prepare-begin "$X/e1000.xml"
flags=$(dev_tun_flags twdom-mq); flags=$((${flags:-0}))
is "$rc:$((flags & 0x4100))" 0:0 "a non-virtio model: single queue, no vnet_hdr, despite <driver queues='2'>"
hook twdom release-end

# --- failures ---------------------------------------------------------------

# Bad metadata: exit 2, one line naming the element and line, nothing made.
sed 's|<tw:bridge name="twbr0"|<tw:bridge name="twbr0-name-too-long"|' \
	"$D/twdom.prepare-begin.xml" > "$X/bad.xml"
hook twdom prepare-begin "$X/bad.xml"
is "$rc" 2 "bad <tw:net>: exit 2"
is "$(printf '%s\n' "$err" | wc -l)" 1 "... one line on stderr"
like "$err" '^tapwire: twdom:7: <tw:bridge>: .*twbr0-name-too-long' "... naming domain, line and element ($err)"
is "$out" "" "... nothing on stdout"
is "$(world)" "$base" "... nothing made"

# A kernel refusal midway: everything this run made is removed again.
sed 's|<tw:tap name="twdom-mq" bridge="twbr0"/>|&<tw:tap name="twdom-big" bridge="twbr0" mtu="65535"/>|' \
	"$D/twdom.prepare-begin.xml" > "$X/refused.xml"
hook twdom prepare-begin "$X/refused.xml"
is "$rc" 1 "the kernel refuses a tap MTU: exit 1"
is "$(printf '%s\n' "$err" | wc -l)" 1 "... one line on stderr"
like "$err" '^tapwire: twdom:.*twdom-big.*mtu' "... naming the tap and why ($err)"
is "$(world)" "$base" "... and the bridge, namespace, veth and taps made before are gone"

# A bridge interface on a bridge nobody declared and nothing manages.
sed "s|<source bridge='lan0'/>|<source bridge='nobr0'/>|" "$D/twdom.prepare-begin.xml" > "$X/nobr.xml"
hook twdom prepare-begin "$X/nobr.xml"
is "$rc" 1 "a missing, undeclared bridge: exit 1"
like "$err" "^tapwire: twdom:[0-9]+: interface 52:54:00:10:00:02: bridge nobr0 does not exist" "... naming the interface ($err)"
is "$(world)" "$base" "... nothing made"

# A <tw:tap> behind an ethernet interface libvirt would manage itself.
sed "s|<target dev='twdom-mq' managed='no'/>|<target dev='twdom-mq'/>|" "$D/twdom.prepare-begin.xml" > "$X/managed.xml"
hook twdom prepare-begin "$X/managed.xml"
is "$rc" 2 "a <tw:tap> on an interface without managed='no': exit 2"
like "$err" "^tapwire: twdom:[0-9]+: interface 52:54:00:10:00:03: its tap twdom-mq is a <tw:tap>; give its <target> managed='no'" \
	"... saying what to change"
is "$(world)" "$base" "... nothing made"
hook twdom release-end "$X/managed.xml"
is "$rc:$err" "0:" "its release is not refused for it (libvirt cannot act on a failed release)"
"$top_builddir/cli/tapwire" check "$X/managed.xml" > /dev/null 2> "$X/managed.err"
is "$?" 2 "tapwire check of the same domain: exit 2 too (one rule, in tw_domain_net)"
like "$(cat "$X/managed.err")" "^tapwire: $X/managed.xml:[0-9]+: interface 52:54:00:10:00:03: its tap twdom-mq is a <tw:tap>" \
	"... naming file:line"

# XML the hook's reader refuses: fatal only for a domain that uses tapwire.
sed "s|<model type='e1000'/>|<model type='e1000'/><mtu size='99999'/>|" \
	"$D/plaindom.prepare-begin.xml" > "$X/plain-odd.xml"
hook plaindom prepare-begin "$X/plain-odd.xml"
quiet_ok "a non-tapwire domain whose XML tapwire's reader refuses is left to libvirt"
sed "s|<model type='virtio'/>|<model type='virtio'/><mtu size='99999'/>|" \
	"$D/twdom.prepare-begin.xml" > "$X/tw-odd.xml"
hook twdom prepare-begin "$X/tw-odd.xml"
is "$rc" 2 "... but refused for a tapwire domain"
printf '<domain><name>x' > "$X/broken.xml"
hook plaindom prepare-begin "$X/broken.xml"
quiet_ok "not even well-formed, no tapwire: left to libvirt"
printf '<domain xmlns:tw="urn:tapwire:1"><name>x' > "$X/broken-tw.xml"
hook twdom prepare-begin "$X/broken-tw.xml"
is "$rc" 2 "not well-formed and mentions tapwire: exit 2"
is "$(world)" "$base" "nothing made by any of them"

# The policy file: syntax and trust.
policy 'bridge vm-* mtu lots'
hook twdom prepare-begin
is "$rc" 2 "a policy syntax error stops a tapwire domain: exit 2"
like "$err" "^tapwire: $TAPWIRE_HOOK_CONF:1: mtu 'lots'" "... naming file and line"
hook plaindom prepare-begin
quiet_ok "... and leaves a non-tapwire domain to libvirt"
policy 'bridge vm-*'
chmod 0664 "$TAPWIRE_HOOK_CONF"
hook twdom prepare-begin
is "$rc" 1 "a group-writable policy is refused: exit 1"
like "$err" "writable by group or others" "... saying so"
chmod 0644 "$TAPWIRE_HOOK_CONF"
is "$(world)" "$base" "nothing made"

# --- stdin, arguments, logging ----------------------------------------------

# Far more than the 4 MiB the hook keeps: read to the end all the same, so
# libvirt's write never fails.
{ cat "$D/plaindom.prepare-begin.xml"; i=0; while [ $i -lt 90 ]; do
	head -c 65536 /dev/zero | tr '\0' ' '; i=$((i + 1)); done; } > "$X/big.xml"
for op in start-begin prepare-begin; do
	{ cat "$X/big.xml"; echo $? > "$TW_TMP/wst"; } | "$H" plaindom "${op%-*}" "${op#*-}" - > "$TW_TMP/out" 2>&1
	is "$?:$(cat "$TW_TMP/wst"):$(cat "$TW_TMP/out")" "0:0:" "6 MiB on stdin for $op: read whole, exit 0"
done
{ cat "$X/big.xml"; echo $? > "$TW_TMP/wst"; } | "$H" twdom prepare begin - > /dev/null 2>&1
is "$?:$(cat "$TW_TMP/wst")" "0:0" "... with a policy bridge pattern, the writer still sees no EPIPE"
hook twdom start-begin /dev/null
quiet_ok "empty stdin"
"$H" twdom start begin - <&- > /dev/null 2>&1
is "$?" 0 "closed stdin"

# A reader of stderr that went away: still the right exit code, no SIGPIPE.
{ "$H" twdom prepare begin - < "$X/bad.xml" 2>&1 >/dev/null; echo $? > "$TW_TMP/st"; } | true
is "$(cat "$TW_TMP/st")" 2 "stderr to a closed pipe: exit 2, not killed by SIGPIPE"

"$H" > /dev/null 2> "$TW_TMP/err" < /dev/null
is "$?" 2 "no arguments: exit 2"
like "$(cat "$TW_TMP/err")" '^tapwire: usage' "... with a usage line"
like "$("$H" --help)" 'prepare begin' "--help says what it does"
like "$("$H" --version)" '^tapwire-hook [0-9]' "--version"

TAPWIRE_HOOK_DEBUG=1 hook twdom prepare-begin
is "$rc" 0 "with the syslog lines copied to stderr (TAPWIRE_HOOK_DEBUG)"
is "$(printf '%s\n' "$err" | grep -vc '^tapwire-hook\[[0-9]*\]: twdom: ')" 0 "every log line names the domain"
like "$err" 'twdom: \+ bridge twbr0' "... one per step"
like "$err" 'twdom: prepare done in [0-9]+ us' "... and the time it took"
TAPWIRE_HOOK_DEBUG=1 hook twdom release-end
like "$err" 'twdom: - bridge twbr0' "release logs each removal"
is "$(world)" "$base" "the world is as it was"

done_testing
