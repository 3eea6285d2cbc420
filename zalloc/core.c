// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc core: module init and exit, and the statistics every allocator
 * instance keeps (include/zalloc/stats.h).
 *
 * Module init brings up the global instances in dependency order and tears
 * down what it brought up if a later one fails; exit runs the list backwards.
 *
 * Locking: none here; each counter block is per-CPU and owned by its
 * instance, created before the instance is usable and destroyed after.
 */
#include <linux/module.h>
#include <linux/percpu.h>
#include <zalloc/compat.h>
#include <zalloc/stats.h>

#include "internal.h"

/**
 * zalloc_stats_init() - set up an instance's counters, all zero
 * @s: the counters
 * @gfp: allocation flags for the per-CPU block
 *
 * Context: process context if @gfp may sleep (alloc_percpu_gfp()).
 * Return: 0, or -ENOMEM.
 */
int zalloc_stats_init(struct zalloc_stats *s, gfp_t gfp)
{
	atomic_long_set(&s->peak_live, 0);
	s->cpu = alloc_percpu_gfp(struct zalloc_stat_cpu, gfp);
	return s->cpu ? 0 : -ENOMEM;
}
EXPORT_SYMBOL_NS_GPL(zalloc_stats_init, ZALLOC_NS);

/**
 * zalloc_stats_destroy() - free an instance's counters
 * @s: the counters
 *
 * Only once the instance is quiet: nothing may count into @s while or after
 * it is destroyed.
 *
 * Context: any context where free_percpu() is allowed (not NMI).
 */
void zalloc_stats_destroy(struct zalloc_stats *s)
{
	free_percpu(s->cpu);
	s->cpu = NULL;
}
EXPORT_SYMBOL_NS_GPL(zalloc_stats_destroy, ZALLOC_NS);

/**
 * zalloc_stats_read() - sum an instance's counters over all CPUs
 * @s: the counters
 * @sum: where to put the sums
 *
 * Context: any context.
 */
void zalloc_stats_read(const struct zalloc_stats *s,
		       struct zalloc_stats_sum *sum)
{
	int cpu, i;

	memset(sum, 0, sizeof(*sum));
	if (!s->cpu)
		return;
	for_each_possible_cpu(cpu) {
		const struct zalloc_stat_cpu *c = per_cpu_ptr(s->cpu, cpu);

		for (i = 0; i < NR_ZALLOC_STATS; i++)
			sum->v[i] += READ_ONCE(c->v[i]);
	}
}
EXPORT_SYMBOL_NS_GPL(zalloc_stats_read, ZALLOC_NS);

/**
 * zalloc_stats_live() - live requested bytes, summed over all CPUs
 * @s: the counters
 *
 * The sum is not a snapshot: a block allocated on a CPU already summed and
 * freed on one not yet summed makes the frees outrun the allocations for
 * one read.  Such a read gives 0, never a wrapped-around figure.
 *
 * Context: any context.
 * Return: allocated minus freed requested bytes, or 0 if that is negative.
 */
long zalloc_stats_live(const struct zalloc_stats *s)
{
	struct zalloc_stats_sum sum;
	long live;

	zalloc_stats_read(s, &sum);
	live = sum.v[ZALLOC_STAT_BYTES_ALLOC] - sum.v[ZALLOC_STAT_BYTES_FREE];
	return max(live, 0L);
}
EXPORT_SYMBOL_NS_GPL(zalloc_stats_live, ZALLOC_NS);

/**
 * zalloc_stats_sample_peak() - fold the current live bytes into the peak
 * @s: the counters
 *
 * Sums the live requested bytes over all CPUs (zalloc_stats_live()) and
 * raises @s->peak_live if they exceed it.  Costs a pass over the possible CPUs: call it where the
 * allocator takes backing memory, not on a fast path.
 *
 * Context: any context.
 * Return: the peak after sampling.
 */
unsigned long zalloc_stats_sample_peak(struct zalloc_stats *s)
{
	long live = zalloc_stats_live(s);
	long peak = atomic_long_read(&s->peak_live);

	while (live > peak &&
	       !atomic_long_try_cmpxchg(&s->peak_live, &peak, live))
		;
	return max(live, peak);
}
EXPORT_SYMBOL_NS_GPL(zalloc_stats_sample_peak, ZALLOC_NS);

static const char * const zalloc_stat_names[NR_ZALLOC_STATS] = {
	[ZALLOC_STAT_ALLOC]		= "allocations",
	[ZALLOC_STAT_ALLOC_FAIL]	= "failed_allocations",
	[ZALLOC_STAT_FREE]		= "frees",
	[ZALLOC_STAT_RESIZE_OK]		= "resizes_ok",
	[ZALLOC_STAT_RESIZE_REFUSED]	= "resizes_refused",
	[ZALLOC_STAT_REMAP_INPLACE]	= "remaps_in_place",
	[ZALLOC_STAT_REMAP_MOVED]	= "remaps_moved",
	[ZALLOC_STAT_REMAP_REFUSED]	= "remaps_refused",
	[ZALLOC_STAT_BYTES_ALLOC]	= "bytes_allocated",
	[ZALLOC_STAT_BYTES_FREE]	= "bytes_freed",
	[ZALLOC_STAT_BACKING_ALLOC]	= "backing_bytes_taken",
	[ZALLOC_STAT_BACKING_FREE]	= "backing_bytes_returned",
};

/**
 * zalloc_stat_name() - the name a counter is shown under
 * @item: the counter
 *
 * Context: any context.
 * Return: a static string, or "unknown" for an out-of-range @item.
 */
const char *zalloc_stat_name(enum zalloc_stat_item item)
{
	if ((unsigned int)item >= NR_ZALLOC_STATS)
		return "unknown";
	return zalloc_stat_names[item];
}
EXPORT_SYMBOL_NS_GPL(zalloc_stat_name, ZALLOC_NS);

struct zalloc_part {
	int (*init)(void);
	void (*exit)(void);
};

static const struct zalloc_part zalloc_parts[] = {
	{ zalloc_registry_init,	zalloc_registry_exit },
	{ zalloc_page_init,	zalloc_page_exit },
	{ zalloc_kmalloc_init,	zalloc_kmalloc_exit },
	{ zalloc_smp_init,	zalloc_smp_exit },
	{ zalloc_sbrk_init,	zalloc_sbrk_exit },
};

static void zalloc_exit_parts(int n)
{
	while (n--)
		zalloc_parts[n].exit();
}

static int __init zalloc_init(void)
{
	int i, err;

	for (i = 0; i < ARRAY_SIZE(zalloc_parts); i++) {
		err = zalloc_parts[i].init();
		if (err)
			goto unwind;
	}
	return 0;

unwind:
	zalloc_exit_parts(i);
	return err;
}

static void __exit zalloc_exit(void)
{
	zalloc_exit_parts(ARRAY_SIZE(zalloc_parts));
}

module_init(zalloc_init);
module_exit(zalloc_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("zalloc: Zig's heap allocators for the Linux kernel");
