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

#define SBRK_BIG		ZALLOC_SBRK_BIGPAGE
#define SBRK_NR			ZALLOC_SBRK_NR_CLASSES
#define SBRK_NR_BIG		ZALLOC_SBRK_NR_BIG

/**
 * struct zalloc_sbrk - an sbrk allocator instance
 * @za: its struct zalloc
 * @dbg: the debug-mode core, or NULL in normal mode (fixed after create);
 *	in debug mode @za is its struct zalloc, whose inner is the normal one
 * @inst: statistics and debugfs
 * @name: the name reports use
 * @prov: where memory comes from; owned
 * @lock: protects the rest; IRQs off while held
 * @key: lockdep class of @lock
 * @dynamic: @key was registered (private instances)
 * @link_key: random key the free-list links are encoded with (fixed)
 * @brk_bytes: bytes taken from @prov (atomic, no lock)
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
 * @double_frees: frees refused as double frees
 * @invalid_frees: frees refused as impossible
 * @corrupt_lists: free lists found corrupted and dropped
 */
struct zalloc_sbrk {
	struct zalloc za;
	struct zalloc_debug *dbg;
	struct zalloc_instance inst;
	char name[ZALLOC_NAME_MAX];
	struct zalloc_sbrk_provider *prov;
	spinlock_t lock;	/* see the file header */
	struct lock_class_key key;
	bool dynamic;
	unsigned long link_key;
	atomic_long_t brk_bytes;
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
	unsigned long double_frees;
	unsigned long invalid_frees;
	unsigned long corrupt_lists;
};

static const struct zalloc_ops sbrk_ops;
static struct zalloc_sbrk sbrk_global;

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
	return sb->name[0] ? sb->name : "(unnamed)";
}

/* Move the break; no lock held. */
static void *sbrk_grow(struct zalloc_sbrk *sb, size_t len, gfp_t gfp)
{
	void *p = sb->prov->ops->sbrk(sb->prov, len, gfp);

	if (!p)
		return NULL;
	if (!IS_ALIGNED((unsigned long)p, SBRK_BIG)) {
		/* A broken provider: its memory is lost, not used wrongly. */
		pr_err_ratelimited("zalloc: sbrk %s: provider %s returned %p, not aligned to %lu\n",
				   sbrk_name(sb), sb->prov->name, p, SBRK_BIG);
		return NULL;
	}
	atomic_long_add(len, &sb->brk_bytes);
	zalloc_stat_add(&sb->inst.stats, ZALLOC_STAT_BACKING_ALLOC, len);
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
	sb->corrupt_lists++;
	pr_err_ratelimited("zalloc: sbrk %s: free list of %zu-byte %s blocks corrupted at %p, dropping %lu blocks\n",
			   sbrk_name(sb), size, kind, p, *nr_free);
	*head = NULL;
	*nr_free = 0;
}

static void sbrk_push_big(struct zalloc_sbrk *sb, void *p, unsigned int k)
{
	zalloc_link_set(p, sb->big_frees[k], sb->link_key);
	sb->big_frees[k] = p;
	sb->big_nr_free[k]++;
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
	sb->small_bigpages++;
	sb->next_addrs[class] = (unsigned long)p + size;
	return p;
}

