/* Open vSwitch, the way libvirt drives it: ovs-vsctl, one fixed argv per
 * call, no shell, a timeout. OVS keeps its bridges and ports in its own
 * database (ovsdb-server); ovs-vswitchd makes the devices from it. Only
 * root paths (tapwire, the hook) call this: the setuid helper never does
 * (see tapwire-bridge-helper(8)).
 *
 * Which database: ovs-vsctl's default (unix:$OVS_RUNDIR/db.sock, OVS_RUNDIR
 * defaulting to /run/openvswitch), or TAPWIRE_OVSDB (passed as --db=); the
 * program: TAPWIRE_OVS_VSCTL, else ovs-vsctl from PATH. All three come
 * from the environment only when tapwire does not run with elevated
 * privileges (AT_SECURE); then the program is OVS_VSCTL (configure) and
 * its environment holds PATH alone. */
#ifndef TW_OVS_H
#define TW_OVS_H

#include <net/if.h>
#include <stddef.h>

/* How long ovs-vsctl may wait for ovsdb-server and ovs-vswitchd. */
#define TW_OVS_TIMEOUT_S 10

/* Run ovs-vsctl with args (NULL-terminated, no options before them but
 * --timeout and --db). Returns its exit status (0..255), or -errno when it
 * could not be run. out (may be NULL) gets its standard output and error,
 * cut to len bytes, trailing newline removed. */
int tw_ovs_vsctl(const char *const *args, char *out, size_t len);

/* Whether bridge name exists in OVS: 1 yes, 0 no, -errno (why set) when
 * OVS cannot be asked. */
int tw_ovs_bridge_exists(const char *name, char *why, size_t len);

/* The OVS bridge dev is a port of: 1 with bridge filled, 0 when dev is no
 * port, -errno (why set) when OVS cannot be asked. */
int tw_ovs_port_bridge(const char *dev, char bridge[IFNAMSIZ], char *why, size_t len);

/* An OVS bridge's settings as the database has them (tapwire compares
 * them with the file): stp -1 when unknown; datapath "" for Open vSwitch's
 * default ("system"). 0, or -errno with why set. */
struct tw_ovs_br_settings {
	int stp;
	char datapath[32];
};
int tw_ovs_bridge_settings(const char *name, struct tw_ovs_br_settings *out, char *why,
			   size_t len);

/* Run args; 0, or -errno with why set to what ovs-vsctl said. */
int tw_ovs_do(const char *const *args, char *why, size_t len);

/* KEY="VALUE" in OVSDB's syntax for a string (a C string: \ and " escaped). */
void tw_ovs_setting(char *buf, size_t len, const char *key, const char *value);

#endif
