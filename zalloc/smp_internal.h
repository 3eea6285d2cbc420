/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SMP allocator's private structures, shared by its front (smp.c: the
 * per-CPU magazines, the ops, the instance) and its back (smp_slab.c: the
 * slots, the slabs, memory going back).  smp.c's header says how it works.
 *
 * Lock order:
 *   1. zalloc_registry_lock (debugfs readers, registry.c)
 *   2. slot->lock (raw, IRQs off; one slot at a time, never two)
 *   3. smp->map.lock (pagemap.h), kmemleak's locks
 *
 * A CPU's magazines are its own, used with IRQs off on that CPU (they are
 * touched from another CPU only by a drain running on it through an IPI,
 * or for an offline CPU under cpus_read_lock()).  slot->lock protects its
 * slot and every field of the slabs it owns but the fixed ones (base, slot,
 * class while the slab is not empty).  No lock is held across a page
 * allocation, so GFP_KERNEL callers may sleep for a slab and the shrinker
 * may take slot locks from reclaim.
 */
#ifndef _ZALLOC_SMP_INTERNAL_H
#define _ZALLOC_SMP_INTERNAL_H

#include <linux/bitops.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <zalloc/smp.h>

#include "internal.h"
#include "mag.h"
#include "pagemap.h"

#define SMP_NR_CLASSES		ZALLOC_SMP_NR_CLASSES
#define SMP_SLAB_SIZE		ZALLOC_SMP_SLAB_SIZE
#define SMP_SLAB_ORDER		(ZALLOC_SMP_SLAB_SHIFT - PAGE_SHIFT)
#define SMP_SLAB_PAGES		(SMP_SLAB_SIZE >> PAGE_SHIFT)
#define SMP_MAX_BLOCKS		(SMP_SLAB_SIZE >> ZALLOC_SMP_MIN_SHIFT)
/* Zig's max_alloc_search: other slots looked at before a fresh slab. */
#define SMP_MAX_ALLOC_SEARCH	1

static_assert(SMP_NR_CLASSES <= ZALLOC_MAG_CLASSES);
static_assert(ZALLOC_SMP_MIN_SHIFT == ZALLOC_MAG_MIN_SHIFT);
static_assert(ZALLOC_SMP_MAX_SMALL < SMP_SLAB_SIZE);

/**
 * struct zsmp_slab - a slab's descriptor
 * @node: in its class's partial list, in its slot's empty list, or on no
 *	list (self-linked) while full
 * @all: in its slot's list of every slab it owns
 * @base: the slab's first byte, SMP_SLAB_SIZE aligned (fixed)
 * @slot: index of the slot owning the slab (fixed)
 * @class: the size class it is cut into; changes only while empty
 * @nfree: blocks on the slab (bit set in @free)
 * @inuse: blocks out of it: in a user's hands or in a magazine
 * @hint: no word of @free below it has a bit set
 * @ip: the caller of an allocation that took blocks from it (for reports)
 * @smp: the instance (fixed), for the release's RCU callbacks
 * @rcu: for the release: the CPUs' cached lookups of the slab are dropped
 *	after a grace period, the descriptor and pages after a second one, so
 *	a lockless lookup or cached lookup in flight never touches freed
 *	memory (zsmp_release_slab())
 * @free: bit i set: block i is free on the slab.  The slab's free blocks
 *	hold nothing of the allocator's: a write after free cannot steer it.
 *
 * All but the fixed fields are under the owning slot's lock; @class and
 * @free are read locklessly by frees, which confirm under the lock.
 */
struct zsmp_slab {
	struct list_head node;
	struct list_head all;
	void *base;
	unsigned int slot;
	unsigned int class;
	unsigned int nfree;
	unsigned int inuse;
	unsigned int hint;
	unsigned long ip;
	struct zalloc_smp *smp;
	struct rcu_head rcu;
	unsigned long free[BITS_TO_LONGS(SMP_MAX_BLOCKS)];
};

/**
 * struct zsmp_class - one size class of one slot
 * @partial: slabs with a free block; refills take the first, slabs that
 *	get a block back go to the tail
 * @out: blocks of the slot's slabs of the class out of their slab
 * @nr_free: free blocks on those slabs
 * @nr_slabs: slabs of the class owned by the slot (partial or full)
 */
