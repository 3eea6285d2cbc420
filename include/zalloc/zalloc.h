/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zalloc - the Zig Allocator contract in kernel C.
 *
 * A struct zalloc is a context pointer plus a pointer to const operations:
 * alloc, resize, remap and free.  Code that takes a struct zalloc * can be
 * handed any zalloc allocator (page, kmalloc, fixed buffer, arena, ...) and
 * never needs to know which.  The contract is Zig's std.mem.Allocator (0.14):
 *
 *  - The caller remembers the length and alignment of every block and passes
 *    them back to resize, remap and free.  That is what lets allocators keep
 *    no per-object header.
 *  - @len is never zero when it reaches an allocator, and @align is a power
 *    of two.  The helpers below enforce both; allocators may rely on them.
 *  - resize() changes the length in place or fails, leaving the block as it
 *    was.  remap() may also move the block, but only where moving is cheaper
 *    than the caller's own alloc + copy + free; otherwise it fails and
 *    zalloc_realloc() does alloc + copy + free itself.
 *  - Every call that may allocate carries a gfp_t, so the same allocator
 *    serves GFP_KERNEL and GFP_ATOMIC callers; each allocator documents the
 *    contexts it allows.  free() never allocates and takes no gfp_t.
 *  - Every op receives the caller's return address (@ip) for reports.
 *
 * Zero-length requests are answered by the helpers without calling the
 * allocator: zalloc_alloc(a, 0, ...) returns ZERO_SIZE_PTR, which every free
 * path accepts with a zero length, as kfree() accepts it.
 *
 * Two gfp flags are the helpers' business, never the allocator's: with
 * __GFP_ZERO every byte a helper hands out new (a fresh block, or the bytes
 * a resize, remap or realloc adds) reads zero, whichever allocator is
 * behind; __GFP_NOFAIL is dropped, because every zalloc allocator may fail
 * (a full fixed buffer cannot wait for memory) and callers must handle NULL.
 */
#ifndef _ZALLOC_ZALLOC_H
#define _ZALLOC_ZALLOC_H

#include <linux/bits.h>
#include <linux/compiler.h>
#include <linux/gfp.h>
#include <linux/instruction_pointer.h>
#include <linux/jump_label.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/types.h>
#include <zalloc/compat.h>

/**
 * struct zalloc_ops - what an allocator implements
 * @alloc: return @len bytes aligned to @align, or NULL.  @len > 0 and @align
 *	is a power of two.
 * @resize: change the block at @ptr from @len to @new_len bytes without
 *	moving it.  Return true on success; on false the block is unchanged.
 *	@len and @align are those the block was allocated (or last resized)
 *	with; @new_len > 0.
 * @remap: like @resize, but the block may move if that is cheaper than
 *	alloc + copy + free.  Return the (possibly new) address with the
 *	contents preserved up to min(@len, @new_len), or NULL with the block
 *	unchanged.  May be NULL in the ops, meaning "resize or fail".
 * @free: give back the block at @ptr of @len bytes, allocated with @align.
 *	@len > 0.
 */
struct zalloc_ops {
	void *(*alloc)(void *ctx, size_t len, size_t align, gfp_t gfp,
		       unsigned long ip);
	bool (*resize)(void *ctx, void *ptr, size_t len, size_t align,
		       size_t new_len, gfp_t gfp, unsigned long ip);
	void *(*remap)(void *ctx, void *ptr, size_t len, size_t align,
		       size_t new_len, gfp_t gfp, unsigned long ip);
	void (*free)(void *ctx, void *ptr, size_t len, size_t align,
		     unsigned long ip);
};

/**
 * struct zalloc - an allocator: its state and its operations
 * @ctx: the allocator's own state, passed to every op.  Stateless
 *	allocators may leave it NULL; never compare it.
 * @ops: the operations.
 */
struct zalloc {
	void *ctx;
	const struct zalloc_ops *ops;
};

/*
 * Largest length any allocator is asked for: lengths above this cannot be
 * rounded up to any alignment or page without overflow, so the helpers
 * refuse them before the allocator sees them.
 */
#define ZALLOC_MAX_LEN		(SIZE_MAX >> 1)

/*
 * Instance flags every create that takes flags understands (smp, sbrk,
 * bitmap); allocator-specific flags use the low bits.
 *   ZALLOC_F_DEBUG	debug mode (include/zalloc/debug.h) for this instance
 *   ZALLOC_F_NODEBUG	normal mode even when zalloc.debug=1
 * Neither: the zalloc.debug module parameter decides.
 */
