// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc_bitmap: the bitmap chunk allocator.  Ghostty's tests for
 * findFreeChunks (in-word runs, runs across words, runs longer than a word,
 * a random bit oracle) and for BitmapAllocator (layout, in-bounds
 * allocation, sequential placement and reuse, non-byte types, allocation
 * and free patterns over one to four words, bytesRequired); then a
 * 100,000-step differential run against a brute-force first fit over a
 * bool array, argument checks, alignment, bad frees, in-place resize, the
 * chunk API, the debugfs stats file, and the locked variant under one
 * kthread per CPU plus a hard-IRQ timer (kunit/xcpu.c).
 */
#include <kunit/test.h>
#include <linux/atomic.h>
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/prandom.h>
#include <zalloc/bitmap.h>

#include "xcpu.h"
#include "zalloc_kunit.h"

#define FULL	(~0ULL)

/* The low @n bits, for 0 <= @n <= 64. */
static u64 low_bits(unsigned int n)
{
	return n >= 64 ? FULL : (1ULL << n) - 1;
}

/* Test helpers over an instance: an independent bit-by-bit view. */

static bool chunk_free(const struct zalloc_bitmap *b, size_t i)
{
	return (b->words[i / 64] >> (i % 64)) & 1;
}

/* Ghostty's isAllocated(): every chunk of the block is in use. */
static bool is_allocated(const struct zalloc_bitmap *b, const void *p,
			 size_t len)
{
	size_t i = zalloc_bitmap_chunk_index(b, p);
	size_t end = i + DIV_ROUND_UP(len, b->chunk_size);

	for (; i < end; i++)
		if (chunk_free(b, i))
			return false;
	return true;
}

static bool all_free(const struct zalloc_bitmap *b)
{
	size_t i;

	for (i = 0; i < b->nr_words; i++)
		if (b->words[i] != FULL)
			return false;
	return zalloc_bitmap_free_count(b) == b->nr_chunks;
}

KUNIT_DEFINE_ACTION_WRAPPER(bm_destroy_action, zalloc_bitmap_destroy,
			    struct zalloc_bitmap *);

/* An instance over a kmalloc'd buffer of exactly the layout's size. */
static struct zalloc_bitmap *bm_init(struct kunit *test, size_t chunk,
				     size_t cap, unsigned int flags)
{
	struct zalloc_bitmap_layout l;
	struct zalloc_bitmap *b;
	void *buf;

	b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_EQ(test, zalloc_bitmap_layout(chunk, cap, &l), 0);
	buf = kunit_kmalloc(test, l.total_size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, zalloc_bitmap_init(b, buf, &l, flags, NULL), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, bm_destroy_action,
							b), 0);
	return b;
}

static struct zalloc_bitmap *bm_create(struct kunit *test, size_t chunk,
				       size_t cap, unsigned int flags,
				       const char *name)
{
	struct zalloc_bitmap *b = zalloc_bitmap_create(chunk, cap, flags, name);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, b);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							bm_destroy_action, b),
			0);
	return b;
}

static bool filled(const u8 *p, size_t len, u8 c)
{
	return !memchr_inv(p, c, len);
}

/*
 * ======================================================================
 * findFreeChunks (zalloc_bitmap_claim())
 * ======================================================================
 */

/* findFreeChunks, upstream tests 1-11, plus runs that must restart. */

struct claim_case {
	const char *name;
	u64 in[4];
	size_t nw;
	size_t n;
	bool found;
	size_t index;
	u64 out[4];
};

static const struct claim_case claim_cases[] = {
	{ "single found", { 0x8000000000000E00ULL }, 1, 2,
	  true, 9, { 0x8000000000000800ULL } },
	{ "single not found", { 0x8700000000000000ULL }, 1, 4,
	  false, 0, { 0x8700000000000000ULL } },
	{ "multiple found", { 0x8700000000000070ULL, 0x803E000000003E00ULL },
	  2, 4, true, 73, { 0x8700000000000070ULL, 0x803E000000002000ULL } },
	{ "exactly 64 chunks", { FULL }, 1, 64, true, 0, { 0 } },
	{ "small allocation across bitmap boundary", { 1ULL << 63, 1 }, 2, 2,
	  true, 63, { 0, 0 } },
	{ "64 chunks across bitmap boundary", { FULL << 32, FULL >> 32 }, 2,
	  64, true, 32, { 0, 0 } },
	{ "larger than 64 chunks", { FULL, FULL }, 2, 65,
	  true, 0, { 0, 0xFFFFFFFFFFFFFFFEULL } },
	{ "larger than available bitmap", { FULL }, 1, 65,
	  false, 0, { FULL } },
	{ "larger than 64 chunks not at beginning",
	  { 0xFF00000000000000ULL, FULL, FULL }, 3, 65,
	  true, 56, { 0, 0xFE00000000000000ULL, FULL } },
	{ "larger than 64 chunks exact", { FULL, FULL }, 2, 128,
	  true, 0, { 0, 0 } },
	/* Not upstream: the searches' restart and end-of-bitmap paths. */
	{ "across boundary one short", { 1ULL << 63, 0 }, 2, 2,
	  false, 0, { 1ULL << 63, 0 } },
	{ "across boundary blocked by a used bit", { 3ULL << 62, FULL << 1 },
	  2, 3,
	  true, 65, { 3ULL << 62, FULL << 4 } },
	{ "large restarts at the breaking word",
	  { 1ULL << 63, FULL << 1, FULL, FULL }, 4, 65,
	  true, 65, { 1ULL << 63, 0, FULL << 2, FULL } },
	{ "large runs off the end", { 0, 1ULL << 63 }, 2, 65,
	  false, 0, { 0, 1ULL << 63 } },
	{ "large over a full word", { FULL << 60, FULL, FULL >> 1 }, 3,
	  131, true, 60, { 0, 0, 0 } },
	{ "large one short", { FULL << 60, FULL, FULL >> 1 }, 3,
	  132, false, 0, { FULL << 60, FULL, FULL >> 1 } },
	{ "zero chunks", { FULL }, 1, 0, false, 0, { FULL } },
};

