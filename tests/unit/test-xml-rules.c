/* One failing case (and, at the edges, one passing case) per validation
 * rule, each checked against the message a user would read. Documents are
 * in memory, named "t.xml", so the expected "t.xml:LINE:" is exact. */
#include <errno.h>

#include "xmltest.h"

#define NS "xmlns:tw=\"urn:tapwire:1\""
/* Line 1 is <tw:net>, so the body starts on line 2. */
#define NET(body) "<tw:net " NS " name=\"t\">\n" body "</tw:net>\n"
/* Lines 1-3 are <domain>, <name>, <devices>: the body starts on line 4. */
#define DOM(body) "<domain type='kvm'>\n<name>vm</name>\n<devices>\n" body "</devices>\n</domain>\n"
#define BR0 "<tw:bridge name=\"br0\"/>\n"
#define NS0 "<tw:namespace name=\"net0\"/>\n"

struct rule {
	const char *doc;
	const char *expect; /* fragment of the formatted error; NULL: must parse */
};

static const struct rule rules[] = {
	/* required attributes */
	{ NET("<tw:namespace/>\n"), "t.xml:2: <tw:namespace>: missing required attribute 'name'" },
	{ NET("<tw:bridge/>\n"), "t.xml:2: <tw:bridge>: missing required attribute 'name'" },
	{ NET("<tw:tap/>\n"), "t.xml:2: <tw:tap>: missing required attribute 'name'" },
	{ NET("<tw:vxlan id=\"1\"/>\n"), "t.xml:2: <tw:vxlan>: missing required attribute 'name'" },
	{ NET("<tw:vxlan name=\"vx\"/>\n"), "t.xml:2: <tw:vxlan>: missing required attribute 'id'" },
	{ NET("<tw:port bridge=\"br0\"/>\n"), "t.xml:2: <tw:port>: missing required attribute 'dev'" },
	{ NET("<tw:port dev=\"eth0\"/>\n"), "t.xml:2: <tw:port>: missing required attribute 'bridge'" },
	{ NET("<tw:veth>\n<tw:end/>\n<tw:end name=\"b\"/>\n</tw:veth>\n"),
	  "t.xml:3: <tw:veth>: end is missing required attribute 'name'" },
	{ NET("<tw:vxlan name=\"vx\" id=\"1\">\n<tw:remote/>\n</tw:vxlan>\n"),
	  "t.xml:3: <tw:vxlan>: remote is missing required attribute 'address'" },
	{ "<tw:net " NS "/>", "t.xml:1: <tw:net>: missing required attribute 'name'" },
	/* device names */
	{ NET("<tw:tap name=\"abcdefghijklmno\"/>\n"), NULL },
	{ NET("<tw:tap name=\"abcdefghijklmnop\"/>\n"),
	  "t.xml:2: <tw:tap>: name 'abcdefghijklmnop' is 16 characters long; at most 15 are allowed" },
	{ NET("<tw:veth>\n<tw:end name=\"xxxxxxxxxxxxxxxxxxxxx\"/>\n<tw:end name=\"b\"/>\n</tw:veth>\n"),
	  "t.xml:3: <tw:veth>: end name 'xxxxxxxxxxxxxxxxxxxxx' is 21 characters long; at most 15 are allowed" },
	{ NET("<tw:bridge name=\"a/b\"/>\n"), "t.xml:2: <tw:bridge>: name 'a/b' contains '/'" },
	{ NET("<tw:bridge name=\"a:b\"/>\n"), "t.xml:2: <tw:bridge>: name 'a:b' contains ':'" },
	{ NET("<tw:bridge name=\"..\"/>\n"), "name '..' must not be '.' or '..'" },
	{ NET("<tw:bridge name=\"-x\"/>\n"), "name '-x' must not start with '-'" },
	{ NET("<tw:bridge name=\"\"/>\n"), "t.xml:2: <tw:bridge>: name is empty" },
	{ NET(BR0 "<tw:port dev=\"a b\" bridge=\"br0\"/>\n"), "<tw:port>: dev 'a b' contains byte 0x20" },
	{ NET("<tw:vxlan name=\"vx\" id=\"1\" dev=\"e/1\"/>\n"), "<tw:vxlan>: dev 'e/1' contains '/'" },
	{ NET("<tw:tap name=\"t&#9;1\"/>\n"), "name 't\\x091' contains byte 0x09" },
	/* namespace names */
	{ NET("<tw:namespace name=\"a23456789012345678901234567890123456789012345678901234567890123\"/>\n"),
	  NULL },
	{ NET("<tw:namespace name=\"a234567890123456789012345678901234567890123456789012345678901234\"/>\n"),
	  "t.xml:2: <tw:namespace>: name 'a234567890123456789012345678901234567890123456789012345678901234' is too long; at most 63" },
	{ NET("<tw:namespace name=\"a/b\"/>\n"), "<tw:namespace>: name 'a/b' contains '/'" },
	{ NET("<tw:namespace name=\".x\"/>\n"), "name '.x' must not start with '.'" },
	{ NET("<tw:bridge name=\"b\" namespace=\"../x\"/>\n"), "<tw:bridge>: namespace '../x' must not start with '.'" },
	/* owners */
	{ "<tw:net " NS " name=\"a/b\"/>", "t.xml:1: <tw:net>: name 'a/b' contains '/'" },
	{ "<tw:net " NS " name=\" lab\"/>", "name ' lab' must not start or end with a space" },
	{ NET("<tw:tap name=\"t\" owner=\"a/b\"/>\n"), "<tw:tap>: owner 'a/b' contains '/'" },
	{ NET("<tw:tap name=\"t\" group=\"k&#10;vm\"/>\n"), "<tw:tap>: group 'k\\x0avm' contains a control character" },
	{ NET("<tw:tap name=\"t\" owner=\"\"/>\n"), "<tw:tap>: owner is empty" },
	/* MAC addresses */
	{ NET("<tw:tap name=\"t\" mac=\"01:00:5e:00:00:01\"/>\n"),
	  "t.xml:2: <tw:tap>: mac '01:00:5e:00:00:01' is a multicast address" },
	{ NET("<tw:tap name=\"t\" mac=\"ff:ff:ff:ff:ff:ff\"/>\n"), "mac 'ff:ff:ff:ff:ff:ff' is a multicast address" },
	{ NET("<tw:bridge name=\"b\" mac=\"00:00:00:00:00:00\"/>\n"), "mac '00:00:00:00:00:00' is all zeros" },
	{ NET("<tw:bridge name=\"b\" mac=\"52:54:00:38:06:f9:00\"/>\n"), "is not a MAC address" },
	{ NET("<tw:bridge name=\"b\" mac=\"52:54:00:38:06:fg\"/>\n"), "is not a MAC address" },
	{ NET("<tw:bridge name=\"b\" mac=\"52:54-00:38:06:f9\"/>\n"), "is not a MAC address" },
	{ NET("<tw:veth>\n<tw:end name=\"a\" mac=\"03:00:00:00:00:01\"/>\n<tw:end name=\"b\"/>\n</tw:veth>\n"),
	  "t.xml:3: <tw:veth>: end mac '03:00:00:00:00:01' is a multicast address" },
	{ NET("<tw:bridge name=\"b\" mac=\"52-54-00-AB-CD-EF\"/>\n"), NULL },
	/* addresses */
	{ NET("<tw:bridge name=\"b\" address=\"10.0.1.1/24,fd00::1/64\"/>\n"), NULL },
	{ NET("<tw:bridge name=\"b\" address=\" 10.0.1.1/24 , fd00::1/64 \"/>\n"), NULL },
	{ NET("<tw:bridge name=\"b\" address=\"10.0.1.256/24\"/>\n"), "address '10.0.1.256/24' is not an IPv4 or IPv6 address" },
	{ NET("<tw:bridge name=\"b\" address=\"fd00::g/64\"/>\n"), "address 'fd00::g/64' is not" },
	{ NET("<tw:bridge name=\"b\" address=\"fd00::1/129\"/>\n"), "address 'fd00::1/129' is not" },
	{ NET("<tw:bridge name=\"b\" address=\"10.0.1.1/\"/>\n"), "address '10.0.1.1/' is not" },
	{ NET("<tw:bridge name=\"b\" address=\"10.0.1.1/024x\"/>\n"), "address '10.0.1.1/024x' is not" },
	{ NET("<tw:bridge name=\"b\" address=\"10.0.1.1\"/>\n"), "address '10.0.1.1' has no prefix length" },
	{ NET("<tw:bridge name=\"b\" address=\"10.0.1.1/24,\"/>\n"), "address has an empty item" },
	{ NET("<tw:bridge name=\"b\" address=\",10.0.1.1/24\"/>\n"), "address has an empty item" },
	{ NET("<tw:bridge name=\"b\" address=\"\"/>\n"), "<tw:bridge>: address is empty" },
	{ NET("<tw:tap name=\"t\" address=\"fd00::1/64,FD00::1/64\"/>\n"), "address 'fd00::1/64' is listed twice" },
	/* MTU */
	{ NET("<tw:bridge name=\"b\" mtu=\"68\"/>\n<tw:tap name=\"t\" mtu=\"65535\"/>\n"), NULL },
	{ NET("<tw:bridge name=\"b\" mtu=\"67\"/>\n"), "t.xml:2: <tw:bridge>: mtu 67 is out of range; allowed 68..65535" },
	{ NET("<tw:tap name=\"t\" mtu=\"65536\"/>\n"), "<tw:tap>: mtu 65536 is out of range; allowed 68..65535" },
	{ NET("<tw:vxlan name=\"v\" id=\"1\" mtu=\"0\"/>\n"), "<tw:vxlan>: mtu 0 is out of range" },
	{ NET("<tw:tap name=\"t\" mtu=\"99999999999999999999999\"/>\n"), "mtu 99999999999999999999999 is out of range" },
	/* strictly decimal */
	{ NET("<tw:tap name=\"t\" mtu=\"+1500\"/>\n"), "mtu '+1500' is not a decimal number" },
	{ NET("<tw:tap name=\"t\" mtu=\" 1500\"/>\n"), "mtu ' 1500' is not a decimal number" },
	{ NET("<tw:tap name=\"t\" mtu=\"1500x\"/>\n"), "mtu '1500x' is not a decimal number" },
	{ NET("<tw:tap name=\"t\" mtu=\"1e3\"/>\n"), "mtu '1e3' is not a decimal number" },
	{ NET("<tw:tap name=\"t\" mtu=\"\"/>\n"), "mtu '' is not a decimal number" },
	{ NET("<tw:tap name=\"t\" queues=\"0x10\"/>\n"), "queues '0x10' is not a decimal number" },
	/* queues */
	{ NET("<tw:tap name=\"t\" queues=\"1\"/>\n<tw:tap name=\"u\" queues=\"256\"/>\n"), NULL },
	{ NET("<tw:tap name=\"t\" queues=\"0\"/>\n"), "t.xml:2: <tw:tap>: queues 0 is out of range; allowed 1..256" },
	{ NET("<tw:tap name=\"t\" queues=\"257\"/>\n"), "queues 257 is out of range; allowed 1..256" },
	/* yes/no, on/off, enumerations: strictly the words documented */
	{ NET("<tw:tap name=\"t\" vnet-hdr=\"Yes\"/>\n"), "<tw:tap>: vnet-hdr 'Yes' must be 'yes' or 'no'" },
	{ NET("<tw:tap name=\"t\" vnet-hdr=\"1\"/>\n"), "vnet-hdr '1' must be 'yes' or 'no'" },
	{ NET("<tw:bridge name=\"b\" stp=\"true\"/>\n"), "<tw:bridge>: stp 'true' must be 'on' or 'off'" },
	{ NET("<tw:bridge name=\"b\" type=\"Linux\"/>\n"), "type 'Linux' must be 'linux' or 'ovs'" },
	{ NET("<tw:bridge name=\"b\" type=\"ovs\" datapath=\"system\"/>\n<tw:bridge name=\"c\" type=\"ovs\" datapath=\"netdev\"/>\n"), NULL },
	{ NET("<tw:bridge name=\"b\" datapath=\"netdev\"/>\n"),
	  "t.xml:2: <tw:bridge>: datapath= is for Open vSwitch bridges (type='ovs')" },
	{ NET("<tw:bridge name=\"b\" type=\"ovs\" datapath=\"dpdk\"/>\n"), "datapath 'dpdk' must be 'system' or 'netdev'" },
	{ NET(NS0 "<tw:bridge name=\"ovsx\" namespace=\"net0\" type=\"ovs\"/>\n"),
	  "t.xml:3: bridge ovsx: an Open vSwitch bridge lives where ovs-vswitchd runs; it takes no "
	  "namespace= (run tapwire there: tapwire --netns net0)" },
	{ NET("<tw:bridge name=\"ovsx\" namespace=\"n\" type=\"ovs\"/>\n"),
	  "t.xml:2: <tw:bridge>: namespace 'n' is not declared" },
	/* vxlan */
	{ NET("<tw:vxlan name=\"v\" id=\"0\"/>\n<tw:vxlan name=\"w\" id=\"16777215\"/>\n"), NULL },
	{ NET("<tw:vxlan name=\"v\" id=\"16777216\"/>\n"), "<tw:vxlan>: id 16777216 is out of range; allowed 0..16777215" },
	{ NET("<tw:vxlan name=\"v\" id=\"-1\"/>\n"), "id '-1' is not a decimal number" },
	{ NET("<tw:vxlan name=\"v\" id=\"1\" port=\"1\"/>\n<tw:vxlan name=\"w\" id=\"2\" port=\"65535\"/>\n"), NULL },
	{ NET("<tw:vxlan name=\"v\" id=\"1\" port=\"0\"/>\n"), "port 0 is out of range; allowed 1..65535" },
	{ NET("<tw:vxlan name=\"v\" id=\"1\" port=\"65536\"/>\n"), "port 65536 is out of range; allowed 1..65535" },
	{ NET("<tw:vxlan name=\"v\" id=\"1\" remote=\"192.0.2.2\" group=\"239.0.0.1\"/>\n"),
	  "t.xml:2: <tw:vxlan>: remote=, group= and <tw:remote> children exclude one another" },
	{ NET("<tw:vxlan name=\"v\" id=\"1\" group=\"239.0.0.1\">\n<tw:remote address=\"192.0.2.3\"/>\n</tw:vxlan>\n"),
	  "exclude one another" },
	{ NET("<tw:vxlan name=\"v\" id=\"1\" group=\"192.0.2.1\"/>\n"), "group '192.0.2.1' is not a multicast address" },
	{ NET("<tw:vxlan name=\"v\" id=\"1\" group=\"fd00::1\"/>\n"), "group 'fd00::1' is not a multicast address" },
	{ NET("<tw:vxlan name=\"v\" id=\"1\" remote=\"ff02::1\"/>\n"), "remote 'ff02::1' is a multicast address" },
	{ NET("<tw:vxlan name=\"v\" id=\"1\">\n<tw:remote address=\"239.1.1.1\"/>\n</tw:vxlan>\n"),
	  "t.xml:3: <tw:vxlan>: remote address '239.1.1.1' is a multicast address" },
	{ NET("<tw:vxlan name=\"v\" id=\"1\" local=\"239.1.1.1\"/>\n"), "local '239.1.1.1' is a multicast address" },
	{ NET("<tw:vxlan name=\"v\" id=\"1\" local=\"::\"/>\n"), "local '::' is the unspecified address" },
	{ NET("<tw:vxlan name=\"v\" id=\"1\" local=\"fd00::1\" group=\"239.1.1.1\" dev=\"e\"/>\n"),
	  "local fd00::1 and group 239.1.1.1 mix IPv4 and IPv6" },
	{ NET("<tw:vxlan name=\"v\" id=\"1\" group=\"239.1.1.1\"/>\n"),
	  "t.xml:2: <tw:vxlan>: group 239.1.1.1 needs dev=, the underlay device to join it on" },
	{ NET("<tw:vxlan name=\"v\" id=\"1\" group=\"239.1.1.1\" dev=\"eth1\"/>\n"), NULL },
	{ NET("<tw:vxlan name=\"v\" id=\"1\">\n<tw:remote address=\"192.0.2.3\"/>\n<tw:remote address=\"fd00::3\"/>\n</tw:vxlan>\n"),
	  "remote 192.0.2.3 and remote fd00::3 mix IPv4 and IPv6" },
	{ NET("<tw:vxlan name=\"v\" id=\"1\">\n<tw:remote address=\"fd00::3\"/>\n<tw:remote address=\"fd00:0::3\"/>\n</tw:vxlan>\n"),
	  "remote fd00::3 is listed twice" },
	{ NET("<tw:vxlan name=\"v\" id=\"1\">\n<tw:peer address=\"192.0.2.3\"/>\n</tw:vxlan>\n"),
	  "t.xml:3: <tw:peer>: unexpected element in <tw:vxlan>; it takes only <tw:remote> children" },
	{ NET("<tw:vxlan name=\"v\" id=\"1\" local=\"fd00::1\">\n<tw:remote address=\"fd00::2\"/>\n<tw:remote address=\"fd00::3\"/>\n</tw:vxlan>\n"),
	  NULL },
	/* duplicates */
	{ NET(NS0 NS0), "t.xml:3: <tw:namespace>: namespace 'net0' is already declared at line 2" },
	{ NET(BR0 "<tw:veth>\n<tw:end name=\"br0\"/>\n<tw:end name=\"x\"/>\n</tw:veth>\n"),
	  "t.xml:4: <tw:veth>: end name 'br0' where tapwire runs is already used by <tw:bridge> at line 2" },
	{ NET(NS0 "<tw:tap name=\"t\" namespace=\"net0\"/>\n<tw:vxlan name=\"t\" namespace=\"net0\" id=\"1\"/>\n"),
	  "t.xml:4: <tw:vxlan>: name 't' in namespace 'net0' is already used by <tw:tap> at line 3" },
	{ NET("<tw:tap name=\"t\"/>\n<tw:tap name=\"u\"/>\n<tw:tap name=\"t\"/>\n<tw:tap name=\"u\"/>\n"),
	  "t.xml:4: <tw:tap>: name 't'" },
	{ NET(NS0 BR0 "<tw:bridge name=\"br0\" namespace=\"net0\"/>\n"), NULL },
	{ NET(BR0 "<tw:port dev=\"e\" bridge=\"br0\"/>\n<tw:port dev=\"e\" bridge=\"br0\"/>\n"),
	  "t.xml:4: <tw:port>: dev 'e' where tapwire runs is already used by <tw:port> at line 3" },
	/* references */
	{ NET("<tw:bridge name=\"b\" namespace=\"n\"/>\n"),
	  "t.xml:2: <tw:bridge>: namespace 'n' is not declared; add <tw:namespace name=\"n\"/>" },
	{ NET("<tw:veth>\n<tw:end name=\"a\" namespace=\"n\"/>\n<tw:end name=\"b\"/>\n</tw:veth>\n"),
	  "t.xml:3: <tw:veth>: end namespace 'n' is not declared" },
	{ NET("<tw:tap name=\"t\" namespace=\"n\"/>\n"), "<tw:tap>: namespace 'n' is not declared" },
	{ NET("<tw:vxlan name=\"v\" id=\"1\" namespace=\"n\"/>\n"), "<tw:vxlan>: namespace 'n' is not declared" },
	{ NET("<tw:port dev=\"e\" bridge=\"b\" namespace=\"n\"/>\n"), "<tw:port>: namespace 'n' is not declared" },
	{ NET("<tw:tap name=\"t\" bridge=\"br9\"/>\n"),
	  "t.xml:2: <tw:tap>: bridge 'br9' is not declared where tapwire runs; add a <tw:bridge name=\"br9\"/>" },
	{ NET("<tw:vxlan name=\"v\" id=\"1\" bridge=\"br9\"/>\n"), "<tw:vxlan>: bridge 'br9' is not declared" },
	{ NET("<tw:port dev=\"e\" bridge=\"br9\"/>\n"), "<tw:port>: bridge 'br9' is not declared" },
	{ NET(NS0 "<tw:veth>\n<tw:end name=\"a\" namespace=\"net0\" bridge=\"br0\"/>\n<tw:end name=\"b\"/>\n</tw:veth>\n" BR0),
	  "t.xml:4: <tw:veth>: end bridge 'br0' is declared where tapwire runs (line 7), but this device is in namespace 'net0'" },
	{ NET("<tw:veth>\n<tw:end name=\"a\" bridge=\"br0\"/>\n<tw:end name=\"b\"/>\n</tw:veth>\n" BR0), NULL },
	{ NET(BR0 "<tw:port dev=\"br0\" bridge=\"br0\"/>\n"), "<tw:port>: dev 'br0' cannot be enslaved to itself" },
	{ NET(BR0 "<tw:tap name=\"t\"/>\n<tw:port dev=\"t\" bridge=\"br0\"/>\n"),
	  "t.xml:4: <tw:port>: dev 't' is created by <tw:tap> at line 3" },
	/* first problem in document order wins */
	{ NET("<tw:tap name=\"t\" bridge=\"x\"/>\n<tw:tap name=\"u\" namespace=\"y\"/>\n"), "t.xml:2: <tw:tap>: bridge 'x'" },
	/* unknown attributes and elements: typo protection */
	{ NET("<tw:namespace name=\"n\" nmae=\"x\"/>\n"), "<tw:namespace>: unknown attribute 'nmae'; allowed: name" },
	{ NET("<tw:bridge name=\"b\" stpp=\"on\"/>\n"), "<tw:bridge>: unknown attribute 'stpp'" },
	{ NET("<tw:veth mtu=\"1500\">\n<tw:end name=\"a\"/>\n<tw:end name=\"b\"/>\n</tw:veth>\n"),
	  "t.xml:2: <tw:veth>: unknown attribute 'mtu'; it takes none" },
	{ NET("<tw:veth>\n<tw:end name=\"a\" vnet-hdr=\"yes\"/>\n<tw:end name=\"b\"/>\n</tw:veth>\n"),
	  "t.xml:3: <tw:veth>: end unknown attribute 'vnet-hdr'" },
	{ NET("<tw:tap name=\"t\" queue=\"2\"/>\n"), "<tw:tap>: unknown attribute 'queue'" },
	{ NET("<tw:vxlan name=\"v\" vni=\"1\"/>\n"), "<tw:vxlan>: unknown attribute 'vni'" },
	{ NET("<tw:vxlan name=\"v\" id=\"1\">\n<tw:remote address=\"192.0.2.1\" port=\"1\"/>\n</tw:vxlan>\n"),
	  "<tw:vxlan>: remote unknown attribute 'port'" },
	{ NET("<tw:port dev=\"e\" bridge=\"b\" master=\"b\"/>\n"), "<tw:port>: unknown attribute 'master'" },
	{ NET("<tw:bridge name=\"b\" tw:mtu=\"1\"/>\n"), "<tw:bridge>: unknown attribute 'tw:mtu'" },
	{ NET("<tw:brdige name=\"b\"/>\n"), "t.xml:2: <tw:brdige>: unknown element in <tw:net>" },
	{ NET("<tap name=\"t\"/>\n"), "t.xml:2: <tap>: not in the tapwire namespace; did you mean <tw:tap>?" },
	{ NET("<x:tap xmlns:x=\"urn:other\" name=\"t\"/>\n"), "t.xml:2: <x:tap>: unknown element in <tw:net>" },
	{ NET("<tw:bridge name=\"b\">\n<tw:namespace name=\"n\"/>\n</tw:bridge>\n"),
	  "t.xml:3: <tw:bridge>: unexpected element <tw:namespace> inside" },
	{ NET("<tw:tap name=\"t\">x</tw:tap>\n"), "<tw:tap>: unexpected text 'x'" },
	{ NET("<tw:tap name=\"t\"><![CDATA[x]]></tw:tap>\n"), "<tw:tap>: unexpected text 'x'" },
	{ NET("<tw:tap name=\"t\"> <!-- fine --> </tw:tap>\n"), NULL },
	{ NET("<tw:veth>\n<tw:end name=\"a\"/>\n<tw:tap name=\"b\"/>\n</tw:veth>\n"),
	  "t.xml:4: <tw:tap>: unexpected element in <tw:veth>; it takes exactly two <tw:end>" },
	{ NET("<tw:veth/>\n"), "t.xml:2: <tw:veth>: a veth pair needs exactly two <tw:end> children; found 0" },
	{ NET("<tw:veth>\n<tw:end name=\"a\"/>\n<tw:end name=\"b\"/>\n<tw:end name=\"c\"/>\n</tw:veth>\n"),
	  "t.xml:5: <tw:veth>: a veth pair has exactly two ends" },
	/* roots */
	{ "<net name=\"t\"/>", "t.xml:1: <net>: not in the tapwire namespace" },
	{ "<tw:tap " NS " name=\"t\"/>", "t.xml:1: <tw:tap>: a tapwire document's root element is <tw:net>" },
	{ "<network/>", "t.xml:1: <network>: unknown root element" },
	{ "  \n ", "t.xml:2: malformed XML: Start tag expected" },
	{ "<tw:net " NS " name=\"t\">", "t.xml:1: malformed XML: " },
	{ "<tw:net name=\"t\"/>", "t.xml:1: malformed XML: Namespace prefix tw on net is not defined" },
	{ "<tw:net xmlns:tw=\"urn:tapwire:2\" name=\"t\"/>", "t.xml:1: <tw:net>: namespace 'urn:tapwire:2' is not the tapwire namespace 'urn:tapwire:1'" },
	/* the namespace may be the default one: no prefix at all */
	{ "<net xmlns=\"urn:tapwire:1\" name=\"t\">\n<bridge name=\"b\"/>\n<tap name=\"t\" bridge=\"b\"/>\n</net>", NULL },
	{ "<net xmlns=\"urn:tapwire:1\" name=\"t\">\n<tap name=\"a/b\"/>\n</net>", "t.xml:2: <tw:tap>: name 'a/b'" },
	/* encodings other than UTF-8 are converted by libxml2 */
	{ "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<tw:net " NS " name=\"caf\xe9\"/>", NULL },
	/* libvirt interfaces */
	{ DOM("<interface>\n</interface>\n"), "t.xml:4: <interface>: missing required attribute 'type'" },
	{ DOM("<interface type='bridge'>\n<mac address='01:00:00:00:00:01'/>\n</interface>\n"),
	  "t.xml:5: <interface>: mac address '01:00:00:00:00:01' is a multicast address" },
	{ DOM("<interface type='bridge'>\n<mac address='00:00:00:00:00:00'/>\n</interface>\n"),
	  "mac address '00:00:00:00:00:00' is all zeros" },
	{ DOM("<interface type='bridge'>\n<mac address='52:54:00:zz:00:01'/>\n</interface>\n"),
	  "mac address '52:54:00:zz:00:01' is not a MAC address" },
	{ DOM("<interface type='bridge'>\n<mac/>\n</interface>\n"), NULL },
	{ DOM("<interface type='bridge'>\n<source bridge='br/0'/>\n</interface>\n"),
	  "t.xml:5: <interface>: source bridge 'br/0' contains '/'" },
	{ DOM("<interface type='network'>\n<source network='a/b'/>\n</interface>\n"),
	  "source network 'a/b' contains '/'" },
	{ DOM("<interface type='ethernet'>\n<target dev='0123456789abcdef'/>\n</interface>\n"),
	  "t.xml:5: <interface>: target dev '0123456789abcdef' is 16 characters long" },
	{ DOM("<interface type='ethernet'>\n<target dev='tap0' managed='1'/>\n</interface>\n"),
	  "target managed '1' must be 'yes' or 'no'" },
	{ DOM("<interface type='bridge'>\n<driver queues='0'/>\n</interface>\n"),
	  "t.xml:5: <interface>: driver queues 0 is out of range; allowed 1..256" },
	{ DOM("<interface type='bridge'>\n<driver queues='257'/>\n</interface>\n"), "driver queues 257 is out of range" },
	{ DOM("<interface type='bridge'>\n<driver queues='4q'/>\n</interface>\n"), "driver queues '4q' is not a decimal number" },
	{ DOM("<interface type='bridge'>\n<mtu size='65536'/>\n</interface>\n"), "mtu size 65536 is out of range" },
	{ DOM("<interface type='bridge'>\n<mtu size='67'/>\n</interface>\n"), "mtu size 67 is out of range" },
	{ DOM("<interface type='bridge'>\n<link state='Up'/>\n</interface>\n"), "link state 'Up' must be 'up' or 'down'" },
	{ DOM("<interface type='bridge'>\n<model type='virtio-net-pci-non-transitional-x'/>\n</interface>\n"),
	  "model type 'virtio-net-pci-non-transitional-x' is too long; at most 31 bytes" },
	{ DOM("<interface type='bridge'>\n<driver name='vh&#10;ost'/>\n</interface>\n"),
	  "driver name 'vh\\x0aost' contains a control character" },
	{ DOM("<interface type='bridge'>\n<virtualport type='openvswitch'>\n<parameters interfaceid='"
	      "0123456789012345678901234567890123456789012345678901234567890123'/>\n</virtualport>\n</interface>\n"),
	  "t.xml:6: <interface>: virtualport parameters interfaceid '0123" },
	{ DOM("<interface type='vhostuser' unknown='x'>\n<unknown/>\n</interface>\n"), NULL },
	{ DOM("<interface type='bridge' xmlns:tw='urn:tapwire:1'>\n<mac address='52:54:00:00:00:01' tw:x='1'/>\n</interface>\n"),
	  "t.xml:5: <mac>: unknown attribute 'tw:x'" },
	{ DOM("<interface type='bridge'>\n<x><y><tw:tap " NS "/></y></x>\n</interface>\n"),
	  "t.xml:5: <tw:tap>: misplaced tapwire element" },
	{ "<interface type='bridge' xmlns:tw='urn:tapwire:1'>\n<tw:mac/>\n</interface>\n",
	  "t.xml:2: <tw:mac>: misplaced tapwire element" },
	/* libvirt domains */
	{ "<domain>\n<uuid>6b0e4f8c-3c1e-4f4e-9d8a-2f7c1a9b5e10</uuid>\n</domain>", "t.xml:1: <domain>: missing <name>" },
	{ "<domain>\n<name>a/b</name>\n</domain>", "t.xml:2: <name>: domain name 'a/b' contains '/'" },
	{ "<domain>\n<name></name>\n</domain>", "<name>: domain name '' is empty" },
	{ "<domain>\n<name>vm</name>\n<uuid>6b0e4f8c-3c1e-4f4e-9d8a-2f7c1a9b5e1</uuid>\n</domain>",
	  "t.xml:3: <uuid>: '6b0e4f8c-3c1e-4f4e-9d8a-2f7c1a9b5e1' is not a UUID" },
	{ "<domain type='a-very-long-hypervisor'>\n<name>vm</name>\n</domain>", "<domain>: type 'a-very-long-hypervisor' is too long" },
	{ "<domain>\n<name>vm</name>\n<metadata>\n<tw:net " NS "/>\n<tw:net " NS "/>\n</metadata>\n</domain>",
	  "t.xml:5: <tw:net>: a second <tw:net> in <metadata> (the first is at line 4)" },
	{ "<domain>\n<name>vm</name>\n<metadata>\n<tw:net " NS " name='a/b'/>\n</metadata>\n</domain>",
	  "t.xml:4: <tw:net>: name 'a/b' contains '/'" },
	{ "<domain>\n<name>vm</name>\n<metadata>\n<tw:net " NS ">\n<tw:tap name='t' mtu='1'/>\n</tw:net>\n</metadata>\n</domain>",
	  "t.xml:5: <tw:tap>: mtu 1 is out of range" },
	{ "<domain>\n<name>vm</name>\n<metadata/>\n<metadata>\n<tw:net " NS "/>\n</metadata>\n</domain>",
	  "t.xml:5: <tw:net>: misplaced tapwire element" },
	{ "<domain xmlns:tw='urn:tapwire:1' tw:owner='x'>\n<name>vm</name>\n</domain>",
	  "t.xml:1: <domain>: unknown attribute 'tw:owner'" },
	{ "<domain>\n<name>vm</name>\n<devices>\n<disk/>\n<interface type='user'/>\n</devices>\n<devices>\n<interface type='network'/>\n</devices>\n</domain>",
	  NULL },
	/* safety, from memory too */
	{ "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n<tw:net " NS " name=\"&e;\"/>",
	  "t.xml:1: <!DOCTYPE> is refused" },
	/* predefined entities and character references are plain text */
	{ "<tw:net " NS " name=\"&amp;&#65;\"/>", NULL },
};

