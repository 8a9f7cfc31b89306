#!/bin/sh
# The hook's `release end` goes by the domain's name, whatever XML libvirt
# passes then: broken, not XML, not a domain, metadata made invalid or removed
# since the start, a <tw:net name> that is not the domain's. Each releases
# what prepare made (checked in the kernel) and exits 0; a second release
# exits 0 and changes nothing; a domain tapwire never touched costs no
# netlink and at most a read of the state.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
tw_isolate "$@"

. "$top_srcdir/tests/integration/hook-lib.sh"
printf 'bridge vm-*\n' > "$TAPWIRE_HOOK_CONF"
chmod 0644 "$TAPWIRE_HOOK_CONF"
printf 'user = "root"\n' > "$TAPWIRE_QEMU_CONF"

# hook DOMAIN OP SUBOP XML: sets rc, out, err.
hook() {
	"$H" "$1" "$2" "$3" - < "$4" > "$TW_TMP/out" 2> "$TW_TMP/err"
	rc=$?
	out=$(cat "$TW_TMP/out")
	err=$(cat "$TW_TMP/err")
}
# What twdom's prepare makes: bridge twbr0, namespace twdom-ns, veth
# twdom-v0, tap twdom-mq; and vm-lan, its policy bridge.
twdom_made() {
	dev_exists twbr0 && dev_exists twdom-v0 && dev_exists twdom-mq && dev_exists vm-lan &&
		test -e /run/netns/twdom-ns
}
twdom_gone() {
	! dev_exists twbr0 && ! dev_exists twdom-v0 && ! dev_exists twdom-mq && ! dev_exists vm-lan &&
		test ! -e /run/netns/twdom-ns
}

ip link add lan0 type bridge && ip link set lan0 up
# twdom, also on a policy bridge (vm-lan), owned by the domain's name too.
sed "s|<source bridge='lan0'/>|<source bridge='vm-lan'/>|" "$D/twdom.prepare-begin.xml" > "$X/twdom.xml"
base=$(world)

# What release may be given instead of the XML of the start.
printf '<domain xmlns:tw="urn:tapwire:1"><name>twdom' > "$X/broken-tw.xml"
printf '<domain><name>twdom' > "$X/broken.xml"
printf 'this is not XML at all\n\001\002\n' > "$X/garbage"
: > "$X/empty"
printf '<network><name>twdom</name></network>\n' > "$X/network.xml"
sed 's|<tw:bridge name="twbr0"|<tw:bridge name="twbr0-name-too-long"|' "$X/twdom.xml" > "$X/invalid.xml"
sed 's|<tw:veth>|<tw:veth bogus="1">|' "$X/twdom.xml" > "$X/invalid2.xml"
awk '/<metadata>/ { skip = 1 } !skip { print } /<\/metadata>/ { skip = 0 }' "$X/twdom.xml" > "$X/nometa.xml"
grep -q 'urn:tapwire' "$X/nometa.xml" && diag "nometa.xml still has tapwire metadata"
{ cat "$X/twdom.xml"; head -c 5000000 /dev/zero | tr '\0' ' '; } > "$X/huge.xml"

# release_with FILE: twdom's release with X/FILE on stdin ("closed": none).
release_with() {
	if [ "$1" = closed ]; then
		"$H" twdom release end - <&- > "$TW_TMP/out" 2> "$TW_TMP/err"
		rc=$? out=$(cat "$TW_TMP/out") err=$(cat "$TW_TMP/err")
	else
		hook twdom release end "$X/$1"
	fi
}
for stdin in broken-tw.xml broken.xml garbage empty network.xml invalid.xml invalid2.xml nometa.xml \
	huge.xml closed; do
	hook twdom prepare begin "$X/twdom.xml"
	if [ "$rc" != 0 ] || ! twdom_made; then
		not_ok "twdom prepared before a release with $stdin"; diag "$err"; continue
	fi
	release_with "$stdin"
	is "$rc:$out:$err" "0::" "release end with $stdin on stdin: exit 0, prints nothing"
	check "... and every device and the namespace of twdom are gone (kernel)" twdom_gone
	is "$(world)" "$base" "... nothing else changed"
	sum=$(state_sum)
	release_with "$stdin"
	is "$rc:$out:$err:$(world):$(state_sum)" "0:::$base:$sum" "... a second release exits 0 and changes nothing"
done
check "twdom has no record left (tapwire status)" \
	sh -c "! '$top_builddir/cli/tapwire' status 2>/dev/null | grep -q twdom"

