# libtwxml: XML in, lib/model.h structs out. The only libxml2 user; the
# setuid helper never links it.
noinst_LIBRARIES += xml/libtwxml.a
xml_libtwxml_a_CFLAGS = $(AM_CFLAGS) $(LIBXML_CFLAGS)
xml_libtwxml_a_SOURCES = \
	xml/twxml.h xml/internal.h \
	xml/parse.c xml/error.c xml/node.c xml/attr.c \
	xml/net.c xml/net-check.c xml/domain.c
xml_libtwxml_a_SOURCES += xml/devices.c
xml_libtwxml_a_SOURCES += xml/bridge-svc.c
xml_libtwxml_a_SOURCES += xml/vxlan-control.c
