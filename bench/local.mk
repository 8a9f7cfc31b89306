# Benchmarks are not tests: they are built on demand (`make bench/...`) and
# run by the scripts in bench/.
EXTRA_PROGRAMS = bench/tw-helper-bench
bench_tw_helper_bench_SOURCES = bench/helper-bench.c
bench_tw_helper_bench_LDADD = lib/libtwcore.a
CLEANFILES += $(EXTRA_PROGRAMS)
EXTRA_DIST += bench/helper bench/overlay
# bench/helper also measures what the kernel alone takes for the same work.
EXTRA_PROGRAMS += bench/tw-kernel-floor
bench_tw_kernel_floor_SOURCES = bench/kernel-floor.c
bench_tw_kernel_floor_CFLAGS = $(AM_CFLAGS) $(LIBNL_CFLAGS)
bench_tw_kernel_floor_LDADD = lib/libtwnet.a lib/libtwcore.a $(LIBNL_LIBS)
# bench/hook: the libvirt hook against a shell hook doing the same with `ip`.
EXTRA_PROGRAMS += bench/tw-hook-bench
bench_tw_hook_bench_SOURCES = bench/hook-bench.c
EXTRA_DIST += bench/hook
# bench/devices: iperf3 over macvlan against veth pairs on a bridge.
EXTRA_DIST += bench/devices
# bench/nat: iperf3 through tapwire's NAT against the same path routed.
EXTRA_DIST += bench/nat
# bench/move-gap: pings lost while the NIC goes into a bridge, tapwire against `ip`.
EXTRA_DIST += bench/move-gap
# bench/evpn: EVPN throughput and a host joining, with FRR (doc/evpn.md).
EXTRA_DIST += bench/evpn
