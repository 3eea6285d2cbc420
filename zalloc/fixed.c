// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc fixed buffer allocator: Zig's std.heap.FixedBufferAllocator over a
 * buffer the caller owns, with its two views (include/zalloc/fixed.h).
 *
 * The bump itself is zalloc/bump.c, shared with the stack fallback; this
 * file is the instance around it: the normal view's ops, the thread-safe
 * view's ops (Zig's threadSafeAllocator(): lock-free alloc, no resize, no
 * free), reset, Zig's savestate/restore, and the owner queries.  Each
 * instance keeps zalloc statistics and can be named in debugfs.
 *
 * Locking: none.  The normal view, reset, save and restore are serialised
 * by the caller; the thread-safe view's alloc may run concurrently with
 * itself (bump.c says how).
 */
#define pr_fmt(fmt) "zalloc: " fmt

#include <linux/printk.h>
#include <linux/seq_file.h>
#include <zalloc/fixed.h>

#include "buffers.h"
#include "debug_core.h"
#include "internal.h"

static struct zalloc_fixed *to_fixed(void *ctx)
{
	return container_of(ctx, struct zalloc_fixed, inst);
}

static void *fixed_alloc(void *ctx, size_t len, size_t align, gfp_t gfp,
			 unsigned long ip)
{
	return __zalloc_fixed_bump(to_fixed(ctx), len, align);
}

static bool fixed_resize(void *ctx, void *ptr, size_t len, size_t align,
			 size_t new_len, gfp_t gfp, unsigned long ip)
{
	struct zalloc_fixed *f = to_fixed(ctx);
	bool ok = zalloc_fixed_buf_resize(&f->buf, ptr, len, new_len);

	zalloc_count_resize(&f->inst, ok, len, new_len);
	return ok;
}

static void *fixed_remap(void *ctx, void *ptr, size_t len, size_t align,
			 size_t new_len, gfp_t gfp, unsigned long ip)
{
	struct zalloc_fixed *f = to_fixed(ctx);
	void *p = zalloc_fixed_buf_resize(&f->buf, ptr, len, new_len) ?
		  ptr : NULL;

	zalloc_count_remap(&f->inst, ptr, p, len, new_len);
	return p;
}

static void fixed_free(void *ctx, void *ptr, size_t len, size_t align,
		       unsigned long ip)
{
	struct zalloc_fixed *f = to_fixed(ctx);

	if (likely(zalloc_fixed_buf_free(&f->buf, ptr, len)))
		zalloc_count_free(&f->inst, len);
}

static const struct zalloc_ops fixed_ops = {
	.alloc	= fixed_alloc,
	.resize	= fixed_resize,
	.remap	= fixed_remap,
	.free	= fixed_free,
};

/**
 * __zalloc_fixed_alloc_slow() - zalloc_fixed_alloc() through the normal view
 * @f: the instance
 * @len: bytes wanted
 * @align: alignment in bytes
 * @ip: the caller to blame in reports
 *
 * For zalloc_fixed_alloc() only: every case its inline bump does not take
 * (zero length, bad arguments, debug mode, tracing) goes through
 * zalloc_alloc() on the normal view, which handles each.
 *
 * Context: as zalloc_fixed_alloc().
 * Return: as zalloc_fixed_alloc().
 */
void *__zalloc_fixed_alloc_slow(struct zalloc_fixed *f, size_t len,
				size_t align, unsigned long ip)
{
	return zalloc_alloc_ip(zalloc_fixed_allocator(f), len, align,
			       GFP_NOWAIT, ip);
}
EXPORT_SYMBOL_NS_GPL(__zalloc_fixed_alloc_slow, ZALLOC_NS);

/**
 * __zalloc_fixed_free() - zalloc_fixed_free() beyond its inline case
 * @f: the instance
 * @ptr: the block
 * @len: its length
 * @align: the alignment it was allocated with
 * @ip: the caller to blame in reports
 *
 * For zalloc_fixed_free() only: every free its inline pop of the last
 * block does not take goes through zalloc_free() on the normal view, which
 * handles each (bad arguments, debug mode, tracing, other blocks), as
 * __zalloc_fixed_alloc_slow() does for allocations.
 *
 * Context: as zalloc_fixed_free().
 */
