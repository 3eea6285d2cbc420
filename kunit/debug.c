// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc_debug: the debug-mode core (zalloc/debug.c) in both its modes:
 * emulating the page and the kmalloc allocators (zalloc_page_debug_sem,
 * zalloc_kmalloc_debug_sem), and in shadow mode over the smp, sbrk and
 * bitmap allocators (their ZALLOC_F_DEBUG flag) and over a fixed buffer
 * (zalloc_debug_wrap(), the way to put any allocator in debug mode).  It
 * keeps the semantics (T1..T4 pass, the in-place and remap rules hold,
 * counters count; in shadow mode a script gives the same results and the
 * same counters as the same allocator in normal mode), detects each misuse
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
#include <linux/vmalloc.h>
#include <zalloc/bitmap.h>
#include <zalloc/debug.h>
#include <zalloc/fixed.h>
#include <zalloc/kmalloc.h>
#include <zalloc/page.h>
#include <zalloc/registry.h>
#include <zalloc/sbrk.h>
#include <zalloc/smp.h>

#include "zalloc_kunit.h"

enum dbg_kind { DBG_PAGE, DBG_KMALLOC, DBG_SMP, DBG_SBRK, DBG_BITMAP,
		DBG_FIXED };

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
	{ "fixed-wrapped", DBG_FIXED },
};

static void dbg_desc(const struct dbg_param *p, char *desc)
{
	strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(dbg, dbg_params, dbg_desc);

/*
 * One allocator instance of a kind, in debug mode (@debug) or not.  For
 * the emulated kinds only the debug core exists (@emb, @emb_inst).
 */
struct dbg_instance {
	enum dbg_kind kind;
	struct zalloc_debug emb;
	struct zalloc_instance emb_inst;
	struct zalloc_smp *smp;
	struct zalloc_sbrk *sb;
	struct zalloc_bitmap *bm;
	struct zalloc_fixed fixed;
	void *buf;
	struct zalloc_debug *wrap;
	const struct zalloc *za;
	struct zalloc_instance *inst;
};

#define DBG_FIXED_SIZE	SZ_4M

static void dbg_instance_destroy(struct dbg_instance *di)
{
	switch (di->kind) {
	case DBG_PAGE:
	case DBG_KMALLOC:
		zalloc_debug_destroy(&di->emb);
		zalloc_instance_destroy(&di->emb_inst);
		break;
	case DBG_SMP:
		zalloc_smp_destroy(di->smp);
		break;
	case DBG_SBRK:
		zalloc_sbrk_destroy(di->sb);
		break;
	case DBG_BITMAP:
		zalloc_bitmap_destroy(di->bm);
		break;
	case DBG_FIXED:
		zalloc_debug_unwrap(di->wrap);
		zalloc_fixed_destroy(&di->fixed);
		vfree(di->buf);
		break;
	}
}

static int dbg_fixed_make(struct dbg_instance *di, bool debug)
{
	di->buf = vmalloc(DBG_FIXED_SIZE);
	if (!di->buf)
		return -ENOMEM;
	if (zalloc_fixed_init(&di->fixed, di->buf, DBG_FIXED_SIZE, NULL,
			      GFP_KERNEL))
		goto free_buf;
	di->za = zalloc_fixed_allocator(&di->fixed);
	di->inst = &di->fixed.inst;
	if (!debug)
		return 0;
	di->wrap = zalloc_debug_wrap("kunit-fixed", di->za, di->inst,
				     GFP_KERNEL);
	if (!di->wrap)
		goto destroy_fixed;
	di->za = &di->wrap->za;
	return 0;

destroy_fixed:
	zalloc_fixed_destroy(&di->fixed);
free_buf:
	vfree(di->buf);
	return -ENOMEM;
}

static int dbg_instance_make(struct dbg_instance *di, enum dbg_kind kind,
			     bool debug)
{
	unsigned int flags = debug ? ZALLOC_F_DEBUG : ZALLOC_F_NODEBUG;

	di->kind = kind;
	switch (kind) {
	case DBG_PAGE:
	case DBG_KMALLOC:
		if (zalloc_instance_init(&di->emb_inst, "debug", NULL,
					 GFP_KERNEL))
			return -ENOMEM;
		zalloc_debug_init(&di->emb, kind == DBG_PAGE ? "page" :
				  "kmalloc", kind == DBG_PAGE ?
				  &zalloc_page_debug_sem :
				  &zalloc_kmalloc_debug_sem, &di->emb_inst);
		di->za = &di->emb.za;
		di->inst = &di->emb_inst;
		return 0;
	case DBG_SMP:
		di->smp = zalloc_smp_create(NULL, flags);
		if (!di->smp)
			return -ENOMEM;
		di->za = zalloc_smp_zalloc(di->smp);
		di->inst = zalloc_smp_instance(di->smp);
		return 0;
	case DBG_SBRK:
		di->sb = zalloc_sbrk_create(NULL,
					    zalloc_sbrk_region_create(SZ_8M),
					    flags);
		if (!di->sb)
			return -ENOMEM;
		di->za = zalloc_sbrk_zalloc(di->sb);
		di->inst = zalloc_sbrk_instance(di->sb);
		return 0;
	case DBG_BITMAP:
		/* Half-page chunks: T3 aligns to half a page. */
		di->bm = zalloc_bitmap_create(PAGE_SIZE / 2, SZ_1M, flags, NULL);
		if (IS_ERR(di->bm))
			return PTR_ERR(di->bm);
		di->za = zalloc_bitmap_allocator(di->bm);
		di->inst = &di->bm->inst;
		return 0;
	case DBG_FIXED:
		return dbg_fixed_make(di, debug);
	}
	return -EINVAL;
}

struct dbg_fixture {
	struct dbg_instance di;
	struct zalloc_debug *d;
	const struct zalloc *za;
	struct zalloc_instance *inst;
	enum dbg_kind kind;
};

static void dbg_teardown(void *data)
{
	struct dbg_fixture *f = data;

	dbg_instance_destroy(&f->di);
}

static struct dbg_fixture *dbg_setup(struct kunit *test)
{
	const struct dbg_param *p = test->param_value;
	struct dbg_fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_ASSERT_EQ(test, dbg_instance_make(&f->di, p->kind, true), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, dbg_teardown, f),
			0);
	f->kind = p->kind;
	f->za = f->di.za;
	f->inst = f->di.inst;
	f->d = zalloc_debug_of(f->za);
	KUNIT_ASSERT_NOT_NULL(test, f->d);
	return f;
}

