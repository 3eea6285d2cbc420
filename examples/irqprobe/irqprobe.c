// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc_irqprobe: do the allocators that document hard-IRQ use serve it?
 *
 * For each subject below (every zalloc allocator whose documentation allows
 * allocation from hard IRQ) and on every online CPU at once, a pinned hard
 * hrtimer (HRTIMER_MODE_REL_PINNED_HARD: hard IRQ on PREEMPT_RT too) fires
 * every period_us microseconds, frees the block of its previous tick and
 * allocates 48 bytes with GFP_ATOMIC, while a kthread bound to the same CPU
 * allocates and frees blocks of 8 to 512 bytes with GFP_KERNEL as fast as
 * it can, so the timer often interrupts it inside the allocator.  Every
 * block is stamped with its own address and a fill byte when it is handed
 * out and checked before it is freed.  This runs for `seconds` seconds per
 * subject, in the module's init.
 *
 * Then one line per subject:
 *
 *   zalloc_irqprobe: <subject>: ok: ...       or
 *   zalloc_irqprobe: <subject>: FAILED: why: ...
 *
 * giving how many IRQ-side allocations returned a block and how many
 * returned NULL.  zalloc's allocators serve hard IRQ from what they hold
 * and never take fresh memory from the kernel there (a worker refills), so
 * before the timer starts the kthread allocates and frees PROBE_WARM
 * blocks of the timer's size: after that, NULL from hard IRQ is a failure
 * on kernels without PREEMPT_RT; on PREEMPT_RT an allocator may refuse
 * more and "failed cleanly" (NULL) is a legal outcome.  A wrong or
 * overwritten block, a NULL on the process side, or a timer that never
 * ran fails everywhere.  A hang, a BUG or a lockdep splat
 * is for whoever reads the console to see (make distro, make check).
 *
 * The private instances stay until the module unloads, so their debugfs
 * files show what the run did; unloading destroys them and reports any
 * block still live as "<subject>-destroy: FAILED".
 *
 * Parameters: only=NAME[,NAME...] runs a subset, seconds= (default 3),
 * period_us= (default 50).
 *
 * Every call into zalloc's API is in the "subjects" section below, so a
 * change of the API touches one place.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/hrtimer.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/overflow.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <zalloc/bitmap.h>
#include <zalloc/fixed.h>
#include <zalloc/sbrk.h>
#include <zalloc/smp.h>
#include <zalloc/zalloc.h>

static char *only;
module_param(only, charp, 0444);
MODULE_PARM_DESC(only, "comma-separated subjects to probe (default: all)");

static unsigned int seconds = 3;
module_param(seconds, uint, 0444);
MODULE_PARM_DESC(seconds, "seconds per subject (default 3)");

static unsigned int period_us = 50;
module_param(period_us, uint, 0444);
MODULE_PARM_DESC(period_us, "hrtimer period in microseconds (default 50)");

#define PROBE_IRQ_LEN		48
#define PROBE_ALIGN		8
#define PROBE_MIN_LEN		8
#define PROBE_MAX_LEN		512
#define PROBE_BATCH		16
/* Blocks of the timer's size allocated and freed before it starts. */
#define PROBE_WARM		64
/* How long past its deadline a CPU's run may take before it is reported. */
#define PROBE_GRACE_MS		60000U

/**
 * struct probe_subject - one allocator under probe
 * @name: what the result lines call it
 * @setup: set @a (and @priv); 0 or a negative errno
 * @teardown: give back what @setup took; return the blocks still live
 *	(private instances), or 0
 * @budget: bytes it can hand out in all (a bump allocator never takes a
 *	block back), or 0 for no limit
 * @a: the allocator, valid from @setup to @teardown
 * @priv: @setup's state
 * @ready: @setup succeeded and @teardown is due
 */
struct probe_subject {
	const char *name;
	int (*setup)(struct probe_subject *s);
	unsigned long (*teardown)(struct probe_subject *s);
	size_t budget;
	const struct zalloc *a;
	void *priv;
	bool ready;
};

/* ---- subjects: every use of zalloc's API is in this section ---- */

