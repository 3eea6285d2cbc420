// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc_fixed: the fixed buffer allocator's own rules.  Zig's "reset",
 * "reuse memory on realloc" and "savestate and restore" tests (its T1..T4
 * run in zalloc_contract, for both views); overflow-safe index arithmetic;
 * alignments 1..PAGE_SIZE with minimal padding; last-allocation resize and
 * free; reset and reuse; savestate and restore, in the counters and in
 * debug mode; ownership; the thread-safe view's refusals, from hard IRQ and
 * under concurrency (one kthread per online CPU, interrupted every
 * TS_TICK_NS by a hard-IRQ timer on its CPU that allocates too).
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/prandom.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>
#include <zalloc/debug.h>
#include <zalloc/fixed.h>

#include "xcpu.h"
#include "zalloc_kunit.h"

KUNIT_DEFINE_ACTION_WRAPPER(fixed_destroy_action, zalloc_fixed_destroy,
			    struct zalloc_fixed *);
KUNIT_DEFINE_ACTION_WRAPPER(fixed_vfree_action, vfree, const void *);

/* A fixed allocator over @buf, destroyed when the test ends. */
static struct zalloc_fixed *fixed_setup_flags(struct kunit *test, void *buf,
					      size_t size, const char *name,
					      unsigned int flags)
{
	struct zalloc_fixed *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_ASSERT_EQ(test, zalloc_fixed_init(f, buf, size, name, flags,
						GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							fixed_destroy_action,
							f), 0);
	return f;
}

static struct zalloc_fixed *fixed_setup(struct kunit *test, void *buf,
					size_t size, const char *name)
{
	return fixed_setup_flags(test, buf, size, name, 0);
}

static size_t fixed_end(struct zalloc_fixed *f)
{
	return READ_ONCE(f->buf.end_index);
}

/*
 * ======================================================================
 * The normal view
 * ======================================================================
 */

/* Zig: test "reset". */
static void fixed_reset(struct kunit *test)
{
	u64 buf[1];
	struct zalloc_fixed *f = fixed_setup(test, buf, sizeof(buf), NULL);
	const struct zalloc *a = zalloc_fixed_allocator(f);
	u64 *x, *y;

	x = zalloc_new(a, u64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, x);
	*x = 0xeeeeeeeeeeeeeeeeULL;
	KUNIT_EXPECT_NULL(test, zalloc_new(a, u64, GFP_KERNEL));

	zalloc_fixed_reset(f);
	y = zalloc_new(a, u64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, y);
	*y = 0xffffffffffffffffULL;
	KUNIT_EXPECT_PTR_EQ(test, x, y);
	KUNIT_EXPECT_EQ(test, *x, 0xffffffffffffffffULL);
}

/* Zig: test "reuse memory on realloc". */
static void fixed_reuse_memory_on_realloc(struct kunit *test)
{
	u8 buf[10];
	struct zalloc_fixed *f = fixed_setup(test, buf, sizeof(buf), NULL);
	const struct zalloc *a = zalloc_fixed_allocator(f);
	u8 *s0, *s1, *s2;

	/* Growing the last block reuses its memory, up to the buffer's end. */
	s0 = zalloc_alloc(a, 5, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s0);
	s1 = zalloc_realloc(a, s0, 5, 1, 10, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, s1, s0);
	KUNIT_EXPECT_NULL(test, zalloc_realloc(a, s1, 10, 1, 11, GFP_KERNEL));

	/* A block that is not the last moves, keeping its contents. */
	zalloc_fixed_reset(f);
	s0 = zalloc_alloc(a, 2, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s0);
	s0[0] = 1;
	s0[1] = 2;
	s1 = zalloc_alloc(a, 2, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s1);
	s2 = zalloc_realloc(a, s0, 2, 1, 4, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s2);
	KUNIT_EXPECT_PTR_NE(test, s2, s0);
	KUNIT_EXPECT_PTR_NE(test, s2, s1);
	KUNIT_EXPECT_PTR_EQ(test, s2, buf + 4);
	KUNIT_EXPECT_EQ(test, s2[0], 1);
	KUNIT_EXPECT_EQ(test, s2[1], 2);
}

/*
 * Lengths and alignments that would wrap the index, passed through the raw
 * ops (the helpers refuse them earlier): refused, state untouched.
 */
