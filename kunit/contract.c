// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc_contract: Zig's four generic heap tests (testAllocator,
 * testAllocatorAligned, testAllocatorLargeAlignment,
 * testAllocatorAlignedShrink; std/heap.zig) run over every zalloc allocator,
 * each through the validating wrapper, each ending with the wrapper's live
 * counts back at zero.
 *
 * To add an allocator, add a getter to zalloc_contract_allocators[].
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <zalloc/kmalloc.h>
#include <zalloc/page.h>
#include <zalloc/sbrk.h>
#include <zalloc/smp.h>

#include "zalloc_kunit.h"

static const struct zalloc *contract_page(struct kunit *test)
{
	return &zalloc_page_allocator;
}

static const struct zalloc *contract_kmalloc(struct kunit *test)
{
	return &zalloc_kmalloc_allocator;
}

static const struct zalloc *contract_smp(struct kunit *test)
{
	return &zalloc_smp_allocator;
}

static void contract_smp_destroy(void *smp)
{
	zalloc_smp_destroy(smp);
}

static const struct zalloc *contract_smp_private(struct kunit *test)
{
	struct zalloc_smp *smp = zalloc_smp_create("kunit-contract-smp");

	if (!smp || kunit_add_action_or_reset(test, contract_smp_destroy, smp))
		return NULL;
	return zalloc_smp_zalloc(smp);
}

static const struct zalloc *contract_sbrk(struct kunit *test)
{
	return &zalloc_sbrk_allocator;
}

static void contract_sbrk_destroy(void *sb)
{
	zalloc_sbrk_destroy(sb);
}

static const struct zalloc *contract_sbrk_region(struct kunit *test)
{
	struct zalloc_sbrk *sb;

	sb = zalloc_sbrk_create("kunit-contract-sbrk",
				zalloc_sbrk_region_create(SZ_8M));
	if (!sb || kunit_add_action_or_reset(test, contract_sbrk_destroy, sb))
		return NULL;
	return zalloc_sbrk_zalloc(sb);
}

static const struct zalloc_test_allocator zalloc_contract_allocators[] = {
	{ "page",	contract_page },
	{ "kmalloc",	contract_kmalloc },
	{ "smp",	contract_smp },
	{ "smp_private", contract_smp_private },
	{ "sbrk_pages",	contract_sbrk },
	{ "sbrk_region", contract_sbrk_region },
};

static void contract_desc(const struct zalloc_test_allocator *t, char *desc)
{
	strscpy(desc, t->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(contract, zalloc_contract_allocators, contract_desc);

static struct zalloc_validator *contract_setup(struct kunit *test)
{
	const struct zalloc_test_allocator *t = test->param_value;

	return zalloc_test_validator(test, t->get(test));
}

/* Zig's zero-sized type: create/destroy must not reach the allocator. */
struct contract_empty {
};

/* T1: testAllocator. */
static void contract_basic(struct kunit *test)
{
	struct zalloc_validator *v = contract_setup(test);
	const struct zalloc *a = &v->za;
	struct contract_empty *e;
	unsigned long calls;
	size_t n = 100, i;
	int **slice, **grown;
	u32 *big;
	u8 *none;

	slice = zalloc_array(a, int *, n, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, slice);
	for (i = 0; i < n; i++) {
		slice[i] = zalloc_new(a, int, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, slice[i]);
		*slice[i] = i;
	}

	grown = zalloc_array_realloc(a, slice, n, 20000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, grown);
	slice = grown;
	n = 20000;
	for (i = 0; i < 100; i++) {
		KUNIT_EXPECT_EQ(test, *slice[i], (int)i);
		zalloc_delete(a, slice[i]);
	}

	if (zalloc_resize(a, slice, n * sizeof(*slice), __alignof__(*slice),
			  50 * sizeof(*slice), GFP_KERNEL)) {
		n = 50;
		if (zalloc_resize(a, slice, n * sizeof(*slice),
				  __alignof__(*slice), 25 * sizeof(*slice),
				  GFP_KERNEL))
			n = 25;
		KUNIT_EXPECT_TRUE(test,
				  zalloc_resize(a, slice, n * sizeof(*slice),
						__alignof__(*slice), 0,
						GFP_KERNEL));
		slice = NULL;
		n = 0;
		slice = zalloc_array_realloc(a, slice, n, 10, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, slice);
		n = 10;
	}
	zalloc_array_free(a, slice, n);

	/* Zero length and zero-sized types: no allocator traffic at all. */
	calls = v->calls;
	none = zalloc_array(a, u8, 0, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, (void *)none, ZERO_SIZE_PTR);
	zalloc_array_free(a, none, 0);
	e = zalloc_new(a, struct contract_empty, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, (void *)e, ZERO_SIZE_PTR);
	zalloc_delete(a, e);
	KUNIT_EXPECT_EQ(test, v->calls, calls);

	big = zalloc_array(a, u32, 5, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, big);
	for (i = 0; i < 5; i++)
		big[i] = 0xdeadbeef;
	for (i = 0; i < 5; i++)
		KUNIT_EXPECT_EQ(test, big[i], 0xdeadbeef);
	zalloc_array_free(a, big, 5);

	zalloc_test_expect_balanced(v);
}

/* T2: testAllocatorAligned, alignments 1..64. */
static void contract_aligned(struct kunit *test)
{
	struct zalloc_validator *v = contract_setup(test);
	const struct zalloc *a = &v->za;
	size_t align, len;
	u8 *s;

	for (align = 1; align <= 64; align <<= 1) {
		s = zalloc_alloc(a, 10, align, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, s);
		memset(s, 0x5a, 10);
		s = zalloc_realloc(a, s, 10, align, 100, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, s);
		KUNIT_EXPECT_EQ(test, s[9], 0x5a);
		len = 100;
		if (zalloc_resize(a, s, len, align, 10, GFP_KERNEL))
			len = 10;
		KUNIT_EXPECT_TRUE(test, zalloc_resize(a, s, len, align, 0,
						      GFP_KERNEL));

		s = zalloc_realloc(a, NULL, 0, align, 100, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, s);
		KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)s, align));
		len = 100;
		if (zalloc_resize(a, s, len, align, 10, GFP_KERNEL))
			len = 10;
		KUNIT_EXPECT_TRUE(test, zalloc_resize(a, s, len, align, 0,
						      GFP_KERNEL));
	}
	zalloc_test_expect_balanced(v);
}