struct zsmp_class {
	struct list_head partial;
	unsigned long out;
	unsigned long nr_free;
	unsigned long nr_slabs;
};

/**
 * struct zsmp_slot - one slot, on its own cache line(s)
 * @lock: protects the slot and the slabs it owns; IRQs off while held
 * @cls: the size classes
 * @empty: empty slabs kept for reuse by any class
 * @all: every slab the slot owns
 * @nr_empty: how many are on @empty
 * @in_use: slabs cut into a class (partial or full)
 * @keep: empty slabs the slot keeps: the most it had in use since the
 *	last idle trim, at least ZALLOC_SMP_EMPTY_MAX
 * @allocs: blocks it handed to magazines
 * @frees: blocks given back to its slabs
 * @remote_frees: of those, given back by another CPU's magazine
 * @contended: try-locks of this slot that failed (atomic, no lock)
 */
struct zsmp_slot {
	raw_spinlock_t lock;	/* the slot and the slabs it owns */
	struct zsmp_class cls[SMP_NR_CLASSES];
	struct list_head empty;
	struct list_head all;
	unsigned int nr_empty;
	unsigned int in_use;
	unsigned int keep;
	unsigned long allocs;
	unsigned long frees;
	unsigned long remote_frees;
	atomic_long_t contended;
} ____cacheline_aligned_in_smp;

/**
 * struct zsmp_cpu - a CPU's front
 * @last_base: the slab base of the latest free's page-map lookup
 * @last_slab: what it found, reused for blocks of @last_base's slab; or
 *	&zsmp_no_slab, of no class, before the first lookup and once the
 *	slab is released.  Written by its CPU with IRQs off, and by a
 *	release (zsmp_release_slab()) from any CPU, only to &zsmp_no_slab;
 *	@last_base only by its CPU
 * @stats: what its fast paths counted
 * @mag: a magazine per class
 */
struct zsmp_cpu {
	unsigned long last_base;
	struct zsmp_slab *last_slab;
	struct zalloc_mag_stats stats;
	struct zalloc_mag mag[SMP_NR_CLASSES];
};

/**
 * struct zalloc_smp - an SMP allocator instance
 * @inst: the instance (struct zalloc, counters, name, lockdep class of the
 *	slot locks, debug core)
 * @cpu: the per-CPU fronts
 * @slots: nr_cpu_ids slots, each cache-line aligned
 * @nr_slots: how many
 * @map: slab base -> descriptor
 * @large: large block (address >> PAGE_SHIFT) -> its page count, as an
 *	xa_mk_value(); under its own lock
 * @shrinker: gives cached memory back under memory pressure
 * @cookie_key: random key of the word a block in a magazine holds (fixed)
 * @large_ip: the caller of the latest large allocation
 * @idle: trims the instance once it has been idle for a while
 * @idle_armed: @idle is queued (set from any context, cleared by @idle)
 * @activity: slow-path events, for @idle to tell whether it was idle
 * @idle_seen: @activity when @idle last looked
 * @refill: takes slabs for slots where a caller could not (PREEMPT_RT
 *	hard IRQ)
 * @refill_slots: which slots want one (bit per slot index, atomic)
 */
struct zalloc_smp {
	struct zalloc_instance inst;
	struct zsmp_cpu __percpu *cpu;
	struct zsmp_slot *slots;
	unsigned int nr_slots;
	struct zalloc_pagemap map;
	struct xarray large;
	struct shrinker *shrinker;
	unsigned long cookie_key;
	unsigned long large_ip;
	struct delayed_work idle;
	bool idle_armed;
	atomic_long_t activity;
	long idle_seen;
	struct work_struct refill;
	unsigned long *refill_slots;
};

static inline struct zalloc_smp *to_smp(void *ctx)
{
	return container_of(ctx, struct zalloc_smp, inst);
}

static inline size_t zsmp_size(unsigned int class)
{
	return (size_t)1 << (class + ZALLOC_SMP_MIN_SHIFT);
}

/* Zig's sizeClassIndex(), as mag.h computes it. */
static __always_inline unsigned int zsmp_class(size_t len, size_t align)
{
	return zalloc_mag_class(len, align);
}

/* What a block in a magazine holds in its first word. */
static __always_inline unsigned long zsmp_cookie(const struct zalloc_smp *smp,
						 const void *p)
{
	return zalloc_mag_cookie(smp->cookie_key, p);
}

