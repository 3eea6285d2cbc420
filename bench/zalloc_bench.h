/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zalloc_bench: the subjects the benchmark measures, and how it calls them.
 *
 * A subject is one allocator: a zalloc allocator reached through its
 * struct zalloc (the cost of the contract's indirect call included), or a
 * native kernel peer.  The kernel's allocators are called directly, as
 * their users call them: every workload loop is compiled once per kind
 * (zbench_alloc_k() with a constant kind), so kmalloc, kmem_cache, gen_pool,
 * page_frag and alloc_pages pay no indirect call the benchmark adds.  Under
 * QEMU's TCG an indirect call and return cost far more than on hardware, so
 * this matters.  kmalloc is the reference every figure is compared with.
 *
 * Each figure sets a subject up, runs one workload and tears it down, so a
 * subject may size itself to the workload (a kmem_cache for one size, a
 * gen_pool region large enough for the live set).  Subjects whose instances
 * are not safe to share between CPUs get one instance per CPU in the
 * parallel and cross-CPU workloads.
 *
 * Adding an allocator is one entry in zbench_subjects[] (bench/subjects.c),
 * plus its setup()/teardown() if it needs an instance.
 */
#ifndef _ZALLOC_BENCH_H
#define _ZALLOC_BENCH_H

#include <linux/genalloc.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/types.h>
#include <zalloc/arena.h>
#include <zalloc/fixed.h>
#include <zalloc/zalloc.h>

/* The alignment every zalloc subject is asked for: kmalloc's minimum. */
#define ZBENCH_ALIGN		sizeof(void *)

/* The workloads; a subject's .slow mask uses these bits. */
enum zbench_workload {
	ZB_REUSE,		/* alloc then free the same size */
	ZB_BATCH_REVERSE,	/* alloc 1,000, free them newest first */
	ZB_BATCH_RANDOM,	/* alloc 1,000, free them in random order */
	ZB_BURST,		/* alloc 1,000, then reset (or free oldest first) */
	ZB_MIXED,		/* skewed random sizes, random frees, ~10,000 live */
	ZB_PAR_REUSE,		/* ZB_REUSE on every online CPU at once */
	ZB_PAR_MIXED,		/* ZB_MIXED on every online CPU at once */
	ZB_CROSS,		/* allocated on one CPU, freed on another */
	ZB_CHURN,		/* batches of that, steady state: slabs taken */
	NR_ZB_WORKLOADS
};

#define ZB_W(w)			(1U << (w))

/* What a subject can do, and so which workloads it runs. */
enum {
	/* Any live block may be freed, in any order. */
	ZB_FREE_ANY	= 1U << 0,
	/*
	 * Only the newest block may be freed (a stack); frees of older
	 * blocks are not supported.  Without ZB_FREE_ANY this limits the
	 * subject to reuse, batch-reverse, burst and parallel-reuse.
	 */
	ZB_FREE_LAST	= 1U << 1,
	/* reset() drops every live block at once. */
	ZB_RESET	= 1U << 2,
	/*
	 * One instance may be used from every CPU at once; without it, each
	 * CPU gets its own instance in the parallel workloads.
	 */
	ZB_SHARED	= 1U << 3,
	/* A block may be freed on another CPU while its instance allocates. */
	ZB_REMOTE_FREE	= 1U << 4,
	/* A cache serves one size only: no mixed sizes. */
	ZB_ONE_SIZE	= 1U << 5,
};

/* How a subject is called; all but the native and zalloc ones directly. */
enum zbench_kind {
	ZB_KIND_KMALLOC,	/* the reference: kmalloc()/kfree() */
	ZB_KIND_KMEM_CACHE,	/* kmem_cache_alloc()/free() on h->cache */
	ZB_KIND_GEN_POOL,	/* gen_pool_alloc()/free() on h->pool */
	ZB_KIND_PAGE_FRAG,	/* page_frag_alloc_align() on h->frag */
	ZB_KIND_PAGES,		/* __get_free_pages()/free_pages() */
	ZB_KIND_NATIVE,		/* another kernel peer: alloc/free callbacks */
	ZB_KIND_ZALLOC,		/* a zalloc allocator: its struct zalloc */
	ZB_KIND_ZFIXED,		/* zalloc_fixed_alloc()/free() on h->fixed */
	ZB_KIND_ZARENA,		/* zalloc_arena_alloc()/free() on h->arena */
	ZB_KIND_NONE,		/* no allocator: h->priv, inline */
	NR_ZB_KINDS
};

/* Where the memory figures of the mixed workload come from. */
enum zbench_mem {
	ZB_MEM_NONE,		/* not measured */
	ZB_MEM_ZSTATS,		/* the zalloc instance's backing counters */
	ZB_MEM_SLAB,		/* the node's unreclaimable slab pages (global) */
	ZB_MEM_FRAG_PAGES,	/* pages pinned by live page_frag fragments */
	ZB_MEM_OWN,		/* the subject's held() callback */
};

/**
 * struct zbench_need - what one figure will ask of a subject
 * @size: the one size it will be asked for, or 0 for mixed sizes
 * @max_size: the largest size it will be asked for
 * @live_bytes: an upper bound of the bytes live at once in this instance
 * @live_objs: an upper bound of the blocks live at once in this instance
 * @cpus: how many CPUs will use this instance at once
 */
struct zbench_need {
	size_t size;
	size_t max_size;
	size_t live_bytes;
	unsigned int live_objs;
	unsigned int cpus;
};

struct zbench_subject;

/**
 * struct zbench_h - one set-up instance of a subject
 * @s: the subject
 * @za: ZB_KIND_ZALLOC: the allocator
 * @cache: ZB_KIND_KMEM_CACHE: the cache
 * @pool: ZB_KIND_GEN_POOL: the pool
 * @frag: ZB_KIND_PAGE_FRAG: the fragment cache
 * @fixed: ZB_KIND_ZFIXED: the fixed buffer instance
 * @arena: ZB_KIND_ZARENA: the arena
 * @held: ZB_KIND_PAGES: bytes held, per CPU
 * @priv: the subject's own state
 * @stats_name: the registered zalloc instance whose counters give the
 *	memory figures (ZB_MEM_ZSTATS); setup() may set it, else the
 *	subject's
 * @name: room for the name setup() registers its instance under
 */
struct zbench_h {
	const struct zbench_subject *s;
	const struct zalloc *za;
	struct kmem_cache *cache;
	struct gen_pool *pool;
	struct page_frag_cache *frag;
	struct zalloc_fixed *fixed;
	struct zalloc_arena *arena;
	long __percpu *held;
	void *priv;
	const char *stats_name;
	char name[32];
};

/**
 * struct zbench_subject - one allocator the benchmark measures
 * @name: its name in the output
 * @peer: what it is measured against, for the output
 * @kind: how it is called
 * @caps: ZB_* capabilities
 * @mem: where its memory figures come from
 * @slow: workloads (ZB_W() bits) that run slow_ops instead of ops
 * @missing: why it cannot run in this build (not merged yet, not in this
 *	kernel), or NULL
 * @stats_name: the registered zalloc instance for ZB_MEM_ZSTATS
 * @setup: set up an instance: @h->za for ZB_KIND_ZALLOC, the field of
 *	its kind for a direct native, @h->priv as it needs.  May be NULL.
 *	Returns 0 or a negative errno.
 * @teardown: undo @setup once every block is freed or reset; may be NULL
 * @alloc: ZB_KIND_NATIVE: allocate @size bytes (ZBENCH_ALIGN aligned);
 *	called through this pointer, which adds an indirect call
 * @free: ZB_KIND_NATIVE: free a block of @size bytes
 * @reset: ZB_RESET: drop every live block of the instance at once
 * @held: ZB_MEM_OWN: bytes of memory the instance holds now
 */
struct zbench_subject {
	const char *name;
	const char *peer;
	enum zbench_kind kind;
	unsigned int caps;
	enum zbench_mem mem;
	unsigned int slow;
	const char *missing;
	const char *stats_name;
	int (*setup)(struct zbench_h *h, const struct zbench_need *need);
	void (*teardown)(struct zbench_h *h);
	void *(*alloc)(void *priv, size_t size);
	void (*free)(void *priv, void *p, size_t size);
	void (*reset)(const struct zbench_h *h);
	long (*held)(const struct zbench_h *h);
};

extern const struct zbench_subject zbench_subjects[];
extern const unsigned int zbench_nr_subjects;

/*
 * The calls every workload makes, for a kind known at compile time: the
 * workloads call these with a constant @k, so each collapses to the one
 * direct call of its kind.  zalloc subjects go through zalloc_alloc() and
 * their ops: the helper's checks plus one indirect call, the contract's
 * real cost.
 */
static __always_inline void *zbench_pages_alloc(const struct zbench_h *h,
						size_t size)
{
	unsigned int order = get_order(size);
	unsigned long addr = __get_free_pages(GFP_KERNEL, order);

	if (addr)
		this_cpu_add(*h->held, PAGE_SIZE << order);
	return (void *)addr;
}

static __always_inline void zbench_pages_free(const struct zbench_h *h,
					      void *p, size_t size)
{
	unsigned int order = get_order(size);

	free_pages((unsigned long)p, order);
	this_cpu_sub(*h->held, PAGE_SIZE << order);
}

static __always_inline void *zbench_alloc_k(const struct zbench_h *h,
					    size_t size,
					    const enum zbench_kind k)
{
	switch (k) {
	case ZB_KIND_KMALLOC:
		return kmalloc(size, GFP_KERNEL);
	case ZB_KIND_KMEM_CACHE:
		return kmem_cache_alloc(h->cache, GFP_KERNEL);
	case ZB_KIND_GEN_POOL:
		if (!IS_ENABLED(CONFIG_GENERIC_ALLOCATOR))
			return NULL;
		return (void *)gen_pool_alloc(h->pool, size);
	case ZB_KIND_PAGE_FRAG:
		return page_frag_alloc_align(h->frag, size, GFP_KERNEL,
					     ZBENCH_ALIGN);
	case ZB_KIND_PAGES:
		return zbench_pages_alloc(h, size);
	case ZB_KIND_ZALLOC:
		return zalloc_alloc(h->za, size, ZBENCH_ALIGN, GFP_KERNEL);
	case ZB_KIND_ZFIXED:
		return zalloc_fixed_alloc(h->fixed, size, ZBENCH_ALIGN);
	case ZB_KIND_ZARENA:
		return zalloc_arena_alloc(h->arena, size, ZBENCH_ALIGN,
					  GFP_KERNEL);
	case ZB_KIND_NONE:
		return h->priv;
	default:
		return h->s->alloc(h->priv, size);
	}
}

static __always_inline void zbench_free_k(const struct zbench_h *h, void *p,
					  size_t size,
					  const enum zbench_kind k)
{
	switch (k) {
	case ZB_KIND_KMALLOC:
		kfree(p);
		break;
	case ZB_KIND_KMEM_CACHE:
		kmem_cache_free(h->cache, p);
		break;
	case ZB_KIND_GEN_POOL:
		if (IS_ENABLED(CONFIG_GENERIC_ALLOCATOR))
			gen_pool_free(h->pool, (unsigned long)p, size);
		break;
	case ZB_KIND_PAGE_FRAG:
		page_frag_free(p);
		break;
	case ZB_KIND_PAGES:
		zbench_pages_free(h, p, size);
		break;
	case ZB_KIND_ZALLOC:
		zalloc_free(h->za, p, size, ZBENCH_ALIGN);
		break;
	case ZB_KIND_ZFIXED:
		zalloc_fixed_free(h->fixed, p, size, ZBENCH_ALIGN);
		break;
	case ZB_KIND_ZARENA:
		zalloc_arena_free(h->arena, p, size, ZBENCH_ALIGN);
		break;
	case ZB_KIND_NONE:
		/* The loop stays: a free loop of no effect would go. */
		barrier_data(p);
		break;
	default:
		h->s->free(h->priv, p, size);
	}
}

#endif /* _ZALLOC_BENCH_H */
