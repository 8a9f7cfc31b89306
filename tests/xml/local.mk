# Valid documents read field by field (test-xml). The user-facing copies
# live in examples/ (already in EXTRA_DIST).
EXTRA_DIST += \
	tests/xml/contract.xml \
	tests/xml/domain-bridge.xml \
	tests/xml/domain-full.xml \
	tests/xml/domain-no-metadata.xml \
	tests/xml/full.xml \
	tests/xml/interface.xml \
	tests/xml/seed-bridge.xml \
	tests/xml/seed-tap.xml \
	tests/xml/seed-veth.xml