static bool dbg_shadowed(const struct dbg_fixture *f)
{
	return f->kind != DBG_PAGE && f->kind != DBG_KMALLOC;
}

static unsigned long dbg_nr(struct dbg_fixture *f,
			    enum zalloc_debug_report kind)
{
	return zalloc_debug_reports(f->d, kind);
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
	KUNIT_EXPECT_EQ(test, zalloc_debug_destroy(f->d), 0);
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
	zalloc_stats_read(&f->inst->stats, &s);
	KUNIT_EXPECT_EQ(test, s.v[ZALLOC_STAT_FREE], 1);
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(q, 100, 4));
	zalloc_free(f->za, q, 100, 8);
	KUNIT_EXPECT_EQ(test, dbg_total(f), 3);
	KUNIT_EXPECT_EQ(test, zalloc_debug_destroy(f->d), 0);
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
	KUNIT_EXPECT_EQ(test, zalloc_debug_destroy(f->d), 0);
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
	KUNIT_EXPECT_EQ(test, dbg_total(f), 5);
	KUNIT_EXPECT_EQ(test, zalloc_debug_destroy(f->d), 0);
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
	KUNIT_EXPECT_EQ(test, dbg_total(f), 2);
	KUNIT_EXPECT_EQ(test, zalloc_debug_destroy(f->d), 0);
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
	KUNIT_EXPECT_EQ(test, zalloc_debug_destroy(f->d), 2);
	KUNIT_EXPECT_EQ(test, dbg_nr(f, ZALLOC_DEBUG_LEAK), 2);
	zalloc_stats_read(&f->inst->stats, &s);
	KUNIT_EXPECT_EQ(test, s.v[ZALLOC_STAT_ALLOC], s.v[ZALLOC_STAT_FREE]);
	KUNIT_EXPECT_EQ(test, s.v[ZALLOC_STAT_BYTES_ALLOC],
			s.v[ZALLOC_STAT_BYTES_FREE]);
	/* Shadow mode: the allocator keeps (and counts) its own backing. */
	if (!dbg_shadowed(f))
		KUNIT_EXPECT_EQ(test, s.v[ZALLOC_STAT_BACKING_ALLOC],
				s.v[ZALLOC_STAT_BACKING_FREE]);
	KUNIT_EXPECT_EQ(test, zalloc_debug_destroy(f->d), 0);
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

/*
 * Shadow mode: a script of allocations, resizes, remaps and frees that
 * stays within every block's room gives the same results and the same
 * counters, to the last one, as the same allocator in normal mode.
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

/* A kmalloc() object in the linear map (a shadow is one; slabs are not). */
static bool dbg_is_slab(const void *p)
{
	return !is_vmalloc_addr(p) && virt_addr_valid(p) &&
	       folio_test_slab(virt_to_folio(p));
}

