#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn ubench's raw lines (run.sh) into make ubench's section of BENCHMARKS.md."""
import sys

ZALLOC = ["smp", "sbrk", "bitmap", "fixed", "arena"]
LIBS = ["glibc", "jemalloc", "mimalloc", "tcmalloc"]
WALL = ["reuse-16", "reuse-64", "reuse-256", "reuse-1024", "reuse-4096",
        "batch-random", "mixed", "parallel-reuse", "cross"]
INSTR = ["reuse-64", "batch-random", "mixed"]

meta, wall, skip, instr = {}, {}, {}, {}
for line in open(sys.argv[1]):
    f = line.split()
    if not f:
        continue
    if f[0] == "#":
        meta[f[1]] = " ".join(f[2:])
    elif f[0] == "ubench" and f[2] == "skip:":
        skip[f[1]] = " ".join(f[3:])
    elif f[0] == "ubench":
        wall[(f[1], f[2])] = float(f[3].split("=")[1])
    elif f[0] == "instr":
        instr[(f[1], f[2])] = int(f[3])


def cell(d, k, fmt):
    return fmt % d[k] if k in d else "-"


out = []
p = out.append
p("## Native (userspace) figures")
p("")
p("Produced by `make ubench` (tools/testing/zalloc/ubench/): the zalloc_bench")
p("workloads run natively on the host CPU, the same `zalloc/*.c` files as")
p("zalloc.ko built with gcc %s -O2 against the userspace kernel of" % meta.get("gcc", "?"))
p("tools/testing/zalloc (its benchmark build: `local_irq_save()` is a flag,")
p("no debug checks, pages from a buddy allocator over one mapping), every")
p("zalloc subject called through its `struct zalloc`, against the C library's")
p("`malloc`/`free` linked four ways.")
p("")
p("- Host: %s, %s CPUs, Linux %s." % (meta.get("cpu", "?"), meta.get("cpus", "?"), meta.get("kernel", "?")))
p("- Load average when the wall times were taken: %s at the start, %s at the end"
  % (meta.get("load-start", "?"), meta.get("load-end", "?")))
p("  (the machine is shared; wall times are noisy, instruction counts are not).")
p("- Wall time: nanoseconds per operation (one alloc and its free; mixed: one")
p("  alloc or free), median of 5 rounds of 1,000,000 after a warm-up (cross:")
p("  250,000).  parallel-reuse: wall time over the operations of both threads.")
p("- Instructions: valgrind --tool=callgrind, instructions per operation over")
p("  100,000 operations after a warm-up, the benchmark loop included (about 11")
p("  per operation).")
p("- fixed and arena free only their newest block: reuse only.")
p("")
subjects = ZALLOC + LIBS
p("| subject | " + " | ".join(WALL) + " | instr reuse-64 | instr batch-random | instr mixed |")
p("|---|" + "---:|" * (len(WALL) + 3))
for s in subjects:
    row = [cell(wall, (s, w), "%.1f") for w in WALL]
    row += [cell(instr, (s, w), "%d") for w in INSTR]
    p("| %s | %s |" % (s, " | ".join(row)))
p("")
for s, why in skip.items():
    p("- %s: %s" % (s, why))
p("")
p("### Against the aims")
p("")
for size in ["reuse-16", "reuse-64", "reuse-256", "reuse-1024", "reuse-4096"]:
    if ("smp", size) in wall and ("mimalloc", size) in wall:
        r = wall[("smp", size)] / wall[("mimalloc", size)]
        p("- smp / mimalloc, %s, wall: %.2fx (aim: at most 1.2x)%s"
          % (size, r, "" if r <= 1.2 else " - missed"))
if ("smp", "reuse-64") in instr and ("mimalloc", "reuse-64") in instr:
    r = instr[("smp", "reuse-64")] / instr[("mimalloc", "reuse-64")]
    p("- smp / mimalloc, reuse-64, instructions: %.2fx" % r)
if ("smp", "cross") in wall and ("glibc", "cross") in wall:
    r = wall[("smp", "cross")] / wall[("glibc", "cross")]
    p("- smp / glibc malloc, cross (2 threads), wall: %.2fx (aim: below 1, ahead of glibc)%s"
      % (r, "" if r < 1 else " - missed"))
print("\n".join(out))
