/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sbrk allocator's private structures, shared by its front (sbrk.c:
 * the per-CPU magazines, the ops, the instance) and its back (sbrk_pool.c:
 * the break, the free lists, the checks).  sbrk.c's header says how it
 * works.
 *
 * Lock order:
 *   1. zalloc_registry_lock (debugfs readers, registry.c)
 *   2. sb->lock (raw, IRQs disabled)
 *   3. sb->map.lock (pagemap.h)
 *
 *   A CPU's magazines and its cached page-map lookup are its own, used
 *   with IRQs off on that CPU (another CPU touches them only at destroy).
 *   The provider is called with no allocator lock held; the pages
 *   provider's own chunk-list lock and kmemleak's locks are taken there,
 *   alone.  sb->lock protects every field of the instance but the fixed
 *   ones (inst, prov, link_key, cookie_key, cpu) and the page map.
 */
#ifndef _ZALLOC_SBRK_INTERNAL_H
#define _ZALLOC_SBRK_INTERNAL_H

#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/spinlock.h>
#include <zalloc/sbrk.h>

#include "freelist.h"
#include "internal.h"
#include "mag.h"
#include "pagemap.h"

#define SBRK_BIG		ZALLOC_SBRK_BIGPAGE
#define SBRK_NR			ZALLOC_SBRK_NR_CLASSES
#define SBRK_NR_BIG		ZALLOC_SBRK_NR_BIG

static_assert(SBRK_NR == ZALLOC_MAG_CLASSES);
static_assert(ZALLOC_SBRK_MIN_SHIFT == ZALLOC_MAG_MIN_SHIFT);

/*
 * What the page map holds for a big page: its tag (never 0, which is no
 * entry).  A big page inside a big block (not its head) has no entry.  A
 * small class's tag never changes once set (sbrk never gives memory back
 * before destroy), so it may be read without the lock and cached.
 */
#define SB_TAG_SMALL	0x100	/* | class: carved into small blocks */
#define SB_TAG_BIG	0x200	/* | k: the head of a block of 2^k big pages */
#define SB_TAG_FREE	0x400	/* with SB_TAG_BIG: on a free list */

/**
 * struct sbrk_cpu - a CPU's front
 * @base: a big page a free found carved into a small class
 * @tag: its tag
 * @stats: what its fast paths counted
 * @mag: a magazine per small class
 */
struct sbrk_cpu {
	unsigned long base;
	unsigned long tag;
	struct zalloc_mag_stats stats;
	struct zalloc_mag mag[SBRK_NR];
};

/**
 * struct zalloc_sbrk - an sbrk allocator instance
 * @inst: the instance (struct zalloc, counters, name, lockdep class of
 *	@lock, debug core)
 * @prov: where memory comes from; owned
 * @map: every big page the break returned -> what it is (SB_TAG_*)
 * @lock: protects the rest; IRQs off while held
 * @link_key: random key the free-list links are encoded with (fixed)
 * @cookie_key: random key of a block in a magazine's first word (fixed)
 * @cpu: the per-CPU fronts
 * @brk_lo: lowest address the break returned (0 before the first)
 * @brk_hi: end of the highest block of bytes the break returned
 * @next_addrs: per small class, the next block to bump; a multiple of
 *	ZALLOC_SBRK_BIGPAGE (0 included) means the class needs a big page
 * @frees: per small class, the latest freed block (first word links on,
 *	encoded with @link_key)
 * @live: per small class, blocks out of the lists: a user's or in a
 *	magazine
 * @nr_free: per small class, blocks on @frees
 * @ip: per small class, the caller of a recent allocation
 * @big_frees: per big class k (2^k big pages), the latest freed block
 * @big_live: per big class, blocks handed out
 * @big_nr_free: per big class, blocks on @big_frees
 * @big_ip: per big class, the caller of the latest allocation
 * @small_bigpages: big pages carved into small blocks
 */
