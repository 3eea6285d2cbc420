// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc_bench workloads: the loops every figure runs.
 *
 * Over the sizes 16, 64, 256, 1024 and 4096 bytes:
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
 *   churn           producer kthreads allocate batches of 8,192 blocks,
 *                   consumers on other CPUs free whole batches, two batches
 *                   in flight, round after round; what the subject takes
 *                   from the kernel in the steady state is the figure
 *
 * Each loop takes the subject's kind as a constant and is instantiated once
 * per kind (zb_steps[]), so the kernel's allocators are called directly (see
 * zalloc_bench.h).  Loops time themselves with ktime_get_ns() around chunks
 * of 1,024 operations (batches, in the batch workloads) and call
 * cond_resched() between chunks, outside the timing.
 *
 * The memory figures come from the subject's source (enum zbench_mem); a
 * zalloc instance's counters are read in one place, zb_backing_read().
 *
 * Locking: a zb_run belongs to one thread.  The cross and churn pairs share
 * only their ring or batches, one producer and one consumer ordered with
 * acquire/release; the subject's instance is protected by its own locking
 * (ZB_SHARED) or is per CPU.
 */
#define pr_fmt(fmt) "zbench: " fmt

#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <linux/vmstat.h>
#include <zalloc/registry.h>

#include "bench.h"

const size_t zb_sizes[ZB_NR_SIZES] = { 16, 64, 256, 1024, 4096 };

const char * const zb_names[NR_ZB_WORKLOADS] = {
	[ZB_REUSE]		= "reuse",
	[ZB_BATCH_REVERSE]	= "batch-reverse",
	[ZB_BATCH_RANDOM]	= "batch-random",
	[ZB_BURST]		= "burst",
	[ZB_MIXED]		= "mixed",
	[ZB_PAR_REUSE]		= "parallel-reuse",
	[ZB_PAR_MIXED]		= "parallel-mixed",
	[ZB_CROSS]		= "cross",
	[ZB_CHURN]		= "churn",
};

/* ================= Sizes, random numbers, the cross ring ================= */

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

/* ======================== Memory figures ======================== */

/*
 * A zalloc instance's backing counters, read through the registry by its
 * registered name: the one place the benchmark reads zalloc's statistics.
 * Returns 0, or a negative errno if there is no such instance.
 */
