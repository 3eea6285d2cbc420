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
 * zalloc_pages_alloc() and friends are the same code without an instance:
 * zalloc's own users of pages (the smp allocator's large blocks, a bitmap's
 * buffer) take them there, so their pages are counted once, in their own
 * instance, and never go through the global instance's debug mode.
 *
 * Locking: none of its own.  The buddy allocator and vmalloc do their own;
 * statistics are per-CPU counters.
 */
#define pr_fmt(fmt) "zalloc: " fmt

#include <linux/gfp.h>
#include <linux/kmemleak.h>
#include <linux/llist.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <zalloc/page.h>

#include "internal.h"

static struct zalloc_instance page_inst;

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

/* Pages for @len bytes aligned to @align, or NULL; no instance. */
void *zalloc_pages_alloc(size_t len, size_t align, gfp_t gfp)
{
	if (len > ZALLOC_MAX_LEN - PAGE_SIZE)
		return NULL;
	return page_alloc_pages(len, align, gfp);
}

static void *page_alloc(void *ctx, size_t len, size_t align, gfp_t gfp,
			unsigned long ip)
{
	void *p;

	might_alloc(gfp);
	p = zalloc_pages_alloc(len, align, gfp);
	zalloc_count_alloc(&page_inst, p, len);
	if (p) {
		zalloc_count_backing(&page_inst, page_bytes(len));
		/* Every page allocation is a slow path: sample the peak each time. */
		zalloc_stats_sample_peak(&page_inst.stats);
	}
	return p;
}

/*
 * Resize in place: same page count, or a buddy block giving back tail pages.
 * A vmalloc area cannot give back part of itself from a module.
 */
bool zalloc_pages_relen(void *ptr, size_t len, size_t new_len)
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
	return true;
}

static bool page_relen(void *ptr, size_t len, size_t new_len)
{
	if (!zalloc_pages_relen(ptr, len, new_len))
		return false;
	zalloc_count_backing(&page_inst, (long)page_bytes(new_len) -
					 (long)page_bytes(len));
	return true;
}

static bool page_resize(void *ctx, void *ptr, size_t len, size_t align,
			size_t new_len, gfp_t gfp, unsigned long ip)
{
	bool ok = page_relen(ptr, len, new_len);

	zalloc_count_resize(&page_inst, ok, len, new_len);
	return ok;
}

static void *page_remap(void *ctx, void *ptr, size_t len, size_t align,
			size_t new_len, gfp_t gfp, unsigned long ip)
{
	void *p = page_relen(ptr, len, new_len) ? ptr : NULL;

	zalloc_count_remap(&page_inst, ptr, p, len, new_len);
	return p;
}

/* Give back what zalloc_pages_alloc() gave; any context but NMI. */
void zalloc_pages_free(void *ptr, size_t len)
{
	if (is_vmalloc_addr(ptr)) {
		page_vfree(ptr);
	} else {
		kmemleak_free(ptr);
		free_pages_exact(ptr, page_bytes(len));
	}
}

static void page_free(void *ctx, void *ptr, size_t len, size_t align,
		      unsigned long ip)
{
	zalloc_pages_free(ptr, len);
	zalloc_count_free(&page_inst, len);
	zalloc_count_backing(&page_inst, -(long)page_bytes(len));
}

static const struct zalloc_ops page_ops = {
	.alloc	= page_alloc,
	.resize	= page_resize,
	.remap	= page_remap,
	.free	= page_free,
};

const struct zalloc_kind zalloc_kind_page = {
	.name	= "page",
	.ops	= &page_ops,
};

/*
 * zalloc_page_allocator - the global page allocator, registered as "page".
 * Its ctx and ops are its instance's, set at module init (debug mode
 * changes the ops), before any importer can run.
 */
struct zalloc zalloc_page_allocator __ro_after_init;
EXPORT_SYMBOL_NS_GPL(zalloc_page_allocator, ZALLOC_NS);

int zalloc_page_init(void)
{
	struct zalloc_setup s = {
		.name = "page", .gfp = GFP_KERNEL, .owner = THIS_MODULE,
	};
	int err = zalloc_instance_setup(&page_inst, &zalloc_kind_page, &s);

	if (!err)
		zalloc_page_allocator = page_inst.za;
	return err;
}

void zalloc_page_exit(void)
{
	zalloc_instance_teardown(&page_inst);
	flush_work(&page_vfree_work);
}
