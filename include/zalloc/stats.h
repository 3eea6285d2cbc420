/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zalloc statistics: the counters every allocator instance keeps.
 *
 * Counters are per CPU and bumped with this_cpu_add(), which is safe in any
 * context (it is IRQ-safe on x86 and wraps IRQ disabling elsewhere) and
 * needs no lock: no allocator fast path takes a shared cache line for its
 * statistics.  Reads sum over possible CPUs, so a read racing with updates
 * sees each counter at some recent value; differences (live = allocated -
 * freed) are exact once the allocator is quiet.
 *
 * Byte counters count what callers asked for (requested bytes); the backing
 * counters count memory taken from and given back to the kernel (pages,
 * kmalloc'd slabs), so requested vs backing shows internal fragmentation.
 */
#ifndef _ZALLOC_STATS_H
#define _ZALLOC_STATS_H

#include <linux/atomic.h>
#include <linux/percpu.h>
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

struct zalloc_stat_cpu {
	unsigned long v[NR_ZALLOC_STATS];
};

/**
 * struct zalloc_stats - one instance's counters
 * @cpu: per-CPU counters; lockless, see the file header.
 * @peak_live: the highest live requested bytes seen by
 *	zalloc_stats_sample_peak(), which allocators call on their slow paths
 *	(taking backing memory) and readers call on every read.  An allocator
 *	that samples on every allocation gets an exact peak; others get a
 *	lower bound.  Updated with cmpxchg, never on a fast path.
 */
struct zalloc_stats {
	struct zalloc_stat_cpu __percpu *cpu;
	atomic_long_t peak_live;
};

/**
 * struct zalloc_stats_sum - a summed snapshot of struct zalloc_stats
 * @v: the counters, indexed by enum zalloc_stat_item
 */
struct zalloc_stats_sum {
	unsigned long v[NR_ZALLOC_STATS];
};

int zalloc_stats_init(struct zalloc_stats *s, gfp_t gfp);
long zalloc_stats_live(const struct zalloc_stats *s);
unsigned long zalloc_stats_sample_peak(struct zalloc_stats *s);
void zalloc_stats_destroy(struct zalloc_stats *s);
void zalloc_stats_read(const struct zalloc_stats *s,
		       struct zalloc_stats_sum *sum);
const char *zalloc_stat_name(enum zalloc_stat_item item);

static inline void zalloc_stat_add(struct zalloc_stats *s,
				   enum zalloc_stat_item item,
				   unsigned long n)
{
#ifndef ZALLOC_NO_STATS
	if (s->cpu)
		this_cpu_add(s->cpu->v[item], n);
#endif
}

/* Account an allocation attempt of @len bytes that returned @p. */
static inline void zalloc_stat_alloc(struct zalloc_stats *s, void *p,
				     size_t len)
{
	if (!p) {
		zalloc_stat_add(s, ZALLOC_STAT_ALLOC_FAIL, 1);
		return;
	}
	zalloc_stat_add(s, ZALLOC_STAT_ALLOC, 1);
	zalloc_stat_add(s, ZALLOC_STAT_BYTES_ALLOC, len);
}

static inline void zalloc_stat_free(struct zalloc_stats *s, size_t len)
{
	zalloc_stat_add(s, ZALLOC_STAT_FREE, 1);
	zalloc_stat_add(s, ZALLOC_STAT_BYTES_FREE, len);
}

/* Account the requested bytes of a block going from @len to @new_len. */
static inline void zalloc_stat_relen(struct zalloc_stats *s, size_t len,
				     size_t new_len)
{
	if (new_len > len)
		zalloc_stat_add(s, ZALLOC_STAT_BYTES_ALLOC, new_len - len);
	else
		zalloc_stat_add(s, ZALLOC_STAT_BYTES_FREE, len - new_len);
}

static inline void zalloc_stat_resize(struct zalloc_stats *s, bool ok,
				      size_t len, size_t new_len)
{
	if (!ok) {
		zalloc_stat_add(s, ZALLOC_STAT_RESIZE_REFUSED, 1);
		return;
	}
	zalloc_stat_add(s, ZALLOC_STAT_RESIZE_OK, 1);
	zalloc_stat_relen(s, len, new_len);
}

static inline void zalloc_stat_remap(struct zalloc_stats *s, void *old,
				     void *p, size_t len, size_t new_len)
{
	if (!p) {
		zalloc_stat_add(s, ZALLOC_STAT_REMAP_REFUSED, 1);
		return;
	}
	zalloc_stat_add(s, p == old ? ZALLOC_STAT_REMAP_INPLACE :
				      ZALLOC_STAT_REMAP_MOVED, 1);
	zalloc_stat_relen(s, len, new_len);
}

#endif /* _ZALLOC_STATS_H */
