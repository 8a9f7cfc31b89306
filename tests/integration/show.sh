#!/bin/sh
# tapwire show --dot: Graphviz's own dot must accept what it prints for
# every example, and the graph dot reads back (dot -Tjson: its clusters,
# which nodes are in them, its edges) must be the file's topology; show
# --json must be that same graph. Then the live view: `up` a file in this
# test's namespaces, hold its tap and a foreign one on its bridge, and show
# --owner must draw both holders.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
tw_isolate "$@"
command -v dot >/dev/null || skip_all "dot is missing (Debian: graphviz; tools/deps test)"
command -v jq >/dev/null || skip_all "jq is missing"

TW=$top_builddir/cli/tapwire
X=$TW_TMP/x
mkdir -p "$X"

# Run show; its graph, read back by dot, in $X/graph.json.
show() { "$TW" show "$@" > "$X/out.dot" 2> "$X/err" && dot -Tjson "$X/out.dot" > "$X/graph.json" 2>> "$X/err"; }
# "CLUSTER: NODE NODE..." for each cluster, sorted.
clusters() {
	jq -r '. as $g | [.objects[] | select(.name | startswith("cluster")) |
		"\(.name): " + ([.nodes[]? as $n | $g.objects[$n].name] | sort | join(" "))] | sort | .[]' \
		"$X/graph.json"
}
# "A -- B" for each edge (an undirected graph: A sorts before B), sorted.
edges() {
	jq -r '. as $g | [.edges[]? | [$g.objects[.tail].name, $g.objects[.head].name] | sort |
		join(" -- ")] | sort | .[]' "$X/graph.json"
}

# show --json's graph: the same lines as clusters and edges, from $X/out.json
# (a namespace without nodes: DOT draws it with its placeholder n/NS).
jshow() { "$TW" show "$@" --json > "$X/out.json" 2> "$X/err"; }
jclusters() {
	jq -r '[.namespaces[] | "\(.id): " + (if (.nodes | length) == 0 then "n/\(.name)"
		else [.nodes[].id] | sort | join(" ") end)] | sort | .[]' "$X/out.json"
}
jedges() { jq -r '[.edges[] | [.from, .to] | sort | join(" -- ")] | sort | .[]' "$X/out.json"; }
# Both, to compare with what dot read back.
same_graph() { # NAME ARGS...
	name=$1
	shift
	jshow "$@" && is "$(jclusters)
$(jedges)" "$(clusters)
$(edges)" "$name: show --json is the graph show --dot draws"
}