static void *sbrk_alloc_small(struct zalloc_sbrk *sb, unsigned int class,
			      gfp_t gfp, unsigned long ip)
{
	unsigned long flags;
	void *p, *fresh;

	spin_lock_irqsave(&sb->lock, flags);
	p = sbrk_small_take(sb, class);
	if (!p) {
		spin_unlock_irqrestore(&sb->lock, flags);
		fresh = sbrk_grow(sb, SBRK_BIG, gfp);
		if (!fresh)
			return NULL;
		spin_lock_irqsave(&sb->lock, flags);
		sbrk_note_brk(sb, fresh, SBRK_BIG);
		sbrk_push_big(sb, fresh, 0);
		p = sbrk_small_take(sb, class);
	}
	sb->live[class]++;
	sb->ip[class] = ip;
	spin_unlock_irqrestore(&sb->lock, flags);
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
	spin_lock_irqsave(&sb->lock, flags);
	p = (unsigned long)sbrk_big_take(sb, k, align);
	if (p)
		goto out;
	spin_unlock_irqrestore(&sb->lock, flags);

	fresh = sbrk_grow(sb, size + pad, gfp);
	if (!fresh)
		return NULL;
	start = (unsigned long)fresh;
	p = ALIGN(start, max_t(size_t, align, SBRK_BIG));
	spin_lock_irqsave(&sb->lock, flags);
	sbrk_note_brk(sb, fresh, size + pad);
	sbrk_push_run(sb, start, p - start);
	sbrk_push_run(sb, p + size, start + size + pad - (p + size));
out:
	sb->big_live[k]++;
	sb->big_ip[k] = ip;
	spin_unlock_irqrestore(&sb->lock, flags);
	return (void *)p;
}

static void *sbrk_alloc(void *ctx, size_t len, size_t align, gfp_t gfp,
			unsigned long ip)
{
	struct zalloc_sbrk *sb = ctx;
	unsigned int class = sbrk_class(len, align);
	void *p = NULL;

	might_alloc(gfp);
	if (unlikely(in_nmi()))
		goto out;
	if (class < SBRK_NR)
		p = sbrk_alloc_small(sb, class, gfp, ip);
	else
		p = sbrk_alloc_big(sb, len, align, gfp, ip);
	if (p && (gfp & __GFP_ZERO))
		memset(p, 0, len);
out:
	zalloc_stat_alloc(&sb->inst.stats, p, len);
	return p;
}

/*
 * Zig: "never move between size classes, but recover bytes between powers
 * of two".
 */
static bool sbrk_relen(size_t len, size_t align, size_t new_len)
{
	unsigned int class = sbrk_class(len, align);
	unsigned int new_class = sbrk_class(new_len, align);

	if (class < SBRK_NR || new_class < SBRK_NR)
		return class == new_class;
	return sbrk_big_class(len, align) == sbrk_big_class(new_len, align);
}

static bool sbrk_resize(void *ctx, void *ptr, size_t len, size_t align,
			size_t new_len, gfp_t gfp, unsigned long ip)
{
	struct zalloc_sbrk *sb = ctx;
	bool ok = sbrk_relen(len, align, new_len);

	zalloc_stat_resize(&sb->inst.stats, ok, len, new_len);
	return ok;
}

static void *sbrk_remap(void *ctx, void *ptr, size_t len, size_t align,
			size_t new_len, gfp_t gfp, unsigned long ip)
{
	struct zalloc_sbrk *sb = ctx;
	void *p = sbrk_relen(len, align, new_len) ? ptr : NULL;

	zalloc_stat_remap(&sb->inst.stats, ptr, p, len, new_len);
	return p;
}

enum sbrk_verdict {
	SBRK_FREE_OK,
	SBRK_FREE_INVALID,
	SBRK_FREE_DOUBLE,
};

static enum sbrk_verdict sbrk_free_small(struct zalloc_sbrk *sb, void *p,
					 unsigned int class)
{
	if (!IS_ALIGNED((unsigned long)p, sbrk_size(class)))
		return SBRK_FREE_INVALID;
	if (!sb->live[class] || sb->frees[class] == p)
		return SBRK_FREE_DOUBLE;
	zalloc_link_set(p, sb->frees[class], sb->link_key);
	sb->frees[class] = p;
	sb->nr_free[class]++;
	sb->live[class]--;
	return SBRK_FREE_OK;
}

