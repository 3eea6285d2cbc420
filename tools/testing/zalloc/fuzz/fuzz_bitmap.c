// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the bitmap allocator (zalloc/bitmap.c, bitmap_search.c)
 * against a plain bit-per-chunk model with a first-fit search written from
 * the contract ("the first such run by chunk index"), so every address the
 * word-at-a-time search returns, every refusal, every in-place resize and
 * the free and largest-run counts are checked exactly.  Both APIs: bytes
 * through struct zalloc, chunks through zalloc_bitmap_alloc_chunks().
 * Config: bits 0-2 the chunk size (8 B .. 1 KiB, or 4 KiB), bits 3-4 the
 * capacity (1, 2, 5 or 16 words of 64 chunks), bit 5 create() over pages
 * with ZALLOC_BITMAP_LOCKED, else init() caller-locked over a malloc'd
 * buffer.
 */
#include <stdlib.h>
#include <zalloc/bitmap.h>

#include "engine.h"

#define BMAX	(16 * 64)

static struct zalloc_bitmap bm_inst, *bm;
static void *bm_buf;
static u8 bm_free[BMAX];	/* 1: free */
static size_t bm_nr, bm_chunk, bm_max_align;

static void bitmap_setup(struct fz *f, u8 config)
{
	static const size_t words[4] = { 1, 2, 5, 16 };
	struct zalloc_bitmap_layout l;
	size_t i;

	bm_chunk = (config & 7) == 7 ? 4096 : (size_t)8 << (config & 7);
	bm_nr = words[(config >> 3) & 3] * 64;
	if (config & 0x20) {
		bm = zalloc_bitmap_create(bm_chunk, bm_nr * bm_chunk,
					  ZALLOC_BITMAP_LOCKED | ZALLOC_F_NODEBUG,
					  NULL);
		if (IS_ERR(bm))
			abort();
		bm_buf = NULL;
	} else {
		if (zalloc_bitmap_layout(bm_chunk, bm_nr * bm_chunk, &l))
			abort();
		bm_buf = malloc(l.total_size);
		bm = &bm_inst;
		if (zalloc_bitmap_init(bm, bm_buf, &l, ZALLOC_F_NODEBUG, NULL))
			abort();
	}
	FZ_CHECK(f, bm->nr_chunks == bm_nr, "%zu chunks, asked for %zu",
		 bm->nr_chunks, bm_nr);
	bm_max_align = min_t(size_t, bm_chunk,
			     (unsigned long)bm->chunks & -(unsigned long)bm->chunks);
	FZ_CHECK(f, bm->max_align == bm_max_align, "max_align %zu, model %zu",
		 bm->max_align, bm_max_align);
	for (i = 0; i < bm_nr; i++)
		bm_free[i] = 1;
	f->a = zalloc_bitmap_allocator(bm);
	f->inst = &bm->inst;
}

static void bitmap_teardown(struct fz *f)
{
	zalloc_bitmap_destroy(bm);
	free(bm_buf);
}

static size_t chunks_for(size_t len)
{
	return DIV_ROUND_UP(len, bm_chunk);
}

/* The lowest index of @n free chunks in a row, or SIZE_MAX. */
static size_t model_first_fit(size_t n)
{
	size_t i, run = 0;

	for (i = 0; i < bm_nr; i++) {
		run = bm_free[i] ? run + 1 : 0;
		if (run == n)
			return i + 1 - n;
	}
	return SIZE_MAX;
}

static void model_set(size_t from, size_t n, u8 v)
{
	memset(bm_free + from, v, n);
}

static bool model_all(size_t from, size_t n, u8 v)
{
	return from + n <= bm_nr && !memchr_inv(bm_free + from, v, n);
}

static size_t idx_of(const u8 *p)
{
	return (p - bm->chunks) / bm_chunk;
}

static enum fz_expect bitmap_expect_alloc(struct fz *f, size_t len, size_t align)
{
	if (align > bm_max_align)
		return FZ_MUST_NOT;
	return model_first_fit(chunks_for(len)) != SIZE_MAX ? FZ_MUST : FZ_MUST_NOT;
}

static void bitmap_alloced(struct fz *f, struct fz_blk *b)
{
	size_t n = chunks_for(b->len), at = model_first_fit(n);

	FZ_CHECK(f, at != SIZE_MAX, "the model has no run of %zu chunks", n);
	FZ_CHECK(f, b->p == bm->chunks + at * bm_chunk,
		 "%zu chunks at index %td, first fit is %zu",
		 n, (b->p - bm->chunks) / (ptrdiff_t)bm_chunk, at);
	model_set(at, n, 0);
}

static void bitmap_freed(struct fz *f, struct fz_blk *b)
{
	model_set(idx_of(b->p), chunks_for(b->len), 1);
}

static enum fz_expect bitmap_expect_relen(struct fz *f, struct fz_blk *b,
					  size_t new_len)
{
	size_t n = chunks_for(b->len), nn = chunks_for(new_len);

	if (nn <= n)
		return FZ_MUST;
	return model_all(idx_of(b->p) + n, nn - n, 1) ? FZ_MUST : FZ_MUST_NOT;
}

