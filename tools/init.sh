#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the zalloc QEMU guest (tools/qemu.sh fills in @MODE@, @MODS@,
# @ZPARAMS@ (zalloc.ko's module parameters) and, for the benchmark,
# @BENCH_ARGS@).
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
# A guest-side check: "@@ZALLOC-CHECK ok NAME" or "@@ZALLOC-CHECK FAIL NAME:
# why"; tools/verdict.sh adds them to the totals.
check() { mark "CHECK $*"; }

# The orphan check (kunit/orphan.c): a module that unloads with named
# instances must take their names and folders with it.
orphan_check() {
	z=/sys/kernel/debug/zalloc
	names="orphan-fixed orphan-arena orphan-sf"
	for round in 1 2; do
		insmod /modules/zalloc_kunit_orphan.ko ||
			{ check "FAIL orphan: insmod (round $round)"; return; }
		for n in $names; do
			[ -r "$z/$n/stats" ] ||
				{ check "FAIL orphan: no $z/$n/stats"; return; }
		done
		rmmod zalloc_kunit_orphan ||
			{ check "FAIL orphan: rmmod"; return; }
		for n in $names; do
			[ -e "$z/$n" ] &&
				{ check "FAIL orphan: $z/$n left behind"; return; }
		done
	done
	cat "$z"/*/stats >/dev/null ||
		{ check "FAIL orphan: a stats file does not read"; return; }
	got=$(dmesg | grep -c 'unloaded without destroying instance orphan-')
	[ "$got" = 6 ] ||
		{ check "FAIL orphan: $got reports, expected 6"; return; }
	check "ok orphan"
}

# In run mode, show what the allocators hold after every load and unload.
stat() {
	[ "$mode" = run ] && [ -d /sys/kernel/debug/zalloc ] && zallocstat
	return 0
}

# Fault injection for zalloc_faults: armed for every gfp and order, but
# only tasks with make-it-fail set (the test sets current->make_it_fail
# around allocator calls) see failures; no stack dumps in the log.
fi=/sys/kernel/debug
for f in failslab fail_page_alloc; do
	[ -d $fi/$f ] || continue
	echo Y >$fi/$f/task-filter
	echo N >$fi/$f/ignore-gfp-wait
	echo 0 >$fi/$f/verbose
	echo 10 >$fi/$f/probability
	echo 1 >$fi/$f/interval
	echo -1 >$fi/$f/times
	echo 0 >$fi/$f/space
done
[ -d $fi/fail_page_alloc ] && echo 0 >$fi/fail_page_alloc/min-order
[ -d $fi/fail_page_alloc ] && echo N >$fi/fail_page_alloc/ignore-gfp-highmem

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
	args=
	[ "$m" = zalloc.ko ] && args="@ZPARAMS@"
	# shellcheck disable=SC2086
	if insmod /modules/$m $args; then
		loaded="${m%.ko} $loaded"
	else
		mark "INSMOD-FAILED $m"
	fi
	stat
done
[ "$mode" = test ] && orphan_check
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
