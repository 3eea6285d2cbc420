// SPDX-License-Identifier: GPL-2.0
/*
 * The concurrent allocators under ThreadSanitizer: the SMP allocator, the
 * fixed buffer's thread-safe view and a ZALLOC_BITMAP_LOCKED bitmap, each
 * hammered by one thread per CPU: the same allocator files as zalloc.ko
 * (make tsan).
 *
 *  - smp and bitmap: every thread allocates blocks of random sizes and
 *    alignments, stamps each with a pattern of its own (address, length,
 *    serial) over every byte, and hands most of them to another thread,
 *    which checks the pattern and frees them (cross-CPU frees); the rest
 *    it frees itself.  For smp a "time" thread meanwhile runs the work
 *    items (the idle trim drains every CPU's magazines by on_each_cpu()),
 *    RCU callbacks (slabs going back), zalloc_smp_trim() and the shrinker.
 *    Two threads handed overlapping memory would break each other's
 *    pattern.
 *  - the thread-safe view: every thread allocates until the buffer is
 *    full; afterwards every block is checked for alignment, for lying in
 *    the buffer and for overlapping no other, then the buffer is reset and
 *    it starts again.
 *  - smp churn: a producer on CPU 0 allocates batches of 8,192 blocks, a
 *    consumer on CPU 1 frees each whole batch, up to four batches in
 *    flight, 40 rounds at 64 B and at 256 B: the slabs taken from the
 *    page allocator must stay within what four batches fill plus a few,
 *    the steady state reusing them (a busy slot lock once sent the
 *    producer to a fresh slab nearly every refill).
 * At the end of each: the instance's counters balance (as many frees as
 * allocations, bytes likewise), nothing is live, destroy finds nothing.
 * Any ThreadSanitizer report stops the run (halt_on_error=1).  The last
 * line reads "N passed, N failed".
 */
#include <pthread.h>
#include <sched.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>

#include <uk/kernel.h>
#include <zalloc/bitmap.h>
#include <zalloc/fixed.h>
#include <zalloc/registry.h>
#include <zalloc/smp.h>

#include "../glue.h"

#define CPUS		4
#define QUEUE		256

static unsigned long iters = 60000;
static int failures;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "tsan hammer: %s:%d: %s: ", __FILE__, __LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__);				\
		fprintf(stderr, "\n");					\
		uk_dump_messages();					\
		abort();						\
	}								\
} while (0)

struct blk {
	u8 *p;
	size_t len;
	size_t align;
	u64 stamp;
};

/* A thread's inbox: blocks other threads hand it to check and free. */
struct inbox {
	pthread_mutex_t mu;
	struct blk q[QUEUE];
	unsigned int head, nr;
};

static struct inbox inbox[CPUS];
static const struct zalloc *under_test;
static int stop_time;

