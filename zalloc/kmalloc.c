// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc kmalloc allocator: Zig's std.heap.c_allocator on kmalloc.
 *
 * Zig's C allocator uses posix_memalign for alignments malloc does not
 * give, and malloc_usable_size to grow in place.  The kernel needs neither
 * a header nor posix_memalign: kmalloc aligns every object to the largest
 * power of two dividing its size (Documentation/core-api/memory-allocation.rst),
 * so asking for ALIGN(len, align) bytes is enough for any alignment, and a
 * request whose alignment kmalloc already gives (ARCH_KMALLOC_MINALIGN) asks
 * for exactly @len, so KASAN's red zone starts right after the block.
 *
 * ksize() plays malloc_usable_size(): a resize that fits in it is done with
 * krealloc(), which keeps the address and moves KASAN's poison to the new
 * length.  A block rounded up for its alignment is krealloc()ed down to its
 * length at once, for the same reason: KASAN then reports an overflow at
 * the first byte past @len, not past the rounding.
 *
 * remap is resize.  Zig master's C allocator falls back to realloc(), which
 * libc may do with mremap; krealloc() can only allocate, copy and free, the
 * very thing remap must leave to zalloc_realloc() (include/zalloc/zalloc.h).
 *
 * Backing bytes are counted as ksize() of each block: the slab object (or
 * large-kmalloc pages) the block occupies, so requested vs backing shows
 * kmalloc's rounding.
 *
 * Debug mode (zalloc.debug=1 at load): every call goes through the debug
 * core (include/zalloc/debug.h) with zalloc_kmalloc_debug_sem, the rules
 * above, so misuse is reported.  Chosen at module init, fixed after.
 *
 * Locking: none of its own; statistics are per-CPU counters; debug mode
 * has its own lock.
 */
#include <linux/align.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <zalloc/debug.h>
#include <zalloc/kmalloc.h>
#include <zalloc/registry.h>

#include "internal.h"

static struct zalloc_instance kmalloc_inst;
static struct zalloc_debug kmalloc_dbg;
static bool kmalloc_debug __read_mostly;	/* set at init, fixed after */

/* The size to ask kmalloc for, or 0 if kmalloc cannot serve it. */
static size_t kmalloc_size(size_t len, size_t align)
{
	size_t size = len;

	if (align > ARCH_KMALLOC_MINALIGN) {
		if (len > KMALLOC_MAX_SIZE)
			return 0;
		size = ALIGN(len, align);
	}
	return size > KMALLOC_MAX_SIZE ? 0 : size;
}

/* Move KASAN's red zone to @len: krealloc() within ksize() stays put. */
static void *kmalloc_trim(void *p, size_t len, gfp_t gfp)
{
	void *q = krealloc(p, len, gfp);

	return q ?: p;
}

static void *kmalloc_alloc(void *ctx, size_t len, size_t align, gfp_t gfp,
			   unsigned long ip)
{
	size_t size = kmalloc_size(len, align);
	void *p = NULL;

	if (unlikely(kmalloc_debug))
		return zalloc_debug_alloc(&kmalloc_dbg, len, align, gfp, ip);
	might_alloc(gfp);
	if (size)
		p = kmalloc(size, gfp);
	if (p && !IS_ALIGNED((unsigned long)p, align)) {
		pr_warn_ratelimited("zalloc: kmalloc(%zu) gave %p, not aligned to %zu\n",
				    size, p, align);
		kfree(p);
		p = NULL;
	}
	if (p && size != len)
		p = kmalloc_trim(p, len, gfp);
	zalloc_stat_alloc(&kmalloc_inst.stats, p, len);
	if (p)
		zalloc_stat_add(&kmalloc_inst.stats, ZALLOC_STAT_BACKING_ALLOC,
				ksize(p));
	return p;
}

static bool kmalloc_relen(void *ptr, size_t align, size_t new_len, gfp_t gfp)
{
	size_t size = kmalloc_size(new_len, align);

	if (!size || size > ksize(ptr))
		return false;
	/* Fits: krealloc() keeps the address and re-poisons for KASAN. */
	return krealloc(ptr, new_len, gfp) == ptr;
}

