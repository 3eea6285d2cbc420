/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zalloc statistics: the counters every allocator instance keeps.
 *
 * One mechanism counts events in every allocator: per-CPU counters, bumped
 * with this_cpu_add() (safe in any context, no lock, no shared cache line),
 * summed over the possible CPUs when read.  (A kind whose fast paths hold
 * per-CPU state of their own with IRQs off, smp's, adds its share there
 * and folds it in when read.)  The first NR_ZALLOC_STATS are
 * the same for every allocator (enum zalloc_stat_item); an allocator kind
 * may add events of its own after them.  Values an allocator can derive
 * from its state when read (live objects, free chunks, ...) are not
 * counted on its fast paths at all; zalloc_instance_info() reads both.
 *
 * A read racing with updates sees each counter at some recent value;
 * differences (live = allocated - freed) are exact once the instance is
 * quiet.  Byte counters count what callers asked for (requested bytes);
 * the backing counters count memory taken from and given back to the
 * kernel (pages, kmalloc'd objects), so requested vs backing shows
 * internal fragmentation.
 */
#ifndef _ZALLOC_STATS_H
#define _ZALLOC_STATS_H

#include <linux/atomic.h>
#include <linux/types.h>

enum zalloc_stat_item {
	ZALLOC_STAT_ALLOC,		/* successful allocations */
	ZALLOC_STAT_ALLOC_FAIL,		/* allocations that returned NULL */
	ZALLOC_STAT_FREE,		/* frees */
	ZALLOC_STAT_RESIZE_OK,		/* in-place resizes done */
	ZALLOC_STAT_RESIZE_REFUSED,	/* in-place resizes refused */
	ZALLOC_STAT_REMAP_INPLACE,	/* remaps done without moving */
	ZALLOC_STAT_REMAP_MOVED,	/* remaps that moved the block */
	ZALLOC_STAT_REMAP_REFUSED,	/* remaps refused */
	ZALLOC_STAT_BYTES_ALLOC,	/* requested bytes handed out */
	ZALLOC_STAT_BYTES_FREE,		/* requested bytes given back */
	ZALLOC_STAT_BACKING_ALLOC,	/* bytes taken from the kernel */
	ZALLOC_STAT_BACKING_FREE,	/* bytes returned to the kernel */
	NR_ZALLOC_STATS
};

/**
 * struct zalloc_stats - one instance's counters
 * @cpu: per-CPU counters: the NR_ZALLOC_STATS common ones, then the
 *	instance kind's own events; lockless, see the file header
 * @peak_live: the highest live requested bytes seen where the allocator
 *	samples it (taking backing memory, and every read); an allocator
 *	that samples on every allocation gets an exact peak, others a lower
 *	bound.  Updated with cmpxchg, never on a fast path.
 */
struct zalloc_stats {
	unsigned long __percpu *cpu;
	atomic_long_t peak_live;
};

/**
 * struct zalloc_stats_sum - a summed snapshot of the common counters
 * @v: the counters, indexed by enum zalloc_stat_item
 */
struct zalloc_stats_sum {
	unsigned long v[NR_ZALLOC_STATS];
};

const char *zalloc_stat_name(enum zalloc_stat_item item);

#endif /* _ZALLOC_STATS_H */
