// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc_stack_fallback: the stack-fallback allocator's own rules.  Zig's
 * only test for it runs T1..T4 on a fresh stackFallback(4096, ...) each
 * time; that is in zalloc_contract.  Here: the buffer serves first and the
 * fallback the rest; blocks cross from the buffer to the fallback and back
 * through zalloc_realloc(); ownership is decided by the start address and
 * a block starting in the buffer never reaches the fallback; get() once per
 * init; the struct inside another struct; use under a spinlock with IRQs
 * off; the statistics lines; debug mode.
 */
#include <kunit/test.h>
#include <linux/spinlock.h>
#include <zalloc/debug.h>
#include <zalloc/kmalloc.h>
#include <zalloc/stack_fallback.h>

#include "zalloc_kunit.h"

#define SF_SIZE	256

KUNIT_DEFINE_ACTION_WRAPPER(sf_destroy_action, __zalloc_stack_fallback_destroy,
			    struct zalloc_stack_fallback *);

static bool sf_in_buffer(const void *sfa_buffer, size_t size, const void *p)
{
	return p >= sfa_buffer && p < sfa_buffer + size;
}

/*
 * A test-managed instance.  Tests that keep the struct on their own stack
 * destroy it themselves before returning instead: cleanup actions run
 * after the test function's frame is gone.
 */
struct sf_fix {
	ZALLOC_STACK_FALLBACK(SF_SIZE) sfa;
};

static struct sf_fix *sf_setup_flags(struct kunit *test,
				     const struct zalloc *fallback,
				     unsigned int flags)
{
	struct sf_fix *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_ASSERT_EQ(test, zalloc_stack_fallback_init(&f->sfa, fallback,
							 NULL, flags,
							 GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, sf_destroy_action,
							&f->sfa.sf), 0);
	return f;
}

static struct sf_fix *sf_setup(struct kunit *test,
			       const struct zalloc *fallback)
{
	return sf_setup_flags(test, fallback, 0);
}

/* Allocations the fallback served. */
static unsigned long sf_fallback_allocs(struct sf_fix *f)
{
	return zalloc_test_info(&f->sfa.sf.inst, ZALLOC_SF_FALLBACK_ALLOCS);
}

/* The buffer serves what fits, the fallback the rest; frees go back home. */
static void sf_buffer_then_fallback(struct kunit *test)
{
	struct zalloc_validator *v = zalloc_test_validator(test,
							   &zalloc_kmalloc_allocator);
	struct sf_fix *f;
	const struct zalloc *a;
	u8 *x, *y, *z, *w;

	f = sf_setup(test, &v->za);
	a = zalloc_stack_fallback_get(&f->sfa);
	KUNIT_ASSERT_NOT_NULL(test, a);

	x = zalloc_alloc(a, 104, 8, GFP_KERNEL);
	y = zalloc_alloc(a, 100, 8, GFP_KERNEL);
	z = zalloc_alloc(a, 100, 8, GFP_KERNEL);
	w = zalloc_alloc(a, 50, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, x);
	KUNIT_ASSERT_NOT_NULL(test, y);
	KUNIT_ASSERT_NOT_NULL(test, z);
	KUNIT_ASSERT_NOT_NULL(test, w);
	KUNIT_EXPECT_PTR_EQ(test, (void *)x, (void *)f->sfa.buffer);
	KUNIT_EXPECT_TRUE(test, sf_in_buffer(f->sfa.buffer, SF_SIZE, y));
	KUNIT_EXPECT_FALSE(test, sf_in_buffer(f->sfa.buffer, SF_SIZE, z));
	KUNIT_EXPECT_TRUE(test, sf_in_buffer(f->sfa.buffer, SF_SIZE, w));
	KUNIT_EXPECT_EQ(test, v->live_blocks, 1);
	KUNIT_EXPECT_EQ(test, sf_fallback_allocs(f), 1);
	zalloc_test_fill(x, 104, 1);
	zalloc_test_fill(y, 100, 2);
	zalloc_test_fill(z, 100, 3);
	zalloc_test_fill(w, 50, 4);
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(x, 104, 1));
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(y, 100, 2));
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(z, 100, 3));
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(w, 50, 4));

	/* Resize of the fallback block goes to the fallback. */
	KUNIT_EXPECT_TRUE(test, zalloc_resize(a, z, 100, 8, 90, GFP_KERNEL));
	zalloc_free(a, z, 90, 8);
	KUNIT_EXPECT_EQ(test, v->live_blocks, 0);
	zalloc_free(a, w, 50, 1);
	KUNIT_EXPECT_EQ(test, f->sfa.sf.fixed.end_index, 204);
	zalloc_free(a, y, 100, 8);
	zalloc_free(a, x, 104, 8);
	KUNIT_EXPECT_EQ(test, f->sfa.sf.fixed.end_index, 0);
	zalloc_test_expect_balanced(v);
}

