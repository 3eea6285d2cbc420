// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc sbrk allocator: Zig's std.heap.SbrkAllocator (0.14) in the kernel.
 *
 * Zig's SbrkAllocator(sbrk) is generic over a function that moves the
 * program break and returns the start of the new bytes.  It keeps, per
 * power-of-two size class up to 32 KiB, a bump pointer into a 64 KiB "big
 * page" and an intrusive free list; larger requests take a power-of-two
 * number of big pages, with a free list per power; one global mutex covers
 * it all, and nothing is ever given back.  Plan 9 uses it as its page
 * allocator.
 *
 * Kept: the generic break (here a struct zalloc_sbrk_provider, an ops
 * table, in place of the comptime function), power-of-two small classes
 * with a bump pointer and an intrusive free list each, big blocks of 2^k big
 * pages with a free list per k, one lock, reuse without return, and resize
 * that never moves between classes but recovers the bytes between powers of
 * two.
 *
 * Changed from upstream, and why:
 *  - Refill: Zig tests `next_addr % page_size == 0` to see that a class has
 *    run out, but refills it with a whole 64 KiB big page; so classes below
 *    4 KiB carve only the first 4 KiB of every big page and waste the other
 *    60, and classes of 4 KiB and up take a fresh big page for every block.
 *    Here the test is against the big page size and the break is kept big
 *    page aligned, so every big page is carved completely.
 *  - Big sizes: Zig asks for (max(len + 8, align) + 64 KiB + 7) / 64 KiB
 *    big pages.  The 8 bytes of link room push a block of exactly 64 KiB
 *    (or any multiple) into one more big page, and the rounding does the
 *    same for the 8 lengths at and below each multiple (with the link
 *    room, 65521 .. 65528 bytes take two big pages).  Here it is
 *    DIV_ROUND_UP(max(len, align), 64 KiB), rounded up to a power of two as
 *    before: 64 KiB takes one big page, 64 KiB + 1 two.
 *  - No room for the link: Zig sizes every block as len + 8 so that the
 *    free-list link, kept in the last word, fits besides the data; a free
 *    block holds no data, so here the link is the first word of the free
 *    block, a class is chosen from max(len, align) alone, and classes start
 *    at 8 bytes (Zig: 16, and a 16-byte request took 32).
 *  - Alignment: Zig honours alignment only through the class size, so big
 *    blocks aligned above what sbrk happens to return are wrong.  Here a
 *    big request aligned above 64 KiB pads the fresh break to the alignment
 *    (the padding goes to the big free lists, split into powers of two) or
 *    takes a free block that happens to be aligned.
 *  - Locking: a spinlock taken with IRQs disabled, not a mutex, so every
 *    context but NMI may allocate with GFP_ATOMIC; the provider is called
 *    with the lock dropped, so it may sleep when the gfp_t allows.
 *  - Instances: state is per instance (zalloc_sbrk_create()), not static
 *    per sbrk function; a global instance over buddy pages is registered as
 *    "sbrk".  Destroy gives everything back through the provider and
 *    reports blocks still live.  A free of the block at the head of its
 *    free list (the latest free), or into a class with no live block, is
 *    refused as a double free, and a free of a pointer misaligned for its
 *    class is refused as invalid.
 *  - Free-list links (Zig: plain pointers, followed blindly) are stored
 *    encoded as SLUB's CONFIG_SLAB_FREELIST_HARDENED does (freelist.h):
 *    next ^ a random per-instance key ^ swab(address of the word), so a
 *    plain pointer written into a freed block decodes to garbage.  Every
 *    link is checked before it is followed: it must be NULL for the last
 *    block the list counts and only there, aligned to its class (big
 *    blocks: to a big page), not its own block, and lie with its whole
 *    block inside [lowest, highest) address the break ever returned.  A bad
 *    link is reported and counted, and its whole list dropped (those blocks
 *    stay lost until destroy); the allocation goes on from the bump pointer
 *    or fresh memory.  Not caught: a write that flips only low bits of a
 *    stored link, which can still decode to another block of the class (a
 *    live one, then handed out twice), nor, under the pages provider whose
 *    chunks are not contiguous, a link into a gap between chunks that
 *    passes the other checks.
 *
 * kmemleak: the region provider's memory is one vmalloc area, which
 * kmemleak tracks and scans as a whole; the pages provider registers each
 * chunk with min_count 0 (scanned, never reported), the in-tree pattern for
 * pages that hold pointers.  Blocks are not registered one by one (they
 * would overlap those objects), so leaked blocks are not reported, but
 * nothing they point to is reported falsely.
 *
 * Lock order:
 *   1. zalloc_registry_lock (debugfs readers, registry.c)
 *   2. sb->lock (IRQs disabled)
 *
 *   The provider is called with no allocator lock held; the pages provider's
 *   own chunk-list lock (IRQs disabled) and kmemleak's locks are taken
 *   there, alone.  sb->lock protects every field of the instance but the
 *   fixed ones (za, inst, name, prov, key, link_key) and @brk_bytes
 *   (atomic).
 */
