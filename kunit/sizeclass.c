// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc_smp and zalloc_sbrk: the two size-class allocators, one suite
 * each, built from one set of cases.
 *
 * Both serve small blocks from power-of-two classes of 8 B up to their
 * largest small block (smp: 8 KiB; sbrk: 32 KiB) and larger blocks another
 * way (smp: whole pages; sbrk: powers of two of 64 KiB big pages), refuse
 * double and misplaced frees, allocate with GFP_ATOMIC in hard IRQ and are
 * shared by every CPU.  The shared cases run on either (struct sc_kind says
 * how the two differ; sbrk runs each over both of its break providers):
 * every class boundary (alignment to the class, resize and remap inside the
 * class only, never between small and large), alignments up to 1 MiB, the
 * large path and realloc across the line, LIFO reuse of freed blocks, double
 * and misplaced frees, atomic and zeroing allocations, a cross-CPU stress,
 * allocation from hard IRQ, destroy with live blocks, what the debugfs files
 * show, and the global instance.
 *
 * smp's own cases: slab carving, reuse and the empty-slab cache; foreign
 * and wrong-size frees and a corrupted free list; the one-slot search and
 * remote frees; memory return (64 MiB of small blocks freed in random
 * order: the slabs go back, then the shrinker takes the cached ones).
 * sbrk's own: the fixes to Zig's refill and big-size rounding, measured on
 * the break; big blocks resizing within their power of two; big blocks
 * reused without moving the break; a big double free; running out of a
 * region; creates that must fail.
 */
#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/shrinker.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <zalloc/debug.h>
#include <zalloc/page.h>
#include <zalloc/registry.h>
#include <zalloc/sbrk.h>
#include <zalloc/smp.h>

#include "xcpu.h"
#include "zalloc_kunit.h"

#define SMP_SLAB	ZALLOC_SMP_SLAB_SIZE
#define SMP_SLAB_PAGES	(SMP_SLAB >> PAGE_SHIFT)
#define SBRK_BIG	ZALLOC_SBRK_BIGPAGE
#define SBRK_REGION	SZ_16M

/*
 * ======================================================================
 * The two allocators, as the shared cases see them
 * ======================================================================
 */

/**
 * struct sc_kind - how the two size-class allocators differ
 * @name: the kind ("kind" line of its stats file) and its global's name
 * @global: the global instance
 * @create: a private instance for the running test (named @name or not),
 *	destroyed when the test ends
 * @max_small: the largest small block
 * @large_unit: every large block is aligned to at least this
 * @largest: the largest block the large path must serve (sbrk's pages
 *	provider takes one buddy block per break)
 * @large_room: how far a large block of @len bytes at @align grows in place
 * @carved: its counter of backing units carved into small blocks
 * @live_small: its counter of live small blocks
 * @live_large: its counter of live large blocks
 * @double_frees: its counter of refused double frees
 * @invalid_frees: its counter of refused invalid frees
 * @corrupt_lists: its counter of corrupted free lists
 * @live_small_name: the name @live_small has in the stats file
 * @live_large_name: the name @live_large has in the stats file
 * @tables: check its own lines of the stats file and its classes table,
 *	after sc_tables_alloc() (@live) or once both blocks are freed
 * @slot_counters: it counts allocations, frees and remote frees per slot,
 *	in its "cpus" table
 * @settle: give the CPUs' magazines back to the back end, for counters
 *	that describe it (NULL: the counters already do)
 */
struct sc_kind {
	const char *name;
	struct zalloc *global;
	struct zalloc *(*create)(struct kunit *test, const char *name);
	size_t max_small;
	size_t large_unit;
	size_t largest;
	size_t (*large_room)(size_t len, size_t align);
	unsigned int carved;
	unsigned int live_small;
	unsigned int live_large;
	unsigned int double_frees;
	unsigned int invalid_frees;
	unsigned int corrupt_lists;
	const char *live_small_name;
	const char *live_large_name;
	void (*tables)(struct kunit *test, const char *stats,
		       const char *classes, bool live);
	bool slot_counters;
	unsigned long (*settle)(const struct zalloc *a);
};

static const struct sc_kind *sc_kind(struct kunit *test)
{
	return test->priv;
}

static struct zalloc_instance *sc_inst(const struct zalloc *a)
{
	return zalloc_instance_of(a);
}

static unsigned long sc_count(const struct zalloc *a, unsigned int counter)
{
	return zalloc_test_info(sc_inst(a), counter);
}

/* A private instance named "kunit-<kind>-<what>", or unnamed for NULL. */
static struct zalloc *sc_create(struct kunit *test, const char *what)
{
	const struct sc_kind *k = sc_kind(test);
	char name[ZALLOC_NAME_MAX];

	if (!what)
		return k->create(test, NULL);
	snprintf(name, sizeof(name), "kunit-%s-%s", k->name, what);
	return k->create(test, name);
}

/* Keep the test on one CPU, so every call starts from the same slot. */
static void sc_pin(struct kunit *test)
{
	int err = set_cpus_allowed_ptr(current,
				       cpumask_of(raw_smp_processor_id()));

	KUNIT_ASSERT_EQ(test, err, 0);
}

static size_t sc_class_size(size_t len, size_t align)
{
	return roundup_pow_of_two(max3(len, align, (size_t)8));
}

static void sc_check_small(struct kunit *test, const struct zalloc *a,
			   size_t len)
{
	const struct sc_kind *k = sc_kind(test);
	unsigned long small = sc_count(a, k->live_small);
	unsigned long large = sc_count(a, k->live_large);
	size_t cs = sc_class_size(len, 1);
	u8 *p;

	p = zalloc_alloc(a, len, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL_MSG(test, p, "len %zu", len);
	KUNIT_EXPECT_EQ_MSG(test, sc_count(a, k->live_small), small + 1,
			    "len %zu not small", len);
	KUNIT_EXPECT_EQ(test, sc_count(a, k->live_large), large);
	KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED((unsigned long)p, cs),
			      "%p not aligned to its %zu-byte class", p, cs);
	memset(p, 0x5a, len);

	/* In place up to the class size; one byte more is the next class. */
	KUNIT_EXPECT_TRUE(test, zalloc_resize(a, p, len, 1, cs, GFP_KERNEL));
	KUNIT_EXPECT_FALSE_MSG(test, zalloc_resize(a, p, cs, 1, cs + 1,
						   GFP_KERNEL), "len %zu", len);
	KUNIT_EXPECT_NULL(test, zalloc_remap(a, p, cs, 1, cs + 1, GFP_KERNEL));
	if (cs > 8) {
		/* Down to one byte above the class below, and no further. */
		KUNIT_EXPECT_FALSE(test, zalloc_resize(a, p, cs, 1, cs / 2,
						       GFP_KERNEL));
		KUNIT_EXPECT_TRUE(test, zalloc_resize(a, p, cs, 1, cs / 2 + 1,
						      GFP_KERNEL));
		KUNIT_EXPECT_NULL(test, zalloc_remap(a, p, cs / 2 + 1, 1,
						     cs / 2, GFP_KERNEL));
		KUNIT_EXPECT_PTR_EQ(test, zalloc_remap(a, p, cs / 2 + 1, 1,
						       len, GFP_KERNEL),
				    (void *)p);
	} else {
		KUNIT_EXPECT_TRUE(test, zalloc_resize(a, p, cs, 1, 1,
						      GFP_KERNEL));
		KUNIT_EXPECT_PTR_EQ(test, zalloc_remap(a, p, 1, 1, len,
						       GFP_KERNEL), (void *)p);
	}
	KUNIT_EXPECT_NULL(test, memchr_inv(p, 0x5a, len));
	zalloc_free(a, p, len, 1);
	KUNIT_EXPECT_EQ(test, sc_count(a, k->live_small), small);
}

