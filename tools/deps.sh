#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/deps.sh - install, with apt-get, what building and testing zalloc needs.
# Does nothing when everything is already there; needs root otherwise.
#
# Usage: deps.sh [PACKAGE...]: the packages named, or by default the kernel
# side's (tools/testing/zalloc/deps.sh names the userspace build's).
set -euo pipefail

pkgs="linux-source-6.12 qemu-system-x86 busybox-static cpio kmod flex bison
libelf-dev libssl-dev bc python3 sparse xz-utils gcc make
linux-headers-amd64"
[ $# = 0 ] || pkgs="$*"

missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps: installing$missing" >&2
if [ "$(id -u)" != 0 ]; then
	echo "deps: run as root, or install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
