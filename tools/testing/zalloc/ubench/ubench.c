// SPDX-License-Identifier: GPL-2.0
/*
 * The zalloc_bench workloads (bench/zalloc_bench.c) natively on the host
 * CPU: the same allocator files as zalloc.ko (zalloc/), built with gcc -O2 against
 * the userspace kernel (tools/testing/zalloc/uk.c, its benchmark build: no
 * CPU mutexes, local_irq_save() is a flag), against the C library's
 * malloc, whichever that is in this binary: ubench is linked four times,
 * with glibc's malloc, jemalloc, mimalloc and tcmalloc.
 *
 * Usage: ubench LIBNAME [zalloc] [instr SUBJECT WORKLOAD]
 *   prints one line per figure: "ubench SUBJECT WORKLOAD ns=... ops=..."
 *   "instr" runs one workload once, between CALLGRIND_TOGGLE_COLLECT
 *   markers, for valgrind --tool=callgrind --collect-atstart=no.
 *
 * Workloads (as zalloc_bench's, sizes in bytes, 8-byte alignment):
 *   reuse-N         alloc N then free it, repeatedly (the fast path)
 *   batch-random    alloc 1,000 x 64, free them in a random order
 *   mixed           zalloc_bench's skewed sizes (half 16-128, 3 % up to
 *                   32 KiB), a random slot of 20,000 freed or filled per op
 *   parallel-reuse  reuse-64 on 2 threads (CPU 0 and 1) at once
 *   cross           64 B blocks allocated on one thread, freed on another,
 *                   through a single-producer ring
 * Each figure: a warm-up, then the median over ROUNDS rounds of the wall
 * time per operation (alloc + free), CLOCK_MONOTONIC.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <valgrind/callgrind.h>

#include <uk/kernel.h>
#include <zalloc/arena.h>
#include <zalloc/bitmap.h>
#include <zalloc/fixed.h>
#include <zalloc/registry.h>
#include <zalloc/sbrk.h>
#include <zalloc/smp.h>

#include "../glue.h"

#define ROUNDS		5
#define OPS		1000000UL
#define SLOTS		20000
#define RING		1024

struct subject {
	const char *name;
	void *(*alloc)(size_t len);
	void (*free)(void *p, size_t len);
	bool free_any;		/* any block, in any order */
	bool threads;		/* may be called from several threads */
};

/* ---- zalloc subjects, through struct zalloc as their users call them ---- */
static const struct zalloc *za;

static void *z_alloc(size_t len)
{
	return zalloc_alloc(za, len, 8, GFP_KERNEL);
}

static void z_free(void *p, size_t len)
{
	zalloc_free(za, p, len, 8);
}

static void *c_alloc(size_t len)
{
	return malloc(len);
}

static void c_free(void *p, size_t len)
{
	free(p);
}

static struct zalloc_fixed fixed;
static struct zalloc_arena arena;
static struct zalloc_bitmap *bitmap;

static bool setup(const char *name, struct subject *s)
{
	s->name = name;
	s->alloc = z_alloc;
	s->free = z_free;
	s->free_any = true;
	s->threads = true;
	if (!strcmp(name, "smp")) {
		za = zalloc_smp_create(NULL, ZALLOC_F_NODEBUG);
	} else if (!strcmp(name, "sbrk")) {
		za = zalloc_sbrk_create(NULL, zalloc_sbrk_pages_create(),
					ZALLOC_F_NODEBUG);
	} else if (!strcmp(name, "bitmap")) {
		bitmap = zalloc_bitmap_create(64, 256UL << 20,
					      ZALLOC_BITMAP_LOCKED | ZALLOC_F_NODEBUG,
					      NULL);
		za = IS_ERR(bitmap) ? NULL : zalloc_bitmap_allocator(bitmap);
	} else if (!strcmp(name, "fixed")) {
		static u8 *buf;

		if (!buf)
			buf = malloc(64UL << 20);
		zalloc_fixed_init(&fixed, buf, 64UL << 20, NULL, ZALLOC_F_NODEBUG,
				  GFP_KERNEL);
		za = zalloc_fixed_allocator(&fixed);
		s->free_any = s->threads = false;
	} else if (!strcmp(name, "arena")) {
		zalloc_arena_init(&arena, NULL, NULL, ZALLOC_F_NODEBUG, GFP_KERNEL);
		za = zalloc_arena_allocator(&arena);
		s->free_any = s->threads = false;
	} else {
		s->alloc = c_alloc;
		s->free = c_free;
		return true;
	}
	return za;
}

static void teardown(const struct subject *s)
{
	if (!strcmp(s->name, "smp") || !strcmp(s->name, "sbrk"))
		zalloc_destroy((struct zalloc *)za);
	else if (!strcmp(s->name, "bitmap"))
		zalloc_bitmap_destroy(bitmap);
	else if (!strcmp(s->name, "fixed"))
		zalloc_fixed_destroy(&fixed);
	else if (!strcmp(s->name, "arena"))
		zalloc_arena_destroy(&arena);
	uk_rcu_quiesce();
}