static enum sbrk_verdict sbrk_free_big(struct zalloc_sbrk *sb, void *p,
				       unsigned int k)
{
	if (k >= SBRK_NR_BIG || !IS_ALIGNED((unsigned long)p, SBRK_BIG))
		return SBRK_FREE_INVALID;
	if (!sb->big_live[k] || sb->big_frees[k] == p)
		return SBRK_FREE_DOUBLE;
	sbrk_push_big(sb, p, k);
	sb->big_live[k]--;
	return SBRK_FREE_OK;
}

static void sbrk_free(void *ctx, void *ptr, size_t len, size_t align,
		      unsigned long ip)
{
	struct zalloc_sbrk *sb = ctx;
	unsigned int class = sbrk_class(len, align);
	enum sbrk_verdict v;
	unsigned long flags;

	spin_lock_irqsave(&sb->lock, flags);
	if (class < SBRK_NR)
		v = sbrk_free_small(sb, ptr, class);
	else
		v = sbrk_free_big(sb, ptr, sbrk_big_class(len, align));
	if (v == SBRK_FREE_DOUBLE)
		sb->double_frees++;
	else if (v == SBRK_FREE_INVALID)
		sb->invalid_frees++;
	spin_unlock_irqrestore(&sb->lock, flags);

	if (v == SBRK_FREE_OK) {
		zalloc_stat_free(&sb->inst.stats, len);
		return;
	}
	pr_err_ratelimited("zalloc: sbrk %s: %s free of %p (%zu bytes, align %zu) by %pS, refused\n",
			   sbrk_name(sb), v == SBRK_FREE_DOUBLE ? "double" :
			   "invalid", ptr, len, align, (void *)ip);
}

static const struct zalloc_ops sbrk_ops = {
	.alloc	= sbrk_alloc,
	.resize	= sbrk_resize,
	.remap	= sbrk_remap,
	.free	= sbrk_free,
};

/**
 * zalloc_sbrk_info() - a snapshot of an sbrk instance
 * @sb: the instance
 * @info: where to put it
 *
 * Context: any context but NMI.
 */
void zalloc_sbrk_info(struct zalloc_sbrk *sb, struct zalloc_sbrk_info *info)
{
	unsigned long flags;
	unsigned int i;

	memset(info, 0, sizeof(*info));
	spin_lock_irqsave(&sb->lock, flags);
	for (i = 0; i < SBRK_NR; i++) {
		info->live_small += sb->live[i];
		info->free_small += sb->nr_free[i];
	}
	for (i = 0; i < SBRK_NR_BIG; i++) {
		info->live_big += sb->big_live[i];
		info->free_big += sb->big_nr_free[i];
		info->free_big_bytes += sb->big_nr_free[i] * sbrk_big_size(i);
	}
	info->small_bigpages = sb->small_bigpages;
	info->double_frees = sb->double_frees;
	info->invalid_frees = sb->invalid_frees;
	info->corrupt_lists = sb->corrupt_lists;
	spin_unlock_irqrestore(&sb->lock, flags);
	info->brk_bytes = atomic_long_read(&sb->brk_bytes);
}
EXPORT_SYMBOL_NS_GPL(zalloc_sbrk_info, ZALLOC_NS);

static struct zalloc_sbrk *sbrk_of_inst(struct zalloc_instance *inst)
{
	return container_of(inst, struct zalloc_sbrk, inst);
}

static void sbrk_show_stats(struct seq_file *m, struct zalloc_instance *inst)
{
	struct zalloc_sbrk *sb = sbrk_of_inst(inst);
	struct zalloc_sbrk_info info;

	zalloc_sbrk_info(sb, &info);
	seq_printf(m, "provider %s\n", sb->prov->name);
	seq_printf(m, "bigpage_bytes %lu\n", SBRK_BIG);
	seq_printf(m, "brk_bytes %lu\n", info.brk_bytes);
	seq_printf(m, "small_bigpages %lu\n", info.small_bigpages);
	seq_printf(m, "live_small %lu\n", info.live_small);
	seq_printf(m, "live_big %lu\n", info.live_big);
	seq_printf(m, "free_small %lu\n", info.free_small);
	seq_printf(m, "free_big %lu\n", info.free_big);
	seq_printf(m, "free_big_bytes %lu\n", info.free_big_bytes);
	seq_printf(m, "double_frees %lu\n", info.double_frees);
	seq_printf(m, "invalid_frees %lu\n", info.invalid_frees);
	seq_printf(m, "corrupt_free_lists %lu\n", info.corrupt_lists);
}

