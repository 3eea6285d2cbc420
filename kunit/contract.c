// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc_contract: Zig's four generic heap tests (testAllocator,
 * testAllocatorAligned, testAllocatorLargeAlignment,
 * testAllocatorAlignedShrink; std/heap.zig) run over every zalloc allocator,
 * each through the validating wrapper, each ending with the wrapper's live
 * counts back at zero.
 *
 * To add an allocator, add a getter to zalloc_contract_allocators[]: the
 * zalloc_badinput and zalloc_faults suites run over the same table (through
 * zalloc_test_gen_allocators()), and call T1..T4 through
 * zalloc_contract_all() to show an allocator still works after misuse or
 * faults.
 */
#include <kunit/test.h>
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/vmalloc.h>
#include <zalloc/arena.h>
#include <zalloc/bitmap.h>
#include <zalloc/debug.h>
#include <zalloc/fixed.h>
#include <zalloc/kmalloc.h>
#include <zalloc/page.h>
#include <zalloc/registry.h>
#include <zalloc/sbrk.h>
#include <zalloc/smp.h>
#include <zalloc/stack_fallback.h>

#include "zalloc_kunit.h"

/*
 * ======================================================================
 * The allocators every generic suite runs over
 * ======================================================================
 */

static const struct zalloc *contract_page(struct kunit *test)
{
	return &zalloc_page_allocator;
}

static const struct zalloc *contract_kmalloc(struct kunit *test)
{
	return &zalloc_kmalloc_allocator;
}

/*
 * Debug mode (include/zalloc/debug.h): nothing the suites do through the
 * helpers is misuse, so no report may be counted by the time the instance
 * goes.
 */
struct contract_debug {
	struct kunit *test;
	const struct zalloc *za;
};

static void contract_no_reports(void *data)
{
	struct contract_debug *c = data;
	unsigned long reports = 0;
	int i;

	for (i = 0; i < NR_ZALLOC_DEBUG_REPORTS; i++)
		reports += zalloc_debug_reports(c->za, i);
	KUNIT_EXPECT_EQ(c->test, reports, 0);
}

/*
 * @za, set up with ZALLOC_F_DEBUG and its teardown registered: check it is
 * in debug mode, and register the reports check, which runs first.
 */
static const struct zalloc *contract_debug(struct kunit *test,
					   const struct zalloc *za)
{
	struct contract_debug *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->test = test;
	c->za = za;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							contract_no_reports, c),
			0);
	KUNIT_ASSERT_TRUE(test, zalloc_debug_enabled(za));
	return za;
}

KUNIT_DEFINE_ACTION_WRAPPER(contract_bitmap_destroy, zalloc_bitmap_destroy,
			    struct zalloc_bitmap *);

/*
 * Half-page chunks, so that T3's half-page alignment is natural (the bitmap
 * allocator refuses alignment above its chunk size); 1 MiB holds T1's
 * 100 one-chunk objects plus its 160000-byte array while it is copied.
 * Page chunks in debug mode: the fault workload aligns blocks to a page.
 */
static const struct zalloc *contract_bitmap_make(struct kunit *test,
						 unsigned int flags)
{
	bool debug = flags & ZALLOC_F_DEBUG;
	struct zalloc_bitmap *b;

	b = zalloc_bitmap_create(debug ? PAGE_SIZE : PAGE_SIZE / 2,
				 debug ? SZ_2M : SZ_1M, flags, NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, b);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							contract_bitmap_destroy,
							b), 0);
	if (debug)
		return contract_debug(test, zalloc_bitmap_allocator(b));
	return zalloc_bitmap_allocator(b);
}

static const struct zalloc *contract_bitmap(struct kunit *test)
{
	return contract_bitmap_make(test, 0);
}

static const struct zalloc *contract_bitmap_locked(struct kunit *test)
{
	return contract_bitmap_make(test, ZALLOC_BITMAP_LOCKED);
}

static const struct zalloc *contract_debug_bitmap(struct kunit *test)
{
	return contract_bitmap_make(test, ZALLOC_BITMAP_LOCKED |
					  ZALLOC_F_DEBUG);
}

/*
 * Debug-mode blocks come from kmalloc(), and from kvmalloc() above
 * 32 KiB, whose vmalloc fallback must stay out of fault windows
 * (kunit/faults.c): a shadow takes twice a block's length (its room), so
 * 8 KiB blocks stay below that with any alignment up to a page.
 */
#define CONTRACT_SHADOW_FAULTS_MAX	(8 * 1024)

