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
 * Counting without ksize().  Backing bytes are the kmalloc objects the
 * blocks occupy.  ksize() on every alloc and free would cost more than the
 * wrapper may (issue: within 1.15x of kmalloc itself), so each kmalloc size
 * class counts its allocations and frees (per-CPU events), and the common
 * counters are folded from them when read: allocations and frees are their
 * sums, backing bytes their sums times the class's object size, which
 * kmalloc_size_roundup() gives at init.  A free finds its class from the
 * length the caller passes, which is the length it has.  The one case
 * where that is not the object's class, a block shrunk in place below its
 * kmalloc cache (100 bytes in kmalloc-128 resized to 10), is kept in an
 * XArray of such blocks until it grows back or is freed; frees look there
 * only while it is not empty.
 *
 * PREEMPT_RT: kmalloc may not be called from hard IRQ there; alloc then
 * returns NULL (counted), free defers the kfree() to a worker.
 *
 * Locking: none on the fast paths (per-CPU counters); the XArray of shrunk
 * blocks has its own lock.
 */
#define pr_fmt(fmt) "zalloc: " fmt

#include <linux/align.h>
#include <linux/printk.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/xarray.h>
#include <zalloc/kmalloc.h>

#include "internal.h"

/* kmalloc's classes: up to 192 bytes by table, powers of two above. */
#define KM_SMALL_MAX	192
#define KM_NR		KMALLOC_SHIFT_MAX
/* Events: allocations of class c, then frees of class c. */
#define KM_ALLOC(c)	(NR_ZALLOC_STATS + (c))
#define KM_FREE(c)	(NR_ZALLOC_STATS + KM_NR + (c))

static struct zalloc_instance kmalloc_inst;
/* Class of (size + 7) / 8 for sizes up to KM_SMALL_MAX; set at init. */
static u8 km_small[KM_SMALL_MAX / 8 + 1] __ro_after_init;
/* Object size of each class (kmalloc_size_roundup()); set at init. */
static unsigned long km_size[KM_NR] __ro_after_init;
/* Blocks shrunk in place below their object's class: ptr -> class + 1. */
static DEFINE_XARRAY_FLAGS(km_shrunk, XA_FLAGS_LOCK_IRQ);
static atomic_t km_nr_shrunk;

static __always_inline unsigned int km_class(size_t size)
{
	if (size <= KM_SMALL_MAX)
		return km_small[(size + 7) >> 3];
	return fls64(size - 1) - 1;
}

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

static __always_inline void kmalloc_count_alloc(void *p, size_t len,
						size_t size)
{
	if (unlikely(!p)) {
		zalloc_count(&kmalloc_inst, ZALLOC_STAT_ALLOC_FAIL, 1);
		return;
	}
	zalloc_count_block(&kmalloc_inst, KM_ALLOC(km_class(size)),
			   ZALLOC_STAT_BYTES_ALLOC, len);
}

/* Alignment above kmalloc's minimum, huge sizes, PREEMPT_RT hard IRQ. */
static noinline void *kmalloc_alloc_slow(size_t len, size_t align, gfp_t gfp)
{
	size_t size = kmalloc_size(len, align);
	void *p = NULL;

	might_alloc(gfp);
	if (size && zalloc_can_alloc())
		p = kmalloc(size, gfp);
	if (p && !IS_ALIGNED((unsigned long)p, align)) {
		pr_warn_ratelimited("kmalloc(%zu) gave %p, not aligned to %zu\n",
				    size, p, align);
		kfree(p);
		p = NULL;
	}
	if (p && size != len)
		p = kmalloc_trim(p, len, gfp);
	kmalloc_count_alloc(p, len, size);
	return p;
}

static void *kmalloc_alloc(void *ctx, size_t len, size_t align, gfp_t gfp,
			   unsigned long ip)
{
	void *p;

	if (unlikely(align > ARCH_KMALLOC_MINALIGN ||
		     len > KMALLOC_MAX_SIZE || !zalloc_can_alloc()))
		return kmalloc_alloc_slow(len, align, gfp);
	p = kmalloc(len, gfp);
	kmalloc_count_alloc(p, len, len);
	return p;
}

