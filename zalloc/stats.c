// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc statistics: the per-CPU counters every instance keeps
 * (include/zalloc/stats.h), summed when read.
 *
 * Locking: none.  An instance's counter block is created before the
 * instance can be called and freed after it is torn down; updates are
 * this_cpu_add(), reads sum with READ_ONCE(), then add the kind's fold
 * (counts it keeps elsewhere, e.g. smp's per-CPU fronts).  The peak is
 * raised with cmpxchg, on slow paths and reads only.
 */
#define pr_fmt(fmt) "zalloc: " fmt

#include <linux/cache.h>
#include <linux/minmax.h>
#include <linux/percpu.h>
#include <zalloc/stats.h>

#include "internal.h"

/* A counter block of @nr counters per CPU, all zero. */
int zalloc_stats_init(struct zalloc_stats *s, unsigned int nr, gfp_t gfp)
{
	atomic_long_set(&s->peak_live, 0);
	s->cpu = __alloc_percpu_gfp(nr * sizeof(unsigned long),
				    sizeof(unsigned long), gfp);
	return s->cpu ? 0 : -ENOMEM;
}

/* Only once nothing counts into @s any more. */
void zalloc_stats_destroy(struct zalloc_stats *s)
{
	free_percpu(s->cpu);
	s->cpu = NULL;
}

/* v[i] = counter @from + i summed over the possible CPUs, i < @nr. */
void zalloc_stats_sum(const struct zalloc_stats *s, unsigned long *v,
		      unsigned int from, unsigned int nr)
{
	unsigned int i;
	int cpu;

	memset(v, 0, nr * sizeof(*v));
	if (!s->cpu)
		return;
	for_each_possible_cpu(cpu) {
		const unsigned long *c = per_cpu_ptr(s->cpu, cpu);

		for (i = 0; i < nr; i++)
			v[i] += READ_ONCE(c[from + i]);
	}
}

/* Add to @sum what @inst's kind counts elsewhere (its fold), if anything. */
static void zalloc_stats_fold(const struct zalloc_instance *inst,
			      struct zalloc_stats_sum *sum)
{
	if (inst->kind && inst->kind->fold)
		inst->kind->fold((struct zalloc_instance *)inst, sum);
}

/**
 * zalloc_stats_read() - an instance's common counters, summed over all CPUs
 * @inst: the instance
 * @sum: where to put the sums
 *
 * Context: any context.
 */
void zalloc_stats_read(const struct zalloc_instance *inst,
		       struct zalloc_stats_sum *sum)
{
	zalloc_stats_sum(&inst->stats, sum->v, 0, NR_ZALLOC_STATS);
	zalloc_stats_fold(inst, sum);
}
EXPORT_SYMBOL_NS_GPL(zalloc_stats_read, ZALLOC_NS);

/*
 * Live requested bytes of @inst (zalloc_stats_read(), the kind's fold
 * included).  The sum is not a snapshot: a block allocated on a CPU
 * already summed and freed on one not yet summed makes the frees outrun
 * the allocations for one read; that reads 0, never a wrapped figure.
 */
long zalloc_stats_live(const struct zalloc_instance *inst)
{
	struct zalloc_stats_sum sum = {};
	unsigned long freed;
	long live;

	/*
	 * The byte counters only (the peak samples this on slow paths), the
	 * allocated read before the freed: the common allocated, the fold
	 * (each CPU's allocated before its freed), the common freed.  A
	 * block freed while the read runs is then seldom counted live.
	 */
	zalloc_stats_sum(&inst->stats, &sum.v[ZALLOC_STAT_BYTES_ALLOC],
			 ZALLOC_STAT_BYTES_ALLOC, 1);
	zalloc_stats_fold(inst, &sum);
	zalloc_stats_sum(&inst->stats, &freed, ZALLOC_STAT_BYTES_FREE, 1);
	live = sum.v[ZALLOC_STAT_BYTES_ALLOC] -
	       (sum.v[ZALLOC_STAT_BYTES_FREE] + freed);
	return max(live, 0L);
}

/*
 * Fold @inst's live bytes into its peak; passes over the possible CPUs, so
 * for slow paths (taking backing memory) and reads only.  Returns the peak.
 */
unsigned long zalloc_stats_sample_peak(struct zalloc_instance *inst)
{
	struct zalloc_stats *s = &inst->stats;
	long live = zalloc_stats_live(inst);
	long peak = atomic_long_read(&s->peak_live);

	while (live > peak &&
	       !atomic_long_try_cmpxchg(&s->peak_live, &peak, live))
		;
	return max(live, peak);
}

/*
 * Count every live block as freed, for a reset that gives them all back at
 * once.  The caller serialises with the instance's other updaters, so the
 * sums read here are exact.
 */
void zalloc_count_drop_live(struct zalloc_instance *inst)
{
	struct zalloc_stats_sum sum;

	zalloc_stats_read(inst, &sum);
	zalloc_count(inst, ZALLOC_STAT_FREE,
		     sum.v[ZALLOC_STAT_ALLOC] - sum.v[ZALLOC_STAT_FREE]);
	zalloc_count(inst, ZALLOC_STAT_BYTES_FREE,
		     sum.v[ZALLOC_STAT_BYTES_ALLOC] -
		     sum.v[ZALLOC_STAT_BYTES_FREE]);
}

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
 * zalloc_stat_name() - the name a common counter is shown under
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
