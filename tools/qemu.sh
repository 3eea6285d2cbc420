#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/qemu.sh - boot a zalloc kernel in QEMU with the modules loaded.
#
# Usage: tools/qemu.sh test|run|bench [LOG]
#
#   test   load zalloc.ko and zalloc_kunit.ko (every KUnit suite), unload,
#          scan kmemleak; the console log is written to LOG
#   run    load zalloc.ko and the demo consumer, show what happened, unload
#   bench  load zalloc.ko and zalloc_bench.ko on the benchmark kernel, with
#          the module parameters in ZALLOC_BENCH_ARGS (e.g. "only=kmalloc")
#
# The guest's /init writes @@ZALLOC-BEGIN and @@ZALLOC-END markers to the
# kernel log around its work; a log without the end marker means the guest
# hung or panicked.  QEMU uses TCG (software emulation) by default;
# ZALLOC_QEMU_ACCEL=kvm asks for KVM where it works.  ZALLOC_QEMU_SMP sets
# the CPU count (default 2), ZALLOC_QEMU_TIMEOUT the limit in seconds,
# ZALLOC_MAKE_ARGS extra make arguments for the modules (e.g.
# ZALLOC_NO_STATS=y to measure the counters' cost with make bench).
# ZALLOC_PARAMS passes module parameters to zalloc.ko (e.g. "debug=1" for
# debug mode), ZALLOC_QEMU_APPEND adds to the kernel command line (e.g.
# "printk.time=1"), ZALLOC_QEMU_ARGS adds QEMU arguments (tools/bench.sh's
# instruction-count boot passes "-icount shift=0,sleep=off").
set -euo pipefail

mode=${1:-test}
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/zalloc-qemu.XXXXXX)
trap 'rm -rf "$work"' EXIT
log=${2:-$work/console.log}

case "$mode" in
test|run)	flavour=test ;;
bench)		flavour=bench ;;
*)		echo "usage: $0 test|run|bench [LOG]" >&2; exit 2 ;;
esac

kdir=$("$top/tools/kernel.sh" "$flavour")
# shellcheck disable=SC2086
make -s -C "$kdir" M="$top" ZALLOC_WERROR=y ${ZALLOC_MAKE_ARGS:-} modules >&2

case "$mode" in
test)	mods="zalloc.ko zalloc_kunit.ko" ;;
run)	mods="zalloc.ko zalloc_demo.ko" ;;
bench)	mods="zalloc.ko zalloc_bench.ko" ;;
esac

# The initramfs: static busybox, the modules, and /init.
root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,tmp,modules}
cp /bin/busybox "$root/bin/busybox"
for m in $mods; do
	cp "$top/$m" "$root/modules/"
done
# Loaded and unloaded by /init's orphan check, after the suites.
[ "$mode" = test ] && cp "$top/zalloc_kunit_orphan.ko" "$root/modules/"
[ -x "$top/tools/zallocstat" ] && cp "$top/tools/zallocstat" "$root/bin/"
if [ "$mode" = bench ]; then
	# A loader that tries finit_module() once (see tools/zload.c).
	gcc -static -Os -Wall -Werror -o "$root/bin/zload" "$top/tools/zload.c"
fi
bargs=${ZALLOC_BENCH_ARGS:-}
case "$bargs" in *[!A-Za-z0-9_=,.\ -]*)
	echo "qemu: ZALLOC_BENCH_ARGS: only name=value words" >&2; exit 2 ;;
esac
sed -e "s/@MODE@/$mode/" -e "s/@MODS@/$mods/" -e "s/@BENCH_ARGS@/$bargs/" \
	-e "s/@ZPARAMS@/${ZALLOC_PARAMS:-}/" "$top/tools/init.sh" >"$root/init"
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet) >"$work/initramfs.cpio"

accel=${ZALLOC_QEMU_ACCEL:-tcg}
cpu=max
[ "$accel" = kvm ] && cpu=host
cmdline="console=ttyS0 printk.time=0 panic=-1 oops=panic softlockup_panic=1"
cmdline="$cmdline hung_task_panic=1 loglevel=7 kmemleak=on ${ZALLOC_QEMU_APPEND:-}"

qargs=${ZALLOC_QEMU_ARGS:-}
echo "qemu: booting $mode (accel=$accel, smp=${ZALLOC_QEMU_SMP:-2}${qargs:+, $qargs})" >&2
rc=0
# shellcheck disable=SC2086
timeout --foreground "${ZALLOC_QEMU_TIMEOUT:-3000}" \
	qemu-system-x86_64 -nodefaults -nographic -no-reboot \
	-serial stdio -monitor none -accel "$accel" -cpu "$cpu" \
	-smp "${ZALLOC_QEMU_SMP:-2}" -m 2G $qargs \
	-kernel "$kdir/arch/x86/boot/bzImage" -initrd "$work/initramfs.cpio" \
	-append "$cmdline" </dev/null >"$log" 2>&1 || rc=$?
tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"
if [ "$rc" = 124 ]; then
	echo "qemu: timed out after ${ZALLOC_QEMU_TIMEOUT:-3000}s" >&2
fi
if [ "$mode" != test ]; then
	sed -n '/@@ZALLOC-BEGIN/,/@@ZALLOC-END/p' "$log"
	grep -q '@@ZALLOC-END' "$log" || { echo "qemu: no end marker" >&2; exit 1; }
	"$top/tools/verdict.sh" splats "$log"
fi
exit 0
