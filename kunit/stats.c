// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc_stats: the counters and the debugfs files.  A known sequence of
 * operations moves every counter by exactly the expected amount; after
 * everything is freed the live figures are back where they were; the
 * debugfs files of named instances exist, parse as "name value" (the
 * common counters, then the allocator's own in the order of its enum, as
 * zalloc_instance_info() reads them), and vanish on destroy; bad and
 * duplicate names are refused.
 */
#include <kunit/test.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <zalloc/debug.h>
#include <zalloc/fixed.h>
#include <zalloc/kmalloc.h>
#include <zalloc/page.h>
#include <zalloc/registry.h>
#include <zalloc/sbrk.h>

#include "zalloc_kunit.h"

static void read_sum(struct kunit *test, const char *name,
		     struct zalloc_stats_sum *s)
{
	KUNIT_ASSERT_EQ(test, zalloc_instance_read(name, s), 0);
}

static long delta(const struct zalloc_stats_sum *a,
		  const struct zalloc_stats_sum *b, enum zalloc_stat_item i)
{
	return (long)(b->v[i] - a->v[i]);
}

static long live(const struct zalloc_stats_sum *s, enum zalloc_stat_item in,
		 enum zalloc_stat_item out)
{
	return (long)(s->v[in] - s->v[out]);
}

/* After freeing everything, live and backing bytes are where they began. */
static void expect_back_to_start(struct kunit *test,
				 const struct zalloc_stats_sum *s0,
				 const struct zalloc_stats_sum *s2)
{
	KUNIT_EXPECT_EQ(test,
			live(s2, ZALLOC_STAT_BYTES_ALLOC, ZALLOC_STAT_BYTES_FREE),
			live(s0, ZALLOC_STAT_BYTES_ALLOC, ZALLOC_STAT_BYTES_FREE));
	KUNIT_EXPECT_EQ(test,
			live(s2, ZALLOC_STAT_BACKING_ALLOC,
			     ZALLOC_STAT_BACKING_FREE),
			live(s0, ZALLOC_STAT_BACKING_ALLOC,
			     ZALLOC_STAT_BACKING_FREE));
}