static void claim_desc(const struct claim_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(claim, claim_cases, claim_desc);

static void bitmap_claim_upstream(struct kunit *test)
{
	const struct claim_case *c = test->param_value;
	u64 w[4];
	size_t index = SIZE_MAX, i;
	bool found;

	memcpy(w, c->in, sizeof(w));
	found = zalloc_bitmap_claim(w, c->nw, c->n, &index);
	KUNIT_EXPECT_EQ(test, found, c->found);
	if (c->found)
		KUNIT_EXPECT_EQ(test, index, c->index);
	for (i = 0; i < c->nw; i++)
		KUNIT_EXPECT_EQ_MSG(test, w[i], c->out[i], "word %zu", i);
}

/* Upstream 5: every in-word run of every length is found where it is. */
static void bitmap_claim_fold_exhaustive(struct kunit *test)
{
	unsigned int n, start;
	size_t index;
	u64 w;

	for (n = 1; n <= 64; n++) {
		for (start = 0; start + n <= 64; start++) {
			w = low_bits(n) << start;
			KUNIT_ASSERT_TRUE_MSG(test,
					      zalloc_bitmap_claim(&w, 1, n, &index),
					      "n %u start %u", n, start);
			KUNIT_ASSERT_EQ_MSG(test, index, (size_t)start,
					    "n %u", n);
			KUNIT_ASSERT_EQ(test, w, 0ULL);
		}
	}
}

/*
 * Every run of up to 64 chunks split across two words is found; one chunk
 * fewer is not, and leaves both words alone.
 */
static void bitmap_claim_straddle_exhaustive(struct kunit *test)
{
	unsigned int n, top;
	size_t index;
	u64 w[2];

	for (n = 2; n <= 64; n++) {
		for (top = 1; top < n; top++) {
			w[0] = ~low_bits(64 - top);
			w[1] = low_bits(n - top);
			KUNIT_ASSERT_TRUE_MSG(test,
					      zalloc_bitmap_claim(w, 2, n, &index),
					      "n %u top %u", n, top);
			KUNIT_ASSERT_EQ(test, index, (size_t)(64 - top));
			KUNIT_ASSERT_EQ(test, w[0], 0ULL);
			KUNIT_ASSERT_EQ(test, w[1], 0ULL);

			w[0] = ~low_bits(64 - top);
			w[1] = low_bits(n - top - 1);
			KUNIT_ASSERT_FALSE_MSG(test,
					       zalloc_bitmap_claim(w, 2, n,
								   &index),
					       "n %u top %u", n, top);
			KUNIT_ASSERT_EQ(test, w[0], ~low_bits(64 - top));
			KUNIT_ASSERT_EQ(test, w[1], low_bits(n - top - 1));
		}
	}
}

#define ORACLE_WORDS	4
#define ORACLE_BITS	(ORACLE_WORDS * 64)

/* First run of @n set bits, scanning bit by bit; clears it. */
static bool oracle_claim(u64 *w, size_t n, size_t *index)
{
	size_t i, j, run = 0;

	for (i = 0; i < ORACLE_BITS; i++) {
		run = (w[i / 64] >> (i % 64)) & 1 ? run + 1 : 0;
		if (run < n)
			continue;
		for (j = i + 1 - n; j <= i; j++)
			w[j / 64] &= ~(1ULL << (j % 64));
		*index = i + 1 - n;
		return true;
	}
	return false;
}

/*
 * Upstream 12: random words against the bit oracle, 10,000 rounds from
 * seed 0xB17.  A quarter of the words are all free so that runs longer
 * than a word occur.
 */
static void bitmap_claim_random_oracle(struct kunit *test)
{
	struct rnd_state rnd;
	u64 w[ORACLE_WORDS], o[ORACLE_WORDS];
	size_t n, got = 0, want = 0;
	bool found, ofound;
	int round, i;

	prandom_seed_state(&rnd, 0xB17);
	for (round = 0; round < 10000; round++) {
		for (i = 0; i < ORACLE_WORDS; i++) {
			w[i] = (u64)prandom_u32_state(&rnd) << 32 |
			       prandom_u32_state(&rnd);
			if (prandom_u32_state(&rnd) % 4 == 0)
				w[i] = FULL;
			o[i] = w[i];
		}
		n = 1 + prandom_u32_state(&rnd) % 96;
		found = zalloc_bitmap_claim(w, ORACLE_WORDS, n, &got);
		ofound = oracle_claim(o, n, &want);
		KUNIT_ASSERT_EQ_MSG(test, found, ofound, "round %d n %zu",
				    round, n);
		if (found)
			KUNIT_ASSERT_EQ_MSG(test, got, want, "round %d", round);
		for (i = 0; i < ORACLE_WORDS; i++)
			KUNIT_ASSERT_EQ_MSG(test, w[i], o[i], "round %d word %d",
					    round, i);
	}
}

/*
 * ======================================================================
 * BitmapAllocator: layout, placement, frees, resize, chunk API, stats
 * ======================================================================
 */

/* Upstream 13 and 14, and this port's chunk alignment. */
static void bitmap_layout(struct kunit *test)
{
	static const size_t chunks[] = { 1, 2, 4, 16, 32 };
	struct zalloc_bitmap_layout l;
	size_t caps[10], c, k, chunk;

	KUNIT_ASSERT_EQ(test, zalloc_bitmap_layout(4, 256, &l), 0);
	KUNIT_EXPECT_EQ(test, l.nr_words, 1);

	for (c = 0; c < ARRAY_SIZE(chunks); c++) {
		chunk = chunks[c];
		caps[0] = 1;
		caps[1] = chunk;
		caps[2] = chunk + 1;
		caps[3] = 48;
		caps[4] = 64;
		caps[5] = 512;
		caps[6] = 1024;
		caps[7] = 2048;
		caps[8] = 8192;
		caps[9] = 8193;
		for (k = 0; k < ARRAY_SIZE(caps); k++) {
			KUNIT_ASSERT_EQ(test,
					zalloc_bitmap_layout(chunk, caps[k], &l),
					0);
			KUNIT_EXPECT_EQ(test, l.total_size - l.chunks_start,
					l.nr_words * 64 * chunk);
			KUNIT_EXPECT_GE(test, l.total_size - l.chunks_start,
					caps[k]);
			KUNIT_EXPECT_EQ(test, l.bitmap_start, 0);
			KUNIT_EXPECT_GE(test, l.chunks_start, l.nr_words * 8);
			KUNIT_EXPECT_EQ(test, l.chunks_start % chunk, 0);
			KUNIT_EXPECT_LT(test, l.chunks_start,
					l.nr_words * 8 + chunk);
		}
	}

	/*
	 * Ghostty's example (chunk 16, cap 48: one word, chunks at 8, 1032
	 * bytes); here the chunks start at 16 so that they are 16-aligned.
	 */
	KUNIT_ASSERT_EQ(test, zalloc_bitmap_layout(16, 48, &l), 0);
	KUNIT_EXPECT_EQ(test, l.nr_words, 1);
	KUNIT_EXPECT_EQ(test, l.chunks_start, 16);
	KUNIT_EXPECT_EQ(test, l.total_size, 16 + 64 * 16);
}

static void bitmap_layout_invalid(struct kunit *test)
{
	static const size_t bad_chunks[] = { 0, 3, 12, 24, 4097 };
	struct zalloc_bitmap_layout l;
	struct zalloc_bitmap *b;
	size_t i;
	u64 *buf;

	for (i = 0; i < ARRAY_SIZE(bad_chunks); i++) {
		KUNIT_EXPECT_EQ(test, zalloc_bitmap_layout(bad_chunks[i], 64,
							   &l), -EINVAL);
		b = zalloc_bitmap_create(bad_chunks[i], 64, 0, NULL);
		KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(b), -EINVAL);
	}
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_layout(16, 0, &l), -EINVAL);
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_layout(1, SIZE_MAX, &l),
			-EOVERFLOW);
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_layout(SIZE_MAX / 2 + 1, 1, &l),
			-EOVERFLOW);
	b = zalloc_bitmap_create(16, 64, 0x80, NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(b), -EINVAL);

	/* init re-checks the layout and the buffer. */
	b = kunit_kzalloc(test, sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_EQ(test, zalloc_bitmap_layout(16, 64, &l), 0);
	buf = kunit_kmalloc(test, l.total_size + 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_init(b, (u8 *)buf + 4, &l, 0,
						 NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_init(b, NULL, &l, 0, NULL),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_init(b, buf, &l, 2, NULL),
			-EINVAL);
	l.chunk_size = 24;
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_init(b, buf, &l, 0, NULL),
			-EINVAL);
	l.chunk_size = 16;
	l.total_size += 16;
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_init(b, buf, &l, 0, NULL),
			-EINVAL);
	l.total_size -= 16;
	l.chunks_start = 8;
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_init(b, buf, &l, 0, NULL),
			-EINVAL);
}