/* Small classes by size; big classes that were ever used, as "big". */
static void sbrk_show_classes(struct seq_file *m, struct zalloc_instance *inst)
{
	unsigned long live[SBRK_NR], nfree[SBRK_NR];
	unsigned long blive[SBRK_NR_BIG], bfree[SBRK_NR_BIG];
	struct zalloc_sbrk *sb = sbrk_of_inst(inst);
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&sb->lock, flags);
	memcpy(live, sb->live, sizeof(live));
	memcpy(nfree, sb->nr_free, sizeof(nfree));
	memcpy(blive, sb->big_live, sizeof(blive));
	memcpy(bfree, sb->big_nr_free, sizeof(bfree));
	spin_unlock_irqrestore(&sb->lock, flags);

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

static const struct zalloc_instance_ops sbrk_iops = {
	.show_stats	= sbrk_show_stats,
	.show_classes	= sbrk_show_classes,
};

static int sbrk_setup(struct zalloc_sbrk *sb, const char *name,
		      struct zalloc_sbrk_provider *prov, struct module *owner)
{
	int err;

	sb->za.ctx = sb;
	sb->za.ops = &sbrk_ops;
	sb->prov = prov;
	strscpy(sb->name, name ? name : "", sizeof(sb->name));
	sb->link_key = get_random_long();
	spin_lock_init(&sb->lock);
	lockdep_set_class(&sb->lock, &sb->key);
	atomic_long_set(&sb->brk_bytes, 0);
	err = zalloc_instance_init(&sb->inst, "sbrk", &sbrk_iops, GFP_KERNEL);
	if (err)
		return err;
	if (name) {
		err = __zalloc_instance_register(&sb->inst, name, owner);
		if (err)
			zalloc_instance_destroy(&sb->inst);
	}
	return err;
}

/* Report live blocks, give everything back; return how many were live. */
static unsigned long sbrk_teardown(struct zalloc_sbrk *sb)
{
	unsigned long live;
	unsigned int i;

	/* Debug-mode leaks are reported and their blocks freed first. */
	live = zalloc_debug_detach(&sb->dbg, true);
	zalloc_instance_unregister(&sb->inst);
	for (i = 0; i < SBRK_NR; i++) {
		if (!sb->live[i])
			continue;
		live += sb->live[i];
		pr_err("zalloc: sbrk %s: destroyed with %lu live %zu-byte blocks, one allocated by %pS\n",
		       sbrk_name(sb), sb->live[i], sbrk_size(i),
		       (void *)sb->ip[i]);
	}
	for (i = 0; i < SBRK_NR_BIG; i++) {
		if (!sb->big_live[i])
			continue;
		live += sb->big_live[i];
		pr_err("zalloc: sbrk %s: destroyed with %lu live %zu-byte big blocks, one allocated by %pS\n",
		       sbrk_name(sb), sb->big_live[i], sbrk_big_size(i),
		       (void *)sb->big_ip[i]);
	}
	sb->prov->ops->destroy(sb->prov);
	zalloc_stat_add(&sb->inst.stats, ZALLOC_STAT_BACKING_FREE,
			atomic_long_read(&sb->brk_bytes));
	zalloc_instance_destroy(&sb->inst);
	return live;
}

