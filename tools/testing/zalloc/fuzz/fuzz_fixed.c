// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the fixed buffer allocator's normal view (zalloc/fixed.c,
 * bump.c) against the bump model, with reset, savestate and restore.
 * Config: bits 0-2 the buffer size (0 to 1 MiB), bits 3-5 how far the
 * buffer is from an 8-byte boundary (alignment padding).
 */
#include <stdlib.h>
#include <zalloc/fixed.h>

#include "bump_model.h"

static const size_t fixed_sizes[8] = { 0, 24, 64, 256, 1024, 4096, 65536, 1 << 20 };

struct fixed_priv {
	struct zalloc_fixed inst;
	u8 *mem;
	struct bump_model m;
	bool saved;
	struct zalloc_fixed_state state;
	size_t saved_end;
	unsigned long saved_serial;
	struct zalloc_stats_sum saved_sum;
	bool old_touched;	/* a block from before the save freed or resized */
};

static struct fixed_priv fp;

static void fixed_setup(struct fz *f, u8 config)
{
	size_t size = fixed_sizes[config & 7];
	unsigned int skew = (config >> 3) & 7;

	memset(&fp, 0, sizeof(fp));
	fp.mem = malloc(size + 16);
	if (zalloc_fixed_init(&fp.inst, fp.mem + skew, size, NULL,
			      ZALLOC_F_NODEBUG, GFP_KERNEL))
		abort();
	bm_init(&fp.m, fp.mem + skew, size);
	f->a = zalloc_fixed_allocator(&fp.inst);
	f->inst = &fp.inst.inst;
}

static void fixed_teardown(struct fz *f)
{
	zalloc_fixed_destroy(&fp.inst);
	free(fp.mem);
}

static enum fz_expect fixed_expect_alloc(struct fz *f, size_t len, size_t align)
{
	size_t start;

	return bm_fit(&fp.m, len, align, &start) ? FZ_MUST : FZ_MUST_NOT;
}

static enum fz_expect fixed_expect_relen(struct fz *f, struct fz_blk *b,
					 size_t new_len)
{
	return bm_expect_relen(&fp.m, b, new_len);
}

static void fixed_alloced(struct fz *f, struct fz_blk *b)
{
	bm_alloced(f, &fp.m, b, false);
}

static void fixed_freed(struct fz *f, struct fz_blk *b)
{
	if (fp.saved && b->serial <= fp.saved_serial)
		fp.old_touched = true;
	bm_freed(&fp.m, b);
}

static void fixed_relenned(struct fz *f, struct fz_blk *b, size_t old_len)
{
	if (fp.saved && b->serial <= fp.saved_serial)
		fp.old_touched = true;
	bm_relenned(&fp.m, b, old_len);
}

/* Restore to the saved state: blocks since are gone, as the contract says. */
static void fixed_restore(struct fz *f)
{
	unsigned long *now = f->sum.v, *then = fp.saved_sum.v;
	long blocks, bytes;
	unsigned int i;
	bool ok;

	/*
	 * zalloc_fixed_restore() counts the blocks since the save from the
	 * counters, which it says is exact only if no block from before the
	 * save was freed in between; nor can a block from before the save
	 * that was resized since be "a block from before it" that stays.
	 * Neither case is restored here.
	 */
	if (!fp.saved || fp.old_touched)
		return;
	ok = zalloc_fixed_restore(&fp.inst, &fp.state);
	if (fp.saved_end > fp.m.end) {
		FZ_CHECK(f, !ok, "restore beyond the end index succeeded");
		fz_expect_report(f);
		return;
	}
	FZ_CHECK(f, ok, "restore to %zu (end %zu) refused", fp.saved_end, fp.m.end);
	for (i = 0; i < f->nr;) {
		if (f->blk[i].serial > fp.saved_serial)
			f->blk[i] = f->blk[--f->nr];
		else
			i++;
	}
	blocks = (now[ZALLOC_STAT_ALLOC] - then[ZALLOC_STAT_ALLOC]) -
		 (now[ZALLOC_STAT_FREE] - then[ZALLOC_STAT_FREE]);
	bytes = (now[ZALLOC_STAT_BYTES_ALLOC] - then[ZALLOC_STAT_BYTES_ALLOC]) -
		(now[ZALLOC_STAT_BYTES_FREE] - then[ZALLOC_STAT_BYTES_FREE]);
	if (blocks > 0)
		now[ZALLOC_STAT_FREE] += blocks;
	if (bytes > 0)
		now[ZALLOC_STAT_BYTES_FREE] += bytes;
	fp.m.end = fp.saved_end;
	fp.m.last = BM_NONE;
}

