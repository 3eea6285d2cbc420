// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc_hostile: the calls a hostile or careless consumer made that once
 * corrupted kernel memory (issue 17), replayed through the public API.
 * Each case failed before its fix; each now expects the call refused and
 * counted, the memory it named untouched, and the instance still whole
 * (what is live stays live, nothing overlaps, the counters balance).
 *
 *  1. smp: a free, resize or remap with the length of another class, or
 *     of a large block, for a small block; a double free of a large one.
 *  2. sbrk: frees of memory it never handed out (kmalloc, vmalloc, stack,
 *     module data, another instance, an unmapped address), wrong lengths,
 *     interior pointers.
 *  3. smp: a double free of a block that is not the most recent one.
 *  5. Debug mode: owner queries see the instance's own blocks.
 *  7. sbrk: a region larger than all of RAM: NULL, and no message (the
 *     run's verdict fails on a vmalloc warning or stack dump).
 *  8. fixed buffer: a free that ends where the last block ends but starts
 *     inside it.
 *
 * Cases 4 and 6 (debug records kmemleak can reach, orphans that free their
 * debug state) are kmemleak scans in the guest: tools/init.sh scans while
 * debug instances are alive and again after every module is gone.
 */
#include <kunit/test.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <zalloc/bitmap.h>
#include <zalloc/debug.h>
#include <zalloc/fixed.h>
#include <zalloc/sbrk.h>
#include <zalloc/smp.h>

#include "zalloc_kunit.h"

#define H_ALIGN		8

static unsigned long h_info(const struct zalloc *a, unsigned int i)
{
	return zalloc_test_info(zalloc_instance_of(a), i);
}

/* Case 1: lengths that name another class or a large block. */
static void hostile_smp_wrong_length(struct kunit *test)
{
	struct zalloc *za = zalloc_test_adopt(test,
			zalloc_smp_create(NULL, ZALLOC_F_NODEBUG));
	unsigned long invalid = h_info(za, ZALLOC_SMP_INVALID_FREES);
	u8 *p = zalloc_alloc(za, 100, H_ALIGN, GFP_KERNEL), *q;

	KUNIT_ASSERT_NOT_NULL(test, p);
	zalloc_test_fill(p, 100, 1);

	zalloc_free(za, p, SZ_64K, H_ALIGN);
	KUNIT_EXPECT_EQ(test, h_info(za, ZALLOC_SMP_INVALID_FREES),
			invalid + 1);
	KUNIT_EXPECT_EQ(test, h_info(za, ZALLOC_SMP_LARGE_LIVE), 0);
	KUNIT_EXPECT_EQ(test, h_info(za, ZALLOC_SMP_LIVE_OBJECTS), 1);

	KUNIT_EXPECT_FALSE(test, zalloc_resize(za, p, 5000, H_ALIGN, 5001,
					       GFP_KERNEL));
	KUNIT_EXPECT_FALSE(test, zalloc_resize(za, p, SZ_64K, H_ALIGN,
					       SZ_32K + SZ_8K, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zalloc_remap(za, p, SZ_64K, H_ALIGN, SZ_16K,
					     GFP_KERNEL));
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(p, 100, 1));
	KUNIT_EXPECT_EQ(test, h_info(za, ZALLOC_SMP_LIVE_OBJECTS), 1);

	/* Still its own block: the right free works. */
	zalloc_free(za, p, 100, H_ALIGN);
	KUNIT_EXPECT_EQ(test, h_info(za, ZALLOC_SMP_LIVE_OBJECTS), 0);

	/* A large block freed twice reaches the page allocator once. */
	q = zalloc_alloc(za, SZ_64K, H_ALIGN, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_EQ(test, h_info(za, ZALLOC_SMP_LARGE_LIVE), 1);
	invalid = h_info(za, ZALLOC_SMP_INVALID_FREES);
	zalloc_free(za, q, SZ_64K, H_ALIGN);
	zalloc_free(za, q, SZ_64K, H_ALIGN);
	KUNIT_EXPECT_EQ(test, h_info(za, ZALLOC_SMP_INVALID_FREES),
			invalid + 1);
	KUNIT_EXPECT_EQ(test, h_info(za, ZALLOC_SMP_LARGE_LIVE), 0);
	KUNIT_EXPECT_EQ(test, h_info(za, ZALLOC_SMP_LARGE_FREES), 1);
}

#define H_SPRAY		200

/* Case 3: free A, free B, free A; and again once they are back in the slab. */
static void hostile_smp_old_double_free(struct kunit *test)
{
	struct zalloc *za = zalloc_test_adopt(test,
			zalloc_smp_create(NULL, ZALLOC_F_NODEBUG));
	unsigned long doubles = h_info(za, ZALLOC_SMP_DOUBLE_FREES);
	void **spray = kunit_kcalloc(test, H_SPRAY, sizeof(*spray), GFP_KERNEL);
	u8 *a, *b, *live;
	int i, j;

	KUNIT_ASSERT_NOT_NULL(test, spray);
	a = zalloc_alloc(za, 64, H_ALIGN, GFP_KERNEL);
	b = zalloc_alloc(za, 64, H_ALIGN, GFP_KERNEL);
	live = zalloc_alloc(za, 64, H_ALIGN, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, a && b && live);
	zalloc_test_fill(live, 64, 3);

	/* A in the CPU's magazine: its cookie gives it away. */
	zalloc_free(za, a, 64, H_ALIGN);
	zalloc_free(za, b, 64, H_ALIGN);
	zalloc_free(za, a, 64, H_ALIGN);
	KUNIT_EXPECT_EQ(test, h_info(za, ZALLOC_SMP_DOUBLE_FREES),
			doubles + 1);
	KUNIT_EXPECT_EQ(test, h_info(za, ZALLOC_SMP_LIVE_OBJECTS), 1);
	/*
	 * Back in their slab (drained), with their first word overwritten
	 * after the free (the cookie gone): the slab's free bit gives them
	 * away.
	 */
	zalloc_smp_trim(za);
	*(unsigned long *)a = 0;
	*(unsigned long *)b = (unsigned long)live;
	zalloc_free(za, a, 64, H_ALIGN);
	zalloc_free(za, b, 64, H_ALIGN);
	KUNIT_EXPECT_EQ(test, h_info(za, ZALLOC_SMP_DOUBLE_FREES),
			doubles + 3);
	KUNIT_EXPECT_EQ(test, h_info(za, ZALLOC_SMP_LIVE_OBJECTS), 1);

	/* Nothing handed out twice, and never the live block. */
	for (i = 0; i < H_SPRAY; i++) {
		spray[i] = zalloc_alloc(za, 64, H_ALIGN, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, spray[i]);
		KUNIT_EXPECT_PTR_NE(test, spray[i], (void *)live);
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_PTR_NE(test, spray[i], spray[j]);
	}
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(live, 64, 3));
	for (i = 0; i < H_SPRAY; i++)
		zalloc_free(za, spray[i], 64, H_ALIGN);
	zalloc_free(za, live, 64, H_ALIGN);
	KUNIT_EXPECT_EQ(test, h_info(za, ZALLOC_SMP_LIVE_OBJECTS), 0);
}

#define H_LEN		128

static u8 h_static[H_LEN] __aligned(H_LEN);

/* Free @x as a block of @za: it must be refused and left as it was. */
static void h_foreign_free(struct kunit *test, const struct zalloc *za,
			   void *x, const char *what)
{
	unsigned long invalid = h_info(za, ZALLOC_SBRK_INVALID_FREES);

	zalloc_test_fill(x, H_LEN, 7);
	zalloc_free(za, x, H_LEN, H_ALIGN);
	KUNIT_EXPECT_EQ_MSG(test, h_info(za, ZALLOC_SBRK_INVALID_FREES),
			    invalid + 1, "%s", what);
	KUNIT_EXPECT_TRUE_MSG(test, zalloc_test_filled(x, H_LEN, 7), "%s",
			      what);
}

static struct zalloc *h_sbrk(struct kunit *test)
{
	struct zalloc_sbrk_provider *prov = zalloc_sbrk_pages_create();

	KUNIT_ASSERT_NOT_NULL(test, prov);
	return zalloc_test_adopt(test, zalloc_sbrk_create(NULL, prov,
							  ZALLOC_F_NODEBUG));
}

/* Case 2: memory sbrk never handed out. */
static void hostile_sbrk_foreign(struct kunit *test)
{
	struct zalloc *za = h_sbrk(test), *other = h_sbrk(test);
	u8 stack_buf[H_LEN] __aligned(H_LEN);
	u8 *live, *theirs, *k, *v;
	unsigned long invalid;

	live = zalloc_alloc(za, H_LEN, H_ALIGN, GFP_KERNEL);
	theirs = zalloc_alloc(other, H_LEN, H_ALIGN, GFP_KERNEL);
	k = kunit_kmalloc(test, H_LEN, GFP_KERNEL);
	v = vmalloc(PAGE_SIZE);
	KUNIT_ASSERT_TRUE(test, live && theirs && k && v);
	zalloc_test_fill(live, H_LEN, 9);

	h_foreign_free(test, za, k, "kmalloc");
	h_foreign_free(test, za, v, "vmalloc");
	h_foreign_free(test, za, stack_buf, "stack");
	h_foreign_free(test, za, h_static, "module data");
	h_foreign_free(test, za, theirs, "another instance");
	vfree(v);

	invalid = h_info(za, ZALLOC_SBRK_INVALID_FREES);
	zalloc_free(za, (void *)0x1000, H_LEN, H_ALIGN);
	KUNIT_EXPECT_EQ(test, h_info(za, ZALLOC_SBRK_INVALID_FREES),
			invalid + 1);

	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(live, H_LEN, 9));
	KUNIT_EXPECT_EQ(test, h_info(za, ZALLOC_SBRK_LIVE_SMALL), 1);
	zalloc_free(za, live, H_LEN, H_ALIGN);
	zalloc_free(other, theirs, H_LEN, H_ALIGN);
	KUNIT_EXPECT_EQ(test, h_info(za, ZALLOC_SBRK_LIVE_SMALL), 0);
	KUNIT_EXPECT_EQ(test, h_info(other, ZALLOC_SBRK_LIVE_SMALL), 0);
}

