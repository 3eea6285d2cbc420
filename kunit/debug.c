// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc_debug: debug mode (include/zalloc/debug.h), the shadow core that
 * any instance runs in when set up with ZALLOC_F_DEBUG: the smp, sbrk and
 * bitmap allocators, a fixed buffer, an arena and a stack fallback, and
 * the global page and kmalloc allocators when zalloc.debug=1 puts them in
 * it (their cases are skipped otherwise: nothing else can).
 *
 * It keeps the semantics (T1..T4 pass; a script gives the same results and
 * the same counters as the same allocator in normal mode; the page and
 * kmalloc rules hold within a block's room; growing past the room is
 * refused and counted), detects each misuse (double free, invalid free,
 * wrong length or alignment, red-zone overwrite, leak), reports it once,
 * and the bad call changes nothing: the block stays usable and is freed
 * correctly afterwards.  The one way into debug mode, the flags, is
 * checked too.
 *
 * The reports go to the console as "zalloc-debug <name>: ..." lines, which
 * tools/verdict.sh does not count as splats; the cases check the report
 * counters (zalloc_debug_reports()).
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
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
 * The instances: one of each kind, in debug mode or not
 * ======================================================================
 */

enum dbg_kind { DBG_PAGE, DBG_KMALLOC, DBG_SMP, DBG_SBRK, DBG_BITMAP,
		DBG_FIXED, DBG_ARENA, DBG_SF };

struct dbg_param {
	const char *name;
	enum dbg_kind kind;
};

static const struct dbg_param dbg_params[] = {
	{ "page", DBG_PAGE },
	{ "kmalloc", DBG_KMALLOC },
	{ "smp", DBG_SMP },
	{ "sbrk", DBG_SBRK },
	{ "bitmap", DBG_BITMAP },
	{ "fixed", DBG_FIXED },
	{ "arena_page", DBG_ARENA },
	{ "stack_fallback_kmalloc", DBG_SF },
};