/* T3: testAllocatorLargeAlignment, half a page. */
static void contract_large_alignment(struct kunit *test)
{
	struct zalloc_validator *v = contract_setup(test);
	const struct zalloc *a = &v->za;
	const size_t align = PAGE_SIZE / 2;
	size_t len = 500;
	u8 *s;

	s = zalloc_alloc(a, len, align, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)s, align));
	if (zalloc_resize(a, s, len, align, 100, GFP_KERNEL))
		len = 100;
	s[0] = 0x11;

	s = zalloc_realloc(a, s, len, align, 5000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	len = 5000;
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)s, align));
	KUNIT_EXPECT_EQ(test, s[0], 0x11);
	if (zalloc_resize(a, s, len, align, 10, GFP_KERNEL))
		len = 10;

	s = zalloc_realloc(a, s, len, align, 20000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	len = 20000;
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)s, align));
	KUNIT_EXPECT_EQ(test, s[0], 0x11);
	zalloc_free(a, s, len, align);
	zalloc_test_expect_balanced(v);
}

#define SHRINK_MAX_TRIES	64

/*
 * T4: testAllocatorAlignedShrink.  Find a block that is not aligned to 32
 * pages (so a shrink cannot succeed by accident of over-alignment), shrink
 * it with realloc and check its contents survived.
 */
static void contract_aligned_shrink(struct kunit *test)
{
	struct zalloc_validator *v = contract_setup(test);
	const struct zalloc *a = &v->za;
	const size_t len = PAGE_SIZE * 2 + 50;
	void **held;
	int nheld = 0;
	u8 *s;

	held = kunit_kcalloc(test, SHRINK_MAX_TRIES, sizeof(*held), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, held);
	s = zalloc_alloc(a, len, 16, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	while (IS_ALIGNED((unsigned long)s, PAGE_SIZE * 32) &&
	       nheld < SHRINK_MAX_TRIES) {
		held[nheld++] = s;
		s = zalloc_alloc(a, len, 16, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, s);
	}
	while (nheld)
		zalloc_free(a, held[--nheld], len, 16);
	KUNIT_EXPECT_FALSE(test, IS_ALIGNED((unsigned long)s, PAGE_SIZE * 32));

	s[0] = 0x12;
	s[60] = 0x34;
	s = zalloc_realloc(a, s, len, 16, len / 2, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_EXPECT_EQ(test, s[0], 0x12);
	KUNIT_EXPECT_EQ(test, s[60], 0x34);
	zalloc_free(a, s, len / 2, 16);
	zalloc_test_expect_balanced(v);
}

static struct kunit_case zalloc_contract_cases[] = {
	KUNIT_CASE_PARAM(contract_basic, contract_gen_params),
	KUNIT_CASE_PARAM(contract_aligned, contract_gen_params),
	KUNIT_CASE_PARAM(contract_large_alignment, contract_gen_params),
	KUNIT_CASE_PARAM(contract_aligned_shrink, contract_gen_params),
	{}
};

static struct kunit_suite zalloc_contract_suite = {
	.name = "zalloc_contract",
	.test_cases = zalloc_contract_cases,
};

kunit_test_suites(&zalloc_contract_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit suites for zalloc");
MODULE_IMPORT_NS(ZALLOC_NS);
