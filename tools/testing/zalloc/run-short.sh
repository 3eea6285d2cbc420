#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/testing/zalloc/run-short.sh - run every fuzz target for a short,
# fixed time and fail on any crash, sanitizer report or model mismatch.
#
# Usage: run-short.sh [target...]   (default: all of them)
#   FUZZ_SECONDS   seconds per target (default 20)
#   FUZZ_OUT       where corpora and logs go (default build/ut/fuzz-run)
#
# Each target starts from its seed corpus (corpus/<target>, in the repo)
# plus what earlier runs found (kept under FUZZ_OUT, outside the repo).  A
# target passes if libFuzzer ran for the whole time and found nothing.
# The last line reads "N passed, N failed", like make check's.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
bin=$top/build/ut/fuzz
out=${FUZZ_OUT:-$top/build/ut/fuzz-run}
secs=${FUZZ_SECONDS:-20}
targets=${*:-fixed fixed_ts arena stack_fallback bitmap sbrk smp debug}
passed=0
failed=0

mkdir -p "$out"
for t in $targets; do
	if [ ! -x "$bin/fuzz-$t" ]; then
		echo "fuzz-short: $t: not built (make fuzz)"
		failed=$((failed + 1))
		continue
	fi
	mkdir -p "$out/corpus-$t" "$out/crash-$t"
	log=$out/$t.log
	# One process, no forks: the machine is shared.  Inputs of any length
	# from the start (-len_control=0): a long sequence is what overflows
	# the magazines into the free lists and slabs.
	if "$bin/fuzz-$t" -max_total_time="$secs" -max_len=4096 -len_control=0 -timeout=20 \
		-rss_limit_mb=4096 -print_final_stats=1 \
		-artifact_prefix="$out/crash-$t/" \
		"$out/corpus-$t" "$here/corpus/$t" >"$log" 2>&1; then
		execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
		cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
		echo "fuzz-short: $t: ok ($execs runs, $cov)"
		passed=$((passed + 1))
	else
		echo "fuzz-short: $t: FAILED, see $log; the input is in $out/crash-$t/"
		grep -m3 -E 'model mismatch|ERROR: |runtime error|uk: BUG|uk: WARNING' "$log" |
			sed 's/^/fuzz-short:   /'
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
