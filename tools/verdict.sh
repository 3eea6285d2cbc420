#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/verdict.sh - judge a zalloc guest's console log.
#
#   tools/verdict.sh splats LOG      exit 1 if the kernel complained
#   tools/verdict.sh kunit LOG KDIR  parse the KTAP with KDIR's kunit.py,
#                                    print "N passed, N failed[, N skipped]"
#                                    as the last line; exit 1 on any failure
#
# ZALLOC_HOST_PASSED and ZALLOC_HOST_FAILED (default 0) add the host-side
# checks tools/check.sh ran (static, compat) to the totals, and the guest's
# "@@ZALLOC-CHECK ok NAME" / "@@ZALLOC-CHECK FAIL NAME: why" lines (checks
# /init runs itself, such as the orphan check) are added too.
#
# A splat is any of the patterns below anywhere in the log, a kmemleak
# report, a taint flag other than O (out-of-tree, 4096) and N (test, 262144),
# or a missing end marker (the guest hung or panicked).
set -uo pipefail

splat_re='BUG:|WARNING:|KASAN:|UBSAN:|unreferenced object|Oops|Call Trace:'
splat_re="$splat_re|possible recursive locking|circular locking"
splat_re="$splat_re|sleeping function called from invalid context"
splat_re="$splat_re|inconsistent lock state|lock held when returning"
splat_re="$splat_re|list_add corruption|list_del corruption|refcount_t:"
splat_re="$splat_re|soft lockup|hard LOCKUP|rcu: INFO|blocked for more than"
splat_re="$splat_re|Kernel panic|general protection fault|kernel BUG"
splat_re="$splat_re|@@ZALLOC-(INSMOD|RMMOD)-FAILED"

splats() {
	local log=$1 bad=0 taint

	if ! grep -q '@@ZALLOC-END' "$log"; then
		echo "verdict: no end marker: the guest hung or panicked" >&2
		tail -40 "$log" >&2
		bad=1
	fi
	if grep -Eq "$splat_re" "$log"; then
		echo "verdict: the kernel log has splats:" >&2
		grep -En -B2 -A20 "$splat_re" "$log" | head -120 >&2
		bad=1
	fi
	taint=$(sed -n 's/.*@@ZALLOC-TAINT \([0-9]*\).*/\1/p' "$log" | tail -1)
	if [ -n "$taint" ] && [ $((taint & ~(4096 | 262144))) != 0 ]; then
		echo "verdict: kernel tainted $taint (only O=4096 and N=262144 allowed)" >&2
		bad=1
	fi
	return $bad
}

kunit() {
	local log=$1 kdir=$2 ktap out summary p f c s e failed gp gf
	ktap=$(mktemp /tmp/zalloc-ktap.XXXXXX)
	sed -n '/@@ZALLOC-BEGIN/,/@@ZALLOC-KMEMLEAK-BEGIN\|@@ZALLOC-END/p' "$log" >"$ktap"
	out=$(python3 "$kdir/tools/testing/kunit/kunit.py" parse "$ktap" 2>&1)
	rm -f "$ktap"
	echo "$out"
	summary=$(echo "$out" | grep -o 'Ran [0-9]* tests:.*' | tail -1)
	num() { echo "$summary" | grep -o "$1: [0-9]*" | grep -o '[0-9]*$' || echo 0; }
	p=$(num passed); f=$(num failed); c=$(num crashed)
	s=$(num skipped); e=$(num errors)
	gp=$(grep -c '@@ZALLOC-CHECK ok ' "$log")
	gf=$(grep -c '@@ZALLOC-CHECK FAIL ' "$log")
	grep '@@ZALLOC-CHECK FAIL ' "$log" >&2
	failed=$((f + c + gf + ${ZALLOC_HOST_FAILED:-0}))
	p=$((p + gp + ${ZALLOC_HOST_PASSED:-0}))
	bad=0
	if [ -z "$summary" ] || [ "$e" != 0 ] || echo "$out" | grep -q '\[ERROR\]'; then
		echo "verdict: KTAP missing or malformed" >&2
		bad=1
	fi
	if ! splats "$log"; then
		failed=$((failed + 1))
		bad=1
	fi
	[ "$failed" = 0 ] || bad=1
	if [ "$s" != 0 ]; then
		echo "$p passed, $failed failed, $s skipped"
	else
		echo "$p passed, $failed failed"
	fi
	return $bad
}

case "${1:-}" in
splats)	splats "$2" ;;
kunit)	kunit "$2" "$3" ;;
*)	echo "usage: $0 splats LOG | kunit LOG KDIR" >&2; exit 2 ;;
esac
