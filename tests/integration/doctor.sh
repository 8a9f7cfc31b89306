#!/bin/sh
# tapwire doctor, one check at a time: a healthy install is built under
# TW_TMP (root's all the way from /, as the helper wants its policy), then
# each fault is planted in it, in this test's private mount namespace (an
# overlay over /dev for the device nodes, a private /etc/passwd for the
# users), and doctor must name it, exit 1, and be quiet again once it is
# undone. The host's files are never touched. doctor looks at these paths
# through TAPWIRE_* overrides, which a privileged (setuid) run ignores.
# Each doctor runs in a pid namespace of its own, so that the libvirt
# daemons it sees are the ones a case starts, never the host's.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
tw_isolate "$@"
command -v jq >/dev/null || skip_all "jq is missing"

TW=$top_builddir/cli/tapwire
R=$TW_TMP/root
HELPER=$R/libexec/tapwire-bridge-helper
POLICY=$R/etc/tapwire/bridge.conf
HOOKS=$R/etc/libvirt/hooks
HOOK=$HOOKS/qemu.d/tapwire
ALICE_CONF=$R/home/alice/.config/libvirt/qemu.conf
HOOK_CONF=$R/etc/tapwire/tapwire.conf
export TAPWIRE_BRIDGE_HELPER=$HELPER TAPWIRE_BRIDGE_CONF=$POLICY \
	TAPWIRE_LIBVIRT_HOOKS=$HOOKS TAPWIRE_QEMU_CONF=$R/etc/libvirt/qemu.conf \
	TAPWIRE_HOOK_CONF=$HOOK_CONF

# ---- a healthy install
mkdir -p "$R/libexec" "$R/etc/tapwire" "$HOOKS/qemu.d" "$R/home/alice/.config/libvirt"
cp "$top_builddir/helper/tapwire-bridge-helper" "$HELPER"
chmod 4755 "$HELPER"
echo 'allow br0 user:alice' > "$POLICY"
chmod 0644 "$POLICY"
cp "$top_builddir/hooks/tapwire-hook" "$HOOK"
chmod 0755 "$HOOK"
echo "# the system's qemu.conf" > "$R/etc/libvirt/qemu.conf"
# alice uses session libvirt with tapwire's helper.
tw_add_user tw-doctor-dummy 4990
echo "alice:x:4001:4001:alice:$R/home/alice:/bin/sh" >> "$TW_TMP/passwd"
echo "alice:x:4001:" >> "$TW_TMP/group"
echo "kvmtest:x:4100:alice" >> "$TW_TMP/group"
echo "bridge_helper = \"$HELPER\"" > "$ALICE_CONF"
chown -R 4001:4001 "$R/home/alice"
# A private /dev: /dev/net/tun as the kernel makes it (0666), no vhost-net.
mkdir -p "$TW_TMP/dev/up" "$TW_TMP/dev/work"
mount -t overlay overlay -o "lowerdir=/dev,upperdir=$TW_TMP/dev/up,workdir=$TW_TMP/dev/work" /dev ||
	skip_all "cannot overlay /dev here (needed for private device nodes)"
tun() { # tun MODE [GROUP]: a fresh /dev/net/tun
	rm -f /dev/net/tun
	mknod -m "$1" /dev/net/tun c 10 200
	chgrp "${2:-root}" /dev/net/tun
}
tun 0666
rm -f /dev/vhost-net

doctor() { unshare --pid --fork --mount-proc "$TW" doctor "$@" > "$TW_TMP/out" 2>&1; echo $?; }
out() { cat "$TW_TMP/out"; }
problems() { grep -c '^problem: ' "$TW_TMP/out"; }
# healthy NAME: exit 0, no problem line, the summary
healthy() {
	is "$(doctor)" 0 "$1: exit 0"
	is "$(problems)/$(tail -n 1 "$TW_TMP/out")" \
		"0/doctor: no problems found (8 checks: helper policy devices forward hook hook-conf qemu-conf frr)" \
		"$1: no problem, the summary"
}
# finds NAME PATTERN: exit 1, one problem line, matching PATTERN
finds() {
	is "$(doctor)" 1 "$1: exit 1"
	is "$(problems)" 1 "$1: one problem"
	like "$(grep '^problem: ' "$TW_TMP/out")" "$2" "$1: named, with why and fix"
	[ "$(problems)" = 1 ] || diag "$(out)"
}