/* Upstream 15: a small capacity never hands out memory past the buffer. */
static void bitmap_small_capacity_in_bounds(struct kunit *test)
{
	struct zalloc_bitmap *b = bm_init(test, 16, 48, 0);
	u8 *start = (u8 *)b->words;
	u8 *end = start + 16 + 64 * 16;	/* the buffer's exact end */
	u8 *p[65];
	int n = 0;

	while (n < 65) {
		p[n] = zalloc_bitmap_alloc(b, 16, 1);
		if (!p[n])
			break;
		KUNIT_EXPECT_GE(test, (unsigned long)p[n],
				(unsigned long)b->chunks);
		KUNIT_EXPECT_LE(test, (unsigned long)(p[n] + 16),
				(unsigned long)end);
		memset(p[n], n, 16);	/* KASAN checks the bounds too */
		n++;
	}
	KUNIT_EXPECT_EQ(test, n, 64);
	while (n--) {
		KUNIT_EXPECT_TRUE(test, filled(p[n], 16, n));
		zalloc_bitmap_free(b, p[n], 16);
	}
	KUNIT_EXPECT_TRUE(test, all_free(b));
}

/* Upstream 16: sequential placement, reuse after free. */
static void bitmap_alloc_sequential(struct kunit *test)
{
	struct zalloc_bitmap *b = bm_init(test, 4, 64, 0);
	const struct zalloc *a = zalloc_bitmap_allocator(b);
	u8 *x, *y, *z;

	x = zalloc_alloc(a, 1, 1, GFP_KERNEL);
	y = zalloc_alloc(a, 1, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, x);
	KUNIT_ASSERT_NOT_NULL(test, y);
	KUNIT_EXPECT_PTR_EQ(test, y, x + 4);
	zalloc_free(a, x, 1, 1);
	z = zalloc_alloc(a, 1, 1, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, z, x);
	zalloc_free(a, z, 1, 1);
	zalloc_free(a, y, 1, 1);
	KUNIT_EXPECT_TRUE(test, all_free(b));
}

/* Upstream 17, with u32 for Zig's u21 (4 bytes). */
static void bitmap_alloc_non_byte(struct kunit *test)
{
	struct zalloc_bitmap *b = bm_init(test, 4, 128, 0);
	const struct zalloc *a = zalloc_bitmap_allocator(b);
	u32 *x, *y, *z;

	x = zalloc_array(a, u32, 1, GFP_KERNEL);
	y = zalloc_array(a, u32, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, x);
	KUNIT_ASSERT_NOT_NULL(test, y);
	KUNIT_EXPECT_PTR_EQ(test, y, x + 1);
	zalloc_array_free(a, x, 1);
	z = zalloc_array(a, u32, 1, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, z, x);
	zalloc_array_free(a, z, 1);
	zalloc_array_free(a, y, 1);
	KUNIT_EXPECT_TRUE(test, all_free(b));
}

/* Upstream 18: six u21 (24 bytes) take two 16-byte chunks. */
static void bitmap_alloc_non_byte_multi_chunk(struct kunit *test)
{
	struct zalloc_bitmap *b = bm_init(test, 16, 128, 0);
	const struct zalloc *a = zalloc_bitmap_allocator(b);
	u32 *x, *y, *z;

	x = zalloc_array(a, u32, 6, GFP_KERNEL);
	y = zalloc_array(a, u32, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, x);
	KUNIT_ASSERT_NOT_NULL(test, y);
	KUNIT_EXPECT_PTR_EQ(test, (u8 *)y, (u8 *)x + 32);
	zalloc_array_free(a, x, 6);
	z = zalloc_array(a, u32, 1, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, z, x);
	zalloc_array_free(a, z, 1);
	zalloc_array_free(a, y, 1);
	KUNIT_EXPECT_TRUE(test, all_free(b));
}

struct rgb {
	u8 r, g, b;
};

struct triple {
	u32 a, b, c;
};

/* Odd element sizes round up to chunks; alignment above a chunk: NULL. */
static void bitmap_alloc_odd_types(struct kunit *test)
{
	struct zalloc_bitmap *b = bm_init(test, 4, 256, 0);
	const struct zalloc *a = zalloc_bitmap_allocator(b);
	struct triple *t;
	struct rgb *c;
	u16 *h;
	u64 *q;
	int i;

	c = zalloc_array(a, struct rgb, 5, GFP_KERNEL);	/* 15 -> 16 bytes */
	t = zalloc_new(a, struct triple, GFP_KERNEL);	/* 12 bytes */
	h = zalloc_array(a, u16, 3, GFP_KERNEL);	/* 6 -> 8 bytes */
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_NOT_NULL(test, t);
	KUNIT_ASSERT_NOT_NULL(test, h);
	KUNIT_EXPECT_PTR_EQ(test, (u8 *)t, (u8 *)c + 16);
	KUNIT_EXPECT_PTR_EQ(test, (u8 *)h, (u8 *)t + 12);
	KUNIT_EXPECT_EQ(test, b->nr_chunks - zalloc_bitmap_free_count(b),
			4 + 3 + 2);
	for (i = 0; i < 5; i++)
		c[i] = (struct rgb){ i, i + 1, i + 2 };
	*t = (struct triple){ 7, 8, 9 };
	for (i = 0; i < 3; i++)
		h[i] = 0xbeef + i;
	for (i = 0; i < 5; i++)
		KUNIT_EXPECT_EQ(test, c[i].r + c[i].g + c[i].b, 3 * i + 3);
	KUNIT_EXPECT_EQ(test, t->a + t->b + t->c, 24);
	KUNIT_EXPECT_EQ(test, h[2], 0xbeef + 2);

	/* u64 wants 8-byte alignment; chunks here are only 4-aligned. */
	KUNIT_EXPECT_EQ(test, b->max_align, 4);
	q = zalloc_new(a, u64, GFP_KERNEL);
	KUNIT_EXPECT_NULL(test, q);

	zalloc_array_free(a, c, 5);
	zalloc_delete(a, t);
	zalloc_array_free(a, h, 3);
	KUNIT_EXPECT_TRUE(test, all_free(b));
}

/* Upstream 19: 129 bytes of 2-byte chunks is a 65-chunk run. */
static void bitmap_alloc_large(struct kunit *test)
{
	struct zalloc_bitmap *b = bm_init(test, 2, 256, 0);
	u8 *p;

	KUNIT_ASSERT_EQ(test, b->nr_words, 2);
	p = zalloc_bitmap_alloc(b, 129, 1);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, is_allocated(b, p, 129));
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_free_count(b), 128 - 65);
	memset(p, 0x42, 129);
	zalloc_bitmap_free(b, p, 129);
	KUNIT_EXPECT_TRUE(test, all_free(b));
}

/* Upstream 20-27: allocate, fill, free in a given order, over 1-byte chunks. */

#define PATTERN_MAX	3

struct pattern_case {
	const char *name;
	size_t cap;
	size_t nr;
	size_t len[PATTERN_MAX];
	size_t free_order[PATTERN_MAX];
};

static const struct pattern_case pattern_cases[] = {
	{ "one bitmap", 192, 1, { 64 }, { 0 } },
	{ "half bitmap", 192, 1, { 32 }, { 0 } },
	{ "two half bitmaps", 192, 2, { 32, 32 }, { 1, 0 } },
	{ "1.5 bitmaps", 192, 1, { 96 }, { 0 } },
	{ "two 1.5 bitmaps", 192, 2, { 96, 96 }, { 0, 1 } },
	{ "1.5 bitmaps offset by 0.75", 192, 2, { 48, 96 }, { 0, 1 } },
	{ "three 0.75 bitmaps", 192, 3, { 48, 48, 48 }, { 1, 0, 2 } },
	{ "two 1.5 bitmaps offset 0.75", 256, 3, { 48, 96, 96 }, { 1, 0, 2 } },
};

