#!/bin/sh
# Each libFuzzer target for a short fixed time (TW_FUZZ_SECONDS, default
# 30), from the committed seed corpus, plus every input that once crashed
# one (tests/fuzz/regressions/TARGET/), so CI catches regressions.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/lib.sh"
[ "${TW_SANITIZERS:-no}" = yes ] &&
	skip_all "the fuzzers carry their own sanitizers and run in the plain build"
seconds=${TW_FUZZ_SECONDS:-30}
ran=0
for t in fuzz-policy fuzz-args fuzz-net fuzz-domain; do
	bin=$top_builddir/tests/fuzz/$t
	if [ ! -x "$bin" ]; then
		skip "$t: not built (needs clang with -fsanitize=fuzzer: tools/deps test installs it)"
		continue
	fi
	ran=1
	corpus=${t#fuzz-}
	work=$(mktemp -d "${TMPDIR:-/tmp}/tw-fuzz.XXXXXX")
	mkdir -p "$work/corpus" "$work/cwd"
	cp "$top_srcdir/tests/fuzz/corpus/$corpus/"* "$work/corpus/" 2>/dev/null
	regress=$top_srcdir/tests/fuzz/regressions/$t
	if [ -d "$regress" ] && [ -n "$(ls "$regress")" ]; then
		# Policy includes are read relative to the current directory:
		# run in an empty one.
		(cd "$work/cwd" && "$bin" -runs=1 "$regress"/* > "$work/regress.log" 2>&1)
		check "$t: every saved crash input runs clean" test $? -eq 0 ||
			diag "$(tail -n 20 "$work/regress.log")"
	fi
	(cd "$work/cwd" && "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$work/" "$work/corpus" > "$work/fuzz.log" 2>&1)
	code=$?
	stats=$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$work/fuzz.log" | tail -n 1)
	if [ $code -eq 0 ]; then
		ok "$t: ${seconds}s of fuzzing without a crash"
		diag "$t: $stats"
	else
		not_ok "$t: ${seconds}s of fuzzing without a crash"
		diag "$(tail -n 30 "$work/fuzz.log")"
		for a in "$work"/crash-* "$work"/timeout-* "$work"/leak-*; do
			[ -e "$a" ] && diag "input: $(od -c "$a" | head -n 5)"
		done
	fi
	rm -rf "$work"
done
[ $ran -eq 1 ] || diag "no fuzzer was built"
done_testing
