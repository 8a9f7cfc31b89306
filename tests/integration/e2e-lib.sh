# Shared by the end-to-end suites (tests/integration/e2e-*.sh), sourced
# after tests/lib.sh. A real guest (tests/guest: Debian kernel + busybox
# initramfs) boots under QEMU (TCG) behind tapwire and exchanges pings with
# the seed's namespace net0:
#
#   net0 (netns, veth0 10.0.1.1/24) --veth-- br0 --tap-- QEMU guest 10.0.1.2/24
#
# br0, net0 and the veth come from `tapwire up examples/seed-tap.xml`; how the
# guest's tap is made is what each suite is about. One boot per suite: the
# guest pings net0 first (PASS on its console), then stays up answering
# (--background), so both directions need a single ~6 s boot.
#
# A suite:
#   . "$top_srcdir/tests/lib.sh"; . "$top_srcdir/tests/integration/e2e-lib.sh"
#   e2e_init "$@"            build the guest (outside), then tw_isolate
#   e2e_topology_up          tapwire up examples/seed-tap.xml, checked
#   e2e_guest_start DIR UID -- QEMU-NIC-ARGS   boot, the guest pings net0
#   e2e_both_ways TAP        net0 pings the guest; the bridge learnt its MAC on TAP
#   e2e_guest_stop           QEMU ends
#   e2e_topology_down        tapwire down; nothing of ours is left
#   e2e_done                 boot and suite times as TAP diagnostics, plan
#
# Hook point for libvirt (e2e-libvirt.sh, to come; add it to TW_E2E_TESTS in
# local.mk): the same steps with e2e_guest_start replaced by a domain that
# libvirt starts:
#   e2e_guest_files DIR UID   kernel + initramfs readable by libvirt's QEMU user
#   <os><type>hvm</type><kernel>DIR/vmlinuz</kernel><initrd>DIR/initramfs.cpio.gz</initrd>
#     <cmdline>console=ttyS0 quiet panic=-1 tw.addr=10.0.1.2/24 tw.peer=10.0.1.1
#       tw.mode=ping tw.count=3 tw.wait=30 tw.serve=90</cmdline></os>
#   <interface type='bridge'><source bridge='br0'/><mac address='$E2E_MAC'/>
#     <model type='virtio'/></interface>
#   <serial type='file'><source path='DIR/serial'/></serial>, <on_poweroff>destroy
# then poll DIR/serial for "TAPWIRE-GUEST PASS" / "READY" (or FAIL), bounded.
# e2e_both_ways, e2e_topology_down and e2e_done apply unchanged.
#
# The guest build needs apt and the network, so it runs before the suite
# isolates itself. If it fails the suite SKIPs, except under
# TW_REQUIRE_GUEST=1 (tools/check sets it): CI must not skip silently.

# shellcheck disable=SC2154 # top_srcdir, top_builddir: tests/lib.sh
E2E_MAC=52:54:00:38:06:f9
E2E_GUEST=10.0.1.2
E2E_PEER=10.0.1.1
E2E_BRIDGE=br0
E2E_SEED=$top_srcdir/examples/seed-tap.xml

# Where the guest is built: TW_GUEST_CACHE lets several build trees share
# one (tools/check does), else this build tree's tests/guest/cache.
E2E_CACHE=${TW_GUEST_CACHE:-$top_builddir/tests/guest/cache}

e2e_now_ms() { echo $(($(date +%s%N) / 1000000)); }
e2e_secs() { printf '%d.%01d' $(($1 / 1000)) $(($1 % 1000 / 100)); }