/*
 * Remember that @ptr's object is of class @c whatever its new size says
 * (or forget it, if the size says @c again).  -ENOMEM if the record cannot
 * be made: the caller must then leave the block as it is, since its free
 * would count the wrong class.
 */
static int km_note_class(void *ptr, size_t new_size, unsigned int c)
{
	bool back = km_class(new_size) == c;
	unsigned long flags;
	void *old;

	xa_lock_irqsave(&km_shrunk, flags);
	if (back)
		old = __xa_erase(&km_shrunk, (unsigned long)ptr);
	else
		old = __xa_store(&km_shrunk, (unsigned long)ptr,
				 xa_mk_value(c + 1), GFP_ATOMIC);
	xa_unlock_irqrestore(&km_shrunk, flags);
	if (xa_is_err(old))
		return -ENOMEM;
	if (!old && !back)
		atomic_inc(&km_nr_shrunk);
	else if (old && back)
		atomic_dec(&km_nr_shrunk);
	return 0;
}

/* The class of @ptr's object, for a block of @size bytes. */
static unsigned int km_class_of(void *ptr, size_t size)
{
	void *entry;

	if (!atomic_read(&km_nr_shrunk))
		return km_class(size);
	entry = xa_load(&km_shrunk, (unsigned long)ptr);
	return entry ? xa_to_value(entry) - 1 : km_class(size);
}

static bool kmalloc_relen(void *ptr, size_t len, size_t align, size_t new_len,
			  gfp_t gfp)
{
	size_t size = kmalloc_size(new_len, align);
	unsigned int c;

	if (!size || size > ksize(ptr) || !zalloc_can_alloc())
		return false;
	c = km_class_of(ptr, kmalloc_size(len, align));
	/* The record first: a block whose class it cannot keep stays. */
	if ((km_class(size) != c || atomic_read(&km_nr_shrunk)) &&
	    km_note_class(ptr, size, c))
		return false;
	/* Fits: krealloc() keeps the address and re-poisons for KASAN. */
	return krealloc(ptr, new_len, gfp) == ptr;
}

static bool kmalloc_resize(void *ctx, void *ptr, size_t len, size_t align,
			   size_t new_len, gfp_t gfp, unsigned long ip)
{
	bool ok = kmalloc_relen(ptr, len, align, new_len, gfp);

	zalloc_count_resize(&kmalloc_inst, ok, len, new_len);
	return ok;
}

static void *kmalloc_remap(void *ctx, void *ptr, size_t len, size_t align,
			   size_t new_len, gfp_t gfp, unsigned long ip)
{
	void *p = kmalloc_relen(ptr, len, align, new_len, gfp) ? ptr : NULL;

	zalloc_count_remap(&kmalloc_inst, ptr, p, len, new_len);
	return p;
}

static __always_inline void kmalloc_count_free(unsigned int c, size_t len)
{
	zalloc_count_block(&kmalloc_inst, KM_FREE(c), ZALLOC_STAT_BYTES_FREE,
			   len);
}

/* Rounded sizes, shrunk blocks, PREEMPT_RT hard IRQ. */
static noinline void kmalloc_free_slow(void *ptr, size_t len, size_t align)
{
	size_t size = kmalloc_size(len, align);
	unsigned int c = km_class_of(ptr, size);
	unsigned long flags;

	if (atomic_read(&km_nr_shrunk)) {
		xa_lock_irqsave(&km_shrunk, flags);
		if (__xa_erase(&km_shrunk, (unsigned long)ptr))
			atomic_dec(&km_nr_shrunk);
		xa_unlock_irqrestore(&km_shrunk, flags);
	}
	kmalloc_count_free(c, len);
	if (zalloc_can_alloc())
		kfree(ptr);
	else
		zalloc_defer_kvfree(ptr);
}

