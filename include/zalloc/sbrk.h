/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zalloc sbrk allocator: Zig's SbrkAllocator over a break provider.
 *
 * Memory comes from a break provider, the kernel's stand-in for sbrk(): it
 * moves a break up by whole 64 KiB big pages (ZALLOC_SBRK_BIGPAGE) and never
 * down.  Two providers ship: a region reserved up front, whose break moves
 * through it (true sbrk semantics: contiguous, bounded), and buddy pages,
 * which gives each request its own naturally aligned pages (unbounded,
 * not contiguous).  Any struct zalloc_sbrk_provider works.
 *
 * Blocks whose max(len, align) is at most ZALLOC_SBRK_MAX_SMALL (32 KiB)
 * come from power-of-two size classes 8 B .. 32 KiB, carved out of big
 * pages by a bump pointer per class, with a free list per class behind a
 * per-CPU magazine per class (as smp's: a CPU pops and pushes its own with
 * IRQs off, and refills or flushes half of it under the instance's lock).
 * Larger blocks take a power-of-two number of big pages, with a free list
 * per power.  Freed memory is reused, never given back before destroy.
 * Every free, resize and remap is checked first: a pointer that is not a
 * block of this instance's break, of the class its length names, is
 * reported and refused (double frees of a block in a magazine or at the
 * head of its list, and of any big block, too).
 *
 * Alignment: up to the block's class size for small blocks, any power of
 * two for big ones (a fresh break is padded to it; the padding goes to the
 * big free lists).  Resize and remap succeed when the class (small) or the
 * power of two of big pages (big) stays the same; remap never moves.
 *
 * Context: one raw spinlock per instance, taken with IRQs disabled, and
 * the magazines used with IRQs off.  alloc with a gfp_t that allows
 * sleeping may sleep (in the provider, never under the lock); with
 * GFP_ATOMIC or GFP_NOWAIT it may be called from any context but NMI, hard
 * IRQ included, if the provider honours the gfp_t (both shipped ones do).
 * resize, remap and free: any context but NMI.  A provider that allocates
 * (the pages provider) is not asked in hard IRQ (on every kernel) nor, on
 * PREEMPT_RT, with IRQs or preemption off: an allocation there is served
 * from the magazines, free lists and carved big pages, else fails (NULL,
 * counted).  The region provider allocates nothing and serves there too.
 */
#ifndef _ZALLOC_SBRK_H
#define _ZALLOC_SBRK_H

#include <linux/bits.h>
#include <linux/module.h>
#include <zalloc/zalloc.h>

struct zalloc_sbrk_provider;

#define ZALLOC_SBRK_BIGPAGE_SHIFT	16
#define ZALLOC_SBRK_BIGPAGE		BIT(ZALLOC_SBRK_BIGPAGE_SHIFT)
/* Smallest class: a free block holds the free-list link. */
#define ZALLOC_SBRK_MIN_SHIFT		3
#define ZALLOC_SBRK_NR_CLASSES	\
	(ZALLOC_SBRK_BIGPAGE_SHIFT - ZALLOC_SBRK_MIN_SHIFT)
#define ZALLOC_SBRK_MAX_SMALL		(ZALLOC_SBRK_BIGPAGE >> 1)
/* Big classes: 2^k big pages, k < ZALLOC_SBRK_NR_BIG. */
#define ZALLOC_SBRK_NR_BIG		(BITS_PER_LONG - ZALLOC_SBRK_BIGPAGE_SHIFT)

/**
 * struct zalloc_sbrk_provider_ops - a break provider's operations
 * @sbrk: move the break up by @len bytes, a non-zero multiple of
 *	ZALLOC_SBRK_BIGPAGE, and return the start of the new bytes, aligned
 *	to ZALLOC_SBRK_BIGPAGE; or NULL if it cannot.  Called with no
 *	allocator lock held, possibly from several CPUs at once, in whatever
 *	context the allocator's caller is in: it must honour @gfp.
 * @destroy: give back every byte @sbrk ever returned, then free the
 *	provider.  Called once, from process context, when nothing uses it.
 * @range: optional: the addresses [*@start, *@end) every byte @sbrk will
 *	ever return lies in, for a provider that knows them in advance
 * @atomic: @sbrk allocates nothing (it moves a break through memory it
 *	already has), so it may be called where the page allocator may not
 *	(hard IRQ on PREEMPT_RT)
 */
struct zalloc_sbrk_provider_ops {
	void *(*sbrk)(struct zalloc_sbrk_provider *prov, size_t len, gfp_t gfp);
	void (*destroy)(struct zalloc_sbrk_provider *prov);
	void (*range)(struct zalloc_sbrk_provider *prov, unsigned long *start,
		      unsigned long *end);
	bool atomic;
};

/**
 * struct zalloc_sbrk_provider - a break provider; embed it in your own
 * @ops: its operations
 * @name: what it is ("region", "pages"), shown in debugfs
 */
struct zalloc_sbrk_provider {
	const struct zalloc_sbrk_provider_ops *ops;
	const char *name;
};

/**
 * enum zalloc_sbrk_counter - an sbrk instance's own counters
 * @ZALLOC_SBRK_BRK_BYTES: bytes taken from the provider
 * @ZALLOC_SBRK_DOUBLE_FREES: frees refused as double frees
 * @ZALLOC_SBRK_INVALID_FREES: frees refused as impossible
 * @ZALLOC_SBRK_CORRUPT_LISTS: free lists found corrupted and dropped
 * @ZALLOC_SBRK_NR_EVENTS: the ones above are events, counted as they happen
 * @ZALLOC_SBRK_BIGPAGE_BYTES: bytes per big page
 * @ZALLOC_SBRK_SMALL_BIGPAGES: big pages carved into small blocks
 * @ZALLOC_SBRK_LIVE_SMALL: small blocks handed out
 * @ZALLOC_SBRK_LIVE_BIG: big blocks handed out
 * @ZALLOC_SBRK_FREE_SMALL: small blocks on free lists
 * @ZALLOC_SBRK_FREE_BIG: big blocks on free lists
 * @ZALLOC_SBRK_FREE_BIG_BYTES: their bytes
 * @NR_ZALLOC_SBRK_COUNTERS: how many
 *
 * Read with zalloc_instance_info(); the "stats" file shows them by name,
 * with the provider's name on a "provider" line.
 */
enum zalloc_sbrk_counter {
	ZALLOC_SBRK_BRK_BYTES,
	ZALLOC_SBRK_DOUBLE_FREES,
	ZALLOC_SBRK_INVALID_FREES,
	ZALLOC_SBRK_CORRUPT_LISTS,
	ZALLOC_SBRK_NR_EVENTS,
	ZALLOC_SBRK_BIGPAGE_BYTES = ZALLOC_SBRK_NR_EVENTS,
	ZALLOC_SBRK_SMALL_BIGPAGES,
	ZALLOC_SBRK_LIVE_SMALL,
	ZALLOC_SBRK_LIVE_BIG,
	ZALLOC_SBRK_FREE_SMALL,
	ZALLOC_SBRK_FREE_BIG,
	ZALLOC_SBRK_FREE_BIG_BYTES,
	NR_ZALLOC_SBRK_COUNTERS
};

/* The global sbrk allocator, over buddy pages, registered as "sbrk". */
extern struct zalloc zalloc_sbrk_allocator;

struct zalloc_sbrk_provider *zalloc_sbrk_region_create(size_t size);
struct zalloc_sbrk_provider *zalloc_sbrk_pages_create(void);

struct zalloc *__zalloc_sbrk_create(const char *name,
				    struct zalloc_sbrk_provider *prov,
				    unsigned int flags, struct module *owner);
/* See __zalloc_sbrk_create(); the name belongs to the calling module. */
#define zalloc_sbrk_create(name, prov, flags)				\
	__zalloc_sbrk_create(name, prov, flags, THIS_MODULE)

#endif /* _ZALLOC_SBRK_H */
