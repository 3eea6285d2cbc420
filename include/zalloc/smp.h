/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zalloc SMP allocator: Zig's SmpAllocator on per-CPU slots and 64 KiB
 * slabs, giving memory back.
 *
 * Small blocks, max(len, align) up to ZALLOC_SMP_MAX_SMALL (32 KiB), come
 * from power-of-two size classes 8 B .. 32 KiB carved out of 64 KiB slabs
 * (order-4 buddy blocks, aligned to their size, so every slot is aligned to
 * its own size and any alignment up to the class size is honoured).  There
 * is one slot per possible CPU (nr_cpu_ids of them); the caller's CPU picks
 * the slot as a hint and a try-lock decides, moving on to the next slot on
 * contention.  Larger blocks go to zalloc_page_allocator with no metadata.
 *
 * Resize and remap succeed within a size class and never move a block
 * between the small and large paths; large blocks resize as the page
 * allocator does.  Slabs whose objects are all free go back to the buddy
 * allocator, keeping at most ZALLOC_SMP_EMPTY_MAX empty slabs per slot, and
 * a shrinker gives back those too under memory pressure.
 *
 * Context: alloc with a gfp_t that allows sleeping may sleep (only to get a
 * fresh slab, never holding a slot lock); with GFP_ATOMIC or GFP_NOWAIT it
 * may be called from any context but NMI, hard IRQ included.  resize, remap
 * and free: any context but NMI.  On PREEMPT_RT, where spinlock_t sleeps,
 * as kmalloc: not from hard IRQ.
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
#define ZALLOC_SMP_NR_CLASSES	(ZALLOC_SMP_SLAB_SHIFT - ZALLOC_SMP_MIN_SHIFT)
/* Largest small block; anything larger goes to the page allocator. */
#define ZALLOC_SMP_MAX_SMALL	(ZALLOC_SMP_SLAB_SIZE >> 1)
/* Empty slabs each slot keeps for reuse; the rest go back at once. */
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

#endif /* _ZALLOC_SMP_H */
