#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the zalloc QEMU guest (tools/lib.sh's zalloc_initramfs fills in
# @MODE@, @MODS@, @ZPARAMS@ (zalloc.ko's module parameters), @PROBE_ARGS@
# (zalloc_irqprobe.ko's), for the RT run @SUITES@ and for the benchmark
# @BENCH_ARGS@).
# Loads the modules, unloads them in reverse order, checks kmemleak and the
# taint flags, and reboots (QEMU runs with -no-reboot, so that exits).
#
# Modes: test (every KUnit suite, then the orphan, trace and debug-kmemleak
# checks), rt (zalloc_kunit.ko
# once per suite in @SUITES@, chosen with kunit's filter_glob, then the
# hard-IRQ probe), run (the demo, zallocstat after every step), bench, and
# distro (a distribution's kernel: the demo, the example consumer and the
# hard-IRQ probe; every debugfs file read).
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

# The trace check: with the zalloc events enabled, a load and unload of the
# demo records allocations, frees and smp slabs, and for each instance the
# demo gives everything back to (demo-smp, kmalloc, page) the events' byte
# changes (new_len - len of every successful call) add up to zero.
trace_check() {
	t=/sys/kernel/tracing
	mount -t tracefs tracefs $t 2>/dev/null
	insmod /modules/zalloc.ko || { check "FAIL trace: insmod zalloc"; return; }
	if [ ! -d $t/events/zalloc ]; then
		rmmod zalloc
		check "FAIL trace: no $t/events/zalloc"
		return
	fi
	echo 16384 >$t/buffer_size_kb
	echo >$t/trace
	echo 1 >$t/events/zalloc/enable
	insmod /modules/zalloc_demo.ko && rmmod zalloc_demo ||
		{ echo 0 >$t/events/zalloc/enable; rmmod zalloc
		  check "FAIL trace: demo"; return; }
	echo 0 >$t/events/zalloc/enable
	# Before zalloc goes: unloading a module with events empties the buffer.
	cat $t/trace >/tmp/trace
	lost=$(grep -h overrun $t/per_cpu/cpu*/stats | awk '{ n += $2 } END { print n + 0 }')
	rmmod zalloc || { check "FAIL trace: rmmod zalloc"; return; }
	[ "$lost" = 0 ] || { check "FAIL trace: $lost events overrun"; return; }
	out=$(awk '
		match($0, / (alloc|free|resize|remap): name=/) {
			ev = substr($0, RSTART + 1, RLENGTH - 8)
			delete f
			for (i = 1; i <= NF; i++)
				if (split($i, kv, "=") == 2)
					f[kv[1]] = kv[2]
			n[f["name"] " " ev]++
			if (ev == "free" || f["new_ptr"] !~ /^(0+|\(null\))$/)
				sum[f["name"]] += f["new_len"] - f["len"]
		}
		/ slab: name=demo-smp .* taken/ { slabs++ }
		END {
			printf "allocs=%d frees=%d slabs=%d", n["demo-smp alloc"],
			       n["demo-smp free"], slabs
			for (s in sum)
				if (s ~ /^(demo-smp|kmalloc|page)$/ && sum[s])
					printf " unbalanced:%s:%d", s, sum[s]
		}' /tmp/trace)
	case "$out" in
	*unbalanced*|allocs=0*|*frees=0*|*slabs=0) check "FAIL trace: $out" ;;
	*) check "ok trace ($out)" ;;
	esac
}

# Debug mode's bookkeeping is reachable by kmemleak: with zalloc.debug=1
# and the demo's instances alive (every global instance in debug mode, and
# the demo's blocks held), a scan reports nothing.
debug_leak_check() {
	[ -e $km ] || { check "ok debug-kmemleak (no kmemleak)"; return; }
	insmod /modules/zalloc.ko debug=1 && insmod /modules/zalloc_demo.ko ||
		{ check "FAIL debug-kmemleak: insmod"; return; }
	echo clear >$km
	sleep 6
	echo scan >$km
	echo scan >$km
	n=$(grep -c 'unreferenced object' $km)
	cat $km
	echo clear >$km
	rmmod zalloc_demo && rmmod zalloc ||
		{ check "FAIL debug-kmemleak: rmmod"; return; }
	if [ "$n" = 0 ]; then
		check "ok debug-kmemleak"
	else
		check "FAIL debug-kmemleak: $n objects reported mid-run"
	fi
}

# In run and distro modes, show what the allocators hold after every load
# and unload.
show_stats() {
	case "$mode" in run|distro) ;; *) return 0 ;; esac
	[ -d /sys/kernel/debug/zalloc ] && zallocstat
	return 0
}

# Every zalloc debugfs file must read, and be root's only (0400); each
# instance's files are printed (zallocstat -i) for the log.
debugfs_check() {
	n=0
	for f in /sys/kernel/debug/zalloc/*/*; do
		[ -f "$f" ] || continue
		cat "$f" >/dev/null ||
			{ check "FAIL debugfs: $f does not read"; return; }
		perm=$(stat -c %a "$f")
		[ "$perm" = 400 ] ||
			{ check "FAIL debugfs: $f has mode $perm, not 400"; return; }
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || { check "FAIL debugfs: no zalloc files"; return; }
	for d in /sys/kernel/debug/zalloc/*; do
		zallocstat -i "${d##*/}" ||
			{ check "FAIL debugfs: zallocstat -i ${d##*/}"; return; }
	done
	check "ok debugfs ($n files read)"
}

# zalloc_irqprobe's result lines, "<subject>: ok: ..." and "<subject>:
# FAILED: why", become checks (after unloading: teardown may fail too).
probe_checks() {
	p='zalloc_irqprobe: \([A-Za-z0-9_-]*\)'
	dmesg | sed -n "s/.*$p: ok: .*/ok irqprobe-\1/p" |
		while read -r c; do check "$c"; done
	dmesg | sed -n "s/.*$p: FAILED: \(.*\)/FAIL irqprobe-\1: \2/p" |
		while read -r c; do check "$c"; done
}

# The RT run: zalloc_kunit.ko once per suite, kunit's filter_glob choosing it
# (one KTAP document per load; tools/verdict.sh adds them up).
rt_suites() {
	fg=/sys/module/kunit/parameters/filter_glob
	[ -w $fg ] || { check "FAIL rt: no $fg"; return; }
	# shellcheck disable=SC2043 # @SUITES@ is a list once filled in
	for s in @SUITES@; do
		printf %s "$s" >$fg
		if insmod /modules/zalloc_kunit.ko; then
			rmmod zalloc_kunit || mark "RMMOD-FAILED zalloc_kunit.ko"
		else
			mark "INSMOD-FAILED zalloc_kunit.ko ($s)"
		fi
	done
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
	if [ "$mode" = rt ] && [ "$m" = zalloc_kunit.ko ]; then
		rt_suites
		continue
	fi
	args=
	[ "$m" = zalloc.ko ] && args="@ZPARAMS@"
	[ "$m" = zalloc_irqprobe.ko ] && args="@PROBE_ARGS@"
	# shellcheck disable=SC2086
	if insmod /modules/$m $args; then
		loaded="${m%.ko} $loaded"
	else
		mark "INSMOD-FAILED $m"
	fi
	show_stats
done
[ "$mode" = test ] && orphan_check
[ "$mode" = distro ] && debugfs_check
for m in $loaded; do
	rmmod "$m" || mark "RMMOD-FAILED $m"
	show_stats
done
case "$mods" in *zalloc_irqprobe.ko*) probe_checks ;; esac
if [ "$mode" = test ]; then
	trace_check
	debug_leak_check
fi

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
