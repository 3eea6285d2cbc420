// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc SMP allocator: Zig's std.heap.SmpAllocator (0.14.0) in the kernel,
 * with a per-CPU front.  This file is the front and the instance; the slots
 * and slabs behind it are smp_slab.c, the shared structures and the lock
 * order smp_internal.h.
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
 * Kept from Zig: the slots with a lock each, the try-lock and rotation,
 * max_alloc_search = 1, how the classes are computed, 64 KiB slabs aligned
 * to their size, resize and remap inside a class only.
 *
 * The front.  A lock is cheap, but a lock, a slab lookup and a list per call
 * cost more than kmalloc does, so each CPU has a magazine per class in
 * front of the slots (SLUB's sheaves, bpf_mem_alloc's per-CPU lists): an
 * array of up to 63 free blocks (32 KiB worth for large classes, mag.h).
 * Allocation pops a block off the CPU's magazine and free pushes one on,
 * with interrupts disabled on the CPU for the few instructions it takes: no
 * atomic instruction, no lock, no list.  An empty magazine is refilled with
 * half its capacity from a slot in one locked pass; a full one gives half
 * back to the blocks' slabs, a locked pass per slot (two where gathering
 * each slab's blocks from all of them stopped early, smp_slab.c).  A block's
 * slab is found from its address through the instance's page map
 * (pagemap.h), a lockless three-level lookup that needs neither the
 * block's memory nor its struct page.  Each CPU remembers its latest
 * lookup, so that frees of one slab's blocks in a row walk once; a slab
 * given back leaves the map at once and every CPU's memory of it in an RCU
 * callback, before its descriptor is freed (zsmp_release_slab()).
 *
 * Changed from Zig, and why:
 *  - The largest class is 8 KiB (ZALLOC_SMP_MAX_SMALL, kmalloc's largest
 *    slab cache), not 32 KiB: blocks above it come from the page allocator.
 *    A 64 KiB slab holds four 16 KiB or two 32 KiB blocks, and with blocks
 *    of mixed lifetimes many such slabs sit half used: in zalloc_bench's
 *    mixed workload the instance held 1.55x the bytes its live blocks asked
 *    for, and 1.30x with this limit (kmalloc 1.37x in the same boot).  The
 *    price: the 3% of that workload's blocks above 8 KiB take the page
 *    allocator, 277 -> 381 instructions a step on average (kmalloc: 437).
 *  - Slots: one per possible CPU (nr_cpu_ids), not a fixed 128
 *    (ziglang/zig#23594); raw_smp_processor_id() picks the first one to
 *    try, which is only a hint.  The locks are raw spinlocks taken with
 *    IRQs off, so hard IRQ callers work, on PREEMPT_RT too; critical
 *    sections are bounded (a magazine's worth of blocks).
 *  - Memory goes back (ziglang/zig#23592).  Free lists are per slab, a slab
 *    counts the blocks out of it, and one with none out leaves its class
 *    for its slot's empty list.  A slot keeps as many empty slabs as it had
 *    in use at its peak since the instance was last idle (at least
 *    ZALLOC_SMP_EMPTY_MAX), so a producer/consumer pattern reuses its slabs
 *    instead of taking new ones every round; once the instance has been
 *    idle for a second, or when the shrinker asks, the magazines are
 *    drained and every empty slab beyond ZALLOC_SMP_EMPTY_MAX per slot goes
 *    back to the buddy allocator.
 *  - Cross-CPU frees: a block goes into the freeing CPU's magazine, and back
 *    to its own slab (under its slot's lock) when that magazine overflows;
 *    Zig lets blocks migrate between slots for good, so no slab can ever be
 *    known to be empty.
 *  - Every free, resize and remap is checked before it changes anything.  A
 *    small block must lie in a slab of this instance (the page map) of its
 *    class, at a block boundary, and be out of its slab: a double free of
 *    any block is caught, whether the block sits in a magazine (its first
 *    word is then the instance's random cookie for its address, which an
 *    allocation clears) or on its slab (a bit per block, authoritative
 *    under the slot lock).  A large block must
 *    be one the instance recorded, with the page count its length gives.
 *    Refused calls are reported (ratelimited) and counted in double_frees
 *    or invalid_frees, and touch nothing.  Not caught: a block's user
 *    writing exactly the cookie into its first word (a 2^-64 chance for
 *    data that does not know the key; the free is then refused as a double
 *    free), and two CPUs freeing the same block at the same instant.
 *  - No free list in free blocks (Zig links them through their first
 *    word): a slab's free blocks are a bitmap in its descriptor, which a
 *    refill scans a word at a time, so a write after free cannot steer the
 *    allocator anywhere.  A block in a magazine holds the cookie, checked
 *    when it is handed out again: a write after free into its first word
 *    is reported and counted (corrupt_free_lists), and the block is handed
 *    out all the same, since nothing of the allocator's was in it.
 *  - kmemleak: slabs come from alloc_pages(), which kmemleak neither tracks
 *    nor scans, so each slab is registered as one scanned object that is
 *    never reported: pointers held in smp blocks keep what they point to
 *    alive, but a leaked smp block is not reported (debug mode's shadows
 *    are).  Registering each block would call kmemleak, which allocates,
 *    on every hand-out, and hand-outs happen in hard IRQ, where nothing
 *    may allocate.  KASAN does not see inside slabs.
 *  - NMI is not supported: alloc returns NULL there, free refuses.
 *
 * Contexts (include/zalloc/smp.h): alloc and free of small blocks work in
 * any context but NMI, hard IRQ included, from the magazines and the slots.
 * A fresh slab needs the page allocator: with a gfp_t that allows it, and
 * on PREEMPT_RT only where the page allocator may be called (preemptible);
 * a caller that cannot take one gets NULL (counted) and a worker takes
 * slabs for its slot.
 */
#define pr_fmt(fmt) "zalloc: " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <zalloc/smp.h>

#include "shrinker.h"
#include "smp_internal.h"

enum zsmp_verdict {
	SMP_FREE_OK,
	SMP_FREE_INVALID,
	SMP_FREE_DOUBLE,
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

static struct zalloc_smp zsmp_global;

/* ---------------------------------------------------------------------
 * Small blocks: the magazines
 */

/* A block leaves the magazines: checks, then what every allocation needs. */
static __always_inline void *zsmp_handout(struct zalloc_smp *smp, void *p,
					  size_t len)
{
	/* The cookie must be intact, and goes. */
	if (unlikely(*(unsigned long *)p != zsmp_cookie(smp, p)))
		zsmp_overwritten(smp, p);
	*(unsigned long *)p = 0;
	zalloc_init_on_alloc(p, len);
	return p;
}

/*
 * Is @p a block of @slab of @class that is out of its slab?  Lockless but
 * for the confirmation of a block whose free bit is set; the caller has
 * IRQs off, which keeps @slab and its pages from being freed (RCU).
 */
static __always_inline enum zsmp_verdict
zsmp_check(struct zalloc_smp *smp, struct zsmp_slab *slab, const void *p,
	   unsigned int class)
{
	unsigned long off;

	if (unlikely(!slab || READ_ONCE(slab->class) != class))
		return SMP_FREE_INVALID;
	off = (unsigned long)p - (unsigned long)slab->base;
	if (unlikely(off & (zsmp_size(class) - 1)))
		return SMP_FREE_INVALID;
	if (unlikely(*(const unsigned long *)p == zsmp_cookie(smp, p)))
		return SMP_FREE_DOUBLE;
	if (unlikely(test_bit(off >> (class + ZALLOC_SMP_MIN_SHIFT),
			      slab->free)) &&
	    zsmp_confirm_double(smp, slab, p))
		return SMP_FREE_DOUBLE;
	return SMP_FREE_OK;
}

static void zsmp_report(struct zalloc_smp *smp, enum zsmp_verdict v,
			const char *what, const void *p, size_t len,
			unsigned long ip)
{
	if (v == SMP_FREE_DOUBLE) {
		zsmp_count(smp, ZALLOC_SMP_DOUBLE_FREES, 1);
		pr_err_ratelimited("smp %s: double free: %s of %p (%zu bytes) by %pS, refused\n",
				   zsmp_name(smp), what, p, len, (void *)ip);
		return;
	}
	zsmp_count(smp, ZALLOC_SMP_INVALID_FREES, 1);
	pr_err_ratelimited("smp %s: %s of %p (%zu bytes) by %pS: not a live block of this allocator with that length, refused\n",
			   zsmp_name(smp), what, p, len, (void *)ip);
}

/* A live small block of @class at @p?  Reports and returns false if not. */
static bool zsmp_live_small(struct zalloc_smp *smp, const char *what,
			    void *p, size_t len, unsigned int class,
			    unsigned long ip)
{
	enum zsmp_verdict v;
	unsigned long flags;

	local_irq_save(flags);
	v = zsmp_check(smp, zsmp_slab_of(smp, p), p, class);
	local_irq_restore(flags);
	if (likely(v == SMP_FREE_OK))
		return true;
	zsmp_report(smp, v, what, p, len, ip);
	return false;
}

/*
 * A small free, every case: checked (with a fresh page-map lookup if need
 * be, and under the slot lock where the free bit says so), zeroed under
 * init_on_free, then into the magazine, flushing half of it if it is full.
 */
static bool zsmp_free_small(struct zalloc_smp *smp, void *p, size_t len,
			    unsigned int class, unsigned long ip)
{
	enum zsmp_verdict v;
	struct zsmp_cpu *c;
	struct zalloc_mag *m;
	unsigned long flags;

	if (want_init_on_free()) {
		if (!zsmp_live_small(smp, "free", p, len, class, ip))
			return false;
		memset(p, 0, len);
	}
	local_irq_save(flags);
	c = this_cpu_ptr(smp->cpu);
	v = zsmp_check(smp, zsmp_slab_cached(smp, c, p), p, class);
	if (unlikely(v != SMP_FREE_OK)) {
		local_irq_restore(flags);
		zsmp_report(smp, v, "free", p, len, ip);
		return false;
	}
	m = &c->mag[class];
	if (zalloc_mag_full(m))
		zsmp_flush_half(smp, m, class);
	zalloc_mag_push(m, p);
	*(unsigned long *)p = zsmp_cookie(smp, p);
	local_irq_restore(flags);
	return true;
}

/* ---------------------------------------------------------------------
 * Large blocks: the page allocator, with a record of each
 */

static unsigned long zsmp_pages(size_t len)
{
	return PAGE_ALIGN(len) >> PAGE_SHIFT;
}

/*
 * The record of large blocks is an XArray under its IRQ-safe lock, taken
 * with irqsave: large blocks come and go in any context the page
 * allocator serves.
 */
static int zsmp_large_store(struct zalloc_smp *smp, const void *p,
			    size_t len, gfp_t gfp)
{
	unsigned long flags;
	void *old;

	xa_lock_irqsave(&smp->large, flags);
	old = __xa_store(&smp->large, (unsigned long)p >> PAGE_SHIFT,
			 xa_mk_value(zsmp_pages(len)), gfp);
	xa_unlock_irqrestore(&smp->large, flags);
	return xa_err(old);
}

/* Take the record of @p if it says @len; false if it does not. */
static bool zsmp_large_take(struct zalloc_smp *smp, const void *p, size_t len)
{
	void *entry = xa_mk_value(zsmp_pages(len));
	unsigned long flags;
	void *old;

	xa_lock_irqsave(&smp->large, flags);
	old = __xa_cmpxchg(&smp->large, (unsigned long)p >> PAGE_SHIFT, entry,
			   NULL, GFP_NOWAIT);
	xa_unlock_irqrestore(&smp->large, flags);
	return old == entry;
}

static void *zsmp_alloc_large(struct zalloc_smp *smp, size_t len,
			      size_t align, gfp_t gfp, unsigned long ip)
{
	void *p;

	if (!zalloc_can_refill())
		return NULL;
	p = zalloc_pages_alloc(len, align, gfp);
	if (!p)
		return NULL;
	if (zsmp_large_store(smp, p, len, gfp)) {
		zalloc_pages_free(p, len);
		return NULL;
	}
	zsmp_count(smp, ZALLOC_SMP_LARGE_ALLOCS, 1);
	WRITE_ONCE(smp->large_ip, ip);
	zalloc_count_backing(&smp->inst, PAGE_ALIGN(len));
	zalloc_stats_sample_peak(&smp->inst);
	return p;
}

/* Is @p a large block of this instance whose length gives @len's pages? */
static bool zsmp_live_large(struct zalloc_smp *smp, const char *what,
			    const void *p, size_t len, unsigned long ip)
{
	void *entry = xa_load(&smp->large, (unsigned long)p >> PAGE_SHIFT);

	if (likely(xa_is_value(entry) && PAGE_ALIGNED(p) &&
		   xa_to_value(entry) == zsmp_pages(len)))
		return true;
	zsmp_report(smp, SMP_FREE_INVALID, what, p, len, ip);
	return false;
}

static bool zsmp_free_large(struct zalloc_smp *smp, void *p, size_t len,
			    unsigned long ip)
{
	if (!zalloc_can_refill()) {
		/* Hard IRQ: neither the record's lock nor the pages. */
		zsmp_report(smp, SMP_FREE_INVALID, "free (large, in hard IRQ)",
			    p, len, ip);
		return false;
	}
	if (!PAGE_ALIGNED(p) || !zsmp_large_take(smp, p, len)) {
		zsmp_report(smp, SMP_FREE_INVALID, "free", p, len, ip);
		return false;
	}
	zalloc_pages_free(p, len);
	zsmp_count(smp, ZALLOC_SMP_LARGE_FREES, 1);
	zalloc_count_backing(&smp->inst, -(long)PAGE_ALIGN(len));
	return true;
}

/* Resize a large block in place: the record follows its page count. */
static bool zsmp_relen_large(struct zalloc_smp *smp, void *p, size_t len,
			     size_t new_len)
{
	if (zsmp_pages(new_len) > zsmp_pages(len) ||
	    !zalloc_pages_relen(p, len, new_len))
		return false;
	/* Same index, an existing slot: the store needs no memory. */
	if (zsmp_pages(new_len) != zsmp_pages(len))
		zsmp_large_store(smp, p, new_len, GFP_NOWAIT);
	zalloc_count_backing(&smp->inst, (long)PAGE_ALIGN(new_len) -
					 (long)PAGE_ALIGN(len));
	return true;
}

/* ---------------------------------------------------------------------
 * The ops
 */

/* Every allocation but a hit in a non-empty magazine. */
static noinline void *zsmp_alloc_slow(struct zalloc_smp *smp, size_t len,
				      size_t align, gfp_t gfp,
				      unsigned long ip)
{
	unsigned int class = zsmp_class(len, align);
	struct zalloc_mag *m;
	unsigned long flags;
	void *p = NULL;

	if (in_nmi())
		goto out;
	if (class >= SMP_NR_CLASSES) {
		p = zsmp_alloc_large(smp, len, align, gfp, ip);
		goto out;
	}
	local_irq_save(flags);
	m = &this_cpu_ptr(smp->cpu)->mag[class];
	if (!zalloc_mag_empty(m))
		p = zalloc_mag_pop(m);
	else
		p = zsmp_refill(smp, class, gfp, ip, &flags);
	local_irq_restore(flags);
	if (p)
		p = zsmp_handout(smp, p, len);
out:
	zalloc_count_alloc(&smp->inst, p, len);
	return p;
}

/*
 * A block whose cookie was overwritten: report, then hand it out (the fast
 * path counted it).
 */
static noinline void *zsmp_alloc_stained(struct zalloc_smp *smp, void *p,
					 size_t len)
{
	return zsmp_handout(smp, p, len);
}

/*
 * The fast path pops the CPU's magazine with IRQs off and calls nothing
 * but, as tail calls, the slow paths, so it needs no saved registers.
 */
static void *zsmp_alloc(void *ctx, size_t len, size_t align, gfp_t gfp,
			unsigned long ip)
{
	struct zalloc_smp *smp = to_smp(ctx);
	unsigned int class = zsmp_class(len, align);
	struct zalloc_mag *m;
	struct zsmp_cpu *c;
	unsigned long flags;
	void *p;

	might_alloc(gfp);
	if (unlikely(class >= SMP_NR_CLASSES || in_nmi()))
		return zsmp_alloc_slow(smp, len, align, gfp, ip);
	local_irq_save(flags);
	c = this_cpu_ptr(smp->cpu);
	m = zalloc_mag_of(c->mag, class);
	if (unlikely(zalloc_mag_empty(m))) {
		local_irq_restore(flags);
		return zsmp_alloc_slow(smp, len, align, gfp, ip);
	}
	p = zalloc_mag_pop(m);
	zalloc_mag_count_alloc(&c->stats, len);
	local_irq_restore(flags);
	if (unlikely(*(unsigned long *)p != zsmp_cookie(smp, p)))
		return zsmp_alloc_stained(smp, p, len);
	*(unsigned long *)p = 0;
	return zalloc_init_on_alloc(p, len);
}

/*
 * In place, within the class; a large block as the page allocator would.
 * Never between small and large.  @ptr is checked first.
 */
static bool zsmp_relen(struct zalloc_smp *smp, const char *what, void *ptr,
		       size_t len, size_t align, size_t new_len,
		       unsigned long ip)
{
	unsigned int class = zsmp_class(len, align);
	unsigned int new_class = zsmp_class(new_len, align);

	if (class < SMP_NR_CLASSES) {
		if (!zsmp_live_small(smp, what, ptr, len, class, ip))
			return false;
		return new_class == class;
	}
	if (!zsmp_live_large(smp, what, ptr, len, ip))
		return false;
	return new_class >= SMP_NR_CLASSES &&
	       zsmp_relen_large(smp, ptr, len, new_len);
}

static bool zsmp_resize(void *ctx, void *ptr, size_t len, size_t align,
			size_t new_len, gfp_t gfp, unsigned long ip)
{
	struct zalloc_smp *smp = to_smp(ctx);
	bool ok = zsmp_relen(smp, "resize", ptr, len, align, new_len, ip);

	zalloc_count_resize(&smp->inst, ok, len, new_len);
	return ok;
}

static void *zsmp_remap(void *ctx, void *ptr, size_t len, size_t align,
			size_t new_len, gfp_t gfp, unsigned long ip)
{
	struct zalloc_smp *smp = to_smp(ctx);
	void *p = zsmp_relen(smp, "remap", ptr, len, align, new_len, ip) ?
		  ptr : NULL;

	zalloc_count_remap(&smp->inst, ptr, p, len, new_len);
	return p;
}

/* Every free but the common case of zsmp_free(); @class from the length. */
static noinline void zsmp_free_slow(struct zalloc_smp *smp, void *ptr,
				    size_t len, unsigned long class,
				    unsigned long ip)
{
	bool ok;

	if (unlikely(in_nmi())) {
		zsmp_report(smp, SMP_FREE_INVALID, "free (NMI)", ptr, len, ip);
		return;
	}
	if (class < SMP_NR_CLASSES)
		ok = zsmp_free_small(smp, ptr, len, class, ip);
	else
		ok = zsmp_free_large(smp, ptr, len, ip);
	if (ok)
		zalloc_count_free(&smp->inst, len);
}

/*
 * zsmp_free() of a checked block whose magazine is full: half of it goes
 * back to the slabs first.  Called with IRQs off, @flags as they were
 * before; restores them.
 */
static noinline void zsmp_free_overflow(struct zalloc_smp *smp,
					struct zalloc_mag *m, void *ptr,
					size_t len, unsigned long class,
					unsigned long flags)
{
	zsmp_flush_half(smp, m, class);
	zalloc_mag_push(m, ptr);
	*(unsigned long *)ptr = zsmp_cookie(smp, ptr);
	local_irq_restore(flags);
	zalloc_count_free(&smp->inst, len);
}

/*
 * Offset bits a block of each class has clear, zsmp_size(class) - 1: the
 * free fast path's boundary test is one AND with a load, not the shifts
 * and compare of (off >> shift) << shift != off.
 */
#define ZSMP_MASK(class)	(BIT((class) + ZALLOC_SMP_MIN_SHIFT) - 1)
static const unsigned long zsmp_size_mask[] = {
	ZSMP_MASK(0), ZSMP_MASK(1), ZSMP_MASK(2), ZSMP_MASK(3),
	ZSMP_MASK(4), ZSMP_MASK(5), ZSMP_MASK(6), ZSMP_MASK(7),
	ZSMP_MASK(8), ZSMP_MASK(9), ZSMP_MASK(10),
};

#undef ZSMP_MASK

static_assert(ARRAY_SIZE(zsmp_size_mask) == SMP_NR_CLASSES);

/*
 * The free's fast path once @ptr's slab is known (IRQs off, @flags as they
 * were): a block of @slab's class, on a block boundary, out of its slab and
 * not in a magazine (no cookie), into a magazine with room.  A full
 * magazine goes to zsmp_free_overflow(), anything else, as a tail call, to
 * zsmp_free_slow(), which sorts it out with the full checks.
 */
static __always_inline void zsmp_free_push(struct zalloc_smp *smp,
					   struct zsmp_cpu *c,
					   struct zsmp_slab *slab, void *ptr,
					   size_t len, unsigned long class,
					   unsigned long ip, unsigned long flags)
{
	unsigned long cookie;
	struct zalloc_mag *m;

	/* A slab's base is SMP_SLAB_SIZE aligned: @ptr's low bits are its. */
	if (unlikely(READ_ONCE(slab->class) != class ||
		     ((unsigned long)ptr & zsmp_size_mask[class]) ||
		     test_bit(((unsigned long)ptr & (SMP_SLAB_SIZE - 1)) >>
			      (class + ZALLOC_SMP_MIN_SHIFT), slab->free)))
		goto slow;
	/* Once, into a local: the push below may alias the key. */
	cookie = zsmp_cookie(smp, ptr);
	if (unlikely(*(unsigned long *)ptr == cookie))
		goto slow;
	m = zalloc_mag_of(c->mag, class);
	if (unlikely(zalloc_mag_full(m))) {
		zsmp_free_overflow(smp, m, ptr, len, class, flags);
		return;
	}
	zalloc_mag_push(m, ptr);
	*(unsigned long *)ptr = cookie;
	zalloc_mag_count_free(&c->stats, len);
	local_irq_restore(flags);
	return;

slow:
	local_irq_restore(flags);
	zsmp_free_slow(smp, ptr, len, class, ip);
}

/*
 * zsmp_free() of a block of another slab than the CPU's latest lookup
 * (frees in random order): a page-map lookup, which becomes the latest.
 * Out of line, entered with IRQs off as a tail call, so that the walk's
 * registers are not saved on every free that hits.
 */
static noinline void zsmp_free_miss(struct zalloc_smp *smp, void *ptr,
				    size_t len, unsigned long class,
				    unsigned long ip, unsigned long flags)
{
	struct zsmp_cpu *c = this_cpu_ptr(smp->cpu);
	struct zsmp_slab *slab = zsmp_slab_lookup(smp, c, ptr);

	if (unlikely(!slab)) {
		local_irq_restore(flags);
		zsmp_free_slow(smp, ptr, len, class, ip);
		return;
	}
	zsmp_free_push(smp, c, slab, ptr, len, class, ip, flags);
}

/*
 * The fast path: the CPU's latest slab lookup serves (zsmp_slab_hit()), so
 * the block's slab is known without a walk; zsmp_free_push() does the rest.
 * Another slab's block goes to zsmp_free_miss().
 */
static void zsmp_free(void *ctx, void *ptr, size_t len, size_t align,
		      unsigned long ip)
{
	struct zalloc_smp *smp = to_smp(ctx);
	/* unsigned long: an index and a shift, in one register. */
	unsigned long class = zsmp_class(len, align);
	unsigned long flags;
	struct zsmp_cpu *c;

	if (unlikely(class >= SMP_NR_CLASSES || in_nmi() ||
		     want_init_on_free())) {
		zsmp_free_slow(smp, ptr, len, class, ip);
		return;
	}
	local_irq_save(flags);
	c = this_cpu_ptr(smp->cpu);
	if (unlikely(!zsmp_slab_hit(c, ptr))) {
		zsmp_free_miss(smp, ptr, len, class, ip, flags);
		return;
	}
	/* A released slab's &zsmp_no_slab goes the slow way: no class. */
	zsmp_free_push(smp, c, READ_ONCE(c->last_slab), ptr, len, class, ip,
		       flags);
}

static const struct zalloc_ops zsmp_ops = {
	.alloc	= zsmp_alloc,
	.resize	= zsmp_resize,
	.remap	= zsmp_remap,
	.free	= zsmp_free,
};

/* ---------------------------------------------------------------------
 * The instance
 */

/*
 * The kind's fold: the allocations and frees the fronts counted (the fast
 * paths'; the slow paths count in the common counters).
 */
static void zsmp_fold(struct zalloc_instance *inst,
		      struct zalloc_stats_sum *sum)
{
	struct zalloc_smp *smp = to_smp(inst);

	if (smp->cpu)
		zalloc_mag_stats_fold(sum, &smp->cpu->stats);
}

/* The kind's read: values the events do not give, from the slots. */
static void zsmp_read(struct zalloc_instance *inst, unsigned long *v)
{
	struct zalloc_smp *smp = to_smp(inst);

	v[ZALLOC_SMP_SLOTS] = smp->nr_slots;
	v[ZALLOC_SMP_SLAB_BYTES] = SMP_SLAB_SIZE;
	v[ZALLOC_SMP_SLABS] = v[ZALLOC_SMP_SLABS_TAKEN] -
			      v[ZALLOC_SMP_SLABS_RETURNED];
	v[ZALLOC_SMP_LARGE_LIVE] = v[ZALLOC_SMP_LARGE_ALLOCS] -
				   v[ZALLOC_SMP_LARGE_FREES];
	zsmp_read_back(smp, v);
}

/* The kind's init: keys, the front, then the back. */
static int zsmp_init(struct zalloc_instance *inst, const void *arg)
{
	struct zalloc_smp *smp = to_smp(inst);
	int err, cpu;

	smp->cookie_key = get_random_long();
	smp->cpu = alloc_percpu(struct zsmp_cpu);
	if (!smp->cpu)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		zalloc_mags_init(per_cpu_ptr(smp->cpu, cpu)->mag,
				 SMP_NR_CLASSES);
		/* No lookup yet. */
		per_cpu_ptr(smp->cpu, cpu)->last_slab = &zsmp_no_slab;
	}
	xa_init_flags(&smp->large, XA_FLAGS_LOCK_IRQ);
	err = zsmp_back_init(smp);
	if (err)
		free_percpu(smp->cpu);
	return err;
}

/* Give every large block still recorded back; returns how many. */
static unsigned long zsmp_free_all_large(struct zalloc_smp *smp)
{
	unsigned long index, n = 0;
	void *entry;

	xa_for_each(&smp->large, index, entry) {
		zalloc_pages_free((void *)(index << PAGE_SHIFT),
				  xa_to_value(entry) << PAGE_SHIFT);
		zalloc_count_backing(&smp->inst,
				     -(long)(xa_to_value(entry) << PAGE_SHIFT));
		n++;
	}
	xa_destroy(&smp->large);
	return n;
}

/* The kind's fini: give everything back, report and count what was live. */
static unsigned long zsmp_fini(struct zalloc_instance *inst)
{
	struct zalloc_smp *smp = to_smp(inst);
	unsigned long live, large;

	live = zsmp_back_fini(smp);
	large = zsmp_free_all_large(smp);
	if (large)
		pr_err("smp %s: destroyed with %lu live large blocks (given back), the latest allocated by %pS\n",
		       zsmp_name(smp), large, (void *)READ_ONCE(smp->large_ip));
	free_percpu(smp->cpu);
	smp->cpu = NULL;
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
	.fold		= zsmp_fold,
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
 * The instance has its own magazines, slots, slabs, statistics, lockdep
 * class and shrinker.  zalloc_destroy() destroys it.
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
 * without anyone calling this.  It counts pages (SMP_SLAB_PAGES per slab
 * it could give back) and scanning drains the magazines and gives the
 * empty slabs back.
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

/**
 * zalloc_smp_trim() - give back what an SMP instance holds for reuse
 * @a: the instance (global or private)
 *
 * Drains every CPU's magazines into their slabs and gives every empty slab
 * back to the buddy allocator but ZALLOC_SMP_EMPTY_MAX per slot, as the
 * instance does by itself once it has been idle for a second.  For callers
 * that know they are done for a while, and for measuring.
 *
 * Context: process context; may sleep (it runs on every CPU).
 * Return: the slabs given back; 0 if @a is not an SMP instance.
 */
unsigned long zalloc_smp_trim(const struct zalloc *a)
{
	struct zalloc_instance *inst;

	inst = zalloc_instance_of_kind(a, &zalloc_kind_smp);
	return inst ? zsmp_trim(to_smp(inst), ULONG_MAX) : 0;
}
EXPORT_SYMBOL_NS_GPL(zalloc_smp_trim, ZALLOC_NS);

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
	int err;

	zsmp_slab_cache = KMEM_CACHE(zsmp_slab, 0);
	if (!zsmp_slab_cache)
		return -ENOMEM;
	err = zalloc_instance_setup(&zsmp_global.inst, &zalloc_kind_smp, &s);
	if (err) {
		kmem_cache_destroy(zsmp_slab_cache);
		return err;
	}
	zalloc_smp_allocator = zsmp_global.inst.za;
	return 0;
}

void zalloc_smp_exit(void)
{
	zalloc_instance_teardown(&zsmp_global.inst);
	kmem_cache_destroy(zsmp_slab_cache);
}
