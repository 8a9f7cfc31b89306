#!/bin/sh
# The state of a network namespace other than the host's is kept under the
# namespace's cookie, which the kernel never reuses, not under its inode,
# which it does: a namespace that gets a dead one's inode starts with no
# records, and its `up` builds everything afresh. tw_state_prune removes the
# files of dead namespaces and keeps those of live ones (by a bind mount, by
# a process only), the host's and any it does not know. Checked in the
# kernel, `tapwire status --json` and the state directory.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
tw_isolate "$@"
. "$top_srcdir/tests/integration/engine-lib.sh"

PRUNE=$top_builddir/tests/tw-state-prune

cat > "$TW_TMP/net.xml" <<EOF
<tw:net xmlns:tw="urn:tapwire:1" name="nsst">
  <tw:namespace name="nsst-in"/>
  <tw:bridge name="brst" address="10.40.0.254/24"/>
  <tw:veth>
    <tw:end namespace="nsst-in" name="eth0" address="10.40.0.1/24"/>
    <tw:end name="brst-p" bridge="brst"/>
  </tw:veth>
</tw:net>
EOF
# bridge_xml OWNER BRIDGE: one bridge, for the pruning checks.
bridge_xml() {
	printf '<tw:net xmlns:tw="urn:tapwire:1" name="%s"><tw:bridge name="%s"/></tw:net>\n' \
		"$1" "$2" > "$TW_TMP/$1.xml"
}

ns_ino() { stat -L -c %i "/run/netns/$1"; }
has_dev() { ip -n "$1" link show "$2" > /dev/null 2>&1; } # has_dev NS DEV
# The files in the state directory, one line each, sorted; not the copies
# of what each up applied (engine-move.sh checks that they go with their
# state).
rundir_files() { ls "$TAPWIRE_RUNDIR" | grep -v '^applied-' | sort; }
# new_state BEFORE: the state file that appeared since the listing BEFORE.
new_state() { rundir_files | comm -13 "$1" - | grep '^state' | head -n 1; }
# The objects `tapwire -N NS status --json` lists, as json_summary lines.
status_json() { # status_json NS FILE
	run -N "$1" status --json
	printf '%s\n' "$out" > "$2"
}

# ---- a namespace with records dies without `down`, as a crashed host leaves it
ip netns add tns1
ino1=$(ns_ino tns1)
rundir_files > "$TW_TMP/ls.0"
run -N tns1 up "$TW_TMP/net.xml"
is "$rc" 0 "tns1: up exits 0"
check "tns1: brst is in tns1 (kernel)" has_dev tns1 brst
is "$(ns_ports tns1 brst)" "brst-p" "tns1: brst-p is brst's port (kernel)"
check "tns1: nsst-in exists" has_netns nsst-in
f1=$(new_state "$TW_TMP/ls.0")
like "$f1" '^state-' "tns1: its state file is $f1"
status_json tns1 "$TW_TMP/tns1.json"
json_check "$TW_TMP/tns1.json" "tns1: status --json lists what up made" \
"netns|nsst-in|||true|true|nsst
bridge||brst||true|true|nsst
veth||brst-p||true|true|nsst
address||brst|10.40.0.254/24|true|true|nsst
address|nsst-in|eth0|10.40.0.1/24|true|true|nsst"
ip netns del nsst-in
ip netns del tns1
check "tns1 is gone, and brst with it" sh -c '! ip netns list | grep -q tns1'

# ---- namespaces until one gets tns1's inode (the kernel frees it a moment
# after the namespace dies, then hands out the lowest free number). Those
# that miss are kept, so that lower numbers fill up.
new=
i=2
while [ $i -le 21 ]; do
	ip netns add "tns$i"
	if [ "$(ns_ino "tns$i")" = "$ino1" ]; then
		new=tns$i
		break
	fi
	i=$((i + 1))
	sleep 0.1
done
if [ -n "$new" ]; then
	diag "$new has tns1's inode $ino1"
else
	new=tns21
	diag "no namespace got tns1's inode $ino1 in 20 tries: checking $new all the same"
fi

