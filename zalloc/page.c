// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc page allocator: Zig's std.heap.PageAllocator on kernel pages.
 *
 * Zig maps anonymous memory with mmap, over-allocating and trimming when the
 * alignment exceeds a page, and grows or shrinks with mremap.  Here the
 * buddy allocator plays mmap's part: a block of 2^order pages is naturally
 * aligned to its size, so an alignment above PAGE_SIZE is met by choosing
 * the order from max(length, alignment).  A block of more than one page is
 * then split into order-0 pages (split_page()) and the pages past the length
 * are given back at once, as Zig unmaps the slack, so a 5-page request holds
 * 5 pages, not 8, and a shrink can return tail pages one by one.
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
 * buffer, deferred frees) take them there, so their pages are counted once,
 * in their own instance, and never go through the global instance's debug
 * mode.
 *
 * The peak of live bytes is exact here: live bytes are one atomic counter,
 * raised and compared on every allocation (one locked instruction on a
 * path that takes the buddy allocator's lock anyway).
 *
 * PREEMPT_RT: the buddy allocator's locks sleep there, so where the caller
 * cannot sleep-lock (hard IRQ, IRQs or preemption off) alloc returns NULL,
 * a resize that would give pages back is refused, and free hands the pages
 * to a worker (defer.c).
 *
 * Locking: none of its own.  The buddy allocator and vmalloc do their own;
 * statistics are per-CPU counters and the live-bytes atomic.
 */
#define pr_fmt(fmt) "zalloc: " fmt

#include <linux/gfp.h>
#include <linux/kmemleak.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include <zalloc/page.h>

#include "internal.h"

static struct zalloc_instance page_inst;
static atomic_long_t page_live;

static size_t page_bytes(size_t len)
{
	return PAGE_ALIGN(len);
}

static unsigned int page_order(size_t len, size_t align)
{
	return get_order(max(len, align));
}

static __always_inline void *page_alloc_buddy(size_t len, unsigned int order,
					      gfp_t gfp)
{
	unsigned long addr, end, used;

	gfp &= ~(__GFP_COMP | __GFP_HIGHMEM);
	addr = __get_free_pages(gfp, order);
	if (!addr)
		return NULL;
	if (order) {
		split_page(virt_to_page((void *)addr), order);
		used = addr + page_bytes(len);
		end = addr + (PAGE_SIZE << order);
		if (used < end)
			free_pages_exact((void *)used, end - used);
	}
	/*
	 * kmemleak does not track the page allocator: tell it, so that it
	 * scans the block for pointers and reports the block if it leaks.
	 */
	kmemleak_alloc((void *)addr, page_bytes(len), 1, gfp);
	return (void *)addr;
}

static __always_inline void *page_alloc_pages(size_t len, size_t align,
					      gfp_t gfp)
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
	return __vmalloc(page_bytes(len), gfp | __GFP_NOWARN);
}

/* One page, the common case: no order, no split, no trim. */
static __always_inline void *page_get_one(gfp_t gfp)
{
	void *p = (void *)__get_free_page(gfp & ~(__GFP_COMP | __GFP_HIGHMEM));

	if (p)
		kmemleak_alloc(p, PAGE_SIZE, 1, gfp);
	return p;
}

static __always_inline void *page_get(size_t len, size_t align, gfp_t gfp)
{
	if (unlikely(!zalloc_can_alloc()))
		return NULL;
	if (likely(len <= PAGE_SIZE && align <= PAGE_SIZE))
		return page_get_one(gfp);
	if (unlikely(len > ZALLOC_MAX_LEN - PAGE_SIZE))
		return NULL;
	return page_alloc_pages(len, align, gfp);
}

/* Pages for @len bytes aligned to @align, or NULL; no instance. */
void *zalloc_pages_alloc(size_t len, size_t align, gfp_t gfp)
{
	return page_get(len, align, gfp);
}

/* Live bytes grew by @bytes: the exact peak follows. */
static __always_inline void page_live_add(long bytes)
{
	long live = atomic_long_add_return(bytes, &page_live);
	long peak = atomic_long_read(&page_inst.stats.peak_live);

	while (live > peak &&
	       !atomic_long_try_cmpxchg(&page_inst.stats.peak_live, &peak,
					live))
		;
}