#include <linux/align.h>
#include <linux/atomic.h>
#include <linux/gfp.h>
#include <linux/kmemleak.h>
#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/random.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>
#include <zalloc/debug.h>
#include <zalloc/registry.h>
#include <zalloc/sbrk.h>

#include "freelist.h"
#include "internal.h"
#include "pagemap.h"

#define SBRK_BIG		ZALLOC_SBRK_BIGPAGE
#define SBRK_NR			ZALLOC_SBRK_NR_CLASSES
#define SBRK_NR_BIG		ZALLOC_SBRK_NR_BIG

/**
 * struct zalloc_sbrk - an sbrk allocator instance
 * @inst: the instance (struct zalloc, counters, name, lockdep class of
 *	@lock, debug core)
 * @prov: where memory comes from; owned
 * @map: every big page the break returned -> what it is (SB_TAG_*)
 * @lock: protects the rest; IRQs off while held
 * @link_key: random key the free-list links are encoded with (fixed)
 * @brk_lo: lowest address the break returned (0 before the first)
 * @brk_hi: end of the highest block of bytes the break returned
 * @next_addrs: per small class, the next block to bump; a multiple of
 *	ZALLOC_SBRK_BIGPAGE (0 included) means the class needs a big page
 * @frees: per small class, the latest freed block (first word links on,
 *	encoded with @link_key)
 * @live: per small class, blocks handed out
 * @nr_free: per small class, blocks on @frees
 * @ip: per small class, the caller of the latest allocation
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

/* Its counters (enum zalloc_sbrk_counter, include/zalloc/sbrk.h). */
static const char * const sbrk_counters[NR_ZALLOC_SBRK_COUNTERS] = {
	[ZALLOC_SBRK_BRK_BYTES]		= "brk_bytes",
	[ZALLOC_SBRK_DOUBLE_FREES]	= "double_frees",
	[ZALLOC_SBRK_INVALID_FREES]	= "invalid_frees",
	[ZALLOC_SBRK_CORRUPT_LISTS]	= "corrupt_free_lists",
	[ZALLOC_SBRK_BIGPAGE_BYTES]	= "bigpage_bytes",
	[ZALLOC_SBRK_SMALL_BIGPAGES]	= "small_bigpages",
	[ZALLOC_SBRK_LIVE_SMALL]	= "live_small",
	[ZALLOC_SBRK_LIVE_BIG]		= "live_big",
	[ZALLOC_SBRK_FREE_SMALL]	= "free_small",
	[ZALLOC_SBRK_FREE_BIG]		= "free_big",
	[ZALLOC_SBRK_FREE_BIG_BYTES]	= "free_big_bytes",
};

/*
 * What the page map holds for a big page: its address, plus a tag.  A big
 * page inside a big block (not its head) has no entry.
 */
#define SB_TAG_SMALL	0x100	/* | class: carved into small blocks */
#define SB_TAG_BIG	0x200	/* | k: the head of a block of 2^k big pages */
#define SB_TAG_FREE	0x400	/* with SB_TAG_BIG: on a free list */
#define SB_TAG_MASK	0xfffUL

static const struct zalloc_ops sbrk_ops;
static struct zalloc_sbrk sbrk_global;

static struct zalloc_sbrk *to_sbrk(void *ctx)
{
	return container_of(ctx, struct zalloc_sbrk, inst);
}

static void sbrk_count(struct zalloc_sbrk *sb, unsigned int event,
		       unsigned long n)
{
	zalloc_count(&sb->inst, NR_ZALLOC_STATS + event, n);
}