#define ZALLOC_F_DEBUG		BIT(30)
#define ZALLOC_F_NODEBUG	BIT(31)

/* The gfp flags the helpers handle themselves; ops never see them. */
#define ZALLOC_GFP_HELPER	(__GFP_ZERO | __GFP_NOFAIL)

static __always_inline gfp_t zalloc_op_gfp(gfp_t gfp)
{
	return gfp & ~ZALLOC_GFP_HELPER;
}

/* With __GFP_ZERO, clear bytes [@from, @to) of a block the helper returns. */
static __always_inline void zalloc_zero_new(void *p, size_t from, size_t to,
					    gfp_t gfp)
{
	if ((gfp & __GFP_ZERO) && to > from)
		memset(p + from, 0, to - from);
}

/* An alignment any call may name: a power of two a length can reach. */
static __always_inline bool zalloc_align_ok(size_t align)
{
	return is_power_of_2(align) && align <= ZALLOC_MAX_LEN;
}

static __always_inline bool zalloc_args_ok(size_t len, size_t align)
{
	return zalloc_align_ok(align) && len <= ZALLOC_MAX_LEN;
}

/* A live block as free, resize and remap name it: not NULL, sane length. */
static __always_inline bool zalloc_block_args_ok(const void *ptr, size_t len,
						 size_t align)
{
	return !ZERO_OR_NULL_PTR(ptr) && len && zalloc_args_ok(len, align);
}

/*
 * The bump of the fixed buffer and the arena: where a block of @len bytes
 * aligned to @align would start in @size bytes at @base, @end of them
 * used; false if it does not fit.  @end <= @size, and @base + @size does
 * not wrap, so neither sum below is formed unless it stays within @size.
 */
static __always_inline bool zalloc_bump_fit(const void *base, size_t size,
					    size_t end, size_t len,
					    size_t align, size_t *start)
{
	size_t room = size - end;
	size_t pad = -((unsigned long)base + end) & (align - 1);

	if (unlikely(pad > room || len > room - pad))
		return false;
	*start = end + pad;
	return true;
}

/* The bumps' newest block while none is known (freed, reset, restored). */
#define ZALLOC_BUMP_NO_LAST	SIZE_MAX

/*
 * Is @ptr, @len the last block of the @end bytes used at @base, the one a
 * bump allocator's free and resize act on?  It must end at @end and, while
 * the newest block is known (@last, the offset it starts at), be that very
 * block; once it is not known (ZALLOC_BUMP_NO_LAST: freed, reset), any
 * block ending at @end is taken, as in Zig.  On true, *@start is where the
 * block starts.  A zero or wrapping @len never passes, nor does a NULL or
 * ZERO_SIZE_PTR @ptr, as long as @base + @end does not wrap and @base is
 * above ZERO_SIZE_PTR or @end is 0 (an arena with no buffer).
 */
static __always_inline bool zalloc_bump_is_last(unsigned long base,
						size_t end, size_t last,
						const void *ptr, size_t len,
						size_t *start)
{
	size_t off = end - len;

	/* 1 <= len <= end, in one unsigned comparison. */
	if (len - 1 >= end || (unsigned long)ptr - base != off)
		return false;
	*start = off;
	return last == off || last == ZALLOC_BUMP_NO_LAST;
}

/* A live block and a new length that resize and remap may act on. */
static __always_inline bool zalloc_relen_ok(const void *ptr, size_t len,
					    size_t align, size_t new_len)
{
	return zalloc_block_args_ok(ptr, len, align) &&
	       zalloc_args_ok(new_len, align);
}

/*
 * Trace events (zalloc:alloc, :free, :resize, :remap): while one is enabled
 * zalloc_trace_key is on and the forwarders call these, which call the
 * allocator and record the event; while none is, the key costs a NOP.
 */
DECLARE_STATIC_KEY_FALSE(zalloc_trace_key);
void *zalloc_trace_alloc(const struct zalloc *a, size_t len, size_t align,
			 gfp_t gfp, unsigned long ip);
bool zalloc_trace_resize(const struct zalloc *a, void *ptr, size_t len,
			 size_t align, size_t new_len, gfp_t gfp,
			 unsigned long ip);
void *zalloc_trace_remap(const struct zalloc *a, void *ptr, size_t len,
			 size_t align, size_t new_len, gfp_t gfp,
			 unsigned long ip);
