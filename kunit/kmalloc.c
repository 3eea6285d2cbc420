// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc_kmalloc: the kmalloc allocator's own rules.  Alignments above
 * ARCH_KMALLOC_MINALIGN are honoured for every size; resize stays within
 * ksize(); remap moves through krealloc() and keeps the contents.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include <zalloc/kmalloc.h>

#include "zalloc_kunit.h"

static const struct zalloc *za = &zalloc_kmalloc_allocator;

static void kmalloc_alignments(struct kunit *test)
{
	static const size_t lens[] = { 1, 24, 100, 3000, 9000 };
	size_t align, i;
	u8 *p;

	for (align = 1; align <= 64 * 1024; align <<= 1) {
		for (i = 0; i < ARRAY_SIZE(lens); i++) {
			p = zalloc_alloc(za, lens[i], align, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, p);
			KUNIT_EXPECT_TRUE_MSG(test,
					      IS_ALIGNED((unsigned long)p, align),
					      "len %zu: %p not aligned to %zu",
					      lens[i], p, align);
			memset(p, 0xa5, lens[i]);
			KUNIT_EXPECT_EQ(test, p[lens[i] - 1], 0xa5);
			zalloc_free(za, p, lens[i], align);
		}
	}
}

static void kmalloc_resize_in_ksize(struct kunit *test)
{
	size_t room;
	u8 *p;

	p = zalloc_alloc(za, 100, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	room = ksize(p);
	KUNIT_ASSERT_GE(test, room, 100);
	memset(p, 0x3c, 100);

	KUNIT_EXPECT_TRUE(test, zalloc_resize(za, p, 100, 8, room, GFP_KERNEL));
	p[room - 1] = 0x77;
	KUNIT_EXPECT_FALSE(test, zalloc_resize(za, p, room, 8, room + 1,
					       GFP_KERNEL));
	KUNIT_EXPECT_TRUE(test, zalloc_resize(za, p, room, 8, 10, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, p[9], 0x3c);
	zalloc_free(za, p, 10, 8);
}

static void kmalloc_remap_moves(struct kunit *test)
{
	const size_t align = 256;
	u8 *p, *q;

	p = zalloc_alloc(za, 300, align, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, 0x6b, 300);
	/* Within ksize() remap stays; past it, it refuses to copy. */
	KUNIT_EXPECT_PTR_EQ(test, (void *)p,
			    zalloc_remap(za, p, 300, align, 400, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zalloc_remap(za, p, 400, align, 20000,
					     GFP_KERNEL));
	q = zalloc_realloc(za, p, 400, align, 20000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_PTR_NE(test, (void *)p, (void *)q);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)q, align));
	KUNIT_EXPECT_EQ(test, q[0], 0x6b);
	KUNIT_EXPECT_EQ(test, q[299], 0x6b);
	memset(q + 300, 0, 20000 - 300);
	zalloc_free(za, q, 20000, align);
}

static void kmalloc_too_big(struct kunit *test)
{
	KUNIT_EXPECT_NULL(test, zalloc_alloc(za, KMALLOC_MAX_SIZE + 1, 1,
					     GFP_KERNEL));
	/* Rounding up to the alignment would pass KMALLOC_MAX_SIZE. */
	KUNIT_EXPECT_NULL(test, zalloc_alloc(za, KMALLOC_MAX_SIZE - 1,
					     KMALLOC_MAX_SIZE * 2, GFP_KERNEL));
}

static struct kunit_case zalloc_kmalloc_cases[] = {
	KUNIT_CASE(kmalloc_alignments),
	KUNIT_CASE(kmalloc_resize_in_ksize),
	KUNIT_CASE(kmalloc_remap_moves),
	KUNIT_CASE(kmalloc_too_big),
	{}
};

static struct kunit_suite zalloc_kmalloc_suite = {
	.name = "zalloc_kmalloc",
	.test_cases = zalloc_kmalloc_cases,
};

kunit_test_suites(&zalloc_kmalloc_suite);