static void dbg_desc(const struct dbg_param *p, char *desc)
{
	strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(dbg, dbg_params, dbg_desc);

#define DBG_FIXED_SIZE	SZ_4M
#define DBG_SF_SIZE	4096

struct dbg_sf {
	ZALLOC_STACK_FALLBACK(DBG_SF_SIZE) sfa;
};

/**
 * struct dbg_instance - one allocator instance of a kind, in debug mode or
 *	not
 * @kind: which
 * @created: smp, sbrk: from their create call
 * @bm: bitmap
 * @fixed: fixed buffer, over @mem
 * @arena: arena, over the page allocator
 * @sf: stack fallback, in @mem, over the kmalloc allocator
 * @mem: vmalloc'd: the fixed buffer, or the stack fallback (its buffer is
 *	then no kmalloc object)
 * @za: the allocator
 * @inst: its instance
 */
struct dbg_instance {
	enum dbg_kind kind;
	struct zalloc *created;
	struct zalloc_bitmap *bm;
	struct zalloc_fixed fixed;
	struct zalloc_arena arena;
	struct dbg_sf *sf;
	void *mem;
	const struct zalloc *za;
	struct zalloc_instance *inst;
};

/* Tear @di down; the live blocks its destroy counted, or -1 if it cannot. */
static long dbg_instance_destroy(struct dbg_instance *di)
{
	long live = -1;

	switch (di->kind) {
	case DBG_PAGE:
	case DBG_KMALLOC:
		break;
	case DBG_SMP:
	case DBG_SBRK:
		live = zalloc_destroy(di->created);
		break;
	case DBG_BITMAP:
		zalloc_bitmap_destroy(di->bm);
		break;
	case DBG_FIXED:
		zalloc_fixed_destroy(&di->fixed);
		break;
	case DBG_ARENA:
		zalloc_arena_destroy(&di->arena);
		break;
	case DBG_SF:
		zalloc_stack_fallback_destroy(&di->sf->sfa);
		break;
	}
	vfree(di->mem);
	di->mem = NULL;
	return live;
}

/* The global page or kmalloc allocator, if it is in the mode wanted. */
static int dbg_global(struct dbg_instance *di, const struct zalloc *za,
		      bool debug)
{
	if (zalloc_debug_enabled(za) != debug)
		return -EOPNOTSUPP;
	di->za = za;
	return 0;
}

static int dbg_instance_make_one(struct dbg_instance *di, bool debug)
{
	unsigned int flags = debug ? ZALLOC_F_DEBUG : ZALLOC_F_NODEBUG;
	int err;

	switch (di->kind) {
	case DBG_PAGE:
		return dbg_global(di, &zalloc_page_allocator, debug);
	case DBG_KMALLOC:
		return dbg_global(di, &zalloc_kmalloc_allocator, debug);
	case DBG_SMP:
		di->created = zalloc_smp_create(NULL, flags);
		di->za = di->created;
		return di->created ? 0 : -ENOMEM;
	case DBG_SBRK:
		di->created = zalloc_sbrk_create(NULL,
						 zalloc_sbrk_region_create(SZ_8M),
						 flags);
		di->za = di->created;
		return di->created ? 0 : -ENOMEM;
	case DBG_BITMAP:
		/* Half-page chunks: T3 aligns to half a page. */
		di->bm = zalloc_bitmap_create(PAGE_SIZE / 2, SZ_1M, flags, NULL);
		if (IS_ERR(di->bm))
			return PTR_ERR(di->bm);
		di->za = zalloc_bitmap_allocator(di->bm);
		return 0;
	case DBG_FIXED:
		di->mem = vmalloc(DBG_FIXED_SIZE);
		if (!di->mem)
			return -ENOMEM;
		err = zalloc_fixed_init(&di->fixed, di->mem, DBG_FIXED_SIZE,
					NULL, flags, GFP_KERNEL);
		di->za = zalloc_fixed_allocator(&di->fixed);
		return err;
	case DBG_ARENA:
		err = zalloc_arena_init(&di->arena, &zalloc_page_allocator,
					NULL, flags, GFP_KERNEL);
		di->za = zalloc_arena_allocator(&di->arena);
		return err;
	case DBG_SF:
		di->mem = vzalloc(sizeof(*di->sf));
		if (!di->mem)
			return -ENOMEM;
		di->sf = di->mem;
		err = zalloc_stack_fallback_init(&di->sf->sfa,
						 &zalloc_kmalloc_allocator,
						 NULL, flags, GFP_KERNEL);
		if (!err)
			di->za = zalloc_stack_fallback_get(&di->sf->sfa);
		return err;
	}
	return -EINVAL;
}

static int dbg_instance_make(struct dbg_instance *di, enum dbg_kind kind,
			     bool debug)
{
	int err;

	di->kind = kind;
	err = dbg_instance_make_one(di, debug);
	if (err) {
		vfree(di->mem);
		di->mem = NULL;
		return err;
	}
	di->inst = zalloc_instance_of(di->za);
	return di->inst ? 0 : -EINVAL;
}

/**
 * struct dbg_fixture - the instance a case runs on, in debug mode
 * @di: the instance
 * @za: its allocator
 * @inst: its instance
 * @kind: which kind
 * @start: its common counters when the case began (the globals have a past)
 * @reports: its report counters then
 * @live: @di is still set up
 */
struct dbg_fixture {
	struct dbg_instance di;
	const struct zalloc *za;
	struct zalloc_instance *inst;
	enum dbg_kind kind;
	struct zalloc_stats_sum start;
	unsigned long reports[NR_ZALLOC_DEBUG_REPORTS];
	bool live;
};

static void dbg_teardown(void *data)
{
	struct dbg_fixture *f = data;

	if (f->live)
		dbg_instance_destroy(&f->di);
	f->live = false;
}

static struct dbg_fixture *dbg_setup(struct kunit *test)
{
	const struct dbg_param *p = test->param_value;
	struct dbg_fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	int err, i;

	KUNIT_ASSERT_NOT_NULL(test, f);
	err = dbg_instance_make(&f->di, p->kind, true);
	if (err == -EOPNOTSUPP)
		kunit_skip(test, "global %s: debug mode needs zalloc.debug=1",
			   p->name);
	KUNIT_ASSERT_EQ(test, err, 0);
	f->live = true;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, dbg_teardown, f),
			0);
	f->kind = p->kind;
	f->za = f->di.za;
	f->inst = f->di.inst;
	KUNIT_ASSERT_TRUE(test, zalloc_debug_enabled(f->za));
	zalloc_stats_read(f->inst, &f->start);
	for (i = 0; i < NR_ZALLOC_DEBUG_REPORTS; i++)
		f->reports[i] = zalloc_debug_reports(f->za, i);
	return f;
}

