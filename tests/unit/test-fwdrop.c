/* Reading other tools' forward chains (lib/engine/forward-drop.h) from
 * rulesets as nft prints them: what drops a bridge's traffic is named with
 * its fix, what does not is left alone. */
#include <string.h>

#include "engine/forward-drop.h"
#include "tap-protocol.h"

/* Docker 24 with iptables-nft, as `nft list ruleset` prints it (shortened). */
static const char docker[] =
	"table ip nat {\n"
	"\tchain POSTROUTING {\n"
	"\t\ttype nat hook postrouting priority 100; policy accept;\n"
	"\t\tip saddr 172.17.0.0/16 oifname != \"docker0\" counter masquerade\n"
	"\t}\n"
	"}\n"
	"table ip filter {\n"
	"\tchain FORWARD {\n"
	"\t\ttype filter hook forward priority 0; policy drop;\n"
	"\t\tcounter jump DOCKER-USER\n"
	"\t\toifname \"docker0\" ct state related,established counter accept\n"
	"\t}\n"
	"\n"
	"\tchain DOCKER-USER {\n"
	"\t\tcounter return\n"
	"\t}\n"
	"}\n";

static const char others[] =
	"table inet fw {\n"
	"\tchain fwd {\n"
	"\t\ttype filter hook forward priority 0; policy accept;\n"
	"\t\tct state invalid drop\n"
	"\t\tiifname \"eth9\" drop\n"
	"\t\tcounter drop\n"
	"\t}\n"
	"\tchain input {\n"
	"\t\ttype filter hook input priority 0; policy drop;\n"
	"\t}\n"
	"}\n"
	"table bridge br {\n"
	"\tchain f {\n"
	"\t\ttype filter hook forward priority -200; policy drop;\n"
	"\t}\n"
	"}\n"
	"table ip tapwire {\n"
	"\tchain fwd-br0-1 {\n"
	"\t\ttype filter hook forward priority 0; policy accept;\n"
	"\t}\n"
	"}\n"
	"table ip6 six {\n"
	"\tchain f {\n"
	"\t\ttype filter hook forward priority 0; policy drop;\n"
	"\t}\n"
	"}\n";

static const char quiet[] =
	"table inet fw {\n"
	"\tchain fwd {\n"
	"\t\ttype filter hook forward priority 0; policy accept;\n"
	"\t\tct state invalid drop\n"
	"\t\tlog prefix \"x \" accept\n"
	"\t}\n"
	"}\n";

int main(void)
{
	struct tw_fwdrop d[4];
	memset(d, 0, sizeof(d));
	tap_is_int(tw_forward_drops_in(docker, d, 4), 1, "Docker: one chain in the way");
	tap_is_str(d[0].what, "table ip filter chain FORWARD (hook forward): policy drop",
		   "Docker: its FORWARD chain, policy drop");
	tap_is_str(d[0].fix, "iptables -I DOCKER-USER -i BRIDGE -j ACCEPT; iptables -I DOCKER-USER "
		   "-o BRIDGE -j ACCEPT", "Docker: the fix is DOCKER-USER, which Docker leaves alone");

	tap_is_int(tw_forward_drops_in(others, d, 4), 2, "a drop-all rule and a bridge table's policy");
	tap_is_str(d[0].what, "table inet fw chain fwd (hook forward): a rule drops everything",
		   "inet: a counter drop rule counts, conditional drops and input chains do not");
	tap_like(d[0].fix, "nft insert rule inet fw fwd iifname BRIDGE accept", "inet: an nft fix");
	tap_is_str(d[1].what, "table bridge br chain f (hook forward): policy drop",
		   "bridge family: policy drop; tapwire's own and ip6 tables are not counted");

	tap_is_int(tw_forward_drops_in(quiet, d, 4), 0, "conditional drops only: nothing");
	tap_is_int(tw_forward_drops_in(others, d, 1), 2, "max 1: both are counted");
	tap_is_int(tw_forward_drops_in("", d, 4), 0, "an empty ruleset: nothing");
	return tap_done();
}
