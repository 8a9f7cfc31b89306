dist_man_MANS += doc/tapwire-bridge-helper.8 doc/tapwire.8 doc/tapwire.xml.5
EXTRA_DIST += doc/performance.md
EXTRA_DIST += doc/nat-dhcp.md
EXTRA_DIST += doc/host-nic.md
EXTRA_DIST += doc/evpn.md
# The picture in README.md: `tapwire show` of an example, drawn by
# Graphviz's dot. The SVG is committed (a build needs no graphviz);
# `make doc-pictures` draws it again from the example.
EXTRA_DIST += doc/domain-bridge.svg
doc-pictures: cli/tapwire$(EXEEXT)
	$(AM_V_GEN)cd '$(srcdir)' && '$(abs_top_builddir)/cli/tapwire' show examples/domain-bridge.xml --dot \
		| dot -Tsvg > doc/domain-bridge.svg.tmp && mv doc/domain-bridge.svg.tmp doc/domain-bridge.svg
.PHONY: doc-pictures