static void sc_check_large(struct kunit *test, const struct zalloc *a,
			   size_t len, size_t align)
{
	const struct sc_kind *k = sc_kind(test);
	unsigned long small = sc_count(a, k->live_small);
	unsigned long large = sc_count(a, k->live_large);
	size_t room = k->large_room(len, align);
	u8 *p;

	p = zalloc_alloc(a, len, align, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL_MSG(test, p, "len %zu align %zu", len, align);
	KUNIT_EXPECT_EQ_MSG(test, sc_count(a, k->live_large), large + 1,
			    "len %zu not large", len);
	KUNIT_EXPECT_EQ(test, sc_count(a, k->live_small), small);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)p,
					   max(align, k->large_unit)));
	memset(p, 0xa5, len);

	if (align <= k->max_small) {
		/* Never from large to small, however small the new length. */
		KUNIT_EXPECT_FALSE(test, zalloc_resize(a, p, len, align,
						       k->max_small,
						       GFP_KERNEL));
		KUNIT_EXPECT_NULL(test, zalloc_remap(a, p, len, align, 8,
						     GFP_KERNEL));
	}
	/* In place up to the end of its pages, and not one byte further. */
	KUNIT_EXPECT_TRUE(test, zalloc_resize(a, p, len, align, room,
					      GFP_KERNEL));
	KUNIT_EXPECT_FALSE(test, zalloc_resize(a, p, room, align, room + 1,
					       GFP_KERNEL));
	KUNIT_EXPECT_PTR_EQ(test, zalloc_remap(a, p, room, align, len,
					       GFP_KERNEL), (void *)p);
	KUNIT_EXPECT_NULL(test, memchr_inv(p, 0xa5, len));
	zalloc_free(a, p, len, align);
	KUNIT_EXPECT_EQ(test, sc_count(a, k->live_large), large);
}

/*
 * ======================================================================
 * The shared cases
 * ======================================================================
 */

/* 1, then 8, 9, 16, 17, ..., max_small small and max_small + 1 large. */
static void class_boundaries(struct kunit *test)
{
	const struct sc_kind *k = sc_kind(test);
	struct zalloc *a = sc_create(test, NULL);
	size_t size;

	sc_check_small(test, a, 1);
	for (size = 8; size <= k->max_small; size <<= 1) {
		sc_check_small(test, a, size);
		if (size < k->max_small)
			sc_check_small(test, a, size + 1);
	}
	sc_check_large(test, a, k->max_small + 1, 1);
	KUNIT_EXPECT_EQ(test, sc_count(a, k->live_small), 0);
	KUNIT_EXPECT_EQ(test, sc_count(a, k->live_large), 0);
}

