#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""tools/bench-report.py - turn zalloc_bench's console lines into a report.

Usage: tools/bench-report.py LOG OUT [--accel A] [--smp N] [--seconds S]
                             [--load L]

Reads the "zbench:" lines of a QEMU console LOG (tools/bench.sh), prints a
table of every figure (workload, size, subject, ns/op, ratio to kmalloc in
the same run) and writes OUT (BENCHMARKS.md; "-" writes nothing) with the
run's conditions, the tables, the issue's targets and a reading generated
from the figures.  Exits 1 only if the log holds no complete run; a timing
never fails it.  Python 3 standard library only.
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
SIZES = ["16", "64", "256", "1024", "4096", "mixed"]
REF = "kmalloc"


def parse(path):
    """Return (begin, subjects, figures, percpu, mem, skips, end, errors,
    done)."""
    begin, end, done = {}, {}, {}
    subjects, figures, percpu, mem, skips, errors = [], [], [], [], [], []
    line_re = re.compile(r"zbench: (\w+)?\s*(.*)$")
    with open(path, errors="replace") as f:
        for raw in f:
            m = line_re.search(raw.rstrip("\r\n"))
            if not m:
                continue
            head, rest = m.group(1), m.group(2)
            if head == "workload":
                rest = "workload" + rest
                head = None
            kv = dict(w.split("=", 1) for w in rest.split() if "=" in w)
            if head == "begin":
                begin = kv
            elif head == "end":
                end = kv
            elif head == "subject":
                subjects.append(kv)
            elif head == "mem":
                mem.append(kv)
            elif head == "skip":
                skips.append(kv)
            elif head == "error":
                errors.append(kv)
            elif head == "done":
                done[kv.get("workload")] = kv.get("seconds")
            elif "workload" in kv and "cpu" in kv:
                percpu.append(kv)
            elif "workload" in kv:
                figures.append(kv)
    return begin, subjects, figures, percpu, mem, skips, end, errors, done


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


def gmean(xs):
    xs = [x for x in xs if x]
    return math.exp(sum(map(math.log, xs)) / len(xs)) if xs else None


class Run:
    def __init__(self, figures, percpu, mem, subjects):
        self.fig = {(f["workload"], f["size"], f["alloc"]): f for f in figures}
        self.percpu = percpu
        self.mem = {m["alloc"]: m for m in mem}
        self.subjects = [s["alloc"] for s in subjects]

    def ns(self, w, size, alloc, key="ns_per_op"):
        f = self.fig.get((w, size, alloc))
        return num(f.get(key)) if f else None

    def ratio(self, w, size, alloc, key="ns_per_op", ref=REF):
        a, b = self.ns(w, size, alloc, key), self.ns(w, size, ref, key)
        return a / b if a and b else None

    def ratios(self, w, alloc, sizes=SIZES[:5], key="ns_per_op", ref=REF):
        return [self.ratio(w, s, alloc, key, ref) for s in sizes]

    def scaling(self, w, size, alloc):
        single = {"parallel-reuse": "reuse", "parallel-mixed": "mixed"}[w]
        one, par = self.ns(single, size, alloc), self.ns(w, size, alloc)
        return one / par if one and par else None

    def has(self, alloc):
        return any(k[2] == alloc for k in self.fig)


def rows_single(run):
    rows = []
    for w in SINGLE:
        for size in SIZES:
            for alloc in run.subjects:
                f = run.fig.get((w, size, alloc))
                if not f:
                    continue
                free_key = "reset_ns" if "reset_ns" in f else "free_ns"
                rows.append([w, size, alloc, f["ns_per_op"],
                             ratio(run.ratio(w, size, alloc)),
                             f.get("alloc_ns", ""), f.get(free_key, ""),
                             f.get("fail", "0")])
    return rows


def rows_parallel(run):
    rows = []
    for w in PARALLEL:
        for size in SIZES:
            for alloc in run.subjects:
                f = run.fig.get((w, size, alloc))
                if not f:
                    continue
                cpus = [p["kops_per_s"] for p in run.percpu
                        if (p["workload"], p["size"], p["alloc"]) ==
                        (w, size, alloc)]
                rows.append([w, size, alloc, f.get("instance", ""),
                             f["ns_per_op"], ratio(run.ratio(w, size, alloc)),
                             f["kops_per_s"], " / ".join(cpus),
                             ratio(run.scaling(w, size, alloc)),
                             f.get("fail", "0")])
    return rows


