#!/bin/sh
# tapwire gc against the orphan a user can leave behind: tapwire-bridge-helper
# (setuid, as installed) hands twuser a tap fd; twuser makes the tap
# persistent and theirs (no privilege needed) and exits. gc must remove that
# tap and only that: not a helper tap someone holds, not one its owner opened
# again, not `tapwire attach`'s persistent taps, not `ip tuntap` taps, not
# other devices wearing the helper's alias. The kernel (sysfs, ip) is the
# judge.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
tw_isolate "$@"
. "$top_srcdir/tests/integration/engine-lib.sh"
# Run as twuser: the system's, not one under root's home.
PY=/usr/bin/python3
[ -x $PY ] || skip_all "$PY is missing (it keeps a tap fd in flight)"

BIN=$TW_TMP/bin
mkdir -p "$BIN"
install -o root -g root -m 4755 "$top_builddir/helper/tapwire-bridge-helper" "$BIN/"
HELPER=$BIN/tapwire-bridge-helper
cp "$top_builddir/tests/tw-helper-driver" "$top_builddir/tests/tw-tap-persist" "$TW" "$BIN/"
DRIVER=$BIN/tw-helper-driver
PERSIST=$BIN/tw-tap-persist
# Reopening a tap as its owner needs /dev/net/tun (0666 on Debian; give this
# mount namespace such a node if the host's is 0600).
if [ "$(stat -c %a /dev/net/tun)" != 666 ]; then
	mknod -m 0666 "$TW_TMP/tun" c 10 200 && mount --bind "$TW_TMP/tun" /dev/net/tun
fi

tw_add_user twuser 4242
tw_private_dir "$sysconfdir/tapwire"
printf 'allow br0 user:twuser\n' > "$sysconfdir/tapwire/bridge.conf"
chmod 0644 "$sysconfdir/tapwire/bridge.conf"
ip link add br0 type bridge && ip link set br0 up
MARK='tapwire-bridge-helper uid=4242'

alias_of() { ip -d -o link show dev "$1" 2>/dev/null | sed -n 's/.* alias \(.*\)$/\1/p' | sed 's/ *\\.*//'; }
persistent() { f=$(dev_tun_flags "$1"); [ -n "$f" ] && [ $(( f & 0x800 )) -ne 0 ]; }
# wait_for FILE PATTERN: until a background process has said PATTERN.
wait_for() {
	i=0
	while ! grep -q "$2" "$1" 2>/dev/null; do
		[ $i -ge 500 ] && return 1
		sleep 0.02; i=$((i + 1))
	done
}
gc_line() { echo "- tap $1 (made by tapwire-bridge-helper for uid 4242, persistent, held by nobody)"; }

# ---- the orphan: persistent, owned by twuser, held by nobody
tw_as_user 4242 "$PERSIST" "$HELPER" --fd=N --br=br0 > "$TW_TMP/orphan" 2> "$TW_TMP/orphan.err"
is "$?" 0 "twuser makes the helper's tap persistent through its fd, then exits"
ORPHAN=$(sed -n 's/^tap=//p' "$TW_TMP/orphan")
like "$ORPHAN" '^tw[0-9a-f]{8}$' "the orphan has the helper's name"
check "the orphan outlives its holder" dev_exists "$ORPHAN"
check "the kernel says it is persistent (tun_flags 0x800)" persistent "$ORPHAN"
is "$(sys_attr "$ORPHAN" owner)" 4242 "and owned by twuser, who can reopen it"
is "$(dev_master "$ORPHAN")" br0 "still a port of br0"
is "$(alias_of "$ORPHAN")" "$MARK" "the helper marked it: alias '$MARK'"

# ---- what gc must keep
# A helper tap QEMU (the driver) still holds: not persistent.
tw_as_user 4242 "$DRIVER" --timeout 60 --hold "$TW_TMP/release-held" "$HELPER" --fd=N --br=br0 \
	> "$TW_TMP/held" 2>&1 &
held_pid=$!
wait_for "$TW_TMP/held" '^tap=' || diag "$(cat "$TW_TMP/held")"
HELD=$(sed -n 's/^tap=\([^ ]*\).*/\1/p' "$TW_TMP/held")
# A second orphan, which twuser opens again by name and holds.
tw_as_user 4242 "$PERSIST" "$HELPER" --fd=N --br=br0 > "$TW_TMP/reopen" 2>&1
REOPEN=$(sed -n 's/^tap=//p' "$TW_TMP/reopen")
tw_as_user 4242 "$PERSIST" --open "$REOPEN" --hold "$TW_TMP/release-reopen" --timeout 60 \
	> "$TW_TMP/reopen.held" 2>&1 &