healthy "a healthy install"
like "$(out)" '^note: /dev/vhost-net is absent: .*; fix: modprobe vhost_net' \
	"an absent /dev/vhost-net is a note, not a problem"

# ---- the helper
chmod 0755 "$HELPER"
finds "helper without setuid" "^problem: $HELPER is neither setuid root nor cap_net_admin\+ep: .*; fix: chown root:root $HELPER && chmod 4755"
if setcap cap_net_admin,cap_dac_override+ep "$HELPER" 2>/dev/null; then
	healthy "helper with cap_net_admin,cap_dac_override+ep instead"
	setcap cap_net_admin+ep "$HELPER"
	tun 0600
	is "$(doctor)" 1 "file caps without cap_dac_override, /dev/net/tun 0600: exit 1"
	like "$(grep '^problem: ' "$TW_TMP/out")" \
		"has cap_net_admin but not cap_dac_override, and /dev/net/tun is mode 0600.*fix: setcap cap_net_admin,cap_dac_override\+ep" \
		"... the helper cannot open it, with the fix"
	tun 0666
	setcap -r "$HELPER"
else
	skip "setcap is refused here (no file capabilities)"
	skip "setcap is refused here"; skip "setcap is refused here"; skip "setcap is refused here"
fi
chmod 4755 "$HELPER"
chown 4001 "$HELPER"
finds "helper not root's" "^problem: $HELPER is not owned by root: owner uid 4001"
chown 0 "$HELPER"; chmod 4777 "$HELPER"
finds "helper writable by others" "^problem: $HELPER is writable by group or others: .*mode 4777.*fix: chown root:root $HELPER && chmod go-w"
chmod 4755 "$HELPER"
mkdir -p "$TW_TMP/nosuid"
mount -t tmpfs -o nosuid,mode=0755 tmpfs "$TW_TMP/nosuid"
cp -p "$HELPER" "$TW_TMP/nosuid/"
export TAPWIRE_BRIDGE_HELPER="$TW_TMP/nosuid/tapwire-bridge-helper"
finds "helper on a nosuid mount" "is on a filesystem mounted nosuid: the kernel ignores its setuid bit"
export TAPWIRE_BRIDGE_HELPER="$TW_TMP/none"
finds "no helper" "^problem: $TW_TMP/none: tapwire-bridge-helper is not installed"
export TAPWIRE_BRIDGE_HELPER="$HELPER"
healthy "helper repaired"

# ---- the policy, read as the helper reads it
chmod 0664 "$POLICY"
finds "policy writable by group" "^problem: $POLICY: .*writable by group or others.*fails closed.*fix: chown root:root and chmod go-w"
chmod 0644 "$POLICY"
chmod 0777 "$R/etc/tapwire"
# (tapwire.conf's directory too: the hook-conf check says so as well)
is "$(doctor)" 1 "policy in a world-writable directory: exit 1"
like "$(grep '^problem: ' "$TW_TMP/out")" "^problem: $POLICY: directory $R/etc/tapwire is writable by group or others" \
	"policy in a world-writable directory: named"
chmod 0755 "$R/etc/tapwire"
printf 'allow br0 user:alice\nalow br1\n' > "$POLICY"
finds "a policy with a typo" "^problem: $POLICY:2: unknown keyword 'alow'.*fix: correct that line"
printf 'include other.conf\n' > "$POLICY"
finds "a policy including a missing file" "^problem: $POLICY:1: cannot include 'other.conf'"
rm "$POLICY"
finds "no policy" "^problem: $POLICY: .*fix: create $POLICY \(owner root, mode 0644\)"
echo '# nothing allowed' > "$POLICY"
echo '# no bridge_helper' > "$ALICE_CONF"
is "$(doctor)" 0 "a policy that allows nobody (and no session libvirt that calls the helper): exit 0"
like "$(out)" "^note: $POLICY allows no bridge to anyone: tapwire-bridge-helper refuses every call" \
	"... with a note"
echo 'allow br0 user:alice' > "$POLICY"
echo "bridge_helper = \"$HELPER\"" > "$ALICE_CONF"
doctor > /dev/null
like "$(out)" "^note: reading the policy $POLICY \(TAPWIRE_BRIDGE_CONF\): the installed helper .*ignores TAPWIRE_BRIDGE_CONF" \
	"doctor says which policy the installed helper really reads"
# Which file the installed helper reads, doctor asks the helper (--help).
printf '#!/bin/sh\necho "Policy: %s (see tapwire-bridge-helper(8))."\n' \
	"$R/etc/tapwire/other.conf" > "$R/libexec/fake-helper"