/* Case 2: its own blocks with the wrong length or an interior pointer. */
static void hostile_sbrk_wrong_block(struct kunit *test)
{
	struct zalloc *za = h_sbrk(test);
	unsigned long invalid = h_info(za, ZALLOC_SBRK_INVALID_FREES);
	u8 *big = zalloc_alloc(za, SZ_32K, H_ALIGN, GFP_KERNEL);
	u8 *small = zalloc_alloc(za, 100, H_ALIGN, GFP_KERNEL);
	u8 *mid = zalloc_alloc(za, H_LEN, H_ALIGN, GFP_KERNEL);
	u8 *again;

	KUNIT_ASSERT_TRUE(test, big && small && mid);
	zalloc_test_fill(big, SZ_32K, 1);
	zalloc_test_fill(small, 100, 2);
	zalloc_test_fill(mid, H_LEN, 3);

	zalloc_free(za, big, SZ_64K, H_ALIGN);
	zalloc_free(za, small, 5000, H_ALIGN);
	zalloc_free(za, mid + 64, H_LEN, H_ALIGN);
	KUNIT_EXPECT_EQ(test, h_info(za, ZALLOC_SBRK_INVALID_FREES),
			invalid + 3);
	KUNIT_EXPECT_FALSE(test, zalloc_resize(za, small, 5000, H_ALIGN, 5001,
					       GFP_KERNEL));

	/* Nothing was freed: a new block overlaps none of the three. */
	again = zalloc_alloc(za, H_LEN, H_ALIGN, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, again);
	KUNIT_EXPECT_TRUE(test, again + H_LEN <= mid || again >= mid + H_LEN);
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(big, SZ_32K, 1));
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(small, 100, 2));
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(mid, H_LEN, 3));

	zalloc_free(za, again, H_LEN, H_ALIGN);
	zalloc_free(za, mid, H_LEN, H_ALIGN);
	zalloc_free(za, small, 100, H_ALIGN);
	zalloc_free(za, big, SZ_32K, H_ALIGN);
	KUNIT_EXPECT_EQ(test, h_info(za, ZALLOC_SBRK_LIVE_SMALL), 0);
	KUNIT_EXPECT_EQ(test, h_info(za, ZALLOC_SBRK_LIVE_BIG), 0);
}

