#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/bench.sh - what `make bench` runs.
#
# Builds (once, cached) the benchmark kernel: the test kernel's sibling with
# KASAN, lockdep and kmemleak off (tools/kernel.sh bench); boots it in QEMU
# with 2 CPUs; loads zalloc.ko and zalloc_bench.ko, whose init runs every
# workload and prints "zbench:" lines; then tools/bench-report.py prints the
# table and writes BENCHMARKS.md.  The console log is kept in
# build/bench-console.log.
#
# A timing never fails the run: it fails only if the guest crashed, hung, or
# the kernel complained (the same splat check as make check).
#
#   ZALLOC_QEMU_SMP      CPUs (default 2)
#   ZALLOC_QEMU_ACCEL    default tcg,thread=multi; kvm where it works
#   ZALLOC_QEMU_TIMEOUT  seconds before QEMU is killed (default 1500)
#   ZALLOC_BENCH_ARGS    zalloc_bench parameters, e.g. "only=kmalloc,page
#                        ops=100000" (see modinfo zalloc_bench.ko)
#   ZALLOC_BENCH_OUT     where to write the report (default BENCHMARKS.md)
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
export ZALLOC_QEMU_SMP=${ZALLOC_QEMU_SMP:-2}
export ZALLOC_QEMU_ACCEL=${ZALLOC_QEMU_ACCEL:-tcg,thread=multi}
export ZALLOC_QEMU_TIMEOUT=${ZALLOC_QEMU_TIMEOUT:-1500}
out=${ZALLOC_BENCH_OUT:-$top/BENCHMARKS.md}
mkdir -p "$top/build"
log="$top/build/bench-console.log"

"$top/tools/kernel.sh" bench >/dev/null
load0=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date +%s)
rm -f "$log"
echo "bench: running the benchmark in QEMU (6 to 10 minutes under TCG)" >&2
"$top/tools/qemu.sh" bench "$log" >/dev/null &
pid=$!
last=0
while kill -0 "$pid" 2>/dev/null; do
	sleep 2
	now=$(date +%s)
	if [ $((now - last)) -ge 60 ]; then
		last=$now
		n=$(grep -c 'zbench: workload=.* cpus=' "$log" 2>/dev/null || true)
		echo "bench: $((now - start)) s, ${n:-0} figures so far" >&2
	fi
done
rc=0
wait "$pid" || rc=$?
load1=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench: console log in $log" >&2

# A crashed or complaining guest gets its figures printed, not published.
[ "$rc" = 0 ] || out=-
python3 "$top/tools/bench-report.py" "$log" "$out" \
	--accel "$ZALLOC_QEMU_ACCEL" --smp "$ZALLOC_QEMU_SMP" \
	--seconds $(($(date +%s) - start)) --load "$load0 -> $load1" || rc=1
[ "$out" = - ] || echo "bench: report written to $out" >&2
exit "$rc"