static bool dbg_is_global(const struct dbg_fixture *f)
{
	return f->kind == DBG_PAGE || f->kind == DBG_KMALLOC;
}

/* Tear the instance down now; what its destroy counted live, or -1. */
static long dbg_destroy_now(struct dbg_fixture *f)
{
	long live = -1;

	if (f->live)
		live = dbg_instance_destroy(&f->di);
	f->live = false;
	return live;
}

/* Problems of one kind reported since the case began. */
static unsigned long dbg_nr(struct dbg_fixture *f,
			    enum zalloc_debug_report kind)
{
	return zalloc_debug_reports(f->za, kind) - f->reports[kind];
}

static unsigned long dbg_total(struct dbg_fixture *f)
{
	unsigned long n = 0;
	int i;

	for (i = 0; i < NR_ZALLOC_DEBUG_REPORTS; i++)
		n += dbg_nr(f, i);
	return n;
}

/* How far counter @i moved since the case began. */
static long dbg_delta(struct dbg_fixture *f, enum zalloc_stat_item i)
{
	struct zalloc_stats_sum now;

	zalloc_stats_read(f->inst, &now);
	return (long)(now.v[i] - f->start.v[i]);
}

/* Every block the case allocated is back, in the counters. */
static void dbg_expect_balanced(struct kunit *test, struct dbg_fixture *f)
{
	KUNIT_EXPECT_EQ(test, dbg_delta(f, ZALLOC_STAT_ALLOC),
			dbg_delta(f, ZALLOC_STAT_FREE));
	KUNIT_EXPECT_EQ(test, dbg_delta(f, ZALLOC_STAT_BYTES_ALLOC),
			dbg_delta(f, ZALLOC_STAT_BYTES_FREE));
}

/*
 * The end of a case: @reports problems reported in all, every block back
 * in the counters, and nothing live at destroy (where destroy can tell).
 */
static void dbg_finish(struct kunit *test, struct dbg_fixture *f,
		       unsigned long reports)
{
	long live;

	KUNIT_EXPECT_EQ(test, dbg_total(f), reports);
	dbg_expect_balanced(test, f);
	live = dbg_destroy_now(f);
	if (live >= 0)
		KUNIT_EXPECT_EQ(test, live, 0);
}

/*
 * ======================================================================
 * Misuse, reported once and refused
 * ======================================================================
 */

/* Debug mode keeps the contract: T1..T4 pass and nothing is reported. */
static void debug_contract(struct kunit *test)
{
	struct dbg_fixture *f = dbg_setup(test);

	zalloc_contract_all(test, f->za);
	dbg_finish(test, f, 0);
}

static void debug_double_free(struct kunit *test)
{
	struct dbg_fixture *f = dbg_setup(test);
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
	KUNIT_EXPECT_EQ(test, dbg_delta(f, ZALLOC_STAT_FREE), 1);
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(q, 100, 4));
	zalloc_free(f->za, q, 100, 8);
	dbg_finish(test, f, 3);
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
	dbg_finish(test, f, 3);
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
	KUNIT_EXPECT_TRUE(test, zalloc_resize(f->za, p, 300, 32, 290,
					      GFP_KERNEL));
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(p, 290, 3));
	zalloc_free(f->za, p, 290, 32);
	dbg_finish(test, f, 5);
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
	KUNIT_EXPECT_TRUE(test, zalloc_resize(f->za, q, 40, 8, 36, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, dbg_nr(f, ZALLOC_DEBUG_REDZONE_BAD), 2);
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(q, 36, 6));
	zalloc_free(f->za, q, 36, 8);
	KUNIT_EXPECT_EQ(test, dbg_nr(f, ZALLOC_DEBUG_REDZONE_BAD), 2);

	/* Writing up to the end exactly is fine. */
	p = zalloc_alloc(f->za, 24, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	zalloc_test_fill(p, 24, 7);
	zalloc_free(f->za, p, 24, 8);
	dbg_finish(test, f, 2);
}