static void fixed_index_overflow(struct kunit *test)
{
	static const size_t huge[] = {
		SIZE_MAX, SIZE_MAX - 1, SIZE_MAX - 8, SIZE_MAX / 2 + 1,
		ZALLOC_MAX_LEN, 65,
	};
	u8 *buf = kunit_kzalloc(test, 64, GFP_KERNEL);
	struct zalloc_fixed *f;
	const struct zalloc *views[2];
	void *p;
	int v, i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	f = fixed_setup(test, buf, 64, NULL);
	views[0] = zalloc_fixed_allocator(f);
	views[1] = zalloc_fixed_thread_safe_allocator(f);
	for (v = 0; v < 2; v++) {
		zalloc_fixed_reset(f);
		p = zalloc_raw_alloc(views[v], 10, 1, GFP_KERNEL, _THIS_IP_);
		KUNIT_ASSERT_PTR_EQ(test, p, (void *)buf);
		for (i = 0; i < ARRAY_SIZE(huge); i++) {
			KUNIT_EXPECT_NULL_MSG(test,
					      zalloc_raw_alloc(views[v], huge[i], 1,
							       GFP_KERNEL, _THIS_IP_),
					      "view %d len %zu", v, huge[i]);
			KUNIT_EXPECT_EQ(test, fixed_end(f), 10);
		}
		/* Alignments whose padding alone wraps the address. */
		KUNIT_EXPECT_NULL(test, zalloc_raw_alloc(views[v], 1,
							 1UL << (BITS_PER_LONG - 1),
							 GFP_KERNEL, _THIS_IP_));
		KUNIT_EXPECT_NULL(test, zalloc_raw_alloc(views[v], SIZE_MAX,
							 1UL << (BITS_PER_LONG - 1),
							 GFP_KERNEL, _THIS_IP_));
		KUNIT_EXPECT_EQ(test, fixed_end(f), 10);
		/* The helper refuses the impossible length itself. */
		KUNIT_EXPECT_NULL(test, zalloc_alloc(views[v], SIZE_MAX, 1,
						     GFP_KERNEL));
	}

	/* Growing the last block by a wrapping amount. */
	zalloc_fixed_reset(f);
	p = zalloc_alloc(views[0], 10, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < ARRAY_SIZE(huge); i++) {
		KUNIT_EXPECT_FALSE(test, zalloc_raw_resize(views[0], p, 10, 1,
							   huge[i], GFP_KERNEL,
							   _THIS_IP_));
		KUNIT_EXPECT_NULL(test, zalloc_raw_remap(views[0], p, 10, 1,
							 huge[i], GFP_KERNEL,
							 _THIS_IP_));
	}
	/* A block "length" that wraps is not in the buffer: refused. */
	KUNIT_EXPECT_FALSE(test, zalloc_raw_resize(views[0], p, SIZE_MAX, 1, 1,
						   GFP_KERNEL, _THIS_IP_));
	zalloc_raw_free(views[0], p, SIZE_MAX, 1, _THIS_IP_);
	KUNIT_EXPECT_EQ(test, fixed_end(f), 10);
	KUNIT_EXPECT_TRUE(test, zalloc_resize(views[0], p, 10, 1, 64,
					      GFP_KERNEL));
	KUNIT_EXPECT_FALSE(test, zalloc_resize(views[0], p, 64, 1, 65,
					       GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, fixed_end(f), 64);

	/* Ownership tests cannot be fooled by wrapping ranges. */
	KUNIT_EXPECT_FALSE(test, zalloc_fixed_owns_range(f, buf + 10, SIZE_MAX));
	KUNIT_EXPECT_FALSE(test, zalloc_fixed_owns_range(f, buf + 10, 55));
	KUNIT_EXPECT_TRUE(test, zalloc_fixed_owns_range(f, buf + 10, 54));
	KUNIT_EXPECT_TRUE(test, zalloc_fixed_owns_range(f, buf + 64, 0));
	KUNIT_EXPECT_FALSE(test, zalloc_fixed_owns_range(f, buf + 65, 0));
	KUNIT_EXPECT_FALSE(test, zalloc_fixed_owns_range(f, buf - 1, 2));
	KUNIT_EXPECT_TRUE(test, zalloc_fixed_owns_ptr(f, buf + 63));
	KUNIT_EXPECT_FALSE(test, zalloc_fixed_owns_ptr(f, buf + 64));
	KUNIT_EXPECT_FALSE(test, zalloc_fixed_owns_ptr(f, buf - 1));
}

/* Buffers that cannot be used are refused at init. */
static void fixed_init_checks(struct kunit *test)
{
	struct zalloc_fixed *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	u8 buf[8];

	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_EXPECT_EQ(test, zalloc_fixed_init(f, NULL, 8, NULL, 0,
						GFP_KERNEL), -EINVAL);
	KUNIT_EXPECT_EQ(test, zalloc_fixed_init(f, (void *)(ULONG_MAX - 9), 20,
						NULL, 0, GFP_KERNEL), -EINVAL);
	KUNIT_EXPECT_EQ(test, zalloc_fixed_init(f, buf, SIZE_MAX, NULL, 0,
						GFP_KERNEL), -EINVAL);
	/* A name needs a context that may sleep. */
	KUNIT_EXPECT_EQ(test, zalloc_fixed_init(f, buf, 8, "kunit-fixed-atomic",
						0, GFP_ATOMIC), -EINVAL);
	/* Debug and no debug at once, or flags of another allocator. */
	KUNIT_EXPECT_EQ(test, zalloc_fixed_init(f, buf, 8, NULL,
						ZALLOC_F_DEBUG |
						ZALLOC_F_NODEBUG,
						GFP_KERNEL), -EINVAL);
	KUNIT_EXPECT_EQ(test, zalloc_fixed_init(f, buf, 8, NULL, BIT(0),
						GFP_KERNEL), -EINVAL);

	/* An empty buffer is valid and serves nothing. */
	KUNIT_ASSERT_EQ(test, zalloc_fixed_init(f, NULL, 0, NULL, 0,
						GFP_KERNEL), 0);
	KUNIT_EXPECT_NULL(test, zalloc_alloc(zalloc_fixed_allocator(f), 1, 1,
					     GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zalloc_alloc(zalloc_fixed_thread_safe_allocator(f),
					     1, 1, GFP_KERNEL));
	zalloc_fixed_destroy(f);
}

/*
 * Every alignment from 1 to PAGE_SIZE, each from a misaligned end index:
 * the block is aligned, the padding is the least that aligns it, and the
 * end index is the block's end.  Earlier blocks keep their contents.
 */
static void fixed_alignments(struct kunit *test)
{
	const size_t size = 4 * PAGE_SIZE;
	u8 *buf = kunit_kmalloc(test, size, GFP_KERNEL);
	const struct zalloc *a;
	struct zalloc_fixed *f;
	size_t align, end;
	u8 *p, *q;
	u8 seed = 0;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	f = fixed_setup(test, buf, size, NULL);
	a = zalloc_fixed_allocator(f);
	for (align = 1; align <= PAGE_SIZE; align <<= 1, seed++) {
		zalloc_fixed_reset(f);
		q = zalloc_alloc(a, 3, 1, GFP_KERNEL);
		KUNIT_ASSERT_PTR_EQ(test, q, buf);
		zalloc_test_fill(q, 3, seed);
		end = fixed_end(f);
		p = zalloc_alloc(a, 5, align, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL_MSG(test, p, "align %zu", align);
		KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED((unsigned long)p, align),
				      "%p not aligned to %zu", p, align);
		KUNIT_EXPECT_PTR_EQ(test, p, PTR_ALIGN(buf + end, align));
		KUNIT_EXPECT_EQ(test, fixed_end(f), (size_t)(p - buf) + 5);
		zalloc_test_fill(p, 5, seed + 1);
		KUNIT_EXPECT_TRUE(test, zalloc_test_filled(q, 3, seed));
		KUNIT_EXPECT_TRUE(test, zalloc_test_filled(p, 5, seed + 1));
		/* Freeing the last block keeps its padding used (Zig). */
		zalloc_free(a, p, 5, align);
		KUNIT_EXPECT_EQ(test, fixed_end(f), (size_t)(p - buf));
	}
	/* An alignment larger than the room left: NULL, index unchanged. */
	zalloc_fixed_reset(f);
	KUNIT_ASSERT_NOT_NULL(test, zalloc_alloc(a, 1, 1, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zalloc_alloc(a, 1, 8 * PAGE_SIZE, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, fixed_end(f), 1);
}

/* Only the last block is freed or resized in place (Zig's LIFO rule). */
static void fixed_last_allocation(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, 256, GFP_KERNEL);
	const struct zalloc *a;
	struct zalloc_fixed *f;
	u8 *x, *y, *c, *d;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	f = fixed_setup(test, buf, 256, NULL);
	a = zalloc_fixed_allocator(f);
	x = zalloc_alloc(a, 16, 8, GFP_KERNEL);
	y = zalloc_alloc(a, 16, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, x);
	KUNIT_ASSERT_NOT_NULL(test, y);
	KUNIT_EXPECT_FALSE(test, zalloc_fixed_is_last_allocation(f, x, 16));
	KUNIT_EXPECT_TRUE(test, zalloc_fixed_is_last_allocation(f, y, 16));

	/* Not last: free is a no-op, shrink "succeeds" doing nothing, grow fails. */
	zalloc_free(a, x, 16, 8);
	KUNIT_EXPECT_EQ(test, fixed_end(f), 32);
	KUNIT_EXPECT_TRUE(test, zalloc_resize(a, x, 16, 8, 4, GFP_KERNEL));
	KUNIT_EXPECT_FALSE(test, zalloc_resize(a, x, 16, 8, 17, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zalloc_remap(a, x, 16, 8, 17, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, fixed_end(f), 32);

	/* Last: resized in place both ways, remap never moves. */
	KUNIT_EXPECT_TRUE(test, zalloc_resize(a, y, 16, 8, 200, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, fixed_end(f), 216);
	KUNIT_EXPECT_PTR_EQ(test, zalloc_remap(a, y, 200, 8, 240, GFP_KERNEL),
			    (void *)y);
	KUNIT_EXPECT_NULL(test, zalloc_remap(a, y, 240, 8, 241, GFP_KERNEL));
	KUNIT_EXPECT_TRUE(test, zalloc_resize(a, y, 240, 8, 1, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, fixed_end(f), 17);
	zalloc_free(a, y, 1, 8);
	KUNIT_EXPECT_EQ(test, fixed_end(f), 16);
	/* x is last again, so now it frees. */
	KUNIT_EXPECT_TRUE(test, zalloc_fixed_is_last_allocation(f, x, 16));
	/* Zero bytes at the end index are no block. */
	KUNIT_EXPECT_FALSE(test, zalloc_fixed_is_last_allocation(f, x + 16, 0));
	zalloc_free(a, x, 16, 8);
	KUNIT_EXPECT_EQ(test, fixed_end(f), 0);

	/* Zig's documented false negative: the padding of a freed block stays. */
	c = zalloc_alloc(a, 1, 1, GFP_KERNEL);
	d = zalloc_alloc(a, 4, 16, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_NOT_NULL(test, d);
	KUNIT_EXPECT_PTR_EQ(test, d, buf + 16);
	zalloc_free(a, d, 4, 16);
	KUNIT_EXPECT_EQ(test, fixed_end(f), 16);
	KUNIT_EXPECT_FALSE(test, zalloc_fixed_is_last_allocation(f, c, 1));
	zalloc_free(a, c, 1, 1);
	KUNIT_EXPECT_EQ(test, fixed_end(f), 16);
}

/*
 * Fill a static buffer, reset, fill it again: the same blocks, contents
 * intact, counters balanced.
 */
static void fixed_reset_and_reuse(struct kunit *test)
{
	static u8 buf[2048];
	const size_t size = sizeof(buf);
	void **first = kunit_kcalloc(test, size, sizeof(void *), GFP_KERNEL);
	const struct zalloc *a;
	struct zalloc_fixed *f;
	size_t n, i, len;
	int round;
	u8 *p;

	KUNIT_ASSERT_NOT_NULL(test, first);
	f = fixed_setup(test, buf, size, NULL);
	a = zalloc_fixed_allocator(f);
	for (round = 0; round < 3; round++) {
		for (n = 0;; n++) {
			len = 1 + n % 37;
			p = zalloc_alloc(a, len, 1UL << (n % 4), GFP_KERNEL);
			if (!p)
				break;
			KUNIT_ASSERT_LT(test, n, size);
			if (round)
				KUNIT_EXPECT_PTR_EQ(test, (void *)p, first[n]);
			first[n] = p;
			zalloc_test_fill(p, len, n + round);
		}
		for (i = 0; i < n; i++)
			KUNIT_EXPECT_TRUE(test, zalloc_test_filled(first[i],
								   1 + i % 37,
								   i + round));
		KUNIT_EXPECT_GT(test, fixed_end(f), size - 44);
		zalloc_fixed_reset(f);
		KUNIT_EXPECT_EQ(test, fixed_end(f), 0);
		/* The reset gave every block back, in the statistics too. */
		KUNIT_EXPECT_EQ(test,
				zalloc_test_stat(&f->inst, ZALLOC_STAT_BYTES_ALLOC),
				zalloc_test_stat(&f->inst, ZALLOC_STAT_BYTES_FREE));
		KUNIT_EXPECT_EQ(test, zalloc_test_stat(&f->inst, ZALLOC_STAT_ALLOC),
				zalloc_test_stat(&f->inst, ZALLOC_STAT_FREE));
	}
}

/* Blocks from elsewhere are refused quietly and change nothing. */
static void fixed_foreign_block(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, 64, GFP_KERNEL);
	u8 *other = kunit_kzalloc(test, 64, GFP_KERNEL);
	const struct zalloc *a;
	struct zalloc_fixed *f;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, other);
	f = fixed_setup(test, buf, 64, NULL);
	a = zalloc_fixed_allocator(f);
	KUNIT_ASSERT_NOT_NULL(test, zalloc_alloc(a, 16, 1, GFP_KERNEL));
	KUNIT_EXPECT_FALSE(test, zalloc_resize(a, other, 16, 1, 8, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zalloc_remap(a, other, 16, 1, 8, GFP_KERNEL));
	zalloc_free(a, other, 16, 1);
	/* Starts inside, runs past the end. */
	KUNIT_EXPECT_FALSE(test, zalloc_resize(a, buf + 60, 16, 1, 8,
					       GFP_KERNEL));
	zalloc_free(a, buf + 60, 16, 1);
	KUNIT_EXPECT_EQ(test, fixed_end(f), 16);
}

/*
 * zalloc_fixed_alloc()/free() are the normal view called directly: one
 * script run through each on two instances over equal buffers hands out
 * the same offsets, refuses the same calls and leaves the same end index
 * and counters.
 */
static void fixed_direct_same_as_view(struct kunit *test)
{
	static const struct { size_t len, align; } script[] = {
		{ 10, 1 }, { 20, 8 }, { 0, 8 }, { 7, 3 }, { 30, 64 },
		{ 1, 1 }, { 200, 16 }, { 300, 1 }, { 5, 4096 },
	};
	u8 *buf[2], *p[2][ARRAY_SIZE(script)];
	struct zalloc_fixed *f[2];
	unsigned int i, k;

	for (k = 0; k < 2; k++) {
		buf[k] = kunit_kzalloc(test, 512, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, buf[k]);
		f[k] = fixed_setup(test, buf[k], 512, NULL);
	}
	for (i = 0; i < ARRAY_SIZE(script); i++) {
		p[0][i] = zalloc_fixed_alloc(f[0], script[i].len,
					     script[i].align);
		p[1][i] = zalloc_alloc(zalloc_fixed_allocator(f[1]),
				       script[i].len, script[i].align,
				       GFP_KERNEL);
		if (ZERO_OR_NULL_PTR(p[0][i]) || ZERO_OR_NULL_PTR(p[1][i]))
			KUNIT_EXPECT_PTR_EQ_MSG(test, p[0][i], p[1][i],
						"step %u", i);
		else
			KUNIT_EXPECT_EQ_MSG(test, p[0][i] - buf[0],
					    p[1][i] - buf[1], "step %u", i);
		if (!ZERO_OR_NULL_PTR(p[0][i]))
			zalloc_test_fill(p[0][i], script[i].len, i);
	}
	/* 0 bytes, a bad alignment and a block too big were refused. */
	KUNIT_EXPECT_PTR_EQ(test, p[0][2], ZERO_SIZE_PTR);
	KUNIT_EXPECT_NULL(test, p[0][3]);
	KUNIT_EXPECT_NULL(test, p[0][7]);
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(p[0][1], 20, 1));

	/* Frees: not the last (nothing), the last (rolls back), foreign. */
	zalloc_fixed_free(f[0], p[0][1], 20, 8);
	zalloc_free(zalloc_fixed_allocator(f[1]), p[1][1], 20, 8);
	zalloc_fixed_free(f[0], p[0][6], 200, 16);
	zalloc_free(zalloc_fixed_allocator(f[1]), p[1][6], 200, 16);
	zalloc_fixed_free(f[0], buf[1], 16, 1);
	zalloc_free(zalloc_fixed_allocator(f[1]), buf[0], 16, 1);
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(p[0][5], 1, 5));
	/* Back to where the 200 bytes started; their padding stays used. */
	for (k = 0; k < 2; k++)
		KUNIT_EXPECT_EQ(test, fixed_end(f[k]), p[k][6] - buf[k]);
	zalloc_test_expect_same_stats(test, &f[0]->inst, &f[1]->inst);
	/* Five blocks; 300 bytes and the 4 KiB-aligned 5 did not fit. */
	KUNIT_EXPECT_EQ(test, zalloc_test_stat(&f[0]->inst, ZALLOC_STAT_ALLOC),
			5);
	KUNIT_EXPECT_EQ(test, zalloc_test_stat(&f[0]->inst,
					       ZALLOC_STAT_ALLOC_FAIL), 2);
}

/*
 * Every kind of free through zalloc_fixed_free() and through the normal
 * view, step by step on two instances: the inline pop takes the last
 * block, known or (once freed) the one ending at the end index, and
 * nothing else.  A pointer inside the last block, a zero length, a bad
 * alignment and a foreign pointer change nothing and count nothing.
 */
static void fixed_direct_free_cases(struct kunit *test)
{
	/* Block (0 a, 1 b, 2 c), offset, length, alignment, end index. */
	static const struct { int blk; size_t off, len, align, end; } step[] = {
		{ 2, 8, 24, 8, 72 },	/* inside c: refused */
		{ 2, 0, 0, 8, 72 },	/* zero length: nothing */
		{ 2, 0, 32, 3, 72 },	/* bad alignment: nothing */
		{ 2, 0, 32, 8, 40 },	/* c, the newest: rolls back */
		{ 2, 0, 0, 8, 40 },	/* zero length at the end: nothing */
		{ 1, 0, 24, 8, 16 },	/* b, ending at the end: rolls back */
		{ 0, 0, 16, 8, 0 },	/* a, likewise */
	};
	static const size_t len[3] = { 16, 24, 32 }, start[3] = { 0, 16, 40 };
	u8 *buf[2], *p[2][3], foreign[16];
	struct zalloc_fixed *f[2];
	unsigned int i, k;

	for (k = 0; k < 2; k++) {
		buf[k] = kunit_kzalloc(test, 128, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, buf[k]);
		f[k] = fixed_setup(test, buf[k], 128, NULL);
		for (i = 0; i < 3; i++) {
			p[k][i] = zalloc_fixed_alloc(f[k], len[i], 8);
			KUNIT_ASSERT_PTR_EQ(test, p[k][i], buf[k] + start[i]);
			zalloc_test_fill(p[k][i], len[i], i);
		}
	}
	for (i = 0; i < ARRAY_SIZE(step); i++) {
		zalloc_fixed_free(f[0], p[0][step[i].blk] + step[i].off,
				  step[i].len, step[i].align);
		zalloc_free(zalloc_fixed_allocator(f[1]),
			    p[1][step[i].blk] + step[i].off, step[i].len,
			    step[i].align);
		for (k = 0; k < 2; k++) {
			KUNIT_EXPECT_EQ_MSG(test, fixed_end(f[k]), step[i].end,
					    "step %u, %s", i,
					    k ? "view" : "direct");
			/* What is still allocated is intact. */
			KUNIT_EXPECT_TRUE_MSG(test, step[i].end < 16 ||
					      zalloc_test_filled(p[k][0], 16, 0),
					      "step %u", i);
			KUNIT_EXPECT_TRUE_MSG(test, step[i].end < 72 ||
					      zalloc_test_filled(p[k][2], 32, 2),
					      "step %u", i);
		}
	}
	zalloc_fixed_free(f[0], foreign, 16, 8);
	zalloc_free(zalloc_fixed_allocator(f[1]), foreign, 16, 8);
	KUNIT_EXPECT_EQ(test, fixed_end(f[0]), 0);
	zalloc_test_expect_same_stats(test, &f[0]->inst, &f[1]->inst);
	KUNIT_EXPECT_EQ(test, zalloc_test_stat(&f[0]->inst, ZALLOC_STAT_FREE),
			3);
	KUNIT_EXPECT_EQ(test, zalloc_test_stat(&f[0]->inst,
					       ZALLOC_STAT_BYTES_FREE), 72);
}

/*
 * Under init_on_alloc (as the test kernel boots) a direct allocation of
 * bytes a freed block dirtied is zeroed; without it, nothing to check.
 */
static void fixed_direct_init_on_alloc(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, 128, GFP_KERNEL);
	struct zalloc_fixed *f;
	u8 *x, *y;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	f = fixed_setup(test, buf, 128, NULL);
	x = zalloc_fixed_alloc(f, 64, 8);
	KUNIT_ASSERT_PTR_EQ(test, x, buf);
	memset(x, 0xaa, 64);
	zalloc_fixed_free(f, x, 64, 8);
	y = zalloc_fixed_alloc(f, 64, 8);
	KUNIT_ASSERT_PTR_EQ(test, y, x);
	if (want_init_on_alloc(0))
		KUNIT_EXPECT_NULL(test, memchr_inv(y, 0, 64));
	zalloc_fixed_free(f, y, 64, 8);
}

/* In debug mode the direct calls take the normal view's path: shadows. */
static void fixed_direct_debug_mode(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, 256, GFP_KERNEL);
	const struct zalloc *a;
	struct zalloc_fixed *f;
	u8 *x;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	f = fixed_setup_flags(test, buf, 256, NULL, ZALLOC_F_DEBUG);
	a = zalloc_fixed_allocator(f);
	x = zalloc_fixed_alloc(f, 10, 8);
	KUNIT_ASSERT_NOT_NULL(test, x);
	KUNIT_EXPECT_FALSE(test, x >= buf && x < buf + 256);
	KUNIT_EXPECT_TRUE(test, zalloc_fixed_is_last_allocation(f, x, 10));
	KUNIT_EXPECT_EQ(test, fixed_end(f), 10);
	/* A wrong alignment on free is the debug core's to report. */
	zalloc_fixed_free(f, x, 10, 16);
	KUNIT_EXPECT_EQ(test, zalloc_debug_reports(a, ZALLOC_DEBUG_WRONG_ALIGN),
			1);
	zalloc_fixed_free(f, x, 10, 8);
	KUNIT_EXPECT_EQ(test, fixed_end(f), 0);
	KUNIT_EXPECT_EQ(test, zalloc_test_stat(&f->inst, ZALLOC_STAT_ALLOC),
			zalloc_test_stat(&f->inst, ZALLOC_STAT_FREE));
}

/*
 * ======================================================================
 * The thread-safe view
 * ======================================================================
 */

/* The thread-safe view: alloc only; resize, remap and free do nothing. */
static void fixed_thread_safe_view(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, 128, GFP_KERNEL);
	const struct zalloc *ts;
	struct zalloc_fixed *f;
	u8 *p, *q;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	f = fixed_setup(test, buf, 128, NULL);
	ts = zalloc_fixed_thread_safe_allocator(f);
	p = zalloc_alloc(ts, 10, 1, GFP_KERNEL);
	q = zalloc_alloc(ts, 10, 64, GFP_KERNEL);
	KUNIT_ASSERT_PTR_EQ(test, p, buf);
	KUNIT_ASSERT_PTR_EQ(test, q, buf + 64);
	KUNIT_EXPECT_FALSE(test, zalloc_resize(ts, q, 10, 64, 5, GFP_KERNEL));
	KUNIT_EXPECT_FALSE(test, zalloc_resize(ts, q, 10, 64, 20, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zalloc_remap(ts, q, 10, 64, 20, GFP_KERNEL));
	zalloc_free(ts, q, 10, 64);
	KUNIT_EXPECT_EQ(test, fixed_end(f), 74);
	KUNIT_EXPECT_NULL(test, zalloc_alloc(ts, 55, 1, GFP_KERNEL));
	KUNIT_EXPECT_NOT_NULL(test, zalloc_alloc(ts, 54, 1, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, fixed_end(f), 128);
	KUNIT_EXPECT_EQ(test, zalloc_test_stat(&f->inst, ZALLOC_STAT_ALLOC), 3);
	KUNIT_EXPECT_EQ(test, zalloc_test_stat(&f->inst, ZALLOC_STAT_ALLOC_FAIL),
			1);
	KUNIT_EXPECT_EQ(test,
			zalloc_test_stat(&f->inst, ZALLOC_STAT_RESIZE_REFUSED),
			2);
}

/* The debugfs name and the allocator's own statistics lines. */
static void fixed_stats_file(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, 4096, GFP_KERNEL);
	struct zalloc_fixed *f, *g;
	char *stats;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	f = fixed_setup(test, buf, 4096, "kunit-fixed");
	KUNIT_EXPECT_STREQ(test, zalloc_instance_name(&f->inst), "kunit-fixed");
	KUNIT_ASSERT_NOT_NULL(test, zalloc_alloc(zalloc_fixed_allocator(f),
						 100, 1, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, zalloc_test_info(&f->inst,
					       ZALLOC_FIXED_BUFFER_SIZE), 4096);
	KUNIT_EXPECT_EQ(test, zalloc_test_info(&f->inst,
					       ZALLOC_FIXED_END_INDEX), 100);
	/* The allocator's lines follow the common ones, in enum order. */
	stats = zalloc_test_debugfs(test, "kunit-fixed", "stats");
	KUNIT_ASSERT_NOT_NULL(test, stats);
	KUNIT_EXPECT_NOT_NULL_MSG(test,
				  strstr(stats, "\nbuffer_size 4096\nend_index 100\n"),
				  "%s", stats);
	KUNIT_EXPECT_EQ(test, zalloc_test_value(stats, "allocations"), 1);

	/* A second instance under the same name is refused. */
	g = kunit_kzalloc(test, sizeof(*g), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, g);
	KUNIT_EXPECT_EQ(test, zalloc_fixed_init(g, buf, 4096, "kunit-fixed", 0,
						GFP_KERNEL), -EEXIST);
}

/*
 * ======================================================================
 * Savestate and restore, debug mode
 * ======================================================================
 */

/* Zig: test "savestate and restore". */
static void fixed_savestate_restore(struct kunit *test)
{
	u8 buf[256];
	struct zalloc_fixed *f = fixed_setup(test, buf, sizeof(buf), NULL);
	const struct zalloc *a = zalloc_fixed_allocator(f);
	struct zalloc_fixed_state before;
	u8 *p;

	zalloc_fixed_savestate(f, &before);
	p = zalloc_alloc(a, sizeof(buf), 1, GFP_KERNEL);
	KUNIT_ASSERT_PTR_EQ(test, (void *)p, (void *)buf);
	KUNIT_EXPECT_NULL(test, zalloc_alloc(a, 1, 1, GFP_KERNEL));
	KUNIT_EXPECT_TRUE(test, zalloc_fixed_restore(f, &before));
	KUNIT_EXPECT_EQ(test, fixed_end(f), 0);
	p = zalloc_alloc(a, sizeof(buf), 1, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, (void *)p, (void *)buf);
}

/*
 * Blocks from before a save stay (and are still the buffer's to free or
 * grow); those since are gone, in the counters too; a state from before a
 * later reset or restore is refused and changes nothing.
 */
static void fixed_savestate_counters(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, 256, GFP_KERNEL);
	struct zalloc_fixed_state outer, inner;
	const struct zalloc *a;
	struct zalloc_fixed *f;
	u8 *x, *y, *z;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	f = fixed_setup(test, buf, 256, NULL);
	a = zalloc_fixed_allocator(f);
	x = zalloc_alloc(a, 10, 1, GFP_KERNEL);
	KUNIT_ASSERT_PTR_EQ(test, x, buf);
	zalloc_test_fill(x, 10, 1);
	zalloc_fixed_savestate(f, &outer);
	y = zalloc_alloc(a, 20, 8, GFP_KERNEL);
	KUNIT_ASSERT_PTR_EQ(test, y, buf + 16);
	zalloc_fixed_savestate(f, &inner);
	z = zalloc_alloc(a, 30, 1, GFP_KERNEL);
	KUNIT_ASSERT_PTR_EQ(test, z, buf + 36);
	KUNIT_EXPECT_TRUE(test, zalloc_resize(a, z, 30, 1, 40, GFP_KERNEL));
	zalloc_free(a, y, 20, 8);	/* not the last: gives nothing back */

	/* Back to inner: z goes, y stays (freed or not, its bytes stay). */
	KUNIT_EXPECT_TRUE(test, zalloc_fixed_restore(f, &inner));
	KUNIT_EXPECT_EQ(test, fixed_end(f), 36);
	KUNIT_EXPECT_TRUE(test, zalloc_fixed_is_last_allocation(f, y, 20));
	/* Back to outer: y goes; x is the last block again. */
	KUNIT_EXPECT_TRUE(test, zalloc_fixed_restore(f, &outer));
	KUNIT_EXPECT_EQ(test, fixed_end(f), 10);
	KUNIT_EXPECT_TRUE(test, zalloc_fixed_is_last_allocation(f, x, 10));
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(x, 10, 1));
	/* inner lies beyond the end now: refused, nothing changes. */
	KUNIT_EXPECT_FALSE(test, zalloc_fixed_restore(f, &inner));
	KUNIT_EXPECT_EQ(test, fixed_end(f), 10);

	/* Only x is live: one block of 10 bytes, in the counters. */
	KUNIT_EXPECT_EQ(test, zalloc_test_stat(&f->inst, ZALLOC_STAT_ALLOC) -
			zalloc_test_stat(&f->inst, ZALLOC_STAT_FREE), 1);
	KUNIT_EXPECT_EQ(test,
			zalloc_test_stat(&f->inst, ZALLOC_STAT_BYTES_ALLOC) -
			zalloc_test_stat(&f->inst, ZALLOC_STAT_BYTES_FREE), 10);
	KUNIT_EXPECT_EQ(test, zalloc_test_info(&f->inst,
					       ZALLOC_FIXED_END_INDEX), 10);
	zalloc_free(a, x, 10, 1);
	KUNIT_EXPECT_EQ(test, fixed_end(f), 0);
	KUNIT_EXPECT_EQ(test, zalloc_test_stat(&f->inst, ZALLOC_STAT_ALLOC),
			zalloc_test_stat(&f->inst, ZALLOC_STAT_FREE));
	KUNIT_EXPECT_EQ(test, zalloc_test_stat(&f->inst,
					       ZALLOC_STAT_BYTES_ALLOC),
			zalloc_test_stat(&f->inst, ZALLOC_STAT_BYTES_FREE));

	/* A reset gives everything back: a state from before it is refused. */
	zalloc_fixed_savestate(f, &outer);
	KUNIT_ASSERT_NOT_NULL(test, zalloc_alloc(a, 50, 1, GFP_KERNEL));
	zalloc_fixed_savestate(f, &inner);
	zalloc_fixed_reset(f);
	KUNIT_EXPECT_FALSE(test, zalloc_fixed_restore(f, &inner));
	KUNIT_EXPECT_TRUE(test, zalloc_fixed_restore(f, &outer));
	KUNIT_EXPECT_EQ(test, fixed_end(f), 0);
}

/*
 * In debug mode every block is a shadow; the owner queries see through
 * them, and a reset or restore drops the shadows of the blocks it gives
 * back without reporting them, after which they are no blocks at all.
 */
static void fixed_debug_mode(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, 256, GFP_KERNEL);
	struct zalloc_fixed_state state;
	const struct zalloc *a;
	struct zalloc_fixed *f;
	u8 *x, *y, *p;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	f = fixed_setup_flags(test, buf, 256, NULL, ZALLOC_F_DEBUG);
	a = zalloc_fixed_allocator(f);
	KUNIT_ASSERT_TRUE(test, zalloc_debug_enabled(a));
	KUNIT_EXPECT_PTR_EQ(test, zalloc_instance_of(a), &f->inst);

	x = zalloc_alloc(a, 10, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, x);
	/* The caller's block is the shadow, not the buffer's bytes. */
	KUNIT_EXPECT_FALSE(test, x >= buf && x < buf + 256);
	KUNIT_EXPECT_TRUE(test, zalloc_fixed_owns_ptr(f, x));
	KUNIT_EXPECT_TRUE(test, zalloc_fixed_owns_ptr(f, x + 9));
	KUNIT_EXPECT_TRUE(test, zalloc_fixed_owns_range(f, x, 10));
	KUNIT_EXPECT_TRUE(test, zalloc_fixed_is_last_allocation(f, x, 10));
	KUNIT_EXPECT_EQ(test, fixed_end(f), 10);

	zalloc_fixed_savestate(f, &state);
	y = zalloc_alloc(a, 246, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, y);
	KUNIT_EXPECT_NULL(test, zalloc_alloc(a, 1, 1, GFP_KERNEL));
	KUNIT_EXPECT_FALSE(test, zalloc_fixed_is_last_allocation(f, x, 10));
	KUNIT_EXPECT_TRUE(test, zalloc_fixed_restore(f, &state));
	KUNIT_EXPECT_EQ(test, fixed_end(f), 10);
	/* y is gone with its bytes: freeing it now is an invalid free. */
	KUNIT_EXPECT_FALSE(test, zalloc_fixed_owns_ptr(f, y));
	zalloc_free(a, y, 246, 1);
	KUNIT_EXPECT_EQ(test, zalloc_debug_reports(a, ZALLOC_DEBUG_INVALID_FREE),
			1);
	p = zalloc_alloc(a, 246, 1, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, p);

	/* x stays a live block through it all; the reset drops both. */
	KUNIT_EXPECT_TRUE(test, zalloc_fixed_owns_ptr(f, x));
	zalloc_fixed_reset(f);
	KUNIT_EXPECT_FALSE(test, zalloc_fixed_owns_ptr(f, x));
	KUNIT_EXPECT_EQ(test, zalloc_test_stat(&f->inst, ZALLOC_STAT_ALLOC),
			zalloc_test_stat(&f->inst, ZALLOC_STAT_FREE));
	KUNIT_EXPECT_EQ(test, zalloc_test_stat(&f->inst,
					       ZALLOC_STAT_BYTES_ALLOC),
			zalloc_test_stat(&f->inst, ZALLOC_STAT_BYTES_FREE));
	for (i = 0; i < NR_ZALLOC_DEBUG_REPORTS; i++)
		if (i != ZALLOC_DEBUG_INVALID_FREE)
			KUNIT_EXPECT_EQ_MSG(test, zalloc_debug_reports(a, i), 0,
					    "report %d", i);
	/* The buffer serves again from its start; destroy drops the block. */
	KUNIT_EXPECT_NOT_NULL(test, zalloc_alloc(a, 256, 1, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, fixed_end(f), 256);
}

/*
 * The thread-safe view of an instance in debug mode is not in debug mode
 * (include/zalloc/fixed.h): its blocks are the buffer's own bytes.
 */
static void fixed_debug_thread_safe_view(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, 64, GFP_KERNEL);
	const struct zalloc *ts;
	struct zalloc_fixed *f;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	f = fixed_setup_flags(test, buf, 64, NULL, ZALLOC_F_DEBUG);
	ts = zalloc_fixed_thread_safe_allocator(f);
	KUNIT_EXPECT_TRUE(test, zalloc_debug_enabled(zalloc_fixed_allocator(f)));
	KUNIT_EXPECT_PTR_EQ(test, zalloc_instance_of(ts), &f->inst);
	KUNIT_EXPECT_PTR_EQ(test, zalloc_alloc(ts, 10, 1, GFP_KERNEL),
			    (void *)buf);
	KUNIT_EXPECT_EQ(test, fixed_end(f), 10);
	KUNIT_EXPECT_FALSE(test, zalloc_debug_enabled(ts));
}

struct fixed_irq_ctx {
	const struct zalloc *ts;
	void *p[4];
};

static void fixed_irq_fn(void *data)
{
	struct fixed_irq_ctx *c = data;
	int i;

	for (i = 0; i < ARRAY_SIZE(c->p); i++)
		c->p[i] = zalloc_alloc(c->ts, 24, 8, GFP_ATOMIC);
}

/* The thread-safe view works from hard IRQ context (lockdep watches). */
static void fixed_thread_safe_hardirq(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, 64, GFP_KERNEL);
	struct fixed_irq_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	struct zalloc_fixed *f;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, c);
	f = fixed_setup(test, buf, 64, NULL);
	c->ts = zalloc_fixed_thread_safe_allocator(f);
	KUNIT_EXPECT_TRUE(test, zalloc_xcpu_hardirq(test, fixed_irq_fn, c));
	KUNIT_EXPECT_PTR_EQ(test, c->p[0], (void *)buf);
	KUNIT_EXPECT_PTR_EQ(test, c->p[1], (void *)(buf + 24));
	KUNIT_EXPECT_NULL(test, c->p[2]);
	KUNIT_EXPECT_NULL(test, c->p[3]);
	KUNIT_EXPECT_EQ(test, fixed_end(f), 48);
}

