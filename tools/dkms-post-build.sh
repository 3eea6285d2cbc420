#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# tools/dkms-post-build.sh DIR - DKMS's POST_BUILD step (see dkms.conf).
#
# DKMS deletes its build directory after every build and keeps only the
# modules it installs, so the Module.symvers a module outside zalloc's tree
# needs (KBUILD_EXTRA_SYMBOLS) would be lost.  Run in that build directory,
# this keeps it in DIR, DKMS's own folder for the kernel just built
# (/var/lib/dkms/zalloc/<version>/<kernel>/<arch>/, next to module/ and
# log/), which `dkms remove` deletes with the rest.
set -eu
[ -d "$1" ] || { echo "dkms-post-build: no folder $1" >&2; exit 1; }
cp Module.symvers "$1/Module.symvers"
echo "dkms-post-build: kept $1/Module.symvers"