/* Case 5: owner queries of debug-mode instances. */
static void hostile_debug_owner(struct kunit *test)
{
	size_t size = PAGE_SIZE;
	struct zalloc_fixed *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	void *buf = kunit_kzalloc(test, size, GFP_KERNEL);
	struct zalloc_bitmap *b;
	const struct zalloc *za;
	void *p;

	KUNIT_ASSERT_TRUE(test, f && buf);
	KUNIT_ASSERT_EQ(test, zalloc_fixed_init(f, buf, size, NULL,
						ZALLOC_F_DEBUG, GFP_KERNEL), 0);
	za = zalloc_fixed_allocator(f);
	p = zalloc_alloc(za, 64, H_ALIGN, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, zalloc_debug_enabled(za));
	KUNIT_EXPECT_TRUE(test, zalloc_fixed_owns_ptr(f, p));
	KUNIT_EXPECT_TRUE(test, zalloc_fixed_owns_range(f, p, 64));
	KUNIT_EXPECT_TRUE(test, zalloc_fixed_is_last_allocation(f, p, 64));
	zalloc_free(za, p, 64, H_ALIGN);
	zalloc_fixed_destroy(f);

	b = zalloc_bitmap_create(16, SZ_4K, ZALLOC_BITMAP_LOCKED |
				 ZALLOC_F_DEBUG, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(b));
	za = zalloc_bitmap_allocator(b);
	p = zalloc_alloc(za, 64, H_ALIGN, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, zalloc_bitmap_owns(b, p, 64));
	zalloc_free(za, p, 64, H_ALIGN);
	zalloc_bitmap_destroy(b);
}

