# The hostile corpus (test-xml-bad): one document per rule or attack, its
# first line saying what the reader must answer. Listed file by file so a
# stray file is never shipped.
EXTRA_DIST += \
	tests/bad/address-duplicate.xml \
	tests/bad/address-empty-item.xml \
	tests/bad/bad-cidr.xml \
	tests/bad/billion-laughs.xml \
	tests/bad/bridge-other-namespace.xml \
	tests/bad/bridge-type-unknown.xml \
	tests/bad/child-in-leaf.xml \
	tests/bad/cidr-no-prefix.xml \
	tests/bad/cidr-prefix-too-long.xml \
	tests/bad/deep-nesting.xml \
	tests/bad/doctype-without-subset.xml \
	tests/bad/domain-bad-uuid.xml \
	tests/bad/domain-link-state.xml \
	tests/bad/domain-mac-multicast.xml \
	tests/bad/domain-metadata-error.xml \
	tests/bad/domain-missing-name.xml \
	tests/bad/domain-mtu-out-of-range.xml \
	tests/bad/domain-name-slash.xml \
	tests/bad/domain-queues-out-of-range.xml \
	tests/bad/domain-seclabel-group.xml \
	tests/bad/domain-seclabel-newline.xml \
	tests/bad/domain-source-bridge-slash.xml \
	tests/bad/domain-stray-tw-element.xml \
	tests/bad/domain-target-dev-too-long.xml \
	tests/bad/domain-tw-attribute.xml \
	tests/bad/domain-two-tw-nets.xml \
	tests/bad/domain-unknown-tw-in-metadata.xml \
	tests/bad/duplicate-devices.xml \
	tests/bad/duplicate-in-namespace.xml \
	tests/bad/duplicate-namespaces.xml \
	tests/bad/duplicate-ports.xml \
	tests/bad/duplicate-veth-end-names.xml \
	tests/bad/element-without-prefix.xml \
	tests/bad/empty.xml \
	tests/bad/foreign-attribute.xml \
	tests/bad/interface-managed-bad.xml \
	tests/bad/interface-missing-type.xml \
	tests/bad/interface-model-too-long.xml \
	tests/bad/interface-stray-tw-element.xml \
	tests/bad/invalid-utf8.xml \
	tests/bad/mac-multicast.xml \
	tests/bad/mac-syntax.xml \
	tests/bad/mac-zero.xml \
	tests/bad/mtu-negative.xml \
	tests/bad/mtu-not-decimal.xml \
	tests/bad/mtu-out-of-range.xml \
	tests/bad/mtu-too-small.xml \
	tests/bad/mtu-trailing-junk.xml \
	tests/bad/name-16-chars.xml \
	tests/bad/name-dotdot.xml \
	tests/bad/name-empty.xml \
	tests/bad/name-missing.xml \
	tests/bad/name-starts-with-dash.xml \
	tests/bad/name-with-newline.xml \
	tests/bad/name-with-percent.xml \
	tests/bad/name-with-slash.xml \
	tests/bad/name-with-space.xml \
	tests/bad/namespace-name-dot.xml \
	tests/bad/namespace-name-dotdot-path.xml \
	tests/bad/namespace-name-slash.xml \
	tests/bad/net-name-control-char.xml \
	tests/bad/net-without-name.xml \
	tests/bad/no-namespace.xml \
	tests/bad/not-well-formed.xml \
	tests/bad/nul-byte.xml \
	tests/bad/owner-with-slash.xml \
	tests/bad/port-missing-bridge.xml \
	tests/bad/port-on-created-device.xml \
	tests/bad/port-self.xml \
	tests/bad/quadratic-blowup.xml \
	tests/bad/queues-out-of-range.xml \
	tests/bad/queues-zero.xml \
	tests/bad/stp-yes.xml \
	tests/bad/text-in-element.xml \
	tests/bad/text-in-net.xml \
	tests/bad/undeclared-bridge.xml \
	tests/bad/undeclared-entity.xml \
	tests/bad/undeclared-namespace.xml \
	tests/bad/undefined-prefix.xml \
	tests/bad/unknown-net-attribute.xml \
	tests/bad/unknown-root.xml \
	tests/bad/unknown-tw-attribute.xml \
	tests/bad/unknown-tw-element.xml \
	tests/bad/utf16-document.xml \
	tests/bad/veth-end-missing-name.xml \
	tests/bad/veth-one-end.xml \
	tests/bad/veth-three-ends.xml \
	tests/bad/vnet-hdr-true.xml \
	tests/bad/vxlan-duplicate-remote.xml \
	tests/bad/vxlan-family-mix.xml \
	tests/bad/vxlan-group-unicast.xml \
	tests/bad/vxlan-id-missing.xml \
	tests/bad/vxlan-id-out-of-range.xml \
	tests/bad/vxlan-port-out-of-range.xml \
	tests/bad/vxlan-port-zero.xml \
	tests/bad/vxlan-remote-and-children.xml \
	tests/bad/vxlan-remote-and-group.xml \
	tests/bad/vxlan-remote-multicast.xml \
	tests/bad/vxlan-remote-unspecified.xml \
	tests/bad/vxlan-remote-with-prefix.xml \
	tests/bad/wrong-tw-root.xml \
	tests/bad/xinclude.xml \
	tests/bad/xxe-external-dtd.xml \
	tests/bad/xxe-local-file.xml \
	tests/bad/xxe-parameter-entity.xml
# <tw:tun>, <tw:macvlan>, <tw:macvtap> (issue 13).
EXTRA_DIST += \
	tests/bad/domain-direct-mode.xml \
	tests/bad/devices-lower-in-namespace.xml \
	tests/bad/devices-lower-is-macvlan.xml \
	tests/bad/devices-macvlan-mode.xml \
	tests/bad/devices-macvlan-no-dev.xml \
	tests/bad/devices-macvlan-self.xml \
	tests/bad/devices-macvtap-address.xml \
	tests/bad/devices-macvtap-queues.xml \
	tests/bad/devices-namespace-undeclared.xml \
	tests/bad/devices-tun-name-taken.xml \
	tests/bad/devices-tun-peer-alone.xml \
	tests/bad/devices-tun-peer-family.xml
# NAT and DHCP on a bridge (contract section 7).
EXTRA_DIST += \
	tests/bad/dhcp-range-outside-subnet.xml \
	tests/bad/dhcp-range-overlap.xml \
	tests/bad/dhcp-range-no-address.xml \
	tests/bad/dhcp-range-backwards.xml \
	tests/bad/dhcp-lease-bad.xml \
	tests/bad/dhcp-host-outside-subnet.xml \
	tests/bad/dhcp-host-duplicate-mac.xml \
	tests/bad/dhcp-host-bad-name.xml \
	tests/bad/nat-no-ipv4-address.xml \
	tests/bad/nat-twice.xml \
	tests/bad/nat-on-ovs.xml
EXTRA_DIST += tests/bad/port-move-addresses-true.xml tests/bad/port-move-addresses-ovs.xml
# control="evpn" (contract section 9)
EXTRA_DIST += \
	tests/bad/vxlan-control-unknown.xml \
	tests/bad/vxlan-evpn-group.xml \
	tests/bad/vxlan-evpn-no-bridge.xml \
	tests/bad/vxlan-evpn-no-local.xml \
	tests/bad/vxlan-evpn-remote-children.xml \
	tests/bad/vxlan-evpn-remote.xml