#define PROBE_SBRK_REGION	SZ_16M
#define PROBE_BITMAP_CHUNK	64
#define PROBE_BITMAP_BYTES	SZ_4M
#define PROBE_FIXED_BYTES	SZ_8M

static int probe_smp_global_setup(struct probe_subject *s)
{
	s->a = &zalloc_smp_allocator;
	return 0;
}

static int probe_smp_setup(struct probe_subject *s)
{
	struct zalloc *a = zalloc_smp_create("irqprobe-smp", 0);

	if (!a)
		return -ENOMEM;
	s->priv = a;
	s->a = a;
	return 0;
}

/* smp and sbrk instances: zalloc_destroy() returns the live blocks. */
static unsigned long probe_destroy(struct probe_subject *s)
{
	return zalloc_destroy(s->priv);
}

static int probe_sbrk_global_setup(struct probe_subject *s)
{
	s->a = &zalloc_sbrk_allocator;
	return 0;
}

static int probe_sbrk_region_setup(struct probe_subject *s)
{
	struct zalloc_sbrk_provider *prov;
	struct zalloc *a;

	prov = zalloc_sbrk_region_create(PROBE_SBRK_REGION);
	if (!prov)
		return -ENOMEM;
	/* The instance owns the provider from here on, even on failure. */
	a = zalloc_sbrk_create("irqprobe-sbrk", prov, 0);
	if (!a)
		return -ENOMEM;
	s->priv = a;
	s->a = a;
	return 0;
}

static int probe_bitmap_setup(struct probe_subject *s)
{
	struct zalloc_bitmap *b;

	b = zalloc_bitmap_create(PROBE_BITMAP_CHUNK, PROBE_BITMAP_BYTES,
				 ZALLOC_BITMAP_LOCKED, "irqprobe-bitmap");
	if (IS_ERR(b))
		return PTR_ERR(b);
	s->priv = b;
	s->a = zalloc_bitmap_allocator(b);
	return 0;
}

static unsigned long probe_bitmap_teardown(struct probe_subject *s)
{
	struct zalloc_bitmap *b = s->priv;
	unsigned long live;

	live = b->nr_chunks - zalloc_bitmap_free_count(b);
	zalloc_bitmap_destroy(b);
	return live;
}

/* The thread-safe view of a fixed buffer: alloc only, free is a no-op. */
struct probe_fixed {
	struct zalloc_fixed f;
	u8 buf[];
};

static int probe_fixed_setup(struct probe_subject *s)
{
	struct probe_fixed *pf;
	int ret;

	pf = kvmalloc(struct_size(pf, buf, PROBE_FIXED_BYTES), GFP_KERNEL);
	if (!pf)
		return -ENOMEM;
	ret = zalloc_fixed_init(&pf->f, pf->buf, PROBE_FIXED_BYTES,
				"irqprobe-fixed", 0, GFP_KERNEL);
	if (ret) {
		kvfree(pf);
		return ret;
	}
	s->priv = pf;
	s->a = zalloc_fixed_thread_safe_allocator(&pf->f);
	return 0;
}

static unsigned long probe_fixed_teardown(struct probe_subject *s)
{
	struct probe_fixed *pf = s->priv;

	zalloc_fixed_destroy(&pf->f);
	kvfree(pf);
	return 0;
}

static struct probe_subject probe_subjects[] = {
	{ .name = "smp", .setup = probe_smp_global_setup },
	{ .name = "smp-private", .setup = probe_smp_setup,
	  .teardown = probe_destroy },
	{ .name = "sbrk", .setup = probe_sbrk_global_setup },
	{ .name = "sbrk-region", .setup = probe_sbrk_region_setup,
	  .teardown = probe_destroy },
	{ .name = "bitmap-locked", .setup = probe_bitmap_setup,
	  .teardown = probe_bitmap_teardown },
	{ .name = "fixed-ts", .setup = probe_fixed_setup,
	  .teardown = probe_fixed_teardown, .budget = PROBE_FIXED_BYTES },
};

/* ---- the probe itself: only zalloc_alloc() and zalloc_free() ---- */

struct probe_block {
	u8 *p;
	size_t len;
};

