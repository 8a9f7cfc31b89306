#!/bin/sh
# `tapwire attach|detach --domain` against a running domain of a private
# libvirtd (libvirt-env.sh), with a real guest OS (tests/guest: a Debian
# kernel whose ACPI hotplug lets a NIC be unplugged) and four vCPUs, so the
# guest's virtio-net driver turns on all queues of a multi-queue tap.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
tw_prebuild_guest
tw_isolate "$@"
. "$top_srcdir/tests/integration/libvirt-env.sh"
lv_begin_guest

# gw: its first NIC on gw-br (the guest answers pings there), a multi-queue
# <tw:tap> behind its second.
LV_VCPUS=4 lv_domain gw "$TW_TMP/gw.xml" \
	"console=ttyS0 quiet panic=-1 tw.addr=10.0.1.2/24 tw.mode=serve tw.serve=150" <<'EOF'
  <metadata>
    <tw:net xmlns:tw="urn:tapwire:1">
      <tw:bridge name="gw-br" address="10.0.1.1/24"/>
      <tw:tap name="gw-mq" bridge="gw-br"/>
    </tw:net>
  </metadata>
  <devices>
    <interface type='bridge'>
      <mac address='52:54:00:40:00:01'/>
      <source bridge='gw-br'/>
      <model type='virtio'/>
    </interface>
    <interface type='ethernet'>
      <mac address='52:54:00:40:00:02'/>
      <target dev='gw-mq' managed='no'/>
      <model type='virtio'/>
      <driver queues='4'/>
    </interface>
  </devices>
EOF
V define "$TW_TMP/gw.xml" > /dev/null
check "start gw (4 vCPUs, test guest)" V start gw
i=0
while [ $i -lt 900 ] && ! grep -q 'TAPWIRE-GUEST \(READY\|FAIL\)' "$TW_TMP/gw.serial" 2>/dev/null; do
	sleep 0.1; i=$((i + 1))
done
like "$(grep 'TAPWIRE-GUEST' "$TW_TMP/gw.serial" 2>/dev/null)" 'READY 10\.0\.1\.2' "the guest is up after $((i / 10)) s"
check "it answers pings on gw-br" sh -c "ping -c 2 -W 5 10.0.1.2 > /dev/null"

# Multi-queue: the guest enabled every queue QEMU opened.
tun=$(ip -d link show gw-mq | grep -o 'tun type.*')
diag "ip -d link: $tun"
like "$tun" 'multi_queue numqueues 4 numdisabled 0' "gw-mq has 4 queues in use"
is "$(ls /sys/class/net/gw-mq/queues | grep -c '^tx-')" 4 "... 4 tx queues in sysfs"

# --- attach ------------------------------------------------------------------

cat > "$TW_TMP/nic.xml" <<'EOF'
<interface type='bridge'>
  <mac address='52:54:00:40:00:09'/>
  <source bridge='gw-br'/>
  <model type='virtio'/>
  <driver queues='2'/>
</interface>
EOF
"$TAPWIRE" attach "$TW_TMP/nic.xml" --domain gw > "$TW_TMP/a.out" 2>&1
is "$?" 0 "tapwire attach nic.xml --domain gw"
diag "$(cat "$TW_TMP/a.out")"
row=$(V domiflist gw | awk '$5 == "52:54:00:40:00:09"')
like "$row" '^ *tw00400009 +ethernet ' "virsh domiflist shows the new NIC on tapwire's tap"
is "$(dev_master tw00400009)" gw-br "the tap is on gw-br"
is "$(dev_mac tw00400009)" fe:54:00:40:00:09 "its MAC is the guest's with byte 0 fe"
is "$(sys_attr tw00400009 carrier)" 1 "QEMU holds it (carrier on)"
i=0
while [ $i -lt 100 ] && ! ip -d link show tw00400009 | grep -q 'numqueues 2 numdisabled 0'; do
	sleep 0.1; i=$((i + 1))
done
like "$(ip -d link show tw00400009 | grep -o 'tun type.*')" 'multi_queue numqueues 2 numdisabled 0' \
	"<driver queues='2'>: a multi-queue tap, both queues in use by the guest"
"$TAPWIRE" attach "$TW_TMP/nic.xml" --domain gw > "$TW_TMP/a2.out" 2>&1
is "$?" 0 "attach again: nothing to do"
is "$(V domiflist gw | grep -c 52:54:00:40:00:09)" 1 "... still one such NIC"

# --- detach ------------------------------------------------------------------

t0=$(date +%s)
"$TAPWIRE" detach "$TW_TMP/nic.xml" --domain gw > "$TW_TMP/d.out" 2>&1
is "$?" 0 "tapwire detach nic.xml --domain gw ($(($(date +%s) - t0)) s)"
diag "$(cat "$TW_TMP/d.out")"
is "$(V domiflist gw | grep -c 52:54:00:40:00:09)" 0 "the NIC is gone from the domain"
check "the tap is gone" sh -c '! test -e /sys/class/net/tw00400009'
"$TAPWIRE" detach "$TW_TMP/nic.xml" --domain gw > /dev/null 2>&1
is "$?" 0 "detach again: nothing to do"

