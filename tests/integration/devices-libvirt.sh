#!/bin/sh
# libvirt's <interface type='direct'> (contract section 6) against a private
# libvirtd (libvirt-env.sh) with the hook installed. The domain's metadata
# declares the lower device (a veth end) and a namespace on a macvlan of it:
# the hook makes them at prepare begin. The guest boots with no NIC;
# `tapwire attach direct.xml --domain` makes a macvtap on the lower device
# and hot-plugs it, the guest takes it as its NIC and pings the namespace
# (tests/guest waits for a NIC). detach and destroy leave nothing. One boot.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
tw_prebuild_guest
tw_isolate "$@"
. "$top_srcdir/tests/integration/libvirt-env.sh"
lv_begin_guest

lv_domain dg "$TW_TMP/dg.xml" \
	"console=ttyS0 quiet panic=-1 tw.addr=10.0.1.2/24 tw.peer=10.0.1.1 tw.mode=ping tw.wait=40 tw.serve=60" <<'EOF'
  <metadata>
    <tw:net xmlns:tw="urn:tapwire:1">
      <tw:namespace name="wire"/>
      <tw:namespace name="net0"/>
      <tw:veth>
        <tw:end name="dlow"/>
        <tw:end name="dlow-far" namespace="wire"/>
      </tw:veth>
      <tw:macvlan name="dmv0" dev="dlow" namespace="net0" address="10.0.1.1/24"/>
    </tw:net>
  </metadata>
  <devices>
  </devices>
EOF
cat > "$TW_TMP/direct.xml" <<'EOF'
<interface type='direct'>
  <mac address='52:54:00:40:00:31'/>
  <source dev='dlow' mode='bridge'/>
  <model type='virtio'/>
</interface>
EOF
V define "$TW_TMP/dg.xml" > /dev/null
check "start dg (no NIC yet)" V start dg
check "the hook made the lower device dlow from the metadata" test -e /sys/class/net/dlow
"$TAPWIRE" attach "$TW_TMP/direct.xml" --domain dg > "$TW_TMP/a.out" 2>&1
is "$?" 0 "tapwire attach direct.xml --domain dg"
diag "$(cat "$TW_TMP/a.out")"
mvt=tw00400031
like "$(ip -d -o link show $mvt 2>&1)" "$mvt@dlow: .* macvtap mode bridge" "$mvt is a macvtap on dlow in bridge mode"
is "$(dev_mac $mvt)" 52:54:00:40:00:31 "its MAC is the guest's own"
n=$(sys_attr $mvt ifindex)
row=$(V domiflist dg | awk '$5 == "52:54:00:40:00:31"')
like "$row" "^ *$mvt +ethernet " "virsh domiflist shows the NIC on tapwire's macvtap"
holders=$(find /proc/[0-9]*/fd -lname "/dev/tap$n" 2>/dev/null | cut -d/ -f3 | sort -u)
like "$(cat "/proc/${holders:-0}/comm" 2>/dev/null)" '^qemu' "QEMU holds /dev/tap$n (libvirtd opened it, pid ${holders:-none})"
i=0
while [ $i -lt 900 ] && ! grep -q 'TAPWIRE-GUEST \(PASS\|FAIL\)' "$TW_TMP/dg.serial" 2>/dev/null; do
	sleep 0.1; i=$((i + 1))
done
like "$(grep -a 'TAPWIRE-GUEST' "$TW_TMP/dg.serial" 2>/dev/null | head -n 1)" 'PASS ping 10\.0\.1\.1' \
	"the guest took the hot-plugged NIC and pings net0 over macvtap/macvlan"
check "net0 pings the guest" ip netns exec net0 ping -c 2 -i 0.2 -W 3 10.0.1.2
"$TAPWIRE" attach "$TW_TMP/direct.xml" --domain dg > /dev/null 2>&1
is "$?/$(V domiflist dg | grep -c 52:54:00:40:00:31)" "0/1" "attach again: nothing to do, still one such NIC"

"$TAPWIRE" detach "$TW_TMP/direct.xml" --domain dg > "$TW_TMP/d.out" 2>&1
is "$?" 0 "tapwire detach direct.xml --domain dg"
diag "$(cat "$TW_TMP/d.out")"
is "$(V domiflist dg | grep -c 52:54:00:40:00:31)" 0 "the NIC is gone from the domain"
check "the macvtap is gone" sh -c "! test -e /sys/class/net/$mvt"
check "and /dev/tap$n with it" sh -c "! test -e /dev/tap$n"

# A domain whose own <interface type='direct'> (libvirt's macvtap) sits on
# a lower device only its metadata declares: libvirt can start it because
# the hook made the device at prepare begin. No OS: nothing is booted.
lv_domain dd "$TW_TMP/dd.xml" <<'EOF'
  <metadata>
    <tw:net xmlns:tw="urn:tapwire:1">
      <tw:namespace name="wire2"/>
      <tw:veth>
        <tw:end name="dlow2"/>
        <tw:end name="dlow2-far" namespace="wire2"/>
      </tw:veth>
    </tw:net>
  </metadata>
  <devices>
    <interface type='direct'>
      <mac address='52:54:00:40:00:32'/>
      <source dev='dlow2' mode='bridge'/>
      <model type='virtio'/>
    </interface>
  </devices>
EOF
V define "$TW_TMP/dd.xml" > /dev/null
check "start dd, whose type='direct' interface needs dlow2" V start dd
mvt2=$(V domiflist dd | awk '$5 == "52:54:00:40:00:32" { print $1 }')
like "$(ip -d -o link show "$mvt2" 2>&1)" "@dlow2: .* macvtap mode bridge" \
	"libvirt made its macvtap ($mvt2) on the dlow2 the hook made"
check "destroy dd" V destroy dd
check "the hook's release removed dlow2" sh -c '! test -e /sys/class/net/dlow2'

check "destroy dg" V destroy dg
is "$(ls /sys/class/net | grep -v '^lo$' | tr '\n' ' ')" "" "the hook's release left no device"
is "$(ip netns list)" "" "and no namespace"
is "$("$TAPWIRE" status)" "nothing on record" "tapwire has nothing on record"

done_testing
