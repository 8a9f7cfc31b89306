#!/bin/sh
# The seed's other devices without a guest (contract section 6): a tun that
# carries a ping from the host to a user's process reading /dev/net/tun,
# namespaces on macvlans made directly inside them, refusals, rollback, and
# `down` leaving nothing. Every assertion reads the kernel (ip, sysfs, ping
# replies) or tapwire's state, in this test's private namespaces.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
tw_isolate "$@"
. "$top_srcdir/tests/integration/engine-lib.sh"

ECHO=$top_builddir/tests/tw-tun-echo
tw_add_user twuser 4242
tw_add_user twother 4243

# ---- tun: persistent IFF_TUN, owned, point-to-point address

cat > "$TW_TMP/tun.xml" <<'EOF'
<tw:net xmlns:tw="urn:tapwire:1" name="tunlab">
  <tw:tun name="tun0" owner="twuser" mtu="1400" address="10.9.0.1/32" peer="10.9.0.2"/>
</tw:net>
EOF
run up "$TW_TMP/tun.xml"
is "$rc" 0 "up tun.xml succeeds"
is "$(dev_tun_flags tun0)" 0x1801 "tun0 is IFF_TUN|IFF_NO_PI|IFF_PERSIST (tun_flags)"
is "$(sys_attr tun0 owner)" 4242 "tun0 is owned by twuser (4242)"
is "$(dev_mtu tun0)" 1400 "tun0 has mtu 1400"
check "tun0 is up" dev_is_up tun0
like "$(ip -o addr show dev tun0)" "inet 10\.9\.0\.1 peer 10\.9\.0\.2/32" \
	"tun0 has 10.9.0.1 with peer 10.9.0.2 (IFA_LOCAL, IFA_ADDRESS)"
run up "$TW_TMP/tun.xml"
is "$rc/$out" "0/tunlab: nothing to do" "a second up changes nothing"

# /dev/net/tun is 0600 on the host: the user gets a 0666 node of its own,
# bound over it in this test's mount namespace only.
mknod -m 0666 "$TW_TMP/tun-node" c 10 200 && mount --bind "$TW_TMP/tun-node" /dev/net/tun
tw_as_user 4243 "$ECHO" tun0 1 2 > "$TW_TMP/other.out" 2>&1
like "$(cat "$TW_TMP/other.out")" "TUNSETIFF tun0: Operation not permitted" \
	"twother may not attach to twuser's tun (EPERM)"
tw_as_user 4242 "$ECHO" tun0 3 30 > "$TW_TMP/echo.out" 2>&1 &
echo_pid=$!
i=0
while ! grep -q '^attached' "$TW_TMP/echo.out" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
like "$(cat "$TW_TMP/echo.out")" "^attached tun0" "twuser's process attaches to tun0 through /dev/net/tun"
if ping -c 3 -i 0.2 -W 3 10.9.0.2 > "$TW_TMP/ping" 2>&1; then
	ok "the host pings 10.9.0.2 through tun0; the user's process answers"
else
	not_ok "the host pings 10.9.0.2 through tun0; the user's process answers"
fi
grep -E 'transmitted' "$TW_TMP/ping" | sed 's/^/#   /'
wait "$echo_pid"
is "$?/$(grep -c '^echo' "$TW_TMP/echo.out")" "0/3" "the process read 3 echo requests from the tun and answered them"
run down "$TW_TMP/tun.xml"
is "$rc" 0 "down tun.xml succeeds"
check "tun0 is gone" sh -c '! test -e /sys/class/net/tun0'

# ---- macvlan: namespaces on one lower device, each made in place

ip -o monitor link > "$TW_TMP/monitor" 2>&1 &
mon=$!
sleep 0.2
run up "$EX/macvlan.xml"
is "$rc" 0 "up examples/macvlan.xml succeeds"
kill "$mon" 2>/dev/null
wait "$mon" 2>/dev/null
is "$(grep -c 'mv[01]' "$TW_TMP/monitor")" 0 \
	"mv0 and mv1 never appeared where tapwire runs (made in their namespaces, not moved)"
for n in 0 1; do
	d=$(ip -n net$n -j -d link show mv$n 2>/dev/null)
	is "$(printf '%s' "$d" | jq -r '.[0].linkinfo.info_kind + " " + .[0].linkinfo.info_data.mode')" \
		"macvlan bridge" "net$n: mv$n is a macvlan in bridge mode"
	is "$(printf '%s' "$d" | jq -r '.[0].link_netnsid != null')" true \
		"net$n: mv$n's lower device is in another namespace (link-netnsid)"
