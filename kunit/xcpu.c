// SPDX-License-Identifier: GPL-2.0
/*
 * The concurrency harness (kunit/xcpu.h) and the workloads on it.
 *
 * zalloc_xcpu_run(): one kthread bound to each online CPU (of a mask),
 * created first, then woken and held at a barrier until every one has
 * arrived, so they really run at once; the caller sleeps until all are
 * done.  struct zalloc_xcpu_timer: a hard hrtimer, periodic until its
 * function says stop or it is stopped.  zalloc_xcpu_hardirq(): one call
 * in hard IRQ, waited for.
 *
 * zalloc_xcpu_stress(): every thread does random allocations and frees of
 * random sizes and alignments, keeping up to XCPU_LIVE blocks; a share of
 * the frees is handed to another CPU's thread through that thread's ring (a
 * spinlock-protected array), so blocks are freed on a CPU other than the
 * one that allocated them.  Every block is filled with a byte pattern when
 * allocated and checked before it is freed.  When a thread has done its
 * operations it frees what it holds and keeps draining its ring until
 * every thread has stopped producing.
 *
 * zalloc_irq_hammer(): a thread bound to one CPU allocates and frees in a
 * loop while a timer pinned to the same CPU allocates with GFP_ATOMIC (and
 * frees the block of its previous tick) every IRQ_PERIOD_NS, until both
 * sides have done enough.
 *
 * zalloc_xcpu_expect_balanced(): an instance's counters show that every
 * block handed out came back and no allocation failed.
 */
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/overflow.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "xcpu.h"
#include "zalloc_kunit.h"

#define XCPU_WAIT		(10 * HZ)
#define XCPU_TIMEOUT_MS		(300 * MSEC_PER_SEC)

/*
 * Wait for a thread.  Wake every XCPU_WAIT, so a slow run under emulation
 * is not taken for a hung task; fail a run that takes too long, but keep
 * waiting: the threads use memory this test owns.
 */
static void xcpu_wait(struct kunit *test, struct completion *done,
		      unsigned long start)
{
	bool failed = false;

	while (!wait_for_completion_timeout(done, XCPU_WAIT)) {
		if (!failed &&
		    jiffies_to_msecs(jiffies - start) > XCPU_TIMEOUT_MS) {
			KUNIT_FAIL(test, "xcpu: threads still running after %lu ms",
				   XCPU_TIMEOUT_MS);
			failed = true;
		}
	}
}

struct xcpu_run;

struct xcpu_worker {
	struct xcpu_run *run;
	unsigned int idx;
	struct task_struct *task;
	struct completion done;
};

struct xcpu_run {
	void (*fn)(void *data, unsigned int idx);
	void *data;
	unsigned int n;
	atomic_t arrived;
	struct xcpu_worker w[];
};

static int xcpu_worker_fn(void *arg)
{
	struct xcpu_worker *w = arg;
	struct xcpu_run *run = w->run;

	/* Each worker has a CPU of its own: spinning for the others is fine. */
	atomic_inc(&run->arrived);
	while (atomic_read(&run->arrived) < run->n)
		cpu_relax();
	run->fn(run->data, w->idx);
	kthread_complete_and_exit(&w->done, 0);
}

/**
 * zalloc_xcpu_run() - run a function on every CPU at once
 * @test: the test; failed and aborted if the threads cannot be made
 * @cpus: the CPUs, or NULL for every online CPU (offline ones are skipped)
 * @fn: called once on each, with @data and the thread's index (0, 1, ...
 *	in CPU order), on a kthread bound to that CPU; it may use KUNIT_EXPECT
 *	but not KUNIT_ASSERT (which would end the wrong thread)
 * @data: passed to @fn
 *
 * The threads start together and the caller sleeps until every one is done.
 *
 * Return: the number of threads.
 */