/* Small class from max(len, align, 8); >= SBRK_NR means big. */
static unsigned int sbrk_class(size_t len, size_t align)
{
	size_t n = max3(len, align, (size_t)1 << ZALLOC_SBRK_MIN_SHIFT);

	return order_base_2(n) - ZALLOC_SBRK_MIN_SHIFT;
}

static size_t sbrk_size(unsigned int class)
{
	return (size_t)1 << (class + ZALLOC_SBRK_MIN_SHIFT);
}

/* Big class k: 2^k big pages hold max(len, align). */
static unsigned int sbrk_big_class(size_t len, size_t align)
{
	return order_base_2(DIV_ROUND_UP(max(len, align), SBRK_BIG));
}

static size_t sbrk_big_size(unsigned int k)
{
	return SBRK_BIG << k;
}

static const char *sbrk_name(const struct zalloc_sbrk *sb)
{
	return zalloc_report_name(&sb->inst);
}

/* Tag big page @addr; its page-map node exists (sbrk_grow()). */
static void sbrk_tag(struct zalloc_sbrk *sb, unsigned long addr,
		     unsigned long tag)
{
	zalloc_pagemap_update(&sb->map, addr, (void *)(addr | tag));
}

/* The tag of the big page @addr lies in, 0 if it is not the break's. */
static unsigned long sbrk_tag_of(const struct zalloc_sbrk *sb,
				 unsigned long addr)
{
	unsigned long base = addr & ~(SBRK_BIG - 1);
	unsigned long v = (unsigned long)zalloc_pagemap_get(&sb->map, base);

	return (v & ~SB_TAG_MASK) == base ? v & SB_TAG_MASK : 0;
}

/*
 * Move the break; no lock held.  The page map gets the nodes the new
 * bytes need, so tagging them never allocates.
 */
static void *sbrk_grow(struct zalloc_sbrk *sb, size_t len, gfp_t gfp)
{
	void *p;

	if (!zalloc_can_alloc() && !sb->prov->ops->atomic)
		return NULL;
	p = sb->prov->ops->sbrk(sb->prov, len, gfp);
	if (!p)
		return NULL;
	if (!IS_ALIGNED((unsigned long)p, SBRK_BIG)) {
		/* A broken provider: its memory is lost, not used wrongly. */
		pr_err_ratelimited("sbrk %s: provider %s returned %p, not aligned to %lu\n",
				   sbrk_name(sb), sb->prov->name, p, SBRK_BIG);
		return NULL;
	}
	if (zalloc_pagemap_reserve(&sb->map, (unsigned long)p,
				   (unsigned long)p + len, gfp))
		return NULL;	/* The bytes stay the provider's until destroy. */
	sbrk_count(sb, ZALLOC_SBRK_BRK_BYTES, len);
	zalloc_count_backing(&sb->inst, len);
	zalloc_stats_sample_peak(&sb->inst.stats);
	return p;
}

/* [@p, @p + @len) came from the break: free-list links may point there. */
static void sbrk_note_brk(struct zalloc_sbrk *sb, void *p, size_t len)
{
	unsigned long a = (unsigned long)p;

	lockdep_assert_held(&sb->lock);
	if (!sb->brk_lo || a < sb->brk_lo)
		sb->brk_lo = a;
	sb->brk_hi = max(sb->brk_hi, a + len);
}

/*
 * Can @next follow free block @p, @left blocks before the end of a list of
 * @size-byte blocks aligned to @align?  The last link is NULL and no other
 * is; no block links to itself, and every block lies in the break's range.
 */
static bool sbrk_link_ok(const struct zalloc_sbrk *sb, const void *p,
			 const void *next, unsigned long left, size_t size,
			 size_t align)
{
	unsigned long n = (unsigned long)next;

	if (left <= 1)
		return !next;
	return next && next != p && IS_ALIGNED(n, align) &&
	       n >= sb->brk_lo && n < sb->brk_hi && sb->brk_hi - n >= size;
}

/* A bad link in free block @p: report it and drop the whole list. */
static void sbrk_drop_list(struct zalloc_sbrk *sb, void **head,
			   unsigned long *nr_free, const void *p, size_t size,
			   const char *kind)
{
	sbrk_count(sb, ZALLOC_SBRK_CORRUPT_LISTS, 1);
	pr_err_ratelimited("sbrk %s: free list of %zu-byte %s blocks corrupted at %p, dropping %lu blocks\n",
			   sbrk_name(sb), size, kind, p, *nr_free);
	*head = NULL;
	*nr_free = 0;
}