static void check_rules(void)
{
	for (size_t i = 0; i < TW_ARRAY_SIZE(rules); i++) {
		const struct rule *r = &rules[i];
		struct tw_doc doc;
		struct tw_xml_error err;
		int rc = tw_xml_parse_memory(r->doc, strlen(r->doc), "t.xml", &doc, &err);
		if (!r->expect) {
			if (!tap_ok(rc == 0, "rule %zu parses", i))
				tap_diag("  %s", xt_msg(&err));
			tw_doc_free(&doc);
			continue;
		}
		tap_ok(rc == -EINVAL && !doc.net && !doc.domain && !doc.iface,
		       "rule %zu fails with -EINVAL, nothing returned", i);
		tap_like(rc < 0 ? xt_msg(&err) : "(parsed)", r->expect, "rule message");
	}
}

/* Elements nested TW_XML_MAX_DEPTH deep are fine, one more is refused before
 * the tree is built. */
static void check_depth(void)
{
	for (int depth = TW_XML_MAX_DEPTH; depth <= TW_XML_MAX_DEPTH + 1; depth++) {
		char doc[4096] = "<domain><name>vm</name>";
		for (int i = 2; i <= depth; i++)
			strcat(doc, "\n<x>");
		for (int i = 2; i <= depth; i++)
			strcat(doc, "</x>");
		strcat(doc, "</domain>");
		struct tw_doc d;
		struct tw_xml_error err;
		int rc = tw_xml_parse_memory(doc, strlen(doc), "t.xml", &d, &err);
		if (depth == TW_XML_MAX_DEPTH) {
			tap_is_int(rc, 0, "nesting of exactly the limit parses");
		} else {
			tap_is_int(rc, -EINVAL, "nesting beyond the limit fails");
			tap_like(xt_msg(&err), "t.xml:65: elements nest deeper than 64 levels", "depth message");
		}
		tw_doc_free(&d);
	}
}