reopen_pid=$!
wait_for "$TW_TMP/reopen.held" '^held ' || diag "$(cat "$TW_TMP/reopen.held")"
check "twuser holds $REOPEN again (persistent, reopened by name)" grep -q "^held $REOPEN" "$TW_TMP/reopen.held"
# A third, whose only fd twuser keeps in flight in an SCM_RIGHTS message on a
# socket they hold: no fdinfo shows it, but the kernel's carrier says it is
# attached.
tw_as_user 4242 "$PERSIST" "$HELPER" --fd=N --br=br0 > "$TW_TMP/flight" 2>&1
FLIGHT=$(sed -n 's/^tap=//p' "$TW_TMP/flight")
tw_as_user 4242 $PY -c '
import array, fcntl, os, socket, struct, sys, time
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", sys.argv[1].encode(), 0x1002))  # TUNSETIFF, IFF_TAP|IFF_NO_PI
a, b = socket.socketpair()
a.sendmsg([b"x"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [fd]))])
os.close(fd)
print("in flight", flush=True)
while not os.path.exists(sys.argv[2]):
    time.sleep(0.02)
' "$FLIGHT" "$TW_TMP/release-flight" > "$TW_TMP/flight.held" 2>&1 &
flight_pid=$!
wait_for "$TW_TMP/flight.held" '^in flight' || diag "$(cat "$TW_TMP/flight.held")"
check "no process shows $FLIGHT in its fdinfo" sh -c "! grep -qs 'iff:.$FLIGHT\$' /proc/[0-9]*/fdinfo/*"
# A persistent tap of `ip tuntap`, named like the helper's, without the mark.
ip tuntap add dev tw0000aaaa mode tap user 4242
# A tap of `tapwire attach` (persistent, owned by twuser, same name shape).
cat > "$TW_TMP/iface.xml" <<'EOF'
<interface type='bridge'>
  <mac address='52:54:00:0a:0b:0c'/>
  <source bridge='br0'/>
</interface>
EOF
run attach "$TW_TMP/iface.xml" --owner twuser
is "$rc" 0 "tapwire attach makes its persistent tap"
ATTACHED=tw000a0b0c
check "the attached tap is persistent" persistent "$ATTACHED"
# Devices that wear the mark but are not taps: only root can set an alias.
ip link add tw0000bbbb type bridge && ip link set tw0000bbbb alias "$MARK"
ip link add tw0000cccc type veth peer name tw0000dddd && ip link set tw0000cccc alias "$MARK"
ip tuntap add dev tw0000eeee mode tun user 4242 && ip link set tw0000eeee alias "$MARK"
KEEP="$HELD $REOPEN $FLIGHT tw0000aaaa $ATTACHED tw0000bbbb tw0000cccc tw0000dddd tw0000eeee br0"
all_exist() { for d in "$@"; do dev_exists "$d" || { diag "  $d is gone"; return 1; }; done; }

# ---- who may run it
tw_as_user 4242 "$BIN/tapwire" gc > "$TW_TMP/user.out" 2> "$TW_TMP/user.err"
is "$?" 1 "gc as a user: exit 1"
like "$(cat "$TW_TMP/user.err")" '^tapwire: gc must run as root' "and says it must run as root"
check "a refused gc removes nothing" all_exist "$ORPHAN" $KEEP

# ---- dry run
base=$(kstate)
run gc --dry-run
is "$rc" 0 "gc --dry-run: exit 0"
is "$out" "$(gc_line "$ORPHAN")
gc: would remove 1 tap (dry run); 3 taps of tapwire-bridge-helper in use, kept" \
	"gc --dry-run names the orphan only, and says it is a dry run"
is "$(kstate)" "$base" "gc --dry-run removes nothing"
run gc --dry-run --json
is "$rc" 0 "gc --dry-run --json: exit 0"
like "$out" "\"name\":\"$ORPHAN\",[^}]*\"persistent\":true,\"carrier\":false,\"holder\":0,\"verdict\":\"would-remove\"" \
	"--json: the orphan would be removed"
