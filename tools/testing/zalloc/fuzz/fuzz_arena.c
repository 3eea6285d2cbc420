// SPDX-License-Identifier: GPL-2.0
/*
 * Fuzz target: the arena allocator (zalloc/arena.c) over the page
 * allocator or a private SMP instance, with every reset mode.  An
 * allocation that fits the newest buffer must land exactly after the end
 * index, with its padding; anything else may fail only if an allocation
 * failed.  Resizes of the most recent block are predicted from the room
 * left in the newest buffer, others from the contract (a shrink is a no-op
 * success, a grow a refusal).  The capacity and buffer count must match a
 * walk of the buffer list; a reset must keep exactly what its mode says.
 * Config: bit 0 a private SMP child, else the page allocator.
 */
#include <stdlib.h>
#include <zalloc/arena.h>
#include <zalloc/page.h>
#include <zalloc/smp.h>

#include "engine.h"

static struct zalloc_arena ar;
static struct zalloc *ar_child;
static unsigned long ar_resets;

#define NODE	sizeof(struct zalloc_arena_node)

static u8 *usable(void)
{
	return (u8 *)(ar.head + 1);
}

static size_t usable_len(void)
{
	return ar.head->data - NODE;
}

static void arena_setup(struct fz *f, u8 config)
{
	ar_child = config & 1 ? zalloc_smp_create(NULL, ZALLOC_F_NODEBUG) : NULL;
	if (zalloc_arena_init(&ar, ar_child, NULL, ZALLOC_F_NODEBUG, GFP_KERNEL))
		abort();
	ar_resets = 0;
	f->a = zalloc_arena_allocator(&ar);
	f->inst = &ar.inst;
}

static void arena_teardown(struct fz *f)
{
	zalloc_arena_destroy(&ar);
	if (ar_child)
		FZ_CHECK(f, zalloc_destroy(ar_child) == 0, "child had live blocks");
}

static bool arena_fits(size_t len, size_t align, size_t *start)
{
	size_t pad;

	if (!ar.head)
		return false;
	pad = -((unsigned long)usable() + ar.end_index) & (align - 1);
	if (pad > usable_len() - ar.end_index ||
	    len > usable_len() - ar.end_index - pad)
		return false;
	*start = ar.end_index + pad;
	return true;
}

static size_t ar_expect_start;
static bool ar_expect_fit;

static enum fz_expect arena_expect_alloc(struct fz *f, size_t len, size_t align)
{
	ar_expect_fit = arena_fits(len, align, &ar_expect_start);
	if (ar_expect_fit)
		return FZ_MUST;
	/*
	 * A new buffer is 1.5 x (the newest + the request): past the buddy
	 * allocator's largest block only vmalloc serves it, which an atomic
	 * gfp may not call, and past all of RAM nothing does.
	 */
	if (!gfpflags_allow_blocking(fz_gfp_now) || ar.capacity >= (256UL << 20))
		return FZ_MAY;
	return FZ_MAY_OOM;
}

static bool arena_is_last(const struct fz_blk *b)
{
	size_t off;

	if (!ar.head || b->len > ar.end_index)
		return false;
	off = ar.end_index - b->len;
	return b->p == usable() + off &&
	       (ar.last_start == off || ar.last_start == SIZE_MAX);
}

static enum fz_expect arena_expect_relen(struct fz *f, struct fz_blk *b,
					 size_t new_len)
{
	if (!arena_is_last(b))
		return new_len <= b->len ? FZ_MUST : FZ_MUST_NOT;
	if (new_len <= b->len)
		return FZ_MUST;
	return new_len - b->len <= usable_len() - ar.end_index ? FZ_MUST : FZ_MUST_NOT;
}

static void arena_alloced(struct fz *f, struct fz_blk *b)
{
	if (ar_expect_fit)
		FZ_CHECK(f, b->p == usable() + ar_expect_start,
			 "block at %p, the model says offset %zu", b->p, ar_expect_start);
	FZ_CHECK(f, ar.end_index == (size_t)(b->p - usable()) + b->len,
		 "end_index %zu after a block at %td of %zu", ar.end_index,
		 b->p - usable(), b->len);
	ar_expect_fit = false;
}