/* A block of @len at @align is aligned, and small or large as it must be. */
static void sc_check_align(struct kunit *test, const struct zalloc *a,
			   size_t len, size_t align)
{
	const struct sc_kind *k = sc_kind(test);
	unsigned long small = sc_count(a, k->live_small);
	unsigned long large = sc_count(a, k->live_large);
	bool is_small = max(len, align) <= k->max_small;
	u8 *p;

	p = zalloc_alloc(a, len, align, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL_MSG(test, p, "len %zu align %zu", len, align);
	KUNIT_EXPECT_TRUE_MSG(test, IS_ALIGNED((unsigned long)p, align),
			      "%p: len %zu align %zu", p, len, align);
	KUNIT_EXPECT_EQ_MSG(test, sc_count(a, k->live_small), small + is_small,
			    "len %zu align %zu", len, align);
	KUNIT_EXPECT_EQ(test, sc_count(a, k->live_large), large + !is_small);
	memset(p, 0x3c, len);
	KUNIT_EXPECT_NULL(test, memchr_inv(p, 0x3c, len));
	zalloc_free(a, p, len, align);
}

/* Alignments 1 B .. 64 KiB, then 1 MiB: the class is max(len, align). */
static void alignments(struct kunit *test)
{
	static const size_t lens[] = { 1, 24, 3000, 40000 };
	const struct sc_kind *k = sc_kind(test);
	struct zalloc *a = sc_create(test, NULL);
	size_t align;
	unsigned int i;

	for (align = 1; align <= SZ_64K; align <<= 1)
		for (i = 0; i < ARRAY_SIZE(lens); i++)
			sc_check_align(test, a, lens[i], align);
	/* Above a page and a big page: sbrk pads its break to it. */
	sc_check_align(test, a, 100, SZ_1M);
	KUNIT_EXPECT_EQ(test, sc_count(a, k->live_small), 0);
	KUNIT_EXPECT_EQ(test, sc_count(a, k->live_large), 0);
}

/* The large path, and realloc across the small/large line (copies). */
static void large_path(struct kunit *test)
{
	const struct sc_kind *k = sc_kind(test);
	const size_t lens[] = {
		k->max_small + 1, SZ_64K, 100000, SZ_1M, k->largest,
	};
	struct zalloc *a = sc_create(test, NULL);
	unsigned int i;
	u8 *p, *q, *r;

	for (i = 0; i < ARRAY_SIZE(lens); i++)
		sc_check_large(test, a, lens[i], 1);
	sc_check_large(test, a, 100000, SZ_64K);
	sc_check_large(test, a, 1, SZ_64K);

	p = zalloc_alloc(a, 1000, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, 0x77, 1000);
	q = zalloc_realloc(a, p, 1000, 8, 50000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_PTR_NE(test, (void *)p, (void *)q);
	KUNIT_EXPECT_NULL(test, memchr_inv(q, 0x77, 1000));
	KUNIT_EXPECT_EQ(test, sc_count(a, k->live_small), 0);
	KUNIT_EXPECT_EQ(test, sc_count(a, k->live_large), 1);
	r = zalloc_realloc(a, q, 50000, 8, 100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_NULL(test, memchr_inv(r, 0x77, 100));
	KUNIT_EXPECT_EQ(test, sc_count(a, k->live_small), 1);
	KUNIT_EXPECT_EQ(test, sc_count(a, k->live_large), 0);
	zalloc_free(a, r, 100, 8);
}

/* Freed blocks of a class come back last freed first. */
static void lifo_reuse(struct kunit *test)
{
	struct zalloc *a = sc_create(test, NULL);
	void *keep, *p, *q;

	/* One slot, and a live block so that smp's slab never empties. */
	sc_pin(test);
	keep = zalloc_alloc(a, 200, 8, GFP_KERNEL);
	p = zalloc_alloc(a, 200, 8, GFP_KERNEL);
	q = zalloc_alloc(a, 200, 8, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, keep && p && q);
	zalloc_free(a, p, 200, 8);
	zalloc_free(a, q, 200, 8);
	/* Any length of the same class. */
	KUNIT_EXPECT_PTR_EQ(test, zalloc_alloc(a, 130, 1, GFP_KERNEL), q);
	KUNIT_EXPECT_PTR_EQ(test, zalloc_alloc(a, 256, 1, GFP_KERNEL), p);
	zalloc_free(a, p, 256, 1);
	zalloc_free(a, q, 130, 1);
	zalloc_free(a, keep, 200, 8);
}

/*
 * A double free of the latest freed block and a free off a block boundary
 * are refused and counted; the lists stay intact.
 */
static void bad_frees(struct kunit *test)
{
	const struct sc_kind *k = sc_kind(test);
	struct zalloc *a = sc_create(test, NULL);
	u8 *x, *y, *keep, *p, *q;

	sc_pin(test);
	x = zalloc_alloc(a, 64, 8, GFP_KERNEL);
	y = zalloc_alloc(a, 64, 8, GFP_KERNEL);
	keep = zalloc_alloc(a, 64, 8, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, x && y && keep);

	zalloc_free(a, x, 64, 8);
	zalloc_free(a, x, 64, 8);
	KUNIT_EXPECT_EQ(test, sc_count(a, k->double_frees), 1);
	zalloc_free(a, y + 8, 64, 8);
	KUNIT_EXPECT_EQ(test, sc_count(a, k->invalid_frees), 1);
	KUNIT_EXPECT_EQ(test, sc_count(a, k->live_small), 2);
	KUNIT_EXPECT_EQ(test, sc_count(a, k->corrupt_lists), 0);
	/* x went back once, so it comes back once. */
	p = zalloc_alloc(a, 64, 8, GFP_KERNEL);
	q = zalloc_alloc(a, 64, 8, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, p, x);
	KUNIT_EXPECT_TRUE(test, q && q != x && q != y && q != keep);
	/* Destroy counts what is left: p, q, y and keep. */
	KUNIT_EXPECT_EQ(test, zalloc_test_destroy_now(test, a), 4);
}

/* 256 KiB of 256-byte blocks: four smp slabs or sbrk big pages. */
#define SC_SCATTER	1024
/* Coprime with SC_SCATTER: consecutive frees are a slab apart. */
#define SC_STRIDE	257

/*
 * Frees that land in another slab (big page) on every call, as a batch
 * freed in random order does, with refused frees of blocks of yet other
 * slabs in between: a length of another class, a pointer inside a block,
 * the block just freed again.  Each is counted once, no block still out
 * is written to, and every block comes back.
 */
static void scattered_frees(struct kunit *test)
{
	const struct sc_kind *k = sc_kind(test);
	struct zalloc *a = sc_create(test, NULL);
	unsigned long invalid = 0, doubles = 0;
	unsigned int i, j, prev = 0, next;
	u8 **p;

	sc_pin(test);
	p = kunit_kcalloc(test, SC_SCATTER, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < SC_SCATTER; i++) {
		p[i] = zalloc_alloc(a, 256, 8, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		memset(p[i], i & 0xff, 256);
	}
	for (j = 0; j < SC_SCATTER; j++) {
		i = j * SC_STRIDE % SC_SCATTER;
		KUNIT_ASSERT_NULL_MSG(test, memchr_inv(p[i], i & 0xff, 256),
				      "block %u written to while out", i);
		zalloc_free(a, p[i], 256, 8);
		if (j % 64 != 63)
			continue;
		next = (j + 1) * SC_STRIDE % SC_SCATTER;
		zalloc_free(a, p[next], 128, 8);
		zalloc_free(a, p[next] + 8, 256, 8);
		invalid += 2;
		zalloc_free(a, p[i], 256, 8);
		doubles++;
		prev = i;
	}
	KUNIT_EXPECT_EQ(test, sc_count(a, k->invalid_frees), invalid);
	KUNIT_EXPECT_EQ(test, sc_count(a, k->double_frees), doubles);
	KUNIT_EXPECT_EQ(test, sc_count(a, k->corrupt_lists), 0);
	KUNIT_EXPECT_EQ(test, sc_count(a, k->live_small), 0);
	/* The last block freed twice comes back once. */
	KUNIT_EXPECT_PTR_EQ(test, zalloc_alloc(a, 256, 8, GFP_KERNEL), p[prev]);
	KUNIT_EXPECT_EQ(test, zalloc_test_destroy_now(test, a), 1);
}

/* GFP_ATOMIC under a spinlock takes fresh memory; __GFP_ZERO zeroes reuse. */
static void atomic_and_zero(struct kunit *test)
{
	static DEFINE_SPINLOCK(lock);
	const struct sc_kind *k = sc_kind(test);
	struct zalloc *a = sc_create(test, NULL);
	/* Every class, then two large blocks. */
	unsigned int nr = ilog2(k->max_small) - ilog2(8) + 1;
	void *p[ZALLOC_SBRK_NR_CLASSES + 2];
	unsigned int c;
	size_t len;
	u8 *z, *r;

	BUILD_BUG_ON(ZALLOC_SMP_NR_CLASSES > ZALLOC_SBRK_NR_CLASSES);
	KUNIT_ASSERT_LE(test, nr + 2, ARRAY_SIZE(p));
	spin_lock(&lock);
	for (c = 0; c < nr + 2; c++)
		p[c] = zalloc_alloc(a, 8UL << c, 8, GFP_ATOMIC);
	spin_unlock(&lock);
	for (c = 0; c < nr + 2; c++) {
		len = 8UL << c;
		KUNIT_ASSERT_NOT_NULL_MSG(test, p[c], "len %zu", len);
		memset(p[c], 0xee, len);
		zalloc_free(a, p[c], len, 8);
	}
	/* One slab or big page carved for each class. */
	KUNIT_EXPECT_EQ(test, sc_count(a, k->carved), nr);

	sc_pin(test);
	r = zalloc_alloc(a, 300, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	memset(r, 0xff, 300);
	zalloc_free(a, r, 300, 8);
	z = zalloc_alloc(a, 300, 8, GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, z);
	KUNIT_EXPECT_PTR_EQ(test, z, r);
	KUNIT_EXPECT_NULL(test, memchr_inv(z, 0, 300));
	zalloc_free(a, z, 300, 8);
}

/* The instance holds no block and saw no bad free or corrupted list. */
static void sc_expect_clean(struct kunit *test, const struct zalloc *a)
{
	const struct sc_kind *k = sc_kind(test);

	KUNIT_EXPECT_EQ(test, sc_count(a, k->live_small), 0);
	KUNIT_EXPECT_EQ(test, sc_count(a, k->live_large), 0);
	KUNIT_EXPECT_EQ(test, sc_count(a, k->double_frees), 0);
	KUNIT_EXPECT_EQ(test, sc_count(a, k->invalid_frees), 0);
	KUNIT_EXPECT_EQ(test, sc_count(a, k->corrupt_lists), 0);
	zalloc_xcpu_expect_balanced(test, sc_inst(a));
}

/* smp's per-slot counters, summed from the "cpus" table of @a's name. */
static long sc_slots(struct kunit *test, const struct zalloc *a,
		     const char *column)
{
	const char *cpus = zalloc_test_debugfs(test,
					       zalloc_instance_name(sc_inst(a)),
					       "cpus");

	KUNIT_ASSERT_NOT_NULL(test, cpus);
	return zalloc_test_column_sum(cpus, column);
}

/*
 * The slots handed out as many small blocks as came back, once the CPUs'
 * magazines (blocks out of their slabs, free) are drained into them.
 */
static void sc_expect_slots_balanced(struct kunit *test,
				     const struct zalloc *a)
{
	long allocs;

	if (!sc_kind(test)->slot_counters)
		return;
	zalloc_smp_trim(a);
	KUNIT_EXPECT_EQ(test, sc_slots(test, a, "cached"), 0);
	allocs = sc_slots(test, a, "allocs");
	KUNIT_EXPECT_GT(test, allocs, 0);
	KUNIT_EXPECT_EQ(test, allocs, sc_slots(test, a, "frees"));
}

/* One kthread per CPU, 100,000 operations each, a quarter of frees remote. */
static void cross_cpu_stress(struct kunit *test)
{
	const struct sc_kind *k = sc_kind(test);
	struct zalloc *a = sc_create(test, "xcpu");
	struct zalloc_xcpu_cfg cfg = {
		.a = a,
		.ops = 100000,
		.max_small = k->max_small,
		.max_large = 4 * k->max_small,
		.large_permille = 2,
		.handoff_pct = 25,
	};
	struct zalloc_xcpu_result res;
	struct zalloc_stats_sum s;
	long remote = 0;

	zalloc_xcpu_stress(test, &cfg, &res);
	zalloc_stats_read(sc_inst(a), &s);
	if (k->slot_counters)
		remote = sc_slots(test, a, "remote_frees");
	kunit_info(test, "%u threads, %lu ms: %lu allocs, %lu frees, %lu handed over; %ld remote frees; %lu KiB of backing taken, %lu given back\n",
		   res.threads, res.ms, res.allocs, res.frees, res.handed,
		   remote, s.v[ZALLOC_STAT_BACKING_ALLOC] >> 10,
		   s.v[ZALLOC_STAT_BACKING_FREE] >> 10);
	KUNIT_EXPECT_GE(test, res.min_ops, cfg.ops);
	KUNIT_EXPECT_EQ(test, res.failed, 0);
	KUNIT_EXPECT_EQ(test, res.corrupt, 0);
	KUNIT_EXPECT_EQ(test, res.allocs, res.frees);
	if (res.threads > 1) {
		KUNIT_EXPECT_GT(test, res.handed, 0);
		if (k->slot_counters)
			KUNIT_EXPECT_GT(test, remote, 0);
	}
	sc_expect_clean(test, a);
	sc_expect_slots_balanced(test, a);
	KUNIT_EXPECT_EQ(test, zalloc_test_destroy_now(test, a), 0);
}

/* A hard hrtimer allocates on the CPU where a kthread hammers the locks. */
static void hardirq(struct kunit *test)
{
	struct zalloc *a = sc_create(test, "irq");
	struct zalloc_irq_result res;

	zalloc_irq_hammer(test, a, 512, 200, &res);
	kunit_info(test, "hard IRQ: %lu allocs, %lu frees; process side: %lu operations\n",
		   res.irq_allocs, res.irq_frees, res.proc_ops);
	KUNIT_EXPECT_GE(test, res.irq_allocs, 200);
	KUNIT_EXPECT_EQ(test, res.irq_failed, 0);
	KUNIT_EXPECT_EQ(test, res.not_hardirq, 0);
	KUNIT_EXPECT_EQ(test, res.proc_failed, 0);
	KUNIT_EXPECT_EQ(test, res.corrupt, 0);
	KUNIT_EXPECT_GT(test, res.proc_ops, 0);
	sc_expect_clean(test, a);
	sc_expect_slots_balanced(test, a);
}

/* Destroy with live blocks: counted, reported, the memory given back. */
static void destroy_live(struct kunit *test)
{
	struct zalloc *a = sc_create(test, "live");
	void *p[4];
	unsigned int i;

	p[0] = zalloc_alloc(a, 64, 8, GFP_KERNEL);
	p[1] = zalloc_alloc(a, 4096, 8, GFP_KERNEL);
	p[2] = zalloc_alloc(a, 100000, 8, GFP_KERNEL);
	p[3] = zalloc_alloc(a, 64, 8, GFP_KERNEL);
	for (i = 0; i < ARRAY_SIZE(p); i++)
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	zalloc_free(a, p[3], 64, 8);
	KUNIT_EXPECT_EQ(test, zalloc_test_destroy_now(test, a), 3);
}

static void sc_tables_read(struct kunit *test, const struct zalloc *a,
			   bool live)
{
	const char *name = zalloc_instance_name(sc_inst(a));
	const struct sc_kind *k = sc_kind(test);
	char *stats = zalloc_test_debugfs(test, name, "stats");
	char *classes = zalloc_test_debugfs(test, name, "classes");
	char kind[32];

	KUNIT_ASSERT_NOT_NULL(test, stats);
	KUNIT_ASSERT_NOT_NULL(test, classes);
	snprintf(kind, sizeof(kind), "kind %s\n", k->name);
	KUNIT_EXPECT_TRUE_MSG(test, !strncmp(stats, kind, strlen(kind)),
			      "%s", stats);
	KUNIT_EXPECT_EQ(test, zalloc_test_value(stats, "debug_mode"),
			zalloc_debug_enabled(a));
	KUNIT_EXPECT_EQ(test, zalloc_test_value(stats, k->live_small_name),
			live);
	KUNIT_EXPECT_EQ(test, zalloc_test_value(stats, k->live_large_name),
			live);
	k->tables(test, stats, classes, live);
}

/* What the debugfs files of a named instance show, and that they go. */
static void debugfs_tables(struct kunit *test)
{
	struct zalloc *a = sc_create(test, "tables");
	char name[ZALLOC_NAME_MAX];
	void *p, *big;

	/* A copy: the instance and its name go before the last check. */
	strscpy(name, zalloc_instance_name(sc_inst(a)), sizeof(name));
	KUNIT_EXPECT_NOT_NULL(test, strstr(name, "-tables"));
	p = zalloc_alloc(a, 64, 8, GFP_KERNEL);
	big = zalloc_alloc(a, 100000, 8, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, p && big);
	sc_tables_read(test, a, true);
	zalloc_free(a, p, 64, 8);
	zalloc_free(a, big, 100000, 8);
	if (sc_kind(test)->settle)
		sc_kind(test)->settle(a);
	sc_tables_read(test, a, false);
	KUNIT_EXPECT_EQ(test, zalloc_test_destroy_now(test, a), 0);
	KUNIT_EXPECT_NULL(test, zalloc_test_debugfs(test, name, "stats"));
}

/* The global instance: found, named, not destroyable, serving. */
static void global_instance(struct kunit *test)
{
	const struct sc_kind *k = sc_kind(test);
	struct zalloc *a = k->global;
	struct zalloc_instance *inst = sc_inst(a);
	u8 *p, *big;

	KUNIT_ASSERT_NOT_NULL(test, inst);
	KUNIT_EXPECT_STREQ(test, zalloc_instance_name(inst), k->name);
	KUNIT_EXPECT_EQ(test, zalloc_destroy(a), 0);
	KUNIT_EXPECT_PTR_EQ(test, sc_inst(a), inst);
	p = zalloc_alloc(a, 100, 8, GFP_KERNEL);
	big = zalloc_alloc(a, 50000, 8, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, p && big);
	memset(p, 1, 100);
	memset(big, 2, 50000);
	KUNIT_EXPECT_NULL(test, memchr_inv(p, 1, 100));
	KUNIT_EXPECT_NULL(test, memchr_inv(big, 2, 50000));
	zalloc_free(a, p, 100, 8);
	zalloc_free(a, big, 50000, 8);
}

/*
 * ======================================================================
 * smp: its description and its own cases
 * ======================================================================
 */

static struct zalloc *smp_create(struct kunit *test, const char *name)
{
	return zalloc_test_adopt(test, zalloc_smp_create(name, 0));
}

static size_t smp_large_room(size_t len, size_t align)
{
	return PAGE_ALIGN(len);
}

/* Column @column of the row of @table that starts with @start; -1 if none. */
static long sc_row(struct kunit *test, const char *table, const char *start,
		   const char *column)
{
	const char *row = strstr(table, start);

	KUNIT_EXPECT_NOT_NULL_MSG(test, row, "%s", table);
	return row ? zalloc_test_row_value(table, row + 1, column) : -1;
}

static void smp_tables(struct kunit *test, const char *stats,
		       const char *classes, bool live)
{
	char start[16];

	KUNIT_EXPECT_EQ(test, zalloc_test_value(stats, "slabs_taken"), 1);
	KUNIT_EXPECT_EQ(test, zalloc_test_value(stats, "empty_slabs_cached"),
			!live);
	/* Class 3, 64 B: one slab, every block but the live one free. */
	snprintf(start, sizeof(start), "\n%5u %6u ", 3, 64);
	KUNIT_EXPECT_EQ(test, sc_row(test, classes, start, "live"), live);
	KUNIT_EXPECT_EQ(test, sc_row(test, classes, start, "free"),
			live ? SMP_SLAB / 64 - 1 : 0);
	KUNIT_EXPECT_EQ(test, sc_row(test, classes, start, "slabs"), live);
	KUNIT_EXPECT_EQ(test, sc_row(test, classes, start, "pages"),
			live ? SMP_SLAB_PAGES : 0);
	/* Settled, the slab left the class for the slot's empty list. */
	if (!live)
		KUNIT_EXPECT_EQ(test, sc_row(test, classes, start, "cached"),
				0);
}

static const struct sc_kind sc_smp = {
	.name			= "smp",
	.global			= &zalloc_smp_allocator,
	.create			= smp_create,
	.max_small		= ZALLOC_SMP_MAX_SMALL,
	.large_unit		= PAGE_SIZE,
	/* Beyond the largest buddy block: vmalloc. */
	.largest		= (PAGE_SIZE << MAX_PAGE_ORDER) + 1,
	.large_room		= smp_large_room,
	.carved			= ZALLOC_SMP_SLABS_TAKEN,
	.live_small		= ZALLOC_SMP_LIVE_OBJECTS,
	.live_large		= ZALLOC_SMP_LARGE_LIVE,
	.double_frees		= ZALLOC_SMP_DOUBLE_FREES,
	.invalid_frees		= ZALLOC_SMP_INVALID_FREES,
	.corrupt_lists		= ZALLOC_SMP_CORRUPT_LISTS,
	.live_small_name	= "live_objects",
	.live_large_name	= "large_live",
	.tables			= smp_tables,
	.slot_counters		= true,
	.settle			= zalloc_smp_trim,
};

/*
 * A slab holds SMP_SLAB / size blocks, handed out in address order; a freed
 * block is the next one handed out (the CPU's magazine); empty slabs serve
 * any class; a slot keeps the slabs it had in use at its peak, so the same
 * load again takes no new slab; a trim (as a second of idleness does)
 * drains the magazines and gives back every empty slab but
 * ZALLOC_SMP_EMPTY_MAX per slot.
 */
static void smp_slab_reuse(struct kunit *test)
{
	const unsigned int n = SMP_SLAB / 256;
	struct zalloc *a = sc_create(test, NULL);
	unsigned long base;
	unsigned int i, round;
	void **p, *q;

	p = kunit_kcalloc(test, 3 * n, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	sc_pin(test);

	for (i = 0; i < n; i++) {
		p[i] = zalloc_alloc(a, 256, 1, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	base = (unsigned long)p[0];
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED(base, SMP_SLAB));
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, (unsigned long)p[i], base + i * 256);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_SLABS_TAKEN), 1);

	/* Full: the next block takes a second slab. */
	q = zalloc_alloc(a, 256, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_SLABS_TAKEN), 2);
	zalloc_free(a, q, 256, 1);

	/* A freed block is the next one handed out. */
	zalloc_free(a, p[7], 256, 1);
	KUNIT_EXPECT_PTR_EQ(test, zalloc_alloc(a, 256, 1, GFP_KERNEL), p[7]);

	for (i = 0; i < n; i++)
		zalloc_free(a, p[i], 256, 1);
	zalloc_smp_trim(a);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_LIVE_OBJECTS), 0);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_EMPTY_CACHED), 2);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_SLABS_RETURNED), 0);

	/* Cached empty slabs serve any class: no new slab. */
	for (i = 0; i < n / 4; i++) {
		p[i] = zalloc_alloc(a, 1024, 1, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_SLABS_TAKEN), 2);
	for (i = 0; i < n / 4; i++)
		zalloc_free(a, p[i], 1024, 1);
	/* The 1024-byte magazine would keep that slab from the 256s. */
	zalloc_smp_trim(a);

	/* Three slabs' worth twice: the second round takes no slab. */
	for (round = 0; round < 2; round++) {
		for (i = 0; i < 3 * n; i++) {
			p[i] = zalloc_alloc(a, 256, 1, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, p[i]);
		}
		KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_SLABS_TAKEN), 3);
		KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_EMPTY_CACHED), 0);
		for (i = 0; i < 3 * n; i++)
			zalloc_free(a, p[i], 256, 1);
	}

	/* Trimmed: two stay cached, one goes back. */
	zalloc_smp_trim(a);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_SLABS_RETURNED), 1);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_EMPTY_CACHED), 2);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_SLABS), 2);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_LIVE_OBJECTS), 0);
}

