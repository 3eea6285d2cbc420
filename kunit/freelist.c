// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc_freelist: what smp and sbrk (over both break providers) keep in
 * the first word of a free block, and what they do when it is overwritten.
 *
 * A free small block waits in a CPU's magazine holding its cookie
 * (zalloc/mag.h): a key of the instance's own mixed with the block's
 * address, never a pointer.  Overwritten after free (with a plain pointer
 * to a live block, garbage, or a well-encoded link of any kind), it is
 * caught as the block leaves the magazine: counted corrupt exactly once,
 * and handed out as any block, since a magazine follows no link; nothing
 * overlaps, and the instance stays fully usable.  sbrk's big blocks, and
 * the small ones an overflowing magazine gives back, sit on free lists:
 * their first word is the link, encoded with the key (zalloc/freelist.h),
 * and a bad one drops the list without following it.
 */
#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/sched.h>
#include <linux/sizes.h>
#include <zalloc/sbrk.h>
#include <zalloc/smp.h>

#include "../zalloc/freelist.h"
#include "../zalloc/mag.h"
#include "../zalloc/sbrk_internal.h"
#include "zalloc_kunit.h"

#define FL_LEN		64
#define FL_LIVE		8
#define FL_BATCH	256

/* Aligned like a block, in no allocator's memory. */
static u64 fl_outside[FL_LEN / sizeof(u64)] __aligned(FL_LEN);

/**
 * struct fl_subject - an allocator with encoded free lists
 * @name: the parameter's name
 * @make: a fresh private instance, destroyed when the test ends
 * @corrupt: its corrupt-free-lists counter (its enum)
 * @live_small: its live small blocks counter
 * @live_large: its live large blocks counter
 */
struct fl_subject {
	const char *name;
	const struct zalloc *(*make)(struct kunit *test);
	unsigned int corrupt;
	unsigned int live_small;
	unsigned int live_large;
};

static const struct zalloc *fl_smp_make(struct kunit *test)
{
	struct zalloc *a = zalloc_test_adopt(test, zalloc_smp_create(NULL, 0));
	int err;

	/* One CPU, one slot: the blocks share a slab and its free list. */
	err = set_cpus_allowed_ptr(current,
				   cpumask_of(raw_smp_processor_id()));
	KUNIT_ASSERT_EQ(test, err, 0);
	return a;
}

static const struct zalloc *fl_region_make(struct kunit *test)
{
	return zalloc_test_adopt(test,
				 zalloc_sbrk_create(NULL,
						    zalloc_sbrk_region_create(SZ_16M),
						    0));
}

static const struct zalloc *fl_pages_make(struct kunit *test)
{
	return zalloc_test_adopt(test,
				 zalloc_sbrk_create(NULL,
						    zalloc_sbrk_pages_create(),
						    0));
}

static unsigned long fl_corrupt(const struct fl_subject *s,
				const struct zalloc *a)
{
	return zalloc_test_info(zalloc_instance_of(a), s->corrupt);
}

static unsigned long fl_live(const struct fl_subject *s,
			     const struct zalloc *a)
{
	struct zalloc_instance *inst = zalloc_instance_of(a);

	return zalloc_test_info(inst, s->live_small) +
	       zalloc_test_info(inst, s->live_large);
}

#define FL_SMP	{ "smp", fl_smp_make, ZALLOC_SMP_CORRUPT_LISTS, \
		  ZALLOC_SMP_LIVE_OBJECTS, ZALLOC_SMP_LARGE_LIVE }
#define FL_SBRK(name, make)	{ name, make, ZALLOC_SBRK_CORRUPT_LISTS, \
				  ZALLOC_SBRK_LIVE_SMALL, ZALLOC_SBRK_LIVE_BIG }

static const struct fl_subject fl_subjects[] = {
	FL_SMP,
	FL_SBRK("sbrk-region", fl_region_make),
	FL_SBRK("sbrk-pages", fl_pages_make),
};

/* Those with big-block free lists. */
static const struct fl_subject fl_big_subjects[] = {
	FL_SBRK("sbrk-region", fl_region_make),
	FL_SBRK("sbrk-pages", fl_pages_make),
};