for f in "$top_srcdir"/examples/*.xml; do
	check "$(basename "$f"): dot -Tsvg accepts show --dot" \
		sh -c '"$1" show "$2" --dot | dot -Tsvg -o /dev/null' sh "$TW" "$f"
	show "$f" --dot && same_graph "$(basename "$f")" "$f"
done

show "$top_srcdir/examples/seed-bridge.xml" --dot
is "$(clusters)" "cluster_ns_bridge: d/bridge/br
cluster_ns_net0: d/net0/net0-bridge
cluster_ns_net1: d/net1/net1-bridge" "seed-bridge: a cluster per namespace, the bridge in its own"
is "$(edges)" "d/bridge/br -- d/net0/net0-bridge
d/bridge/br -- d/net1/net1-bridge" "seed-bridge: each veth one edge, from its end in net0/net1 to br"
jshow "$top_srcdir/examples/seed-bridge.xml"
is "$(jq -r '.namespaces[] | .name + ": " + ([.nodes[] | .kind + " " + .name] | join(", "))' \
	"$X/out.json")" "bridge: bridge br
net0: veth net0-bridge
net1: veth net1-bridge" "seed-bridge --json: each namespace with its nodes, their kinds and names"
is "$(jq -r '.edges[] | "\(.kind) \(.from) \(.to) \(.head)"' "$X/out.json")" \
	"veth d/net0/net0-bridge d/bridge/br bridge-net0
veth d/net1/net1-bridge d/bridge/br bridge-net1" \
	"seed-bridge --json: the veths, with the end on the bridge"
is "$(jq -r '.vms | length' "$X/out.json")" 0 "seed-bridge --json: no VM"

show "$top_srcdir/examples/domain-bridge.xml"
is "$(clusters)" "cluster_host: d//br0
cluster_ns_net0: d/net0/veth0" "domain-bridge: br0 on the host, veth0 in net0 (--dot is the default)"
is "$(edges)" "d//br0 -- d/net0/veth0
d//br0 -- v/VM seed-vm" "domain-bridge: the veth, and the VM's NIC on br0"

if [ -f "$top_srcdir/examples/macvlan.xml" ]; then
	show "$top_srcdir/examples/macvlan.xml"
	is "$(edges | grep -c ' -- d/net[01]/mv[01]$')" 2 \
		"macvlan: each macvlan, in its namespace, hangs off its lower device on the host"
	is "$(jq -r '[.objects[] | select(.name == "d//uplink")] | length' "$X/graph.json")" 1 \
		"macvlan: the lower device, a veth end of the file's, is one node"
fi

show "$top_srcdir/tests/integration/hook-data/twdom.define.xml"
like "$(edges | tr '\n' ' ')" "d//twbr0 -- d//twdom-mq .*d//twdom-mq -- v/VM twdom" \
	"a domain's ethernet NIC on a <tw:tap>: the VM holds the tap, the tap is on its bridge"

# Every kind at once, and names that would break a careless writer.
cat > "$X/all.xml" <<'EOF'
<tw:net xmlns:tw="urn:tapwire:1" name='we"ird\ } graph x {'>
  <tw:namespace name="vm-side"/>
  <tw:namespace name="empty"/>
  <tw:bridge name="br0" address="10.9.0.1/24"/>
  <tw:tap name="tap0" bridge="br0"/>
  <tw:vxlan name="vx0" id="42" remote="192.0.2.9" bridge="br0"/>
  <tw:port dev="eth9" bridge="br0"/>
  <tw:veth>
    <tw:end namespace="vm-side" name="v0" address="10.9.0.2/24"/>
    <tw:end name="v0-br" bridge="br0"/>
  </tw:veth>
</tw:net>
EOF
show "$X/all.xml" --dot
is "$(cat "$X/err")" "" "every kind: dot reads it without a word"
is "$(clusters)" "cluster_host: d//br0 d//eth9 d//tap0 d//vx0
cluster_ns_empty: n/empty
cluster_ns_vm-side: d/vm-side/v0" "every kind: bridge, tap, vxlan, port on the host; an empty namespace still drawn"
is "$(edges)" "d//br0 -- d//eth9
d//br0 -- d//tap0
d//br0 -- d//vx0
d//br0 -- d/vm-side/v0" "every kind: tap, vxlan, port and veth on br0"
dot -Tsvg "$X/out.dot" > "$X/out.svg"
check "a name with '\"', '\\' and braces is drawn as it was written" \
	grep -qF 'all.xml (owner we&quot;ird\ } graph x {)</text>' "$X/out.svg"
like "$(jq -r '.objects[] | select(.name == "d//vx0") | .label' "$X/graph.json")" 'vni 42' \
	"the vxlan's node names its VNI"
same_graph "every kind" "$X/all.xml"
is "$(jq -r '.title' "$X/out.json")" "$X/all.xml (owner we\"ird\\ } graph x {)" \
	"every kind --json: the name with '\"', '\\' and braces, as it was written"
is "$(jq -r '.namespaces[] | select(.name == "") | [.nodes[] | .kind + " " + .name] | join(", ")' \
	"$X/out.json")" "bridge br0, tap tap0, vxlan vx0, device eth9" \
	"every kind --json: the host's nodes, each with its kind"
is "$(jq -r '.namespaces[].nodes[] | select(.id == "d//vx0") | .label | join(" ")' "$X/out.json")" \
	"vxlan vx0 vni 42" "every kind --json: the vxlan's label names its VNI"

"$TW" show > /dev/null 2>&1
is $? 2 "show without FILE or --owner: exit 2"
"$TW" show "$X/all.xml" --owner x > /dev/null 2>&1
is $? 2 "show FILE --owner NAME: exit 2"
"$TW" show --owner nobody-here > /dev/null 2>&1
is $? 2 "show --owner with nothing on record: exit 2"
"$TW" show "$X/all.xml" --json --dot > /dev/null 2>&1
is $? 2 "show --json --dot: exit 2"

# ---- live: what the state has for an owner, and who holds its taps
cat > "$X/live.xml" <<'EOF'
<tw:net xmlns:tw="urn:tapwire:1" name="live">
  <tw:namespace name="side"/>
  <tw:bridge name="brl"/>
  <tw:tap name="tapl" bridge="brl"/>
  <tw:veth>
    <tw:end namespace="side" name="s0" address="10.9.9.1/24"/>
    <tw:end name="s0-br" bridge="brl"/>
  </tw:veth>
</tw:net>
EOF
"$TW" up -q "$X/live.xml" || diag "up failed"
tw_hold_tap tapl
h1=$hpid
# A tap someone else made on the bridge, held too (a VM of another tool).
ip tuntap add dev foreign0 mode tap
ip link set foreign0 master brl
"$top_builddir/tests/tw-tap-persist" --open foreign0 --hold "$TW_TMP/release" --timeout 60 \
	> "$TW_TMP/hold2.out" 2>&1 &
h2=$!
i=0
while ! grep -q '^held' "$TW_TMP/hold2.out" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
show --owner live --dot
is "$(cat "$X/err")" "" "--owner live: dot reads it without a word"
is "$(clusters)" "cluster_host: d//brl d//foreign0 d//tapl
cluster_ns_side: d/side/s0" "--owner live: the namespace, bridge, tap on record, and the foreign tap"
is "$(jq -r '.objects[] | select(.name == "d/side/s0") | .label' "$X/graph.json")" 's0\n10.9.9.1/24' \
	"--owner live: the veth end's address on record is on its label"
is "$(edges)" "d//brl -- d//foreign0
d//brl -- d//tapl
d//brl -- d/side/s0
d//foreign0 -- v/pid $h2 tw-tap-persist
d//tapl -- v/pid $h1 tw-tap-persist" \
	"--owner live: the veth and the taps on brl as the kernel has them, and each tap's holder"
same_graph "--owner live" --owner live
is "$(jq -r '[.vms[] | .kind + " " + .name] | sort | join(", ")' "$X/out.json")" \
	"vm pid $h1 tw-tap-persist, vm pid $h2 tw-tap-persist" "--owner live --json: each holder a vm"
touch "$TW_TMP/release"
wait "$h1" "$h2"
ip link del foreign0

# A QEMU that libvirt would have started (-name guest=NAME) holding the
# tap: drawn as that domain. Paused (-S): it needs no guest to hold it.
QEMU=${QEMU_SYSTEM:-$(command -v qemu-system-x86_64)}
if [ -x "$QEMU" ]; then
	"$QEMU" -name guest=vm-show,debug-threads=on -M pc -S -nodefaults -display none \
		-netdev tap,id=n0,ifname=tapl,script=no,downscript=no -device virtio-net-pci,netdev=n0 \
		> "$TW_TMP/qemu.out" 2>&1 &
	q=$!
	i=0
	while [ "$(sys_attr tapl carrier)" != 1 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	show --owner live
	is "$(edges | grep '^d//tapl -- v/')" "d//tapl -- v/VM vm-show" \
		"--owner live: a QEMU of libvirt's holding the tap is drawn as its domain"
	kill "$q"
	wait "$q" 2>/dev/null
else
	skip "qemu-system-x86_64 is missing"
fi
"$TW" down -q "$X/live.xml" || diag "down failed"

done_testing
