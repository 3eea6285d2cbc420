#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/distro.sh - `make distro`: zalloc as a Debian user gets it, on
# Debian's own kernels.  For each kernel in ZALLOC_DISTRO_KERNELS (default
# bookworm's 6.1.0-57-amd64, 6.12.118+deb12-amd64 and the PREEMPT_RT
# 6.12.118+deb12-rt-amd64):
#
#  dkms       `apt-get install dkms linux-headers-<kernel>`, as a DKMS user
#             does (the 6.12 headers pull in the image package too), then
#             `dkms build` and `dkms install` of this tree, registered once
#             as zalloc/<version> from /usr/src/zalloc-<version>; DKMS's
#             make.log must hold no warning
#  consumers  examples/consumer, examples/irqprobe and demo/ built as
#             modules outside zalloc's tree against that installed DKMS
#             copy (its include/ and the Module.symvers DKMS kept for the
#             kernel), exactly as the README says, W=1, no warning
#  tree       the same consumers against zalloc built in its own tree
#             against the stock headers (make -C <headers> M=..., W=1),
#             no warning
#  boot       the distribution's vmlinuz, from linux-image-<kernel>-unsigned
#             of the headers' version (apt-get download, unpacked, never
#             installed; cached under $ZALLOC_CACHE/distro/), booted in QEMU
#             (TCG, 2 vCPUs, console=ttyS0) with a busybox initramfs holding
#             the zalloc.ko DKMS installed and the consumers: load zalloc,
#             the demo, the example consumer and the hard-IRQ probe, read
#             every debugfs file, unload; any splat, a hang (no end marker
#             within ZALLOC_DISTRO_TIMEOUT seconds, default 180) or a taint
#             other than O (out-of-tree) and E (unsigned module: DKMS signs
#             with its own key, which the kernel does not trust) fails it
#
# plus the guest's checks (the debugfs files, one per hard-IRQ probe
# subject).  Each counts as one test; the last line is "N passed, N failed".
# Logs are kept in build/distro/<kernel>/ (console.log, dkms.log, ...).
#
# The DKMS registration is the check's own: it refuses to touch a
# zalloc/<version> registered by anything else, replaces its own from an
# earlier run, and removes it at the end (ZALLOC_DISTRO_KEEP=1 keeps it
# installed).  Needs root, like the apt-get and dkms it runs.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tools/lib.sh
. "$top/tools/lib.sh"

kernels=${ZALLOC_DISTRO_KERNELS:-"6.1.0-57-amd64 6.12.118+deb12-amd64 6.12.118+deb12-rt-amd64"}
cache=${ZALLOC_CACHE:-$HOME/.cache/zalloc}/distro
out=$top/build/distro
arch=$(uname -m)
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
src=/usr/src/zalloc-$ver
marker=$src/.zalloc-distro-check
dtree=/var/lib/dkms/zalloc/$ver
passed=0
failed=0
t0=$(date +%s)

# result KERNEL NAME ok|FAIL [why]: one test.
result() {
	if [ "$3" = ok ]; then
		passed=$((passed + 1))
		echo "distro: $1: $2: ok" >&2
	else
		failed=$((failed + 1))
		echo "distro: $1: $2: FAILED${4:+: $4}" >&2
	fi
}

# took KERNEL STEP START
took() {
	echo "distro: $1: $2 took $(($(date +%s) - $3)) s" >&2
}

# A build log with no compiler or modpost finding; else print it.
clean_log() {
	[ "$(zalloc_count_warnings "$1")" = 0 ] && return 0
	grep -v '^  [A-Z]' "$1" | grep -v '^make' | head -40 >&2
	return 1
}

"$top/tools/deps.sh" >&2 || exit 1

# One run at a time on a machine: /usr/src/zalloc-<version> and DKMS's
# tree are the machine's.
mkdir -p /run/lock
exec 8>/run/lock/zalloc-distro.lock
flock 8

t=$(date +%s)
pkgs=dkms
for k in $kernels; do
	pkgs="$pkgs linux-headers-$k"
done
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "distro: apt-get install$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing \
		>"$top/build/distro-apt.log" 2>&1 || {
		tail -20 "$top/build/distro-apt.log" >&2
		echo "distro: cannot install$missing"
		exit 1
	}
fi
took all "apt-get install" "$t"