KUNIT_DEFINE_ACTION_WRAPPER(contract_vfree, vfree, const void *);
KUNIT_DEFINE_ACTION_WRAPPER(contract_fixed_destroy, zalloc_fixed_destroy,
			    struct zalloc_fixed *);
KUNIT_DEFINE_ACTION_WRAPPER(contract_arena_destroy, zalloc_arena_destroy,
			    struct zalloc_arena *);
KUNIT_DEFINE_ACTION_WRAPPER(contract_sf_destroy,
			    __zalloc_stack_fallback_destroy,
			    struct zalloc_stack_fallback *);

/* Zig runs T1..T4 on FixedBufferAllocator over 800000 * 8 bytes. */
#define CONTRACT_FIXED_SIZE	(800000 * 8)
/* The largest alignment zalloc_badinput asks for that a buffer may serve. */
#define CONTRACT_FIXED_ALIGN	(PAGE_SIZE << (MAX_PAGE_ORDER + 1))

/*
 * The buffer, inside @mem of twice its size: starting at an address
 * aligned to CONTRACT_FIXED_ALIGN, or holding none.  A bump allocator never
 * gets back the padding in front of a block, so a block at that alignment
 * served from the middle of the buffer (zalloc_badinput's last probe)
 * could leave too little of it for the T1..T4 that follow; how much
 * depended on where vmalloc() put the buffer.
 */
static void *contract_fixed_buffer(void *mem)
{
	unsigned long start = (unsigned long)mem;
	unsigned long at = ALIGN(start, CONTRACT_FIXED_ALIGN);

	return at - start <= CONTRACT_FIXED_SIZE ? (void *)at : mem;
}

static struct zalloc_fixed *contract_fixed_instance(struct kunit *test,
						    unsigned int flags)
{
	struct zalloc_fixed *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	void *mem = vmalloc(2 * CONTRACT_FIXED_SIZE), *buf;

	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, contract_vfree,
							mem), 0);
	KUNIT_ASSERT_NOT_NULL(test, mem);
	KUNIT_ASSERT_NOT_NULL(test, f);
	buf = contract_fixed_buffer(mem);
	KUNIT_ASSERT_EQ(test, zalloc_fixed_init(f, buf, CONTRACT_FIXED_SIZE,
						NULL, flags, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							contract_fixed_destroy,
							f), 0);
	return f;
}

static const struct zalloc *contract_fixed(struct kunit *test)
{
	return zalloc_fixed_allocator(contract_fixed_instance(test, 0));
}

static const struct zalloc *contract_fixed_ts(struct kunit *test)
{
	return zalloc_fixed_thread_safe_allocator(contract_fixed_instance(test,
									  0));
}

static const struct zalloc *contract_debug_fixed(struct kunit *test)
{
	struct zalloc_fixed *f = contract_fixed_instance(test, ZALLOC_F_DEBUG);

	return contract_debug(test, zalloc_fixed_allocator(f));
}

static const struct zalloc *contract_arena_over(struct kunit *test,
						const struct zalloc *child,
						unsigned int flags)
{
	struct zalloc_arena *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_EQ(test, zalloc_arena_init(a, child, NULL, flags,
						GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							contract_arena_destroy,
							a), 0);
	return zalloc_arena_allocator(a);
}

static const struct zalloc *contract_arena_page(struct kunit *test)
{
	return contract_arena_over(test, &zalloc_page_allocator, 0);
}

static const struct zalloc *contract_arena_kmalloc(struct kunit *test)
{
	return contract_arena_over(test, &zalloc_kmalloc_allocator, 0);
}

static const struct zalloc *contract_debug_arena(struct kunit *test)
{
	return contract_debug(test,
			      contract_arena_over(test,
						  &zalloc_kmalloc_allocator,
						  ZALLOC_F_DEBUG));
}

struct contract_sf {
	ZALLOC_STACK_FALLBACK(4096) sfa;
};

/* Zig: stackFallback(4096, testing.allocator), a fresh one per test. */
static const struct zalloc *contract_sf_make(struct kunit *test,
					     unsigned int flags)
{
	struct contract_sf *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_EQ(test, zalloc_stack_fallback_init(&s->sfa,
							 &zalloc_kmalloc_allocator,
							 NULL, flags,
							 GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							contract_sf_destroy,
							&s->sfa.sf), 0);
	return zalloc_stack_fallback_get(&s->sfa);
}

static const struct zalloc *contract_stack_fallback(struct kunit *test)
{
	return contract_sf_make(test, 0);
}

static const struct zalloc *contract_debug_stack_fallback(struct kunit *test)
{
	return contract_debug(test, contract_sf_make(test, ZALLOC_F_DEBUG));
}