static void sbrk_push_big(struct zalloc_sbrk *sb, void *p, unsigned int k)
{
	zalloc_link_set(p, sb->big_frees[k], sb->link_key);
	sb->big_frees[k] = p;
	sb->big_nr_free[k]++;
	sbrk_tag(sb, (unsigned long)p, SB_TAG_BIG | SB_TAG_FREE | k);
}

/* Put [@addr, @addr + @len), whole big pages, on the big free lists. */
static void sbrk_push_run(struct zalloc_sbrk *sb, unsigned long addr,
			  unsigned long len)
{
	unsigned int k;

	while (len) {
		k = ilog2(len >> ZALLOC_SBRK_BIGPAGE_SHIFT);
		sbrk_push_big(sb, (void *)addr, k);
		addr += sbrk_big_size(k);
		len -= sbrk_big_size(k);
	}
}

/*
 * A free big block of class @k aligned to @align, or NULL; every link is
 * checked before it is followed, and a bad one drops the list.
 */
static void *sbrk_big_take(struct zalloc_sbrk *sb, unsigned int k,
			   size_t align)
{
	unsigned long left = sb->big_nr_free[k];
	size_t size = sbrk_big_size(k);
	void *prev = NULL, *p, *next;

	lockdep_assert_held(&sb->lock);
	for (p = sb->big_frees[k]; p; prev = p, p = next, left--) {
		next = zalloc_link_get(p, sb->link_key);
		if (unlikely(!sbrk_link_ok(sb, p, next, left, size,
					   SBRK_BIG))) {
			sbrk_drop_list(sb, &sb->big_frees[k],
				       &sb->big_nr_free[k], p, size, "big");
			return NULL;
		}
		if (IS_ALIGNED((unsigned long)p, align)) {
			if (prev)
				zalloc_link_set(prev, next, sb->link_key);
			else
				sb->big_frees[k] = next;
			sb->big_nr_free[k]--;
			sbrk_tag(sb, (unsigned long)p, SB_TAG_BIG | k);
			return p;
		}
	}
	return NULL;
}

/* A block of small class @class from its free list, bump or a big page. */
static void *sbrk_small_take(struct zalloc_sbrk *sb, unsigned int class)
{
	size_t size = sbrk_size(class);
	void *p = sb->frees[class], *next;

	lockdep_assert_held(&sb->lock);
	if (p) {
		next = zalloc_link_get(p, sb->link_key);
		if (likely(sbrk_link_ok(sb, p, next, sb->nr_free[class], size,
					size))) {
			sb->frees[class] = next;
			sb->nr_free[class]--;
			return p;
		}
		sbrk_drop_list(sb, &sb->frees[class], &sb->nr_free[class], p,
			       size, "small");
	}
	if (sb->next_addrs[class] & (SBRK_BIG - 1)) {
		p = (void *)sb->next_addrs[class];
		sb->next_addrs[class] += size;
		return p;
	}
	p = sbrk_big_take(sb, 0, 1);
	if (!p)
		return NULL;
	sbrk_tag(sb, (unsigned long)p, SB_TAG_SMALL | class);
	sb->small_bigpages++;
	sb->next_addrs[class] = (unsigned long)p + size;
	return p;
}

static void *sbrk_alloc_small(struct zalloc_sbrk *sb, unsigned int class,
			      gfp_t gfp, unsigned long ip)
{
	unsigned long flags;
	void *p, *fresh;

	raw_spin_lock_irqsave(&sb->lock, flags);
	p = sbrk_small_take(sb, class);
	if (!p) {
		raw_spin_unlock_irqrestore(&sb->lock, flags);
		fresh = sbrk_grow(sb, SBRK_BIG, gfp);
		if (!fresh)
			return NULL;
		raw_spin_lock_irqsave(&sb->lock, flags);
		sbrk_note_brk(sb, fresh, SBRK_BIG);
		sbrk_push_big(sb, fresh, 0);
		p = sbrk_small_take(sb, class);
	}
	sb->live[class]++;
	sb->ip[class] = ip;
	raw_spin_unlock_irqrestore(&sb->lock, flags);
	zalloc_init_on_alloc(p, sbrk_size(class));
	return p;
}