unsigned int zalloc_xcpu_run(struct kunit *test, const struct cpumask *cpus,
			     void (*fn)(void *data, unsigned int idx),
			     void *data)
{
	unsigned long start = jiffies;
	struct xcpu_worker *w;
	struct xcpu_run *run;
	unsigned int cpu, i, n = 0;
	bool failed = false;

	run = kzalloc(struct_size(run, w, nr_cpu_ids), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, run);
	run->fn = fn;
	run->data = data;
	for_each_cpu_and(cpu, cpus ?: cpu_online_mask, cpu_online_mask) {
		w = &run->w[n];
		w->run = run;
		w->idx = n;
		init_completion(&w->done);
		w->task = kthread_create_on_cpu(xcpu_worker_fn, w, cpu,
						"zalloc_xcpu/%u");
		if (IS_ERR(w->task)) {
			failed = true;
			break;
		}
		n++;
	}
	if (failed || !n) {
		/* Never woken: their function does not run. */
		for (i = 0; i < n; i++)
			kthread_stop(run->w[i].task);
		kfree(run);
		KUNIT_FAIL_AND_ABORT(test, "xcpu: cannot create the threads");
	}
	run->n = n;
	for (i = 0; i < n; i++)
		wake_up_process(run->w[i].task);
	for (i = 0; i < n; i++)
		xcpu_wait(test, &run->w[i].done, start);
	kfree(run);
	return n;
}

static enum hrtimer_restart xcpu_timer_fn(struct hrtimer *timer)
{
	struct zalloc_xcpu_timer *t = container_of(timer,
						   struct zalloc_xcpu_timer,
						   timer);

	t->runs++;
	if (!in_hardirq())
		t->not_hardirq++;
	if (!t->fn(t) || READ_ONCE(t->stop))
		return HRTIMER_NORESTART;
	hrtimer_forward_now(timer, t->period);
	return HRTIMER_RESTART;
}

/**
 * zalloc_xcpu_timer_start() - call a function in hard IRQ periodically
 * @t: the timer, in memory that outlives zalloc_xcpu_timer_stop()
 * @fn: called every @period_ns in hard IRQ until it returns false or the
 *	timer is stopped
 * @period_ns: the period, and the delay before the first call
 * @pinned: run on the CPU that starts it (else wherever the timer base is)
 */
void zalloc_xcpu_timer_start(struct zalloc_xcpu_timer *t,
			     bool (*fn)(struct zalloc_xcpu_timer *t),
			     u64 period_ns, bool pinned)
{
	enum hrtimer_mode mode = pinned ? HRTIMER_MODE_REL_PINNED_HARD :
					  HRTIMER_MODE_REL_HARD;

	t->fn = fn;
	t->period = ns_to_ktime(period_ns);
	t->stop = false;
	t->runs = 0;
	t->not_hardirq = 0;
	hrtimer_init(&t->timer, CLOCK_MONOTONIC, mode);
	t->timer.function = xcpu_timer_fn;
	hrtimer_start(&t->timer, t->period, mode);
}

/**
 * zalloc_xcpu_timer_stop() - stop a timer and wait for a running callback
 * @t: a started timer
 */
void zalloc_xcpu_timer_stop(struct zalloc_xcpu_timer *t)
{
	WRITE_ONCE(t->stop, true);
	hrtimer_cancel(&t->timer);
}

struct xcpu_once {
	struct zalloc_xcpu_timer t;
	void (*fn)(void *data);
	void *data;
	struct completion done;
};

static bool xcpu_once_fn(struct zalloc_xcpu_timer *t)
{
	struct xcpu_once *o = container_of(t, struct xcpu_once, t);

	o->fn(o->data);
	complete(&o->done);
	return false;
}

/**
 * zalloc_xcpu_hardirq() - call a function once in hard IRQ and wait for it
 * @test: the test
 * @fn: the function; it runs on the caller's CPU
 * @data: passed to @fn
 *
 * Return: true if @fn ran in hard IRQ context.
 */
bool zalloc_xcpu_hardirq(struct kunit *test, void (*fn)(void *data),
			 void *data)
{
	struct xcpu_once *o = kunit_kzalloc(test, sizeof(*o), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, o);
	o->fn = fn;
	o->data = data;
	init_completion(&o->done);
	zalloc_xcpu_timer_start(&o->t, xcpu_once_fn, NSEC_PER_USEC, true);
	xcpu_wait(test, &o->done, jiffies);
	zalloc_xcpu_timer_stop(&o->t);
	return o->t.runs == 1 && !o->t.not_hardirq;
}

#define XCPU_LIVE		128
#define XCPU_RING		256

struct xcpu_obj {
	void *p;
	size_t len;
	u32 align;
	u8 seed;
};

