#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tools/bench-report.py - turn zalloc_bench's console lines into a report.

Usage: tools/bench-report.py [--icount LOG] [--wall LOG] [--baseline FILE]
                             [--icount-seconds S] [--wall-seconds S]
                             [--wall-accel A] [--load L] OUT

Reads the "zbench:" lines of the console logs tools/bench.sh keeps: LOG of
the instruction-count boot (--icount: one vCPU under QEMU's -icount
shift=0,sleep=off, where every "ns" is a guest instruction) and of the
wall-time boot (--wall: TCG on several vCPUs).  --baseline is a file of
"zbench:" lines from an icount boot of an earlier commit (with "# key:
value" header lines saying which), the "before" of the before/after table.

Prints the tables and writes OUT (BENCHMARKS.md; "-" writes nothing) with
the conditions, the targets of issue 13 with met/missed computed from the
figures, the before/after table, the instruction tables, and the wall-time
tables.  Exits 1 only if a log holds no complete run; a figure never fails
it.  Python 3 standard library only.
"""

import argparse
import datetime
import math
import os
import platform
import re
import subprocess
import sys

SINGLE = ["reuse", "batch-reverse", "batch-random", "burst", "mixed"]
PARALLEL = ["parallel-reuse", "parallel-mixed"]
SIZES = ["16", "64", "256", "1024", "4096"]
REF = "kmalloc"
SLAB = 65536            # the smp allocator's slab
PAGE = 4096
PER = 100000            # churn: figures per this many blocks
CHURN_BATCH = 8192      # churn: blocks per batch (bench/bench.h)
CHURN_DEPTH = 2         # churn: batches in flight (bench/bench.h)

# The parts of a single-CPU figure, in table order: (workload, key, label).
PARTS = [
    ("reuse", "ns_per_op", "reuse"),
    ("batch-reverse", "alloc_ns", "batch-reverse alloc"),
    ("batch-reverse", "free_ns", "batch-reverse free"),
    ("batch-random", "alloc_ns", "batch-random alloc"),
    ("batch-random", "free_ns", "batch-random free"),
    ("burst", "alloc_ns", "burst alloc"),
    ("burst", "free_ns", "burst free/reset"),
]


class Run:
    """The zbench lines of one boot."""

    def __init__(self, path):
        self.path = path
        self.begin, self.end, self.done, self.header = {}, {}, {}, {}
        self.subjects, self.skips, self.errors, self.percpu = [], [], [], []
        self.fig, self.mem = {}, {}
        line_re = re.compile(r"zbench: (\w+)?\s*(.*)$")
        head_re = re.compile(r"^# ([\w-]+): (.*)$")
        with open(path, errors="replace") as f:
            for raw in f:
                raw = raw.rstrip("\r\n")
                h = head_re.match(raw)
                if h:
                    self.header[h.group(1)] = h.group(2)
                    continue
                m = line_re.search(raw)
                if m:
                    self.line(m.group(1), m.group(2))
        self.names = [s["alloc"] for s in self.subjects]
        # A zalloc subject's peer is the native it is compared with.
        self.peer = {s["alloc"]: s.get("peer", "") for s in self.subjects
                     if s.get("kind") == "zalloc"}

    def line(self, head, rest):
        if head == "workload":
            rest, head = "workload" + rest, None
        kv = dict(w.split("=", 1) for w in rest.split() if "=" in w)
        if head == "begin":
            self.begin = kv
        elif head == "end":
            self.end = kv
        elif head == "subject":
            self.subjects.append(kv)
        elif head == "mem":
            self.mem[kv["alloc"]] = kv
        elif head == "skip":
            self.skips.append(kv)
        elif head == "error":
            self.errors.append(kv)
        elif head == "done":
            self.done[kv.get("workload")] = kv.get("seconds")
        elif "workload" in kv and "cpu" in kv:
            self.percpu.append(kv)
        elif "workload" in kv:
            if "reset_ns" in kv:
                kv["free_ns"] = kv["reset_ns"]
            self.fig[(kv["workload"], kv["size"], kv["alloc"])] = kv

    def val(self, w, size, alloc, key="ns_per_op"):
        f = self.fig.get((w, size, alloc))
        return num(f.get(key)) if f else None

    def ratio(self, w, size, alloc, key="ns_per_op", ref=REF):
        a, b = self.val(w, size, alloc, key), self.val(w, size, ref, key)
        return a / b if a is not None and b else None

    def has(self, alloc):
        return any(k[2] == alloc for k in self.fig)

    def figures(self, workloads):
        return [k for k in self.fig if k[0] in workloads]


def num(s):
    try:
        return float(s)
    except (TypeError, ValueError):
        return None


def fmt(x, digits=1):
    return "-" if x is None else f"{x:.{digits}f}"


def ratio(x):
    return "-" if x is None else f"{x:.2f}x"


def mib(b):
    b = num(b)
    return "-" if b is None else f"{b / 1048576:.1f} MiB"


def size_name(s):
    return {"1024": "1 KiB", "4096": "4 KiB"}.get(s, f"{s} B")


def gmean(xs):
    xs = [x for x in xs if x]
    return math.exp(sum(map(math.log, xs)) / len(xs)) if xs else None


def md_table(head, rows):
    out = ["| " + " | ".join(head) + " |",
           "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def text_table(head, rows):
    widths = [max(len(str(c)) for c in col) for col in zip(head, *rows)]
    def line(r):
        return "  ".join(str(c).ljust(w) for c, w in zip(r, widths))
    return "\n".join([line(head), line(["-" * w for w in widths])] +
                     [line(r) for r in rows])


# ---------------------------------------------------------------- tables

def zalloc_peer(run, alloc):
    """The native peer a zalloc subject is compared with, or None."""
    p = run.peer.get(alloc, "")
    return p if p and p in run.names and p != alloc else None


def rows_icount(run):
    rows = []
    for w in SINGLE:
        for size in SIZES + ["mixed"]:
            for alloc in run.names:
                f = run.fig.get((w, size, alloc))
                if not f:
                    continue
                peer = zalloc_peer(run, alloc)
                xp = run.ratio(w, size, alloc, ref=peer) if peer else None
                rows.append([w, size, alloc, f["ns_per_op"],
                             ratio(run.ratio(w, size, alloc)),
                             f"{ratio(xp)} {peer}" if peer else "-",
                             f.get("alloc_ns", ""), f.get("free_ns", ""),
                             f.get("fail", "0")])
    return rows


def rows_before_after(base, run):
    rows = []
    for alloc in run.names:
        if not base.has(alloc):
            continue
        for w, key, label in PARTS + [("mixed", "ns_per_op", "mixed")]:
            sizes = ["mixed"] if w == "mixed" else SIZES
            cells, changes = [], []
            for size in sizes:
                b, a = base.val(w, size, alloc, key), run.val(w, size, alloc, key)
                if b is None and a is None:
                    cells.append("")
                    continue
                cells.append(f"{fmt(b)} → {fmt(a)}")
                if a and b:
                    changes.append(a / b)
            if not changes and not any(cells):
                continue
            if w == "mixed":
                cells = cells + [""] * (len(SIZES) - 1)
            g = gmean(changes)
            rows.append([alloc, label] + cells +
                        ["-" if g is None else f"{100 * (g - 1):+.1f}%"])
    return rows


def rows_mem(run):
    rows = []
    for alloc in run.names:
        m = run.mem.get(alloc)
        if not m:
            continue
        peak, after = num(m["backing_peak"]), num(m["backing_after_free"])
        idle = num(m.get("backing_after_idle", m["backing_after_free"]))
        req = num(m["requested_bytes"])
        rows.append([alloc, m["source"], m["live_objs"], mib(req), mib(peak),
                     mib(after), mib(idle),
                     ratio(peak / req if peak and req else None),
                     "-" if not peak else f"{100 * after / peak:.0f}%",
                     "-" if not peak else f"{100 * idle / peak:.0f}%"])
    return rows


def rows_init(icount, on_alloc, on_free):
    """Reuse with the kernel's zeroing options on, against the icount boot."""
    rows = []
    for alloc in icount.names:
        for size in SIZES:
            off = icount.val("reuse", size, alloc)
            if off is None:
                continue
            cells = [alloc, size_name(size), fmt(off)]
            for run in (on_alloc, on_free):
                on = run.val("reuse", size, alloc) if run else None
                cells += [fmt(on), "-" if on is None else f"{on - off:+.1f}"]
            rows.append(cells)
    return rows


def par_times(wall, w, size, alloc):
    """A parallel figure's one-CPU and system ns/op, the pair its scaling
    divides: the best solo round (the first worker alone, just before each
    parallel round) and the best parallel round; from an older module, the
    single-CPU figure of this boot and the parallel run."""
    f = wall.fig.get((w, size, alloc)) or {}
    if "solo_ns_best" in f:
        return num(f["solo_ns_best"]), num(f["ns_best"])
    single = {"parallel-reuse": "reuse", "parallel-mixed": "mixed"}[w]
    return wall.val(single, size, alloc), wall.val(w, size, alloc)


def scaling(wall, w, size, alloc):
    one, par = par_times(wall, w, size, alloc)
    return one / par if one and par else None


def rows_parallel(wall):
    rows = []
    for w in PARALLEL:
        for size in SIZES + ["mixed"]:
            for alloc in wall.names:
                f = wall.fig.get((w, size, alloc))
                if not f:
                    continue
                cpus = [p["kops_per_s"] for p in wall.percpu
                        if (p["workload"], p["size"], p["alloc"]) ==
                        (w, size, alloc)]
                one, par = par_times(wall, w, size, alloc)
                rows.append([w, size, alloc, f.get("instance", ""),
                             fmt(one), fmt(par),
                             ratio(wall.ratio(w, size, alloc)),
                             f["kops_per_s"], " / ".join(cpus),
                             ratio(scaling(wall, w, size, alloc)),
                             f.get("fail", "0")])
    return rows


def rows_cross(wall):
    rows = []
    for size in SIZES:
        for alloc in wall.names:
            f = wall.fig.get(("cross", size, alloc))
            if not f:
                continue
            own = wall.val("reuse", size, alloc)
            rows.append([size, alloc, f.get("instance", ""), f["ns_per_op"],
                         ratio(wall.ratio("cross", size, alloc)),
                         ratio(num(f["ns_per_op"]) / own if own else None),
                         f.get("fail", "0")])
    return rows


def churn_taken(f):
    """(bytes taken per PER blocks, source) of a churn figure."""
    blocks = num(f.get("ops"))
    if not blocks:
        return None, "-"
    if "zstats_taken" in f:
        return num(f["zstats_taken"]) * PER / blocks, "zalloc counters"
    if "pages_taken" in f:
        return num(f["pages_taken"]) * PAGE * PER / blocks, "buddy pages"
    return None, "-"


def kib(b):
    return "-" if b is None else f"{b / 1024:,.0f} KiB"


def churn_flight(size):
    """Bytes of the blocks the churn workload can have live at once."""
    return CHURN_BATCH * CHURN_DEPTH * int(size)


def rows_churn(wall):
    rows = []
    for size in SIZES:
        for alloc in wall.names:
            f = wall.fig.get(("churn", size, alloc))
            if not f:
                continue
            blocks = num(f["ops"])
            taken, source = churn_taken(f)
            pages = num(f.get("pages_taken"))
            slabs = (f"{num(f['zstats_taken']) / SLAB * PER / blocks:.1f}"
                     if alloc == "smp" and "zstats_taken" in f else "")
            back = num(f.get("zstats_returned"))
            held = num(f.get("zstats_held"))
            rows.append([size, alloc, f.get("instance", ""), f["ops"],
                         kib(taken), source, slabs,
                         "-" if back is None else kib(back),
                         "-" if held is None else
                         f"{kib(held)} ({held / churn_flight(size):.2f}x)",
                         "-" if pages is None else
                         f"{pages * PER / blocks:,.0f}",
                         f["ns_per_op"], f.get("fail", "0")])
    return rows


# ---------------------------------------------------------------- targets

BOTH = [("reuse", "ns_per_op"), ("batch-random", "alloc_ns"),
        ("batch-random", "free_ns")]
LABEL = {"ns_per_op": "", "alloc_ns": " alloc", "free_ns": " free"}


def floor(run, parts, ref, wraps=None, base="null"):
    """The least a subject behind struct zalloc can cost, as a ratio to ref:
    (ratio, instructions, where) at the cell where it is highest, or None.
    The floor is "null" (an allocator doing nothing behind the contract);
    for a subject that wraps another allocator, that one's figure plus the
    contract's cost, null - none (the loop alone).  A subject called
    directly, not through struct zalloc, has base "none": the loop."""
    if not run or not run.has(base) or (wraps and not run.has("none")):
        return None
    cells = []
    for w, key in parts:
        for size in SIZES:
            f, r = run.val(w, size, base, key), run.val(w, size, ref, key)
            if f is None or not r:
                continue
            if wraps:
                b = run.val(w, size, wraps, key)
                z = run.val(w, size, "none", key)
                if b is None or z is None:
                    continue
                f += b - z
            cells.append((f / r, f, f"{w}{LABEL[key]} {size_name(size)}"))
    return max(cells) if cells else None


def worst(run, alloc, parts, ref, limit, wraps=None, base="null"):
    """[measured, status] for "every part at every size <= limit x ref".
    A missed target whose floor (floor()) is above the limit somewhere is
    impossible, and says where."""
    if not run or not run.has(alloc):
        return ["-", f"not measured: no {alloc} figures"]
    got, missing = [], []
    for w, key in parts:
        for size in SIZES:
            x = run.ratio(w, size, alloc, key, ref)
            if x is None:
                missing.append(f"{w}{LABEL[key]} {size_name(size)}")
            else:
                got.append((x, f"{w}{LABEL[key]} {size_name(size)}"))
    if not got:
        return ["-", "not measured"]
    x, where = max(got)
    spans = []
    for w, key in parts:
        xs = [run.ratio(w, s, alloc, key, ref) for s in SIZES]
        xs = [v for v in xs if v is not None]
        if xs:
            spans.append(f"{w}{LABEL[key]} {min(xs):.2f}x-{max(xs):.2f}x")
    text = f"worst {x:.2f}x {ref} ({where}); " + ", ".join(spans)
    if missing:
        return [text, "not measured: " + ", ".join(missing)]
    if x <= limit + 1e-9:
        return [text, "met"]
    f = floor(run, parts, ref, wraps, base)
    if f and f[0] > limit + 1e-9:
        what = f"{wraps} + the contract" if wraps else base
        return [text + f"; floor ({what}) {f[0]:.2f}x {ref} at {f[2]} "
                f"({fmt(f[1])} instructions)",
                f"impossible: the floor is above {limit}x"]
    return [text, "missed"]


def targets(icount, wall):
    rows = []

    def add(name, result):
        rows.append([name] + result)

    add("kmalloc wrapper <= 1.15x kmalloc (reuse, batch-random alloc and "
        "free, 16 B to 4 KiB)", worst(icount, "kmalloc-wrapper", BOTH,
                                      "kmalloc", 1.15, wraps="kmalloc"))
    add("page <= 1.10x alloc_pages (same parts)",
        worst(icount, "page", BOTH, "alloc_pages", 1.10,
              wraps="alloc_pages"))
    add("smp <= 0.8x kmalloc on reuse",
        worst(icount, "smp", BOTH[:1], "kmalloc", 0.8))
    add("smp <= 1.0x kmalloc on batch-random, alloc and free each",
        worst(icount, "smp", BOTH[1:], "kmalloc", 1.0))
    add("sbrk <= 0.8x kmalloc (reuse, batch-random alloc and free)",
        worst(icount, "sbrk", BOTH, "kmalloc", 0.8))
    for a in ("fixed", "arena"):
        add(f"{a} <= 0.2x kmalloc on reuse",
            worst(icount, a, BOTH[:1], "kmalloc", 0.2))
        add(f"{a} burst alloc <= page_frag's burst alloc",
            worst(icount, a, [("burst", "alloc_ns")], "page_frag", 1.0))
    # The same, for a caller that knows its allocator (no contract).
    for a in ("fixed", "arena"):
        d = a + "-direct"
        add(f"{d} (zalloc_{a}_alloc()/free()) <= 0.2x kmalloc on reuse",
            worst(icount, d, BOTH[:1], "kmalloc", 0.2, base="none"))
        add(f"{d} burst alloc <= page_frag's burst alloc",
            worst(icount, d, [("burst", "alloc_ns")], "page_frag", 1.0,
                  base="none"))
    add("bitmap <= 0.5x gen_pool (reuse, batch-random alloc and free)",
        worst(icount, "bitmap", BOTH, "gen_pool", 0.5))

    # Wall time and memory.
    def scale():
        if not wall or not wall.has("smp"):
            return ["-", "not measured: no wall-time smp figures"]
        xs = [(scaling(wall, "parallel-reuse", s, "smp"), s) for s in SIZES]
        got = [(x, s) for x, s in xs if x]
        if not got:
            return ["-", "not measured"]
        x, s = min(got)
        cpus = wall.fig.get(("parallel-reuse", s, "smp"), {}).get("cpus", "?")
        text = (f"lowest {x:.2f}x one CPU ({size_name(s)}, {cpus} CPUs); " +
                ", ".join(f"{size_name(s)} {v:.2f}x" for v, s in xs if v))
        # kmalloc's scaling in the same boot says what the host gave.
        ks = [scaling(wall, "parallel-reuse", s, REF) for s in SIZES]
        ks = [k for k in ks if k]
        if ks:
            text += (f"; kmalloc in the same boot {min(ks):.2f}x-"
                     f"{max(ks):.2f}x")
        # The loop alone (none) scales by exactly the CPUs the host gave.
        zs = [scaling(wall, "parallel-reuse", s, "none") for s in SIZES]
        zs = [z for z in zs if z]
        if zs:
            text += (f"; the loop alone (none) {min(zs):.2f}x-"
                     f"{max(zs):.2f}x")
        # More than the CPUs can give (smp's or kmalloc's): the one-CPU and
        # the parallel figures of this boot did not see the same host, so
        # no ratio of it can be trusted either way.
        n = num(cpus) or 2
        over = [v for v in [v for v, _ in got] + ks + zs if v > 1.1 * n]
        if over:
            return [text, f"inconclusive: {max(over):.2f}x on {n:.0f} "
                    "CPUs is more than they can give, so this boot's "
                    "one-CPU and parallel figures did not run under the "
                    "same conditions"]
        if zs and min(zs) < 1.8:
            return [text, f"inconclusive: the loop alone scaled "
                    f"{min(zs):.2f}x, so the host did not give "
                    f"{n:.0f} CPUs to the parallel rounds"]
        return [text, "met" if x >= 1.8 and len(got) == len(SIZES)
                else "missed" if x < 1.8 else "not measured: some sizes"]

    def mem_after():
        m = icount.mem.get("smp") if icount else None
        if not m or not num(m["backing_peak"]):
            return ["-", "not measured: no smp mixed figure"]
        # The smp instance keeps its slabs while busy and gives them back
        # once idle for a second (issue 13: no churn); the target is read
        # after 2.5 s of idleness, and the figure right after is shown too.
        idle = num(m.get("backing_after_idle", m["backing_after_free"]))
        x = idle / num(m["backing_peak"])
        y = num(m["backing_after_free"]) / num(m["backing_peak"])
        return [f"{100 * x:.1f}% of its {mib(m['backing_peak'])} peak "
                f"2.5 s after freeing all ({mib(idle)}); "
                f"{100 * y:.1f}% right after",
                "met" if x <= 0.1 else "missed"]

    def mem_peak():
        m = icount.mem.get("smp") if icount else None
        k = icount.mem.get(REF) if icount else None
        if not m or not k:
            return ["-", "not measured: no smp or kmalloc mixed figure"]
        def r(x):
            return num(x["backing_peak"]) / num(x["requested_bytes"])
        a, b = r(m), r(k)
        return [f"smp {a:.2f}x requested, kmalloc {b:.2f}x (slab pages, "
                f"node-wide)", "met" if a <= b else "missed"]

    add("smp 2-CPU parallel reuse >= 1.8x one CPU (wall time, every size)",
        scale())
    add("smp memory after free-all <= 10% of its peak (mixed, once idle)",
        mem_after())
    add("smp peak backing/requested in mixed <= kmalloc's", mem_peak())

    def churn():
        if not wall or not wall.has("smp"):
            return ["-", "not measured: no churn figures"]
        parts, back, held = [], 0, []
        for s in SIZES:
            f = wall.fig.get(("churn", s, "smp"))
            k = wall.fig.get(("churn", s, REF))
            if not f:
                continue
            t, _ = churn_taken(f)
            txt = f"{size_name(s)} {t / SLAB:.1f} slabs"
            if k:
                kt, _ = churn_taken(k)
                txt += f" (kmalloc {kib(kt)})"
            parts.append(txt)
            if "zstats_returned" not in f:
                return ["smp slabs taken per 100,000 blocks: " +
                        ", ".join(parts),
                        "not measured: no backing given back in the figures"]
            back += num(f["zstats_returned"])
            held.append(num(f["zstats_held"]) / churn_flight(s))
        if not parts:
            return ["-", "not measured: no churn figures"]
        text = ("smp slabs taken per 100,000 blocks: " + ", ".join(parts) +
                f"; slabs given back meanwhile: {back / SLAB:.0f}; held at "
                f"the end {min(held):.2f}x-{max(held):.2f}x the bytes two "
                "batches of blocks hold")
        # Churn is a slab going back and being taken again: none went back.
        return [text, "met" if back == 0 and len(parts) == len(SIZES)
                else "missed" if back else "not measured: some sizes"]

    add("No slab churn (churn workload)", churn())
    return rows


# ---------------------------------------------------------------- reading

def span(xs):
    xs = [x for x in xs if x]
    if not xs:
        return "-"
    lo, hi = min(xs), max(xs)
    return f"{lo:.2f}x" if abs(hi - lo) < 0.005 else f"{lo:.2f}x to {hi:.2f}x"


def reading(icount, wall, base):
    out = []
    if icount:
        out.append(
            "**Instruction counts are not cycles.** Under `-icount shift=0` "
            "every guest instruction advances the guest clock by 1 ns, so "
            "the single-CPU figures count instructions per operation, "
            "including the benchmark loop's own, which is the same for "
            "every subject. An instruction count does not see "
            "cache or TLB misses, branch mispredictions, or what a locked "
            "instruction, an `%gs:`-relative access or `pushf/popf` costs on "
            "a real CPU: a locked cmpxchg counts as one instruction, as does "
            "a load that misses every cache. Memory-bound and "
            "contention-bound costs show only in the wall-time tables, and "
            "there TCG distorts them.")
        w = [icount.ratio(w_, s, "kmalloc-wrapper", k)
             for w_, k in BOTH for s in SIZES]
        if any(w):
            out.append(
                f"**The contract's own cost.** zalloc's kmalloc allocator "
                f"through `struct zalloc` takes {span(w)} kmalloc's "
                f"instructions over reuse and batch-random alloc and free, "
                f"16 B to 4 KiB.")
        c = {}
        for w_, k in BOTH:
            xs = [icount.val(w_, s, "null", k) - icount.val(w_, s, "none", k)
                  for s in SIZES if icount.val(w_, s, "null", k) is not None
                  and icount.val(w_, s, "none", k) is not None]
            if xs:
                c[f"{w_}{LABEL[k]}"] = (min(xs), max(xs))
        if c:
            out.append(
                "**The floor.** `none` is the benchmark loop alone (no "
                "call) and `null` an allocator that does nothing behind "
                "`struct zalloc`; null minus none is what the contract "
                "itself costs (the inline checks, the indirect call and "
                "its return): " +
                ", ".join(f"{k} {fmt(a)}" if abs(b - a) < 0.05 else
                          f"{k} {fmt(a)}-{fmt(b)}" for k, (a, b) in c.items())
                + " instructions. No zalloc subject can cost less than "
                "null, nor one wrapping another allocator less than that "
                "allocator plus the contract; a target below its floor is "
                "marked impossible.")
    if base and icount:
        # The same to 0.5 instruction (the figures print to 0.1).
        k = [abs(icount.val("reuse", s, REF) - base.val("reuse", s, REF))
             <= 0.5 for s in SIZES]
        out.append(
            f"**Before/after control.** kmalloc's reuse count is "
            f"the same to half an instruction in the baseline boot and "
            f"this one at {sum(k)} of {len(SIZES)} sizes "
            f"({', '.join(fmt(base.val('reuse', s, REF)) + ' / ' + fmt(icount.val('reuse', s, REF)) for s in SIZES)}): "
            f"same kernel, same benchmark harness, only zalloc differs.")
    if wall:
        out.append(
            "**Wall-time figures come from QEMU's TCG**, a software CPU on "
            "a host shared with other work (see the load above): absolute "
            "nanoseconds are many times hardware's, atomics and indirect "
            "calls cost relatively more than on hardware, and a vCPU waits "
            "whenever the host deschedules its thread. Read their ratios, "
            "measured in the same boot, and treat differences under about "
            "10% as noise. The churn figures are counts, not times, but "
            "they depend on how the two vCPUs interleave, so they vary "
            "from run to run.")
        ch, back = [], None
        for size in SIZES:
            f = wall.fig.get(("churn", size, "smp"))
            if f and "zstats_taken" in f:
                taken = num(f["zstats_taken"]) / SLAB * PER / num(f["ops"])
                fill = PER * int(size) / SLAB
                ch.append(f"{size_name(size)} {taken:.1f} slabs taken for "
                          f"{fill:.1f} filled")
                if "zstats_returned" in f:
                    back = (back or 0) + num(f["zstats_returned"])
        if ch:
            text = ("**smp in the churn workload**, per 100,000 blocks: " +
                    "; ".join(ch) + " (a slab holds 64 KiB of one class; "
                    "taken over filled is how many times each slab's "
                    "worth of blocks cost a fresh slab).")
            if back == 0:
                text += (" No slab went back to the kernel while the "
                         "producers ran, so every slab taken was still "
                         "held at the end: the instance grew (the churn "
                         "table gives what it held against what two "
                         "batches of blocks can hold live); it did not "
                         "give slabs back and take them again.")
            out.append(text)
    return out


# ---------------------------------------------------------------- output

def qemu_version():
    try:
        v = subprocess.run(["qemu-system-x86_64", "--version"],
                           capture_output=True, text=True).stdout
        return v.splitlines()[0].replace("QEMU emulator version ", "")
    except (OSError, IndexError):
        return "unknown"


def host_cpu():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def shown(path):
    """@path relative to the repository when it is inside it."""
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    rel = os.path.relpath(os.path.abspath(path), top)
    return path if rel.startswith("..") else rel


def params(run):
    b = run.begin
    return (f"ops={b.get('ops')} per figure (slow_ops={b.get('slow_ops')} "
            f"where a subject marks a workload slow), warmup="
            f"{b.get('warmup')}, rounds={b.get('rounds')}, workloads="
            f"{b.get('workloads')}, only={b.get('only')}")


HEADS = {
    "icount": ["workload", "size", "subject", "instructions/op", "x kmalloc",
               "x peer", "alloc", "free/reset", "fail"],
    "before": ["subject", "figure"] + [size_name(s) for s in SIZES] +
              ["change (geomean)"],
    "mem": ["subject", "source", "live blocks", "requested",
            "backing at peak", "after free-all", "after 2.5 s idle",
            "peak / requested", "after / peak", "idle / peak"],
    "init": ["subject", "size", "off", "init_on_alloc=1", "change",
             "init_on_free=1", "change"],
    "parallel": ["workload", "size", "subject", "instance", "1 CPU ns/op",
                 "ns/op (system)", "x kmalloc", "kops/s summed (median round)",
                 "kops/s per CPU (all rounds)", "scaling vs 1 CPU", "fail"],
    "cross": ["size", "subject", "instance", "ns/op", "x kmalloc",
              "x own reuse", "fail"],
    "churn": ["size", "subject", "instance", "blocks",
              "taken / 100k blocks", "source", "smp slabs / 100k",
              "given back", "held at the end (x in flight)",
              "buddy pages / 100k (system)", "wall ns/block", "fail"],
    "skip": ["boot", "subject", "workload", "reason"],
    "error": ["boot", "subject", "workload", "size", "errno"],
    "targets": ["target (issue 13)", "measured", "status"],
}


UBENCH_BEGIN = "<!-- make ubench: begin -->"
UBENCH_END = "<!-- make ubench: end -->"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--icount")
    ap.add_argument("--wall")
    ap.add_argument("--baseline")
    ap.add_argument("--icount-seconds", default="?")
    ap.add_argument("--wall-seconds", default="?")
    ap.add_argument("--wall-accel", default="tcg")
    ap.add_argument("--load", default="?")
    ap.add_argument("--init-on-alloc")
    ap.add_argument("--init-on-free")
    a = ap.parse_args()
    if not a.icount and not a.wall:
        ap.error("give --icount LOG, --wall LOG or both")

    runs, complete = {}, True
    for name in ("icount", "wall"):
        path = getattr(a, name)
        if not path:
            continue
        run = Run(path)
        if not run.begin:
            print(f"bench-report: no zbench output in {path}",
                  file=sys.stderr)
            return 1
        if not run.end:
            print(f"bench-report: the {name} run did not finish "
                  "(no 'zbench: end')", file=sys.stderr)
            complete = False
        for e in run.errors:
            print(f"bench-report: {name}: error: " +
                  " ".join(f"{k}={v}" for k, v in e.items()), file=sys.stderr)
        runs[name] = run
    icount, wall = runs.get("icount"), runs.get("wall")
    init_runs = {}
    for opt in ("alloc", "free"):
        path = getattr(a, f"init_on_{opt}")
        if path and os.path.exists(path):
            run = Run(path)
            if run.end:
                init_runs[opt] = run
            else:
                print(f"bench-report: the init_on_{opt} run did not finish",
                      file=sys.stderr)
                complete = False
    base = None
    if a.baseline and icount:
        if os.path.exists(a.baseline):
            base = Run(a.baseline)
        else:
            print(f"bench-report: no baseline {a.baseline}", file=sys.stderr)
    if base and not base.fig:
        print(f"bench-report: no figures in {a.baseline}", file=sys.stderr)
        base = None

    tables = {
        "targets": targets(icount, wall),
        "before": rows_before_after(base, icount) if base else [],
        "icount": rows_icount(icount) if icount else [],
        "mem": rows_mem(icount) if icount else [],
        "init": rows_init(icount, init_runs.get("alloc"),
                          init_runs.get("free"))
                if icount and init_runs else [],
        "parallel": rows_parallel(wall) if wall else [],
        "cross": rows_cross(wall) if wall else [],
        "churn": rows_churn(wall) if wall else [],
        "skip": [[n, s["alloc"], s["workload"], s["reason"]]
                 for n, r in runs.items() for s in r.skips],
        "error": [[n, e.get("alloc", ""), e.get("workload", ""),
                   e.get("size", ""), e.get("err", "")]
                  for n, r in runs.items() for e in r.errors],
    }
    titles = {
        "icount": "One CPU, in instructions (icount boot)",
        "before": "Before/after, instructions per operation",
        "mem": "Memory in the mixed workload (icount boot)",
        "init": "init_on_alloc / init_on_free (icount boots, reuse)",
        "parallel": "Every CPU at once (wall-time boot, TCG)",
        "cross": "Allocated on one CPU, freed on another (wall-time boot)",
        "churn": "Churn: backing taken in the steady state (wall-time boot)",
        "targets": "Targets",
    }
    for name in ("icount", "before", "mem", "init", "parallel", "cross",
                 "churn", "targets"):
        if tables[name]:
            print(f"== {titles[name]}")
            print(text_table(HEADS[name], tables[name]))
            print()
    if a.out == "-" or not complete:
        return 0 if complete else 1

    ref = icount or wall
    date = datetime.datetime.fromtimestamp(os.path.getmtime(ref.path),
                                           datetime.timezone.utc)
    doc = [
        "# zalloc benchmarks",
        "",
        "Written by `make bench` (tools/bench.sh, tools/bench-report.py) "
        "from the `zbench:` lines of `zalloc_bench.ko`; do not edit by hand.",
        "",
        "## Conditions",
        "",
        f"- Date: {date:%Y-%m-%d %H:%M} UTC",
        f"- Kernel: Linux {ref.begin.get('kernel', '?')}, the benchmark "
        "sibling of the test kernel (tinyconfig + tools/kconfig/base.config "
        "+ bench.config: no KASAN, lockdep, kmemleak or DEBUG_PREEMPT; "
        "trace events compiled in and disabled, behind jump labels)",
        f"- QEMU {qemu_version()}, 2 GiB; host: {host_cpu()}, "
        f"{os.cpu_count()} CPUs, load average {a.load} (start -> end), "
        "shared with other work",
    ]
    if icount:
        doc += [
            f"- **Instruction counts** (icount boot): TCG on one vCPU with "
            f"`-icount shift=0,sleep=off`, so the guest clock advances 1 ns "
            f"per guest instruction and every figure of this boot is "
            f"instructions per operation; {params(icount)}; "
            f"{icount.end.get('figures')} figures, {a.icount_seconds} s on "
            f"the host. Workloads: "
            + ", ".join(icount.done) + ".",
        ]
    if wall:
        accel = ("TCG, multi-threaded" if "thread=multi" in a.wall_accel
                 else a.wall_accel)
        doc += [
            f"- **Wall time** (wall boot): {accel}, "
            f"{wall.begin.get('cpus')} vCPUs, `ktime_get_ns()` on the "
            f"host's clock; {params(wall)}, churn_ops="
            f"{wall.begin.get('churn_ops')}; {wall.end.get('figures')} "
            f"figures, {a.wall_seconds} s on the host. Guest seconds per "
            f"workload: " +
            ", ".join(f"{w} {s}" for w, s in wall.done.items()) + ".",
        ]
    if base:
        h = base.header
        doc += [
            f"- **Before** (the before/after table): `{shown(a.baseline)}`, an "
            f"icount boot of zalloc at commit {h.get('zalloc-commit', '?')} "
            f"({h.get('zalloc-date', '?')}), measured by "
            f"{h.get('harness', '?')} on {h.get('kernel', '?')}, "
            f"{h.get('measured', '?')}; {params(base)}.",
        ]
    doc += [
        "",
        "In the icount tables, \"instructions/op\" is one allocation plus "
        "its free (in burst, plus its share of the reset); alloc and "
        "free/reset split it where the workload times them apart. \"x "
        "kmalloc\" is the subject's count over kmalloc's for the same "
        "workload and size in the same boot, \"x peer\" over the native peer "
        "`bench/subjects.c` names for it: below 1 is fewer.",
        "",
        "## Reading",
        "",
    ]
    doc += ["- " + r for r in reading(icount, wall, base)]
    doc += ["", "## Targets", "",
            "Issue 13's targets, computed from the figures below: "
            "instructions from the icount boot, scaling from the wall-time "
            "boot, memory from the mixed workload. \"worst\" is the highest "
            "ratio over every part and size the target covers.", "",
            md_table(HEADS["targets"], tables["targets"]), ""]
    texts = {
        "before": "Instructions per operation, before -> after at each size "
                  "(\"before\": the baseline file named above; \"after\": "
                  "this run). The change column is the geometric mean of "
                  "after/before over the sizes. kmalloc and the other "
                  "kernel allocators are the control: same kernel, same "
                  "harness.",
        "icount": "reuse: alloc then free the same size; batch-reverse/"
                  "-random: 1,000 blocks allocated, then freed newest first "
                  "/ in random order; burst: 1,000 blocks allocated, then "
                  "reset() (fixed, arena) or freed oldest first; mixed: "
                  "skewed sizes 16 B to 32 KiB, random frees, about 10,000 "
                  "live blocks.",
        "mem": "Backing memory held at the sampled peak and after every "
               "block was freed, in the icount boot (one CPU). Sources: "
               "zalloc-counters = the instance's backing counters (exact); "
               "slab-pages = the node's unreclaimable slab pages against a "
               "baseline (node-wide, approximate); own-count = pages counted "
               "by the benchmark (alloc_pages) or the region (gen_pool, "
               "sized by the benchmark at twice the live bytes); "
               "fragment-pages = the distinct pages live page_frag fragments "
               "pin, plus its cache's page, counted once a round.",
        "init": "The kernel's zeroing options: reuse at each size in two "
                "more icount boots (one round of 100,000 pairs each), one "
                "with init_on_alloc=1 (as Debian boots) and one with "
                "init_on_free=1, against this table's own icount boot with "
                "both off; instructions per alloc+free pair. With an option "
                "off its static key costs nothing; on, the allocators that "
                "hand out recycled memory zero it (a memset of the block), "
                "and kmalloc and the page allocator are zeroed by the "
                "kernel itself.",
        "parallel": "One kthread bound to each online CPU, released together "
                    "after their warm-up, wall time, in rounds: each round "
                    "runs the first kthread alone on its CPU, then all of "
                    "them. "
                    "\"1 CPU ns/op\" is the best solo round; \"ns/op "
                    "(system)\" the best round's 1 / summed throughput; "
                    "scaling is the first over the second. The best rounds, "
                    "because the TCG host has slow spells of several rounds "
                    "(one thread's ns/op jumps by up to 1.5x and back); "
                    "\"x kmalloc\" and the summed kops/s are the median "
                    "round's. The loop alone (none) is the control: it "
                    "shares nothing, so it scales by the CPUs the host "
                    "really gave.",
        "cross": "A producer kthread allocates and passes each block through "
                 "a 1,024-slot ring to a consumer on another CPU, which "
                 "frees it; wall time per block. \"x own reuse\" compares "
                 "with the same subject's reuse in this boot.",
        "churn": "A producer kthread on the first CPU allocates batches of "
                 "8,192 blocks; a consumer on the second frees each whole "
                 "batch; two batches are in flight, round after round, after "
                 "four batches of warm-up. \"taken\" is what the subject "
                 "took from the kernel while the producer allocated its timed "
                 "batches, per 100,000 blocks: its zalloc counters' "
                 "backing_bytes_taken where it has them (for smp, slabs "
                 "taken x 64 KiB), else the pages the buddy allocator handed "
                 "out system-wide (the PGALLOC events of /proc/vmstat; "
                 "nothing else in the guest allocates meanwhile), which is "
                 "also given for every subject as a cross-check. The "
                 "kmalloc wrapper's counters count kmalloc'd objects, not "
                 "pages, so it is given in buddy pages like kmalloc. For "
                 "zalloc subjects, \"given back\" is the backing they "
                 "returned to the kernel over the same span (a slab given "
                 "back and taken again is churn), and \"held\" what they "
                 "held when the producer was done, also over the bytes of "
                 "the blocks two batches hold, the most that can be live.",
        "skip": "Workloads a subject cannot run, and why.",
        "error": "Figures that could not be set up (the benchmark printed "
                 "\"zbench: error\"): they are missing from the tables.",
    }
    titles["skip"], titles["error"] = "Not run", "Errors"
    for key in ("before", "icount", "mem", "init", "parallel", "cross",
                "churn", "skip", "error"):
        if tables[key]:
            doc += [f"## {titles[key]}", "", texts[key], "",
                    md_table(HEADS[key], tables[key]), ""]
    # make ubench's section (tools/testing/zalloc) is its own: keep it.
    try:
        with open(a.out) as f:
            old = f.read()
        i, j = old.find(UBENCH_BEGIN), old.find(UBENCH_END)
        if 0 <= i < j:
            doc += [old[i:j + len(UBENCH_END)], ""]
    except FileNotFoundError:
        pass
    with open(a.out, "w") as f:
        f.write("\n".join(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
