#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/check.sh - what `make check` runs:
#
#  1. tools/static.sh: checkpatch --strict, kernel-doc, sparse and a W=1
#     -Werror build, clean on every source file (one check);
#  2. tools/compat.sh: compile-only builds against Debian's 6.1 headers and
#     the 6.12 tree, no warnings (one check);
#  3. tools/distro.sh (make distro): DKMS, the example consumers and a boot
#     of each of Debian's stock 6.1, 6.12 and 6.12-rt kernels with the demo
#     and the hard-IRQ probe (its own count of checks; details in
#     build/distro.log and build/distro/);
#  4. the allocators built in userspace (tools/testing/zalloc): make
#     fuzz-short (every libFuzzer target for 20 s under ASan and UBSan,
#     checked against its model) and make tsan (the concurrent allocators
#     under ThreadSanitizer), each its own count of checks, logs in
#     build/fuzz-short.log and build/tsan.log;
#  5. every KUnit suite in QEMU on the cached test kernel (KASAN, lockdep
#     with raw lock nesting, kmemleak, fault injection), judged by
#     tools/verdict.sh; console log in build/check-console.log;
#  6. the suites that use IRQ and cross-CPU contexts, and the hard-IRQ probe
#     (examples/irqprobe), on the RT flavour of the test kernel (PREEMPT_RT
#     with the same checkers, tools/kernel.sh rt), judged the same way;
#     console log in build/check-rt-console.log.
#
# The host checks run first and count as one passed or failed test each in
# the totals; the QEMU runs happen either way, so one report shows everything.
# The last line is "N passed, N failed" (", N skipped" may follow), the sum
# of both boots; it exits non-zero on any failed host check, failed or
# crashed test, or kernel splat in either boot.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
t0=$(date +%s)

# "check: STEP took N s", to the terminal.
took() {
	echo "check: $1 took $(($(date +%s) - $2)) s" >&2
}

kdir=$("$top/tools/kernel.sh" test)
took "the test kernel (built once, cached)" "$t0"
mkdir -p "$top/build"
log="$top/build/check-console.log"
rtlog="$top/build/check-rt-console.log"

host_passed=0
host_failed=0
for step in static compat; do
	t=$(date +%s)
	if KDIR="$kdir" "$top/tools/$step.sh" >"$top/build/$step.log" 2>&1; then
		host_passed=$((host_passed + 1))
	else
		host_failed=$((host_failed + 1))
		cat "$top/build/$step.log" >&2
	fi
	echo "check: $(tail -1 "$top/build/$step.log")" >&2
	took "$step" "$t"
done

num() { echo "$1" | grep -o "[0-9]* $2" | grep -o '^[0-9]*' || echo 0; }

# make distro counts its own checks; they join the host checks.
t=$(date +%s)
distro=$("$top/tools/distro.sh" 2>"$top/build/distro.log" | tail -1) || true
# A run that stopped before its totals (it printed why) is one failure.
echo "$distro" | grep -Eq '^[0-9]+ passed, [0-9]+ failed' || {
	tail -5 "$top/build/distro.log" >&2
	echo "check: distro: $distro" >&2
	distro="0 passed, 1 failed"
}
grep -E ': (FAILED|boot took)' "$top/build/distro.log" >&2 || true
echo "check: distro: $distro (details in build/distro.log)" >&2
host_passed=$((host_passed + $(num "$distro" passed)))
host_failed=$((host_failed + $(num "$distro" failed)))
took distro "$t"

# The allocators in userspace (tools/testing/zalloc): every fuzz target for
# FUZZ_SECONDS (20) each, then the TSan hammer; each prints its own
# "N passed, N failed", joined to the host checks.
for ut in fuzz-short tsan; do
	t=$(date +%s)
	utlog="$top/build/$ut.log"
	make -s -C "$top" "$ut" >"$utlog" 2>&1 || true
	# No summary (a build that failed): no match, which is no error here.
	res=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$utlog" | tail -1) || true
	if [ -z "$res" ]; then
		tail -20 "$utlog" >&2
		res="0 passed, 1 failed"
	fi
	grep -E 'FAILED|fuzz-short:   ' "$utlog" >&2 || true
	echo "check: $ut: $res (details in build/$ut.log)" >&2
	host_passed=$((host_passed + $(num "$res" passed)))
	host_failed=$((host_failed + $(num "$res" failed)))
	took "$ut" "$t"
done

# A build failure leaves an empty log, which the verdict counts as failed.
t=$(date +%s)
: >"$log"
"$top/tools/qemu.sh" test "$log" || echo "check: the QEMU run failed to start" >&2
echo "check: console log in $log" >&2
took "the test kernel's run" "$t"
rc=0
out=$(ZALLOC_HOST_PASSED=$host_passed ZALLOC_HOST_FAILED=$host_failed \
	"$top/tools/verdict.sh" kunit "$log" "$kdir") || rc=1
echo "$out" | sed '$d'
totals=$(echo "$out" | tail -1)
echo "check: test kernel: $totals" >&2

passed=$(num "$totals" passed)
failed=$(num "$totals" failed)
skipped=$(num "$totals" skipped)

# The RT boot: its kernel is built (once) now, so a failed build counts as
# a failed run and the totals still print.
t=$(date +%s)
: >"$rtlog"
rtkdir=$("$top/tools/kernel.sh" rt) || rtkdir=
took "the RT kernel (built once, cached)" "$t"
t=$(date +%s)
if [ -n "$rtkdir" ]; then
	"$top/tools/qemu.sh" rt "$rtlog" ||
		echo "check: the RT QEMU run failed to start" >&2
	echo "check: RT console log in $rtlog" >&2
	took "the RT kernel's run" "$t"
	out=$(ZALLOC_HOST_PASSED=$passed ZALLOC_HOST_FAILED=$failed \
	      ZALLOC_HOST_SKIPPED=$skipped \
		"$top/tools/verdict.sh" kunit "$rtlog" "$rtkdir") || rc=1
else
	echo "check: the RT kernel did not build" >&2
	rc=1
	failed=$((failed + 1))
	out="$passed passed, $failed failed"
	[ "$skipped" = 0 ] || out="$out, $skipped skipped"
fi
took "make check" "$t0"
echo "$out"
exit "$rc"
