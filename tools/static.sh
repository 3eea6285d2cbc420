#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/static.sh - the static checks (`make static`, and a step of
# `make check`): every .c and .h under zalloc/, include/, kunit/, demo/,
# bench/ and examples/ (found by glob, so new files are covered) must pass
#
#   checkpatch.pl --strict   from the test kernel tree, CHECKs included;
#                            one type ignored: LINUX_VERSION_CODE, which
#                            in-tree code must not use but an out-of-tree
#                            module built for 6.1 to 6.13+ needs (compat.h
#                            uses it once, for the namespace's form)
#   kernel-doc -none         on every file, headers too (W=1 only sees .c)
#   W=1 C=2 -Werror build    gcc's extra warnings, sparse on every file, and
#                            the kernel-doc check W=1 runs on each .c
#
# with no finding at all.  The build runs on a copy of the sources under
# build/static/, so it always compiles (and checks) every file and leaves
# the work tree's objects alone.  Exits non-zero on any finding; its last
# line is "static: ok" or "static: N findings".
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tools/lib.sh
. "$top/tools/lib.sh"

kdir=${KDIR:-$("$top/tools/kernel.sh" test)} || exit 1
cd "$top" || exit 1
mapfile -t files < <(zalloc_sources)
findings=0
out=$(mktemp /tmp/zalloc-static.XXXXXX)
trap 'rm -f "$out"' EXIT

for f in "${files[@]}"; do
	if ! "$kdir/scripts/checkpatch.pl" --strict --no-tree -q \
		--ignore LINUX_VERSION_CODE -f "$f" >"$out" 2>&1 ||
	   [ -s "$out" ]; then
		echo "static: checkpatch: $f" >&2
		cat "$out" >&2
		findings=$((findings + 1))
	fi
done

"$kdir/scripts/kernel-doc" -none "${files[@]}" >"$out" 2>&1
n=$(grep -c . "$out")
if [ "$n" != 0 ]; then
	echo "static: kernel-doc:" >&2
	cat "$out" >&2
	findings=$((findings + n))
fi

copy="$top/build/static"
zalloc_copy_sources "$copy"
make -C "$kdir" M="$copy" W=1 C=2 ZALLOC_WERROR=y modules >"$out" 2>&1
rc=$?
sed -i "s|$copy/||g" "$out"
n=$(zalloc_count_warnings "$out")
if [ "$rc" != 0 ] || [ "$n" != 0 ]; then
	echo "static: W=1 C=2 build (rc $rc):" >&2
	grep -v '^  [A-Z]' "$out" | grep -v '^make' >&2
	findings=$((findings + n + (rc != 0)))
fi

if [ "$findings" != 0 ]; then
	echo "static: $findings findings"
	exit 1
fi
echo "static: ok (${#files[@]} files: checkpatch --strict, kernel-doc, W=1, sparse)"