/**
 * struct probe_cpu - the timer and the kthread on one CPU
 * @s: the subject
 * @cpu: the CPU
 * @timer: the pinned hard hrtimer
 * @task: the kthread
 * @done: the kthread finished
 * @period: the timer's period
 * @deadline: when the kthread stops (jiffies)
 * @stop: the timer must not rearm
 * @held: the timer's block from its previous tick
 * @seed: the kthread's random state
 * @irq_budget: bytes the timer may still take (budgeted subjects)
 * @proc_budget: bytes the kthread may still take (budgeted subjects)
 * @irq_allocs: timer allocations that returned a block
 * @irq_failed: timer allocations that returned NULL
 * @irq_not_hard: timer callbacks that ran outside hard IRQ
 * @irq_corrupt: timer blocks misaligned or overwritten
 * @proc_allocs: kthread allocations that returned a block
 * @proc_failed: kthread allocations that returned NULL
 * @proc_corrupt: kthread blocks misaligned or overwritten
 */
struct probe_cpu {
	struct probe_subject *s;
	unsigned int cpu;
	struct hrtimer timer;
	struct task_struct *task;
	struct completion done;
	ktime_t period;
	unsigned long deadline;
	bool stop;
	struct probe_block held;
	u32 seed;
	size_t irq_budget;
	size_t proc_budget;
	unsigned long irq_allocs;
	unsigned long irq_failed;
	unsigned long irq_not_hard;
	unsigned long irq_corrupt;
	unsigned long proc_allocs;
	unsigned long proc_failed;
	unsigned long proc_corrupt;
};

/* A block holds its own address, then a byte derived from it. */
static u8 probe_fill_byte(const u8 *p)
{
	return (u8)((unsigned long)p >> 3) ^ 0xa5;
}

static void probe_fill(struct probe_block *b)
{
	*(unsigned long *)b->p = (unsigned long)b->p;
	memset(b->p + sizeof(long), probe_fill_byte(b->p),
	       b->len - sizeof(long));
}

static bool probe_intact(const struct probe_block *b)
{
	return IS_ALIGNED((unsigned long)b->p, PROBE_ALIGN) &&
	       *(unsigned long *)b->p == (unsigned long)b->p &&
	       !memchr_inv(b->p + sizeof(long), probe_fill_byte(b->p),
			   b->len - sizeof(long));
}

/* Take @len bytes of a budgeted subject's room; false if there is none. */
static bool probe_take(const struct probe_subject *s, size_t *budget,
		       size_t len)
{
	if (!s->budget)
		return true;
	if (*budget < len + PROBE_ALIGN)
		return false;
	*budget -= len + PROBE_ALIGN;
	return true;
}

static enum hrtimer_restart probe_tick(struct hrtimer *timer)
{
	struct probe_cpu *pc = container_of(timer, struct probe_cpu, timer);
	const struct zalloc *a = pc->s->a;
	struct probe_block *b = &pc->held;

	if (!in_hardirq())
		pc->irq_not_hard++;
	if (b->p) {
		if (!probe_intact(b))
			pc->irq_corrupt++;
		zalloc_free(a, b->p, b->len, PROBE_ALIGN);
		b->p = NULL;
	}
	if (READ_ONCE(pc->stop))
		return HRTIMER_NORESTART;
	if (probe_take(pc->s, &pc->irq_budget, PROBE_IRQ_LEN)) {
		b->len = PROBE_IRQ_LEN;
		b->p = zalloc_alloc(a, b->len, PROBE_ALIGN, GFP_ATOMIC);
		if (b->p) {
			probe_fill(b);
			pc->irq_allocs++;
		} else {
			pc->irq_failed++;
		}
	}
	hrtimer_forward_now(timer, pc->period);
	return HRTIMER_RESTART;
}

static size_t probe_len(struct probe_cpu *pc)
{
	pc->seed = pc->seed * 1103515245 + 12345;
	return PROBE_MIN_LEN +
	       (pc->seed >> 16) % (PROBE_MAX_LEN - PROBE_MIN_LEN + 1);
}

/*
 * What the timer will ask for, held by the allocator before it starts (a
 * subject with a byte budget, whose frees give nothing back, needs none).
 */