void __zalloc_fixed_free(struct zalloc_fixed *f, void *ptr, size_t len,
			 size_t align, unsigned long ip)
{
	zalloc_free_ip(zalloc_fixed_allocator(f), ptr, len, align, ip);
}
EXPORT_SYMBOL_NS_GPL(__zalloc_fixed_free, ZALLOC_NS);

static void *fixed_ts_alloc(void *ctx, size_t len, size_t align, gfp_t gfp,
			    unsigned long ip)
{
	struct zalloc_fixed *f = to_fixed(ctx);
	void *p = zalloc_fixed_buf_alloc_atomic(&f->buf, len, align);

	if (p)
		zalloc_init_on_alloc(p, len);
	zalloc_count_alloc(&f->inst, p, len);
	return p;
}

/* Zig's noResize: refuse even a shrink, which could race with alloc. */
static bool fixed_ts_resize(void *ctx, void *ptr, size_t len, size_t align,
			    size_t new_len, gfp_t gfp, unsigned long ip)
{
	zalloc_count_resize(&to_fixed(ctx)->inst, false, len, new_len);
	return false;
}

static void *fixed_ts_remap(void *ctx, void *ptr, size_t len, size_t align,
			    size_t new_len, gfp_t gfp, unsigned long ip)
{
	zalloc_count_remap(&to_fixed(ctx)->inst, ptr, NULL, len, new_len);
	return NULL;
}

/* Zig's noFree: the bytes stay used until reset; only counted. */
static void fixed_ts_free(void *ctx, void *ptr, size_t len, size_t align,
			  unsigned long ip)
{
	struct zalloc_fixed *f = to_fixed(ctx);

	if (unlikely(!zalloc_fixed_buf_owns_range(&f->buf, ptr, len))) {
		zalloc_fixed_buf_refuse(ptr, len, "free", "outside the buffer");
		return;
	}
	zalloc_count_free(&f->inst, len);
	zalloc_init_on_free(ptr, len);
}

static const struct zalloc_ops fixed_ts_ops = {
	.alloc	= fixed_ts_alloc,
	.resize	= fixed_ts_resize,
	.remap	= fixed_ts_remap,
	.free	= fixed_ts_free,
};

static const char * const fixed_counters[NR_ZALLOC_FIXED_COUNTERS] = {
	[ZALLOC_FIXED_BUFFER_SIZE]	= "buffer_size",
	[ZALLOC_FIXED_END_INDEX]	= "end_index",
};

static void fixed_read(struct zalloc_instance *inst, unsigned long *v)
{
	struct zalloc_fixed *f = to_fixed(inst);

	v[ZALLOC_FIXED_BUFFER_SIZE] = f->buf.size;
	v[ZALLOC_FIXED_END_INDEX] = READ_ONCE(f->buf.end_index);
}

const struct zalloc_kind zalloc_kind_fixed = {
	.name			= "fixed",
	.ops			= &fixed_ops,
	.view_ops		= &fixed_ts_ops,
	.counters		= fixed_counters,
	.nr_counters		= NR_ZALLOC_FIXED_COUNTERS,
	.read			= fixed_read,
	.drops_debug_leaks	= true,
};