/*
 * zalloc_realloc() moves a buffer block that outgrows the buffer to the
 * fallback, and a fallback block whose remap is refused back into the
 * buffer; contents survive both ways.
 */
static void sf_crossing(struct kunit *test)
{
	struct zalloc_validator *v = zalloc_test_validator(test,
							   &zalloc_kmalloc_allocator);
	struct sf_fix *f;
	const struct zalloc *a;
	u8 *p, *q;

	f = sf_setup(test, &v->za);
	a = zalloc_stack_fallback_get(&f->sfa);
	KUNIT_ASSERT_NOT_NULL(test, a);

	p = zalloc_alloc(a, 64, 8, GFP_KERNEL);
	KUNIT_ASSERT_PTR_EQ(test, (void *)p, (void *)f->sfa.buffer);
	zalloc_test_fill(p, 64, 7);
	/* Growing within the buffer stays in place. */
	q = zalloc_realloc(a, p, 64, 8, SF_SIZE, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, q, p);
	/* Buffer -> fallback. */
	p = zalloc_realloc(a, q, SF_SIZE, 8, 1000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_FALSE(test, sf_in_buffer(f->sfa.buffer, SF_SIZE, p));
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(p, 64, 7));
	KUNIT_EXPECT_EQ(test, f->sfa.sf.fixed.end_index, 0);
	KUNIT_EXPECT_EQ(test, v->live_blocks, 1);
	zalloc_test_fill(p, 1000, 8);

	/* Fallback -> buffer, when the fallback will not remap. */
	v->fail_resize = true;
	q = zalloc_realloc(a, p, 1000, 8, 32, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_PTR_EQ(test, (void *)q, (void *)f->sfa.buffer);
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(q, 32, 8));
	KUNIT_EXPECT_EQ(test, v->live_blocks, 0);
	KUNIT_EXPECT_EQ(test, f->sfa.sf.fixed.end_index, 32);

	/* And a shrink inside the buffer is in place. */
	p = zalloc_realloc(a, q, 32, 8, 16, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, p, q);
	KUNIT_EXPECT_EQ(test, f->sfa.sf.fixed.end_index, 16);
	zalloc_free(a, p, 16, 8);
	KUNIT_EXPECT_EQ(test, f->sfa.sf.fixed.end_index, 0);
	zalloc_test_expect_balanced(v);
}

/*
 * Ownership is decided by the start address: a block starting in the
 * buffer is the buffer's even if its length runs past it (refused there),
 * and never reaches the fallback.
 */
