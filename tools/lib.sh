# SPDX-License-Identifier: GPL-2.0
#
# tools/lib.sh - helpers shared by static.sh and compat.sh (sourced, with
# $top set to the repository).

# Every C source and header of the project, one per line, sorted.
zalloc_sources() {
	local d dirs=()

	for d in zalloc include kunit demo bench examples; do
		[ -d "$top/$d" ] && dirs+=("$d")
	done
	(cd "$top" && find "${dirs[@]}" -type f -name '*.[ch]' | sort)
}

# Copy the sources (tracked and untracked, not ignored) to $1, afresh.
zalloc_copy_sources() {
	local dst=$1

	rm -rf "$dst"
	mkdir -p "$dst"
	(
		cd "$top" || exit 1
		if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
			git ls-files -co --exclude-standard
		else
			find . -path ./build -prune -o -type f -print
		fi | grep -v '^\(\./\)\?build/' | cpio -pdm --quiet "$dst"
	)
}

# How many compiler, sparse, kernel-doc or modpost findings a build log has.
zalloc_count_warnings() {
	grep -Ec '(^|: )(warning|error|WARNING|ERROR):' "$1"
}

# An initramfs for a zalloc guest in $1 (a cpio file): static busybox,
# tools/zallocstat, the modules given after the first four arguments (paths)
# in /modules/, and tools/init.sh as /init with @MODE@ = $2, @MODS@ = $3
# (module file names, loaded in that order) and @SUITES@ = $4 (KUnit suites
# for the rt mode).  @ZPARAMS@, @PROBE_ARGS@ and @BENCH_ARGS@ come from
# ZALLOC_PARAMS, ZALLOC_IRQPROBE_ARGS and ZALLOC_BENCH_ARGS.
zalloc_initramfs() {
	local cpio=$1 mode=$2 mods=$3 suites=$4 root m
	shift 4

	case "${ZALLOC_PARAMS:-}${ZALLOC_IRQPROBE_ARGS:-}${ZALLOC_BENCH_ARGS:-}" in
	*[!A-Za-z0-9_=,.\ -]*)
		echo "zalloc: module arguments: only name=value words" >&2
		return 2 ;;
	esac

	root=$(mktemp -d /tmp/zalloc-root.XXXXXX)
	mkdir -p "$root"/{bin,dev,proc,sys,tmp,modules}
	cp /bin/busybox "$root/bin/busybox"
	for m in "$@"; do
		cp "$m" "$root/modules/"
	done
	[ -x "$top/tools/zallocstat" ] && cp "$top/tools/zallocstat" "$root/bin/"
	sed -e "s/@MODE@/$mode/" -e "s/@MODS@/$mods/" \
		-e "s/@SUITES@/$suites/" \
		-e "s/@BENCH_ARGS@/${ZALLOC_BENCH_ARGS:-}/" \
		-e "s/@ZPARAMS@/${ZALLOC_PARAMS:-}/" \
		-e "s/@PROBE_ARGS@/${ZALLOC_IRQPROBE_ARGS:-}/" \
		"$top/tools/init.sh" >"$root/init"
	chmod +x "$root/init"
	[ "$mode" = bench ] &&
		gcc -static -Os -Wall -Werror -o "$root/bin/zload" "$top/tools/zload.c"
	(cd "$root" && find . | cpio -o -H newc --quiet) >"$cpio"
	rm -rf "$root"
}

# The kernel command line every zalloc guest gets: the serial console, and
# every detector that can turn a hang into a panic (QEMU exits on panic).
# unknown_nmi_panic lets zalloc_boot() ask a wedged guest for a panic, whose
# output includes what printk still held back (on PREEMPT_RT the console is
# printed by a kthread, which a wedged guest never runs) and, with
# panic_print=0x40, every CPU's backtrace.
zalloc_cmdline() {
	echo "console=ttyS0 printk.time=0 panic=-1 oops=panic softlockup_panic=1" \
		"hung_task_panic=1 sysctl.kernel.panic_on_rcu_stall=1" \
		"unknown_nmi_panic panic_print=0x40 loglevel=7"
}

# Boot $3 (a bzImage) with initramfs $4 and command line $5 in QEMU, console
# to $1 (carriage returns stripped), for at most $2 seconds.  A guest still
# running then gets an NMI from the QEMU monitor (panicking it, see
# zalloc_cmdline) and 20 more seconds before QEMU is stopped.  Returns
# QEMU's status, 124 if it had to be stopped.  ZALLOC_QEMU_ACCEL (tcg),
# ZALLOC_QEMU_SMP (2) and ZALLOC_QEMU_ARGS (more QEMU arguments, e.g.
# make bench's -icount) apply.
# shellcheck disable=SC2086
zalloc_boot() {
	local log=$1 limit=$2 kernel=$3 initrd=$4 cmdline=$5
	local accel=${ZALLOC_QEMU_ACCEL:-tcg} cpu=max mon pid rc=0 st=0 t=0

	case "$accel" in kvm*) cpu=host ;; esac
	mon=$(mktemp -u /tmp/zalloc-monitor.XXXXXX)
	qemu-system-x86_64 -nodefaults -nographic -no-reboot \
		-serial stdio -monitor "unix:$mon,server,nowait" \
		-accel "$accel" -cpu "$cpu" -smp "${ZALLOC_QEMU_SMP:-2}" -m 2G \
		${ZALLOC_QEMU_ARGS:-} \
		-kernel "$kernel" -initrd "$initrd" -append "$cmdline" \
		</dev/null >"$log" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$t" -ge "$limit" ]; then
			echo "qemu: still running after ${limit}s: NMI, then stop" >&2
			python3 - "$mon" <<-'PY' || true
			import socket, sys, time
			s = socket.socket(socket.AF_UNIX)
			s.connect(sys.argv[1])
			s.sendall(b"nmi\n")
			time.sleep(1)
			PY
			sleep 20
			kill "$pid" 2>/dev/null
			rc=124
			break
		fi
		sleep 1
		t=$((t + 1))
	done
	wait "$pid" || st=$?
	[ "$rc" = 124 ] || rc=$st
	rm -f "$mon"
	tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"
	return "$rc"
}