static void *sbrk_alloc_big(struct zalloc_sbrk *sb, size_t len, size_t align,
			    gfp_t gfp, unsigned long ip)
{
	unsigned int k = sbrk_big_class(len, align);
	size_t size = sbrk_big_size(k);
	size_t pad = align > SBRK_BIG ? align - SBRK_BIG : 0;
	unsigned long flags, start, p;
	void *fresh;

	if (k >= SBRK_NR_BIG)
		return NULL;
	raw_spin_lock_irqsave(&sb->lock, flags);
	p = (unsigned long)sbrk_big_take(sb, k, align);
	if (p)
		goto out;
	raw_spin_unlock_irqrestore(&sb->lock, flags);

	fresh = sbrk_grow(sb, size + pad, gfp);
	if (!fresh)
		return NULL;
	start = (unsigned long)fresh;
	p = ALIGN(start, max_t(size_t, align, SBRK_BIG));
	raw_spin_lock_irqsave(&sb->lock, flags);
	sbrk_note_brk(sb, fresh, size + pad);
	sbrk_push_run(sb, start, p - start);
	sbrk_push_run(sb, p + size, start + size + pad - (p + size));
	sbrk_tag(sb, p, SB_TAG_BIG | k);
out:
	sb->big_live[k]++;
	sb->big_ip[k] = ip;
	raw_spin_unlock_irqrestore(&sb->lock, flags);
	zalloc_init_on_alloc((void *)p, len);
	return (void *)p;
}

static void *sbrk_alloc(void *ctx, size_t len, size_t align, gfp_t gfp,
			unsigned long ip)
{
	struct zalloc_sbrk *sb = to_sbrk(ctx);
	unsigned int class = sbrk_class(len, align);
	void *p = NULL;

	might_alloc(gfp);
	if (unlikely(in_nmi()))
		goto out;
	if (class < SBRK_NR)
		p = sbrk_alloc_small(sb, class, gfp, ip);
	else
		p = sbrk_alloc_big(sb, len, align, gfp, ip);
out:
	zalloc_count_alloc(&sb->inst, p, len);
	return p;
}

enum sbrk_verdict {
	SBRK_FREE_OK,
	SBRK_FREE_INVALID,
	SBRK_FREE_DOUBLE,
};

/*
 * Is @p a block of small class @class the break carved?  Its big page must
 * be carved into that class, @p on a block boundary below the bump.
 */
static bool sbrk_is_small(const struct zalloc_sbrk *sb, const void *p,
			  unsigned int class)
{
	unsigned long a = (unsigned long)p, next = sb->next_addrs[class];

	if (sbrk_tag_of(sb, a) != (SB_TAG_SMALL | class) ||
	    !IS_ALIGNED(a, sbrk_size(class)))
		return false;
	/* The class's current big page is carved only up to next_addrs. */
	return (a & ~(SBRK_BIG - 1)) != (next & ~(SBRK_BIG - 1)) ||
	       !(next & (SBRK_BIG - 1)) || a < next;
}

/* Is @p the head of a live big block of class @k? */
static enum sbrk_verdict sbrk_check_big(const struct zalloc_sbrk *sb,
					const void *p, unsigned int k)
{
	unsigned long tag;

	if (k >= SBRK_NR_BIG || !IS_ALIGNED((unsigned long)p, SBRK_BIG))
		return SBRK_FREE_INVALID;
	tag = sbrk_tag_of(sb, (unsigned long)p);
	if (tag == (SB_TAG_BIG | SB_TAG_FREE | k))
		return SBRK_FREE_DOUBLE;
	return tag == (SB_TAG_BIG | k) ? SBRK_FREE_OK : SBRK_FREE_INVALID;
}

/* Is @p a live block of @len bytes at @align?  Under the lock. */
static enum sbrk_verdict sbrk_check(const struct zalloc_sbrk *sb,
				    const void *p, size_t len, size_t align)
{
	unsigned int class = sbrk_class(len, align);

	lockdep_assert_held(&sb->lock);
	if (class >= SBRK_NR)
		return sbrk_check_big(sb, p, sbrk_big_class(len, align));
	if (!sbrk_is_small(sb, p, class))
		return SBRK_FREE_INVALID;
	if (!sb->live[class] || sb->frees[class] == p)
		return SBRK_FREE_DOUBLE;
	return SBRK_FREE_OK;
}