/* ---- workloads; each returns the operations it did ---- */
static u64 rng_state = 88172645463325252ull;

static inline u32 rnd(u64 *s)
{
	u64 x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x >> 32;
}

static unsigned long w_reuse(const struct subject *s, size_t size, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		void *p = s->alloc(size);

		if (!p)
			abort();
		*(volatile char *)p = 1;
		s->free(p, size);
	}
	return n;
}

static unsigned long w_batch_random(const struct subject *s, unsigned long n)
{
	static void *blk[1000];
	static unsigned int perm[1000];
	unsigned long done = 0;
	unsigned int i, j;
	u64 r = rng_state;

	for (i = 0; i < 1000; i++)
		perm[i] = i;
	for (i = 999; i > 0; i--) {
		j = rnd(&r) % (i + 1);
		swap(perm[i], perm[j]);
	}
	while (done < n) {
		for (i = 0; i < 1000; i++) {
			blk[i] = s->alloc(64);
			if (!blk[i])
				abort();
		}
		for (i = 0; i < 1000; i++)
			s->free(blk[perm[i]], 64);
		done += 1000;
	}
	return done;
}

static const struct { u32 weight, lo, hi; } mix[] = {
	{ 512, 16, 128 }, { 256, 129, 512 }, { 160, 513, 2048 },
	{ 64, 2049, 8192 }, { 32, 8193, 32768 },
};

static u32 mixed_size(u64 *r)
{
	u32 w = rnd(r) & 1023, x = rnd(r);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mix) - 1; i++) {
		if (w < mix[i].weight)
			break;
		w -= mix[i].weight;
	}
	return mix[i].lo + (u32)(((u64)x * (mix[i].hi - mix[i].lo + 1)) >> 32);
}

static struct { void *p; u32 size; } slot[SLOTS];

static unsigned long w_mixed(const struct subject *s, unsigned long n)
{
	u64 r = rng_state;
	unsigned long i;
	u32 k;

	for (i = 0; i < n; i++) {
		k = (u32)(((u64)rnd(&r) * SLOTS) >> 32);
		if (slot[k].p) {
			s->free(slot[k].p, slot[k].size);
			slot[k].p = NULL;
		} else {
			slot[k].size = mixed_size(&r);
			slot[k].p = s->alloc(slot[k].size);
			if (!slot[k].p)
				abort();
		}
	}
	return n;
}

static void mixed_clear(const struct subject *s)
{
	unsigned int k;

	for (k = 0; k < SLOTS; k++)
		if (slot[k].p) {
			s->free(slot[k].p, slot[k].size);
			slot[k].p = NULL;
		}
}

/* Two threads: parallel reuse, or a producer and a consumer. */
enum role { REUSE, PRODUCER, CONSUMER };

struct two {
	const struct subject *s;
	unsigned long n;
	int cpu;
	enum role role;
	pthread_barrier_t *go;
};

static struct {
	unsigned long head __aligned(64);
	unsigned long tail __aligned(64);
	void *slot[RING] __aligned(64);
} ring;

/* Wait for the other side; let it run if it shares this CPU. */
static inline void spin(unsigned int *spins)
{
	if (++*spins % 128 == 0)
		sched_yield();
	else
		__builtin_ia32_pause();
}

