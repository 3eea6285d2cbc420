// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc_bench: zalloc's allocators against the kernel's, side by side.
 *
 * Loading the module runs every workload over every subject (the table in
 * bench/subjects.c) and prints one line per figure; init then returns
 * -EAGAIN, so the module never stays loaded (run = insmod, results =
 * dmesg, as lib/test_vmalloc.c and lib/test_objpool.c do).
 * tools/bench-report.py turns the lines into a table.
 *
 * Workloads, over the sizes 16, 64, 256, 1024 and 4096 bytes:
 *
 *   reuse           alloc then free the same size, repeatedly: the
 *                   fast path (time_bench's "fastpath reuse")
 *   batch-reverse   alloc 1,000 blocks, free them newest first
 *   batch-random    alloc 1,000 blocks, free them in a random order
 *   burst           alloc 1,000 blocks, then reset() the instance where the
 *                   subject has one (fixed, arena), else free oldest first
 *   mixed           sizes from a skewed distribution (half 16-128 B, 3 %
 *                   up to 32 KiB), a random slot of 20,000 freed or filled
 *                   each step, so about 10,000 blocks are live; memory
 *                   held is sampled at the peak and after freeing all
 *   parallel-reuse  reuse on one bound kthread per online CPU at once
 *   parallel-mixed  mixed likewise
 *   cross           producer kthreads allocate, consumers on other CPUs free
 *                   (through a single-producer ring per pair)
 *
 * Method: every figure sets its subject up, runs a warm-up of @warmup
 * operations, then @ops operations (for the workloads a subject marks slow,
 * gen_pool's mixed ones, @slow_ops after @slow_ops / 5 of warm-up), timed
 * with ktime_get_ns() around chunks of 1,024 with cond_resched() between
 * chunks, outside the timing.  An operation is one allocation and its free
 * (in burst, the free is the block's share of the reset).  Single-CPU
 * figures split the operations into @rounds rounds and report the median
 * round (and the best), which filters out a noisy host; parallel figures
 * report each CPU's whole run and the summed throughput; cross figures
 * report wall time per block.  The kernel's allocators are called directly
 * (see zalloc_bench.h).  A figure never fails on a timing; allocation
 * failures are counted in fail=.
 *
 * Output: one line per figure,
 *	zbench: workload=reuse alloc=kmalloc size=64 cpus=1 ops=1000000
 *		ns_per_op=31.2 ns_best=30.9 fail=0
 * plus "zbench: mem" lines for the mixed workload, "zbench: skip" lines for
 * the workloads a subject cannot run and why, and "zbench: begin"/"end".
 *
 * Locking: the parallel and cross workloads share only a start gate (a
 * completion and an atomic arrival count), the per-pair rings (one
 * producer, one consumer, ordered with acquire/release) and the subject's
 * instance, which the subject's own locking protects (ZB_SHARED) or which
 * is per CPU.
 */
#define pr_fmt(fmt) "zbench: " fmt

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/utsname.h>
#include <linux/vmalloc.h>
#include <linux/vmstat.h>
#include <zalloc/registry.h>

#include "zalloc_bench.h"

static unsigned long ops = 1000000;
module_param(ops, ulong, 0444);
MODULE_PARM_DESC(ops, "Operations per figure (default 1000000)");

static unsigned long slow_ops = 100000;
module_param(slow_ops, ulong, 0444);
MODULE_PARM_DESC(slow_ops, "Operations per figure for the workloads a subject marks slow, after slow_ops / 5 of warm-up (default 100000)");

static unsigned long warmup = 100000;
module_param(warmup, ulong, 0444);
MODULE_PARM_DESC(warmup, "Untimed operations before each figure (default 100000)");

static unsigned int rounds = 5;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "Rounds per single-CPU figure; the median is reported (default 5)");

static char *only;
module_param(only, charp, 0444);
MODULE_PARM_DESC(only, "Comma-separated subjects to run (default: all)");

static unsigned int workloads = (1U << NR_ZB_WORKLOADS) - 1;
module_param(workloads, uint, 0444);
MODULE_PARM_DESC(workloads, "Bit mask of workloads to run, bit 0 reuse ... bit 7 cross (default all)");

#define ZB_CHUNK		1024
#define ZB_BATCH		1000
#define ZB_MAX_ROUNDS		15
#define ZB_MIXED_SLOTS		20000
#define ZB_MIXED_MAX		32768
#define ZB_RING			1024	/* power of two */

static const size_t zb_sizes[] = { 16, 64, 256, 1024, 4096 };

static const char * const zb_names[NR_ZB_WORKLOADS] = {
	[ZB_REUSE]		= "reuse",
	[ZB_BATCH_REVERSE]	= "batch-reverse",
	[ZB_BATCH_RANDOM]	= "batch-random",
	[ZB_BURST]		= "burst",
	[ZB_MIXED]		= "mixed",
	[ZB_PAR_REUSE]		= "parallel-reuse",
	[ZB_PAR_MIXED]		= "parallel-mixed",
	[ZB_CROSS]		= "cross",
};

/*
 * The mixed workload's sizes: weights out of 1024, each class uniform in
 * [lo, hi].  Mean about 1.3 KiB, so about 13 MB live at 10,000 blocks.
 */
static const struct {
	u32 weight, lo, hi;
} zb_mix[] = {
	{ 512,   16,   128 },
	{ 256,  129,   512 },
	{ 160,  513,  2048 },
	{  64, 2049,  8192 },
	{  32, 8193, ZB_MIXED_MAX },
};

static unsigned int zb_figures, zb_skipped;

/* xorshift64: the same cheap sequence for every subject. */
static __always_inline u32 zb_rand(u64 *state)
{
	u64 x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*state = x;
	return x >> 32;
}

/* Uniform in [0, n) without a division. */
static __always_inline u32 zb_below(u32 r, u32 n)
{
	return ((u64)r * n) >> 32;
}

static __always_inline u32 zb_mixed_size(u64 *rng)
{
	u32 w = zb_rand(rng) & 1023, r = zb_rand(rng);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(zb_mix) - 1; i++) {
		if (w < zb_mix[i].weight)
			break;
		w -= zb_mix[i].weight;
	}
	return zb_mix[i].lo + zb_below(r, zb_mix[i].hi - zb_mix[i].lo + 1);
}

static size_t zb_mixed_live_bytes(void)
{
	u64 sum = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(zb_mix); i++)
		sum += (u64)zb_mix[i].weight * (zb_mix[i].lo + zb_mix[i].hi) / 2;
	/* Mean size times the live blocks, with half again for the walk. */
	return sum / 1024 * (ZB_MIXED_SLOTS / 2) * 3 / 2;
}

