// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc bump core: Zig's FixedBufferAllocator on one buffer, shared by the
 * fixed buffer allocator (fixed.c) and the stack-fallback allocator
 * (stack_fallback.c).
 *
 * The state is the buffer and an end index; alloc aligns the address at
 * the end index forward and moves the index past the block.  Only the most
 * recent block can be resized in place or given back, and the alignment
 * padding in front of a block is not recovered when it is freed.  The
 * fast operations (alloc, free, the ownership tests) are inline in
 * buffers.h; this file has the rest.
 *
 * Changes from Zig:
 *  - Index arithmetic is overflow-safe.  Zig computes end_index + padding +
 *    len and relies on safety checks to trap an overflow; here every sum is
 *    compared against the room left (len > size - index) so no sum is ever
 *    formed that could wrap, whatever the caller passes through the raw ops.
 *  - Zig asserts that resize and free get a block of this buffer; here a
 *    foreign block is refused (resize false, free no-op) with a ratelimited
 *    message, and the state is untouched.
 *  - Zig takes any block ending at the end index for the last one, so a
 *    free of a pointer into the last block (q + 8 of a block at q) rolls
 *    the index back into a live block.  Here the last block's start is
 *    kept, and only that very block is the last one; once it is freed, the
 *    one before it is not known, and the block ending at the end index is
 *    taken for the last one, as in Zig.
 *  - The thread-safe alloc is a try_cmpxchg() loop on the end index (Zig:
 *    a weak cmpxchg loop, seq_cst), so it is safe from any context, hard IRQ
 *    included: it takes no lock and never sleeps or spins on another CPU.
 *
 * Locking: none.  Callers serialise the normal operations; the thread-safe
 * alloc's only shared state is end_index, advanced by try_cmpxchg(); a
 * successful exchange owns [old end + padding, new end).  Readers of the
 * statistics file read end_index with READ_ONCE().
 */
#define pr_fmt(fmt) "zalloc: " fmt

#include <linux/atomic.h>
#include <linux/overflow.h>
#include <linux/printk.h>

#include "buffers.h"

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
	zalloc_fixed_buf_rewind(b, 0);
}

/* Back to @end (reset, restore): no block is known to be the last. */
void zalloc_fixed_buf_rewind(struct zalloc_fixed_buf *b, size_t end)
{
	WRITE_ONCE(b->end_index, end);
	b->last_start = ZALLOC_BUMP_NO_LAST;
}

void *zalloc_fixed_buf_alloc_atomic(struct zalloc_fixed_buf *b, size_t len,
				    size_t align)
{
	size_t end = READ_ONCE(b->end_index);
	size_t start;

	do {
		if (!zalloc_fixed_fit(b, end, len, align, &start))
			return NULL;
	} while (!try_cmpxchg(&b->end_index, &end, start + len));
	/* Which block is last is not known any more (the views must not mix). */
	WRITE_ONCE(b->last_start, ZALLOC_BUMP_NO_LAST);
	return b->buffer + start;
}

/* A call on a range that is not a block of the buffer: false, reported. */
bool zalloc_fixed_buf_refuse(const void *ptr, size_t len, const char *op,
			     const char *why)
{
	pr_warn_ratelimited("fixed: %s of %zu bytes at %p: %s\n", op, len, ptr,
			    why);
	return false;
}

bool zalloc_fixed_buf_resize(struct zalloc_fixed_buf *b, void *ptr,
			     size_t len, size_t new_len)
{
	size_t end = READ_ONCE(b->end_index);

	if (!zalloc_fixed_buf_owns_range(b, ptr, len))
		return zalloc_fixed_buf_refuse(ptr, len, "resize",
					       "outside the buffer");
	if (!zalloc_fixed_buf_is_last(b, ptr, len))
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
