// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc_page: the page allocator's own rules.  Alignment above a page is
 * honoured up to the largest buddy block and refused beyond; big blocks come
 * from vmalloc; resize works in place within the page count and shrinks
 * buddy blocks; remap never moves; atomic callers are served.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/spinlock.h>
#include <linux/vmalloc.h>
#include <zalloc/page.h>

#include "zalloc_kunit.h"

static const struct zalloc *za = &zalloc_page_allocator;

static void page_high_alignment(struct kunit *test)
{
	size_t align;
	u8 *p;

	for (align = PAGE_SIZE; align <= PAGE_SIZE << MAX_PAGE_ORDER;
	     align <<= 1) {
		p = zalloc_alloc(za, 100, align, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL_MSG(test, p, "align %zu", align);
		KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED((unsigned long)p, align),
				      "%p not aligned to %zu", p, align);
		KUNIT_EXPECT_FALSE(test, is_vmalloc_addr(p));
		zalloc_test_fill(p, 100, 1);
		KUNIT_EXPECT_TRUE(test, zalloc_test_filled(p, 100, 1));
		zalloc_free(za, p, 100, align);
	}
	/* Beyond the largest buddy block: refused, quietly. */
	p = zalloc_alloc(za, 100, PAGE_SIZE << (MAX_PAGE_ORDER + 1),
			 GFP_KERNEL);
	KUNIT_EXPECT_NULL(test, p);
}

static void page_vmalloc_path(struct kunit *test)
{
	const size_t len = (PAGE_SIZE << MAX_PAGE_ORDER) + 3 * PAGE_SIZE + 1;
	u8 *p, *q;

	p = zalloc_alloc(za, len, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(p));
	zalloc_test_fill(p, len, 3);

	/* Within the last page: in place.  Across pages: refused. */
	KUNIT_EXPECT_TRUE(test, zalloc_resize(za, p, len, PAGE_SIZE,
					      len + 100, GFP_KERNEL));
	KUNIT_EXPECT_FALSE(test, zalloc_resize(za, p, len + 100, PAGE_SIZE,
					       len + PAGE_SIZE, GFP_KERNEL));
	KUNIT_EXPECT_FALSE(test, zalloc_resize(za, p, len + 100, PAGE_SIZE,
					       len - PAGE_SIZE, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zalloc_remap(za, p, len + 100, PAGE_SIZE,
					     len * 2, GFP_KERNEL));
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(p, len, 3));

	/* realloc copies. */
	q = zalloc_realloc(za, p, len + 100, PAGE_SIZE, len * 2, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_PTR_NE(test, p, q);
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(q, len, 3));
	zalloc_free(za, q, len * 2, PAGE_SIZE);
}

static void page_buddy_resize(struct kunit *test)
{
	const size_t len = 5 * PAGE_SIZE;
	u8 *p;

	p = zalloc_alloc(za, len, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_FALSE(test, is_vmalloc_addr(p));
	KUNIT_EXPECT_TRUE(test, PAGE_ALIGNED(p));
	zalloc_test_fill(p, len, 5);

	/* Shrink gives tail pages back and keeps the head. */
	KUNIT_EXPECT_TRUE(test, zalloc_resize(za, p, len, 1, 2 * PAGE_SIZE - 9,
					      GFP_KERNEL));
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(p, 2 * PAGE_SIZE - 9, 5));
	/* Growth within the last page works, past it does not. */
	KUNIT_EXPECT_TRUE(test, zalloc_resize(za, p, 2 * PAGE_SIZE - 9, 1,
					      2 * PAGE_SIZE, GFP_KERNEL));
	KUNIT_EXPECT_FALSE(test, zalloc_resize(za, p, 2 * PAGE_SIZE, 1,
					       2 * PAGE_SIZE + 1, GFP_KERNEL));
	/* Remap keeps the content and the address when it succeeds. */
	KUNIT_EXPECT_PTR_EQ(test, (void *)p,
			    zalloc_remap(za, p, 2 * PAGE_SIZE, 1, PAGE_SIZE,
					 GFP_KERNEL));
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(p, PAGE_SIZE, 5));
	zalloc_free(za, p, PAGE_SIZE, 1);
}

