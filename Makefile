# SPDX-License-Identifier: GPL-2.0
#
# zalloc front door.
#
#   make              build the modules against $(KDIR)
#   make check        build the test kernels if needed, run every KUnit suite
#                     in QEMU under KASAN, lockdep and kmemleak, then the
#                     IRQ and cross-CPU suites and the hard-IRQ probe on
#                     the PREEMPT_RT flavour, print "N passed, N failed"
#                     and fail on any failure or splat
#   make distro       zalloc as a DKMS user gets it on Debian's own 6.1,
#                     6.12 and 6.12-rt kernels: dkms build/install, the
#                     example consumers, a boot of each stock vmlinuz with
#                     the demo and the hard-IRQ probe
#   make run          boot the same kernel, load zalloc.ko and the demo
#                     consumer, show what it did, unload both
#   make bench        build the benchmark kernel if needed (no debug
#                     checkers), run zalloc_bench.ko in QEMU on 2 CPUs,
#                     print the table and write BENCHMARKS.md
#   make static       checkpatch --strict, kernel-doc, sparse (C=2) and a W=1
#                     -Werror build on every source file; any finding fails
#   make compat       compile-only builds against Debian's 6.1 headers and the
#                     6.12 tree, no warnings allowed
#   make userspace    the allocators built in userspace (gcc, ASan, UBSan) and
#                     the fuzz seed corpus replayed through every target
#   make fuzz         libFuzzer targets (clang-14, ASan, UBSan) in build/ut/fuzz
#   make fuzz-short   every fuzz target for FUZZ_SECONDS (20) each; the last
#                     line reads "N passed, N failed"
#   make tsan         smp, the fixed buffer's thread-safe view and the locked
#                     bitmap hammered by threads under ThreadSanitizer
#   make ubench       the benchmark workloads natively against glibc, jemalloc,
#                     mimalloc and tcmalloc; writes its section of BENCHMARKS.md
#
# KDIR defaults to the cached test kernel (tools/kernel.sh builds it once);
# any configured kernel tree works, e.g. KDIR=/lib/modules/$(uname -r)/build.

TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
KDIR ?= $(shell $(TOP)/tools/kernel.sh test)

.PHONY: all modules clean check run bench static compat distro
.PHONY: userspace fuzz fuzz-short tsan ubench

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(TOP) modules

clean:
	$(MAKE) -C $(KDIR) M=$(TOP) clean

check:
	$(TOP)/tools/check.sh

run:
	$(TOP)/tools/qemu.sh run

bench:
	$(TOP)/tools/bench.sh

static:
	$(TOP)/tools/static.sh

compat:
	$(TOP)/tools/compat.sh

distro:
	$(TOP)/tools/distro.sh

# The allocators in userspace (tools/testing/zalloc/README.md).
UT := $(MAKE) -C $(TOP)/tools/testing/zalloc

userspace fuzz tsan ubench:
	$(TOP)/tools/testing/zalloc/deps.sh $@
	$(UT) -j2 $@

fuzz-short: fuzz
	$(TOP)/tools/testing/zalloc/run-short.sh
