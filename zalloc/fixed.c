// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc fixed buffer allocator: Zig's std.heap.FixedBufferAllocator.
 *
 * A bump allocator over a buffer the caller owns.  The state is the buffer
 * and an end index; alloc aligns the address at the end index forward and
 * moves the index past the block.  As in Zig, only the most recent block can
 * be resized in place or given back, and the alignment padding in front of
 * a block is not recovered when it is freed (the align-forward cannot be
 * undone), which makes is-last-allocation give false negatives afterwards.
 *
 * Changes from Zig:
 *  - Index arithmetic is overflow-safe.  Zig computes end_index + padding +
 *    len and relies on safety checks to trap an overflow; here every sum is
 *    compared against the room left (len > size - index) so no sum is ever
 *    formed that could wrap, whatever the caller passes through the raw ops.
 *  - Zig asserts that resize and free get a block of this buffer; here a
 *    foreign block is refused (resize false, free no-op) with a ratelimited
 *    message, and the state is untouched.
 *  - The thread-safe alloc is a try_cmpxchg() loop on the end index (Zig:
 *    a weak cmpxchg loop, seq_cst), so it is safe from any context, hard IRQ
 *    included: it takes no lock and never sleeps or spins on another CPU.
 *  - Each instance keeps zalloc statistics and can be named in debugfs.
 *
 * Locking: none.  The normal view is serialised by its caller.  The
 * thread-safe view's only shared state is buf.end_index, advanced by
 * try_cmpxchg(); a successful exchange owns [old end + padding, new end).
 * Readers of the statistics file read end_index with READ_ONCE().
 */
#include <linux/atomic.h>
#include <linux/printk.h>
#include <linux/seq_file.h>
#include <zalloc/debug.h>
#include <zalloc/fixed.h>

#include "buffers.h"
#include "internal.h"

/* Bytes needed to bring @addr up to @align (a power of two). */
static size_t fixed_pad(unsigned long addr, size_t align)
{
	return -addr & (align - 1);
}

/*
 * Where a block of @len bytes aligned to @align would start if the end
 * index were @end; false if it does not fit.  @end <= b->size always, and
 * b->buffer + b->size does not wrap (checked at init), so neither sum below
 * is formed unless it is known to stay within the buffer.
 */
static bool fixed_fit(const struct zalloc_fixed_buf *b, size_t end,
		      size_t len, size_t align, size_t *start)
{
	size_t room = b->size - end;
	size_t pad = fixed_pad((unsigned long)b->buffer + end, align);

	if (pad > room || len > room - pad)
		return false;
	*start = end + pad;
	return true;
}

/* The buffer is usable: non-NULL unless empty, and its end does not wrap. */
bool zalloc_fixed_buf_valid(const void *buffer, size_t size)
{
	unsigned long end;

	if (!size)
		return true;
	return buffer && size <= ZALLOC_MAX_LEN &&
	       !check_add_overflow((unsigned long)buffer, size, &end);
}

void zalloc_fixed_buf_init(struct zalloc_fixed_buf *b, void *buffer,
			   size_t size)
{
	b->buffer = buffer;
	b->size = size;
	WRITE_ONCE(b->end_index, 0);
}

void *zalloc_fixed_buf_alloc(struct zalloc_fixed_buf *b, size_t len,
			     size_t align)
{
	size_t start;

	if (!fixed_fit(b, READ_ONCE(b->end_index), len, align, &start))
		return NULL;
	WRITE_ONCE(b->end_index, start + len);
	return b->buffer + start;
}

void *zalloc_fixed_buf_alloc_atomic(struct zalloc_fixed_buf *b, size_t len,
				    size_t align)
{
	size_t end = READ_ONCE(b->end_index);
	size_t start;

	do {
		if (!fixed_fit(b, end, len, align, &start))
			return NULL;
	} while (!try_cmpxchg(&b->end_index, &end, start + len));
	return b->buffer + start;
}

bool zalloc_fixed_buf_owns_ptr(const struct zalloc_fixed_buf *b,
			       const void *ptr)
{
	unsigned long p = (unsigned long)ptr, s = (unsigned long)b->buffer;

	return p >= s && p - s < b->size;
}

bool zalloc_fixed_buf_owns_range(const struct zalloc_fixed_buf *b,
				 const void *ptr, size_t len)
{
	unsigned long p = (unsigned long)ptr, s = (unsigned long)b->buffer;

	return p >= s && p - s <= b->size && len <= b->size - (p - s);
}

