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
 * pages by a bump pointer per class, with an intrusive free list per class.
 * Larger blocks take a power-of-two number of big pages, with a free list
 * per power.  Freed memory is reused, never given back before destroy.
 *
 * Alignment: up to the block's class size for small blocks, any power of
 * two for big ones (a fresh break is padded to it; the padding goes to the
 * big free lists).  Resize and remap succeed when the class (small) or the
 * power of two of big pages (big) stays the same; remap never moves.
 *
 * Context: one spinlock per instance, taken with IRQs disabled.  alloc
 * with a gfp_t that allows sleeping may sleep (in the provider, never under
 * the lock); with GFP_ATOMIC or GFP_NOWAIT it may be called from any context
 * but NMI, hard IRQ included, if the provider honours the gfp_t (both
 * shipped ones do).  resize, remap and free: any context but NMI.
 */
#ifndef _ZALLOC_SBRK_H
#define _ZALLOC_SBRK_H

#include <linux/bits.h>
#include <linux/module.h>
#include <zalloc/zalloc.h>

struct zalloc_instance;
struct zalloc_sbrk;
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
 */
struct zalloc_sbrk_provider_ops {
	void *(*sbrk)(struct zalloc_sbrk_provider *prov, size_t len, gfp_t gfp);
	void (*destroy)(struct zalloc_sbrk_provider *prov);
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
 * struct zalloc_sbrk_info - a snapshot of an sbrk instance
 * @brk_bytes: bytes taken from the provider (the break has moved this far)
 * @small_bigpages: big pages carved into small blocks
 * @live_small: small blocks handed out and not freed
 * @live_big: big blocks handed out and not freed
 * @free_small: small blocks on free lists
 * @free_big: big blocks on free lists
 * @free_big_bytes: their size in bytes
 * @double_frees: frees refused as double frees
 * @invalid_frees: frees refused as not possibly this instance's blocks
 * @corrupt_lists: free lists found corrupted (a bad link) and dropped
 */
struct zalloc_sbrk_info {
	unsigned long brk_bytes;
	unsigned long small_bigpages;
	unsigned long live_small;
	unsigned long live_big;
	unsigned long free_small;
	unsigned long free_big;
	unsigned long free_big_bytes;
	unsigned long double_frees;
	unsigned long invalid_frees;
	unsigned long corrupt_lists;
};

/* The global sbrk allocator, over buddy pages, registered as "sbrk". */
extern struct zalloc zalloc_sbrk_allocator;

struct zalloc_sbrk_provider *zalloc_sbrk_region_create(size_t size);
struct zalloc_sbrk_provider *zalloc_sbrk_pages_create(void);

struct zalloc_sbrk *__zalloc_sbrk_create(const char *name,
					 struct zalloc_sbrk_provider *prov,
					 unsigned int flags,
					 struct module *owner);
/* See __zalloc_sbrk_create(); the name belongs to the calling module. */
#define zalloc_sbrk_create(name, prov, flags)				\
	__zalloc_sbrk_create(name, prov, flags, THIS_MODULE)
unsigned long zalloc_sbrk_destroy(struct zalloc_sbrk *sb);
const struct zalloc *zalloc_sbrk_zalloc(struct zalloc_sbrk *sb);
struct zalloc_sbrk *zalloc_sbrk_of(const struct zalloc *za);
void zalloc_sbrk_info(struct zalloc_sbrk *sb, struct zalloc_sbrk_info *info);
struct zalloc_instance *zalloc_sbrk_instance(struct zalloc_sbrk *sb);

#endif /* _ZALLOC_SBRK_H */