static void fixed_op(struct fz *f, int which, const u8 *arg)
{
	if (which == 0) {
		fz_expect_drop_live(f);
		zalloc_fixed_reset(&fp.inst);
		fz_forget_all(f);
		fp.m.end = 0;
		fp.m.last = BM_NONE;
		fp.saved = false;
		return;
	}
	if (arg[0] & 1) {
		zalloc_fixed_savestate(&fp.inst, &fp.state);
		FZ_CHECK(f, fp.state.end_index == fp.m.end, "saved end %zu, model %zu",
			 fp.state.end_index, fp.m.end);
		fp.saved = true;
		fp.saved_end = fp.m.end;
		fp.saved_serial = f->serial;
		fp.saved_sum = f->sum;
		fp.old_touched = false;
	} else {
		fixed_restore(f);
	}
}

/* Frees the buffer must refuse: outside it, or inside the last block. */
static bool fixed_bad(struct fz *f, const u8 *arg)
{
	struct fz_blk *b = fz_newest(f);
	size_t k;

	if (arg[0] & 1 || !b || b->len < 2 || fp.m.last != (size_t)(b->p - fp.m.base)) {
		fz_call_free(f, fp.m.base + fp.m.size + 16, 8, 1);
		return true;
	}
	k = 1 + arg[1] % (b->len - 1);
	fz_call_free(f, b->p + k, b->len - k, 1);
	return true;
}

static void fixed_final(struct fz *f)
{
	struct fz_blk *b = fz_newest(f);

	FZ_CHECK(f, fz_info(f, ZALLOC_FIXED_END_INDEX) == fp.m.end,
		 "end_index %lu, model %zu", fz_info(f, ZALLOC_FIXED_END_INDEX), fp.m.end);
	FZ_CHECK(f, fz_info(f, ZALLOC_FIXED_BUFFER_SIZE) == fp.m.size, "buffer_size");
	if (b) {
		FZ_CHECK(f, zalloc_fixed_owns_ptr(&fp.inst, b->p), "owns_ptr");
		FZ_CHECK(f, zalloc_fixed_owns_range(&fp.inst, b->p, b->len), "owns_range");
		FZ_CHECK(f, zalloc_fixed_is_last_allocation(&fp.inst, b->p, b->len) ==
			 bm_is_last(&fp.m, b->p, b->len), "is_last_allocation");
	}
	FZ_CHECK(f, !zalloc_fixed_owns_ptr(&fp.inst, fp.m.base + fp.m.size), "owns the end");
}

static void *fixed_alloc_direct(struct fz *f, size_t len, size_t align,
				gfp_t gfp)
{
	return zalloc_fixed_alloc(&fp.inst, len, align);
}

static void fixed_free_direct(struct fz *f, void *p, size_t len, size_t align)
{
	zalloc_fixed_free(&fp.inst, p, len, align);
}

static const struct fz_target fixed_target = {
	.name		= "fixed",
	.max_len	= (1 << 20) + 64,
	.max_align_shift = 16,
	.setup		= fixed_setup,
	.teardown	= fixed_teardown,
	.expect_alloc	= fixed_expect_alloc,
	.expect_relen	= fixed_expect_relen,
	.alloced	= fixed_alloced,
	.freed		= fixed_freed,
	.relenned	= fixed_relenned,
	.op		= fixed_op,
	.bad		= fixed_bad,
	.final		= fixed_final,
	.alloc_direct	= fixed_alloc_direct,
	.free_direct	= fixed_free_direct,
	.direct_no_gfp	= true,
	.free_keeps_bytes = true,
};

FZ_DEFINE_TARGET(fixed_target)
