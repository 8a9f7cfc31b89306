#!/bin/sh
# Every libvirt domain in examples/ works as its comment says: `virsh define`
# takes it as it is, `virsh start` starts it (the tapwire hook builds what its
# metadata declares), a NIC hot-plugs into it while it runs (ACPI), and
# `virsh destroy` leaves nothing behind. A private libvirtd (libvirt-env.sh);
# the domains have no OS to boot, which starting them does not need.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
tw_isolate "$@"
. "$top_srcdir/tests/integration/libvirt-env.sh"

lv_setup
lv_install_hook
trap 'lv_stop' EXIT
export TAPWIRE_RUNDIR=/run/tapwire
TAPWIRE=$top_builddir/cli/tapwire
base=$(devs_other_than_lo | sort | tr '\n' ' ')
lv_start

domains=$(grep -l '<domain[ >]' "$top_srcdir"/examples/*.xml)
[ -n "$domains" ] || { echo "Bail out! no libvirt domain in examples/"; exit 1; }
for f in $domains; do
	ex=examples/$(basename "$f")
	name=$(sed -n 's|^ *<name>\(.*\)</name>.*|\1|p' "$f" | head -n 1)
	if V define "$f" > "$TW_TMP/define.out" 2>&1; then
		ok "$ex: virsh define"
	else
		not_ok "$ex: virsh define"
		diag "$(cat "$TW_TMP/define.out")"
		continue
	fi
	if V start "$name" > "$TW_TMP/start.out" 2>&1; then
		ok "$ex: virsh start $name"
	else
		not_ok "$ex: virsh start $name"
		diag "$(cat "$TW_TMP/start.out")"
		V undefine "$name" > /dev/null 2>&1
		continue
	fi
	# Each bridge NIC: libvirt's tap, on the bridge the example names.
	bad=""
	for pair in $(V domiflist "$name" | awk '$2 == "bridge" { print $1 "=" $3 }'); do
		[ "$(dev_master "${pair%%=*}")" = "${pair#*=}" ] || bad="$bad $pair"
	done
	n=$(V domiflist "$name" | awk '$2 == "bridge"' | wc -l)
	is "$n:$bad" "$(grep -c '<interface type=.bridge.' "$f"):" "$ex: each NIC's tap is on its bridge (the kernel's master)"
	if grep -q '<tw:net' "$f"; then
		like "$("$TAPWIRE" status 2>&1)" "$name" "$ex: the hook applied its metadata (on record for $name)"
	fi
	# Hot-plug: one more NIC on the first NIC's bridge, while it runs.
	br=$(V domiflist "$name" | awk '$2 == "bridge" { print $3; exit }')
	if [ -n "$br" ]; then
		printf "<interface type='bridge'><mac address='52:54:00:99:00:01'/><source bridge='%s'/><model type='virtio'/></interface>\n" \
			"$br" > "$TW_TMP/hot.xml"
		if V attach-device "$name" "$TW_TMP/hot.xml" --live > "$TW_TMP/hot.out" 2>&1; then
			hot=$(V domiflist "$name" | awk '$5 == "52:54:00:99:00:01" { print $1 }')
			is "$(dev_master "$hot")" "$br" "$ex: a NIC hot-plugs into the running domain, its tap on $br"
		else
			not_ok "$ex: a NIC hot-plugs into the running domain"
			diag "$(cat "$TW_TMP/hot.out")"
		fi
	fi
	check "$ex: virsh destroy" V destroy "$name"
	V undefine "$name" > /dev/null 2>&1
	is "$(devs_other_than_lo | sort | tr '\n' ' ')|$(ls /run/netns | tr '\n' ' ')" "$base|" "$ex: nothing left after destroy"
done
done_testing
