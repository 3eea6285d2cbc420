#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/check.sh - what `make check` runs: every KUnit suite in QEMU on the
# cached test kernel (KASAN, lockdep, kmemleak), judged by tools/verdict.sh.
# Its last line is "N passed, N failed" (", N skipped" may follow); it exits
# non-zero on any failed or crashed test and on any kernel splat.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kdir=$("$top/tools/kernel.sh" test)
mkdir -p "$top/build"
log="$top/build/check-console.log"

"$top/tools/qemu.sh" test "$log"
echo "check: console log in $log" >&2
"$top/tools/verdict.sh" kunit "$log" "$kdir"
