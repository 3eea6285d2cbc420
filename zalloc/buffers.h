/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bump core over one buffer, shared by the fixed buffer and
 * stack-fallback allocators of zalloc.ko; not for consumers.  The fast
 * operations are inline here, the rest is zalloc/bump.c.
 *
 * It works on a struct zalloc_fixed_buf (include/zalloc/fixed.h) so the
 * stack fallback runs exactly the fixed buffer's rules without carrying a
 * whole struct zalloc_fixed.  Index arithmetic is overflow-safe: every sum
 * is compared against the room left (len > size - index), so no sum is ever
 * formed that could wrap, whatever the caller passes through the raw ops.
 *
 * Locking: none; see each caller.
 */
#ifndef _ZALLOC_BUFFERS_H
#define _ZALLOC_BUFFERS_H

#include <zalloc/fixed.h>

#include "internal.h"

bool zalloc_fixed_buf_valid(const void *buffer, size_t size);
void zalloc_fixed_buf_init(struct zalloc_fixed_buf *b, void *buffer,
			   size_t size);
void zalloc_fixed_buf_rewind(struct zalloc_fixed_buf *b, size_t end);
void *zalloc_fixed_buf_alloc_atomic(struct zalloc_fixed_buf *b, size_t len,
				    size_t align);
bool zalloc_fixed_buf_resize(struct zalloc_fixed_buf *b, void *ptr,
			     size_t len, size_t new_len);
bool zalloc_fixed_buf_refuse(const void *ptr, size_t len, const char *op,
			     const char *why);

static __always_inline void *zalloc_fixed_buf_alloc(struct zalloc_fixed_buf *b,
						    size_t len, size_t align)
{
	size_t start;

	if (!zalloc_fixed_fit(b, READ_ONCE(b->end_index), len, align, &start))
		return NULL;
	WRITE_ONCE(b->end_index, start + len);
	b->last_start = start;
	return b->buffer + start;
}

static __always_inline bool
zalloc_fixed_buf_owns_ptr(const struct zalloc_fixed_buf *b, const void *ptr)
{
	unsigned long p = (unsigned long)ptr, s = (unsigned long)b->buffer;

	return p >= s && p - s < b->size;
}

static __always_inline bool
zalloc_fixed_buf_owns_range(const struct zalloc_fixed_buf *b, const void *ptr,
			    size_t len)
{
	unsigned long p = (unsigned long)ptr, s = (unsigned long)b->buffer;

	return p >= s && p - s <= b->size && len <= b->size - (p - s);
}

/*
 * @ptr, @len lie in the buffer: is it the block that ends at end_index,
 * and, while the most recent block is known, that block itself?
 */
static __always_inline bool
zalloc_fixed_buf_is_last(const struct zalloc_fixed_buf *b, const void *ptr,
			 size_t len)
{
	size_t start;

	return zalloc_bump_is_last((unsigned long)b->buffer,
				   READ_ONCE(b->end_index), b->last_start, ptr,
				   len, &start);
}

/*
 * Free a block of the buffer: the last one rolls the end index back (the
 * pop), any other does nothing.  false (and a message) for a range not in
 * the buffer, or one that ends where the last block ends but does not
 * start where it starts (a pointer into the last block: rolling back to it
 * would hand part of a live block out again).
 */
static __always_inline bool zalloc_fixed_buf_free(struct zalloc_fixed_buf *b,
						  void *ptr, size_t len)
{
	if (likely(__zalloc_fixed_buf_pop(b, ptr, len))) {
		zalloc_init_on_free(ptr, len);
		return true;
	}
	if (unlikely(!zalloc_fixed_buf_owns_range(b, ptr, len)))
		return zalloc_fixed_buf_refuse(ptr, len, "free",
					       "outside the buffer");
	/*
	 * Not the pop's, yet ending where the last block does: inside it
	 * (@len >= 1, as for every op).
	 */
	if (unlikely((u8 *)ptr - b->buffer + len == READ_ONCE(b->end_index)))
		return zalloc_fixed_buf_refuse(ptr, len, "free",
					       "inside the last block");
	zalloc_init_on_free(ptr, len);
	return true;
}

#endif /* _ZALLOC_BUFFERS_H */
