// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc sbrk break providers (include/zalloc/sbrk.h): where an sbrk
 * instance's memory comes from.
 *
 *  - region: @size bytes reserved (and backed, by vmalloc) up front, and a
 *    break moving through them with cmpxchg; true sbrk semantics,
 *    including running out.  Its sbrk works in any context but NMI.
 *  - pages: every sbrk is a buddy block of its own, trimmed to the length
 *    asked for; the break is not contiguous.
 *
 * kmemleak: the region is one vmalloc area, which kmemleak tracks and
 * scans as a whole; the pages provider registers each chunk with min_count
 * 0 (scanned, never reported), the in-tree pattern for pages that hold
 * pointers.
 *
 * Locking: the region's break is advanced with try_cmpxchg(); the pages
 * provider's chunk list is under its spinlock (IRQs off), a leaf.  Both
 * are called with no sbrk lock held.
 */
#define pr_fmt(fmt) "zalloc: " fmt

#include <linux/align.h>
#include <linux/atomic.h>
#include <linux/gfp.h>
#include <linux/kmemleak.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>
#include <zalloc/compat.h>
#include <zalloc/sbrk.h>

#define SBRK_BIG		ZALLOC_SBRK_BIGPAGE

/*
 * The region provider: @size bytes reserved (and backed, by vmalloc) up
 * front, and a break moving through them with cmpxchg.
 */
struct sbrk_region {
	struct zalloc_sbrk_provider prov;
	void *area;
	unsigned long start;
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

static void sbrk_region_range(struct zalloc_sbrk_provider *prov,
			      unsigned long *start, unsigned long *end)
{
	struct sbrk_region *r = container_of(prov, struct sbrk_region, prov);

	*start = r->start;
	*end = r->end;
}

static const struct zalloc_sbrk_provider_ops sbrk_region_ops = {
	.sbrk		= sbrk_region_sbrk,
	.destroy	= sbrk_region_destroy,
	.range		= sbrk_region_range,
	.atomic		= true,
};

/**
 * zalloc_sbrk_region_create() - a break provider over a reserved region
 * @size: bytes to reserve, rounded up to ZALLOC_SBRK_BIGPAGE
 *
 * Reserves @size bytes of virtually contiguous memory up front (vmalloc;
 * backed at once) and moves a break through it, never back: allocations
 * beyond it fail.  Its sbrk works in any context but NMI.  A size above
 * all of RAM, or one vmalloc cannot give, returns NULL without a message.
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
	/* More than all of RAM: vmalloc() would refuse it with a warning. */
	if ((size >> PAGE_SHIFT) > totalram_pages())
		return NULL;
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return NULL;
	/* vmalloc aligns to a page; reserve enough to align to a big page. */
	r->area = __vmalloc(size + SBRK_BIG - PAGE_SIZE,
			    GFP_KERNEL | __GFP_NOWARN);
	if (!r->area) {
		kfree(r);
		return NULL;
	}
	start = ALIGN((unsigned long)r->area, SBRK_BIG);
	r->brk = start;
	r->start = start;
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
	raw_spinlock_t lock;		/* protects chunks; IRQs off */
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
	raw_spin_lock_irqsave(&pp->lock, flags);
	list_add(&page->lru, &pp->chunks);
	raw_spin_unlock_irqrestore(&pp->lock, flags);
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
	raw_spin_lock_init(&pp->lock);
	INIT_LIST_HEAD(&pp->chunks);
	pp->prov.ops = &sbrk_pages_ops;
	pp->prov.name = "pages";
	return &pp->prov;
}
EXPORT_SYMBOL_NS_GPL(zalloc_sbrk_pages_create, ZALLOC_NS);