# A NIC without a MAC, named by <target dev>: tapwire picks the MAC so that
# tap and guest agree, and detach finds the NIC by its tap.
cat > "$TW_TMP/named.xml" <<'EOF'
<interface type='bridge'>
  <source bridge='gw-br'/>
  <target dev='gw-extra'/>
  <model type='e1000'/>
</interface>
EOF
"$TAPWIRE" attach "$TW_TMP/named.xml" --domain gw > "$TW_TMP/n.out" 2>&1
is "$?" 0 "attach a NIC given only a <target dev>"
mac=$(V domiflist gw | awk '$1 == "gw-extra" { print $5 }')
like "$mac" '^52:54:00:' "libvirt shows it with a 52:54:00 MAC ($mac)"
is "$(dev_mac gw-extra)" "fe:${mac#52:}" "... which the tap shares, byte 0 fe"
"$TAPWIRE" detach "$TW_TMP/named.xml" --domain gw > "$TW_TMP/n.out" 2>&1
is "$?" 0 "detach it by its tap name"
is "$(V domiflist gw | grep -c gw-extra)" 0 "... it left the domain"
check "... and its tap is gone" sh -c '! test -e /sys/class/net/gw-extra'

# --- libvirt says no: its words, and nothing left ----------------------------

sed "s|<model type='virtio'/>|<model type='no-such-model'/>|" "$TW_TMP/nic.xml" > "$TW_TMP/bad.xml"
"$TAPWIRE" attach "$TW_TMP/bad.xml" --domain gw > "$TW_TMP/b.out" 2> "$TW_TMP/b.err"
is "$?" 1 "attach a NIC libvirt refuses: exit 1"
diag "$(cat "$TW_TMP/b.err")"
like "$(head -n 1 "$TW_TMP/b.err")" '^tapwire: .*bad\.xml: domain gw: libvirt: .*no-such-model' \
	"... libvirt's message, saying where"
check "... and the tap is rolled back" sh -c '! test -e /sys/class/net/tw00400009'

"$TAPWIRE" attach "$TW_TMP/nic.xml" --domain nosuch > /dev/null 2> "$TW_TMP/c.err"
is "$?" 1 "attach to a domain that does not exist: exit 1"
like "$(cat "$TW_TMP/c.err")" "^tapwire: domain nosuch: libvirt: Domain not found" "... libvirt's words"
check "... no tap made" sh -c '! test -e /sys/class/net/tw00400009'

sed 's|<name>gw</name>|<name>gw-off</name>|; /<metadata>/,/<\/metadata>/d; /<devices>/,/<\/devices>/c\  <devices/>' \
	"$TW_TMP/gw.xml" > "$TW_TMP/off.xml"
V define "$TW_TMP/off.xml" > /dev/null
"$TAPWIRE" attach "$TW_TMP/nic.xml" --domain gw-off > /dev/null 2> "$TW_TMP/o.err"
is "$?" 1 "attach to a domain that is not running: exit 1"
like "$(cat "$TW_TMP/o.err")" "^tapwire: domain gw-off is not running" "... saying so"
check "... no tap made" sh -c '! test -e /sys/class/net/tw00400009'

"$TAPWIRE" attach "$TW_TMP/nic.xml" --domain gw --connect 'qemu+unix:///system?socket=/run/no-such.sock' > /dev/null 2> "$TW_TMP/u.err"
is "$?" 1 "an unusable --connect URI: exit 1"
diag "$(cat "$TW_TMP/u.err")"
like "$(cat "$TW_TMP/u.err")" "^tapwire: libvirt: " "... libvirt's words"
"$TAPWIRE" attach "$TW_TMP/nic.xml" --domain gw --connect qemu+ssh://root@vmhost.invalid/system \
	> /dev/null 2> "$TW_TMP/r.err"
is "$?" 2 "a libvirt on another host: exit 2, before connecting"
like "$(cat "$TW_TMP/r.err")" "on host vmhost.invalid; tapwire makes its taps here" "... saying why"
check "... no tap made" sh -c '! test -e /sys/class/net/tw00400009'
"$TAPWIRE" up "$TW_TMP/nic.xml" --connect qemu:///system > /dev/null 2> "$TW_TMP/v.err"
is "$?" 2 "--connect without --domain: usage error"
"$TAPWIRE" attach "$TW_TMP/nic.xml" --domain gw --dry-run > "$TW_TMP/dry.out" 2>&1
is "$?" 0 "attach --domain --dry-run"
like "$(cat "$TW_TMP/dry.out")" "<target dev='tw00400009' managed='no'/>" "... shows the interface it would plug"
check "... and changes nothing" sh -c '! test -e /sys/class/net/tw00400009'

check "destroy gw" V destroy gw
is "$(ls /sys/class/net | grep -v '^lo$' | tr '\n' ' ')" "" "nothing is left"
is "$("$TAPWIRE" status)" "nothing on record" "tapwire has nothing on record"

done_testing