/* Run dbg_script on @za; one bit per call that succeeded in @ok. */
static void dbg_run_script(struct kunit *test, const struct zalloc *za,
			   bool debug, unsigned long *ok)
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
		/* A shadow is a kmalloc() object; normal blocks are not. */
		if (len[i] <= 512)
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
	int i;

	twin = kunit_kzalloc(test, sizeof(*twin), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, twin);
	KUNIT_ASSERT_EQ(test, dbg_instance_make(twin, f->kind, false), 0);
	KUNIT_EXPECT_NULL(test, zalloc_debug_of(twin->za));

	dbg_run_script(test, f->za, true, ok_debug);
	dbg_run_script(test, twin->za, false, ok_normal);
	KUNIT_EXPECT_TRUE(test, bitmap_equal(ok_debug, ok_normal,
					     4 * DBG_STEPS));
	/* Some of each: allocations, resizes, remaps; not all of them. */
	KUNIT_EXPECT_GT(test, bitmap_weight(ok_debug, 4 * DBG_STEPS), 11);
	KUNIT_EXPECT_LT(test, bitmap_weight(ok_debug, 4 * DBG_STEPS),
			3 * DBG_STEPS);

	zalloc_stats_read(&f->inst->stats, &s_debug);
	zalloc_stats_read(&twin->inst->stats, &s_normal);
	dbg_instance_destroy(twin);
	for (i = 0; i < NR_ZALLOC_STATS; i++)
		KUNIT_EXPECT_EQ_MSG(test, s_debug.v[i], s_normal.v[i],
				    "counter %d", i);
	KUNIT_EXPECT_EQ(test, dbg_total(f), 0);
}

/*
 * Shadow mode: growing a block past its room (twice its length) is refused
 * without asking the allocator and counted as refused; realloc moves it.
 */
