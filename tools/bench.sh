#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/bench.sh - what `make bench` runs.
#
# Builds (once, cached) the benchmark kernel: the test kernel's sibling with
# KASAN, lockdep and kmemleak off (tools/kernel.sh bench).  Then boots it
# twice, loading zalloc.ko and zalloc_bench.ko, whose init runs the
# workloads and prints "zbench:" lines:
#
#   icount  one vCPU under QEMU's -icount shift=0,sleep=off, where the guest
#           clock advances one nanosecond per guest instruction: the
#           single-CPU workloads (reuse, batch-reverse, batch-random, burst,
#           mixed), whose "ns" are then instruction counts, the same from
#           boot to boot whatever the host does
#   wall    ZALLOC_QEMU_SMP vCPUs under TCG, timed by the host's clock: the
#           workloads that need real concurrency (parallel-reuse,
#           parallel-mixed, cross, churn), plus reuse as the one-CPU
#           reference that parallel scaling is measured against
#
# and, in the icount mode, twice more with reuse only, one round: with
# init_on_alloc=1 (as Debian boots) and with init_on_free=1, for what the
# kernel's zeroing options cost each allocator (build/bench-initalloc- and
# bench-initfree-console.log).
#
# then tools/bench-report.py prints the tables and writes BENCHMARKS.md,
# with the before/after table against the instruction counts in
# bench/icount-baseline.txt.  The console logs are kept in
# build/bench-icount-console.log and build/bench-wall-console.log.
#
# A timing never fails the run: it fails only if a guest crashed, hung, or
# the kernel complained (the same splat check as make check).  A failed run
# prints its figures but writes no report.
#
#   ZALLOC_BENCH_MODE     both (default), icount or wall: which boots run.
#                         One mode alone prints its tables and writes a
#                         report only where ZALLOC_BENCH_OUT says.
#   ZALLOC_BENCH_ARGS     zalloc_bench parameters for every boot, after the
#                         mode's own (so they win), e.g. "only=kmalloc,smp"
#                         or "ops=100000" (see modinfo zalloc_bench.ko)
#   ZALLOC_BENCH_OUT      the report (default BENCHMARKS.md in mode both,
#                         none otherwise; "-" for none)
#   ZALLOC_BENCH_BASELINE the "before" instruction counts (default
#                         bench/icount-baseline.txt; empty for none)
#   ZALLOC_QEMU_SMP       CPUs of the wall-time boot (default 2)
#   ZALLOC_QEMU_ACCEL     accelerator of the wall-time boot (default
#                         tcg,thread=multi; kvm where it works).  The icount
#                         boot is always TCG on one vCPU.
#   ZALLOC_QEMU_TIMEOUT   seconds before QEMU is killed, per boot (default
#                         1500)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
mode=${ZALLOC_BENCH_MODE:-both}
case "$mode" in
both|icount|wall) ;;
*)	echo "bench: ZALLOC_BENCH_MODE is both, icount or wall" >&2; exit 2 ;;
esac
smp=${ZALLOC_QEMU_SMP:-2}
accel=${ZALLOC_QEMU_ACCEL:-tcg,thread=multi}
export ZALLOC_QEMU_TIMEOUT=${ZALLOC_QEMU_TIMEOUT:-1500}
if [ "$mode" = both ]; then
	out=${ZALLOC_BENCH_OUT:-$top/BENCHMARKS.md}
else
	out=${ZALLOC_BENCH_OUT:--}
fi
baseline=${ZALLOC_BENCH_BASELINE-$top/bench/icount-baseline.txt}
user_args=${ZALLOC_BENCH_ARGS:-}

# The workloads of each boot (zalloc_bench's workloads= bit mask): bits 0-4
# reuse, batch-reverse, batch-random, burst, mixed; bits 5-8
# parallel-reuse, parallel-mixed, cross, churn.  Instruction counts repeat
# exactly, so one round of a fifth of the operations would do; three
# rounds show that they do.
icount_args="workloads=0x1f ops=200000 warmup=20000 rounds=3 slow_ops=20000"
wall_args="workloads=0x1e1"

mkdir -p "$top/build"
"$top/tools/kernel.sh" bench >/dev/null
load0=$(cut -d' ' -f1-3 /proc/loadavg)

# boot NAME ACCEL SMP QEMU_ARGS BENCH_ARGS [CMDLINE]: one boot, its log in
# build/bench-NAME-console.log, its host seconds in secs_NAME; CMDLINE is
# added to the guest kernel's command line.
boot() {
	local name=$1 log="$top/build/bench-$1-console.log" start pid rc=0
	local last n now

	rm -f "$log"
	start=$(date +%s)
	last=$start
	echo "bench: $name boot (accel=$2, $3 CPU(s)${4:+, $4})" >&2
	ZALLOC_QEMU_ACCEL=$2 ZALLOC_QEMU_SMP=$3 ZALLOC_QEMU_ARGS=$4 \
		ZALLOC_QEMU_APPEND="${ZALLOC_QEMU_APPEND:-} ${6:-}" \
		ZALLOC_BENCH_ARGS="$5" "$top/tools/qemu.sh" bench "$log" \
		>/dev/null &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		sleep 2
		now=$(date +%s)
		if [ $((now - last)) -ge 60 ]; then
			last=$now
			n=$(grep -c 'zbench: workload=.* cpus=' "$log" 2>/dev/null ||
			    true)
			echo "bench: $name: $((now - start)) s, ${n:-0} figures so far" >&2
		fi
	done
	wait "$pid" || rc=$?
	printf -v "secs_$name" '%s' $(($(date +%s) - start))
	echo "bench: $name boot: $(($(date +%s) - start)) s, console log in $log" >&2
	return "$rc"
}

rc=0
report=()
secs_icount=0 secs_wall=0 secs_initalloc=0 secs_initfree=0
if [ "$mode" != wall ]; then
	boot icount tcg 1 "-icount shift=0,sleep=off" \
		"$icount_args $user_args" || rc=1
	report+=(--icount "$top/build/bench-icount-console.log"
		 --icount-seconds "$secs_icount")
	init_args="workloads=1 ops=100000 warmup=10000 rounds=1"
	for opt in alloc free; do
		boot "init$opt" tcg 1 "-icount shift=0,sleep=off" \
			"$init_args $user_args" "init_on_$opt=1" || rc=1
		report+=(--init-on-"$opt" "$top/build/bench-init$opt-console.log")
	done
fi
if [ "$mode" != icount ]; then
	boot wall "$accel" "$smp" "" "$wall_args $user_args" || rc=1
	report+=(--wall "$top/build/bench-wall-console.log"
		 --wall-seconds "$secs_wall" --wall-accel "$accel")
fi
load1=$(cut -d' ' -f1-3 /proc/loadavg)
[ -n "$baseline" ] && report+=(--baseline "$baseline")

# A crashed or complaining guest gets its figures printed, not published.
[ "$rc" = 0 ] || out=-
python3 "$top/tools/bench-report.py" "${report[@]}" \
	--load "$load0 -> $load1" "$out" || rc=1
[ "$out" = - ] || echo "bench: report written to $out" >&2
exit "$rc"
