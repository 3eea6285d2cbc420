// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the buffer allocators' suites (kunit/buffers_util.h).
 */
#include <kunit/test.h>
#include <linux/seq_file.h>

#include "buffers_util.h"

static struct zalloc_test_flaky *to_flaky(void *ctx)
{
	return ctx;
}

static void *flaky_alloc(void *ctx, size_t len, size_t align, gfp_t gfp,
			 unsigned long ip)
{
	struct zalloc_test_flaky *fl = to_flaky(ctx);
	void *p;

	if (fl->fail_alloc)
		return NULL;
	p = zalloc_raw_alloc(fl->child, len, align, gfp, ip);
	if (p) {
		fl->allocs++;
		fl->live++;
	}
	return p;
}

static bool flaky_resize(void *ctx, void *ptr, size_t len, size_t align,
			 size_t new_len, gfp_t gfp, unsigned long ip)
{
	struct zalloc_test_flaky *fl = to_flaky(ctx);

	if (fl->fail_resize)
		return false;
	return zalloc_raw_resize(fl->child, ptr, len, align, new_len, gfp, ip);
}

static void *flaky_remap(void *ctx, void *ptr, size_t len, size_t align,
			 size_t new_len, gfp_t gfp, unsigned long ip)
{
	struct zalloc_test_flaky *fl = to_flaky(ctx);

	if (fl->fail_resize)
		return NULL;
	return zalloc_raw_remap(fl->child, ptr, len, align, new_len, gfp, ip);
}

static void flaky_free(void *ctx, void *ptr, size_t len, size_t align,
		       unsigned long ip)
{
	struct zalloc_test_flaky *fl = to_flaky(ctx);

	fl->live--;
	zalloc_raw_free(fl->child, ptr, len, align, ip);
}

static const struct zalloc_ops flaky_ops = {
	.alloc	= flaky_alloc,
	.resize	= flaky_resize,
	.remap	= flaky_remap,
	.free	= flaky_free,
};

/*
 * zalloc_test_flaky - wrap @child in an allocator the test can make fail;
 * freed with the test.
 */
struct zalloc_test_flaky *zalloc_test_flaky(struct kunit *test,
					    const struct zalloc *child)
{
	struct zalloc_test_flaky *fl = kunit_kzalloc(test, sizeof(*fl),
						     GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, fl);
	fl->za.ctx = fl;
	fl->za.ops = &flaky_ops;
	fl->child = child;
	return fl;
}

/* zalloc_test_fill - write a pattern derived from @seed and the offset. */
void zalloc_test_fill(void *p, size_t len, u8 seed)
{
	u8 *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		b[i] = seed + i * 7;
}

/* zalloc_test_filled - does @p still hold zalloc_test_fill()'s pattern? */
bool zalloc_test_filled(const void *p, size_t len, u8 seed)
{
	const u8 *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != (u8)(seed + i * 7))
			return false;
	return true;
}

/*
 * zalloc_test_show_stats - what @inst's show_stats callback prints into its
 * debugfs "stats" file after the common lines, as a C string in @out.
 */
void zalloc_test_show_stats(struct zalloc_instance *inst, char *out,
			    size_t size)
{
	struct seq_file m = { .buf = out, .size = size - 1 };

	memset(out, 0, size);
	if (inst->iops && inst->iops->show_stats)
		inst->iops->show_stats(&m, inst);
}

/* zalloc_test_stat - one of @inst's counters, summed over the CPUs. */
unsigned long zalloc_test_stat(struct zalloc_instance *inst,
			       enum zalloc_stat_item item)
{
	struct zalloc_stats_sum sum;

	zalloc_stats_read(&inst->stats, &sum);
	return sum.v[item];
}
