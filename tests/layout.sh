#!/bin/sh
# The code's shape, checked on the objects the compiler made (nm), not on
# what the sources say they include:
#   - lib/'s rooms point down: engine -> kinds -> net -> core; xml/ uses
#     only core/; the setuid helper only core/ and net/;
#   - no module (a .c file) calls, in a circle, into one that calls back;
#   - no source file is longer than 600 lines.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"

command -v nm >/dev/null || skip_all "nm (binutils) is missing"
cd "$top_builddir" || exit 1
objs=$(find lib xml cli hooks helper -name '*.o' ! -name '*seccomp_gen*' 2>/dev/null | sort)
[ -n "$objs" ] || skip_all "nothing built in $top_builddir"

# "lib/kinds/libtwkinds_a-ovs-bridge.o" -> "lib/kinds/ovs-bridge": automake
# names an object TARGET-SOURCE.o, and a target has no '-'.
module() { d=${1%/*}; b=${1##*/}; b=${b%.o}; echo "$d/${b#*-}"; }

syms=$(mktemp)
trap 'rm -f "$syms"' EXIT
for o in $objs; do
	m=$(module "$o")
	nm -g --defined-only "$o" | awk -v m="$m" 'NF == 3 { print "D", m, $3 }'
	nm -u "$o" | awk -v m="$m" '{ print "U", m, $NF }'
done > "$syms"

# Module edges A B: A calls (or reads) something B defines.
edges=$(awk '$1 == "D" { def[$3] = $2 } $1 == "U" { use[NR] = $2 " " $3 }
	END { for (i in use) { split(use[i], u, " "); if ((u[2] in def) && def[u[2]] != u[1]) print u[1], def[u[2]] } }' \
	"$syms" | sort -u)

rank() {
	case $1 in
	lib/core/*) echo 0 ;; lib/net/*) echo 1 ;; lib/kinds/*) echo 2 ;; lib/engine/*) echo 3 ;;
	*) echo 9 ;;
	esac
}
up=$(printf '%s\n' "$edges" | while read -r a b; do
	[ -n "$a" ] || continue
	ra=$(rank "$a"); rb=$(rank "$b")
	case $a in
	lib/*) [ "$rb" -le "$ra" ] || echo "$a -> $b" ;;
	xml/*) case $b in lib/*) [ "$rb" -eq 0 ] || echo "$a -> $b" ;; esac ;;
	helper/*) case $b in lib/*) [ "$rb" -le 1 ] || echo "$a -> $b" ;; esac ;;
	esac
done)
is "$up" "" "every call from lib/, xml/ and the helper points down (engine, kinds, net, core)"
[ -z "$up" ] || diag "$up"

# Circles: a depth-first walk that meets a module still on its path.
circles=$(printf '%s\n' "$edges" | awk '
	NF == 2 { adj[$1] = adj[$1] " " $2; node[$1]; node[$2] }
	function walk(n,   i, k, next_) {
		state[n] = 1; path[++depth] = n
		k = split(adj[n], next_, " ")
		for (i = 1; i <= k; i++) {
			if (state[next_[i]] == 1) { report(next_[i]) }
			else if (!state[next_[i]]) walk(next_[i])
		}
		state[n] = 2; depth--
	}
	function report(n,   i, s, on) {
		s = ""; on = 0
		for (i = 1; i <= depth; i++) { if (path[i] == n) on = 1; if (on) s = s path[i] " -> " }
		print s n
	}
	END { for (n in node) if (!state[n]) walk(n) }' | sort -u)
is "$circles" "" "no module calls in a circle"
[ -z "$circles" ] || diag "$circles"

long=$(cd "$top_srcdir" && for f in lib/*/*.[ch] xml/*.[ch] helper/*.[ch] hooks/*.[ch] cli/*.[ch]; do
	n=$(wc -l < "$f"); [ "$n" -le 600 ] || echo "$f: $n lines"
done)
is "$long" "" "no source file is longer than 600 lines"

done_testing