# --- <tw:net name=...>: the owner is not the domain's name --------------------

sed 's|<tw:net xmlns:tw="urn:tapwire:1">|<tw:net xmlns:tw="urn:tapwire:1" name="lab-7">|' "$X/twdom.xml" > "$X/named.xml"
grep -q 'name="lab-7"' "$X/named.xml" || diag "named.xml has no name= (the fixture changed?)"
for stdin in broken-tw.xml nometa.xml invalid.xml twdom.xml; do
	hook twdom prepare begin "$X/named.xml"
	is "$rc:$err" "0:" "twdom with <tw:net name='lab-7'> prepared"
	hook twdom release end "$X/$stdin"
	is "$rc:$out:$err" "0::" "... released with $stdin: exit 0"
	check "... everything of owner lab-7 and of twdom (vm-lan) is gone" twdom_gone
done
# Another domain may not take that name while twdom holds it; its release
# (libvirt releases a domain that failed to start) leaves twdom's.
sed 's/twdom/twtwo/g; s/twbr0/twbr2/g; s/52:54:00:10/52:54:00:11/g; s/10\.0\.1\./10.0.2./g' \
	"$X/named.xml" > "$X/twtwo-named.xml"
hook twdom prepare begin "$X/named.xml"
hook twtwo prepare begin "$X/twtwo-named.xml"
is "$rc" 2 "a second domain with <tw:net name='lab-7'> is refused: exit 2"
like "$err" "lab-7.*twdom.*twtwo" "... naming both domains ($err)"
hook twtwo release end "$X/twtwo-named.xml"
is "$rc:$err" "0:" "... its release exits 0"
check "... and leaves twdom's objects, lab-7 and twdom's alike" twdom_made
hook twdom release end "$X/empty"
check "twdom's release then takes them" twdom_gone
# Renamed while running (the metadata edited live): still found.
sed 's|name="lab-7"|name="lab-8"|' "$X/named.xml" > "$X/renamed.xml"
hook twdom prepare begin "$X/named.xml"
hook twdom release end "$X/renamed.xml"
is "$rc:$err" "0:" "<tw:net name> changed since the start: exit 0"
check "... and what lab-7 made is gone all the same" twdom_gone
# A domain name no file name could hold as it is.
odd='we/b ..x'
hook "$odd" prepare begin "$X/named.xml"
is "$rc:$err" "0:" "a domain named '$odd' with an owner of its own: prepared"
hook "$odd" release end "$X/garbage"
is "$rc:$err" "0:" "... released with garbage on stdin"
check "... and gone" twdom_gone
# A domain named like a file where the hook runs (the state records a
# file source by its real path).
(cd "$TW_TMP" && : > filedom && "$H" filedom prepare begin - < "$X/named.xml" &&
	"$H" filedom release end - < "$X/garbage")
is "$?" 0 "a domain named like a file in the hook's directory: prepared and released"
check "... and gone" twdom_gone
long=$(printf 'd%.0s' $(seq 1 250))
hook "$long" prepare begin "$X/named.xml"
hook "$long" release end "$X/empty"
is "$rc:$err" "0:" "a 250-character domain name: released with nothing on stdin"
check "... and gone" twdom_gone
is "$(world)" "$base" "the world is as it was"

# Two domains: one's release leaves the other's objects.
sed 's/twdom/twtwo/g; s/twbr0/twbr2/g; s/52:54:00:10/52:54:00:11/g; s/10\.0\.1\./10.0.2./g' \
	"$X/twdom.xml" > "$X/twtwo.xml"
hook twdom prepare begin "$X/twdom.xml"
hook twtwo prepare begin "$X/twtwo.xml"
is "$rc:$err" "0:" "a second domain, twtwo, also on vm-lan"
hook twdom release end "$X/garbage"
is "$rc:$err" "0:" "twdom released with garbage on stdin"
check "... twtwo's devices stay" sh -c 'test -e /sys/class/net/twbr2 && test -e /sys/class/net/twtwo-mq'
check "... and vm-lan, which twtwo still uses" dev_exists vm-lan
hook twtwo release end "$X/broken.xml"
is "$(world)" "$base" "twtwo released with broken XML: the world is as it was"