/*
 * Blocks live at teardown: an instance zalloc created reports and counts
 * them (the rest give them back to the allocator, so nothing leaks); a
 * buffer's teardown drops them with its memory, unreported.  kmemleak,
 * at the end of the run, sees that no shadow was left behind either way.
 */
static void debug_leak(struct kunit *test)
{
	struct dbg_fixture *f = dbg_setup(test);
	void *a, *b, *c;
	long live;

	if (dbg_is_global(f))
		kunit_skip(test, "the global instances go only at unload");
	a = zalloc_alloc(f->za, 10, 1, GFP_KERNEL);
	b = zalloc_alloc(f->za, 5000, 64, GFP_KERNEL);
	c = zalloc_alloc(f->za, 70, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_ASSERT_NOT_NULL(test, c);
	zalloc_free(f->za, b, 5000, 64);
	KUNIT_EXPECT_EQ(test, dbg_delta(f, ZALLOC_STAT_ALLOC) -
			dbg_delta(f, ZALLOC_STAT_FREE), 2);
	KUNIT_EXPECT_EQ(test, dbg_total(f), 0);

	/* a and c: reported, counted and given back (smp, sbrk) by destroy. */
	live = dbg_destroy_now(f);
	if (f->kind == DBG_SMP || f->kind == DBG_SBRK)
		KUNIT_EXPECT_EQ(test, live, 2);
}

/*
 * ======================================================================
 * Semantics kept
 * ======================================================================
 */

/*
 * The page allocator's rules, kept in debug mode within a block's room:
 * it decides every resize there, as it would in normal mode.
 */
static void debug_page_rules(struct kunit *test, struct dbg_fixture *f)
{
	const size_t big = (PAGE_SIZE << MAX_PAGE_ORDER) + PAGE_SIZE + 1;
	u8 *p;

	/* A shrink gives pages back: growing again past them is refused. */
	p = zalloc_alloc(f->za, 3 * PAGE_SIZE, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, zalloc_resize(f->za, p, 3 * PAGE_SIZE, 1,
					      PAGE_SIZE - 1, GFP_KERNEL));
	KUNIT_EXPECT_FALSE(test, zalloc_resize(f->za, p, PAGE_SIZE - 1, 1,
					       2 * PAGE_SIZE, GFP_KERNEL));
	KUNIT_EXPECT_TRUE(test, zalloc_resize(f->za, p, PAGE_SIZE - 1, 1,
					      PAGE_SIZE, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zalloc_remap(f->za, p, PAGE_SIZE, 1,
					     PAGE_SIZE + 1, GFP_KERNEL));
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
	KUNIT_EXPECT_EQ(test, dbg_delta(f, ZALLOC_STAT_BACKING_ALLOC),
			dbg_delta(f, ZALLOC_STAT_BACKING_FREE));
}

/* kmalloc's rules, kept in debug mode within a block's room. */
static void debug_kmalloc_rules(struct kunit *test, struct dbg_fixture *f)
{
	size_t room = kmalloc_size_roundup(100);
	u8 *p, *q;

	/* ksize() is below the shadow's room (twice the length). */
	KUNIT_ASSERT_LT(test, room, 200);
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
	KUNIT_EXPECT_EQ(test, dbg_delta(f, ZALLOC_STAT_BACKING_ALLOC),
			dbg_delta(f, ZALLOC_STAT_BACKING_FREE));
}

/*
 * A script of allocations, resizes, remaps and frees that stays within
 * every block's room gives the same results and the same counters, to the
 * last one, as the same allocator in normal mode.
 */
struct dbg_step {
	size_t len, align, resize_to, remap_to;
};

static const struct dbg_step dbg_script[] = {
	{ 1, 1, 2, 1 },		{ 8, 8, 16, 12 },
	{ 20, 4, 30, 40 },	{ 24, 8, 12, 20 },
	{ 100, 16, 120, 200 },	{ 300, 32, 290, 500 },
	{ 1000, 8, 1500, 600 },	{ 4000, 64, 4096, 8000 },
	{ 5000, 4096, 6000, 5000 },
	{ 40000, 8, 45000, 70000 },
	{ 70000, 8, 80000, 100000 },
};

#define DBG_STEPS	ARRAY_SIZE(dbg_script)

/* A kmalloc() object in the linear map (a shadow is one). */
static bool dbg_is_slab(const void *p)
{
	return !is_vmalloc_addr(p) && virt_addr_valid(p) &&
	       folio_test_slab(virt_to_folio(p));
}

/*
 * Run dbg_script on @za; one bit per call that succeeded in @ok.  A
 * shadow is a kmalloc() object; with @no_slab, the allocator's own blocks
 * in normal mode are not (it carves pages or a vmalloc'd buffer).
 */
static void dbg_run_script(struct kunit *test, const struct zalloc *za,
			   bool debug, bool no_slab, unsigned long *ok)
{
	size_t len[DBG_STEPS];
	u8 *p[DBG_STEPS], *q;
	int i;

	for (i = 0; i < DBG_STEPS; i++) {
		len[i] = dbg_script[i].len;
		p[i] = zalloc_alloc(za, len[i], dbg_script[i].align,
				    GFP_KERNEL);
		if (!p[i])
			continue;
		__set_bit(4 * i, ok);
		zalloc_test_fill(p[i], len[i], i);
		if (len[i] <= 512 && (debug || no_slab))
			KUNIT_EXPECT_EQ(test, dbg_is_slab(p[i]), debug);
	}
	for (i = 0; i < DBG_STEPS; i++) {
		if (!p[i])
			continue;
		if (zalloc_resize(za, p[i], len[i], dbg_script[i].align,
				  dbg_script[i].resize_to, GFP_KERNEL)) {
			__set_bit(4 * i + 1, ok);
			len[i] = dbg_script[i].resize_to;
		}
		q = zalloc_remap(za, p[i], len[i], dbg_script[i].align,
				 dbg_script[i].remap_to, GFP_KERNEL);
		if (q) {
			size_t kept = min3(len[i], dbg_script[i].remap_to,
					   dbg_script[i].len);

			__set_bit(4 * i + 2, ok);
			KUNIT_EXPECT_TRUE(test, zalloc_test_filled(q, kept, i));
			p[i] = q;
			len[i] = dbg_script[i].remap_to;
		}
	}
	for (i = 0; i < DBG_STEPS; i++)
		if (p[i])
			zalloc_free(za, p[i], len[i], dbg_script[i].align);
}

static void debug_same_as_normal(struct kunit *test, struct dbg_fixture *f)
{
	DECLARE_BITMAP(ok_debug, 4 * DBG_STEPS) = {};
	DECLARE_BITMAP(ok_normal, 4 * DBG_STEPS) = {};
	struct zalloc_stats_sum s_debug, s_normal;
	struct dbg_instance *twin;
	bool no_slab;
	int i;

	twin = kunit_kzalloc(test, sizeof(*twin), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, twin);
	KUNIT_ASSERT_EQ(test, dbg_instance_make(twin, f->kind, false), 0);
	KUNIT_EXPECT_FALSE(test, zalloc_debug_enabled(twin->za));
	/* The arena's buffers and the fallback are the globals' memory. */
	no_slab = f->kind != DBG_ARENA && f->kind != DBG_SF;

	dbg_run_script(test, f->za, true, no_slab, ok_debug);
	dbg_run_script(test, twin->za, false, no_slab, ok_normal);
	KUNIT_EXPECT_TRUE(test, bitmap_equal(ok_debug, ok_normal,
					     4 * DBG_STEPS));
	/* Some of each: allocations, resizes, remaps; not all of them. */
	KUNIT_EXPECT_GT(test, bitmap_weight(ok_debug, 4 * DBG_STEPS), 11);
	KUNIT_EXPECT_LT(test, bitmap_weight(ok_debug, 4 * DBG_STEPS),
			3 * DBG_STEPS);

	zalloc_stats_read(f->inst, &s_debug);
	zalloc_stats_read(twin->inst, &s_normal);
	dbg_instance_destroy(twin);
	for (i = 0; i < NR_ZALLOC_STATS; i++)
		KUNIT_EXPECT_EQ_MSG(test, s_debug.v[i], s_normal.v[i],
				    "counter %s", zalloc_stat_name(i));
	KUNIT_EXPECT_EQ(test, dbg_total(f), 0);
}

/*
 * Growing a block past its room (twice its length) is refused without
 * asking the allocator and counted as refused; realloc moves it.
 */
static void debug_shadow_room(struct kunit *test, struct dbg_fixture *f)
{
	unsigned long doubles = dbg_nr(f, ZALLOC_DEBUG_DOUBLE_FREE);
	long resize_refused, remap_refused, allocs;
	u8 *p, *q;

	p = zalloc_alloc(f->za, 200, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	zalloc_test_fill(p, 200, 9);
	resize_refused = dbg_delta(f, ZALLOC_STAT_RESIZE_REFUSED);
	remap_refused = dbg_delta(f, ZALLOC_STAT_REMAP_REFUSED);
	allocs = dbg_delta(f, ZALLOC_STAT_ALLOC);
	KUNIT_EXPECT_FALSE(test, zalloc_resize(f->za, p, 200, 8, 401,
					       GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zalloc_remap(f->za, p, 200, 8, 401, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, dbg_delta(f, ZALLOC_STAT_RESIZE_REFUSED),
			resize_refused + 1);
	KUNIT_EXPECT_EQ(test, dbg_delta(f, ZALLOC_STAT_REMAP_REFUSED),
			remap_refused + 1);
	KUNIT_EXPECT_EQ(test, dbg_delta(f, ZALLOC_STAT_ALLOC), allocs);

	q = zalloc_realloc(f->za, p, 200, 8, 401, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_PTR_NE(test, p, q);
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(q, 200, 9));
	zalloc_free(f->za, p, 200, 8);
	KUNIT_EXPECT_EQ(test, dbg_nr(f, ZALLOC_DEBUG_DOUBLE_FREE), doubles + 1);
	zalloc_free(f->za, q, 401, 8);
}

static void debug_semantics(struct kunit *test)
{
	struct dbg_fixture *f = dbg_setup(test);
	/* The double frees the cases make on purpose, to check a move. */
	unsigned long doubles = 1;

	if (f->kind == DBG_PAGE) {
		debug_page_rules(test, f);
	} else if (f->kind == DBG_KMALLOC) {
		debug_kmalloc_rules(test, f);
		doubles++;
	} else {
		debug_same_as_normal(test, f);
	}
	debug_shadow_room(test, f);
	KUNIT_EXPECT_GT(test, dbg_delta(f, ZALLOC_STAT_RESIZE_OK), 0);
	KUNIT_EXPECT_GT(test, dbg_delta(f, ZALLOC_STAT_RESIZE_REFUSED), 0);
	KUNIT_EXPECT_EQ(test, dbg_nr(f, ZALLOC_DEBUG_DOUBLE_FREE), doubles);
	dbg_finish(test, f, doubles);
}

/*
 * ======================================================================
 * The way into debug mode
 * ======================================================================
 */

/* A named instance's stats file says whether it is in debug mode. */
static long debug_mode_line(struct kunit *test, const char *name)
{
	char *stats = zalloc_test_debugfs(test, name, "stats");

	KUNIT_ASSERT_NOT_NULL(test, stats);
	return zalloc_test_value(stats, "debug_mode");
}

/*
 * The one way into debug mode: the flags of the create or init call, each
 * choice honoured, both at once refused; with neither, zalloc.debug
 * decides, as it does for the global instances.
 */
static void debug_flags(struct kunit *test)
{
	const unsigned int both = ZALLOC_F_DEBUG | ZALLOC_F_NODEBUG;
	bool param = zalloc_debug_enabled(&zalloc_page_allocator);
	struct zalloc *smp, *plain, *dflt, *sb;
	struct zalloc_bitmap *bm;

	/* Both at once, or a flag the allocator does not know: refused. */
	KUNIT_EXPECT_NULL(test, zalloc_smp_create(NULL, both));
	KUNIT_EXPECT_NULL(test, zalloc_smp_create(NULL, 1));
	KUNIT_EXPECT_NULL(test, zalloc_sbrk_create(NULL,
						   zalloc_sbrk_region_create(SZ_1M),
						   both));
	KUNIT_EXPECT_EQ(test, PTR_ERR(zalloc_bitmap_create(64, 4096, both,
							   NULL)), -EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(zalloc_bitmap_create(64, 4096, 2, NULL)),
			-EINVAL);

	/* The globals all follow zalloc.debug. */
	KUNIT_EXPECT_EQ(test, zalloc_debug_enabled(&zalloc_kmalloc_allocator),
			param);
	KUNIT_EXPECT_EQ(test, zalloc_debug_enabled(&zalloc_smp_allocator),
			param);
	KUNIT_EXPECT_EQ(test, zalloc_debug_enabled(&zalloc_sbrk_allocator),
			param);

	smp = zalloc_test_adopt(test, zalloc_smp_create("kunit-debug-on",
							ZALLOC_F_DEBUG));
	plain = zalloc_test_adopt(test, zalloc_smp_create("kunit-debug-off",
							  ZALLOC_F_NODEBUG));
	dflt = zalloc_test_adopt(test, zalloc_smp_create(NULL, 0));
	KUNIT_EXPECT_TRUE(test, zalloc_debug_enabled(smp));
	KUNIT_EXPECT_FALSE(test, zalloc_debug_enabled(plain));
	KUNIT_EXPECT_EQ(test, zalloc_debug_enabled(dflt), param);
	/* The stats file's "debug_mode" line says the same. */
	KUNIT_EXPECT_EQ(test, debug_mode_line(test, "kunit-debug-on"), 1);
	KUNIT_EXPECT_EQ(test, debug_mode_line(test, "kunit-debug-off"), 0);
	/* The instance is found through its debug-mode interface too. */
	KUNIT_ASSERT_NOT_NULL(test, zalloc_instance_of(smp));
	KUNIT_EXPECT_PTR_EQ(test, &zalloc_instance_of(smp)->za, smp);
	KUNIT_EXPECT_PTR_EQ(test, &zalloc_instance_of(plain)->za, plain);
	KUNIT_EXPECT_STREQ(test, zalloc_instance_name(zalloc_instance_of(smp)),
			   "kunit-debug-on");
	KUNIT_EXPECT_NOT_NULL(test, zalloc_smp_shrinker(smp));
	KUNIT_EXPECT_EQ(test, zalloc_test_destroy_now(test, smp), 0);
	KUNIT_EXPECT_EQ(test, zalloc_test_destroy_now(test, plain), 0);

	sb = zalloc_test_adopt(test,
			       zalloc_sbrk_create(NULL,
						  zalloc_sbrk_pages_create(),
						  ZALLOC_F_DEBUG));
	KUNIT_EXPECT_TRUE(test, zalloc_debug_enabled(sb));
	KUNIT_EXPECT_NOT_NULL(test, zalloc_instance_of(sb));
	KUNIT_EXPECT_EQ(test, zalloc_test_destroy_now(test, sb), 0);

	/* An allocator's own flag goes with either. */
	bm = zalloc_bitmap_create(64, 4096,
				  ZALLOC_BITMAP_LOCKED | ZALLOC_F_DEBUG, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(bm));
	KUNIT_EXPECT_TRUE(test, zalloc_debug_enabled(zalloc_bitmap_allocator(bm)));
	KUNIT_EXPECT_EQ(test, zalloc_test_info(&bm->inst,
					       ZALLOC_BITMAP_LOCKED_COUNTER), 1);
	zalloc_bitmap_destroy(bm);

	/* Nothing to say about what is no zalloc instance. */
	KUNIT_EXPECT_FALSE(test, zalloc_debug_enabled(NULL));
	KUNIT_EXPECT_EQ(test, zalloc_debug_reports(NULL,
						   ZALLOC_DEBUG_DOUBLE_FREE),
			0);
	KUNIT_EXPECT_EQ(test, zalloc_debug_reports(&zalloc_page_allocator,
						   NR_ZALLOC_DEBUG_REPORTS), 0);
}

/* Destroying a debug-mode instance reports and frees every live block. */
static void debug_instance_leaks(struct kunit *test)
{
	struct zalloc *a = zalloc_test_adopt(test,
					     zalloc_smp_create(NULL,
							       ZALLOC_F_DEBUG));
	void *p, *q;

	p = zalloc_alloc(a, 48, 8, GFP_KERNEL);
	q = zalloc_alloc(a, 100000, 8, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, p);
	KUNIT_EXPECT_NOT_NULL(test, q);
	/* Two leaks, one report each; the slab and large blocks go too. */
	KUNIT_EXPECT_EQ(test, zalloc_test_destroy_now(test, a), 2);
}

static struct kunit_case zalloc_debug_cases[] = {
	KUNIT_CASE(debug_flags),
	KUNIT_CASE(debug_instance_leaks),
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
