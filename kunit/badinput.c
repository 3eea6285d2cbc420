// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc_badinput: every allocator fed bad input through the public helpers
 * returns the documented error (NULL, false, ZERO_SIZE_PTR or a no-op),
 * prints no WARNING or splat (tools/verdict.sh reads the console), leaves
 * the block it was handed unchanged, and is still fully usable: each case
 * ends with the contract suite's T1..T4 on the same instance.
 *
 * The generic cases run over zalloc_contract_allocators[] (kunit/contract.c),
 * so a new allocator is covered by its table entry there.  Misuse that only
 * some allocators define (freeing a non-last block of a fixed buffer, a
 * bitmap free outside the buffer, ...) goes into zalloc_badinput_misuses[]
 * below: a name, the allocator and a function doing the misuse.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <zalloc/kmalloc.h>
#include <zalloc/page.h>

#include "zalloc_kunit.h"

/* Lengths no allocator can serve; those up to ZALLOC_MAX_LEN reach it. */
static const size_t badinput_huge[] = {
	SIZE_MAX,
	SIZE_MAX - 1,
	SIZE_MAX - PAGE_SIZE + 1,
	ZALLOC_MAX_LEN + 1,
	ZALLOC_MAX_LEN,
	ZALLOC_MAX_LEN - 1,
	ZALLOC_MAX_LEN - PAGE_SIZE + 1,
	1UL << 40,
};

/* Not powers of two: refused by the helpers before the allocator. */
static const size_t badinput_npot[] = {
	0, 3, 6, 12, 24, 48, 1000, 4097, SIZE_MAX, SIZE_MAX / 3,
};

static struct zalloc_validator *badinput_setup(struct kunit *test)
{
	return zalloc_test_validator(test, zalloc_test_get(test,
							   zalloc_test_param(test)));
}

/* The same instance afterwards: balanced, and T1..T4 pass on it. */
static void badinput_still_works(struct zalloc_validator *v)
{
	zalloc_test_expect_balanced(v);
	zalloc_contract_all(v->test, v->child);
}