/*
 * Backing bytes of a block of @len bytes past its first page, which is
 * counted when read, from the allocation and free counts (page_fold()).
 */
static __always_inline size_t page_more_bytes(size_t len)
{
	return len > PAGE_SIZE ? page_bytes(len) - PAGE_SIZE : 0;
}

/* Count an allocation of @len bytes at @p (NULL: a failed one). */
static __always_inline void *page_count_alloc(void *p, size_t len)
{
	if (unlikely(!p)) {
		zalloc_count_alloc(&page_inst, NULL, len);
		return NULL;
	}
	zalloc_count_alloc_ok(&page_inst, len);
	if (page_more_bytes(len))
		zalloc_count(&page_inst, ZALLOC_STAT_BACKING_ALLOC,
			     page_more_bytes(len));
	page_live_add(len);
	return p;
}

/* Every allocation but one page where the page allocator may be called. */
static noinline void *page_alloc_slow(size_t len, size_t align, gfp_t gfp)
{
	return page_count_alloc(page_get(len, align, gfp), len);
}

/*
 * The fast path, one page, is page_get()'s first case inline, so that the
 * function saves no more registers than the call to the page allocator
 * needs; everything else is a tail call.
 */
static void *page_alloc(void *ctx, size_t len, size_t align, gfp_t gfp,
			unsigned long ip)
{
	might_alloc(gfp);
	if (unlikely(len > PAGE_SIZE || align > PAGE_SIZE ||
		     !zalloc_can_alloc()))
		return page_alloc_slow(len, align, gfp);
	return page_count_alloc(page_get_one(gfp), len);
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
	if (new_bytes > old_bytes || is_vmalloc_addr(ptr) ||
	    !zalloc_can_alloc())
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
	page_live_add((long)new_len - (long)len);
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

/*
 * Give back what zalloc_pages_alloc() gave; any context but NMI: what may
 * not be freed here (vmalloc outside process context, anything on
 * PREEMPT_RT where the buddy allocator may not be called) is deferred.
 */
/* is_vmalloc_addr(), without the call. */
static __always_inline bool page_is_vmalloc(const void *ptr)
{
	unsigned long addr = (unsigned long)ptr;

	return addr >= VMALLOC_START && addr < VMALLOC_END;
}

static __always_inline void page_put(void *ptr, size_t len)
{
	/* One page is never vmalloc'd. */
	if (len > PAGE_SIZE && page_is_vmalloc(ptr)) {
		if (zalloc_can_vfree())
			vfree(ptr);
		else
			zalloc_defer_kvfree(ptr);
		return;
	}
	if (!zalloc_can_alloc()) {
		zalloc_defer_pages(ptr, len);
		return;
	}
	kmemleak_free(ptr);
	if (len <= PAGE_SIZE)
		free_page((unsigned long)ptr);
	else
		free_pages_exact(ptr, page_bytes(len));
}

void zalloc_pages_free(void *ptr, size_t len)
{
	page_put(ptr, len);
}

static void page_free(void *ctx, void *ptr, size_t len, size_t align,
		      unsigned long ip)
{
	page_put(ptr, len);
	atomic_long_sub(len, &page_live);
	zalloc_count_free(&page_inst, len);
	if (page_more_bytes(len))
		zalloc_count(&page_inst, ZALLOC_STAT_BACKING_FREE,
			     page_more_bytes(len));
}

/*
 * Backing bytes: every block's first page is counted when read, from the
 * allocation and free counts, so that one page costs no counter of its
 * own; larger blocks and resizes count the rest as they happen.
 */
static void page_fold(struct zalloc_instance *inst,
		      struct zalloc_stats_sum *sum)
{
	sum->v[ZALLOC_STAT_BACKING_ALLOC] += sum->v[ZALLOC_STAT_ALLOC] *
					     PAGE_SIZE;
	sum->v[ZALLOC_STAT_BACKING_FREE] += sum->v[ZALLOC_STAT_FREE] *
					    PAGE_SIZE;
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
	.fold	= page_fold,
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
	zalloc_defer_flush();
}