like "$out" "\"name\":\"$REOPEN\",[^}]*\"persistent\":true,\"carrier\":true,\"holder\":[1-9][0-9]*,\"verdict\":\"kept-held\"" \
	"--json: the reopened tap is kept, held"
holder=$(printf '%s' "$out" | sed -n "s/.*\"name\":\"$REOPEN\",[^}]*\"holder\":\([0-9]*\).*/\1/p")
like "$(tr '\0' ' ' < "/proc/$holder/cmdline" 2>/dev/null)" "tw-tap-persist --open $REOPEN " \
	"--json: its holder is the process that reopened it"
like "$out" "\"name\":\"$HELD\",[^}]*\"persistent\":false,[^}]*\"verdict\":\"kept-not-persistent\"" \
	"--json: the held helper tap is kept: not persistent"
is "$(kstate)" "$base" "gc --dry-run --json removes nothing"

# ---- the real thing
run gc
is "$rc" 0 "gc: exit 0"
is "$out" "$(gc_line "$ORPHAN")
gc: removed 1 tap; 3 taps of tapwire-bridge-helper in use, kept" "gc says what it removed"
check "the orphan is gone" sh -c "! test -e /sys/class/net/$ORPHAN"
check "everything else is still there" all_exist $KEEP
check "the reopened tap is still a port of br0" test "$(dev_master "$REOPEN")" = br0
check "the marked tun (not tap) device is untouched, persistent" persistent tw0000eeee
run status
like "$out" "$ATTACHED" "tapwire's own record of the attached tap is intact"

like "$(cat "$TW_TMP/flight.held")" '^in flight' "twuser still keeps $FLIGHT in flight"

# The reopened tap, once let go, is an orphan again; so is the one in flight
# once its socket is closed.
touch "$TW_TMP/release-reopen"
wait "$reopen_pid"
is "$?" 0 "twuser lets $REOPEN go"
check "$REOPEN is still there, persistent" persistent "$REOPEN"
touch "$TW_TMP/release-flight"
wait "$flight_pid"
check "$FLIGHT is still there, persistent" persistent "$FLIGHT"
run gc -q
is "$rc:$out" "0:" "gc -q: exit 0, prints nothing"
check "gc removed $REOPEN once nobody held it" sh -c "! test -e /sys/class/net/$REOPEN"
check "gc removed $FLIGHT once nothing held it" sh -c "! test -e /sys/class/net/$FLIGHT"

# QEMU lets its tap go: it leaves by itself.
touch "$TW_TMP/release-held"
wait "$held_pid"
check "the held helper tap went with its fd" sh -c "! test -e /sys/class/net/$HELD"
run gc
is "$rc:$out" "0:gc: nothing to remove" "gc with nothing to do: exit 0 and says so"
check "still untouched: attach's tap, ip tuntap's tap, the marked bridge, veth and tun" \
	all_exist tw0000aaaa "$ATTACHED" tw0000bbbb tw0000cccc tw0000dddd tw0000eeee br0

# ---- --netns: gc works in that namespace only. The mark is set by hand here
# (root can), to stand for an orphan in each namespace.
ip netns add gcns
for n in gcns .; do
	ipn "$n" tuntap add dev tw0000ffff mode tap user 4242
	ipn "$n" link set tw0000ffff alias "$MARK"
done
run -N gcns gc
is "$rc" 0 "gc --netns gcns: exit 0"
is "$out" "$(gc_line tw0000ffff)
gc: removed 1 tap" "gc --netns gcns removes the orphan there"
is "$(ip -n gcns -o link show dev tw0000ffff 2>/dev/null)" "" "gone from gcns"
check "the one in this namespace is not touched" dev_exists tw0000ffff
run gc -q
check "gc here removes the one here" sh -c "! test -e /sys/class/net/tw0000ffff"
# A namespace's state files (here the lock file `tapwire -N gcns status`
# leaves) outlive the namespace until gc.
nc_files() { ls "$TAPWIRE_RUNDIR" | grep -c -- '-nc[0-9]'; }
before=$(nc_files)
"$TW" -N gcns status > /dev/null
is "$(nc_files)" $((before + 1)) "tapwire -N gcns status leaves gcns's lock file (lock-ncCOOKIE)"
ip netns del gcns
run gc
is "$rc:$out" "0:gc: nothing to remove
gc: removed 1 state file of network namespaces that are gone" "gc removes the files of the namespace that is gone"
is "$(nc_files)" "$before" "and only those"

done_testing
