// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc_smp: the SMP allocator's own rules.  Every size-class boundary
 * (alignment to the class, resize and remap inside the class only, never
 * between small and large), alignments up to 64 KiB, the large path, slab
 * reuse and the empty-slab cache, refused double and invalid frees, a
 * corrupted free list, atomic and zeroing allocations, the one-slot search
 * and remote frees, memory return (64 MiB of small blocks freed in random
 * order; the slabs go back, then the shrinker takes the cached ones), a
 * cross-CPU stress, allocation from hard IRQ, destroy with live blocks and
 * what the debugfs tables show.
 */
#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/mm.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/seq_file.h>
#include <linux/sched.h>
#include <linux/shrinker.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <zalloc/page.h>
#include <zalloc/registry.h>
#include <zalloc/smp.h>

#include "xcpu.h"
#include "zalloc_kunit.h"

#define SMP_MAX_SMALL	ZALLOC_SMP_MAX_SMALL
#define SMP_SLAB	ZALLOC_SMP_SLAB_SIZE
#define SMP_SLAB_PAGES	(SMP_SLAB >> PAGE_SHIFT)

static void smp_test_destroy(void *smp)
{
	zalloc_smp_destroy(smp);
}

/* A private instance, destroyed when the test ends. */
static struct zalloc_smp *smp_test_create(struct kunit *test, const char *name)
{
	struct zalloc_smp *smp = zalloc_smp_create(name, 0);

	KUNIT_ASSERT_NOT_NULL(test, smp);
	KUNIT_ASSERT_EQ(test, 0,
			kunit_add_action_or_reset(test, smp_test_destroy, smp));
	return smp;
}

/* Destroy now, not at the end, and return what destroy reported live. */
static unsigned long smp_test_destroy_now(struct kunit *test,
					  struct zalloc_smp *smp)
{
	kunit_remove_action(test, smp_test_destroy, smp);
	return zalloc_smp_destroy(smp);
}

static struct zalloc_smp_info smp_info(struct zalloc_smp *smp)
{
	struct zalloc_smp_info info;

	zalloc_smp_info(smp, &info);
	return info;
}

/* Keep the test on one CPU, so every call starts from the same slot. */
static void smp_pin(struct kunit *test, unsigned int cpu)
{
	int err = set_cpus_allowed_ptr(current, cpumask_of(cpu));

	KUNIT_ASSERT_EQ(test, err, 0);
}

static size_t smp_class_size(size_t len, size_t align)
{
	return roundup_pow_of_two(max3(len, align, (size_t)8));
}

static void smp_check_small(struct kunit *test, struct zalloc_smp *smp,
			    size_t len)
{
	const struct zalloc *a = zalloc_smp_zalloc(smp);
	struct zalloc_smp_info before = smp_info(smp), after;
	size_t cs = smp_class_size(len, 1);
	u8 *p;

	p = zalloc_alloc(a, len, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL_MSG(test, p, "len %zu", len);
	after = smp_info(smp);
	KUNIT_EXPECT_EQ_MSG(test, after.live_objects, before.live_objects + 1,
			    "len %zu not small", len);
	KUNIT_EXPECT_EQ(test, after.large_live, before.large_live);
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
		KUNIT_EXPECT_TRUE(test, zalloc_resize(a, p, cs, 1, cs / 2 + 1,
						      GFP_KERNEL));
		KUNIT_EXPECT_FALSE(test, zalloc_resize(a, p, cs / 2 + 1, 1,
						       cs / 2, GFP_KERNEL));
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
	after = smp_info(smp);
	KUNIT_EXPECT_EQ(test, after.live_objects, before.live_objects);
}

static void smp_check_large(struct kunit *test, struct zalloc_smp *smp,
			    size_t len, size_t align)
{
	const struct zalloc *a = zalloc_smp_zalloc(smp);
	struct zalloc_smp_info before = smp_info(smp), after;
	size_t bytes = PAGE_ALIGN(len);
	u8 *p;

	p = zalloc_alloc(a, len, align, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL_MSG(test, p, "len %zu align %zu", len, align);
	after = smp_info(smp);
	KUNIT_EXPECT_EQ_MSG(test, after.large_live, before.large_live + 1,
			    "len %zu not large", len);
	KUNIT_EXPECT_EQ(test, after.live_objects, before.live_objects);
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)p,
					   max_t(size_t, align, PAGE_SIZE)));
	memset(p, 0xa5, len);

	if (align <= SMP_MAX_SMALL) {
		/* Never from large to small, however small the new length. */
		KUNIT_EXPECT_FALSE(test, zalloc_resize(a, p, len, align,
						       SMP_MAX_SMALL,
						       GFP_KERNEL));
		KUNIT_EXPECT_NULL(test, zalloc_remap(a, p, len, align, 8,
						     GFP_KERNEL));
	}
	/* As the page allocator: in place within the last page. */
	KUNIT_EXPECT_TRUE(test, zalloc_resize(a, p, len, align, bytes,
					      GFP_KERNEL));
	KUNIT_EXPECT_PTR_EQ(test, zalloc_remap(a, p, bytes, align, len,
					       GFP_KERNEL), (void *)p);
	KUNIT_EXPECT_NULL(test, memchr_inv(p, 0xa5, len));
	zalloc_free(a, p, len, align);
	after = smp_info(smp);
	KUNIT_EXPECT_EQ(test, after.large_live, before.large_live);
}