/* @ptr, @len lie in the buffer: is it the block that ends at end_index? */
static bool fixed_is_last(const struct zalloc_fixed_buf *b, const void *ptr,
			  size_t len)
{
	return (const u8 *)ptr - b->buffer + len == READ_ONCE(b->end_index);
}

static bool fixed_check_owned(const struct zalloc_fixed_buf *b,
			      const void *ptr, size_t len, const char *op)
{
	if (likely(zalloc_fixed_buf_owns_range(b, ptr, len)))
		return true;
	pr_warn_ratelimited("zalloc: fixed: %s of %zu bytes at %p outside the buffer\n",
			    op, len, ptr);
	return false;
}

bool zalloc_fixed_buf_resize(struct zalloc_fixed_buf *b, void *ptr,
			     size_t len, size_t new_len)
{
	size_t end = READ_ONCE(b->end_index);

	if (!fixed_check_owned(b, ptr, len, "resize"))
		return false;
	if (!fixed_is_last(b, ptr, len))
		return new_len <= len;
	if (new_len <= len) {
		WRITE_ONCE(b->end_index, end - (len - new_len));
		return true;
	}
	if (new_len - len > b->size - end)
		return false;
	WRITE_ONCE(b->end_index, end + (new_len - len));
	return true;
}

void zalloc_fixed_buf_free(struct zalloc_fixed_buf *b, void *ptr, size_t len)
{
	if (!fixed_check_owned(b, ptr, len, "free"))
		return;
	if (fixed_is_last(b, ptr, len))
		WRITE_ONCE(b->end_index, READ_ONCE(b->end_index) - len);
}

/*
 * zalloc_buffers_instance_init - set up @inst and, if @name is given,
 * register it; a name needs a sleeping @gfp (registration takes a mutex).
 */
int zalloc_buffers_instance_init(struct zalloc_instance *inst,
				 const char *kind,
				 const struct zalloc_instance_ops *iops,
				 const char *name, gfp_t gfp,
				 struct module *owner)
{
	int err;

	if (name && !gfpflags_allow_blocking(gfp))
		return -EINVAL;
	err = zalloc_instance_init(inst, kind, iops, gfp);
	if (err || !name)
		return err;
	err = __zalloc_instance_register(inst, name, owner);
	if (err)
		zalloc_instance_destroy(inst);
	return err;
}

/*
 * zalloc_buffers_instance_destroy - undo zalloc_buffers_instance_init().
 * Unnamed instances only free their counters, so they can be destroyed in
 * atomic context (unregistering takes the registry mutex even when there is
 * nothing to unregister).
 */
void zalloc_buffers_instance_destroy(struct zalloc_instance *inst,
				     bool named)
{
	if (named)
		zalloc_instance_destroy(inst);
	else
		zalloc_stats_destroy(&inst->stats);
}

/*
 * zalloc_buffers_stat_drop_live - count every live block as freed, for a
 * reset that gives them all back at once.  The caller serialises with the
 * instance's other updaters, so the sums read here are exact.
 */
void zalloc_buffers_stat_drop_live(struct zalloc_stats *s)
{
	struct zalloc_stats_sum sum;

	zalloc_stats_read(s, &sum);
	zalloc_stat_add(s, ZALLOC_STAT_FREE,
			sum.v[ZALLOC_STAT_ALLOC] - sum.v[ZALLOC_STAT_FREE]);
	zalloc_stat_add(s, ZALLOC_STAT_BYTES_FREE,
			sum.v[ZALLOC_STAT_BYTES_ALLOC] -
			sum.v[ZALLOC_STAT_BYTES_FREE]);
}

/*
 * zalloc_buffers_debug_init - with zalloc.debug=1, put a buffer allocator
 * whose interface is *@za in debug mode (*@dbg; NULL otherwise).  On
 * failure @inst is torn down as zalloc_buffers_instance_destroy() does.
 */
int zalloc_buffers_debug_init(struct zalloc *za, struct zalloc_debug **dbg,
			      struct zalloc_instance *inst, const char *kind,
			      bool named, gfp_t gfp)
{
	int err;

	*dbg = NULL;
	if (!zalloc_debug_default())
		return 0;
	err = zalloc_debug_attach(za, dbg, named ? inst->name : kind, inst,
				  gfp);
	if (err)
		zalloc_buffers_instance_destroy(inst, named);
	return err;
}

static struct zalloc_fixed *to_fixed(void *ctx)
{
	return ctx;
}

static void *fixed_alloc(void *ctx, size_t len, size_t align, gfp_t gfp,
			 unsigned long ip)
{
	struct zalloc_fixed *f = to_fixed(ctx);
	void *p = zalloc_fixed_buf_alloc(&f->buf, len, align);

	zalloc_stat_alloc(&f->inst.stats, p, len);
	return p;
}