e2e_init() {
	if [ -z "${TW_ISOLATED:-}" ]; then
		TW_E2E_T0=$(e2e_now_ms)
		export TW_E2E_T0
		[ "$(id -u)" = 0 ] || skip_all "needs root for network namespaces"
		QEMU=${QEMU_SYSTEM:-$(command -v qemu-system-x86_64)}
		[ -x "$QEMU" ] || skip_all "qemu-system-x86_64 is missing (tools/deps test installs qemu-system-x86)"
		mkdir -p "$top_builddir/tests/guest"
		log=$top_builddir/tests/guest/build-$(basename "$0" .sh).log
		if ! "$top_srcdir/tests/guest/build" "$E2E_CACHE" >"$log" 2>&1; then
			why=$(tail -n 1 "$log")
			if [ -n "${TW_REQUIRE_GUEST:-}" ]; then
				echo "Bail out! cannot build the test guest: $why (see $log)"
				exit 1
			fi
			skip_all "cannot build the test guest: $why"
		fi
		rm -f "$log"
	fi
	tw_isolate "$@"
	QEMU=${QEMU_SYSTEM:-$(command -v qemu-system-x86_64)}
	export QEMU_SYSTEM="$QEMU"
	BOOT=$top_srcdir/tests/guest/boot
	TAPWIRE=$top_builddir/cli/tapwire
	# shellcheck disable=SC2034 # used by the suites
	HELPER=$top_builddir/helper/tapwire-bridge-helper
	# boot's temporary files stay in this test's private /run.
	TMPDIR=$TW_TMP
	export TMPDIR
	e2e_pidfile='' e2e_boot_ms='' e2e_qemu_pid=''
	trap 'e2e_cleanup' EXIT
	trap 'exit 1' HUP INT TERM   # so that the EXIT trap runs on a signal too
}

# Whatever happens, a guest of ours does not outlive the suite (it would keep
# the namespace alive).
e2e_cleanup() {
	[ -z "$e2e_pidfile" ] || "$BOOT" --stop "$e2e_pidfile"
	tw_cleanup
}


# Run "$@" and report it as one test; its output becomes diagnostics.
e2e_run() { # e2e_run NAME CMD...
	name=$1; shift
	if "$@" >"$TW_TMP/run.out" 2>&1; then ok "$name"; else not_ok "$name (exit $?)"; fi
	sed 's/^/#   /' "$TW_TMP/run.out"
}

e2e_topology_up() {
	e2e_run "tapwire up examples/seed-tap.xml" "$TAPWIRE" up "$E2E_SEED"
	check "net0 is a named namespace (ip netns)" sh -c 'ip netns list | grep -q "^net0\b"'
	like "$(ip -n net0 -br addr show dev veth0 2>&1)" " $E2E_PEER/24 " "net0's veth0 has $E2E_PEER/24"
	check "$E2E_BRIDGE is a bridge" test -d "/sys/class/net/$E2E_BRIDGE/bridge"
	is "$(dev_master br-net0)" "$E2E_BRIDGE" "the veth's other end br-net0 is a port of $E2E_BRIDGE"
}

# The guest's files in DIR, owned by UID (QEMU run as UID reads the kernel
# and initramfs and writes its serial log and pid file there).
e2e_guest_files() { # e2e_guest_files DIR [UID]
	mkdir -p "$1"
	cp "$E2E_CACHE/vmlinuz" "$E2E_CACHE/initramfs.cpio.gz" "$1/"
	[ -z "${2:-}" ] || chown -R "$2:$2" "$1"
}

