#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/qemu.sh - boot a zalloc kernel in QEMU with the modules loaded.
#
# Usage: tools/qemu.sh test|rt|run|bench [LOG]
#
#   test   load zalloc.ko and zalloc_kunit.ko (every KUnit suite), unload,
#          scan kmemleak; the console log is written to LOG
#   rt     on the RT test kernel (tools/kernel.sh rt): load zalloc.ko, then
#          zalloc_kunit.ko once per suite in ZALLOC_RT_SUITES (the suites
#          that use IRQ and cross-CPU contexts), then the hard-IRQ probe
#          (zalloc_irqprobe.ko); the console log is written to LOG
#   run    load zalloc.ko and the demo consumer, show what happened, unload
#   bench  load zalloc.ko and zalloc_bench.ko on the benchmark kernel, with
#          the module parameters in ZALLOC_BENCH_ARGS (e.g. "only=kmalloc")
#
# The guest's /init writes @@ZALLOC-BEGIN and @@ZALLOC-END markers to the
# kernel log around its work; a log without the end marker means the guest
# hung or panicked.  A guest still running at the time limit is sent an NMI,
# which panics it with every CPU's backtrace (tools/lib.sh, zalloc_boot).
# QEMU uses TCG (software emulation) by default; ZALLOC_QEMU_ACCEL=kvm asks
# for KVM where it works.  ZALLOC_QEMU_SMP sets the CPU count (default 2),
# ZALLOC_QEMU_TIMEOUT the limit in seconds (default 3000; 1200 for rt),
# ZALLOC_MAKE_ARGS extra make arguments for the modules (e.g.
# ZALLOC_NO_STATS=y to measure the counters' cost with make bench).
# ZALLOC_PARAMS passes module parameters to zalloc.ko (e.g. "debug=1" for
# debug mode), ZALLOC_QEMU_APPEND adds to the kernel command line (e.g.
# "printk.time=1"), ZALLOC_QEMU_ARGS adds QEMU arguments (tools/bench.sh's
# instruction-count boot passes "-icount shift=0,sleep=off").
set -euo pipefail

mode=${1:-test}
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tools/lib.sh
. "$top/tools/lib.sh"
work=$(mktemp -d /tmp/zalloc-qemu.XXXXXX)
trap 'rm -rf "$work"' EXIT
log=${2:-$work/console.log}

# The suites the RT kernel runs: those with hard-IRQ, cross-CPU or
# lock-nesting paths (timers, kthreads per CPU, fault injection, debug
# mode's lock).
rt_suites=${ZALLOC_RT_SUITES:-"zalloc_smp zalloc_sbrk zalloc_bitmap zalloc_fixed
zalloc_stack_fallback zalloc_faults zalloc_debug zalloc_freelist"}
limit=${ZALLOC_QEMU_TIMEOUT:-3000}
suites=
case "$mode" in
test|run)	flavour=test ;;
rt)		flavour=rt; limit=${ZALLOC_QEMU_TIMEOUT:-1200}
		suites=$(echo "$rt_suites" | tr -s ' \t\n' ' ') ;;
bench)		flavour=bench ;;
*)		echo "usage: $0 test|rt|run|bench [LOG]" >&2; exit 2 ;;
esac

kdir=$("$top/tools/kernel.sh" "$flavour")
# The RT kernel's modules are built in a copy, so that the tree's own
# objects stay those of the test kernel.
src=$top
if [ "$mode" = rt ]; then
	src=$top/build/rt-src
	zalloc_copy_sources "$src"
fi
# shellcheck disable=SC2086
make -s -C "$kdir" M="$src" ZALLOC_WERROR=y ${ZALLOC_MAKE_ARGS:-} modules >&2

case "$mode" in
test)	mods="zalloc.ko zalloc_kunit.ko"
	# Loaded and unloaded by /init's orphan, trace and debug-kmemleak
	# checks, after the suites.
	files="zalloc_kunit_orphan.ko zalloc_demo.ko" ;;
rt)	mods="zalloc.ko zalloc_kunit.ko zalloc_irqprobe.ko"; files= ;;
run)	mods="zalloc.ko zalloc_demo.ko"; files= ;;
bench)	mods="zalloc.ko zalloc_bench.ko"; files= ;;
esac
paths=()
for m in $mods $files; do
	paths+=("$src/$m")
done
zalloc_initramfs "$work/initramfs.cpio" "$mode" "$mods" "$suites" "${paths[@]}"

cmdline="$(zalloc_cmdline) kmemleak=on"
# As Debian boots: every allocator must zero what it hands out
# (zalloc_contract's init_on_alloc case).
case "$mode" in test|rt) cmdline="$cmdline init_on_alloc=1" ;; esac
cmdline="$cmdline ${ZALLOC_QEMU_APPEND:-}"
qargs=${ZALLOC_QEMU_ARGS:-}
echo "qemu: booting $mode (accel=${ZALLOC_QEMU_ACCEL:-tcg}, smp=${ZALLOC_QEMU_SMP:-2}${qargs:+, $qargs})" >&2
rc=0
zalloc_boot "$log" "$limit" "$kdir/arch/x86/boot/bzImage" \
	"$work/initramfs.cpio" "$cmdline" || rc=$?
[ "$rc" = 124 ] && echo "qemu: timed out after ${limit}s" >&2
case "$mode" in
run|bench)
	sed -n '/@@ZALLOC-BEGIN/,/@@ZALLOC-END/p' "$log"
	grep -q '@@ZALLOC-END' "$log" || { echo "qemu: no end marker" >&2; exit 1; }
	"$top/tools/verdict.sh" splats "$log" ;;
esac
exit 0
