// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc_bench report: every line the benchmark prints.
 *
 * One line per figure, prefixed "zbench: " (pr_fmt), as key=value words
 * that tools/bench-report.py reads:
 *
 *	zbench: workload=reuse alloc=kmalloc size=64 cpus=1 ops=1000000
 *		ns_per_op=31.2 ns_best=30.9 fail=0
 *
 * with alloc_ns= and free_ns= (reset_ns= where burst resets) for the batch
 * and burst workloads; parallel figures print one line per CPU (cpu=) and
 * one for the system (cpus=); cross and churn print one line per figure,
 * churn with what the subject took from the kernel (pages_taken=,
 * zstats_taken=), gave back (zstats_returned=) and held at the end
 * (zstats_held=).  Besides the figures: "zbench: begin" (the parameters),
 * "subject" (what each subject is), "skip" (the workloads a subject cannot
 * run and why), "mem" (the mixed workload's memory figures), "error" (a
 * figure that could not be set up), "done" (a workload's guest seconds) and
 * "end".  Under QEMU's -icount shift=0 a guest nanosecond is one guest
 * instruction, so the same lines then count instructions.
 *
 * Locking: none; called from the module's init thread only.
 */
#define pr_fmt(fmt) "zbench: " fmt

#include <linux/kernel.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/printk.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/utsname.h>

#include "bench.h"

#define ZB_NS_LEN	24

unsigned int zb_figures, zb_skipped;

/* @ps picoseconds as nanoseconds with one decimal. */
static char *zb_ns(char *buf, u64 ps)
{
	snprintf(buf, ZB_NS_LEN, "%llu.%llu", ps / 1000, ps % 1000 / 100);
	return buf;
}

/* A figure's size for the output: bytes, or "mixed". */
/* To the picosecond: the parallel figures' bests, which scalings divide. */
static char *zb_ns_fine(char *buf, u64 ps)
{
	snprintf(buf, ZB_NS_LEN, "%llu.%03llu", ps / 1000, ps % 1000);
	return buf;
}

static void zb_size_str(char *buf, size_t size)
{
	if (size)
		snprintf(buf, ZB_NS_LEN, "%zu", size);
	else
		strscpy(buf, "mixed", ZB_NS_LEN);
}

static int zb_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static u64 zb_median(u64 *v, unsigned int n)
{
	sort(v, n, sizeof(*v), zb_cmp_u64, NULL);
	return v[n / 2];
}

static const char *zb_instance(const struct zbench_subject *s)
{
	return s->caps & ZB_SHARED ? "shared" : "per-cpu";
}

void zb_print_begin(unsigned long ops, unsigned long slow_ops,
		    unsigned long churn_ops, unsigned long warmup,
		    unsigned int rounds, unsigned int workloads,
		    const char *only)
{
	pr_info("begin kernel=%s cpus=%u ops=%lu slow_ops=%lu churn_ops=%lu warmup=%lu rounds=%u workloads=%#x only=%s\n",
		init_utsname()->release, num_online_cpus(), ops, slow_ops,
		churn_ops, warmup, rounds, workloads,
		only && *only ? only : "all");
}

void zb_print_end(u64 ns)
{
	pr_info("end figures=%u skipped=%u seconds=%llu\n", zb_figures,
		zb_skipped, div64_u64(ns, NSEC_PER_SEC));
}

void zb_print_done(enum zbench_workload w, unsigned int subjects, u64 ns)
{
	pr_info("done workload=%s subjects=%u seconds=%llu\n", zb_names[w],
		subjects, div64_u64(ns, NSEC_PER_SEC));
}

static void zb_caps_string(const struct zbench_subject *s, char *buf,
			   size_t len)
{
	static const char * const names[] = {
		"free-any", "free-last", "reset", "shared", "remote-free",
		"one-size",
	};
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (s->caps & (1U << i))
			off += scnprintf(buf + off, len - off, "%s%s",
					 off ? "," : "", names[i]);
}

/* What @s is: its kind, peer, capabilities and memory source. */
void zb_print_subject(const struct zbench_subject *s)
{
	static const char * const kinds[NR_ZB_KINDS] = {
		[ZB_KIND_KMALLOC]	= "reference",
		[ZB_KIND_KMEM_CACHE]	= "native",
		[ZB_KIND_GEN_POOL]	= "native",
		[ZB_KIND_PAGE_FRAG]	= "native",
		[ZB_KIND_PAGES]		= "native",
		[ZB_KIND_NATIVE]	= "native-callbacks",
		[ZB_KIND_ZALLOC]	= "zalloc",
		[ZB_KIND_ZFIXED]	= "zalloc-direct",
		[ZB_KIND_ZARENA]	= "zalloc-direct",
		[ZB_KIND_NONE]		= "none",
	};
	char caps[96];

	zb_caps_string(s, caps, sizeof(caps));
	pr_info("subject alloc=%s kind=%s peer=%s caps=%s mem=%s\n", s->name,
		kinds[s->kind], s->peer, caps, zb_mem_sources[s->mem]);
}

/* A workload @s does not run (@workload "all": none), and why. */
void zb_print_skip(const struct zbench_subject *s, const char *workload,
		   const char *why)
{
	pr_info("skip workload=%s alloc=%s reason=%s\n", workload, s->name,
		why);
	zb_skipped++;
}

/*
 * A single-CPU figure: the median of @nr rounds (@ps, picoseconds per
 * operation; @aps and @fps its alloc and free parts, or @aps NULL) and the
 * best round.  Sorts the arrays.
 */
void zb_print_figure(const struct zbench_subject *s, enum zbench_workload w,
		     size_t size, unsigned long n, u64 *ps, u64 *aps, u64 *fps,
		     unsigned int nr, unsigned long fail)
{
	char sz[ZB_NS_LEN], extra[96] = "", b1[ZB_NS_LEN], b2[ZB_NS_LEN];
	u64 med, best;

	med = zb_median(ps, nr);
	best = ps[0];
	zb_size_str(sz, size);
	if (aps) {
		snprintf(extra, sizeof(extra), " alloc_ns=%s %s_ns=%s",
			 zb_ns(b1, zb_median(aps, nr)),
			 w == ZB_BURST && (s->caps & ZB_RESET) ? "reset" : "free",
			 zb_ns(b2, zb_median(fps, nr)));
	}
	pr_info("workload=%s alloc=%s size=%s cpus=1 ops=%lu ns_per_op=%s ns_best=%s%s fail=%lu\n",
		zb_names[w], s->name, sz, n, zb_ns(b1, med), zb_ns(b2, best),
		extra, fail);
	zb_figures++;
}

void zb_print_mem(const struct zbench_subject *s, const struct zb_mem *m)
{
	pr_info("mem workload=mixed alloc=%s source=%s live_objs=%lu requested_bytes=%lu backing_peak=%ld backing_after_free=%ld backing_after_idle=%ld\n",
		s->name, m->source, m->peak_live, m->peak_bytes, m->peak,
		m->after, m->idle);
}

/* A figure that could not be measured, and why. */
void zb_error(const struct zbench_subject *s, enum zbench_workload w,
	      size_t size, int err)
{
	pr_info("error workload=%s alloc=%s size=%zu err=%d\n", zb_names[w],
		s ? s->name : "all", size, err);
}

/*
 * A parallel figure: each CPU's runs, then the system's rounds.  Sorts
 * @solo_ps and @sys_ps (for their medians).
 */
void zb_print_parallel(const struct zbench_subject *s, enum zbench_workload w,
		       size_t size, const struct zb_worker *wk, unsigned int n,
		       u64 *solo_ps, u64 *sys_ps, unsigned int nr)
{
	unsigned long fail = 0, total = 0;
	char sz[ZB_NS_LEN], b[ZB_NS_LEN], b2[ZB_NS_LEN], b3[ZB_NS_LEN];
	char b4[ZB_NS_LEN];
	unsigned int i;
	u64 rate, solo;

	zb_size_str(sz, size);
	for (i = 0; i < n; i++) {
		/* Operations per second on this CPU, over its parallel runs. */
		rate = div64_u64((u64)wk[i].n * NSEC_PER_SEC, max(wk[i].ns, 1ULL));
		pr_info("workload=%s alloc=%s size=%s cpu=%u ops=%lu ns_per_op=%s kops_per_s=%llu fail=%lu\n",
			zb_names[w], s->name, sz, wk[i].cpu, wk[i].n,
			zb_ns(b, div64_u64(wk[i].ns * 1000, wk[i].n)),
			div64_u64(rate, 1000), wk[i].run.fail);
		fail += wk[i].run.fail;
		total += wk[i].n;
	}
	/*
	 * The system's time per operation (1 / summed throughput) and the
	 * first CPU's alone just before (solo): the median round and the
	 * best, which a host that slows down for a while spares.
	 */
	rate = zb_median(sys_ps, nr);
	solo = zb_median(solo_ps, nr);	/* sorts: solo_ps[0] is the best */
	pr_info("workload=%s alloc=%s size=%s cpus=%u ops=%lu ns_per_op=%s ns_best=%s kops_per_s=%llu solo_ns_per_op=%s solo_ns_best=%s instance=%s fail=%lu\n",
		zb_names[w], s->name, sz, n, total, zb_ns(b, rate),
		zb_ns_fine(b2, sys_ps[0]),
		div64_u64(NSEC_PER_SEC, max(rate, 1ULL)),
		zb_ns(b3, solo), zb_ns_fine(b4, solo_ps[0]),
		zb_instance(s), fail);
	zb_figures++;
}

/* A cross figure: wall time per block passed, over all pairs. */
void zb_print_cross(const struct zbench_subject *s, size_t size,
		    const struct zb_worker *wk, unsigned int n)
{
	u64 t0 = U64_MAX, t1 = 0, ps;
	unsigned long fail = 0, total = 0;
	char b[ZB_NS_LEN];
	unsigned int i;

	for (i = 0; i < n; i++) {
		t0 = min(t0, wk[i].t0);
		t1 = max(t1, wk[i].t1);
		if (wk[i].run.producer) {
			fail += wk[i].run.fail;
			total += wk[i].n;
		}
	}
	/* Wall time per block passed, over all pairs. */
	ps = div64_u64((t1 - t0) * 1000, max(total, 1UL));
	pr_info("workload=cross alloc=%s size=%zu cpus=%u pairs=%u ops=%lu ns_per_op=%s instance=%s fail=%lu\n",
		s->name, size, n, n / 2, total, zb_ns(b, ps), zb_instance(s),
		fail);
	zb_figures++;
}

/*
 * A churn figure: what the subject took from the kernel and gave back
 * while the producer (wk[0]) allocated its timed batches, what it held
 * when they were done, and wall time per block passed.
 */
void zb_print_churn(const struct zbench_subject *s, size_t size,
		    const struct zb_worker *wk, unsigned int n)
{
	const struct zb_taken *t = wk[0].taken;
	char taken[160] = "", b[ZB_NS_LEN];
	size_t off = 0;
	u64 ps;

	if (t[0].has_pages && t[1].has_pages)
		off += scnprintf(taken + off, sizeof(taken) - off,
				 " pages_taken=%lu", t[1].pages - t[0].pages);
	if (t[0].has_zstats && t[1].has_zstats)
		off += scnprintf(taken + off, sizeof(taken) - off,
				 " zstats_taken=%lu zstats_returned=%lu zstats_held=%lu",
				 t[1].zstats - t[0].zstats,
				 t[1].zstats_returned - t[0].zstats_returned,
				 t[1].zstats - t[1].zstats_returned);
	ps = div64_u64((max(wk[0].t1, wk[1].t1) - wk[0].t0) * 1000,
		       max(wk[0].n, 1UL));
	pr_info("workload=churn alloc=%s size=%zu cpus=%u batch=%u depth=%u ops=%lu ns_per_op=%s%s instance=%s fail=%lu\n",
		s->name, size, n, ZB_CHURN_BATCH, ZB_CHURN_DEPTH, wk[0].n,
		zb_ns(b, ps), taken, zb_instance(s), wk[0].run.fail);
	zb_figures++;
}