/* One block of the mixed workload's working set. */
struct zb_slot {
	void *p;
	u32 size;
};

/* Memory figures of the mixed workload. */
struct zb_mem {
	long base;		/* global counter before the workload */
	long peak;		/* most memory held, sampled per chunk */
	unsigned long peak_live, peak_bytes;	/* live blocks and bytes then */
	long after;		/* held after freeing everything */
	const char *source;
};

/* Cross: a single-producer, single-consumer ring of blocks. */
struct zb_ring {
	unsigned long head ____cacheline_aligned_in_smp;	/* producer */
	unsigned long tail ____cacheline_aligned_in_smp;	/* consumer */
	void *slot[ZB_RING] ____cacheline_aligned_in_smp;
};

static void zb_push(struct zb_ring *ring, void *p)
{
	unsigned long head = ring->head;

	/* Acquire: the consumer has read the slot before freeing it. */
	while (head - smp_load_acquire(&ring->tail) >= ZB_RING)
		cpu_relax();
	ring->slot[head & (ZB_RING - 1)] = p;
	/* Release: the slot is written before the consumer sees it. */
	smp_store_release(&ring->head, head + 1);
}

static void *zb_pop(struct zb_ring *ring)
{
	unsigned long tail = ring->tail;
	void *p;

	/* Acquire: pairs with zb_push()'s release of head. */
	while (smp_load_acquire(&ring->head) == tail)
		cpu_relax();
	p = ring->slot[tail & (ZB_RING - 1)];
	/* Release: the slot is read before the producer may reuse it. */
	smp_store_release(&ring->tail, tail + 1);
	return p;
}

/**
 * struct zb_run - one thread's state for one figure
 * @h: the subject instance it uses
 * @w: the workload
 * @size: the block size, 0 for mixed
 * @rng: its random state
 * @fail: allocations that returned NULL
 * @alloc_ns: batch and burst: time spent allocating
 * @free_ns: batch and burst: time spent freeing or resetting
 * @ptrs: batch and burst: the blocks of one batch
 * @perm: batch-random: the order to free them in
 * @slot: mixed: the working set
 * @live: mixed: live blocks
 * @live_bytes: mixed: live requested bytes
 * @mem: mixed: memory figures, or NULL not to sample
 * @ring: cross: the ring between the pair
 * @producer: cross: allocates into @ring (else frees from it)
 */
struct zb_run {
	const struct zbench_h *h;
	enum zbench_workload w;
	size_t size;
	u64 rng;
	unsigned long fail;
	u64 alloc_ns, free_ns;
	void **ptrs;
	u32 *perm;
	struct zb_slot *slot;
	unsigned long live, live_bytes;
	struct zb_mem *mem;
	struct zb_ring *ring;
	bool producer;
};