static int smp_cmp_ptr(const void *x, const void *y)
{
	unsigned long a = *(const unsigned long *)x;
	unsigned long b = *(const unsigned long *)y;

	return a < b ? -1 : a > b;
}

/* Each run of @per blocks of @p, from the first on, lies in one slab. */
static void smp_assert_slab_runs(struct kunit *test, void **p, unsigned int n,
				 unsigned int per)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ(test, ALIGN_DOWN((unsigned long)p[i], SMP_SLAB),
				ALIGN_DOWN((unsigned long)p[i - i % per],
					   SMP_SLAB));
}

/* Slabs of 256-byte blocks smp_flush_gather() frees over. */
#define SMP_GATHER_SLABS	40

/*
 * Frees interleaved over a few slabs, a block of each in turn, then over
 * many: the magazine's flushes first gather each slab's blocks from all
 * they give back, then, once that stops paying, go a run of one slab at a
 * time.  Every block must come back to its slab exactly once: all slabs
 * empty once trimmed, and every block handed out again once.
 */
static void smp_flush_gather(struct kunit *test)
{
	const unsigned int per = SMP_SLAB / 256, few = 4;
	const unsigned int many = SMP_GATHER_SLABS - few;
	const unsigned int n = SMP_GATHER_SLABS * per;
	struct zalloc *a = sc_create(test, NULL);
	unsigned int i, j;
	void **p;

	p = kunit_kcalloc(test, n, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	sc_pin(test);
	for (i = 0; i < n; i++) {
		p[i] = zalloc_alloc(a, 256, 8, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		memset(p[i], i & 0xff, 256);
	}
	/* Fresh slabs, handed out in order: block i is in slab i / per. */
	KUNIT_ASSERT_EQ(test, sc_count(a, ZALLOC_SMP_SLABS_TAKEN),
			SMP_GATHER_SLABS);
	smp_assert_slab_runs(test, p, n, per);
	/* The first few slabs, a block of each in turn, ... */
	for (j = 0; j < few * per; j++) {
		i = j % few * per + j / few;
		KUNIT_ASSERT_NULL(test, memchr_inv(p[i], i & 0xff, 256));
		zalloc_free(a, p[i], 256, 8);
	}
	/* ... then the many others the same way. */
	for (j = 0; j < many * per; j++) {
		i = (few + j % many) * per + j / many;
		KUNIT_ASSERT_NULL(test, memchr_inv(p[i], i & 0xff, 256));
		zalloc_free(a, p[i], 256, 8);
	}
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_LIVE_OBJECTS), 0);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_INVALID_FREES), 0);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_DOUBLE_FREES), 0);
	zalloc_smp_trim(a);
	/* The magazines are empty now: live_objects is exact. */
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_LIVE_OBJECTS), 0);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_FREE_OBJECTS), 0);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_SLABS),
			sc_count(a, ZALLOC_SMP_EMPTY_CACHED));

	for (i = 0; i < n; i++) {
		p[i] = zalloc_alloc(a, 256, 8, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	sort(p, n, sizeof(*p), smp_cmp_ptr, NULL);
	for (i = 1; i < n; i++)
		KUNIT_ASSERT_PTR_NE_MSG(test, p[i - 1], p[i],
					"handed out twice");
	for (i = 0; i < n; i++)
		zalloc_free(a, p[i], 256, 8);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_LIVE_OBJECTS), 0);
}

