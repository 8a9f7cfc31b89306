# tapwire gc from a systemd timer (not enabled by `make install`:
# `systemctl enable --now tapwire-gc.timer`). Units go to systemd's system
# unit directory under the prefix (/usr/lib/systemd/system with
# --prefix=/usr); `make systemdsystemunitdir=DIR` puts them elsewhere.
systemdsystemunitdir = $(prefix)/lib/systemd/system
systemdsystemunit_DATA = systemd/tapwire-gc.service systemd/tapwire-gc.timer
EXTRA_DIST += systemd/tapwire-gc.service.in systemd/tapwire-gc.timer
CLEANFILES += systemd/tapwire-gc.service

# sbindir is known in full only at make time (configure leaves it as
# "${exec_prefix}/sbin").
systemd/tapwire-gc.service: $(srcdir)/systemd/tapwire-gc.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && \
	sed -e 's|@sbindir[@]|$(sbindir)|g' $(srcdir)/systemd/tapwire-gc.service.in > $@.tmp && \
	mv $@.tmp $@
