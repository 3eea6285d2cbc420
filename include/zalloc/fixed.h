/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zalloc fixed buffer allocator: Zig's FixedBufferAllocator, a bump
 * allocator over a buffer the caller already has (on the stack, static,
 * kmalloc'd or vmalloc'd).  The allocator never frees the buffer.
 *
 * alloc moves an end index forward past the alignment padding and the
 * block; it returns NULL once a request does not fit.  Only the last block
 * can be given back or resized in place: free of the last block rolls the
 * end index back (its alignment padding stays used), free of any other
 * block does nothing, resize of another block succeeds only for a shrink
 * (which changes nothing).  remap never moves a block.  reset makes the
 * whole buffer free again at once, invalidating every block.
 *
 * Two views of one instance, as Zig's allocator() and threadSafeAllocator():
 *
 *  - zalloc_fixed_allocator(): alloc, resize, remap, free as above.  No lock:
 *    callers serialise every call on the instance themselves.  Any context.
 *    A caller that knows its allocator can call zalloc_fixed_alloc() and
 *    zalloc_fixed_free() instead, as page_frag_alloc_align() is called:
 *    the same operations, the bump inline, no indirect call.
 *  - zalloc_fixed_thread_safe_allocator(): alloc only, lock-free
 *    (try_cmpxchg on the end index), callable concurrently from any
 *    context including hard IRQ; resize and remap always refuse and free
 *    does nothing, as in Zig.
 *
 * Mixing the two views concurrently is not safe (the normal view's updates
 * are not atomic), nor is reset concurrent with anything.
 */
#ifndef _ZALLOC_FIXED_H
#define _ZALLOC_FIXED_H

#include <linux/mm.h>
#include <zalloc/registry.h>
#include <zalloc/zalloc.h>

/**
 * struct zalloc_fixed_buf - the bump state over one buffer
 * @buffer: the caller's buffer
 * @size: its length in bytes
 * @end_index: bytes in use from @buffer on, alignment padding included.
 *	Always <= @size.  Read with READ_ONCE() and written with WRITE_ONCE()
 *	or try_cmpxchg() (thread-safe view), so that the statistics file can
 *	read it while the owner allocates.
 * @last_start: where the most recent block starts, so that only that very
 *	block can be freed or resized as the last one; ZALLOC_BUMP_NO_LAST
 *	once it is freed (or after a reset, or a thread-safe allocation), when
 *	the block ending at @end_index is taken as the last one, as in Zig
 */
struct zalloc_fixed_buf {
	u8 *buffer;
	size_t size;
	size_t end_index;
	size_t last_start;
};

/**
 * struct zalloc_fixed - a fixed buffer allocator instance
 * @inst: the instance; inst.za is the normal view, see
 *	zalloc_fixed_allocator()
 * @za_ts: the thread-safe view, see zalloc_fixed_thread_safe_allocator()
 * @buf: the bump state
 *
 * Set up with zalloc_fixed_init(), torn down with zalloc_fixed_destroy().
 * Fields are private to zalloc; read @buf.end_index with READ_ONCE().
 */
struct zalloc_fixed {
	struct zalloc_instance inst;
	struct zalloc za_ts;
	struct zalloc_fixed_buf buf;
};

/**
 * struct zalloc_fixed_state - what zalloc_fixed_savestate() remembers
 * @end_index: the bump position
 * @allocs: allocations counted so far
 * @frees: frees counted so far
 * @bytes_alloc: requested bytes allocated so far
 * @bytes_free: requested bytes freed so far
 */
struct zalloc_fixed_state {
	size_t end_index;
	unsigned long allocs;
	unsigned long frees;
	unsigned long bytes_alloc;
	unsigned long bytes_free;
};

/**
 * enum zalloc_fixed_counter - a fixed buffer's own counters
 * @ZALLOC_FIXED_BUFFER_SIZE: bytes of the buffer
 * @ZALLOC_FIXED_END_INDEX: bytes in use, alignment padding included
 * @NR_ZALLOC_FIXED_COUNTERS: how many
 *
 * Read with zalloc_instance_info(); the "stats" file shows them by name.
 */
enum zalloc_fixed_counter {
	ZALLOC_FIXED_BUFFER_SIZE,
	ZALLOC_FIXED_END_INDEX,
	NR_ZALLOC_FIXED_COUNTERS
};

int __zalloc_fixed_init(struct zalloc_fixed *f, void *buffer, size_t size,
			const char *name, unsigned int flags, gfp_t gfp,
			struct module *owner);
/* See __zalloc_fixed_init(); the name belongs to the calling module. */
#define zalloc_fixed_init(f, buffer, size, name, flags, gfp)		\
	__zalloc_fixed_init(f, buffer, size, name, flags, gfp, THIS_MODULE)
void zalloc_fixed_destroy(struct zalloc_fixed *f);
void zalloc_fixed_reset(struct zalloc_fixed *f);
void zalloc_fixed_savestate(struct zalloc_fixed *f,
			    struct zalloc_fixed_state *state);
bool zalloc_fixed_restore(struct zalloc_fixed *f,
			  const struct zalloc_fixed_state *state);
bool zalloc_fixed_owns_ptr(const struct zalloc_fixed *f, const void *ptr);
bool zalloc_fixed_owns_range(const struct zalloc_fixed *f, const void *ptr,
			     size_t len);
bool zalloc_fixed_is_last_allocation(const struct zalloc_fixed *f,
				     const void *ptr, size_t len);

void *__zalloc_fixed_alloc_slow(struct zalloc_fixed *f, size_t len,
				size_t align, unsigned long ip);
void __zalloc_fixed_free(struct zalloc_fixed *f, void *ptr, size_t len,
			 size_t align, unsigned long ip);

