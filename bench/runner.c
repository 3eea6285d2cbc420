// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc_bench: zalloc's allocators against the kernel's, side by side.
 *
 * Loading the module runs every workload (workloads.c) over every subject
 * (the table in subjects.c) and prints one line per figure (report.c); init
 * then returns -EAGAIN, so the module never stays loaded (run = insmod,
 * results = dmesg, as lib/test_vmalloc.c and lib/test_objpool.c do).
 * tools/bench-report.py turns the lines into tables.
 *
 * This file runs the figures.  Every figure sets its subject up, runs a
 * warm-up of @warmup operations, then @ops operations (for the workloads a
 * subject marks slow, gen_pool's mixed ones, @slow_ops after @slow_ops / 5
 * of warm-up; churn passes @churn_ops blocks after four batches of
 * warm-up).  An operation is one allocation and its free (in burst, the
 * free is the block's share of the reset).  Single-CPU figures split the
 * operations into @rounds rounds, interleaved across the subjects, and
 * report the median round (and the best), which filters out a noisy host;
 * parallel figures run one bound kthread per online CPU, in @rounds rounds
 * each preceded by the first of them alone, and report each CPU's whole
 * run, and the median and best rounds' summed throughput and one-CPU
 * time; cross and churn figures pair a producer kthread with a consumer
 * on another CPU and report wall time per block (churn: one pair, the
 * first two online CPUs, and what the subject took from the kernel
 * meanwhile).  A figure never fails on a timing; allocation failures are
 * counted in fail=.
 *
 * tools/bench.sh boots the benchmark kernel twice: once on one vCPU under
 * QEMU's -icount shift=0,sleep=off, where ktime_get_ns() advances one
 * nanosecond per guest instruction, for the single-CPU workloads; once with
 * real concurrency under TCG for the parallel, cross and churn workloads.
 *
 * Locking: the multi-CPU workloads share only a start gate (a completion
 * and an atomic arrival count), their pair's ring or batches (see
 * workloads.c) and the subject's instance, which the subject's own locking
 * protects (ZB_SHARED) or which is per CPU or per pair.
 */
#define pr_fmt(fmt) "zbench: " fmt

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "bench.h"

static unsigned long ops = 1000000;
module_param(ops, ulong, 0444);
MODULE_PARM_DESC(ops, "Operations per figure (default 1000000)");

static unsigned long slow_ops = 100000;
module_param(slow_ops, ulong, 0444);
MODULE_PARM_DESC(slow_ops, "Operations per figure for the workloads a subject marks slow, after slow_ops / 5 of warm-up (default 100000)");

static unsigned long churn_ops = 250000;
module_param(churn_ops, ulong, 0444);
MODULE_PARM_DESC(churn_ops, "Blocks per churn figure (at most slow_ops where a subject marks churn slow), rounded up to batches of 8192, after 4 batches of warm-up (default 250000)");

static unsigned long warmup = 100000;
module_param(warmup, ulong, 0444);
MODULE_PARM_DESC(warmup, "Untimed operations before each figure (default 100000)");

static unsigned int rounds = 5;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "Rounds per single-CPU or parallel figure; the median and the best are reported (default 5)");

static char *only;
module_param(only, charp, 0444);
MODULE_PARM_DESC(only, "Comma-separated subjects to run (default: all)");

static unsigned int workloads = (1U << NR_ZB_WORKLOADS) - 1;
module_param(workloads, uint, 0444);
MODULE_PARM_DESC(workloads, "Bit mask of workloads to run, bit 0 reuse, 1 batch-reverse, 2 batch-random, 3 burst, 4 mixed, 5 parallel-reuse, 6 parallel-mixed, 7 cross, 8 churn (default all)");

/* ======================== Subjects and workloads ======================== */

