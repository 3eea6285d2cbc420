// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc bitmap search, the out-of-line half (see bitmap_search.h): runs
 * longer than a word, range tests and updates, the longest free run, and
 * zalloc_bitmap_claim() for callers with bitmaps of their own.
 *
 * Locking: none; every caller serializes access to the words it passes.
 */
#include <linux/export.h>
#include <linux/limits.h>

#include "bitmap_search.h"

/* Runs of more than 64 chunks: top bits, full words, bottom bits. */
bool zalloc_bits_claim_large(u64 *w, size_t nw, size_t i, size_t n,
			     size_t *index)
{
	while (i < nw) {
		unsigned int top = zb_top_free(w[i]);
		size_t start, rem, j;

		if (!top) {
			i++;
			continue;
		}
		start = i++;
		rem = n - top;		/* >= 1: n > 64 >= top */
		while (rem > ZB_BITS && i < nw && w[i] == ZB_FULL) {
			rem -= ZB_BITS;
			i++;
		}
		if (i >= nw)
			return false;
		/* Word i is where the run broke: start again from it. */
		if (rem > ZB_BITS || zb_bottom_free(w[i]) < rem)
			continue;
		w[start] &= ~zb_high(top);
		for (j = start + 1; j < i; j++)
			w[j] = 0;
		w[i] &= ~zb_low(rem);
		*index = start * ZB_BITS + ZB_BITS - top;
		return true;
	}
	return false;
}

static bool zb_claim(u64 *w, size_t nw, size_t from, size_t n, size_t *index)
{
	if (n <= ZB_BITS)
		return zb_claim_small(w, nw, from, n, index);
	return zalloc_bits_claim_large(w, nw, from, n, index);
}

/**
 * zalloc_bitmap_claim() - find and claim a run of free bits in a bitmap
 * @map: the bitmap, @nr_words u64 words; bit b of word w is chunk
 *	64 * w + b, 1 = free
 * @nr_words: its length in words
 * @nr: how many contiguous free bits to find, >= 1
 * @index: where to store the first bit of the run
 *
 * Ghostty's findFreeChunks(): the run with the lowest first bit is
 * cleared (claimed).  The caller serializes access to @map.
 *
 * Context: any.
 * Return: true with *@index set, or false with @map unchanged if there is
 * no such run or @nr is 0.
 */
bool zalloc_bitmap_claim(u64 *map, size_t nr_words, size_t nr, size_t *index)
{
	if (!nr || nr_words > SIZE_MAX / ZB_BITS || nr > nr_words * ZB_BITS)
		return false;
	return zb_claim(map, nr_words, 0, nr, index);
}
EXPORT_SYMBOL_NS_GPL(zalloc_bitmap_claim, ZALLOC_NS);

/*
 * Chunks [index, index + n), a word's worth at a time: with @set, mark them
 * free (@free) or used and return true; without, return whether they are
 * all free (@free) or all used.
 */
static bool zb_range(u64 *w, size_t index, size_t n, bool free, bool set)
{
	size_t i = index / ZB_BITS;
	unsigned int bit = index % ZB_BITS, bits;
	u64 mask;

	for (; n; n -= bits, bit = 0, i++) {
		bits = min_t(size_t, n, ZB_BITS - bit);
		mask = zb_low(bits) << bit;
		if (set)
			w[i] = free ? w[i] | mask : w[i] & ~mask;
		else if (((free ? w[i] : ~w[i]) & mask) != mask)
			return false;
	}
	return true;
}

/* Whether chunks [index, index + n) are all free (@free) or all used. */
bool zalloc_bits_range_is(const u64 *w, size_t index, size_t n, bool free)
{
	return zb_range((u64 *)w, index, n, free, false);
}

/* Mark chunks [index, index + n) free (@free) or used. */
void zalloc_bits_range_set(u64 *w, size_t index, size_t n, bool free)
{
	zb_range(w, index, n, free, true);
}

/* The longest run of free chunks; runs may span words. */
size_t zalloc_bits_largest_run(const u64 *w, size_t nw)
{
	size_t best = 0, cur = 0, i;
	unsigned int s, r;
	u64 x;

	for (i = 0; i < nw; i++) {
		x = w[i];
		if (x == ZB_FULL) {
			cur += ZB_BITS;
			continue;
		}
		/* The bottom run ends the run carried from below. */
		r = zb_bottom_free(x);
		best = max(best, cur + r);
		x >>= r;	/* r < 64; bit 0 is now a used chunk */
		while (x) {
			s = zb_ctz(x);
			x >>= s;
			r = zb_bottom_free(x);	/* x's top s bits are 0 */
			best = max_t(size_t, best, r);
			x >>= r;
		}
		cur = zb_top_free(w[i]);
	}
	return max(best, cur);
}
