#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/testing/zalloc/deps.sh - install, with apt-get, what the userspace
# build needs, through tools/deps.sh.
#
# Usage: deps.sh fuzz|tsan|ubench|userspace
set -euo pipefail

case "${1:-fuzz}" in
userspace)	pkgs="gcc make" ;;
fuzz|tsan)	pkgs="clang-14 libfuzzer-14-dev libclang-rt-14-dev make" ;;
ubench)		pkgs="gcc make valgrind libjemalloc-dev libmimalloc-dev libgoogle-perftools-dev" ;;
*)		echo "usage: $0 fuzz|tsan|ubench|userspace" >&2; exit 2 ;;
esac

# shellcheck disable=SC2086
exec "$(dirname "$0")/../../deps.sh" $pkgs