/* Blocks handed to a thread; any thread pushes, the owner pops. */
struct xcpu_ring {
	spinlock_t lock;	/* head, tail and obj */
	unsigned int head;
	unsigned int tail;
	struct xcpu_obj obj[XCPU_RING];
};

struct xcpu_ctx;

struct xcpu_thread {
	struct xcpu_ctx *ctx;
	unsigned int idx;
	struct rnd_state rnd;
	struct xcpu_ring ring;
	struct xcpu_obj live[XCPU_LIVE];
	unsigned long ops;
	unsigned long allocs;
	unsigned long frees;
	unsigned long handed;
	unsigned long failed;
	unsigned long corrupt;
};

struct xcpu_ctx {
	const struct zalloc_xcpu_cfg *cfg;
	unsigned int n;
	atomic_t producing;
	struct xcpu_thread *t;
};

static u32 xcpu_rand(struct xcpu_thread *t)
{
	return prandom_u32_state(&t->rnd);
}

static size_t xcpu_size(struct xcpu_thread *t, u32 *align)
{
	const struct zalloc_xcpu_cfg *cfg = t->ctx->cfg;
	u32 r = xcpu_rand(t);
	unsigned int bits;

	*align = 1U << (r % 7);
	if (cfg->max_large && (r >> 4) % 1000 < cfg->large_permille)
		return cfg->max_small + 1 +
		       xcpu_rand(t) % (cfg->max_large - cfg->max_small);
	bits = 1 + (r >> 16) % ilog2(cfg->max_small);
	return 1 + xcpu_rand(t) % (1U << bits);
}

static void xcpu_alloc(struct xcpu_thread *t, struct xcpu_obj *o)
{
	size_t len;
	u32 align;
	void *p;

	len = xcpu_size(t, &align);
	if (t->ctx->cfg->faults) {
		zalloc_test_faults_on();
		p = zalloc_alloc(t->ctx->cfg->a, len, align,
				 GFP_KERNEL | __GFP_NOWARN);
		zalloc_test_faults_off();
	} else {
		p = zalloc_alloc(t->ctx->cfg->a, len, align, GFP_KERNEL);
	}
	if (!p) {
		t->failed++;
		return;
	}
	if (!IS_ALIGNED((unsigned long)p, align))
		t->corrupt++;
	o->p = p;
	o->len = len;
	o->align = align;
	o->seed = xcpu_rand(t);
	memset(p, o->seed, len);
	t->allocs++;
}

static void xcpu_free(struct xcpu_thread *t, struct xcpu_obj *o)
{
	if (memchr_inv(o->p, o->seed, o->len))
		t->corrupt++;
	zalloc_free(t->ctx->cfg->a, o->p, o->len, o->align);
	o->p = NULL;
	t->frees++;
}

/* Hand @o to another thread; false if its ring is full. */
static bool xcpu_hand(struct xcpu_thread *t, struct xcpu_obj *o)
{
	struct xcpu_ctx *ctx = t->ctx;
	unsigned int to = (t->idx + 1 + xcpu_rand(t) % (ctx->n - 1)) % ctx->n;
	struct xcpu_ring *ring = &ctx->t[to].ring;
	bool ok;

	spin_lock(&ring->lock);
	ok = ring->head - ring->tail < XCPU_RING;
	if (ok)
		ring->obj[ring->head++ % XCPU_RING] = *o;
	spin_unlock(&ring->lock);
	if (ok) {
		o->p = NULL;
		t->handed++;
	}
	return ok;
}

/* Free up to @max blocks handed to @t; return how many. */
static unsigned int xcpu_drain(struct xcpu_thread *t, unsigned int max)
{
	struct xcpu_ring *ring = &t->ring;
	struct xcpu_obj o;
	unsigned int n;

	for (n = 0; n < max; n++) {
		spin_lock(&ring->lock);
		if (ring->tail == ring->head) {
			spin_unlock(&ring->lock);
			break;
		}
		o = ring->obj[ring->tail++ % XCPU_RING];
		spin_unlock(&ring->lock);
		xcpu_free(t, &o);
	}
	return n;
}

