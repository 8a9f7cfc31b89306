/* Live attach and detach through the libvirt API.
 *
 * libvirt hot-plugs an existing tap as <interface type='ethernet'> with
 * <target dev='TAP' managed='no'/>: libvirtd opens the tap itself (once
 * per queue), hands the fds to QEMU and leaves the device alone (no MAC,
 * no bridge, no deletion). So tapwire owns the tap from start to end, and
 * the guest NIC keeps working whatever libvirt does with its own taps.
 *
 * Detaching a PCI NIC needs the guest's help (ACPI or PCIe hotplug): libvirt
 * waits a few seconds, then returns even if the guest has not let go. The
 * tap is removed only once the NIC is gone from the live XML, so QEMU never
 * loses a tap under a device the guest still uses. */
#include "libvirt.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fail.h"
#include "twxml.h"
#include "core/util.h"

/* How long the guest gets to release a NIC, on top of libvirt's own wait. */
#define DETACH_WAIT_MS 15000


/* libvirt's own words for its last error. */
static const char *virt_msg(void)
{
	const char *m = virGetLastErrorMessage();
	return m && *m ? m : "unknown libvirt error";
}

/* The library prints every error on stderr unless told otherwise; tapwire
 * prints the one line that matters itself. */
static void quiet(void *data, virErrorPtr err)
{
	(void)data;
	(void)err;
}

struct virt {
	virConnectPtr conn;
	virDomainPtr dom;
	const struct tw_virt_opts *o;
};

static void virt_close(struct virt *v)
{
	if (v->dom)
		virDomainFree(v->dom);
	if (v->conn)
		virConnectClose(v->conn);
	v->dom = NULL;
	v->conn = NULL;
}

/* By name, as virsh does first; then as a UUID or an id when it reads as
 * one. libvirt's message for the name lookup is the one kept: "Invalid
 * UUID" about a plain name would only confuse. */
static virDomainPtr lookup(virConnectPtr c, const char *name, char *err, size_t len)
{
	virDomainPtr d = virDomainLookupByName(c, name);
	if (d)
		return d;
	snprintf(err, len, "%s", virt_msg());
	unsigned long id;
	if (strlen(name) >= 32 && strspn(name, "0123456789abcdefABCDEF-") == strlen(name))
		d = virDomainLookupByUUIDString(c, name);
	else if (tw_parse_uint(name, 1, 0x7fffffff, &id) == 0)
		d = virDomainLookupByID(c, (int)id);
	return d;
}

/* The host part of a libvirt URI ("" when local): the tap is made where
 * tapwire runs, so a domain on another host could not use it. */
static void uri_host(const char *uri, char *host, size_t len)
{
	const char *p = strstr(uri, "://");
	host[0] = '\0';
	if (!p)
		return;
	p += 3;
	size_t n = strcspn(p, "/?");
	const char *at = memchr(p, '@', n);
	if (at) {
		n -= (size_t)(at + 1 - p);
		p = at + 1;
	}
	if (*p != '[') {
		const char *colon = memchr(p, ':', n);
		if (colon)
			n = (size_t)(colon - p);
	}
	snprintf(host, len, "%.*s", (int)n, p);
	if (!strcmp(host, "localhost") || !strcmp(host, "127.0.0.1") || !strcmp(host, "[::1]"))
		host[0] = '\0';
}

