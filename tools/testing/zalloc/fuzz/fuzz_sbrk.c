// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the sbrk allocator (zalloc/sbrk.c, sbrk_pool.c,
 * sbrk_provider.c) over either provider, on 4 CPUs (magazines per CPU,
 * flushes into the free lists), with injected failures.  Resize is
 * predicted exactly from the classes; bad calls the contract says are
 * caught (another class's length, an interior or foreign pointer, a big
 * block freed twice) must be refused and counted once.  At the end the
 * live small and big counts must be the model's.
 * Config: bit 0 the region provider (bits 1-2: 1, 4, 16 or 64 MiB), else
 * the pages provider.
 */
#include <stdlib.h>
#include <zalloc/sbrk.h>

#include "engine.h"

static struct zalloc *sb;
static size_t sb_region;

static void sbrk_setup(struct fz *f, u8 config)
{
	struct zalloc_sbrk_provider *prov;

	sb_region = config & 1 ? (1UL << 20) << (2 * ((config >> 1) & 3)) : 0;
	prov = sb_region ? zalloc_sbrk_region_create(sb_region) :
			   zalloc_sbrk_pages_create();
	sb = zalloc_sbrk_create(NULL, prov, ZALLOC_F_NODEBUG);
	if (!sb)
		abort();
	f->a = sb;
	f->inst = zalloc_instance_of(sb);
}

static void sbrk_teardown(struct fz *f)
{
	unsigned long live = zalloc_destroy(sb);

	FZ_CHECK(f, live == 0, "destroy found %lu live blocks", live);
}

static bool sb_small(size_t len, size_t align)
{
	return fz_class(len, align) < ZALLOC_SBRK_NR_CLASSES;
}

static unsigned int sb_big_class(size_t len, size_t align)
{
	return order_base_2(DIV_ROUND_UP(max(len, align), ZALLOC_SBRK_BIGPAGE));
}

static enum fz_expect sbrk_expect_alloc(struct fz *f, size_t len, size_t align)
{
	size_t need = ZALLOC_SBRK_BIGPAGE;

	if (!sb_small(len, align)) {
		need = (size_t)ZALLOC_SBRK_BIGPAGE << sb_big_class(len, align);
		if (align > ZALLOC_SBRK_BIGPAGE)
			need += align - ZALLOC_SBRK_BIGPAGE;
	}
	/* A region runs out: refusals are the contract's near its end. */
	if (sb_region && fz_info(f, ZALLOC_SBRK_BRK_BYTES) + need > sb_region)
		return FZ_MAY;
	return FZ_MAY_OOM;
}

static enum fz_expect sbrk_expect_relen(struct fz *f, struct fz_blk *b,
					size_t new_len)
{
	if (sb_small(b->len, b->align) || sb_small(new_len, b->align))
		return fz_class(new_len, b->align) == fz_class(b->len, b->align) ?
		       FZ_MUST : FZ_MUST_NOT;
	return sb_big_class(new_len, b->align) == sb_big_class(b->len, b->align) ?
	       FZ_MUST : FZ_MUST_NOT;
}

static void sb_nop(struct fz *f, struct fz_blk *b)
{
}

static void sb_nop_relen(struct fz *f, struct fz_blk *b, size_t old_len)
{
}

static unsigned long sb_refused(struct fz *f)
{
	return fz_info(f, ZALLOC_SBRK_DOUBLE_FREES) +
	       fz_info(f, ZALLOC_SBRK_INVALID_FREES);
}

/* Another class's length, or for a big block twice its big pages. */
static size_t sb_wrong_len(const struct fz_blk *b)
{
	unsigned int c = fz_class(b->len, b->align);
	size_t len;

	if (c < ZALLOC_SBRK_NR_CLASSES)
		len = c ? 1 : 16;
	else
		len = (size_t)ZALLOC_SBRK_BIGPAGE << (sb_big_class(b->len, b->align) + 1);
	return len > b->align ? len : 0;
}

static bool sbrk_bad_call(struct fz *f, const u8 *arg)
{
	struct fz_blk *g = fz_grave_pick(f, arg[1]);

	/* Only big blocks: a small one is caught only in some places. */
	if (g && sb_small(g->len, g->align))
		g = NULL;
	return fz_bad_free(f, arg, g, sb_wrong_len);
}

static void sbrk_final(struct fz *f)
{
	unsigned long small, big;

	fz_count_live(f, sb_small, &small, &big);
	FZ_CHECK(f, fz_info(f, ZALLOC_SBRK_LIVE_SMALL) == small,
		 "live_small %lu, model %lu", fz_info(f, ZALLOC_SBRK_LIVE_SMALL), small);
	FZ_CHECK(f, fz_info(f, ZALLOC_SBRK_LIVE_BIG) == big,
		 "live_big %lu, model %lu", fz_info(f, ZALLOC_SBRK_LIVE_BIG), big);
	FZ_CHECK(f, fz_info(f, ZALLOC_SBRK_CORRUPT_LISTS) == 0, "corrupt_free_lists");
	if (sb_region)
		FZ_CHECK(f, fz_info(f, ZALLOC_SBRK_BRK_BYTES) <= sb_region, "brk past the region");
}

static void sbrk_op(struct fz *f, int which, const u8 *arg)
{
}

static const struct fz_target sbrk_target = {
	.name		= "sbrk",
	.max_len	= 1 << 20,
	.max_align_shift = 18,
	.setup		= sbrk_setup,
	.teardown	= sbrk_teardown,
	.expect_alloc	= sbrk_expect_alloc,
	.expect_relen	= sbrk_expect_relen,
	.alloced	= sb_nop,
	.freed		= sb_nop,
	.relenned	= sb_nop_relen,
	.op		= sbrk_op,
	.bad		= sbrk_bad_call,
	.refused	= sb_refused,
	.final		= sbrk_final,
};

FZ_DEFINE_TARGET(sbrk_target)
