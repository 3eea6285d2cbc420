/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bump core over one buffer (zalloc/bump.c), shared by the fixed
 * buffer and stack-fallback allocators of zalloc.ko; not for consumers.
 *
 * It works on a struct zalloc_fixed_buf (include/zalloc/fixed.h) so the
 * stack fallback runs exactly the fixed buffer's rules without carrying a
 * whole struct zalloc_fixed.  Locking: none; see each caller.
 */
#ifndef _ZALLOC_BUFFERS_H
#define _ZALLOC_BUFFERS_H

#include <zalloc/fixed.h>

bool zalloc_fixed_buf_valid(const void *buffer, size_t size);
void zalloc_fixed_buf_init(struct zalloc_fixed_buf *b, void *buffer,
			   size_t size);
void *zalloc_fixed_buf_alloc(struct zalloc_fixed_buf *b, size_t len,
			     size_t align);
void *zalloc_fixed_buf_alloc_atomic(struct zalloc_fixed_buf *b, size_t len,
				    size_t align);
bool zalloc_fixed_buf_resize(struct zalloc_fixed_buf *b, void *ptr,
			     size_t len, size_t new_len);
void zalloc_fixed_buf_free(struct zalloc_fixed_buf *b, void *ptr, size_t len);
bool zalloc_fixed_buf_owns_ptr(const struct zalloc_fixed_buf *b,
			       const void *ptr);
bool zalloc_fixed_buf_owns_range(const struct zalloc_fixed_buf *b,
				 const void *ptr, size_t len);
bool zalloc_fixed_buf_is_last(const struct zalloc_fixed_buf *b,
			      const void *ptr, size_t len);

#endif /* _ZALLOC_BUFFERS_H */