static void sf_ownership_by_start(struct kunit *test)
{
	struct zalloc_validator *v = zalloc_test_validator(test,
							   &zalloc_kmalloc_allocator);
	struct sf_fix *f;
	const struct zalloc *a;
	unsigned long calls;
	u8 *p;

	f = sf_setup(test, &v->za);
	a = zalloc_stack_fallback_get(&f->sfa);
	KUNIT_ASSERT_NOT_NULL(test, a);
	p = zalloc_alloc(a, SF_SIZE - 8, 1, GFP_KERNEL);
	KUNIT_ASSERT_PTR_EQ(test, (void *)p, (void *)f->sfa.buffer);

	calls = v->calls;
	KUNIT_EXPECT_FALSE(test, zalloc_resize(a, f->sfa.buffer + SF_SIZE - 4, 16,
					       1, 8, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zalloc_remap(a, f->sfa.buffer + SF_SIZE - 4, 16, 1,
					     8, GFP_KERNEL));
	zalloc_free(a, f->sfa.buffer + SF_SIZE - 4, 16, 1);
	KUNIT_EXPECT_EQ(test, v->calls, calls);
	KUNIT_EXPECT_EQ(test, f->sfa.sf.fixed.end_index, SF_SIZE - 8);

	/* The last buffer block cannot grow past the buffer by remap. */
	KUNIT_EXPECT_NULL(test, zalloc_remap(a, p, SF_SIZE - 8, 1, SF_SIZE + 1,
					     GFP_KERNEL));
	KUNIT_EXPECT_PTR_EQ(test, zalloc_remap(a, p, SF_SIZE - 8, 1, SF_SIZE,
					       GFP_KERNEL), (void *)p);
	zalloc_free(a, p, SF_SIZE, 1);
	KUNIT_EXPECT_EQ(test, v->calls, calls);
	KUNIT_EXPECT_EQ(test, f->sfa.sf.fixed.end_index, 0);
}

/*
 * get() once per init; a new init on the same struct starts afresh.  The
 * struct is on this function's stack, so it is destroyed here, and nothing
 * between init and destroy may abort the test.
 */
static void sf_get_once(struct kunit *test)
{
	DEFINE_ZALLOC_STACK_FALLBACK(sfa, SF_SIZE);
	const struct zalloc *a;
	int round;

	for (round = 0; round < 2; round++) {
		KUNIT_ASSERT_EQ(test,
				zalloc_stack_fallback_init(&sfa,
							   &zalloc_kmalloc_allocator,
							   NULL, 0, GFP_KERNEL), 0);
		a = zalloc_stack_fallback_get(&sfa);
		KUNIT_EXPECT_NOT_NULL(test, a);
		KUNIT_EXPECT_NULL(test, zalloc_stack_fallback_get(&sfa));
		/* The buffer starts empty however the last instance left it. */
		if (a)
			KUNIT_EXPECT_PTR_EQ(test,
					    zalloc_alloc(a, 100 + round, 1,
							 GFP_KERNEL),
					    (void *)sfa.buffer);
		zalloc_stack_fallback_destroy(&sfa);
	}

	/* No fallback, or flags it does not take: refused. */
	KUNIT_EXPECT_EQ(test, zalloc_stack_fallback_init(&sfa, NULL, NULL, 0,
							 GFP_KERNEL), -EINVAL);
	KUNIT_EXPECT_EQ(test,
			zalloc_stack_fallback_init(&sfa,
						   &zalloc_kmalloc_allocator,
						   NULL, ZALLOC_F_DEBUG |
						   ZALLOC_F_NODEBUG,
						   GFP_KERNEL), -EINVAL);
}

struct sf_holder {
	u64 before;

	ZALLOC_STACK_FALLBACK(2048) sfa;
	u64 after;
};

/*
 * Inside another struct, named in debugfs: filling the buffer to the last
 * byte leaves the neighbours alone; the statistics lines follow.
 */
static void sf_in_struct(struct kunit *test)
{
	struct sf_holder *h = kunit_kzalloc(test, sizeof(*h), GFP_KERNEL);
	struct zalloc_instance *inst;
	const struct zalloc *a;
	size_t used = 0;
	char *stats;
	void *p, *fb;

	KUNIT_ASSERT_NOT_NULL(test, h);
	h->before = 0x1111111111111111ULL;
	h->after = 0x2222222222222222ULL;
	KUNIT_ASSERT_EQ(test, zalloc_stack_fallback_init(&h->sfa,
							 &zalloc_kmalloc_allocator,
							 "kunit-sf", 0, GFP_KERNEL),
			0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, sf_destroy_action,
							&h->sfa.sf), 0);
	inst = &h->sfa.sf.inst;
	KUNIT_EXPECT_STREQ(test, zalloc_instance_name(inst), "kunit-sf");
	a = zalloc_stack_fallback_get(&h->sfa);
	KUNIT_ASSERT_NOT_NULL(test, a);
	while (used < 2048) {
		p = zalloc_alloc(a, 100, 1, GFP_KERNEL);
		KUNIT_ASSERT_TRUE(test, sf_in_buffer(h->sfa.buffer, 2048, p));
		memset(p, 0xff, 100);
		used += 100;
		if (2048 - used < 100) {
			p = zalloc_alloc(a, 2048 - used, 1, GFP_KERNEL);
			KUNIT_ASSERT_TRUE(test, sf_in_buffer(h->sfa.buffer, 2048, p));
			memset(p, 0xff, 2048 - used);
			used = 2048;
		}
	}
	fb = zalloc_alloc(a, 1, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, fb);
	KUNIT_EXPECT_FALSE(test, sf_in_buffer(h->sfa.buffer, 2048, fb));
	KUNIT_EXPECT_EQ(test, h->before, 0x1111111111111111ULL);
	KUNIT_EXPECT_EQ(test, h->after, 0x2222222222222222ULL);

	/* After the common lines: its event, then the rest, in enum order. */
	stats = zalloc_test_debugfs(test, "kunit-sf", "stats");
	KUNIT_ASSERT_NOT_NULL(test, stats);
	KUNIT_EXPECT_NOT_NULL_MSG(test,
				  strstr(stats,
					 "\nfallback_allocations 1\n"
					 "buffer_size 2048\nend_index 2048\n"),
				  "%s", stats);
	KUNIT_EXPECT_EQ(test, zalloc_test_info(inst, ZALLOC_SF_BUFFER_SIZE),
			2048);
	KUNIT_EXPECT_EQ(test, zalloc_test_info(inst, ZALLOC_SF_END_INDEX),
			2048);
	zalloc_free(a, fb, 1, 1);
	KUNIT_EXPECT_EQ(test, zalloc_test_stat(inst, ZALLOC_STAT_ALLOC), 22);
	KUNIT_EXPECT_EQ(test, zalloc_test_stat(inst, ZALLOC_STAT_FREE), 1);
}

