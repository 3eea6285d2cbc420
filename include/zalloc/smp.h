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
struct zalloc_instance;
struct zalloc_smp;

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
 * struct zalloc_smp_info - a summed snapshot of an SMP instance
 * @slabs: slabs held from the buddy allocator (in use or cached empty)
 * @slabs_taken: slabs ever taken from the buddy allocator
 * @slabs_returned: slabs ever given back (when emptied, by the shrinker,
 *	or at destroy)
 * @empty_cached: empty slabs kept in the slots for reuse
 * @shrinker_reclaims: slabs given back by the shrinker
 * @live_objects: small blocks handed out and not freed
 * @free_objects: small blocks on free lists (not counting slab space never
 *	handed out)
 * @large_live: large blocks handed out and not freed
 * @double_frees: frees refused as double frees
 * @invalid_frees: frees refused because the block is not one of this
 *	instance's (wrong pointer, length or alignment)
 * @corrupt_lists: free lists found corrupted and dropped
 * @allocs: small blocks handed out, summed over the slots
 * @frees: small blocks given back, summed over the slots
 * @remote_frees: of those, frees run on a CPU other than the slab's slot
 * @contended: slot try-locks that failed, summed over the slots
 */
struct zalloc_smp_info {
	unsigned long slabs;
	unsigned long slabs_taken;
	unsigned long slabs_returned;
	unsigned long empty_cached;
	unsigned long shrinker_reclaims;
	unsigned long live_objects;
	unsigned long free_objects;
	unsigned long large_live;
	unsigned long double_frees;
	unsigned long invalid_frees;
	unsigned long corrupt_lists;
	unsigned long allocs;
	unsigned long frees;
	unsigned long remote_frees;
	unsigned long contended;
};

/* The global SMP allocator instance, registered as "smp". */
extern struct zalloc zalloc_smp_allocator;

struct zalloc_smp *__zalloc_smp_create(const char *name, unsigned int flags,
				       struct module *owner);
/* See __zalloc_smp_create(); the name belongs to the calling module. */
#define zalloc_smp_create(name, flags)					\
	__zalloc_smp_create(name, flags, THIS_MODULE)
unsigned long zalloc_smp_destroy(struct zalloc_smp *smp);
const struct zalloc *zalloc_smp_zalloc(struct zalloc_smp *smp);
struct zalloc_smp *zalloc_smp_of(const struct zalloc *za);
void zalloc_smp_info(struct zalloc_smp *smp, struct zalloc_smp_info *info);
struct shrinker *zalloc_smp_shrinker(struct zalloc_smp *smp);
struct zalloc_instance *zalloc_smp_instance(struct zalloc_smp *smp);

#endif /* _ZALLOC_SMP_H */