done
is "$(ns_addrs net0 mv0)|$(ns_addrs net1 mv1)" "10.0.9.1/24|10.0.9.2/24" "addresses 10.0.9.1/24 and 10.0.9.2/24"
check "net0 pings net1 over the macvlans of uplink" pings net0 10.0.9.2
check "net1 pings net0" pings net1 10.0.9.1
run up "$EX/macvlan.xml"
is "$rc/$out" "0/macvlan: nothing to do" "a second up changes nothing"
sed 's/name="mv1" dev="uplink" mode="bridge"/name="mv1" dev="uplink" mode="private"/' "$EX/macvlan.xml" > "$TW_TMP/private.xml"
before=$(kstate)
run up --owner macvlan "$TW_TMP/private.xml"
is "$rc" 1 "up asking mv1 in private mode while it is in bridge mode: exit 1"
like "$err" "private.xml:[0-9]+: macvlan \[net1\] mv1 .*: exists in mode bridge, not private" "saying so ($err)"
is "$(kstate)" "$before" "and nothing changed"
ip link add lowx type veth peer name lowx-p
sed 's/name="mv1" dev="uplink"/name="mv1" dev="lowx"/' "$EX/macvlan.xml" > "$TW_TMP/otherlow.xml"
before=$(kstate)
run up --owner macvlan "$TW_TMP/otherlow.xml"
is "$rc" 1 "up asking mv1 on lowx while it sits on uplink: exit 1"
like "$err" "otherlow.xml:[0-9]+: macvlan \[net1\] mv1 .*: exists on another lower device \(ifindex $(sys_attr uplink ifindex)\), not on lowx" \
	"saying so ($err)"
is "$(kstate)" "$before" "and nothing changed"
ip link del lowx
run status --json
is "$(printf '%s' "$out" | jq -r '[.. | objects | select(.kind? == "macvlan") | .name] | sort | join(" ")')" \
	"mv0 mv1" "status --json lists both macvlans"

# A failure halfway is undone: the second macvlan asks for more MTU than
# its lower device has, so the kernel refuses it after the first was made.
sed -e 's/name="mv1" dev="uplink"/name="mv3" dev="uplink" mtu="9000"/' -e 's/name="mv0"/name="mv2"/' \
	-e 's/10\.0\.9\./10.0.8./g' -e 's/name="macvlan"/name="macvlan2"/' "$EX/macvlan.xml" > "$TW_TMP/half.xml"
before=$(kstate)
run up "$TW_TMP/half.xml"
is "$rc" 1 "a macvlan the kernel refuses: exit 1"
like "$err" "mv3" "the error names the device ($err)"
is "$(kstate)" "$before" "and what that run made is undone (kernel state as before)"

# Refcounted by owner: a second owner declaring mv0 too shares it.
printf '%s\n' '<tw:net xmlns:tw="urn:tapwire:1" name="second">' '  <tw:namespace name="net0"/>' \
	'  <tw:macvlan name="mv0" dev="uplink" mode="bridge" namespace="net0" address="10.0.9.1/24"/>' \
	'</tw:net>' > "$TW_TMP/second.xml"
run up "$TW_TMP/second.xml"
is "$rc" 0 "a second owner declares mv0 too"
like "$out" "= macvlan \[net0\] mv0 .*\(exists: use it\)" "and uses it as it is"
# The lower device is the first owner's alone: its down would take the
# second owner's macvlan with it, so it is refused.
before=$(kstate)
run down "$EX/macvlan.xml"
is "$rc" 1 "down of the lower device's only owner while another owner's macvlan sits on it: exit 1"
like "$err" "uplink is the lower device of macvlan mv0, of tapwire owner second" "naming both ($(echo "$err" | head -n 1))"
is "$(kstate)" "$before" "and nothing changed"
run down "$TW_TMP/second.xml"
is "$rc" 0 "down second.xml"
check "mv0 stays for the first owner" test -n "$(ifindex net0 mv0)"
run down "$EX/macvlan.xml"
is "$rc" 0 "then down examples/macvlan.xml succeeds"
is "$(netns_names | tr '\n' ' ')" "" "no namespace is left"
is "$(devs_other_than_lo | tr '\n' ' ')" "" "no device but lo is left"

# ---- the other examples, up and down as shipped

run up "$EX/tun.xml"
is "$rc/$(dev_tun_flags tun0)/$(sys_attr tun0 owner)" "0/0x1801/0" "examples/tun.xml: a persistent tun owned by root"
run up "$EX/macvtap.xml"
is "$rc" 0 "examples/macvtap.xml: up"
like "$(ip -d -o link show mvt0)" "mvt0@uplink: .* macvtap mode bridge .*numtxqueues 2 " \
	"examples/macvtap.xml: mvt0 is a macvtap on uplink with 2 queues"
like "$(ip -d -o link show mv-host)" "macvlan mode bridge" "examples/macvtap.xml: the host's macvlan mv-host beside it"
is "$(ns_addrs . mv-host)" "10.0.9.254/24" "examples/macvtap.xml: the host's address is on mv-host"
n=$(sys_attr mvt0 ifindex)
check "examples/macvtap.xml: /dev/tap$n exists" test -c "/dev/tap$n"
run down "$EX/macvtap.xml"
is "$rc" 0 "examples/macvtap.xml: down"
check "examples/macvtap.xml: /dev/tap$n is gone" sh -c "! test -e /dev/tap$n"
run down "$EX/tun.xml"
is "$rc/$(netns_names | tr '\n' ' ')/$(devs_other_than_lo | tr '\n' ' ')" "0//" \
	"examples/tun.xml: down; no namespace and no device is left"