static bool fixed_resize(void *ctx, void *ptr, size_t len, size_t align,
			 size_t new_len, gfp_t gfp, unsigned long ip)
{
	struct zalloc_fixed *f = to_fixed(ctx);
	bool ok = zalloc_fixed_buf_resize(&f->buf, ptr, len, new_len);

	zalloc_stat_resize(&f->inst.stats, ok, len, new_len);
	return ok;
}

static void *fixed_remap(void *ctx, void *ptr, size_t len, size_t align,
			 size_t new_len, gfp_t gfp, unsigned long ip)
{
	struct zalloc_fixed *f = to_fixed(ctx);
	void *p = zalloc_fixed_buf_resize(&f->buf, ptr, len, new_len) ?
		  ptr : NULL;

	zalloc_stat_remap(&f->inst.stats, ptr, p, len, new_len);
	return p;
}

static void fixed_free(void *ctx, void *ptr, size_t len, size_t align,
		       unsigned long ip)
{
	struct zalloc_fixed *f = to_fixed(ctx);

	zalloc_fixed_buf_free(&f->buf, ptr, len);
	zalloc_stat_free(&f->inst.stats, len);
}

static const struct zalloc_ops fixed_ops = {
	.alloc	= fixed_alloc,
	.resize	= fixed_resize,
	.remap	= fixed_remap,
	.free	= fixed_free,
};

static void *fixed_ts_alloc(void *ctx, size_t len, size_t align, gfp_t gfp,
			    unsigned long ip)
{
	struct zalloc_fixed *f = to_fixed(ctx);
	void *p = zalloc_fixed_buf_alloc_atomic(&f->buf, len, align);

	zalloc_stat_alloc(&f->inst.stats, p, len);
	return p;
}

/* Zig's noResize: refuse even a shrink, which could race with alloc. */
static bool fixed_ts_resize(void *ctx, void *ptr, size_t len, size_t align,
			    size_t new_len, gfp_t gfp, unsigned long ip)
{
	struct zalloc_fixed *f = to_fixed(ctx);

	zalloc_stat_resize(&f->inst.stats, false, len, new_len);
	return false;
}

static void *fixed_ts_remap(void *ctx, void *ptr, size_t len, size_t align,
			    size_t new_len, gfp_t gfp, unsigned long ip)
{
	struct zalloc_fixed *f = to_fixed(ctx);

	zalloc_stat_remap(&f->inst.stats, ptr, NULL, len, new_len);
	return NULL;
}

/* Zig's noFree: the bytes stay used until reset; only counted. */
static void fixed_ts_free(void *ctx, void *ptr, size_t len, size_t align,
			  unsigned long ip)
{
	struct zalloc_fixed *f = to_fixed(ctx);

	zalloc_stat_free(&f->inst.stats, len);
}

static const struct zalloc_ops fixed_ts_ops = {
	.alloc	= fixed_ts_alloc,
	.resize	= fixed_ts_resize,
	.remap	= fixed_ts_remap,
	.free	= fixed_ts_free,
};

static void fixed_show_stats(struct seq_file *m, struct zalloc_instance *inst)
{
	struct zalloc_fixed *f = container_of(inst, struct zalloc_fixed, inst);

	seq_printf(m, "buffer_size %zu\n", f->buf.size);
	seq_printf(m, "end_index %zu\n", READ_ONCE(f->buf.end_index));
}

static const struct zalloc_instance_ops fixed_iops = {
	.show_stats	= fixed_show_stats,
};

/**
 * __zalloc_fixed_init() - set up a fixed buffer allocator over @buffer
 * @f: the instance to set up
 * @buffer: the memory to hand out; the caller keeps owning it and must keep
 *	it alive (and not move it) until zalloc_fixed_destroy()
 * @size: its length in bytes; 0 gives an allocator that always fails
 * @name: a debugfs name under /sys/kernel/debug/zalloc/, or NULL for none
 * @gfp: allocation flags for the instance's counters
 * @owner: the module @name belongs to; zalloc_fixed_init() passes
 *	THIS_MODULE
 *
 * With zalloc.debug=1 the normal view is in debug mode
 * (include/zalloc/debug.h): every block is also a separate allocation with
 * red zones, dropped without reports by a reset or destroy.
 *
 * Context: any context @gfp allows; with a @name, process context.
 * Return: 0; -EINVAL if @buffer is NULL with a non-zero @size, if
 * @buffer + @size wraps, or if @name is given with a non-sleeping @gfp;
 * -ENOMEM; or an error from zalloc_instance_register().
 */