static void xcpu_stress_fn(void *data, unsigned int idx)
{
	struct xcpu_ctx *ctx = data;
	struct xcpu_thread *t = &ctx->t[idx];
	const struct zalloc_xcpu_cfg *cfg = ctx->cfg;
	struct xcpu_obj *o;
	unsigned int i;

	while (t->ops < cfg->ops) {
		t->ops += xcpu_drain(t, 2);
		o = &t->live[xcpu_rand(t) % XCPU_LIVE];
		if (!o->p)
			xcpu_alloc(t, o);
		else if (ctx->n < 2 || xcpu_rand(t) % 100 >= cfg->handoff_pct ||
			 !xcpu_hand(t, o))
			xcpu_free(t, o);
		if (!(++t->ops % 64))
			cond_resched();
	}
	for (i = 0; i < XCPU_LIVE; i++)
		if (t->live[i].p)
			xcpu_free(t, &t->live[i]);
	atomic_dec(&ctx->producing);
	while (atomic_read(&ctx->producing))
		if (!xcpu_drain(t, 64))
			usleep_range(500, 1000);
	t->ops += xcpu_drain(t, UINT_MAX);
}

/**
 * zalloc_xcpu_stress() - stress an allocator from every online CPU at once
 * @test: the test
 * @cfg: the allocator and the work
 * @res: what happened, summed over the threads
 *
 * The caller checks @res and the allocator's own counters.
 */
void zalloc_xcpu_stress(struct kunit *test, const struct zalloc_xcpu_cfg *cfg,
			struct zalloc_xcpu_result *res)
{
	unsigned long start = jiffies;
	struct xcpu_ctx ctx = { .cfg = cfg };
	struct xcpu_thread *t;
	unsigned int i;

	memset(res, 0, sizeof(*res));
	ctx.n = num_online_cpus();
	ctx.t = kvcalloc(ctx.n, sizeof(*ctx.t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx.t);
	for (i = 0; i < ctx.n; i++) {
		t = &ctx.t[i];
		t->ctx = &ctx;
		t->idx = i;
		prandom_seed_state(&t->rnd, get_random_u64());
		spin_lock_init(&t->ring.lock);
	}
	atomic_set(&ctx.producing, ctx.n);
	res->threads = zalloc_xcpu_run(test, NULL, xcpu_stress_fn, &ctx);
	KUNIT_EXPECT_EQ(test, res->threads, ctx.n);

	res->min_ops = ULONG_MAX;
	for (i = 0; i < ctx.n; i++) {
		t = &ctx.t[i];
		res->min_ops = min(res->min_ops, t->ops);
		res->allocs += t->allocs;
		res->frees += t->frees;
		res->handed += t->handed;
		res->failed += t->failed;
		res->corrupt += t->corrupt;
	}
	res->ms = jiffies_to_msecs(jiffies - start);
	kvfree(ctx.t);
}

/**
 * zalloc_xcpu_expect_balanced() - every block an instance handed out is back
 * @test: the test to fail
 * @inst: the instance
 */
void zalloc_xcpu_expect_balanced(struct kunit *test,
				 struct zalloc_instance *inst)
{
	struct zalloc_stats_sum s;