# ---- /dev/tapN across namespaces: ifindexes repeat, devtmpfs's /dev does not

# Ifindexes are handed out in turn: after the lower pair (a-1, a) the next
# device here gets a+1. Another namespace's macvtap takes index a+1 first,
# and with it the node /dev/tap(a+1).
ip link add lowr type veth peer name lowr-p
ip link set lowr up
a=$(sys_attr lowr ifindex) b=$(sys_attr lowr-p ifindex)
[ "$b" -lt "$a" ] || a=$b
a=$((a - 1))
ip netns add other
ip -n other link add olow type veth peer name olow-p
ip -n other link add link olow name omvt index $((a + 2)) type macvtap
is "$(ip -n other -o link show omvt | cut -d: -f1)" "$((a + 2))" "another namespace has a macvtap with ifindex $((a + 2))"
theirs=$(stat -c '%Hr:%Lr %u' "/dev/tap$((a + 2))" 2>&1)
printf '%s\n' '<tw:net xmlns:tw="urn:tapwire:1" name="clash">' \
	'  <tw:macvtap name="mvtc" dev="lowr" owner="twuser"/>' '</tw:net>' > "$TW_TMP/clash.xml"
run up "$TW_TMP/clash.xml"
is "$rc" 0 "up of a macvtap whose first ifindex would clash succeeds"
n=$(sys_attr mvtc ifindex)
check "mvtc was made again with an ifindex whose node was free ($n, not $((a + 2)))" test "$n" -ge 4096
is "$(stat -c '%Hr:%Lr %u' "/dev/tap$n" 2>&1)" "$(cat "/sys/class/net/mvtc/macvtap/tap$n/dev") 4242" \
	"/dev/tap$n is mvtc's own node, given to twuser"
is "$(stat -c '%Hr:%Lr %u' "/dev/tap$((a + 2))" 2>&1)" "$theirs" \
	"the other namespace's /dev/tap$((a + 2)) is untouched ($theirs)"
run down "$TW_TMP/clash.xml"
check "down: mvtc and /dev/tap$n are gone" sh -c "! test -e /sys/class/net/mvtc && ! test -e /dev/tap$n"
ip netns del other
ip link del lowr
i=0
while [ -e "/dev/tap$((a + 2))" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done

# ---- refusals: one line, nothing changed

cat > "$TW_TMP/nolower.xml" <<'EOF'
<tw:net xmlns:tw="urn:tapwire:1" name="nolower">
  <tw:macvlan name="mv9" dev="nosuch0"/>
</tw:net>
EOF
run check "$TW_TMP/nolower.xml"
is "$rc" 1 "check: a lower device that does not exist is refused (exit 1)"
is "$err" "tapwire: $TW_TMP/nolower.xml:2: macvlan mv9: lower device nosuch0 does not exist where tapwire runs" \
	"with one line naming file:line and the device"
sed 's/owner="twuser"/owner="nobody-here"/' "$TW_TMP/tun.xml" > "$TW_TMP/nouser.xml"
run check "$TW_TMP/nouser.xml"
is "$rc" 2 "check: an unknown owner is bad input (exit 2)"
like "$err" "nouser.xml:2: tun tun0: unknown user 'nobody-here'" "naming file:line"
cat > "$TW_TMP/badmode.xml" <<'EOF'
<tw:net xmlns:tw="urn:tapwire:1" name="badmode">
  <tw:macvtap name="mvt9" dev="lo" mode="loop"/>
</tw:net>
EOF
run up "$TW_TMP/badmode.xml"
is "$rc" 2 "up: mode='loop' is bad input (exit 2)"
like "$err" "badmode.xml:2: <tw:macvtap>: mode 'loop'" "naming file:line and the element"
# A kind the kernel lacks: check asks the kernel for a device of that kind
# without a lower device (EOPNOTSUPP: unknown kind; EINVAL: known). The
# answer must agree with the kernel's own configuration.
known=$("$top_builddir/tests/tw-kind-known" macvlan macvtap ipvlan vlan | tr '\n' ' ')
if zcat /proc/config.gz > "$TW_TMP/config" 2>/dev/null; then
	want=""
	for k in MACVLAN:macvlan MACVTAP:macvtap IPVLAN:ipvlan VLAN_8021Q:vlan; do
		grep -q "^CONFIG_${k%%:*}=[ym]" "$TW_TMP/config" && v=1 || v=0
		want="$want${k#*:} $v "
	done
	is "$known" "$want" "the kind probe agrees with the kernel's config ($known)"
else
	skip "no /proc/config.gz to compare the kind probe with ($known)"
fi
is "$(devs_other_than_lo | tr '\n' ' ')" "" "the probe made no device"
is "$("$TW" status 2>&1)" "nothing on record" "nothing is on record after the refusals"
is "$(devs_other_than_lo | tr '\n' ' ')" "" "and no device was made"

done_testing
