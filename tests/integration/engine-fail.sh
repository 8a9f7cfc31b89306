#!/bin/sh
# Bad input never reaches the kernel: every file of the hostile corpus in
# tests/bad/, files that cannot be read, and every kind of usage error make
# tapwire exit 2 with one line on stderr that names what is wrong (and
# file:line for a document), and leave the kernel and the state exactly as
# they were. A topology is up throughout, to show nothing of it is touched.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
tw_isolate "$@"
. "$top_srcdir/tests/integration/engine-lib.sh"

run up -q "$EX/seed-veth.xml"
is "$rc" 0 "a topology to keep: seed-veth is up"
base=$(kstate)
run status
base_status=$out
cp "$TAPWIRE_RUNDIR"/state* "$TW_TMP/state.before"

# refused CODE NAME PATTERN ARGS...: exit CODE, nothing on stdout, exactly one
# line on stderr matching "^tapwire: PATTERN" (pattern as grep -E).
refused() {
	code=$1; name=$2; pat=$3; shift 3
	run "$@"
	nlines=$(printf '%s\n' "$err" | wc -l | tr -d ' ')
	if [ "$rc" = "$code" ] && [ -z "$out" ] && [ "$nlines" = 1 ] &&
		printf '%s' "$err" | grep -Eq -- "^tapwire: $pat"; then
		ok "$name: exit $code, one line naming what is wrong"
	else
		not_ok "$name"
		diag "  exit $rc (want $code); stdout '$out'" "  stderr ($nlines lines): $err" "  want /^tapwire: $pat/"
	fi
}
# A regular expression matching S literally.
re() { printf '%s' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g'; }

# ---- the corpus: what each file promises ("<!-- expect: LINE: MESSAGE -->"),
# after "tapwire: FILE:".
n=0
for f in "$top_srcdir"/tests/bad/*.xml; do
	n=$((n + 1))
	want=$(sed -n 's/.*<!-- expect: \(.*\) -->.*/\1/p' "$f" | head -n 1)
	if [ -n "$want" ]; then
		refused 2 "bad/$(basename "$f")" "$(re "$f:$want")\$" up "$f"
	else
		refused 2 "bad/$(basename "$f")" "$(re "$f"):[0-9]+: " up "$f"
	fi
done
check "the corpus has its 100 files or more (found $n)" test "$n" -ge 100

# The same refusals from the other commands that read a document.
refused 2 "check of a bad file" "$(re "$top_srcdir/tests/bad/name-16-chars.xml"):[0-9]+: " \
	check "$top_srcdir/tests/bad/name-16-chars.xml"
refused 2 "down of a bad file" "$(re "$top_srcdir/tests/bad/undeclared-namespace.xml"):[0-9]+: " \
	down "$top_srcdir/tests/bad/undeclared-namespace.xml"
refused 2 "attach of a bad file" "$(re "$top_srcdir/tests/bad/xxe-local-file.xml"):[0-9]+: " \
	attach "$top_srcdir/tests/bad/xxe-local-file.xml"

# Bad input only the planner can see (a user that does not exist).
cat > "$TW_TMP/nouser.xml" <<'EOF'
<tw:net xmlns:tw="urn:tapwire:1" name="nouser">
  <tw:bridge name="brx"/>
  <tw:tap name="tapx" bridge="brx" owner="no-such-user-tw"/>
</tw:net>
EOF
refused 2 "a tap owned by an unknown user" "$(re "$TW_TMP/nouser.xml"):3: tap tapx: unknown user 'no-such-user-tw'\$" \
	up "$TW_TMP/nouser.xml"

# ---- files that cannot be read
refused 2 "missing file" "/nonexistent/lab\.xml: cannot open: No such file or directory" up /nonexistent/lab.xml
refused 2 "a directory" "$(re "$TW_TMP"): cannot read: Is a directory" up "$TW_TMP"
refused 2 "down of a missing file" "/nonexistent/lab\.xml: " down /nonexistent/lab.xml

# ---- usage
refused 2 "unknown command" "unknown command 'frob'" frob
refused 2 "unknown option" "unknown option '--frob'" up --frob "$EX/seed-veth.xml"
refused 2 "unknown short option" "unknown option '-x'" up -x "$EX/seed-veth.xml"
refused 2 "up without FILE" "up: which FILE\?" up
refused 2 "down without FILE" "down: which FILE\?" down
refused 2 "check without FILE" "check: which FILE\?" check
refused 2 "attach without FILE" "attach: which IFACE\.xml\?" attach
refused 2 "detach without FILE" "detach: which IFACE\.xml\?" detach
refused 2 "two FILEs" "unexpected argument 'b\.xml'" up a.xml b.xml
refused 2 "status with a FILE" "status takes no FILE" status "$EX/seed-veth.xml"
refused 2 "--owner without its argument" "option '--owner' needs an argument" down --owner
refused 2 "down --owner with a '/'" "owner name contains '/'" down --owner a/b
refused 2 "down with FILE and --owner" "down: give FILE or --owner NAME, not both" \
	down --owner seed-veth "$EX/seed-veth.xml"
refused 2 "up --owner with a bad name" "--owner a/b: owner name contains '/'" \
	up --owner a/b "$EX/seed-veth.xml"
refused 2 "status --owner" "status: --owner does not apply" status --owner x
refused 2 "attach of a <tw:net>" "$(re "$EX/seed-veth.xml"): attach takes one libvirt <interface> element" \
	attach "$EX/seed-veth.xml"
run
is "$rc" 2 "no command at all: exit 2"
like "$(printf '%s\n' "$err" | head -n 1)" '^tapwire: which COMMAND\?$' "no command: the first line says so"
like "$err" '^Usage: tapwire COMMAND' "no command: then the usage"

# ---- what must not fail
run --help
like "$rc:$out" '^0:Usage: tapwire COMMAND' "--help: exit 0, usage on stdout"
for cmd in up down check status attach detach; do
	if grep -Eq "^  $cmd( |\$)" "$TW_TMP/run.out"; then ok "--help lists $cmd"; else not_ok "--help lists $cmd"; fi
done
run --version
like "$rc:$out" '^0:tapwire [0-9]' "--version: exit 0, 'tapwire VERSION'"

# ---- and through all of that, nothing moved
is "$(kstate)" "$base" "the kernel is exactly as before the bad input"
run status
is "$out" "$base_status" "status is exactly as before"
check "the state file is byte for byte as before" cmp -s "$TW_TMP/state.before" "$(ls "$TAPWIRE_RUNDIR"/state*)"
check "seed-veth still works: net0 pings net1" pings net0 10.0.1.2
run down -q "$EX/seed-veth.xml"
is "$rc $(netns_names | wc -l) $(records)" "0 0 0" "down of the topology kept throughout"

done_testing
