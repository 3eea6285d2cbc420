// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc page allocator: Zig's std.heap.PageAllocator on kernel pages.
 *
 * Zig maps anonymous memory with mmap, over-allocating and trimming when the
 * alignment exceeds a page, and grows or shrinks with mremap.  Here the
 * buddy allocator plays mmap's part: a block of 2^order pages is naturally
 * aligned to its size, so an alignment above PAGE_SIZE is met by choosing
 * the order from max(length, alignment).  The block is then split into
 * order-0 pages (split_page()) and the pages past the length are given back
 * at once, as Zig unmaps the slack, so a 5-page request holds 5 pages, not
 * 8, and a shrink can return tail pages one by one.
 *
 * Blocks above PAGE_ALLOC_COSTLY_ORDER try the buddy allocator once without
 * retrying (__GFP_NORETRY) and then fall back to vmalloc, the way kvmalloc()
 * does, when the gfp_t allows sleeping; vmalloc cannot honour alignment
 * above PAGE_SIZE from a module in 6.12 (__vmalloc_node() is not exported),
 * so such requests stay on the buddy path or fail.  Freeing tells the two
 * apart with is_vmalloc_addr(); no per-block metadata is kept.
 *
 * There is no mremap for kernel pages, so remap never moves a block: it is
 * resize, and zalloc_realloc() does alloc + copy + free (vrealloc() is not
 * exported in 6.12).
 *
 * Debug mode (zalloc.debug=1 at load): every call goes through the debug
 * core (include/zalloc/debug.h) with zalloc_page_debug_sem, the rules above,
 * so each block is its own kmalloc/kvmalloc allocation KASAN and kmemleak
 * can see, and misuse is reported.  Chosen at module init, fixed after.
 *
 * Locking: none of its own.  The buddy allocator and vmalloc do their own;
 * statistics are per-CPU counters; debug mode has its own lock.
 */
#include <linux/gfp.h>
#include <linux/kmemleak.h>
#include <linux/llist.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <zalloc/debug.h>
#include <zalloc/page.h>
#include <zalloc/registry.h>

#include "internal.h"

static struct zalloc_instance page_inst;
static struct zalloc_debug page_dbg;
static bool page_debug __read_mostly;	/* set at init, fixed after */

static size_t page_bytes(size_t len)
{
	return PAGE_ALIGN(len);
}

static unsigned int page_order(size_t len, size_t align)
{
	return get_order(max(len, align));
}

static void *page_alloc_buddy(size_t len, unsigned int order, gfp_t gfp)
{
	unsigned long addr, end, used;

	gfp &= ~(__GFP_COMP | __GFP_HIGHMEM);
	addr = __get_free_pages(gfp, order);
	if (!addr)
		return NULL;
	split_page(virt_to_page((void *)addr), order);
	used = addr + page_bytes(len);
	end = addr + (PAGE_SIZE << order);
	if (used < end)
		free_pages_exact((void *)used, end - used);
	/*
	 * kmemleak does not track the page allocator: tell it, so that it
	 * scans the block for pointers and reports the block if it leaks.
	 */
	kmemleak_alloc((void *)addr, page_bytes(len), 1, gfp);
	return (void *)addr;
}

/*
 * vfree() may sleep outside interrupts, but free is allowed wherever alloc
 * with an atomic gfp is, e.g. under a spinlock.  There, hand the area to a
 * worker, as vfree_atomic() (not exported) does: the area itself holds the
 * list node.
 */
static LLIST_HEAD(page_vfree_list);

static void page_vfree_fn(struct work_struct *work)
{
	struct llist_node *n, *next;

	llist_for_each_safe(n, next, llist_del_all(&page_vfree_list))
		vfree(n);
}

static DECLARE_WORK(page_vfree_work, page_vfree_fn);

static void page_vfree(void *ptr)
{
	if (in_task() && preemptible()) {
		vfree(ptr);
		return;
	}
	if (llist_add(ptr, &page_vfree_list))
		schedule_work(&page_vfree_work);
}

static void *page_alloc_pages(size_t len, size_t align, gfp_t gfp)
{
	unsigned int order = page_order(len, align);
	void *p = NULL;

	if (align > PAGE_SIZE || order <= PAGE_ALLOC_COSTLY_ORDER) {
		if (order > MAX_PAGE_ORDER)
			return NULL;
		return page_alloc_buddy(len, order, gfp);
	}
	if (order <= MAX_PAGE_ORDER)
		p = page_alloc_buddy(len, order,
				     gfp | __GFP_NORETRY | __GFP_NOWARN);
	if (p || !gfpflags_allow_blocking(gfp))
		return p;
	/* More than all of RAM: vmalloc() would refuse it with a warning. */
	if (page_bytes(len) >> PAGE_SHIFT > totalram_pages())
		return NULL;
	return __vmalloc(page_bytes(len), gfp);
}

static void *page_alloc(void *ctx, size_t len, size_t align, gfp_t gfp,
			unsigned long ip)
{
	void *p;

	if (unlikely(page_debug))
		return zalloc_debug_alloc(&page_dbg, len, align, gfp, ip);
	might_alloc(gfp);
	if (len > ZALLOC_MAX_LEN - PAGE_SIZE)
		p = NULL;
	else
		p = page_alloc_pages(len, align, gfp);
	zalloc_stat_alloc(&page_inst.stats, p, len);
	if (p) {
		zalloc_stat_add(&page_inst.stats, ZALLOC_STAT_BACKING_ALLOC,
				page_bytes(len));
		/* Every page allocation is a slow path: sample the peak each time. */
		zalloc_stats_sample_peak(&page_inst.stats);
	}
	return p;
}

