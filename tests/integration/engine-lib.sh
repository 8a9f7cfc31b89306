# Shared by the engine suites (engine-*.sh), sourced after tests/lib.sh and
# tw_isolate. Everything here reads the kernel (ip, sysfs) or tapwire's
# state file; nothing trusts what tapwire prints about itself.

TW=$top_builddir/cli/tapwire
EX=$top_srcdir/examples

# run ARGS...: tapwire with its exit code in $rc, stdout in $out, stderr in
# $err. Bounded: a run that hangs is killed and counts as a failure.
run() {
	timeout 60 "$TW" "$@" > "$TW_TMP/run.out" 2> "$TW_TMP/run.err"
	rc=$?
	out=$(cat "$TW_TMP/run.out")
	err=$(cat "$TW_TMP/run.err")
}

# ipn NS ARGS...: ip in namespace NS ("." = this test's own).
ipn() {
	ns=$1; shift
	if [ "$ns" = . ]; then ip "$@"; else ip -n "$ns" "$@"; fi
}

# One line per device: "NS NAME up=0|1 mtu=N master=M mac=X kind=K", plus
# one line per address (link-local ones aside, the kernel adds and ages
# those on its own). Volatile details (qdisc, carrier, ifindex) are left out.
kdevs() { # kdevs NS
	ipn "$1" -d -o link show 2>/dev/null | awk -v ns="$1" '{
		name = $2; sub(/:$/, "", name); sub(/@.*/, "", name)
		up = ($3 ~ /[<,]UP[,>]/) ? 1 : 0
		mtu = ""; master = "-"; mac = "-"; kind = "-"
		for (i = 4; i <= NF; i++) {
			if ($i == "mtu") mtu = $(i + 1)
			if ($i == "master") master = $(i + 1)
			if ($i == "link/ether") mac = $(i + 1)
			# The kind follows maxmtu N (after a "\\" that -o puts for a newline).
			if ($i == "maxmtu") {
				j = i + 2
				if ($j == "\\") j++
				if ($j != "addrgenmode" && $j != "numtxqueues") kind = $j
			}
		}
		print ns, name, "up=" up, "mtu=" mtu, "master=" master, "mac=" mac, "kind=" kind
	}' | sort
	ipn "$1" -o addr show 2>/dev/null | grep -v ' scope link' |
		awk -v ns="$1" '{ print ns, $2, $3, $4 }' | sort
}

# The whole picture: named namespaces, the files under /run/netns, and the
# devices and addresses of this namespace and of every named one.
kstate() {
	echo "netns: $(netns_names | tr '\n' ' ')"
	echo "files: $(ls /run/netns 2>/dev/null | sort | tr '\n' ' ')"
	kdevs .
	for n in $(netns_names); do kdevs "$n"; done
}
netns_names() { ip netns list 2>/dev/null | awk '{ print $1 }' | sort; }
has_netns() { netns_names | grep -qx "$1"; }

# Records on file in the state (the journal of this network namespace),
# owners counted once each: 0 once everything is released.
records() {
	cat "$TAPWIRE_RUNDIR"/state* 2>/dev/null | grep -vc '^tapwire-state ' || true
}

# A device's attribute as the kernel reports it in namespace NS, via the
# sysfs `ip netns exec` mounts for that namespace.
ns_attr() { # ns_attr NS DEV ATTR
	ip netns exec "$1" cat "/sys/class/net/$2/$3" 2>/dev/null
}
ns_ports() { # ns_ports NS BRIDGE: its ports, sorted, space separated
	ip netns exec "$1" ls "/sys/class/net/$2/brif" 2>/dev/null | sort | tr '\n' ' ' | sed 's/ $//'
}
dev_is_down() { f=$(sys_attr "$1" flags); [ -n "$f" ] && [ $(( f & 1 )) -eq 0 ]; }
ns_up() { # ns_up NS DEV
	f=$(ns_attr "$1" "$2" flags); [ -n "$f" ] && [ $(( f & 1 )) -eq 1 ]
}
# The addresses of DEV in NS ("10.0.1.1/24 fd00::1/64"), link-local aside.
ns_addrs() { # ns_addrs NS DEV
	ipn "$1" -o addr show dev "$2" 2>/dev/null | grep -v ' scope link' | awk '{ print $4 }' |
		sort | tr '\n' ' ' | sed 's/ $//'
}
# The ifindex a veth's IFLA_LINK names (its peer), from "name@ifN".
veth_peer_index() { # veth_peer_index NS DEV
	ipn "$1" -o link show dev "$2" 2>/dev/null | sed -n 's/^[0-9]*: [^@]*@if\([0-9]*\):.*/\1/p'
}
ifindex() { # ifindex NS DEV
	ipn "$1" -o link show dev "$2" 2>/dev/null | sed -n 's/^\([0-9]*\):.*/\1/p'
}

# pings NS ADDR: a reply within a few tries (the first may wait for ARP).
pings() {
	i=0
	while [ $i -lt 3 ]; do
		ip netns exec "$1" ping -c 1 -W 2 -q "$2" > /dev/null 2>&1 && return 0
		i=$((i + 1))
	done
	return 1
}

# A device that is not a bridge, not a veth and not a tap, made by hand, as a
# foreign device in tapwire's way: dummy when the kernel has it, else ifb.
mk_foreign() { # mk_foreign NAME
	ip link add "$1" type dummy 2> /dev/null || ip link add "$1" type ifb
}

# Summarise `tapwire status --json` as "kind|netns|name|arg|created|live|owners"
# lines (owners sorted, comma separated), with python3 or jq. Returns 2 when
# neither is available, 1 when the text is not JSON.
json_summary() { # json_summary FILE
	if command -v python3 > /dev/null 2>&1; then
		python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for o in d["objects"]:
    print("|".join([o["kind"], o["netns"], o["name"], o["arg"],
                    str(o["created"]).lower(), str(o["live"]).lower(),
                    ",".join(sorted(o["owners"]))]))
' "$1" 2> /dev/null || return 1
	elif command -v jq > /dev/null 2>&1; then
		jq -r '.objects[] | [.kind, .netns, .name, .arg, (.created | tostring),
			(.live | tostring), (.owners | sort | join(","))] | join("|")' "$1" 2> /dev/null ||
			return 1
	else
		return 2
	fi
}

# json_check FILE NAME EXPECTED-LINES: status --json against what is expected
# (sorted both sides), or a skip when no JSON reader is installed.
json_check() {
	json_summary "$1" > "$TW_TMP/json.sum"
	case $? in
	2) skip "$2 (neither python3 nor jq is installed)" ;;
	1) not_ok "$2: not valid JSON"; diag "$(head -c 400 "$1")" ;;
	*) is "$(sort "$TW_TMP/json.sum")" "$(printf '%s\n' "$3" | sort)" "$2" ;;
	esac
}
