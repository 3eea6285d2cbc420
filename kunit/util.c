// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the zalloc KUnit suites (declared in zalloc_kunit.h):
 * byte patterns, the instances a test creates and their counters, and an
 * instance's debugfs files, read the way a user reads them.
 */
#include <kunit/test.h>
#include <linux/fs.h>
#include <linux/kstrtox.h>
#include <linux/string.h>
#include <zalloc/registry.h>

#include "zalloc_kunit.h"

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

KUNIT_DEFINE_ACTION_WRAPPER(zalloc_test_destroy_action, zalloc_destroy,
			    struct zalloc *);

/*
 * zalloc_test_adopt - destroy @a (from a zalloc create call) when @test
 * ends; fails and aborts @test if @a is NULL.  Returns @a.
 */
struct zalloc *zalloc_test_adopt(struct kunit *test, struct zalloc *a)
{
	KUNIT_ASSERT_NOT_NULL_MSG(test, a, "create failed");
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test,
						  zalloc_test_destroy_action,
						  a));
	return a;
}

/*
 * zalloc_test_destroy_now - destroy an adopted instance now rather than
 * at the end; returns what zalloc_destroy() returned (live blocks).
 */
unsigned long zalloc_test_destroy_now(struct kunit *test, struct zalloc *a)
{
	kunit_remove_action(test, zalloc_test_destroy_action, a);
	return zalloc_destroy(a);
}

/* zalloc_test_stat - one of @inst's common counters, summed. */
unsigned long zalloc_test_stat(struct zalloc_instance *inst,
			       enum zalloc_stat_item item)
{
	struct zalloc_stats_sum sum;

	zalloc_stats_read(inst, &sum);
	return sum.v[item];
}

/*
 * zalloc_test_expect_same_stats - every common counter of @x equals @y's:
 * two instances that ran one script by two paths (a direct call and the
 * struct zalloc) must have counted alike.
 */
void zalloc_test_expect_same_stats(struct kunit *test,
				   struct zalloc_instance *x,
				   struct zalloc_instance *y)
{
	unsigned int item;

	for (item = 0; item < NR_ZALLOC_STATS; item++)
		KUNIT_EXPECT_EQ_MSG(test, zalloc_test_stat(x, item),
				    zalloc_test_stat(y, item), "%s",
				    zalloc_stat_name(item));
}

/*
 * zalloc_test_info - counter @i of @inst's own (the allocator's enum, e.g.
 * ZALLOC_SMP_LIVE_OBJECTS); ULONG_MAX if the allocator has no such counter.
 */
unsigned long zalloc_test_info(struct zalloc_instance *inst, unsigned int i)
{
	unsigned long v[32];

	if (i >= ARRAY_SIZE(v) || zalloc_instance_info(inst, v, i + 1) <= i)
		return ULONG_MAX;
	return v[i];
}

#define ZALLOC_TEST_DEBUGFS	"/sys/kernel/debug/zalloc/"
#define ZALLOC_TEST_FILE_MAX	16384

/*
 * zalloc_test_debugfs - the text of @file ("stats", "classes", "cpus") of
 * the instance named @name, read as a user reads it; freed with @test.
 * NULL if there is no such file (the instance is unnamed or gone).  A file
 * that cannot be read whole fails and aborts @test.
 */
char *zalloc_test_debugfs(struct kunit *test, const char *name,
			  const char *file)
{
	char path[sizeof(ZALLOC_TEST_DEBUGFS) + 2 * ZALLOC_NAME_MAX];
	size_t len = 0;
	struct file *f;
	loff_t pos = 0;
	ssize_t n;
	char *buf;

	snprintf(path, sizeof(path), ZALLOC_TEST_DEBUGFS "%s/%s", name, file);
	f = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(f))
		return NULL;
	buf = kunit_kzalloc(test, ZALLOC_TEST_FILE_MAX, GFP_KERNEL);
	if (!buf) {
		filp_close(f, NULL);
		KUNIT_FAIL_AND_ABORT(test, "no memory to read %s", path);
	}
	do {
		n = kernel_read(f, buf + len, ZALLOC_TEST_FILE_MAX - 1 - len,
				&pos);
		if (n > 0)
			len += n;
	} while (n > 0 && len < ZALLOC_TEST_FILE_MAX - 1);
	filp_close(f, NULL);
	KUNIT_ASSERT_GE_MSG(test, n, 0, "reading %s", path);
	KUNIT_ASSERT_GT_MSG(test, len, 0, "%s is empty", path);
	KUNIT_ASSERT_LT_MSG(test, len, ZALLOC_TEST_FILE_MAX - 1,
			    "%s is too long to check", path);
	return buf;
}

/* The line of @text that starts with @key and a space, or NULL. */
static const char *zalloc_test_line(const char *text, const char *key)
{
	size_t len = strlen(key);
	const char *line = text;

	while (line && *line) {
		if (!strncmp(line, key, len) && line[len] == ' ')
			return line + len + 1;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return NULL;
}

/*
 * zalloc_test_value - the value of the "@key value" line of a stats file,
 * or -1 if there is no such line.
 */
long zalloc_test_value(const char *text, const char *key)
{
	const char *v = zalloc_test_line(text, key);
	char word[24];
	size_t len;
	long n;

	if (!v)
		return -1;
	len = strcspn(v, "\n");
	if (len >= sizeof(word))
		return -1;
	memcpy(word, v, len);
	word[len] = '\0';
	return kstrtol(word, 10, &n) ? -1 : n;
}

/* The index of the column headed @column in a table's header line, or -1. */
static int zalloc_test_column(const char *table, const char *column)
{
	const char *p;
	char word[32];
	int i, n;

	for (i = 0, p = table; *p && *p != '\n'; i++) {
		if (sscanf(p, "%31s%n", word, &n) != 1)
			break;
		if (!strcmp(word, column))
			return i;
		p += n;
		while (*p == ' ')
			p++;
	}
	return -1;
}

/*
 * Cell @col of the row at @row (words separated by spaces), as a number in
 * *@v; false if there is no such cell or it is not a number.
 */
static bool zalloc_test_cell(const char *row, int col, long *v)
{
	char word[32];
	int i, n;

	for (i = 0; i <= col; i++) {
		if (sscanf(row, "%31s%n", word, &n) != 1)
			return false;
		row += n;
	}
	return !kstrtol(word, 10, v);
}

/*
 * zalloc_test_column_sum - the sum of the column headed @column over the
 * rows of a table file ("classes", "cpus": a header line of names, then
 * rows of as many numbers); -1 if there is no such column.
 */
long zalloc_test_column_sum(const char *table, const char *column)
{
	int col = zalloc_test_column(table, column);
	const char *line;
	long sum = 0, v;

	if (col < 0)
		return -1;
	for (line = strchr(table, '\n'); line && line[1]; ) {
		if (!zalloc_test_cell(++line, col, &v))
			return -1;
		sum += v;
		line = strchr(line, '\n');
	}
	return sum;
}

/*
 * zalloc_test_row_value - the number in column @column of the row that
 * starts at @row in @table; -1 if there is no such column or number.
 */
long zalloc_test_row_value(const char *table, const char *row,
			   const char *column)
{
	int col = zalloc_test_column(table, column);
	long v;

	return col >= 0 && zalloc_test_cell(row, col, &v) ? v : -1;
}