static void arena_nop(struct fz *f, struct fz_blk *b)
{
}

static void arena_nop_relen(struct fz *f, struct fz_blk *b, size_t old_len)
{
}

/* Capacity and buffers, against a walk of the list. */
static size_t arena_walk(struct fz *f)
{
	struct zalloc_arena_node *n;
	size_t cap = 0, nr = 0;

	for (n = ar.head; n; n = n->next) {
		cap += n->data - NODE;
		nr++;
	}
	FZ_CHECK(f, zalloc_arena_query_capacity(&ar) == cap, "capacity %zu, walk %zu",
		 zalloc_arena_query_capacity(&ar), cap);
	FZ_CHECK(f, fz_info(f, ZALLOC_ARENA_BUFFERS) == nr, "buffers %lu, walk %zu",
		 fz_info(f, ZALLOC_ARENA_BUFFERS), nr);
	FZ_CHECK(f, !ar.head || ar.end_index <= usable_len(), "end_index past the buffer");
	return cap;
}

static void arena_op(struct fz *f, int which, const u8 *arg)
{
	enum zalloc_arena_reset_mode mode = arg[0] % 3;
	size_t limit = (arg[1] | (size_t)arg[2] << 8) << (arg[3] % 8);
	size_t cap = arena_walk(f), want;
	unsigned long faults = uk_faults();
	bool ok;

	if (which)
		return;
	want = mode == ZALLOC_ARENA_FREE_ALL ? 0 :
	       mode == ZALLOC_ARENA_RETAIN_CAPACITY ? cap : min(limit, cap);
	fz_expect_drop_live(f);
	ok = zalloc_arena_reset(&ar, mode, limit, GFP_KERNEL);
	fz_forget_all(f);
	ar_resets++;
	FZ_CHECK(f, ok || fz_faulted(faults), "reset failed with no allocation failure");
	if (ok)
		FZ_CHECK(f, zalloc_arena_query_capacity(&ar) == want,
			 "capacity %zu after reset mode %d, want %zu",
			 zalloc_arena_query_capacity(&ar), mode, want);
	FZ_CHECK(f, ar.end_index == 0, "end_index after reset");
	arena_walk(f);
}

/* A free that starts inside the most recent block and ends with it. */
static bool arena_bad(struct fz *f, const u8 *arg)
{
	struct fz_blk *b = fz_newest(f);
	size_t k;

	if (!b || b->len < 2 || !ar.head || ar.last_start == SIZE_MAX ||
	    b->p != usable() + ar.last_start || !arena_is_last(b))
		return false;
	k = 1 + arg[1] % (b->len - 1);
	fz_call_free(f, b->p + k, b->len - k, 1);
	return true;
}

static void arena_final(struct fz *f)
{
	arena_walk(f);
	FZ_CHECK(f, fz_info(f, ZALLOC_ARENA_RESETS) == ar_resets, "resets");
	FZ_CHECK(f, fz_info(f, ZALLOC_ARENA_END_INDEX) == ar.end_index, "end_index");
}

static void *arena_alloc_direct(struct fz *f, size_t len, size_t align,
				gfp_t gfp)
{
	return zalloc_arena_alloc(&ar, len, align, gfp);
}

static void arena_free_direct(struct fz *f, void *p, size_t len, size_t align)
{
	zalloc_arena_free(&ar, p, len, align);
}

static const struct fz_target arena_target = {
	.name		= "arena",
	.max_len	= 1 << 20,
	.max_align_shift = 16,
	.setup		= arena_setup,
	.teardown	= arena_teardown,
	.expect_alloc	= arena_expect_alloc,
	.expect_relen	= arena_expect_relen,
	.alloced	= arena_alloced,
	.freed		= arena_nop,
	.relenned	= arena_nop_relen,
	.op		= arena_op,
	.bad		= arena_bad,
	.final		= arena_final,
	.alloc_direct	= arena_alloc_direct,
	.free_direct	= arena_free_direct,
	.free_keeps_bytes = true,
};

FZ_DEFINE_TARGET(arena_target)
