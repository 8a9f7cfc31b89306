/* Every field of every valid example comes out of the reader as written:
 * the examples users copy from, the contract's example and documents that
 * use each element and attribute at least once. */
#include <arpa/inet.h>
#include <errno.h>

#include "xmltest.h"

static void check_contract(void)
{
	struct tw_doc doc;
	if (xt_load("tests/xml/contract.xml", &doc) < 0)
		return;
	const struct tw_net *n = doc.net;
	tap_is_int(doc.kind, TW_DOC_NET, "contract: kind net");
	tap_ok(!doc.domain && !doc.iface, "contract: only net is set");
	tap_is_str(n->owner, "lab", "contract: owner is the name");
	tap_like(n->source, "tests/xml/contract.xml", "contract: source is the file");
	tap_is_int(n->n_namespaces, 2, "contract: 2 namespaces");
	tap_is_str(n->namespaces[0].name, "net0", "contract: namespace net0");
	tap_is_int(n->namespaces[0].line, 2, "contract: namespace line");
	tap_is_int(n->n_bridges, 2, "contract: 2 bridges");
	const struct tw_bridge_spec *b = &n->bridges[0];
	tap_is_str(b->name, "br0", "contract: br0");
	tap_is_str(b->ns, "", "contract: br0 where tapwire runs");
	tap_is_int(b->mtu, 1500, "contract: br0 mtu");
	tap_is_int(b->stp, TW_NO, "contract: br0 stp off");
	tap_is_int(b->type, TW_BRIDGE_LINUX, "contract: br0 linux by default");
	tap_ok(!b->has_mac, "contract: br0 no mac");
	tap_is_int(b->addrs.n, 1, "contract: br0 one address");
	tap_is_str(xt_cidr(&b->addrs.v[0]), "10.0.1.254/24", "contract: br0 address");
	tap_is_int(b->line, 4, "contract: br0 line");
	tap_is_str(n->bridges[1].ns, "bridge", "contract: br in namespace bridge");
	tap_is_int(n->bridges[1].stp, TW_UNSET, "contract: br stp unset");
	tap_is_int(n->bridges[1].mtu, 0, "contract: br mtu unset");
	tap_is_int(n->n_veths, 1, "contract: 1 veth");
	const struct tw_veth_spec *v = &n->veths[0];
	tap_is_int(v->line, 6, "contract: veth line");
	tap_is_str(v->end[0].name, "net0-br", "contract: end 0 name");
	tap_is_str(v->end[0].ns, "net0", "contract: end 0 namespace");
	tap_is_str(xt_cidr(&v->end[0].addrs.v[0]), "10.0.1.1/24", "contract: end 0 address");
	tap_is_int(v->end[0].line, 7, "contract: end 0 line");
	tap_is_str(v->end[1].name, "br-net0", "contract: end 1 name");
	tap_is_str(v->end[1].ns, "", "contract: end 1 where tapwire runs");
	tap_is_str(v->end[1].bridge, "br0", "contract: end 1 on br0");
	tap_is_int(v->end[1].addrs.n, 0, "contract: end 1 no address");
	tap_is_int(n->n_taps, 1, "contract: 1 tap");
	const struct tw_tap_spec *t = &n->taps[0];
	tap_is_str(t->name, "tap-alice", "contract: tap name");
	tap_is_str(t->bridge, "br0", "contract: tap bridge");
	tap_is_str(t->owner, "alice", "contract: tap owner");
	tap_is_str(t->group, "", "contract: tap group unset");
	tap_is_int(t->queues, 4, "contract: tap queues");
	tap_is_int(t->vnet_hdr, TW_YES, "contract: tap vnet-hdr");
	tap_ok(t->has_mac, "contract: tap has mac");
	tap_is_str(xt_mac(t->mac), "52:54:00:38:06:f9", "contract: tap mac as written");
	tap_is_int(n->n_vxlans, 1, "contract: 1 vxlan");
	const struct tw_vxlan_spec *x = &n->vxlans[0];
	tap_is_str(x->name, "vx42", "contract: vxlan name");
	tap_is_int(x->id, 42, "contract: vxlan id");
	tap_is_str(x->bridge, "br0", "contract: vxlan bridge");
	tap_is_str(x->dev, "eth1", "contract: vxlan dev");
	tap_ok(x->has_local && x->local.family == AF_INET, "contract: vxlan local v4");
	tap_is_str(xt_cidr(&x->local), "192.0.2.1/32", "contract: vxlan local");
	tap_ok(x->has_remote && !x->has_group && !x->n_remotes, "contract: vxlan remote only");
	tap_is_str(xt_cidr(&x->remote), "192.0.2.2/32", "contract: vxlan remote");
	tap_is_int(x->port, 0, "contract: vxlan port left to lib");
	tap_is_int(n->n_ports, 1, "contract: 1 port");
	tap_is_str(n->ports[0].dev, "eth1", "contract: port dev");
	tap_is_str(n->ports[0].bridge, "br0", "contract: port bridge");
	tap_is_int(n->ports[0].line, 12, "contract: port line");
	tw_doc_free(&doc);
	tap_ok(!doc.net, "tw_doc_free zeroes the document");
}

