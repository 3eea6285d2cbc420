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
 * Locking: none of its own; statistics are per-CPU counters.
 */
#define pr_fmt(fmt) "zalloc: " fmt

#include <linux/align.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <zalloc/kmalloc.h>

#include "internal.h"

static struct zalloc_instance kmalloc_inst;

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

	might_alloc(gfp);
	if (size)
		p = kmalloc(size, gfp);
	if (p && !IS_ALIGNED((unsigned long)p, align)) {
		pr_warn_ratelimited("kmalloc(%zu) gave %p, not aligned to %zu\n",
				    size, p, align);
		kfree(p);
		p = NULL;
	}
	if (p && size != len)
		p = kmalloc_trim(p, len, gfp);
	zalloc_count_alloc(&kmalloc_inst, p, len);
	if (p)
		zalloc_count_backing(&kmalloc_inst, ksize(p));
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

	ok = kmalloc_relen(ptr, align, new_len, gfp);
	zalloc_count_resize(&kmalloc_inst, ok, len, new_len);
	return ok;
}

static void *kmalloc_remap(void *ctx, void *ptr, size_t len, size_t align,
			   size_t new_len, gfp_t gfp, unsigned long ip)
{
	void *p;

	p = kmalloc_relen(ptr, align, new_len, gfp) ? ptr : NULL;
	zalloc_count_remap(&kmalloc_inst, ptr, p, len, new_len);
	return p;
}

static void kmalloc_free(void *ctx, void *ptr, size_t len, size_t align,
			 unsigned long ip)
{
	zalloc_count_backing(&kmalloc_inst, -(long)ksize(ptr));
	kfree(ptr);
	zalloc_count_free(&kmalloc_inst, len);
}

static const struct zalloc_ops kmalloc_ops = {
	.alloc	= kmalloc_alloc,
	.resize	= kmalloc_resize,
	.remap	= kmalloc_remap,
	.free	= kmalloc_free,
};

const struct zalloc_kind zalloc_kind_kmalloc = {
	.name	= "kmalloc",
	.ops	= &kmalloc_ops,
};

/*
 * zalloc_kmalloc_allocator - the global kmalloc allocator, registered as
 * "kmalloc".  Its ctx and ops are its instance's, set at module init
 * (debug mode changes the ops), before any importer can run.
 */
struct zalloc zalloc_kmalloc_allocator __ro_after_init;
EXPORT_SYMBOL_NS_GPL(zalloc_kmalloc_allocator, ZALLOC_NS);

int zalloc_kmalloc_init(void)
{
	struct zalloc_setup s = {
		.name = "kmalloc", .gfp = GFP_KERNEL, .owner = THIS_MODULE,
	};
	int err = zalloc_instance_setup(&kmalloc_inst, &zalloc_kind_kmalloc,
					&s);

	if (!err)
		zalloc_kmalloc_allocator = kmalloc_inst.za;
	return err;
}

void zalloc_kmalloc_exit(void)
{
	zalloc_instance_teardown(&kmalloc_inst);
}