static bool zb_selected(const struct zbench_subject *s)
{
	const char *p = only;
	size_t n = strlen(s->name);

	if (!p || !*p)
		return true;
	while ((p = strstr(p, s->name))) {
		if ((p == only || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return true;
		p += n;
	}
	return false;
}

/* Why @s cannot run @w, or NULL if it can. */
static const char *zb_skip_reason(const struct zbench_subject *s,
				  enum zbench_workload w)
{
	bool any = s->caps & ZB_FREE_ANY;
	bool multi = num_online_cpus() > 1;

	switch (w) {
	case ZB_REUSE:
	case ZB_BATCH_REVERSE:
		return any || (s->caps & ZB_FREE_LAST) ? NULL : "cannot-free";
	case ZB_BURST:
		return any || (s->caps & (ZB_FREE_LAST | ZB_RESET)) ?
		       NULL : "cannot-free";
	case ZB_BATCH_RANDOM:
		return any ? NULL : "frees-only-the-newest-block";
	case ZB_PAR_REUSE:
		if (!multi)
			return "one-cpu-online";
		return any || (s->caps & ZB_FREE_LAST) ? NULL : "cannot-free";
	case ZB_PAR_MIXED:
		if (!multi)
			return "one-cpu-online";
		fallthrough;
	case ZB_MIXED:
		if (!any)
			return "frees-only-the-newest-block";
		return s->caps & ZB_ONE_SIZE ? "one-size-per-cache" : NULL;
	case ZB_CROSS:
		if (!multi)
			return "one-cpu-online";
		return any && (s->caps & ZB_REMOTE_FREE) ?
		       NULL : "no-free-on-another-cpu";
	default:
		return "unknown-workload";
	}
}

static unsigned long zb_ops(const struct zbench_subject *s,
			    enum zbench_workload w)
{
	return s->slow & ZB_W(w) ? slow_ops : ops;
}

static unsigned long zb_warmup(const struct zbench_subject *s,
			       enum zbench_workload w)
{
	return s->slow & ZB_W(w) ? min(warmup, slow_ops / 5) : warmup;
}

static int zb_cmp_ulong(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a;
	unsigned long y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/*
 * page_frag: the pages its live fragments pin, plus the page its cache
 * holds.  A page goes back when the last fragment in it is freed, which
 * no counter shows, so walk the live blocks and count their distinct
 * (compound) pages.
 */
static long zb_frag_pages(const struct zb_run *r)
{
	const struct page_frag_cache *nc = r->h->frag;
	unsigned long *heads, n = 0, i;
	long bytes = 0;

	heads = kvmalloc_array(r->live + 1, sizeof(*heads), GFP_KERNEL);
	if (!heads)
		return 0;
	for (i = 0; i < ZB_MIXED_SLOTS && n < r->live; i++)
		if (r->slot[i].p)
			heads[n++] = (unsigned long)virt_to_head_page(r->slot[i].p);
	if (nc->va)
		heads[n++] = (unsigned long)virt_to_head_page(nc->va);
	sort(heads, n, sizeof(*heads), zb_cmp_ulong, NULL);
	for (i = 0; i < n; i++)
		if (!i || heads[i] != heads[i - 1])
			bytes += page_size((struct page *)heads[i]);
	kvfree(heads);
	return bytes;
}

/* Memory held now, in bytes, as the subject's source measures it. */
static long zb_mem_now(const struct zb_run *r)
{
	const struct zbench_h *h = r->h;
	struct zalloc_stats_sum sum;

	switch (h->s->mem) {
	case ZB_MEM_ZSTATS:
		if (zalloc_instance_read(h->stats_name, &sum))
			return 0;
		return sum.v[ZALLOC_STAT_BACKING_ALLOC] -
		       sum.v[ZALLOC_STAT_BACKING_FREE];
	case ZB_MEM_SLAB:
		return global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B) *
		       PAGE_SIZE;
	case ZB_MEM_FRAG_PAGES:
		return zb_frag_pages(r);
	case ZB_MEM_OWN:
		return h->s->held(h);
	default:
		return 0;
	}
}

static const char * const zb_mem_sources[] = {
	[ZB_MEM_NONE]		= "none",
	[ZB_MEM_ZSTATS]		= "zalloc-counters",
	[ZB_MEM_SLAB]		= "slab-pages",
	[ZB_MEM_FRAG_PAGES]	= "fragment-pages",
	[ZB_MEM_OWN]		= "own-count",
};

static void zb_mem_start(struct zb_run *r, struct zb_mem *m)
{
	memset(m, 0, sizeof(*m));
	m->source = zb_mem_sources[r->h->s->mem];
	/* The global slab counter is measured from a baseline. */
	m->base = r->h->s->mem == ZB_MEM_SLAB ? zb_mem_now(r) : 0;
	m->peak = LONG_MIN;
	r->mem = m;
}

/* Walking the live blocks is too slow for every chunk: once a round. */
static bool zb_mem_walks(const struct zb_run *r)
{
	return r->h->s->mem == ZB_MEM_FRAG_PAGES;
}

static void zb_mem_sample(struct zb_run *r)
{
	struct zb_mem *m = r->mem;
	long now = zb_mem_now(r) - m->base;

	/* The latest of equal peaks: constant backing peaks at steady state. */
	if (now >= m->peak) {
		m->peak = now;
		m->peak_live = r->live;
		m->peak_bytes = r->live_bytes;
	}
}

/*
 * The workload loops.  Each takes the subject's kind as a constant @k and is
 * instantiated once per kind below, so the allocator calls in it are direct.
 */

/* Timed: @n alloc + free pairs of r->size.  Returns the ns spent. */
static __always_inline u64 zb_reuse_k(struct zb_run *r, unsigned long n,
				      const enum zbench_kind k)
{
	const struct zbench_h *h = r->h;
	size_t size = r->size;
	u64 ns = 0;

	while (n) {
		unsigned long i, c = min(n, ZB_CHUNK);
		u64 t0 = ktime_get_ns();

		for (i = 0; i < c; i++) {
			void *p = zbench_alloc_k(h, size, k);

			if (unlikely(!p)) {
				r->fail++;
				continue;
			}
			OPTIMIZER_HIDE_VAR(p);
			zbench_free_k(h, p, size, k);
		}
		ns += ktime_get_ns() - t0;
		n -= c;
		cond_resched();
	}
	return ns;
}

static void zb_shuffle(u32 *perm, u32 n, u64 *rng)
{
	u32 i, j;

	for (i = 0; i < n; i++)
		perm[i] = i;
	for (i = n - 1; i > 0; i--) {
		j = zb_below(zb_rand(rng), i + 1);
		swap(perm[i], perm[j]);
	}
}

/* Give back one batch, in the order the workload asks for. */
static __always_inline void zb_release_k(struct zb_run *r,
					 const enum zbench_kind k)
{
	const struct zbench_h *h = r->h;
	void **ptrs = r->ptrs;
	size_t size = r->size;
	int i;

	switch (r->w) {
	case ZB_BATCH_RANDOM:
		for (i = 0; i < ZB_BATCH; i++)
			if (ptrs[r->perm[i]])
				zbench_free_k(h, ptrs[r->perm[i]], size, k);
		break;
	case ZB_BURST:
		if (h->s->caps & ZB_RESET) {
			h->s->reset(h);
			break;
		}
		if (h->s->caps & ZB_FREE_ANY) {
			for (i = 0; i < ZB_BATCH; i++)
				if (ptrs[i])
					zbench_free_k(h, ptrs[i], size, k);
			break;
		}
		fallthrough;
	default:
		for (i = ZB_BATCH - 1; i >= 0; i--)
			if (ptrs[i])
				zbench_free_k(h, ptrs[i], size, k);
	}
}

/* Timed: batches of ZB_BATCH blocks, at least @n blocks in all. */
static __always_inline u64 zb_batch_k(struct zb_run *r, unsigned long n,
				      const enum zbench_kind k)
{
	const struct zbench_h *h = r->h;
	void **ptrs = r->ptrs;
	size_t size = r->size;
	u64 t0, t1, t2, ns = 0;
	unsigned long done;
	int i;

	for (done = 0; done < n; done += ZB_BATCH) {
		if (r->w == ZB_BATCH_RANDOM)
			zb_shuffle(r->perm, ZB_BATCH, &r->rng);
		t0 = ktime_get_ns();
		for (i = 0; i < ZB_BATCH; i++)
			ptrs[i] = zbench_alloc_k(h, size, k);
		t1 = ktime_get_ns();
		zb_release_k(r, k);
		t2 = ktime_get_ns();
		for (i = 0; i < ZB_BATCH; i++)
			r->fail += !ptrs[i];
		r->alloc_ns += t1 - t0;
		r->free_ns += t2 - t1;
		ns += t2 - t0;
		cond_resched();
	}
	return ns;
}

/* Timed: mixed-size steps until @n blocks were allocated. */
static __always_inline u64 zb_mixed_k(struct zb_run *r, unsigned long n,
				      const enum zbench_kind k)
{
	const struct zbench_h *h = r->h;
	u64 ns = 0;

	while (n) {
		unsigned long c = 0, chunk = min(n, ZB_CHUNK);
		u64 t0 = ktime_get_ns();

		while (c < chunk) {
			struct zb_slot *s;
			u32 size;

			s = &r->slot[zb_below(zb_rand(&r->rng), ZB_MIXED_SLOTS)];
			if (s->p) {
				zbench_free_k(h, s->p, s->size, k);
				s->p = NULL;
				r->live--;
				r->live_bytes -= s->size;
				continue;
			}
			size = zb_mixed_size(&r->rng);
			s->p = zbench_alloc_k(h, size, k);
			c++;
			if (unlikely(!s->p)) {
				r->fail++;
				continue;
			}
			s->size = size;
			r->live++;
			r->live_bytes += size;
		}
		ns += ktime_get_ns() - t0;
		n -= c;
		if (r->mem && !zb_mem_walks(r))
			zb_mem_sample(r);
		cond_resched();
	}
	return ns;
}

/*
 * Timed: pass @n blocks (NULL for a failed allocation) through the ring,
 * allocating or freeing as r->producer says.  Returns the wall time.
 */
static __always_inline u64 zb_cross_k(struct zb_run *r, unsigned long n,
				      const enum zbench_kind k)
{
	const struct zbench_h *h = r->h;
	size_t size = r->size;
	u64 t0 = ktime_get_ns();
	unsigned long i;
	void *p;

	for (i = 0; i < n; i++) {
		if (r->producer) {
			p = zbench_alloc_k(h, size, k);
			r->fail += !p;
			zb_push(r->ring, p);
		} else {
			p = zb_pop(r->ring);
			if (p)
				zbench_free_k(h, p, size, k);
		}
		if (!(i & (ZB_CHUNK - 1)))
			cond_resched();
	}
	return ktime_get_ns() - t0;
}

static __always_inline u64 zb_step_k(struct zb_run *r, unsigned long n,
				     const enum zbench_kind k)
{
	switch (r->w) {
	case ZB_REUSE:
	case ZB_PAR_REUSE:
		return zb_reuse_k(r, n, k);
	case ZB_MIXED:
	case ZB_PAR_MIXED:
		return zb_mixed_k(r, n, k);
	case ZB_CROSS:
		return zb_cross_k(r, n, k);
	default:
		return zb_batch_k(r, n, k);
	}
}

#define DEFINE_ZB_STEP(name, kind)					\
static u64 zb_step_##name(struct zb_run *r, unsigned long n)		\
{									\
	return zb_step_k(r, n, kind);					\
}

DEFINE_ZB_STEP(kmalloc, ZB_KIND_KMALLOC)
DEFINE_ZB_STEP(kmem_cache, ZB_KIND_KMEM_CACHE)
DEFINE_ZB_STEP(gen_pool, ZB_KIND_GEN_POOL)
DEFINE_ZB_STEP(page_frag, ZB_KIND_PAGE_FRAG)
DEFINE_ZB_STEP(pages, ZB_KIND_PAGES)
DEFINE_ZB_STEP(native, ZB_KIND_NATIVE)
DEFINE_ZB_STEP(zalloc, ZB_KIND_ZALLOC)

static u64 (* const zb_steps[NR_ZB_KINDS])(struct zb_run *r, unsigned long n) = {
	[ZB_KIND_KMALLOC]	= zb_step_kmalloc,
	[ZB_KIND_KMEM_CACHE]	= zb_step_kmem_cache,
	[ZB_KIND_GEN_POOL]	= zb_step_gen_pool,
	[ZB_KIND_PAGE_FRAG]	= zb_step_page_frag,
	[ZB_KIND_PAGES]		= zb_step_pages,
	[ZB_KIND_NATIVE]	= zb_step_native,
	[ZB_KIND_ZALLOC]	= zb_step_zalloc,
};

/* Run @n operations of r->w; returns the ns spent, as the loop timed it. */
static u64 zb_step(struct zb_run *r, unsigned long n)
{
	return zb_steps[r->h->s->kind](r, n);
}

/* Untimed: free what the mixed workload left live. */
static void zb_mixed_free_all(struct zb_run *r)
{
	int i;

	for (i = 0; i < ZB_MIXED_SLOTS; i++) {
		if (!r->slot[i].p)
			continue;
		zbench_free_k(r->h, r->slot[i].p, r->slot[i].size,
			      r->h->s->kind);
		r->slot[i].p = NULL;
	}
	r->live = 0;
	r->live_bytes = 0;
}

static int zb_run_init(struct zb_run *r, const struct zbench_h *h,
		       enum zbench_workload w, size_t size, u64 seed)
{
	memset(r, 0, sizeof(*r));
	r->h = h;
	r->w = w;
	r->size = size;
	r->rng = seed | 1;
	if (w == ZB_MIXED || w == ZB_PAR_MIXED) {
		r->slot = vcalloc(ZB_MIXED_SLOTS, sizeof(*r->slot));
		return r->slot ? 0 : -ENOMEM;
	}
	if (w == ZB_BATCH_REVERSE || w == ZB_BATCH_RANDOM || w == ZB_BURST) {
		r->ptrs = kvcalloc(ZB_BATCH, sizeof(*r->ptrs), GFP_KERNEL);
		r->perm = kvcalloc(ZB_BATCH, sizeof(*r->perm), GFP_KERNEL);
		return r->ptrs && r->perm ? 0 : -ENOMEM;
	}
	return 0;
}

static void zb_run_destroy(struct zb_run *r)
{
	if (r->slot)
		zb_mixed_free_all(r);
	vfree(r->slot);
	kvfree(r->ptrs);
	kvfree(r->perm);
}

/* What an instance serving @cpus CPUs at once will be asked for. */
static void zb_need(struct zbench_need *need, enum zbench_workload w,
		    size_t size, unsigned int cpus)
{
	bool mixed = w == ZB_MIXED || w == ZB_PAR_MIXED;
	unsigned int objs = 1;
	size_t bytes = size;

	if (mixed) {
		objs = ZB_MIXED_SLOTS;
		bytes = zb_mixed_live_bytes();
	} else if (w != ZB_REUSE && w != ZB_PAR_REUSE) {
		objs = w == ZB_CROSS ? ZB_RING + 1 : ZB_BATCH;
		bytes = objs * size;
	}
	need->size = mixed ? 0 : size;
	need->max_size = mixed ? ZB_MIXED_MAX : size;
	need->live_bytes = bytes * cpus;
	need->live_objs = objs * cpus;
	need->cpus = cpus;
}

static int zb_setup(struct zbench_h *h, const struct zbench_subject *s,
		    const struct zbench_need *need)
{
	int err;

	memset(h, 0, sizeof(*h));
	h->s = s;
	h->stats_name = s->stats_name;
	err = s->setup ? s->setup(h, need) : 0;
	if (err)
		h->s = NULL;	/* nothing to tear down */
	return err;
}

static void zb_teardown(struct zbench_h *h)
{
	if (h->s->teardown)
		h->s->teardown(h);
}

#define ZB_NS_LEN	24

/* @ps picoseconds as nanoseconds with one decimal. */
static char *zb_ns(char *buf, u64 ps)
{
	snprintf(buf, ZB_NS_LEN, "%llu.%llu", ps / 1000, ps % 1000 / 100);
	return buf;
}

/* A figure's size for the output: bytes, or "mixed". */
static void zb_size_str(char *buf, size_t size)
{
	if (size)
		snprintf(buf, ZB_NS_LEN, "%zu", size);
	else
		strscpy(buf, "mixed", ZB_NS_LEN);
}

static int zb_cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static u64 zb_median(u64 *v, unsigned int n)
{
	sort(v, n, sizeof(*v), zb_cmp_u64, NULL);
	return v[n / 2];
}

static void zb_print_figure(const struct zbench_subject *s,
			    enum zbench_workload w, size_t size,
			    unsigned long n, u64 *ps, u64 *aps, u64 *fps,
			    unsigned int nr, unsigned long fail)
{
	char sz[ZB_NS_LEN], extra[96] = "", b1[ZB_NS_LEN], b2[ZB_NS_LEN];
	u64 med, best;

	med = zb_median(ps, nr);
	best = ps[0];
	zb_size_str(sz, size);
	if (aps) {
		snprintf(extra, sizeof(extra), " alloc_ns=%s %s_ns=%s",
			 zb_ns(b1, zb_median(aps, nr)),
			 w == ZB_BURST && (s->caps & ZB_RESET) ? "reset" : "free",
			 zb_ns(b2, zb_median(fps, nr)));
	}
	pr_info("workload=%s alloc=%s size=%s cpus=1 ops=%lu ns_per_op=%s ns_best=%s%s fail=%lu\n",
		zb_names[w], s->name, sz, n, zb_ns(b1, med), zb_ns(b2, best),
		extra, fail);
	zb_figures++;
}

static void zb_print_mem(const struct zbench_subject *s, struct zb_mem *m)
{
	pr_info("mem workload=mixed alloc=%s source=%s live_objs=%lu requested_bytes=%lu backing_peak=%ld backing_after_free=%ld\n",
		s->name, m->source, m->peak_live, m->peak_bytes, m->peak,
		m->after);
}

/* A figure that could not be measured, and why. */
static void zb_error(const struct zbench_subject *s, enum zbench_workload w,
		     size_t size, int err)
{
	pr_info("error workload=%s alloc=%s size=%zu err=%d\n", zb_names[w],
		s ? s->name : "all", size, err);
}

/**
 * struct zb_fig - one subject's part of a single-CPU figure
 * @s: the subject
 * @h: its instance
 * @r: its run state
 * @mem: mixed: its memory figures
 * @per: operations per round
 * @ps: picoseconds per operation, per round
 * @aps: batch and burst: of which allocating
 * @fps: batch and burst: of which freeing or resetting
 * @ready: set up; the rounds run and the figure is printed
 */
struct zb_fig {
	const struct zbench_subject *s;
	struct zbench_h h;
	struct zb_run r;
	struct zb_mem mem;
	unsigned long per;
	u64 ps[ZB_MAX_ROUNDS], aps[ZB_MAX_ROUNDS], fps[ZB_MAX_ROUNDS];
	bool ready;
};

static bool zb_batchy(enum zbench_workload w)
{
	return w == ZB_BATCH_REVERSE || w == ZB_BATCH_RANDOM || w == ZB_BURST;
}

/* Set up @s for a figure of @w at @size and warm it up. */
static void zb_fig_start(struct zb_fig *f, const struct zbench_subject *s,
			 enum zbench_workload w, size_t size, unsigned int nr)
{
	struct zbench_need need;
	int err;

	f->s = s;
	zb_need(&need, w, size, 1);
	err = zb_setup(&f->h, s, &need);
	if (err)
		goto fail;
	err = zb_run_init(&f->r, &f->h, w, size, 0x5eed0000ULL + size);
	if (err) {
		zb_run_destroy(&f->r);
		zb_teardown(&f->h);
		goto fail;
	}
	f->per = max(zb_ops(s, w) / nr, 1UL);
	if (zb_batchy(w))
		f->per = roundup(f->per, ZB_BATCH);
	if (w == ZB_MIXED)
		zb_mem_start(&f->r, &f->mem);
	zb_step(&f->r, zb_warmup(s, w));
	f->r.fail = 0;
	f->ready = true;
	return;
fail:
	zb_error(s, w, size, err);
}

static void zb_fig_round(struct zb_fig *f, unsigned int i)
{
	struct zb_run *r = &f->r;

	r->alloc_ns = 0;
	r->free_ns = 0;
	f->ps[i] = div64_u64(zb_step(r, f->per) * 1000, f->per);
	f->aps[i] = div64_u64(r->alloc_ns * 1000, f->per);
	f->fps[i] = div64_u64(r->free_ns * 1000, f->per);
	if (r->mem && zb_mem_walks(r))
		zb_mem_sample(r);
}

/* Report the figure, free what is live, tear the instance down. */
static void zb_fig_finish(struct zb_fig *f, unsigned int nr)
{
	enum zbench_workload w = f->r.w;

	zb_print_figure(f->s, w, f->r.size, f->per * nr, f->ps,
			zb_batchy(w) ? f->aps : NULL, f->fps, nr, f->r.fail);
	if (w == ZB_MIXED) {
		zb_mixed_free_all(&f->r);
		f->mem.after = zb_mem_now(&f->r) - f->mem.base;
		zb_print_mem(f->s, &f->mem);
	}
	zb_run_destroy(&f->r);
	zb_teardown(&f->h);
}

/*
 * Single-CPU figures of @w at @size for the @n subjects in @subj, with
 * their rounds interleaved: round i of every subject runs before round
 * i + 1 of any, so a host that is slow for a while slows the same round of
 * every subject, and the medians stay comparable.
 */
static void zb_single(const struct zbench_subject **subj, unsigned int n,
		      enum zbench_workload w, size_t size)
{
	unsigned int nr = clamp(rounds, 1U, ZB_MAX_ROUNDS), i, j;
	struct zb_fig *f = kvcalloc(n, sizeof(*f), GFP_KERNEL);

	if (!f) {
		zb_error(NULL, w, size, -ENOMEM);
		return;
	}
	for (j = 0; j < n; j++)
		zb_fig_start(&f[j], subj[j], w, size, nr);
	for (i = 0; i < nr; i++)
		for (j = 0; j < n; j++)
			if (f[j].ready)
				zb_fig_round(&f[j], i);
	for (j = 0; j < n; j++)
		if (f[j].ready)
			zb_fig_finish(&f[j], nr);
	kvfree(f);
}

/* The parallel and cross workloads: one bound kthread per CPU. */

struct zb_gate {
	struct completion go;
	atomic_t warm;
	unsigned int n;
};

/**
 * struct zb_worker - one kthread of a parallel or cross figure
 * @run: its run state (its own, though @run.h may be shared)
 * @h: its instance, when the subject is not ZB_SHARED
 * @gate: the start gate
 * @n: timed operations
 * @warmup: untimed operations first
 * @cpu: where it runs
 * @ns: its timed time
 * @t0: when its timed part started
 * @t1: when it ended
 * @task: the kthread
 * @done: completed as the kthread exits
 */
struct zb_worker {
	struct zb_run run;
	struct zbench_h h;
	struct zb_gate *gate;
	unsigned long n, warmup;
	unsigned int cpu;
	u64 ns, t0, t1;
	struct task_struct *task;
	struct completion done;
};

/* Wait until every worker got here, spinning: the CPUs are all ours. */
static void zb_gate_arrive(struct zb_gate *g)
{
	atomic_inc(&g->warm);
	while (atomic_read(&g->warm) < g->n)
		cpu_relax();
}

static int zb_worker_fn(void *data)
{
	struct zb_worker *wk = data;
	struct zb_gate *g = wk->gate;

	wait_for_completion(&g->go);
	zb_step(&wk->run, wk->warmup);
	wk->run.fail = 0;
	zb_gate_arrive(g);
	wk->t0 = ktime_get_ns();
	wk->ns = zb_step(&wk->run, wk->n);
	wk->t1 = ktime_get_ns();
	kthread_complete_and_exit(&wk->done, 0);
}

/* Start every worker on its CPU, release them together, wait for all. */
static int zb_run_workers(struct zb_worker *wk, unsigned int n,
			  struct zb_gate *g)
{
	unsigned int i, j;

	init_completion(&g->go);
	atomic_set(&g->warm, 0);
	g->n = n;
	for (i = 0; i < n; i++) {
		init_completion(&wk[i].done);
		wk[i].gate = g;
		wk[i].task = kthread_create_on_cpu(zb_worker_fn, &wk[i],
						   wk[i].cpu, "zbench/%u");
		if (IS_ERR(wk[i].task))
			goto unwind;
	}
	for (i = 0; i < n; i++)
		wake_up_process(wk[i].task);
	complete_all(&g->go);
	/* With a timeout, so a long figure does not look like a hung task. */
	for (i = 0; i < n; i++)
		while (!wait_for_completion_timeout(&wk[i].done, HZ))
			;
	return 0;

unwind:
	for (j = 0; j < i; j++)
		kthread_stop(wk[j].task);
	return PTR_ERR(wk[i].task);
}

static const char *zb_instance(const struct zbench_subject *s)
{
	return s->caps & ZB_SHARED ? "shared" : "per-cpu";
}

static void zb_print_parallel(const struct zbench_subject *s,
			      enum zbench_workload w, size_t size,
			      struct zb_worker *wk, unsigned int n)
{
	unsigned long fail = 0, total = 0;
	char sz[ZB_NS_LEN], b[ZB_NS_LEN];
	u64 rate, sum = 0;
	unsigned int i;

	zb_size_str(sz, size);
	for (i = 0; i < n; i++) {
		/* Operations per second on this CPU. */
		rate = div64_u64((u64)wk[i].n * NSEC_PER_SEC, max(wk[i].ns, 1ULL));
		pr_info("workload=%s alloc=%s size=%s cpu=%u ops=%lu ns_per_op=%s kops_per_s=%llu fail=%lu\n",
			zb_names[w], s->name, sz, wk[i].cpu, wk[i].n,
			zb_ns(b, div64_u64(wk[i].ns * 1000, wk[i].n)),
			div64_u64(rate, 1000), wk[i].run.fail);
		sum += rate;
		fail += wk[i].run.fail;
		total += wk[i].n;
	}
	/* The system's time per operation: the inverse of summed throughput. */
	pr_info("workload=%s alloc=%s size=%s cpus=%u ops=%lu ns_per_op=%s kops_per_s=%llu instance=%s fail=%lu\n",
		zb_names[w], s->name, sz, n, total,
		zb_ns(b, div64_u64(1000ULL * NSEC_PER_SEC, max(sum, 1ULL))),
		div64_u64(sum, 1000), zb_instance(s), fail);
	zb_figures++;
}

static void zb_print_cross(const struct zbench_subject *s, size_t size,
			   struct zb_worker *wk, unsigned int n)
{
	u64 t0 = U64_MAX, t1 = 0, ps;
	unsigned long fail = 0, total = 0;
	char b[ZB_NS_LEN];
	unsigned int i;

	for (i = 0; i < n; i++) {
		t0 = min(t0, wk[i].t0);
		t1 = max(t1, wk[i].t1);
		if (wk[i].run.producer) {
			fail += wk[i].run.fail;
			total += wk[i].n;
		}
	}
	/* Wall time per block passed, over all pairs. */
	ps = div64_u64((t1 - t0) * 1000, max(total, 1UL));
	pr_info("workload=cross alloc=%s size=%zu cpus=%u pairs=%u ops=%lu ns_per_op=%s instance=%s fail=%lu\n",
		s->name, size, n, n / 2, total, zb_ns(b, ps), zb_instance(s),
		fail);
	zb_figures++;
}

/*
 * One figure on every online CPU: parallel workloads run the same loop on
 * each; cross pairs CPU 2k (producer) with CPU 2k + 1 (consumer).
 */
static void zb_multi(const struct zbench_subject *s, enum zbench_workload w,
		     size_t size)
{
	unsigned int n = num_online_cpus(), i = 0, cpu;
	bool shared = s->caps & ZB_SHARED, cross = w == ZB_CROSS;
	struct zb_ring *rings = NULL;
	struct zbench_h sh = { };
	struct zbench_need need;
	struct zb_worker *wk;
	struct zb_gate gate;
	int err = -ENOMEM;

	if (cross)
		n &= ~1U;
	wk = kvcalloc(n, sizeof(*wk), GFP_KERNEL);
	if (cross)
		rings = kvcalloc(n / 2, sizeof(*rings), GFP_KERNEL);
	if (!wk || (cross && !rings))
		goto out;
	for_each_online_cpu(cpu) {
		if (i == n)
			break;
		wk[i++].cpu = cpu;
	}
	/* One shared instance, else one per worker (cross: per pair). */
	zb_need(&need, w, size, shared ? (cross ? n / 2 : n) : 1);
	if (shared) {
		err = zb_setup(&sh, s, &need);
		if (err)
			goto out;
	}
	for (i = 0; i < n; i++) {
		struct zb_worker *owner = cross ? &wk[i & ~1U] : &wk[i];

		if (!shared && owner == &wk[i]) {
			err = zb_setup(&wk[i].h, s, &need);
			if (err)
				goto out;
		}
		err = zb_run_init(&wk[i].run, shared ? &sh : &owner->h, w,
				  size, 0x5eed0000ULL + size + 7919 * i);
		if (err)
			goto out;
		wk[i].n = zb_ops(s, w);
		wk[i].warmup = zb_warmup(s, w);
		if (cross) {
			wk[i].run.ring = &rings[i / 2];
			wk[i].run.producer = !(i & 1);
		}
	}
	err = zb_run_workers(wk, n, &gate);
	if (err)
		goto out;
	if (cross)
		zb_print_cross(s, size, wk, n);
	else
		zb_print_parallel(s, w, size, wk, n);
out:
	if (err)
		zb_error(s, w, size, err);
	/* Free the blocks first, then the instances they came from. */
	for (i = 0; wk && i < n; i++)
		zb_run_destroy(&wk[i].run);
	for (i = 0; wk && i < n; i++)
		if (wk[i].h.s)
			zb_teardown(&wk[i].h);
	if (sh.s)
		zb_teardown(&sh);
	kvfree(rings);
	kvfree(wk);
}

static void zb_caps_string(const struct zbench_subject *s, char *buf,
			   size_t len)
{
	static const char * const names[] = {
		"free-any", "free-last", "reset", "shared", "remote-free",
		"one-size",
	};
	size_t off = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (s->caps & (1U << i))
			off += scnprintf(buf + off, len - off, "%s%s",
					 off ? "," : "", names[i]);
}

/* Print what @s is and which workloads it skips; true if it runs at all. */
static bool zb_subject(const struct zbench_subject *s)
{
	static const char * const kinds[NR_ZB_KINDS] = {
		[ZB_KIND_KMALLOC]	= "reference",
		[ZB_KIND_KMEM_CACHE]	= "native",
		[ZB_KIND_GEN_POOL]	= "native",
		[ZB_KIND_PAGE_FRAG]	= "native",
		[ZB_KIND_PAGES]		= "native",
		[ZB_KIND_NATIVE]	= "native-callbacks",
		[ZB_KIND_ZALLOC]	= "zalloc",
	};
	const char *why;
	char caps[96];
	int w;

	zb_caps_string(s, caps, sizeof(caps));
	pr_info("subject alloc=%s kind=%s peer=%s caps=%s mem=%s\n", s->name,
		kinds[s->kind], s->peer, caps, zb_mem_sources[s->mem]);
	if (s->missing) {
		pr_info("skip workload=all alloc=%s reason=%s\n", s->name,
			s->missing);
		zb_skipped++;
		return false;
	}
	for (w = 0; w < NR_ZB_WORKLOADS; w++) {
		why = zb_skip_reason(s, w);
		if (!why || !(workloads & ZB_W(w)))
			continue;
		pr_info("skip workload=%s alloc=%s reason=%s\n", zb_names[w],
			s->name, why);
		zb_skipped++;
	}
	return true;
}

/*
 * Run workload @w over the @n subjects in @subj that can run it.  Single-CPU
 * figures interleave the subjects' rounds, except mixed, whose memory
 * figures read global counters and so run one subject at a time.
 */
static void zb_workload(const struct zbench_subject **subj, unsigned int n,
			enum zbench_workload w,
			const struct zbench_subject **run)
{
	bool sized = w != ZB_MIXED && w != ZB_PAR_MIXED;
	unsigned int i, j, m = 0, nsizes = sized ? ARRAY_SIZE(zb_sizes) : 1;
	u64 start = ktime_get_ns();

	for (j = 0; j < n; j++)
		if (!zb_skip_reason(subj[j], w))
			run[m++] = subj[j];
	for (i = 0; i < nsizes; i++) {
		size_t size = sized ? zb_sizes[i] : 0;

		if (w == ZB_MIXED) {
			for (j = 0; j < m; j++)
				zb_single(&run[j], 1, w, size);
		} else if (w < ZB_MIXED) {
			zb_single(run, m, w, size);
		} else {
			for (j = 0; j < m; j++)
				zb_multi(run[j], w, size);
		}
	}
	pr_info("done workload=%s subjects=%u seconds=%llu\n", zb_names[w], m,
		div64_u64(ktime_get_ns() - start, NSEC_PER_SEC));
}

static int __init zbench_init(void)
{
	const struct zbench_subject **subj, **run;
	u64 start = ktime_get_ns();
	unsigned int i, n = 0;
	int w;

	subj = kcalloc(zbench_nr_subjects, sizeof(*subj), GFP_KERNEL);
	run = kcalloc(zbench_nr_subjects, sizeof(*run), GFP_KERNEL);
	if (!subj || !run) {
		kfree(subj);
		kfree(run);
		return -ENOMEM;
	}
	pr_info("begin kernel=%s cpus=%u ops=%lu slow_ops=%lu warmup=%lu rounds=%u workloads=%#x only=%s\n",
		init_utsname()->release, num_online_cpus(), ops, slow_ops,
		warmup, clamp(rounds, 1U, ZB_MAX_ROUNDS), workloads,
		only && *only ? only : "all");
	for (i = 0; i < zbench_nr_subjects; i++)
		if (zb_selected(&zbench_subjects[i]) &&
		    zb_subject(&zbench_subjects[i]))
			subj[n++] = &zbench_subjects[i];
	for (w = 0; w < NR_ZB_WORKLOADS; w++)
		if (workloads & ZB_W(w))
			zb_workload(subj, n, w, run);
	pr_info("end figures=%u skipped=%u seconds=%llu\n", zb_figures,
		zb_skipped, div64_u64(ktime_get_ns() - start, NSEC_PER_SEC));
	kfree(subj);
	kfree(run);
	/* Never stay loaded: the results are in the log. */
	return -EAGAIN;
}
module_init(zbench_init);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("zalloc benchmark: zalloc's allocators against the kernel's");
MODULE_IMPORT_NS(ZALLOC_NS);