/**
 * __zalloc_fixed_init() - set up a fixed buffer allocator over @buffer
 * @f: the instance to set up
 * @buffer: the memory to hand out; the caller keeps owning it and must keep
 *	it alive (and not move it) until zalloc_fixed_destroy()
 * @size: its length in bytes; 0 gives an allocator that always fails
 * @name: a debugfs name under /sys/kernel/debug/zalloc/, or NULL for none
 * @flags: ZALLOC_F_DEBUG, ZALLOC_F_NODEBUG or 0 (include/zalloc/debug.h):
 *	in debug mode the normal view gives every block a separate shadow
 *	allocation with red zones, dropped without reports by a reset or
 *	destroy; the thread-safe view is never in debug mode
 * @gfp: allocation flags for the instance's counters (and debug core)
 * @owner: the module @name belongs to; zalloc_fixed_init() passes
 *	THIS_MODULE
 *
 * Context: any context @gfp allows; with a @name, process context.
 * Return: 0; -EINVAL if @buffer is NULL with a non-zero @size, if
 * @buffer + @size wraps, for unknown @flags, or if @name is given with a
 * non-sleeping @gfp; -ENOMEM; -EEXIST or -EINVAL for a taken or invalid
 * name.
 */
int __zalloc_fixed_init(struct zalloc_fixed *f, void *buffer, size_t size,
			const char *name, unsigned int flags, gfp_t gfp,
			struct module *owner)
{
	struct zalloc_setup s = {
		.name = name, .flags = flags, .gfp = gfp, .owner = owner,
	};

	if (!zalloc_fixed_buf_valid(buffer, size)) {
		pr_warn_ratelimited("fixed: unusable buffer %p + %zu\n",
				    buffer, size);
		return -EINVAL;
	}
	zalloc_fixed_buf_init(&f->buf, buffer, size);
	f->inst.flags = 0;
	f->za_ts.ctx = &f->inst;
	f->za_ts.ops = &fixed_ts_ops;
	return zalloc_instance_setup(&f->inst, &zalloc_kind_fixed, &s);
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
	zalloc_instance_teardown(&f->inst);
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
	zalloc_debug_forget(&f->inst);
	zalloc_fixed_buf_rewind(&f->buf, 0);
	zalloc_count_drop_live(&f->inst);
}
EXPORT_SYMBOL_NS_GPL(zalloc_fixed_reset, ZALLOC_NS);

/**
 * zalloc_fixed_savestate() - remember where the buffer is (Zig's savestate)
 * @f: the instance
 * @state: where to remember it; hand it to zalloc_fixed_restore()
 *
 * The bump position is saved in O(1); the counters it will need are summed
 * over the possible CPUs, as for reset.
 *
 * Context: any; not concurrently with any other call on @f.
 */
void zalloc_fixed_savestate(struct zalloc_fixed *f,
			    struct zalloc_fixed_state *state)
{
	struct zalloc_stats_sum sum;

	zalloc_stats_read(&f->inst, &sum);
	state->end_index = READ_ONCE(f->buf.end_index);
	state->allocs = sum.v[ZALLOC_STAT_ALLOC];
	state->frees = sum.v[ZALLOC_STAT_FREE];
	state->bytes_alloc = sum.v[ZALLOC_STAT_BYTES_ALLOC];
	state->bytes_free = sum.v[ZALLOC_STAT_BYTES_FREE];
}
EXPORT_SYMBOL_NS_GPL(zalloc_fixed_savestate, ZALLOC_NS);

/* Did this debug-mode block come at or after @end in the buffer? */
static bool fixed_after(const void *inner, void *end)
{
	return inner >= end;
}

/**
 * zalloc_fixed_restore() - go back to a saved state (Zig's restore)
 * @f: the instance
 * @state: from zalloc_fixed_savestate() on @f
 *
 * Every block allocated since the save becomes invalid and its bytes free
 * again; blocks from before it stay.  Counted as freed: the allocations made
 * since the save less the frees made since (exact unless a block older than
 * the save was freed in between; such a free gives nothing back to the
 * buffer anyway, and is then counted twice).  In debug mode the blocks'
 * shadows are dropped.
 *
 * Context: any; not concurrently with any other call on @f.
 * Return: true; false (nothing changed, a ratelimited warning) if @state
 * lies beyond the current end, i.e. was saved before a later restore or
 * reset gave its bytes back.
 */