static void sbrk_report(struct zalloc_sbrk *sb, enum sbrk_verdict v,
			const char *what, const void *p, size_t len,
			size_t align, unsigned long ip)
{
	sbrk_count(sb, v == SBRK_FREE_DOUBLE ? ZALLOC_SBRK_DOUBLE_FREES :
					       ZALLOC_SBRK_INVALID_FREES, 1);
	pr_err_ratelimited("sbrk %s: %s %s of %p (%zu bytes, align %zu) by %pS, refused\n",
			   sbrk_name(sb), v == SBRK_FREE_DOUBLE ? "double" :
			   "invalid", what, p, len, align, (void *)ip);
}

/*
 * Zig: "never move between size classes, but recover bytes between powers
 * of two".  The block is checked first.
 */
static bool sbrk_relen(struct zalloc_sbrk *sb, const char *what, void *p,
		       size_t len, size_t align, size_t new_len,
		       unsigned long ip)
{
	unsigned int class = sbrk_class(len, align);
	unsigned int new_class = sbrk_class(new_len, align);
	enum sbrk_verdict v;
	unsigned long flags;

	raw_spin_lock_irqsave(&sb->lock, flags);
	v = sbrk_check(sb, p, len, align);
	raw_spin_unlock_irqrestore(&sb->lock, flags);
	if (v != SBRK_FREE_OK) {
		sbrk_report(sb, v, what, p, len, align, ip);
		return false;
	}
	if (class < SBRK_NR || new_class < SBRK_NR)
		return class == new_class;
	return sbrk_big_class(len, align) == sbrk_big_class(new_len, align);
}

static bool sbrk_resize(void *ctx, void *ptr, size_t len, size_t align,
			size_t new_len, gfp_t gfp, unsigned long ip)
{
	struct zalloc_sbrk *sb = to_sbrk(ctx);
	bool ok = sbrk_relen(sb, "resize", ptr, len, align, new_len, ip);

	zalloc_count_resize(&sb->inst, ok, len, new_len);
	return ok;
}

static void *sbrk_remap(void *ctx, void *ptr, size_t len, size_t align,
			size_t new_len, gfp_t gfp, unsigned long ip)
{
	struct zalloc_sbrk *sb = to_sbrk(ctx);
	void *p = sbrk_relen(sb, "remap", ptr, len, align, new_len, ip) ?
		  ptr : NULL;

	zalloc_count_remap(&sb->inst, ptr, p, len, new_len);
	return p;
}

/* Put a checked, live block back on its free list.  Under the lock. */
static void sbrk_put(struct zalloc_sbrk *sb, void *p, size_t len,
		     size_t align)
{
	unsigned int class = sbrk_class(len, align), k;

	if (class < SBRK_NR) {
		zalloc_link_set(p, sb->frees[class], sb->link_key);
		sb->frees[class] = p;
		sb->nr_free[class]++;
		sb->live[class]--;
		return;
	}
	k = sbrk_big_class(len, align);
	sbrk_push_big(sb, p, k);
	sb->big_live[k]--;
}

static void sbrk_free(void *ctx, void *ptr, size_t len, size_t align,
		      unsigned long ip)
{
	struct zalloc_sbrk *sb = to_sbrk(ctx);
	enum sbrk_verdict v;
	unsigned long flags;

	raw_spin_lock_irqsave(&sb->lock, flags);
	v = sbrk_check(sb, ptr, len, align);
	if (likely(v == SBRK_FREE_OK)) {
		zalloc_init_on_free(ptr, len);
		sbrk_put(sb, ptr, len, align);
	}
	raw_spin_unlock_irqrestore(&sb->lock, flags);
	if (likely(v == SBRK_FREE_OK))
		zalloc_count_free(&sb->inst, len);
	else
		sbrk_report(sb, v, "free", ptr, len, align, ip);
}

static const struct zalloc_ops sbrk_ops = {
	.alloc	= sbrk_alloc,
	.resize	= sbrk_resize,
	.remap	= sbrk_remap,
	.free	= sbrk_free,
};