/* XML_PARSE_BIG_LINES: errors past line 65535 still name the right line. */
static void check_big_lines(void)
{
	size_t lines = 70000;
	char *doc = malloc(lines + 200);
	int n = sprintf(doc, "<tw:net " NS " name=\"t\">");
	memset(doc + n, '\n', lines);
	strcpy(doc + n + lines, "<tw:tap name=\"a/b\"/></tw:net>");
	struct tw_doc d;
	struct tw_xml_error err;
	int rc = tw_xml_parse_memory(doc, strlen(doc), "t.xml", &d, &err);
	tap_is_int(rc, -EINVAL, "error on line 70001 found");
	tap_like(xt_msg(&err), "t.xml:70001: <tw:tap>", "line 70001 reported");
	free(doc);
}

static bool utf8_valid(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		int n = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1 : (*p & 0xf0) == 0xe0 ? 2 : (*p & 0xf8) == 0xf0 ? 3 : -1;
		if (n < 0)
			return false;
		p++;
		for (int i = 0; i < n; i++, p++)
			if ((*p & 0xc0) != 0x80)
				return false;
	}
	return true;
}

/* Hostile values are cut short and stay valid UTF-8 on one line. */
static void check_long_values(void)
{
	char doc[4096], name[1200] = "";
	for (int i = 0; i < 300; i++)
		strcat(name, "\xc3\xa9"); /* é */
	snprintf(doc, sizeof(doc), "<tw:net " NS " name=\"t\"><tw:tap name=\"%s\"/></tw:net>", name);
	struct tw_doc d;
	struct tw_xml_error err;
	tap_is_int(tw_xml_parse_memory(doc, strlen(doc), "t.xml", &d, &err), -EINVAL, "long name refused");
	const char *m = xt_msg(&err);
	tap_like(m, "...' is 600 characters long", "long value is cut, length still told");
	tap_ok(utf8_valid(m), "cut at a character boundary");
	tap_ok(strlen(err.msg) < sizeof(err.msg) - 1, "message not truncated by the buffer");
}

