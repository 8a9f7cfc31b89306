#!/bin/sh
# Self-test of the test guest, run by hand as root (not part of `make check`):
#
#   tests/guest/selftest.sh [CACHE-DIR]
#
# Builds the guest (outside any namespace: apt needs the network), then, in a
# private network and mount namespace, wires up
#
#   net0 (netns, veth1 10.0.1.1/24) --veth-- br0 --tap0-- QEMU guest 10.0.1.2
#
# and checks: the guest pings net0 (PASS); net0 pings the guest while it
# serves; the guest learnt on the bridge is the guest's MAC on tap0; and a
# guest whose peer does not exist reports FAIL within its bounds. Prints TAP.
# Everything it creates dies with the namespaces when it exits.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
cache=${1:-${TW_GUEST_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/tapwire/guest}}
mac=52:54:00:38:06:f9

if [ -z "${TW_GUEST_SELFTEST_INNER:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root for namespaces"; exit 0; }
	t0=$(date +%s%N)
	"$here/build" "$cache" || { echo "Bail out! building the guest failed"; exit 1; }
	echo "# guest build (or cache check): $((($(date +%s%N) - t0) / 1000000)) ms"
	TW_GUEST_SELFTEST_INNER=1 exec unshare --net --mount --propagation private -- \
		/bin/sh "$0" "$cache"
fi

# --- inside the namespaces ---------------------------------------------------

mount -t sysfs sysfs /sys
mkdir -p /run/netns
# ip netns add bind-mounts into /run/netns: a tmpfs private to this mount
# namespace keeps net0 invisible to the host and gone when we exit.
mount -t tmpfs -o mode=0755 tmpfs /run/netns
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tw-guest-selftest.XXXXXX")
pidfile=$tmp/guest.pid
# A background guest would keep this network namespace alive: stop it first.
trap '"$here/boot" --stop "$pidfile"; rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
diag() { sed 's/^/# /'; }

ip link set lo up
ip link add br0 type bridge          # STP off: ports forward as soon as up
ip link set br0 up
ip netns add net0
ip link add veth0 type veth peer name veth1
ip link set veth1 netns net0
ip -n net0 link set lo up
ip -n net0 addr add 10.0.1.1/24 dev veth1
ip -n net0 link set veth1 up
ip link set veth0 master br0 up
ip tuntap add dev tap0 mode tap      # persistent, so QEMU only attaches to it
ip link set tap0 master br0 up

nic="-netdev tap,id=n0,ifname=tap0,script=no,downscript=no -device virtio-net-pci,netdev=n0,mac=$mac"

# 1. The plain call: boot, the guest pings net0, powers off; PASS or not.
# shellcheck disable=SC2086 # $nic is a list of QEMU arguments
if "$here/boot" --cache "$cache" --no-build --addr 10.0.1.2/24 --peer 10.0.1.1 \
	-- $nic 2>"$tmp/boot1.err"; then
	ok "guest pings net0 (foreground boot)"
else
	not_ok "guest pings net0 (foreground boot)"
fi
diag <"$tmp/boot1.err"

# 2. Both directions: the guest pings, then serves while net0 pings it.
# shellcheck disable=SC2086
if "$here/boot" --cache "$cache" --no-build --serial "$tmp/serial2" \
	--background "$pidfile" --serve 30 -- $nic 2>"$tmp/boot2.err"; then
	ok "guest pings net0 and is READY (background boot)"
	diag <"$tmp/boot2.err"
	if ip netns exec net0 ping -c 3 -i 0.2 -W 2 10.0.1.2 >"$tmp/ping" 2>&1; then
		ok "net0 pings the guest"
	else
		not_ok "net0 pings the guest"
	fi
	diag <"$tmp/ping"
	if bridge fdb show br br0 | grep -i "^$mac dev tap0" >/dev/null; then
		ok "bridge learnt the guest's MAC on tap0"
	else
		not_ok "bridge learnt the guest's MAC on tap0"
		bridge fdb show br br0 | diag
	fi
else
	not_ok "guest pings net0 and is READY (background boot)"
	diag <"$tmp/boot2.err"
fi
"$here/boot" --stop "$pidfile"
tr -d '\r' <"$tmp/serial2" | grep -a '^TAPWIRE-GUEST' | diag

# 3. The guest must say FAIL, not hang, when its peer never answers.
t0=$(date +%s)
# shellcheck disable=SC2086
if "$here/boot" --cache "$cache" --no-build --peer 10.0.1.99 --wait 3 --timeout 60 \
	-- $nic 2>"$tmp/boot3.err"; then
	not_ok "guest reports FAIL for a peer that does not exist"
	diag <"$tmp/boot3.err"
else
	if grep -q 'FAIL: TAPWIRE-GUEST FAIL no answer from 10.0.1.99' "$tmp/boot3.err"; then
		ok "guest reports FAIL for a peer that does not exist ($(($(date +%s) - t0)) s)"
	else
		not_ok "guest reports FAIL for a peer that does not exist"
		diag <"$tmp/boot3.err"
	fi
fi

echo "1..$n"
[ "$failed" -eq 0 ]
