#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/testing/zalloc/ubench/run.sh - run the native benchmark (ubench.c)
# for every subject and write its section of BENCHMARKS.md at the top of
# the repository (between its markers; make bench keeps the section when it
# rewrites the rest): wall time per operation (median of 5 rounds) and valgrind
# instruction counts per operation (callgrind, single-threaded workloads).
#
#   UBENCH_NO_INSTR=1   skip the valgrind figures
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../../.." && pwd)
bin=$top/build/ut/bench
raw=$top/build/ut/ubench.txt
md=$top/BENCHMARKS.md

: >"$raw"
echo "# cpu $(lscpu | sed -n 's/^Model name: *//p' | head -1)" >>"$raw"
echo "# cpus $(nproc)" >>"$raw"
echo "# kernel $(uname -r)" >>"$raw"
echo "# gcc $(gcc -dumpfullversion)" >>"$raw"
echo "# load-start $(cut -d' ' -f1-3 /proc/loadavg)" >>"$raw"
echo "ubench: wall times (the zalloc subjects, then four C libraries)" >&2
"$bin/ubench-glibc" glibc zalloc | tee -a "$raw" >&2
for lib in glibc jemalloc mimalloc tcmalloc; do
	"$bin/ubench-$lib" "$lib" | tee -a "$raw" >&2
done
echo "# load-end $(cut -d' ' -f1-3 /proc/loadavg)" >>"$raw"
if [ -z "${UBENCH_NO_INSTR:-}" ]; then
	echo "ubench: instruction counts (valgrind --tool=callgrind)" >&2
	for s in smp sbrk bitmap fixed arena glibc jemalloc mimalloc tcmalloc; do
		case $s in glibc|jemalloc|mimalloc|tcmalloc) b=$s ;; *) b=glibc ;; esac
		for w in reuse-64 batch-random mixed; do
			case $s:$w in fixed:reuse-64|arena:reuse-64) ;; fixed:*|arena:*) continue ;; esac
			out=$(valgrind --tool=callgrind --collect-atstart=no \
				--callgrind-out-file=/dev/null "$bin/ubench-$b" "$b" instr "$s" "$w" 2>&1)
			ir=$(echo "$out" | sed -n 's/.*Collected : *//p')
			ops=$(echo "$out" | sed -n 's/.*ops=//p')
			echo "instr $s $w $(awk -v a="$ir" -v b="$ops" 'BEGIN { printf "%.0f", a / b }')" |
				tee -a "$raw" >&2
		done
	done
fi
python3 "$here/report.py" "$raw" >"$raw.md"
python3 "$here/splice.py" "$md" "$raw.md"
echo "ubench: wrote $md" >&2