/* Case 7: more than all of RAM. */
static void hostile_sbrk_huge_region(struct kunit *test)
{
	struct zalloc_sbrk_provider *prov = zalloc_sbrk_region_create(1UL << 40);

	KUNIT_EXPECT_TRUE(test, IS_ERR_OR_NULL(prov));
}

/* Case 8: free(q + 8, len - 8) of the last block. */
static void hostile_fixed_inside_last(struct kunit *test)
{
	size_t size = PAGE_SIZE;
	struct zalloc_fixed *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	void *buf = kunit_kzalloc(test, size, GFP_KERNEL);
	const struct zalloc *za;
	u8 *q, *r;

	KUNIT_ASSERT_TRUE(test, f && buf);
	KUNIT_ASSERT_EQ(test, zalloc_fixed_init(f, buf, size, NULL,
						ZALLOC_F_NODEBUG, GFP_KERNEL),
			0);
	za = zalloc_fixed_allocator(f);
	q = zalloc_alloc(za, 100, H_ALIGN, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	zalloc_test_fill(q, 100, 4);
	zalloc_free(za, q + 8, 92, H_ALIGN);
	KUNIT_EXPECT_EQ(test, zalloc_test_stat(zalloc_instance_of(za),
					       ZALLOC_STAT_FREE), 0);
	r = zalloc_alloc(za, 100, H_ALIGN, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_TRUE(test, r >= q + 100);
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(q, 100, 4));
	zalloc_fixed_destroy(f);
}

static struct kunit_case zalloc_hostile_cases[] = {
	KUNIT_CASE(hostile_smp_wrong_length),
	KUNIT_CASE(hostile_sbrk_foreign),
	KUNIT_CASE(hostile_sbrk_wrong_block),
	KUNIT_CASE(hostile_smp_old_double_free),
	KUNIT_CASE(hostile_debug_owner),
	KUNIT_CASE(hostile_sbrk_huge_region),
	KUNIT_CASE(hostile_fixed_inside_last),
	{}
};

static struct kunit_suite zalloc_hostile_suite = {
	.name = "zalloc_hostile",
	.test_cases = zalloc_hostile_cases,
};

kunit_test_suite(zalloc_hostile_suite);