static void kmalloc_free(void *ctx, void *ptr, size_t len, size_t align,
			 unsigned long ip)
{
	if (unlikely(align > ARCH_KMALLOC_MINALIGN ||
		     atomic_read(&km_nr_shrunk) || !zalloc_can_alloc())) {
		kmalloc_free_slow(ptr, len, align);
		return;
	}
	kmalloc_count_free(km_class(len), len);
	kfree(ptr);
}

static const struct zalloc_ops kmalloc_ops = {
	.alloc	= kmalloc_alloc,
	.resize	= kmalloc_resize,
	.remap	= kmalloc_remap,
	.free	= kmalloc_free,
};

/* The common counters the class events stand for. */
static void kmalloc_fold(struct zalloc_instance *inst,
			 struct zalloc_stats_sum *sum)
{
	unsigned long ev[2 * KM_NR];
	unsigned int c;

	zalloc_stats_sum(&inst->stats, ev, NR_ZALLOC_STATS, 2 * KM_NR);
	for (c = 0; c < KM_NR; c++) {
		sum->v[ZALLOC_STAT_ALLOC] += ev[c];
		sum->v[ZALLOC_STAT_FREE] += ev[KM_NR + c];
		sum->v[ZALLOC_STAT_BACKING_ALLOC] += ev[c] * km_size[c];
		sum->v[ZALLOC_STAT_BACKING_FREE] += ev[KM_NR + c] * km_size[c];
	}
}

/* The "classes" table: kmalloc's caches as the wrapper uses them. */
static void kmalloc_show_classes(struct seq_file *m,
				 struct zalloc_instance *inst)
{
	unsigned long ev[2 * KM_NR];
	unsigned int c;

	zalloc_stats_sum(&inst->stats, ev, NR_ZALLOC_STATS, 2 * KM_NR);
	seq_printf(m, "%5s %8s %12s %12s %10s\n", "class", "size", "allocs",
		   "frees", "live");
	for (c = 0; c < KM_NR; c++)
		if (ev[c])
			seq_printf(m, "%5u %8lu %12lu %12lu %10lu\n", c,
				   km_size[c], ev[c], ev[KM_NR + c],
				   ev[c] - ev[KM_NR + c]);
}

const struct zalloc_kind zalloc_kind_kmalloc = {
	.name		= "kmalloc",
	.ops		= &kmalloc_ops,
	.nr_events	= 2 * KM_NR,
	.fold		= kmalloc_fold,
	.show_classes	= kmalloc_show_classes,
};

/*
 * kmalloc's classes as it picks them (kmalloc_slab()): up to 192 bytes
 * by eight-byte steps, each step the class of its roundup; powers of two
 * above, checked against kmalloc_size_roundup().
 */
static int kmalloc_classes_init(void)
{
	unsigned long prev = 0, size;
	unsigned int i, c = 0;

	for (i = 1; i <= KM_SMALL_MAX / 8; i++) {
		size = kmalloc_size_roundup(i * 8);
		if (prev && size != prev)
			c++;
		prev = size;
		km_small[i] = c;
		km_size[c] = size;
	}
	km_small[0] = 0;
	if (c >= fls64(KM_SMALL_MAX) - 1) {
		pr_err("kmalloc: %u classes up to %d bytes, expected fewer\n",
		       c + 1, KM_SMALL_MAX);
		return -EINVAL;
	}
	for (c = fls64(KM_SMALL_MAX) - 1; c < KM_NR; c++) {
		size = 2UL << c;
		km_size[c] = kmalloc_size_roundup(size);
		if (km_size[c] != size && size <= KMALLOC_MAX_SIZE) {
			pr_err("kmalloc: %lu bytes round to %lu\n", size,
			       km_size[c]);
			return -EINVAL;
		}
	}
	return 0;
}

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
	int err = kmalloc_classes_init();

	if (err)
		return err;
	err = zalloc_instance_setup(&kmalloc_inst, &zalloc_kind_kmalloc, &s);
	if (!err)
		zalloc_kmalloc_allocator = kmalloc_inst.za;
	return err;
}

void zalloc_kmalloc_exit(void)
{
	zalloc_instance_teardown(&kmalloc_inst);
	xa_destroy(&km_shrunk);
}