/* Connect, find the domain; 0, or the exit code after saying why. */
static int virt_open(struct virt *v, const struct tw_virt_opts *o, bool need_running,
		     bool *running)
{
	memset(v, 0, sizeof(*v));
	v->o = o;
	virSetErrorFunc(NULL, quiet);
	if (virInitialize() < 0)
		return tw_cli_fail(TW_EXIT_REFUSED, "libvirt: %s", virt_msg());
	char host[256];
	uri_host(o->uri ? o->uri : "", host, sizeof(host));
	if (host[0])
		return tw_cli_fail(TW_EXIT_INPUT, "--connect %s: libvirt on host %s; tapwire makes its taps "
					"here, so run it there", o->uri, host);
	v->conn = virConnectOpenAuth(o->uri, virConnectAuthPtrDefault, 0);
	if (!v->conn)
		return tw_cli_fail(TW_EXIT_REFUSED, "libvirt: %s", virt_msg());
	/* libvirt's default URI may be remote too. */
	char *uri = virConnectGetURI(v->conn);
	uri_host(uri ? uri : "", host, sizeof(host));
	if (host[0]) {
		int r = tw_cli_fail(TW_EXIT_INPUT, "libvirt: %s is on host %s; tapwire makes its taps here, "
					 "so run it there", uri, host);
		free(uri);
		virt_close(v);
		return r;
	}
	free(uri);
	char err[512];
	v->dom = lookup(v->conn, o->domain, err, sizeof(err));
	if (!v->dom) {
		int r = tw_cli_fail(TW_EXIT_REFUSED, "domain %s: libvirt: %s", o->domain, err);
		virt_close(v);
		return r;
	}
	int active = virDomainIsActive(v->dom);
	if (active < 0 || (need_running && !active)) {
		int r = active < 0 ? tw_cli_fail(TW_EXIT_REFUSED, "domain %s: libvirt: %s", o->domain, virt_msg())
				   : tw_cli_fail(TW_EXIT_REFUSED, "domain %s is not running; start it, or "
							"add the interface to its XML instead", o->domain);
		virt_close(v);
		return r;
	}
	if (running)
		*running = active == 1;
	return 0;
}

/* The guest NIC in the live domain: by MAC when i has one, else by the tap
 * it sits on. 1 found (*found filled), 0 not there, -1 error (said). */
static int virt_find(struct virt *v, const struct tw_iface *i, const char *tap,
		     struct tw_iface *found)
{
	char *xml = virDomainGetXMLDesc(v->dom, 0);
	if (!xml)
		return tw_cli_fail(-1, "domain %s: libvirt: %s", v->o->domain, virt_msg());
	struct tw_doc doc;
	struct tw_xml_error xe;
	int r = tw_xml_parse_memory(xml, strlen(xml), v->o->domain, &doc, &xe);
	free(xml);
	if (r < 0 || doc.kind != TW_DOC_DOMAIN) {
		char msg[800];
		tw_xml_error_format(&xe, msg, sizeof(msg));
		if (r == 0)
			tw_doc_free(&doc);
		return tw_cli_fail(-1, "domain %s: cannot read its live XML: %s", v->o->domain,
			    r < 0 ? msg : "not a <domain>");
	}
	r = 0;
	for (size_t k = 0; k < doc.domain->n_ifaces && !r; k++) {
		const struct tw_iface *g = &doc.domain->ifaces[k];
		bool match = i->has_mac ? g->has_mac && !memcmp(g->mac, i->mac, TW_MAC_LEN)
					: !strcmp(g->target_dev, tap);
		if (match) {
			*found = *g;
			r = 1;
		}
	}
	tw_doc_free(&doc);
	return r;
}

/* libvirt's model names are plain words; anything else would need XML
 * escaping and is not a model anyway. */
static bool plain_word(const char *s)
{
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", *s))
			return false;
	return true;
}

/* What libvirt is asked to plug: the same guest-visible NIC, now backed by
 * tapwire's tap. */
static void iface_xml(const struct tw_iface *i, const uint8_t mac[TW_MAC_LEN], const char *tap,
		      char *buf, size_t len)
{
	char m[TW_MAC_STRLEN];
	size_t n = 0;
	tw_mac_format(mac, m);
#define ADD(...) (n += (size_t)snprintf(buf + n, n < len ? len - n : 0, __VA_ARGS__))
	ADD("<interface type='ethernet'>\n  <mac address='%s'/>\n", m);
	ADD("  <target dev='%s' managed='no'/>\n", tap);
	if (i->model[0])
		ADD("  <model type='%s'/>\n", i->model);
	if (i->queues > 1)
		ADD("  <driver queues='%u'/>\n", i->queues);
	if (i->mtu)
		ADD("  <mtu size='%u'/>\n", i->mtu);
	if (i->link_up == TW_NO)
		ADD("  <link state='down'/>\n");
	ADD("</interface>\n");
#undef ADD
}

