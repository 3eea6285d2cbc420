// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the stack-fallback allocator (zalloc/stack_fallback.c) in
 * front of the page allocator or a private SMP instance.  Its buffer is
 * checked against the bump model byte for byte (a request that fits must
 * land there, one that does not must go to the fallback); fallback blocks
 * are predicted by the fallback's rules.  realloc moves blocks both ways.
 * Config: bits 0-1 the buffer size (64, 256, 1024, 4096), bits 2-4 how far
 * into the struct's buffer it starts, bit 5 an SMP fallback.
 */
#include <stdlib.h>
#include <zalloc/page.h>
#include <zalloc/smp.h>
#include <zalloc/stack_fallback.h>

#include "bump_model.h"

static DEFINE_ZALLOC_STACK_FALLBACK(sfa, 4096 + 8);
static const struct zalloc *sf_fallback;
static struct zalloc *sf_smp;
static struct bump_model sf_m;
static unsigned long sf_fallbacks;

static void sf_setup(struct fz *f, u8 config)
{
	size_t size = (size_t)64 << (2 * (config & 3));
	unsigned int skew = (config >> 2) & 7;

	sf_smp = config & 0x20 ? zalloc_smp_create(NULL, ZALLOC_F_NODEBUG) : NULL;
	sf_fallback = sf_smp ? sf_smp : &zalloc_page_allocator;
	if (__zalloc_stack_fallback_init(&sfa.sf, sfa.buffer + skew, size,
					 sf_fallback, NULL, ZALLOC_F_NODEBUG,
					 GFP_KERNEL, THIS_MODULE))
		abort();
	bm_init(&sf_m, sfa.buffer + skew, size);
	sf_fallbacks = 0;
	f->a = zalloc_stack_fallback_get(&sfa);
	f->inst = &sfa.sf.inst;
}

static void sf_teardown(struct fz *f)
{
	zalloc_stack_fallback_destroy(&sfa);
	if (sf_smp)
		FZ_CHECK(f, zalloc_destroy(sf_smp) == 0, "fallback had live blocks");
}

static enum fz_expect sf_expect_alloc(struct fz *f, size_t len, size_t align)
{
	size_t start;

	return bm_fit(&sf_m, len, align, &start) ? FZ_MUST : FZ_MAY_OOM;
}

static enum fz_expect sf_expect_relen(struct fz *f, struct fz_blk *b,
				      size_t new_len)
{
	unsigned int c = fz_class(b->len, b->align);

	if (bm_owns(&sf_m, b->p))
		return bm_expect_relen(&sf_m, b, new_len);
	if (!sf_smp)
		return fz_page_relen(b->p, b->len, new_len);
	if (c < ZALLOC_SMP_NR_CLASSES)
		return fz_class(new_len, b->align) == c ? FZ_MUST : FZ_MUST_NOT;
	if (fz_class(new_len, b->align) < ZALLOC_SMP_NR_CLASSES)
		return FZ_MUST_NOT;
	return fz_page_relen(b->p, b->len, new_len);
}

static void sf_alloced(struct fz *f, struct fz_blk *b)
{
	size_t start;

	if (bm_fit(&sf_m, b->len, b->align, &start)) {
		bm_alloced(f, &sf_m, b, false);
		return;
	}
	FZ_CHECK(f, !bm_owns(&sf_m, b->p), "a block that does not fit is in the buffer");
	sf_fallbacks++;
}

static void sf_freed(struct fz *f, struct fz_blk *b)
{
	if (bm_owns(&sf_m, b->p))
		bm_freed(&sf_m, b);
}

static void sf_relenned(struct fz *f, struct fz_blk *b, size_t old_len)
{
	if (bm_owns(&sf_m, b->p))
		bm_relenned(&sf_m, b, old_len);
}

static void sf_op(struct fz *f, int which, const u8 *arg)
{
}

/* get() a second time: refused with a warning, nothing reset. */
static bool sf_bad(struct fz *f, const u8 *arg)
{
	FZ_CHECK(f, !zalloc_stack_fallback_get(&sfa), "a second get() succeeded");
	return true;
}

static void sf_final(struct fz *f)
{
	FZ_CHECK(f, fz_info(f, ZALLOC_SF_END_INDEX) == sf_m.end, "end_index %lu, model %zu",
		 fz_info(f, ZALLOC_SF_END_INDEX), sf_m.end);
	FZ_CHECK(f, fz_info(f, ZALLOC_SF_FALLBACK_ALLOCS) == sf_fallbacks,
		 "fallback_allocations %lu, model %lu",
		 fz_info(f, ZALLOC_SF_FALLBACK_ALLOCS), sf_fallbacks);
}

static const struct fz_target sf_target = {
	.name		= "stack_fallback",
	.max_len	= 1 << 20,
	.max_align_shift = 16,
	.setup		= sf_setup,
	.teardown	= sf_teardown,
	.expect_alloc	= sf_expect_alloc,
	.expect_relen	= sf_expect_relen,
	.alloced	= sf_alloced,
	.freed		= sf_freed,
	.relenned	= sf_relenned,
	.op		= sf_op,
	.bad		= sf_bad,
	.final		= sf_final,
};

FZ_DEFINE_TARGET(sf_target)
