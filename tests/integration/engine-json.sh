#!/bin/sh
# `--json` on up, check, down, attach and detach: one JSON document on
# stdout (owner, dry run, each step with its mark, kind, namespace, name,
# description and note, the counts; a refusal's blockers with pid, command
# and domain; attach/detach's tap and what would be hot-plugged), stderr and
# the exit code as without it. The kernel is checked as usual.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
tw_isolate "$@"
. "$top_srcdir/tests/integration/engine-lib.sh"

# jv FILE EXPR: the python3 expression EXPR about the document d in FILE,
# printed; "NOT JSON" when it does not parse. Without python3, jq checks
# that it parses, and the field checks are skipped.
if command -v python3 > /dev/null 2>&1; then
	jv() {
		python3 -c 'import json, sys
try:
    d = json.load(open(sys.argv[1]))
except ValueError:
    print("NOT JSON"); sys.exit(0)
print(eval(sys.argv[2]))' "$1" "$2" 2>&1
	}
elif command -v jq > /dev/null 2>&1; then
	jv() { if jq . "$1" > /dev/null 2>&1; then echo "SKIP"; else echo "NOT JSON"; fi; }
else
	skip_all "neither python3 nor jq is installed"
fi
# jis FILE EXPR WANT NAME
jis() {
	got=$(jv "$1" "$2")
	if [ "$got" = SKIP ]; then skip "$4 (no python3)"; else is "$got" "$3" "$4"; fi
}
J=$TW_TMP/out.json
save() { printf '%s\n' "$out" > "$J"; }

F=$TW_TMP/lab.xml
lab() { # lab WITH_VETH
	{
		echo '<tw:net xmlns:tw="urn:tapwire:1" name="lab">'
		echo '  <tw:namespace name="jn0"/>'
		echo '  <tw:bridge name="jbr0" address="10.9.0.1/24"/>'
		[ "$1" = yes ] && echo '  <tw:veth><tw:end name="jv0" bridge="jbr0"/><tw:end namespace="jn0" name="jv1" address="10.9.0.2/24"/></tw:veth>'
		echo '</tw:net>'
	} > "$F"
}
lab yes

# ---- check: the plan, machine-readable, nothing changed
base=$(kstate)
run check --json "$F"
save
is "$rc" 0 "check --json exits 0"
is "$(printf '%s\n' "$out" | wc -l)" 1 "check --json: one line, the document (no 'valid' line)"
jis "$J" '(d["command"], d["owner"], d["dry_run"], d["ok"], d["error"])' "('check', 'lab', True, True, None)" \
	"check --json: command, owner, dry run, ok"
jis "$J" '[(s["mark"], s["kind"], s["netns"], s["name"]) for s in d["steps"] if s["kind"] in ("bridge", "netns", "veth")]' \
	"[('+', 'netns', 'jn0', 'jn0'), ('+', 'bridge', '', 'jbr0'), ('+', 'veth', '', 'jv0')]" \
	"check --json: the steps, with mark, kind, namespace and name"
jis "$J" 'd["summary"]["created"] == len(d["steps"]) and d["summary"]["text"].startswith("lab: ") and d["summary"]["text"].endswith("(dry run)")' \
	True "check --json: the counts match the steps; the summary says dry run"
is "$(kstate)" "$base" "check --json changes nothing"

# ---- up -n: the same plan; up: the steps taken
run up -n --json "$F"
save
jis "$J" '(d["command"], d["dry_run"], len(d["steps"]) > 3)' "('up', True, True)" "up -n --json: a dry run with its steps"
is "$(kstate)" "$base" "up -n --json changes nothing"
is "$(records)" 0 "up -n --json records nothing"
run up --json "$F"
save
is "$rc" 0 "up --json exits 0"
jis "$J" '(d["command"], d["owner"], d["dry_run"], d["ok"], d["exit"], d["blockers"], d["tap"], d["hotplug"])' \
	"('up', 'lab', False, True, 0, [], None, None)" "up --json: owner, not a dry run, ok"
jis "$J" '[s["description"] for s in d["steps"] if s["kind"] == "bridge"]' "['bridge jbr0']" \
	"up --json: the description as the text line shows it"
jis "$J" 'all(set(s) >= {"mark", "kind", "netns", "name", "description", "note"} for s in d["steps"])' True \
	"up --json: every step has mark, kind, netns, name, description, note"
jis "$J" '(d["summary"]["created"], d["summary"]["text"])' "($(jv "$J" 'len([s for s in d["steps"] if s["mark"] == "+"])'), 'lab: $(jv "$J" 'len([s for s in d["steps"] if s["mark"] == "+"])') created')" \
	"up --json: created counts the + steps, the text summary as the text form says it"
check "up --json: jbr0 is there" dev_exists jbr0
is "$(ns_addrs jn0 jv1)" "10.9.0.2/24" "up --json: jv1 has its address in jn0"
run up --json "$F"
save
jis "$J" '(d["steps"], d["summary"]["text"])' "([], 'lab: nothing to do')" "a second up --json: nothing to do"

# ---- a converging up: the veth goes, with a - step
lab no
run up --json "$F"
save
is "$rc" 0 "converging up --json exits 0"
jis "$J" '[(s["mark"], s["kind"], s["name"]) for s in d["steps"] if s["kind"] == "veth"]' "[('-', 'veth', 'jv0')]" \
	"converging up --json: the veth's removal, marked -"