/* Random 52:54:00:xx:xx:xx, QEMU's prefix as libvirt uses it, so that the
 * tap and the guest NIC agree on a MAC the file did not give. */
static void make_mac(uint8_t mac[TW_MAC_LEN])
{
	static const uint8_t prefix[3] = { 0x52, 0x54, 0x00 };
	memcpy(mac, prefix, 3);
	if (tw_random(mac + 3, 3) < 0) {
		unsigned v = (unsigned)time(NULL) ^ (unsigned)getpid();
		mac[3] = (uint8_t)v;
		mac[4] = (uint8_t)(v >> 8);
		mac[5] = (uint8_t)(v >> 16);
	}
}

/* The engine's error: on stderr, and in the report (--json). */
static int engine_fail(const struct tw_virt_opts *o, const struct tw_err *e)
{
	if (o->run.report)
		tw_report_error(o->run.report, e->msg);
	return tw_cli_fail(e->exit ? e->exit : TW_EXIT_REFUSED, "%s", e->msg);
}

/* One step of the guest side: "+ interface T in domain D", and, for
 * --json, what went to or from the domain (action: attached, present,
 * detached, would-attach, would-detach); a dry run shows xml. */
static void plug_step(const struct tw_virt_opts *o, char mark, const char *tap,
		      const char *action, const char *xml)
{
	struct tw_report *rep = o->run.report;
	char desc[300];
	if (!rep)
		return;
	if (!strcmp(action, "would-attach"))
		snprintf(desc, sizeof(desc), "hot-plug into domain %s:", o->domain);
	else if (mark == '=')
		snprintf(desc, sizeof(desc), "interface %s already in domain %s", tap, o->domain);
	else
		snprintf(desc, sizeof(desc), "interface %s %s domain %s", tap,
			 mark == '-' ? "from" : "in", o->domain);
	tw_report_step(rep, mark, NULL, "interface", desc, NULL);
	tw_report_hotplug(rep, o->domain, tap, action, xml);
}

/* The device attach makes: a tap, or a macvtap for type='direct'; both
 * are plugged as type='ethernet' managed='no' (libvirt opens a macvtap's
 * /dev/tapN itself). */
struct plugged {
	char *name;
	bool *has_mac;
	uint8_t *mac;
};

static struct plugged plugged(struct tw_net *net)
{
	if (net->n_macvlans)
		return (struct plugged){ net->macvlans[0].name, &net->macvlans[0].has_mac,
					 net->macvlans[0].mac };
	return (struct plugged){ net->taps[0].name, &net->taps[0].has_mac, net->taps[0].mac };
}

