// SPDX-License-Identifier: GPL-2.0
/*
 * Cross-CPU stress and hard-IRQ hammering of an allocator.
 *
 * zalloc_xcpu_stress(): one kthread bound to each online CPU does random
 * allocations and frees of random sizes and alignments, keeping up to
 * XCPU_LIVE blocks; a share of the frees is handed to another CPU's thread
 * through that thread's ring (a spinlock-protected array), so blocks are
 * freed on a CPU other than the one that allocated them.  Every block is
 * filled with a byte pattern when allocated and checked before it is freed.
 * When a thread has done its operations it frees what it holds and keeps
 * draining its ring until every thread has stopped producing.
 *
 * zalloc_irq_hammer(): a kthread bound to one CPU allocates and frees in a
 * loop while a pinned hard hrtimer on the same CPU allocates with
 * GFP_ATOMIC (and frees the block of its previous tick) every
 * IRQ_PERIOD_NS, until both sides have done enough.
 *
 * zalloc_xcpu_expect_balanced(): an instance's counters show that every
 * block handed out came back and no allocation failed.
 */
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "xcpu.h"
#include "zalloc_kunit.h"

#define XCPU_LIVE		128
#define XCPU_RING		256
#define XCPU_WAIT		(10 * HZ)
#define XCPU_TIMEOUT_MS		(300 * MSEC_PER_SEC)

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
	struct task_struct *task;
	struct completion done;
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

static int xcpu_thread_fn(void *data)
{
	struct xcpu_thread *t = data;
	struct xcpu_ctx *ctx = t->ctx;
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
	kthread_complete_and_exit(&t->done, 0);
}

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

/**
 * zalloc_xcpu_stress() - stress an allocator from every online CPU at once
 * @test: the test
 * @cfg: the allocator and the work
 * @res: what happened, summed over the threads
 *
 * Fails @test if a thread cannot be created.  The caller checks @res and
 * the allocator's own counters.
 */
void zalloc_xcpu_stress(struct kunit *test, const struct zalloc_xcpu_cfg *cfg,
			struct zalloc_xcpu_result *res)
{
	unsigned long start = jiffies;
	struct xcpu_thread *t;
	struct xcpu_ctx ctx = { .cfg = cfg };
	unsigned int i, cpu;

	memset(res, 0, sizeof(*res));
	ctx.t = kvcalloc(nr_cpu_ids, sizeof(*ctx.t), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx.t);
	for_each_online_cpu(cpu) {
		t = &ctx.t[ctx.n];
		t->ctx = &ctx;
		t->idx = ctx.n;
		prandom_seed_state(&t->rnd, get_random_u64());
		init_completion(&t->done);
		spin_lock_init(&t->ring.lock);
		t->task = kthread_create_on_cpu(xcpu_thread_fn, t, cpu,
						"zalloc_xcpu/%u");
		if (IS_ERR(t->task))
			break;
		ctx.n++;
	}
	if (ctx.n != num_online_cpus()) {
		for (i = 0; i < ctx.n; i++)
			kthread_stop(ctx.t[i].task);
		kvfree(ctx.t);
		KUNIT_FAIL_AND_ABORT(test, "xcpu: cannot create the threads");
	}
	atomic_set(&ctx.producing, ctx.n);
	for (i = 0; i < ctx.n; i++)
		wake_up_process(ctx.t[i].task);
	for (i = 0; i < ctx.n; i++)
		xcpu_wait(test, &ctx.t[i].done, start);

	res->threads = ctx.n;
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

	zalloc_stats_read(&inst->stats, &s);
	KUNIT_EXPECT_GT(test, s.v[ZALLOC_STAT_ALLOC], 0);
	KUNIT_EXPECT_EQ(test, s.v[ZALLOC_STAT_ALLOC], s.v[ZALLOC_STAT_FREE]);
	KUNIT_EXPECT_EQ(test, s.v[ZALLOC_STAT_BYTES_ALLOC],
			s.v[ZALLOC_STAT_BYTES_FREE]);
	KUNIT_EXPECT_EQ(test, s.v[ZALLOC_STAT_ALLOC_FAIL], 0);
}

/**
 * zalloc_xcpu_expect_smp_clean() - an SMP instance holds no block and saw
 * no bad free or corrupted list
 * @test: the test to fail
 * @info: from zalloc_smp_info()
 */
void zalloc_xcpu_expect_smp_clean(struct kunit *test,
				  const struct zalloc_smp_info *info)
{
	KUNIT_EXPECT_EQ(test, info->allocs, info->frees);
	KUNIT_EXPECT_EQ(test, info->live_objects, 0);
	KUNIT_EXPECT_EQ(test, info->large_live, 0);
	KUNIT_EXPECT_EQ(test, info->double_frees, 0);
	KUNIT_EXPECT_EQ(test, info->invalid_frees, 0);
	KUNIT_EXPECT_EQ(test, info->corrupt_lists, 0);
}

#define IRQ_PERIOD_NS		(500 * NSEC_PER_USEC)
#define IRQ_TIMEOUT_MS		(30 * MSEC_PER_SEC)
#define IRQ_BATCH		16
#define IRQ_MIN_PROC_OPS	4096

struct irq_ctx {
	struct hrtimer timer;
	const struct zalloc *a;
	size_t max_size;
	unsigned long min_irqs;
	u32 seed;
	bool stop;
	struct xcpu_obj held;
	struct completion done;
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

static enum hrtimer_restart irq_tick(struct hrtimer *timer)
{
	struct irq_ctx *c = container_of(timer, struct irq_ctx, timer);
	struct xcpu_obj *o = &c->held;

	if (!in_hardirq())
		c->res.not_hardirq++;
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
	if (READ_ONCE(c->stop))
		return HRTIMER_NORESTART;
	hrtimer_forward_now(timer, ns_to_ktime(IRQ_PERIOD_NS));
	return HRTIMER_RESTART;
}

static int irq_proc_fn(void *data)
{
	struct xcpu_obj obj[IRQ_BATCH];
	unsigned long start = jiffies;
	struct irq_ctx *c = data;
	u32 seed = 1;
	int i;

	hrtimer_init(&c->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_HARD);
	c->timer.function = irq_tick;
	hrtimer_start(&c->timer, ns_to_ktime(IRQ_PERIOD_NS),
		      HRTIMER_MODE_REL_PINNED_HARD);
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
	WRITE_ONCE(c->stop, true);
	hrtimer_cancel(&c->timer);
	if (c->held.p)
		irq_check(c, &c->held);
	kthread_complete_and_exit(&c->done, 0);
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
	struct task_struct *task;
	struct irq_ctx *c;

	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	c->a = a;
	c->max_size = max_size;
	c->min_irqs = min_irqs;
	c->seed = get_random_u32();
	init_completion(&c->done);
	task = kthread_create_on_cpu(irq_proc_fn, c, cpu, "zalloc_irq/%u");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	wake_up_process(task);
	xcpu_wait(test, &c->done, jiffies);
	*res = c->res;
}