/* The kind's read: what the counters do not hold, under the lock. */
static void sbrk_read(struct zalloc_instance *inst, unsigned long *v)
{
	struct zalloc_sbrk *sb = to_sbrk(inst);
	unsigned long flags;
	unsigned int i;

	v[ZALLOC_SBRK_BIGPAGE_BYTES] = SBRK_BIG;
	v[ZALLOC_SBRK_LIVE_SMALL] = 0;
	v[ZALLOC_SBRK_FREE_SMALL] = 0;
	v[ZALLOC_SBRK_LIVE_BIG] = 0;
	v[ZALLOC_SBRK_FREE_BIG] = 0;
	v[ZALLOC_SBRK_FREE_BIG_BYTES] = 0;
	raw_spin_lock_irqsave(&sb->lock, flags);
	for (i = 0; i < SBRK_NR; i++) {
		v[ZALLOC_SBRK_LIVE_SMALL] += sb->live[i];
		v[ZALLOC_SBRK_FREE_SMALL] += sb->nr_free[i];
	}
	for (i = 0; i < SBRK_NR_BIG; i++) {
		v[ZALLOC_SBRK_LIVE_BIG] += sb->big_live[i];
		v[ZALLOC_SBRK_FREE_BIG] += sb->big_nr_free[i];
		v[ZALLOC_SBRK_FREE_BIG_BYTES] += sb->big_nr_free[i] *
						 sbrk_big_size(i);
	}
	v[ZALLOC_SBRK_SMALL_BIGPAGES] = sb->small_bigpages;
	raw_spin_unlock_irqrestore(&sb->lock, flags);
}

static void sbrk_show(struct seq_file *m, struct zalloc_instance *inst)
{
	seq_printf(m, "provider %s\n", to_sbrk(inst)->prov->name);
}

/* Small classes by size; big classes that were ever used, as "big". */
static void sbrk_show_classes(struct seq_file *m, struct zalloc_instance *inst)
{
	unsigned long live[SBRK_NR], nfree[SBRK_NR];
	unsigned long blive[SBRK_NR_BIG], bfree[SBRK_NR_BIG];
	struct zalloc_sbrk *sb = to_sbrk(inst);
	unsigned long flags;
	unsigned int i;

	raw_spin_lock_irqsave(&sb->lock, flags);
	memcpy(live, sb->live, sizeof(live));
	memcpy(nfree, sb->nr_free, sizeof(nfree));
	memcpy(blive, sb->big_live, sizeof(blive));
	memcpy(bfree, sb->big_nr_free, sizeof(bfree));
	raw_spin_unlock_irqrestore(&sb->lock, flags);

	seq_printf(m, "%5s %5s %12s %10s %10s\n", "class", "kind", "size",
		   "live", "free");
	for (i = 0; i < SBRK_NR; i++)
		seq_printf(m, "%5u %5s %12zu %10lu %10lu\n", i, "small",
			   sbrk_size(i), live[i], nfree[i]);
	for (i = 0; i < SBRK_NR_BIG; i++)
		if (blive[i] || bfree[i])
			seq_printf(m, "%5u %5s %12zu %10lu %10lu\n", i, "big",
				   sbrk_big_size(i), blive[i], bfree[i]);
}


/**
 * struct sbrk_args - the provider, for the kind's init
 * @prov: the provider
 * @taken: the init took it (from then on the fini destroys it)
 */
struct sbrk_args {
	struct zalloc_sbrk_provider *prov;
	bool taken;
};

/* The kind's init: the provider is the instance's from now on. */
static int sbrk_init(struct zalloc_instance *inst, const void *arg)
{
	struct sbrk_args *a = (struct sbrk_args *)arg;
	struct zalloc_sbrk *sb = to_sbrk(inst);

	unsigned long start, end;
	int err;

	err = zalloc_pagemap_init(&sb->map, GFP_KERNEL);
	if (err)
		return err;
	/* A provider with a fixed range: its tags never need memory later. */
	if (a->prov->ops->range) {
		a->prov->ops->range(a->prov, &start, &end);
		err = zalloc_pagemap_reserve(&sb->map, start, end, GFP_KERNEL);
		if (err) {
			zalloc_pagemap_destroy(&sb->map);
			return err;
		}
	}
	sb->prov = a->prov;
	a->taken = true;
	sb->link_key = get_random_long();
	raw_spin_lock_init(&sb->lock);
	lockdep_set_class(&sb->lock, &inst->key);
	return 0;
}