/*
 * Concurrency: one kthread per online CPU allocates random sizes and
 * alignments from the thread-safe view until the buffer is full, while a
 * hard-IRQ timer on its CPU interrupts it every TS_TICK_NS wherever it is
 * (between its read of the end index and its cmpxchg, too) and allocates.
 * Every block is recorded and filled with its owner's pattern.  Afterwards,
 * in address order, each block must start exactly at the previous block's
 * end aligned forward to its alignment: no overlap, no gap beyond the least
 * padding, so bytes used = requested + padding, and the buffer ends full.
 */
#define TS_BUF_SIZE	(512 * 1024)
#define TS_ROUNDS	4
#define TS_MIN_LEN	4
#define TS_MAX_LEN	32
/* Normal blocks take at least TS_MIN_LEN; single-byte tail blocks < 128. */
#define TS_MAX_RECS	(TS_BUF_SIZE / TS_MIN_LEN + 128)
#define TS_MAX_ALIGN_ORDER	6
#define TS_IRQ_ALLOCS	2
#define TS_TICK_NS	(200 * NSEC_PER_USEC)

struct ts_rec {
	u8 *p;
	u32 len;
	u16 align;
	u8 owner;
	u8 seed;
};

struct ts_run;

struct ts_worker {
	struct ts_run *run;
	struct zalloc_xcpu_timer tick;
	struct rnd_state rnd;
	struct rnd_state irq_rnd;
	u8 owner;
	bool irq_full;
};