# The check's own DKMS registration, from the current sources.
t=$(date +%s)
if [ -e "$dtree" ] || [ -e "$src" ]; then
	if [ ! -e "$marker" ]; then
		echo "distro: zalloc/$ver is registered with DKMS (or $src exists) and is not this check's; remove it first: dkms remove zalloc/$ver --all; rm -rf $src" >&2
		exit 1
	fi
	dkms remove "zalloc/$ver" --all >/dev/null 2>&1
	rm -rf "$src"
fi
cleanup() {
	if [ "${ZALLOC_DISTRO_KEEP:-0}" != 1 ] && [ -e "$marker" ]; then
		dkms remove "zalloc/$ver" --all >/dev/null 2>&1
		rm -rf "$src"
	fi
}
trap cleanup EXIT
zalloc_copy_sources "$src"
touch "$marker"
dkms add "zalloc/$ver" >/dev/null || { echo "distro: dkms add failed"; exit 1; }
took all "dkms add" "$t"

# The vmlinuz of linux-image-$1-unsigned at version $2, cached; prints it.
vmlinuz() {
	local k=$1 v=$2 pkg=linux-image-$1-unsigned dir tmp
	dir=$cache/${pkg}_$v
	if [ ! -s "$dir/vmlinuz" ]; then
		tmp=$(mktemp -d /tmp/zalloc-deb.XXXXXX)
		(cd "$tmp" && apt-get download -q "$pkg=$v") >&2 || {
			rm -rf "$tmp"
			return 1
		}
		dpkg-deb --fsys-tarfile "$tmp"/*.deb |
			tar -x -C "$tmp" "./boot/vmlinuz-$k" "./boot/config-$k" ||
			{ rm -rf "$tmp"; return 1; }
		rm -rf "$dir"
		mkdir -p "$dir"
		mv "$tmp/boot/vmlinuz-$k" "$dir/vmlinuz.tmp"
		mv "$tmp/boot/config-$k" "$dir/config"
		mv "$dir/vmlinuz.tmp" "$dir/vmlinuz"
		rm -rf "$tmp"
	fi
	echo "$dir/vmlinuz"
}

# Build consumer $2 (a folder with its Kbuild) in $1 against the zalloc
# given by the make arguments that follow; its module ends up in $1.
consumer() {
	local dir=$1 from=$2
	shift 2
	rm -rf "$dir"
	cp -r "$from" "$dir"
	[ -e "$dir/Makefile" ] || cp "$top/examples/consumer/Makefile" "$dir/"
	make -C "$dir" W=1 "$@" >"$dir.log" 2>&1 && clean_log "$dir.log"
}

# demo/ has no Kbuild of its own: give a copy one, as a user would.
demo=$out/demo-src
rm -rf "$demo"
mkdir -p "$demo"
cp "$top/demo/demo.c" "$demo/"
cat >"$demo/Kbuild" <<'EOF'
obj-m := zalloc_demo.o
zalloc_demo-y := demo.o
ccflags-y := -I$(ZALLOC)/include
EOF

for k in $kernels; do
	kout=$out/$k
	rm -rf "$kout"
	mkdir -p "$kout/boot"
	hdrs=/usr/src/linux-headers-$k
	hver=$(dpkg-query -W -f='${Version}' "linux-headers-$k")

	# dkms: build and install for this kernel, as AUTOINSTALL would.
	t=$(date +%s)
	mlog=$dtree/$k/$arch/log/make.log
	if ! dkms build "zalloc/$ver" -k "$k" >"$kout/dkms.log" 2>&1 ||
	   ! dkms install "zalloc/$ver" -k "$k" >>"$kout/dkms.log" 2>&1; then
		tail -20 "$kout/dkms.log" >&2
		[ -e "$mlog" ] && tail -20 "$mlog" >&2
		result "$k" dkms FAIL "dkms build/install (build/distro/$k/dkms.log)"
	elif ! clean_log "$mlog"; then
		result "$k" dkms FAIL "warnings in $mlog"
	elif [ ! -s "$dtree/$k/$arch/Module.symvers" ]; then
		result "$k" dkms FAIL "no Module.symvers kept in $dtree/$k/$arch"
	else
		ko=$(find "/lib/modules/$k/updates/dkms" -name 'zalloc.ko*' | head -1)
		case "$ko" in
		*.ko)	cp "$ko" "$kout/boot/zalloc.ko" ;;
		*.xz)	xz -dc "$ko" >"$kout/boot/zalloc.ko" ;;
		*.zst)	zstd -qdc "$ko" >"$kout/boot/zalloc.ko" ;;
		*.gz)	gzip -dc "$ko" >"$kout/boot/zalloc.ko" ;;
		esac
		if [ -s "$kout/boot/zalloc.ko" ]; then
			result "$k" dkms ok
		else
			result "$k" dkms FAIL "no zalloc.ko in /lib/modules/$k/updates/dkms"
		fi
	fi
	cp "$mlog" "$kout/dkms-make.log" 2>/dev/null
	took "$k" "dkms build and install" "$t"

	# consumers: against the installed DKMS copy, with the Makefile's
	# defaults (ZALLOC=/usr/src/zalloc-<version>, DKMS's Module.symvers).
	t=$(date +%s)
	bad=
	for c in examples/consumer examples/irqprobe demo-src; do
		from=$top/$c
		[ "$c" = demo-src ] && from=$demo
		consumer "$kout/dkms-${c##*/}" "$from" KVER="$k" \
			ZALLOC_VERSION="$ver" || bad="$bad ${c##*/}"
	done
	if [ -n "$bad" ]; then
		result "$k" consumers FAIL "against DKMS:$bad (build/distro/$k/dkms-*.log)"
	else
		result "$k" consumers ok
	fi
	cp "$kout"/dkms-*/*.ko "$kout/boot/" 2>/dev/null
	took "$k" "consumers against DKMS" "$t"

	# tree: zalloc in its own tree against the stock headers, consumers
	# against that.
	t=$(date +%s)
	tree=$kout/tree
	zalloc_copy_sources "$tree"
	bad=
	if ! make -C "$hdrs" M="$tree" W=1 ZALLOC_WERROR=y modules \
		>"$kout/tree.log" 2>&1 || ! clean_log "$kout/tree.log"; then
		bad=" zalloc"
	else
		for c in consumer irqprobe; do
			consumer "$kout/tree-$c" "$top/examples/$c" KVER="$k" \
				ZALLOC="$tree" || bad="$bad $c"
		done
	fi
	if [ -n "$bad" ]; then
		result "$k" tree FAIL "against the stock headers:$bad (build/distro/$k/tree*.log)"
	else
		result "$k" tree ok
	fi
	took "$k" "tree and consumers against the headers" "$t"

	# boot: the stock vmlinuz with what DKMS installed.
	t=$(date +%s)
	log=$kout/console.log
	: >"$log"
	mods="zalloc.ko zalloc_demo.ko zalloc_consumer.ko zalloc_irqprobe.ko"
	files=()
	for m in $mods; do
		files+=("$kout/boot/$m")
	done
	if ! kernel=$(vmlinuz "$k" "$hver"); then
		result "$k" boot FAIL "cannot get linux-image-$k-unsigned=$hver"
	elif ! ls "${files[@]}" >/dev/null; then
		result "$k" boot FAIL "modules missing (see above)"
	else
		zalloc_initramfs "$kout/initramfs.cpio" distro "$mods" "" \
			"${files[@]}"
		echo "distro: $k: booting $kernel" >&2
		zalloc_boot "$log" "${ZALLOC_DISTRO_TIMEOUT:-180}" "$kernel" \
			"$kout/initramfs.cpio" "$(zalloc_cmdline)"
		[ $? = 124 ] && echo "distro: $k: the guest did not finish" >&2
		rm -f "$kout/initramfs.cpio"
		if ZALLOC_TAINT_OK=$((4096 | 8192)) \
			"$top/tools/verdict.sh" splats "$log"; then
			result "$k" boot ok
		else
			result "$k" boot FAIL "build/distro/$k/console.log"
		fi
		sed -n 's/.*@@ZALLOC-CHECK ok \(.*\)/\1/p' "$log" |
			while read -r c; do echo "distro: $k: $c: ok" >&2; done
		sed -n 's/.*@@ZALLOC-CHECK FAIL \(.*\)/\1/p' "$log" |
			while read -r c; do echo "distro: $k: $c: FAILED" >&2; done
		passed=$((passed + $(grep -c '@@ZALLOC-CHECK ok ' "$log")))
		failed=$((failed + $(grep -c '@@ZALLOC-CHECK FAIL ' "$log")))
	fi
	took "$k" boot "$t"
done
took all "make distro" "$t0"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