static void stats_page_counts(struct kunit *test)
{
	const struct zalloc *a = &zalloc_page_allocator;
	const size_t l1 = 3 * PAGE_SIZE + 1, l2 = 100;
	struct zalloc_stats_sum s0, s1, s2;
	u8 *p1, *p2;

	read_sum(test, "page", &s0);
	p1 = zalloc_alloc(a, l1, 1, GFP_KERNEL);
	p2 = zalloc_alloc(a, l2, 2 * PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p1);
	KUNIT_ASSERT_NOT_NULL(test, p2);
	KUNIT_EXPECT_NULL(test, zalloc_alloc(a, 1, PAGE_SIZE << 30,
					     GFP_KERNEL));
	KUNIT_EXPECT_TRUE(test, zalloc_resize(a, p1, l1, 1, 2 * PAGE_SIZE,
					      GFP_KERNEL));
	KUNIT_EXPECT_FALSE(test, zalloc_resize(a, p1, 2 * PAGE_SIZE, 1,
					       5 * PAGE_SIZE, GFP_KERNEL));
	KUNIT_EXPECT_PTR_EQ(test, (void *)p2,
			    zalloc_remap(a, p2, l2, 2 * PAGE_SIZE, 200,
					 GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zalloc_remap(a, p2, 200, 2 * PAGE_SIZE,
					     PAGE_SIZE + 1, GFP_KERNEL));
	read_sum(test, "page", &s1);

	KUNIT_EXPECT_EQ(test, delta(&s0, &s1, ZALLOC_STAT_ALLOC), 2);
	KUNIT_EXPECT_EQ(test, delta(&s0, &s1, ZALLOC_STAT_ALLOC_FAIL), 1);
	KUNIT_EXPECT_EQ(test, delta(&s0, &s1, ZALLOC_STAT_RESIZE_OK), 1);
	KUNIT_EXPECT_EQ(test, delta(&s0, &s1, ZALLOC_STAT_RESIZE_REFUSED), 1);
	KUNIT_EXPECT_EQ(test, delta(&s0, &s1, ZALLOC_STAT_REMAP_INPLACE), 1);
	KUNIT_EXPECT_EQ(test, delta(&s0, &s1, ZALLOC_STAT_REMAP_REFUSED), 1);
	KUNIT_EXPECT_EQ(test, delta(&s0, &s1, ZALLOC_STAT_REMAP_MOVED), 0);
	/* Live: p1 is 2 pages long now, p2 200 bytes. */
	KUNIT_EXPECT_EQ(test,
			live(&s1, ZALLOC_STAT_BYTES_ALLOC,
			     ZALLOC_STAT_BYTES_FREE) -
			live(&s0, ZALLOC_STAT_BYTES_ALLOC,
			     ZALLOC_STAT_BYTES_FREE),
			(long)(2 * PAGE_SIZE + 200));
	/* Backing: p1 shrank from 4 pages to 2, p2 holds 1. */
	KUNIT_EXPECT_EQ(test, delta(&s0, &s1, ZALLOC_STAT_BACKING_ALLOC),
			(long)(5 * PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, delta(&s0, &s1, ZALLOC_STAT_BACKING_FREE),
			(long)(2 * PAGE_SIZE));

	zalloc_free(a, p1, 2 * PAGE_SIZE, 1);
	zalloc_free(a, p2, 200, 2 * PAGE_SIZE);
	read_sum(test, "page", &s2);
	KUNIT_EXPECT_EQ(test, delta(&s0, &s2, ZALLOC_STAT_FREE), 2);
	expect_back_to_start(test, &s0, &s2);
}

static void stats_kmalloc_counts(struct kunit *test)
{
	const struct zalloc *a = &zalloc_kmalloc_allocator;
	struct zalloc_stats_sum s0, s1, s2;
	size_t room;
	u8 *p, *q;

	read_sum(test, "kmalloc", &s0);
	p = zalloc_alloc(a, 100, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	room = ksize(p);
	KUNIT_EXPECT_NULL(test, zalloc_alloc(a, KMALLOC_MAX_SIZE + 1, 8,
					     GFP_KERNEL));
	KUNIT_EXPECT_TRUE(test, zalloc_resize(a, p, 100, 8, room, GFP_KERNEL));
	KUNIT_EXPECT_FALSE(test, zalloc_resize(a, p, room, 8, room + 1,
					       GFP_KERNEL));
	/* realloc: a refused remap, then alloc + copy + free. */
	q = zalloc_realloc(a, p, room, 8, 4 * room, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_PTR_NE(test, (void *)p, (void *)q);
	read_sum(test, "kmalloc", &s1);

	KUNIT_EXPECT_EQ(test, delta(&s0, &s1, ZALLOC_STAT_ALLOC), 2);
	KUNIT_EXPECT_EQ(test, delta(&s0, &s1, ZALLOC_STAT_ALLOC_FAIL), 1);
	KUNIT_EXPECT_EQ(test, delta(&s0, &s1, ZALLOC_STAT_FREE), 1);
	KUNIT_EXPECT_EQ(test, delta(&s0, &s1, ZALLOC_STAT_RESIZE_OK), 1);
	KUNIT_EXPECT_EQ(test, delta(&s0, &s1, ZALLOC_STAT_RESIZE_REFUSED), 1);
	KUNIT_EXPECT_EQ(test, delta(&s0, &s1, ZALLOC_STAT_REMAP_REFUSED), 1);
	KUNIT_EXPECT_EQ(test, delta(&s0, &s1, ZALLOC_STAT_REMAP_MOVED), 0);
	KUNIT_EXPECT_EQ(test, delta(&s0, &s1, ZALLOC_STAT_BYTES_ALLOC) -
			delta(&s0, &s1, ZALLOC_STAT_BYTES_FREE),
			(long)(4 * room));
	KUNIT_EXPECT_EQ(test, delta(&s0, &s1, ZALLOC_STAT_BACKING_ALLOC) -
			delta(&s0, &s1, ZALLOC_STAT_BACKING_FREE),
			(long)ksize(q));

	zalloc_free(a, q, 4 * room, 8);
	read_sum(test, "kmalloc", &s2);
	KUNIT_EXPECT_EQ(test, delta(&s0, &s2, ZALLOC_STAT_FREE), 2);
	expect_back_to_start(test, &s0, &s2);
}

static void stats_debugfs_format(struct kunit *test)
{
	static const struct zalloc * const globals[] = {
		&zalloc_page_allocator, &zalloc_kmalloc_allocator,
	};
	const char *name;
	char *text;
	int i, j;

	for (i = 0; i < ARRAY_SIZE(globals); i++) {
		name = zalloc_instance_name(zalloc_instance_of(globals[i]));
		text = zalloc_test_debugfs(test, name, "stats");
		KUNIT_ASSERT_NOT_NULL_MSG(test, text, "%s: no stats file", name);
		KUNIT_EXPECT_NOT_NULL(test, strstr(text, "kind "));
		for (j = 0; j < NR_ZALLOC_STATS; j++)
			KUNIT_EXPECT_GE_MSG(test,
					    zalloc_test_value(text,
							      zalloc_stat_name(j)),
					    0, "%s: no %s", name,
					    zalloc_stat_name(j));
		KUNIT_EXPECT_GE(test, zalloc_test_value(text, "bytes_live"), 0);
		KUNIT_EXPECT_GE(test, zalloc_test_value(text, "peak_bytes_live"),
				0);
		KUNIT_EXPECT_GE(test,
				zalloc_test_value(text, "backing_bytes_held"),
				0);
		/* The globals follow zalloc.debug. */
		KUNIT_EXPECT_EQ(test, zalloc_test_value(text, "debug_mode"),
				(long)zalloc_debug_enabled(globals[i]));
	}
}

/*
 * An allocator's own counters, as its stats file shows them: after the
 * common lines, events first, each in the order of its enum
 * (include/zalloc/sbrk.h), with the values zalloc_instance_info() reads,
 * then its other lines (sbrk's provider).
 */
static void stats_kind_counters(struct kunit *test)
{
	static const char * const names[NR_ZALLOC_SBRK_COUNTERS] = {
		"brk_bytes", "double_frees", "invalid_frees",
		"corrupt_free_lists", "bigpage_bytes", "small_bigpages",
		"live_small", "live_big", "free_small", "free_big",
		"free_big_bytes",
	};
	unsigned long v[NR_ZALLOC_SBRK_COUNTERS];
	const char *text, *at, *prev;
	struct zalloc *a;
	char line[64];
	void *p, *q;
	int i;

	a = zalloc_test_adopt(test,
			      zalloc_sbrk_create("kunit-stats-sbrk",
						 zalloc_sbrk_region_create(SZ_1M),
						 0));
	p = zalloc_alloc(a, 100, 8, GFP_KERNEL);
	q = zalloc_alloc(a, 100000, 8, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, p && q);
	zalloc_free(a, p, 100, 8);
	zalloc_free(a, p, 100, 8);	/* a double free, to count */
	KUNIT_ASSERT_EQ(test, zalloc_instance_info(zalloc_instance_of(a), v,
						   ARRAY_SIZE(v)),
			ARRAY_SIZE(v));
	KUNIT_EXPECT_EQ(test, v[ZALLOC_SBRK_DOUBLE_FREES], 1);
	KUNIT_EXPECT_EQ(test, v[ZALLOC_SBRK_LIVE_BIG], 1);
	KUNIT_EXPECT_EQ(test, v[ZALLOC_SBRK_LIVE_SMALL], 0);
	/* The freed block, and those carved with it for the magazine. */
	KUNIT_EXPECT_GE(test, v[ZALLOC_SBRK_FREE_SMALL], 1);

	text = zalloc_test_debugfs(test, "kunit-stats-sbrk", "stats");
	KUNIT_ASSERT_NOT_NULL(test, text);
	prev = strstr(text, "\ndebug_mode ");
	KUNIT_ASSERT_NOT_NULL_MSG(test, prev, "%s", text);
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(line, sizeof(line), "\n%s %lu\n", names[i], v[i]);
		at = strstr(text, line);
		KUNIT_EXPECT_NOT_NULL_MSG(test, at, "no \"%s\" in:\n%s",
					  line + 1, text);
		KUNIT_EXPECT_TRUE_MSG(test, !at || at > prev, "%s out of order",
				      names[i]);
		if (at)
			prev = at;
	}
	at = strstr(text, "\nprovider region\n");
	KUNIT_EXPECT_NOT_NULL(test, at);
	KUNIT_EXPECT_TRUE(test, !at || at > prev);
	zalloc_free(a, q, 100000, 8);
}

KUNIT_DEFINE_ACTION_WRAPPER(stats_fixed_destroy, zalloc_fixed_destroy,
			    struct zalloc_fixed *);

static void stats_name_lifecycle(struct kunit *test)
{
	static const char too_long[] = "a-name-that-is-far-too-long-to-fit";
	static const char * const bad[] = {
		"", "a/b", ".hidden", "sp ace", too_long,
	};
	struct zalloc_fixed *f, *twin;
	const struct zalloc *a;
	char *text;
	u8 *buf;
	int i;

	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	twin = kunit_kzalloc(test, sizeof(*twin), GFP_KERNEL);
	buf = kunit_kzalloc(test, 256, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_ASSERT_NOT_NULL(test, twin);
	KUNIT_ASSERT_NOT_NULL(test, buf);

	KUNIT_ASSERT_EQ(test, zalloc_fixed_init(f, buf, 128, "kunit-inst.1", 0,
						GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							stats_fixed_destroy,
							f), 0);
	a = zalloc_fixed_allocator(f);
	KUNIT_ASSERT_NOT_NULL(test, zalloc_alloc(a, 123, 1, GFP_KERNEL));
	text = zalloc_test_debugfs(test, "kunit-inst.1", "stats");
	KUNIT_ASSERT_NOT_NULL(test, text);
	KUNIT_EXPECT_EQ(test, zalloc_test_value(text, "allocations"), 1);
	KUNIT_EXPECT_EQ(test, zalloc_test_value(text, "bytes_live"), 123);
	KUNIT_EXPECT_EQ(test, zalloc_test_value(text, "peak_bytes_live"), 123);

	/* A taken name and bad names are refused, and nothing is set up. */
	KUNIT_EXPECT_EQ(test, zalloc_fixed_init(twin, buf + 128, 128,
						"kunit-inst.1", 0, GFP_KERNEL),
			-EEXIST);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, zalloc_fixed_init(twin, buf + 128,
							    128, bad[i], 0,
							    GFP_KERNEL),
				    -EINVAL, "name \"%s\"", bad[i]);
	KUNIT_EXPECT_NULL(test, zalloc_test_debugfs(test, "a", "b/stats"));

	/* Destroyed, the name and its folder go, and the name is free. */
	kunit_release_action(test, stats_fixed_destroy, f);
	KUNIT_EXPECT_NULL(test, zalloc_test_debugfs(test, "kunit-inst.1",
						    "stats"));
	KUNIT_ASSERT_EQ(test, zalloc_fixed_init(twin, buf + 128, 128,
						"kunit-inst.1", 0, GFP_KERNEL),
			0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test,
							stats_fixed_destroy,
							twin), 0);
	KUNIT_EXPECT_NOT_NULL(test, zalloc_test_debugfs(test, "kunit-inst.1",
							"stats"));
}

static struct kunit_case zalloc_stats_cases[] = {
	KUNIT_CASE(stats_page_counts),
	KUNIT_CASE(stats_kmalloc_counts),
	KUNIT_CASE(stats_debugfs_format),
	KUNIT_CASE(stats_kind_counters),
	KUNIT_CASE(stats_name_lifecycle),
	{}
};

static struct kunit_suite zalloc_stats_suite = {
	.name = "zalloc_stats",
	.test_cases = zalloc_stats_cases,
};

kunit_test_suites(&zalloc_stats_suite);