int tw_virt_attach(const struct tw_iface *i, struct tw_net *net, const struct tw_virt_opts *o)
{
	if (i->model[0] && !plain_word(i->model))
		return tw_cli_fail(TW_EXIT_INPUT, "%s: model type '%s' is not a libvirt model name", o->file,
			    i->model);
	int r = 0;
	struct plugged pl = plugged(net), *t = &pl;
	if (!*t->has_mac) {
		make_mac(t->mac);
		*t->has_mac = true;
	}
	char xml[1024];
	iface_xml(i, t->mac, t->name, xml, sizeof(xml));
	if (o->run.dry_run) {
		struct tw_err e;
		r = tw_up(net, &o->run, &e) < 0 ? engine_fail(o, &e) : 0;
		if (r == 0)
			plug_step(o, '+', t->name, "would-attach", xml);
		return r;
	}

	struct virt v;
	struct tw_iface g;
	if ((r = virt_open(&v, o, true, NULL)))
		return r;
	int have = virt_find(&v, i, t->name, &g);
	if (have < 0) {
		r = TW_EXIT_REFUSED;
	} else if (have && strcmp(g.target_dev, t->name)) {
		char m[TW_MAC_STRLEN];
		tw_mac_format(t->mac, m);
		r = tw_cli_fail(TW_EXIT_REFUSED, "domain %s already has interface %s (on %s, not on %s)",
			 o->domain, m, g.target_dev[0] ? g.target_dev : "no tap", t->name);
	}
	if (r) {
		virt_close(&v);
		return r;
	}

	/* Undo only what this run made: a tap that was there (an earlier
	 * attach without --domain) stays. */
	bool existed = if_nametoindex(t->name) != 0;
	struct tw_err e;
	if (tw_up(net, &o->run, &e) < 0) {
		r = engine_fail(o, &e);
	} else if (have) {
		plug_step(o, '=', t->name, "present", NULL);
	} else if (virDomainAttachDeviceFlags(v.dom, xml, VIR_DOMAIN_AFFECT_LIVE) < 0) {
		r = tw_cli_fail(TW_EXIT_REFUSED, "%s: domain %s: libvirt: %s", o->file, o->domain, virt_msg());
		struct tw_run_opts q = o->run;
		q.out = NULL;
		q.report = NULL;
		if (!existed && tw_down(net->owner, &q, &e) < 0)
			fprintf(stderr, "tapwire: rolling back: %s\n", e.msg);
	} else {
		plug_step(o, '+', t->name, "attached", xml);
	}
	virt_close(&v);
	return r;
}

/* Poll the live XML until the NIC is gone; libvirt already waited ~5 s. */
static int wait_gone(struct virt *v, const struct tw_iface *i, const char *tap)
{
	struct tw_iface g;
	for (int waited = 0;; waited += 100) {
		int have = virt_find(v, i, tap, &g);
		if (have <= 0)
			return have;
		if (waited >= DETACH_WAIT_MS)
			return 1;
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

int tw_virt_detach(const struct tw_iface *i, const struct tw_net *net,
		   const struct tw_virt_opts *o)
{
	int r = 0;
	const char *tap = net->n_macvlans ? net->macvlans[0].name : net->taps[0].name;
	struct tw_err e;
	if (o->run.dry_run) {
		plug_step(o, '-', tap, "would-detach", NULL);
		return tw_down(net->owner, &o->run, &e) < 0 ? engine_fail(o, &e) : 0;
	}

	struct virt v;
	bool running = false;
	struct tw_iface g;
	if ((r = virt_open(&v, o, false, &running)))
		return r;
	int have = running ? virt_find(&v, i, tap, &g) : 0;
	char m[TW_MAC_STRLEN];
	tw_mac_format(have > 0 ? g.mac : i->mac, m);
	if (have < 0) {
		r = TW_EXIT_REFUSED;
	} else if (have && strcmp(g.target_dev, tap)) {
		/* Same MAC, another backend: not the NIC attach made. */
		r = tw_cli_fail(TW_EXIT_REFUSED, "domain %s: interface %s is on %s, not on %s; not detaching it",
			 o->domain, m, g.target_dev[0] ? g.target_dev : "no tap", tap);
	} else if (have) {
		char xml[256];
		snprintf(xml, sizeof(xml), "<interface type='ethernet'><mac address='%s'/></interface>", m);
		if (virDomainDetachDeviceFlags(v.dom, xml, VIR_DOMAIN_AFFECT_LIVE) < 0)
			r = tw_cli_fail(TW_EXIT_REFUSED, "%s: domain %s: libvirt: %s", o->file, o->domain,
				 virt_msg());
		else if ((have = wait_gone(&v, i, tap)) != 0)
			r = have < 0 ? TW_EXIT_REFUSED
				     : tw_cli_fail(TW_EXIT_REFUSED, "domain %s: the guest has not released interface %s after %d s "
							  "(no hotplug support in it?); tap %s is kept: detach again later",
					    o->domain, m, DETACH_WAIT_MS / 1000, tap);
		else
			plug_step(o, '-', tap, "detached", NULL);
	}
	virt_close(&v);
	if (r == 0 && tw_down(net->owner, &o->run, &e) < 0)
		r = engine_fail(o, &e);
	return r;
}
