#!/bin/sh
# The libvirt hook against what a hostile party controls, from the security
# audit: where its policy file lies (a directory someone else may write),
# and control bytes in a domain's DAC label or name, which would forge
# lines in root's syslog. Syslog is a stand-in syslogd on a private
# /dev/log (an overlay of /dev in this test's mount namespace); it prints
# each datagram up to its first newline, so a cut line shows as one that
# lacks its end.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
tw_isolate "$@"

# Recorded argv and XML of libvirt 9.0, as in hook-ops.sh; what the tests
# write goes to X.
H=$top_builddir/hooks/tapwire-hook
D=$top_srcdir/tests/integration/hook-data
X=$TW_TMP
unset TAPWIRE_HOOK_DEBUG
export TAPWIRE_RUNDIR=$TW_TMP/state TAPWIRE_QEMU_CONF=$TW_TMP/qemu.conf
printf 'user = "twqemu"\n' > "$TAPWIRE_QEMU_CONF"
tw_add_user twqemu 4331
tw_add_user twowner 4332
ip link add lan0 type bridge && ip link set lan0 up

tw_syslog_sink 1000 120

# hook NAME OP-SUBOP XML: as libvirt runs it; sets rc, out, err, and log
# (the syslog lines it sent).
hook() {
	seen=$(wc -l < "$TW_TMP/syslog")
	"$H" "$1" "${2%-*}" "${2#*-}" - < "$3" > "$TW_TMP/out" 2> "$TW_TMP/err"
	rc=$?
	out=$(cat "$TW_TMP/out")
	err=$(cat "$TW_TMP/err")
	sleep 0.1
	log=$(tail -n +"$((seen + 1))" "$TW_TMP/syslog")
}
lines() { printf '%s\n' "$1" | grep -c .; }
world() {
	for d in $(ls /sys/class/net | sort); do printf '%s>%s ' "$d" "$(dev_master "$d")"; done
	ls /run/netns | sort | tr '\n' ' '
}
base=$(world)

# --- the policy file and the directories on the way to it -------------------

P=$TW_TMP/etc
mkdir -p "$P/ww" "$P/home"
chmod 0777 "$P/ww"
chown 4332 "$P/home"
for f in "$P/good.conf" "$P/ww/tapwire.conf" "$P/home/tapwire.conf"; do
	echo 'bridge vm-*' > "$f"; chmod 0644 "$f"
done
ln -s ww/tapwire.conf "$P/to-ww.conf"
ln -s ../good.conf "$P/ww/hop"
ln -s ww/hop "$P/via-ww.conf"
ln -s good.conf "$P/link.conf"

# conf_refused FILE DIR WHY NAME
conf_refused() {
	TAPWIRE_HOOK_CONF=$1 hook twdom prepare-begin "$D/twdom.prepare-begin.xml"
	is "$rc:$out" 1: "$4: exit 1"
	is "$err" "tapwire: $1: directory $2 $3" "... one line naming the directory"
	is "$(world)" "$base" "... nothing made"
}
conf_refused "$P/ww/tapwire.conf" "$P/ww" "is writable by group or others (mode 0777)" \
	"a root-owned 0644 policy in a 0777 directory"
conf_refused "$P/home/tapwire.conf" "$P/home" "is owned by uid 4332, not root" \
	"a root-owned 0644 policy in a user's directory"
conf_refused "$P/to-ww.conf" "$P/ww" "is writable by group or others (mode 0777)" \
	"a symlink to a policy in a 0777 directory"
conf_refused "$P/via-ww.conf" "$P/ww" "is writable by group or others (mode 0777)" \
	"a symlink chain through a 0777 directory to a good policy"

TAPWIRE_HOOK_CONF=$P/ww/tapwire.conf hook plaindom prepare-begin "$D/plaindom.prepare-begin.xml"
is "$rc:$out:$err" "0::" "a domain without tapwire is left to libvirt"
like "$log" "plaindom: policy ignored: $P/ww/tapwire.conf: directory $P/ww is writable" \
	"... and the refused policy is logged"