/* Wrong-size and foreign frees are refused; a bad link is dropped. */
static void smp_bad_frees(struct kunit *test)
{
	struct zalloc *a = sc_create(test, NULL);
	u8 *x, *y, *keep, *p, *q;
	void *k, *v;

	sc_pin(test);
	/*
	 * A small non-NULL pointer before the CPU has looked any slab up:
	 * refused (its first-lookup state must match no address).
	 */
	zalloc_free(a, (void *)0x100, 64, 8);
	x = zalloc_alloc(a, 64, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, x);

	/* Not of that size, or not a block of this instance: refused. */
	zalloc_free(a, x, 128, 8);
	k = kmalloc(64, GFP_KERNEL);
	v = vmalloc(64);
	KUNIT_ASSERT_TRUE(test, k && v);
	zalloc_free(a, k, 64, 8);
	zalloc_free(a, v, 64, 8);
	kfree(k);
	vfree(v);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_INVALID_FREES), 4);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_LIVE_OBJECTS), 1);
	zalloc_free(a, x, 64, 8);

	/*
	 * Written to after free, while in the CPU's magazine: reported as it
	 * leaves, once, and handed out as any other block (a magazine keeps
	 * no link in the blocks, so nothing else is at stake).
	 */
	x = zalloc_alloc(a, 32, 8, GFP_KERNEL);
	y = zalloc_alloc(a, 32, 8, GFP_KERNEL);
	keep = zalloc_alloc(a, 32, 8, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, x && y && keep);
	zalloc_free(a, x, 32, 8);
	zalloc_free(a, y, 32, 8);
	*(void **)y = y + SMP_SLAB;
	p = zalloc_alloc(a, 32, 8, GFP_KERNEL);
	q = zalloc_alloc(a, 32, 8, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, p && q);
	KUNIT_EXPECT_PTR_EQ(test, p, y);
	KUNIT_EXPECT_PTR_EQ(test, q, x);
	memset(p, 1, 32);
	memset(q, 2, 32);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_CORRUPT_LISTS), 1);
	zalloc_free(a, p, 32, 8);
	zalloc_free(a, q, 32, 8);
	zalloc_free(a, keep, 32, 8);
	zalloc_smp_trim(a);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_LIVE_OBJECTS), 0);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_SLABS),
			sc_count(a, ZALLOC_SMP_EMPTY_CACHED));
}

/* Column @column of slot @slot's row in @a's "cpus" table. */
static long smp_cpu_column(struct kunit *test, const struct zalloc *a,
			   unsigned int slot, const char *column)
{
	const char *cpus = zalloc_test_debugfs(test,
					       zalloc_instance_name(sc_inst(a)),
					       "cpus");
	char want[16];
	const char *row;

	KUNIT_ASSERT_NOT_NULL(test, cpus);
	snprintf(want, sizeof(want), "\n%4u ", slot);
	row = strstr(cpus, want);
	KUNIT_ASSERT_NOT_NULL_MSG(test, row, "%s", cpus);
	return zalloc_test_row_value(cpus, row + 1, column);
}

/* Keep the test on @cpu. */
static void smp_pin_to(struct kunit *test, unsigned int cpu)
{
	KUNIT_ASSERT_EQ(test, set_cpus_allowed_ptr(current, cpumask_of(cpu)),
			0);
}