static void debug_shadow_room(struct kunit *test, struct dbg_fixture *f)
{
	struct zalloc_stats_sum before, after;
	u8 *p, *q;

	p = zalloc_alloc(f->za, 200, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	zalloc_test_fill(p, 200, 9);
	zalloc_stats_read(&f->inst->stats, &before);
	KUNIT_EXPECT_FALSE(test, zalloc_resize(f->za, p, 200, 8, 401,
					       GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zalloc_remap(f->za, p, 200, 8, 401, GFP_KERNEL));
	zalloc_stats_read(&f->inst->stats, &after);
	KUNIT_EXPECT_EQ(test, after.v[ZALLOC_STAT_RESIZE_REFUSED],
			before.v[ZALLOC_STAT_RESIZE_REFUSED] + 1);
	KUNIT_EXPECT_EQ(test, after.v[ZALLOC_STAT_REMAP_REFUSED],
			before.v[ZALLOC_STAT_REMAP_REFUSED] + 1);
	KUNIT_EXPECT_EQ(test, after.v[ZALLOC_STAT_ALLOC],
			before.v[ZALLOC_STAT_ALLOC]);

	q = zalloc_realloc(f->za, p, 200, 8, 401, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_PTR_NE(test, p, q);
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(q, 200, 9));
	zalloc_free(f->za, p, 200, 8);
	KUNIT_EXPECT_EQ(test, dbg_nr(f, ZALLOC_DEBUG_DOUBLE_FREE), 1);
	zalloc_free(f->za, q, 401, 8);
}

static void debug_semantics(struct kunit *test)
{
	struct dbg_fixture *f = dbg_setup(test);
	struct zalloc_stats_sum s;

	if (dbg_shadowed(f)) {
		debug_same_as_normal(test, f);
		debug_shadow_room(test, f);
		zalloc_stats_read(&f->inst->stats, &s);
		KUNIT_EXPECT_EQ(test, s.v[ZALLOC_STAT_ALLOC],
				s.v[ZALLOC_STAT_FREE]);
		KUNIT_EXPECT_EQ(test, s.v[ZALLOC_STAT_BYTES_ALLOC],
				s.v[ZALLOC_STAT_BYTES_FREE]);
		KUNIT_EXPECT_EQ(test, zalloc_debug_destroy(f->d), 0);
		return;
	}
	if (f->kind == DBG_PAGE)
		debug_page_rules(test, f);
	else
		debug_kmalloc_rules(test, f);
	zalloc_stats_read(&f->inst->stats, &s);
	KUNIT_EXPECT_EQ(test, s.v[ZALLOC_STAT_ALLOC], s.v[ZALLOC_STAT_FREE]);
	KUNIT_EXPECT_EQ(test, s.v[ZALLOC_STAT_BYTES_ALLOC],
			s.v[ZALLOC_STAT_BYTES_FREE]);
	KUNIT_EXPECT_EQ(test, s.v[ZALLOC_STAT_BACKING_ALLOC],
			s.v[ZALLOC_STAT_BACKING_FREE]);
	KUNIT_EXPECT_GT(test, s.v[ZALLOC_STAT_RESIZE_OK], 0);
	KUNIT_EXPECT_GT(test, s.v[ZALLOC_STAT_RESIZE_REFUSED], 0);
	KUNIT_EXPECT_EQ(test, zalloc_debug_destroy(f->d), 0);
}

/* The instance flags: each choice honoured, both at once refused. */
static void debug_flags(struct kunit *test)
{
	const unsigned int both = ZALLOC_F_DEBUG | ZALLOC_F_NODEBUG;
	struct zalloc_smp *smp, *plain;
	struct zalloc_bitmap *bm;
	struct zalloc_sbrk *sb;

	KUNIT_EXPECT_EQ(test, zalloc_debug_instance_flags(both, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, zalloc_debug_instance_flags(ZALLOC_F_DEBUG, 0),
			1);
	KUNIT_EXPECT_EQ(test, zalloc_debug_instance_flags(ZALLOC_F_NODEBUG, 0),
			0);
	/* An allocator's own bits pass; any other bit is refused. */
	KUNIT_EXPECT_EQ(test, zalloc_debug_instance_flags(ZALLOC_F_DEBUG | 1,
							  1), 1);
	KUNIT_EXPECT_EQ(test, zalloc_debug_instance_flags(2, 1), -EINVAL);
	KUNIT_EXPECT_NULL(test, zalloc_smp_create(NULL, 1));
	KUNIT_EXPECT_EQ(test, zalloc_debug_instance_flags(0, 0),
			(int)zalloc_debug_default());
	KUNIT_EXPECT_NULL(test, zalloc_smp_create(NULL, both));
	sb = zalloc_sbrk_create(NULL, zalloc_sbrk_region_create(SZ_1M), both);
	KUNIT_EXPECT_NULL(test, sb);
	KUNIT_EXPECT_EQ(test, PTR_ERR(zalloc_bitmap_create(64, 4096, both,
							   NULL)), -EINVAL);

	smp = zalloc_smp_create(NULL, ZALLOC_F_DEBUG);
	plain = zalloc_smp_create(NULL, ZALLOC_F_NODEBUG);
	KUNIT_ASSERT_NOT_NULL(test, smp);
	KUNIT_ASSERT_NOT_NULL(test, plain);
	KUNIT_EXPECT_NOT_NULL(test, zalloc_debug_of(zalloc_smp_zalloc(smp)));
	KUNIT_EXPECT_NULL(test, zalloc_debug_of(zalloc_smp_zalloc(plain)));
	/* debugfs "debug_mode" reads this. */
	KUNIT_EXPECT_TRUE(test, zalloc_smp_instance(smp)->debug);
	KUNIT_EXPECT_FALSE(test, zalloc_smp_instance(plain)->debug);
	/* The instance is found through its debug-mode interface too. */
	KUNIT_EXPECT_PTR_EQ(test, zalloc_smp_of(zalloc_smp_zalloc(smp)), smp);
	KUNIT_EXPECT_PTR_EQ(test, zalloc_smp_of(zalloc_smp_zalloc(plain)),
			    plain);
	KUNIT_EXPECT_EQ(test, zalloc_smp_destroy(smp), 0);
	KUNIT_EXPECT_EQ(test, zalloc_smp_destroy(plain), 0);

	sb = zalloc_sbrk_create(NULL, zalloc_sbrk_pages_create(),
				ZALLOC_F_DEBUG);
	KUNIT_ASSERT_NOT_NULL(test, sb);
	KUNIT_EXPECT_PTR_EQ(test, zalloc_sbrk_of(zalloc_sbrk_zalloc(sb)), sb);
	KUNIT_EXPECT_EQ(test, zalloc_sbrk_destroy(sb), 0);

	bm = zalloc_bitmap_create(64, 4096, ZALLOC_F_DEBUG, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(bm));
	KUNIT_EXPECT_NOT_NULL(test, zalloc_debug_of(zalloc_bitmap_allocator(bm)));
	zalloc_bitmap_destroy(bm);
}

/* Destroying a debug-mode instance reports and frees every live block. */
static void debug_instance_leaks(struct kunit *test)
{
	struct zalloc_smp *smp = zalloc_smp_create(NULL, ZALLOC_F_DEBUG);
	const struct zalloc *za;
	void *a, *b;

	KUNIT_ASSERT_NOT_NULL(test, smp);
	za = zalloc_smp_zalloc(smp);
	a = zalloc_alloc(za, 48, 8, GFP_KERNEL);
	b = zalloc_alloc(za, 100000, 8, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, a);
	KUNIT_EXPECT_NOT_NULL(test, b);
	/* Two leaks, one report each; the slab and large blocks go too. */
	KUNIT_EXPECT_EQ(test, zalloc_smp_destroy(smp), 2);
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
