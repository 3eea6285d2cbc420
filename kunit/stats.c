// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc_stats: the counters and the debugfs files.  A known sequence of
 * operations moves every counter by exactly the expected amount; after
 * everything is freed the live figures are back where they were; the
 * debugfs files of registered instances exist, parse as "name value", and
 * vanish on destroy; bad and duplicate names are refused.
 */
#include <kunit/test.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <zalloc/debug.h>
#include <zalloc/kmalloc.h>
#include <zalloc/page.h>
#include <zalloc/registry.h>

#include "zalloc_kunit.h"

#define ZALLOC_DEBUGFS	"/sys/kernel/debug/zalloc/"

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

/* Read a debugfs file into a kunit-managed buffer; NULL if it is absent. */
static char *read_file(struct kunit *test, const char *path)
{
	const size_t max = 4096;
	struct file *f;
	loff_t pos = 0;
	ssize_t n;
	char *buf;

	f = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(f))
		return NULL;
	buf = kunit_kzalloc(test, max, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	n = kernel_read(f, buf, max - 1, &pos);
	filp_close(f, NULL);
	KUNIT_ASSERT_GT(test, n, 0);
	return buf;
}

/* The value of "name value" in @text, or -1 if the line is missing. */
static long stat_value(const char *text, const char *name)
{
	size_t len = strlen(name);
	const char *line = text;
	long v;

	while (line && *line) {
		if (!strncmp(line, name, len) && line[len] == ' ' &&
		    sscanf(line + len + 1, "%ld", &v) == 1)
			return v;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -1;
}

static void stats_debugfs_format(struct kunit *test)
{
	static const char * const names[] = { "page", "kmalloc" };
	char path[64], *text;
	int i, j;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		snprintf(path, sizeof(path), ZALLOC_DEBUGFS "%s/stats",
			 names[i]);
		text = read_file(test, path);
		KUNIT_ASSERT_NOT_NULL_MSG(test, text, "%s missing", path);
		KUNIT_EXPECT_NOT_NULL(test, strstr(text, "kind "));
		for (j = 0; j < NR_ZALLOC_STATS; j++)
			KUNIT_EXPECT_GE_MSG(test,
					    stat_value(text, zalloc_stat_name(j)),
					    0, "%s: no %s", path,
					    zalloc_stat_name(j));
		KUNIT_EXPECT_GE(test, stat_value(text, "bytes_live"), 0);
		KUNIT_EXPECT_GE(test, stat_value(text, "peak_bytes_live"), 0);
		KUNIT_EXPECT_GE(test, stat_value(text, "backing_bytes_held"),
				0);
		KUNIT_EXPECT_EQ(test, stat_value(text, "debug_mode"),
				(long)zalloc_debug_default());
	}
}

static void instance_destroy_action(void *inst)
{
	zalloc_instance_destroy(inst);
}

static void stats_register_lifecycle(struct kunit *test)
{
	static const char too_long[] = "a-name-that-is-far-too-long-to-fit";
	struct zalloc_instance *inst, *twin;
	char *text;
	int err;

	inst = kunit_kzalloc(test, sizeof(*inst), GFP_KERNEL);
	twin = kunit_kzalloc(test, sizeof(*twin), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, inst);
	KUNIT_ASSERT_NOT_NULL(test, twin);
	KUNIT_ASSERT_EQ(test, zalloc_instance_init(inst, "test", NULL,
						   GFP_KERNEL), 0);
	err = kunit_add_action_or_reset(test, instance_destroy_action, inst);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_EQ(test, zalloc_instance_init(twin, "test", NULL,
						   GFP_KERNEL), 0);
	err = kunit_add_action_or_reset(test, instance_destroy_action, twin);
	KUNIT_ASSERT_EQ(test, err, 0);

	KUNIT_EXPECT_EQ(test, zalloc_instance_register(inst, "kunit-inst.1"),
			0);
	zalloc_stat_alloc(&inst->stats, inst, 123);
	text = read_file(test, ZALLOC_DEBUGFS "kunit-inst.1/stats");
	KUNIT_ASSERT_NOT_NULL(test, text);
	KUNIT_EXPECT_EQ(test, stat_value(text, "allocations"), 1);
	KUNIT_EXPECT_EQ(test, stat_value(text, "bytes_live"), 123);
	KUNIT_EXPECT_EQ(test, stat_value(text, "peak_bytes_live"), 123);

	/* Duplicates, re-registration and bad names are refused. */
	KUNIT_EXPECT_EQ(test, zalloc_instance_register(twin, "kunit-inst.1"),
			-EEXIST);
	KUNIT_EXPECT_EQ(test, zalloc_instance_register(inst, "other"),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, zalloc_instance_register(twin, ""), -EINVAL);
	KUNIT_EXPECT_EQ(test, zalloc_instance_register(twin, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, zalloc_instance_register(twin, "a/b"), -EINVAL);
	KUNIT_EXPECT_EQ(test, zalloc_instance_register(twin, ".hidden"),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, zalloc_instance_register(twin, too_long),
			-EINVAL);
	KUNIT_EXPECT_NULL(test, read_file(test, ZALLOC_DEBUGFS "a/b/stats"));

	zalloc_instance_unregister(inst);
	KUNIT_EXPECT_NULL(test, read_file(test,
					  ZALLOC_DEBUGFS "kunit-inst.1/stats"));
	/* The name is free again; the actions destroy both. */
	KUNIT_EXPECT_EQ(test, zalloc_instance_register(twin, "kunit-inst.1"),
			0);
}

static struct kunit_case zalloc_stats_cases[] = {
	KUNIT_CASE(stats_page_counts),
	KUNIT_CASE(stats_kmalloc_counts),
	KUNIT_CASE(stats_debugfs_format),
	KUNIT_CASE(stats_register_lifecycle),
	{}
};

static struct kunit_suite zalloc_stats_suite = {
	.name = "zalloc_stats",
	.test_cases = zalloc_stats_cases,
};

kunit_test_suites(&zalloc_stats_suite);
