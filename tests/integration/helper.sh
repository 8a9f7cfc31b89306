#!/bin/sh
# tapwire-bridge-helper against the real kernel, called as QEMU calls it,
# as root. Every assertion reads the kernel's view (sysfs of this test's own
# network namespace), never the helper's output alone.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
tw_isolate "$@"

# TW_HELPER: an installed helper instead of the built one (tests/package.sh)
HELPER=${TW_HELPER:-$top_builddir/helper/tapwire-bridge-helper}
DRIVER=$top_builddir/tests/tw-helper-driver
CONF=$TW_TMP/bridge.conf
export TAPWIRE_BRIDGE_CONF=$CONF

printf 'allow br0\nallow jumbo*\n' > "$CONF"
chmod 0644 "$CONF"

ip link add br0 type bridge && ip link set br0 up
ip link add jumbo0 type bridge && ip link set jumbo0 mtu 9000 && ip link set jumbo0 up
ip link add notbr type bridge && ip link set notbr up   # a bridge the policy does not allow
ip link add v0 type veth peer name v1

# run_held OUT ARGS...: call through the driver, keep the tap until
# $TW_TMP/release exists; returns once the tap is announced (or the helper
# failed), with its name in $tap. Not for $(...): held_pid must stay ours.
run_held() {
	out=$1; shift
	rm -f "$TW_TMP/release"
	"$DRIVER" --hold "$TW_TMP/release" --timeout 20 "$HELPER" "$@" > "$out" 2> "$out.err" &
	held_pid=$!
	i=0
	while [ $i -lt 200 ] && ! grep -q '^tap=' "$out" 2>/dev/null && kill -0 $held_pid 2>/dev/null; do
		sleep 0.05; i=$((i + 1))
	done
	tap=$(sed -n 's/^tap=\([^ ]*\).*/\1/p' "$out")
}
release() { touch "$TW_TMP/release"; wait $held_pid; }

# --- the normal path, QEMU's argument order
run_held "$TW_TMP/a" --use-vnet --fd=N --br=br0
like "$tap" '^tw[0-9a-f]{8}$' "a tap with a tapwire name is announced ($tap)"
is "$(dev_master "$tap")" br0 "the kernel shows the tap enslaved to br0"
check "the tap is up" dev_is_up "$tap"
like "$(dev_mac "$tap")" '^fe:' "the tap's MAC starts with fe: ($(dev_mac "$tap"))"
is "$(dev_mtu "$tap")" "$(dev_mtu br0)" "the tap's MTU equals the bridge's"
flags=$(dev_tun_flags "$tap"); flags=${flags:-0}
is "$(( flags & 0x4000 ))" "$((0x4000))" "vnet_hdr is set with --use-vnet (tun_flags $flags)"
is "$(( flags & 0x0002 ))" 2 "it is a tap (IFF_TAP)"
is "$(( flags & 0x0800 ))" 0 "it is not persistent"
like "$(ip -d link show dev "$tap")" 'addrgenmode none' "a bridge port: no IPv6 link-local generation"
is "$(ip -6 -o addr show dev "$tap" | wc -l | tr -d ' ')" 0 "and no IPv6 address on the tap"
release
check "the tap is gone once the fd is closed" sh -c "! test -e /sys/class/net/$tap"

# --- MTU from the bridge: 9000
run_held "$TW_TMP/b" --br=jumbo0 --fd=N
is "$(dev_mtu "$tap")" 9000 "the tap takes the bridge's MTU of 9000"
is "$(dev_master "$tap")" jumbo0 "glob 'jumbo*' allows jumbo0"
flags=$(dev_tun_flags "$tap"); flags=${flags:-0}
is "$(( flags & 0x4000 ))" 0 "no vnet_hdr without --use-vnet"
release

# --- refusals: exit 1, one clear line, nothing left behind
before=$(devs_other_than_lo | sort | tr '\n' ' ')
refuse() { # refuse NAME PATTERN ARGS...
	name=$1; pat=$2; shift 2
	"$DRIVER" --timeout 10 "$HELPER" "$@" > "$TW_TMP/r.out" 2> "$TW_TMP/r.err"
	code=$?
	is "$code" 1 "$name: exit status 1"
	like "$(cat "$TW_TMP/r.err")" "$pat" "$name: says why"
	is "$(wc -l < "$TW_TMP/r.err" | tr -d ' ')" 1 "$name: exactly one line"
	is "$(devs_other_than_lo | sort | tr '\n' ' ')" "$before" "$name: no device left"
}
refuse "bridge not allowed" "access denied: uid 0 may not use bridge 'notbr'" --fd=N --br=notbr
refuse "bridge missing" "bridge 'br9' does not exist|may not use bridge 'br9'" --fd=N --br=br9
printf 'allow all\n' > "$CONF"
refuse "target not a bridge" "'v0' is not a Linux bridge" --fd=N --br=v0
refuse "bridge missing (allowed)" "bridge 'br9' does not exist" --fd=N --br=br9
refuse "name of 16 characters" "bad bridge name 'abcdefghijklmnop': is 16 characters" --fd=N --br=abcdefghijklmnop
refuse "name with a slash" "bad bridge name 'a/b'" --fd=N --br=a/b
refuse "missing --br" "missing --br" --fd=N
refuse "unknown option" "unknown argument '--bridge=br0'" --fd=N --bridge=br0
chmod 0666 "$CONF"
refuse "policy writable by others" "policy error, denying: .*bridge.conf" --fd=N --br=br0
chmod 0644 "$CONF"
chown 65534 "$CONF"
refuse "policy not owned by root" "policy error, denying: .*bridge.conf" --fd=N --br=br0
chown 0 "$CONF"
printf 'allow br0\nalow br1\n' > "$CONF"
refuse "policy syntax error names file:line" "bridge.conf:2:" --fd=N --br=br0
rm -f "$CONF"
refuse "policy missing" "policy error, denying" --fd=N --br=br0
printf 'allow all\n' > "$CONF"

# --- a file descriptor that is not a unix socket
"$HELPER" --fd=5 --br=br0 5</dev/null > /dev/null 2> "$TW_TMP/fd.err"
is "$?" 1 "fd that is not a socket: exit 1"
like "$(cat "$TW_TMP/fd.err")" "--fd=5 is not a unix socket" "fd that is not a socket: says so"
"$HELPER" --fd=7 --br=br0 > /dev/null 2> "$TW_TMP/fd.err"
like "$(cat "$TW_TMP/fd.err")" "--fd=7 is not an open file descriptor" "closed fd: says so"
is "$(devs_other_than_lo | sort | tr '\n' ' ')" "$before" "bad fds: no device left"

# --- --help and --version
check "--help prints usage and exits 0" sh -c "'$HELPER' --help | grep -q 'Usage: tapwire-bridge-helper'"
like "$("$HELPER" --help)" "bridge_helper = \".*/tapwire-bridge-helper\" in the user's" "--help: session libvirt's bridge_helper ..."
like "$("$HELPER" --help)" "~/.config/libvirt/qemu.conf \(never /etc/libvirt/qemu.conf" "... goes in ~/.config/libvirt/qemu.conf"
check "--version exits 0" sh -c "'$HELPER' --version | grep -q '^tapwire-bridge-helper (tapwire) '"

done_testing