struct ts_run {
	const struct zalloc *ts;
	struct ts_rec *recs;
	atomic_t nr_recs;
	atomic_t lost_recs;
	struct ts_worker *w;
};

static bool ts_alloc_one(struct ts_run *run, struct rnd_state *rnd, u8 owner,
			 bool tail)
{
	size_t len = 1, align = 1;
	struct ts_rec *r;
	int idx;
	u8 *p;

	if (!tail) {
		len = TS_MIN_LEN + prandom_u32_state(rnd) %
				   (TS_MAX_LEN - TS_MIN_LEN + 1);
		align = 1UL << (prandom_u32_state(rnd) %
				(TS_MAX_ALIGN_ORDER + 1));
	}
	p = zalloc_alloc(run->ts, len, align, GFP_NOWAIT);
	if (!p)
		return false;
	idx = atomic_inc_return(&run->nr_recs) - 1;
	if (idx >= TS_MAX_RECS) {
		atomic_inc(&run->lost_recs);
		return true;
	}
	r = &run->recs[idx];
	r->p = p;
	r->len = len;
	r->align = align;
	r->owner = owner;
	r->seed = owner * 37 + idx;
	zalloc_test_fill(p, len, r->seed);
	return true;
}

/* The timer: interrupts its worker wherever it is, and allocates. */
static bool ts_tick_fn(struct zalloc_xcpu_timer *t)
{
	struct ts_worker *w = container_of(t, struct ts_worker, tick);
	int i;

	for (i = 0; i < TS_IRQ_ALLOCS && !w->irq_full; i++)
		if (!ts_alloc_one(w->run, &w->irq_rnd, w->owner + 1, false))
			w->irq_full = true;
	return !w->irq_full;
}

