# tapwire gc from a systemd timer (not enabled by `make install`:
# `systemctl enable --now tapwire-gc.timer`), and tapwire@NAME, one topology
# of /etc/tapwire/net.d applied at boot. Units go to systemd's system
# unit directory under the prefix (/usr/lib/systemd/system with
# --prefix=/usr); `make systemdsystemunitdir=DIR` puts them elsewhere.
systemdsystemunitdir = $(prefix)/lib/systemd/system
systemdsystemunit_DATA = systemd/tapwire-gc.service systemd/tapwire-gc.timer systemd/tapwire@.service
EXTRA_DIST += systemd/tapwire-gc.service.in systemd/tapwire-gc.timer systemd/tapwire@.service.in
CLEANFILES += systemd/tapwire-gc.service systemd/tapwire@.service

# sbindir and sysconfdir are known in full only at make time (configure
# leaves them as "${exec_prefix}/sbin").
systemd/tapwire-gc.service systemd/tapwire@.service: systemd/%: $(srcdir)/systemd/%.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && \
	sed -e 's|@sbindir[@]|$(sbindir)|g' -e 's|@sysconfdir[@]|$(sysconfdir)|g' $(srcdir)/systemd/$*.in > $@.tmp && \
	mv $@.tmp $@
