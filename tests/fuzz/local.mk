# libFuzzer targets, built with clang (whatever CC is) beside the tests.
# `make check` runs each for a short while (tests/fuzz/run.sh); `make fuzz`
# (tools/fuzz) runs them for as long as you like.
FUZZ_TARGETS = fuzz-policy fuzz-args fuzz-net fuzz-domain
FUZZERS = $(FUZZ_TARGETS:%=tests/fuzz/%)
FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	$(TW_STD_CFLAGS) -include $(top_builddir)/config.h \
	-I$(top_srcdir)/lib -I$(top_srcdir)/helper -I$(top_srcdir)/xml -I$(top_srcdir)/tests/fuzz
FUZZ_CORE = lib/core/util.c lib/core/model.c lib/core/trusted.c lib/core/err.c
FUZZ_XML = $(filter %.c,$(xml_libtwxml_a_SOURCES)) lib/engine/domain-net.c

if HAVE_FUZZER
check_SCRIPTS += $(FUZZERS)
endif
CLEANFILES += $(FUZZERS)

tests/fuzz/fuzz-policy: tests/fuzz/fuzz-policy.c helper/policy.c $(FUZZ_CORE)
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CCLD)$(CLANG) $(FUZZ_CFLAGS) -o $@ $^
tests/fuzz/fuzz-args: tests/fuzz/fuzz-args.c helper/args.c $(FUZZ_CORE)
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CCLD)$(CLANG) $(FUZZ_CFLAGS) -o $@ $^
tests/fuzz/fuzz-net: tests/fuzz/fuzz-net.c $(FUZZ_XML) $(FUZZ_CORE)
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CCLD)$(CLANG) $(FUZZ_CFLAGS) $(LIBXML_CFLAGS) -o $@ $^ $(LIBXML_LIBS)
tests/fuzz/fuzz-domain: tests/fuzz/fuzz-domain.c $(FUZZ_XML) $(FUZZ_CORE)
	@$(MKDIR_P) tests/fuzz
	$(AM_V_CCLD)$(CLANG) $(FUZZ_CFLAGS) $(LIBXML_CFLAGS) -o $@ $^ $(LIBXML_LIBS)

TESTS += tests/fuzz/run.sh
EXTRA_DIST += tests/fuzz/run.sh tests/fuzz/fuzz-common.h tests/fuzz/fuzz-policy.c \
	tests/fuzz/fuzz-args.c tests/fuzz/fuzz-net.c tests/fuzz/fuzz-domain.c \
	tests/fuzz/corpus tests/fuzz/regressions tools/fuzz

# make fuzz [FUZZ_SECONDS=600] [FUZZ_TARGETS="fuzz-net ..."]
FUZZ_SECONDS = 600
fuzz: $(FUZZERS)
	$(top_srcdir)/tools/fuzz --builddir $(top_builddir) --seconds $(FUZZ_SECONDS) $(FUZZ_TARGETS)
.PHONY: fuzz
