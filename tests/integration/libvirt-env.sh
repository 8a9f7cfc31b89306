# A private libvirtd for one test, sourced after tests/lib.sh's tw_isolate.
# Not a test itself.
#
# Debian 12's libvirt 9.0 ships the monolithic libvirtd, and a root libvirtd
# reads fixed paths (/etc/libvirt, /var/lib/libvirt, /var/cache/libvirt,
# /var/log/libvirt, /run/libvirt): there is no option or variable to move
# them. So the test's mount namespace gets private copies instead: an
# overlay on each directory (tw_private_dir) whose changes die with the
# test, and /run is already a private tmpfs. The daemon runs inside the
# test's network namespace, so its taps, bridges and QEMUs see nothing of
# the host's network. Its socket is /run/libvirt/libvirt-sock of this mount
# namespace, which no other process can reach.
#
# qemu.conf: QEMU as root with no security driver, no cgroups and no mount
# namespace (none of which a test namespace offers), stdio to files (no
# virtlogd). libvirt insists that its compiled-in QEMU user, libvirt-qemu on
# Debian, exists even when qemu.conf says root: it is added to this mount
# namespace's private /etc/passwd when the host has none.
#
#   lv_start             start the daemon with the hooks in $LV_HOOKS
#   lv_stop              destroy every domain, stop the daemon
#   V ARGS...            virsh -c qemu:///system, quiet
#   lv_domain NAME FILE [SERIAL]   write a small type='qemu' domain around
#                        the devices and metadata on stdin

LV_URI=qemu:///system
LV_PID=
LV_LOG=$TW_TMP/libvirtd.log

