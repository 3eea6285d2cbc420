#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/kernel.sh - build (once) and locate the QEMU kernel zalloc is tested on.
#
# Usage: tools/kernel.sh test|rt|bench
#
# Prints the path of a built kernel tree (usable as KDIR) on stdout.  The tree
# is Debian's linux-source-6.12 configured from tinyconfig plus the fragments
# in tools/kconfig/; "test" adds debug.config (KASAN, lockdep with raw lock
# nesting, kmemleak, fault injection), "rt" adds debug.config and then
# rt.config (the same checkers on PREEMPT_RT), "bench" adds bench.config
# (what the benchmark's peers need) and leaves every timing-distorting
# checker off.  A later fragment overrides an earlier one.
#
# The build is cached outside the repository, under $ZALLOC_CACHE (default
# ~/.cache/zalloc), in a folder keyed by the linux-source package version, the
# compiler version and a hash of the fragments, so editing a fragment or
# upgrading the source package builds a new tree and never reuses a stale one.
# Concurrent callers of the same tree serialise on a lock file per tree, so a
# bench kernel being built does not hold up users of the test kernel.
set -euo pipefail

flavour=${1:-test}
here=$(cd "$(dirname "$0")" && pwd)
cache=${ZALLOC_CACHE:-$HOME/.cache/zalloc}

case "$flavour" in
test)	frags="$here/kconfig/base.config $here/kconfig/debug.config" ;;
rt)	frags="$here/kconfig/base.config $here/kconfig/debug.config $here/kconfig/rt.config" ;;
bench)	frags="$here/kconfig/base.config $here/kconfig/bench.config" ;;
*)	echo "usage: $0 test|rt|bench" >&2; exit 2 ;;
esac

"$here/deps.sh" >&2

tarball=/usr/src/linux-source-6.12.tar.xz
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
ccver=$(gcc -dumpfullversion)
# shellcheck disable=SC2086
fraghash=$(cat $frags | sha256sum | cut -c1-12)
key="linux-$srcver-gcc$ccver-$flavour-$fraghash"
tree="$cache/$key"

mkdir -p "$cache"
exec 9>"$cache/.lock-$key"
flock 9

if [ -e "$tree/.zalloc-built" ]; then
	echo "$tree"
	exit 0
fi

echo "kernel: building $key (about 6 minutes on 2 cores)" >&2
start=$(date +%s)
if [ ! -e "$tree/.zalloc-extracted" ]; then
	rm -rf "$tree" "$tree.tmp"
	mkdir -p "$tree.tmp"
	tar -xJf "$tarball" -C "$tree.tmp" --strip-components=1
	mv "$tree.tmp" "$tree"
	touch "$tree/.zalloc-extracted"
fi

cd "$tree"
{
	make ARCH=x86_64 tinyconfig
	# shellcheck disable=SC2086
	scripts/kconfig/merge_config.sh -m .config $frags
	make ARCH=x86_64 olddefconfig
} >"$tree/.zalloc-config.log" 2>&1

# Every fragment line must have survived olddefconfig: a dropped option
# means a dependency is missing and the kernel would silently test less.
# Where fragments disagree the last one counts, as in merge_config.sh.
missing=0
# shellcheck disable=SC2086
for line in $(grep -h '^CONFIG_' $frags | tac | awk -F= '!seen[$1]++' | tac); do
	opt=${line%%=*}
	want=${line#*=}
	if [ "$want" = n ]; then
		have=$(grep -E "^$opt=|^# $opt is not set" .config || true)
		case "$have" in "$opt="*) echo "kernel: $opt should be off" >&2; missing=1 ;; esac
	elif ! grep -qx "$line" .config; then
		echo "kernel: $line did not survive olddefconfig" >&2
		missing=1
	fi
done
[ "$missing" = 0 ] || exit 1

make ARCH=x86_64 -j"$(nproc)" bzImage modules >"$tree/.zalloc-build.log" 2>&1 || {
	tail -30 "$tree/.zalloc-build.log" >&2
	exit 1
}
touch "$tree/.zalloc-built"
echo "kernel: built $key in $(($(date +%s) - start)) s" >&2
# Keep this tree and the newest other built tree of this flavour (another
# branch or clone sharing the cache may still use it); drop older ones,
# but never one whose lock another build holds.
# shellcheck disable=SC2012
ls -dt "$cache"/linux-*-"$flavour"-*/.zalloc-built 2>/dev/null | tail -n +3 |
while read -r stamp; do
	old=${stamp%/.zalloc-built}
	[ "$old" = "$tree" ] && continue
	(flock -n 8 && rm -rf "$old") 8>"$cache/.lock-${old##*/}"
done
echo "$tree"
