/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zalloc page map: which 64 KiB granules of kernel virtual memory an
 * instance owns, and what it knows about each, found in O(1) without
 * touching the memory itself or its struct page.
 *
 * The smp allocator maps each slab to its descriptor; the sbrk allocator
 * maps each big page to what it is carved into.  A free of any pointer
 * first asks the map, so a pointer the instance never handed out (another
 * allocator's object, the stack, module data, a freed slab) is refused
 * before anything is read from or written to it.
 *
 * It is a three-level radix tree over bits 16..47 of the address (11, 11
 * and 10 bits), as the page tables are: the top level is allocated with the
 * map, the others when a granule under them is first set, and no node is
 * freed before the map is.  A range [lo, hi) covering every granule ever
 * set or reserved rejects most foreign pointers with two compares.
 * Addresses that differ only above bit 47 (5-level paging) would share a
 * slot, so [lo, hi) never spans more than ZALLOC_PM_SPAN bytes: a set,
 * update or reserve that would widen it further fails, and a clear
 * outside it changes nothing.  Within it no two granules share a slot, and
 * a lookup returns what was set for the very granule it asked about.
 *
 * Locking: set and clear are serialised by the map's raw spinlock (a leaf,
 * IRQ-safe); lookups take no lock.  A slot is written with release
 * ordering (what it points to, and whatever the setter wrote before, is
 * seen by a lookup that sees the value) and read with READ_ONCE(); nodes
 * are published with release and read with acquire ordering, so a lookup
 * sees either the old or the new value of a slot, never a torn node.
 * What a slot points to must stay valid for lookups in flight when it is
 * cleared (smp frees its descriptors by RCU).
 */
#ifndef _ZALLOC_PAGEMAP_H
#define _ZALLOC_PAGEMAP_H

#include <linux/bits.h>
#include <linux/compiler.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#define ZALLOC_PM_SHIFT		16
#define ZALLOC_PM_GRANULE	BIT(ZALLOC_PM_SHIFT)
#define ZALLOC_PM_TOP_BITS	11
#define ZALLOC_PM_MID_BITS	11
#define ZALLOC_PM_LEAF_BITS	10
/* Bytes the levels resolve, 2^48: the most [lo, hi) may span. */
#define ZALLOC_PM_SPAN		BIT_ULL(ZALLOC_PM_SHIFT + ZALLOC_PM_TOP_BITS + \
					ZALLOC_PM_MID_BITS + ZALLOC_PM_LEAF_BITS)

/**
 * struct zalloc_pagemap - a page map
 * @top: the top level, 2^ZALLOC_PM_TOP_BITS pointers to mid nodes
 * @lo: lowest granule ever set (ULONG_MAX while empty)
 * @hi: end of the highest granule ever set (0 while empty)
 * @lock: serialises set and clear
 */
struct zalloc_pagemap {
	void ***top;
	unsigned long lo;
	unsigned long hi;
	raw_spinlock_t lock;	/* set and clear; lookups are lockless */
};

int zalloc_pagemap_init(struct zalloc_pagemap *pm, gfp_t gfp);
void zalloc_pagemap_destroy(struct zalloc_pagemap *pm);
int zalloc_pagemap_set(struct zalloc_pagemap *pm, unsigned long addr,
		       void *val, gfp_t gfp);
void zalloc_pagemap_clear(struct zalloc_pagemap *pm, unsigned long addr);
int zalloc_pagemap_reserve(struct zalloc_pagemap *pm, unsigned long start,
			   unsigned long end, gfp_t gfp);
bool zalloc_pagemap_update(struct zalloc_pagemap *pm, unsigned long addr,
			   void *val);

static __always_inline unsigned long zalloc_pm_key(unsigned long addr)
{
	return addr >> ZALLOC_PM_SHIFT;
}

static __always_inline unsigned int zalloc_pm_top(unsigned long key)
{
	return (key >> (ZALLOC_PM_MID_BITS + ZALLOC_PM_LEAF_BITS)) &
	       ((1U << ZALLOC_PM_TOP_BITS) - 1);
}

static __always_inline unsigned int zalloc_pm_mid(unsigned long key)
{
	return (key >> ZALLOC_PM_LEAF_BITS) & ((1U << ZALLOC_PM_MID_BITS) - 1);
}

static __always_inline unsigned int zalloc_pm_leaf(unsigned long key)
{
	return key & ((1U << ZALLOC_PM_LEAF_BITS) - 1);
}

/**
 * zalloc_pagemap_get() - what the map holds for the granule of @addr
 * @pm: the map
 * @addr: any address
 *
 * Context: any context; lockless.
 * Return: the value set for @addr's granule, or NULL.
 */
static __always_inline void *zalloc_pagemap_get(const struct zalloc_pagemap *pm,
						unsigned long addr)
{
	unsigned long key = zalloc_pm_key(addr);
	void **mid, **leaf;

	if (addr < READ_ONCE(pm->lo) || addr >= READ_ONCE(pm->hi))
		return NULL;
	/* Acquire pairs with the release that published the node. */
	mid = smp_load_acquire(&pm->top[zalloc_pm_top(key)]);
	if (!mid)
		return NULL;
	/* Acquire: as above, for the leaf. */
	leaf = smp_load_acquire((void ***)&mid[zalloc_pm_mid(key)]);
	if (!leaf)
		return NULL;
	return READ_ONCE(leaf[zalloc_pm_leaf(key)]);
}

#endif /* _ZALLOC_PAGEMAP_H */