static void check_seed_veth(const char *dir)
{
	char rel[256];
	struct tw_doc doc;
	snprintf(rel, sizeof(rel), "%s/seed-veth.xml", dir);
	if (xt_load(rel, &doc) < 0)
		return;
	const struct tw_net *n = doc.net;
	tap_is_str(n->owner, "seed-veth", "seed-veth: owner");
	tap_ok(n->n_namespaces == 2 && !strcmp(n->namespaces[0].name, "net0") &&
		       !strcmp(n->namespaces[1].name, "net1"),
	       "seed-veth: namespaces net0 and net1");
	tap_ok(!n->n_bridges && !n->n_taps && !n->n_vxlans && !n->n_ports,
	       "seed-veth: nothing but the pair");
	tap_is_int(n->n_veths, 1, "seed-veth: one pair");
	const struct tw_veth_end *e = n->veths[0].end;
	tap_ok(!strcmp(e[0].ns, "net0") && !strcmp(e[0].name, "veth0"), "seed-veth: veth0 in net0");
	tap_ok(!strcmp(e[1].ns, "net1") && !strcmp(e[1].name, "veth1"), "seed-veth: veth1 in net1");
	tap_is_str(xt_cidr(&e[0].addrs.v[0]), "10.0.1.1/24", "seed-veth: 10.0.1.1/24");
	tap_is_str(xt_cidr(&e[1].addrs.v[0]), "10.0.1.2/24", "seed-veth: 10.0.1.2/24");
	tap_ok(!*e[0].bridge && !*e[1].bridge, "seed-veth: no bridge");
	tw_doc_free(&doc);
}

static void check_seed_bridge(const char *dir)
{
	char rel[256];
	struct tw_doc doc;
	snprintf(rel, sizeof(rel), "%s/seed-bridge.xml", dir);
	if (xt_load(rel, &doc) < 0)
		return;
	const struct tw_net *n = doc.net;
	tap_is_int(n->n_namespaces, 3, "seed-bridge: 3 namespaces");
	tap_is_str(n->namespaces[2].name, "bridge", "seed-bridge: namespace bridge");
	tap_ok(n->n_bridges == 1 && !strcmp(n->bridges[0].name, "br") &&
		       !strcmp(n->bridges[0].ns, "bridge"),
	       "seed-bridge: br inside namespace bridge");
	tap_is_int(n->n_veths, 2, "seed-bridge: two pairs");
	static const char *const want[2][2][3] = {
		{ { "net0", "net0-bridge", "" }, { "bridge", "bridge-net0", "br" } },
		{ { "net1", "net1-bridge", "" }, { "bridge", "bridge-net1", "br" } },
	};
	for (int v = 0; v < 2 && v < (int)n->n_veths; v++)
		for (int i = 0; i < 2; i++) {
			const struct tw_veth_end *e = &n->veths[v].end[i];
			tap_ok(!strcmp(e->ns, want[v][i][0]) && !strcmp(e->name, want[v][i][1]) &&
				       !strcmp(e->bridge, want[v][i][2]),
			       "seed-bridge: %s in %s on '%s'", want[v][i][1], want[v][i][0],
			       want[v][i][2]);
		}
	tap_is_str(xt_cidr(&n->veths[0].end[0].addrs.v[0]), "10.0.1.1/24", "seed-bridge: net0 address");
	tap_is_str(xt_cidr(&n->veths[1].end[0].addrs.v[0]), "10.0.1.2/24", "seed-bridge: net1 address");
	tw_doc_free(&doc);
}