def rows_cross(run):
    rows = []
    for size in SIZES:
        for alloc in run.subjects:
            f = run.fig.get(("cross", size, alloc))
            if not f:
                continue
            own = run.ns("reuse", size, alloc)
            rows.append([size, alloc, f.get("instance", ""), f["ns_per_op"],
                         ratio(run.ratio("cross", size, alloc)),
                         ratio(num(f["ns_per_op"]) / own if own else None),
                         f.get("fail", "0")])
    return rows


def rows_mem(run):
    rows = []
    for alloc in run.subjects:
        m = run.mem.get(alloc)
        if not m:
            continue
        peak, after = num(m["backing_peak"]), num(m["backing_after_free"])
        req = num(m["requested_bytes"])
        rows.append([alloc, m["source"], m["live_objs"], mib(req), mib(peak),
                     mib(after),
                     ratio(peak / req if peak and req else None),
                     "-" if not peak else f"{100 * after / peak:.0f}%"])
    return rows


def md_table(head, rows):
    out = ["| " + " | ".join(head) + " |",
           "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(out)


def text_table(head, rows):
    widths = [max(len(str(c)) for c in col) for col in zip(head, *rows)]
    line = lambda r: "  ".join(str(c).ljust(w) for c, w in zip(r, widths))
    return "\n".join([line(head), line(["-" * w for w in widths])] +
                     [line(r) for r in rows])


def target(run, name, status_fn):
    try:
        return [name] + status_fn(run)
    except (KeyError, TypeError, ZeroDivisionError):
        return [name, "-", "not measured"]


def targets(run):
    def missing(alloc):
        return ["-", f"not measured: {alloc} is not in this build yet"]

    def smp_pair(r):
        if not r.has("smp"):
            return missing("smp")
        x = r.ratio("reuse", "64", "smp")
        return [ratio(x) + " kmalloc", "met" if x <= 0.8 else "missed"]

    def smp_scale(r):
        if not r.has("smp"):
            return missing("smp")
        x = r.scaling("parallel-reuse", "64", "smp")
        return [ratio(x) + " of 1 CPU", "met" if x >= 1.8 else "missed"]

    def bump(alloc):
        def f(r):
            if not r.has(alloc):
                return missing(alloc)
            xs = r.ratios("burst", alloc, key="alloc_ns")
            x = gmean(xs)
            return [ratio(x) + " kmalloc (burst alloc, geomean of sizes)",
                    "met" if x <= 0.3 else "missed"]
        return f

    def bitmap(r):
        if not r.has("bitmap"):
            return missing("bitmap")
        x = r.ratio("reuse", "16", "bitmap", ref="gen_pool")
        return [ratio(x) + " gen_pool (reuse, 16 B)",
                "met" if x <= 0.5 else "missed"]

    def smp_mem(r):
        m = r.mem.get("smp")
        if not m:
            return missing("smp")
        x = num(m["backing_after_free"]) / num(m["backing_peak"])
        return [f"{100 * x:.0f}% of peak", "met" if x <= 0.1 else "missed"]

    return [
        target(run, "smp alloc+free at 64 B, 1 CPU: <= 0.8x kmalloc",
               smp_pair),
        target(run, "smp parallel reuse at 64 B on 2 CPUs: >= 1.8x one CPU",
               smp_scale),
        target(run, "fixed buffer alloc: <= 0.3x kmalloc", bump("fixed")),
        target(run, "arena alloc: <= 0.3x kmalloc", bump("arena")),
        target(run, "bitmap alloc+free: <= 0.5x gen_pool", bitmap),
        target(run, "smp after free-all of mixed: <= 10% of its peak",
               smp_mem),
    ]


def span(xs):
    xs = [x for x in xs if x]
    if not xs:
        return "-"
    lo, hi = min(xs), max(xs)
    return f"{lo:.2f}x" if abs(hi - lo) < 0.005 else f"{lo:.2f}x to {hi:.2f}x"


def reading(run, tcg):
    """Observations computed from this run's figures."""
    out = []
    if tcg:
        out.append(
            "**These figures come from QEMU's TCG, a software CPU.** Every "
            "guest instruction is translated, so absolute nanoseconds are "
            "many times hardware's, and the translation does not slow all "
            "work alike: indirect calls, atomics and page-table work cost "
            "relatively more than on hardware. Read the ratios, measured in "
            "the same boot with the same loops, and treat differences under "
            "about 10% as noise. The host was shared (see the load above).")
    w = run.ratios("reuse", "kmalloc-wrapper")
    if any(w):
        out.append(
            f"**The contract's own cost.** zalloc's kmalloc allocator, called "
            f"through `struct zalloc`, takes {span(w)} kmalloc's time on the "
            f"reuse fast path (sizes 16 B to 4 KiB). That difference is the "
            f"indirection: the helper's argument checks, one indirect call "
            f"per op, and four per-CPU counter updates per alloc+free pair; "
            f"kmalloc itself is called directly here. In the batch "
            f"workloads the same wrapper is at "
            f"{span(run.ratios('batch-reverse', 'kmalloc-wrapper'))}.")
    c = run.ratios("reuse", "kmem_cache")
    if any(c):
        out.append(
            f"**kmem_cache** (a dedicated, unmerged cache per size) is at "
            f"{span(c)} kmalloc on reuse. Both are SLUB's per-CPU fast "
            f"path and are within a few ns of each other on hardware; a "
            f"hand-run with the cache merged into kmalloc-N (the very same "
            f"slabs) kept the ratio, so what differs under TCG is the cost "
            f"of emulating kmem_cache_alloc()/kmem_cache_free()'s own code, "
            f"an example of how TCG distorts even ratios.")
    p = run.ratios("reuse", "page", ref="alloc_pages")
    if any(p):
        out.append(
            f"**page vs alloc_pages.** zalloc's page allocator takes "
            f"{span(p)} the time of a bare `__get_free_pages()`/"
            f"`free_pages()` pair on reuse. Both go to the buddy allocator; "
            f"zalloc adds `split_page()`, `free_pages_exact()` (page by "
            f"page) and its counters, which is what a trimmed, any-length "
            f"block costs. Against kmalloc, whole pages cost "
            f"{span(run.ratios('reuse', 'page'))}: the page allocator is for "
            f"page-sized and page-aligned blocks, not small objects.")
    g = run.ratios("reuse", "gen_pool")
    if any(g):
        gm = run.ratio("mixed", "mixed", "gen_pool")
        out.append(
            f"**gen_pool**, the bitmap allocator's peer, is at {span(g)} "
            f"kmalloc on reuse and {ratio(gm)} on the mixed workload: every "
            f"allocation searches the chunk bitmap first-fit from the start "
            f"and sets bits with cmpxchg, so its cost grows with how full "
            f"and fragmented the region is (its mixed figure ran "
            f"slow_ops operations).")
    fa = run.ratios("burst", "page_frag", key="alloc_ns")
    if any(fa):
        out.append(
            f"**page_frag**, the fixed buffer's and arena's peer, allocates "
            f"at {span(fa)} kmalloc's allocation time in the burst workload "
            f"(a bump of an offset and a local refcount bias); its free is a "
            f"`put_page()` on a shared page refcount, so alloc+free on "
            f"reuse is {span(run.ratios('reuse', 'page_frag'))}.")
    sc = [(a, run.scaling("parallel-reuse", "64", a)) for a in run.subjects]
    sc = [(a, x) for a, x in sc if x]
    if sc:
        txt = ", ".join(f"{a} {x:.2f}x" for a, x in sc)
        out.append(
            f"**Parallel scaling** (summed throughput on all CPUs over one "
            f"CPU's, reuse at 64 B): {txt}. Ideal is the CPU count; under "
            f"TCG each vCPU is a host thread, and the host's other load "
            f"takes its share, so scaling here says more about the host than "
            f"about per-CPU caches.")
    cr = [(a, num(run.fig[("cross", "64", a)]["ns_per_op"]) /
           run.ns("reuse", "64", a))
          for a in run.subjects
          if ("cross", "64", a) in run.fig and run.ns("reuse", "64", a)]
    if cr:
        txt = ", ".join(f"{a} {x:.1f}x" for a, x in cr)
        out.append(
            f"**Cross-CPU frees** (producer on one CPU, consumer on another, "
            f"wall time per block at 64 B, against the same allocator's "
            f"same-CPU reuse): {txt}. This includes the ring between the "
            f"two threads and the cache lines each free pulls across; under "
            f"TCG on a busy host it is dominated by one vCPU waiting for its "
            f"partner's host thread to run, so read it as an upper bound.")
    km = run.mem.get("kmalloc")
    if km and num(km["backing_peak"]):
        out.append(
            f"**Memory.** In the mixed workload kmalloc's slab pages peaked "
            f"at {mib(km['backing_peak'])} for {mib(km['requested_bytes'])} "
            f"requested, and {mib(km['backing_after_free'])} stayed after "
            f"every block was freed (SLUB keeps partial and some empty slabs "
            f"cached; the node counter also drifts by the per-CPU vmstat "
            f"deltas). zalloc's page allocator returns every page at once "
            f"(after free-all: {mib(run.mem.get('page', {}).get('backing_after_free'))}).")
    pf = run.mem.get("page_frag")
    if pf and num(pf["backing_peak"]):
        out.append(
            f"**page_frag's memory** peaked at {mib(pf['backing_peak'])} "
            f"for {mib(pf['requested_bytes'])} requested: a page (up to "
            f"32 KiB) stays while any fragment in it is live, so random "
            f"frees strand most of each page. That is the price of its "
            f"free-anywhere bump allocation, and what an arena's reset or a "
            f"fixed buffer's rewind avoids by freeing everything at once.")
    pending = [s for s in ("smp", "sbrk", "bitmap", "fixed", "arena")
               if not run.has(s)]
    if pending:
        out.append(
            f"**Not measured yet:** {', '.join(pending)} are still on their "
            f"branches; their table slots are in `bench/subjects.c`, and the "
            f"targets below stay open until they run.")
    return out


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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("log")
    ap.add_argument("out")
    ap.add_argument("--accel", default="tcg")
    ap.add_argument("--smp", default="?")
    ap.add_argument("--seconds", default="?")
    ap.add_argument("--load", default="?")
    a = ap.parse_args()

    (begin, subjects, figures, percpu, mem, skips, end, errors,
     done) = parse(a.log)
    if not begin:
        print("bench-report: no zbench output in " + a.log, file=sys.stderr)
        return 1
    run = Run(figures, percpu, mem, subjects)
    heads = {
        "single": ["workload", "size", "subject", "ns/op", "x kmalloc",
                   "alloc ns", "free/reset ns", "fail"],
        "parallel": ["workload", "size", "subject", "instance",
                     "ns/op (system)", "x kmalloc", "kops/s summed",
                     "kops/s per CPU", "scaling vs 1 CPU", "fail"],
        "cross": ["size", "subject", "instance", "ns/op", "x kmalloc",
                  "x own reuse", "fail"],
        "mem": ["subject", "source", "live blocks", "requested",
                "backing at peak", "after free-all", "peak / requested",
                "after / peak"],
        "skip": ["subject", "workload", "reason"],
        "targets": ["target (issue 7)", "measured", "status"],
    }
    tables = {
        "single": rows_single(run),
        "parallel": rows_parallel(run),
        "cross": rows_cross(run),
        "mem": rows_mem(run),
        "skip": [[s["alloc"], s["workload"], s["reason"]] for s in skips],
        "targets": targets(run),
    }

    for name in ("single", "parallel", "cross", "mem", "targets"):
        if tables[name]:
            print(text_table(heads[name], tables[name]))
            print()
    for e in errors:
        print("bench-report: error: " + " ".join(f"{k}={v}" for k, v in
                                                 e.items()), file=sys.stderr)
    complete = bool(end)
    if not complete:
        print("bench-report: the run did not finish (no 'zbench: end')",
              file=sys.stderr)
    if a.out == "-" or not complete:
        return 0 if complete else 1

    tcg = "kvm" not in a.accel
    mode = ("TCG (software emulation, multi-threaded)"
            if "thread=multi" in a.accel else
            "TCG (software emulation)" if tcg else a.accel.upper())
    # The run's date is the log's: re-running the report reproduces it.
    date = datetime.datetime.fromtimestamp(os.path.getmtime(a.log),
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
        f"- Kernel: Linux {begin.get('kernel', '?')}, the benchmark "
        "sibling of the test kernel (tinyconfig + tools/kconfig/base.config "
        "+ bench.config: no KASAN, lockdep, kmemleak or DEBUG_PREEMPT)",
        f"- QEMU {qemu_version()}, {mode}, {begin.get('cpus', a.smp)} "
        "CPUs, 2 GiB",
        f"- Host: {host_cpu()}, {os.cpu_count()} CPUs, load average "
        f"{a.load} (start -> end); the host was shared with other work",
        f"- zalloc_bench: ops={begin.get('ops')} per figure "
        f"(slow_ops={begin.get('slow_ops')} where a subject marks a "
        f"workload slow), warmup={begin.get('warmup')}, "
        f"rounds={begin.get('rounds')} (single-CPU figures are the median "
        f"round); {end.get('figures')} figures, {end.get('skipped')} "
        f"skipped, {end.get('seconds')} s in the guest, {a.seconds} s in all",
        "- Guest seconds per workload: " +
        ", ".join(f"{w} {s}" for w, s in done.items()),
        "- Single-CPU figures of reuse, batch and burst interleave the "
        "subjects' rounds (round i of every subject before round i + 1 of "
        "any), so a host slowing down for a while hits all subjects alike; "
        "the other workloads run one subject after another.",
        "",
        "ns/op is one allocation plus its free (in burst, plus its share of "
        "the reset). \"x kmalloc\" is the subject's time over kmalloc's for "
        "the same workload and size in this run: below 1 is faster.",
        "",
        "## Reading",
        "",
    ]
    doc += ["- " + r for r in reading(run, tcg)]
    doc += ["", "## Targets", "",
            md_table(heads["targets"], tables["targets"]), ""]
    sections = [
        ("single", "One CPU",
         "reuse: alloc then free the same size; batch-reverse/-random: "
         "1,000 blocks allocated, then freed newest first / in random "
         "order; burst: 1,000 blocks allocated, then reset() (fixed, arena) "
         "or freed oldest first; mixed: skewed sizes 16 B to 32 KiB, random "
         "frees, about 10,000 live blocks."),
        ("parallel", "Every CPU at once",
         "One kthread bound to each online CPU, released together after "
         "their warm-up. \"ns/op (system)\" is 1 / summed throughput; "
         "scaling is summed throughput over the same subject's one-CPU "
         "figure."),
        ("cross", "Allocated on one CPU, freed on another",
         "A producer kthread allocates and passes each block through a "
         "1,024-slot ring to a consumer on another CPU, which frees it; "
         "wall time per block. \"x own reuse\" compares with the same "
         "subject's same-CPU reuse."),
        ("mem", "Memory in the mixed workload",
         "Backing memory held at the sampled peak and after every block was "
         "freed. Sources: zalloc-counters = the instance's backing counters "
         "(exact); slab-pages = the node's unreclaimable slab pages against "
         "a baseline (global, approximate: includes per-CPU vmstat drift); "
         "own-count = pages counted by the benchmark (alloc_pages) or the "
         "region (gen_pool, sized by the benchmark at twice the live bytes); "
         "fragment-pages = the distinct pages live page_frag fragments pin, "
         "plus its cache's page, counted by walking the live blocks once a "
         "round (exact at those points)."),
        ("skip", "Not run",
         "Workloads a subject cannot run, and why."),
    ]
    for key, title, text in sections:
        if not tables[key]:
            continue
        doc += [f"## {title}", "", text, "", md_table(heads[key], tables[key]),
                ""]
    with open(a.out, "w") as f:
        f.write("\n".join(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