/*
 * The whole life of an unnamed instance under a spinlock with IRQs off:
 * atomic counters, buffer and GFP_ATOMIC fallback blocks, destroy.
 */
static void sf_atomic(struct kunit *test)
{
	DEFINE_ZALLOC_STACK_FALLBACK(sfa, 128);
	static DEFINE_SPINLOCK(lock);
	const struct zalloc *a = NULL;
	unsigned long flags;
	bool in_buf = false, out_buf = false;
	void *p = NULL, *q = NULL;
	int err;

	spin_lock_irqsave(&lock, flags);
	err = zalloc_stack_fallback_init(&sfa, &zalloc_kmalloc_allocator, NULL,
					 0, GFP_ATOMIC);
	if (!err) {
		a = zalloc_stack_fallback_get(&sfa);
		p = zalloc_alloc(a, 100, 8, GFP_ATOMIC);
		q = zalloc_alloc(a, 100, 8, GFP_ATOMIC);
		in_buf = sf_in_buffer(sfa.buffer, 128, p);
		out_buf = q && !sf_in_buffer(sfa.buffer, 128, q);
		zalloc_free(a, q, 100, 8);
		zalloc_free(a, p, 100, 8);
		zalloc_stack_fallback_destroy(&sfa);
	}
	spin_unlock_irqrestore(&lock, flags);
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_TRUE(test, in_buf);
	KUNIT_EXPECT_TRUE(test, out_buf);

	/* A name cannot be registered without sleeping. */
	KUNIT_EXPECT_EQ(test, zalloc_stack_fallback_init(&sfa,
							 &zalloc_kmalloc_allocator,
							 "kunit-sf-atomic", 0,
							 GFP_ATOMIC), -EINVAL);
}