/**
 * __zalloc_sbrk_create() - create an sbrk allocator over a break provider
 * @name: debugfs name (see zalloc_instance_register()), or NULL to stay
 *	out of debugfs; also used in reports
 * @prov: where memory comes from, e.g. zalloc_sbrk_region_create(size) or
 *	zalloc_sbrk_pages_create(); the instance owns it from now on, and
 *	destroys it if creation fails.  NULL gives NULL, so a failed provider
 *	creation can be passed straight in.
 * @flags: ZALLOC_F_DEBUG, ZALLOC_F_NODEBUG or 0 (the zalloc.debug default);
 *	see include/zalloc/zalloc.h.  In debug mode every block is also a
 *	separate allocation with red zones (include/zalloc/debug.h)
 * @owner: the module @name belongs to; zalloc_sbrk_create() passes
 *	THIS_MODULE
 *
 * Context: process context; may sleep.
 * Return: the instance, or NULL.
 */
struct zalloc_sbrk *__zalloc_sbrk_create(const char *name,
					 struct zalloc_sbrk_provider *prov,
					 unsigned int flags,
					 struct module *owner)
{
	int debug = zalloc_debug_instance_flags(flags, 0);
	struct zalloc_sbrk *sb;

	if (!prov)
		return NULL;
	if (debug < 0) {
		pr_warn_ratelimited("zalloc: sbrk: bad flags %#x\n", flags);
		goto destroy_prov;
	}
	sb = kzalloc(sizeof(*sb), GFP_KERNEL);
	if (!sb)
		goto destroy_prov;
	lockdep_register_key(&sb->key);
	sb->dynamic = true;
	if (sbrk_setup(sb, name, prov, owner))
		goto free_sb;
	if (debug && zalloc_debug_attach(&sb->za, &sb->dbg, sbrk_name(sb),
					 &sb->inst, GFP_KERNEL)) {
		sbrk_teardown(sb);	/* destroys @prov */
		lockdep_unregister_key(&sb->key);
		kfree(sb);
		return NULL;
	}
	return sb;

free_sb:
	lockdep_unregister_key(&sb->key);
	kfree(sb);
destroy_prov:
	prov->ops->destroy(prov);
	return NULL;
}
EXPORT_SYMBOL_NS_GPL(__zalloc_sbrk_create, ZALLOC_NS);

/**
 * zalloc_sbrk_destroy() - destroy a private sbrk instance and its provider
 * @sb: from zalloc_sbrk_create(); NULL (and the global instance) is a no-op
 *
 * Every byte goes back through the provider.  Blocks still live are
 * reported with pr_err() (how many per class, and the caller of the latest
 * allocation in that class); their memory is gone all the same.  Nobody
 * else may be using the instance.
 *
 * Context: process context; may sleep.
 * Return: the number of blocks that were still live, 0 if none.
 */
unsigned long zalloc_sbrk_destroy(struct zalloc_sbrk *sb)
{
	unsigned long live;

	if (!sb || !sb->dynamic)
		return 0;
	live = sbrk_teardown(sb);
	lockdep_unregister_key(&sb->key);
	kfree(sb);
	return live;
}
EXPORT_SYMBOL_NS_GPL(zalloc_sbrk_destroy, ZALLOC_NS);

/**
 * zalloc_sbrk_zalloc() - the struct zalloc of an sbrk instance
 * @sb: the instance
 *
 * Context: any context.
 * Return: the allocator interface, valid until zalloc_sbrk_destroy().
 */
const struct zalloc *zalloc_sbrk_zalloc(struct zalloc_sbrk *sb)
{
	return &sb->za;
}
EXPORT_SYMBOL_NS_GPL(zalloc_sbrk_zalloc, ZALLOC_NS);

/**
 * zalloc_sbrk_of() - the sbrk instance behind a struct zalloc
 * @za: an allocator
 *
 * Context: any context.
 * Return: the instance if @za is an sbrk allocator, else NULL.
 */
struct zalloc_sbrk *zalloc_sbrk_of(const struct zalloc *za)
{
	za = zalloc_debug_inner(za);
	return za && za->ops == &sbrk_ops ? za->ctx : NULL;
}
EXPORT_SYMBOL_NS_GPL(zalloc_sbrk_of, ZALLOC_NS);