int __zalloc_fixed_init(struct zalloc_fixed *f, void *buffer, size_t size,
			const char *name, gfp_t gfp, struct module *owner)
{
	int err;

	if (!zalloc_fixed_buf_valid(buffer, size)) {
		pr_warn_ratelimited("zalloc: fixed: unusable buffer %p + %zu\n",
				    buffer, size);
		return -EINVAL;
	}
	zalloc_fixed_buf_init(&f->buf, buffer, size);
	f->za.ctx = f;
	f->za.ops = &fixed_ops;
	f->za_ts.ctx = f;
	f->za_ts.ops = &fixed_ts_ops;
	f->named = !!name;
	err = zalloc_buffers_instance_init(&f->inst, "fixed", &fixed_iops,
					   name, gfp, owner);
	if (err)
		return err;
	return zalloc_buffers_debug_init(&f->za, &f->dbg, &f->inst, "fixed",
					 f->named, gfp);
}
EXPORT_SYMBOL_NS_GPL(__zalloc_fixed_init, ZALLOC_NS);

/**
 * zalloc_fixed_destroy() - tear down a fixed buffer allocator
 * @f: the instance; every block it handed out becomes invalid
 *
 * Frees the instance's counters and removes its debugfs name.  The buffer
 * itself is the caller's and is left alone.
 *
 * Context: any context if @f has no name; otherwise process context.
 */
void zalloc_fixed_destroy(struct zalloc_fixed *f)
{
	zalloc_debug_detach(&f->dbg, false);
	zalloc_buffers_instance_destroy(&f->inst, f->named);
}
EXPORT_SYMBOL_NS_GPL(zalloc_fixed_destroy, ZALLOC_NS);

/**
 * zalloc_fixed_reset() - make the whole buffer free again
 * @f: the instance; every block it handed out becomes invalid
 *
 * Also counts every live block as freed in the statistics, which sums the
 * per-CPU counters: O(possible CPUs), unlike Zig's O(1) reset.
 *
 * Context: any; not concurrently with any other call on @f, through either
 * view.
 */
void zalloc_fixed_reset(struct zalloc_fixed *f)
{
	zalloc_debug_reset(f->dbg);
	WRITE_ONCE(f->buf.end_index, 0);
	zalloc_buffers_stat_drop_live(&f->inst.stats);
}
EXPORT_SYMBOL_NS_GPL(zalloc_fixed_reset, ZALLOC_NS);

/**
 * zalloc_fixed_owns_ptr() - does @ptr point into the buffer?
 * @f: the instance
 * @ptr: any pointer
 *
 * Context: any.
 * Return: true if buffer <= @ptr < buffer + size (Zig's ownsPtr).
 */
bool zalloc_fixed_owns_ptr(const struct zalloc_fixed *f, const void *ptr)
{
	return zalloc_fixed_buf_owns_ptr(&f->buf, ptr);
}
EXPORT_SYMBOL_NS_GPL(zalloc_fixed_owns_ptr, ZALLOC_NS);

/**
 * zalloc_fixed_owns_range() - does [@ptr, @ptr + @len) lie in the buffer?
 * @f: the instance
 * @ptr: the start of the range
 * @len: its length; the test cannot overflow, whatever @len is
 *
 * Context: any.
 * Return: true if the whole range is inside the buffer (Zig's ownsSlice).
 */
bool zalloc_fixed_owns_range(const struct zalloc_fixed *f, const void *ptr,
			     size_t len)
{
	return zalloc_fixed_buf_owns_range(&f->buf, ptr, len);
}
EXPORT_SYMBOL_NS_GPL(zalloc_fixed_owns_range, ZALLOC_NS);

/**
 * zalloc_fixed_is_last_allocation() - is this the most recent block?
 * @f: the instance
 * @ptr: the block
 * @len: its current length
 *
 * Only the most recent block can be freed or grown in place.  As in Zig the
 * answer can be a false negative: once the last block is freed, its
 * alignment padding stays used, so the block before it no longer ends at
 * the end index.
 *
 * Context: any; racy against concurrent thread-safe allocations.
 * Return: true if the block lies in the buffer and ends at the end index.
 */
bool zalloc_fixed_is_last_allocation(const struct zalloc_fixed *f,
				     const void *ptr, size_t len)
{
	return zalloc_fixed_buf_owns_range(&f->buf, ptr, len) &&
	       fixed_is_last(&f->buf, ptr, len);
}
EXPORT_SYMBOL_NS_GPL(zalloc_fixed_is_last_allocation, ZALLOC_NS);