static bool zb_selected(const struct zbench_subject *s)
{
	const char *p = only;
	size_t n = strlen(s->name);

	if (!p || !*p)
		return true;
	while ((p = strstr(p, s->name))) {
		if ((p == only || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return true;
		p += n;
	}
	return false;
}

/* Why @s cannot run @w, or NULL if it can. */
static const char *zb_skip_reason(const struct zbench_subject *s,
				  enum zbench_workload w)
{
	bool any = s->caps & ZB_FREE_ANY;
	bool multi = num_online_cpus() > 1;

	switch (w) {
	case ZB_REUSE:
	case ZB_BATCH_REVERSE:
		return any || (s->caps & ZB_FREE_LAST) ? NULL : "cannot-free";
	case ZB_BURST:
		return any || (s->caps & (ZB_FREE_LAST | ZB_RESET)) ?
		       NULL : "cannot-free";
	case ZB_BATCH_RANDOM:
		return any ? NULL : "frees-only-the-newest-block";
	case ZB_PAR_REUSE:
		if (!multi)
			return "one-cpu-online";
		return any || (s->caps & ZB_FREE_LAST) ? NULL : "cannot-free";
	case ZB_PAR_MIXED:
		if (!multi)
			return "one-cpu-online";
		fallthrough;
	case ZB_MIXED:
		if (!any)
			return "frees-only-the-newest-block";
		return s->caps & ZB_ONE_SIZE ? "one-size-per-cache" : NULL;
	case ZB_CROSS:
	case ZB_CHURN:
		if (!multi)
			return "one-cpu-online";
		return any && (s->caps & ZB_REMOTE_FREE) ?
		       NULL : "no-free-on-another-cpu";
	default:
		return "unknown-workload";
	}
}

static unsigned long zb_ops(const struct zbench_subject *s,
			    enum zbench_workload w)
{
	if (w == ZB_CHURN)
		return zb_churn_round(s->slow & ZB_W(w) ?
				      min(churn_ops, slow_ops) : churn_ops);
	return s->slow & ZB_W(w) ? slow_ops : ops;
}

static unsigned long zb_warmup(const struct zbench_subject *s,
			       enum zbench_workload w)
{
	/* Churn: two round trips of the pipeline before the steady state. */
	if (w == ZB_CHURN)
		return 2 * ZB_CHURN_DEPTH * ZB_CHURN_BATCH;
	return s->slow & ZB_W(w) ? min(warmup, slow_ops / 5) : warmup;
}

static int zb_setup(struct zbench_h *h, const struct zbench_subject *s,
		    const struct zbench_need *need)
{
	int err;

	memset(h, 0, sizeof(*h));
	h->s = s;
	h->stats_name = s->stats_name;
	err = s->setup ? s->setup(h, need) : 0;
	if (err)
		h->s = NULL;	/* nothing to tear down */
	return err;
}

static void zb_teardown(struct zbench_h *h)
{
	if (h->s->teardown)
		h->s->teardown(h);
}

/* ======================== One CPU ======================== */

/**
 * struct zb_fig - one subject's part of a single-CPU figure
 * @s: the subject
 * @h: its instance
 * @r: its run state
 * @mem: mixed: its memory figures
 * @per: operations per round
 * @ps: picoseconds per operation, per round
 * @aps: batch and burst: of which allocating
 * @fps: batch and burst: of which freeing or resetting
 * @ready: set up; the rounds run and the figure is printed
 */
struct zb_fig {
	const struct zbench_subject *s;
	struct zbench_h h;
	struct zb_run r;
	struct zb_mem mem;
	unsigned long per;
	u64 ps[ZB_MAX_ROUNDS], aps[ZB_MAX_ROUNDS], fps[ZB_MAX_ROUNDS];
	bool ready;
};

/* Set up @s for a figure of @w at @size and warm it up. */
static void zb_fig_start(struct zb_fig *f, const struct zbench_subject *s,
			 enum zbench_workload w, size_t size, unsigned int nr)
{
	struct zbench_need need;
	int err;

	f->s = s;
	zb_need(&need, w, size, 1);
	err = zb_setup(&f->h, s, &need);
	if (err)
		goto fail;
	err = zb_run_init(&f->r, &f->h, w, size, 0x5eed0000ULL + size);
	if (err) {
		zb_run_destroy(&f->r);
		zb_teardown(&f->h);
		goto fail;
	}
	f->per = max(zb_ops(s, w) / nr, 1UL);
	if (zb_batchy(w))
		f->per = roundup(f->per, ZB_BATCH);
	if (w == ZB_MIXED)
		zb_mem_start(&f->r, &f->mem);
	zb_step(&f->r, zb_warmup(s, w));
	f->r.fail = 0;
	f->ready = true;
	return;
fail:
	zb_error(s, w, size, err);
}

static void zb_fig_round(struct zb_fig *f, unsigned int i)
{
	struct zb_run *r = &f->r;

	r->alloc_ns = 0;
	r->free_ns = 0;
	f->ps[i] = div64_u64(zb_step(r, f->per) * 1000, f->per);
	f->aps[i] = div64_u64(r->alloc_ns * 1000, f->per);
	f->fps[i] = div64_u64(r->free_ns * 1000, f->per);
	if (r->mem && zb_mem_walks(r))
		zb_mem_sample(r);
}

/* Report the figure, free what is live, tear the instance down. */
static void zb_fig_finish(struct zb_fig *f, unsigned int nr)
{
	enum zbench_workload w = f->r.w;

	zb_print_figure(f->s, w, f->r.size, f->per * nr, f->ps,
			zb_batchy(w) ? f->aps : NULL, f->fps, nr, f->r.fail);
	if (w == ZB_MIXED) {
		zb_mixed_free_all(&f->r);
		f->mem.after = zb_mem_now(&f->r) - f->mem.base;
		msleep(ZB_IDLE_MS);
		f->mem.idle = zb_mem_now(&f->r) - f->mem.base;
		zb_print_mem(f->s, &f->mem);
	}
	zb_run_destroy(&f->r);
	zb_teardown(&f->h);
}

/*
 * Single-CPU figures of @w at @size for the @n subjects in @subj, with
 * their rounds interleaved: round i of every subject runs before round
 * i + 1 of any, so a host that is slow for a while slows the same round of
 * every subject, and the medians stay comparable.
 */
static void zb_single(const struct zbench_subject **subj, unsigned int n,
		      enum zbench_workload w, size_t size)
{
	unsigned int nr = clamp(rounds, 1U, ZB_MAX_ROUNDS), i, j;
	struct zb_fig *f = kvcalloc(n, sizeof(*f), GFP_KERNEL);

	if (!f) {
		zb_error(NULL, w, size, -ENOMEM);
		return;
	}
	for (j = 0; j < n; j++)
		zb_fig_start(&f[j], subj[j], w, size, nr);
	for (i = 0; i < nr; i++)
		for (j = 0; j < n; j++)
			if (f[j].ready)
				zb_fig_round(&f[j], i);
	for (j = 0; j < n; j++)
		if (f[j].ready)
			zb_fig_finish(&f[j], nr);
	kvfree(f);
}

/* ======================== Every CPU ======================== */

/* Wait until every worker got here, spinning: the CPUs are all ours. */
static void zb_gate_arrive(struct zb_gate *g)
{
	atomic_inc(&g->warm);
	while (atomic_read(&g->warm) < g->n)
		cpu_relax();
}

/*
 * A churn producer reads what its subject has taken from the kernel when
 * its timed part starts and when it ends; nothing else allocates from the
 * subject meanwhile, and the consumer only frees.
 */
static void zb_worker_taken(struct zb_worker *wk, int i)
{
	if (wk->run.w == ZB_CHURN && wk->run.producer)
		zb_taken_read(&wk->run, &wk->taken[i]);
}

static int zb_worker_fn(void *data)
{
	struct zb_worker *wk = data;
	struct zb_gate *g = wk->gate;

	wait_for_completion(&g->go);
	zb_step(&wk->run, wk->warmup);
	wk->run.fail = 0;
	zb_gate_arrive(g);
	zb_worker_taken(wk, 0);
	wk->t0 = ktime_get_ns();
	wk->ns = zb_step(&wk->run, wk->n);
	wk->t1 = ktime_get_ns();
	zb_worker_taken(wk, 1);
	kthread_complete_and_exit(&wk->done, 0);
}

/* Start every worker on its CPU, release them together, wait for all. */
static int zb_run_workers(struct zb_worker *wk, unsigned int n,
			  struct zb_gate *g)
{
	unsigned int i, j;

	init_completion(&g->go);
	atomic_set(&g->warm, 0);
	g->n = n;
	for (i = 0; i < n; i++) {
		init_completion(&wk[i].done);
		wk[i].gate = g;
		wk[i].task = kthread_create_on_cpu(zb_worker_fn, &wk[i],
						   wk[i].cpu, "zbench/%u");
		if (IS_ERR(wk[i].task))
			goto unwind;
	}
	for (i = 0; i < n; i++)
		wake_up_process(wk[i].task);
	complete_all(&g->go);
	/* With a timeout, so a long figure does not look like a hung task. */
	for (i = 0; i < n; i++)
		while (!wait_for_completion_timeout(&wk[i].done, HZ))
			;
	return 0;

unwind:
	for (j = 0; j < i; j++)
		kthread_stop(wk[j].task);
	return PTR_ERR(wk[i].task);
}

/*
 * A parallel figure in @nr rounds of @wk[i].n / @nr operations a worker:
 * worker 0 alone on its CPU (the other CPUs idle), then every worker at
 * once.  The one-CPU figure the scaling divides by thus runs moments
 * before the parallel one, on the same host, instance and kind of thread;
 * the single-CPU reuse figure, minutes earlier in another thread, does not
 * (a TCG host's speed drifts between the two).  Only the first run of a
 * worker warms up.  Each worker's n and ns end as its parallel totals.
 */
static int zb_parallel_rounds(struct zb_worker *wk, unsigned int n,
			      struct zb_gate *g, u64 *solo_ps, u64 *sys_ps,
			      unsigned int nr)
{
	unsigned long per = max(wk[0].n / nr, 1UL), *fail;
	u64 *total, rate;
	unsigned int r, i;
	int err = -ENOMEM;

	total = kcalloc(n, sizeof(*total), GFP_KERNEL);
	fail = kcalloc(n, sizeof(*fail), GFP_KERNEL);
	if (!total || !fail)
		goto out;
	for (i = 0; i < n; i++)
		wk[i].n = per;
	for (r = 0; r < nr; r++) {
		err = zb_run_workers(wk, 1, g);
		if (err)
			goto out;
		solo_ps[r] = div64_u64(wk[0].ns * 1000, per);
		fail[0] += wk[0].run.fail;
		wk[0].warmup = 0;
		err = zb_run_workers(wk, n, g);
		if (err)
			goto out;
		/* The system's time per operation: 1 / summed throughput. */
		rate = 0;	/* operations per 1000 s */
		for (i = 0; i < n; i++) {
			rate += mul_u64_u64_div_u64(per, NSEC_PER_SEC * 1000ULL,
						    max(wk[i].ns, 1ULL));
			total[i] += wk[i].ns;
			fail[i] += wk[i].run.fail;
			wk[i].warmup = 0;
		}
		sys_ps[r] = div64_u64(NSEC_PER_SEC * 1000000ULL, max(rate, 1ULL));
	}
	/* What zb_print_parallel() reads: the parallel runs' totals. */
	for (i = 0; i < n; i++) {
		wk[i].n = per * nr;
		wk[i].ns = total[i];
		wk[i].run.fail = fail[i];
	}
out:
	kfree(fail);
	kfree(total);
	return err;
}

/*
 * One figure on every online CPU: parallel workloads run the same loop on
 * each; cross pairs CPU 2k (producer) with CPU 2k + 1 (consumer); churn
 * runs one such pair, on the first two online CPUs, so that its producer's
 * readings of what the subject took cover every allocation.
 */
static void zb_multi(const struct zbench_subject *s, enum zbench_workload w,
		     size_t size)
{
	unsigned int n = num_online_cpus(), i = 0, cpu;
	unsigned int nr = clamp(rounds, 1U, ZB_MAX_ROUNDS);
	bool shared = s->caps & ZB_SHARED, paired = zb_paired(w);
	u64 solo_ps[ZB_MAX_ROUNDS], sys_ps[ZB_MAX_ROUNDS];
	struct zb_churn *churn = NULL;
	struct zb_ring *rings = NULL;
	struct zbench_h sh = { };
	struct zbench_need need;
	struct zb_worker *wk;
	struct zb_gate gate;
	int err = -ENOMEM;

	n = w == ZB_CHURN ? 2 : paired ? n & ~1U : n;
	wk = kvcalloc(n, sizeof(*wk), GFP_KERNEL);
	if (w == ZB_CROSS)
		rings = kvcalloc(n / 2, sizeof(*rings), GFP_KERNEL);
	if (w == ZB_CHURN)
		churn = zb_churn_alloc(n / 2);
	if (!wk || (w == ZB_CROSS && !rings) || (w == ZB_CHURN && !churn))
		goto out;
	for_each_online_cpu(cpu) {
		if (i == n)
			break;
		wk[i++].cpu = cpu;
	}
	/* One shared instance, else one per worker (paired: per pair). */
	zb_need(&need, w, size, shared ? (paired ? n / 2 : n) : 1);
	if (shared) {
		err = zb_setup(&sh, s, &need);
		if (err)
			goto out;
	}
	for (i = 0; i < n; i++) {
		struct zb_worker *owner = paired ? &wk[i & ~1U] : &wk[i];

		if (!shared && owner == &wk[i]) {
			err = zb_setup(&wk[i].h, s, &need);
			if (err)
				goto out;
		}
		err = zb_run_init(&wk[i].run, shared ? &sh : &owner->h, w,
				  size, 0x5eed0000ULL + size + 7919 * i);
		if (err)
			goto out;
		wk[i].n = zb_ops(s, w);
		wk[i].warmup = zb_warmup(s, w);
		if (paired) {
			if (rings)
				wk[i].run.ring = &rings[i / 2];
			if (churn)
				wk[i].run.churn = &churn[i / 2];
			wk[i].run.producer = !(i & 1);
		}
	}
	if (!paired) {
		err = zb_parallel_rounds(wk, n, &gate, solo_ps, sys_ps, nr);
		if (!err)
			zb_print_parallel(s, w, size, wk, n, solo_ps, sys_ps,
					  nr);
		goto out;
	}
	err = zb_run_workers(wk, n, &gate);
	if (err)
		goto out;
	if (w == ZB_CROSS)
		zb_print_cross(s, size, wk, n);
	else
		zb_print_churn(s, size, wk, n);
out:
	if (err)
		zb_error(s, w, size, err);
	/* Free the blocks first, then the instances they came from. */
	for (i = 0; wk && i < n; i++)
		zb_run_destroy(&wk[i].run);
	for (i = 0; wk && i < n; i++)
		if (wk[i].h.s)
			zb_teardown(&wk[i].h);
	if (sh.s)
		zb_teardown(&sh);
	zb_churn_free(churn, n / 2);
	kvfree(rings);
	kvfree(wk);
}

/* Print what @s is and which workloads it skips; true if it runs at all. */
static bool zb_subject(const struct zbench_subject *s)
{
	const char *why;
	int w;

	zb_print_subject(s);
	if (s->missing) {
		zb_print_skip(s, "all", s->missing);
		return false;
	}
	for (w = 0; w < NR_ZB_WORKLOADS; w++) {
		why = zb_skip_reason(s, w);
		if (why && (workloads & ZB_W(w)))
			zb_print_skip(s, zb_names[w], why);
	}
	return true;
}

/*
 * Run workload @w over the @n subjects in @subj that can run it.  Single-CPU
 * figures interleave the subjects' rounds, except mixed, whose memory
 * figures read global counters and so run one subject at a time.
 */
static void zb_workload(const struct zbench_subject **subj, unsigned int n,
			enum zbench_workload w,
			const struct zbench_subject **run)
{
	bool sized = w != ZB_MIXED && w != ZB_PAR_MIXED;
	unsigned int i, j, m = 0, nsizes = sized ? ZB_NR_SIZES : 1;
	u64 start = ktime_get_ns();

	for (j = 0; j < n; j++)
		if (!zb_skip_reason(subj[j], w))
			run[m++] = subj[j];
	for (i = 0; i < nsizes; i++) {
		size_t size = sized ? zb_sizes[i] : 0;

		if (w == ZB_MIXED) {
			for (j = 0; j < m; j++)
				zb_single(&run[j], 1, w, size);
		} else if (w < ZB_MIXED) {
			zb_single(run, m, w, size);
		} else {
			for (j = 0; j < m; j++)
				zb_multi(run[j], w, size);
		}
	}
	zb_print_done(w, m, ktime_get_ns() - start);
}

static int __init zbench_init(void)
{
	const struct zbench_subject **subj, **run;
	u64 start = ktime_get_ns();
	unsigned int i, n = 0;
	int w;

	subj = kcalloc(zbench_nr_subjects, sizeof(*subj), GFP_KERNEL);
	run = kcalloc(zbench_nr_subjects, sizeof(*run), GFP_KERNEL);
	if (!subj || !run) {
		kfree(subj);
		kfree(run);
		return -ENOMEM;
	}
	zb_print_begin(ops, slow_ops, churn_ops, warmup,
		       clamp(rounds, 1U, ZB_MAX_ROUNDS), workloads, only);
	for (i = 0; i < zbench_nr_subjects; i++)
		if (zb_selected(&zbench_subjects[i]) &&
		    zb_subject(&zbench_subjects[i]))
			subj[n++] = &zbench_subjects[i];
	for (w = 0; w < NR_ZB_WORKLOADS; w++)
		if (workloads & ZB_W(w))
			zb_workload(subj, n, w, run);
	zb_print_end(ktime_get_ns() - start);
	kfree(subj);
	kfree(run);
	/* Never stay loaded: the results are in the log. */
	return -EAGAIN;
}
module_init(zbench_init);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("zalloc benchmark: zalloc's allocators against the kernel's");
MODULE_IMPORT_NS(ZALLOC_NS);