chmod 4755 "$R/libexec/fake-helper"
cp "$POLICY" "$R/etc/tapwire/other.conf"
chmod 0666 "$POLICY"
export TAPWIRE_BRIDGE_HELPER="$R/libexec/fake-helper"
unset TAPWIRE_BRIDGE_CONF
healthy "a helper built for another policy path: its policy is checked, not this build's"
like "$(out)" "^note: the installed helper reads the policy $R/etc/tapwire/other.conf, not .*: it was built with another sysconfdir" \
	"... with a note that says so"
export TAPWIRE_BRIDGE_HELPER="$HELPER" TAPWIRE_BRIDGE_CONF="$POLICY"
chmod 0644 "$POLICY"
doctor --json > /dev/null; mv "$TW_TMP/out" "$TW_TMP/json"
is "$(jq -r '.checks | join(" ")' "$TW_TMP/json")" "helper policy devices forward hook hook-conf qemu-conf frr" \
	"--json: one JSON document, naming the checks"
chmod 0666 "$POLICY"
doctor --json > /dev/null; mv "$TW_TMP/out" "$TW_TMP/json"
is "$(jq -r '[.problems, (.findings[] | select(.level == "problem") | .check)] | join(" ")' "$TW_TMP/json")" \
	"1 policy" "--json: the problem, by check"
chmod 0644 "$POLICY"

# ---- /dev/net/tun and /dev/vhost-net for the callers the policy allows
tun 0600
finds "/dev/net/tun 0600" "^problem: user alice, whom the helper's policy allows, cannot open /dev/net/tun read-write \(mode 0600 root:root\): .*fix: chmod 0666 /dev/net/tun"
echo 'allow br0 group:kvmtest' > "$POLICY"
tun 0660 kvmtest
healthy "/dev/net/tun 0660 root:kvmtest, the policy allows group kvmtest"
echo 'allow all' > "$POLICY"
finds "... and the policy allows everyone" "^problem: everyone, whom the helper's policy allows, cannot open /dev/net/tun"
echo 'allow br0 user:alice' > "$POLICY"
rm /dev/net/tun
finds "no /dev/net/tun" "^problem: /dev/net/tun is missing: .*fix: modprobe tun"
tun 0666
mknod -m 0600 /dev/vhost-net c 10 238
is "$(doctor)" 0 "/dev/vhost-net that alice may not open: exit 0"
like "$(out)" "^note: user alice, whom the helper's policy allows, cannot open /dev/vhost-net read-write \(mode 0600 root:root\): QEMU running as them uses virtio-net in userspace" \
	"... with a note"
chmod 0666 /dev/vhost-net
healthy "/dev/vhost-net 0666"
rm /dev/vhost-net

# ---- a firewall's forward chain that drops what bridges forward, in this
# test's network namespace (Docker's FORWARD policy drop)
if command -v nft > /dev/null; then
	nft -f - <<'EOF'
table ip filter {
	chain FORWARD { type filter hook forward priority 0; policy drop; }
}
EOF
	finds "a forward chain with policy drop" \
		"^problem: table ip filter chain FORWARD \(hook forward\): policy drop: .*; fix: nft insert rule ip filter FORWARD iifname BRIDGE accept"
	nft add chain ip filter DOCKER-USER
	finds "... Docker's, with DOCKER-USER" "; fix: iptables -I DOCKER-USER -i BRIDGE -j ACCEPT"
	nft delete table ip filter
	healthy "the forward drop gone"
else
	skip "nft is missing (tools/deps test installs nftables)"
	skip "nft is missing"; skip "nft is missing"; skip "nft is missing"; skip "nft is missing"
	skip "nft is missing"; skip "nft is missing"; skip "nft is missing"
fi

# ---- the hook, where libvirt runs it, and a daemon that has seen it
rm "$HOOK"
finds "no hook" "^problem: $HOOK is missing: libvirt never calls tapwire"
# Where this build installs the hook, which doctor names; put there (in an
# overlay of this test), it is still not where libvirt looks.
installed=$(sed -n 's/^problem: .*(this build puts the hook in \(.*\))$/\1/p' "$TW_TMP/out")
if [ -n "$installed" ]; then
	tw_private_dir "$(dirname "$installed")"
	cp "$top_builddir/hooks/tapwire-hook" "$installed"
	finds "the hook installed under another sysconfdir" \
		"^problem: the hook is installed as $installed, but libvirt runs the executables in $HOOKS/qemu.d: .*fix: ln -s $installed $HOOK"
	rm "$installed"
