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

static const struct zalloc *contract_page(struct kunit *test)
{
	return &zalloc_page_allocator;
}

static const struct zalloc *contract_kmalloc(struct kunit *test)
{
	return &zalloc_kmalloc_allocator;
}

static struct zalloc_instance *contract_page_inst(const struct zalloc *a)
{
	return zalloc_page_instance();
}

static struct zalloc_instance *contract_kmalloc_inst(const struct zalloc *a)
{
	return zalloc_kmalloc_instance();
}

/* Debug mode (include/zalloc/debug.h) with an allocator's rules. */
struct contract_debug {
	struct kunit *test;
	struct zalloc_debug d;
	struct zalloc_instance inst;
};

static void contract_debug_destroy(void *data)
{
	struct contract_debug *c = data;
	unsigned long reports = 0;
	int i;

	/* Nothing the suites do through the helpers is misuse. */
	for (i = 0; i < NR_ZALLOC_DEBUG_REPORTS; i++)
		reports += zalloc_debug_reports(&c->d, i);
	KUNIT_EXPECT_EQ(c->test, reports, 0);
	KUNIT_EXPECT_EQ(c->test, zalloc_debug_destroy(&c->d), 0);
	zalloc_instance_destroy(&c->inst);
}

static const struct zalloc *contract_debug(struct kunit *test,
					   const char *name,
					   const struct zalloc_debug_sem *sem)
{
	struct contract_debug *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	if (!c || zalloc_instance_init(&c->inst, "debug", NULL, GFP_KERNEL))
		return NULL;
	c->test = test;
	zalloc_debug_init(&c->d, name, sem, &c->inst);
	if (kunit_add_action_or_reset(test, contract_debug_destroy, c))
		return NULL;
	return &c->d.za;
}

static const struct zalloc *contract_debug_page(struct kunit *test)
{
	return contract_debug(test, "debug-page", &zalloc_page_debug_sem);
}

static const struct zalloc *contract_debug_kmalloc(struct kunit *test)
{
	return contract_debug(test, "debug-kmalloc", &zalloc_kmalloc_debug_sem);
}

static struct zalloc_instance *contract_debug_inst(const struct zalloc *a)
{
	struct zalloc_debug *d = a->ctx;

	return d->inst;
}

KUNIT_DEFINE_ACTION_WRAPPER(contract_bitmap_destroy, zalloc_bitmap_destroy,
			    struct zalloc_bitmap *);

/*
 * Half-page chunks, so that T3's half-page alignment is natural (the bitmap
 * allocator refuses alignment above its chunk size); 1 MiB holds T1's
 * 100 one-chunk objects plus its 160000-byte array while it is copied.
 */
static const struct zalloc *contract_bitmap_make(struct kunit *test,
						 unsigned int flags)
{
	struct zalloc_bitmap *b;

	b = zalloc_bitmap_create(PAGE_SIZE / 2, SZ_1M, flags, NULL);
	if (IS_ERR(b))
		return NULL;
	if (kunit_add_action_or_reset(test, contract_bitmap_destroy, b))
		return NULL;
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

static struct zalloc_instance *contract_bitmap_inst(const struct zalloc *a)
{
	return &container_of(a, struct zalloc_bitmap, za)->inst;
}

/*
 * Debug-mode blocks above 32 KiB come from kvmalloc(), whose vmalloc
 * fallback must stay out of fault windows (kunit/faults.c): 16 KiB blocks
 * stay below that with any alignment up to a page.
 */
#define CONTRACT_DEBUG_FAULTS_MAX	(16 * 1024)
/* Shadow mode allocates twice a block's length (its room): half as much. */
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

static struct zalloc_fixed *contract_fixed_instance(struct kunit *test)
{
	struct zalloc_fixed *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	void *buf = vmalloc(CONTRACT_FIXED_SIZE);

	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, contract_vfree,
							buf), 0);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_ASSERT_EQ(test, zalloc_fixed_init(f, buf, CONTRACT_FIXED_SIZE,
						NULL, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							contract_fixed_destroy,
							f), 0);
	return f;
}

static const struct zalloc *contract_fixed(struct kunit *test)
{
	return zalloc_fixed_allocator(contract_fixed_instance(test));
}

static const struct zalloc *contract_fixed_ts(struct kunit *test)
{
	return zalloc_fixed_thread_safe_allocator(contract_fixed_instance(test));
}

static const struct zalloc *contract_arena_over(struct kunit *test,
						const struct zalloc *child)
{
	struct zalloc_arena *a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_EQ(test, zalloc_arena_init(a, child, NULL, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							contract_arena_destroy,
							a), 0);
	return zalloc_arena_allocator(a);
}

static const struct zalloc *contract_arena_page(struct kunit *test)
{
	return contract_arena_over(test, &zalloc_page_allocator);
}

static const struct zalloc *contract_arena_kmalloc(struct kunit *test)
{
	return contract_arena_over(test, &zalloc_kmalloc_allocator);
}

struct contract_sf {
	ZALLOC_STACK_FALLBACK(4096) sfa;
};

/* Zig: stackFallback(4096, testing.allocator), a fresh one per test. */
static const struct zalloc *contract_stack_fallback(struct kunit *test)
{
	struct contract_sf *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_EQ(test, zalloc_stack_fallback_init(&s->sfa,
							 &zalloc_kmalloc_allocator,
							 NULL, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							contract_sf_destroy,
							&s->sfa.sf), 0);
	return zalloc_stack_fallback_get(&s->sfa);
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
	struct zalloc_smp *smp = zalloc_smp_create("kunit-contract-smp", 0);

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
				zalloc_sbrk_region_create(SZ_8M), 0);
	if (!sb || kunit_add_action_or_reset(test, contract_sbrk_destroy, sb))
		return NULL;
	return zalloc_sbrk_zalloc(sb);
}

