#!/bin/sh
# The hook under a real libvirtd (private to this test: its own config,
# state and socket, inside the test's network and mount namespace; see
# libvirt-env.sh). Domains are type='qemu' (TCG) without an OS: what is
# checked is the network libvirt and tapwire build around QEMU.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
tw_isolate "$@"
. "$top_srcdir/tests/integration/libvirt-env.sh"

lv_setup
lv_install_hook
trap 'lv_stop' EXIT
# The hook reads its policy where it was built to (libvirt passes it no
# environment): a private overlay here.
tw_private_dir "$sysconfdir/tapwire"
echo 'bridge vm-*' > "$sysconfdir/tapwire/tapwire.conf"
chmod 0644 "$sysconfdir/tapwire/tapwire.conf"
# ...and its state where it always does; the command line looks there too.
export TAPWIRE_RUNDIR=/run/tapwire
TAPWIRE=$top_builddir/cli/tapwire
ip link add lan0 type bridge && ip link set lan0 up
base=$(devs_other_than_lo | sort | tr '\n' ' ')
lv_start
diag "libvirtd $(libvirtd --version | awk '{print $NF}') is up, hook installed"

# The tap libvirt made for the NIC with MAC $2 in domain $1.
vnet_of() { V domiflist "$1" | awk -v m="$2" '$5 == m { print $1 }'; }
ifindex() { sys_attr "$1" ifindex; }
world() { echo "$(devs_other_than_lo | sort | tr '\n' ' ')| $(ls /run/netns | tr '\n' ' ')"; }
start() { # start NAME: virsh start, its error in $TW_TMP/NAME.err
	V start "$1" > /dev/null 2> "$TW_TMP/$1.err"
}

# --- a domain with metadata --------------------------------------------------

lv_domain web "$TW_TMP/web.xml" <<'EOF'
  <metadata>
    <tw:net xmlns:tw="urn:tapwire:1">
      <tw:namespace name="web-ns"/>
      <tw:bridge name="web-br"/>
      <tw:veth>
        <tw:end namespace="web-ns" name="eth0" address="10.0.1.1/24"/>
        <tw:end name="web-v0" bridge="web-br"/>
      </tw:veth>
    </tw:net>
  </metadata>
  <devices>
    <interface type='bridge'>
      <mac address='52:54:00:30:00:01'/>
      <source bridge='web-br'/>
      <model type='virtio'/>
    </interface>
    <interface type='bridge'>
      <mac address='52:54:00:30:00:02'/>
      <source bridge='lan0'/>
      <model type='virtio'/>
    </interface>
    <interface type='bridge'>
      <mac address='52:54:00:30:00:03'/>
      <source bridge='vm-shared'/>
      <model type='e1000'/>
    </interface>
  </devices>
EOF
check "define web" V define "$TW_TMP/web.xml"
check "nothing exists before it starts" test ! -e /sys/class/net/web-br
start web
is "$?" 0 "start web (metadata: namespace, bridge, veth)"
diag "$(cat "$TW_TMP/web.err")"
v1=$(vnet_of web 52:54:00:30:00:01)
v3=$(vnet_of web 52:54:00:30:00:03)
check "web-br exists" test -d /sys/class/net/web-br/bridge
is "$(dev_master "$v1")" web-br "libvirt's tap $v1 is on web-br"
check "web-br was there before QEMU's tap (ifindex $(ifindex web-br) < $(ifindex "$v1"))" \
	test "$(ifindex web-br)" -lt "$(ifindex "$v1")"
is "$(dev_master web-v0)" web-br "the veth end web-v0 is on web-br"
check "namespace web-ns exists" test -e /run/netns/web-ns
like "$(ip netns exec web-ns ip -br addr show eth0 2>&1)" '10\.0\.1\.1/24' "its eth0 has 10.0.1.1/24"
is "$(dev_master "$(vnet_of web 52:54:00:30:00:02)")" lan0 "the NIC on lan0 (not tapwire's) is on it"
is "$(dev_master "$v3")" vm-shared "vm-shared, from tapwire.conf's 'bridge vm-*', holds $v3"

