// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc bitmap search, the out-of-line half (see bitmap_search.h): runs
 * longer than a word, range tests and updates, the longest free run, and
 * zalloc_bitmap_claim() for callers with bitmaps of their own.
 *
 * Locking: none; every caller serializes the updates that take chunks, and
 * passes @shared where frees may give chunks back meanwhile (see
 * bitmap_search.h).
 */
#include <linux/export.h>
#include <linux/limits.h>

#include "bitmap_search.h"

/* Runs of more than 64 chunks: top bits, full words, bottom bits. */
bool zalloc_bits_claim_large(u64 *w, size_t nw, size_t i, size_t n,
			     size_t *index, bool shared)
{
	while (i < nw) {
		unsigned int top = zb_top_free(READ_ONCE(w[i]));
		size_t start, rem, j;

		if (!top) {
			i++;
			continue;
		}
		start = i++;
		rem = n - top;		/* >= 1: n > 64 >= top */
		while (rem > ZB_BITS && i < nw) {
			/*
			 * Acquire: a word read all free is cleared with a
			 * plain store below, after the frees that freed it.
			 */
			if (smp_load_acquire(&w[i]) != ZB_FULL)
				break;
			rem -= ZB_BITS;
			i++;
		}
		if (i >= nw)
			return false;
		/* Word i is where the run broke: start again from it. */
		if (rem > ZB_BITS || zb_bottom_free(READ_ONCE(w[i])) < rem)
			continue;
		zb_word_take(&w[start], READ_ONCE(w[start]), zb_high(top),
			     shared);
		/* All free: no free may change them, lockless or not. */
		for (j = start + 1; j < i; j++)
			WRITE_ONCE(w[j], 0);
		zb_word_take(&w[i], READ_ONCE(w[i]), zb_low(rem), shared);
		*index = start * ZB_BITS + ZB_BITS - top;
		return true;
	}
	return false;
}

static bool zb_claim(u64 *w, size_t nw, size_t from, size_t n, size_t *index)
{
	if (n <= ZB_BITS)
		return zb_claim_small(w, nw, from, n, index, false);
	return zalloc_bits_claim_large(w, nw, from, n, index, false);
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
 * The range functions take chunks [index, index + n), @n >= 1, as the
 * words .i to .last they lie in, with the masks of their chunks in the
 * first word (.head) and in the last (.tail); both apply when .i == .last.
 */
struct zb_range {
	size_t i, last;
	u64 head, tail;
};

static struct zb_range zb_range_of(size_t index, size_t n)
{
	size_t end = index + n - 1;

	return (struct zb_range){
		.i = index / ZB_BITS,
		.last = end / ZB_BITS,
		.head = ZB_FULL << (index % ZB_BITS),
		.tail = ZB_FULL >> (ZB_BITS - 1 - end % ZB_BITS),
	};
}

/* Whether range @r is all free (@flip all ones) or all used (@flip 0). */
static __always_inline bool zb_range_is(const u64 *w, struct zb_range r,
					u64 flip)
{
	size_t j;

	if (r.i == r.last)
		return !((READ_ONCE(w[r.i]) ^ flip) & r.head & r.tail);
	if (((READ_ONCE(w[r.i]) ^ flip) & r.head) ||
	    ((READ_ONCE(w[r.last]) ^ flip) & r.tail))
		return false;
	for (j = r.i + 1; j < r.last; j++)
		if (READ_ONCE(w[j]) ^ flip)
			return false;
	return true;
}

/* Whether chunks [index, index + n) are all free (@free) or all used. */
bool zalloc_bits_range_is(const u64 *w, size_t index, size_t n, bool free)
{
	return !n || zb_range_is(w, zb_range_of(index, n),
				 free ? ZB_FULL : 0);
}

/* Take chunks [index, index + n), every one free. */
void zalloc_bits_range_take(u64 *w, size_t index, size_t n, bool shared)
{
	struct zb_range r;
	size_t j;

	if (!n)
		return;
	r = zb_range_of(index, n);
	if (r.i == r.last) {
		zb_word_take(&w[r.i], READ_ONCE(w[r.i]), r.head & r.tail,
			     shared);
		return;
	}
	zb_word_take(&w[r.i], READ_ONCE(w[r.i]), r.head, shared);
	for (j = r.i + 1; j < r.last; j++)
		zb_word_take(&w[j], READ_ONCE(w[j]), ZB_FULL, shared);
	zb_word_take(&w[r.last], READ_ONCE(w[r.last]), r.tail, shared);
}

/*
 * Give back chunks [index, index + n), @n >= 1, if every one is taken.
 * Under the lock of a shared bitmap (bitmap_search.h).  Every word is
 * tested before any is set, so that a bad free (a double free, a length
 * past the block) is refused before any chunk of it shows free to a
 * lockless free of its own block.  After that only a free of the same
 * chunks racing with this one, itself bad, can make a word fail: then the
 * words already given are taken back, which is safe because only the
 * caller (the lock holder) takes chunks.
 */
bool zalloc_bits_range_give(u64 *w, size_t index, size_t n, bool shared)
{
	struct zb_range r = zb_range_of(index, n);
	size_t j;

	if (r.i == r.last)
		return zb_word_give(&w[r.i], r.head & r.tail, shared);
	if (!zb_range_is(w, r, 0) || !zb_word_give(&w[r.i], r.head, shared))
		return false;
	for (j = r.i + 1; j < r.last; j++)
		if (!zb_word_give(&w[j], ZB_FULL, shared))
			goto undo;
	if (zb_word_give(&w[r.last], r.tail, shared))
		return true;
undo:
	/* Words .i to j - 1 were given. */
	zalloc_bits_range_take(w, index, j * ZB_BITS - index, shared);
	return false;
}

/* The longest run of free chunks; runs may span words. */
size_t zalloc_bits_largest_run(const u64 *w, size_t nw)
{
	size_t best = 0, cur = 0, i;
	unsigned int s, r;
	u64 word, x;

	for (i = 0; i < nw; i++) {
		/* Read once: a lockless free may change it meanwhile. */
		word = READ_ONCE(w[i]);
		x = word;
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
		cur = zb_top_free(word);
	}
	return max(best, cur);
}