/**
 * zalloc_sbrk_instance() - the statistics and debugfs side of an instance
 * @sb: the instance
 *
 * Read its counters with zalloc_stats_read(&inst->stats, ...); its
 * iops->show_* callbacks print what the debugfs files show.
 *
 * Context: any context.
 * Return: the instance's struct zalloc_instance, valid until it is
 * destroyed.
 */
struct zalloc_instance *zalloc_sbrk_instance(struct zalloc_sbrk *sb)
{
	return &sb->inst;
}
EXPORT_SYMBOL_NS_GPL(zalloc_sbrk_instance, ZALLOC_NS);

/*
 * The region provider: @size bytes reserved (and backed, by vmalloc) up
 * front, and a break moving through them with cmpxchg; true sbrk semantics,
 * including running out.
 */
struct sbrk_region {
	struct zalloc_sbrk_provider prov;
	void *area;
	unsigned long end;
	unsigned long brk;
};

static void *sbrk_region_sbrk(struct zalloc_sbrk_provider *prov, size_t len,
			      gfp_t gfp)
{
	struct sbrk_region *r = container_of(prov, struct sbrk_region, prov);
	unsigned long old = READ_ONCE(r->brk);

	do {
		if (len > r->end - old)
			return NULL;
	} while (!try_cmpxchg(&r->brk, &old, old + len));
	return (void *)old;
}

static void sbrk_region_destroy(struct zalloc_sbrk_provider *prov)
{
	struct sbrk_region *r = container_of(prov, struct sbrk_region, prov);

	vfree(r->area);
	kfree(r);
}

static const struct zalloc_sbrk_provider_ops sbrk_region_ops = {
	.sbrk		= sbrk_region_sbrk,
	.destroy	= sbrk_region_destroy,
};

/**
 * zalloc_sbrk_region_create() - a break provider over a reserved region
 * @size: bytes to reserve, rounded up to ZALLOC_SBRK_BIGPAGE
 *
 * Reserves @size bytes of virtually contiguous memory up front (vmalloc;
 * backed at once) and moves a break through it, never back: allocations
 * beyond it fail.  Its sbrk works in any context but NMI.
 *
 * Context: process context; may sleep.
 * Return: the provider, for zalloc_sbrk_create(), or NULL.
 */
struct zalloc_sbrk_provider *zalloc_sbrk_region_create(size_t size)
{
	struct sbrk_region *r;
	unsigned long start;

	if (!size || size > (ULONG_MAX >> 2))
		return NULL;
	size = ALIGN(size, SBRK_BIG);
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return NULL;
	/* vmalloc aligns to a page; reserve enough to align to a big page. */
	r->area = vmalloc(size + SBRK_BIG - PAGE_SIZE);
	if (!r->area) {
		kfree(r);
		return NULL;
	}
	start = ALIGN((unsigned long)r->area, SBRK_BIG);
	r->brk = start;
	r->end = start + size;
	r->prov.ops = &sbrk_region_ops;
	r->prov.name = "region";
	return &r->prov;
}
EXPORT_SYMBOL_NS_GPL(zalloc_sbrk_region_create, ZALLOC_NS);

/*
 * The pages provider: every sbrk is its own buddy block, trimmed to the
 * length asked for, naturally aligned, registered with kmemleak as one
 * scanned, never-reported object.  Chunks are kept on a list through their
 * first page's lru, with the length in its private field, to be given back
 * at destroy.
 */
struct sbrk_pages {
	struct zalloc_sbrk_provider prov;
	spinlock_t lock;		/* protects chunks; IRQs off */
	struct list_head chunks;
};