static void pattern_desc(const struct pattern_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(pattern, pattern_cases, pattern_desc);

static void bitmap_alloc_free_pattern(struct kunit *test)
{
	const struct pattern_case *c = test->param_value;
	struct zalloc_bitmap *b = bm_init(test, 1, c->cap, 0);
	u8 *p[PATTERN_MAX];
	bool live[PATTERN_MAX];
	size_t i, j, k;

	for (i = 0; i < c->nr; i++) {
		p[i] = zalloc_bitmap_alloc(b, c->len[i], 1);
		KUNIT_ASSERT_NOT_NULL_MSG(test, p[i], "block %zu", i);
		memset(p[i], 0x11 * (i + 1), c->len[i]);
		live[i] = true;
	}
	for (i = 0; i < c->nr; i++) {
		KUNIT_EXPECT_TRUE(test, filled(p[i], c->len[i], 0x11 * (i + 1)));
		KUNIT_EXPECT_TRUE(test, is_allocated(b, p[i], c->len[i]));
	}
	for (k = 0; k < c->nr; k++) {
		i = c->free_order[k];
		zalloc_bitmap_free(b, p[i], c->len[i]);
		live[i] = false;
		KUNIT_EXPECT_FALSE(test, is_allocated(b, p[i], c->len[i]));
		for (j = 0; j < c->nr; j++) {
			if (!live[j])
				continue;
			KUNIT_EXPECT_TRUE(test, is_allocated(b, p[j],
							     c->len[j]));
			KUNIT_EXPECT_TRUE(test, filled(p[j], c->len[j],
						       0x11 * (j + 1)));
		}
	}
	KUNIT_EXPECT_TRUE(test, all_free(b));
}

/* Upstream 28: bytesRequired. */
static void bitmap_bytes_required(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_bytes_required(16, 1), 16);
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_bytes_required(16, 16), 16);
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_bytes_required(16, 17), 32);
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_bytes_required(16, 1 * 4), 16);
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_bytes_required(16, 4 * 4), 16);
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_bytes_required(16, 5 * 4), 32);
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_bytes_required(16, 6 * 4), 32);
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_bytes_required(4, 1), 4);
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_bytes_required(4, 4), 4);
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_bytes_required(4, 5), 8);
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_bytes_required(4, 1 * 4), 4);
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_bytes_required(4, 2 * 4), 8);
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_bytes_required(32, 1), 32);
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_bytes_required(32, 32), 32);
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_bytes_required(32, 33), 64);
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_bytes_required(32, SIZE_MAX), 0);
}

/* Alignment up to the chunk size is natural; more is refused. */
static void bitmap_alignment(struct kunit *test)
{
	struct zalloc_bitmap_layout l;
	struct zalloc_bitmap *b, *m;
	size_t align;
	u8 *p, *buf;

	b = bm_create(test, 64, 64 * 64, 0, NULL);
	KUNIT_EXPECT_EQ(test, b->max_align, 64);
	p = zalloc_bitmap_alloc(b, 1, 1);	/* so the rest start later */
	KUNIT_ASSERT_NOT_NULL(test, p);
	for (align = 1; align <= 64; align <<= 1) {
		u8 *q = zalloc_bitmap_alloc(b, 100, align);

		KUNIT_ASSERT_NOT_NULL(test, q);
		KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)q, 64));
		zalloc_bitmap_free(b, q, 100);
	}
	KUNIT_EXPECT_NULL(test, zalloc_bitmap_alloc(b, 100, 128));
	KUNIT_EXPECT_NULL(test, zalloc_bitmap_alloc(b, 100, 3));
	KUNIT_EXPECT_NULL(test, zalloc_bitmap_alloc(b, 0, 1));
	zalloc_bitmap_free(b, p, 1);

	/* Page-sized chunks: page alignment, not more. */
	b = bm_create(test, PAGE_SIZE, 64 * PAGE_SIZE, 0, NULL);
	p = zalloc_bitmap_alloc(b, 1, PAGE_SIZE);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, PAGE_ALIGNED(p));
	KUNIT_EXPECT_NULL(test, zalloc_bitmap_alloc(b, 1, 2 * PAGE_SIZE));
	zalloc_bitmap_free(b, p, 1);

	/* A buffer only 8-aligned gives chunks only 8-aligned. */
	KUNIT_ASSERT_EQ(test, zalloc_bitmap_layout(64, 64 * 64, &l), 0);
	buf = kunit_kmalloc(test, l.total_size + 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	buf = PTR_ALIGN(buf, 64) + 8;
	m = kunit_kzalloc(test, sizeof(*m), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, m);
	KUNIT_ASSERT_EQ(test, zalloc_bitmap_init(m, buf, &l, 0, NULL), 0);
	KUNIT_EXPECT_EQ(test, m->max_align, 8);
	p = zalloc_bitmap_alloc(m, 10, 8);
	KUNIT_EXPECT_NOT_NULL(test, p);
	KUNIT_EXPECT_NULL(test, zalloc_bitmap_alloc(m, 10, 16));
	zalloc_bitmap_free(m, p, 10);
	zalloc_bitmap_destroy(m);
}

/*
 * Resizes over three words or more test every word, the middle ones too:
 * a "block" whose middle word is free is not resized, and a block does not
 * grow over a middle word with a chunk taken (bitmap_bad_free_words does
 * the same for frees).
 */
static void bitmap_long_range_middle(struct kunit *test)
{
	struct zalloc_bitmap *b = bm_create(test, 16, 256 * 16, 0, NULL);
	const struct zalloc *a = zalloc_bitmap_allocator(b);
	u8 *p = zalloc_bitmap_chunk_ptr(b, 0);
	size_t x;

	/* Every chunk taken but word 1 (64..127). */
	KUNIT_ASSERT_EQ(test, zalloc_bitmap_alloc_chunks(b, 256, &x), 0);
	zalloc_bitmap_free_chunks(b, 64, 64);
	KUNIT_EXPECT_FALSE(test, zalloc_resize(a, p, 200 * 16, 1, 200 * 16,
					       GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_free_count(b), 64);
	zalloc_bitmap_free_chunks(b, 0, 64);
	zalloc_bitmap_free_chunks(b, 128, 128);

	/* Chunks 0..9 and 100 taken: 0..9 may not grow to 0..199. */
	KUNIT_ASSERT_EQ(test, zalloc_bitmap_alloc_chunks(b, 10, &x), 0);
	KUNIT_ASSERT_EQ(test, zalloc_bitmap_alloc_chunks(b, 90, &x), 0);
	KUNIT_ASSERT_EQ(test, zalloc_bitmap_alloc_chunks(b, 1, &x), 0);
	KUNIT_ASSERT_EQ(test, x, 100);
	zalloc_bitmap_free_chunks(b, 10, 90);
	KUNIT_EXPECT_FALSE(test, zalloc_resize(a, p, 10 * 16, 1, 200 * 16,
					       GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_free_count(b), 256 - 11);
	zalloc_bitmap_free_chunks(b, 100, 1);
	zalloc_bitmap_free_chunks(b, 0, 10);
	KUNIT_EXPECT_TRUE(test, all_free(b));
}

/*
 * A long run from the hint word that would pass the last word is refused
 * by the fast path too, which must not read on past the bitmap: after two
 * words of 16-byte chunks comes chunk 0, here all ones, as a free word
 * would read.
 */
static void bitmap_long_run_at_end(struct kunit *test)
{
	struct zalloc_bitmap *b = bm_init(test, 16, 128 * 16,
					  ZALLOC_BITMAP_LOCKED);
	u8 *first, *one;
	size_t i;

	KUNIT_ASSERT_EQ(test, b->nr_words, 2);
	KUNIT_ASSERT_PTR_EQ(test, (void *)b->chunks, (void *)&b->words[2]);
	first = zalloc_bitmap_alloc(b, 64 * 16, 16);	/* all of word 0 */
	KUNIT_ASSERT_PTR_EQ(test, (void *)first, (void *)b->chunks);
	memset(first, 0xff, 64 * 16);
	/* Word 0 used up: this moves the hint to word 1. */
	one = zalloc_bitmap_alloc(b, 16, 16);
	KUNIT_ASSERT_EQ(test, zalloc_bitmap_chunk_index(b, one), 64);
	zalloc_bitmap_free(b, one, 16);

	/* Chunks 64..163: 36 past the end. */
	KUNIT_EXPECT_NULL(test, zalloc_bitmap_alloc(b, 100 * 16, 16));
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_free_count(b), 64);
	for (i = 0; i < 64 * 16; i++)
		if (first[i] != 0xff) {
			KUNIT_FAIL(test, "chunk byte %zu changed", i);
			break;
		}
	/* The whole of word 1 still fits. */
	one = zalloc_bitmap_alloc(b, 64 * 16, 16);
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_chunk_index(b, one), 64);
	zalloc_bitmap_free(b, one, 64 * 16);
	zalloc_bitmap_free(b, first, 64 * 16);
	KUNIT_EXPECT_TRUE(test, all_free(b));
}

