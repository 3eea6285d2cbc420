// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc_arena: the arena allocator's own rules, over the page and the
 * kmalloc allocator as children, each child behind the validating wrapper
 * so every buffer the arena takes is checked and must come back.  Zig's
 * "reset with preheating" and "reset while retaining a buffer" tests (its
 * T1..T4 run in zalloc_contract); every reset mode against the capacity
 * query, including limits below the header size; a child that fails during
 * reset; Zig's growth policy and in-place growth through the child;
 * last-allocation resize and free; alignments 1..PAGE_SIZE; sizes that
 * would overflow; the statistics lines; debug mode.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/prandom.h>
#include <zalloc/arena.h>
#include <zalloc/debug.h>
#include <zalloc/kmalloc.h>
#include <zalloc/page.h>

#include "zalloc_kunit.h"

#define NODE_SIZE	sizeof(struct zalloc_arena_node)

/* An arena over a validated child, destroyed at the latest with the test. */
struct arena_fix {
	struct zalloc_arena arena;
	struct zalloc_validator *v;
	const struct zalloc *a;
	bool live;
};

static void arena_fix_destroy(struct arena_fix *af)
{
	if (af->live)
		zalloc_arena_destroy(&af->arena);
	af->live = false;
}

KUNIT_DEFINE_ACTION_WRAPPER(arena_fix_action, arena_fix_destroy,
			    struct arena_fix *);

static struct arena_fix *arena_setup_flags(struct kunit *test,
					   const struct zalloc *child,
					   const char *name, unsigned int flags)
{
	struct arena_fix *af = kunit_kzalloc(test, sizeof(*af), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, af);
	af->v = zalloc_test_validator(test, child);
	KUNIT_ASSERT_EQ(test, zalloc_arena_init(&af->arena, &af->v->za, name,
						flags, GFP_KERNEL), 0);
	af->live = true;
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, arena_fix_action,
							af), 0);
	af->a = zalloc_arena_allocator(&af->arena);
	return af;
}

static struct arena_fix *arena_setup(struct kunit *test,
				     const struct zalloc *child,
				     const char *name)
{
	return arena_setup_flags(test, child, name, 0);
}

/* Destroy the arena: every buffer must be back with the child. */
static void arena_finish(struct arena_fix *af)
{
	arena_fix_destroy(af);
	zalloc_test_expect_balanced(af->v);
}

/* Walk the buffer list: it must agree with the counters the arena keeps. */
static void arena_expect_consistent(struct kunit *test, struct zalloc_arena *a)
{
	struct zalloc_arena_node *node;
	unsigned long n = 0;
	size_t cap = 0;

	for (node = a->head; node; node = node->next) {
		KUNIT_EXPECT_GT(test, node->data, NODE_SIZE);
		cap += node->data - NODE_SIZE;
		n++;
	}
	KUNIT_EXPECT_EQ(test, n, a->nr_buffers);
	KUNIT_EXPECT_EQ(test, cap, zalloc_arena_query_capacity(a));
	if (a->head)
		KUNIT_EXPECT_LE(test, a->end_index, a->head->data - NODE_SIZE);
	else
		KUNIT_EXPECT_EQ(test, a->end_index, 0);
}

static const struct {
	const char *name;
	const struct zalloc *za;
} arena_children[] = {
	{ "page",	&zalloc_page_allocator },
	{ "kmalloc",	&zalloc_kmalloc_allocator },
};

static void arena_child_desc(typeof(arena_children[0]) *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(arena_child, arena_children, arena_child_desc);

static const struct zalloc *param_child(struct kunit *test)
{
	const typeof(arena_children[0]) *c = test->param_value;

	return c->za;
}

/*
 * ======================================================================
 * Resets
 * ======================================================================
 */

/*
 * Zig: test "reset with preheating".  25 rounds, each starting with
 * reset(retain_capacity), of random 32-aligned blocks of 16..256 bytes
 * until a random total of 256..16384 bytes is reached.
 */
static void arena_reset_with_preheating(struct kunit *test)
{
	struct arena_fix *af = arena_setup(test, param_child(test), NULL);
	void **blocks = kunit_kcalloc(test, 16384 / 16 + 1, sizeof(void *),
				      GFP_KERNEL);
	struct rnd_state rnd;
	size_t total, used, len, n, i;
	int round;

	KUNIT_ASSERT_NOT_NULL(test, blocks);
	prandom_seed_state(&rnd, 15985);
	for (round = 0; round < 25; round++) {
		KUNIT_EXPECT_TRUE(test, zalloc_arena_reset(&af->arena,
							   ZALLOC_ARENA_RETAIN_CAPACITY,
							   0, GFP_KERNEL));
		total = 256 + prandom_u32_state(&rnd) % (16384 - 256 + 1);
		for (used = 0, n = 0; used < total; used += len, n++) {
			len = 16 + prandom_u32_state(&rnd) % (256 - 16 + 1);
			blocks[n] = zalloc_alloc(af->a, len, 32, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, blocks[n]);
			KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)blocks[n],
							   32));
			zalloc_test_fill(blocks[n], 16, n + round);
		}
		for (i = 0; i < n; i++)
			KUNIT_EXPECT_TRUE(test, zalloc_test_filled(blocks[i], 16,
								   i + round));
		arena_expect_consistent(test, &af->arena);
	}
	arena_finish(af);
}

