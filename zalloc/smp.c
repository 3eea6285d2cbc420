// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc SMP allocator: Zig's std.heap.SmpAllocator (0.14.0) in the kernel.
 *
 * Zig's design (lib/std/heap/SmpAllocator.zig): a global array of slots,
 * each on its own cache line with a lock, and per size class a bump pointer
 * into the current 64 KiB slab and an intrusive free list.  A thread
 * try-locks the slot its thread-local index names, moves on to the next slot
 * if that one is busy, and before mapping a fresh slab looks at one other
 * slot (max_alloc_search = 1).  Size classes are powers of two from 8 bytes
 * to half a slab, chosen from max(len, alignment); slabs are aligned to
 * their size, so every block is aligned to its class size.  Larger blocks are
 * mapped directly with no metadata, which works because resize never moves a
 * block between the small and the large side.
 *
 * Kept from Zig: the slots, the try-lock and rotation, max_alloc_search = 1,
 * the classes and how they are computed, 64 KiB slabs aligned to their size
 * (the bug of Zig's first version, page-aligned slabs whose end the bump
 * pointer never meets, cannot happen: an order-4 buddy block is aligned to
 * its size), the large path without metadata (zalloc_page_allocator), and
 * resize/remap inside a class only.
 *
 * Changed, and why:
 *  - Slots: one per possible CPU (nr_cpu_ids), not a fixed 128
 *    (ziglang/zig#23594).  raw_smp_processor_id() picks the first slot to
 *    try; it is only a hint: correctness comes from the slot lock, never
 *    from being pinned, so a task may migrate at any time and loses only
 *    locality.  (Kernel code has no thread-local index to remember the slot
 *    it rotated to, so every call starts from its CPU's slot.)
 *  - Locks: a spinlock taken with spin_trylock_irqsave(), so hard IRQ
 *    callers work and can never find their own CPU holding the slot.  Zig
 *    spins forever when every slot is busy; here, after one failed pass
 *    over all slots, the caller waits on the first slot it tried (every
 *    holder runs with IRQs off and never sleeps, so the wait ends).  Fresh
 *    slabs are allocated with no lock held, so GFP_KERNEL callers may sleep
 *    for one, and GFP_ATOMIC callers get one from the buddy allocator.  A
 *    fresh slab belongs to the slot the caller tried first (Zig: the slot
 *    it holds after searching), whose lock it then waits for.
 *  - Memory goes back (ziglang/zig#23592: Zig never returns small-block
 *    memory).  Free lists are per slab, not per slot, and every slab counts
 *    its live blocks.  A slab whose last block is freed leaves its class;
 *    its slot keeps up to ZALLOC_SMP_EMPTY_MAX such slabs, reused by any
 *    class, and gives the rest back to the buddy allocator at once; a
 *    shrinker gives back the kept ones under memory pressure.
 *  - Cross-CPU frees: Zig pushes a freed block onto a free list of whatever
 *    slot the freeing thread holds, so blocks migrate between slots and no
 *    slab can ever be known to be empty.  Here a block always goes back to
 *    its own slab, under the lock of the slot that owns the slab (found from
 *    the block's address, not from the caller's CPU).  A free on another
 *    CPU takes that slot's lock, waiting if the owner is busy in it, and is
 *    counted as a remote free in the "cpus" table.  That is what SLUB does
 *    (__slab_free()) and what makes giving slabs back possible; the cost is
 *    that a producer on one CPU and a consumer on another share the
 *    producer's slot lock.  Blocks allocated in the slot another one
 *    searched (max_alloc_search) belong to that other slot's slabs.
 *  - Every slab has a descriptor (kmalloc'd), found through an XArray keyed
 *    by the slab's physical address, so a free of a pointer that is not
 *    this instance's, or of a slab already given back, is reported and
 *    refused instead of corrupting memory.
 *  - The free-list link is the first word of a free block, as in Zig 0.14,
 *    but stored encoded as SLUB's CONFIG_SLAB_FREELIST_HARDENED does
 *    (freelist.h): next ^ a random per-instance key ^ swab(address of the
 *    word), so a plain pointer written into a freed block decodes to
 *    garbage and is caught below, and free blocks show no heap addresses.
 *    A free of the block at the head of its slab's free list (the most
 *    recent free there) is refused as a double free, as SLUB does, and so
 *    is a free into a slab with no live block; a double free of an older
 *    block is not caught (nor is it by SLUB without debugging).  A link
 *    that points outside the part of its slab handed out so far, between
 *    blocks, to its own block, or on past the count of free blocks, is
 *    reported and the rest of that list dropped (the slab still goes back
 *    once its live blocks are freed), so a write after free cannot steer
 *    the allocator out of its slab.  Not caught: a write that flips only
 *    low bits of a stored link, which can still decode to another block of
 *    the slab (a live one, which is then handed out twice).
 *  - kmemleak: slabs come from alloc_pages(), which kmemleak neither tracks
 *    nor scans, so every small block is registered with kmemleak_alloc()
 *    when handed out and unregistered when freed (or at destroy): leaked
 *    blocks are reported, pointers stored in blocks are seen, and no two
 *    kmemleak objects ever overlap.  Large blocks are the page allocator's.
 *    KASAN does not see inside slabs (6.12 exports no KASAN mempool hooks
 *    to modules).
 *  - Instances: a global one (zalloc_smp_allocator, registered as "smp")
 *    and private ones from zalloc_smp_create(), each with its own slots,
 *    statistics, lockdep class and shrinker.  zalloc_smp_destroy() gives
 *    every slab back and reports what was still live.
 *  - NMI is not supported: alloc returns NULL there.
 *
 * Lock order:
 *   1. zalloc_registry_lock (debugfs readers, registry.c)
 *   2. slot->lock (one slot at a time, never two; IRQs disabled)
 *   3. kmemleak's locks (kmemleak_free() runs under a slot lock)
 *
 *   slot->lock protects everything in its slot (classes, partial and empty
 *   lists, counters but @contended) and every field of the slabs the slot
 *   owns except the fixed ones (base, slot).  A slab's slot never changes.
 *   No slot lock is held across an allocation, so GFP_KERNEL callers may
 *   sleep and the shrinker may take slot locks from reclaim.
 *
 *   smp->slabs' xa_lock is taken alone, with IRQs disabled, never under a
 *   slot lock.  A free looks its slab up and takes the slab's slot lock
 *   inside one RCU read-side section, and slab descriptors are freed with
 *   kfree_rcu(), so the lookup never touches a freed descriptor.
 */
#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/gfp.h>
#include <linux/kmemleak.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <linux/xarray.h>
#include <zalloc/debug.h>
#include <zalloc/page.h>
#include <zalloc/registry.h>
#include <zalloc/smp.h>

#include "freelist.h"
#include "internal.h"
#include "shrinker.h"

#define SMP_NR_CLASSES		ZALLOC_SMP_NR_CLASSES
#define SMP_SLAB_SIZE		ZALLOC_SMP_SLAB_SIZE
#define SMP_SLAB_ORDER		(ZALLOC_SMP_SLAB_SHIFT - PAGE_SHIFT)
#define SMP_SLAB_PAGES		(SMP_SLAB_SIZE >> PAGE_SHIFT)
#define SMP_MAX_BLOCKS		(SMP_SLAB_SIZE >> ZALLOC_SMP_MIN_SHIFT)
/* Zig's max_alloc_search: other slots looked at before a fresh slab. */
#define SMP_MAX_ALLOC_SEARCH	1

/**
 * struct zsmp_slab - a slab's descriptor
 * @node: in its class's partial list, in its slot's empty list, or on no
 *	list (self-linked) while full
 * @base: the slab's first byte, SMP_SLAB_SIZE aligned (fixed)
 * @slot: index of the slot owning the slab (fixed)
 * @class: the size class it is carved for; changes only while empty
 * @freelist: the most recently freed block, whose first word links on
 *	(encoded with the instance's @link_key)
 * @carved: bytes handed out by bumping so far (blocks below are either live
 *	or on @freelist)
 * @inuse: live blocks
 * @nfree: blocks on @freelist
 * @ip: the caller of its latest allocation (a sample for leak reports)
 * @rcu: for kfree_rcu()
 *
 * All but the fixed fields are under the owning slot's lock.
 */
struct zsmp_slab {
	struct list_head node;
	void *base;
	unsigned int slot;
	unsigned int class;
	void *freelist;
	unsigned int carved;
	unsigned int inuse;
	unsigned int nfree;
	unsigned long ip;
	struct rcu_head rcu;
};

/**
 * struct zsmp_class - one size class of one slot
 * @partial: slabs with a free block or room to bump; allocation takes the
 *	first, slabs that get a block back go to the tail
 * @live: blocks handed out from this slot's slabs of the class
 * @nr_free: blocks on those slabs' free lists
 * @nr_slabs: slabs of the class owned by the slot (partial or full)
 */
struct zsmp_class {
	struct list_head partial;
	unsigned long live;
	unsigned long nr_free;
	unsigned long nr_slabs;
};

/**
 * struct zsmp_slot - one slot, on its own cache line(s)
 * @lock: protects the slot and the slabs it owns; IRQs off while held
 * @cls: the size classes
 * @empty: empty slabs kept for reuse by any class
 * @nr_empty: how many, at most ZALLOC_SMP_EMPTY_MAX
 * @allocs: small blocks this slot handed out
 * @frees: small blocks given back to this slot's slabs
 * @remote_frees: of those, frees run on a CPU other than the slot's
 * @contended: try-locks of this slot that failed (atomic, no lock)
 */
struct zsmp_slot {
	spinlock_t lock;	/* the slot and the slabs it owns */
	struct zsmp_class cls[SMP_NR_CLASSES];
	struct list_head empty;
	unsigned int nr_empty;
	unsigned long allocs;
	unsigned long frees;
	unsigned long remote_frees;
	atomic_long_t contended;
} ____cacheline_aligned_in_smp;

/**
 * struct zalloc_smp - an SMP allocator instance
 * @inst: the instance (struct zalloc, counters, name, lockdep class of the
 *	slot locks, debug core)
 * @slots: nr_cpu_ids slots, each cache-line aligned
 * @nr_slots: how many
 * @slabs: every slab, by physical address >> ZALLOC_SMP_SLAB_SHIFT
 * @shrinker: gives cached empty slabs back under memory pressure
 * @link_key: random key the free-list links are encoded with (fixed)
 * @large_ip: the caller of the latest large allocation
 */
struct zalloc_smp {
	struct zalloc_instance inst;
	struct zsmp_slot *slots;
	unsigned int nr_slots;
	struct xarray slabs;
	struct shrinker *shrinker;
	unsigned long link_key;
	unsigned long large_ip;
};

/* Its counters (enum zalloc_smp_counter, include/zalloc/smp.h). */
static const char * const zsmp_counters[NR_ZALLOC_SMP_COUNTERS] = {
	[ZALLOC_SMP_SLABS_TAKEN]	= "slabs_taken",
	[ZALLOC_SMP_SLABS_RETURNED]	= "slabs_returned",
	[ZALLOC_SMP_SHRINKER_RECLAIMS]	= "shrinker_reclaims",
	[ZALLOC_SMP_LARGE_ALLOCS]	= "large_allocations",
	[ZALLOC_SMP_LARGE_FREES]	= "large_frees",
	[ZALLOC_SMP_DOUBLE_FREES]	= "double_frees",
	[ZALLOC_SMP_INVALID_FREES]	= "invalid_frees",
	[ZALLOC_SMP_CORRUPT_LISTS]	= "corrupt_free_lists",
	[ZALLOC_SMP_SLOTS]		= "slots",
	[ZALLOC_SMP_SLAB_BYTES]		= "slab_bytes",
	[ZALLOC_SMP_SLABS]		= "slabs",
	[ZALLOC_SMP_EMPTY_CACHED]	= "empty_slabs_cached",
	[ZALLOC_SMP_LIVE_OBJECTS]	= "live_objects",
	[ZALLOC_SMP_FREE_OBJECTS]	= "free_objects",
	[ZALLOC_SMP_LARGE_LIVE]		= "large_live",
};

enum zsmp_verdict {
	SMP_FREE_OK,
	SMP_FREE_INVALID,
	SMP_FREE_DOUBLE,
};

static const struct zalloc_ops zsmp_ops;
static struct zalloc_smp zsmp_global;

static struct zalloc_smp *to_smp(void *ctx)
{
	return container_of(ctx, struct zalloc_smp, inst);
}

static void zsmp_count(struct zalloc_smp *smp, unsigned int event,
		       unsigned long n)
{
	zalloc_count(&smp->inst, NR_ZALLOC_STATS + event, n);
}

/* Zig's sizeClassIndex(): log2(ceil_pow2(max(len, align, 8))) - 3. */
static unsigned int zsmp_class(size_t len, size_t align)
{
	size_t n = max3(len, align, (size_t)1 << ZALLOC_SMP_MIN_SHIFT);

	return order_base_2(n) - ZALLOC_SMP_MIN_SHIFT;
}

static size_t zsmp_size(unsigned int class)
{
	return (size_t)1 << (class + ZALLOC_SMP_MIN_SHIFT);
}

static unsigned long zsmp_slab_index(const void *base)
{
	return __pa(base) >> ZALLOC_SMP_SLAB_SHIFT;
}

static unsigned int zsmp_next(const struct zalloc_smp *smp, unsigned int i)
{
	return ++i < smp->nr_slots ? i : 0;
}

/* The caller's CPU: where to start looking, nothing more. */
static unsigned int zsmp_hint(const struct zalloc_smp *smp)
{
	return raw_smp_processor_id() % smp->nr_slots;
}

/*
 * Lock a slot: try @start, then the slots after it, as Zig's Thread.lock()
 * does; if every one is busy, wait for @start.
 */
static struct zsmp_slot *zsmp_lock_slot(struct zalloc_smp *smp,
					unsigned int start, unsigned long *flags)
	__acquires(slot_lock)
{
	unsigned int i = start;
	struct zsmp_slot *slot;

	do {
		slot = &smp->slots[i];
		if (spin_trylock_irqsave(&slot->lock, *flags))
			return slot;
		atomic_long_inc(&slot->contended);
		i = zsmp_next(smp, i);
	} while (i != start);
	slot = &smp->slots[start];
	spin_lock_irqsave(&slot->lock, *flags);
	return slot;
}

static void zsmp_unlock_slot(struct zsmp_slot *slot, unsigned long flags)
	__releases(slot_lock)
{
	spin_unlock_irqrestore(&slot->lock, flags);
}

static bool zsmp_slab_full(const struct zsmp_slab *slab)
{
	return !slab->freelist && slab->carved >= SMP_SLAB_SIZE;
}

/* Is @p a block of @slab handed out at some point, at a block boundary? */
static bool zsmp_slab_has(const struct zsmp_slab *slab, const void *p)
{
	unsigned long off = (unsigned long)p - (unsigned long)slab->base;

	return off < slab->carved && !(off & (zsmp_size(slab->class) - 1));
}

static void zsmp_slab_reset(struct zsmp_slab *slab, unsigned int class)
{
	slab->class = class;
	slab->freelist = NULL;
	slab->carved = 0;
	slab->inuse = 0;
	slab->nfree = 0;
}

static const char *zsmp_name(const struct zalloc_smp *smp)
{
	return zalloc_report_name(&smp->inst);
}

/*
 * Can @next follow @p on @slab's free list?  The list holds exactly nfree
 * blocks of the slab, so the last link is NULL and no other is, and no
 * block links to itself.
 */
static bool zsmp_link_ok(const struct zsmp_slab *slab, const void *p,
			 const void *next)
{
	if (slab->nfree == 1)
		return !next;
	return next && next != p && zsmp_slab_has(slab, next);
}

/* Pop a block off @slab: its free list first, then its untouched end. */
static void *zsmp_slab_pop(struct zalloc_smp *smp, struct zsmp_class *cls,
			   struct zsmp_slab *slab)
{
	void *p = slab->freelist, *next;

	if (p) {
		next = zalloc_link_get(p, smp->link_key);
		if (likely(zsmp_link_ok(slab, p, next))) {
			slab->freelist = next;
			slab->nfree--;
			cls->nr_free--;
			return p;
		}
		zsmp_count(smp, ZALLOC_SMP_CORRUPT_LISTS, 1);
		pr_err_ratelimited("zalloc: smp %s: free list of slab %p corrupted at %p, dropping %u blocks\n",
				   zsmp_name(smp), slab->base, p, slab->nfree);
		cls->nr_free -= slab->nfree;
		slab->nfree = 0;
		slab->freelist = NULL;
	}
	if (slab->carved >= SMP_SLAB_SIZE)
		return NULL;
	p = slab->base + slab->carved;
	slab->carved += zsmp_size(slab->class);
	return p;
}

/* Give @slab, new or empty and owned by @slot, to class @class. */
static void zsmp_slot_add(struct zsmp_slot *slot, struct zsmp_slab *slab,
			  unsigned int class)
{
	zsmp_slab_reset(slab, class);
	list_add_tail(&slab->node, &slot->cls[class].partial);
	slot->cls[class].nr_slabs++;
}

/* Allocate from @slot's slabs of @class, or from an empty one it keeps. */
static void *zsmp_slot_alloc(struct zalloc_smp *smp, struct zsmp_slot *slot,
			     unsigned int class, unsigned long ip)
{
	struct zsmp_class *cls = &slot->cls[class];
	struct zsmp_slab *slab;
	void *p;

	lockdep_assert_held(&slot->lock);
	for (;;) {
		slab = list_first_entry_or_null(&cls->partial, struct zsmp_slab,
						node);
		if (!slab) {
			slab = list_first_entry_or_null(&slot->empty,
							struct zsmp_slab, node);
			if (!slab)
				return NULL;
			list_del(&slab->node);
			slot->nr_empty--;
			zsmp_slot_add(slot, slab, class);
		}
		p = zsmp_slab_pop(smp, cls, slab);
		if (p)
			break;
		list_del_init(&slab->node);
	}
	slab->inuse++;
	slab->ip = ip;
	cls->live++;
	slot->allocs++;
	if (zsmp_slab_full(slab))
		list_del_init(&slab->node);
	return p;
}

/* A fresh slab for slot @slot, published in smp->slabs, on no list. */
static struct zsmp_slab *zsmp_new_slab(struct zalloc_smp *smp,
				       unsigned int slot, gfp_t gfp)
{
	gfp_t pgfp = gfp & ~(__GFP_ZERO | __GFP_COMP | __GFP_HIGHMEM);
	struct zsmp_slab *slab;
	struct page *page;
	unsigned long flags;
	int err;

	slab = kmalloc(sizeof(*slab), pgfp);
	if (!slab)
		return NULL;
	/* Costly order: try without retrying first, quietly. */
	page = alloc_pages(pgfp | __GFP_NOWARN | __GFP_NORETRY, SMP_SLAB_ORDER);
	if (!page && gfpflags_allow_blocking(pgfp))
		page = alloc_pages(pgfp, SMP_SLAB_ORDER);
	if (!page)
		goto free_slab;
	slab->base = page_address(page);
	slab->slot = slot;
	zsmp_slab_reset(slab, 0);
	INIT_LIST_HEAD(&slab->node);

	xa_lock_irqsave(&smp->slabs, flags);
	err = xa_err(__xa_store(&smp->slabs, zsmp_slab_index(slab->base), slab,
				pgfp));
	xa_unlock_irqrestore(&smp->slabs, flags);
	if (err)
		goto free_page;

	zsmp_count(smp, ZALLOC_SMP_SLABS_TAKEN, 1);
	zalloc_count_backing(&smp->inst, SMP_SLAB_SIZE);
	zalloc_stats_sample_peak(&smp->inst.stats);
	return slab;

free_page:
	__free_pages(page, SMP_SLAB_ORDER);
free_slab:
	kfree(slab);
	return NULL;
}

/* Give a slab that is on no list back to the buddy allocator. */
static void zsmp_release_slab(struct zalloc_smp *smp, struct zsmp_slab *slab)
{
	unsigned long flags;

	xa_lock_irqsave(&smp->slabs, flags);
	__xa_erase(&smp->slabs, zsmp_slab_index(slab->base));
	xa_unlock_irqrestore(&smp->slabs, flags);
	free_pages((unsigned long)slab->base, SMP_SLAB_ORDER);
	zsmp_count(smp, ZALLOC_SMP_SLABS_RETURNED, 1);
	zalloc_count_backing(&smp->inst, -(long)SMP_SLAB_SIZE);
	kfree_rcu(slab, rcu);
}

/*
 * @slab has no live block left: take it out of its class and keep it in
 * the slot's empty list, or return it if it must go back to the buddy
 * allocator (the slot keeps ZALLOC_SMP_EMPTY_MAX).
 */
static struct zsmp_slab *zsmp_slab_retire(struct zsmp_slot *slot,
					  struct zsmp_slab *slab)
{
	struct zsmp_class *cls = &slot->cls[slab->class];

	list_del_init(&slab->node);
	cls->nr_slabs--;
	cls->nr_free -= slab->nfree;
	if (slot->nr_empty < ZALLOC_SMP_EMPTY_MAX) {
		list_add(&slab->node, &slot->empty);
		slot->nr_empty++;
		return NULL;
	}
	return slab;
}

/* Put @p back on @slab; return the slab if it must go back (see above). */
static struct zsmp_slab *zsmp_slab_push(struct zalloc_smp *smp,
					struct zsmp_slot *slot,
					struct zsmp_slab *slab, void *p)
{
	struct zsmp_class *cls = &slot->cls[slab->class];

	lockdep_assert_held(&slot->lock);
	zalloc_link_set(p, slab->freelist, smp->link_key);
	slab->freelist = p;
	slab->nfree++;
	cls->nr_free++;
	cls->live--;
	slot->frees++;
	if (--slab->inuse) {
		if (list_empty(&slab->node))	/* was full */
			list_add_tail(&slab->node, &cls->partial);
		return NULL;
	}
	return zsmp_slab_retire(slot, slab);
}

static void *zsmp_alloc_small(struct zalloc_smp *smp, unsigned int class,
			      gfp_t gfp, unsigned long ip)
{
	unsigned int home = zsmp_hint(smp), i = home, search;
	struct zsmp_slab *slab, *dead = NULL;
	struct zsmp_slot *slot;
	unsigned long flags;
	void *p;

	for (search = 0;; search++) {
		slot = zsmp_lock_slot(smp, i, &flags);
		p = zsmp_slot_alloc(smp, slot, class, ip);
		zsmp_unlock_slot(slot, flags);
		if (p || search >= SMP_MAX_ALLOC_SEARCH || smp->nr_slots == 1)
			break;
		i = zsmp_next(smp, slot - smp->slots);
	}
	if (!p) {
		/* No lock held: the caller may sleep here if gfp allows. */
		slab = zsmp_new_slab(smp, home, gfp);
		if (!slab)
			return NULL;
		/* The slab belongs to the caller's first slot: wait for it. */
		slot = &smp->slots[home];
		spin_lock_irqsave(&slot->lock, flags);
		zsmp_slot_add(slot, slab, class);
		p = zsmp_slot_alloc(smp, slot, class, ip);
		/* Someone freed a block here meanwhile: keep the slab spare. */
		if (!slab->inuse)
			dead = zsmp_slab_retire(slot, slab);
		zsmp_unlock_slot(slot, flags);
		if (dead)
			zsmp_release_slab(smp, dead);
	}
	kmemleak_alloc(p, zsmp_size(class), 1, gfp);
	return p;
}

static void *zsmp_alloc_large(struct zalloc_smp *smp, size_t len, size_t align,
			      gfp_t gfp, unsigned long ip)
{
	void *p = zalloc_pages_alloc(len, align, gfp);

	if (!p)
		return NULL;
	zsmp_count(smp, ZALLOC_SMP_LARGE_ALLOCS, 1);
	WRITE_ONCE(smp->large_ip, ip);
	zalloc_count_backing(&smp->inst, PAGE_ALIGN(len));
	zalloc_stats_sample_peak(&smp->inst.stats);
	return p;
}

static void *zsmp_alloc(void *ctx, size_t len, size_t align, gfp_t gfp,
			unsigned long ip)
{
	struct zalloc_smp *smp = to_smp(ctx);
	unsigned int class = zsmp_class(len, align);
	void *p = NULL;

	might_alloc(gfp);
	if (unlikely(in_nmi()))
		goto out;
	if (class >= SMP_NR_CLASSES) {
		p = zsmp_alloc_large(smp, len, align, gfp, ip);
		goto out;
	}
	p = zsmp_alloc_small(smp, class, gfp, ip);
out:
	zalloc_count_alloc(&smp->inst, p, len);
	return p;
}

static struct zsmp_slab *zsmp_lookup(struct zalloc_smp *smp, const void *p)
{
	unsigned long base = (unsigned long)p & ~(SMP_SLAB_SIZE - 1);
	struct zsmp_slab *slab;

	if (!virt_addr_valid((void *)base))
		return NULL;
	slab = xa_load(&smp->slabs, zsmp_slab_index((void *)base));
	if (!slab || slab->base != (void *)base)
		return NULL;
	return slab;
}

static enum zsmp_verdict zsmp_check_free(const struct zsmp_slab *slab,
					 const void *p, unsigned int class)
{
	if (!slab->inuse)
		return SMP_FREE_DOUBLE;
	if (slab->class != class || !zsmp_slab_has(slab, p))
		return SMP_FREE_INVALID;
	if (p == slab->freelist)
		return SMP_FREE_DOUBLE;
	return SMP_FREE_OK;
}

static void zsmp_report_free(struct zalloc_smp *smp, enum zsmp_verdict v,
			     const void *p, unsigned int class, unsigned long ip)
{
	if (v == SMP_FREE_DOUBLE) {
		zsmp_count(smp, ZALLOC_SMP_DOUBLE_FREES, 1);
		pr_err_ratelimited("zalloc: smp %s: double free of %p (%zu-byte class) by %pS, refused\n",
				   zsmp_name(smp), p, zsmp_size(class),
				   (void *)ip);
		return;
	}
	zsmp_count(smp, ZALLOC_SMP_INVALID_FREES, 1);
	pr_err_ratelimited("zalloc: smp %s: free of %p (%zu-byte class) by %pS is not a block of this allocator, refused\n",
			   zsmp_name(smp), p, zsmp_size(class), (void *)ip);
}

static bool zsmp_free_small(struct zalloc_smp *smp, void *p,
			    unsigned int class, unsigned long ip)
{
	enum zsmp_verdict v = SMP_FREE_INVALID;
	struct zsmp_slab *slab, *dead = NULL;
	struct zsmp_slot *slot;
	unsigned long flags;

	rcu_read_lock();
	slab = zsmp_lookup(smp, p);
	if (slab) {
		slot = &smp->slots[slab->slot];
		spin_lock_irqsave(&slot->lock, flags);
		v = zsmp_check_free(slab, p, class);
		if (v == SMP_FREE_OK) {
			kmemleak_free(p);
			if (slab->slot != zsmp_hint(smp))
				slot->remote_frees++;
			dead = zsmp_slab_push(smp, slot, slab, p);
		}
		spin_unlock_irqrestore(&slot->lock, flags);
	}
	rcu_read_unlock();

	if (v != SMP_FREE_OK) {
		zsmp_report_free(smp, v, p, class, ip);
		return false;
	}
	if (dead)
		zsmp_release_slab(smp, dead);
	return true;
}

static void zsmp_large_relen(struct zalloc_smp *smp, size_t len,
			     size_t new_len)
{
	size_t old_bytes = PAGE_ALIGN(len), new_bytes = PAGE_ALIGN(new_len);

	zalloc_count_backing(&smp->inst, (long)new_bytes - (long)old_bytes);
}

static bool zsmp_resize(void *ctx, void *ptr, size_t len, size_t align,
			size_t new_len, gfp_t gfp, unsigned long ip)
{
	struct zalloc_smp *smp = to_smp(ctx);
	unsigned int class = zsmp_class(len, align);
	unsigned int new_class = zsmp_class(new_len, align);
	bool ok;

	if (class < SMP_NR_CLASSES) {
		ok = new_class == class;
	} else if (new_class < SMP_NR_CLASSES) {
		ok = false;	/* never from large to small */
	} else {
		ok = zalloc_pages_relen(ptr, len, new_len);
		if (ok)
			zsmp_large_relen(smp, len, new_len);
	}
	zalloc_count_resize(&smp->inst, ok, len, new_len);
	return ok;
}

static void *zsmp_remap(void *ctx, void *ptr, size_t len, size_t align,
			size_t new_len, gfp_t gfp, unsigned long ip)
{
	struct zalloc_smp *smp = to_smp(ctx);
	unsigned int class = zsmp_class(len, align);
	unsigned int new_class = zsmp_class(new_len, align);
	void *p;

	if (class < SMP_NR_CLASSES) {
		p = new_class == class ? ptr : NULL;
	} else if (new_class < SMP_NR_CLASSES) {
		p = NULL;
	} else {
		p = zalloc_pages_relen(ptr, len, new_len) ? ptr : NULL;
		if (p)
			zsmp_large_relen(smp, len, new_len);
	}
	zalloc_count_remap(&smp->inst, ptr, p, len, new_len);
	return p;
}

static void zsmp_free(void *ctx, void *ptr, size_t len, size_t align,
		      unsigned long ip)
{
	struct zalloc_smp *smp = to_smp(ctx);
	unsigned int class = zsmp_class(len, align);

	if (class < SMP_NR_CLASSES) {
		if (!zsmp_free_small(smp, ptr, class, ip))
			return;
	} else {
		zalloc_pages_free(ptr, len);
		zsmp_count(smp, ZALLOC_SMP_LARGE_FREES, 1);
		zalloc_count_backing(&smp->inst, -(long)PAGE_ALIGN(len));
	}
	zalloc_count_free(&smp->inst, len);
}

static const struct zalloc_ops zsmp_ops = {
	.alloc	= zsmp_alloc,
	.resize	= zsmp_resize,
	.remap	= zsmp_remap,
	.free	= zsmp_free,
};

/* Give back up to @max cached empty slabs; return how many went back. */
static unsigned long zsmp_drain(struct zalloc_smp *smp, unsigned long max)
{
	struct zsmp_slab *slab, *tmp;
	unsigned long flags, n = 0;
	struct zsmp_slot *slot;
	unsigned int i;
	LIST_HEAD(list);

	for (i = 0; i < smp->nr_slots && n < max; i++) {
		slot = &smp->slots[i];
		spin_lock_irqsave(&slot->lock, flags);
		while (slot->nr_empty && n < max) {
			slab = list_first_entry(&slot->empty, struct zsmp_slab,
						node);
			list_move(&slab->node, &list);
			slot->nr_empty--;
			n++;
		}
		spin_unlock_irqrestore(&slot->lock, flags);
	}
	list_for_each_entry_safe(slab, tmp, &list, node) {
		list_del(&slab->node);
		zsmp_release_slab(smp, slab);
	}
	return n;
}

static unsigned long zsmp_empty_cached(struct zalloc_smp *smp)
{
	unsigned long n = 0;
	unsigned int i;

	for (i = 0; i < smp->nr_slots; i++)
		n += READ_ONCE(smp->slots[i].nr_empty);
	return n;
}

/* The shrinker counts pages: SMP_SLAB_PAGES per cached empty slab. */
static unsigned long zsmp_shrink_count(struct shrinker *sh,
				       struct shrink_control *sc)
{
	unsigned long n = zsmp_empty_cached(zalloc_shrinker_data(sh));

	return n ? n * SMP_SLAB_PAGES : SHRINK_EMPTY;
}

static unsigned long zsmp_shrink_scan(struct shrinker *sh,
				      struct shrink_control *sc)
{
	struct zalloc_smp *smp = zalloc_shrinker_data(sh);
	unsigned long n;

	n = zsmp_drain(smp, DIV_ROUND_UP(sc->nr_to_scan, SMP_SLAB_PAGES));
	if (!n)
		return SHRINK_STOP;
	zsmp_count(smp, ZALLOC_SMP_SHRINKER_RECLAIMS, n);
	return n * SMP_SLAB_PAGES;
}

/* The kind's read: what the counters do not hold, from the slots. */
static void zsmp_read(struct zalloc_instance *inst, unsigned long *v)
{
	struct zalloc_smp *smp = to_smp(inst);
	struct zsmp_slot *slot;
	unsigned long flags;
	unsigned int i, c;

	v[ZALLOC_SMP_SLOTS] = smp->nr_slots;
	v[ZALLOC_SMP_SLAB_BYTES] = SMP_SLAB_SIZE;
	v[ZALLOC_SMP_SLABS] = v[ZALLOC_SMP_SLABS_TAKEN] -
			      v[ZALLOC_SMP_SLABS_RETURNED];
	v[ZALLOC_SMP_LARGE_LIVE] = v[ZALLOC_SMP_LARGE_ALLOCS] -
				   v[ZALLOC_SMP_LARGE_FREES];
	v[ZALLOC_SMP_EMPTY_CACHED] = 0;
	v[ZALLOC_SMP_LIVE_OBJECTS] = 0;
	v[ZALLOC_SMP_FREE_OBJECTS] = 0;
	for (i = 0; i < smp->nr_slots; i++) {
		slot = &smp->slots[i];
		spin_lock_irqsave(&slot->lock, flags);
		for (c = 0; c < SMP_NR_CLASSES; c++) {
			v[ZALLOC_SMP_LIVE_OBJECTS] += slot->cls[c].live;
			v[ZALLOC_SMP_FREE_OBJECTS] += slot->cls[c].nr_free;
		}
		v[ZALLOC_SMP_EMPTY_CACHED] += slot->nr_empty;
		spin_unlock_irqrestore(&slot->lock, flags);
	}
}

static void zsmp_show_classes(struct seq_file *m, struct zalloc_instance *inst)
{
	unsigned long live[SMP_NR_CLASSES] = {}, nfree[SMP_NR_CLASSES] = {};
	unsigned long slabs[SMP_NR_CLASSES] = {};
	struct zalloc_smp *smp = to_smp(inst);
	struct zsmp_slot *slot;
	unsigned long flags;
	unsigned int i, c;

	for (i = 0; i < smp->nr_slots; i++) {
		slot = &smp->slots[i];
		spin_lock_irqsave(&slot->lock, flags);
		for (c = 0; c < SMP_NR_CLASSES; c++) {
			live[c] += slot->cls[c].live;
			nfree[c] += slot->cls[c].nr_free;
			slabs[c] += slot->cls[c].nr_slabs;
		}
		spin_unlock_irqrestore(&slot->lock, flags);
	}
	seq_printf(m, "%5s %6s %10s %10s %8s %8s\n", "class", "size", "live",
		   "free", "slabs", "pages");
	for (c = 0; c < SMP_NR_CLASSES; c++)
		seq_printf(m, "%5u %6zu %10lu %10lu %8lu %8lu\n", c,
			   zsmp_size(c), live[c], nfree[c], slabs[c],
			   slabs[c] * SMP_SLAB_PAGES);
}

static void zsmp_show_cpus(struct seq_file *m, struct zalloc_instance *inst)
{
	struct zalloc_smp *smp = to_smp(inst);
	unsigned long allocs, frees, remote, nfree;
	struct zsmp_slot *slot;
	unsigned int i, c, empty;
	unsigned long flags;

	seq_printf(m, "%4s %12s %12s %10s %12s %10s %6s\n", "slot", "allocs",
		   "frees", "contended", "remote_frees", "free_objs", "empty");
	for (i = 0; i < smp->nr_slots; i++) {
		slot = &smp->slots[i];
		nfree = 0;
		spin_lock_irqsave(&slot->lock, flags);
		allocs = slot->allocs;
		frees = slot->frees;
		remote = slot->remote_frees;
		empty = slot->nr_empty;
		for (c = 0; c < SMP_NR_CLASSES; c++)
			nfree += slot->cls[c].nr_free;
		spin_unlock_irqrestore(&slot->lock, flags);
		seq_printf(m, "%4u %12lu %12lu %10ld %12lu %10lu %6u\n", i,
			   allocs, frees, atomic_long_read(&slot->contended),
			   remote, nfree, empty);
	}
}


/* The kind's init: slots, the slab index and the shrinker. */
static int zsmp_init(struct zalloc_instance *inst, const void *arg)
{
	struct zalloc_smp *smp = to_smp(inst);
	char sname[ZALLOC_NAME_MAX + 16];
	struct zsmp_slot *slot;
	unsigned int i, c;

	smp->link_key = get_random_long();
	smp->nr_slots = nr_cpu_ids;
	/* A multiple of the cache line, so kmalloc aligns it to one. */
	smp->slots = kvcalloc(smp->nr_slots, sizeof(*smp->slots), GFP_KERNEL);
	if (!smp->slots)
		return -ENOMEM;
	for (i = 0; i < smp->nr_slots; i++) {
		slot = &smp->slots[i];
		spin_lock_init(&slot->lock);
		lockdep_set_class(&slot->lock, &inst->key);
		for (c = 0; c < SMP_NR_CLASSES; c++)
			INIT_LIST_HEAD(&slot->cls[c].partial);
		INIT_LIST_HEAD(&slot->empty);
		atomic_long_set(&slot->contended, 0);
	}
	xa_init_flags(&smp->slabs, XA_FLAGS_LOCK_IRQ);
	snprintf(sname, sizeof(sname), "zalloc-smp-%s",
		 inst->name[0] ? inst->name : "private");
	smp->shrinker = zalloc_shrinker_alloc(sname, zsmp_shrink_count,
					      zsmp_shrink_scan, smp);
	if (!smp->shrinker) {
		kvfree(smp->slots);
		return -ENOMEM;
	}
	zalloc_shrinker_register(smp->shrinker);
	return 0;
}

/* Unregister every live block of @slab from kmemleak; @map is scratch. */
static void zsmp_forget_live(struct zalloc_smp *smp, struct zsmp_slab *slab,
			     unsigned long *map)
{
	unsigned int shift = slab->class + ZALLOC_SMP_MIN_SHIFT;
	unsigned int n = slab->carved >> shift, i, left = slab->nfree;
	void *p = slab->freelist;

	bitmap_zero(map, n);
	while (p && left-- && zsmp_slab_has(slab, p)) {
		__set_bit((p - slab->base) >> shift, map);
		p = zalloc_link_get(p, smp->link_key);
	}
	for_each_clear_bit(i, map, n)
		kmemleak_free(slab->base + ((size_t)i << shift));
}

/*
 * Give every slab back; return the number of live small blocks and report
 * them, per class, with the caller of an allocation in a slab holding some.
 */
static unsigned long zsmp_release_all(struct zalloc_smp *smp)
{
	unsigned long live[SMP_NR_CLASSES] = {}, ip[SMP_NR_CLASSES] = {};
	unsigned long index, total = 0, *map = NULL;
	struct zsmp_slab *slab;
	unsigned int c;

	if (IS_ENABLED(CONFIG_DEBUG_KMEMLEAK))
		map = bitmap_zalloc(SMP_MAX_BLOCKS, GFP_KERNEL);
	xa_for_each(&smp->slabs, index, slab) {
		if (slab->inuse) {
			live[slab->class] += slab->inuse;
			ip[slab->class] = slab->ip;
			if (map)
				zsmp_forget_live(smp, slab, map);
		}
		zsmp_release_slab(smp, slab);
	}
	bitmap_free(map);
	for (c = 0; c < SMP_NR_CLASSES; c++) {
		if (!live[c])
			continue;
		total += live[c];
		pr_err("zalloc: smp %s: destroyed with %lu live %zu-byte blocks, one allocated by %pS\n",
		       zsmp_name(smp), live[c], zsmp_size(c), (void *)ip[c]);
	}
	return total;
}

/* The kind's fini: give everything back, report and count what was live. */
static unsigned long zsmp_fini(struct zalloc_instance *inst)
{
	struct zalloc_smp *smp = to_smp(inst);
	unsigned long live, large, v[NR_ZALLOC_SMP_COUNTERS];

	zalloc_shrinker_free(smp->shrinker);
	live = zsmp_release_all(smp);
	zalloc_instance_info(inst, v, ARRAY_SIZE(v));
	large = v[ZALLOC_SMP_LARGE_LIVE];
	if (large)
		pr_err("smp %s: destroyed with %lu live large blocks (they stay allocated), one allocated by %pS\n",
		       zsmp_name(smp), large, (void *)READ_ONCE(smp->large_ip));
	xa_destroy(&smp->slabs);
	kvfree(smp->slots);
	return live + large;
}

const struct zalloc_kind zalloc_kind_smp = {
	.name		= "smp",
	.ops		= &zsmp_ops,
	.size		= sizeof(struct zalloc_smp),
	.counters	= zsmp_counters,
	.nr_events	= ZALLOC_SMP_NR_EVENTS,
	.nr_counters	= NR_ZALLOC_SMP_COUNTERS,
	.read		= zsmp_read,
	.show_classes	= zsmp_show_classes,
	.show_cpus	= zsmp_show_cpus,
	.init		= zsmp_init,
	.fini		= zsmp_fini,
};

/**
 * __zalloc_smp_create() - create a private SMP allocator instance
 * @name: debugfs name (registry.h), or NULL to stay out of debugfs; also
 *	names the instance's shrinker and its reports
 * @flags: ZALLOC_F_DEBUG, ZALLOC_F_NODEBUG or 0 (include/zalloc/debug.h)
 * @owner: the module @name belongs to; zalloc_smp_create() passes
 *	THIS_MODULE
 *
 * The instance has its own slots, slabs, statistics, lockdep class and
 * shrinker.  zalloc_destroy() destroys it.
 *
 * Context: process context; may sleep.
 * Return: the allocator, or NULL on failure (no memory, or @name invalid or
 * taken, or @flags unknown).
 */
struct zalloc *__zalloc_smp_create(const char *name, unsigned int flags,
				   struct module *owner)
{
	struct zalloc_setup s = {
		.name = name, .flags = flags, .gfp = GFP_KERNEL, .owner = owner,
	};
	struct zalloc_instance *inst;

	inst = zalloc_instance_create(&zalloc_kind_smp, &s);
	return IS_ERR(inst) ? NULL : &inst->za;
}
EXPORT_SYMBOL_NS_GPL(__zalloc_smp_create, ZALLOC_NS);

/**
 * zalloc_smp_shrinker() - the shrinker of an SMP instance
 * @a: the instance (global or private)
 *
 * For tests and debugging tools that want to run its count and scan
 * callbacks directly; it is registered and runs under memory pressure
 * without anyone calling this.  It counts pages, SMP_SLAB_PAGES per cached
 * empty slab, and scanning gives those slabs back.
 *
 * Context: any context.
 * Return: the shrinker, valid until the instance is destroyed; NULL if @a
 * is not an SMP instance.
 */
struct shrinker *zalloc_smp_shrinker(const struct zalloc *a)
{
	struct zalloc_instance *inst;

	inst = zalloc_instance_of_kind(a, &zalloc_kind_smp);
	return inst ? to_smp(inst)->shrinker : NULL;
}
EXPORT_SYMBOL_NS_GPL(zalloc_smp_shrinker, ZALLOC_NS);

/*
 * zalloc_smp_allocator - the global SMP allocator, registered as "smp".
 * Its ctx and ops are its instance's, set at module init (debug mode
 * changes the ops), before any importer can run.
 */
struct zalloc zalloc_smp_allocator __ro_after_init;
EXPORT_SYMBOL_NS_GPL(zalloc_smp_allocator, ZALLOC_NS);

int zalloc_smp_init(void)
{
	struct zalloc_setup s = {
		.name = "smp", .gfp = GFP_KERNEL, .owner = THIS_MODULE,
	};
	int err = zalloc_instance_setup(&zsmp_global.inst, &zalloc_kind_smp,
					&s);

	if (!err)
		zalloc_smp_allocator = zsmp_global.inst.za;
	return err;
}

void zalloc_smp_exit(void)
{
	zalloc_instance_teardown(&zsmp_global.inst);
}