static bool kmalloc_resize(void *ctx, void *ptr, size_t len, size_t align,
			   size_t new_len, gfp_t gfp, unsigned long ip)
{
	bool ok;

	if (unlikely(kmalloc_debug))
		return zalloc_debug_resize(&kmalloc_dbg, ptr, len, align,
					   new_len, gfp, ip);
	ok = kmalloc_relen(ptr, align, new_len, gfp);
	zalloc_stat_resize(&kmalloc_inst.stats, ok, len, new_len);
	return ok;
}

static void *kmalloc_remap(void *ctx, void *ptr, size_t len, size_t align,
			   size_t new_len, gfp_t gfp, unsigned long ip)
{
	void *p;

	if (unlikely(kmalloc_debug))
		return zalloc_debug_remap(&kmalloc_dbg, ptr, len, align,
					  new_len, gfp, ip);
	p = kmalloc_relen(ptr, align, new_len, gfp) ? ptr : NULL;
	zalloc_stat_remap(&kmalloc_inst.stats, ptr, p, len, new_len);
	return p;
}

static void kmalloc_free(void *ctx, void *ptr, size_t len, size_t align,
			 unsigned long ip)
{
	if (unlikely(kmalloc_debug)) {
		zalloc_debug_free(&kmalloc_dbg, ptr, len, align, ip);
		return;
	}
	zalloc_stat_add(&kmalloc_inst.stats, ZALLOC_STAT_BACKING_FREE,
			ksize(ptr));
	kfree(ptr);
	zalloc_stat_free(&kmalloc_inst.stats, len);
}

static const struct zalloc_ops kmalloc_ops = {
	.alloc	= kmalloc_alloc,
	.resize	= kmalloc_resize,
	.remap	= kmalloc_remap,
	.free	= kmalloc_free,
};

/*
 * zalloc_kmalloc_allocator - the global kmalloc allocator.  Stateless apart
 * from its statistics; usable by any module that imports ZALLOC.
 */
const struct zalloc zalloc_kmalloc_allocator = {
	.ctx	= NULL,
	.ops	= &kmalloc_ops,
};
EXPORT_SYMBOL_NS_GPL(zalloc_kmalloc_allocator, ZALLOC_NS);

/**
 * zalloc_kmalloc_instance() - the global kmalloc allocator's instance
 *
 * For reading its counters with zalloc_stats_read(&inst->stats, ...), e.g.
 * from tests; the instance lives as long as zalloc.ko.
 *
 * Context: any context.
 * Return: the instance of zalloc_kmalloc_allocator.
 */
struct zalloc_instance *zalloc_kmalloc_instance(void)
{
	return &kmalloc_inst;
}
EXPORT_SYMBOL_NS_GPL(zalloc_kmalloc_instance, ZALLOC_NS);

static bool kmalloc_debug_fits(size_t len, size_t align)
{
	return kmalloc_size(len, align);
}

static size_t kmalloc_debug_capacity(size_t len, size_t align)
{
	return kmalloc_size_roundup(kmalloc_size(len, align));
}

/*
 * zalloc_kmalloc_debug_sem - the kmalloc allocator's rules for debug mode:
 * up to KMALLOC_MAX_SIZE after rounding to the alignment, growth in place
 * within what ksize() would report, kept on a shrink, remap never moves.
 */
const struct zalloc_debug_sem zalloc_kmalloc_debug_sem = {
	.fits		= kmalloc_debug_fits,
	.capacity	= kmalloc_debug_capacity,
	.shrink_trims	= false,
	.remap_moves	= false,
};
EXPORT_SYMBOL_NS_GPL(zalloc_kmalloc_debug_sem, ZALLOC_NS);

int zalloc_kmalloc_init(void)
{
	int err = zalloc_instance_init(&kmalloc_inst, "kmalloc", NULL, GFP_KERNEL);

	if (err)
		return err;
	err = zalloc_instance_register(&kmalloc_inst, "kmalloc");
	if (err) {
		zalloc_instance_destroy(&kmalloc_inst);
		return err;
	}
	kmalloc_debug = zalloc_debug_default();
	if (kmalloc_debug)
		zalloc_debug_init(&kmalloc_dbg, "kmalloc",
				  &zalloc_kmalloc_debug_sem, &kmalloc_inst);
	return 0;
}

void zalloc_kmalloc_exit(void)
{
	if (kmalloc_debug)
		zalloc_debug_destroy(&kmalloc_dbg);
	zalloc_instance_destroy(&kmalloc_inst);
}