static u64 rnd(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void stamp(struct blk *b)
{
	size_t i;

	for (i = 0; i < b->len; i++)
		b->p[i] = (u8)(b->stamp + i * 7);
}

static void check(const struct blk *b)
{
	size_t i;

	for (i = 0; i < b->len; i++)
		CHECK(b->p[i] == (u8)(b->stamp + i * 7),
		      "block %p (%zu bytes): byte %zu overwritten", b->p, b->len, i);
}

static bool push(unsigned int to, const struct blk *b)
{
	struct inbox *in = &inbox[to];
	bool ok = false;

	pthread_mutex_lock(&in->mu);
	if (in->nr < QUEUE) {
		in->q[(in->head + in->nr++) % QUEUE] = *b;
		ok = true;
	}
	pthread_mutex_unlock(&in->mu);
	return ok;
}

static bool pop(unsigned int me, struct blk *b)
{
	struct inbox *in = &inbox[me];
	bool ok = false;

	pthread_mutex_lock(&in->mu);
	if (in->nr) {
		*b = in->q[in->head];
		in->head = (in->head + 1) % QUEUE;
		in->nr--;
		ok = true;
	}
	pthread_mutex_unlock(&in->mu);
	return ok;
}

static void release(struct blk *b)
{
	check(b);
	zalloc_free(under_test, b->p, b->len, b->align);
}

/* Alloc, stamp, hand over or free; drain the inbox; repeat. */
static void *exchange_thread(void *arg)
{
	unsigned int me = (unsigned long)arg, to;
	u64 s = 0x9e3779b97f4a7c15ull * (me + 1);
	struct blk b, own[16];
	unsigned int nown = 0;
	unsigned long i;
	size_t max = (size_t)(unsigned long)uk_nr_cpus();

	(void)max;
	uk_attach_cpu(me);
	for (i = 0; i < iters; i++) {
		u64 r = rnd(&s);

		b.len = r % 8 ? 1 + r % 512 : 1 + (r >> 8) % (r % 64 ? 8192 : 131072);
		b.align = (size_t)1 << ((r >> 32) % 7);
		b.p = zalloc_alloc(under_test, b.len, b.align, GFP_KERNEL);
		if (b.p) {
			CHECK(IS_ALIGNED((unsigned long)b.p, b.align), "misaligned");
			b.stamp = (u64)(unsigned long)b.p ^ i ^ ((u64)me << 56);
			stamp(&b);
			to = (me + 1 + (r >> 40) % (CPUS - 1)) % CPUS;
			if ((r >> 48) % 4 == 0 || !push(to, &b)) {
				if (nown == 16)
					release(&own[--nown]);
				own[nown++] = b;
			}
		}
		if ((r >> 52) % 2 && nown)
			release(&own[--nown]);
		while (pop(me, &b))
			release(&b);
	}
	while (nown)
		release(&own[--nown]);
	return NULL;
}

/* Time passing for smp: workers, RCU, trims and the shrinker, concurrently. */
static void *time_thread(void *arg)
{
	const struct zalloc *a = arg;
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL };
	struct shrinker *sh = zalloc_smp_shrinker(a);
	unsigned long n, round = 0;

	while (!__atomic_load_n(&stop_time, __ATOMIC_ACQUIRE)) {
		uk_run_work();
		uk_rcu_quiesce();
		if (round % 3 == 0)
			zalloc_smp_trim(a);
		n = sh->count_objects(sh, &sc);
		if (n && n != SHRINK_EMPTY) {
			sc.nr_to_scan = n;
			sh->scan_objects(sh, &sc);
		}
		round++;
		usleep(2000);
	}
	return NULL;
}

static void run_exchange(const struct zalloc *a, bool with_time)
{
	pthread_t t[CPUS], tt;
	unsigned long i;
	struct blk b;

	under_test = a;
	__atomic_store_n(&stop_time, 0, __ATOMIC_RELAXED);
	if (with_time)
		pthread_create(&tt, NULL, time_thread, (void *)a);
	for (i = 0; i < CPUS; i++)
		pthread_create(&t[i], NULL, exchange_thread, (void *)i);
	for (i = 0; i < CPUS; i++)
		pthread_join(t[i], NULL);
	__atomic_store_n(&stop_time, 1, __ATOMIC_RELEASE);
	if (with_time)
		pthread_join(tt, NULL);
	/* What was handed over after its receiver finished. */
	for (i = 0; i < CPUS; i++)
		while (pop(i, &b))
			release(&b);
}

static void check_balanced(const char *what, struct zalloc_instance *inst)
{
	struct zalloc_stats_sum s;

	zalloc_stats_read(inst, &s);
	CHECK(s.v[ZALLOC_STAT_ALLOC] == s.v[ZALLOC_STAT_FREE],
	      "%s: %lu allocations, %lu frees", what, s.v[ZALLOC_STAT_ALLOC],
	      s.v[ZALLOC_STAT_FREE]);
	CHECK(s.v[ZALLOC_STAT_BYTES_ALLOC] == s.v[ZALLOC_STAT_BYTES_FREE],
	      "%s: %lu bytes allocated, %lu freed", what,
	      s.v[ZALLOC_STAT_BYTES_ALLOC], s.v[ZALLOC_STAT_BYTES_FREE]);
	printf("tsan: %s: %lu allocations, %lu failed, all freed, counters balance\n",
	       what, s.v[ZALLOC_STAT_ALLOC], s.v[ZALLOC_STAT_ALLOC_FAIL]);
}