/* Bad frees and resizes are refused and change nothing. */
static void bitmap_bad_free(struct kunit *test)
{
	struct zalloc_bitmap *b = bm_init(test, 16, 64 * 16, 0);
	const struct zalloc *a = zalloc_bitmap_allocator(b);
	u64 before;
	size_t nfree;
	u8 *p, *q;

	p = zalloc_bitmap_alloc(b, 40, 1);		/* chunks 0-2 */
	q = zalloc_bitmap_alloc(b, 16, 1);		/* chunk 3 */
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, q);
	zalloc_bitmap_free(b, q, 16);
	before = b->words[0];
	nfree = zalloc_bitmap_free_count(b);

	/*
	 * A chunk inside a block (p + 16) cannot be told from a block's
	 * start: the bitmap keeps no boundaries.  Everything else is caught.
	 */
	zalloc_bitmap_free(b, q, 16);			/* double free */
	zalloc_bitmap_free(b, p + 1, 16);		/* not a chunk start */
	zalloc_bitmap_free(b, p, 64);			/* covers a free chunk */
	zalloc_bitmap_free(b, b->words, 16);		/* the bitmap itself */
	zalloc_bitmap_free(b, p + 64 * 16, 16);		/* past the end */
	zalloc_bitmap_free(b, p, SIZE_MAX);		/* absurd length */
	zalloc_bitmap_free_chunks(b, 3, 1);
	zalloc_bitmap_free_chunks(b, 63, 2);
	zalloc_bitmap_free_chunks(b, SIZE_MAX, 1);
	KUNIT_EXPECT_FALSE(test, zalloc_resize(a, q, 16, 1, 32, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zalloc_remap(a, p + 1, 40, 1, 20, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, b->words[0], before);
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_free_count(b), nfree);

	zalloc_bitmap_free(b, p, 40);
	KUNIT_EXPECT_TRUE(test, all_free(b));
}

/*
 * A free over several words tests every word before it sets any: a length
 * from a live block's start over free middle words into another live
 * block, with the first and last words all taken, is refused.
 */
static void bitmap_bad_free_words(struct kunit *test)
{
	struct zalloc_bitmap *b = bm_init(test, 16, 4 * 64 * 16, 0);
	u64 words[4];
	size_t nfree;
	u8 *x, *m, *y, *p;

	x = zalloc_bitmap_alloc(b, 64 * 16, 1);		/* word 0 */
	m = zalloc_bitmap_alloc(b, 2 * 64 * 16, 1);	/* words 1-2 */
	y = zalloc_bitmap_alloc(b, 64 * 16, 1);		/* word 3 */
	KUNIT_ASSERT_TRUE(test, x && m && y);
	KUNIT_ASSERT_PTR_EQ(test, y, x + 3 * 64 * 16);
	zalloc_bitmap_free(b, m, 2 * 64 * 16);
	memcpy(words, b->words, sizeof(words));
	nfree = zalloc_bitmap_free_count(b);

	zalloc_bitmap_free(b, x, 4 * 64 * 16);
	zalloc_bitmap_free_chunks(b, 0, 4 * 64);
	KUNIT_EXPECT_EQ(test, memcmp(words, b->words, sizeof(words)), 0);
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_free_count(b), nfree);
	/* y is still taken: the middle words are all there is. */
	p = zalloc_bitmap_alloc(b, 2 * 64 * 16, 1);
	KUNIT_EXPECT_PTR_EQ(test, p, m);
	KUNIT_EXPECT_NULL(test, zalloc_bitmap_alloc(b, 16, 1));

	zalloc_bitmap_free(b, p, 2 * 64 * 16);
	zalloc_bitmap_free(b, y, 64 * 16);
	zalloc_bitmap_free(b, x, 64 * 16);
	KUNIT_EXPECT_TRUE(test, all_free(b));
}

/* Resize and remap work in place: same count, shrink, grow into free. */
static void bitmap_resize_in_place(struct kunit *test)
{
	struct zalloc_bitmap *b = bm_init(test, 16, 64 * 16, 0);
	const struct zalloc *a = zalloc_bitmap_allocator(b);
	u8 *p, *q, *r;

	p = zalloc_alloc(a, 20, 1, GFP_KERNEL);		/* chunks 0-1 */
	q = zalloc_alloc(a, 16, 1, GFP_KERNEL);		/* chunk 2 */
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, q);
	memset(p, 0x5a, 20);

	KUNIT_EXPECT_TRUE(test, zalloc_resize(a, p, 20, 1, 32, GFP_KERNEL));
	KUNIT_EXPECT_FALSE(test, zalloc_resize(a, p, 32, 1, 33, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zalloc_remap(a, p, 32, 1, 48, GFP_KERNEL));
	KUNIT_EXPECT_TRUE(test, is_allocated(b, q, 16));
	zalloc_free(a, q, 16, 1);

	/* Now chunk 2 is free: grow into it, and to the end of the bitmap. */
	KUNIT_EXPECT_TRUE(test, zalloc_resize(a, p, 32, 1, 48, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_free_count(b), 61);
	KUNIT_EXPECT_PTR_EQ(test, zalloc_remap(a, p, 48, 1, 64 * 16,
					       GFP_KERNEL), (void *)p);
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_free_count(b), 0);
	KUNIT_EXPECT_FALSE(test, zalloc_resize(a, p, 64 * 16, 1, 64 * 16 + 1,
					       GFP_KERNEL));
	KUNIT_EXPECT_TRUE(test, filled(p, 20, 0x5a));

	/* Shrink frees the tail, which the next allocation reuses. */
	KUNIT_EXPECT_TRUE(test, zalloc_resize(a, p, 64 * 16, 1, 5, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_free_count(b), 63);
	KUNIT_EXPECT_TRUE(test, filled(p, 5, 0x5a));
	r = zalloc_alloc(a, 16, 1, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, r, p + 16);

	/* realloc moves when growing in place is impossible. */
	q = zalloc_realloc(a, p, 5, 1, 100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_PTR_EQ(test, q, r + 16);
	KUNIT_EXPECT_TRUE(test, filled(q, 5, 0x5a));
	zalloc_free(a, q, 100, 1);
	zalloc_free(a, r, 16, 1);
	KUNIT_EXPECT_TRUE(test, all_free(b));
}

/* The chunk API, ownership, free count and the largest free run. */
static void bitmap_chunk_api(struct kunit *test)
{
	struct zalloc_bitmap *b = bm_init(test, 8, 256 * 8, 0);
	size_t x, y, z;

	KUNIT_EXPECT_EQ(test, b->nr_chunks, 256);
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_alloc_chunks(b, 0, &x), -EINVAL);
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_alloc_chunks(b, 257, &x), -ENOMEM);
	KUNIT_ASSERT_EQ(test, zalloc_bitmap_alloc_chunks(b, 10, &x), 0);
	KUNIT_ASSERT_EQ(test, zalloc_bitmap_alloc_chunks(b, 100, &y), 0);
	KUNIT_ASSERT_EQ(test, zalloc_bitmap_alloc_chunks(b, 60, &z), 0);
	KUNIT_EXPECT_EQ(test, x, 0);
	KUNIT_EXPECT_EQ(test, y, 10);
	KUNIT_EXPECT_EQ(test, z, 110);
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_free_count(b), 86);
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_largest_free_run(b), 86);
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_alloc_chunks(b, 87, &x), -ENOMEM);

	KUNIT_EXPECT_PTR_EQ(test, zalloc_bitmap_chunk_ptr(b, y),
			    (void *)(b->chunks + 80));
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_chunk_index(b, b->chunks + 87), 10);
	KUNIT_EXPECT_TRUE(test, zalloc_bitmap_owns(b, b->chunks, 256 * 8));
	KUNIT_EXPECT_TRUE(test, zalloc_bitmap_owns(b, b->chunks + 2047, 1));
	KUNIT_EXPECT_FALSE(test, zalloc_bitmap_owns(b, b->chunks + 2047, 2));
	KUNIT_EXPECT_FALSE(test, zalloc_bitmap_owns(b, b->chunks + 2048, 0));
	KUNIT_EXPECT_FALSE(test, zalloc_bitmap_owns(b, b->words, 1));

	/* Free y's tail, then all of y: runs merge across words. */
	zalloc_bitmap_free_chunks(b, y + 50, 50);
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_largest_free_run(b), 86);
	zalloc_bitmap_free_chunks(b, y, 50);
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_largest_free_run(b), 100);
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_free_count(b), 186);
	/* A 70-chunk request now fits in y's old place, first fit. */
	KUNIT_ASSERT_EQ(test, zalloc_bitmap_alloc_chunks(b, 70, &y), 0);
	KUNIT_EXPECT_EQ(test, y, 10);
	zalloc_bitmap_free_chunks(b, y, 70);
	zalloc_bitmap_free_chunks(b, z, 60);
	zalloc_bitmap_free_chunks(b, x, 10);
	KUNIT_EXPECT_TRUE(test, all_free(b));
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_largest_free_run(b), 256);
}