void zalloc_trace_free(const struct zalloc *a, void *ptr, size_t len,
		       size_t align, unsigned long ip);

/*
 * The raw forwarders: the argument checks are the caller's job.  For use by
 * allocators that call a child allocator (arena, stack fallback, ...).
 */
static __always_inline void *zalloc_raw_alloc(const struct zalloc *a, size_t len,
					      size_t align, gfp_t gfp,
					      unsigned long ip)
{
	if (static_branch_unlikely(&zalloc_trace_key))
		return zalloc_trace_alloc(a, len, align, gfp, ip);
	return a->ops->alloc(a->ctx, len, align, gfp, ip);
}

static __always_inline bool zalloc_raw_resize(const struct zalloc *a, void *ptr,
					      size_t len, size_t align,
					      size_t new_len, gfp_t gfp,
					      unsigned long ip)
{
	if (static_branch_unlikely(&zalloc_trace_key))
		return zalloc_trace_resize(a, ptr, len, align, new_len, gfp,
					   ip);
	return a->ops->resize(a->ctx, ptr, len, align, new_len, gfp, ip);
}

static __always_inline void *zalloc_raw_remap(const struct zalloc *a, void *ptr,
					      size_t len, size_t align,
					      size_t new_len, gfp_t gfp,
					      unsigned long ip)
{
	if (static_branch_unlikely(&zalloc_trace_key))
		return zalloc_trace_remap(a, ptr, len, align, new_len, gfp, ip);
	if (!a->ops->remap)
		return a->ops->resize(a->ctx, ptr, len, align, new_len, gfp,
				      ip) ? ptr : NULL;
	return a->ops->remap(a->ctx, ptr, len, align, new_len, gfp, ip);
}

static __always_inline void zalloc_raw_free(const struct zalloc *a, void *ptr,
					    size_t len, size_t align,
					    unsigned long ip)
{
	if (static_branch_unlikely(&zalloc_trace_key))
		zalloc_trace_free(a, ptr, len, align, ip);
	else
		a->ops->free(a->ctx, ptr, len, align, ip);
}

/**
 * zalloc_alloc_ip() - allocate @len bytes aligned to @align
 * @a: the allocator
 * @len: bytes wanted; 0 returns ZERO_SIZE_PTR without calling @a
 * @align: alignment in bytes, a power of two
 * @gfp: allocation context and flags
 * @ip: the caller to blame in reports
 *
 * Context: as @a documents for @gfp.
 * Return: the block, ZERO_SIZE_PTR for @len == 0, or NULL if @align is not a
 * power of two, @len is impossible, or @a is out of memory.
 */
static __always_inline void *zalloc_alloc_ip(const struct zalloc *a, size_t len,
					     size_t align, gfp_t gfp,
					     unsigned long ip)
{
	void *p;

	if (unlikely(!zalloc_args_ok(len, align)))
		return NULL;
	if (unlikely(!len))
		return ZERO_SIZE_PTR;
	p = zalloc_raw_alloc(a, len, align, zalloc_op_gfp(gfp), ip);
	if (p)
		zalloc_zero_new(p, 0, len, gfp);
	return p;
}

#define zalloc_alloc(a, len, align, gfp) \
	zalloc_alloc_ip(a, len, align, gfp, _THIS_IP_)

/**
 * zalloc_free_ip() - give back a block
 * @a: the allocator it came from
 * @ptr: the block; NULL or ZERO_SIZE_PTR is a no-op
 * @len: its current length; 0 is a no-op
 * @align: the alignment it was allocated with
 * @ip: the caller to blame in reports
 *
 * Context: as @a documents.
 */
static __always_inline void zalloc_free_ip(const struct zalloc *a, void *ptr,
					   size_t len, size_t align,
					   unsigned long ip)
{
	if (unlikely(!zalloc_block_args_ok(ptr, len, align)))
		return;
	zalloc_raw_free(a, ptr, len, align, ip);
}

#define zalloc_free(a, ptr, len, align) \
	zalloc_free_ip(a, ptr, len, align, _THIS_IP_)

/**
 * zalloc_resize_ip() - change a block's length without moving it
 * @a: the allocator it came from
 * @ptr: the block
 * @len: its current length
 * @align: the alignment it was allocated with
 * @new_len: the length wanted; 0 frees the block
 * @gfp: allocation context and flags
 * @ip: the caller to blame in reports
 *
 * Context: as @a documents for @gfp.
 * Return: true if the block now has @new_len bytes at the same address (or
 * was freed, for @new_len == 0); false if it is unchanged.
 */