static void *sbrk_pages_sbrk(struct zalloc_sbrk_provider *prov, size_t len,
			     gfp_t gfp)
{
	struct sbrk_pages *pp = container_of(prov, struct sbrk_pages, prov);
	gfp_t pgfp = gfp & ~(__GFP_ZERO | __GFP_COMP | __GFP_HIGHMEM);
	unsigned int order = get_order(len);
	struct page *page;
	unsigned long flags;
	void *p;

	if (order > MAX_PAGE_ORDER)
		return NULL;
	page = alloc_pages(pgfp | __GFP_NOWARN, order);
	if (!page)
		return NULL;
	split_page(page, order);
	p = page_address(page);
	if (len < PAGE_SIZE << order)
		free_pages_exact(p + len, (PAGE_SIZE << order) - len);
	kmemleak_alloc(p, len, 0, gfp);
	set_page_private(page, len);
	spin_lock_irqsave(&pp->lock, flags);
	list_add(&page->lru, &pp->chunks);
	spin_unlock_irqrestore(&pp->lock, flags);
	return p;
}

static void sbrk_pages_destroy(struct zalloc_sbrk_provider *prov)
{
	struct sbrk_pages *pp = container_of(prov, struct sbrk_pages, prov);
	struct page *page, *tmp;
	size_t len;
	void *p;

	list_for_each_entry_safe(page, tmp, &pp->chunks, lru) {
		list_del(&page->lru);
		len = page_private(page);
		set_page_private(page, 0);
		p = page_address(page);
		kmemleak_free(p);
		free_pages_exact(p, len);
	}
	kfree(pp);
}

static const struct zalloc_sbrk_provider_ops sbrk_pages_ops = {
	.sbrk		= sbrk_pages_sbrk,
	.destroy	= sbrk_pages_destroy,
};

/**
 * zalloc_sbrk_pages_create() - a break provider over buddy pages
 *
 * Every sbrk is a buddy block of its own (so at most PAGE_SIZE <<
 * MAX_PAGE_ORDER bytes at a time), trimmed to the length asked for and
 * aligned to it; the break is not contiguous.  Its sbrk honours the gfp_t:
 * it may sleep if that allows, and works in any context but NMI otherwise.
 *
 * Context: process context; may sleep.
 * Return: the provider, for zalloc_sbrk_create(), or NULL.
 */
struct zalloc_sbrk_provider *zalloc_sbrk_pages_create(void)
{
	struct sbrk_pages *pp = kzalloc(sizeof(*pp), GFP_KERNEL);

	if (!pp)
		return NULL;
	spin_lock_init(&pp->lock);
	INIT_LIST_HEAD(&pp->chunks);
	pp->prov.ops = &sbrk_pages_ops;
	pp->prov.name = "pages";
	return &pp->prov;
}
EXPORT_SYMBOL_NS_GPL(zalloc_sbrk_pages_create, ZALLOC_NS);

/*
 * zalloc_sbrk_allocator - the global sbrk allocator, over buddy pages,
 * registered as "sbrk".  Set up at module init.
 */
struct zalloc zalloc_sbrk_allocator __ro_after_init = {
	.ctx	= &sbrk_global,
	.ops	= &sbrk_ops,
};
EXPORT_SYMBOL_NS_GPL(zalloc_sbrk_allocator, ZALLOC_NS);

int zalloc_sbrk_init(void)
{
	struct zalloc_sbrk_provider *prov = zalloc_sbrk_pages_create();
	int err;

	if (!prov)
		return -ENOMEM;
	err = sbrk_setup(&sbrk_global, "sbrk", prov, THIS_MODULE);
	if (err) {
		prov->ops->destroy(prov);
		return err;
	}
	if (!zalloc_debug_default())
		return 0;
	err = zalloc_debug_attach(&sbrk_global.za, &sbrk_global.dbg, "sbrk",
				  &sbrk_global.inst, GFP_KERNEL);
	if (err) {
		sbrk_teardown(&sbrk_global);
		return err;
	}
	zalloc_sbrk_allocator = sbrk_global.za;
	return 0;
}

void zalloc_sbrk_exit(void)
{
	sbrk_teardown(&sbrk_global);
}