/*
 * Debug mode: buffer and fallback blocks alike are shadows, checked on
 * every call, while the buffer and the fallback serve exactly as in
 * normal mode.
 */
static void sf_debug_mode(struct kunit *test)
{
	struct zalloc_validator *v = zalloc_test_validator(test,
							   &zalloc_kmalloc_allocator);
	struct sf_fix *f = sf_setup_flags(test, &v->za, ZALLOC_F_DEBUG);
	const struct zalloc *a = zalloc_stack_fallback_get(&f->sfa);
	u8 *x, *y;

	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_TRUE(test, zalloc_debug_enabled(a));
	KUNIT_EXPECT_PTR_EQ(test, zalloc_instance_of(a), &f->sfa.sf.inst);
	x = zalloc_alloc(a, 100, 8, GFP_KERNEL);
	y = zalloc_alloc(a, 200, 8, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, x && y);
	/* x is served by the buffer, y by the fallback; both are shadows. */
	KUNIT_EXPECT_EQ(test, f->sfa.sf.fixed.end_index, 100);
	KUNIT_EXPECT_EQ(test, v->live_blocks, 1);
	KUNIT_EXPECT_EQ(test, sf_fallback_allocs(f), 1);
	KUNIT_EXPECT_FALSE(test, sf_in_buffer(f->sfa.buffer, SF_SIZE, x));
	zalloc_test_fill(x, 100, 1);

	/* An overrun of the fallback block, caught when it goes back. */
	y[200] = 0;
	zalloc_free(a, y, 200, 8);
	KUNIT_EXPECT_EQ(test, zalloc_debug_reports(a, ZALLOC_DEBUG_REDZONE_BAD),
			1);
	KUNIT_EXPECT_EQ(test, v->live_blocks, 0);
	/* A wrong length changes nothing; the right one frees. */
	zalloc_free(a, x, 99, 8);
	KUNIT_EXPECT_EQ(test, zalloc_debug_reports(a, ZALLOC_DEBUG_WRONG_LEN),
			1);
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(x, 100, 1));
	KUNIT_EXPECT_EQ(test, f->sfa.sf.fixed.end_index, 100);
	zalloc_free(a, x, 100, 8);
	KUNIT_EXPECT_EQ(test, f->sfa.sf.fixed.end_index, 0);
	zalloc_free(a, x, 100, 8);
	KUNIT_EXPECT_EQ(test, zalloc_debug_reports(a, ZALLOC_DEBUG_DOUBLE_FREE),
			1);
	KUNIT_EXPECT_EQ(test, zalloc_test_stat(&f->sfa.sf.inst,
					       ZALLOC_STAT_ALLOC),
			zalloc_test_stat(&f->sfa.sf.inst, ZALLOC_STAT_FREE));
	zalloc_test_expect_balanced(v);
}

static struct kunit_case zalloc_stack_fallback_cases[] = {
	KUNIT_CASE(sf_buffer_then_fallback),
	KUNIT_CASE(sf_crossing),
	KUNIT_CASE(sf_ownership_by_start),
	KUNIT_CASE(sf_get_once),
	KUNIT_CASE(sf_in_struct),
	KUNIT_CASE(sf_atomic),
	KUNIT_CASE(sf_debug_mode),
	{}
};

static struct kunit_suite zalloc_stack_fallback_suite = {
	.name = "zalloc_stack_fallback",
	.test_cases = zalloc_stack_fallback_cases,
};

kunit_test_suites(&zalloc_stack_fallback_suite);