static __always_inline bool zalloc_resize_ip(const struct zalloc *a, void *ptr,
					     size_t len, size_t align,
					     size_t new_len, gfp_t gfp,
					     unsigned long ip)
{
	if (unlikely(!zalloc_relen_ok(ptr, len, align, new_len)))
		return false;
	if (!new_len) {
		zalloc_raw_free(a, ptr, len, align, ip);
		return true;
	}
	if (!zalloc_raw_resize(a, ptr, len, align, new_len, zalloc_op_gfp(gfp),
			       ip))
		return false;
	zalloc_zero_new(ptr, len, new_len, gfp);
	return true;
}

#define zalloc_resize(a, ptr, len, align, new_len, gfp) \
	zalloc_resize_ip(a, ptr, len, align, new_len, gfp, _THIS_IP_)

/**
 * zalloc_remap_ip() - change a block's length, moving it only if cheap
 * @a: the allocator it came from
 * @ptr: the block
 * @len: its current length
 * @align: the alignment it was allocated with
 * @new_len: the length wanted; 0 frees the block
 * @gfp: allocation context and flags
 * @ip: the caller to blame in reports
 *
 * Context: as @a documents for @gfp.
 * Return: the block's address, which may have changed, with its first
 * min(@len, @new_len) bytes preserved; ZERO_SIZE_PTR if @new_len == 0 (the
 * block is freed); NULL if it could not be done cheaply, block unchanged.
 */
static __always_inline void *zalloc_remap_ip(const struct zalloc *a, void *ptr,
					     size_t len, size_t align,
					     size_t new_len, gfp_t gfp,
					     unsigned long ip)
{
	void *p;

	if (unlikely(!zalloc_relen_ok(ptr, len, align, new_len)))
		return NULL;
	if (!new_len) {
		zalloc_raw_free(a, ptr, len, align, ip);
		return ZERO_SIZE_PTR;
	}
	p = zalloc_raw_remap(a, ptr, len, align, new_len, zalloc_op_gfp(gfp),
			     ip);
	if (p)
		zalloc_zero_new(p, len, new_len, gfp);
	return p;
}

#define zalloc_remap(a, ptr, len, align, new_len, gfp) \
	zalloc_remap_ip(a, ptr, len, align, new_len, gfp, _THIS_IP_)

/**
 * zalloc_realloc_ip() - change a block's length, moving it if need be
 * @a: the allocator it came from
 * @ptr: the block, or NULL/ZERO_SIZE_PTR with @len == 0 for a fresh one
 * @len: its current length
 * @align: the alignment it was allocated with (and the new block gets)
 * @new_len: the length wanted; 0 frees the block
 * @gfp: allocation context and flags
 * @ip: the caller to blame in reports
 *
 * Tries remap first; if that fails, allocates a new block, copies
 * min(@len, @new_len) bytes and frees the old one.  Even a shrink can fail.
 *
 * Context: as @a documents for @gfp.
 * Return: the block's address (possibly new); ZERO_SIZE_PTR if @new_len == 0;
 * NULL on failure, with the old block unchanged and still owned by the caller.
 */
static __always_inline void *zalloc_realloc_ip(const struct zalloc *a, void *ptr,
					       size_t len, size_t align,
					       size_t new_len, gfp_t gfp,
					       unsigned long ip)
{
	void *p;

	if (unlikely(!zalloc_args_ok(len, align) ||
		     !zalloc_args_ok(new_len, align)))
		return NULL;
	if (ZERO_OR_NULL_PTR(ptr) || !len)
		return zalloc_alloc_ip(a, new_len, align, gfp, ip);
	if (!new_len) {
		zalloc_raw_free(a, ptr, len, align, ip);
		return ZERO_SIZE_PTR;
	}
	p = zalloc_raw_remap(a, ptr, len, align, new_len, zalloc_op_gfp(gfp),
			     ip);
	if (!p) {
		p = zalloc_raw_alloc(a, new_len, align, zalloc_op_gfp(gfp), ip);
		if (!p)
			return NULL;
		memcpy(p, ptr, min(len, new_len));
		zalloc_raw_free(a, ptr, len, align, ip);
	}
	zalloc_zero_new(p, len, new_len, gfp);
	return p;
}