/*
 * A named instance has a debugfs stats file with the allocator's own lines,
 * gone once it is destroyed; names are unique.  Its own counters are what
 * zalloc_instance_info() reads.
 */
static void bitmap_debugfs_stats(struct kunit *test)
{
	static const char * const want[] = {
		"\nchunk_size 64\n", "\nchunks 128\n", "\nfree_chunks 126\n",
		"\nlargest_free_run 123\n", "\nmax_align 64\n", "\nlocked 1\n",
	};
	struct zalloc_stats_sum sum;
	struct zalloc_bitmap *b;
	size_t x, y, i;
	char *stats;

	b = bm_create(test, 64, 128 * 64, ZALLOC_BITMAP_LOCKED,
		      "kunit-bitmap");
	KUNIT_EXPECT_NOT_NULL(test, zalloc_test_debugfs(test, "kunit-bitmap",
							"stats"));
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(zalloc_bitmap_create(64, 64, 0,
								   "kunit-bitmap")),
			-EEXIST);
	KUNIT_ASSERT_EQ(test, zalloc_bitmap_alloc_chunks(b, 3, &x), 0);
	KUNIT_ASSERT_EQ(test, zalloc_bitmap_alloc_chunks(b, 2, &y), 0);
	zalloc_bitmap_free_chunks(b, x, 3);

	zalloc_stats_read(&b->inst, &sum);
	KUNIT_EXPECT_EQ(test, sum.v[ZALLOC_STAT_ALLOC], 2);
	KUNIT_EXPECT_EQ(test, sum.v[ZALLOC_STAT_FREE], 1);
	KUNIT_EXPECT_EQ(test, sum.v[ZALLOC_STAT_BYTES_ALLOC] -
			sum.v[ZALLOC_STAT_BYTES_FREE], 2 * 64);
	KUNIT_EXPECT_EQ(test, sum.v[ZALLOC_STAT_BACKING_ALLOC],
			64 + 128 * 64);
	KUNIT_EXPECT_EQ(test, zalloc_test_info(&b->inst,
					       ZALLOC_BITMAP_FREE_CHUNKS), 126);
	KUNIT_EXPECT_EQ(test, zalloc_test_info(&b->inst,
					       ZALLOC_BITMAP_LARGEST_FREE_RUN),
			123);
	KUNIT_EXPECT_EQ(test, zalloc_test_info(&b->inst,
					       ZALLOC_BITMAP_LOCKED_COUNTER), 1);

	stats = zalloc_test_debugfs(test, "kunit-bitmap", "stats");
	KUNIT_ASSERT_NOT_NULL(test, stats);
	for (i = 0; i < ARRAY_SIZE(want); i++)
		KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(stats, want[i]),
					  "no \"%s\" in:\n%s", want[i] + 1,
					  stats);

	zalloc_bitmap_free_chunks(b, y, 2);
	kunit_release_action(test, bm_destroy_action, b);
	KUNIT_EXPECT_NULL(test, zalloc_test_debugfs(test, "kunit-bitmap",
						    "stats"));
}

/*
 * ======================================================================
 * The differential run and concurrency
 * ======================================================================
 */

/*
 * Differential test: 100,000 random allocations (1-200 chunks) and frees
 * (random victims) against a brute-force first fit over a bool array.
 * Every allocation must land where the reference puts it, or fail where it
 * fails; the free count must match after every step, and the whole bitmap
 * and the largest free run every 1024 steps.  It runs on a caller-locked
 * instance through the chunk calls, and on a locked one through the byte
 * calls, whose frees within one word take no lock.
 */
#define DIFF_OPS	100000
#define DIFF_CHUNK	8
#define DIFF_CHUNKS	640
#define DIFF_MAX	200
#define DIFF_SLOTS	64

struct diff_block {
	size_t index;
	size_t n;
};

static long ref_first_fit(const bool *used, size_t nr, size_t n)
{
	size_t i, run = 0;

	for (i = 0; i < nr; i++) {
		run = used[i] ? 0 : run + 1;
		if (run == n)
			return i + 1 - n;
	}
	return -1;
}

static size_t ref_largest_run(const bool *used, size_t nr)
{
	size_t i, run = 0, best = 0;

	for (i = 0; i < nr; i++) {
		run = used[i] ? 0 : run + 1;
		best = max(best, run);
	}
	return best;
}

static bool diff_same_state(struct kunit *test, struct zalloc_bitmap *b,
			    const bool *used, int op)
{
	size_t i;

	for (i = 0; i < DIFF_CHUNKS; i++) {
		if (chunk_free(b, i) == used[i]) {
			KUNIT_FAIL(test, "op %d: chunk %zu differs", op, i);
			return false;
		}
	}
	if (zalloc_bitmap_largest_free_run(b) != ref_largest_run(used,
								 DIFF_CHUNKS)) {
		KUNIT_FAIL(test, "op %d: largest free run differs", op);
		return false;
	}
	return true;
}

/*
 * A locked instance is driven through the byte calls, so that its frees
 * within one word take the lockless path and its allocations the inline
 * claim; a caller-locked one through the chunk calls.
 */
static bool diff_bytes(const struct zalloc_bitmap *b)
{
	return b->inst.flags & ZALLOC_BITMAP_LOCKED;
}

