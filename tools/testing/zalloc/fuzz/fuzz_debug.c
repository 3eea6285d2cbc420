// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: debug mode (zalloc/debug.c, debug_report.c) over an SMP
 * instance.  The allocator under the shadows is predicted as in
 * fuzz_smp.c; on top, a shadow's room (max(2 * length at allocation,
 * alignment, 64)) bounds every in-place resize, and every bad call must be
 * reported under its own kind exactly once: a double free of a recently
 * freed block, a wrong length, a wrong alignment, a pointer inside a block,
 * and a write into a red zone (after the block or in its header), found by
 * the next free, which still frees the block.
 */
#include <stdlib.h>
#include <zalloc/debug.h>
#include <zalloc/smp.h>

#include "engine.h"
/* For zalloc_debug_inner_ptr(): where the allocator's block lies. */
#include "../../../../zalloc/debug_core.h"

static struct zalloc *dsmp;
static unsigned long dbg_want[NR_ZALLOC_DEBUG_REPORTS];

static void dbg_setup(struct fz *f, u8 config)
{
	dsmp = zalloc_smp_create(NULL, ZALLOC_F_DEBUG);
	if (!dsmp)
		abort();
	FZ_CHECK(f, zalloc_debug_enabled(dsmp), "not in debug mode");
	memset(dbg_want, 0, sizeof(dbg_want));
	f->a = dsmp;
	f->inst = zalloc_instance_of(dsmp);
}

static void dbg_teardown(struct fz *f)
{
	unsigned long live = zalloc_destroy(dsmp);

	FZ_CHECK(f, live == 0, "destroy found %lu live blocks", live);
}

static enum fz_expect dbg_expect_alloc(struct fz *f, size_t len, size_t align)
{
	return FZ_MAY_OOM;
}

static enum fz_expect dbg_expect_relen(struct fz *f, struct fz_blk *b,
				       size_t new_len)
{
	unsigned int c = fz_class(b->len, b->align);

	if (new_len > b->room)
		return FZ_MUST_NOT;
	if (c < ZALLOC_SMP_NR_CLASSES)
		return fz_class(new_len, b->align) == c ? FZ_MUST : FZ_MUST_NOT;
	if (fz_class(new_len, b->align) < ZALLOC_SMP_NR_CLASSES)
		return FZ_MUST_NOT;
	return fz_page_relen(zalloc_debug_inner_ptr(f->inst, b->p, NULL),
			     b->len, new_len);
}

static void dbg_alloced(struct fz *f, struct fz_blk *b)
{
	b->room = max3(b->len * 2, b->align, (size_t)64);
}

static void dbg_nop(struct fz *f, struct fz_blk *b)
{
}

static void dbg_nop_relen(struct fz *f, struct fz_blk *b, size_t old_len)
{
}

static void dbg_op(struct fz *f, int which, const u8 *arg)
{
	if (!which)
		zalloc_smp_trim(dsmp);
}

static void dbg_check_reports(struct fz *f)
{
	int k;

	for (k = 0; k < NR_ZALLOC_DEBUG_REPORTS; k++)
		FZ_CHECK(f, zalloc_debug_reports(dsmp, k) == dbg_want[k],
			 "reports of kind %d: %lu, model %lu", k,
			 zalloc_debug_reports(dsmp, k), dbg_want[k]);
}

static bool dbg_bad(struct fz *f, const u8 *arg)
{
	struct fz_blk *b = f->nr ? &f->blk[arg[1] % f->nr] : NULL;
	struct fz_blk *g = fz_grave_pick(f, arg[1]);

	switch (arg[0] % 6) {
	case 0:
		if (!g)
			return false;
		zalloc_free(f->a, g->p, g->len, g->align);
		dbg_want[ZALLOC_DEBUG_DOUBLE_FREE]++;
		break;
	case 1:
		if (!b)
			return false;
		zalloc_free(f->a, b->p, b->len + 1, b->align);
		dbg_want[ZALLOC_DEBUG_WRONG_LEN]++;
		break;
	case 2:
		if (!b)
			return false;
		zalloc_free(f->a, b->p, b->len, b->align * 2);
		dbg_want[ZALLOC_DEBUG_WRONG_ALIGN]++;
		break;
	case 3:
		if (!b || b->len < 2)
			return false;
		zalloc_free(f->a, b->p + 1 + arg[2] % (b->len - 1), 1, 1);
		dbg_want[ZALLOC_DEBUG_INVALID_FREE]++;
		break;
	case 4:
	case 5:
		if (!b)
			return false;
		/* Into the red zone after the block, or the header zone before. */
		if (arg[0] % 6 == 4)
			b->p[b->len + arg[2] % ZALLOC_DEBUG_REDZONE] ^= 0x5a;
		else
			b->p[-1 - (int)(arg[2] % 8)] ^= 0x5a;
		dbg_want[ZALLOC_DEBUG_REDZONE_BAD]++;
		fz_free_blk(f, b);
		break;
	}
	dbg_check_reports(f);
	return true;
}

static void dbg_final(struct fz *f)
{
	unsigned long small = 0, large = 0;
	unsigned int i;

	dbg_check_reports(f);
	for (i = 0; i < f->nr; i++) {
		if (fz_class(f->blk[i].len, f->blk[i].align) < ZALLOC_SMP_NR_CLASSES)
			small++;
		else
			large++;
	}
	FZ_CHECK(f, fz_info(f, ZALLOC_SMP_LIVE_OBJECTS) == small,
		 "live_objects %lu, model %lu", fz_info(f, ZALLOC_SMP_LIVE_OBJECTS), small);
	FZ_CHECK(f, fz_info(f, ZALLOC_SMP_LARGE_LIVE) == large, "large_live");
	FZ_CHECK(f, fz_info(f, ZALLOC_SMP_DOUBLE_FREES) +
		 fz_info(f, ZALLOC_SMP_INVALID_FREES) == 0,
		 "debug mode let a bad free through to the allocator");
}

static const struct fz_target dbg_target = {
	.name		= "debug",
	.max_len	= 1 << 20,
	.max_align_shift = 16,
	.setup		= dbg_setup,
	.teardown	= dbg_teardown,
	.expect_alloc	= dbg_expect_alloc,
	.expect_relen	= dbg_expect_relen,
	.alloced	= dbg_alloced,
	.freed		= dbg_nop,
	.relenned	= dbg_nop_relen,
	.op		= dbg_op,
	.bad		= dbg_bad,
	.final		= dbg_final,
};

FZ_DEFINE_TARGET(dbg_target)
