/* The MTU of a VXLAN and so of the bridge it is on (lib/engine/mtu.h):
 * pure arithmetic on the underlay's MTU and the address family. */
#include <string.h>
#include <sys/socket.h>

#include "engine/mtu.h"
#include "tap-protocol.h"

static void test_arithmetic(void)
{
	tap_is_int(tw_mtu_vxlan(0, 1500, AF_INET), 1450, "1500 underlay over IPv4: 1450");
	tap_is_int(tw_mtu_vxlan(0, 1500, AF_INET6), 1430, "1500 underlay over IPv6: 1430");
	tap_is_int(tw_mtu_vxlan(0, 9000, AF_INET), 8950, "jumbo 9000 over IPv4: 8950");
	tap_is_int(tw_mtu_vxlan(0, 9000, AF_INET6), 8930, "jumbo 9000 over IPv6: 8930");
	tap_is_int(tw_mtu_vxlan(0, 1400, AF_INET), 1350, "a 1400 tunnel underneath: 1350");
	tap_is_int(tw_mtu_vxlan(1400, 1500, AF_INET), 1400, "a declared mtu wins");
	tap_is_int(tw_mtu_vxlan(9000, 1500, AF_INET6), 9000, "... even one larger than fits");
	tap_is_int(tw_mtu_vxlan(0, 0, AF_INET), 1450, "underlay unknown: 1500 assumed, IPv4: 1450");
	tap_is_int(tw_mtu_vxlan(0, 0, AF_INET6), 1430, "underlay unknown: 1500 assumed, IPv6: 1430");
	tap_is_int(tw_mtu_vxlan(0, 68 + 50 + 1, AF_INET), 69, "just above the floor: 69");
	tap_is_int(tw_mtu_vxlan(0, 68 + 50, AF_INET), TW_MTU_MIN, "at the floor: TW_MTU_MIN");
	tap_is_int(tw_mtu_vxlan(0, 100, AF_INET6), TW_MTU_MIN, "an underlay smaller than the overhead: TW_MTU_MIN");
	tap_is_int(tw_mtu_vxlan(0, 1500, AF_UNSPEC), 1450, "no family said: IPv4's overhead");
}

static struct tw_vxlan_spec vxlan(const char *local, const char *remote, const char *group)
{
	struct tw_vxlan_spec v;
	memset(&v, 0, sizeof(v));
	v.has_local = local && tw_ip_parse(local, &v.local) == 0;
	v.has_remote = remote && tw_ip_parse(remote, &v.remote) == 0;
	v.has_group = group && tw_ip_parse(group, &v.group) == 0;
	return v;
}

static void test_family(void)
{
	struct tw_vxlan_spec v = vxlan(NULL, NULL, NULL);
	tap_is_int(tw_mtu_vxlan_family(&v), AF_INET, "family: no address at all: IPv4");
	v = vxlan(NULL, "192.0.2.2", NULL);
	tap_is_int(tw_mtu_vxlan_family(&v), AF_INET, "family: an IPv4 remote");
	v = vxlan(NULL, "2001:db8::2", NULL);
	tap_is_int(tw_mtu_vxlan_family(&v), AF_INET6, "family: an IPv6 remote");
	v = vxlan("2001:db8::1", NULL, NULL);
	tap_is_int(tw_mtu_vxlan_family(&v), AF_INET6, "family: an IPv6 local");
	v = vxlan(NULL, NULL, "ff05::100");
	tap_is_int(tw_mtu_vxlan_family(&v), AF_INET6, "family: an IPv6 group");
	v = vxlan(NULL, NULL, NULL);
	struct tw_cidr remotes[2];
	tw_ip_parse("2001:db8::3", &remotes[0]);
	tw_ip_parse("192.0.2.4", &remotes[1]);
	v.remotes = remotes;
	v.n_remotes = 2;
	tap_is_int(tw_mtu_vxlan_family(&v), AF_INET6, "family: the first of its remotes");
	tap_is_int(tw_mtu_vxlan(0, 1500, tw_mtu_vxlan_family(&v)), 1430, "... so 1430 on 1500");
}

int main(void)
{
	test_arithmetic();
	test_family();
	return tap_done();
}