/* 1, then 8, 9, 16, 17, ..., 32768 small and 32769 large. */
static void smp_class_boundaries(struct kunit *test)
{
	struct zalloc_smp *smp = smp_test_create(test, NULL);
	size_t size;

	smp_check_small(test, smp, 1);
	for (size = 8; size <= SMP_MAX_SMALL; size <<= 1) {
		smp_check_small(test, smp, size);
		if (size < SMP_MAX_SMALL)
			smp_check_small(test, smp, size + 1);
	}
	smp_check_large(test, smp, SMP_MAX_SMALL + 1, 1);
	KUNIT_EXPECT_EQ(test, smp_info(smp).live_objects, 0);
}

/* Alignments 1 B .. 64 KiB: the class is max(len, align). */
static void smp_alignments(struct kunit *test)
{
	static const size_t lens[] = { 1, 24, 3000, 40000 };
	struct zalloc_smp *smp = smp_test_create(test, NULL);
	const struct zalloc *a = zalloc_smp_zalloc(smp);
	struct zalloc_smp_info before, after;
	size_t align, len;
	unsigned int i;
	bool small;
	u8 *p;

	for (align = 1; align <= SZ_64K; align <<= 1) {
		for (i = 0; i < ARRAY_SIZE(lens); i++) {
			len = lens[i];
			small = max(len, align) <= SMP_MAX_SMALL;
			before = smp_info(smp);
			p = zalloc_alloc(a, len, align, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, p);
			after = smp_info(smp);
			KUNIT_EXPECT_TRUE_MSG(test,
					      IS_ALIGNED((unsigned long)p, align),
					      "%p: len %zu align %zu", p, len,
					      align);
			KUNIT_EXPECT_EQ_MSG(test, after.live_objects,
					    before.live_objects + small,
					    "len %zu align %zu", len, align);
			KUNIT_EXPECT_EQ(test, after.large_live,
					before.large_live + !small);
			memset(p, 0x3c, len);
			KUNIT_EXPECT_NULL(test, memchr_inv(p, 0x3c, len));
			zalloc_free(a, p, len, align);
		}
	}
	after = smp_info(smp);
	KUNIT_EXPECT_EQ(test, after.live_objects, 0);
	KUNIT_EXPECT_EQ(test, after.large_live, 0);
}

