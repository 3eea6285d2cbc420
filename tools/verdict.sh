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
# The log may hold several KTAP documents (the RT run loads zalloc_kunit.ko
# once per suite); each is parsed and their counts are added up.
# ZALLOC_HOST_PASSED, ZALLOC_HOST_FAILED and ZALLOC_HOST_SKIPPED (default 0)
# add checks counted elsewhere (tools/check.sh's host checks, an earlier
# boot) to the totals, and the guest's "@@ZALLOC-CHECK ok NAME" /
# "@@ZALLOC-CHECK FAIL NAME: why" lines (checks /init runs itself, such as
# the orphan check) are added too.
#
# A splat is any of the patterns below anywhere in the log, a kmemleak
# report, a taint flag outside ZALLOC_TAINT_OK (default O, out-of-tree,
# 4096, and N, test, 262144), or a missing end marker (the guest hung or
# panicked).
set -uo pipefail

taint_ok=${ZALLOC_TAINT_OK:-$((4096 | 262144))}

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
	if [ -n "$taint" ] && [ $((taint & ~taint_ok)) != 0 ]; then
		echo "verdict: kernel tainted $taint (only $taint_ok allowed)" >&2
		bad=1
	fi
	return $bad
}

kunit() {
	local log=$1 kdir=$2 dir doc out summary p=0 f=0 c=0 s=0 e=0 failed gp gf
	local malformed=0
	dir=$(mktemp -d /tmp/zalloc-ktap.XXXXXX)
	# One file per KTAP document: each starts at an unindented version line.
	sed -n '/@@ZALLOC-BEGIN/,/@@ZALLOC-KMEMLEAK-BEGIN\|@@ZALLOC-END/p' "$log" |
		awk -v d="$dir" '/^K?TAP version/ { n++ } n { print > (d "/" n) }'
	num() { echo "$summary" | grep -o "$1: [0-9]*" | grep -o '[0-9]*$' || echo 0; }
	# shellcheck disable=SC2012 # the files are named 1, 2, ...
	for doc in $(ls "$dir" | sort -n); do
		out=$(python3 "$kdir/tools/testing/kunit/kunit.py" parse "$dir/$doc" 2>&1)
		echo "$out"
		summary=$(echo "$out" | grep -o 'Ran [0-9]* tests:.*' | tail -1)
		[ -n "$summary" ] || malformed=1
		echo "$out" | grep -q '\[ERROR\]' && malformed=1
		p=$((p + $(num passed))); f=$((f + $(num failed)))
		c=$((c + $(num crashed))); s=$((s + $(num skipped)))
		e=$((e + $(num errors)))
	done
	[ -n "$(ls "$dir")" ] || malformed=1
	rm -rf "$dir"
	gp=$(grep -c '@@ZALLOC-CHECK ok ' "$log")
	gf=$(grep -c '@@ZALLOC-CHECK FAIL ' "$log")
	grep '@@ZALLOC-CHECK FAIL ' "$log" >&2
	failed=$((f + c + gf + ${ZALLOC_HOST_FAILED:-0}))
	p=$((p + gp + ${ZALLOC_HOST_PASSED:-0}))
	s=$((s + ${ZALLOC_HOST_SKIPPED:-0}))
	bad=0
	if [ "$malformed" != 0 ] || [ "$e" != 0 ]; then
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