static void check_api(void)
{
	struct tw_doc d;
	struct tw_xml_error err;
	const char *ok = NET(BR0);
	memset(&d, 0x5a, sizeof(d));
	tap_is_int(tw_xml_parse_memory("<x", 2, NULL, &d, &err), -EINVAL, "bad memory document");
	tap_ok(!d.net && !d.domain && !d.iface, "out is zeroed on failure");
	tap_like(xt_msg(&err), "(memory):1: malformed XML", "no name: (memory)");
	tap_is_int(tw_xml_parse_memory(NULL, 0, "t.xml", &d, &err), -EINVAL, "NULL buffer");
	tap_is_int(tw_xml_parse_memory("<x", 2, "t.xml", &d, NULL), -EINVAL, "err may be NULL");
	tap_is_int(tw_xml_parse_memory(ok, strlen(ok), "t.xml", &d, NULL), 0, "parses with err NULL");
	tap_is_str(d.net ? d.net->source : NULL, "t.xml", "source is the name");
	tw_doc_free(&d);
	tw_doc_free(&d);
	tw_doc_free(NULL);
	tap_ok(1, "tw_doc_free is safe twice and on NULL");
	tap_is_int(tw_xml_parse_memory(ok, strlen(ok) - 3, "t.xml", &d, &err), -EINVAL,
		   "len is honoured (truncated document)");
}

