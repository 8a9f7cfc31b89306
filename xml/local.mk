# libtwxml: XML in, lib/model.h structs out. The only libxml2 user; the
# setuid helper never links it.
noinst_LIBRARIES += xml/libtwxml.a
xml_libtwxml_a_CFLAGS = $(AM_CFLAGS) $(LIBXML_CFLAGS)
xml_libtwxml_a_SOURCES = \
	xml/twxml.h xml/internal.h \
	xml/parse.c xml/error.c xml/node.c xml/attr.c \
	xml/net.c xml/net-check.c xml/domain.c

# Unit tests: valid documents field by field, one case per rule, and the
# hostile corpus. They find their data through $top_srcdir (exported by
# tests/local.mk), or TW_SRCDIR when run by hand.
xml_test_cppflags = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit -DTW_SRCDIR='"$(abs_top_srcdir)"'
xml_test_ldadd = xml/libtwxml.a lib/libtwcore.a $(LIBXML_LIBS)

check_PROGRAMS += tests/unit/test-xml tests/unit/test-xml-rules tests/unit/test-xml-bad
TESTS += tests/unit/test-xml tests/unit/test-xml-rules tests/unit/test-xml-bad
tests_unit_test_xml_SOURCES = tests/unit/test-xml.c tests/unit/xmltest.h
tests_unit_test_xml_CPPFLAGS = $(xml_test_cppflags)
tests_unit_test_xml_LDADD = $(xml_test_ldadd)
tests_unit_test_xml_rules_SOURCES = tests/unit/test-xml-rules.c tests/unit/xmltest.h
tests_unit_test_xml_rules_CPPFLAGS = $(xml_test_cppflags)
tests_unit_test_xml_rules_LDADD = $(xml_test_ldadd)
tests_unit_test_xml_bad_SOURCES = tests/unit/test-xml-bad.c tests/unit/xmltest.h
tests_unit_test_xml_bad_CPPFLAGS = $(xml_test_cppflags)
tests_unit_test_xml_bad_LDADD = $(xml_test_ldadd)

# Test data, listed file by file so a stray file is never shipped. The
# user-facing copies live in examples/ (already in EXTRA_DIST).
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
	tests/bad/xxe-parameter-entity.xml \
	tests/xml/contract.xml \
	tests/xml/domain-bridge.xml \
	tests/xml/domain-full.xml \
	tests/xml/domain-no-metadata.xml \
	tests/xml/full.xml \
	tests/xml/interface.xml \
	tests/xml/seed-bridge.xml \
	tests/xml/seed-tap.xml \
	tests/xml/seed-veth.xml
