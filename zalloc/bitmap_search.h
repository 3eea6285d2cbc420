/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zalloc bitmap search: Ghostty's run search over u64 words, shared by the
 * bitmap allocator (bitmap.c) and the exported zalloc_bitmap_claim().
 *
 * A set bit is a free chunk; bit b of word w is chunk 64 * w + b.  The
 * helpers that sit on the allocator's fast path (the bit tricks and the
 * fold for runs of up to 64 chunks) are inline here; the rest is in
 * bitmap_search.c.  None of them locks: the caller serializes every update
 * that takes a chunk.
 *
 * Shared words.  A ZALLOC_BITMAP_LOCKED instance frees a block within one
 * word without its lock (bitmap.c), with a compare-and-exchange that sets
 * the block's bits; so whoever holds the lock may see bits of a word turn
 * from used to free at any moment, never the other way.  Its updates
 * (@shared) are therefore compare-and-exchanges too, which cannot lose such
 * a free; only a word whose chunks are all free, which no free may change,
 * is cleared with a plain store, after an acquire load.  Caller-serialized
 * bitmaps (!@shared) use plain loads and stores.
 */
#ifndef _ZALLOC_BITMAP_SEARCH_H
#define _ZALLOC_BITMAP_SEARCH_H

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/minmax.h>
#include <linux/types.h>
#include <zalloc/bitmap.h>

#define ZB_BITS		ZALLOC_BITMAP_WORD_BITS
#define ZB_FULL		(~0ULL)

/* Bit tricks, defined for every input. */

static __always_inline unsigned int zb_ctz(u64 w)
{
	return w ? __ffs64(w) : 64;
}

static __always_inline unsigned int zb_clz(u64 w)
{
	return 64 - fls64(w);
}

/* The low @n bits set; @n >= 64 gives all ones. */
static __always_inline u64 zb_low(unsigned int n)
{
	return n >= 64 ? ZB_FULL : (1ULL << n) - 1;
}

/* The high @n bits set; @n >= 64 gives all ones. */
static __always_inline u64 zb_high(unsigned int n)
{
	return n >= 64 ? ZB_FULL : ~(ZB_FULL >> n);
}

/* Free chunks at the top and at the bottom of a word. */
static __always_inline unsigned int zb_top_free(u64 w)
{
	return zb_clz(~w);
}

static __always_inline unsigned int zb_bottom_free(u64 w)
{
	return zb_ctz(~w);
}

/* The low @n bits set, for 1 <= @n <= 64: no branch. */
static __always_inline u64 zb_run_mask(unsigned int n)
{
	return ZB_FULL >> (ZB_BITS - n);
}

/* Bit b of the result: bits b..b+n-1 of @word are free (1 <= n <= 64). */
static __always_inline u64 zb_fold(u64 word, unsigned int n)
{
	unsigned int len = 1, h;

	while (len < n) {
		h = min(len, n - len);
		word &= word >> h;
		len += h;
	}
	return word;
}

/* Take (clear) the free bits @mask of *@w, which was @old when read. */
static __always_inline void zb_word_take(u64 *w, u64 old, u64 mask,
					 bool shared)
{
	if (!shared) {
		*w = old & ~mask;
		return;
	}
	while (!try_cmpxchg(w, &old, old & ~mask))
		;
}

/* Give back (set) the bits @mask of *@w if all are taken; false if not. */
static __always_inline bool zb_word_give(u64 *w, u64 mask, bool shared)
{
	u64 old = READ_ONCE(*w);

	if (!shared) {
		if (old & mask)
			return false;
		*w = old | mask;
		return true;
	}
	do {
		if (old & mask)
			return false;
	} while (!try_cmpxchg(w, &old, old | mask));
	return true;
}

/* Runs of 1..64 chunks: the fold within a word, then across two words. */
static __always_inline bool zb_claim_small(u64 *w, size_t nw, size_t i,
					   unsigned int n, size_t *index,
					   bool shared)
{
	for (; i < nw; i++) {
		u64 word = READ_ONCE(w[i]), run;
		unsigned int bit, top;

		if (!word)
			continue;
		run = zb_fold(word, n);
		if (run) {
			bit = __ffs64(run);
			zb_word_take(&w[i], word, zb_run_mask(n) << bit, shared);
			*index = i * ZB_BITS + bit;
			return true;
		}
		if (i + 1 >= nw)
			break;
		/* The word's free top bits plus the next word's bottom. */
		top = zb_top_free(word);
		if (top && top + zb_bottom_free(READ_ONCE(w[i + 1])) >= n) {
			zb_word_take(&w[i], word, zb_high(top), shared);
			zb_word_take(&w[i + 1], READ_ONCE(w[i + 1]),
				     zb_low(n - top), shared);
			*index = i * ZB_BITS + ZB_BITS - top;
			return true;
		}
	}
	return false;
}

bool zalloc_bits_claim_large(u64 *w, size_t nw, size_t i, size_t n,
			     size_t *index, bool shared);
bool zalloc_bits_range_is(const u64 *w, size_t index, size_t n, bool free);
void zalloc_bits_range_take(u64 *w, size_t index, size_t n, bool shared);
bool zalloc_bits_range_give(u64 *w, size_t index, size_t n, bool shared);
size_t zalloc_bits_largest_run(const u64 *w, size_t nw);

#endif /* _ZALLOC_BITMAP_SEARCH_H */
