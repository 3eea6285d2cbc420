// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the fixed buffer's thread-safe view (Zig's
 * threadSafeAllocator(): lock-free bump, no resize, no free) against the
 * bump model, single-threaded (the concurrent case is tsan/hammer.c).
 * Config: as fuzz_fixed.c.
 */
#include <stdlib.h>
#include <zalloc/fixed.h>

#include "bump_model.h"

static const size_t ts_sizes[8] = { 0, 24, 64, 256, 1024, 4096, 65536, 1 << 20 };
static struct zalloc_fixed ts_inst;
static struct bump_model ts_m;
static u8 *ts_mem;

static void ts_setup(struct fz *f, u8 config)
{
	size_t size = ts_sizes[config & 7];
	unsigned int skew = (config >> 3) & 7;

	ts_mem = malloc(size + 16);
	if (zalloc_fixed_init(&ts_inst, ts_mem + skew, size, NULL,
			      ZALLOC_F_NODEBUG, GFP_KERNEL))
		abort();
	bm_init(&ts_m, ts_mem + skew, size);
	f->a = zalloc_fixed_thread_safe_allocator(&ts_inst);
	f->inst = &ts_inst.inst;
}

static void ts_teardown(struct fz *f)
{
	zalloc_fixed_destroy(&ts_inst);
	free(ts_mem);
}

static enum fz_expect ts_expect_alloc(struct fz *f, size_t len, size_t align)
{
	size_t start;

	return bm_fit(&ts_m, len, align, &start) ? FZ_MUST : FZ_MUST_NOT;
}

/* Zig's noResize: refused, even a shrink. */
static enum fz_expect ts_expect_relen(struct fz *f, struct fz_blk *b,
				      size_t new_len)
{
	return FZ_MUST_NOT;
}

static void ts_alloced(struct fz *f, struct fz_blk *b)
{
	bm_alloced(f, &ts_m, b, true);
}

/* Zig's noFree: counted, the bytes stay used. */
static void ts_freed(struct fz *f, struct fz_blk *b)
{
}

static void ts_relenned(struct fz *f, struct fz_blk *b, size_t old_len)
{
	fz_fail(f, "the thread-safe view resized a block");
}

static void ts_op(struct fz *f, int which, const u8 *arg)
{
	if (which)
		return;
	fz_expect_drop_live(f);
	zalloc_fixed_reset(&ts_inst);
	fz_forget_all(f);
	ts_m.end = 0;
}

static bool ts_bad(struct fz *f, const u8 *arg)
{
	zalloc_free(f->a, ts_m.base + ts_m.size + 1 + arg[0], 8, 1);
	return true;
}

static void ts_final(struct fz *f)
{
	FZ_CHECK(f, fz_info(f, ZALLOC_FIXED_END_INDEX) == ts_m.end,
		 "end_index %lu, model %zu", fz_info(f, ZALLOC_FIXED_END_INDEX), ts_m.end);
}

static const struct fz_target ts_target = {
	.name		= "fixed_ts",
	.max_len	= (1 << 20) + 64,
	.max_align_shift = 16,
	.setup		= ts_setup,
	.teardown	= ts_teardown,
	.expect_alloc	= ts_expect_alloc,
	.expect_relen	= ts_expect_relen,
	.alloced	= ts_alloced,
	.freed		= ts_freed,
	.relenned	= ts_relenned,
	.op		= ts_op,
	.bad		= ts_bad,
	.final		= ts_final,
	.free_keeps_bytes = true,
};

FZ_DEFINE_TARGET(ts_target)