bool zalloc_fixed_restore(struct zalloc_fixed *f,
			  const struct zalloc_fixed_state *state)
{
	struct zalloc_fixed_state now;
	long blocks, bytes;

	zalloc_fixed_savestate(f, &now);
	if (state->end_index > now.end_index) {
		pr_warn_ratelimited("fixed: restore to %zu beyond the end index %zu\n",
				    state->end_index, now.end_index);
		return false;
	}
	zalloc_debug_forget_if(&f->inst, fixed_after,
			       f->buf.buffer + state->end_index);
	zalloc_fixed_buf_rewind(&f->buf, state->end_index);
	blocks = (now.allocs - state->allocs) - (now.frees - state->frees);
	bytes = (now.bytes_alloc - state->bytes_alloc) -
		(now.bytes_free - state->bytes_free);
	if (blocks > 0)
		zalloc_count(&f->inst, ZALLOC_STAT_FREE, blocks);
	if (bytes > 0)
		zalloc_count(&f->inst, ZALLOC_STAT_BYTES_FREE, bytes);
	return true;
}
EXPORT_SYMBOL_NS_GPL(zalloc_fixed_restore, ZALLOC_NS);

/* In debug mode, the buffer address behind a caller's (shadow) pointer. */
static const void *fixed_inner(const struct zalloc_fixed *f, const void *ptr,
			       size_t *len)
{
	return zalloc_debug_inner_ptr((struct zalloc_instance *)&f->inst, ptr,
				      len);
}

/**
 * zalloc_fixed_owns_ptr() - does @ptr point into the buffer?
 * @f: the instance
 * @ptr: any pointer; in debug mode, a block (or a pointer into one) the
 *	instance handed out is looked up behind its shadow
 *
 * Context: any.
 * Return: true if buffer <= @ptr < buffer + size (Zig's ownsPtr).
 */
bool zalloc_fixed_owns_ptr(const struct zalloc_fixed *f, const void *ptr)
{
	ptr = fixed_inner(f, ptr, NULL);
	return ptr && zalloc_fixed_buf_owns_ptr(&f->buf, ptr);
}
EXPORT_SYMBOL_NS_GPL(zalloc_fixed_owns_ptr, ZALLOC_NS);

/**
 * zalloc_fixed_owns_range() - does [@ptr, @ptr + @len) lie in the buffer?
 * @f: the instance
 * @ptr: the start of the range (seen through debug-mode shadows)
 * @len: its length; the test cannot overflow, whatever @len is
 *
 * Context: any.
 * Return: true if the whole range is inside the buffer (Zig's ownsSlice).
 */
bool zalloc_fixed_owns_range(const struct zalloc_fixed *f, const void *ptr,
			     size_t len)
{
	ptr = fixed_inner(f, ptr, &len);
	return ptr && zalloc_fixed_buf_owns_range(&f->buf, ptr, len);
}
EXPORT_SYMBOL_NS_GPL(zalloc_fixed_owns_range, ZALLOC_NS);

/**
 * zalloc_fixed_is_last_allocation() - is this the most recent block?
 * @f: the instance
 * @ptr: the block (seen through debug-mode shadows)
 * @len: its current length
 *
 * Only the most recent block can be freed or grown in place.  As in Zig the
 * answer can be a false negative: once the last block is freed, its
 * alignment padding stays used, so the block before it no longer ends at
 * the end index.
 *
 * Context: any; racy against concurrent thread-safe allocations.
 * Return: true if the block (of at least one byte) lies in the buffer and
 * is the one its free would roll back: it ends at the end index and, while
 * the newest block is known, is that block; false for @len 0.
 */
bool zalloc_fixed_is_last_allocation(const struct zalloc_fixed *f,
				     const void *ptr, size_t len)
{
	ptr = fixed_inner(f, ptr, &len);
	return ptr && zalloc_fixed_buf_owns_range(&f->buf, ptr, len) &&
	       zalloc_fixed_buf_is_last(&f->buf, ptr, len);
}
EXPORT_SYMBOL_NS_GPL(zalloc_fixed_is_last_allocation, ZALLOC_NS);