/* Zig: "shrink past the page boundary". */
static void page_shrink_past_boundary(struct kunit *test)
{
	u8 *p;

	p = zalloc_alloc(za, PAGE_SIZE + 1, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	p[0] = 0x42;
	p = zalloc_realloc(za, p, PAGE_SIZE + 1, 1, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, p[0], 0x42);
	zalloc_free(za, p, 1, 1);
}

static void page_atomic(struct kunit *test)
{
	const size_t mid = PAGE_SIZE << 5;
	static DEFINE_SPINLOCK(lock);
	u8 *small, *huge, *order5, *big;

	/* A vmalloc block freed under a spinlock: the free must not sleep. */
	big = zalloc_alloc(za, (PAGE_SIZE << MAX_PAGE_ORDER) + 1, 1,
			   GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, big);
	KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(big));
	spin_lock(&lock);
	zalloc_free(za, big, (PAGE_SIZE << MAX_PAGE_ORDER) + 1, 1);
	order5 = zalloc_alloc(za, mid, 1, GFP_ATOMIC);
	spin_unlock(&lock);
	/* An order-5 atomic request is served from the buddy allocator. */
	KUNIT_ASSERT_NOT_NULL(test, order5);
	KUNIT_EXPECT_FALSE(test, is_vmalloc_addr(order5));
	zalloc_test_fill(order5, mid, 11);
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(order5, mid, 11));
	zalloc_free(za, order5, mid, 1);

	spin_lock(&lock);
	small = zalloc_alloc(za, 3 * PAGE_SIZE, PAGE_SIZE, GFP_ATOMIC);
	/* Too big for the buddy allocator, and vmalloc may sleep: NULL. */
	huge = zalloc_alloc(za, (PAGE_SIZE << MAX_PAGE_ORDER) + 1, 1,
			    GFP_ATOMIC);
	spin_unlock(&lock);
	KUNIT_ASSERT_NOT_NULL(test, small);
	KUNIT_EXPECT_NULL(test, huge);
	zalloc_test_fill(small, 3 * PAGE_SIZE, 9);
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(small, 3 * PAGE_SIZE, 9));
	zalloc_free(za, small, 3 * PAGE_SIZE, PAGE_SIZE);
}

/*
 * Backing bytes are the pages each block holds, exactly, whether counted
 * as they come and go or (a block's first page) when read.
 */
static void page_backing_exact(struct kunit *test)
{
	static const size_t lens[] = {
		1, PAGE_SIZE, PAGE_SIZE + 1, 3 * PAGE_SIZE + 1,
	};
	struct zalloc_instance *inst = zalloc_instance_of(za);
	struct zalloc_stats_sum s0, s1, s2;
	void *p[ARRAY_SIZE(lens)];
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, inst);
	zalloc_stats_read(inst, &s0);
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		p[i] = zalloc_alloc(za, lens[i], 8, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	/* Four pages to two: the two at the end go back. */
	KUNIT_ASSERT_TRUE(test, zalloc_resize(za, p[3], lens[3], 8,
					      PAGE_SIZE + 1, GFP_KERNEL));
	zalloc_stats_read(inst, &s1);
	KUNIT_EXPECT_EQ(test, s1.v[ZALLOC_STAT_BACKING_ALLOC] -
			s0.v[ZALLOC_STAT_BACKING_ALLOC], 8 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, s1.v[ZALLOC_STAT_BACKING_FREE] -
			s0.v[ZALLOC_STAT_BACKING_FREE], 2 * PAGE_SIZE);
	for (i = 0; i < 3; i++)
		zalloc_free(za, p[i], lens[i], 8);
	zalloc_free(za, p[3], PAGE_SIZE + 1, 8);
	zalloc_stats_read(inst, &s2);
	KUNIT_EXPECT_EQ(test, s2.v[ZALLOC_STAT_BACKING_FREE] -
			s0.v[ZALLOC_STAT_BACKING_FREE], 8 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, s2.v[ZALLOC_STAT_BACKING_ALLOC] -
			s0.v[ZALLOC_STAT_BACKING_ALLOC], 8 * PAGE_SIZE);
}

static struct kunit_case zalloc_page_cases[] = {
	KUNIT_CASE(page_high_alignment),
	KUNIT_CASE(page_vmalloc_path),
	KUNIT_CASE(page_buddy_resize),
	KUNIT_CASE(page_shrink_past_boundary),
	KUNIT_CASE(page_atomic),
	KUNIT_CASE(page_backing_exact),
	{}
};

static struct kunit_suite zalloc_page_suite = {
	.name = "zalloc_page",
	.test_cases = zalloc_page_cases,
};

kunit_test_suites(&zalloc_page_suite);