# A second domain, no metadata, sharing the policy bridge and lan0.
lv_domain db "$TW_TMP/db.xml" <<'EOF'
  <devices>
    <interface type='bridge'>
      <mac address='52:54:00:31:00:01'/>
      <source bridge='vm-shared'/>
      <model type='virtio'/>
    </interface>
    <interface type='bridge'>
      <mac address='52:54:00:31:00:02'/>
      <source bridge='lan0'/>
      <model type='virtio'/>
    </interface>
  </devices>
EOF
V define "$TW_TMP/db.xml" > /dev/null
start db
is "$?" 0 "start db (no metadata; on vm-shared and lan0)"
d1=$(vnet_of db 52:54:00:31:00:01)
is "$(dev_master "$d1")" vm-shared "db's tap $d1 is on vm-shared too"

# libvirtd restarts ("reconnect"): the running domains' networks stay.
before=$(world)
kill "$LV_PID"; wait "$LV_PID" 2>/dev/null
lv_start
is "$(V domstate web)" running "after a libvirtd restart web is still running"
is "$(world)" "$before" "... and reconnecting changed nothing"

check "destroy web" V destroy web
for d in web-br web-v0 "$v1"; do check "$d is gone" sh -c "! test -e /sys/class/net/$d"; done
check "namespace web-ns is gone" test ! -e /run/netns/web-ns
check "vm-shared stays: db uses it" test -d /sys/class/net/vm-shared/bridge
is "$(dev_master "$d1")" vm-shared "... with db's tap still on it"
check "lan0 stays" dev_exists lan0
check "destroy db" V destroy db
check "vm-shared goes with db, its last user" sh -c '! test -e /sys/class/net/vm-shared'
is "$(world)" "$base| " "everything tapwire and libvirt made is gone"
is "$("$TAPWIRE" status)" "nothing on record" "tapwire has nothing on record"

# --- metadata set with virsh metadata, as tapwire-hook(8) shows -------------

lv_domain meta "$TW_TMP/meta.xml" <<'EOF'
  <devices>
    <interface type='bridge'>
      <mac address='52:54:00:34:00:01'/>
      <source bridge='meta-br'/>
    </interface>
  </devices>
EOF
V define "$TW_TMP/meta.xml" > /dev/null
check "virsh metadata sets a <tw:net> (children without prefix)" \
	V metadata meta urn:tapwire:1 --key tw --config \
	--set '<net><namespace name="meta-ns"/><bridge name="meta-br"/></net>'
start meta
is "$?" 0 "start meta"
is "$(dev_master "$(vnet_of meta 52:54:00:34:00:01)")" meta-br "its NIC is on meta-br, made from that metadata"
check "... and meta-ns exists" test -e /run/netns/meta-ns
V destroy meta > /dev/null
is "$(world)" "$base| " "destroy meta: both gone"

# --- multi-queue: a <tw:tap> behind <interface type='ethernet'> ---------------

lv_domain mq "$TW_TMP/mq.xml" <<'EOF'
  <metadata>
    <tw:net xmlns:tw="urn:tapwire:1">
      <tw:bridge name="mq-br"/>
      <tw:tap name="mq-tap" bridge="mq-br"/>
    </tw:net>
  </metadata>
  <devices>
    <interface type='ethernet'>
      <mac address='52:54:00:32:00:01'/>
      <target dev='mq-tap' managed='no'/>
      <model type='virtio'/>
      <driver queues='4'/>
    </interface>
  </devices>
