#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/compat.sh - compile-only builds against the kernels DKMS users run
# (`make compat`, and a step of `make check`):
#
#   Debian's kernel headers   every /usr/src/linux-headers-*-amd64 installed
#                             (tools/deps.sh installs bookworm's
#                             linux-headers-amd64, 6.1)
#   the 6.12 test tree        Debian's linux-source-6.12 (tools/kernel.sh)
#   ZALLOC_COMPAT_KDIRS       more trees, space separated
#
# Each build runs with W=1 and -Werror on a fresh copy of the sources under
# build/compat/<tree>/ and must print no warning.  Kernel differences are
# handled in include/zalloc/compat.h (and Kbuild probes), nowhere else.
# Exits non-zero if any build fails; its last line is "compat: ok (...)" or
# "compat: failed on ...".
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tools/lib.sh
. "$top/tools/lib.sh"

"$top/tools/deps.sh" >&2 || exit 1
kdirs=()
for d in /usr/src/linux-headers-*-amd64; do
	[ -e "$d/Makefile" ] && kdirs+=("$d")
done
kdirs+=("$("$top/tools/kernel.sh" test)") || exit 1
# shellcheck disable=SC2206
kdirs+=(${ZALLOC_COMPAT_KDIRS:-})

out=$(mktemp /tmp/zalloc-compat.XXXXXX)
trap 'rm -f "$out"' EXIT
ok=() bad=()
for kdir in "${kdirs[@]}"; do
	name=$(basename "$kdir")
	ver=$(make -s -C "$kdir" kernelversion 2>/dev/null || echo "$name")
	copy="$top/build/compat/$name"
	zalloc_copy_sources "$copy"
	make -C "$kdir" M="$copy" W=1 ZALLOC_WERROR=y modules >"$out" 2>&1
	rc=$?
	sed -i "s|$copy/||g" "$out"
	if [ "$rc" != 0 ] || [ "$(zalloc_count_warnings "$out")" != 0 ]; then
		echo "compat: $ver ($kdir): rc $rc" >&2
		grep -v '^  [A-Z]' "$out" | grep -v '^make' >&2
		bad+=("$ver")
	else
		ok+=("$ver: $(cd "$copy" && echo *.ko)")
	fi
done

if [ "${#bad[@]}" != 0 ]; then
	echo "compat: failed on ${bad[*]}"
	exit 1
fi
printf 'compat: ok (%s)\n' "$(IFS=';'; echo "${ok[*]}")"