/* The large path, and realloc across the small/large line (copies). */
static void smp_large_path(struct kunit *test)
{
	static const size_t lens[] = {
		SMP_MAX_SMALL + 1, SZ_64K, 100000, SZ_1M,
		(PAGE_SIZE << MAX_PAGE_ORDER) + 1,	/* vmalloc */
	};
	struct zalloc_smp *smp = smp_test_create(test, NULL);
	const struct zalloc *a = zalloc_smp_zalloc(smp);
	struct zalloc_smp_info info;
	unsigned int i;
	u8 *p, *q, *r;

	for (i = 0; i < ARRAY_SIZE(lens); i++)
		smp_check_large(test, smp, lens[i], 1);
	smp_check_large(test, smp, 100000, SZ_64K);
	smp_check_large(test, smp, 1, SZ_64K);

	p = zalloc_alloc(a, 1000, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	memset(p, 0x77, 1000);
	q = zalloc_realloc(a, p, 1000, 8, 50000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_PTR_NE(test, (void *)p, (void *)q);
	KUNIT_EXPECT_NULL(test, memchr_inv(q, 0x77, 1000));
	info = smp_info(smp);
	KUNIT_EXPECT_EQ(test, info.live_objects, 0);
	KUNIT_EXPECT_EQ(test, info.large_live, 1);
	r = zalloc_realloc(a, q, 50000, 8, 100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_EXPECT_NULL(test, memchr_inv(r, 0x77, 100));
	info = smp_info(smp);
	KUNIT_EXPECT_EQ(test, info.live_objects, 1);
	KUNIT_EXPECT_EQ(test, info.large_live, 0);
	zalloc_free(a, r, 100, 8);
}

/*
 * A slab holds SMP_SLAB / size blocks, handed out in address order; freed
 * blocks come back before the slab's untouched end or a new slab; up to
 * ZALLOC_SMP_EMPTY_MAX empty slabs stay cached for any class, the next one
 * goes back to the buddy allocator.
 */
static void smp_slab_reuse(struct kunit *test)
{
	const unsigned int n = SMP_SLAB / 256;
	struct zalloc_smp *smp = smp_test_create(test, NULL);
	const struct zalloc *a = zalloc_smp_zalloc(smp);
	struct zalloc_smp_info info;
	unsigned long base;
	unsigned int i;
	void **p, *q;

	p = kunit_kcalloc(test, 3 * n, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	smp_pin(test, raw_smp_processor_id());

	for (i = 0; i < n; i++) {
		p[i] = zalloc_alloc(a, 256, 1, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	base = (unsigned long)p[0];
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED(base, SMP_SLAB));
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, (unsigned long)p[i], base + i * 256);
	info = smp_info(smp);
	KUNIT_EXPECT_EQ(test, info.slabs_taken, 1);

	/* Full: the next block takes a second slab. */
	q = zalloc_alloc(a, 256, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_EQ(test, smp_info(smp).slabs_taken, 2);
	zalloc_free(a, q, 256, 1);

	/* A freed block is the next one handed out. */
	zalloc_free(a, p[7], 256, 1);
	KUNIT_EXPECT_PTR_EQ(test, zalloc_alloc(a, 256, 1, GFP_KERNEL), p[7]);

	for (i = 0; i < n; i++)
		zalloc_free(a, p[i], 256, 1);
	info = smp_info(smp);
	KUNIT_EXPECT_EQ(test, info.empty_cached, 2);
	KUNIT_EXPECT_EQ(test, info.slabs_returned, 0);

	/* Cached empty slabs serve any class: no new slab. */
	for (i = 0; i < n / 4; i++) {
		p[i] = zalloc_alloc(a, 1024, 1, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	KUNIT_EXPECT_EQ(test, smp_info(smp).slabs_taken, 2);
	for (i = 0; i < n / 4; i++)
		zalloc_free(a, p[i], 1024, 1);

	/* Three slabs emptied: two stay cached, one goes back. */
	for (i = 0; i < 3 * n; i++) {
		p[i] = zalloc_alloc(a, 256, 1, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	info = smp_info(smp);
	KUNIT_EXPECT_EQ(test, info.slabs_taken, 3);
	KUNIT_EXPECT_EQ(test, info.empty_cached, 0);
	for (i = 0; i < 3 * n; i++)
		zalloc_free(a, p[i], 256, 1);
	info = smp_info(smp);
	KUNIT_EXPECT_EQ(test, info.slabs_returned, 1);
	KUNIT_EXPECT_EQ(test, info.empty_cached, 2);
	KUNIT_EXPECT_EQ(test, info.slabs, 2);
	KUNIT_EXPECT_EQ(test, info.live_objects, 0);
}

/* Double, misplaced and foreign frees are refused; a bad link is dropped. */
static void smp_bad_frees(struct kunit *test)
{
	struct zalloc_smp *smp = smp_test_create(test, NULL);
	const struct zalloc *a = zalloc_smp_zalloc(smp);
	struct zalloc_smp_info info;
	u8 *x, *y, *keep, *p, *q;
	void *k, *v;

	smp_pin(test, raw_smp_processor_id());
	x = zalloc_alloc(a, 64, 8, GFP_KERNEL);
	y = zalloc_alloc(a, 64, 8, GFP_KERNEL);
	keep = zalloc_alloc(a, 64, 8, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, x && y && keep);

	zalloc_free(a, x, 64, 8);
	zalloc_free(a, x, 64, 8);
	info = smp_info(smp);
	KUNIT_EXPECT_EQ(test, info.double_frees, 1);
	KUNIT_EXPECT_EQ(test, info.live_objects, 2);
	/* x went back once, so it comes back once. */
	p = zalloc_alloc(a, 64, 8, GFP_KERNEL);
	q = zalloc_alloc(a, 64, 8, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, p, x);
	KUNIT_EXPECT_TRUE(test, q && q != x && q != y && q != keep);

	/* Not a block of this instance, or not of that size: refused. */
	zalloc_free(a, x + 8, 64, 8);
	zalloc_free(a, x, 128, 8);
	k = kmalloc(64, GFP_KERNEL);
	v = vmalloc(64);
	KUNIT_ASSERT_TRUE(test, k && v);
	zalloc_free(a, k, 64, 8);
	zalloc_free(a, v, 64, 8);
	kfree(k);
	vfree(v);
	info = smp_info(smp);
	KUNIT_EXPECT_EQ(test, info.invalid_frees, 4);
	KUNIT_EXPECT_EQ(test, info.live_objects, 4);
	zalloc_free(a, p, 64, 8);
	zalloc_free(a, q, 64, 8);
	zalloc_free(a, y, 64, 8);

	/* A link overwritten after free: reported, list dropped, no harm. */
	zalloc_free(a, keep, 64, 8);
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
	KUNIT_EXPECT_TRUE(test, p != x && p != y && q != x && q != y &&
			  p != q);
	memset(p, 1, 32);
	memset(q, 2, 32);
	info = smp_info(smp);
	KUNIT_EXPECT_EQ(test, info.corrupt_lists, 1);
	zalloc_free(a, p, 32, 8);
	zalloc_free(a, q, 32, 8);
	zalloc_free(a, keep, 32, 8);
	info = smp_info(smp);
	KUNIT_EXPECT_EQ(test, info.live_objects, 0);
	KUNIT_EXPECT_EQ(test, info.slabs, info.empty_cached);
}

/* GFP_ATOMIC takes fresh slabs under a spinlock; __GFP_ZERO zeroes reuse. */
static void smp_atomic_and_zero(struct kunit *test)
{
	static DEFINE_SPINLOCK(lock);
	struct zalloc_smp *smp = smp_test_create(test, NULL);
	const struct zalloc *a = zalloc_smp_zalloc(smp);
	void *p[ZALLOC_SMP_NR_CLASSES + 1];
	size_t len;
	unsigned int c;
	u8 *z, *r;

	spin_lock(&lock);
	for (c = 0; c <= ZALLOC_SMP_NR_CLASSES; c++)
		p[c] = zalloc_alloc(a, 8 << c, 8, GFP_ATOMIC);
	spin_unlock(&lock);
	for (c = 0; c <= ZALLOC_SMP_NR_CLASSES; c++) {
		len = 8 << c;
		KUNIT_ASSERT_NOT_NULL_MSG(test, p[c], "len %zu", len);
		memset(p[c], 0xee, len);
		zalloc_free(a, p[c], len, 8);
	}
	KUNIT_EXPECT_EQ(test, smp_info(smp).slabs_taken, ZALLOC_SMP_NR_CLASSES);

	smp_pin(test, raw_smp_processor_id());
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

/*
 * Zig's max_alloc_search: a slot with nothing for a class uses the next
 * slot's slab before taking a new one.  Frees go home to the slab's slot
 * and count as remote when run elsewhere.
 */
static void smp_search_and_remote(struct kunit *test)
{
	struct zalloc_smp *smp = smp_test_create(test, NULL);
	const struct zalloc *a = zalloc_smp_zalloc(smp);
	struct zalloc_smp_info info;
	unsigned int cpu, home = nr_cpu_ids;
	void *p, *q;

	for_each_online_cpu(cpu) {
		if (cpu_online((cpu + 1) % nr_cpu_ids) &&
		    (cpu + 1) % nr_cpu_ids != cpu) {
			home = cpu;
			break;
		}
	}
	if (home == nr_cpu_ids)
		kunit_skip(test, "needs two online CPUs with adjacent slots");

	smp_pin(test, (home + 1) % nr_cpu_ids);
	p = zalloc_alloc(a, 128, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	smp_pin(test, home);
	q = zalloc_alloc(a, 128, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	info = smp_info(smp);
	KUNIT_EXPECT_EQ(test, info.slabs_taken, 1);
	KUNIT_EXPECT_EQ(test, (unsigned long)q, (unsigned long)p + 128);
	zalloc_free(a, q, 128, 8);
	zalloc_free(a, p, 128, 8);
	info = smp_info(smp);
	KUNIT_EXPECT_EQ(test, info.remote_frees, 2);
	KUNIT_EXPECT_EQ(test, info.live_objects, 0);
}

static size_t ret_size(unsigned long i)
{
	return 64UL << (i % 7);		/* 64 B .. 4 KiB */
}

static void smp_kvfree(void *p)
{
	kvfree(p);
}

/*
 * ziglang/zig#23592: allocate 64 MiB in small blocks, free them all in
 * random order; at least 90% of the slabs must go back at once, and the
 * shrinker must give back the rest.
 */
static void smp_memory_return(struct kunit *test)
{
	struct zalloc_smp *smp = smp_test_create(test, NULL);
	const struct zalloc *a = zalloc_smp_zalloc(smp);
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL };
	unsigned long n = 0, i, j, idx, taken, returned, cached;
	unsigned long count, freed, bytes = 0;
	struct zalloc_smp_info info;
	struct rnd_state rnd;
	struct shrinker *sh;
	void **p;

	while (bytes < SZ_64M)
		bytes += ret_size(n++);
	p = kvcalloc(n, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, 0, kunit_add_action_or_reset(test, smp_kvfree, p));

	for (i = 0; i < n; i++) {
		p[i] = zalloc_alloc(a, ret_size(i), 8, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		*(unsigned long *)p[i] = i;
	}
	info = smp_info(smp);
	taken = info.slabs_taken;
	KUNIT_EXPECT_EQ(test, info.live_objects, n);
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
	info = smp_info(smp);
	returned = info.slabs_returned;
	cached = info.empty_cached;
	KUNIT_EXPECT_EQ(test, info.live_objects, 0);
	KUNIT_EXPECT_EQ(test, info.slabs, cached);
	KUNIT_EXPECT_GE(test, returned * 10, taken * 9);
	kunit_info(test, "64 MiB in %lu blocks took %lu slabs (%lu KiB); freeing all gave back %lu at once (%lu.%lu%%), %lu stayed cached\n",
		   n, taken, taken * (SMP_SLAB >> 10), returned,
		   returned * 100 / taken, returned * 1000 / taken % 10, cached);

	sh = zalloc_smp_shrinker(smp);
	KUNIT_ASSERT_NOT_NULL(test, sh);
	count = sh->count_objects(sh, &sc);
	KUNIT_EXPECT_EQ(test, count,
			cached ? cached * SMP_SLAB_PAGES : SHRINK_EMPTY);
	sc.nr_to_scan = count;
	freed = sh->scan_objects(sh, &sc);
	if (cached)
		KUNIT_EXPECT_EQ(test, freed, count);
	info = smp_info(smp);
	KUNIT_EXPECT_EQ(test, info.slabs, 0);
	KUNIT_EXPECT_EQ(test, info.empty_cached, 0);
	KUNIT_EXPECT_EQ(test, info.slabs_returned, taken);
	KUNIT_EXPECT_EQ(test, info.shrinker_reclaims, cached);
	KUNIT_EXPECT_EQ(test, sh->count_objects(sh, &sc), SHRINK_EMPTY);
	kunit_info(test, "shrinker counted %lu pages and gave back %lu; %lu slabs held after\n",
		   cached ? count : 0, cached ? freed : 0, info.slabs);
}

/* One kthread per CPU, 100,000 operations each, a quarter of frees remote. */
static void smp_cross_cpu_stress(struct kunit *test)
{
	struct zalloc_smp *smp = smp_test_create(test, NULL);
	struct zalloc_xcpu_cfg cfg = {
		.a = zalloc_smp_zalloc(smp),
		.ops = 100000,
		.max_small = SMP_MAX_SMALL,
		.max_large = 4 * SMP_MAX_SMALL,
		.large_permille = 2,
		.handoff_pct = 25,
	};
	struct zalloc_xcpu_result res;
	struct zalloc_smp_info info;

	zalloc_xcpu_stress(test, &cfg, &res);
	info = smp_info(smp);
	kunit_info(test, "%u threads, %lu ms: %lu allocs, %lu frees, %lu handed over; slots: %lu remote frees, %lu contended try-locks; %lu slabs taken, %lu returned\n",
		   res.threads, res.ms, res.allocs, res.frees, res.handed,
		   info.remote_frees, info.contended, info.slabs_taken,
		   info.slabs_returned);
	KUNIT_EXPECT_GE(test, res.min_ops, cfg.ops);
	KUNIT_EXPECT_EQ(test, res.failed, 0);
	KUNIT_EXPECT_EQ(test, res.corrupt, 0);
	KUNIT_EXPECT_EQ(test, res.allocs, res.frees);
	if (res.threads > 1) {
		KUNIT_EXPECT_GT(test, res.handed, 0);
		KUNIT_EXPECT_GT(test, info.remote_frees, 0);
	}
	zalloc_xcpu_expect_smp_clean(test, &info);
	zalloc_xcpu_expect_balanced(test, zalloc_smp_instance(smp));
	KUNIT_EXPECT_EQ(test, smp_test_destroy_now(test, smp), 0);
}

/* A hard hrtimer allocates on the CPU where a kthread hammers its slot. */
static void smp_hardirq(struct kunit *test)
{
	struct zalloc_smp *smp = smp_test_create(test, NULL);
	struct zalloc_irq_result res;
	struct zalloc_smp_info info;

	zalloc_irq_hammer(test, zalloc_smp_zalloc(smp), 512, 200, &res);
	info = smp_info(smp);
	kunit_info(test, "hard IRQ: %lu allocs, %lu frees; process side: %lu operations\n",
		   res.irq_allocs, res.irq_frees, res.proc_ops);
	KUNIT_EXPECT_GE(test, res.irq_allocs, 200);
	KUNIT_EXPECT_EQ(test, res.irq_failed, 0);
	KUNIT_EXPECT_EQ(test, res.not_hardirq, 0);
	KUNIT_EXPECT_EQ(test, res.proc_failed, 0);
	KUNIT_EXPECT_EQ(test, res.corrupt, 0);
	KUNIT_EXPECT_GT(test, res.proc_ops, 0);
	KUNIT_EXPECT_EQ(test, info.live_objects, 0);
	KUNIT_EXPECT_EQ(test, info.allocs, info.frees);
	zalloc_xcpu_expect_balanced(test, zalloc_smp_instance(smp));
}

/* Destroy with live blocks: counted, reported, every slab given back. */
static void smp_destroy_live(struct kunit *test)
{
	struct zalloc_smp *smp = zalloc_smp_create("kunit-smp-live", 0);
	const struct zalloc *a;
	void *p[4], *big;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, smp);
	a = zalloc_smp_zalloc(smp);
	p[0] = zalloc_alloc(a, 64, 8, GFP_KERNEL);
	p[1] = zalloc_alloc(a, 64, 8, GFP_KERNEL);
	p[2] = zalloc_alloc(a, 4096, 8, GFP_KERNEL);
	p[3] = zalloc_alloc(a, 64, 8, GFP_KERNEL);
	big = zalloc_alloc(a, 100000, 8, GFP_KERNEL);
	for (i = 0; i < ARRAY_SIZE(p); i++)
		KUNIT_EXPECT_NOT_NULL(test, p[i]);
	KUNIT_EXPECT_NOT_NULL(test, big);
	zalloc_free(a, p[3], 64, 8);
	KUNIT_EXPECT_EQ(test, zalloc_smp_destroy(smp), 4);
	/* Large blocks are the page allocator's: they can still go back. */
	zalloc_free(&zalloc_page_allocator, big, 100000, 8);
}

/* Print one of an instance's debugfs tables into @buf. */
static void smp_show(struct zalloc_instance *inst,
		     void (*show)(struct seq_file *m,
				  struct zalloc_instance *inst),
		     char *buf, size_t size)
{
	struct seq_file m = { .buf = buf, .size = size };

	show(&m, inst);
	buf[min(m.count, size - 1)] = '\0';
}

/* What the debugfs files of an instance show (registered, then gone). */
static void smp_tables(struct kunit *test)
{
	const size_t size = 8192;
	struct zalloc_smp *smp = smp_test_create(test, "kunit-smp-tables");
	struct zalloc_instance *inst = zalloc_smp_instance(smp);
	const struct zalloc *a = zalloc_smp_zalloc(smp);
	char *buf = kunit_kzalloc(test, size, GFP_KERNEL);
	char row[64];
	void *p;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, inst->iops);
	KUNIT_EXPECT_STREQ(test, inst->name, "kunit-smp-tables");
	KUNIT_EXPECT_STREQ(test, inst->kind, "smp");
	p = zalloc_alloc(a, 64, 8, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);

	smp_show(inst, inst->iops->show_stats, buf, size);
	KUNIT_EXPECT_NOT_NULL(test, strstr(buf, "\nslabs_taken 1\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(buf, "\nlive_objects 1\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(buf, "\nempty_slabs_cached 0\n"));
	smp_show(inst, inst->iops->show_classes, buf, size);
	KUNIT_EXPECT_NOT_NULL(test, strstr(buf, "class"));
	snprintf(row, sizeof(row), "%5u %6u %10u %10u %8u %8lu\n", 3, 64, 1,
		 0, 1, SMP_SLAB_PAGES);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(buf, row), "%s", buf);
	smp_show(inst, inst->iops->show_cpus, buf, size);
	KUNIT_EXPECT_NOT_NULL(test, strstr(buf, "remote_frees"));
	zalloc_free(a, p, 64, 8);

	smp_show(inst, inst->iops->show_stats, buf, size);
	KUNIT_EXPECT_NOT_NULL(test, strstr(buf, "\nlive_objects 0\n"));
	KUNIT_EXPECT_NOT_NULL(test, strstr(buf, "\nempty_slabs_cached 1\n"));
}

/* The global instance: small and large, and destroy refuses it. */
static void smp_global(struct kunit *test)
{
	const struct zalloc *a = &zalloc_smp_allocator;
	struct zalloc_smp *smp = zalloc_smp_of(a);
	u8 *p, *big;

	KUNIT_ASSERT_NOT_NULL(test, smp);
	KUNIT_EXPECT_NULL(test, zalloc_smp_of(&zalloc_page_allocator));
	KUNIT_EXPECT_NULL(test, zalloc_smp_of(NULL));
	KUNIT_EXPECT_EQ(test, zalloc_smp_destroy(smp), 0);
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

static struct kunit_case zalloc_smp_cases[] = {
	KUNIT_CASE(smp_class_boundaries),
	KUNIT_CASE(smp_alignments),
	KUNIT_CASE(smp_large_path),
	KUNIT_CASE(smp_slab_reuse),
	KUNIT_CASE(smp_bad_frees),
	KUNIT_CASE(smp_atomic_and_zero),
	KUNIT_CASE(smp_search_and_remote),
	KUNIT_CASE_SLOW(smp_memory_return),
	KUNIT_CASE_SLOW(smp_cross_cpu_stress),
	KUNIT_CASE(smp_hardirq),
	KUNIT_CASE(smp_destroy_live),
	KUNIT_CASE(smp_tables),
	KUNIT_CASE(smp_global),
	{}
};

static struct kunit_suite zalloc_smp_suite = {
	.name = "zalloc_smp",
	.test_cases = zalloc_smp_cases,
};

kunit_test_suites(&zalloc_smp_suite);
