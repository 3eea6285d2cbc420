/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zalloc SMP allocator: Zig's SmpAllocator on per-CPU slots and 64 KiB
 * slabs, with a per-CPU front, giving memory back.
 *
 * Small blocks, max(len, align) up to ZALLOC_SMP_MAX_SMALL (8 KiB, as
 * kmalloc's largest slab cache), come from power-of-two size classes
 * 8 B .. 8 KiB carved out of 64 KiB slabs (order-4 buddy blocks, aligned to
 * their size, so every block is aligned to its own size and any alignment
 * up to the class size is honoured).  Each CPU keeps a magazine of free
 * blocks per class (up to 63, or 32 KiB worth); behind the magazines there
 * is one slot per possible CPU with a lock, owning slabs.  Larger blocks
 * come from the page allocator, recorded so that their frees are checked.
 *
 * Resize and remap succeed within a size class and never move a block
 * between the small and large paths; large blocks resize as the page
 * allocator does.  Every free, resize and remap is checked first: a pointer
 * that is not a live block of this instance with that length is reported
 * and refused, double frees of any block included.
 *
 * Memory goes back: a slab whose blocks are all free leaves its class; a
 * slot keeps as many empty slabs as it had in use at its peak, so a steady
 * producer/consumer load does not churn slabs; once the instance has been
 * idle for a second the magazines are drained and the empty slabs beyond
 * ZALLOC_SMP_EMPTY_MAX per slot go back to the buddy allocator, as they do
 * when the shrinker asks or zalloc_smp_trim() is called.
 *
 * Context: alloc and free of small blocks, any context but NMI, hard IRQ
 * included, on PREEMPT_RT too: the magazines are used with IRQs off and
 * the slot locks are raw spinlocks.  Taking a fresh slab needs the page
 * allocator: with a gfp_t that allows sleeping the caller may sleep for it
 * (never holding a lock); with GFP_ATOMIC/GFP_NOWAIT it is taken
 * atomically; in hard IRQ (on every kernel) and on PREEMPT_RT with IRQs or
 * preemption off it is not taken at all, so such an allocation returns
 * NULL if no magazine or slot has a block, and a worker takes a slab for
 * next time.  Large blocks: as the page allocator, but never in hard IRQ
 * (alloc returns NULL, free is refused with a report).
 */
#ifndef _ZALLOC_SMP_H
#define _ZALLOC_SMP_H

#include <linux/bits.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <zalloc/zalloc.h>

struct shrinker;

/* Slab size: 64 KiB, or a page where pages are larger. */
#define ZALLOC_SMP_SLAB_SHIFT	(PAGE_SHIFT > 16 ? PAGE_SHIFT : 16)
#define ZALLOC_SMP_SLAB_SIZE	BIT(ZALLOC_SMP_SLAB_SHIFT)
/* Smallest class: a free slot holds the free-list link. */
#define ZALLOC_SMP_MIN_SHIFT	3
/*
 * Largest small block: 8 KiB, kmalloc's KMALLOC_MAX_CACHE_SIZE with 4 KiB
 * pages (Zig: half a slab).  A 64 KiB slab holds only four 16 KiB or two
 * 32 KiB blocks, and half-used slabs of those classes held more memory than
 * the exact pages the page allocator gives; anything larger goes there.
 */
#define ZALLOC_SMP_MAX_SMALL_SHIFT	13
#define ZALLOC_SMP_MAX_SMALL	BIT(ZALLOC_SMP_MAX_SMALL_SHIFT)
#define ZALLOC_SMP_NR_CLASSES	\
	(ZALLOC_SMP_MAX_SMALL_SHIFT - ZALLOC_SMP_MIN_SHIFT + 1)
/* Empty slabs each slot keeps however idle the instance is. */
#define ZALLOC_SMP_EMPTY_MAX	2

/**
 * enum zalloc_smp_counter - an SMP instance's own counters
 * @ZALLOC_SMP_SLABS_TAKEN: slabs taken from the buddy allocator
 * @ZALLOC_SMP_SLABS_RETURNED: slabs given back
 * @ZALLOC_SMP_SHRINKER_RECLAIMS: of those, slabs the shrinker gave back
 * @ZALLOC_SMP_LARGE_ALLOCS: blocks above ZALLOC_SMP_MAX_SMALL handed out
 * @ZALLOC_SMP_LARGE_FREES: and given back
 * @ZALLOC_SMP_DOUBLE_FREES: frees refused as double frees
 * @ZALLOC_SMP_INVALID_FREES: frees refused as not this instance's blocks
 * @ZALLOC_SMP_CORRUPT_LISTS: free lists found corrupted and dropped
 * @ZALLOC_SMP_NR_EVENTS: the ones above are events, counted as they happen
 * @ZALLOC_SMP_SLOTS: slots (one per possible CPU)
 * @ZALLOC_SMP_SLAB_BYTES: bytes per slab
 * @ZALLOC_SMP_SLABS: slabs held (taken - returned)
 * @ZALLOC_SMP_EMPTY_CACHED: empty slabs kept for reuse
 * @ZALLOC_SMP_LIVE_OBJECTS: small blocks handed out
 * @ZALLOC_SMP_FREE_OBJECTS: small blocks on free lists
 * @ZALLOC_SMP_LARGE_LIVE: large blocks handed out (allocs - frees)
 * @NR_ZALLOC_SMP_COUNTERS: how many
 *
 * Read with zalloc_instance_info(); the "stats" file shows them by name.
 */
enum zalloc_smp_counter {
	ZALLOC_SMP_SLABS_TAKEN,
	ZALLOC_SMP_SLABS_RETURNED,
	ZALLOC_SMP_SHRINKER_RECLAIMS,
	ZALLOC_SMP_LARGE_ALLOCS,
	ZALLOC_SMP_LARGE_FREES,
	ZALLOC_SMP_DOUBLE_FREES,
	ZALLOC_SMP_INVALID_FREES,
	ZALLOC_SMP_CORRUPT_LISTS,
	ZALLOC_SMP_NR_EVENTS,
	ZALLOC_SMP_SLOTS = ZALLOC_SMP_NR_EVENTS,
	ZALLOC_SMP_SLAB_BYTES,
	ZALLOC_SMP_SLABS,
	ZALLOC_SMP_EMPTY_CACHED,
	ZALLOC_SMP_LIVE_OBJECTS,
	ZALLOC_SMP_FREE_OBJECTS,
	ZALLOC_SMP_LARGE_LIVE,
	NR_ZALLOC_SMP_COUNTERS
};

/* The global SMP allocator instance, registered as "smp". */
extern struct zalloc zalloc_smp_allocator;

struct zalloc *__zalloc_smp_create(const char *name, unsigned int flags,
				   struct module *owner);
/* See __zalloc_smp_create(); the name belongs to the calling module. */
#define zalloc_smp_create(name, flags)					\
	__zalloc_smp_create(name, flags, THIS_MODULE)
struct shrinker *zalloc_smp_shrinker(const struct zalloc *a);
unsigned long zalloc_smp_trim(const struct zalloc *a);

#endif /* _ZALLOC_SMP_H */
