#!/bin/sh
# bash completion (completion/tapwire.bash): for a command line, what
# COMPREPLY offers must be exactly what that command takes (tapwire --help):
# doctor neither a FILE nor --owner, -n or -q; show --dot or --json, not
# both, and FILE or --owner. Plain bash, without bash-completion's helpers
# (the script falls back to COMP_WORDS); owners come from a stub, never from
# a tapwire status of this host. Touches nothing.
. "${top_srcdir:-$(dirname "$0")/..}/tests/lib.sh"
command -v bash >/dev/null || skip_all "bash is missing"

X=$(mktemp -d)
trap 'rm -rf "$X"' EXIT
touch "$X/a.xml" "$X/b.txt"

# offers CWORD WORD...: COMPREPLY, sorted, one line, for COMP_WORDS=(WORD...).
offers() {
	bash -c '. "$1"; shift
		_tapwire_owners() { echo lab; }
		cw=$1; shift
		COMP_WORDS=("$@"); COMP_CWORD=$cw
		_tapwire
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " " | sed "s/ $//"' \
		sh "$top_srcdir/completion/tapwire.bash" "$@"
}

is "$(offers 1 tapwire '')" "attach check confirm detach doctor down gc revert show status up" \
	"every command, revert too"
is "$(offers 2 tapwire doctor -)" "--json --netns -N -j" \
	"doctor: -j/--json and -N/--netns only (no -n, -q, --owner)"
is "$(offers 2 tapwire doctor '')" "" "doctor: no FILE"
is "$(offers 4 tapwire -N site doctor -)" "--json --netns -N -j" \
	"doctor after -N NAME: the same"
is "$(offers 2 tapwire show -)" "--dot --json --netns --owner -N -j" \
	"show: --dot, --json, --owner, --netns (no -n, -q)"
is "$(offers 3 tapwire show "$X/a.xml" -)" "--dot --json --netns -N -j" \
	"show FILE: no --owner any more"
is "$(offers 4 tapwire show "$X/a.xml" --json -)" "--netns -N" "show FILE --json: not --dot"
is "$(offers 4 tapwire show --owner lab -)" "--dot --json --netns -N -j" "show --owner NAME: no FILE option"
is "$(offers 4 tapwire show --owner lab '')" "" "show --owner NAME: no FILE"
is "$(offers 2 tapwire show "$X/")" "$X/a.xml" "show: an XML file"
is "$(offers 3 tapwire show --owner la | tr ' ' '\n' | grep -x lab)" "lab" "show --owner: the owners on record"
is "$(offers 2 tapwire up -)" \
	"--confirm --dry-run --force --json --netns --owner --probe --quiet -N -f -j -n -q" \
	"up: --confirm SECONDS and --probe ADDR among its options"
is "$(offers 3 tapwire up --confirm '')" "" "up --confirm: SECONDS, nothing offered"
is "$(offers 4 tapwire up --probe 10.0.0.1 "$X/")" "$X/a.xml" "up --probe ADDR: then the FILE"
is "$(offers 2 tapwire confirm '')" "lab" "confirm: OWNER, positional"
is "$(offers 2 tapwire revert -)" "--json --netns --quiet -N -j -q" "revert: no --owner"
is "$(offers 3 tapwire revert lab '')" "" "revert OWNER: nothing more"
is "$(offers 2 tapwire status -)" "--json --netns -N -j" "status"
is "$(offers 3 tapwire attach x.xml --d)" "--domain --dry-run" "attach's options"
is "$(offers 5 tapwire detach x.xml --domain vm --c)" "--connect" "detach --domain DOM: --connect"

done_testing
