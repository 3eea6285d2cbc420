/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A model of the bump core (zalloc/bump.c, buffers.h) written from its
 * contract in include/zalloc/fixed.h and Zig's FixedBufferAllocator: an
 * end index, the start of the most recent block while it is known, padding
 * that stays used.  The fixed buffer (both views) and the stack fallback's
 * buffer are checked against it byte for byte: every address, every
 * refusal.
 */
#ifndef _FZ_BUMP_MODEL_H
#define _FZ_BUMP_MODEL_H

#include "engine.h"

#define BM_NONE		SIZE_MAX

struct bump_model {
	u8 *base;
	size_t size;
	size_t end;
	size_t last;	/* start of the most recent block, or BM_NONE */
};

static inline void bm_init(struct bump_model *m, u8 *base, size_t size)
{
	m->base = base;
	m->size = size;
	m->end = 0;
	m->last = BM_NONE;
}

/* Where @len bytes at @align would go; false if they do not fit. */
static inline bool bm_fit(const struct bump_model *m, size_t len, size_t align,
			  size_t *start)
{
	size_t pad = -((unsigned long)m->base + m->end) & (align - 1);

	if (pad > m->size - m->end || len > m->size - m->end - pad)
		return false;
	*start = m->end + pad;
	return true;
}

static inline bool bm_owns(const struct bump_model *m, const u8 *p)
{
	return p >= m->base && p < m->base + m->size;
}

static inline bool bm_is_last(const struct bump_model *m, const u8 *p,
			      size_t len)
{
	size_t off = p - m->base;

	return off + len == m->end && (m->last == off || m->last == BM_NONE);
}

/* A block the model handed out: it must be where the model says. */
static inline void bm_alloced(struct fz *f, struct bump_model *m,
			      struct fz_blk *b, bool atomic)
{
	size_t start;

	FZ_CHECK(f, bm_fit(m, b->len, b->align, &start),
		 "the model has no room for %zu bytes", b->len);
	FZ_CHECK(f, b->p == m->base + start, "block at offset %td, the model says %zu",
		 b->p - m->base, start);
	m->end = start + b->len;
	m->last = atomic ? BM_NONE : start;
}

static inline void bm_freed(struct bump_model *m, const struct fz_blk *b)
{
	size_t off = b->p - m->base;

	if (off + b->len == m->end) {
		m->end = off;
		m->last = BM_NONE;
	}
}

static inline enum fz_expect bm_expect_relen(const struct bump_model *m,
					     const struct fz_blk *b,
					     size_t new_len)
{
	if (!bm_is_last(m, b->p, b->len))
		return new_len <= b->len ? FZ_MUST : FZ_MUST_NOT;
	if (new_len <= b->len)
		return FZ_MUST;
	return new_len - b->len <= m->size - m->end ? FZ_MUST : FZ_MUST_NOT;
}

static inline void bm_relenned(struct bump_model *m, const struct fz_blk *b,
			       size_t old_len)
{
	size_t off = b->p - m->base;

	if (off + old_len == m->end && (m->last == off || m->last == BM_NONE))
		m->end = off + b->len;
}

#endif /* _FZ_BUMP_MODEL_H */