static void check_seed_tap(const char *dir)
{
	char rel[256];
	struct tw_doc doc;
	snprintf(rel, sizeof(rel), "%s/seed-tap.xml", dir);
	if (xt_load(rel, &doc) < 0)
		return;
	const struct tw_net *n = doc.net;
	tap_ok(n->n_bridges == 1 && !strcmp(n->bridges[0].name, "br0") && !*n->bridges[0].ns,
	       "seed-tap: br0 where tapwire runs");
	tap_ok(n->n_namespaces == 1 && !strcmp(n->namespaces[0].name, "net0"), "seed-tap: net0");
	tap_is_int(n->n_taps, 0, "seed-tap: no taps");
	const struct tw_veth_end *e = n->veths[0].end;
	tap_ok(!strcmp(e[0].ns, "net0") && e[0].addrs.n == 1, "seed-tap: end in net0");
	tap_is_str(xt_cidr(&e[0].addrs.v[0]), "10.0.1.1/24", "seed-tap: 10.0.1.1/24");
	tap_ok(!strcmp(e[1].name, "br-net0") && !strcmp(e[1].bridge, "br0"), "seed-tap: br-net0 on br0");
	tw_doc_free(&doc);
}

static void check_domain_bridge(const char *dir)
{
	char rel[256];
	struct tw_doc doc;
	snprintf(rel, sizeof(rel), "%s/domain-bridge.xml", dir);
	if (xt_load(rel, &doc) < 0)
		return;
	const struct tw_domain *d = doc.domain;
	tap_is_int(doc.kind, TW_DOC_DOMAIN, "domain-bridge: kind domain");
	tap_ok(!doc.net && !doc.iface, "domain-bridge: topology is domain->net, not doc.net");
	tap_is_str(d->name, "seed-vm", "domain-bridge: name");
	tap_is_str(d->type, "qemu", "domain-bridge: type");
	tap_is_str(d->uuid, "6b0e4f8c-3c1e-4f4e-9d8a-2f7c1a9b5e10", "domain-bridge: uuid");
	tap_is_int(d->n_ifaces, 1, "domain-bridge: one interface");
	const struct tw_iface *i = &d->ifaces[0];
	tap_is_int(i->type, TW_IFACE_BRIDGE, "domain-bridge: type bridge");
	tap_is_str(i->type_name, "bridge", "domain-bridge: type name");
	tap_ok(i->has_mac, "domain-bridge: has mac");
	tap_is_str(xt_mac(i->mac), "52:54:00:38:06:f9", "domain-bridge: mac");
	tap_is_str(i->source_bridge, "br0", "domain-bridge: source bridge");
	tap_is_str(i->model, "virtio", "domain-bridge: model");
	tap_ok(!*i->target_dev && i->target_managed == TW_UNSET, "domain-bridge: no target");
	tap_ok(i->queues == 0 && i->mtu == 0 && i->link_up == TW_UNSET, "domain-bridge: unset rest");
	tap_ok(i->line > 0, "domain-bridge: interface line");
	tap_ok(d->net != NULL, "domain-bridge: metadata read");
	if (!d->net)
		goto out;
	tap_is_str(d->net->owner, "seed-vm", "domain-bridge: owner is the domain name");
	tap_ok(d->net->n_bridges == 1 && !strcmp(d->net->bridges[0].name, "br0"), "domain-bridge: br0");
	tap_ok(d->net->n_namespaces == 1 && !strcmp(d->net->namespaces[0].name, "net0"),
	       "domain-bridge: net0");
	tap_ok(d->net->n_veths == 1 && !strcmp(d->net->veths[0].end[1].bridge, "br0"),
	       "domain-bridge: veth into br0");
out:
	tw_doc_free(&doc);
}

