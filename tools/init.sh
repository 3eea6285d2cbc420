#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the zalloc QEMU guest (tools/qemu.sh fills in @MODE@, @MODS@ and,
# for the benchmark, @BENCH_ARGS@).
# Loads the modules, unloads them in reverse order, checks kmemleak and the
# taint flags, and reboots (QEMU runs with -no-reboot, so that exits).
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug

mode=@MODE@
mods="@MODS@"
km=/sys/kernel/debug/kmemleak
mark() { echo "@@ZALLOC-$*" >/dev/kmsg; }

[ -e $km ] && echo clear >$km
mark "BEGIN $mode cpus=$(grep -c ^processor /proc/cpuinfo)"
loaded=
for m in $mods; do
	if [ "$mode" = bench ] && [ "$m" = zalloc_bench.ko ]; then
		# The benchmark runs in its init and returns -EAGAIN (11) so it
		# never stays loaded: that failure is its success, any other is
		# not.  zload, not busybox insmod, which would retry the failed
		# finit_module() with init_module() and run it all again.
		rc=0
		# shellcheck disable=SC2086
		zload /modules/$m @BENCH_ARGS@ 2>/tmp/zload.err || rc=$?
		[ "$rc" = 11 ] || { cat /tmp/zload.err; mark "INSMOD-FAILED $m"; }
		continue
	fi
	if insmod /modules/$m; then
		loaded="${m%.ko} $loaded"
	else
		mark "INSMOD-FAILED $m"
	fi
	[ "$mode" = run ] && [ -x /bin/zallocstat ] && zallocstat
done
for m in $loaded; do
	rmmod "$m" || mark "RMMOD-FAILED $m"
	[ "$mode" = run ] && [ -x /bin/zallocstat ] && zallocstat
done

if [ -e $km ]; then
	# kmemleak ignores objects younger than 5 s; scan twice, as its docs say.
	sleep 6
	echo scan >$km
	echo scan >$km
	mark "KMEMLEAK-BEGIN"
	cat $km
	mark "KMEMLEAK-END"
fi
mark "TAINT $(cat /proc/sys/kernel/tainted)"
mark "END"
reboot -f