static inline const char *zsmp_name(const struct zalloc_smp *smp)
{
	return zalloc_report_name(&smp->inst);
}

static inline void zsmp_count(struct zalloc_smp *smp, unsigned int event,
			      unsigned long n)
{
	zalloc_count(&smp->inst, NR_ZALLOC_STATS + event, n);
}

/*
 * The slab @p would lie in, if it is one of this instance's; lockless.  A
 * slab is one granule of the page map, which returns what was set for
 * @p's very granule, so the slab found starts where @p's granule does.
 */
static __always_inline struct zsmp_slab *zsmp_slab_of(struct zalloc_smp *smp,
						      const void *p)
{
	static_assert(SMP_SLAB_SIZE == ZALLOC_PM_GRANULE);
	return zalloc_pagemap_get(&smp->map,
				  (unsigned long)p & ~(SMP_SLAB_SIZE - 1));
}

/* What a CPU's cached lookup holds while it has none (its class is none). */
extern struct zsmp_slab zsmp_no_slab;

/*
 * zsmp_slab_of() for a free, IRQs off, remembered as the CPU's latest
 * lookup.  A slab released meanwhile is not found: it left the map first.
 */
static __always_inline struct zsmp_slab *
zsmp_slab_lookup(struct zalloc_smp *smp, struct zsmp_cpu *c, const void *p)
{
	struct zsmp_slab *slab = zsmp_slab_of(smp, p);

	if (slab) {
		c->last_base = (unsigned long)p & ~(SMP_SLAB_SIZE - 1);
		WRITE_ONCE(c->last_slab, slab);
	}
	return slab;
}

/*
 * Is @p in the slab of @c's latest lookup?  Then c->last_slab is that slab
 * (still valid if it is being released: a grace period protects it) or
 * &zsmp_no_slab, whose class no block has.
 */
static __always_inline bool zsmp_slab_hit(const struct zsmp_cpu *c,
					  const void *p)
{
	return (unsigned long)p - c->last_base < SMP_SLAB_SIZE;
}

/*
 * zsmp_slab_of() for a free, IRQs off: the CPU's latest lookup again if it
 * serves (zsmp_slab_hit(), not released), else a new lookup, remembered.
 * IRQs off make this an RCU read-side section, so what it returns stays
 * valid until they are back on.
 */
static __always_inline struct zsmp_slab *
zsmp_slab_cached(struct zalloc_smp *smp, struct zsmp_cpu *c, const void *p)
{
	struct zsmp_slab *slab = READ_ONCE(c->last_slab);

	if (unlikely(!zsmp_slab_hit(c, p) || slab == &zsmp_no_slab))
		return zsmp_slab_lookup(smp, c, p);
	return slab;
}

static inline unsigned int zsmp_blocks(unsigned int class)
{
	return SMP_SLAB_SIZE >> (class + ZALLOC_SMP_MIN_SHIFT);
}

/* smp_slab.c */
extern struct kmem_cache *zsmp_slab_cache;
void *zsmp_refill(struct zalloc_smp *smp, unsigned int class, gfp_t gfp,
		  unsigned long ip, unsigned long *flags);
void zsmp_flush(struct zalloc_smp *smp, struct zalloc_mag *m,
		unsigned int class, unsigned int n);
void zsmp_flush_half(struct zalloc_smp *smp, struct zalloc_mag *m,
		     unsigned int class);
bool zsmp_confirm_double(struct zalloc_smp *smp, struct zsmp_slab *slab,
			 const void *p);
void zsmp_note_activity(struct zalloc_smp *smp);
void zsmp_overwritten(struct zalloc_smp *smp, const void *p);
unsigned long zsmp_trim(struct zalloc_smp *smp, unsigned long max);
int zsmp_back_init(struct zalloc_smp *smp);
unsigned long zsmp_back_fini(struct zalloc_smp *smp);
void zsmp_read_back(struct zalloc_smp *smp, unsigned long *v);
void zsmp_show_classes(struct seq_file *m, struct zalloc_instance *inst);
void zsmp_show_cpus(struct seq_file *m, struct zalloc_instance *inst);

#endif /* _ZALLOC_SMP_INTERNAL_H */