TAPWIRE_HOOK_CONF=$P/link.conf hook twdom prepare-begin "$D/twdom.prepare-begin.xml"
is "$rc:$out:$err" "0::" "a symlink to a good policy, all in root's directories: accepted"
TAPWIRE_HOOK_CONF=$P/link.conf hook twdom release-end "$D/twdom.release-end.xml"
is "$rc:$(world)" "0:$base" "... and released"
export TAPWIRE_HOOK_CONF=$P/good.conf

# --- a newline in the DAC label ---------------------------------------------

# (no regex metacharacters in it: it is matched below)
forged='Jan  1 00:00:00 host sshd: Accepted password for root'
sed "s|</devices>|</devices><seclabel type='static' model='dac' relabel='no'><label>evil\&#10;$forged:kvm</label></seclabel>|" \
	"$D/twdom.prepare-begin.xml" > "$X/label-nl.xml"
hook twdom prepare-begin "$X/label-nl.xml"
is "$rc:$out" 2: "a DAC label with a newline: exit 2"
is "$(lines "$err")" 1 "... one line on stderr"
like "$err" "^tapwire: twdom:[0-9]+: <label>: DAC label 'evil.x0a$forged:kvm': user contains a control character\$" \
	"... naming the label ($err)"
is "$(world)" "$base" "... nothing made"
is "$(lines "$log")" 1 "... one syslog line"
like "$log" "^<27>.* tapwire-hook\[[0-9]+\]: twdom: twdom:[0-9]+: <label>: .*$forged:kvm': user contains a control character\$" \
	"... whole: the forged text stays inside it"

sed "s|evil&#10;|evil\n|" "$X/label-nl.xml" > "$X/label-raw-nl.xml"
hook twdom prepare-begin "$X/label-raw-nl.xml"
is "$rc:$(lines "$err"):$(lines "$log")" 2:1:1 "a literal newline in the label: exit 2, one line each"

sed "s|</devices>|</devices><seclabel type='static' model='dac' relabel='no'><label>twqemu:../kvm</label></seclabel>|" \
	"$D/plaindom.prepare-begin.xml" > "$X/plain-label.xml"
hook plaindom prepare-begin "$X/plain-label.xml"
is "$rc:$out:$err" "0::" "a bad label in a domain without tapwire is left to libvirt"
is "$(world)" "$base" "... which makes nothing for it"

# --- control bytes anywhere: the domain name from argv -----------------------

# Without managed='no' the hook refuses with a message that quotes the
# domain name as libvirt passed it.
sed "s|<target dev='twdom-mq' managed='no'/>|<target dev='twdom-mq'/>|" \
	"$D/twdom.prepare-begin.xml" > "$X/managed.xml"
esc=$(printf '\033')
name=$(printf 'twdom%s[31m\n%s' "$esc" "$forged")
hook "$name" prepare-begin "$X/managed.xml"
is "$rc" 2 "a domain name with ESC and a newline: exit 2"
is "$(lines "$err")" 1 "... one line on stderr"
like "$err" "^tapwire: twdom.\[31m.$forged:[0-9]+: interface" "... the control bytes as '?'"
check "... no ESC on stderr" sh -c '! grep -q "$(printf "\033")" "$1"' - "$TW_TMP/err"
is "$(lines "$log")" 1 "... one syslog line"
like "$log" "tapwire-hook\[[0-9]+\]: twdom.\[31m.$forged: twdom.\[31m.$forged:[0-9]+: interface .*managed='no'" \
	"... whole, prefix and message"
is "$(printf '%s' "$log" | tr -d '\n' | tr -cd '\000-\037\177' | wc -c)" 0 "... with no control byte in it"

kill "$tw_sink" 2> /dev/null
wait "$tw_sink" 2> /dev/null
is "$(world)" "$base" "the world is as it was"
done_testing