#define zalloc_realloc(a, ptr, len, align, new_len, gfp) \
	zalloc_realloc_ip(a, ptr, len, align, new_len, gfp, _THIS_IP_)

/**
 * zalloc_dup() - allocate a copy of @len bytes at @src
 * @a: the allocator
 * @src: what to copy
 * @len: how many bytes
 * @gfp: allocation context and flags
 *
 * Context: as @a documents for @gfp.
 * Return: the copy (byte aligned), ZERO_SIZE_PTR for @len == 0, or NULL.
 */
#define zalloc_dup(a, src, len, gfp) ({					\
	size_t __zd_len = (len);					\
	void *__zd = zalloc_alloc_ip(a, __zd_len, 1, gfp, _THIS_IP_);	\
	if (!ZERO_OR_NULL_PTR(__zd))					\
		memcpy(__zd, src, __zd_len);				\
	__zd;								\
})

/* Typed helpers, in the spirit of Zig's create/destroy/alloc(T, n). */

/**
 * zalloc_new() - allocate one object of @type
 * @a: the allocator
 * @type: the object's type; its size and alignment are used
 * @gfp: allocation context and flags
 *
 * Context: as @a documents for @gfp.
 * Return: a @type * (contents undefined), or NULL.
 */
#define zalloc_new(a, type, gfp) \
	((type *)zalloc_alloc_ip(a, sizeof(type), __alignof__(type), gfp, \
				 _THIS_IP_))

/**
 * zalloc_delete() - free one object allocated with zalloc_new()
 * @a: the allocator
 * @p: the object (typed pointer); NULL is a no-op
 *
 * Context: as @a documents.
 */
#define zalloc_delete(a, p) ({					\
	typeof(p) __zd_p = (p);						\
	zalloc_free_ip(a, __zd_p, sizeof(*__zd_p), __alignof__(*__zd_p),	\
		       _THIS_IP_);					\
})

/**
 * zalloc_array() - allocate @n objects of @type
 * @a: the allocator
 * @type: the element type
 * @n: how many
 * @gfp: allocation context and flags
 *
 * Context: as @a documents for @gfp.
 * Return: a @type * to @n elements, ZERO_SIZE_PTR for @n == 0, or NULL if
 * @n * sizeof(@type) overflows or @a is out of memory.
 */
#define zalloc_array(a, type, n, gfp) ({				\
	size_t __za_bytes;						\
	(type *)(check_mul_overflow((size_t)(n), sizeof(type),		\
				    &__za_bytes) ? NULL :		\
		 zalloc_alloc_ip(a, __za_bytes, __alignof__(type), gfp,	\
				 _THIS_IP_));				\
})

/**
 * zalloc_array_free() - free @n objects allocated with zalloc_array()
 * @a: the allocator
 * @p: the array (typed pointer)
 * @n: its current element count
 *
 * Context: as @a documents.
 */
#define zalloc_array_free(a, p, n) ({					\
	typeof(p) __zf_p = (p);						\
	size_t __zf_bytes;						\
	if (!check_mul_overflow((size_t)(n), sizeof(*__zf_p), &__zf_bytes)) \
		zalloc_free_ip(a, __zf_p, __zf_bytes, __alignof__(*__zf_p), \
			       _THIS_IP_);				\
})

/**
 * zalloc_array_realloc() - grow or shrink an array, moving it if need be
 * @a: the allocator
 * @p: the array (typed pointer), or NULL with @n == 0
 * @n: its current element count
 * @new_n: the element count wanted
 * @gfp: allocation context and flags
 *
 * Context: as @a documents for @gfp.
 * Return: the array's address, ZERO_SIZE_PTR for @new_n == 0, or NULL on
 * overflow or failure (the old array is then unchanged).
 */
#define zalloc_array_realloc(a, p, n, new_n, gfp) ({			\
	typeof(p) __zr_p = (p);						\
	size_t __zr_old, __zr_new;					\
	(typeof(__zr_p))((check_mul_overflow((size_t)(n), sizeof(*__zr_p), \
					     &__zr_old) ||		\
			  check_mul_overflow((size_t)(new_n),		\
					     sizeof(*__zr_p), &__zr_new)) ? \
			 NULL :						\
			 zalloc_realloc_ip(a, __zr_p, __zr_old,		\
					   __alignof__(*__zr_p), __zr_new, \
					   gfp, _THIS_IP_));		\
})

#endif /* _ZALLOC_ZALLOC_H */