/* Zig: test "reset while retaining a buffer". */
static void arena_reset_retaining_buffer(struct kunit *test)
{
	struct arena_fix *af = arena_setup(test, param_child(test), NULL);

	KUNIT_ASSERT_NOT_NULL(test, zalloc_alloc(af->a, 1, 1, GFP_KERNEL));
	KUNIT_ASSERT_NOT_NULL(test, zalloc_alloc(af->a, 1000, 1, GFP_KERNEL));
	/* The page child grows the first buffer in place: force a second. */
	if (af->arena.head && !af->arena.head->next)
		KUNIT_ASSERT_NOT_NULL(test, zalloc_alloc(af->a, PAGE_SIZE, 1,
							 GFP_KERNEL));
	/* Make sure there are at least two buffers. */
	KUNIT_ASSERT_NOT_NULL(test, af->arena.head);
	KUNIT_ASSERT_NOT_NULL(test, af->arena.head->next);
	KUNIT_EXPECT_TRUE(test, zalloc_arena_reset(&af->arena,
						   ZALLOC_ARENA_RETAIN_WITH_LIMIT,
						   1, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, zalloc_arena_query_capacity(&af->arena), 1);
	arena_expect_consistent(test, &af->arena);
	arena_finish(af);
}

#define MODES_BLOCKS	40

/* Allocate the same 8-byte multiples each time: no padding, same total. */
static size_t arena_fill_fixed_pattern(struct kunit *test,
				       const struct zalloc *a, u8 seed)
{
	size_t i, len, sum = 0;
	void *p;

	for (i = 0; i < MODES_BLOCKS; i++) {
		len = 8 * (1 + (i * 13) % 64);
		p = zalloc_alloc(a, len, 8, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p);
		zalloc_test_fill(p, len, seed + i);
		sum += len;
	}
	return sum;
}

static void arena_expect_reset(struct kunit *test, struct arena_fix *af,
			       enum zalloc_arena_reset_mode mode, size_t limit,
			       size_t want)
{
	KUNIT_EXPECT_TRUE(test, zalloc_arena_reset(&af->arena, mode, limit,
						   GFP_KERNEL));
	KUNIT_EXPECT_EQ_MSG(test, zalloc_arena_query_capacity(&af->arena), want,
			    "mode %d limit %zu", mode, limit);
	KUNIT_EXPECT_EQ(test, af->arena.nr_buffers, want ? 1 : 0);
	KUNIT_EXPECT_EQ(test, af->arena.end_index, 0);
	if (want)
		KUNIT_EXPECT_EQ(test, af->arena.head->data, want + NODE_SIZE);
	arena_expect_consistent(test, &af->arena);
}

/*
 * Every reset mode checked against zalloc_arena_query_capacity(), with
 * limits above and below the capacity, at and below the header size, and
 * 0; retained capacity really serves the same work without the child.
 */
static void arena_reset_modes(struct kunit *test)
{
	static const size_t small[] = { NODE_SIZE + 1, NODE_SIZE,
					NODE_SIZE - 1, 1 };
	struct arena_fix *af = arena_setup(test, param_child(test), NULL);
	struct zalloc_arena *ar = &af->arena;
	enum zalloc_arena_reset_mode mode;
	unsigned long calls;
	size_t cap, sum, i;
	u8 *p;

	/* An empty arena: every mode succeeds and calls no child. */
	for (mode = ZALLOC_ARENA_FREE_ALL;
	     mode <= ZALLOC_ARENA_RETAIN_WITH_LIMIT; mode++)
		arena_expect_reset(test, af, mode, 100, 0);
	KUNIT_EXPECT_EQ(test, af->v->calls, 0);

	sum = arena_fill_fixed_pattern(test, af->a, 1);
	KUNIT_EXPECT_GT(test, ar->nr_buffers, 1);
	arena_expect_consistent(test, ar);
	cap = zalloc_arena_query_capacity(ar);
	KUNIT_EXPECT_GE(test, cap, sum);

	/* retain_capacity: one buffer of the old capacity, which suffices. */
	arena_expect_reset(test, af, ZALLOC_ARENA_RETAIN_CAPACITY, 0, cap);
	calls = af->v->calls;
	arena_fill_fixed_pattern(test, af->a, 2);
	KUNIT_EXPECT_EQ(test, af->v->calls, calls);
	KUNIT_EXPECT_EQ(test, ar->end_index, sum);
	/* Again: the buffer already has the size, so no child call at all. */
	arena_expect_reset(test, af, ZALLOC_ARENA_RETAIN_CAPACITY, 0, cap);
	KUNIT_EXPECT_EQ(test, af->v->calls, calls);

	/* retain_with_limit above the capacity keeps the capacity. */
	arena_expect_reset(test, af, ZALLOC_ARENA_RETAIN_WITH_LIMIT, 2 * cap,
			   cap);
	arena_expect_reset(test, af, ZALLOC_ARENA_RETAIN_WITH_LIMIT, SIZE_MAX,
			   cap);
	/* Below it, the limit. */
	arena_expect_reset(test, af, ZALLOC_ARENA_RETAIN_WITH_LIMIT, cap / 2,
			   cap / 2);

	/* Limits around and below the header size still give a valid buffer. */
	for (i = 0; i < ARRAY_SIZE(small); i++) {
		arena_expect_reset(test, af, ZALLOC_ARENA_RETAIN_WITH_LIMIT,
				   small[i], small[i]);
		calls = af->v->calls;
		p = zalloc_alloc(af->a, small[i], 1, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_PTR_EQ(test, (void *)p,
				    (void *)(ar->head + 1));
		memset(p, 0xa5, small[i]);
		KUNIT_EXPECT_EQ(test, af->v->calls, calls);
		/* One byte more needs the child. */
		p = zalloc_alloc(af->a, 1, 1, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_GT(test, af->v->calls, calls);
		arena_expect_consistent(test, ar);
	}

	/* A limit of 0 and free_all give everything back. */
	arena_fill_fixed_pattern(test, af->a, 3);
	arena_expect_reset(test, af, ZALLOC_ARENA_RETAIN_WITH_LIMIT, 0, 0);
	KUNIT_EXPECT_NULL(test, ar->head);
	zalloc_test_expect_balanced(af->v);
	arena_fill_fixed_pattern(test, af->a, 4);
	arena_expect_reset(test, af, ZALLOC_ARENA_FREE_ALL, 0, 0);
	zalloc_test_expect_balanced(af->v);

	/* An unknown mode is refused and changes nothing. */
	arena_fill_fixed_pattern(test, af->a, 5);
	cap = zalloc_arena_query_capacity(ar);
	sum = ar->end_index;
	KUNIT_EXPECT_FALSE(test, zalloc_arena_reset(ar, 42, 0, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, zalloc_arena_query_capacity(ar), cap);
	KUNIT_EXPECT_EQ(test, ar->end_index, sum);
	arena_finish(af);
}

/*
 * A child that can neither resize nor allocate during reset: reset reports
 * it, and the arena is left empty but valid on its oldest buffer.
 */
static void arena_reset_child_fails(struct kunit *test)
{
	struct arena_fix *af = arena_setup(test, &zalloc_kmalloc_allocator,
					   NULL);
	struct zalloc_validator *fl = af->v;
	struct zalloc_arena *ar = &af->arena;
	struct zalloc_arena_node *oldest;
	unsigned long allocs;
	size_t usable;
	void *p;

	arena_fill_fixed_pattern(test, af->a, 1);
	KUNIT_ASSERT_GT(test, ar->nr_buffers, 1);
	for (oldest = ar->head; oldest->next; oldest = oldest->next)
		;
	fl->fail_alloc = true;
	fl->fail_resize = true;
	KUNIT_EXPECT_FALSE(test, zalloc_arena_reset(ar,
						    ZALLOC_ARENA_RETAIN_CAPACITY,
						    0, GFP_KERNEL));
	KUNIT_EXPECT_PTR_EQ(test, ar->head, oldest);
	KUNIT_EXPECT_EQ(test, ar->nr_buffers, 1);
	KUNIT_EXPECT_EQ(test, ar->end_index, 0);
	KUNIT_EXPECT_EQ(test, zalloc_arena_query_capacity(ar),
			oldest->data - NODE_SIZE);
	arena_expect_consistent(test, ar);
	KUNIT_EXPECT_EQ(test, fl->live_blocks, 1);

	/* Still usable: what fits in the kept buffer needs no child. */
	allocs = fl->allocs;
	usable = oldest->data - NODE_SIZE;
	p = zalloc_alloc(af->a, usable, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_PTR_EQ(test, p, (void *)(oldest + 1));
	memset(p, 0x5a, usable);
	KUNIT_EXPECT_NULL(test, zalloc_alloc(af->a, 1, 1, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, fl->allocs, allocs);

	/* retain_with_limit fails the same way; free_all cannot fail. */
	KUNIT_EXPECT_FALSE(test, zalloc_arena_reset(ar,
						    ZALLOC_ARENA_RETAIN_WITH_LIMIT,
						    8, GFP_KERNEL));
	KUNIT_EXPECT_TRUE(test, zalloc_arena_reset(ar, ZALLOC_ARENA_FREE_ALL,
						   0, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, fl->live_blocks, 0);
	arena_finish(af);
}

/*
 * ======================================================================
 * Allocation rules
 * ======================================================================
 */

/* Only the last block is freed or resized in place; remap never moves. */
static void arena_last_allocation(struct kunit *test)
{
	struct arena_fix *af = arena_setup(test, param_child(test), NULL);
	struct zalloc_arena *ar = &af->arena;
	const struct zalloc *a = af->a;
	size_t room;
	u8 *x, *y;

	x = zalloc_alloc(a, 16, 8, GFP_KERNEL);
	y = zalloc_alloc(a, 16, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, x);
	KUNIT_ASSERT_NOT_NULL(test, y);
	KUNIT_EXPECT_PTR_EQ(test, (void *)x, (void *)(ar->head + 1));
	KUNIT_EXPECT_PTR_EQ(test, y, x + 16);
	KUNIT_EXPECT_EQ(test, ar->end_index, 32);

	/* Not the last block. */
	zalloc_free(a, x, 16, 8);
	KUNIT_EXPECT_TRUE(test, zalloc_resize(a, x, 16, 8, 8, GFP_KERNEL));
	KUNIT_EXPECT_FALSE(test, zalloc_resize(a, x, 16, 8, 17, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zalloc_remap(a, x, 16, 8, 17, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, ar->end_index, 32);

	/* The last block: in place, up to the room left in the buffer. */
	room = ar->head->data - NODE_SIZE - 16;
	KUNIT_EXPECT_TRUE(test, zalloc_resize(a, y, 16, 8, 40, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, ar->end_index, 56);
	KUNIT_EXPECT_PTR_EQ(test, zalloc_remap(a, y, 40, 8, room, GFP_KERNEL),
			    (void *)y);
	KUNIT_EXPECT_EQ(test, ar->end_index, ar->head->data - NODE_SIZE);
	/* Zig does not ask the child to grow the buffer here. */
	KUNIT_EXPECT_FALSE(test, zalloc_resize(a, y, room, 8, room + 1,
					       GFP_KERNEL));
	KUNIT_EXPECT_TRUE(test, zalloc_resize(a, y, room, 8, 4, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, ar->end_index, 20);
	zalloc_free(a, y, 4, 8);
	KUNIT_EXPECT_EQ(test, ar->end_index, 16);
	zalloc_free(a, x, 16, 8);
	KUNIT_EXPECT_EQ(test, ar->end_index, 0);

	/* A block "longer" than what is used cannot be the last one. */
	KUNIT_EXPECT_TRUE(test, zalloc_resize(a, x, 64, 8, 1, GFP_KERNEL));
	zalloc_free(a, x, 64, 8);
	KUNIT_EXPECT_EQ(test, ar->end_index, 0);
	arena_finish(af);
}

/*
 * Zig's growth policy: the first buffer for 100 bytes aligned to 8 is
 * 1.5 * (100 + 8 + 16 + 16) = 210 bytes; when the child cannot grow it, the
 * next is 1.5 * (194 + 300 + 8 + 32) = 801 for a 300-byte request.
 */
static void arena_growth_policy(struct kunit *test)
{
	struct arena_fix *af = arena_setup(test, &zalloc_kmalloc_allocator,
					   NULL);
	struct zalloc_arena *ar = &af->arena;

	af->v->fail_resize = true;
	KUNIT_ASSERT_NOT_NULL(test, zalloc_alloc(af->a, 100, 8, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, ar->head->data, 210);
	KUNIT_EXPECT_EQ(test, zalloc_arena_query_capacity(ar), 194);
	KUNIT_ASSERT_NOT_NULL(test, zalloc_alloc(af->a, 300, 8, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, ar->head->data, 801);
	KUNIT_EXPECT_EQ(test, ar->nr_buffers, 2);
	KUNIT_EXPECT_EQ(test, zalloc_arena_query_capacity(ar), 194 + 785);
	arena_finish(af);
}

/*
 * When the child can grow the newest buffer in place (the page allocator
 * can, within the page), the arena does that instead of taking a new one.
 */
static void arena_grow_in_place(struct kunit *test)
{
	struct arena_fix *af = arena_setup(test, &zalloc_page_allocator, NULL);
	struct zalloc_arena *ar = &af->arena;
	unsigned long calls;
	u8 *p, *q;

	p = zalloc_alloc(af->a, 100, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	zalloc_test_fill(p, 100, 3);
	KUNIT_EXPECT_EQ(test, ar->head->data, 210);
	calls = af->v->calls;
	q = zalloc_alloc(af->a, 1000, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_PTR_EQ(test, q, p + 100);
	KUNIT_EXPECT_EQ(test, ar->nr_buffers, 1);
	KUNIT_EXPECT_EQ(test, ar->head->data, NODE_SIZE + 1100);
	KUNIT_EXPECT_EQ(test, af->v->calls, calls + 1);
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(p, 100, 3));
	arena_expect_consistent(test, ar);
	arena_finish(af);
}

/* Every alignment from 1 to PAGE_SIZE; all blocks keep their contents. */
static void arena_alignments(struct kunit *test)
{
	struct arena_fix *af = arena_setup(test, param_child(test), NULL);
	void *blocks[PAGE_SHIFT + 1];
	size_t align;
	int i, n = 0;

	for (align = 1; align <= PAGE_SIZE; align <<= 1, n++) {
		blocks[n] = zalloc_alloc(af->a, align + 3, align, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, blocks[n]);
		KUNIT_EXPECT_TRUE_MSG(test,
				      IS_ALIGNED((unsigned long)blocks[n], align),
				      "%p not aligned to %zu", blocks[n], align);
		zalloc_test_fill(blocks[n], align + 3, n);
	}
	for (i = 0, align = 1; i < n; i++, align <<= 1)
		KUNIT_EXPECT_TRUE(test, zalloc_test_filled(blocks[i], align + 3,
							   i));
	arena_expect_consistent(test, &af->arena);
	arena_finish(af);
}

/*
 * Many random blocks across many buffers: all keep their contents (no two
 * overlap), and the list agrees with the counters.
 */
static void arena_many_buffers(struct kunit *test)
{
	struct arena_fix *af = arena_setup(test, param_child(test), NULL);
	const int nr = 300;
	struct rnd_state rnd;
	size_t *lens = kunit_kcalloc(test, nr, sizeof(*lens), GFP_KERNEL);
	void **blocks = kunit_kcalloc(test, nr, sizeof(*blocks), GFP_KERNEL);
	size_t align;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, lens);
	KUNIT_ASSERT_NOT_NULL(test, blocks);
	prandom_seed_state(&rnd, 16009);
	for (i = 0; i < nr; i++) {
		lens[i] = 1 + prandom_u32_state(&rnd) % 3000;
		align = 1UL << (prandom_u32_state(&rnd) % 7);
		blocks[i] = zalloc_alloc(af->a, lens[i], align, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, blocks[i]);
		KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)blocks[i],
						   align));
		zalloc_test_fill(blocks[i], lens[i], i);
	}
	for (i = 0; i < nr; i++)
		KUNIT_EXPECT_TRUE(test, zalloc_test_filled(blocks[i], lens[i],
							   i));
	KUNIT_EXPECT_GT(test, af->arena.nr_buffers, 1);
	arena_expect_consistent(test, &af->arena);
	kunit_info(test, "%d blocks: %lu buffers, capacity %zu, %lu child calls\n",
		   nr, af->arena.nr_buffers,
		   zalloc_arena_query_capacity(&af->arena), af->v->calls);
	arena_finish(af);
}

/* Sizes and alignments whose buffer size would overflow: NULL, no harm. */
static void arena_overflow(struct kunit *test)
{
	static const size_t huge[] = { SIZE_MAX, SIZE_MAX - 15,
				       ZALLOC_MAX_LEN, ZALLOC_MAX_LEN / 3 * 2 };
	const gfp_t gfp = GFP_KERNEL | __GFP_NOWARN;
	struct arena_fix *af = arena_setup(test, param_child(test), NULL);
	struct zalloc_arena *ar = &af->arena;
	int i;
	u8 *p;

	for (i = 0; i < ARRAY_SIZE(huge); i++)
		KUNIT_EXPECT_NULL(test, zalloc_raw_alloc(af->a, huge[i], 1, gfp,
							 _THIS_IP_));
	KUNIT_EXPECT_NULL(test, zalloc_raw_alloc(af->a, 1,
						 1UL << (BITS_PER_LONG - 2),
						 gfp, _THIS_IP_));
	KUNIT_EXPECT_NULL(test, zalloc_raw_alloc(af->a, 1,
						 1UL << (BITS_PER_LONG - 1),
						 gfp, _THIS_IP_));
	KUNIT_EXPECT_EQ(test, ar->nr_buffers, 0);

	/* With a buffer in place, a wrapping growth of the last block fails. */
	p = zalloc_alloc(af->a, 10, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < ARRAY_SIZE(huge); i++) {
		KUNIT_EXPECT_FALSE(test, zalloc_raw_resize(af->a, p, 10, 1,
							   huge[i], gfp,
							   _THIS_IP_));
		/* Longer than what is used: not the last block, untouched. */
		KUNIT_EXPECT_TRUE(test, zalloc_raw_resize(af->a, p, huge[i], 1,
							  huge[i] - 1, gfp,
							  _THIS_IP_));
		KUNIT_EXPECT_EQ(test, ar->end_index, 10);
		zalloc_raw_free(af->a, p, huge[i], 1, _THIS_IP_);
		KUNIT_EXPECT_EQ(test, ar->end_index, 10);
	}
	KUNIT_EXPECT_EQ(test, zalloc_test_stat(&ar->inst,
					       ZALLOC_STAT_ALLOC_FAIL),
			ARRAY_SIZE(huge) + 2);
	arena_expect_consistent(test, ar);
	arena_finish(af);
}

/*
 * ======================================================================
 * Counters and debug mode
 * ======================================================================
 */

/* The arena's own counters, and the debugfs file that shows them. */
static void arena_expect_counters(struct kunit *test, struct zalloc_arena *ar,
				  const char *lines)
{
	char *stats = zalloc_test_debugfs(test, zalloc_instance_name(&ar->inst),
					  "stats");

	KUNIT_ASSERT_NOT_NULL(test, stats);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(stats, lines), "%s", stats);
	KUNIT_EXPECT_EQ(test, zalloc_test_info(&ar->inst, ZALLOC_ARENA_BUFFERS),
			ar->nr_buffers);
	KUNIT_EXPECT_EQ(test, zalloc_test_info(&ar->inst, ZALLOC_ARENA_CAPACITY),
			zalloc_arena_query_capacity(ar));
	KUNIT_EXPECT_EQ(test, zalloc_test_info(&ar->inst,
					       ZALLOC_ARENA_END_INDEX),
			ar->end_index);
}

/* The debugfs name and the arena's own statistics lines. */
static void arena_stats_file(struct kunit *test)
{
	struct arena_fix *af = arena_setup(test, &zalloc_kmalloc_allocator,
					   "kunit-arena");
	struct zalloc_arena *ar = &af->arena;

	KUNIT_EXPECT_STREQ(test, zalloc_instance_name(&ar->inst),
			   "kunit-arena");
	KUNIT_ASSERT_NOT_NULL(test, zalloc_alloc(af->a, 100, 8, GFP_KERNEL));
	/* After the common lines: its events, then the rest, in enum order. */
	arena_expect_counters(test, ar,
			      "\nresets 0\nbuffers 1\ncapacity 194\nend_index 100\n");
	KUNIT_EXPECT_EQ(test, zalloc_test_stat(&ar->inst,
					       ZALLOC_STAT_BACKING_ALLOC), 210);

	KUNIT_EXPECT_TRUE(test, zalloc_arena_reset(ar, ZALLOC_ARENA_FREE_ALL,
						   0, GFP_KERNEL));
	arena_expect_counters(test, ar,
			      "\nresets 1\nbuffers 0\ncapacity 0\nend_index 0\n");
	KUNIT_EXPECT_EQ(test, zalloc_test_stat(&ar->inst,
					       ZALLOC_STAT_BACKING_FREE), 210);
	KUNIT_EXPECT_EQ(test, zalloc_test_stat(&ar->inst,
					       ZALLOC_STAT_BYTES_FREE), 100);
	arena_finish(af);
}

/*
 * zalloc_arena_alloc()/free() are the arena's struct zalloc called
 * directly: one script through each, on two arenas over kmalloc, grows the
 * same buffers to the same end index and counters, with every block's
 * contents intact and no two blocks overlapping.
 */
static void arena_direct_same_as_interface(struct kunit *test)
{
	static const struct { size_t len, align; } script[] = {
		{ 100, 8 }, { 16, 8 }, { 0, 8 }, { 7, 3 }, { 30, 64 },
		{ 1, 1 }, { 500, 16 }, { 3000, 8 }, { 5, 256 }, { 40, 8 },
	};
	struct arena_fix *af[2];
	u8 *p[2][ARRAY_SIZE(script)];
	unsigned int i, j, k;

	for (k = 0; k < 2; k++)
		af[k] = arena_setup(test, &zalloc_kmalloc_allocator, NULL);
	for (i = 0; i < ARRAY_SIZE(script); i++) {
		p[0][i] = zalloc_arena_alloc(&af[0]->arena, script[i].len,
					     script[i].align, GFP_KERNEL);
		p[1][i] = zalloc_alloc(af[1]->a, script[i].len,
				       script[i].align, GFP_KERNEL);
		KUNIT_EXPECT_EQ_MSG(test, ZERO_OR_NULL_PTR(p[0][i]),
				    ZERO_OR_NULL_PTR(p[1][i]), "step %u", i);
		for (k = 0; k < 2; k++)
			if (!ZERO_OR_NULL_PTR(p[k][i]))
				zalloc_test_fill(p[k][i], script[i].len, i);
		KUNIT_EXPECT_EQ_MSG(test, af[0]->arena.end_index,
				    af[1]->arena.end_index, "step %u", i);
		KUNIT_EXPECT_EQ_MSG(test, af[0]->arena.capacity,
				    af[1]->arena.capacity, "step %u", i);
	}
	KUNIT_EXPECT_PTR_EQ(test, p[0][2], ZERO_SIZE_PTR);
	KUNIT_EXPECT_NULL(test, p[0][3]);
	KUNIT_EXPECT_EQ(test, af[0]->arena.nr_buffers, af[1]->arena.nr_buffers);
	KUNIT_EXPECT_GT(test, af[0]->arena.nr_buffers, 1);
	for (i = 0; i < ARRAY_SIZE(script); i++) {
		u8 *x = p[0][i];

		if (ZERO_OR_NULL_PTR(x))
			continue;
		KUNIT_EXPECT_TRUE_MSG(test,
				      zalloc_test_filled(x, script[i].len, i),
				      "block %u", i);
		KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)x,
						   script[i].align));
		for (j = 0; j < i; j++) {
			u8 *y = p[0][j];

			if (ZERO_OR_NULL_PTR(y))
				continue;
			KUNIT_EXPECT_TRUE_MSG(test, x >= y + script[j].len ||
					      y >= x + script[i].len,
					      "blocks %u and %u overlap", j, i);
		}
	}

	/* The last block gives its bytes back, another one does nothing. */
	zalloc_arena_free(&af[0]->arena, p[0][9], 40, 8);
	zalloc_free(af[1]->a, p[1][9], 40, 8);
	zalloc_arena_free(&af[0]->arena, p[0][0], 100, 8);
	zalloc_free(af[1]->a, p[1][0], 100, 8);
	KUNIT_EXPECT_EQ(test, af[0]->arena.end_index, af[1]->arena.end_index);
	zalloc_test_expect_same_stats(test, &af[0]->arena.inst,
				      &af[1]->arena.inst);
	for (k = 0; k < 2; k++)
		arena_finish(af[k]);
}

/*
 * Every kind of free through zalloc_arena_free() and through the struct
 * zalloc, step by step on two arenas: the inline pop takes the last block,
 * known or (once freed) the one ending at the end index.  A pointer inside
 * the last block, a zero length and a bad alignment change nothing and
 * count nothing; a block of an older buffer is counted and changes
 * nothing.
 */
static void arena_direct_free_cases(struct kunit *test)
{
	/* Block (0 old, 1 a, 2 b, 3 c), offset, length, alignment, end index. */
	static const struct { int blk; size_t off, len, align, end; } step[] = {
		{ 3, 8, 24, 8, 72 },	/* inside c: refused */
		{ 3, 0, 0, 8, 72 },	/* zero length: nothing */
		{ 3, 0, 32, 3, 72 },	/* bad alignment: nothing */
		{ 3, 0, 32, 8, 40 },	/* c, the newest: rolls back */
		{ 3, 0, 0, 8, 40 },	/* zero length at the end: nothing */
		{ 2, 0, 24, 8, 16 },	/* b, ending at the end: rolls back */
		{ 1, 0, 16, 8, 0 },	/* a, likewise */
		{ 0, 0, 64, 8, 0 },	/* the older buffer's: counted only */
	};
	static const size_t len[4] = { 64, 16, 24, 32 };
	static const size_t start[4] = { 0, 0, 16, 40 };
	struct arena_fix *af[2];
	u8 *p[2][4], *big;
	unsigned int i, k;

	for (k = 0; k < 2; k++) {
		struct zalloc_arena *ar;

		af[k] = arena_setup(test, &zalloc_kmalloc_allocator, NULL);
		ar = &af[k]->arena;
		p[k][0] = zalloc_arena_alloc(ar, len[0], 8, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[k][0]);
		/* Too big for the first buffer: a second one, emptied again. */
		big = zalloc_arena_alloc(ar, 3000, 8, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, big);
		KUNIT_ASSERT_EQ(test, ar->nr_buffers, 2);
		zalloc_arena_free(ar, big, 3000, 8);
		KUNIT_ASSERT_EQ(test, ar->end_index, 0);
		for (i = 1; i < 4; i++) {
			p[k][i] = zalloc_arena_alloc(ar, len[i], 8,
						     GFP_KERNEL);
			KUNIT_ASSERT_PTR_EQ(test, p[k][i],
					    zalloc_arena_usable(ar->head) +
					    start[i]);
			zalloc_test_fill(p[k][i], len[i], i);
		}
	}
	for (i = 0; i < ARRAY_SIZE(step); i++) {
		zalloc_arena_free(&af[0]->arena, p[0][step[i].blk] + step[i].off,
				  step[i].len, step[i].align);
		zalloc_free(af[1]->a, p[1][step[i].blk] + step[i].off,
			    step[i].len, step[i].align);
		for (k = 0; k < 2; k++) {
			KUNIT_EXPECT_EQ_MSG(test, af[k]->arena.end_index,
					    step[i].end, "step %u, %s", i,
					    k ? "interface" : "direct");
			/* What is still allocated is intact. */
			KUNIT_EXPECT_TRUE_MSG(test, step[i].end < 72 ||
					      zalloc_test_filled(p[k][3], 32, 3),
					      "step %u", i);
		}
	}
	zalloc_test_expect_same_stats(test, &af[0]->arena.inst,
				      &af[1]->arena.inst);
	/* big, c, b, a and the old block. */
	KUNIT_EXPECT_EQ(test, zalloc_test_stat(&af[0]->arena.inst,
					       ZALLOC_STAT_FREE), 5);
	KUNIT_EXPECT_EQ(test, zalloc_test_stat(&af[0]->arena.inst,
					       ZALLOC_STAT_BYTES_FREE),
			3000 + 32 + 24 + 16 + 64);
	for (k = 0; k < 2; k++)
		arena_finish(af[k]);
}

/*
 * In debug mode the direct calls take the struct zalloc path: shadows.  A
 * first block makes the buffer the second one would fit in, so that only
 * the debug test keeps the second off the inline bump.
 */
static void arena_direct_debug_mode(struct kunit *test)
{
	const struct zalloc *child = &zalloc_kmalloc_allocator;
	struct arena_fix *af = arena_setup_flags(test, child, NULL,
						 ZALLOC_F_DEBUG);
	struct zalloc_arena *ar = &af->arena;
	u8 *w, *x;

	w = zalloc_arena_alloc(ar, 200, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_ASSERT_NOT_NULL(test, ar->head);
	KUNIT_ASSERT_GE(test, ar->head->data - NODE_SIZE, 200 + 100);
	x = zalloc_arena_alloc(ar, 100, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, x);
	KUNIT_EXPECT_FALSE(test, (void *)x > (void *)ar->head &&
			   (void *)x < (void *)ar->head + ar->head->data);
	KUNIT_EXPECT_EQ(test, ar->end_index, 200 + 100);
	zalloc_arena_free(ar, x, 100, 16);
	KUNIT_EXPECT_EQ(test,
			zalloc_debug_reports(af->a, ZALLOC_DEBUG_WRONG_ALIGN),
			1);
	zalloc_arena_free(ar, x, 100, 8);
	KUNIT_EXPECT_EQ(test, ar->end_index, 200);
	zalloc_arena_free(ar, w, 200, 8);
	arena_finish(af);
}

/*
 * A direct allocation of bytes a freed block dirtied is zeroed under
 * init_on_alloc (as the test kernel boots) and for __GFP_ZERO; without
 * init_on_alloc only the second is checked, with it the second cannot
 * tell (init_on_alloc zeroes it first).
 */
static void arena_direct_zeroing(struct kunit *test)
{
	struct arena_fix *af = arena_setup(test, &zalloc_kmalloc_allocator,
					   NULL);
	struct zalloc_arena *ar = &af->arena;
	u8 *x, *y;

	x = zalloc_arena_alloc(ar, 64, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, x);
	memset(x, 0xaa, 64);
	zalloc_arena_free(ar, x, 64, 8);
	y = zalloc_arena_alloc(ar, 64, 8, GFP_KERNEL);
	KUNIT_ASSERT_PTR_EQ(test, y, x);
	if (want_init_on_alloc(0))
		KUNIT_EXPECT_NULL(test, memchr_inv(y, 0, 64));
	memset(y, 0xaa, 64);
	zalloc_arena_free(ar, y, 64, 8);
	y = zalloc_arena_alloc(ar, 64, 8, GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_PTR_EQ(test, y, x);
	KUNIT_EXPECT_NULL(test, memchr_inv(y, 0, 64));
	zalloc_arena_free(ar, y, 64, 8);
	arena_finish(af);
}

/*
 * Debug mode: every block is a shadow while the arena keeps serving (and
 * counting) as in normal mode; a reset drops the shadows with the blocks,
 * unreported, and destroy does the same.
 */
static void arena_debug_mode(struct kunit *test)
{
	struct arena_fix *af = arena_setup_flags(test, &zalloc_kmalloc_allocator,
						 NULL, ZALLOC_F_DEBUG);
	struct zalloc_arena *ar = &af->arena;
	u8 *x, *y;
	int i;

	KUNIT_ASSERT_TRUE(test, zalloc_debug_enabled(af->a));
	KUNIT_EXPECT_PTR_EQ(test, zalloc_instance_of(af->a), &ar->inst);
	x = zalloc_alloc(af->a, 100, 8, GFP_KERNEL);
	y = zalloc_alloc(af->a, 16, 8, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, x && y);
	/* The arena's rules: the same buffer and end index as normal mode. */
	KUNIT_EXPECT_EQ(test, ar->head->data, 210);
	KUNIT_EXPECT_EQ(test, ar->end_index, 104 + 16);
	KUNIT_EXPECT_FALSE(test, (void *)x > (void *)ar->head &&
			   (void *)x < (void *)ar->head + ar->head->data);
	zalloc_test_fill(x, 100, 1);
	/* The last block grows in place; a red zone catches an overrun. */
	KUNIT_EXPECT_TRUE(test, zalloc_resize(af->a, y, 16, 8, 32, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, ar->end_index, 104 + 32);
	y[32] = 0;
	zalloc_free(af->a, y, 32, 8);
	KUNIT_EXPECT_EQ(test, zalloc_debug_reports(af->a,
						   ZALLOC_DEBUG_REDZONE_BAD), 1);
	/* y's alignment padding stays used (Zig). */
	KUNIT_EXPECT_EQ(test, ar->end_index, 104);
	zalloc_free(af->a, y, 32, 8);
	KUNIT_EXPECT_EQ(test, zalloc_debug_reports(af->a,
						   ZALLOC_DEBUG_DOUBLE_FREE), 1);
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(x, 100, 1));

	/* x is live at the reset: dropped with its buffer, not reported. */
	KUNIT_EXPECT_TRUE(test, zalloc_arena_reset(ar,
						   ZALLOC_ARENA_RETAIN_CAPACITY,
						   0, GFP_KERNEL));
	zalloc_free(af->a, x, 100, 8);
	KUNIT_EXPECT_EQ(test, zalloc_debug_reports(af->a,
						   ZALLOC_DEBUG_INVALID_FREE), 1);
	KUNIT_EXPECT_EQ(test, zalloc_test_stat(&ar->inst, ZALLOC_STAT_ALLOC),
			zalloc_test_stat(&ar->inst, ZALLOC_STAT_FREE));
	for (i = 0; i < NR_ZALLOC_DEBUG_REPORTS; i++)
		if (i == ZALLOC_DEBUG_LEAK || i == ZALLOC_DEBUG_WRONG_LEN ||
		    i == ZALLOC_DEBUG_WRONG_ALIGN)
			KUNIT_EXPECT_EQ(test, zalloc_debug_reports(af->a, i), 0);
	/* And serves again, from the kept buffer; destroy drops this one. */
	KUNIT_EXPECT_NOT_NULL(test, zalloc_alloc(af->a, 64, 8, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, ar->end_index, 64);
	arena_finish(af);
}

static struct kunit_case zalloc_arena_cases[] = {
	KUNIT_CASE_PARAM(arena_reset_with_preheating, arena_child_gen_params),
	KUNIT_CASE_PARAM(arena_reset_retaining_buffer, arena_child_gen_params),
	KUNIT_CASE_PARAM(arena_reset_modes, arena_child_gen_params),
	KUNIT_CASE(arena_reset_child_fails),
	KUNIT_CASE_PARAM(arena_last_allocation, arena_child_gen_params),
	KUNIT_CASE(arena_growth_policy),
	KUNIT_CASE(arena_grow_in_place),
	KUNIT_CASE_PARAM(arena_alignments, arena_child_gen_params),
	KUNIT_CASE_PARAM(arena_many_buffers, arena_child_gen_params),
	KUNIT_CASE_PARAM(arena_overflow, arena_child_gen_params),
	KUNIT_CASE(arena_stats_file),
	KUNIT_CASE(arena_debug_mode),
	KUNIT_CASE(arena_direct_same_as_interface),
	KUNIT_CASE(arena_direct_free_cases),
	KUNIT_CASE(arena_direct_debug_mode),
	KUNIT_CASE(arena_direct_zeroing),
	{}
};

static struct kunit_suite zalloc_arena_suite = {
	.name = "zalloc_arena",
	.test_cases = zalloc_arena_cases,
};

kunit_test_suites(&zalloc_arena_suite);
