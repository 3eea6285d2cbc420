// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc_debug: the debug-mode core (zalloc/debug.c) with the page and the
 * kmalloc allocators' semantics (zalloc_page_debug_sem,
 * zalloc_kmalloc_debug_sem).  It keeps the semantics (T1..T4 pass, the
 * in-place and remap rules hold, counters count), detects each misuse
 * (double free, invalid free, wrong length or alignment, red-zone
 * overwrite, leak), reports it once, and the bad call changes nothing: the
 * block stays usable and is freed correctly afterwards.
 *
 * The reports go to the console as "zalloc-debug <name>: ..." lines, which
 * tools/verdict.sh does not count as splats; the cases check the report
 * counters.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <zalloc/debug.h>
#include <zalloc/kmalloc.h>
#include <zalloc/page.h>
#include <zalloc/registry.h>

#include "zalloc_kunit.h"

struct dbg_param {
	const char *name;
	const struct zalloc_debug_sem *sem;
};

static const struct dbg_param dbg_params[] = {
	{ "page", &zalloc_page_debug_sem },
	{ "kmalloc", &zalloc_kmalloc_debug_sem },
};

static void dbg_desc(const struct dbg_param *p, char *desc)
{
	strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(dbg, dbg_params, dbg_desc);

struct dbg_fixture {
	struct zalloc_debug d;
	struct zalloc_instance inst;
	const struct zalloc *za;
	bool page;
};

static void dbg_teardown(void *data)
{
	struct dbg_fixture *f = data;

	zalloc_debug_destroy(&f->d);
	zalloc_instance_destroy(&f->inst);
}

static struct dbg_fixture *dbg_setup(struct kunit *test)
{
	const struct dbg_param *p = test->param_value;
	struct dbg_fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_ASSERT_EQ(test, zalloc_instance_init(&f->inst, "debug", NULL,
						   GFP_KERNEL), 0);
	zalloc_debug_init(&f->d, p->name, p->sem, &f->inst);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, dbg_teardown, f),
			0);
	f->za = &f->d.za;
	f->page = p->sem == &zalloc_page_debug_sem;
	return f;
}

static unsigned long dbg_nr(struct dbg_fixture *f,
			    enum zalloc_debug_report kind)
{
	return zalloc_debug_reports(&f->d, kind);
}

static unsigned long dbg_total(struct dbg_fixture *f)
{
	unsigned long n = 0;
	int i;

	for (i = 0; i < NR_ZALLOC_DEBUG_REPORTS; i++)
		n += dbg_nr(f, i);
	return n;
}

/* Debug mode keeps the contract: T1..T4 pass and nothing is reported. */
static void debug_contract(struct kunit *test)
{
	struct dbg_fixture *f = dbg_setup(test);

	zalloc_contract_all(test, f->za);
	KUNIT_EXPECT_EQ(test, dbg_total(f), 0);
	KUNIT_EXPECT_EQ(test, zalloc_debug_destroy(&f->d), 0);
}

