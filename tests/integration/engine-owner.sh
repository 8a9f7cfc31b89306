#!/bin/sh
# A changed owner=/group= converges (contract section 5): a second `up` of
# a tap, a tun and a macvtap tapwire made, with a new owner, changes it in
# place, as the kernel reports (/sys/class/net/X/owner and group; the uid
# and gid of the macvtap's /dev/tapN). A held single-queue tap takes no
# second fd: refused naming its holder, and made again with --force. A
# device that was there is used as it is, and the plan says so.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
tw_isolate "$@"
. "$top_srcdir/tests/integration/engine-lib.sh"

tw_add_user twa 4301
tw_add_user twb 4302
# /dev/net/tun is 0600 here: the users get a 0666 node of this test's own.
mknod -m 0666 "$TW_TMP/tun-node" c 10 200 && mount --bind "$TW_TMP/tun-node" /dev/net/tun
ip link add lowo type veth peer name lowo-p && ip link set lowo up

net() { # net OWNER GROUP: $TW_TMP/own.xml
	cat > "$TW_TMP/own.xml" <<EOF
<tw:net xmlns:tw="urn:tapwire:1" name="own">
  <tw:bridge name="brown"/>
  <tw:tap name="otap" owner="$1" group="$2" bridge="brown" mtu="1400" address="10.9.7.1/24"/>
  <tw:tun name="otun" owner="$1" address="10.9.8.1/24"/>
  <tw:macvtap name="omvt" dev="lowo" owner="$1" group="$2"/>
</tw:net>
EOF
}
node() { stat -c %u:%g "/dev/tap$(sys_attr omvt ifindex)" 2>&1; }
ids() { echo "$(sys_attr "$1" owner):$(sys_attr "$1" group)"; }

net twa twa
run up "$TW_TMP/own.xml"
is "$rc" 0 "up makes a tap, a tun and a macvtap owned by twa"
is "$(ids otap)/$(ids otun)/$(node)" "4301:4301/4301:-1/4301:4301" "the kernel says twa owns them"

net twb twb
run check "$TW_TMP/own.xml"
is "$rc" 0 "check with owner twb"
like "$out" "~ set otap owner 4301:4301 -> 4302:4302" "check shows the tap's ~ line, old -> new"
like "$out" "~ set otun owner 4301:- -> 4302:-" "check shows the tun's ~ line"
like "$out" "~ set omvt owner 4301:4301 -> 4302:4302" "check shows the macvtap's ~ line"
is "$(ids otap)" "4301:4301" "check changed nothing"

run up "$TW_TMP/own.xml"
is "$rc" 0 "up with owner twb"
is "$(ids otap)" "4302:4302" "the tap is twb's now (sysfs owner, group)"
is "$(ids otun)" "4302:-1" "the tun is twb's now"
is "$(node)" "4302:4302" "/dev/tapN of the macvtap is twb's now"
is "$(dev_master otap)/$(dev_mtu otap)/$(dev_tun_flags otap)" "brown/1400/0x1802" \
	"the tap kept its bridge, mtu and flags (changed in place)"
run up "$TW_TMP/own.xml"
is "$rc/$out" "0/own: nothing to do" "a second up says nothing to do"

# ---- held: refused, naming the holder; --force makes it again
tw_hold_tap otap
like "$(cat "$TW_TMP/hold.out")" "^held" "a process holds otap"
net twa twa
run up "$TW_TMP/own.xml"
is "$rc" 1 "owner change of a held single-queue tap: exit 1"
like "$err" "otap: owner 4302:4302 -> 4301:4301: held by pid $hpid .*--force recreates it" \
	"one line names the tap, its holder and --force"
is "$(printf '%s\n' "$err" | grep -c .)" 1 "one line"
is "$(ids otap)/$(ids otun)" "4302:4302/4302:-1" "nothing changed"
run up --force "$TW_TMP/own.xml"
is "$rc" 0 "up --force"
like "$out" "otap owner 4302:4302 -> 4301:4301.*recreated \\(--force\\)" "the plan says it is made again"
is "$(ids otap)/$(ids otun)/$(node)" "4301:4301/4301:-1/4301:4301" "all are twa's again"
is "$(dev_master otap)/$(dev_mtu otap)/$(dev_tun_flags otap)" "brown/1400/0x1802" \
	"the new tap has the bridge, the mtu and the flags"
check "otap is up" dev_is_up otap
is "$(ns_addrs . otap)" "10.9.7.1/24" "the new tap has its address again"
touch "$TW_TMP/release"; wait "$hpid" 2>/dev/null
run up "$TW_TMP/own.xml"
is "$rc/$out" "0/own: nothing to do" "then nothing to do"
run down "$TW_TMP/own.xml"
is "$rc/$(devs_other_than_lo | sort | tr '\n' ' ')" "0/lowo lowo-p " "down leaves what was there"

# ---- a tap that was there: used, not changed, and the plan says so
ip tuntap add dev xtap mode tap user 4301
cat > "$TW_TMP/x.xml" <<'EOF'
<tw:net xmlns:tw="urn:tapwire:1" name="x">
  <tw:tap name="xtap" owner="twb"/>
</tw:net>
EOF
run up "$TW_TMP/x.xml"
is "$rc" 0 "up of a tap that was there, with another owner"
like "$out" "= tap xtap owner twb \\(exists: use it; owner 4301:-, not 4302:-: tapwire did not create it\\)" \
	"the plan says its owner is not changed, and why"
is "$(sys_attr xtap owner)" 4301 "its owner is as it was"
run down "$TW_TMP/x.xml"

# ---- a held tun with a point-to-point peer, made again with --force: it
# gets its address back with the peer, and a route through it comes back too
tun_net() { # tun_net OWNER
	cat > "$TW_TMP/ptun.xml" <<EOF
<tw:net xmlns:tw="urn:tapwire:1" name="pt">
  <tw:tun name="ptun" owner="$1" address="10.9.6.1/32" peer="10.9.6.2"/>
</tw:net>
EOF
}
p2p() { ip -j addr show dev ptun | jq -r '.[0].addr_info[] | select(.family == "inet") | "\(.local) peer \(.address)/\(.prefixlen)"'; }
tun_net twa
run up "$TW_TMP/ptun.xml"
ip route add 10.9.5.0/24 dev ptun metric 7
is "$rc/$(p2p)" "0/10.9.6.1 peer 10.9.6.2/32" "a tun with a peer"
"$top_builddir/tests/tw-tun-echo" ptun 1 60 > "$TW_TMP/echo.out" 2>&1 &
epid=$!
i=0
while ! grep -q '^attached' "$TW_TMP/echo.out" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
tun_net twb
run up "$TW_TMP/ptun.xml"
is "$rc/$(ids ptun)" "1/4301:-1" "held by a process: refused, the owner as it was"
run up --force "$TW_TMP/ptun.xml"
is "$rc/$(ids ptun)" "0/4302:-1" "--force makes it again, twb's"
is "$(p2p)" "10.9.6.1 peer 10.9.6.2/32" "with its address and its peer"
like "$(ip route show dev ptun 10.9.5.0/24)" "metric 7" "and the route that went through it"
kill "$epid" 2>/dev/null; wait "$epid" 2>/dev/null
run up "$TW_TMP/ptun.xml"
is "$rc/$out" "0/pt: nothing to do" "then nothing to do"
run down "$TW_TMP/ptun.xml"
check "down removes it" test ! -e /sys/class/net/ptun
done_testing