static void ts_thread(void *data, unsigned int idx)
{
	struct ts_run *run = data;
	struct ts_worker *w = &run->w[idx];
	bool tail = false;

	zalloc_xcpu_timer_start(&w->tick, ts_tick_fn, TS_TICK_NS, true);
	/* Random sizes until one fails, then single bytes until full. */
	for (;;) {
		if (!ts_alloc_one(run, &w->rnd, w->owner, tail)) {
			if (tail)
				break;
			tail = true;
		}
	}
	zalloc_xcpu_timer_stop(&w->tick);
}

static int ts_rec_cmp(const void *a, const void *b)
{
	const struct ts_rec *x = a, *y = b;

	if (x->p == y->p)
		return 0;
	return x->p < y->p ? -1 : 1;
}

struct ts_tally {
	size_t requested;
	size_t padding;
	unsigned int switches;
	unsigned int cpu_switches;
	unsigned int irq_blocks;
};

/* Check one round's blocks in address order; false on the first bad one. */
static bool ts_check_round(struct kunit *test, struct zalloc_fixed *f,
			   struct ts_rec *recs, int nr, struct ts_tally *t)
{
	u8 *buf = f->buf.buffer, *end = buf;
	int i;

	sort(recs, nr, sizeof(*recs), ts_rec_cmp, NULL);
	for (i = 0; i < nr; i++) {
		struct ts_rec *r = &recs[i];

		if (r->p != PTR_ALIGN(end, r->align)) {
			KUNIT_FAIL(test, "block %d at +%td, expected +%td (align %u)",
				   i, r->p - buf, PTR_ALIGN(end, r->align) - buf,
				   r->align);
			return false;
		}
		if (!zalloc_test_filled(r->p, r->len, r->seed)) {
			KUNIT_FAIL(test, "block %d at +%td lost owner %u's pattern",
				   i, r->p - buf, r->owner);
			return false;
		}
		t->padding += r->p - end;
		t->requested += r->len;
		t->irq_blocks += r->owner & 1;
		if (i && recs[i - 1].owner != r->owner)
			t->switches++;
		if (i && recs[i - 1].owner / 2 != r->owner / 2)
			t->cpu_switches++;
		end = r->p + r->len;
	}
	KUNIT_EXPECT_PTR_EQ(test, (void *)end, (void *)(buf + fixed_end(f)));
	KUNIT_EXPECT_EQ(test, fixed_end(f), (size_t)TS_BUF_SIZE);
	return true;
}

