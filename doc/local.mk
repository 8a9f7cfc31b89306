dist_man_MANS += doc/tapwire-bridge-helper.8 doc/tapwire.8 doc/tapwire.xml.5
EXTRA_DIST += doc/performance.md
EXTRA_DIST += doc/nat-dhcp.md
EXTRA_DIST += doc/host-nic.md
EXTRA_DIST += doc/evpn.md
