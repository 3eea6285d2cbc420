// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc page map: the radix tree behind zalloc_pagemap_get() (pagemap.h
 * says what it is for and how it is locked).
 *
 * Nodes a set needs are allocated before the lock is taken and handed back
 * if another set published the same node first, so nothing is allocated
 * under the lock and a set may use any gfp the caller may.  Nodes are kept
 * until the map is destroyed: a cleared slot costs its node nothing.
 */
#define pr_fmt(fmt) "zalloc: " fmt

#include <linux/align.h>
#include <linux/minmax.h>
#include <linux/slab.h>

#include "pagemap.h"

#define PM_TOP_SIZE	(sizeof(void **) << ZALLOC_PM_TOP_BITS)
#define PM_MID_SIZE	(sizeof(void *) << ZALLOC_PM_MID_BITS)
#define PM_LEAF_SIZE	(sizeof(void *) << ZALLOC_PM_LEAF_BITS)

/* An empty map.  0 or -ENOMEM. */
int zalloc_pagemap_init(struct zalloc_pagemap *pm, gfp_t gfp)
{
	pm->top = kvzalloc(PM_TOP_SIZE, gfp);
	if (!pm->top)
		return -ENOMEM;
	pm->lo = ULONG_MAX;
	pm->hi = 0;
	raw_spin_lock_init(&pm->lock);
	return 0;
}

/* Free every node; nobody may use the map any more. */
void zalloc_pagemap_destroy(struct zalloc_pagemap *pm)
{
	unsigned int i, j;
	void **mid;

	if (!pm->top)
		return;
	for (i = 0; i < 1U << ZALLOC_PM_TOP_BITS; i++) {
		mid = (void **)pm->top[i];
		if (!mid)
			continue;
		for (j = 0; j < 1U << ZALLOC_PM_MID_BITS; j++)
			kvfree(mid[j]);
		kvfree(mid);
	}
	kvfree(pm->top);
	pm->top = NULL;
}

/*
 * Under pm->lock: extend [lo, hi) to cover the granules of [@start, @end),
 * @start < @end; false, changing nothing, if it would then span more than
 * ZALLOC_PM_SPAN bytes, where two of its granules could share a slot, or
 * take in the top granule, whose end would wrap.
 */
static bool pm_cover(struct zalloc_pagemap *pm, unsigned long start,
		     unsigned long end)
{
	unsigned long lo, hi;

	start &= ~(ZALLOC_PM_GRANULE - 1);
	end = ALIGN(end, ZALLOC_PM_GRANULE);
	if (!end)
		return false;
	lo = min(pm->lo, start);
	hi = max(pm->hi, end);
	if (hi - lo > ZALLOC_PM_SPAN)
		return false;
	WRITE_ONCE(pm->lo, lo);
	WRITE_ONCE(pm->hi, hi);
	return true;
}

/* Under pm->lock: is @addr in [lo, hi), where no two granules share a slot? */
static bool pm_covers(const struct zalloc_pagemap *pm, unsigned long addr)
{
	return addr >= pm->lo && addr < pm->hi;
}

/*
 * Publish *@spare at *@slot unless a node is there already; returns the
 * node now at *@slot.  *@spare is NULL afterwards if it was used.
 */
static void **pm_publish(void **slot, void **spare)
{
	void **node = (void **)*slot;

	if (!node) {
		node = *spare;
		*spare = NULL;
		/* Publish the zeroed node: pairs with the lookups' acquire. */
		smp_store_release(slot, node);
	}
	return node;
}

/**
 * zalloc_pagemap_set() - map @addr's granule to @val
 * @pm: the map
 * @addr: an address in the granule
 * @val: what lookups of the granule return from now on; NULL only makes
 *	the nodes (zalloc_pagemap_reserve())
 * @gfp: for the nodes the set may need
 *
 * Return: 0, -ENOMEM, or -ERANGE if the map would then span more than
 * ZALLOC_PM_SPAN bytes (the map is then unchanged but for empty nodes).
 */
int zalloc_pagemap_set(struct zalloc_pagemap *pm, unsigned long addr,
		       void *val, gfp_t gfp)
{
	unsigned long key = zalloc_pm_key(addr), flags;
	void *mid_spare = NULL, *leaf_spare = NULL;
	void **mid, **leaf;
	int err = -ENOMEM;

	/*
	 * Missing levels get spares, taken outside the lock.  Acquire pairs
	 * with the release that published a node: its contents are seen.
	 */
	mid = smp_load_acquire(&pm->top[zalloc_pm_top(key)]);
	if (!mid)
		mid_spare = kvzalloc(PM_MID_SIZE, gfp);
	/* Acquire: as above, for the leaf. */
	if (!mid || !smp_load_acquire((void ***)&mid[zalloc_pm_mid(key)]))
		leaf_spare = kvzalloc(PM_LEAF_SIZE, gfp);
	raw_spin_lock_irqsave(&pm->lock, flags);
	mid = (void **)pm->top[zalloc_pm_top(key)];
	if (!mid) {
		if (!mid_spare)
			goto out;
		mid = pm_publish((void **)&pm->top[zalloc_pm_top(key)],
				 &mid_spare);
	}
	leaf = mid[zalloc_pm_mid(key)];
	if (!leaf) {
		if (!leaf_spare)
			goto out;
		leaf = pm_publish(&mid[zalloc_pm_mid(key)], &leaf_spare);
	}
	err = 0;
	if (!val)
		goto out;
	if (pm_cover(pm, addr, addr + 1))
		/* What @val points to, before it: lookups are lockless. */
		smp_store_release(&leaf[zalloc_pm_leaf(key)], val);
	else
		err = -ERANGE;
out:
	raw_spin_unlock_irqrestore(&pm->lock, flags);
	kvfree(mid_spare);
	kvfree(leaf_spare);
	return err;
}