static void probe_warm(struct probe_cpu *pc)
{
	const struct zalloc *a = pc->s->a;
	void *p[PROBE_WARM];
	unsigned int i;

	if (pc->s->budget)
		return;
	for (i = 0; i < PROBE_WARM; i++)
		p[i] = zalloc_alloc(a, PROBE_IRQ_LEN, PROBE_ALIGN, GFP_KERNEL);
	for (i = 0; i < PROBE_WARM; i++)
		zalloc_free(a, p[i], PROBE_IRQ_LEN, PROBE_ALIGN);
}

static int probe_thread(void *data)
{
	struct probe_block blocks[PROBE_BATCH];
	struct probe_cpu *pc = data;
	const struct zalloc *a = pc->s->a;
	struct probe_block *b;
	unsigned int i;

	probe_warm(pc);
	hrtimer_init(&pc->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED_HARD);
	pc->timer.function = probe_tick;
	hrtimer_start(&pc->timer, pc->period, HRTIMER_MODE_REL_PINNED_HARD);

	while (time_before(jiffies, pc->deadline)) {
		for (i = 0; i < PROBE_BATCH; i++) {
			b = &blocks[i];
			b->len = probe_len(pc);
			b->p = NULL;
			if (!probe_take(pc->s, &pc->proc_budget, b->len))
				continue;
			b->p = zalloc_alloc(a, b->len, PROBE_ALIGN, GFP_KERNEL);
			if (!b->p) {
				pc->proc_failed++;
				continue;
			}
			probe_fill(b);
			pc->proc_allocs++;
		}
		for (i = 0; i < PROBE_BATCH; i++) {
			b = &blocks[i];
			if (!b->p)
				continue;
			if (!probe_intact(b))
				pc->proc_corrupt++;
			zalloc_free(a, b->p, b->len, PROBE_ALIGN);
		}
		cond_resched();
	}

	WRITE_ONCE(pc->stop, true);
	hrtimer_cancel(&pc->timer);
	if (pc->held.p) {
		if (!probe_intact(&pc->held))
			pc->irq_corrupt++;
		zalloc_free(a, pc->held.p, pc->held.len, PROBE_ALIGN);
		pc->held.p = NULL;
	}
	kthread_complete_and_exit(&pc->done, 0);
}

/*
 * Wait for a CPU's run, waking every few seconds so a slow run under
 * emulation is not taken for a hung task.  Past the grace period the
 * subject has failed, but the wait goes on: the kthread and the timer use
 * memory this module owns.
 */
static bool probe_wait(struct probe_cpu *pc)
{
	unsigned long late = pc->deadline + msecs_to_jiffies(PROBE_GRACE_MS);
	bool reported = false;

	while (!wait_for_completion_timeout(&pc->done, 5 * HZ)) {
		if (!reported && time_after(jiffies, late)) {
			pr_err("%s: CPU %u still running %u ms past its end\n",
			       pc->s->name, pc->cpu, PROBE_GRACE_MS);
			reported = true;
		}
	}
	return !reported;
}

