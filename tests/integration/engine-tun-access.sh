#!/bin/sh
# `attach --owner USER` and `owner=` on a tap: when USER cannot open
# /dev/net/tun (mode 0600 on some hosts and containers), QEMU running as
# USER could not use the tap, and tapwire says so in one warning line while
# still making it. /dev/net/tun here is a node of this test's own, bound over
# the real one in its private mount namespace; the kernel (an open as the
# user) confirms each verdict.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
tw_isolate "$@"
. "$top_srcdir/tests/integration/engine-lib.sh"

mknod -m 0600 "$TW_TMP/tun" c 10 200 && mount --bind "$TW_TMP/tun" /dev/net/tun ||
	{ echo "Bail out! cannot bind a private /dev/net/tun"; exit 1; }
tw_add_user twvm 4321
ip link add br0 type bridge && ip link set br0 up

IFACE=$TW_TMP/iface.xml
cat > "$IFACE" <<'EOF'
<interface type='bridge'>
  <mac address='52:54:00:38:06:f9'/>
  <source bridge='br0'/>
</interface>
EOF
TAP=tw003806f9
user_opens() { tw_as_user 4321 sh -c 'exec 3<>/dev/net/tun' 2>/dev/null; }
warnings() { printf '%s\n' "$err" | grep -c '^tapwire: warning: '; }

# ---- 0600 root:root: twvm cannot open it
run attach "$IFACE" --owner twvm
is "$rc" 0 "0600: attach --owner twvm still makes the tap"
check "0600: the kernel has $TAP" dev_exists "$TAP"
like "$err" "^tapwire: warning: tap $TAP: its owner twvm \\(uid 4321\\) cannot open /dev/net/tun \\(mode 0600, uid 0, gid 0\\), so QEMU running as twvm cannot use the tap; make /dev/net/tun mode 0666" \
	"0600: one line says twvm cannot open /dev/net/tun, and the fix"
is "$(warnings)" 1 "0600: exactly one warning line"
if user_opens; then not_ok "0600: the kernel agrees: twvm's open fails"; else ok "0600: the kernel agrees: twvm's open fails"; fi
run detach "$IFACE"
is "$rc" 0 "detach"

# ---- 0666: no warning
chmod 0666 "$TW_TMP/tun"
run attach "$IFACE" --owner twvm
is "$rc:$(warnings)" "0:0" "0666: attach --owner twvm, no warning"
check "0666: the kernel agrees: twvm opens it" user_opens
run detach "$IFACE"

# ---- 0660 with twvm's group: no warning
chgrp 4321 "$TW_TMP/tun" && chmod 0660 "$TW_TMP/tun"
run attach "$IFACE" --owner twvm
is "$rc:$(warnings)" "0:0" "0660, group twvm: no warning"
check "0660, group twvm: the kernel agrees" user_opens
run detach "$IFACE"
chgrp 0 "$TW_TMP/tun" && chmod 0600 "$TW_TMP/tun"

# ---- no --owner: root's tap, nothing to say
run attach "$IFACE"
is "$rc:$(warnings)" "0:0" "no --owner: no warning"
run detach "$IFACE"

# ---- owner= on a tap of a <tw:net> document, through `tapwire up`
cat > "$TW_TMP/net.xml" <<'EOF'
<tw:net xmlns:tw="urn:tapwire:1" name="tunlab">
  <tw:bridge name="brlab"/>
  <tw:tap name="tvm0" bridge="brlab" owner="twvm"/>
  <tw:tap name="troot" bridge="brlab"/>
  <tw:tap name="tvm1" bridge="brlab" owner="twvm"/>
</tw:net>
EOF
run up "$TW_TMP/net.xml"
is "$rc" 0 "owner=: up makes the taps"
like "$err" "^tapwire: warning: tap tvm0: its owner twvm \\(uid 4321\\) cannot open /dev/net/tun" "owner=: the warning names the tap and the user"
is "$(warnings)" 1 "owner=: one line for a user, however many taps"
run down "$TW_TMP/net.xml"
is "$rc" 0 "down"

# ---- owner= on a layer-3 <tw:tun>: the same for the program that opens it
cat > "$TW_TMP/tun.xml" <<'EOF'
<tw:net xmlns:tw="urn:tapwire:1" name="tun3">
  <tw:tun name="tun3" owner="twvm"/>
</tw:net>
EOF
run up "$TW_TMP/tun.xml"
is "$rc" 0 "<tw:tun owner=twvm>: up makes it"
like "$err" "^tapwire: warning: tun tun3: its owner twvm \\(uid 4321\\) cannot open /dev/net/tun .*so a program running as twvm cannot use the tun" \
	"<tw:tun owner=twvm>: the warning names the tun"
run down "$TW_TMP/tun.xml"
is "$rc" 0 "down"
done_testing