static const struct zalloc *contract_smp(struct kunit *test)
{
	return &zalloc_smp_allocator;
}

static const struct zalloc *contract_smp_private(struct kunit *test)
{
	return zalloc_test_adopt(test, zalloc_smp_create("kunit-contract-smp",
							 0));
}

static const struct zalloc *contract_debug_smp(struct kunit *test)
{
	return contract_debug(test,
			      zalloc_test_adopt(test,
						zalloc_smp_create(NULL,
								  ZALLOC_F_DEBUG)));
}

static const struct zalloc *contract_sbrk(struct kunit *test)
{
	return &zalloc_sbrk_allocator;
}

static const struct zalloc *contract_sbrk_region_make(struct kunit *test,
						      const char *name,
						      unsigned int flags)
{
	return zalloc_test_adopt(test,
				 zalloc_sbrk_create(name,
						    zalloc_sbrk_region_create(SZ_8M),
						    flags));
}

static const struct zalloc *contract_sbrk_region(struct kunit *test)
{
	return contract_sbrk_region_make(test, "kunit-contract-sbrk", 0);
}

static const struct zalloc *contract_debug_sbrk(struct kunit *test)
{
	return contract_debug(test,
			      contract_sbrk_region_make(test, NULL,
							ZALLOC_F_DEBUG));
}

static const struct zalloc_test_allocator zalloc_contract_allocators[] = {
	/* The globals: in debug mode with zalloc.debug=1. */
	{ "page",	contract_page },
	{ "kmalloc",	contract_kmalloc },
	/* The bitmap takes its buffer once, at create: no faults to inject. */
	{ "bitmap",	contract_bitmap,	.faults_skip = true },
	{ "bitmap-locked", contract_bitmap_locked, .faults_skip = true },
	/*
	 * Callers serialise all but fixed_thread_safe, so no suite shares them
	 * between threads; fixed buffers make no kernel allocation to fail,
	 * nor does the stack fallback while its buffer has room.
	 */
	{ "fixed",		contract_fixed,		.faults_skip = true,
	  .serial = true },
	{ "fixed_thread_safe",	contract_fixed_ts,	.faults_skip = true },
	{ "arena_page",		contract_arena_page,	.keeps_backing = true,
	  .faults_rare = true, .serial = true },
	{ "arena_kmalloc",	contract_arena_kmalloc,	.keeps_backing = true,
	  .faults_rare = true, .serial = true },
	{ "stack_fallback_kmalloc", contract_stack_fallback,
	  .faults_skip = true, .serial = true },
	/*
	 * Size-class allocators take backing memory a slab or big page at a
	 * time and keep some of it cached (smp) or all of it (sbrk) until
	 * destroy, so the random fault workload may not reach the kernel.
	 */
	{ "smp",	contract_smp,		.keeps_backing = true,
	  .faults_rare = true },
	{ "smp_private", contract_smp_private,	.keeps_backing = true,
	  .faults_rare = true },
	{ "sbrk_pages",	contract_sbrk,		.keeps_backing = true,
	  .faults_rare = true },
	{ "sbrk_region", contract_sbrk_region,	.keeps_backing = true,
	  .faults_rare = true },
	/*
	 * Instances in debug mode (ZALLOC_F_DEBUG): a shadow allocation per
	 * block, which fault injection can fail, even where the allocator
	 * itself makes no kernel allocation.
	 */
	{ "debug-smp",	contract_debug_smp,	.keeps_backing = true,
	  .faults_rare = true,
	  .faults_max_len = CONTRACT_SHADOW_FAULTS_MAX },
	{ "debug-sbrk",	contract_debug_sbrk,	.keeps_backing = true,
	  .faults_rare = true,
	  .faults_max_len = CONTRACT_SHADOW_FAULTS_MAX },
	{ "debug-bitmap", contract_debug_bitmap,
	  .faults_max_len = CONTRACT_SHADOW_FAULTS_MAX },
	{ "debug-fixed", contract_debug_fixed, .serial = true,
	  .faults_max_len = CONTRACT_SHADOW_FAULTS_MAX },
	{ "debug-arena_kmalloc", contract_debug_arena, .keeps_backing = true,
	  .serial = true, .faults_max_len = CONTRACT_SHADOW_FAULTS_MAX },
	{ "debug-stack_fallback_kmalloc", contract_debug_stack_fallback,
	  .serial = true, .faults_max_len = CONTRACT_SHADOW_FAULTS_MAX },
};