/*
 * An online CPU whose next CPU, with the next slot, is online too; skips
 * the test if there is none.
 */
static unsigned int smp_adjacent_home(struct kunit *test)
{
	unsigned int cpu;

	for_each_online_cpu(cpu) {
		if (cpu_online((cpu + 1) % nr_cpu_ids) &&
		    (cpu + 1) % nr_cpu_ids != cpu)
			return cpu;
	}
	kunit_skip(test, "needs two online CPUs with adjacent slots");
	return nr_cpu_ids;
}

/*
 * Zig's max_alloc_search: a slot with nothing for a class uses the next
 * slot's slab before taking a new one.  Blocks go home to the slab's slot
 * and count as remote when they come from another CPU's magazine.
 */
static void smp_search_and_remote(struct kunit *test)
{
	unsigned int home;
	struct zalloc *a;
	long cached;
	void *p, *q;

	home = smp_adjacent_home(test);

	a = sc_create(test, "remote");
	smp_pin_to(test, (home + 1) % nr_cpu_ids);
	p = zalloc_alloc(a, 128, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	smp_pin_to(test, home);
	q = zalloc_alloc(a, 128, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	/* From the next slot's slab: no new one. */
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_SLABS_TAKEN), 1);
	KUNIT_EXPECT_EQ(test, ALIGN_DOWN((unsigned long)q, SMP_SLAB),
			ALIGN_DOWN((unsigned long)p, SMP_SLAB));
	zalloc_free(a, q, 128, 8);
	zalloc_free(a, p, 128, 8);
	/*
	 * Drained, every block this CPU holds (q's batch and p) goes home
	 * to the other slot, each a remote free; the other CPU's go home
	 * from where they are.
	 */
	cached = smp_cpu_column(test, a, home, "cached");
	KUNIT_EXPECT_GE(test, cached, 2);
	zalloc_smp_trim(a);
	KUNIT_EXPECT_EQ(test, sc_slots(test, a, "remote_frees"), cached);
	KUNIT_EXPECT_EQ(test, sc_slots(test, a, "allocs"),
			sc_slots(test, a, "frees"));
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_LIVE_OBJECTS), 0);
}

/*
 * A flush that gathers over two slots' slabs: each flush gives back 16
 * blocks of two slabs of its CPU's slot, then 16 of two slabs of another
 * CPU's slot.  The gather takes the first two slabs and stops where the
 * slot changes; the rest go home under the other slot's lock, each a
 * remote free.
 */
static void smp_flush_gather_slots(struct kunit *test)
{
	const unsigned int per = SMP_SLAB / 256, n = 4 * per;
	unsigned int home, i, j, t;
	struct zalloc *a;
	void **p;

	home = smp_adjacent_home(test);
	a = sc_create(test, "gather2");
	p = kunit_kcalloc(test, n, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);

	/*
	 * Two slabs' worth on each CPU, the other's first: a refill takes 31
	 * blocks and a slab's last 8 alone, so each CPU's magazine ends
	 * empty and its two slabs full, fresh ones of its own slot.
	 */
	smp_pin_to(test, (home + 1) % nr_cpu_ids);
	for (i = 2 * per; i < n; i++) {
		p[i] = zalloc_alloc(a, 256, 8, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	smp_pin_to(test, home);
	for (i = 0; i < 2 * per; i++) {
		p[i] = zalloc_alloc(a, 256, 8, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	KUNIT_ASSERT_EQ(test, sc_count(a, ZALLOC_SMP_SLABS_TAKEN), 4);
	smp_assert_slab_runs(test, p, n, per);

	/* Flushes of 32: home's two slabs interleaved, then the other's. */
	for (j = 0; j < n; j++) {
		t = j % 32;
		i = (t / 16 * 2 + t % 2) * per + j / 32 * 8 + t % 16 / 2;
		zalloc_free(a, p[i], 256, 8);
	}
	zalloc_smp_trim(a);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_LIVE_OBJECTS), 0);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_DOUBLE_FREES), 0);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_INVALID_FREES), 0);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_SLABS),
			sc_count(a, ZALLOC_SMP_EMPTY_CACHED));
	KUNIT_EXPECT_EQ(test, sc_slots(test, a, "allocs"), n);
	KUNIT_EXPECT_EQ(test, sc_slots(test, a, "frees"), n);
	/* Every block of the other CPU's slabs went home from here. */
	KUNIT_EXPECT_EQ(test, sc_slots(test, a, "remote_frees"), 2 * per);
}

static size_t ret_size(unsigned long i)
{
	return 64UL << (i % 7);		/* 64 B .. 4 KiB */
}

KUNIT_DEFINE_ACTION_WRAPPER(sc_kvfree, kvfree, const void *);

/*
 * ziglang/zig#23592: allocate 64 MiB in small blocks, free them all in
 * random order; freeing takes no memory back at once (the slots keep their
 * peak for the next round), but a second of idleness drains the magazines
 * and gives back every empty slab but ZALLOC_SMP_EMPTY_MAX per slot: at
 * least 90% of them; the shrinker must give back the rest.
 */
static void smp_memory_return(struct kunit *test)
{
	struct zalloc *a = sc_create(test, NULL);
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL };
	unsigned long n = 0, i, j, idx, taken, returned, cached;
	unsigned long count, freed, bytes = 0, waited;
	struct rnd_state rnd;
	struct shrinker *sh;
	void **p;

	while (bytes < SZ_64M)
		bytes += ret_size(n++);
	p = kvcalloc(n, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, sc_kvfree, p));

	for (i = 0; i < n; i++) {
		p[i] = zalloc_alloc(a, ret_size(i), 8, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		*(unsigned long *)p[i] = i;
	}
	taken = sc_count(a, ZALLOC_SMP_SLABS_TAKEN);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_LIVE_OBJECTS), n);
	KUNIT_EXPECT_GE(test, taken * SMP_SLAB, (unsigned long)SZ_64M);

	prandom_seed_state(&rnd, get_random_u64());
	for (i = n - 1; i > 0; i--) {
		j = prandom_u32_state(&rnd) % (i + 1);
		swap(p[i], p[j]);
	}
	for (i = 0; i < n; i++) {
		idx = *(unsigned long *)p[i];
		KUNIT_ASSERT_LT(test, idx, n);
		zalloc_free(a, p[i], ret_size(idx), 8);
	}
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_LIVE_OBJECTS), 0);
	/*
	 * Idle: the trim comes within a couple of seconds; wait up to 20 for
	 * it to finish (it gives slabs back one by one: every slab left is
	 * an empty one it keeps), not merely to start.
	 */
	for (waited = 0; waited < 20000; waited += 100) {
		cached = sc_count(a, ZALLOC_SMP_EMPTY_CACHED);
		if (sc_count(a, ZALLOC_SMP_SLABS) == cached &&
		    cached <= ZALLOC_SMP_EMPTY_MAX * nr_cpu_ids)
			break;
		msleep(100);
	}
	returned = sc_count(a, ZALLOC_SMP_SLABS_RETURNED);
	cached = sc_count(a, ZALLOC_SMP_EMPTY_CACHED);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_SLABS), cached);
	KUNIT_EXPECT_LE(test, cached, ZALLOC_SMP_EMPTY_MAX * nr_cpu_ids);
	KUNIT_EXPECT_GE(test, returned * 10, taken * 9);
	kunit_info(test, "64 MiB in %lu blocks took %lu slabs (%lu KiB); idle %lu ms, it gave back %lu (%lu.%lu%%), %lu stayed cached\n",
		   n, taken, taken * (SMP_SLAB >> 10), waited, returned,
		   returned * 100 / taken, returned * 1000 / taken % 10, cached);

	sh = zalloc_smp_shrinker(a);
	KUNIT_ASSERT_NOT_NULL(test, sh);
	count = sh->count_objects(sh, &sc);
	KUNIT_EXPECT_EQ(test, count,
			cached ? cached * SMP_SLAB_PAGES : SHRINK_EMPTY);
	sc.nr_to_scan = count;
	freed = sh->scan_objects(sh, &sc);
	if (cached)
		KUNIT_EXPECT_EQ(test, freed, count);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_SLABS), 0);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_EMPTY_CACHED), 0);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_SLABS_RETURNED), taken);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_SHRINKER_RECLAIMS),
			cached);
	KUNIT_EXPECT_EQ(test, sh->count_objects(sh, &sc), SHRINK_EMPTY);
	kunit_info(test, "shrinker counted %lu pages and gave back %lu; %lu slabs held after\n",
		   cached ? count : 0, cached ? freed : 0,
		   sc_count(a, ZALLOC_SMP_SLABS));
}