static struct zalloc_instance *contract_smp_inst(const struct zalloc *a)
{
	return zalloc_smp_instance(zalloc_smp_of(a));
}

static struct zalloc_instance *contract_sbrk_inst(const struct zalloc *a)
{
	return zalloc_sbrk_instance(zalloc_sbrk_of(a));
}

/*
 * Debug mode over the instance allocators (shadow mode): nothing the
 * suites do through the helpers is misuse, so no report may be counted.
 */
static void contract_no_reports(struct kunit *test, const struct zalloc *a)
{
	struct zalloc_debug *d = zalloc_debug_of(a);
	unsigned long reports = 0;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, d);
	for (i = 0; i < NR_ZALLOC_DEBUG_REPORTS; i++)
		reports += zalloc_debug_reports(d, i);
	KUNIT_EXPECT_EQ(test, reports, 0);
}

struct contract_shadow {
	struct kunit *test;
	const struct zalloc *za;
	void (*destroy)(void *instance);
	void *instance;
};

static void contract_shadow_destroy(void *data)
{
	struct contract_shadow *c = data;

	contract_no_reports(c->test, c->za);
	c->destroy(c->instance);
}

static const struct zalloc *contract_shadow(struct kunit *test,
					    const struct zalloc *za,
					    void (*destroy)(void *),
					    void *instance)
{
	struct contract_shadow *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	if (!c) {
		destroy(instance);
		return NULL;
	}
	*c = (struct contract_shadow){ test, za, destroy, instance };
	if (kunit_add_action_or_reset(test, contract_shadow_destroy, c))
		return NULL;
	return zalloc_debug_of(za) ? za : NULL;
}

static void contract_bitmap_destroy_any(void *b)
{
	zalloc_bitmap_destroy(b);
}

static const struct zalloc *contract_debug_smp(struct kunit *test)
{
	struct zalloc_smp *smp = zalloc_smp_create(NULL, ZALLOC_F_DEBUG);

	if (!smp)
		return NULL;
	return contract_shadow(test, zalloc_smp_zalloc(smp),
			       contract_smp_destroy, smp);
}

static const struct zalloc *contract_debug_sbrk(struct kunit *test)
{
	struct zalloc_sbrk *sb;

	sb = zalloc_sbrk_create(NULL, zalloc_sbrk_region_create(SZ_8M),
				ZALLOC_F_DEBUG);
	if (!sb)
		return NULL;
	return contract_shadow(test, zalloc_sbrk_zalloc(sb),
			       contract_sbrk_destroy, sb);
}

static const struct zalloc *contract_debug_bitmap(struct kunit *test)
{
	struct zalloc_bitmap *b;

	/* Page chunks: the fault workload aligns blocks to up to a page. */
	b = zalloc_bitmap_create(PAGE_SIZE, SZ_2M,
				 ZALLOC_BITMAP_LOCKED | ZALLOC_F_DEBUG, NULL);
	if (IS_ERR(b))
		return NULL;
	return contract_shadow(test, zalloc_bitmap_allocator(b),
			       contract_bitmap_destroy_any, b);
}

static const struct zalloc_test_allocator zalloc_contract_allocators[] = {
	{ "page",	contract_page,		contract_page_inst },
	{ "kmalloc",	contract_kmalloc,	contract_kmalloc_inst },
	/* The bitmap takes its buffer once, at create: no faults to inject. */
	{ "bitmap",	contract_bitmap,	contract_bitmap_inst,
	  .faults_skip = true },
	{ "bitmap-locked", contract_bitmap_locked, contract_bitmap_inst,
	  .faults_skip = true },
	{ "debug-page",	contract_debug_page,	contract_debug_inst,
	  .faults_max_len = CONTRACT_DEBUG_FAULTS_MAX },
	{ "debug-kmalloc", contract_debug_kmalloc, contract_debug_inst,
	  .faults_max_len = CONTRACT_DEBUG_FAULTS_MAX },
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
	{ "smp",	contract_smp,		contract_smp_inst,
	  .keeps_backing = true, .faults_rare = true },
	{ "smp_private", contract_smp_private,	contract_smp_inst,
	  .keeps_backing = true, .faults_rare = true },
	{ "sbrk_pages",	contract_sbrk,		contract_sbrk_inst,
	  .keeps_backing = true, .faults_rare = true },
	{ "sbrk_region", contract_sbrk_region,	contract_sbrk_inst,
	  .keeps_backing = true, .faults_rare = true },
	/* The same three in debug mode: a shadow allocation per block. */
	{ "debug-smp",	contract_debug_smp,	contract_smp_inst,
	  .keeps_backing = true, .faults_rare = true,
	  .faults_max_len = CONTRACT_SHADOW_FAULTS_MAX },
	{ "debug-sbrk",	contract_debug_sbrk,	contract_sbrk_inst,
	  .keeps_backing = true, .faults_rare = true,
	  .faults_max_len = CONTRACT_SHADOW_FAULTS_MAX },
	{ "debug-bitmap", contract_debug_bitmap, contract_bitmap_inst,
	  .faults_max_len = CONTRACT_SHADOW_FAULTS_MAX },
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

static struct kunit_case zalloc_contract_cases[] = {
	KUNIT_CASE_PARAM(contract_basic, zalloc_test_gen_allocators),
	KUNIT_CASE_PARAM(contract_aligned, zalloc_test_gen_allocators),
	KUNIT_CASE_PARAM(contract_large_alignment, zalloc_test_gen_allocators),
	KUNIT_CASE_PARAM(contract_aligned_shrink, zalloc_test_gen_allocators),
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