/*
 * Resize in place: same page count, or a buddy block giving back tail pages.
 * A vmalloc area cannot give back part of itself from a module.
 */
static bool page_relen(void *ptr, size_t len, size_t new_len)
{
	size_t old_bytes = page_bytes(len);
	size_t new_bytes;

	if (new_len > ZALLOC_MAX_LEN - PAGE_SIZE)
		return false;
	new_bytes = page_bytes(new_len);
	if (new_bytes == old_bytes)
		return true;
	if (new_bytes > old_bytes || is_vmalloc_addr(ptr))
		return false;
	kmemleak_free_part(ptr + new_bytes, old_bytes - new_bytes);
	free_pages_exact(ptr + new_bytes, old_bytes - new_bytes);
	zalloc_stat_add(&page_inst.stats, ZALLOC_STAT_BACKING_FREE,
			old_bytes - new_bytes);
	return true;
}

static bool page_resize(void *ctx, void *ptr, size_t len, size_t align,
			size_t new_len, gfp_t gfp, unsigned long ip)
{
	bool ok;

	if (unlikely(page_debug))
		return zalloc_debug_resize(&page_dbg, ptr, len, align, new_len,
					   gfp, ip);
	ok = page_relen(ptr, len, new_len);
	zalloc_stat_resize(&page_inst.stats, ok, len, new_len);
	return ok;
}

static void *page_remap(void *ctx, void *ptr, size_t len, size_t align,
			size_t new_len, gfp_t gfp, unsigned long ip)
{
	void *p;

	if (unlikely(page_debug))
		return zalloc_debug_remap(&page_dbg, ptr, len, align, new_len,
					  gfp, ip);
	p = page_relen(ptr, len, new_len) ? ptr : NULL;
	zalloc_stat_remap(&page_inst.stats, ptr, p, len, new_len);
	return p;
}

static void page_free(void *ctx, void *ptr, size_t len, size_t align,
		      unsigned long ip)
{
	if (unlikely(page_debug)) {
		zalloc_debug_free(&page_dbg, ptr, len, align, ip);
		return;
	}
	if (is_vmalloc_addr(ptr)) {
		page_vfree(ptr);
	} else {
		kmemleak_free(ptr);
		free_pages_exact(ptr, page_bytes(len));
	}
	zalloc_stat_free(&page_inst.stats, len);
	zalloc_stat_add(&page_inst.stats, ZALLOC_STAT_BACKING_FREE, page_bytes(len));
}

static const struct zalloc_ops page_ops = {
	.alloc	= page_alloc,
	.resize	= page_resize,
	.remap	= page_remap,
	.free	= page_free,
};

/*
 * zalloc_page_allocator - the global page allocator.  Stateless apart from
 * its statistics; usable by any module that imports the ZALLOC namespace.
 */
const struct zalloc zalloc_page_allocator = {
	.ctx	= NULL,
	.ops	= &page_ops,
};
EXPORT_SYMBOL_NS_GPL(zalloc_page_allocator, ZALLOC_NS);

/**
 * zalloc_page_instance() - the global page allocator's instance
 *
 * For reading its counters with zalloc_stats_read(&inst->stats, ...), e.g.
 * from tests; the instance lives as long as zalloc.ko.
 *
 * Context: any context.
 * Return: the instance of zalloc_page_allocator.
 */
struct zalloc_instance *zalloc_page_instance(void)
{
	return &page_inst;
}
EXPORT_SYMBOL_NS_GPL(zalloc_page_instance, ZALLOC_NS);

static bool page_debug_fits(size_t len, size_t align)
{
	return align <= (PAGE_SIZE << MAX_PAGE_ORDER) &&
	       len <= ZALLOC_MAX_LEN - PAGE_SIZE &&
	       page_bytes(len) >> PAGE_SHIFT <= totalram_pages();
}

static size_t page_debug_capacity(size_t len, size_t align)
{
	return page_bytes(len);
}

/* Blocks beyond the largest buddy block are vmalloc'd: no partial shrink. */
static bool page_debug_resize_ok(size_t len, size_t align, size_t new_len)
{
	return page_order(len, align) <= MAX_PAGE_ORDER ||
	       page_bytes(new_len) == page_bytes(len);
}

/*
 * zalloc_page_debug_sem - the page allocator's rules for debug mode: any
 * length up to all of RAM, alignment up to the largest buddy block, growth
 * in place within the last page, a shrink gives pages back (not for blocks
 * only vmalloc can hold), remap never moves.
 */
const struct zalloc_debug_sem zalloc_page_debug_sem = {
	.fits		= page_debug_fits,
	.capacity	= page_debug_capacity,
	.resize_ok	= page_debug_resize_ok,
	.shrink_trims	= true,
	.remap_moves	= false,
};
EXPORT_SYMBOL_NS_GPL(zalloc_page_debug_sem, ZALLOC_NS);

int zalloc_page_init(void)
{
	int err = zalloc_instance_init(&page_inst, "page", NULL, GFP_KERNEL);

	if (err)
		return err;
	err = zalloc_instance_register(&page_inst, "page");
	if (err) {
		zalloc_instance_destroy(&page_inst);
		return err;
	}
	page_debug = zalloc_debug_default();
	if (page_debug)
		zalloc_debug_init(&page_dbg, "page", &zalloc_page_debug_sem,
				  &page_inst);
	return 0;
}

void zalloc_page_exit(void)
{
	flush_work(&page_vfree_work);
	if (page_debug)
		zalloc_debug_destroy(&page_dbg);
	zalloc_instance_destroy(&page_inst);
}