# A bridge another VM still uses (a port tapwire did not make) is kept, on
# record, and the rest goes; the next release takes it once it is free.
hook twdom prepare begin "$X/twdom.xml"
ip link add fvm0 type veth peer name fvm1 && ip link set fvm0 master twbr0
TAPWIRE_HOOK_DEBUG=1 hook twdom release end "$X/garbage"
is "$rc:$out" "0:" "release while another VM's port is on twbr0: exit 0"
check "... twbr0 stays, with that port" test "$(dev_master fvm0)" = twbr0
check "... the rest of twdom is gone" sh -c '! test -e /sys/class/net/twdom-v0 && ! test -e /sys/class/net/twdom-mq && ! test -e /sys/class/net/vm-lan'
like "$err" 'twdom: = .*twbr0.*kept' "... and the log says twbr0 is kept"
like "$("$top_builddir/cli/tapwire" status 2>&1)" 'twbr0' "... which is still on record (tapwire status)"
st=$("$top_builddir/cli/tapwire" status 2>&1)
like "$st" '    kept: bridge twbr0 still has port fvm0 ' "... and why it is kept (tapwire status)"
diag "$st"
if command -v python3 > /dev/null; then
	is "$("$top_builddir/cli/tapwire" status --json | python3 -c 'import json, sys
d = json.load(sys.stdin)
print([(o["name"], o["kept"]["for"], o["kept"]["why"][:32]) for o in d["objects"] if o["kept"]])')" \
		"[('twbr0', 'twdom', 'bridge twbr0 still has port fvm0')]" "... and in status --json"
else
	skip "status --json (python3 is missing)"
fi
sum=$(state_sum) w=$(world)
"$top_builddir/cli/tapwire" gc > "$TW_TMP/gc.out" 2>&1
is "$?:$(grep -c twbr0 "$TW_TMP/gc.out"):$(world):$(state_sum)" "0:0:$w:$sum" \
	"tapwire gc while fvm0 is on twbr0: exit 0, twbr0 not named, nothing changed"
ip link del fvm0
hook twdom release end "$X/empty"
is "$rc:$err" "0:" "the port gone, a release again: exit 0"
check "... and twbr0 goes" twdom_gone
is "$(world)" "$base" "the world is as it was"

# Kept, then freed by gc: another VM's tap on twbr0 while twdom is released.
hook twdom prepare begin "$X/twdom.xml"
ip tuntap add dev fvm-t mode tap && ip link set fvm-t master twbr0
hook twdom release end "$X/garbage"
is "$rc:$err" "0:" "release while another VM's tap is on twbr0: exit 0"
like "$("$top_builddir/cli/tapwire" status 2>&1)" '    kept: bridge twbr0 still has port fvm-t' \
	"... kept, and status says why"
ip link del fvm-t
sum=$(state_sum) w=$(world)
"$top_builddir/cli/tapwire" gc -n > "$TW_TMP/gc.out" 2>&1
is "$?:$(cat "$TW_TMP/gc.out")" "0:- address 10.0.1.254/24 dev twbr0
- bridge twbr0 (kept for twdom, free now)
gc: nothing to remove (dry run)
gc: would remove 1 object a release kept while in use, free now (dry run)" \
	"the tap gone, gc -n says it would free twbr0"
is "$(world):$(state_sum)" "$w:$sum" "... and changes nothing"
if command -v python3 > /dev/null; then
	is "$("$top_builddir/cli/tapwire" gc -n --json | python3 -c 'import json, sys
print(json.load(sys.stdin)["kept_freed"])')" "[{'object': 'bridge twbr0', 'owner': 'twdom'}]" \
		"... gc -n --json lists it too"
else
	skip "gc --json (python3 is missing)"
fi
"$top_builddir/cli/tapwire" gc > "$TW_TMP/gc.out" 2>&1
is "$?:$(sed -n 2p "$TW_TMP/gc.out")" "0:- bridge twbr0 (kept for twdom, free now)" \
	"tapwire gc frees twbr0 ($(tail -n 1 "$TW_TMP/gc.out"))"
check "... gone from the kernel" sh -c '! test -e /sys/class/net/twbr0'
check "... and from the record (status)" \
	sh -c "! '$top_builddir/cli/tapwire' status 2>/dev/null | grep -q twdom"
is "$(world)" "$base" "the world is as it was"
sum=$(state_sum)
"$top_builddir/cli/tapwire" gc > "$TW_TMP/gc.out" 2>&1
is "$?:$(cat "$TW_TMP/gc.out"):$(state_sum)" "0:gc: nothing to remove:$sum" "a second gc: nothing to do"

# --- the cheap path: a domain tapwire never touched ---------------------------