static void diff_free(struct zalloc_bitmap *b, const struct diff_block *blk)
{
	if (diff_bytes(b))
		zalloc_bitmap_free(b, zalloc_bitmap_chunk_ptr(b, blk->index),
				   blk->n * DIFF_CHUNK);
	else
		zalloc_bitmap_free_chunks(b, blk->index, blk->n);
}

/* 1: allocated as the reference did; 0: refused by both; -1: differs. */
static int diff_alloc(struct kunit *test, struct zalloc_bitmap *b,
		      bool *used, struct diff_block *blk, size_t n, int op)
{
	long want = ref_first_fit(used, DIFF_CHUNKS, n);
	size_t index = SIZE_MAX;
	int err = -ENOMEM;
	void *p;

	if (diff_bytes(b)) {
		p = zalloc_bitmap_alloc(b, n * DIFF_CHUNK, 1);
		if (p) {
			index = zalloc_bitmap_chunk_index(b, p);
			err = 0;
		}
	} else {
		err = zalloc_bitmap_alloc_chunks(b, n, &index);
	}

	if (want < 0) {
		if (err == -ENOMEM)
			return 0;
		KUNIT_FAIL(test, "op %d: %zu chunks: got %d/%zu, reference none",
			   op, n, err, index);
		return -1;
	}
	if (err || index != (size_t)want) {
		KUNIT_FAIL(test, "op %d: %zu chunks: got %d/%zu, reference %ld",
			   op, n, err, index, want);
		return -1;
	}
	memset(used + index, true, n);
	blk->index = index;
	blk->n = n;
	return 1;
}

static void diff_run(struct kunit *test, unsigned int flags)
{
	struct zalloc_bitmap *b = bm_init(test, DIFF_CHUNK,
					  DIFF_CHUNKS * DIFF_CHUNK, flags);
	struct diff_block *live;
	size_t nfree = DIFF_CHUNKS, n, k, nlive = 0, fails = 0;
	struct rnd_state rnd;
	bool *used;
	int op, got;

	KUNIT_ASSERT_EQ(test, b->nr_chunks, DIFF_CHUNKS);
	used = kunit_kcalloc(test, DIFF_CHUNKS, sizeof(*used), GFP_KERNEL);
	live = kunit_kcalloc(test, DIFF_SLOTS, sizeof(*live), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, used);
	KUNIT_ASSERT_NOT_NULL(test, live);
	prandom_seed_state(&rnd, 0x2A110CB17ULL);

	for (op = 0; op < DIFF_OPS; op++) {
		if (nlive && (nlive == DIFF_SLOTS ||
			      prandom_u32_state(&rnd) % 2)) {
			k = prandom_u32_state(&rnd) % nlive;
			diff_free(b, &live[k]);
			memset(used + live[k].index, false, live[k].n);
			nfree += live[k].n;
			live[k] = live[--nlive];
		} else {
			n = 1 + prandom_u32_state(&rnd) % DIFF_MAX;
			got = diff_alloc(test, b, used, &live[nlive], n, op);
			if (got < 0)
				return;
			if (got)
				nfree -= live[nlive++].n;
			else
				fails++;
		}
		if (zalloc_bitmap_free_count(b) != nfree) {
			KUNIT_FAIL(test, "op %d: free count %zu, reference %zu",
				   op, zalloc_bitmap_free_count(b), nfree);
			return;
		}
		if (op % 1024 == 0 && !diff_same_state(test, b, used, op))
			return;
	}
	if (!diff_same_state(test, b, used, op))
		return;
	kunit_info(test, "%d operations, %zu allocations refused\n", DIFF_OPS,
		   fails);
	KUNIT_EXPECT_GT(test, fails, 0);
	while (nlive--)
		diff_free(b, &live[nlive]);
	KUNIT_EXPECT_TRUE(test, all_free(b));
}

static void bitmap_differential(struct kunit *test)
{
	diff_run(test, 0);
}

/* Locked: lockless frees must leave the hint where first fit needs it. */
static void bitmap_differential_locked(struct kunit *test)
{
	diff_run(test, ZALLOC_BITMAP_LOCKED);
}

/*
 * The locked variant under concurrency: a kthread per online CPU allocates
 * and frees at random, filling each block with its own byte and checking it
 * before the free, and claiming each chunk in an owner table (an overlap
 * fails the claim); a hard-IRQ timer does the same meanwhile.
 */
#define CONC_OPS	20000
#define CONC_SLOTS	32
#define CONC_CHUNK	64
#define CONC_MAX_LEN	(16 * CONC_CHUNK)
#define CONC_IRQ_ID	0xff
#define CONC_PERIOD_NS	(200 * NSEC_PER_USEC)

struct conc_ctx {
	struct zalloc_bitmap *b;
	atomic_t *owner;
	atomic_t errors;
	atomic_long_t allocs;
	struct zalloc_xcpu_timer timer;
};

struct conc_slot {
	u8 *p;
	size_t len;
	u8 tag;
};

static void conc_take(struct conc_ctx *c, struct conc_slot *s, int id)
{
	size_t i = zalloc_bitmap_chunk_index(c->b, s->p);
	size_t end = i + DIV_ROUND_UP(s->len, CONC_CHUNK);

	for (; i < end; i++)
		if (atomic_cmpxchg(&c->owner[i], 0, id + 1) != 0)
			atomic_inc(&c->errors);
	memset(s->p, s->tag, s->len);
	atomic_long_inc(&c->allocs);
}

static void conc_put(struct conc_ctx *c, struct conc_slot *s, int id)
{
	size_t i = zalloc_bitmap_chunk_index(c->b, s->p);
	size_t end = i + DIV_ROUND_UP(s->len, CONC_CHUNK);

	if (memchr_inv(s->p, s->tag, s->len))
		atomic_inc(&c->errors);
	for (; i < end; i++)
		if (atomic_cmpxchg(&c->owner[i], id + 1, 0) != id + 1)
			atomic_inc(&c->errors);
	zalloc_bitmap_free(c->b, s->p, s->len);
	s->p = NULL;
}

static void conc_thread_fn(void *data, unsigned int id)
{
	struct conc_slot slot[CONC_SLOTS] = {};
	struct conc_ctx *c = data;
	struct rnd_state rnd;
	struct conc_slot *s;
	int op;

	prandom_seed_state(&rnd, 0xC0C0 + id);
	for (op = 0; op < CONC_OPS; op++) {
		s = &slot[prandom_u32_state(&rnd) % CONC_SLOTS];
		if (s->p) {
			conc_put(c, s, id);
		} else {
			s->len = 1 + prandom_u32_state(&rnd) % CONC_MAX_LEN;
			s->tag = id * 16 + op;
			s->p = zalloc_bitmap_alloc(c->b, s->len, 1);
			if (s->p)
				conc_take(c, s, id);
		}
		if (op % 64 == 0)
			cond_resched();
	}
	for (s = slot; s < slot + CONC_SLOTS; s++)
		if (s->p)
			conc_put(c, s, id);
}

static bool conc_irq(struct zalloc_xcpu_timer *t)
{
	struct conc_ctx *c = container_of(t, struct conc_ctx, timer);
	struct conc_slot s = { .len = 3 * CONC_CHUNK - 5, .tag = 0xa5 };

	s.p = zalloc_bitmap_alloc(c->b, s.len, CONC_CHUNK);
	if (s.p) {
		conc_take(c, &s, CONC_IRQ_ID);
		conc_put(c, &s, CONC_IRQ_ID);
	}
	return true;
}

