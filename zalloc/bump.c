// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc bump core: Zig's FixedBufferAllocator on one buffer, shared by the
 * fixed buffer allocator (fixed.c) and the stack-fallback allocator
 * (stack_fallback.c).
 *
 * The state is the buffer and an end index; alloc aligns the address at
 * the end index forward and moves the index past the block.  Only the most
 * recent block can be resized in place or given back, and the alignment
 * padding in front of a block is not recovered when it is freed.
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
bool zalloc_fixed_buf_is_last(const struct zalloc_fixed_buf *b,
			      const void *ptr, size_t len)
{
	return (const u8 *)ptr - b->buffer + len == READ_ONCE(b->end_index);
}

static bool fixed_check_owned(const struct zalloc_fixed_buf *b,
			      const void *ptr, size_t len, const char *op)
{
	if (likely(zalloc_fixed_buf_owns_range(b, ptr, len)))
		return true;
	pr_warn_ratelimited("fixed: %s of %zu bytes at %p outside the buffer\n",
			    op, len, ptr);
	return false;
}

bool zalloc_fixed_buf_resize(struct zalloc_fixed_buf *b, void *ptr,
			     size_t len, size_t new_len)
{
	size_t end = READ_ONCE(b->end_index);

	if (!fixed_check_owned(b, ptr, len, "resize"))
		return false;
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

void zalloc_fixed_buf_free(struct zalloc_fixed_buf *b, void *ptr, size_t len)
{
	if (!fixed_check_owned(b, ptr, len, "free"))
		return;
	if (zalloc_fixed_buf_is_last(b, ptr, len))
		WRITE_ONCE(b->end_index, READ_ONCE(b->end_index) - len);
}