status_json "$new" "$TW_TMP/new.json"
is "$rc" 0 "$new: status --json exits 0"
json_check "$TW_TMP/new.json" "$new: status --json shows none of tns1's records" ""
run -N "$new" status
is "$out" "nothing on record" "$new: status has nothing on record"
rundir_files > "$TW_TMP/ls.1"
run -N "$new" up "$TW_TMP/net.xml"
is "$rc" 0 "$new: up exits 0"
like "$out" '^\+ bridge brst' "$new: up makes brst afresh"
like "$out" '^\+ netns nsst-in' "$new: ... and nsst-in"
check "$new: brst is in $new (kernel)" has_dev "$new" brst
is "$(ns_ports "$new" brst)" "brst-p" "$new: brst-p is brst's port (kernel)"
check "$new: nsst-in exists" has_netns nsst-in
f2=$(new_state "$TW_TMP/ls.1")
like "$f2" '^state-' "$new: a state file of its own"
if [ "$f2" != "$f1" ]; then ok "$new: its state file is not tns1's"; else not_ok "$new: its state file is not tns1's"; fi
check "tns1's state file is left for pruning" test -f "$TAPWIRE_RUNDIR/$f1"
run -N "$new" down "$TW_TMP/net.xml"
is "$rc" 0 "$new: down exits 0"
check "$new: brst is gone (kernel)" sh -c "! ip -n '$new' link show brst > /dev/null 2>&1"
check "$new: nsst-in is gone" sh -c '! ip netns list | grep -q nsst-in'
run -N "$new" status
is "$out" "nothing on record" "$new: nothing on record after down"

# ---- pruning: the files of dead namespaces go, those of live ones stay
if [ ! -x "$PRUNE" ]; then
	not_ok "tests/tw-state-prune is built"
	done_testing
fi
# pa lives on (bind mount); pb dies; pc lives only through a process.
ip netns add pa
ip netns add pb
bridge_xml pa bra
bridge_xml pb brb
bridge_xml pc brc
run -N pa up "$TW_TMP/pa.xml"
is "$rc" 0 "pa: up exits 0"
run -N pb up "$TW_TMP/pb.xml"
is "$rc" 0 "pb: up exits 0"
unshare --net sleep 120 &
pc_pid=$!
i=0
while [ "$(stat -L -c %i /proc/$pc_pid/ns/net)" = "$(stat -L -c %i /proc/self/ns/net)" ] && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
nsenter --net="/proc/$pc_pid/ns/net" "$TW" up "$TW_TMP/pc.xml" > /dev/null
is "$?" 0 "pc (a process's only): up exits 0"
fa=$(nsenter --net=/run/netns/pa "$PRUNE" --path "$TAPWIRE_RUNDIR")
fb=$(nsenter --net=/run/netns/pb "$PRUNE" --path "$TAPWIRE_RUNDIR")
fc=$(nsenter --net="/proc/$pc_pid/ns/net" "$PRUNE" --path "$TAPWIRE_RUNDIR")
fnew=$(nsenter --net="/run/netns/$new" "$PRUNE" --path "$TAPWIRE_RUNDIR")
fself=$("$PRUNE" --path "$TAPWIRE_RUNDIR")
run status # this namespace's lock file, nothing on record
like "$fa $fb $fc $fnew" "^($TAPWIRE_RUNDIR/state-nc[0-9]+ ?){4}$" "state files are named after the cookie"
is "$(printf '%s\n' "$fa" "$fb" "$fc" "$fnew" "$fself" "$TAPWIRE_RUNDIR/$f1" | sort -u | wc -l)" 6 \
	"one state file per namespace, tns1's apart from $new's"
for f in "$fa" "$fb" "$fc"; do
	check "$(basename "$f") has records" grep -q '^+ bridge ' "$f"