static void test_smp(void)
{
	struct zalloc *a = zalloc_smp_create(NULL, ZALLOC_F_NODEBUG);
	struct zalloc_instance *inst;
	unsigned long v[32];

	CHECK(a, "create");
	inst = zalloc_instance_of(a);
	run_exchange(a, true);
	uk_run_work();
	uk_rcu_quiesce();
	zalloc_smp_trim(a);
	check_balanced("smp", inst);
	zalloc_instance_info(inst, v, 32);
	CHECK(v[ZALLOC_SMP_LIVE_OBJECTS] == 0 && v[ZALLOC_SMP_LARGE_LIVE] == 0,
	      "smp: %lu small, %lu large blocks live", v[ZALLOC_SMP_LIVE_OBJECTS],
	      v[ZALLOC_SMP_LARGE_LIVE]);
	CHECK(v[ZALLOC_SMP_DOUBLE_FREES] + v[ZALLOC_SMP_INVALID_FREES] +
	      v[ZALLOC_SMP_CORRUPT_LISTS] == 0, "smp: a free was refused");
	printf("tsan: smp: %lu slabs taken, %lu returned\n",
	       v[ZALLOC_SMP_SLABS_TAKEN], v[ZALLOC_SMP_SLABS_RETURNED]);
	CHECK(zalloc_destroy(a) == 0, "smp: destroy found live blocks");
	uk_rcu_quiesce();
}

#define CHURN_BATCH	8192
#define CHURN_DEPTH	4
#define CHURN_ROUNDS	40

static struct {
	const struct zalloc *a;
	size_t size;
	void *blk[CHURN_DEPTH][CHURN_BATCH];
	int full[CHURN_DEPTH];
} churn;

