#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the zalloc QEMU guest (tools/qemu.sh fills in @MODE@ and @MODS@).
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
# In run mode, show what the allocators hold after every load and unload.
stat() {
	[ "$mode" = run ] && [ -d /sys/kernel/debug/zalloc ] && zallocstat
	return 0
}

[ -e $km ] && echo clear >$km
mark "BEGIN $mode cpus=$(grep -c ^processor /proc/cpuinfo)"
loaded=
for m in $mods; do
	if insmod /modules/$m; then
		loaded="${m%.ko} $loaded"
	else
		mark "INSMOD-FAILED $m"
	fi
	stat
done
for m in $loaded; do
	rmmod "$m" || mark "RMMOD-FAILED $m"
	stat
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
