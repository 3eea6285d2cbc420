// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc_sbrk: the sbrk allocator's own rules, over both shipped break
 * providers.  Every size-class boundary (alignment to the class, resize
 * and remap inside the class, never between small and big), alignments up
 * to 64 KiB and beyond, the fixes to Zig's refill and big-size rounding
 * measured on the break, free-list reuse, refused double and invalid frees,
 * running out of a region, atomic and zeroing allocations, a cross-CPU
 * stress, allocation from hard IRQ, destroy with live blocks, and what the
 * debugfs tables show.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <zalloc/registry.h>
#include <zalloc/sbrk.h>

#include "xcpu.h"
#include "zalloc_kunit.h"

#define SBRK_BIG	ZALLOC_SBRK_BIGPAGE
#define SBRK_MAX_SMALL	ZALLOC_SBRK_MAX_SMALL
#define SBRK_REGION	SZ_16M

struct sbrk_kind {
	const char *name;
	struct zalloc_sbrk_provider *(*make)(void);
};

static struct zalloc_sbrk_provider *sbrk_make_region(void)
{
	return zalloc_sbrk_region_create(SBRK_REGION);
}

static const struct sbrk_kind sbrk_kinds[] = {
	{ "region",	sbrk_make_region },
	{ "pages",	zalloc_sbrk_pages_create },
};

static void sbrk_kind_desc(const struct sbrk_kind *k, char *desc)
{
	strscpy(desc, k->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(sbrk_kind, sbrk_kinds, sbrk_kind_desc);

static void sbrk_test_destroy(void *sb)
{
	zalloc_sbrk_destroy(sb);
}

/* A private instance over @prov, destroyed when the test ends. */
static struct zalloc_sbrk *sbrk_test_create(struct kunit *test,
					    struct zalloc_sbrk_provider *prov)
{
	struct zalloc_sbrk *sb = zalloc_sbrk_create(NULL, prov, 0);

	KUNIT_ASSERT_NOT_NULL(test, sb);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, sbrk_test_destroy, sb));
	return sb;
}

/* Over the test's provider parameter, or a region if it has none. */
static struct zalloc_sbrk *sbrk_test_param(struct kunit *test)
{
	const struct sbrk_kind *k = test->param_value;

	return sbrk_test_create(test, k ? k->make() : sbrk_make_region());
}

static unsigned long sbrk_test_destroy_now(struct kunit *test,
					   struct zalloc_sbrk *sb)
{
	kunit_remove_action(test, sbrk_test_destroy, sb);
	return zalloc_sbrk_destroy(sb);
}

static struct zalloc_sbrk_info sbrk_info(struct zalloc_sbrk *sb)
{
	struct zalloc_sbrk_info info;

	zalloc_sbrk_info(sb, &info);
	return info;
}