/*
 * Where a block of @len bytes aligned to @align would start if the end
 * index were @end; false if it does not fit.  @end <= b->size always, and
 * b->buffer + b->size does not wrap (checked at init).
 */
static __always_inline bool zalloc_fixed_fit(const struct zalloc_fixed_buf *b,
					     size_t end, size_t len,
					     size_t align, size_t *start)
{
	return zalloc_bump_fit(b->buffer, b->size, end, len, align, start);
}

/*
 * The normal view's allocation, once the arguments are known good (@len
 * at least 1, @align a power of two): the bump, counted, zeroed under
 * init_on_alloc.  NULL if the block does not fit (counted as a failure).
 * zalloc_fixed_alloc() inline and the normal view's alloc op both run it.
 */
static __always_inline void *__zalloc_fixed_bump(struct zalloc_fixed *f,
						 size_t len, size_t align)
{
	struct zalloc_fixed_buf *b = &f->buf;
	u8 *p;
	size_t start;

	if (unlikely(!zalloc_fixed_fit(b, READ_ONCE(b->end_index), len, align,
				       &start))) {
		zalloc_count(&f->inst, ZALLOC_STAT_ALLOC_FAIL, 1);
		return NULL;
	}
	WRITE_ONCE(b->end_index, start + len);
	b->last_start = start;
	zalloc_count_block(&f->inst, ZALLOC_STAT_ALLOC, ZALLOC_STAT_BYTES_ALLOC,
			   len);
	p = b->buffer + start;
	/* memset() returns @p: a tail call, no register kept for it. */
	if (want_init_on_alloc(0))
		return memset(p, 0, len);
	return p;
}

/*
 * Free the last block of @b (zalloc_bump_is_last()), the first thing a
 * free of a block in a struct zalloc_fixed_buf tries: the end index goes
 * back to where the block starts.  false, changing nothing, for any other
 * @ptr or @len.  The caller counts the free, then zeroes the block under
 * init_on_free, last, so that memset() is a tail call.
 */
static __always_inline bool __zalloc_fixed_buf_pop(struct zalloc_fixed_buf *b,
						   void *ptr, size_t len)
{
	size_t start;

	if (!zalloc_bump_is_last((unsigned long)b->buffer,
				 READ_ONCE(b->end_index), b->last_start, ptr,
				 len, &start))
		return false;
	WRITE_ONCE(b->end_index, start);
	b->last_start = ZALLOC_BUMP_NO_LAST;
	return true;
}

/**
 * zalloc_fixed_alloc() - allocate from a fixed buffer allocator directly
 * @f: the instance
 * @len: bytes wanted; 0 returns ZERO_SIZE_PTR
 * @align: alignment in bytes, a power of two
 *
 * What zalloc_alloc(zalloc_fixed_allocator(@f), @len, @align, GFP_NOWAIT)
 * does, for a caller that knows its allocator: the bump inline, with no
 * indirect call, counted as the normal view counts.  In debug mode, and
 * while a zalloc trace event is enabled, it takes the normal view's path
 * (a debug shadow is then allocated with GFP_NOWAIT).
 *
 * Context: any; callers serialise all calls on @f, as for the normal view.
 * Return: the block, ZERO_SIZE_PTR for @len == 0, or NULL if @align is not
 * a power of two or the block does not fit.
 */
static __always_inline void *zalloc_fixed_alloc(struct zalloc_fixed *f,
						size_t len, size_t align)
{
	if (unlikely(!len || !zalloc_args_ok(len, align) ||
		     !zalloc_direct_ok(&f->inst)))
		return __zalloc_fixed_alloc_slow(f, len, align, _THIS_IP_);
	return __zalloc_fixed_bump(f, len, align);
}

/**
 * zalloc_fixed_free() - give a block back to a fixed buffer allocator
 * @f: the instance
 * @ptr: the block; NULL or ZERO_SIZE_PTR is a no-op
 * @len: its length; 0 is a no-op
 * @align: the alignment it was allocated with
 *
 * What zalloc_free(zalloc_fixed_allocator(@f), @ptr, @len, @align) does,
 * with no indirect call: the last block rolls the end index back (inline),
 * any other does nothing, a range outside the buffer or inside the last
 * block is refused with a message.
 *
 * Context: any; callers serialise all calls on @f, as for the normal view.
 */
static __always_inline void zalloc_fixed_free(struct zalloc_fixed *f,
					      void *ptr, size_t len,
					      size_t align)
{
	if (likely(zalloc_align_ok(align) && zalloc_direct_ok(&f->inst) &&
		   __zalloc_fixed_buf_pop(&f->buf, ptr, len))) {
		zalloc_direct_freed(&f->inst, ptr, len);
		return;
	}
	__zalloc_fixed_free(f, ptr, len, align, _THIS_IP_);
}

/**
 * zalloc_fixed_allocator() - the normal view of a fixed buffer allocator
 * @f: the instance
 *
 * Context: any; callers serialise all calls on @f.
 * Return: the struct zalloc to allocate from, valid until @f is destroyed.
 */
static inline const struct zalloc *zalloc_fixed_allocator(struct zalloc_fixed *f)
{
	return &f->inst.za;
}

/**
 * zalloc_fixed_thread_safe_allocator() - the lock-free view of @f
 * @f: the instance
 *
 * alloc may be called concurrently from any context, hard IRQ included;
 * resize and remap refuse, free is a no-op.
 *
 * Context: any.
 * Return: the struct zalloc to allocate from, valid until @f is destroyed.
 */
static inline const struct zalloc *
zalloc_fixed_thread_safe_allocator(struct zalloc_fixed *f)
{
	return &f->za_ts;
}

#endif /* _ZALLOC_FIXED_H */
