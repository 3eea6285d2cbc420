// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the SMP allocator (zalloc/smp.c, smp_slab.c, mag.h,
 * pagemap.c) on 4 CPUs, one thread moving between them (cross-CPU frees,
 * magazine flushes to other slots), with trims, the shrinker, the idle
 * worker and RCU running when the input says time passes, and injected
 * allocation failures.  Resize and remap are predicted exactly from the
 * size classes; a bad call (double free, interior or foreign pointer, a
 * length of another class) must be refused and counted.  At the end the
 * live small and large counts must be the model's, and after freeing
 * everything and a trim no block may be left out of its slab.
 */
#include <stdlib.h>
#include <zalloc/smp.h>

#include "engine.h"

static struct zalloc *smp;

static void smp_setup(struct fz *f, u8 config)
{
	smp = zalloc_smp_create(NULL, ZALLOC_F_NODEBUG);
	if (!smp)
		abort();
	f->a = smp;
	f->inst = zalloc_instance_of(smp);
}

static void smp_teardown(struct fz *f)
{
	unsigned long live;

	zalloc_smp_trim(smp);
	FZ_CHECK(f, fz_info(f, ZALLOC_SMP_LIVE_OBJECTS) == 0,
		 "%lu small blocks out after all were freed and a trim",
		 fz_info(f, ZALLOC_SMP_LIVE_OBJECTS));
	FZ_CHECK(f, fz_info(f, ZALLOC_SMP_LARGE_LIVE) == 0, "large blocks live");
	live = zalloc_destroy(smp);
	FZ_CHECK(f, live == 0, "destroy found %lu live blocks", live);
}

static bool smp_small(size_t len, size_t align)
{
	return fz_class(len, align) < ZALLOC_SMP_NR_CLASSES;
}

static enum fz_expect smp_expect_alloc(struct fz *f, size_t len, size_t align)
{
	return FZ_MAY_OOM;
}

/* In place within the class; large: never more pages. */
static enum fz_expect smp_expect_relen(struct fz *f, struct fz_blk *b,
				       size_t new_len)
{
	if (smp_small(b->len, b->align))
		return fz_class(new_len, b->align) == fz_class(b->len, b->align) ?
		       FZ_MUST : FZ_MUST_NOT;
	if (smp_small(new_len, b->align))
		return FZ_MUST_NOT;
	return fz_page_relen(b->p, b->len, new_len);
}

static void smp_nop(struct fz *f, struct fz_blk *b)
{
}

static void smp_nop_relen(struct fz *f, struct fz_blk *b, size_t old_len)
{
}

static void smp_op(struct fz *f, int which, const u8 *arg)
{
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL };
	struct shrinker *sh;
	unsigned long n;

	if (!which) {
		zalloc_smp_trim(smp);
		return;
	}
	sh = zalloc_smp_shrinker(smp);
	FZ_CHECK(f, sh, "no shrinker");
	n = sh->count_objects(sh, &sc);
	if (n && n != SHRINK_EMPTY) {
		sc.nr_to_scan = 1 + arg[0] % n;
		sh->scan_objects(sh, &sc);
	}
}

static unsigned long smp_refused(struct fz *f)
{
	return fz_info(f, ZALLOC_SMP_DOUBLE_FREES) +
	       fz_info(f, ZALLOC_SMP_INVALID_FREES);
}

/* Another class's length, or for a large block one page more. */
static size_t smp_wrong_len(const struct fz_blk *b)
{
	unsigned int c = fz_class(b->len, b->align);
	size_t len = c ? 1 : 16;

	if (c >= ZALLOC_SMP_NR_CLASSES)
		return PAGE_ALIGN(b->len) + PAGE_SIZE;
	return len > b->align ? len : 0;
}

/* A free the allocator must refuse: it is reported and counted, once. */
static bool smp_bad_call(struct fz *f, const u8 *arg)
{
	return fz_bad_free(f, arg, fz_grave_pick(f, arg[1]), smp_wrong_len);
}

static void smp_final(struct fz *f)
{
	unsigned long small, large;

	fz_count_live(f, smp_small, &small, &large);
	FZ_CHECK(f, fz_info(f, ZALLOC_SMP_LIVE_OBJECTS) == small,
		 "live_objects %lu, model %lu", fz_info(f, ZALLOC_SMP_LIVE_OBJECTS), small);
	FZ_CHECK(f, fz_info(f, ZALLOC_SMP_LARGE_LIVE) == large,
		 "large_live %lu, model %lu", fz_info(f, ZALLOC_SMP_LARGE_LIVE), large);
	FZ_CHECK(f, fz_info(f, ZALLOC_SMP_SLABS) ==
		 fz_info(f, ZALLOC_SMP_SLABS_TAKEN) - fz_info(f, ZALLOC_SMP_SLABS_RETURNED),
		 "slabs");
	FZ_CHECK(f, fz_info(f, ZALLOC_SMP_CORRUPT_LISTS) == 0, "corrupt_free_lists");
}

static const struct fz_target smp_target = {
	.name		= "smp",
	.max_len	= 1 << 20,
	.max_align_shift = 16,
	.setup		= smp_setup,
	.teardown	= smp_teardown,
	.expect_alloc	= smp_expect_alloc,
	.expect_relen	= smp_expect_relen,
	.alloced	= smp_nop,
	.freed		= smp_nop,
	.relenned	= smp_nop_relen,
	.op		= smp_op,
	.bad		= smp_bad_call,
	.refused	= smp_refused,
	.final		= smp_final,
};

FZ_DEFINE_TARGET(smp_target)