static void *two_fn(void *arg)
{
	struct two *t = arg;
	unsigned int spins = 0;
	unsigned long i, h;
	void *p;

	uk_attach_cpu(t->cpu);
	pthread_barrier_wait(t->go);
	for (i = 0; i < t->n; i++) {
		switch (t->role) {
		case REUSE:
			p = t->s->alloc(64);
			if (!p)
				abort();
			*(volatile char *)p = 1;
			t->s->free(p, 64);
			break;
		case PRODUCER:
			p = t->s->alloc(64);
			if (!p)
				abort();
			*(volatile char *)p = 1;
			h = ring.head;
			while (h - __atomic_load_n(&ring.tail, __ATOMIC_ACQUIRE) >= RING)
				spin(&spins);
			ring.slot[h % RING] = p;
			__atomic_store_n(&ring.head, h + 1, __ATOMIC_RELEASE);
			break;
		case CONSUMER:
			h = ring.tail;
			while (__atomic_load_n(&ring.head, __ATOMIC_ACQUIRE) == h)
				spin(&spins);
			t->s->free(ring.slot[h % RING], 64);
			__atomic_store_n(&ring.tail, h + 1, __ATOMIC_RELEASE);
			break;
		}
	}
	return NULL;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* Parallel reuse (cross == false) or cross; returns wall ns. */
static double w_two(const struct subject *s, unsigned long n, bool cross)
{
	pthread_barrier_t go;
	struct two t[2] = {
		{ s, n, 0, cross ? PRODUCER : REUSE, &go },
		{ s, n, 1, cross ? CONSUMER : REUSE, &go },
	};
	pthread_t th[2];
	double t0;
	int i;

	ring.head = ring.tail = 0;
	pthread_barrier_init(&go, NULL, 3);
	for (i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, two_fn, &t[i]);
	pthread_barrier_wait(&go);
	t0 = now_ns();
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	t0 = now_ns() - t0;
	pthread_barrier_destroy(&go);
	return t0;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One figure: warm-up, then the median of ROUNDS rounds, ns per op. */
static void figure(const struct subject *s, const char *w, size_t size)
{
	double ns[ROUNDS], t;
	unsigned long ops = 0;
	int r;

	for (r = -1; r < ROUNDS; r++) {
		unsigned long n = r < 0 ? OPS / 5 : OPS;

		uk_attach_cpu(0);
		t = now_ns();
		if (!strcmp(w, "reuse"))
			ops = w_reuse(s, size, n);
		else if (!strcmp(w, "batch-random"))
			ops = w_batch_random(s, n);
		else if (!strcmp(w, "mixed"))
			ops = w_mixed(s, n);
		t = now_ns() - t;
		if (!strcmp(w, "parallel-reuse")) {
			t = w_two(s, n, false);
			ops = 2 * n;
		} else if (!strcmp(w, "cross")) {
			t = w_two(s, n / 4, true);
			ops = n / 4;
		}
		if (r >= 0)
			ns[r] = t / ops;
		/* Between rounds: nothing is running, RCU callbacks may run. */
		uk_rcu_quiesce();
	}
	if (!strcmp(w, "mixed"))
		mixed_clear(s);
	qsort(ns, ROUNDS, sizeof(ns[0]), cmp_d);
	if (size)
		printf("ubench %s %s-%zu ns=%.2f min=%.2f max=%.2f\n", s->name, w,
		       size, ns[ROUNDS / 2], ns[0], ns[ROUNDS - 1]);
	else
		printf("ubench %s %s ns=%.2f min=%.2f max=%.2f\n", s->name, w,
		       ns[ROUNDS / 2], ns[0], ns[ROUNDS - 1]);
	fflush(stdout);
}

static void run_subject(const char *name)
{
	static const size_t sizes[] = { 16, 64, 256, 1024, 4096 };
	struct subject s;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		if (!setup(name, &s))
			abort();
		figure(&s, "reuse", sizes[i]);
		teardown(&s);
	}
	if (!s.free_any) {
		printf("ubench %s skip: frees only its newest block (batch-random, mixed, parallel, cross need any order)\n",
		       name);
		return;
	}
	for (i = 0; i < 4; i++) {
		static const char *const w[] = { "batch-random", "mixed",
						 "parallel-reuse", "cross" };

		if (!setup(name, &s))
			abort();
		figure(&s, w[i], 0);
		teardown(&s);
	}
}

/* One workload once, collected by callgrind: instructions per op. */
static void instr(const char *name, const char *w)
{
	struct subject s;
	unsigned long n = 100000, ops = 0;

	if (!setup(name, &s))
		abort();
	uk_attach_cpu(0);
	/* Warm up outside the collection. */
	if (!strncmp(w, "reuse-", 6))
		w_reuse(&s, atoi(w + 6), n / 5);
	else if (!strcmp(w, "batch-random"))
		w_batch_random(&s, n / 5);
	else if (!strcmp(w, "mixed"))
		w_mixed(&s, n / 5);
	CALLGRIND_TOGGLE_COLLECT;
	if (!strncmp(w, "reuse-", 6))
		ops = w_reuse(&s, atoi(w + 6), n);
	else if (!strcmp(w, "batch-random"))
		ops = w_batch_random(&s, n);
	else if (!strcmp(w, "mixed"))
		ops = w_mixed(&s, n);
	CALLGRIND_TOGGLE_COLLECT;
	printf("ubench-instr %s %s ops=%lu\n", name, w, ops);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s LIBNAME [zalloc] | %s LIBNAME instr SUBJECT WORKLOAD\n",
			argv[0], argv[0]);
		return 2;
	}
	if (uk_zalloc_init(2))
		return 1;
	if (argc == 5 && !strcmp(argv[2], "instr")) {
		instr(argv[3], argv[4]);
		return 0;
	}
	if (argc > 2 && !strcmp(argv[2], "zalloc")) {
		static const char *const z[] = { "smp", "sbrk", "bitmap", "fixed", "arena" };
		unsigned int i;

		for (i = 0; i < ARRAY_SIZE(z); i++)
			run_subject(z[i]);
		return 0;
	}
	run_subject(argv[1]);
	return 0;
}