struct zalloc_sbrk {
	struct zalloc_instance inst;
	struct zalloc_sbrk_provider *prov;
	struct zalloc_pagemap map;
	raw_spinlock_t lock;	/* see the file header */
	unsigned long link_key;
	unsigned long cookie_key;
	struct sbrk_cpu __percpu *cpu;
	unsigned long brk_lo;
	unsigned long brk_hi;
	unsigned long next_addrs[SBRK_NR];
	void *frees[SBRK_NR];
	unsigned long live[SBRK_NR];
	unsigned long nr_free[SBRK_NR];
	unsigned long ip[SBRK_NR];
	void *big_frees[SBRK_NR_BIG];
	unsigned long big_live[SBRK_NR_BIG];
	unsigned long big_nr_free[SBRK_NR_BIG];
	unsigned long big_ip[SBRK_NR_BIG];
	unsigned long small_bigpages;
};

enum sbrk_verdict {
	SBRK_FREE_OK,
	SBRK_FREE_INVALID,
	SBRK_FREE_DOUBLE,
};

static inline struct zalloc_sbrk *to_sbrk(void *ctx)
{
	return container_of(ctx, struct zalloc_sbrk, inst);
}

static inline void sbrk_count(struct zalloc_sbrk *sb, unsigned int event,
			      unsigned long n)
{
	zalloc_count(&sb->inst, NR_ZALLOC_STATS + event, n);
}

/* Small class (mag.h's); SBRK_NR or more means a big block. */
static __always_inline unsigned int sbrk_class(size_t len, size_t align)
{
	return zalloc_mag_class(len, align);
}

static inline size_t sbrk_size(unsigned int class)
{
	return (size_t)1 << (class + ZALLOC_SBRK_MIN_SHIFT);
}

/* Big class k: 2^k big pages hold max(len, align). */
static inline unsigned int sbrk_big_class(size_t len, size_t align)
{
	return order_base_2(DIV_ROUND_UP(max(len, align), SBRK_BIG));
}

static inline size_t sbrk_big_size(unsigned int k)
{
	return SBRK_BIG << k;
}

static inline const char *sbrk_name(const struct zalloc_sbrk *sb)
{
	return zalloc_report_name(&sb->inst);
}

static __always_inline unsigned long sbrk_cookie(const struct zalloc_sbrk *sb,
						 const void *p)
{
	return zalloc_mag_cookie(sb->cookie_key, p);
}

/*
 * The tag of the big page @addr lies in, 0 if it is not the break's.
 * Lockless (the page map's lookup); a tag other than a small class's may
 * change meanwhile, a small class's never does.
 */
static __always_inline unsigned long sbrk_tag_of(const struct zalloc_sbrk *sb,
						 unsigned long addr)
{
	/* A big page is a granule: the map's value is its very own. */
	static_assert(SBRK_BIG == ZALLOC_PM_GRANULE);
	return (unsigned long)zalloc_pagemap_get(&sb->map,
						 addr & ~(SBRK_BIG - 1));
}

/* sbrk_pool.c */
void *sbrk_grow(struct zalloc_sbrk *sb, size_t len, gfp_t gfp);
void *sbrk_refill(struct zalloc_sbrk *sb, unsigned int class, gfp_t gfp,
		  unsigned long ip, unsigned long *flags);
void sbrk_flush(struct zalloc_sbrk *sb, struct zalloc_mag *m,
		unsigned int class, unsigned int n);
void sbrk_drain(struct zalloc_sbrk *sb);
void *sbrk_alloc_big(struct zalloc_sbrk *sb, size_t len, size_t align,
		     gfp_t gfp, unsigned long ip);
enum sbrk_verdict sbrk_check(struct zalloc_sbrk *sb, const void *p,
			     size_t len, size_t align);
void sbrk_put_big(struct zalloc_sbrk *sb, void *p, size_t len, size_t align);
void sbrk_report(struct zalloc_sbrk *sb, enum sbrk_verdict v,
		 const char *what, const void *p, size_t len, size_t align,
		 unsigned long ip);
void sbrk_overwritten(struct zalloc_sbrk *sb, const void *p);
void sbrk_read(struct zalloc_instance *inst, unsigned long *v);
void sbrk_show_classes(struct seq_file *m, struct zalloc_instance *inst);

#endif /* _ZALLOC_SBRK_INTERNAL_H */