static void probe_run(struct probe_subject *s, struct probe_cpu *pcs)
{
	unsigned long irq_allocs = 0, irq_failed = 0, irq_not_hard = 0;
	unsigned long proc_allocs = 0, proc_failed = 0, corrupt = 0;
	unsigned int n = 0, ncpus = num_online_cpus(), cpu, i;
	bool in_time = true, ok = true;
	const char *why = "";
	struct probe_cpu *pc;

	memset(pcs, 0, ncpus * sizeof(*pcs));
	pr_info("%s: start: %u CPUs, %u s, an IRQ every %u us\n", s->name,
		ncpus, seconds, period_us);
	for_each_online_cpu(cpu) {
		if (n == ncpus)
			break;
		pc = &pcs[n];
		pc->s = s;
		pc->cpu = cpu;
		pc->period = ns_to_ktime((u64)period_us * NSEC_PER_USEC);
		pc->deadline = jiffies +
			       msecs_to_jiffies(seconds * MSEC_PER_SEC);
		pc->seed = cpu + 1;
		pc->irq_budget = s->budget / (2 * ncpus);
		pc->proc_budget = s->budget / (2 * ncpus);
		init_completion(&pc->done);
		pc->task = kthread_create_on_cpu(probe_thread, pc, cpu,
						 "zalloc_irqprobe/%u");
		if (IS_ERR(pc->task))
			break;
		n++;
	}
	for (i = 0; i < n; i++)
		wake_up_process(pcs[i].task);
	for (i = 0; i < n; i++)
		in_time &= probe_wait(&pcs[i]);

	for (i = 0; i < n; i++) {
		pc = &pcs[i];
		irq_allocs += pc->irq_allocs;
		irq_failed += pc->irq_failed;
		irq_not_hard += pc->irq_not_hard;
		proc_allocs += pc->proc_allocs;
		proc_failed += pc->proc_failed;
		corrupt += pc->irq_corrupt + pc->proc_corrupt;
	}

	if (n != ncpus) {
		ok = false;
		why = "cannot start a kthread on every CPU: ";
	} else if (corrupt) {
		ok = false;
		why = "blocks misaligned or overwritten: ";
	} else if (!in_time) {
		ok = false;
		why = "a CPU's run did not end in time: ";
	} else if (irq_not_hard) {
		ok = false;
		why = "timer callbacks outside hard IRQ: ";
	} else if (!irq_allocs && !irq_failed) {
		ok = false;
		why = "the timer never allocated: ";
	} else if (proc_failed) {
		ok = false;
		why = "GFP_KERNEL allocations failed: ";
	} else if (irq_failed && !IS_ENABLED(CONFIG_PREEMPT_RT)) {
		ok = false;
		why = "hard-IRQ allocations failed: ";
	}
	if (ok)
		pr_info("%s: ok: irq %lu allocated, %lu failed%s; process %lu allocated, %lu failed\n",
			s->name, irq_allocs, irq_failed,
			irq_failed ? " (cleanly, PREEMPT_RT)" : "",
			proc_allocs, proc_failed);
	else
		pr_err("%s: FAILED: %sirq %lu allocated, %lu failed; process %lu allocated, %lu failed; %lu corrupt\n",
		       s->name, why, irq_allocs, irq_failed, proc_allocs,
		       proc_failed, corrupt);
}

static bool probe_selected(const struct probe_subject *s)
{
	const char *p = only;
	size_t len = strlen(s->name);

	if (!p || !*p)
		return true;
	while (p) {
		if (!strncmp(p, s->name, len) && (p[len] == ',' || !p[len]))
			return true;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return false;
}

static void probe_teardown(void)
{
	struct probe_subject *s;
	unsigned long live;
	int i;

	for (i = ARRAY_SIZE(probe_subjects) - 1; i >= 0; i--) {
		s = &probe_subjects[i];
		if (!s->ready)
			continue;
		s->ready = false;
		live = s->teardown ? s->teardown(s) : 0;
		if (live)
			pr_err("%s-destroy: FAILED: %lu blocks live at destroy\n",
			       s->name, live);
	}
}

static int __init probe_init(void)
{
	struct probe_subject *s;
	struct probe_cpu *pcs;
	unsigned int i;
	int ret;

	if (!seconds || !period_us)
		return -EINVAL;
	/* Room for every CPU that can be online during a run. */
	pcs = kcalloc(num_possible_cpus(), sizeof(*pcs), GFP_KERNEL);
	if (!pcs)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(probe_subjects); i++) {
		s = &probe_subjects[i];
		if (!probe_selected(s))
			continue;
		ret = s->setup(s);
		if (ret) {
			pr_err("%s: FAILED: setup: %d\n", s->name, ret);
			continue;
		}
		s->ready = true;
		probe_run(s, pcs);
	}
	kfree(pcs);
	pr_info("done\n");
	return 0;
}

static void __exit probe_exit(void)
{
	probe_teardown();
}

module_init(probe_init);
module_exit(probe_exit);

MODULE_DESCRIPTION("zalloc hard-IRQ probe: GFP_ATOMIC allocations from a pinned hard hrtimer");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(ZALLOC_NS);