static void sbrk_check_small(struct kunit *test, struct zalloc_sbrk *sb,
			     size_t len)
{
	const struct zalloc *a = zalloc_sbrk_zalloc(sb);
	struct zalloc_sbrk_info before = sbrk_info(sb), after;
	size_t cs = roundup_pow_of_two(max_t(size_t, len, 8));
	u8 *p;

	p = zalloc_alloc(a, len, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL_MSG(test, p, "len %zu", len);
	after = sbrk_info(sb);
	KUNIT_EXPECT_EQ_MSG(test, after.live_small, before.live_small + 1,
			    "len %zu not small", len);
	KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED((unsigned long)p, cs),
			      "%p not aligned to its %zu-byte class", p, cs);
	memset(p, 0x5a, len);
	KUNIT_EXPECT_TRUE(test, zalloc_resize(a, p, len, 1, cs, GFP_KERNEL));
	KUNIT_EXPECT_FALSE(test, zalloc_resize(a, p, cs, 1, cs + 1,
					       GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zalloc_remap(a, p, cs, 1, cs + 1, GFP_KERNEL));
	if (cs > 8) {
		KUNIT_EXPECT_FALSE(test, zalloc_resize(a, p, cs, 1, cs / 2,
						       GFP_KERNEL));
		KUNIT_EXPECT_TRUE(test, zalloc_resize(a, p, cs, 1, cs / 2 + 1,
						      GFP_KERNEL));
	} else {
		KUNIT_EXPECT_TRUE(test, zalloc_resize(a, p, cs, 1, 1,
						      GFP_KERNEL));
	}
	KUNIT_EXPECT_PTR_EQ(test, zalloc_remap(a, p, cs > 8 ? cs / 2 + 1 : 1, 1,
					       len, GFP_KERNEL), (void *)p);
	KUNIT_EXPECT_NULL(test, memchr_inv(p, 0x5a, len));
	zalloc_free(a, p, len, 1);
	KUNIT_EXPECT_EQ(test, sbrk_info(sb).live_small, before.live_small);
}

/* 1, then 8, 9, 16, 17, ..., 32768 small and 32769 big. */
static void sbrk_class_boundaries(struct kunit *test)
{
	struct zalloc_sbrk *sb = sbrk_test_param(test);
	const struct zalloc *a = zalloc_sbrk_zalloc(sb);
	struct zalloc_sbrk_info info;
	size_t size;
	u8 *p;

	sbrk_check_small(test, sb, 1);
	for (size = 8; size <= SBRK_MAX_SMALL; size <<= 1) {
		sbrk_check_small(test, sb, size);
		if (size < SBRK_MAX_SMALL)
			sbrk_check_small(test, sb, size + 1);
	}

	p = zalloc_alloc(a, SBRK_MAX_SMALL + 1, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	info = sbrk_info(sb);
	KUNIT_EXPECT_EQ(test, info.live_big, 1);
	KUNIT_EXPECT_EQ(test, info.live_small, 0);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)p, SBRK_BIG));
	memset(p, 0x6b, SBRK_MAX_SMALL + 1);
	/* One big page: up to 64 KiB in place, never back to small. */
	KUNIT_EXPECT_TRUE(test, zalloc_resize(a, p, SBRK_MAX_SMALL + 1, 1,
					      SBRK_BIG, GFP_KERNEL));
	KUNIT_EXPECT_FALSE(test, zalloc_resize(a, p, SBRK_BIG, 1, SBRK_BIG + 1,
					       GFP_KERNEL));
	KUNIT_EXPECT_FALSE(test, zalloc_resize(a, p, SBRK_BIG, 1,
					       SBRK_MAX_SMALL, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zalloc_remap(a, p, SBRK_BIG, 1, 8, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, memchr_inv(p, 0x6b, SBRK_MAX_SMALL + 1));
	zalloc_free(a, p, SBRK_BIG, 1);
	KUNIT_EXPECT_EQ(test, sbrk_info(sb).live_big, 0);
}

/* Alignments 1 B .. 64 KiB, and 1 MiB on the big path. */
static void sbrk_alignments(struct kunit *test)
{
	static const size_t lens[] = { 1, 24, 3000, 40000 };
	struct zalloc_sbrk *sb = sbrk_test_param(test);
	const struct zalloc *a = zalloc_sbrk_zalloc(sb);
	struct zalloc_sbrk_info info;
	size_t align, len;
	unsigned int i;
	u8 *p;

	for (align = 1; align <= SZ_64K; align <<= 1) {
		for (i = 0; i < ARRAY_SIZE(lens); i++) {
			len = lens[i];
			p = zalloc_alloc(a, len, align, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, p);
			KUNIT_EXPECT_TRUE_MSG(test,
					      IS_ALIGNED((unsigned long)p, align),
					      "%p: len %zu align %zu", p, len,
					      align);
			memset(p, 0x3c, len);
			KUNIT_EXPECT_NULL(test, memchr_inv(p, 0x3c, len));
			zalloc_free(a, p, len, align);
		}
	}
	/* Above a big page: the fresh break is padded to the alignment. */
	p = zalloc_alloc(a, 100, SZ_1M, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)p, SZ_1M));
	memset(p, 0x11, 100);
	zalloc_free(a, p, 100, SZ_1M);
	info = sbrk_info(sb);
	KUNIT_EXPECT_EQ(test, info.live_small, 0);
	KUNIT_EXPECT_EQ(test, info.live_big, 0);
}

/*
 * The two defects of Zig's version, measured on the break of a fresh region:
 * a big page is carved completely (Zig carved 4 KiB of it below 4 KiB
 * classes, one block per big page above), and a 64 KiB block takes one big
 * page (Zig: two); blocks take no room for the link (Zig: len + 8).
 */