else
	skip "this build installs the hook where libvirt looks (sysconfdir /etc)"
	skip "... nothing to plant"; skip "... nothing to plant"
fi
cp "$top_builddir/hooks/tapwire-hook" "$HOOK"
chmod 0644 "$HOOK"
finds "a hook that is not executable" "^problem: $HOOK is not an executable regular file: mode 0644"
chmod 0755 "$HOOK"
# A stand-in daemon: a process called virtqemud, in the pid namespace of
# the doctor that looks at it. HOOK's ctime is set after it starts.
cp /bin/sleep "$TW_TMP/virtqemud"
restart_case() { # restart_case MARK: 0 when doctor says restart
	unshare --pid --fork --mount-proc sh -c '
		"$1/virtqemud" 30 & d=$!
		sleep 1.2
		[ "$2" = late ] && chmod 0755 "$3"
		"$4" doctor > "$1/out" 2>&1; r=$?
		kill $d; exit $r' sh "$TW_TMP" "$1" "$HOOK" "$TW"
	echo $?
}
is "$(restart_case early)" 0 "a libvirt daemon started after the hook was installed: fine"
is "$(restart_case late)" 1 "a daemon started before the hook was installed: exit 1"
like "$(out)" "^problem: virtqemud \(pid [0-9]+\) started before $HOOK was installed: libvirt looks for hooks only when it starts.*fix: systemctl restart virtqemud" \
	"... restart it, doctor says"
cp "$HOOK" "$HOOKS/qemu.d/another"
sleep 0.1
is "$(restart_case late)" 0 "... unless another qemu hook was there when it started (libvirt then lists qemu.d anew on each call)"
rm "$HOOKS/qemu.d/another"
export TAPWIRE_LIBVIRT_HOOKS="$TW_TMP/nolibvirt/hooks"
doctor > /dev/null
like "$(out)" "^note: libvirt is not configured here \(no $TW_TMP/nolibvirt\): the hook is not checked" \
	"no libvirt at all: a note"
export TAPWIRE_LIBVIRT_HOOKS="$HOOKS"

# ---- the hook's own policy, tapwire.conf, read as the hook reads it (a
# missing one is an empty policy: no problem)
printf 'bridge br0 mtu 9000\nbridge vm-* mtu lots\n' > "$HOOK_CONF"
finds "tapwire.conf with a bad value" "^problem: $HOOK_CONF:2: .*mtu 'lots'.*: the hook refuses to start every domain that uses tapwire.*fix: correct that line"
printf 'bridge br0 mtu 9000\n' > "$HOOK_CONF"
chmod 0666 "$HOOK_CONF"
finds "tapwire.conf writable by others" "^problem: $HOOK_CONF: .*writable by group or others.*fix: chown root:root and chmod go-w"
chmod 0644 "$HOOK_CONF"
healthy "a good tapwire.conf"
rm "$HOOK_CONF"

# ---- bridge_helper in session libvirt's qemu.conf
echo '# nothing' > "$ALICE_CONF"
finds "alice's session qemu.conf without bridge_helper" "^problem: session libvirt of user alice runs qemu-bridge-helper, not tapwire-bridge-helper: $ALICE_CONF sets no bridge_helper \(session libvirt never reads /etc/libvirt/qemu.conf\); fix: add bridge_helper = \"$HELPER\" to $ALICE_CONF"
echo "bridge_helper = \"$HELPER\"" > "$R/etc/libvirt/qemu.conf"
doctor > /dev/null
like "$(out)" "^note: $R/etc/libvirt/qemu.conf sets bridge_helper = \"$HELPER\", which system libvirt never uses" \
	"bridge_helper in the system qemu.conf: a note that it does not reach session libvirt"