/**
 * zalloc_pagemap_reserve() - make sure every node [@start, @end) needs exists
 * @pm: the map
 * @start: first address
 * @end: end of the range
 * @gfp: for the nodes
 *
 * Afterwards [lo, hi) covers the range and zalloc_pagemap_update() works
 * for any granule of it without allocating, e.g. under a raw lock or where
 * no allocation may happen (hard IRQ on PREEMPT_RT).
 *
 * Return: 0, -ENOMEM (nodes made so far stay), or -ERANGE if the map
 * would then span more than ZALLOC_PM_SPAN bytes (nothing changed).
 */
int zalloc_pagemap_reserve(struct zalloc_pagemap *pm, unsigned long start,
			   unsigned long end, gfp_t gfp)
{
	unsigned long addr = start & ~(ZALLOC_PM_GRANULE - 1), key, flags;
	unsigned long step = ZALLOC_PM_GRANULE << ZALLOC_PM_LEAF_BITS;
	void **mid;
	bool ok;
	int err;

	if (start >= end)
		return 0;
	raw_spin_lock_irqsave(&pm->lock, flags);
	ok = pm_cover(pm, start, end);
	raw_spin_unlock_irqrestore(&pm->lock, flags);
	if (!ok)
		return -ERANGE;
	for (; addr < end; addr = ALIGN(addr + 1, step)) {
		key = zalloc_pm_key(addr);
		/* Acquire pairs with the release that published each node. */
		mid = smp_load_acquire(&pm->top[zalloc_pm_top(key)]);
		/* Acquire: as above, for the leaf. */
		if (mid && smp_load_acquire((void ***)&mid[zalloc_pm_mid(key)]))
			continue;
		/* Setting NULL makes the nodes and changes no slot. */
		err = zalloc_pagemap_set(pm, addr, NULL, gfp);
		if (err)
			return err;
		if (addr + step < addr)
			break;
	}
	return 0;
}

/**
 * zalloc_pagemap_update() - map @addr's granule to @val, nodes permitting
 * @pm: the map
 * @addr: an address in the granule
 * @val: the new value, NULL to unmap
 *
 * Never allocates: for granules zalloc_pagemap_reserve() or an earlier set
 * covered.
 *
 * Context: any context but NMI.
 * Return: true, or false if the granule has no node, would widen the map
 * past ZALLOC_PM_SPAN, or (@val NULL) lies outside it: nothing changed.
 */
bool zalloc_pagemap_update(struct zalloc_pagemap *pm, unsigned long addr,
			   void *val)
{
	unsigned long key = zalloc_pm_key(addr), flags;
	void **mid, **leaf;

	raw_spin_lock_irqsave(&pm->lock, flags);
	mid = (void **)pm->top[zalloc_pm_top(key)];
	leaf = mid ? mid[zalloc_pm_mid(key)] : NULL;
	/* A granule [lo, hi) cannot take is refused, as by a set. */
	if (leaf && !(val ? pm_cover(pm, addr, addr + 1) : pm_covers(pm, addr)))
		leaf = NULL;
	if (leaf)
		/* As in zalloc_pagemap_set(). */
		smp_store_release(&leaf[zalloc_pm_leaf(key)], val);
	raw_spin_unlock_irqrestore(&pm->lock, flags);
	return leaf;
}

/* Unmap @addr's granule (a no-op if it is not mapped). */
void zalloc_pagemap_clear(struct zalloc_pagemap *pm, unsigned long addr)
{
	unsigned long key = zalloc_pm_key(addr), flags;
	void **mid, **leaf;

	raw_spin_lock_irqsave(&pm->lock, flags);
	/* Outside [lo, hi) the slot could be another granule's. */
	mid = pm_covers(pm, addr) ? (void **)pm->top[zalloc_pm_top(key)] : NULL;
	leaf = mid ? mid[zalloc_pm_mid(key)] : NULL;
	if (leaf)
		WRITE_ONCE(leaf[zalloc_pm_leaf(key)], NULL);
	raw_spin_unlock_irqrestore(&pm->lock, flags);
}