static void check_full_net(void)
{
	struct tw_doc doc;
	if (xt_load("tests/xml/full.xml", &doc) < 0)
		return;
	const struct tw_net *n = doc.net;
	tap_ok(n->n_namespaces == 2 && !strcmp(n->namespaces[1].name, "ns_b.2"),
	       "full: any prefix bound to the namespace works");
	const struct tw_bridge_spec *b = &n->bridges[0];
	tap_ok(b->mtu == 9000 && b->stp == TW_YES && b->type == TW_BRIDGE_LINUX, "full: br0 mtu/stp/type");
	tap_is_str(xt_mac(b->mac), "02:00:00:00:00:01", "full: br0 mac");
	tap_is_int(b->addrs.n, 2, "full: br0 two addresses");
	tap_is_str(xt_cidr(&b->addrs.v[1]), "fd00::1/64", "full: br0 IPv6 address");
	tap_is_int(n->bridges[1].type, TW_BRIDGE_OVS, "full: ovs bridge");
	tap_is_str(n->bridges[1].datapath, "netdev", "full: ovs bridge datapath");
	tap_is_str(n->bridges[0].datapath, "", "full: a Linux bridge has no datapath");
	const struct tw_veth_end *e = n->veths[0].end;
	tap_ok(e[0].mtu == 1400 && e[0].has_mac && !strcmp(e[0].bridge, "ovs0"), "full: end 0");
	tap_ok(e[1].addrs.n == 2 && e[1].addrs.v[1].family == AF_INET6, "full: end 1 addresses");
	tap_is_str(xt_cidr(&e[1].addrs.v[1]), "2001:db8::2/127", "full: end 1 IPv6");
	const struct tw_tap_spec *t = &n->taps[0];
	tap_ok(!strcmp(t->ns, "ns-a") && !strcmp(t->bridge, "ovs0"), "full: tap ns and bridge");
	tap_ok(!strcmp(t->owner, "1000") && !strcmp(t->group, "kvm"), "full: tap owner and group");
	tap_ok(t->queues == 256 && t->vnet_hdr == TW_NO && t->mtu == 68, "full: tap queues/vnet-hdr/mtu");
	tap_is_str(xt_mac(t->mac), "52:54:00:ab:cd:ef", "full: tap mac with dashes");
	tap_is_str(xt_cidr(&t->addrs.v[0]), "172.16.0.1/32", "full: tap address");
	const struct tw_tap_spec *t1 = &n->taps[1];
	tap_ok(t1->queues == 0 && t1->vnet_hdr == TW_UNSET && !t1->has_mac && !*t1->owner,
	       "full: bare tap has defaults");
	const struct tw_vxlan_spec *x = &n->vxlans[0];
	tap_ok(x->id == 0 && x->port == 8472 && x->mtu == 1450, "full: vx0 id 0, port, mtu");
	tap_ok(x->has_group && !x->has_remote && x->group.family == AF_INET6, "full: vx0 v6 group");
	tap_is_str(xt_cidr(&x->local), "2001:db8::1/128", "full: vx0 local");
	tap_ok(!strcmp(x->dev, "eth0") && !strcmp(x->bridge, "br0"), "full: vx0 dev and bridge");
	x = &n->vxlans[1];
	tap_ok(x->id == TW_VXLAN_ID_MAX && x->n_remotes == 2, "full: vx1 id max, two remotes");
	tap_is_str(xt_cidr(&x->remotes[1]), "192.0.2.11/32", "full: vx1 second remote");
	tap_ok(!n->vxlans[2].has_remote && !n->vxlans[2].has_group, "full: vx2 without peer");
	tap_ok(n->n_ports == 2 && !strcmp(n->ports[1].ns, "ns-a"), "full: same dev in two namespaces");
	tw_doc_free(&doc);
}