/* The kind's fini: report live blocks, give everything back. */
static unsigned long sbrk_fini(struct zalloc_instance *inst)
{
	struct zalloc_sbrk *sb = to_sbrk(inst);
	unsigned long live = 0, brk;
	unsigned int i;

	for (i = 0; i < SBRK_NR; i++) {
		if (!sb->live[i])
			continue;
		live += sb->live[i];
		pr_err("sbrk %s: destroyed with %lu live %zu-byte blocks, one allocated by %pS\n",
		       sbrk_name(sb), sb->live[i], sbrk_size(i),
		       (void *)sb->ip[i]);
	}
	for (i = 0; i < SBRK_NR_BIG; i++) {
		if (!sb->big_live[i])
			continue;
		live += sb->big_live[i];
		pr_err("sbrk %s: destroyed with %lu live %zu-byte big blocks, one allocated by %pS\n",
		       sbrk_name(sb), sb->big_live[i], sbrk_big_size(i),
		       (void *)sb->big_ip[i]);
	}
	zalloc_stats_sum(&inst->stats, &brk,
			 NR_ZALLOC_STATS + ZALLOC_SBRK_BRK_BYTES, 1);
	sb->prov->ops->destroy(sb->prov);
	zalloc_pagemap_destroy(&sb->map);
	zalloc_count_backing(inst, -(long)brk);
	return live;
}

const struct zalloc_kind zalloc_kind_sbrk = {
	.name		= "sbrk",
	.ops		= &sbrk_ops,
	.size		= sizeof(struct zalloc_sbrk),
	.counters	= sbrk_counters,
	.nr_events	= ZALLOC_SBRK_NR_EVENTS,
	.nr_counters	= NR_ZALLOC_SBRK_COUNTERS,
	.read		= sbrk_read,
	.show		= sbrk_show,
	.show_classes	= sbrk_show_classes,
	.init		= sbrk_init,
	.fini		= sbrk_fini,
};

/**
 * __zalloc_sbrk_create() - create an sbrk allocator over a break provider
 * @name: debugfs name (registry.h), or NULL to stay out of debugfs; also
 *	used in reports
 * @prov: where memory comes from, e.g. zalloc_sbrk_region_create(size) or
 *	zalloc_sbrk_pages_create(); the instance owns it from now on, and
 *	destroys it if creation fails.  NULL gives NULL, so a failed provider
 *	creation can be passed straight in.
 * @flags: ZALLOC_F_DEBUG, ZALLOC_F_NODEBUG or 0 (include/zalloc/debug.h)
 * @owner: the module @name belongs to; zalloc_sbrk_create() passes
 *	THIS_MODULE
 *
 * zalloc_destroy() destroys the instance and its provider.
 *
 * Context: process context; may sleep.
 * Return: the allocator, or NULL.
 */
struct zalloc *__zalloc_sbrk_create(const char *name,
				    struct zalloc_sbrk_provider *prov,
				    unsigned int flags, struct module *owner)
{
	struct sbrk_args args = { .prov = prov };
	struct zalloc_setup s = {
		.name = name, .flags = flags, .gfp = GFP_KERNEL, .owner = owner,
		.arg = &args,
	};
	struct zalloc_instance *inst;

	if (!prov)
		return NULL;
	inst = zalloc_instance_create(&zalloc_kind_sbrk, &s);
	if (IS_ERR(inst)) {
		if (!args.taken)
			prov->ops->destroy(prov);
		return NULL;
	}
	return &inst->za;
}
EXPORT_SYMBOL_NS_GPL(__zalloc_sbrk_create, ZALLOC_NS);

/*
 * zalloc_sbrk_allocator - the global sbrk allocator, over buddy pages,
 * registered as "sbrk".  Its ctx and ops are its instance's, set at module
 * init (debug mode changes the ops).
 */
struct zalloc zalloc_sbrk_allocator __ro_after_init;
EXPORT_SYMBOL_NS_GPL(zalloc_sbrk_allocator, ZALLOC_NS);

int zalloc_sbrk_init(void)
{
	struct sbrk_args args = { .prov = zalloc_sbrk_pages_create() };
	struct zalloc_setup s = {
		.name = "sbrk", .gfp = GFP_KERNEL, .owner = THIS_MODULE,
		.arg = &args,
	};
	int err;

	if (!args.prov)
		return -ENOMEM;
	err = zalloc_instance_setup(&sbrk_global.inst, &zalloc_kind_sbrk, &s);
	if (err) {
		if (!args.taken)
			args.prov->ops->destroy(args.prov);
		return err;
	}
	zalloc_sbrk_allocator = sbrk_global.inst.za;
	return 0;
}

void zalloc_sbrk_exit(void)
{
	zalloc_instance_teardown(&sbrk_global.inst);
}
