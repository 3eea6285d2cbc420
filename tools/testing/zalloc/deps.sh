#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/testing/zalloc/deps.sh - install, with apt-get, what the userspace
# build needs, as tools/deps.sh does for the kernel side.
#
# Usage: deps.sh fuzz|tsan|ubench|userspace
set -euo pipefail

case "${1:-fuzz}" in
userspace)	pkgs="gcc make" ;;
fuzz|tsan)	pkgs="clang-14 libfuzzer-14-dev libclang-rt-14-dev make" ;;
ubench)		pkgs="gcc make valgrind libjemalloc-dev libmimalloc-dev libgoogle-perftools-dev" ;;
*)		echo "usage: $0 fuzz|tsan|ubench|userspace" >&2; exit 2 ;;
esac

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