jis "$J" 'd["summary"]["removed"] >= 1' True "converging up --json: counted as removed"
check "converging up: jv0 is gone" sh -c '! ip link show jv0 > /dev/null 2>&1'

# ---- a refused down: a veth made by hand on jbr0
ip link add jbusy-a type veth peer name jbusy-b
ip link set jbusy-a master jbr0
before=$(kstate)
run down --json "$F"
save
is "$rc" 1 "down --json refused: exit 1"
like "$err" "^tapwire: down lab: bridge jbr0 still has port jbusy-a \\(veth, peer jbusy-b\\); --force removes it anyway\$" \
	"down --json refused: the line on stderr as without --json"
like "$(printf '%s\n' "$err" | tail -n 1)" '^tapwire: down lab: refused: 1 in use, nothing removed' "down --json refused: the summary line on stderr"
jis "$J" '(d["command"], d["ok"], d["exit"], d["steps"], d["error"].startswith("down lab: refused"))' \
	"('down', False, 1, [], True)" "down --json refused: not ok, exit 1, no step, the error"
jis "$J" '[(b["object"], b["port"], b["kind"], b["owner"], b["peer"], b["held"], b["pid"], b["command"], b["domain"]) for b in d["blockers"]]' \
	"[('bridge jbr0', 'jbusy-a', 'veth', None, 'jbusy-b', False, None, None, None)]" \
	"down --json refused: the blocker (port, kind, peer; no pid, command, domain)"
is "$(kstate)" "$before" "down --json refused: nothing changed"
ip link del jbusy-a

# ---- down
run down --json "$F"
save
is "$rc" 0 "down --json exits 0"
jis "$J" '(d["command"], d["owner"], d["ok"], sorted(set(s["mark"] for s in d["steps"])))' "('down', 'lab', True, ['-'])" \
	"down --json: every step a removal"
jis "$J" '[s["name"] for s in d["steps"] if s["kind"] == "bridge"]' "['jbr0']" "down --json: the bridge among them"
check "down --json: jbr0 is gone" sh -c '! ip link show jbr0 > /dev/null 2>&1'
is "$(records)" 0 "down --json: nothing on record"

# ---- attach/detach: the tap, and what a domain would get
ip link add br0 type bridge
IFACE=$TW_TMP/iface.xml
cat > "$IFACE" <<'XML'
<interface type='bridge'>
  <mac address='52:54:00:38:06:f9'/>
  <source bridge='br0'/>
  <model type='virtio'/>
</interface>
XML
TAP=tw003806f9
run attach --dry-run --json "$IFACE" --domain jvm
save
is "$rc" 0 "attach --dry-run --json --domain exits 0"
jis "$J" '(d["command"], d["tap"], d["dry_run"], d["hotplug"]["domain"], d["hotplug"]["interface"], d["hotplug"]["action"])' \
	"('attach', '$TAP', True, 'jvm', '$TAP', 'would-attach')" "attach --dry-run --json: the tap, what would be hot-plugged"
jis "$J" '"<target dev='"'$TAP'"' managed='"'no'"'/>" in d["hotplug"]["xml"]' True "attach --dry-run --json: the interface XML for the domain"
jis "$J" '[(s["mark"], s["kind"], s["name"]) for s in d["steps"]]' "[('+', 'tap', '$TAP'), ('+', 'interface', '$TAP')]" \
	"attach --dry-run --json: the tap, then the hot-plug"
check "attach --dry-run: no tap" sh -c "! ip link show $TAP > /dev/null 2>&1"
run attach --json "$IFACE"
save
is "$rc" 0 "attach --json exits 0"
jis "$J" '(d["command"], d["owner"], d["tap"], d["hotplug"], [(s["mark"], s["kind"], s["name"]) for s in d["steps"]])' \
	"('attach', 'iface:52:54:00:38:06:f9', '$TAP', None, [('+', 'tap', '$TAP')])" "attach --json: the tap made, no hot-plug"
is "$(dev_master "$TAP")" br0 "attach --json: the tap is on br0"
run detach --dry-run --json "$IFACE" --domain jvm
save
jis "$J" '(d["command"], d["tap"], d["hotplug"]["action"], [s["mark"] for s in d["steps"]])' \
	"('detach', '$TAP', 'would-detach', ['-', '-'])" "detach --dry-run --json --domain: what would be unplugged and removed"
run detach --json "$IFACE"
save
is "$rc" 0 "detach --json exits 0"
jis "$J" '(d["command"], d["tap"], [(s["mark"], s["kind"], s["name"]) for s in d["steps"]])' \
	"('detach', '$TAP', [('-', 'tap', '$TAP')])" "detach --json: the tap removed"
check "detach --json: the tap is gone" sh -c "! ip link show $TAP > /dev/null 2>&1"

# ---- strings are escaped: an error with a quote in the file name
Q=$TW_TMP/'a"b.xml'
lab yes
cp "$F" "$Q"
run check --json "$Q"
save
jis "$J" 'd["file"].endswith("a\"b.xml")' True "check --json: a file name with a quote, escaped"

done_testing