static void bitmap_relenned(struct fz *f, struct fz_blk *b, size_t old_len)
{
	size_t at = idx_of(b->p), n = chunks_for(old_len), nn = chunks_for(b->len);

	if (nn < n)
		model_set(at + nn, n - nn, 1);
	else
		model_set(at + n, nn - n, 0);
}

static size_t model_largest_run(void)
{
	size_t i, run = 0, best = 0;

	for (i = 0; i < bm_nr; i++) {
		run = bm_free[i] ? run + 1 : 0;
		best = max(best, run);
	}
	return best;
}

static size_t model_free_count(void)
{
	size_t i, n = 0;

	for (i = 0; i < bm_nr; i++)
		n += bm_free[i];
	return n;
}

/* 0: the chunk API's alloc (and free); 1: the counts. */
static void bitmap_op(struct fz *f, int which, const u8 *arg)
{
	size_t nr = 1 + (arg[1] | (size_t)arg[2] << 8) % (arg[0] & 1 ? bm_nr : 70);
	size_t at, index;
	struct fz_blk *b;
	int err;

	if (which) {
		FZ_CHECK(f, zalloc_bitmap_largest_free_run(bm) == model_largest_run(),
			 "largest run %zu, model %zu", zalloc_bitmap_largest_free_run(bm),
			 model_largest_run());
		FZ_CHECK(f, zalloc_bitmap_free_count(bm) == model_free_count(),
			 "free count %zu, model %zu", zalloc_bitmap_free_count(bm),
			 model_free_count());
		return;
	}
	if (arg[3] & 1 && f->nr) {
		b = &f->blk[arg[3] % f->nr];
		if (b->len % bm_chunk)
			return;
		fz_check_contents(f, b, b->len);
		zalloc_bitmap_free_chunks(bm, idx_of(b->p), b->len / bm_chunk);
		f->sum.v[ZALLOC_STAT_FREE]++;
		f->sum.v[ZALLOC_STAT_BYTES_FREE] += b->len;
		model_set(idx_of(b->p), b->len / bm_chunk, 1);
		*b = f->blk[--f->nr];
		return;
	}
	if (f->nr >= FZ_BLOCKS - 1)
		return;
	/* The engine fills and checks blocks of up to 1 MiB. */
	nr = min(nr, (size_t)(1 << 20) / bm_chunk);
	at = model_first_fit(nr);
	err = zalloc_bitmap_alloc_chunks(bm, nr, &index);
	if (at == SIZE_MAX) {
		FZ_CHECK(f, err == -ENOMEM, "alloc_chunks(%zu): %d, model has no room", nr, err);
		f->sum.v[ZALLOC_STAT_ALLOC_FAIL]++;
		return;
	}
	FZ_CHECK(f, !err && index == at, "alloc_chunks(%zu): %d at %zu, first fit %zu",
		 nr, err, index, at);
	fz_track(f, zalloc_bitmap_chunk_ptr(bm, index), nr * bm_chunk, 1);
}

static bool bitmap_bad(struct fz *f, const u8 *arg)
{
	struct fz_blk *g = fz_grave_pick(f, arg[1]);
	static long stack_word;

	switch (arg[0] % 3) {
	case 0:
		if (!g)
			return false;
		zalloc_free(f->a, g->p, g->len, g->align);	/* double free */
		return true;
	case 1:
		if (!f->nr)
			return false;
		zalloc_free(f->a, f->blk[arg[1] % f->nr].p + 1 + arg[2] % (bm_chunk - 1),
			    1, 1);				/* not a chunk start */
		return true;
	default:
		zalloc_free(f->a, &stack_word, sizeof(stack_word), 1);	/* foreign */
		return true;
	}
}

static void bitmap_final(struct fz *f)
{
	struct fz_blk *b = fz_newest(f);

	FZ_CHECK(f, fz_info(f, ZALLOC_BITMAP_FREE_CHUNKS) == model_free_count(),
		 "free_chunks %lu, model %zu", fz_info(f, ZALLOC_BITMAP_FREE_CHUNKS),
		 model_free_count());
	FZ_CHECK(f, fz_info(f, ZALLOC_BITMAP_LARGEST_FREE_RUN) == model_largest_run(),
		 "largest_free_run %lu, model %zu",
		 fz_info(f, ZALLOC_BITMAP_LARGEST_FREE_RUN), model_largest_run());
	FZ_CHECK(f, fz_info(f, ZALLOC_BITMAP_CHUNKS) == bm_nr, "chunks");
	if (b)
		FZ_CHECK(f, zalloc_bitmap_owns(bm, b->p, b->len), "owns");
	FZ_CHECK(f, !zalloc_bitmap_owns(bm, bm->chunks + bm_nr * bm_chunk, 1), "owns end");
}

static const struct fz_target bitmap_target = {
	.name		= "bitmap",
	.max_len	= 16 * 64 * 4096 + 1,
	.max_align_shift = 13,
	.setup		= bitmap_setup,
	.teardown	= bitmap_teardown,
	.expect_alloc	= bitmap_expect_alloc,
	.expect_relen	= bitmap_expect_relen,
	.alloced	= bitmap_alloced,
	.freed		= bitmap_freed,
	.relenned	= bitmap_relenned,
	.op		= bitmap_op,
	.bad		= bitmap_bad,
	.final		= bitmap_final,
};

FZ_DEFINE_TARGET(bitmap_target)