static void contract_desc(const struct zalloc_test_allocator *t, char *desc)
{
	strscpy(desc, t->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(contract, zalloc_contract_allocators, contract_desc);

/*
 * zalloc_test_gen_allocators - KUnit parameter generator over every
 * allocator of zalloc_contract_allocators[]; each parameter is a
 * const struct zalloc_test_allocator *.
 */
const void *zalloc_test_gen_allocators(const void *prev, char *desc)
{
	return contract_gen_params(prev, desc);
}

/*
 * zalloc_test_param - the allocator table entry of a parameterized test
 * case generated by zalloc_test_gen_allocators().
 */
const struct zalloc_test_allocator *zalloc_test_param(struct kunit *test)
{
	return test->param_value;
}

/*
 * zalloc_test_get - set up the allocator of @t for @test; fails (aborts)
 * the test if it cannot be had.
 */
const struct zalloc *zalloc_test_get(struct kunit *test,
				     const struct zalloc_test_allocator *t)
{
	const struct zalloc *a = t->get(test);

	KUNIT_ASSERT_NOT_NULL_MSG(test, a, "no %s allocator", t->name);
	return a;
}

/*
 * ======================================================================
 * T1..T4, and the suite that runs them
 * ======================================================================
 */

/* Zig's zero-sized type: create/destroy must not reach the allocator. */
struct contract_empty {
};

/* T1: testAllocator. */
void zalloc_contract_basic(struct kunit *test, const struct zalloc *child)
{
	struct zalloc_validator *v = zalloc_test_validator(test, child);
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
void zalloc_contract_aligned(struct kunit *test, const struct zalloc *child)
{
	struct zalloc_validator *v = zalloc_test_validator(test, child);
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
void zalloc_contract_large_alignment(struct kunit *test,
				     const struct zalloc *child)
{
	struct zalloc_validator *v = zalloc_test_validator(test, child);
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
void zalloc_contract_aligned_shrink(struct kunit *test,
				    const struct zalloc *child)
{
	struct zalloc_validator *v = zalloc_test_validator(test, child);
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

/*
 * zalloc_contract_all - T1..T4 in a row over @a, each through its own
 * validating wrapper: the "still fully usable" check of the other suites.
 */
void zalloc_contract_all(struct kunit *test, const struct zalloc *a)
{
	zalloc_contract_basic(test, a);
	zalloc_contract_aligned(test, a);
	zalloc_contract_large_alignment(test, a);
	zalloc_contract_aligned_shrink(test, a);
}

static const struct zalloc *contract_get(struct kunit *test)
{
	return zalloc_test_get(test, zalloc_test_param(test));
}

static void contract_basic(struct kunit *test)
{
	zalloc_contract_basic(test, contract_get(test));
}

static void contract_aligned(struct kunit *test)
{
	zalloc_contract_aligned(test, contract_get(test));
}

static void contract_large_alignment(struct kunit *test)
{
	zalloc_contract_large_alignment(test, contract_get(test));
}

static void contract_aligned_shrink(struct kunit *test)
{
	zalloc_contract_aligned_shrink(test, contract_get(test));
}

/*
 * init_on_alloc, the kernel's option that Debian turns on: every block
 * handed out reads zero whichever allocator is behind, a block handed out
 * again (the second round gets the first one's block back from most
 * allocators) included.  The test kernel boots with it; off, the case is
 * skipped.
 */
static void contract_init_on_alloc(struct kunit *test)
{
	static const size_t lens[] = { 16, 64, 200, 4096 };
	const struct zalloc *a = contract_get(test);
	unsigned int i, round;
	u8 *p;

	if (!want_init_on_alloc(GFP_KERNEL))
		kunit_skip(test, "init_on_alloc is off");
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		for (round = 0; round < 2; round++) {
			p = zalloc_alloc(a, lens[i], 8, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, p);
			KUNIT_EXPECT_NULL_MSG(test, memchr_inv(p, 0, lens[i]),
					      "%zu bytes, round %u", lens[i],
					      round);
			memset(p, 0xa5, lens[i]);
			zalloc_free(a, p, lens[i], 8);
		}
	}
}

static struct kunit_case zalloc_contract_cases[] = {
	KUNIT_CASE_PARAM(contract_basic, zalloc_test_gen_allocators),
	KUNIT_CASE_PARAM(contract_aligned, zalloc_test_gen_allocators),
	KUNIT_CASE_PARAM(contract_large_alignment, zalloc_test_gen_allocators),
	KUNIT_CASE_PARAM(contract_aligned_shrink, zalloc_test_gen_allocators),
	KUNIT_CASE_PARAM(contract_init_on_alloc, zalloc_test_gen_allocators),
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