static void debug_double_free(struct kunit *test)
{
	struct dbg_fixture *f = dbg_setup(test);
	struct zalloc_stats_sum s;
	u8 *p, *q;

	p = zalloc_alloc(f->za, 100, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	q = zalloc_alloc(f->za, 100, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	zalloc_test_fill(q, 100, 4);
	zalloc_free(f->za, p, 100, 8);
	KUNIT_EXPECT_EQ(test, dbg_total(f), 0);

	zalloc_free(f->za, p, 100, 8);
	KUNIT_EXPECT_EQ(test, dbg_nr(f, ZALLOC_DEBUG_DOUBLE_FREE), 1);
	KUNIT_EXPECT_FALSE(test, zalloc_resize(f->za, p, 100, 8, 50,
					       GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zalloc_remap(f->za, p, 100, 8, 50, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, dbg_nr(f, ZALLOC_DEBUG_DOUBLE_FREE), 3);

	/* Nothing else was touched: one free counted, q intact. */
	zalloc_stats_read(&f->inst.stats, &s);
	KUNIT_EXPECT_EQ(test, s.v[ZALLOC_STAT_FREE], 1);
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(q, 100, 4));
	zalloc_free(f->za, q, 100, 8);
	KUNIT_EXPECT_EQ(test, dbg_total(f), 3);
	KUNIT_EXPECT_EQ(test, zalloc_debug_destroy(&f->d), 0);
}

static void debug_invalid_free(struct kunit *test)
{
	struct dbg_fixture *f = dbg_setup(test);
	u8 *p, *other;

	other = kunit_kmalloc(test, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, other);
	zalloc_test_fill(other, 64, 1);
	p = zalloc_alloc(f->za, 200, 16, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	zalloc_test_fill(p, 200, 2);

	/* A pointer it never returned, and one inside a block. */
	zalloc_free(f->za, other, 64, 8);
	zalloc_free(f->za, p + 16, 100, 16);
	KUNIT_EXPECT_FALSE(test, zalloc_resize(f->za, other, 64, 8, 32,
					       GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, dbg_nr(f, ZALLOC_DEBUG_INVALID_FREE), 3);
	KUNIT_EXPECT_EQ(test, dbg_nr(f, ZALLOC_DEBUG_DOUBLE_FREE), 0);

	/* Both untouched; the real block frees normally. */
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(other, 64, 1));
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(p, 200, 2));
	zalloc_free(f->za, p, 200, 16);
	KUNIT_EXPECT_EQ(test, dbg_total(f), 3);
	KUNIT_EXPECT_EQ(test, zalloc_debug_destroy(&f->d), 0);
}

static void debug_wrong_len_align(struct kunit *test)
{
	struct dbg_fixture *f = dbg_setup(test);
	u8 *p;

	p = zalloc_alloc(f->za, 300, 32, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	zalloc_test_fill(p, 300, 3);

	zalloc_free(f->za, p, 301, 32);
	zalloc_free(f->za, p, 299, 32);
	KUNIT_EXPECT_FALSE(test, zalloc_resize(f->za, p, 200, 32, 100,
					       GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, dbg_nr(f, ZALLOC_DEBUG_WRONG_LEN), 3);
	zalloc_free(f->za, p, 300, 64);
	KUNIT_EXPECT_NULL(test, zalloc_remap(f->za, p, 300, 8, 100,
					     GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, dbg_nr(f, ZALLOC_DEBUG_WRONG_ALIGN), 2);

	/* Still live, same contents; the right call works. */
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(p, 300, 3));
	KUNIT_EXPECT_TRUE(test, zalloc_resize(f->za, p, 300, 32, 100,
					      GFP_KERNEL));
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(p, 100, 3));
	zalloc_free(f->za, p, 100, 32);
	KUNIT_EXPECT_EQ(test, dbg_total(f), 5);
	KUNIT_EXPECT_EQ(test, zalloc_debug_destroy(&f->d), 0);
}

static void debug_redzone(struct kunit *test)
{
	struct dbg_fixture *f = dbg_setup(test);
	u8 *p, *q;

	/* One byte past the end, found on free. */
	p = zalloc_alloc(f->za, 24, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	p[24] = 0;
	zalloc_free(f->za, p, 24, 8);
	KUNIT_EXPECT_EQ(test, dbg_nr(f, ZALLOC_DEBUG_REDZONE_BAD), 1);

	/* Found on resize, reported once, not again on free. */
	q = zalloc_alloc(f->za, 40, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	zalloc_test_fill(q, 40, 6);
	q[40 + 3] = 0x11;
	KUNIT_EXPECT_TRUE(test, zalloc_resize(f->za, q, 40, 8, 30, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, dbg_nr(f, ZALLOC_DEBUG_REDZONE_BAD), 2);
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(q, 30, 6));
	zalloc_free(f->za, q, 30, 8);
	KUNIT_EXPECT_EQ(test, dbg_nr(f, ZALLOC_DEBUG_REDZONE_BAD), 2);

	/* Writing up to the end exactly is fine. */
	p = zalloc_alloc(f->za, 24, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	zalloc_test_fill(p, 24, 7);
	zalloc_free(f->za, p, 24, 8);
	KUNIT_EXPECT_EQ(test, dbg_total(f), 2);
	KUNIT_EXPECT_EQ(test, zalloc_debug_destroy(&f->d), 0);
}

static void debug_leak(struct kunit *test)
{
	struct dbg_fixture *f = dbg_setup(test);
	struct zalloc_stats_sum s;
	void *a, *b, *c;

	a = zalloc_alloc(f->za, 10, 1, GFP_KERNEL);
	b = zalloc_alloc(f->za, 5000, 64, GFP_KERNEL);
	c = zalloc_alloc(f->za, 70, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_NOT_NULL(test, c);
	zalloc_free(f->za, b, 5000, 64);

	/* a and c are reported (and freed) by destroy. */
	KUNIT_EXPECT_EQ(test, zalloc_debug_destroy(&f->d), 2);
	KUNIT_EXPECT_EQ(test, dbg_nr(f, ZALLOC_DEBUG_LEAK), 2);
	zalloc_stats_read(&f->inst.stats, &s);
	KUNIT_EXPECT_EQ(test, s.v[ZALLOC_STAT_ALLOC], s.v[ZALLOC_STAT_FREE]);
	KUNIT_EXPECT_EQ(test, s.v[ZALLOC_STAT_BACKING_ALLOC],
			s.v[ZALLOC_STAT_BACKING_FREE]);
	KUNIT_EXPECT_EQ(test, zalloc_debug_destroy(&f->d), 0);
}

/* The page allocator's rules, kept in debug mode. */
static void debug_page_rules(struct kunit *test, struct dbg_fixture *f)
{
	const size_t big = (PAGE_SIZE << MAX_PAGE_ORDER) + PAGE_SIZE + 1;
	u8 *p;

	p = zalloc_alloc(f->za, 100, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, zalloc_resize(f->za, p, 100, 1, PAGE_SIZE,
					      GFP_KERNEL));
	KUNIT_EXPECT_FALSE(test, zalloc_resize(f->za, p, PAGE_SIZE, 1,
					       PAGE_SIZE + 1, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zalloc_remap(f->za, p, PAGE_SIZE, 1,
					     2 * PAGE_SIZE, GFP_KERNEL));
	zalloc_free(f->za, p, PAGE_SIZE, 1);

	/* A shrink gives pages back: growing again past them is refused. */
	p = zalloc_alloc(f->za, 3 * PAGE_SIZE, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, zalloc_resize(f->za, p, 3 * PAGE_SIZE, 1,
					      PAGE_SIZE - 1, GFP_KERNEL));
	KUNIT_EXPECT_FALSE(test, zalloc_resize(f->za, p, PAGE_SIZE - 1, 1,
					       2 * PAGE_SIZE, GFP_KERNEL));
	KUNIT_EXPECT_TRUE(test, zalloc_resize(f->za, p, PAGE_SIZE - 1, 1,
					      PAGE_SIZE, GFP_KERNEL));
	zalloc_free(f->za, p, PAGE_SIZE, 1);

	/* Beyond the buddy allocator (vmalloc): no shrink across pages. */
	p = zalloc_alloc(f->za, big, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_FALSE(test, zalloc_resize(f->za, p, big, PAGE_SIZE,
					       big - PAGE_SIZE, GFP_KERNEL));
	KUNIT_EXPECT_TRUE(test, zalloc_resize(f->za, p, big, PAGE_SIZE,
					      big + 100, GFP_KERNEL));
	zalloc_free(f->za, p, big + 100, PAGE_SIZE);

	p = zalloc_alloc(f->za, 100, 4 * PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)p, 4 * PAGE_SIZE));
	zalloc_free(f->za, p, 100, 4 * PAGE_SIZE);
	KUNIT_EXPECT_NULL(test, zalloc_alloc(f->za, 100,
					     PAGE_SIZE << (MAX_PAGE_ORDER + 1),
					     GFP_KERNEL));
}

/* kmalloc's rules, kept in debug mode. */
static void debug_kmalloc_rules(struct kunit *test, struct dbg_fixture *f)
{
	size_t room = kmalloc_size_roundup(100);
	u8 *p, *q;

	p = zalloc_alloc(f->za, 100, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	zalloc_test_fill(p, 100, 8);
	KUNIT_EXPECT_TRUE(test, zalloc_resize(f->za, p, 100, 8, room,
					      GFP_KERNEL));
	KUNIT_EXPECT_FALSE(test, zalloc_resize(f->za, p, room, 8, room + 1,
					       GFP_KERNEL));
	/* A shrink keeps the room. */
	KUNIT_EXPECT_TRUE(test, zalloc_resize(f->za, p, room, 8, 10,
					      GFP_KERNEL));
	KUNIT_EXPECT_TRUE(test, zalloc_resize(f->za, p, 10, 8, room,
					      GFP_KERNEL));
	KUNIT_EXPECT_TRUE(test, zalloc_resize(f->za, p, room, 8, 100,
					      GFP_KERNEL));

	/* remap stays in the room; realloc moves, copies, frees the old. */
	KUNIT_EXPECT_NULL(test, zalloc_remap(f->za, p, 100, 8, 5000,
					     GFP_KERNEL));
	q = zalloc_realloc(f->za, p, 100, 8, 5000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_PTR_NE(test, p, q);
	/* Only the first 10 bytes survived the shrink to 10. */
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(q, 10, 8));
	zalloc_free(f->za, p, 100, 8);
	KUNIT_EXPECT_EQ(test, dbg_nr(f, ZALLOC_DEBUG_DOUBLE_FREE), 1);
	zalloc_free(f->za, q, 5000, 8);
	KUNIT_EXPECT_NULL(test, zalloc_alloc(f->za, KMALLOC_MAX_SIZE - 1,
					     KMALLOC_MAX_SIZE * 2,
					     GFP_KERNEL));
}

static void debug_semantics(struct kunit *test)
{
	struct dbg_fixture *f = dbg_setup(test);
	struct zalloc_stats_sum s;

	if (f->page)
		debug_page_rules(test, f);
	else
		debug_kmalloc_rules(test, f);
	zalloc_stats_read(&f->inst.stats, &s);
	KUNIT_EXPECT_EQ(test, s.v[ZALLOC_STAT_ALLOC], s.v[ZALLOC_STAT_FREE]);
	KUNIT_EXPECT_EQ(test, s.v[ZALLOC_STAT_BYTES_ALLOC],
			s.v[ZALLOC_STAT_BYTES_FREE]);
	KUNIT_EXPECT_EQ(test, s.v[ZALLOC_STAT_BACKING_ALLOC],
			s.v[ZALLOC_STAT_BACKING_FREE]);
	KUNIT_EXPECT_GT(test, s.v[ZALLOC_STAT_RESIZE_OK], 0);
	KUNIT_EXPECT_GT(test, s.v[ZALLOC_STAT_RESIZE_REFUSED], 0);
	KUNIT_EXPECT_EQ(test, zalloc_debug_destroy(&f->d), 0);
}

static struct kunit_case zalloc_debug_cases[] = {
	KUNIT_CASE_PARAM(debug_contract, dbg_gen_params),
	KUNIT_CASE_PARAM(debug_double_free, dbg_gen_params),
	KUNIT_CASE_PARAM(debug_invalid_free, dbg_gen_params),
	KUNIT_CASE_PARAM(debug_wrong_len_align, dbg_gen_params),
	KUNIT_CASE_PARAM(debug_redzone, dbg_gen_params),
	KUNIT_CASE_PARAM(debug_leak, dbg_gen_params),
	KUNIT_CASE_PARAM(debug_semantics, dbg_gen_params),
	{}
};

static struct kunit_suite zalloc_debug_suite = {
	.name = "zalloc_debug",
	.test_cases = zalloc_debug_cases,
};

kunit_test_suites(&zalloc_debug_suite);