static void check_format(void)
{
	struct tw_xml_error e = { "lab.xml:7", "<tw:veth>", "end name 'x' is bad" };
	char out[256];
	tw_xml_error_format(&e, out, sizeof(out));
	tap_is_str(out, "lab.xml:7: <tw:veth>: end name 'x' is bad", "format: where, element, msg");
	struct tw_xml_error f = { "lab.xml:3", "", "malformed XML: x" };
	tw_xml_error_format(&f, out, sizeof(out));
	tap_is_str(out, "lab.xml:3: malformed XML: x", "format: no element");
	struct tw_xml_error g = { "lab.xml", "", "cannot open: No such file or directory" };
	tw_xml_error_format(&g, out, sizeof(out));
	tap_is_str(out, "lab.xml: cannot open: No such file or directory", "format: no line");
	tw_xml_error_format(&e, out, 10);
	tap_is_str(out, "lab.xml:7", "format: truncated and terminated");
	struct tw_xml_error h = { "a\nb", "", "c\rd\x1b[2J" };
	tw_xml_error_format(&h, out, sizeof(out));
	tap_ok(!strpbrk(out, "\n\r\x1b"), "format: control characters never get out");
	out[0] = 'x';
	tw_xml_error_format(&e, out, 0);
	tap_ok(out[0] == 'x', "format: len 0 writes nothing");
}

int main(void)
{
	check_rules();
	check_depth();
	check_big_lines();
	check_long_values();
	check_api();
	check_format();
	return tap_done();
}