static void *churn_producer(void *arg)
{
	unsigned int r, b, i;

	uk_attach_cpu(0);
	for (r = 0; r < CHURN_ROUNDS; r++) {
		b = r % CHURN_DEPTH;
		while (__atomic_load_n(&churn.full[b], __ATOMIC_ACQUIRE))
			sched_yield();
		for (i = 0; i < CHURN_BATCH; i++) {
			churn.blk[b][i] = zalloc_alloc(churn.a, churn.size, 8,
						       GFP_KERNEL);
			CHECK(churn.blk[b][i], "churn: allocation failed");
		}
		__atomic_store_n(&churn.full[b], 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void *churn_consumer(void *arg)
{
	unsigned int r, b, i;

	uk_attach_cpu(1);
	for (r = 0; r < CHURN_ROUNDS; r++) {
		b = r % CHURN_DEPTH;
		while (!__atomic_load_n(&churn.full[b], __ATOMIC_ACQUIRE))
			sched_yield();
		for (i = 0; i < CHURN_BATCH; i++)
			zalloc_free(churn.a, churn.blk[b][i], churn.size, 8);
		__atomic_store_n(&churn.full[b], 0, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void test_smp_churn(size_t size)
{
	struct zalloc *a = zalloc_smp_create(NULL, ZALLOC_F_NODEBUG);
	unsigned long v[32], fill, bound;
	pthread_t p, c;

	CHECK(a, "create");
	churn.a = a;
	churn.size = size;
	pthread_create(&p, NULL, churn_producer, NULL);
	pthread_create(&c, NULL, churn_consumer, NULL);
	pthread_join(p, NULL);
	pthread_join(c, NULL);
	zalloc_instance_info(zalloc_instance_of(a), v, 32);
	fill = CHURN_DEPTH * CHURN_BATCH * size / ZALLOC_SMP_SLAB_SIZE;
	bound = fill + fill / 4 + 8;
	printf("tsan: smp churn %zu B: %lu slabs taken for %u blocks (%lu fill the batches in flight)\n",
	       size, v[ZALLOC_SMP_SLABS_TAKEN], CHURN_ROUNDS * CHURN_BATCH,
	       fill);
	CHECK(v[ZALLOC_SMP_SLABS_TAKEN] <= bound,
	      "smp churn %zu B: %lu slabs taken, at most %lu expected",
	      size, v[ZALLOC_SMP_SLABS_TAKEN], bound);
	check_balanced("smp churn", zalloc_instance_of(a));
	CHECK(zalloc_destroy(a) == 0, "smp churn: destroy found live blocks");
	uk_rcu_quiesce();
}

static void test_bitmap(void)
{
	struct zalloc_bitmap *b = zalloc_bitmap_create(64, 64 * 16384,
						       ZALLOC_BITMAP_LOCKED |
						       ZALLOC_F_NODEBUG, NULL);

	CHECK(!IS_ERR(b), "create");
	run_exchange(zalloc_bitmap_allocator(b), false);
	check_balanced("bitmap (locked)", &b->inst);
	CHECK(zalloc_bitmap_free_count(b) == b->nr_chunks, "bitmap: %zu of %zu chunks free",
	      zalloc_bitmap_free_count(b), b->nr_chunks);
	zalloc_bitmap_destroy(b);
}

/* The thread-safe view: fill the buffer from every CPU, check, reset. */
#define TS_SIZE		(1 << 20)
#define TS_MAX		(TS_SIZE / 8)
static struct zalloc_fixed ts;
static struct blk ts_blk[CPUS][TS_MAX / CPUS];
static unsigned int ts_nr[CPUS];

static void *ts_thread(void *arg)
{
	unsigned int me = (unsigned long)arg;
	const struct zalloc *a = zalloc_fixed_thread_safe_allocator(&ts);
	u64 s = 0x2545f4914f6cdd1dull * (me + 1) + ts_nr[me];
	struct blk *b;

	uk_attach_cpu(me);
	ts_nr[me] = 0;
	while (ts_nr[me] < TS_MAX / CPUS) {
		u64 r = rnd(&s);

		b = &ts_blk[me][ts_nr[me]];
		b->len = 1 + r % 200;
		b->align = (size_t)1 << ((r >> 20) % 6);
		b->p = zalloc_alloc(a, b->len, b->align, GFP_ATOMIC);
		if (!b->p)
			break;
		b->stamp = r;
		stamp(b);
		ts_nr[me]++;
	}
	return NULL;
}

static int cmp_blk(const void *x, const void *y)
{
	const struct blk *a = x, *b = y;

	return a->p < b->p ? -1 : a->p > b->p;
}

static void test_fixed_ts(void)
{
	static struct blk all[TS_MAX];
	u8 *buf = malloc(TS_SIZE);
	pthread_t t[CPUS];
	unsigned long i, n, round, total = 0;
	const struct zalloc *a;

	CHECK(!zalloc_fixed_init(&ts, buf, TS_SIZE, NULL, ZALLOC_F_NODEBUG,
				 GFP_KERNEL), "init");
	a = zalloc_fixed_thread_safe_allocator(&ts);
	for (round = 0; round < 8; round++) {
		for (i = 0; i < CPUS; i++)
			pthread_create(&t[i], NULL, ts_thread, (void *)i);
		for (i = 0; i < CPUS; i++)
			pthread_join(t[i], NULL);
		n = 0;
		for (i = 0; i < CPUS; i++) {
			memcpy(all + n, ts_blk[i], ts_nr[i] * sizeof(all[0]));
			n += ts_nr[i];
		}
		qsort(all, n, sizeof(all[0]), cmp_blk);
		for (i = 0; i < n; i++) {
			CHECK(all[i].p >= buf && all[i].p + all[i].len <= buf + TS_SIZE,
			      "block outside the buffer");
			CHECK(IS_ALIGNED((unsigned long)all[i].p, all[i].align), "misaligned");
			CHECK(i == 0 || all[i - 1].p + all[i - 1].len <= all[i].p,
			      "blocks %p+%zu and %p overlap", all[i - 1].p,
			      all[i - 1].len, all[i].p);
			check(&all[i]);
			zalloc_free(a, all[i].p, all[i].len, all[i].align);
		}
		total += n;
		zalloc_fixed_reset(&ts);
	}
	check_balanced("fixed thread-safe view", &ts.inst);
	printf("tsan: fixed thread-safe view: %lu blocks in 8 rounds, none overlapping\n",
	       total);
	zalloc_fixed_destroy(&ts);
	free(buf);
}

int main(int argc, char **argv)
{
	int i, run = 0;

	if (argc > 1)
		iters = strtoul(argv[1], NULL, 0);
	for (i = 0; i < CPUS; i++)
		pthread_mutex_init(&inbox[i].mu, NULL);
	if (uk_zalloc_init(CPUS))
		return 1;
	test_smp();
	run++;
	test_smp_churn(64);
	test_smp_churn(256);
	run++;
	test_fixed_ts();
	run++;
	test_bitmap();
	run++;
	printf("%d passed, %d failed\n", run - failures, failures);
	return failures != 0;
}
