// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc_faults: every allocator under the kernel's fault injection.
 *
 * tools/init.sh arms failslab and fail_page_alloc for tasks that ask for it
 * (task-filter=Y, every gfp and order, probability 10%, no stack dumps);
 * the cases here set current->make_it_fail around each allocator call, and
 * nowhere else, so only the allocator's own kmalloc and page allocations
 * fail.  Every case checks that:
 *
 *  - failures really happened (a fault test that never sees a NULL tests
 *    nothing, so that is a failure, pointing at the debugfs setup);
 *  - a failed alloc is NULL, a failed resize/remap/realloc leaves the block
 *    as it was, contents included; successful ones keep the contents;
 *  - the instance's counters match what the calls returned (allocations,
 *    failed allocations, frees) and, once every block is freed, requested
 *    and backing bytes balance;
 *  - with the faults off, T1..T4 of the contract suite pass on the same
 *    instance.
 *
 * Cases: a seeded random workload (one thread), the same workload from a
 * kthread per online CPU at once (kunit/xcpu.c runs them), a sweep that
 * fails each allocation
 * point of an operation in turn (current->fail_nth), and the smp suite's
 * cross-CPU stress (kunit/xcpu.c: remote frees, try-lock rotation) with
 * faults on in every thread.
 *
 * The random workloads keep to sizes no allocator serves from vmalloc (24
 * KiB at most, less where the table's faults_max_len says so): under fault
 * injection 6.12's vmalloc WARNs in va_alloc() when its GFP_NOWAIT
 * vmap_area allocation fails after a failed preload (mm/vmalloc.c), a
 * kernel-side false alarm needing two failures in one vmalloc() call.  The
 * fail_nth sweep fails a single point per call, so it may go through
 * vmalloc.
 */
#include <kunit/test.h>
#include <linux/cpumask.h>
#include <linux/prandom.h>
#include <zalloc/registry.h>
#include <zalloc/smp.h>
#include <zalloc/stats.h>

#include "xcpu.h"
#include "zalloc_kunit.h"

#define FAULTS_SLOTS		32
#define FAULTS_OPS		400
#define FAULTS_THREAD_OPS	200
#define FAULTS_MAX_LEN		(24 * 1024)	/* unless the table says less */
#define FAULTS_GFP		(GFP_KERNEL | __GFP_NOWARN)

struct faults_block {
	u8 *p;
	size_t len;
	size_t align;
	u8 seed;
};

/**
 * struct faults_run - one thread's random workload
 * @v: the validating wrapper it calls through (its own: not thread safe)
 * @rnd: the workload's random state, seeded per run
 * @blk: the blocks it holds
 * @refused: resize/remap/realloc calls that failed, block kept
 * @corrupt: blocks found with wrong contents
 * @inject: calls run with make_it_fail set (false: a control run)
 * @max_len: the largest block it asks for
 */
struct faults_run {
	struct zalloc_validator *v;
	struct rnd_state rnd;
	struct faults_block blk[FAULTS_SLOTS];
	unsigned long refused;
	unsigned long corrupt;
	bool inject;
	size_t max_len;
};

static void faults_on(struct faults_run *r)
{
	if (r->inject)
		zalloc_test_faults_on();
}

static u32 faults_rand(struct faults_run *r, u32 n)
{
	return prandom_u32_state(&r->rnd) % n;
}

static size_t faults_len(struct faults_run *r)
{
	u32 k = faults_rand(r, 10);
	size_t mid = r->max_len / 3;

	if (k < 7)
		return 1 + faults_rand(r, 512);
	if (k < 9)
		return 513 + faults_rand(r, mid - 512);
	return mid + 1 + faults_rand(r, r->max_len - mid);
}

static void faults_fill(struct faults_block *b)
{
	size_t i;

	for (i = 0; i < b->len; i++)
		b->p[i] = b->seed + i;
}

/* Check up to @len bytes: all of a small block, a sample of a large one. */
static bool faults_intact(const struct faults_block *b, size_t len)
{
	size_t step = len > 1024 ? 61 : 1, i;

	for (i = 0; i < len; i += step)
		if (b->p[i] != (u8)(b->seed + i))
			return false;
	return !len || b->p[len - 1] == (u8)(b->seed + len - 1);
}

static void faults_check(struct faults_run *r, struct faults_block *b,
			 size_t len)
{
	if (!faults_intact(b, len))
		r->corrupt++;
}

static void faults_alloc(struct faults_run *r, struct faults_block *b)
{
	const struct zalloc *za = &r->v->za;

	b->len = faults_len(r);
	b->align = 1UL << faults_rand(r, 13);
	b->seed = faults_rand(r, 256);
	faults_on(r);
	b->p = zalloc_alloc(za, b->len, b->align, FAULTS_GFP);
	zalloc_test_faults_off();
	if (b->p)
		faults_fill(b);
}

/* Resize, remap or realloc @b to a random length, faults on. */
static void faults_relen(struct faults_run *r, struct faults_block *b, u32 op)
{
	const struct zalloc *za = &r->v->za;
	size_t new_len = faults_len(r);
	bool ok;
	u8 *p;

	faults_on(r);
	if (op == 0) {
		ok = zalloc_resize(za, b->p, b->len, b->align, new_len,
				   FAULTS_GFP);
		p = ok ? b->p : NULL;
	} else if (op == 1) {
		p = zalloc_remap(za, b->p, b->len, b->align, new_len,
				 FAULTS_GFP);
	} else {
		p = zalloc_realloc(za, b->p, b->len, b->align, new_len,
				   FAULTS_GFP);
	}
	zalloc_test_faults_off();
	if (!p) {
		r->refused++;
		faults_check(r, b, b->len);
		return;
	}
	b->p = p;
	faults_check(r, b, min(b->len, new_len));
	b->len = new_len;
	faults_fill(b);
}

static void faults_free(struct faults_run *r, struct faults_block *b)
{
	faults_check(r, b, b->len);
	zalloc_free(&r->v->za, b->p, b->len, b->align);
	b->p = NULL;
}

static void faults_step(struct faults_run *r)
{
	struct faults_block *b = &r->blk[faults_rand(r, FAULTS_SLOTS)];
	u32 op;

	if (!b->p) {
		faults_alloc(r, b);
		return;
	}
	op = faults_rand(r, 8);
	if (op < 3)
		faults_free(r, b);
	else
		faults_relen(r, b, (op - 3) % 3);
}

static void faults_workload(struct faults_run *r, unsigned int ops)
{
	unsigned int i;

	for (i = 0; i < ops; i++)
		faults_step(r);
	for (i = 0; i < FAULTS_SLOTS; i++)
		if (r->blk[i].p)
			faults_free(r, &r->blk[i]);
}

static struct faults_run *faults_new_run(struct kunit *test,
					 const struct zalloc_test_allocator *t,
					 const struct zalloc *a, u64 seed)
{
	struct faults_run *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->v = zalloc_test_validator(test, a);
	r->inject = true;
	r->max_len = t->faults_max_len ?: FAULTS_MAX_LEN;
	prandom_seed_state(&r->rnd, seed);
	return r;
}

struct faults_snapshot {
	struct zalloc_instance *inst;
	struct zalloc_stats_sum before;
};

static void faults_snap(struct kunit *test, struct faults_snapshot *s,
			const struct zalloc *a)
{
	s->inst = zalloc_instance_of(a);
	KUNIT_ASSERT_NOT_NULL(test, s->inst);
	zalloc_stats_read(s->inst, &s->before);
}

/* The counters moved exactly as the calls through @runs say. */
static void faults_expect_counters(struct kunit *test,
				   const struct faults_snapshot *s,
				   const struct zalloc_test_allocator *t,
				   struct faults_run **runs, int nr)
{
	unsigned long allocs = 0, nulls = 0, frees = 0, d[NR_ZALLOC_STATS];
	struct zalloc_stats_sum now;
	int i;

	for (i = 0; i < nr; i++) {
		zalloc_test_expect_balanced(runs[i]->v);
		KUNIT_EXPECT_EQ(test, runs[i]->corrupt, 0);
		allocs += runs[i]->v->allocs;
		nulls += runs[i]->v->alloc_nulls;
		frees += runs[i]->v->frees;
	}
	zalloc_stats_read(s->inst, &now);
	for (i = 0; i < NR_ZALLOC_STATS; i++)
		d[i] = now.v[i] - s->before.v[i];
	KUNIT_EXPECT_EQ(test, d[ZALLOC_STAT_ALLOC], allocs);
	KUNIT_EXPECT_EQ(test, d[ZALLOC_STAT_ALLOC_FAIL], nulls);
	KUNIT_EXPECT_EQ(test, d[ZALLOC_STAT_FREE], frees);
	KUNIT_EXPECT_EQ(test, d[ZALLOC_STAT_BYTES_ALLOC],
			d[ZALLOC_STAT_BYTES_FREE]);
	if (!t->keeps_backing)
		KUNIT_EXPECT_EQ(test, d[ZALLOC_STAT_BACKING_ALLOC],
				d[ZALLOC_STAT_BACKING_FREE]);
}

static void faults_require(struct kunit *test)
{
	const struct zalloc_test_allocator *t = zalloc_test_param(test);

	if (!zalloc_test_faults_available())
		kunit_skip(test, "needs CONFIG_FAILSLAB and CONFIG_FAIL_PAGE_ALLOC");
	if (t->faults_skip)
		kunit_skip(test, "%s makes no kernel allocation to fail", t->name);
}

/* Seeded per case and allocator, so a failing run can be repeated. */
static u64 faults_seed(const struct zalloc_test_allocator *t)
{
	return 0x5a110c00ULL ^ strlen(t->name) ^ ((u64)t->name[0] << 8);
}

static void faults_random(struct kunit *test)
{
	const struct zalloc_test_allocator *t = zalloc_test_param(test);
	const struct zalloc *a;
	struct faults_snapshot snap;
	struct faults_run *ctl, *r;

	faults_require(test);
	a = zalloc_test_get(test, t);
	faults_snap(test, &snap, a);

	/* Control: the same kind of workload without faults never fails. */
	ctl = faults_new_run(test, t, a, faults_seed(t) + 1);
	ctl->inject = false;
	faults_workload(ctl, FAULTS_OPS / 4);
	KUNIT_EXPECT_EQ(test, ctl->v->alloc_nulls, 0);

	r = faults_new_run(test, t, a, faults_seed(t));
	faults_workload(r, FAULTS_OPS);
	kunit_info(test, "%s: %lu allocations, %lu NULL, %lu refused",
		   t->name, r->v->allocs, r->v->alloc_nulls, r->refused);
	if (!t->faults_rare)
		KUNIT_EXPECT_GT_MSG(test, r->v->alloc_nulls, 0,
				    "no injected failure: are failslab and fail_page_alloc armed (tools/init.sh)?");
	KUNIT_EXPECT_GT(test, r->v->allocs, 0);
	faults_expect_counters(test, &snap, t, (struct faults_run *[]){ ctl, r },
			       2);
	zalloc_contract_all(test, a);
}

static void faults_thread_fn(void *data, unsigned int idx)
{
	struct faults_run **runs = data;

	faults_workload(runs[idx], FAULTS_THREAD_OPS);
}

static void faults_threads(struct kunit *test)
{
	const struct zalloc_test_allocator *t = zalloc_test_param(test);
	unsigned int n = num_online_cpus(), i = 0, cpu;
	struct faults_snapshot snap;
	struct faults_run **runs;
	unsigned long nulls = 0;
	const struct zalloc *a;

	faults_require(test);
	if (t->serial)
		kunit_skip(test, "%s: calls must be serialised", t->name);
	a = zalloc_test_get(test, t);
	faults_snap(test, &snap, a);
	runs = kunit_kcalloc(test, n, sizeof(*runs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, runs);
	/* One run per thread; the harness numbers them in CPU order too. */
	for_each_online_cpu(cpu) {
		if (i == n)
			break;
		runs[i++] = faults_new_run(test, t, a,
					   faults_seed(t) + 100 + cpu);
	}
	KUNIT_ASSERT_EQ(test, i, n);
	KUNIT_ASSERT_EQ(test, zalloc_xcpu_run(test, NULL, faults_thread_fn,
					      runs), n);
	for (i = 0; i < n; i++)
		nulls += runs[i]->v->alloc_nulls;
	kunit_info(test, "%s: %u threads, %lu NULL", t->name, n, nulls);
	if (!t->faults_rare)
		KUNIT_EXPECT_GT(test, nulls, 0);
	faults_expect_counters(test, &snap, t, runs, n);
	zalloc_contract_all(test, a);
}

#ifdef CONFIG_FAULT_INJECTION
/*
 * Fail the @nth allocation the kernel makes for this task from now on
 * (current->fail_nth, as /proc/self/fail-nth sets it): deterministic, and
 * independent of the probability.  Return whether it was used up.
 */
static void faults_nth_arm(unsigned int nth)
{
	WRITE_ONCE(current->fail_nth, nth);
}

static bool faults_nth_fired(void)
{
	bool fired = !READ_ONCE(current->fail_nth);

	WRITE_ONCE(current->fail_nth, 0);
	return fired;
}

#define FAULTS_NTH_MAX		64

/*
 * Sweep: for n = 1, 2, ... fail the n-th allocation point of alloc, then
 * of a growing realloc, until an operation gets through without reaching
 * its n-th point.  Every point must fail cleanly: NULL, block kept.
 */
static void faults_every_point(struct kunit *test)
{
	static const size_t lens[] = { 40, 3000, 20000 };
	const struct zalloc_test_allocator *t = zalloc_test_param(test);
	struct faults_snapshot snap;
	unsigned int nth, points = 0;
	struct faults_run *r;
	struct faults_block *b;
	size_t i;
	u8 *p;

	faults_require(test);
	r = faults_new_run(test, t, zalloc_test_get(test, t), faults_seed(t));
	faults_snap(test, &snap, r->v->child);
	b = &r->blk[0];
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		for (nth = 1; nth <= FAULTS_NTH_MAX; nth++) {
			faults_nth_arm(nth);
			p = zalloc_alloc(&r->v->za, lens[i], 64, FAULTS_GFP);
			if (!faults_nth_fired()) {
				KUNIT_EXPECT_NOT_NULL(test, p);
				zalloc_free(&r->v->za, p, lens[i], 64);
				break;
			}
			points++;
			if (p)
				zalloc_free(&r->v->za, p, lens[i], 64);
		}
		for (nth = 1; nth <= FAULTS_NTH_MAX; nth++) {
			b->len = lens[i];
			b->align = 64;
			b->seed = nth;
			b->p = zalloc_alloc(&r->v->za, b->len, 64, FAULTS_GFP);
			KUNIT_ASSERT_NOT_NULL(test, b->p);
			faults_fill(b);
			faults_nth_arm(nth);
			p = zalloc_realloc(&r->v->za, b->p, b->len, 64,
					   b->len * 2 + PAGE_SIZE, FAULTS_GFP);
			if (!faults_nth_fired()) {
				KUNIT_EXPECT_NOT_NULL(test, p);
				if (p)
					b->p = p;
				faults_check(r, b, b->len);
				zalloc_free(&r->v->za, b->p,
					    p ? b->len * 2 + PAGE_SIZE : b->len,
					    64);
				break;
			}
			points++;
			if (p) {
				b->p = p;
				faults_check(r, b, b->len);
				b->len = b->len * 2 + PAGE_SIZE;
			} else {
				faults_check(r, b, b->len);
			}
			zalloc_free(&r->v->za, b->p, b->len, 64);
		}
	}
	b->p = NULL;
	kunit_info(test, "%s: %u failure points, %lu NULL", t->name, points,
		   r->v->alloc_nulls);
	if (!t->faults_rare)
		KUNIT_EXPECT_GT(test, r->v->alloc_nulls, 0);
	faults_expect_counters(test, &snap, t, &r, 1);
	zalloc_contract_all(test, r->v->child);
}
#endif

/* What the threads saw is what the instance counted, and nothing is live. */
static void faults_smp_expect(struct kunit *test, const struct zalloc *a,
			      const struct zalloc_stats_sum *before,
			      const struct zalloc_xcpu_result *res)
{
	struct zalloc_instance *inst = zalloc_instance_of(a);
	unsigned long v[NR_ZALLOC_SMP_COUNTERS];
	struct zalloc_stats_sum now;
	const char *cpus;

	/* The magazines' blocks go back to their slabs first. */
	zalloc_smp_trim(a);
	KUNIT_ASSERT_EQ(test, zalloc_instance_info(inst, v, ARRAY_SIZE(v)),
			ARRAY_SIZE(v));
	zalloc_stats_read(inst, &now);
	KUNIT_EXPECT_EQ(test, res->corrupt, 0);
	KUNIT_EXPECT_EQ(test, res->allocs, res->frees);
	KUNIT_EXPECT_EQ(test, now.v[ZALLOC_STAT_ALLOC] -
			before->v[ZALLOC_STAT_ALLOC], res->allocs);
	KUNIT_EXPECT_EQ(test, now.v[ZALLOC_STAT_ALLOC_FAIL] -
			before->v[ZALLOC_STAT_ALLOC_FAIL], res->failed);
	KUNIT_EXPECT_EQ(test, now.v[ZALLOC_STAT_FREE] -
			before->v[ZALLOC_STAT_FREE], res->frees);
	KUNIT_EXPECT_EQ(test, now.v[ZALLOC_STAT_BYTES_ALLOC],
			now.v[ZALLOC_STAT_BYTES_FREE]);
	KUNIT_EXPECT_EQ(test, v[ZALLOC_SMP_LIVE_OBJECTS], 0);
	KUNIT_EXPECT_EQ(test, v[ZALLOC_SMP_LARGE_LIVE], 0);
	KUNIT_EXPECT_EQ(test, v[ZALLOC_SMP_DOUBLE_FREES], 0);
	KUNIT_EXPECT_EQ(test, v[ZALLOC_SMP_INVALID_FREES], 0);
	KUNIT_EXPECT_EQ(test, v[ZALLOC_SMP_CORRUPT_LISTS], 0);
	/* Only the empty slabs the slots may cache are still held. */
	KUNIT_EXPECT_EQ(test, v[ZALLOC_SMP_SLABS], v[ZALLOC_SMP_EMPTY_CACHED]);
	/* The slots (the "cpus" table) got back every block they gave. */
	cpus = zalloc_test_debugfs(test, zalloc_instance_name(inst), "cpus");
	KUNIT_ASSERT_NOT_NULL(test, cpus);
	KUNIT_EXPECT_EQ(test, zalloc_test_column_sum(cpus, "allocs"),
			zalloc_test_column_sum(cpus, "frees"));
}

/*
 * The smp suite's cross-CPU stress with faults on: slab pages, slab
 * descriptors, large blocks' pages and XArray nodes fail at random while
 * blocks move between CPUs.  Then, faults off, the same instance runs the
 * stress and T1..T4 cleanly.  Blocks up to 24 KiB (see top): 2% of them
 * above ZALLOC_SMP_MAX_SMALL, large ones from the buddy allocator, so
 * that faults bite on every run (with small blocks alone, after the class
 * limit went down to 8 KiB, a run took few enough slabs to see none).
 */
static void faults_smp_cross_cpu(struct kunit *test)
{
	struct zalloc_xcpu_cfg cfg = {
		.ops = 50000,
		.max_small = ZALLOC_SMP_MAX_SMALL,
		.max_large = SZ_16K + SZ_8K,
		.large_permille = 20,
		.handoff_pct = 25,
		.faults = true,
	};
	struct zalloc_xcpu_result res;
	struct zalloc_stats_sum before;
	struct zalloc *a;

	if (!zalloc_test_faults_available())
		kunit_skip(test, "needs CONFIG_FAILSLAB and CONFIG_FAIL_PAGE_ALLOC");
	a = zalloc_test_adopt(test, zalloc_smp_create("kunit-faults-smp", 0));
	cfg.a = a;

	zalloc_stats_read(zalloc_instance_of(a), &before);
	zalloc_xcpu_stress(test, &cfg, &res);
	kunit_info(test, "faults on: %u threads, %lu ms: %lu allocs, %lu NULL, %lu frees, %lu handed over",
		   res.threads, res.ms, res.allocs, res.failed, res.frees,
		   res.handed);
	KUNIT_EXPECT_GE(test, res.min_ops, cfg.ops);
	KUNIT_EXPECT_GT(test, res.failed, 0);
	if (res.threads > 1)
		KUNIT_EXPECT_GT(test, res.handed, 0);
	faults_smp_expect(test, a, &before, &res);

	cfg.faults = false;
	cfg.ops = 10000;
	zalloc_stats_read(zalloc_instance_of(a), &before);
	zalloc_xcpu_stress(test, &cfg, &res);
	KUNIT_EXPECT_EQ(test, res.failed, 0);
	faults_smp_expect(test, a, &before, &res);
	zalloc_contract_all(test, a);
}

static struct kunit_case zalloc_faults_cases[] = {
	KUNIT_CASE_PARAM(faults_random, zalloc_test_gen_allocators),
	KUNIT_CASE_PARAM(faults_threads, zalloc_test_gen_allocators),
#ifdef CONFIG_FAULT_INJECTION
	KUNIT_CASE_PARAM(faults_every_point, zalloc_test_gen_allocators),
#endif
	KUNIT_CASE_SLOW(faults_smp_cross_cpu),
	{}
};

static struct kunit_suite zalloc_faults_suite = {
	.name = "zalloc_faults",
	.test_cases = zalloc_faults_cases,
};

kunit_test_suites(&zalloc_faults_suite);