static void sbrk_zig_fixes(struct kunit *test)
{
	struct zalloc_sbrk *sb = sbrk_test_create(test, sbrk_make_region());
	const struct zalloc *a = zalloc_sbrk_zalloc(sb);
	const unsigned int n = SBRK_BIG / 16;
	struct zalloc_sbrk_info info;
	u8 **p, *q;
	unsigned int i;

	p = kunit_kcalloc(test, n, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < n; i++) {
		p[i] = zalloc_alloc(a, 16, 1, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		KUNIT_EXPECT_PTR_EQ(test, p[i], p[0] + 16 * i);
	}
	info = sbrk_info(sb);
	KUNIT_EXPECT_EQ(test, info.brk_bytes, SBRK_BIG);
	KUNIT_EXPECT_EQ(test, info.small_bigpages, 1);

	for (i = 0; i < 16; i++) {
		q = zalloc_alloc(a, 4096, 1, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, q);
	}
	KUNIT_EXPECT_EQ(test, sbrk_info(sb).brk_bytes, 2 * SBRK_BIG);

	q = zalloc_alloc(a, SBRK_BIG, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_EQ(test, sbrk_info(sb).brk_bytes, 3 * SBRK_BIG);
	q = zalloc_alloc(a, SBRK_BIG + 1, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_EQ(test, sbrk_info(sb).brk_bytes, 5 * SBRK_BIG);
	q = zalloc_alloc(a, 3 * SBRK_BIG, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_EQ(test, sbrk_info(sb).brk_bytes, 9 * SBRK_BIG);
	/* Leave the blocks to destroy: it counts them. */
	KUNIT_EXPECT_EQ(test, sbrk_test_destroy_now(test, sb), n + 16 + 3);
}

/* Big blocks resize within their power of two of big pages. */
static void sbrk_big_resize(struct kunit *test)
{
	struct zalloc_sbrk *sb = sbrk_test_param(test);
	const struct zalloc *a = zalloc_sbrk_zalloc(sb);
	u8 *p;

	p = zalloc_alloc(a, SBRK_BIG + 1, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, 0x42, SBRK_BIG + 1);
	KUNIT_EXPECT_TRUE(test, zalloc_resize(a, p, SBRK_BIG + 1, 1,
					      2 * SBRK_BIG, GFP_KERNEL));
	KUNIT_EXPECT_FALSE(test, zalloc_resize(a, p, 2 * SBRK_BIG, 1,
					       2 * SBRK_BIG + 1, GFP_KERNEL));
	KUNIT_EXPECT_FALSE(test, zalloc_resize(a, p, 2 * SBRK_BIG, 1, SBRK_BIG,
					       GFP_KERNEL));
	KUNIT_EXPECT_PTR_EQ(test, zalloc_remap(a, p, 2 * SBRK_BIG, 1,
					       SBRK_BIG + 100, GFP_KERNEL),
			    (void *)p);
	KUNIT_EXPECT_NULL(test, zalloc_remap(a, p, SBRK_BIG + 100, 1, 100,
					     GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, memchr_inv(p, 0x42, SBRK_BIG + 1));
	/* realloc to small copies. */
	p = zalloc_realloc(a, p, SBRK_BIG + 100, 1, 100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_NULL(test, memchr_inv(p, 0x42, 100));
	KUNIT_EXPECT_EQ(test, sbrk_info(sb).live_big, 0);
	zalloc_free(a, p, 100, 1);
}

/* Freed blocks come back first (LIFO), small and big; the break stays. */
static void sbrk_reuse(struct kunit *test)
{
	struct zalloc_sbrk *sb = sbrk_test_param(test);
	const struct zalloc *a = zalloc_sbrk_zalloc(sb);
	unsigned long brk;
	void *p, *q, *r;

	p = zalloc_alloc(a, 200, 8, GFP_KERNEL);
	q = zalloc_alloc(a, 200, 8, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, p && q);
	zalloc_free(a, p, 200, 8);
	zalloc_free(a, q, 200, 8);
	KUNIT_EXPECT_PTR_EQ(test, zalloc_alloc(a, 130, 1, GFP_KERNEL), q);
	KUNIT_EXPECT_PTR_EQ(test, zalloc_alloc(a, 256, 1, GFP_KERNEL), p);
	zalloc_free(a, p, 256, 1);
	zalloc_free(a, q, 130, 1);

	r = zalloc_alloc(a, 3 * SBRK_BIG, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	zalloc_free(a, r, 3 * SBRK_BIG, 1);
	brk = sbrk_info(sb).brk_bytes;
	p = zalloc_alloc(a, 4 * SBRK_BIG, 1, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, p, r);
	KUNIT_EXPECT_EQ(test, sbrk_info(sb).brk_bytes, brk);
	zalloc_free(a, p, 4 * SBRK_BIG, 1);
}

/* Double frees and misaligned frees are refused and counted. */
static void sbrk_bad_frees(struct kunit *test)
{
	struct zalloc_sbrk *sb = sbrk_test_param(test);
	const struct zalloc *a = zalloc_sbrk_zalloc(sb);
	struct zalloc_sbrk_info info;
	u8 *x, *y, *big;

	x = zalloc_alloc(a, 64, 8, GFP_KERNEL);
	y = zalloc_alloc(a, 64, 8, GFP_KERNEL);
	big = zalloc_alloc(a, SBRK_BIG, 8, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, x && y && big);
	zalloc_free(a, x, 64, 8);
	zalloc_free(a, x, 64, 8);		/* head of the list */
	zalloc_free(a, big, SBRK_BIG, 8);
	zalloc_free(a, big, SBRK_BIG, 8);	/* no live block of that size */
	zalloc_free(a, y + 8, 64, 8);		/* not at a block boundary */
	info = sbrk_info(sb);
	KUNIT_EXPECT_EQ(test, info.double_frees, 2);
	KUNIT_EXPECT_EQ(test, info.invalid_frees, 1);
	KUNIT_EXPECT_EQ(test, info.live_small, 1);
	KUNIT_EXPECT_EQ(test, info.live_big, 0);
	/* The lists are intact: x comes back once. */
	KUNIT_EXPECT_PTR_EQ(test, zalloc_alloc(a, 64, 8, GFP_KERNEL), x);
	KUNIT_EXPECT_PTR_NE(test, zalloc_alloc(a, 64, 8, GFP_KERNEL), x);
	KUNIT_EXPECT_EQ(test, sbrk_test_destroy_now(test, sb), 3);
}

/* A region runs out like sbrk: NULL, no harm, and freed memory is reused. */
static void sbrk_region_exhaustion(struct kunit *test)
{
	struct zalloc_sbrk *sb;
	const struct zalloc *a;
	void *p[16], *q;
	unsigned int i;

	sb = sbrk_test_create(test, zalloc_sbrk_region_create(SZ_1M));
	a = zalloc_sbrk_zalloc(sb);
	for (i = 0; i < ARRAY_SIZE(p); i++) {
		p[i] = zalloc_alloc(a, SBRK_BIG, 1, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	KUNIT_EXPECT_EQ(test, sbrk_info(sb).brk_bytes, SZ_1M);
	KUNIT_EXPECT_NULL(test, zalloc_alloc(a, SBRK_BIG, 1, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zalloc_alloc(a, 8, 1, GFP_ATOMIC));
	/* A freed big page serves the next big block or a small class. */
	zalloc_free(a, p[5], SBRK_BIG, 1);
	q = zalloc_alloc(a, SBRK_BIG, 1, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, q, p[5]);
	zalloc_free(a, q, SBRK_BIG, 1);
	q = zalloc_alloc(a, 8, 1, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, q, p[5]);
	zalloc_free(a, q, 8, 1);
	for (i = 0; i < ARRAY_SIZE(p); i++)
		if (i != 5)
			zalloc_free(a, p[i], SBRK_BIG, 1);
}

/* GFP_ATOMIC under a spinlock moves the break; __GFP_ZERO zeroes reuse. */
static void sbrk_atomic_and_zero(struct kunit *test)
{
	static DEFINE_SPINLOCK(lock);
	struct zalloc_sbrk *sb = sbrk_test_param(test);
	const struct zalloc *a = zalloc_sbrk_zalloc(sb);
	void *p[ZALLOC_SBRK_NR_CLASSES + 2];
	unsigned int c;
	size_t len;
	u8 *z, *r;

	spin_lock(&lock);
	for (c = 0; c < ARRAY_SIZE(p); c++)
		p[c] = zalloc_alloc(a, 8UL << c, 8, GFP_ATOMIC);
	spin_unlock(&lock);
	for (c = 0; c < ARRAY_SIZE(p); c++) {
		len = 8UL << c;
		KUNIT_ASSERT_NOT_NULL_MSG(test, p[c], "len %zu", len);
		memset(p[c], 0xee, len);
		zalloc_free(a, p[c], len, 8);
	}
	r = zalloc_alloc(a, 300, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	memset(r, 0xff, 300);
	zalloc_free(a, r, 300, 8);
	z = zalloc_alloc(a, 300, 8, GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, z);
	KUNIT_EXPECT_PTR_EQ(test, z, r);
	KUNIT_EXPECT_NULL(test, memchr_inv(z, 0, 300));
	zalloc_free(a, z, 300, 8);
}

/* One kthread per CPU, 100,000 operations each, a quarter of frees remote. */
static void sbrk_cross_cpu_stress(struct kunit *test)
{
	struct zalloc_sbrk *sb = sbrk_test_param(test);
	struct zalloc_xcpu_cfg cfg = {
		.a = zalloc_sbrk_zalloc(sb),
		.ops = 100000,
		.max_small = SBRK_MAX_SMALL,
		.max_large = 4 * SBRK_MAX_SMALL,
		.large_permille = 2,
		.handoff_pct = 25,
	};
	struct zalloc_xcpu_result res;
	struct zalloc_sbrk_info info;

	zalloc_xcpu_stress(test, &cfg, &res);
	info = sbrk_info(sb);
	kunit_info(test, "%u threads, %lu ms: %lu allocs, %lu frees, %lu handed over; break %lu KiB\n",
		   res.threads, res.ms, res.allocs, res.frees, res.handed,
		   info.brk_bytes >> 10);
	KUNIT_EXPECT_GE(test, res.min_ops, cfg.ops);
	KUNIT_EXPECT_EQ(test, res.failed, 0);
	KUNIT_EXPECT_EQ(test, res.corrupt, 0);
	KUNIT_EXPECT_EQ(test, res.allocs, res.frees);
	if (res.threads > 1)
		KUNIT_EXPECT_GT(test, res.handed, 0);
	KUNIT_EXPECT_EQ(test, info.live_small, 0);
	KUNIT_EXPECT_EQ(test, info.live_big, 0);
	KUNIT_EXPECT_EQ(test, info.double_frees, 0);
	KUNIT_EXPECT_EQ(test, info.invalid_frees, 0);
	zalloc_xcpu_expect_balanced(test, zalloc_sbrk_instance(sb));
	KUNIT_EXPECT_EQ(test, sbrk_test_destroy_now(test, sb), 0);
}

/* A hard hrtimer allocates on the CPU where a kthread hammers the lock. */
static void sbrk_hardirq(struct kunit *test)
{
	struct zalloc_sbrk *sb = sbrk_test_param(test);
	struct zalloc_irq_result res;
	struct zalloc_sbrk_info info;

	zalloc_irq_hammer(test, zalloc_sbrk_zalloc(sb), 512, 200, &res);
	info = sbrk_info(sb);
	kunit_info(test, "hard IRQ: %lu allocs, %lu frees; process side: %lu operations\n",
		   res.irq_allocs, res.irq_frees, res.proc_ops);
	KUNIT_EXPECT_GE(test, res.irq_allocs, 200);
	KUNIT_EXPECT_EQ(test, res.irq_failed, 0);
	KUNIT_EXPECT_EQ(test, res.not_hardirq, 0);
	KUNIT_EXPECT_EQ(test, res.proc_failed, 0);
	KUNIT_EXPECT_EQ(test, res.corrupt, 0);
	KUNIT_EXPECT_EQ(test, info.live_small, 0);
	zalloc_xcpu_expect_balanced(test, zalloc_sbrk_instance(sb));
}

/* Destroy with live blocks: counted, reported, everything given back. */
static void sbrk_destroy_live(struct kunit *test)
{
	const struct sbrk_kind *k = test->param_value;
	struct zalloc_sbrk *sb = zalloc_sbrk_create("kunit-sbrk-live",
						    k->make(), 0);
	const struct zalloc *a;
	void *p[4];
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, sb);
	a = zalloc_sbrk_zalloc(sb);
	p[0] = zalloc_alloc(a, 64, 8, GFP_KERNEL);
	p[1] = zalloc_alloc(a, 4096, 8, GFP_KERNEL);
	p[2] = zalloc_alloc(a, 100000, 8, GFP_KERNEL);
	p[3] = zalloc_alloc(a, 64, 8, GFP_KERNEL);
	for (i = 0; i < ARRAY_SIZE(p); i++)
		KUNIT_EXPECT_NOT_NULL(test, p[i]);
	zalloc_free(a, p[3], 64, 8);
	KUNIT_EXPECT_EQ(test, zalloc_sbrk_destroy(sb), 3);
}

static void sbrk_show(struct zalloc_instance *inst,
		      void (*show)(struct seq_file *m,
				   struct zalloc_instance *inst),
		      char *buf, size_t size)
{
	struct seq_file m = { .buf = buf, .size = size };

	show(&m, inst);
	buf[min(m.count, size - 1)] = '\0';
}

/* What the debugfs files of a registered instance show. */
static void sbrk_tables(struct kunit *test)
{
	const size_t size = 4096;
	struct zalloc_sbrk *sb;
	struct zalloc_instance *inst;
	const struct zalloc *a;
	char *buf, row[64];
	void *p, *big;
	int err;

	sb = zalloc_sbrk_create("kunit-sbrk-tables", sbrk_make_region(), 0);
	KUNIT_ASSERT_NOT_NULL(test, sb);
	err = kunit_add_action_or_reset(test, sbrk_test_destroy, sb);
	KUNIT_ASSERT_EQ(test, err, 0);
	inst = zalloc_sbrk_instance(sb);
	a = zalloc_sbrk_zalloc(sb);
	buf = kunit_kzalloc(test, size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_STREQ(test, inst->name, "kunit-sbrk-tables");
	KUNIT_ASSERT_NOT_NULL(test, inst->iops);
	p = zalloc_alloc(a, 64, 8, GFP_KERNEL);
	big = zalloc_alloc(a, 100000, 8, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, p && big);

	sbrk_show(inst, inst->iops->show_stats, buf, size);
	KUNIT_EXPECT_NOT_NULL(test, strstr(buf, "provider region\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(buf, "\nbrk_bytes 196608\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(buf, "\nlive_small 1\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(buf, "\nlive_big 1\n"));
	sbrk_show(inst, inst->iops->show_classes, buf, size);
	snprintf(row, sizeof(row), "%5u %5s %12u %10u %10u\n", 3, "small", 64,
		 1, 0);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(buf, row), "%s", buf);
	snprintf(row, sizeof(row), "%5u %5s %12u %10u %10u\n", 1, "big",
		 131072, 1, 0);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(buf, row), "%s", buf);
	zalloc_free(a, p, 64, 8);
	zalloc_free(a, big, 100000, 8);
}

/* The global instance, and what the accessors accept. */
static void sbrk_global(struct kunit *test)
{
	const struct zalloc *a = &zalloc_sbrk_allocator;
	struct zalloc_sbrk *sb = zalloc_sbrk_of(a);
	u8 *p, *big;

	KUNIT_ASSERT_NOT_NULL(test, sb);
	KUNIT_EXPECT_NULL(test, zalloc_sbrk_of(NULL));
	KUNIT_EXPECT_EQ(test, zalloc_sbrk_destroy(sb), 0);
	KUNIT_EXPECT_NULL(test, zalloc_sbrk_create("x", NULL, 0));
	KUNIT_EXPECT_NULL(test, zalloc_sbrk_region_create(0));
	p = zalloc_alloc(a, 100, 8, GFP_KERNEL);
	big = zalloc_alloc(a, 50000, 8, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, p && big);
	memset(p, 1, 100);
	memset(big, 2, 50000);
	KUNIT_EXPECT_NULL(test, memchr_inv(p, 1, 100));
	KUNIT_EXPECT_NULL(test, memchr_inv(big, 2, 50000));
	zalloc_free(a, p, 100, 8);
	zalloc_free(a, big, 50000, 8);
}

static struct kunit_case zalloc_sbrk_cases[] = {
	KUNIT_CASE_PARAM(sbrk_class_boundaries, sbrk_kind_gen_params),
	KUNIT_CASE_PARAM(sbrk_alignments, sbrk_kind_gen_params),
	KUNIT_CASE(sbrk_zig_fixes),
	KUNIT_CASE_PARAM(sbrk_big_resize, sbrk_kind_gen_params),
	KUNIT_CASE_PARAM(sbrk_reuse, sbrk_kind_gen_params),
	KUNIT_CASE_PARAM(sbrk_bad_frees, sbrk_kind_gen_params),
	KUNIT_CASE(sbrk_region_exhaustion),
	KUNIT_CASE_PARAM(sbrk_atomic_and_zero, sbrk_kind_gen_params),
	KUNIT_CASE_PARAM_ATTR(sbrk_cross_cpu_stress, sbrk_kind_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE_PARAM(sbrk_hardirq, sbrk_kind_gen_params),
	KUNIT_CASE_PARAM(sbrk_destroy_live, sbrk_kind_gen_params),
	KUNIT_CASE(sbrk_tables),
	KUNIT_CASE(sbrk_global),
	{}
};

static struct kunit_suite zalloc_sbrk_suite = {
	.name = "zalloc_sbrk",
	.test_cases = zalloc_sbrk_cases,
};

kunit_test_suites(&zalloc_sbrk_suite);