static void check_domain_full(void)
{
	struct tw_doc doc;
	if (xt_load("tests/xml/domain-full.xml", &doc) < 0)
		return;
	const struct tw_domain *d = doc.domain;
	tap_is_str(d->name, "web 1", "domain-full: name with a space");
	tap_is_str(d->type, "kvm", "domain-full: type");
	tap_is_str(d->uuid, "6b0e4f8c3c1e4f4e9d8a2f7c1a9b5e10", "domain-full: uuid without dashes");
	tap_is_str(d->net ? d->net->owner : NULL, "web-net", "domain-full: tw:net name wins");
	tap_is_int(d->n_ifaces, 5, "domain-full: 5 interfaces");
	if (d->n_ifaces != 5)
		goto out;
	const struct tw_iface *i = &d->ifaces[0];
	tap_ok(i->type == TW_IFACE_BRIDGE && !strcmp(i->target_dev, "vnet0"), "domain-full: 0 bridge vnet0");
	tap_ok(!strcmp(i->driver_name, "vhost") && i->queues == 4, "domain-full: 0 driver");
	tap_ok(i->mtu == 9000 && i->link_up == TW_NO, "domain-full: 0 mtu and link down");
	tap_is_str(xt_mac(i->mac), "52:54:00:00:00:01", "domain-full: 0 mac");
	i = &d->ifaces[1];
	tap_is_int(i->type, TW_IFACE_NETWORK, "domain-full: 1 network");
	tap_ok(!strcmp(i->source_network, "default") && !strcmp(i->source_bridge, "virbr0"),
	       "domain-full: 1 network and its bridge");
	tap_is_str(i->model, "e1000e", "domain-full: 1 model");
	i = &d->ifaces[2];
	tap_ok(i->type == TW_IFACE_ETHERNET && i->target_managed == TW_NO, "domain-full: 2 ethernet unmanaged");
	tap_ok(i->link_up == TW_YES && !i->has_mac, "domain-full: 2 link up, no mac");
	i = &d->ifaces[3];
	tap_is_str(i->virtualport_type, "openvswitch", "domain-full: 3 virtualport");
	tap_is_str(i->interfaceid, "09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f", "domain-full: 3 interfaceid");
	tap_is_int(i->target_managed, TW_YES, "domain-full: 3 managed");
	i = &d->ifaces[4];
	tap_ok(i->type == TW_IFACE_DIRECT && !strcmp(i->type_name, "direct"), "domain-full: 4 direct");
	tap_is_str(i->source_dev, "eth0", "domain-full: 4 source dev");
	tap_is_str(i->source_mode, "vepa", "domain-full: 4 source mode");
	tap_ok(d->ifaces[0].line < d->ifaces[4].line, "domain-full: lines increase");
out:
	tw_doc_free(&doc);
}

static void check_domain_plain(void)
{
	struct tw_doc doc;
	if (xt_load("tests/xml/domain-no-metadata.xml", &doc) < 0)
		return;
	tap_ok(doc.domain->net == NULL, "domain without metadata: net is NULL");
	tap_ok(doc.domain->n_ifaces == 1 && doc.domain->ifaces[0].type == TW_IFACE_OTHER &&
		       !strcmp(doc.domain->ifaces[0].type_name, "user"),
	       "domain without metadata: user interface kept");
	tap_is_str(doc.domain->uuid, "", "domain without uuid: empty");
	tw_doc_free(&doc);
}

static void check_interface(void)
{
	struct tw_doc doc;
	if (xt_load("tests/xml/interface.xml", &doc) < 0)
		return;
	tap_is_int(doc.kind, TW_DOC_IFACE, "interface: kind");
	const struct tw_iface *i = doc.iface;
	tap_ok(i && i->type == TW_IFACE_BRIDGE && !strcmp(i->source_bridge, "br0"), "interface: bridge br0");
	tap_is_str(i ? xt_mac(i->mac) : NULL, "52:54:00:38:06:f9", "interface: mac");
	tap_ok(i && !strcmp(i->target_dev, "tap-vm0") && i->queues == 2, "interface: target and queues");
	tap_is_int(i ? i->line : 0, 2, "interface: line");
	tw_doc_free(&doc);
}

static long slurp(const char *rel, char *buf, size_t len)
{
	char path[4096];
	xt_path(path, sizeof(path), rel);
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, len, f);
	fclose(f);
	return (long)n;
}

/* The user-facing examples and the tested copies must not drift apart. */
static void check_examples_match(void)
{
	static const char *const names[] = { "seed-veth.xml", "seed-bridge.xml", "seed-tap.xml",
					     "domain-bridge.xml" };
	static char a[65536], b[65536];
	for (size_t k = 0; k < TW_ARRAY_SIZE(names); k++) {
		char ra[256], rb[256];
		snprintf(ra, sizeof(ra), "examples/%s", names[k]);
		snprintf(rb, sizeof(rb), "tests/xml/%s", names[k]);
		long na = slurp(ra, a, sizeof(a)), nb = slurp(rb, b, sizeof(b));
		tap_ok(na > 0 && na == nb && !memcmp(a, b, (size_t)na), "%s equals %s", ra, rb);
	}
}

int main(void)
{
	check_contract();
	check_seed_veth("examples");
	check_seed_bridge("examples");
	check_seed_tap("examples");
	check_domain_bridge("examples");
	check_seed_veth("tests/xml");
	check_domain_bridge("tests/xml");
	check_full_net();
	check_domain_full();
	check_domain_plain();
	check_interface();
	check_examples_match();
	return tap_done();
}