static void badinput_zero_length(struct kunit *test)
{
	struct zalloc_validator *v = badinput_setup(test);
	const struct zalloc *za = &v->za;
	unsigned long calls = v->calls;
	u8 buf[4] = { 1, 2, 3, 4 };
	size_t align;
	u8 *p;

	for (align = 1; align <= PAGE_SIZE; align <<= 3)
		KUNIT_EXPECT_PTR_EQ(test, zalloc_alloc(za, 0, align, GFP_KERNEL),
				    ZERO_SIZE_PTR);
	KUNIT_EXPECT_PTR_EQ(test, zalloc_realloc(za, NULL, 0, 8, 0, GFP_KERNEL),
			    ZERO_SIZE_PTR);
	KUNIT_EXPECT_PTR_EQ(test, zalloc_dup(za, buf, 0, GFP_KERNEL),
			    ZERO_SIZE_PTR);
	KUNIT_EXPECT_PTR_EQ(test, (void *)zalloc_array(za, u64, 0, GFP_KERNEL),
			    ZERO_SIZE_PTR);
	zalloc_free(za, ZERO_SIZE_PTR, 0, 1);
	zalloc_free(za, ZERO_SIZE_PTR, 64, 8);
	KUNIT_EXPECT_FALSE(test, zalloc_resize(za, ZERO_SIZE_PTR, 0, 1, 10,
					       GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zalloc_remap(za, ZERO_SIZE_PTR, 0, 1, 10,
					     GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, v->calls, calls);

	/* A real block passed with length 0: refused, block unchanged. */
	p = zalloc_alloc(za, 64, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	zalloc_test_fill(p, 64, 7);
	calls = v->calls;
	KUNIT_EXPECT_FALSE(test, zalloc_resize(za, p, 0, 8, 32, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zalloc_remap(za, p, 0, 8, 32, GFP_KERNEL));
	zalloc_free(za, p, 0, 8);
	KUNIT_EXPECT_EQ(test, v->calls, calls);
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(p, 64, 7));
	zalloc_free(za, p, 64, 8);

	/* realloc from ZERO_SIZE_PTR allocates afresh. */
	p = zalloc_realloc(za, ZERO_SIZE_PTR, 0, 8, 100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_PTR_NE(test, (void *)p, ZERO_SIZE_PTR);
	zalloc_free(za, p, 100, 8);
	badinput_still_works(v);
}

static void badinput_huge_length(struct kunit *test)
{
	struct zalloc_validator *v = badinput_setup(test);
	const struct zalloc *za = &v->za;
	size_t i, align;

	for (i = 0; i < ARRAY_SIZE(badinput_huge); i++) {
		for (align = 1; align <= PAGE_SIZE; align <<= 6) {
			KUNIT_EXPECT_NULL_MSG(test,
					      zalloc_alloc(za, badinput_huge[i],
							   align, GFP_KERNEL),
					      "len %zx align %zu",
					      badinput_huge[i], align);
			KUNIT_EXPECT_NULL(test,
					  zalloc_realloc(za, NULL, 0, align,
							 badinput_huge[i],
							 GFP_KERNEL));
		}
	}
	/* Past the helpers' limit nothing reaches the allocator. */
	KUNIT_EXPECT_EQ(test, v->allocs, 0);
	badinput_still_works(v);
}

struct badinput_three {
	u8 b[3];
};

static void badinput_array_overflow(struct kunit *test)
{
	struct zalloc_validator *v = badinput_setup(test);
	const struct zalloc *za = &v->za;
	unsigned long calls = v->calls;
	u32 *p;

	KUNIT_EXPECT_NULL(test, zalloc_array(za, u64, SIZE_MAX / 4, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zalloc_array(za, u64, SIZE_MAX / 8 + 1,
					     GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zalloc_array(za, struct badinput_three,
					     SIZE_MAX / 2, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, v->calls, calls);

	p = zalloc_array(za, u32, 16, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	zalloc_test_fill((u8 *)p, 16 * sizeof(*p), 3);
	calls = v->calls;
	KUNIT_EXPECT_NULL(test, zalloc_array_realloc(za, p, 16, SIZE_MAX / 2,
						     GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zalloc_array_realloc(za, p, SIZE_MAX / 2, 32,
						     GFP_KERNEL));
	zalloc_array_free(za, p, SIZE_MAX / 2);
	KUNIT_EXPECT_EQ(test, v->calls, calls);
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled((u8 *)p, 16 * sizeof(*p), 3));
	zalloc_array_free(za, p, 16);
	badinput_still_works(v);
}

static void badinput_bad_alignment(struct kunit *test)
{
	static const size_t huge_align[] = {
		1UL << 63, 1UL << 62, 1UL << 40,
		PAGE_SIZE << (MAX_PAGE_ORDER + 1),
	};
	struct zalloc_validator *v = badinput_setup(test);
	const struct zalloc *za = &v->za;
	unsigned long calls = v->calls;
	size_t i;
	u8 *p;

	for (i = 0; i < ARRAY_SIZE(badinput_npot); i++) {
		KUNIT_EXPECT_NULL(test, zalloc_alloc(za, 64, badinput_npot[i],
						     GFP_KERNEL));
		KUNIT_EXPECT_NULL(test, zalloc_realloc(za, NULL, 0,
						       badinput_npot[i], 64,
						       GFP_KERNEL));
	}
	KUNIT_EXPECT_EQ(test, v->calls, calls);

	/* A real block passed with a bad alignment: refused, unchanged. */
	p = zalloc_alloc(za, 64, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	zalloc_test_fill(p, 64, 9);
	calls = v->calls;
	for (i = 0; i < ARRAY_SIZE(badinput_npot); i++) {
		KUNIT_EXPECT_FALSE(test, zalloc_resize(za, p, 64,
						       badinput_npot[i], 32,
						       GFP_KERNEL));
		KUNIT_EXPECT_NULL(test, zalloc_remap(za, p, 64,
						     badinput_npot[i], 128,
						     GFP_KERNEL));
		KUNIT_EXPECT_NULL(test, zalloc_realloc(za, p, 64,
						       badinput_npot[i], 128,
						       GFP_KERNEL));
		zalloc_free(za, p, 64, badinput_npot[i]);
	}
	KUNIT_EXPECT_EQ(test, v->calls, calls);
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(p, 64, 9));
	zalloc_free(za, p, 64, 8);

	/*
	 * Powers of two too large to honour: NULL, quietly.  The last one, one
	 * order above the largest buddy block, is out of reach of the page and
	 * kmalloc allocators (their suites check it is refused) but not of an
	 * allocator carving a buffer that happens to contain such an address
	 * (a 6.4 MB fixed buffer, an arena): there it may be served, and the
	 * validator fails the test if the block is misaligned.
	 */
	for (i = 0; i < ARRAY_SIZE(huge_align); i++) {
		p = zalloc_alloc(za, 64, huge_align[i], GFP_KERNEL);
		if (i < ARRAY_SIZE(huge_align) - 1)
			KUNIT_EXPECT_NULL_MSG(test, p, "align %zx",
					      huge_align[i]);
		if (p)
			zalloc_free(za, p, 64, huge_align[i]);
	}
	badinput_still_works(v);
}

static void badinput_free_null(struct kunit *test)
{
	struct zalloc_validator *v = badinput_setup(test);
	const struct zalloc *za = &v->za;
	unsigned long calls = v->calls;

	zalloc_free(za, NULL, 64, 8);
	zalloc_free(za, NULL, 0, 1);
	zalloc_delete(za, (u64 *)NULL);
	zalloc_array_free(za, (u32 *)NULL, 10);
	KUNIT_EXPECT_FALSE(test, zalloc_resize(za, NULL, 10, 8, 20, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zalloc_remap(za, NULL, 10, 8, 20, GFP_KERNEL));
	KUNIT_EXPECT_PTR_EQ(test, zalloc_realloc(za, NULL, 10, 8, 0, GFP_KERNEL),
			    ZERO_SIZE_PTR);
	KUNIT_EXPECT_EQ(test, v->calls, calls);
	badinput_still_works(v);
}

static void badinput_resize_to_zero(struct kunit *test)
{
	struct zalloc_validator *v = badinput_setup(test);
	const struct zalloc *za = &v->za;
	u8 *p;

	p = zalloc_alloc(za, 100, 16, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, zalloc_resize(za, p, 100, 16, 0, GFP_KERNEL));
	p = zalloc_alloc(za, 100, 16, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_PTR_EQ(test, zalloc_remap(za, p, 100, 16, 0, GFP_KERNEL),
			    ZERO_SIZE_PTR);
	p = zalloc_alloc(za, 100, 16, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_PTR_EQ(test, zalloc_realloc(za, p, 100, 16, 0, GFP_KERNEL),
			    ZERO_SIZE_PTR);
	/* Each of the three freed the block. */
	KUNIT_EXPECT_EQ(test, v->frees, 3);
	badinput_still_works(v);
}

static void badinput_resize_to_huge(struct kunit *test)
{
	struct zalloc_validator *v = badinput_setup(test);
	const struct zalloc *za = &v->za;
	size_t i, n;
	u8 *p;

	p = zalloc_alloc(za, 100, 16, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	zalloc_test_fill(p, 100, 5);
	for (i = 0; i < ARRAY_SIZE(badinput_huge); i++) {
		n = badinput_huge[i];
		KUNIT_EXPECT_FALSE_MSG(test, zalloc_resize(za, p, 100, 16, n,
							   GFP_KERNEL),
				       "resize to %zx", n);
		KUNIT_EXPECT_NULL_MSG(test, zalloc_remap(za, p, 100, 16, n,
							 GFP_KERNEL),
				      "remap to %zx", n);
		KUNIT_EXPECT_NULL_MSG(test, zalloc_realloc(za, p, 100, 16, n,
							   GFP_KERNEL),
				      "realloc to %zx", n);
	}
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(p, 100, 5));
	zalloc_free(za, p, 100, 16);
	badinput_still_works(v);
}

/*
 * Allocator-specific misuse.  Add an entry for each misuse your allocator
 * documents as harmless (its error value, no splat); the case runs @run on
 * the allocator @get returns, then T1..T4 on the same instance.
 */
struct zalloc_badinput_misuse {
	const char *name;
	const struct zalloc *(*get)(struct kunit *test);
	void (*run)(struct kunit *test, const struct zalloc *a);
};

static const struct zalloc *misuse_page(struct kunit *test)
{
	return &zalloc_page_allocator;
}

static const struct zalloc *misuse_kmalloc(struct kunit *test)
{
	return &zalloc_kmalloc_allocator;
}

static void page_align_beyond_buddy(struct kunit *test, const struct zalloc *a)
{
	KUNIT_EXPECT_NULL(test, zalloc_alloc(a, 100,
					     PAGE_SIZE << (MAX_PAGE_ORDER + 1),
					     GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zalloc_alloc(a, PAGE_SIZE << MAX_PAGE_ORDER,
					     PAGE_SIZE << (MAX_PAGE_ORDER + 2),
					     GFP_KERNEL));
}

static void page_atomic_beyond_buddy(struct kunit *test,
				     const struct zalloc *a)
{
	KUNIT_EXPECT_NULL(test, zalloc_alloc(a, (PAGE_SIZE << MAX_PAGE_ORDER) + 1,
					     1, GFP_ATOMIC));
	KUNIT_EXPECT_NULL(test, zalloc_alloc(a, 1UL << 40, 1, GFP_NOWAIT));
}

/* vmalloc() warns with a stack dump for this; the page allocator must not. */
static void page_more_than_ram(struct kunit *test, const struct zalloc *a)
{
	size_t len = (totalram_pages() + 1) << PAGE_SHIFT;
	u8 *p;

	KUNIT_EXPECT_NULL(test, zalloc_alloc(a, len, 1, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zalloc_alloc(a, len + 1, PAGE_SIZE, GFP_KERNEL));
	p = zalloc_alloc(a, PAGE_SIZE, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_NULL(test, zalloc_realloc(a, p, PAGE_SIZE, 1, len,
					       GFP_KERNEL));
	zalloc_free(a, p, PAGE_SIZE, 1);
}

static void kmalloc_align_past_max(struct kunit *test, const struct zalloc *a)
{
	u8 *p;

	KUNIT_EXPECT_NULL(test, zalloc_alloc(a, KMALLOC_MAX_SIZE - 1,
					     KMALLOC_MAX_SIZE * 2, GFP_KERNEL));
	p = zalloc_alloc(a, 10, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	zalloc_test_fill(p, 10, 1);
	KUNIT_EXPECT_NULL(test, zalloc_remap(a, p, 10, 64, KMALLOC_MAX_SIZE + 1,
					     GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zalloc_realloc(a, p, 10, 64,
					       KMALLOC_MAX_SIZE + 1,
					       GFP_KERNEL));
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(p, 10, 1));
	zalloc_free(a, p, 10, 64);
}

static void kmalloc_resize_past_ksize(struct kunit *test,
				      const struct zalloc *a)
{
	u8 *p = zalloc_alloc(a, 10, 8, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	zalloc_test_fill(p, 10, 2);
	KUNIT_EXPECT_FALSE(test, zalloc_resize(a, p, 10, 8, ksize(p) + 1,
					       GFP_KERNEL));
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(p, 10, 2));
	zalloc_free(a, p, 10, 8);
}

static const struct zalloc_badinput_misuse zalloc_badinput_misuses[] = {
	{ "page_align_beyond_buddy", misuse_page, page_align_beyond_buddy },
	{ "page_atomic_beyond_buddy", misuse_page, page_atomic_beyond_buddy },
	{ "page_more_than_ram", misuse_page, page_more_than_ram },
	{ "kmalloc_align_past_max", misuse_kmalloc, kmalloc_align_past_max },
	{ "kmalloc_resize_past_ksize", misuse_kmalloc,
	  kmalloc_resize_past_ksize },
};

static void misuse_desc(const struct zalloc_badinput_misuse *m, char *desc)
{
	strscpy(desc, m->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(misuse, zalloc_badinput_misuses, misuse_desc);

static void badinput_misuse(struct kunit *test)
{
	const struct zalloc_badinput_misuse *m = test->param_value;
	const struct zalloc *a = m->get(test);
	struct zalloc_validator *v;

	KUNIT_ASSERT_NOT_NULL(test, a);
	v = zalloc_test_validator(test, a);
	m->run(test, &v->za);
	badinput_still_works(v);
}

static struct kunit_case zalloc_badinput_cases[] = {
	KUNIT_CASE_PARAM(badinput_zero_length, zalloc_test_gen_allocators),
	KUNIT_CASE_PARAM(badinput_huge_length, zalloc_test_gen_allocators),
	KUNIT_CASE_PARAM(badinput_array_overflow, zalloc_test_gen_allocators),
	KUNIT_CASE_PARAM(badinput_bad_alignment, zalloc_test_gen_allocators),
	KUNIT_CASE_PARAM(badinput_free_null, zalloc_test_gen_allocators),
	KUNIT_CASE_PARAM(badinput_resize_to_zero, zalloc_test_gen_allocators),
	KUNIT_CASE_PARAM(badinput_resize_to_huge, zalloc_test_gen_allocators),
	KUNIT_CASE_PARAM(badinput_misuse, misuse_gen_params),
	{}
};

static struct kunit_suite zalloc_badinput_suite = {
	.name = "zalloc_badinput",
	.test_cases = zalloc_badinput_cases,
};

kunit_test_suites(&zalloc_badinput_suite);