static void fixed_thread_safe_concurrent(struct kunit *test)
{
	int nw = num_online_cpus(), round, i, nr;
	struct ts_tally t = {};
	unsigned long irq_runs = 0, blocks = 0;
	struct ts_worker *w;
	struct zalloc_fixed *f;
	struct ts_run *run;
	u8 *buf;
	ktime_t t0;

	KUNIT_ASSERT_LT(test, 2 * nw, 256);
	buf = vzalloc(TS_BUF_SIZE);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, fixed_vfree_action,
							buf), 0);
	w = kunit_kcalloc(test, nw, sizeof(*w), GFP_KERNEL);
	run = kunit_kzalloc(test, sizeof(*run), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_ASSERT_NOT_NULL(test, run);
	run->w = w;
	run->recs = vcalloc(TS_MAX_RECS, sizeof(*run->recs));
	KUNIT_ASSERT_NOT_NULL(test, run->recs);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, fixed_vfree_action,
							run->recs), 0);
	f = fixed_setup(test, buf, TS_BUF_SIZE, NULL);
	run->ts = zalloc_fixed_thread_safe_allocator(f);

	t0 = ktime_get();
	for (round = 0; round < TS_ROUNDS; round++) {
		zalloc_fixed_reset(f);
		memset(buf, 0, TS_BUF_SIZE);
		atomic_set(&run->nr_recs, 0);
		atomic_set(&run->lost_recs, 0);
		for (i = 0; i < nw; i++) {
			w[i].run = run;
			w[i].owner = 2 * i;
			w[i].irq_full = false;
			prandom_seed_state(&w[i].rnd, round * 1000 + 2 * i);
			prandom_seed_state(&w[i].irq_rnd,
					   round * 1000 + 2 * i + 1);
		}
		KUNIT_ASSERT_EQ(test, zalloc_xcpu_run(test, NULL, ts_thread,
						      run), nw);
		for (i = 0; i < nw; i++) {
			irq_runs += w[i].tick.runs;
			KUNIT_EXPECT_EQ(test, w[i].tick.not_hardirq, 0);
		}
		nr = atomic_read(&run->nr_recs);
		KUNIT_ASSERT_EQ(test, atomic_read(&run->lost_recs), 0);
		blocks += nr;
		if (!ts_check_round(test, f, run->recs, nr, &t))
			break;
	}
	KUNIT_EXPECT_EQ(test, t.requested + t.padding,
			(size_t)TS_BUF_SIZE * TS_ROUNDS);
	KUNIT_EXPECT_EQ(test, zalloc_test_stat(&f->inst, ZALLOC_STAT_ALLOC),
			blocks);
	KUNIT_EXPECT_EQ(test, zalloc_test_stat(&f->inst,
					       ZALLOC_STAT_BYTES_ALLOC),
			t.requested);
	/* The timers ran (their blocks may come after the buffer filled). */
	KUNIT_EXPECT_GT(test, irq_runs, 0);
	kunit_info(test,
		   "%d CPUs, %d rounds: %lu blocks (%u from hard IRQ, %lu timer runs), %zu B requested + %zu B padding; neighbours in address order from other owners %u times, other CPUs %u times; %lld us\n",
		   nw, TS_ROUNDS, blocks, t.irq_blocks, irq_runs, t.requested,
		   t.padding, t.switches, t.cpu_switches,
		   ktime_us_delta(ktime_get(), t0));
}