done
# What tapwire keeps for the host's namespace (plain state) and an old
# inode-named file are never pruned.
cp "$fa" "$TAPWIRE_RUNDIR/state"
: > "$TAPWIRE_RUNDIR/lock"
cp "$fa" "$TAPWIRE_RUNDIR/state-net$ino1"
: > "$TAPWIRE_RUNDIR/lock-net$ino1"
ip netns del pb
lockb=$TAPWIRE_RUNDIR/lock-${fb##*/state-}
# Held by someone: skipped.
sh -c 'exec 9< "$1"; flock -s 9; exec sleep 120' sh "$lockb" &
holder=$!
i=0
while flock -n -x "$lockb" true 2> /dev/null && [ $i -lt 50 ]; do
	sleep 0.1; i=$((i + 1))
done
rundir_files > "$TW_TMP/ls.2"
is "$("$PRUNE" -n "$TAPWIRE_RUNDIR") $(rundir_files | cmp -s "$TW_TMP/ls.2" - && echo same)" "2 same" \
	"prune -n: counts tns1's two files and removes nothing"
n=$("$PRUNE" "$TAPWIRE_RUNDIR")
is "$?:$n" "0:2" "prune: removes tns1's state and lock (dead, its inode reused or not)"
is "$(rundir_files | comm -23 "$TW_TMP/ls.2" - | tr '\n' ' ')" \
	"lock-${f1#state-} $f1 " "prune: ... and nothing else"
check "prune: pb's file is kept while its lock is held" test -f "$fb"
kill "$holder"
wait "$holder" 2> /dev/null
n=$("$PRUNE" "$TAPWIRE_RUNDIR")
is "$n" 2 "prune: pb's state and lock go once the lock is free"
check "prune: pb's state file is gone" test ! -e "$fb"
check "prune: pb's lock is gone" test ! -e "$lockb"
for f in "$fa" "$fc" "$fnew" "$TAPWIRE_RUNDIR/state" "$TAPWIRE_RUNDIR/lock" \
	"$TAPWIRE_RUNDIR/state-net$ino1" "$TAPWIRE_RUNDIR/lock-net$ino1"; do
	check "prune: keeps $(basename "$f")" test -e "$f"
done
check "prune: keeps this namespace's lock" test -e "$TAPWIRE_RUNDIR/lock-${fself##*/state-}"
is "$("$PRUNE" "$TAPWIRE_RUNDIR")" 0 "prune: nothing more to remove"

# Whether the kernel reused an inode above or not: a lock file naming pa's
# inode with a cookie no namespace has (cookies count up from 1) is a dead
# namespace's; so is one that names no namespace at all (then every live one
# is asked for its cookie). Names that are not tapwire's are left alone.
dead1=18446744073709551000
dead2=18446744073709551001
printf 'tapwire-netns 1 cookie=%s dev=%s ino=%s\n' "$dead1" \
	"$(stat -L -c %d /run/netns/pa)" "$(ns_ino pa)" > "$TAPWIRE_RUNDIR/lock-nc$dead1"
cp "$fa" "$TAPWIRE_RUNDIR/state-nc$dead1"
: > "$TAPWIRE_RUNDIR/lock-nc$dead2"
cp "$fa" "$TAPWIRE_RUNDIR/state-nc$dead2"
cp "$fa" "$TAPWIRE_RUNDIR/state-nc$dead2.new"
for odd in state-nc0 state-nc012 state-nc1x lock-nc1.new state-nc; do
	cp "$fa" "$TAPWIRE_RUNDIR/$odd"
done
rundir_files > "$TW_TMP/ls.3"
# Without an identity every live namespace is asked, and one that cannot be
# (its only holder, a process, exited meanwhile) keeps the files: on a busy
# host that takes another try.
n=0
i=0
while [ $i -lt 20 ] && { [ $i -eq 0 ] || [ -e "$TAPWIRE_RUNDIR/lock-nc$dead2" ]; }; do
	n=$((n + $("$PRUNE" "$TAPWIRE_RUNDIR")))
	i=$((i + 1))
done
is "$n" 5 "prune: a live namespace's inode with another cookie, no identity: removed"
is "$(rundir_files | comm -23 "$TW_TMP/ls.3" - | tr '\n' ' ')" \
	"lock-nc$dead1 lock-nc$dead2 state-nc$dead1 state-nc$dead2 state-nc$dead2.new " \
	"prune: ... those five files and nothing else"
kill "$pc_pid"
wait "$pc_pid" 2> /dev/null
# The kernel frees a namespace a moment after its last process exits.
n=0
i=0
while [ -e "$fc" ] && [ $i -lt 50 ]; do
	n=$((n + $("$PRUNE" "$TAPWIRE_RUNDIR")))
	i=$((i + 1))
	sleep 0.1
done
is "$n" 2 "prune: pc's files go once its process has exited"
check "prune: pa's file is still kept" test -f "$fa"

run -N pa down "$TW_TMP/pa.xml"
is "$rc" 0 "pa: down exits 0"
for n in $(netns_names); do ip netns del "$n"; done
is "$(netns_names)" "" "no namespace left"
done_testing
