/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Internals shared by the buffer allocators of zalloc.ko (fixed.c, arena.c,
 * stack_fallback.c); not for consumers.
 *
 * The bump core works on a struct zalloc_fixed_buf (include/zalloc/fixed.h)
 * so that the fixed buffer allocator and the stack-fallback allocator share
 * one implementation without the second carrying a whole struct zalloc_fixed
 * (and its counters) inside it.  Locking: none; see each caller.
 */
#ifndef _ZALLOC_BUFFERS_H
#define _ZALLOC_BUFFERS_H

#include <zalloc/fixed.h>
#include <zalloc/registry.h>

void zalloc_fixed_buf_init(struct zalloc_fixed_buf *b, void *buffer,
			   size_t size);
bool zalloc_fixed_buf_valid(const void *buffer, size_t size);
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

int zalloc_buffers_instance_init(struct zalloc_instance *inst,
				 const char *kind,
				 const struct zalloc_instance_ops *iops,
				 const char *name, gfp_t gfp,
				 struct module *owner);
void zalloc_buffers_instance_destroy(struct zalloc_instance *inst,
				     bool named);
void zalloc_buffers_stat_drop_live(struct zalloc_stats *s);
int zalloc_buffers_debug_init(struct zalloc *za, struct zalloc_debug **dbg,
			      struct zalloc_instance *inst, const char *kind,
			      bool named, gfp_t gfp);

#endif /* _ZALLOC_BUFFERS_H */
