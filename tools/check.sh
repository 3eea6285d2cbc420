#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/check.sh - what `make check` runs:
#
#  1. tools/static.sh: checkpatch --strict, kernel-doc, sparse and a W=1
#     -Werror build, clean on every source file (one check);
#  2. tools/compat.sh: compile-only builds against Debian's 6.1 headers and
#     the 6.12 tree, no warnings (one check);
#  3. every KUnit suite in QEMU on the cached test kernel (KASAN, lockdep,
#     kmemleak, fault injection), judged by tools/verdict.sh.
#
# The host checks run first and count as one passed or failed test each in
# the totals; the QEMU run happens either way, so one report shows everything.
# The last line is "N passed, N failed" (", N skipped" may follow); it exits
# non-zero on any failed host check, failed or crashed test, or kernel splat.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kdir=$("$top/tools/kernel.sh" test)
mkdir -p "$top/build"
log="$top/build/check-console.log"

host_passed=0
host_failed=0
for step in static compat; do
	if KDIR="$kdir" "$top/tools/$step.sh" >"$top/build/$step.log" 2>&1; then
		host_passed=$((host_passed + 1))
	else
		host_failed=$((host_failed + 1))
		cat "$top/build/$step.log" >&2
	fi
	echo "check: $(tail -1 "$top/build/$step.log")" >&2
done

# A build failure leaves an empty log, which the verdict counts as failed.
: >"$log"
"$top/tools/qemu.sh" test "$log" || echo "check: the QEMU run failed to start" >&2
echo "check: console log in $log" >&2
ZALLOC_HOST_PASSED=$host_passed ZALLOC_HOST_FAILED=$host_failed \
	"$top/tools/verdict.sh" kunit "$log" "$kdir"