# Boot the guest in the background; return when it has pinged net0 and is
# answering pings (or has failed). Reports "the guest pings net0".
e2e_guest_start() { # e2e_guest_start DIR UID|"" -- QEMU-ARGS...
	dir=$1 uid=$2; shift 3
	e2e_guest_files "$dir" "$uid"
	e2e_serial=$dir/serial
	e2e_pidfile=$dir/qemu.pid
	set -- "$BOOT" --cache "$dir" --no-build --serial "$e2e_serial" \
		--background "$e2e_pidfile" --serve 90 \
		--addr "$E2E_GUEST/24" --peer "$E2E_PEER" -- "$@"
	t=$(e2e_now_ms)
	if [ -n "$uid" ]; then
		TMPDIR=$dir tw_as_user "$uid" "$@" 2>"$dir/boot.err"
	else
		"$@" 2>"$dir/boot.err"
	fi
	rc=$?
	diag "boot $(($(e2e_now_ms) - t)) ms, QEMU as uid ${uid:-0}:"
	sed 's/^/#   /' "$dir/boot.err"
	pass=$(tr -d '\r' <"$e2e_serial" 2>/dev/null | grep -ao 'TAPWIRE-GUEST PASS.*' | head -n 1)
	if [ "$rc" = 0 ] && [ -n "$pass" ]; then
		ok "the guest boots and pings net0 ($E2E_GUEST -> $E2E_PEER)"
		diag "guest: $pass"
		# READY follows PASS at once on the console: the time to READY is the boot.
		s=$(sed -n 's/.*READY after \([0-9.]*\) s.*/\1/p' "$dir/boot.err")
		[ -z "$s" ] || e2e_boot_ms=$(echo "$s" | awk '{ printf "%d", $1 * 1000 }')
		e2e_qemu_pid=$(cat "$e2e_pidfile" 2>/dev/null)
		return 0
	fi
	not_ok "the guest boots and pings net0 ($E2E_GUEST -> $E2E_PEER)"
	return 1
}

# The other direction and the bridge's view, while the guest serves.
e2e_both_ways() { # e2e_both_ways TAP
	if ip netns exec net0 ping -c 3 -i 0.2 -W 2 "$E2E_GUEST" >"$TW_TMP/ping" 2>&1; then
		ok "net0 pings the guest ($E2E_PEER -> $E2E_GUEST)"
	else
		not_ok "net0 pings the guest ($E2E_PEER -> $E2E_GUEST)"
	fi
	grep -E 'transmitted|rtt' "$TW_TMP/ping" | sed 's/^/#   /'
	fdb=$(bridge fdb show br "$E2E_BRIDGE" 2>&1)
	if printf '%s\n' "$fdb" | grep -qi "^$E2E_MAC dev $1 master $E2E_BRIDGE"; then
		ok "the bridge learnt the guest's MAC $E2E_MAC on $1"
		printf '%s\n' "$fdb" | grep -i "^$E2E_MAC " | sed 's/^/#   bridge fdb: /'
	else
		not_ok "the bridge learnt the guest's MAC $E2E_MAC on $1"
		printf '%s\n' "$fdb" | grep -v ' self permanent' | sed 's/^/#   /'
	fi
}

# QEMU ends (SIGTERM: QEMU shuts down cleanly and closes its fds).
e2e_guest_stop() {
	[ -n "$e2e_pidfile" ] || return 0
	"$BOOT" --stop "$e2e_pidfile"
	e2e_pidfile=''
	if [ -n "$e2e_qemu_pid" ] && kill -0 "$e2e_qemu_pid" 2>/dev/null; then
		not_ok "QEMU (pid $e2e_qemu_pid) has exited"
	else
		ok "QEMU has exited"
	fi
}

# Wait up to 5 s for device $1 to go away.
e2e_gone() {
	i=0
	while dev_exists "$1" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	! dev_exists "$1"
}

e2e_topology_down() {
	e2e_run "tapwire down examples/seed-tap.xml" "$TAPWIRE" down "$E2E_SEED"
	is "$(ip netns list)" "" "no namespace is left (ip netns list is empty)"
	is "$(devs_other_than_lo | tr '\n' ' ')" "" "no device but lo is left"
	is "$("$TAPWIRE" status 2>&1)" "nothing on record" "tapwire has nothing on record"
}

e2e_done() {
	[ -z "$e2e_boot_ms" ] || diag "boot: $(e2e_secs "$e2e_boot_ms") s (QEMU start to PASS)"
	[ -z "${TW_E2E_T0:-}" ] || diag "suite: $(e2e_secs $(($(e2e_now_ms) - TW_E2E_T0))) s (guest build check included)"
	done_testing
}