	zalloc_stats_read(inst, &s);
	KUNIT_EXPECT_GT(test, s.v[ZALLOC_STAT_ALLOC], 0);
	KUNIT_EXPECT_EQ(test, s.v[ZALLOC_STAT_ALLOC], s.v[ZALLOC_STAT_FREE]);
	KUNIT_EXPECT_EQ(test, s.v[ZALLOC_STAT_BYTES_ALLOC],
			s.v[ZALLOC_STAT_BYTES_FREE]);
	KUNIT_EXPECT_EQ(test, s.v[ZALLOC_STAT_ALLOC_FAIL], 0);
}

#define IRQ_PERIOD_NS		(500 * NSEC_PER_USEC)
#define IRQ_TIMEOUT_MS		(30 * MSEC_PER_SEC)
#define IRQ_BATCH		16
#define IRQ_MIN_PROC_OPS	4096

struct irq_ctx {
	struct zalloc_xcpu_timer timer;
	const struct zalloc *a;
	size_t max_size;
	unsigned long min_irqs;
	u32 seed;
	struct xcpu_obj held;
	struct zalloc_irq_result res;
};

static bool irq_check(struct irq_ctx *c, struct xcpu_obj *o)
{
	bool ok = !memchr_inv(o->p, o->seed, o->len);

	if (!ok)
		c->res.corrupt++;
	zalloc_free(c->a, o->p, o->len, o->align);
	o->p = NULL;
	return ok;
}

static size_t irq_len(struct irq_ctx *c)
{
	c->seed = c->seed * 1103515245 + 12345;
	return 1 + (c->seed >> 8) % c->max_size;
}

static bool irq_tick(struct zalloc_xcpu_timer *t)
{
	struct irq_ctx *c = container_of(t, struct irq_ctx, timer);
	struct xcpu_obj *o = &c->held;

	if (o->p) {
		irq_check(c, o);
		c->res.irq_frees++;
	}
	o->len = irq_len(c);
	o->align = 8;
	o->p = zalloc_alloc(c->a, o->len, o->align, GFP_ATOMIC);
	if (o->p) {
		o->seed = c->seed;
		memset(o->p, o->seed, o->len);
		WRITE_ONCE(c->res.irq_allocs, c->res.irq_allocs + 1);
	} else {
		c->res.irq_failed++;
	}
	return true;
}

/*
 * Hard IRQ never makes an allocator take fresh memory from the kernel (smp
 * and sbrk serve it from what they hold, a worker refills): before the
 * timer starts, every size the timer asks for is allocated IRQ_WARM times
 * over and given back here, so that the instance holds blocks of each.
 */
#define IRQ_WARM		64

static void irq_prewarm(struct irq_ctx *c)
{
	void **p = kcalloc(IRQ_WARM, sizeof(*p), GFP_KERNEL);
	size_t len;
	int i;

	if (!p)
		return;
	for (len = 8; len < 2 * c->max_size; len *= 2) {
		for (i = 0; i < IRQ_WARM; i++)
			p[i] = zalloc_alloc(c->a, len, 8, GFP_KERNEL);
		for (i = 0; i < IRQ_WARM; i++)
			zalloc_free(c->a, p[i], len, 8);
	}
	kfree(p);
}

static void irq_proc_fn(void *data, unsigned int idx)
{
	struct xcpu_obj obj[IRQ_BATCH];
	unsigned long start = jiffies;
	struct irq_ctx *c = data;
	u32 seed = 1;
	int i;

	irq_prewarm(c);
	zalloc_xcpu_timer_start(&c->timer, irq_tick, IRQ_PERIOD_NS, true);
	while ((READ_ONCE(c->res.irq_allocs) < c->min_irqs ||
		c->res.proc_ops < IRQ_MIN_PROC_OPS) &&
	       jiffies_to_msecs(jiffies - start) < IRQ_TIMEOUT_MS) {
		for (i = 0; i < IRQ_BATCH; i++) {
			seed = seed * 1103515245 + 12345;
			obj[i].len = 1 + (seed >> 8) % c->max_size;
			obj[i].align = 8;
			obj[i].seed = seed >> 24;
			obj[i].p = zalloc_alloc(c->a, obj[i].len, 8,
						GFP_KERNEL);
			if (obj[i].p)
				memset(obj[i].p, obj[i].seed, obj[i].len);
			else
				c->res.proc_failed++;
		}
		for (i = 0; i < IRQ_BATCH; i++)
			if (obj[i].p)
				irq_check(c, &obj[i]);
		c->res.proc_ops += 2 * IRQ_BATCH;
		cond_resched();
	}
	zalloc_xcpu_timer_stop(&c->timer);
	c->res.not_hardirq = c->timer.not_hardirq;
	if (c->held.p)
		irq_check(c, &c->held);
}

/**
 * zalloc_irq_hammer() - allocate from hard IRQ while the process side
 *	hammers the same CPU
 * @test: the test
 * @a: the allocator under test
 * @max_size: sizes are 1 .. @max_size bytes, alignment 8, on both sides
 * @min_irqs: run until the timer allocated this many times and the process
 *	side did IRQ_MIN_PROC_OPS operations (or for 30 s)
 * @res: what happened
 */
void zalloc_irq_hammer(struct kunit *test, const struct zalloc *a,
		       size_t max_size, unsigned long min_irqs,
		       struct zalloc_irq_result *res)
{
	unsigned int cpu = cpumask_last(cpu_online_mask);
	struct irq_ctx *c;

	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	c->a = a;
	c->max_size = max_size;
	c->min_irqs = min_irqs;
	c->seed = get_random_u32();
	zalloc_xcpu_run(test, cpumask_of(cpu), irq_proc_fn, c);
	*res = c->res;
}