/* The shrinker is there for every SMP instance and for nothing else. */
static void smp_shrinker_accessor(struct kunit *test)
{
	KUNIT_EXPECT_NOT_NULL(test, zalloc_smp_shrinker(&zalloc_smp_allocator));
	KUNIT_EXPECT_NOT_NULL(test, zalloc_smp_shrinker(sc_create(test, NULL)));
	KUNIT_EXPECT_NULL(test, zalloc_smp_shrinker(&zalloc_page_allocator));
	KUNIT_EXPECT_NULL(test, zalloc_smp_shrinker(&zalloc_sbrk_allocator));
	KUNIT_EXPECT_NULL(test, zalloc_smp_shrinker(NULL));
}

/*
 * On another CPU: drain @arg's magazines, give back every empty slab.
 * Returns the CPU it ran on.
 */
static long smp_release_all_fn(void *arg)
{
	struct zalloc *a = arg;
	struct shrinker *sh = zalloc_smp_shrinker(a);
	struct shrink_control sc = {
		.gfp_mask = GFP_KERNEL, .nr_to_scan = ULONG_MAX >> 1,
	};

	zalloc_smp_trim(a);
	sh->scan_objects(sh, &sc);
	return raw_smp_processor_id();
}

/*
 * A CPU's latest slab lookup, when another CPU gives that slab back: a
 * free of a block of it afterwards is refused as not the instance's, and
 * never served from the lookup (the descriptor it names is freed: KASAN
 * would report the read).  Only the release's RCU callback can drop the
 * lookup here, as the release runs on the other CPU.
 */
static void smp_free_after_release(struct kunit *test)
{
	struct zalloc *a = sc_create(test, NULL);
	unsigned long doubles, invalid;
	unsigned int cpu, other;
	void *p;

	sc_pin(test);
	cpu = raw_smp_processor_id();
	for_each_online_cpu(other)
		if (other != cpu)
			break;
	if (other >= nr_cpu_ids)
		kunit_skip(test, "needs two online CPUs");
	/* init_on_free frees look the slab up afresh, never in the cache. */
	if (want_init_on_free())
		kunit_skip(test, "init_on_free bypasses the cached lookup");

	p = zalloc_alloc(a, SZ_4K, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	zalloc_free(a, p, SZ_4K, 8);
	/* Drained, its slab is empty and kept (ZALLOC_SMP_EMPTY_MAX). */
	zalloc_smp_trim(a);
	KUNIT_ASSERT_EQ(test, sc_count(a, ZALLOC_SMP_SLABS), 1);

	/*
	 * A double free: refused, with this CPU's lookup holding the slab
	 * (the free looked it up, the slow path kept it).
	 */
	doubles = sc_count(a, ZALLOC_SMP_DOUBLE_FREES);
	zalloc_free(a, p, SZ_4K, 8);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_DOUBLE_FREES),
			doubles + 1);

	KUNIT_ASSERT_EQ(test, work_on_cpu(other, smp_release_all_fn, a), other);
	KUNIT_ASSERT_EQ(test, sc_count(a, ZALLOC_SMP_SLABS), 0);
	/* Both grace periods of the release: the descriptor is freed. */
	rcu_barrier();
	rcu_barrier();

	invalid = sc_count(a, ZALLOC_SMP_INVALID_FREES);
	zalloc_free(a, p, SZ_4K, 8);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_INVALID_FREES),
			invalid + 1);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SMP_DOUBLE_FREES),
			doubles + 1);
	KUNIT_EXPECT_EQ(test, raw_smp_processor_id(), cpu);
}

static int sc_smp_init(struct kunit *test)
{
	test->priv = (void *)&sc_smp;
	return 0;
}

static struct kunit_case zalloc_smp_cases[] = {
	KUNIT_CASE(class_boundaries),
	KUNIT_CASE(alignments),
	KUNIT_CASE(large_path),
	KUNIT_CASE(lifo_reuse),
	KUNIT_CASE(bad_frees),
	KUNIT_CASE(scattered_frees),
	KUNIT_CASE(atomic_and_zero),
	KUNIT_CASE_SLOW(cross_cpu_stress),
	KUNIT_CASE(hardirq),
	KUNIT_CASE(destroy_live),
	KUNIT_CASE(debugfs_tables),
	KUNIT_CASE(global_instance),
	KUNIT_CASE(smp_slab_reuse),
	KUNIT_CASE(smp_flush_gather),
	KUNIT_CASE(smp_flush_gather_slots),
	KUNIT_CASE(smp_bad_frees),
	KUNIT_CASE(smp_search_and_remote),
	KUNIT_CASE_SLOW(smp_memory_return),
	KUNIT_CASE(smp_shrinker_accessor),
	KUNIT_CASE(smp_free_after_release),
	{}
};

static struct kunit_suite zalloc_smp_suite = {
	.name = "zalloc_smp",
	.init = sc_smp_init,
	.test_cases = zalloc_smp_cases,
};

/*
 * ======================================================================
 * sbrk, over each of its break providers: its description and own cases
 * ======================================================================
 */

struct sbrk_provider_param {
	const char *name;
	struct zalloc_sbrk_provider *(*make)(void);
};

static struct zalloc_sbrk_provider *sbrk_make_region(void)
{
	return zalloc_sbrk_region_create(SBRK_REGION);
}

static const struct sbrk_provider_param sbrk_providers[] = {
	{ "region",	sbrk_make_region },
	{ "pages",	zalloc_sbrk_pages_create },
};

static void sbrk_provider_desc(const struct sbrk_provider_param *p,
			       char *desc)
{
	strscpy(desc, p->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(sbrk_provider, sbrk_providers, sbrk_provider_desc);

/* Over the test's provider parameter, or a region if it has none. */
static struct zalloc *sbrk_create(struct kunit *test, const char *name)
{
	const struct sbrk_provider_param *p = test->param_value;

	return zalloc_test_adopt(test,
				 zalloc_sbrk_create(name, p ? p->make() :
						    sbrk_make_region(), 0));
}

/* 2^k big pages hold a big block. */
static size_t sbrk_large_room(size_t len, size_t align)
{
	return SBRK_BIG << order_base_2(DIV_ROUND_UP(max(len, align),
						     SBRK_BIG));
}

static void sbrk_tables(struct kunit *test, const char *stats,
			const char *classes, bool live)
{
	const struct sbrk_provider_param *p = test->param_value;
	char row[64];

	snprintf(row, sizeof(row), "\nprovider %s\n", p ? p->name : "region");
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(stats, row), "%s", stats);
	/* A big page carved for 64-byte blocks, two for the big block. */
	KUNIT_EXPECT_EQ(test, zalloc_test_value(stats, "brk_bytes"),
			3 * SBRK_BIG);
	/*
	 * Class 3, 64 B: the live block; the free ones are those carved with
	 * it (a magazine's refill), at least the one freed.
	 */
	snprintf(row, sizeof(row), "\n%5u %5s %12u ", 3, "small", 64);
	KUNIT_EXPECT_EQ(test, sc_row(test, classes, row, "live"), live);
	KUNIT_EXPECT_GE(test, sc_row(test, classes, row, "free"), !live);
	KUNIT_EXPECT_EQ(test, sc_row(test, classes, row, "free") + live,
			zalloc_test_value(stats, "free_small") +
			zalloc_test_value(stats, "live_small"));
	snprintf(row, sizeof(row), "%5u %5s %12lu %10u %10u\n", 1, "big",
		 2 * SBRK_BIG, live, !live);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(classes, row), "%s", classes);
}

static const struct sc_kind sc_sbrk = {
	.name			= "sbrk",
	.global			= &zalloc_sbrk_allocator,
	.create			= sbrk_create,
	.max_small		= ZALLOC_SBRK_MAX_SMALL,
	.large_unit		= SBRK_BIG,
	.largest		= PAGE_SIZE << MAX_PAGE_ORDER,
	.large_room		= sbrk_large_room,
	.carved			= ZALLOC_SBRK_SMALL_BIGPAGES,
	.live_small		= ZALLOC_SBRK_LIVE_SMALL,
	.live_large		= ZALLOC_SBRK_LIVE_BIG,
	.double_frees		= ZALLOC_SBRK_DOUBLE_FREES,
	.invalid_frees		= ZALLOC_SBRK_INVALID_FREES,
	.corrupt_lists		= ZALLOC_SBRK_CORRUPT_LISTS,
	.live_small_name	= "live_small",
	.live_large_name	= "live_big",
	.tables			= sbrk_tables,
};