static void bitmap_locked_concurrent(struct kunit *test)
{
	unsigned int n;
	struct conc_ctx *c;
	size_t k;

	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	c->b = bm_create(test, CONC_CHUNK, 4096 * CONC_CHUNK,
			 ZALLOC_BITMAP_LOCKED, NULL);
	c->owner = kunit_kcalloc(test, c->b->nr_chunks, sizeof(*c->owner),
				 GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c->owner);

	zalloc_xcpu_timer_start(&c->timer, conc_irq, CONC_PERIOD_NS, false);
	n = zalloc_xcpu_run(test, NULL, conc_thread_fn, c);
	zalloc_xcpu_timer_stop(&c->timer);

	kunit_info(test, "%u threads, %ld blocks, %lu in hardirq\n", n,
		   atomic_long_read(&c->allocs), c->timer.runs);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->errors), 0);
	KUNIT_EXPECT_GT(test, atomic_long_read(&c->allocs), (long)n);
	KUNIT_EXPECT_GT(test, c->timer.runs, 0);
	KUNIT_EXPECT_EQ(test, c->timer.not_hardirq, 0);
	KUNIT_EXPECT_TRUE(test, all_free(c->b));
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_largest_free_run(c->b),
			c->b->nr_chunks);
	for (k = 0; k < c->b->nr_chunks; k++)
		if (atomic_read(&c->owner[k]))
			break;
	KUNIT_EXPECT_EQ(test, k, c->b->nr_chunks);
}

/*
 * Every CPU frees the same blocks, in the same order, all released at once:
 * of the frees of one block exactly one may go through (the lockless free's
 * compare-and-exchange), the others are refused as double frees.  Each
 * round allocates the blocks again; at the end the counts must be exact.
 */
#define RACE_ROUNDS	8
#define RACE_BLOCKS	1024

struct race_ctx {
	struct zalloc_bitmap *b;
	void *blk[RACE_BLOCKS];
};

static void race_free_fn(void *data, unsigned int id)
{
	struct race_ctx *c = data;
	size_t i;

	for (i = 0; i < RACE_BLOCKS; i++)
		zalloc_bitmap_free(c->b, c->blk[i], 1);
}

static void bitmap_locked_free_race(struct kunit *test)
{
	struct zalloc_stats_sum sum;
	struct race_ctx *c;
	unsigned int n = 0;
	size_t i;
	int r;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	c->b = bm_create(test, 16, RACE_BLOCKS * 16, ZALLOC_BITMAP_LOCKED,
			 NULL);
	for (r = 0; r < RACE_ROUNDS; r++) {
		for (i = 0; i < RACE_BLOCKS; i++) {
			c->blk[i] = zalloc_bitmap_alloc(c->b, 1, 1);
			KUNIT_ASSERT_NOT_NULL(test, c->blk[i]);
		}
		n = zalloc_xcpu_run(test, NULL, race_free_fn, c);
		KUNIT_ASSERT_EQ(test, zalloc_bitmap_free_count(c->b),
				c->b->nr_chunks);
	}
	zalloc_stats_read(&c->b->inst, &sum);
	kunit_info(test, "%u CPUs freeing each block\n", n);
	KUNIT_EXPECT_GE(test, n, 2);
	KUNIT_EXPECT_EQ(test, sum.v[ZALLOC_STAT_FREE],
			RACE_ROUNDS * RACE_BLOCKS);
	KUNIT_EXPECT_EQ(test, sum.v[ZALLOC_STAT_BYTES_FREE],
			RACE_ROUNDS * RACE_BLOCKS);
	KUNIT_EXPECT_TRUE(test, all_free(c->b));
}

/*
 * A bad multi-word free racing with good lockless frees: CPU 0 keeps
 * freeing chunks 60..159 of a full bitmap, refused because chunk 150 is
 * free; CPU 1 keeps freeing chunks 60..63 (a block within word 0) and
 * allocating them again, the only run of four free chunks.  The bad free
 * must be refused before any chunk of it shows free, or CPU 1's free is
 * refused and its allocation finds no room.
 */
#define BADRACE_OPS	20000

struct badrace_ctx {
	struct zalloc_bitmap *b;
	atomic_t errors;
	atomic_t done;
};

static void badrace_fn(void *data, unsigned int id)
{
	struct badrace_ctx *c = data;
	size_t index;
	int op;

	for (op = 0; op < BADRACE_OPS; op++) {
		if (id == 1) {
			zalloc_bitmap_free(c->b, zalloc_bitmap_chunk_ptr(c->b, 60),
					   4 * 16);
			if (zalloc_bitmap_alloc_chunks(c->b, 4, &index) ||
			    index != 60)
				atomic_inc(&c->errors);
		} else if (id == 0) {
			if (atomic_read(&c->done))
				break;
			zalloc_bitmap_free_chunks(c->b, 60, 100);
		}
	}
	if (id == 1)
		atomic_set(&c->done, 1);
}

static void bitmap_locked_bad_free_race(struct kunit *test)
{
	struct badrace_ctx *c;
	size_t index;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	c->b = bm_create(test, 16, 256 * 16, ZALLOC_BITMAP_LOCKED, NULL);
	KUNIT_ASSERT_EQ(test, zalloc_bitmap_alloc_chunks(c->b, 256, &index), 0);
	zalloc_bitmap_free_chunks(c->b, 150, 1);

	zalloc_xcpu_run(test, NULL, badrace_fn, c);
	KUNIT_EXPECT_EQ(test, atomic_read(&c->errors), 0);
	KUNIT_EXPECT_EQ(test, zalloc_bitmap_free_count(c->b), 1);
	zalloc_bitmap_free_chunks(c->b, 0, 150);
	zalloc_bitmap_free_chunks(c->b, 151, 105);
	KUNIT_EXPECT_TRUE(test, all_free(c->b));
}

static struct kunit_case zalloc_bitmap_cases[] = {
	KUNIT_CASE_PARAM(bitmap_claim_upstream, claim_gen_params),
	KUNIT_CASE(bitmap_claim_fold_exhaustive),
	KUNIT_CASE(bitmap_claim_straddle_exhaustive),
	KUNIT_CASE(bitmap_claim_random_oracle),
	KUNIT_CASE(bitmap_layout),
	KUNIT_CASE(bitmap_layout_invalid),
	KUNIT_CASE(bitmap_small_capacity_in_bounds),
	KUNIT_CASE(bitmap_alloc_sequential),
	KUNIT_CASE(bitmap_alloc_non_byte),
	KUNIT_CASE(bitmap_alloc_non_byte_multi_chunk),
	KUNIT_CASE(bitmap_alloc_odd_types),
	KUNIT_CASE(bitmap_alloc_large),
	KUNIT_CASE_PARAM(bitmap_alloc_free_pattern, pattern_gen_params),
	KUNIT_CASE(bitmap_bytes_required),
	KUNIT_CASE(bitmap_alignment),
	KUNIT_CASE(bitmap_bad_free),
	KUNIT_CASE(bitmap_long_range_middle),
	KUNIT_CASE(bitmap_long_run_at_end),
	KUNIT_CASE(bitmap_bad_free_words),
	KUNIT_CASE(bitmap_resize_in_place),
	KUNIT_CASE(bitmap_chunk_api),
	KUNIT_CASE(bitmap_debugfs_stats),
	KUNIT_CASE(bitmap_differential),
	KUNIT_CASE(bitmap_differential_locked),
	KUNIT_CASE(bitmap_locked_concurrent),
	KUNIT_CASE(bitmap_locked_free_race),
	KUNIT_CASE(bitmap_locked_bad_free_race),
	{}
};

static struct kunit_suite zalloc_bitmap_suite = {
	.name = "zalloc_bitmap",
	.test_cases = zalloc_bitmap_cases,
};

kunit_test_suites(&zalloc_bitmap_suite);