static struct kunit_case zalloc_fixed_cases[] = {
	KUNIT_CASE(fixed_reset),
	KUNIT_CASE(fixed_reuse_memory_on_realloc),
	KUNIT_CASE(fixed_index_overflow),
	KUNIT_CASE(fixed_init_checks),
	KUNIT_CASE(fixed_alignments),
	KUNIT_CASE(fixed_last_allocation),
	KUNIT_CASE(fixed_reset_and_reuse),
	KUNIT_CASE(fixed_foreign_block),
	KUNIT_CASE(fixed_direct_same_as_view),
	KUNIT_CASE(fixed_direct_free_cases),
	KUNIT_CASE(fixed_direct_debug_mode),
	KUNIT_CASE(fixed_direct_init_on_alloc),
	KUNIT_CASE(fixed_thread_safe_view),
	KUNIT_CASE(fixed_stats_file),
	KUNIT_CASE(fixed_savestate_restore),
	KUNIT_CASE(fixed_savestate_counters),
	KUNIT_CASE(fixed_debug_mode),
	KUNIT_CASE(fixed_debug_thread_safe_view),
	KUNIT_CASE(fixed_thread_safe_hardirq),
	KUNIT_CASE(fixed_thread_safe_concurrent),
	{}
};

static struct kunit_suite zalloc_fixed_suite = {
	.name = "zalloc_fixed",
	.test_cases = zalloc_fixed_cases,
};

kunit_test_suites(&zalloc_fixed_suite);