/*
 * The two defects of Zig's version, measured on the break of a fresh region:
 * a big page is carved completely (Zig carved 4 KiB of it below 4 KiB
 * classes, one block per big page above), and a 64 KiB block takes one big
 * page (Zig: two); blocks take no room for the link (Zig: len + 8).
 */
static void sbrk_zig_fixes(struct kunit *test)
{
	struct zalloc *a = sc_create(test, NULL);
	const unsigned int n = SBRK_BIG / 16;
	u8 **p, *q;
	unsigned int i;

	p = kunit_kcalloc(test, n, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < n; i++) {
		p[i] = zalloc_alloc(a, 16, 1, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		KUNIT_EXPECT_PTR_EQ(test, p[i], p[0] + 16 * i);
	}
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SBRK_BRK_BYTES), SBRK_BIG);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SBRK_SMALL_BIGPAGES), 1);

	for (i = 0; i < 16; i++) {
		q = zalloc_alloc(a, 4096, 1, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, q);
	}
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SBRK_BRK_BYTES),
			2 * SBRK_BIG);

	q = zalloc_alloc(a, SBRK_BIG, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SBRK_BRK_BYTES),
			3 * SBRK_BIG);
	q = zalloc_alloc(a, SBRK_BIG + 1, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SBRK_BRK_BYTES),
			5 * SBRK_BIG);
	q = zalloc_alloc(a, 3 * SBRK_BIG, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SBRK_BRK_BYTES),
			9 * SBRK_BIG);
	/* Leave the blocks to destroy: it counts them. */
	KUNIT_EXPECT_EQ(test, zalloc_test_destroy_now(test, a), n + 16 + 3);
}

/* Big blocks resize within their power of two of big pages only. */
static void sbrk_big_resize(struct kunit *test)
{
	struct zalloc *a = sc_create(test, NULL);
	u8 *p;

	p = zalloc_alloc(a, SBRK_BIG + 1, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, 0x42, SBRK_BIG + 1);
	KUNIT_EXPECT_TRUE(test, zalloc_resize(a, p, SBRK_BIG + 1, 1,
					      2 * SBRK_BIG, GFP_KERNEL));
	KUNIT_EXPECT_FALSE(test, zalloc_resize(a, p, 2 * SBRK_BIG, 1,
					       2 * SBRK_BIG + 1, GFP_KERNEL));
	KUNIT_EXPECT_FALSE(test, zalloc_resize(a, p, 2 * SBRK_BIG, 1, SBRK_BIG,
					       GFP_KERNEL));
	KUNIT_EXPECT_PTR_EQ(test, zalloc_remap(a, p, 2 * SBRK_BIG, 1,
					       SBRK_BIG + 100, GFP_KERNEL),
			    (void *)p);
	KUNIT_EXPECT_NULL(test, zalloc_remap(a, p, SBRK_BIG + 100, 1, 100,
					     GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, memchr_inv(p, 0x42, SBRK_BIG + 1));
	zalloc_free(a, p, SBRK_BIG + 100, 1);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SBRK_LIVE_BIG), 0);
}

/* A freed big block serves a bigger request of its power; the break stays. */
static void sbrk_big_reuse(struct kunit *test)
{
	struct zalloc *a = sc_create(test, NULL);
	unsigned long brk;
	void *p, *r;

	r = zalloc_alloc(a, 3 * SBRK_BIG, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	zalloc_free(a, r, 3 * SBRK_BIG, 1);
	brk = sc_count(a, ZALLOC_SBRK_BRK_BYTES);
	p = zalloc_alloc(a, 4 * SBRK_BIG, 1, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, p, r);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SBRK_BRK_BYTES), brk);
	zalloc_free(a, p, 4 * SBRK_BIG, 1);
}

/* A big block freed twice: no live block of that size, refused. */
static void sbrk_big_double_free(struct kunit *test)
{
	struct zalloc *a = sc_create(test, NULL);
	u8 *big = zalloc_alloc(a, SBRK_BIG, 8, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, big);
	zalloc_free(a, big, SBRK_BIG, 8);
	zalloc_free(a, big, SBRK_BIG, 8);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SBRK_DOUBLE_FREES), 1);
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SBRK_LIVE_BIG), 0);
	/* Its list is intact: it comes back once. */
	KUNIT_EXPECT_PTR_EQ(test, zalloc_alloc(a, SBRK_BIG, 8, GFP_KERNEL),
			    big);
	KUNIT_EXPECT_PTR_NE(test, zalloc_alloc(a, SBRK_BIG, 8, GFP_KERNEL),
			    big);
	KUNIT_EXPECT_EQ(test, zalloc_test_destroy_now(test, a), 2);
}

/* A region runs out like sbrk: NULL, no harm, and freed memory is reused. */
static void sbrk_region_exhaustion(struct kunit *test)
{
	struct zalloc *a;
	void *p[16], *q;
	unsigned int i;

	a = zalloc_test_adopt(test,
			      zalloc_sbrk_create(NULL,
						 zalloc_sbrk_region_create(SZ_1M),
						 0));
	for (i = 0; i < ARRAY_SIZE(p); i++) {
		p[i] = zalloc_alloc(a, SBRK_BIG, 1, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	KUNIT_EXPECT_EQ(test, sc_count(a, ZALLOC_SBRK_BRK_BYTES), SZ_1M);
	KUNIT_EXPECT_NULL(test, zalloc_alloc(a, SBRK_BIG, 1, GFP_KERNEL));
	KUNIT_EXPECT_NULL(test, zalloc_alloc(a, 8, 1, GFP_ATOMIC));
	/* A freed big page serves the next big block or a small class. */
	zalloc_free(a, p[5], SBRK_BIG, 1);
	q = zalloc_alloc(a, SBRK_BIG, 1, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, q, p[5]);
	zalloc_free(a, q, SBRK_BIG, 1);
	q = zalloc_alloc(a, 8, 1, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, q, p[5]);
	zalloc_free(a, q, 8, 1);
	for (i = 0; i < ARRAY_SIZE(p); i++)
		if (i != 5)
			zalloc_free(a, p[i], SBRK_BIG, 1);
}

/* Creates that must fail. */
static void sbrk_bad_create(struct kunit *test)
{
	KUNIT_EXPECT_NULL(test, zalloc_sbrk_create("x", NULL, 0));
	KUNIT_EXPECT_NULL(test, zalloc_sbrk_region_create(0));
}

static int sc_sbrk_init(struct kunit *test)
{
	test->priv = (void *)&sc_sbrk;
	return 0;
}

#define SBRK_CASE(fn)	KUNIT_CASE_PARAM(fn, sbrk_provider_gen_params)

static struct kunit_case zalloc_sbrk_cases[] = {
	SBRK_CASE(class_boundaries),
	SBRK_CASE(alignments),
	SBRK_CASE(large_path),
	SBRK_CASE(lifo_reuse),
	SBRK_CASE(bad_frees),
	SBRK_CASE(scattered_frees),
	SBRK_CASE(atomic_and_zero),
	KUNIT_CASE_PARAM_ATTR(cross_cpu_stress, sbrk_provider_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	SBRK_CASE(hardirq),
	SBRK_CASE(destroy_live),
	SBRK_CASE(debugfs_tables),
	KUNIT_CASE(global_instance),
	KUNIT_CASE(sbrk_zig_fixes),
	SBRK_CASE(sbrk_big_resize),
	SBRK_CASE(sbrk_big_reuse),
	SBRK_CASE(sbrk_big_double_free),
	KUNIT_CASE(sbrk_region_exhaustion),
	KUNIT_CASE(sbrk_bad_create),
	{}
};

static struct kunit_suite zalloc_sbrk_suite = {
	.name = "zalloc_sbrk",
	.init = sc_sbrk_init,
	.test_cases = zalloc_sbrk_cases,
};

kunit_test_suites(&zalloc_smp_suite, &zalloc_sbrk_suite);