echo "bridge_helper = \"$HELPER\"" > "$ALICE_CONF"
echo 'allow br0 user:bob' > "$POLICY"
echo "bob:x:4002:4002:bob:/nonexistent:/bin/sh" >> "$TW_TMP/passwd"
finds "alice's session calls the helper, the policy does not allow her" "^problem: session libvirt of user alice calls $HELPER, but its policy allows alice no bridge: .*fix: add 'allow BRIDGE user:alice' to $POLICY"
echo 'allow br0 user:alice' > "$POLICY"
echo "bridge_helper = \"$R/libexec/nothing/tapwire-bridge-helper\"" > "$ALICE_CONF"
finds "a bridge_helper path that does not exist" "^problem: $ALICE_CONF: bridge_helper = \"$R/libexec/nothing/tapwire-bridge-helper\" is not an executable file"
# Read as alice: a symlink to a file only root may read gives root's
# doctor nothing from it.
echo "bridge_helper = \"$HELPER\"" > "$R/root-only.conf"
chmod 0600 "$R/root-only.conf"
rm "$ALICE_CONF"
ln -s "$R/root-only.conf" "$ALICE_CONF"
finds "alice's qemu.conf, a symlink to a file only root may read" \
	"^problem: session libvirt of user alice runs qemu-bridge-helper, not tapwire-bridge-helper: $ALICE_CONF cannot be read"
rm "$ALICE_CONF"
echo "bridge_helper = \"$HELPER\"" > "$ALICE_CONF"
chown 4001:4001 "$ALICE_CONF"
healthy "everything repaired"

# ---- an FRR with BGP EVPN for each control="evpn" vxlan on record: a
# vxlan up in this test's namespace, a vtysh that knows nothing
cat > "$TW_TMP/evpn.xml" <<'EOF'
<tw:net xmlns:tw="urn:tapwire:1" name="evpn">
  <tw:bridge name="brv"/>
  <tw:vxlan name="vx42" id="42" local="192.0.2.1" bridge="brv" control="evpn"/>
</tw:net>
EOF
if "$TW" up -q "$TW_TMP/evpn.xml" 2> "$TW_TMP/evpn.err"; then
	printf '#!/bin/sh\necho "%% zebra is not running" >&2\nexit 1\n' > "$TW_TMP/vtysh"
	chmod +x "$TW_TMP/vtysh"
	export TAPWIRE_VTYSH="$TW_TMP/vtysh"
	# Outside a pid namespace of its own: in one, /proc/1 is not this
	# namespace's init and the state file is looked for under the host's
	# name. The host's libvirt daemons, seen then, do not matter here.
	export TAPWIRE_LIBVIRT_HOOKS="$TW_TMP/nolibvirt/hooks"
	"$TW" doctor > "$TW_TMP/out" 2>&1
	is $? 1 "a control=\"evpn\" vxlan without FRR: exit 1"
	like "$(grep '^problem: ' "$TW_TMP/out")" \
		"^problem: vxlan vx42 \(control=\"evpn\"\) is served by no FRR with BGP EVPN: no zebra runs.*fix: run FRR's zebra and bgpd with 'advertise-all-vni'" \
		"... named, with why and fix"
	"$TW" down -q "$TW_TMP/evpn.xml"
	# With --netns, the vxlans there are asked of the FRR run with that
	# namespace's pathspace (vtysh -N site), not of the host's.
	printf '#!/bin/sh\necho "$*" >> "%s"\necho "%% zebra is not running" >&2\nexit 1\n' \
		"$TW_TMP/vtysh.args" > "$TW_TMP/vtysh"
	ip netns add site
	if "$TW" -N site up -q "$TW_TMP/evpn.xml" 2> "$TW_TMP/evpn.err"; then
		"$TW" -N site doctor > "$TW_TMP/out" 2>&1
		is $? 1 "doctor --netns site, its evpn vxlan without FRR: exit 1"
		like "$(grep '^problem: vxlan' "$TW_TMP/out")" \
			"^problem: vxlan vx42 .*fix: run zebra and bgpd for it with pathspace site \(zebra -N site\)" \
			"... the fix names the pathspace site"
		like "$(cat "$TW_TMP/vtysh.args")" "^-N site -c " "... and vtysh was asked with -N site"
		"$TW" -N site down -q "$TW_TMP/evpn.xml"
	else
		not_ok "up of a control=\"evpn\" vxlan in namespace site"; diag "$(cat "$TW_TMP/evpn.err")"
	fi
	ip netns del site
	export TAPWIRE_LIBVIRT_HOOKS="$HOOKS"
	unset TAPWIRE_VTYSH
	healthy "the evpn vxlan gone"
else
	not_ok "up of a control=\"evpn\" vxlan"; diag "$(cat "$TW_TMP/evpn.err")"
fi

# ---- usage
"$TW" doctor extra > /dev/null 2>&1
is $? 2 "doctor FILE: exit 2"
"$TW" doctor --dot > /dev/null 2>&1
is $? 2 "doctor --dot: exit 2"

done_testing