printf '' > "$TAPWIRE_HOOK_CONF"
if command -v strace > /dev/null; then
	# strace_release XML: trace a release of plaindom. (LeakSanitizer
	# cannot run under ptrace: a sanitizer build checks leaks elsewhere.)
	strace_release() {
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -qq -e trace=socket,openat,open,mkdir,mkdirat,unlink,unlinkat,rename,flock \
			-o "$TW_TMP/strace" "$H" plaindom release end - < "$1" > /dev/null 2>&1
		st_rc=$?
	}
	rm -rf "$TAPWIRE_RUNDIR"
	strace_release "$D/plaindom.release-end.xml"
	is "$st_rc" 0 "release of a plain domain, no state: exit 0"
	is "$(grep -c AF_NETLINK "$TW_TMP/strace")" 0 "... no netlink socket (strace)"
	is "$(grep -E 'mkdir|unlink|rename|O_WRONLY|O_RDWR|O_CREAT' "$TW_TMP/strace" | grep -c "$TAPWIRE_RUNDIR")" 0 \
		"... nothing made, written or removed in the state directory"
	check "... which does not exist afterwards either" test ! -e "$TAPWIRE_RUNDIR"
	# With a state that holds another domain's records.
	hook twdom prepare begin "$D/twdom.prepare-begin.xml"
	is "$rc:$err" "0:" "twdom prepared (on lan0)"
	sum=$(state_sum) w=$(world)
	strace_release "$D/plaindom.release-end.xml"
	is "$st_rc" 0 "release of a plain domain beside twtwo's records: exit 0"
	is "$(grep -c AF_NETLINK "$TW_TMP/strace")" 0 "... no netlink socket (strace)"
	diag "$(grep "$TAPWIRE_RUNDIR" "$TW_TMP/strace" | sed 's/^[0-9]* *//')"
	like "$(grep "$TAPWIRE_RUNDIR/state" "$TW_TMP/strace")" 'O_RDONLY' "... the state is read"
	is "$(grep "$TAPWIRE_RUNDIR/state" "$TW_TMP/strace" | grep -cE 'O_WRONLY|O_RDWR|O_CREAT')" 0 "... read-only"
	is "$(grep -E '(mkdir|unlink|rename).* = 0$' "$TW_TMP/strace" | grep -c "$TAPWIRE_RUNDIR")" 0 \
		"... nothing made or removed in the state directory"
	is "$(grep "$TAPWIRE_RUNDIR" "$TW_TMP/strace" | grep -E 'O_WRONLY|O_RDWR|O_CREAT' | grep -vc "$TAPWIRE_RUNDIR/lock")" 0 \
		"... and nothing but the lock file opened for writing (its shared lock)"
	like "$(grep flock "$TW_TMP/strace")" 'LOCK_SH' "... which it locks shared"
	is "$(grep flock "$TW_TMP/strace" | grep -c LOCK_EX)" 0 "... never exclusive"
	is "$(state_sum):$(world)" "$sum:$w" "... the state and the kernel unchanged"
	hook twdom release end "$X/empty"
else
	skip "strace is missing"
fi

# --- when nothing can be done ------------------------------------------------

printf 'bridge vm-*\n' > "$TAPWIRE_HOOK_CONF"

hook twdom prepare begin "$X/twdom.xml"
# The state of this test's namespace (state-nc<COOKIE>: not the host's).
sf=$(ls "$TAPWIRE_RUNDIR"/state*)
cp "$sf" "$TW_TMP/state.saved"
printf 'not a state file\n' > "$sf"
hook twdom release end "$X/twdom.xml"
is "$rc" 1 "a state the hook cannot read: exit 1 (nothing could be done)"
is "$(printf '%s\n' "$err" | wc -l)" 1 "... one line on stderr"
like "$err" '^tapwire: twdom: release: state: .*not a tapwire state file' "... saying why ($err)"
cat "$TW_TMP/state.saved" > "$sf"
hook twdom release end "$X/garbage"
is "$rc:$err" "0:" "the state repaired: released"
check "... and gone" twdom_gone

TAPWIRE_HOOK_DEBUG=1 hook twdom prepare begin "$X/twdom.xml"
TAPWIRE_HOOK_DEBUG=1 hook twdom release end "$X/broken-tw.xml"
is "$rc" 0 "release logged (TAPWIRE_HOOK_DEBUG)"
like "$err" 'twdom: release: by name, the domain XML aside' "... says the XML was set aside"
like "$err" 'twdom: release: owner twdom, [0-9]+ records' "... names the owner"
like "$err" 'twdom: - bridge twbr0' "... and each removal"
is "$out" "" "... nothing on stdout"
is "$(world)" "$base" "the world is as it was"

done_testing