static int zb_backing_read(const struct zbench_h *h, unsigned long *taken,
			   unsigned long *returned)
{
	struct zalloc_stats_sum sum;
	int err;

	err = zalloc_instance_read(h->stats_name, &sum);
	if (err)
		return err;
	*taken = sum.v[ZALLOC_STAT_BACKING_ALLOC];
	*returned = sum.v[ZALLOC_STAT_BACKING_FREE];
	return 0;
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
long zb_mem_now(const struct zb_run *r)
{
	const struct zbench_h *h = r->h;
	unsigned long taken, returned;

	switch (h->s->mem) {
	case ZB_MEM_ZSTATS:
		if (zb_backing_read(h, &taken, &returned))
			return 0;
		return taken - returned;
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

const char * const zb_mem_sources[] = {
	[ZB_MEM_NONE]		= "none",
	[ZB_MEM_ZSTATS]		= "zalloc-counters",
	[ZB_MEM_SLAB]		= "slab-pages",
	[ZB_MEM_FRAG_PAGES]	= "fragment-pages",
	[ZB_MEM_OWN]		= "own-count",
};

void zb_mem_start(struct zb_run *r, struct zb_mem *m)
{
	memset(m, 0, sizeof(*m));
	m->source = zb_mem_sources[r->h->s->mem];
	/* The global slab counter is measured from a baseline. */
	m->base = r->h->s->mem == ZB_MEM_SLAB ? zb_mem_now(r) : 0;
	m->peak = LONG_MIN;
	r->mem = m;
}

/* Walking the live blocks is too slow for every chunk: once a round. */
bool zb_mem_walks(const struct zb_run *r)
{
	return r->h->s->mem == ZB_MEM_FRAG_PAGES;
}

void zb_mem_sample(struct zb_run *r)
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
 * What the subject has taken from the kernel so far: its zalloc counters'
 * backing bytes (ZB_MEM_ZSTATS subjects) and, for every subject, the pages
 * the buddy allocator handed out system-wide (the PGALLOC events; the churn
 * workload reads them where nothing else in the guest allocates).
 */
void zb_taken_read(const struct zb_run *r, struct zb_taken *t)
{
	memset(t, 0, sizeof(*t));
	if (r->h->s->mem == ZB_MEM_ZSTATS)
		t->has_zstats = !zb_backing_read(r->h, &t->zstats,
						 &t->zstats_returned);
#ifdef CONFIG_VM_EVENT_COUNTERS
	if (r->events) {
		int z;

		all_vm_events(r->events);
		/* In zone order, as __count_zid_vm_events() has them. */
		for (z = 0; z < MAX_NR_ZONES; z++)
			t->pages += r->events[PGALLOC_NORMAL - ZONE_NORMAL + z];
		t->has_pages = true;
	}
#endif
}

/* ======================== The loops ======================== */

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

/*
 * Timed: hand @n blocks over in batches of ZB_CHURN_BATCH (@n rounded up
 * to whole batches), allocating or freeing as r->producer says.  Returns
 * the wall time.
 */
static __always_inline u64 zb_churn_k(struct zb_run *r, unsigned long n,
				      const enum zbench_kind k)
{
	const struct zbench_h *h = r->h;
	struct zb_churn *c = r->churn;
	unsigned long b, i, nb = DIV_ROUND_UP(n, ZB_CHURN_BATCH);
	size_t size = r->size;
	u64 t0 = ktime_get_ns();
	void **batch;
	int j;

	for (b = 0; b < nb; b++) {
		if (r->producer) {
			i = c->filled;
			/* Acquire: the consumer is done with the batch. */
			while (i - smp_load_acquire(&c->freed) >= ZB_CHURN_DEPTH)
				cpu_relax();
			batch = c->batch[i % ZB_CHURN_DEPTH];
			for (j = 0; j < ZB_CHURN_BATCH; j++) {
				batch[j] = zbench_alloc_k(h, size, k);
				r->fail += !batch[j];
			}
			/* Release: the batch is written before it is seen. */
			smp_store_release(&c->filled, i + 1);
		} else {
			i = c->freed;
			/* Acquire: pairs with the producer's release. */
			while (smp_load_acquire(&c->filled) == i)
				cpu_relax();
			batch = c->batch[i % ZB_CHURN_DEPTH];
			for (j = 0; j < ZB_CHURN_BATCH; j++)
				if (batch[j])
					zbench_free_k(h, batch[j], size, k);
			/* Release: the batch is read before it is refilled. */
			smp_store_release(&c->freed, i + 1);
		}
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
	case ZB_CHURN:
		return zb_churn_k(r, n, k);
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
DEFINE_ZB_STEP(zfixed, ZB_KIND_ZFIXED)
DEFINE_ZB_STEP(zarena, ZB_KIND_ZARENA)
DEFINE_ZB_STEP(none, ZB_KIND_NONE)

static u64 (* const zb_steps[NR_ZB_KINDS])(struct zb_run *r, unsigned long n) = {
	[ZB_KIND_KMALLOC]	= zb_step_kmalloc,
	[ZB_KIND_KMEM_CACHE]	= zb_step_kmem_cache,
	[ZB_KIND_GEN_POOL]	= zb_step_gen_pool,
	[ZB_KIND_PAGE_FRAG]	= zb_step_page_frag,
	[ZB_KIND_PAGES]		= zb_step_pages,
	[ZB_KIND_NATIVE]	= zb_step_native,
	[ZB_KIND_ZALLOC]	= zb_step_zalloc,
	[ZB_KIND_ZFIXED]	= zb_step_zfixed,
	[ZB_KIND_ZARENA]	= zb_step_zarena,
	[ZB_KIND_NONE]		= zb_step_none,
};

/* Run @n operations of r->w; returns the ns spent, as the loop timed it. */
u64 zb_step(struct zb_run *r, unsigned long n)
{
	return zb_steps[r->h->s->kind](r, n);
}

/* ======================== Run state ======================== */

/* Blocks a churn figure of about @n blocks passes: whole batches. */
unsigned long zb_churn_round(unsigned long n)
{
	return roundup(max(n, 1UL), ZB_CHURN_BATCH);
}

/* The batches of @pairs churn pairs, or NULL. */
struct zb_churn *zb_churn_alloc(unsigned int pairs)
{
	struct zb_churn *c = kvcalloc(pairs, sizeof(*c), GFP_KERNEL);
	unsigned int i, j;

	for (i = 0; c && i < pairs; i++) {
		for (j = 0; j < ZB_CHURN_DEPTH; j++) {
			c[i].batch[j] = kvcalloc(ZB_CHURN_BATCH,
						 sizeof(void *), GFP_KERNEL);
			if (!c[i].batch[j]) {
				zb_churn_free(c, pairs);
				return NULL;
			}
		}
	}
	return c;
}

/* Free what zb_churn_alloc() gave, once every block in it is freed. */
void zb_churn_free(struct zb_churn *c, unsigned int pairs)
{
	unsigned int i, j;

	for (i = 0; c && i < pairs; i++)
		for (j = 0; j < ZB_CHURN_DEPTH; j++)
			kvfree(c[i].batch[j]);
	kvfree(c);
}

/* Untimed: free what the mixed workload left live. */
void zb_mixed_free_all(struct zb_run *r)
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

/* Untimed: free the batches a churn pair left in flight (if it stopped). */
static void zb_churn_drain(struct zb_run *r)
{
	struct zb_churn *c = r->churn;
	unsigned long i;
	int j;

	for (i = c->freed; i != c->filled; i++) {
		void **batch = c->batch[i % ZB_CHURN_DEPTH];

		for (j = 0; j < ZB_CHURN_BATCH; j++)
			if (batch[j])
				zbench_free_k(r->h, batch[j], r->size,
					      r->h->s->kind);
	}
	c->freed = c->filled;
}

int zb_run_init(struct zb_run *r, const struct zbench_h *h,
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
	if (w == ZB_CHURN && IS_ENABLED(CONFIG_VM_EVENT_COUNTERS)) {
		r->events = kcalloc(NR_VM_EVENT_ITEMS, sizeof(*r->events),
				    GFP_KERNEL);
		return r->events ? 0 : -ENOMEM;
	}
	return 0;
}

void zb_run_destroy(struct zb_run *r)
{
	if (r->slot)
		zb_mixed_free_all(r);
	if (r->churn && !r->producer)
		zb_churn_drain(r);
	vfree(r->slot);
	kvfree(r->ptrs);
	kvfree(r->perm);
	kfree(r->events);
}

/* What an instance serving @cpus CPUs at once will be asked for. */
void zb_need(struct zbench_need *need, enum zbench_workload w, size_t size,
	     unsigned int cpus)
{
	bool mixed = w == ZB_MIXED || w == ZB_PAR_MIXED;
	unsigned int objs = 1;
	size_t bytes = size;

	if (mixed) {
		objs = ZB_MIXED_SLOTS;
		bytes = zb_mixed_live_bytes();
	} else if (w == ZB_CHURN) {
		objs = ZB_CHURN_BATCH * ZB_CHURN_DEPTH;
		bytes = objs * size;
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
