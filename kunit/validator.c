// SPDX-License-Identifier: GPL-2.0
/*
 * The validating wrapper used by the zalloc KUnit suites (Zig's
 * std.mem.ValidationAllocator, plus live-block accounting, plus failures
 * on request).
 */
#include <kunit/test.h>

#include "zalloc_kunit.h"

static struct zalloc_validator *to_validator(void *ctx)
{
	return ctx;
}

static void *val_alloc(void *ctx, size_t len, size_t align, gfp_t gfp,
		       unsigned long ip)
{
	struct zalloc_validator *v = to_validator(ctx);
	void *p;

	v->calls++;
	KUNIT_EXPECT_GT(v->test, len, 0);
	KUNIT_EXPECT_TRUE(v->test, is_power_of_2(align));
	p = v->fail_alloc ? NULL :
	    zalloc_raw_alloc(v->child, len, align, gfp, ip);
	if (!p) {
		v->alloc_nulls++;
		return NULL;
	}
	KUNIT_EXPECT_TRUE_MSG(v->test, IS_ALIGNED((unsigned long)p, align),
			      "%p not aligned to %zu", p, align);
	v->allocs++;
	v->live_blocks++;
	v->live_bytes += len;
	return p;
}

static bool val_resize(void *ctx, void *ptr, size_t len, size_t align,
		       size_t new_len, gfp_t gfp, unsigned long ip)
{
	struct zalloc_validator *v = to_validator(ctx);

	v->calls++;
	KUNIT_EXPECT_GT(v->test, len, 0);
	KUNIT_EXPECT_GT(v->test, new_len, 0);
	v->resizes++;
	if (v->fail_resize ||
	    !zalloc_raw_resize(v->child, ptr, len, align, new_len, gfp, ip)) {
		v->refusals++;
		return false;
	}
	v->live_bytes += (long)new_len - (long)len;
	return true;
}

static void *val_remap(void *ctx, void *ptr, size_t len, size_t align,
		       size_t new_len, gfp_t gfp, unsigned long ip)
{
	struct zalloc_validator *v = to_validator(ctx);
	void *p;

	v->calls++;
	KUNIT_EXPECT_GT(v->test, len, 0);
	KUNIT_EXPECT_GT(v->test, new_len, 0);
	v->remaps++;
	p = v->fail_resize ? NULL :
	    zalloc_raw_remap(v->child, ptr, len, align, new_len, gfp, ip);
	if (!p) {
		v->refusals++;
		return NULL;
	}
	KUNIT_EXPECT_TRUE_MSG(v->test, IS_ALIGNED((unsigned long)p, align),
			      "remap gave %p, not aligned to %zu", p, align);
	v->live_bytes += (long)new_len - (long)len;
	return p;
}

static void val_free(void *ctx, void *ptr, size_t len, size_t align,
		     unsigned long ip)
{
	struct zalloc_validator *v = to_validator(ctx);

	v->calls++;
	KUNIT_EXPECT_GT(v->test, len, 0);
	zalloc_raw_free(v->child, ptr, len, align, ip);
	v->frees++;
	v->live_blocks--;
	v->live_bytes -= len;
}

static const struct zalloc_ops val_ops = {
	.alloc	= val_alloc,
	.resize	= val_resize,
	.remap	= val_remap,
	.free	= val_free,
};

/*
 * zalloc_test_validator - wrap @child for @test; freed with the test.
 * Returns NULL (and fails the test) if the wrapper cannot be allocated.
 */
struct zalloc_validator *zalloc_test_validator(struct kunit *test,
					       const struct zalloc *child)
{
	struct zalloc_validator *v = kunit_kzalloc(test, sizeof(*v),
						   GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, v);
	KUNIT_ASSERT_NOT_NULL(test, child);
	v->za.ctx = v;
	v->za.ops = &val_ops;
	v->test = test;
	v->child = child;
	return v;
}

/* zalloc_test_expect_balanced - every block handed out was given back. */
void zalloc_test_expect_balanced(struct zalloc_validator *v)
{
	KUNIT_EXPECT_EQ(v->test, v->live_blocks, 0);
	KUNIT_EXPECT_EQ(v->test, v->live_bytes, 0);
}