EOF
V define "$TW_TMP/mq.xml" > /dev/null
start mq
is "$?" 0 "start mq (ethernet, managed='no', <driver queues='4'>)"
diag "$(cat "$TW_TMP/mq.err")"
tun=$(ip -d link show mq-tap | grep -o 'tun type.*')
diag "ip -d link: $tun"
like "$tun" 'multi_queue' "mq-tap is a multi-queue tap"
q=$(printf '%s' "$tun" | sed -n 's/.*numqueues \([0-9]*\).*/\1/p')
dq=$(printf '%s' "$tun" | sed -n 's/.*numdisabled \([0-9]*\).*/\1/p')
is "$((${q:-0} + ${dq:-0}))" 4 "QEMU holds 4 queues of it (numqueues $q + numdisabled $dq; no guest driver to enable them)"
is "$(dev_master mq-tap)" mq-br "it is on mq-br"
is "$(dev_mac mq-tap)" fe:54:00:32:00:01 "its MAC is the guest's with byte 0 fe"
is "$(V domiflist mq | awk '{print $1, $2}')" "mq-tap ethernet" "libvirt shows the NIC on mq-tap"
check "destroy mq" V destroy mq
check "mq-tap and mq-br are gone" sh -c '! test -e /sys/class/net/mq-tap && ! test -e /sys/class/net/mq-br'

# --- failures: libvirt refuses to start, nothing is left ---------------------

lv_domain bad "$TW_TMP/bad.xml" <<'EOF'
  <metadata>
    <tw:net xmlns:tw="urn:tapwire:1">
      <tw:namespace name="bad-ns"/>
      <tw:bridge name="bad-br"/>
      <tw:veth>
        <tw:end namespace="bad-ns" name="eth0"/>
        <tw:end name="bad-end-name-too-long" bridge="bad-br"/>
      </tw:veth>
    </tw:net>
  </metadata>
  <devices>
    <interface type='bridge'>
      <mac address='52:54:00:33:00:01'/>
      <source bridge='bad-br'/>
    </interface>
  </devices>
EOF
check "define bad (libvirt keeps foreign metadata as it is)" V define "$TW_TMP/bad.xml"
start bad
is "$?" 1 "virsh start bad fails"
err=$(cat "$TW_TMP/bad.err")
diag "virsh said: $err"
like "$err" "tapwire: bad:[0-9]+: <tw:veth>: end name 'bad-end-name-too-long'" "... with tapwire's line, as libvirt shows it"
like "$err" "unexpected exit status 2" "... and the hook's exit code 2"
is "$(V domstate bad)" "shut off" "bad is not running"
is "$(world)" "$base| " "nothing is left"

# The kernel says no halfway through: what tapwire made is removed again.
sed 's|<tw:veth>|<tw:tap name="bad-tap" bridge="bad-br" mtu="65535"/>&|; s|bad-end-name-too-long|bad-v0|' \
	"$TW_TMP/bad.xml" > "$TW_TMP/bad2.xml"
V undefine bad > /dev/null
V define "$TW_TMP/bad2.xml" > /dev/null
start bad
is "$?" 1 "virsh start fails when the kernel refuses a step"
like "$(cat "$TW_TMP/bad.err")" "tapwire: bad:[0-9]+: tap bad-tap.*mtu" "... naming the tap and the reason"
like "$(cat "$TW_TMP/bad.err")" "unexpected exit status 1" "... exit code 1"
is "$(world)" "$base| " "... and the namespace, bridge and veth made before are gone"

# An interface on a bridge that nothing declares or manages.
sed "s|<source bridge='bad-br'/>|<source bridge='nowhere0'/>|; s|bad-end-name-too-long|bad-v0|" \
	"$TW_TMP/bad.xml" > "$TW_TMP/bad3.xml"
V undefine bad > /dev/null
V define "$TW_TMP/bad3.xml" > /dev/null
start bad
like "$(cat "$TW_TMP/bad.err")" "tapwire: bad:[0-9]+: interface 52:54:00:33:00:01: bridge nowhere0 does not exist" \
	"a missing bridge is tapwire's clear refusal, before libvirt's"
is "$(world)" "$base| " "... nothing left"
V undefine bad > /dev/null

done_testing