lv_need() {
	for p in libvirtd virsh; do
		command -v $p >/dev/null 2>&1 ||
			skip_all "$p is missing (tools/deps test installs libvirt-daemon, libvirt-clients)"
	done
	[ -e /usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so ] ||
		ls /usr/lib/*/libvirt/connection-driver/libvirt_driver_qemu.so >/dev/null 2>&1 ||
		skip_all "libvirt's QEMU driver is missing (libvirt-daemon-driver-qemu)"
	command -v qemu-system-x86_64 >/dev/null 2>&1 || skip_all "qemu-system-x86_64 is missing"
}

V() { virsh -q -c "$LV_URI" "$@"; }

lv_setup() {
	lv_need
	for d in /etc/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt; do
		tw_private_dir "$d"
	done
	# After the overlays: an overlay on /etc would hide the bind mounts.
	getent passwd libvirt-qemu >/dev/null || tw_add_user libvirt-qemu 64055
	mkdir -p /etc/libvirt/hooks/qemu.d /run/libvirt
	cat > /etc/libvirt/qemu.conf <<-EOF
	user = "root"
	group = "root"
	security_driver = "none"
	dynamic_ownership = 0
	cgroup_controllers = [ ]
	namespaces = [ ]
	stdio_handler = "file"
	EOF
	cat > /etc/libvirt/libvirtd.conf <<-EOF
	unix_sock_group = "root"
	unix_sock_rw_perms = "0700"
	log_outputs = "3:file:$LV_LOG"
	EOF
}

lv_start() {
	libvirtd > "$TW_TMP/libvirtd.out" 2>&1 &
	LV_PID=$!
	# It probes QEMU's capabilities first: several seconds under TCG.
	i=0
	while [ $i -lt 600 ]; do
		virsh -c "$LV_URI" version > /dev/null 2>&1 && return 0
		kill -0 "$LV_PID" 2>/dev/null || break
		sleep 0.1
		i=$((i + 1))
	done
	echo "Bail out! the private libvirtd did not start"
	sed 's/^/# /' "$TW_TMP/libvirtd.out" "$LV_LOG" 2>/dev/null | tail -n 20
	exit 1
}

# Every QEMU libvirt started, by the pid files it keeps in our private /run.
lv_qemu_pids() { cat /run/libvirt/qemu/*.pid 2>/dev/null; }

lv_stop() {
	if [ -n "$LV_PID" ] && kill -0 "$LV_PID" 2>/dev/null; then
		for d in $(virsh -q -c "$LV_URI" list --name 2>/dev/null); do
			virsh -q -c "$LV_URI" destroy "$d" > /dev/null 2>&1
		done
	fi
	# QEMU daemonizes away from libvirtd: should destroy have failed, stop
	# them by pid (theirs only), then the daemon.
	for p in $(lv_qemu_pids); do kill "$p" 2>/dev/null; done
	if [ -n "$LV_PID" ]; then
		kill "$LV_PID" 2>/dev/null
		wait "$LV_PID" 2>/dev/null
	fi
	LV_PID=
	i=0
	while [ -n "$(lv_qemu_pids)" ] && [ $i -lt 50 ]; do
		for p in $(lv_qemu_pids); do kill -0 "$p" 2>/dev/null || rm -f /run/libvirt/qemu/*.pid; done
		sleep 0.1; i=$((i + 1))
	done
}

# Install the built hook as libvirt would find it (the daemon reads the
# hooks directory when it starts). TW_HOOK: a package installed it there
# already (tests/package.sh): leave it as the package made it.
lv_install_hook() {
	[ "${TW_HOOK:-}" = /etc/libvirt/hooks/qemu.d/tapwire ] && return 0
	install -m 0755 "$top_builddir/hooks/tapwire-hook" /etc/libvirt/hooks/qemu.d/tapwire
}

# lv_domain NAME FILE [KERNEL-CMDLINE]: a type='qemu' (TCG) domain around
# the <metadata> and <devices> read from stdin. With a kernel command line
# it boots the test guest (tests/guest) directly, its console in
# $TW_TMP/NAME.serial; without, it has no OS at all. LV_VCPUS, LV_MEMORY.
lv_domain() {
	name=$1 file=$2 cmdline=${3:-}
	serial=
	[ -z "$cmdline" ] || serial="<serial type='file'><source path='$TW_TMP/$name.serial'/></serial>"
	{
		echo "<domain type='qemu'>"
		echo "  <name>$name</name>"
		echo "  <memory unit='MiB'>${LV_MEMORY:-128}</memory>"
		echo "  <vcpu>${LV_VCPUS:-1}</vcpu>"
		echo "  <os><type arch='x86_64' machine='pc'>hvm</type>"
		if [ -n "$cmdline" ]; then
			echo "    <kernel>$LV_GUEST/vmlinuz</kernel>"
			echo "    <initrd>$LV_GUEST/initramfs.cpio.gz</initrd>"
			echo "    <cmdline>$cmdline</cmdline>"
		fi
		echo "  </os>"
		# ACPI gives pci.0 its hotplug controller.
		echo "  <features><acpi/></features>"
		echo "  <on_reboot>destroy</on_reboot>"
		sed "s|</devices>|$serial</devices>|"
		echo "</domain>"
	} > "$file"
}

# The test guest's kernel and initramfs, built before isolation (apt needs
# the host's network): $top_builddir/tests/guest/cache or $TW_GUEST_CACHE.
LV_GUEST=${TW_GUEST_CACHE:-$top_builddir/tests/guest/cache}
lv_have_guest() { [ -s "$LV_GUEST/vmlinuz" ] && [ -s "$LV_GUEST/initramfs.cpio.gz" ]; }

# The start of a suite that boots the test guest under the private libvirtd
# with the hook installed (after tw_isolate and sourcing this file):
# TAPWIRE is the built CLI, its state in /run/tapwire as the hook's.
lv_begin_guest() {
	lv_need
	lv_have_guest || skip_all "no test guest in $LV_GUEST (tests/guest/build could not make one)"
	lv_setup
	lv_install_hook
	trap 'lv_stop' EXIT
	export TAPWIRE_RUNDIR=/run/tapwire
	TAPWIRE=$top_builddir/cli/tapwire
	lv_start
}
