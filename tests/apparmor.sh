#!/bin/sh
# The AppArmor rules for libvirt's daemon (apparmor/tapwire-libvirtd.in),
# compiled by apparmor_parser as libvirt's profile includes them: inside a
# stand-in of that profile (its name, its local include), and inside
# libvirt's own profiles when they are installed. Parse only (-QK): this
# kernel may have no AppArmor to load them into.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

parser=$(command -v apparmor_parser || echo /sbin/apparmor_parser)
[ -x "$parser" ] || skip_all "apparmor_parser is missing (package apparmor)"
[ -d /etc/apparmor.d/abstractions ] || skip_all "/etc/apparmor.d/abstractions is missing (package apparmor)"
RULES=$top_builddir/apparmor/tapwire-libvirtd
[ -f "$RULES" ] || { echo "Bail out! $RULES was not built"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tw-aa.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/abstractions" "$tmp/local"
cp "$RULES" "$tmp/abstractions/tapwire-libvirtd"
# The line the package's postinst adds to libvirt's local file.
postinst_line=$(sed -n "s/^\t*printf '%s\\\\n\(#include <[^>]*>\).*/\1/p" \
	"$top_srcdir/debian/tapwire.postinst" | sed 's/%s/tapwire-libvirtd/')
is "$postinst_line" "#include <abstractions/tapwire-libvirtd>" "the postinst adds the include of these rules"
for d in libvirtd virtqemud; do
	echo "$postinst_line" > "$tmp/local/usr.sbin.$d"
	printf '#include <tunables/global>\nprofile %s /usr/sbin/%s flags=(attach_disconnected) {\n  #include <abstractions/base>\n  #include <local/usr.sbin.%s>\n}\n' \
		"$d" "$d" "$d" > "$tmp/usr.sbin.$d"
done

parse() { # parse PROFILE: -QK, names of the profiles on stdout
	"$parser" -QK -N -I "$tmp" -I /etc/apparmor.d "$1" 2> "$tmp/err"
}

for d in libvirtd virtqemud; do
	if names=$(parse "$tmp/usr.sbin.$d"); then
		ok "$d (stand-in): parses with the rules included"
		like "$names" "^$d//tapwire_bridge_helper\$" "$d: the helper runs in child profile $d//tapwire_bridge_helper"
	else
		not_ok "$d (stand-in): parses with the rules included"
		diag "$(cat "$tmp/err")"
		skip "no profile names"
	fi
done

# The path the helper was built to be installed at: its --help names it.
helper_path=$("$top_builddir/helper/tapwire-bridge-helper" --help | grep -o '/[^ ,]*/tapwire-bridge-helper' | head -n 1)
like "$(grep -E 'Cx -> tapwire_bridge_helper' "$RULES")" "^ *$helper_path Cx" \
	"the rules name the helper at its installed path ($helper_path)"

# A rule the parser rejects fails the parse: the checks above can fail.
sed 's/capability net_admin,/capability net_admin_bogus,/' "$RULES" > "$tmp/abstractions/tapwire-libvirtd"
if parse "$tmp/usr.sbin.libvirtd" >/dev/null; then
	not_ok "a broken rule fails the parse"
else
	ok "a broken rule fails the parse"
fi
cp "$RULES" "$tmp/abstractions/tapwire-libvirtd"

# libvirt's own profiles (package libvirt-daemon-system): the installed ones,
# or else the ones its Debian package ships, unpacked from `apt-get download`
# (installing it would start a libvirtd on this host). Debian 12's libvirt
# 9.0 has a profile for libvirtd only; virtqemud's is checked where it exists.
aa=/etc/apparmor.d
if [ ! -f "$aa/usr.sbin.libvirtd" ] && [ ! -f "$aa/usr.sbin.virtqemud" ]; then
	cache=$top_builddir/tests/cache
	mkdir -p "$cache" "$tmp/deb"
	deb=$(ls "$cache"/libvirt-daemon-system_*.deb 2>/dev/null | head -n 1)
	if [ -z "$deb" ]; then
		(cd "$cache" && timeout 120 apt-get download -q libvirt-daemon-system) > "$tmp/err" 2>&1
		deb=$(ls "$cache"/libvirt-daemon-system_*.deb 2>/dev/null | head -n 1)
	fi
	[ -n "$deb" ] && dpkg-deb -x "$deb" "$tmp/deb" && aa=$tmp/deb/etc/apparmor.d
fi
found=0
for d in libvirtd virtqemud; do
	real=$aa/usr.sbin.$d
	[ -f "$real" ] || continue
	found=$((found + 1))
	{ cat "/etc/apparmor.d/local/usr.sbin.$d" 2>/dev/null; echo "$postinst_line"; } > "$tmp/local/usr.sbin.$d"
	if names=$("$parser" -QK -N -I "$tmp" -I "$aa" -I /etc/apparmor.d "$real" 2> "$tmp/err"); then
		ok "libvirt's usr.sbin.$d ($aa) parses with the rules included"
		like "$names" "^$d//tapwire_bridge_helper\$" "libvirt's $d: the helper runs in child profile $d//tapwire_bridge_helper"
	else
		not_ok "libvirt's usr.sbin.$d ($aa) parses with the rules included"
		diag "$(cat "$tmp/err")"
	fi
done
[ "$found" -gt 0 ] || skip "libvirt's profiles: libvirt-daemon-system is neither installed nor downloadable ($(tail -n 1 "$tmp/err" 2>/dev/null))"

done_testing