static void fl_subject_desc(const struct fl_subject *s, char *desc)
{
	strscpy(desc, s->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(fl_subject, fl_subjects, fl_subject_desc);
KUNIT_ARRAY_PARAM(fl_big_subject, fl_big_subjects, fl_subject_desc);

static unsigned long fl_word(const void *p)
{
	return *(const unsigned long *)p;
}

/*
 * The instance's key, from the cookie of the free block @p: the cookie is
 * the key XORed with something of the address, so the same function of
 * the cookie gives the key back.
 */
static unsigned long fl_key_of_last(const void *p)
{
	return zalloc_mag_cookie(fl_word(p), p);
}

static bool fl_overlap(const void *p, size_t plen, const void *q, size_t qlen)
{
	return p < q + qlen && q < p + plen;
}

/* The cookie of a free small block at @p with @key. */
static unsigned long fl_cookie(const void *p, unsigned long key)
{
	return zalloc_mag_cookie(key, p);
}

/*
 * Free three blocks of a fresh instance into the CPU's magazine and check
 * the words they hold: cookies of one key (returned), not pointers.  They
 * come back last freed first.
 */
static unsigned long fl_check_words(struct kunit *test, const struct zalloc *a)
{
	u8 *keep, *x, *y, *z;
	unsigned long key;

	keep = zalloc_alloc(a, FL_LEN, 8, GFP_KERNEL);
	x = zalloc_alloc(a, FL_LEN, 8, GFP_KERNEL);
	y = zalloc_alloc(a, FL_LEN, 8, GFP_KERNEL);
	z = zalloc_alloc(a, FL_LEN, 8, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, keep && x && y && z);
	zalloc_free(a, x, FL_LEN, 8);
	zalloc_free(a, y, FL_LEN, 8);
	zalloc_free(a, z, FL_LEN, 8);

	key = fl_key_of_last(x);
	KUNIT_EXPECT_NE(test, fl_word(x), 0);
	KUNIT_EXPECT_NE(test, fl_word(y), (unsigned long)x);
	KUNIT_EXPECT_NE(test, fl_word(z), (unsigned long)y);
	KUNIT_EXPECT_EQ(test, fl_word(y), fl_cookie(y, key));
	KUNIT_EXPECT_EQ(test, fl_word(z), fl_cookie(z, key));

	KUNIT_EXPECT_PTR_EQ(test, zalloc_alloc(a, FL_LEN, 8, GFP_KERNEL), z);
	KUNIT_EXPECT_PTR_EQ(test, zalloc_alloc(a, FL_LEN, 8, GFP_KERNEL), y);
	KUNIT_EXPECT_PTR_EQ(test, zalloc_alloc(a, FL_LEN, 8, GFP_KERNEL), x);
	zalloc_free(a, x, FL_LEN, 8);
	zalloc_free(a, y, FL_LEN, 8);
	zalloc_free(a, z, FL_LEN, 8);
	zalloc_free(a, keep, FL_LEN, 8);
	return key;
}

/* Free blocks hold cookies, with a key per instance. */
static void fl_links_encoded(struct kunit *test)
{
	const struct fl_subject *s = test->param_value;
	const struct zalloc *a = s->make(test), *b = s->make(test);
	unsigned long ka = fl_check_words(test, a);
	unsigned long kb = fl_check_words(test, b);

	KUNIT_EXPECT_NE(test, ka, kb);
	KUNIT_EXPECT_EQ(test, fl_corrupt(s, a), 0);
	KUNIT_EXPECT_EQ(test, fl_corrupt(s, b), 0);
	KUNIT_EXPECT_EQ(test, fl_live(s, a), 0);
	KUNIT_EXPECT_EQ(test, fl_live(s, b), 0);
}

/*
 * After a corruption was caught: a batch of blocks of several classes is
 * allocated, filled, freed, allocated again and checked; nothing more is
 * found corrupt.
 */
static void fl_check_usable(struct kunit *test, const struct zalloc *a,
			    const struct fl_subject *s, unsigned long corrupt)
{
	static const size_t lens[] = { FL_LEN, FL_LEN, 24, 512, 3000 };
	void **p = kunit_kcalloc(test, FL_BATCH, sizeof(*p), GFP_KERNEL);
	unsigned int i, round;
	size_t len;

	KUNIT_ASSERT_NOT_NULL(test, p);
	for (round = 0; round < 2; round++) {
		for (i = 0; i < FL_BATCH; i++) {
			len = lens[i % ARRAY_SIZE(lens)];
			p[i] = zalloc_alloc(a, len, 8, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, p[i]);
			zalloc_test_fill(p[i], len, i + round);
		}
		for (i = 0; i < FL_BATCH; i++) {
			len = lens[i % ARRAY_SIZE(lens)];
			KUNIT_EXPECT_TRUE_MSG(test,
					      zalloc_test_filled(p[i], len,
								 i + round),
					      "block %u of %zu bytes", i, len);
		}
		for (i = 0; i < FL_BATCH; i++)
			zalloc_free(a, p[i], lens[i % ARRAY_SIZE(lens)], 8);
	}
	KUNIT_EXPECT_EQ(test, fl_corrupt(s, a), corrupt);
}

enum fl_bad {
	FL_RAW_LIVE,	/* a plain pointer to a live block */
	FL_GARBAGE,	/* a word nobody encoded */
	FL_SELF,	/* encoded: the block itself */
	FL_MISALIGNED,	/* encoded: inside another free block */
	FL_OUTSIDE,	/* encoded: aligned, in no memory of the instance */
	FL_NULL,	/* encoded: the end of a list */
	FL_NR_BAD,
};

static const char * const fl_bad_names[] = {
	"raw pointer to a live block", "garbage", "encoded self link",
	"encoded misaligned link", "encoded link outside",
	"encoded end of list",
};

/*
 * The word @bad stands for, to be written into the free block @at: with
 * @key where it is an encoded link, @other a free block of the same class
 * (misaligned: inside it), @live a live block (the raw pointer).
 */
static unsigned long fl_bad_word(enum fl_bad bad, unsigned long key,
				 const u8 *at, const u8 *other, const u8 *live)
{
	switch (bad) {
	case FL_RAW_LIVE:
		return (unsigned long)live;
	case FL_GARBAGE:
		return 0x0123456789abcdefUL;
	case FL_SELF:
		return zalloc_link_encode(at, key, at);
	case FL_MISALIGNED:
		return zalloc_link_encode(other + 8, key, at);
	case FL_OUTSIDE:
		return zalloc_link_encode(fl_outside, key, at);
	case FL_NULL:
	case FL_NR_BAD:
		break;
	}
	return zalloc_link_encode(NULL, key, at);
}

/*
 * Free x then y into the magazine, overwrite y's cookie with @bad and
 * allocate: y comes back, counted corrupt once, and harms nothing.
 */
static void fl_corrupt_small(struct kunit *test, const struct fl_subject *s,
			     enum fl_bad bad)
{
	const struct zalloc *a = s->make(test);
	u8 *live[FL_LIVE], *x, *y, *p;
	unsigned long key;
	unsigned int i;

	for (i = 0; i < FL_LIVE; i++) {
		live[i] = zalloc_alloc(a, FL_LEN, 8, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, live[i]);
		zalloc_test_fill(live[i], FL_LEN, i);
	}
	x = zalloc_alloc(a, FL_LEN, 8, GFP_KERNEL);
	y = zalloc_alloc(a, FL_LEN, 8, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, x && y);
	zalloc_free(a, x, FL_LEN, 8);
	zalloc_free(a, y, FL_LEN, 8);
	key = fl_key_of_last(x);
	KUNIT_ASSERT_EQ(test, fl_word(y), fl_cookie(y, key));

	*(unsigned long *)y = fl_bad_word(bad, key, y, x, live[3]);

	p = zalloc_alloc(a, FL_LEN, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_PTR_EQ(test, (void *)p, (void *)y);
	KUNIT_EXPECT_EQ(test, fl_corrupt(s, a), 1);
	for (i = 0; i < FL_LIVE; i++)
		KUNIT_EXPECT_FALSE_MSG(test, fl_overlap(p, FL_LEN, live[i],
							FL_LEN),
				       "%p overlaps live block %u", p, i);
	zalloc_test_fill(p, FL_LEN, 0xaa);
	for (i = 0; i < FL_LIVE; i++)
		KUNIT_EXPECT_TRUE(test, zalloc_test_filled(live[i], FL_LEN, i));
	/* x is next, sound. */
	KUNIT_EXPECT_PTR_EQ(test, zalloc_alloc(a, FL_LEN, 8, GFP_KERNEL),
			    (void *)x);
	KUNIT_EXPECT_EQ(test, fl_corrupt(s, a), 1);
	zalloc_free(a, x, FL_LEN, 8);

	fl_check_usable(test, a, s, 1);
	KUNIT_EXPECT_TRUE(test, zalloc_test_filled(p, FL_LEN, 0xaa));
	for (i = 0; i < FL_LIVE; i++) {
		KUNIT_EXPECT_TRUE(test, zalloc_test_filled(live[i], FL_LEN, i));
		zalloc_free(a, live[i], FL_LEN, 8);
	}
	zalloc_free(a, p, FL_LEN, 8);
	KUNIT_EXPECT_EQ(test, fl_live(s, a), 0);
	KUNIT_EXPECT_EQ(test, fl_corrupt(s, a), 1);
}

/* Each kind of overwritten cookie of a free small block is caught, once. */
static void fl_corrupt_small_lists(struct kunit *test)
{
	const struct fl_subject *s = test->param_value;
	enum fl_bad bad;

	for (bad = 0; bad < FL_NR_BAD; bad++) {
		kunit_info(test, "%s\n", fl_bad_names[bad]);
		fl_corrupt_small(test, s, bad);
	}
}

/* More than a magazine of FL_LEN-byte blocks holds (63). */
#define FL_MAG		64

/*
 * sbrk's small free lists: a magazine that overflows gives its older half
 * to its class's list, and a refill takes blocks back from it, checking
 * each link before it follows it.  The head's link overwritten with @bad:
 * the refill that reaches it drops the list, counted corrupt once, and
 * goes on from the bump; nothing handed out is the dropped head, outside
 * the break, or over a live block.  White box: the list's head, its key
 * and the magazine are read from the instance.
 */
static void fl_sbrk_small_link(struct kunit *test, const struct fl_subject *s,
			       enum fl_bad bad)
{
	const struct zalloc *a = s->make(test);
	struct zalloc_sbrk *sb = to_sbrk(zalloc_instance_of((struct zalloc *)a));
	unsigned int class = sbrk_class(FL_LEN, 8), i, n;
	u8 *live[FL_LIVE], *blk[FL_MAG], *head, *next, *p;
	unsigned long key = sb->link_key;
	int err;

	/* One CPU: the magazine this empties is the one refilled. */
	err = set_cpus_allowed_ptr(current, cpumask_of(raw_smp_processor_id()));
	KUNIT_ASSERT_EQ(test, err, 0);
	for (i = 0; i < FL_LIVE; i++) {
		live[i] = zalloc_alloc(a, FL_LEN, 8, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, live[i]);
		zalloc_test_fill(live[i], FL_LEN, i);
	}
	for (i = 0; i < FL_MAG; i++) {
		blk[i] = zalloc_alloc(a, FL_LEN, 8, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, blk[i]);
	}
	for (i = 0; i < FL_MAG; i++)
		zalloc_free(a, blk[i], FL_LEN, 8);
	head = sb->frees[class];
	KUNIT_ASSERT_NOT_NULL(test, head);
	KUNIT_ASSERT_GE(test, sb->nr_free[class], 2);
	next = zalloc_link_get(head, key);

	*(unsigned long *)head = fl_bad_word(bad, key, head, next, live[3]);

	/* Empty this CPU's magazine; the allocation after refills. */
	n = per_cpu_ptr(sb->cpu, raw_smp_processor_id())->mag[class].nr;
	KUNIT_ASSERT_LE(test, n, FL_MAG);
	for (i = 0; i < n; i++) {
		blk[i] = zalloc_alloc(a, FL_LEN, 8, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, blk[i]);
	}
	KUNIT_EXPECT_EQ(test, fl_corrupt(s, a), 0);
	p = zalloc_alloc(a, FL_LEN, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, fl_corrupt(s, a), 1);
	KUNIT_EXPECT_EQ(test, sb->nr_free[class], 0);
	KUNIT_EXPECT_PTR_NE(test, (void *)p, (void *)head);
	KUNIT_EXPECT_FALSE(test, fl_overlap(p, FL_LEN, fl_outside,
					    sizeof(fl_outside)));
	for (i = 0; i < FL_LIVE; i++)
		KUNIT_EXPECT_FALSE_MSG(test, fl_overlap(p, FL_LEN, live[i],
							FL_LEN),
				       "%p overlaps live block %u", p, i);
	zalloc_free(a, p, FL_LEN, 8);
	for (i = 0; i < n; i++)
		zalloc_free(a, blk[i], FL_LEN, 8);

	fl_check_usable(test, a, s, 1);
	for (i = 0; i < FL_LIVE; i++) {
		KUNIT_EXPECT_TRUE(test, zalloc_test_filled(live[i], FL_LEN, i));
		zalloc_free(a, live[i], FL_LEN, 8);
	}
	KUNIT_EXPECT_EQ(test, fl_live(s, a), 0);
}

/* Each kind of bad link at the head of an sbrk small list is caught, once. */
static void fl_corrupt_sbrk_small_lists(struct kunit *test)
{
	const struct fl_subject *s = test->param_value;
	enum fl_bad bad;

	for (bad = 0; bad < FL_NR_BAD; bad++) {
		kunit_info(test, "%s\n", fl_bad_names[bad]);
		fl_sbrk_small_link(test, s, bad);
	}
}

/* The same for sbrk's big-block lists, with a plain pointer and garbage. */
static void fl_corrupt_big_lists(struct kunit *test)
{
	const struct fl_subject *s = test->param_value;
	const struct zalloc *a;
	u8 *live, *x, *y, *p;
	unsigned int round;

	for (round = 0; round < 2; round++) {
		a = s->make(test);
		live = zalloc_alloc(a, SZ_64K, 8, GFP_KERNEL);
		x = zalloc_alloc(a, SZ_64K, 8, GFP_KERNEL);
		y = zalloc_alloc(a, SZ_64K, 8, GFP_KERNEL);
		KUNIT_ASSERT_TRUE(test, live && x && y);
		zalloc_test_fill(live, SZ_64K, 7);
		zalloc_free(a, x, SZ_64K, 8);
		zalloc_free(a, y, SZ_64K, 8);
		*(unsigned long *)y = round ? 0x0123456789abcdefUL :
				      (unsigned long)live;

		p = zalloc_alloc(a, SZ_64K, 8, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_EXPECT_EQ(test, fl_corrupt(s, a), 1);
		KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)p, SZ_64K));
		KUNIT_EXPECT_FALSE(test, fl_overlap(p, SZ_64K, live, SZ_64K));
		zalloc_test_fill(p, SZ_64K, 9);
		KUNIT_EXPECT_TRUE(test, zalloc_test_filled(live, SZ_64K, 7));

		fl_check_usable(test, a, s, 1);
		KUNIT_EXPECT_TRUE(test, zalloc_test_filled(p, SZ_64K, 9));
		KUNIT_EXPECT_TRUE(test, zalloc_test_filled(live, SZ_64K, 7));
		zalloc_free(a, p, SZ_64K, 8);
		zalloc_free(a, live, SZ_64K, 8);
		/* The big list works again: the latest free comes back. */
		p = zalloc_alloc(a, SZ_64K, 8, GFP_KERNEL);
		KUNIT_EXPECT_PTR_EQ(test, (void *)p, (void *)live);
		zalloc_free(a, p, SZ_64K, 8);
		KUNIT_EXPECT_EQ(test, fl_live(s, a), 0);
		KUNIT_EXPECT_EQ(test, fl_corrupt(s, a), 1);
	}
}

static struct kunit_case zalloc_freelist_cases[] = {
	KUNIT_CASE_PARAM(fl_links_encoded, fl_subject_gen_params),
	KUNIT_CASE_PARAM(fl_corrupt_small_lists, fl_subject_gen_params),
	KUNIT_CASE_PARAM(fl_corrupt_sbrk_small_lists,
			 fl_big_subject_gen_params),
	KUNIT_CASE_PARAM(fl_corrupt_big_lists, fl_big_subject_gen_params),
	{}
};

static struct kunit_suite zalloc_freelist_suite = {
	.name = "zalloc_freelist",
	.test_cases = zalloc_freelist_cases,
};

kunit_test_suites(&zalloc_freelist_suite);
