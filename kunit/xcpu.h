/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The concurrency harness of the zalloc KUnit suites (kunit/xcpu.c), and
 * the two workloads built on it that the smp, sbrk and faults suites share.
 *
 * Every test that runs code on several CPUs at once or in hard IRQ does it
 * through here:
 *
 *  - zalloc_xcpu_run(): a function on one kthread bound to each online CPU
 *    (or to each CPU of a mask), all released at once;
 *  - struct zalloc_xcpu_timer: a hard hrtimer calling a function
 *    periodically in hard IRQ, pinned to the CPU that starts it or not;
 *  - zalloc_xcpu_hardirq(): a function run once in hard IRQ, waited for.
 *
 * Workloads: zalloc_xcpu_stress() (random allocations and frees from every
 * CPU, a share of the frees handed to another CPU) and zalloc_irq_hammer()
 * (allocation from hard IRQ while a kthread hammers the same CPU).
 */
#ifndef _ZALLOC_XCPU_H
#define _ZALLOC_XCPU_H

#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/hrtimer.h>
#include <zalloc/registry.h>
#include <zalloc/zalloc.h>

unsigned int zalloc_xcpu_run(struct kunit *test, const struct cpumask *cpus,
			     void (*fn)(void *data, unsigned int idx),
			     void *data);

/**
 * struct zalloc_xcpu_timer - a periodic hard-IRQ callback
 * @timer: the hrtimer (hard mode: the callback runs in hard IRQ, on
 *	PREEMPT_RT too)
 * @fn: called on every expiry; return false to stop the timer
 * @period: time between expiries
 * @stop: set by zalloc_xcpu_timer_stop()
 * @runs: expiries so far
 * @not_hardirq: expiries that ran outside hard IRQ context (a harness bug)
 *
 * Embed it and find the container in @fn with container_of().
 */
struct zalloc_xcpu_timer {
	struct hrtimer timer;
	bool (*fn)(struct zalloc_xcpu_timer *t);
	ktime_t period;
	bool stop;
	unsigned long runs;
	unsigned long not_hardirq;
};

void zalloc_xcpu_timer_start(struct zalloc_xcpu_timer *t,
			     bool (*fn)(struct zalloc_xcpu_timer *t),
			     u64 period_ns, bool pinned);
void zalloc_xcpu_timer_stop(struct zalloc_xcpu_timer *t);
bool zalloc_xcpu_hardirq(struct kunit *test, void (*fn)(void *data),
			 void *data);

/**
 * struct zalloc_xcpu_cfg - what zalloc_xcpu_stress() does
 * @a: the allocator under test
 * @ops: operations (allocate, free, or hand a block to another CPU's
 *	thread) each thread does at least; frees of handed blocks count for
 *	the thread that frees them
 * @max_small: sizes are log-uniform in 1 .. @max_small (a power of two)
 * @max_large: if non-zero, @large_permille of the allocations are
 *	@max_small + 1 .. @max_large bytes instead
 * @large_permille: share of large allocations, per thousand
 * @handoff_pct: share of frees handed to another CPU's thread, percent
 * @faults: make each allocation with make_it_fail set, so the kernel's
 *	fault injection fails some of the allocator's own allocations (see
 *	zalloc_kunit.h); failed allocations are counted, not errors
 */
struct zalloc_xcpu_cfg {
	const struct zalloc *a;
	unsigned long ops;
	size_t max_small;
	size_t max_large;
	unsigned int large_permille;
	unsigned int handoff_pct;
	bool faults;
};

/**
 * struct zalloc_xcpu_result - what the threads saw, summed
 * @threads: threads run, one per online CPU
 * @min_ops: operations done by the thread that did the fewest
 * @allocs: successful allocations
 * @frees: frees (own and handed)
 * @handed: blocks handed to another CPU's thread
 * @failed: allocations that returned NULL
 * @corrupt: blocks whose pattern or alignment was wrong
 * @ms: wall time in milliseconds
 */
struct zalloc_xcpu_result {
	unsigned int threads;
	unsigned long min_ops;
	unsigned long allocs;
	unsigned long frees;
	unsigned long handed;
	unsigned long failed;
	unsigned long corrupt;
	unsigned long ms;
};

void zalloc_xcpu_stress(struct kunit *test, const struct zalloc_xcpu_cfg *cfg,
			struct zalloc_xcpu_result *res);

/**
 * struct zalloc_irq_result - what zalloc_irq_hammer() saw
 * @irq_allocs: allocations from the hrtimer callback that succeeded
 * @irq_failed: allocations there that returned NULL
 * @irq_frees: frees from the hrtimer callback
 * @not_hardirq: callbacks that ran outside hard IRQ context
 * @proc_ops: allocations and frees on the process side (the hammering
 *	goes on until both sides did enough)
 * @proc_failed: allocations there that returned NULL
 * @corrupt: blocks (either side) whose pattern was wrong
 */
struct zalloc_irq_result {
	unsigned long irq_allocs;
	unsigned long irq_failed;
	unsigned long irq_frees;
	unsigned long not_hardirq;
	unsigned long proc_ops;
	unsigned long proc_failed;
	unsigned long corrupt;
};

void zalloc_irq_hammer(struct kunit *test, const struct zalloc *a,
		       size_t max_size, unsigned long min_irqs,
		       struct zalloc_irq_result *res);

void zalloc_xcpu_expect_balanced(struct kunit *test,
				 struct zalloc_instance *inst);

#endif /* _ZALLOC_XCPU_H */
