// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the page map (zalloc/pagemap.c), on a copy of it built
 * into this module: the map is zalloc.ko's own, not exported, and its
 * addresses are only keys, so a test can map any range without owning it.
 *
 * What the smp allocator relies on: a lookup returns what was set for the
 * very granule asked about, never another granule's value, so it needs no
 * compare against the slab it finds.
 */
/* First: it defines pr_fmt, which kunit/test.h would otherwise set. */
#include "../zalloc/pagemap.c"

#include <kunit/test.h>

/* Far from any real mapping; the map never dereferences an address. */
#define PM_TEST_BASE	BIT_ULL(44)

static void *pm_test_val(unsigned long n)
{
	/* Any non-NULL word will do: the map stores it, never reads it. */
	return (void *)(0x1000 + n * 8);
}

static void pm_test_init(struct kunit *test, struct zalloc_pagemap *pm)
{
	KUNIT_ASSERT_EQ(test, zalloc_pagemap_init(pm, GFP_KERNEL), 0);
}

/* A granule's value, at its first and last byte, and not beside it. */
static void pagemap_granule_exact(struct kunit *test)
{
	unsigned long a = PM_TEST_BASE + 5 * ZALLOC_PM_GRANULE;
	struct zalloc_pagemap pm;

	pm_test_init(test, &pm);
	KUNIT_ASSERT_EQ(test, zalloc_pagemap_set(&pm, a, pm_test_val(1),
						 GFP_KERNEL), 0);
	KUNIT_EXPECT_PTR_EQ(test, zalloc_pagemap_get(&pm, a), pm_test_val(1));
	KUNIT_EXPECT_PTR_EQ(test,
			    zalloc_pagemap_get(&pm, a + ZALLOC_PM_GRANULE - 1),
			    pm_test_val(1));
	KUNIT_EXPECT_NULL(test, zalloc_pagemap_get(&pm, a - 1));
	KUNIT_EXPECT_NULL(test, zalloc_pagemap_get(&pm, a + ZALLOC_PM_GRANULE));
	zalloc_pagemap_clear(&pm, a);
	KUNIT_EXPECT_NULL(test, zalloc_pagemap_get(&pm, a));
	zalloc_pagemap_destroy(&pm);
}

/*
 * Granules ZALLOC_PM_SPAN apart share a slot.  The map spans at most that
 * much, so the second is refused, by set and by update, and the first's
 * value stays its own.
 */
static void pagemap_span_refused(struct kunit *test)
{
	unsigned long a = PM_TEST_BASE;
	unsigned long last = a + ZALLOC_PM_SPAN - ZALLOC_PM_GRANULE;
	struct zalloc_pagemap pm;

	pm_test_init(test, &pm);
	KUNIT_ASSERT_EQ(test, zalloc_pagemap_set(&pm, a, pm_test_val(1),
						 GFP_KERNEL), 0);
	/* The farthest granule that fits: the span is then exactly full. */
	KUNIT_ASSERT_EQ(test, zalloc_pagemap_set(&pm, last, pm_test_val(2),
						 GFP_KERNEL), 0);
	KUNIT_EXPECT_PTR_EQ(test, zalloc_pagemap_get(&pm, a), pm_test_val(1));
	KUNIT_EXPECT_PTR_EQ(test, zalloc_pagemap_get(&pm, last),
			    pm_test_val(2));

	/* a's slot, one span up, and one granule below a: too wide. */
	KUNIT_EXPECT_EQ(test, zalloc_pagemap_set(&pm, a + ZALLOC_PM_SPAN,
						 pm_test_val(3), GFP_KERNEL),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, zalloc_pagemap_set(&pm, a - ZALLOC_PM_GRANULE,
						 pm_test_val(4), GFP_KERNEL),
			-ERANGE);
	KUNIT_EXPECT_FALSE(test, zalloc_pagemap_update(&pm, a + ZALLOC_PM_SPAN,
						       pm_test_val(5)));
	KUNIT_EXPECT_EQ(test, zalloc_pagemap_reserve(&pm, a + ZALLOC_PM_SPAN,
						     a + ZALLOC_PM_SPAN + 1,
						     GFP_KERNEL),
			-ERANGE);
	/* Nor may an unmap out there reach a's slot. */
	zalloc_pagemap_clear(&pm, a + ZALLOC_PM_SPAN);
	KUNIT_EXPECT_FALSE(test, zalloc_pagemap_update(&pm, a + ZALLOC_PM_SPAN,
						       NULL));
	KUNIT_EXPECT_PTR_EQ(test, zalloc_pagemap_get(&pm, a), pm_test_val(1));
	KUNIT_EXPECT_NULL(test, zalloc_pagemap_get(&pm, a + ZALLOC_PM_SPAN));
	KUNIT_EXPECT_NULL(test, zalloc_pagemap_get(&pm, a - ZALLOC_PM_GRANULE));

	/* update() within the span still works. */
	KUNIT_EXPECT_TRUE(test, zalloc_pagemap_update(&pm, last,
						      pm_test_val(6)));
	KUNIT_EXPECT_PTR_EQ(test, zalloc_pagemap_get(&pm, last),
			    pm_test_val(6));
	zalloc_pagemap_destroy(&pm);
}

/* The top granule's end would wrap to 0, and [lo, hi) with it: refused. */
static void pagemap_top_granule_refused(struct kunit *test)
{
	unsigned long top = ULONG_MAX & ~(ZALLOC_PM_GRANULE - 1);
	struct zalloc_pagemap pm;

	pm_test_init(test, &pm);
	KUNIT_EXPECT_EQ(test, zalloc_pagemap_set(&pm, top, pm_test_val(1),
						 GFP_KERNEL), -ERANGE);
	KUNIT_EXPECT_EQ(test, zalloc_pagemap_reserve(&pm, top, ULONG_MAX,
						     GFP_KERNEL), -ERANGE);
	KUNIT_EXPECT_NULL(test, zalloc_pagemap_get(&pm, top));
	KUNIT_EXPECT_NULL(test, zalloc_pagemap_get(&pm, 0));
	zalloc_pagemap_destroy(&pm);
}

static struct kunit_case zalloc_pagemap_cases[] = {
	KUNIT_CASE(pagemap_granule_exact),
	KUNIT_CASE(pagemap_span_refused),
	KUNIT_CASE(pagemap_top_granule_refused),
	{}
};

static struct kunit_suite zalloc_pagemap_suite = {
	.name = "zalloc_pagemap",
	.test_cases = zalloc_pagemap_cases,
};

kunit_test_suites(&zalloc_pagemap_suite);
