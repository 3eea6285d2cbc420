// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc_bench subjects: every allocator the benchmark measures, one table.
 *
 * The kernel's own allocators are the peers zalloc has to beat:
 *
 *	kmalloc		the reference; every ratio is against it
 *	kmem_cache	a dedicated cache per size (SLAB_NO_MERGE, so it is
 *			its own cache and not an alias of kmalloc-N)
 *	gen_pool	lib/genalloc.c over a vmalloc'd region: the bitmap
 *			allocator's peer
 *	page_frag	page_frag_alloc() on a per-CPU page_frag_cache: the
 *			fixed buffer's and arena's peer.  Its free is a
 *			put_page() of the page the fragment is in, allowed in
 *			any order and on any CPU, but a page is reused only
 *			once every fragment in it is freed.
 *	alloc_pages	the buddy allocator, order get_order(size): the page
 *			allocator's peer
 *
 * and the zalloc allocators go through their struct zalloc; the fixed
 * buffer and the arena are measured a second time, as "fixed-direct" and
 * "arena-direct", through the calls a caller that knows its allocator
 * makes (zalloc_fixed_alloc() and zalloc_arena_alloc(), inline, and their
 * frees), as page_frag is called.  Two more
 * subjects are the floor: "none", the workload's loop alone, and "null",
 * an allocator that does nothing behind struct zalloc (zb_floor_block).
 * Allocators still on their own branches have slots at the end of the
 * table, marked .missing; the lead fills them in after merging.
 *
 * Locking: none here.  Shared instances rely on the allocator's own
 * locking; single-owner ones (page_frag) get one instance per CPU from the
 * harness (no ZB_SHARED).
 */
#define pr_fmt(fmt) "zbench: " fmt

#include <linux/genalloc.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/err.h>
#include <zalloc/arena.h>
#include <zalloc/bitmap.h>
#include <zalloc/fixed.h>
#include <zalloc/kmalloc.h>
#include <zalloc/page.h>
#include <zalloc/sbrk.h>
#include <zalloc/smp.h>

#include "compat.h"
#include "zalloc_bench.h"

/*
 * The kernel's allocators are called directly by the workloads
 * (zbench_alloc_k()); here they are only set up and torn down.
 */

/*
 * The floor: "none" is the workload's loop alone (every allocation returns
 * the same block, no call), "null" an allocator that does nothing behind
 * struct zalloc, so null - none is what the contract itself costs: the
 * inline checks, the indirect call and return.  No zalloc subject can cost
 * less than null, nor a wrapper of kmalloc less than kmalloc + (null -
 * none).  Blocks are never written, so one static block serves all.
 */
static u64 zb_floor_block[4096 / sizeof(u64)];

static void *zb_null_alloc(void *ctx, size_t len, size_t align, gfp_t gfp,
			   unsigned long ip)
{
	return zb_floor_block;
}

static bool zb_null_resize(void *ctx, void *ptr, size_t len, size_t align,
			   size_t new_len, gfp_t gfp, unsigned long ip)
{
	return false;
}

static void zb_null_free(void *ctx, void *ptr, size_t len, size_t align,
			 unsigned long ip)
{
}

static const struct zalloc_ops zb_null_ops = {
	.alloc	= zb_null_alloc,
	.resize	= zb_null_resize,
	.free	= zb_null_free,
};

static const struct zalloc zb_null = { .ops = &zb_null_ops };

static int zb_none_setup(struct zbench_h *h, const struct zbench_need *need)
{
	h->priv = zb_floor_block;
	return 0;
}

static int zb_null_setup(struct zbench_h *h, const struct zbench_need *need)
{
	h->za = &zb_null;
	return 0;
}

/* kmem_cache: one cache of exactly the figure's size. */

static int zb_cache_setup(struct zbench_h *h, const struct zbench_need *need)
{
	char name[32];

	if (!need->size)
		return -EINVAL;
	snprintf(name, sizeof(name), "zbench-%zu", need->size);
	/* kmem_cache_create() keeps its own copy of the name. */
	h->cache = kmem_cache_create(name, need->size, 0, SLAB_NO_MERGE, NULL);
	return h->cache ? 0 : -ENOMEM;
}

static void zb_cache_teardown(struct zbench_h *h)
{
	kmem_cache_destroy(h->cache);
}

#if IS_ENABLED(CONFIG_GENERIC_ALLOCATOR)
/*
 * gen_pool: 16-byte chunks (the smallest size measured) over a vmalloc'd
 * region twice the live bytes, so first fit has room to fragment.
 */
#define ZB_GENPOOL_ORDER	4

struct zb_genpool {
	void *region;
	size_t bytes;
};

static int zb_genpool_setup(struct zbench_h *h, const struct zbench_need *need)
{
	struct zb_genpool *g;

	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (!g)
		return -ENOMEM;
	g->bytes = PAGE_ALIGN(2 * need->live_bytes + need->max_size);
	g->region = vmalloc(g->bytes);
	if (!g->region)
		goto free_g;
	h->pool = gen_pool_create(ZB_GENPOOL_ORDER, NUMA_NO_NODE);
	if (!h->pool)
		goto free_region;
	if (gen_pool_add(h->pool, (unsigned long)g->region, g->bytes,
			 NUMA_NO_NODE))
		goto free_pool;
	h->priv = g;
	return 0;

free_pool:
	gen_pool_destroy(h->pool);
free_region:
	vfree(g->region);
free_g:
	kfree(g);
	return -ENOMEM;
}

static void zb_genpool_teardown(struct zbench_h *h)
{
	struct zb_genpool *g = h->priv;

	gen_pool_destroy(h->pool);
	vfree(g->region);
	kfree(g);
}

static long zb_genpool_held(const struct zbench_h *h)
{
	const struct zb_genpool *g = h->priv;

	return g->bytes;
}

#define ZB_GENPOOL_MISSING	NULL
#else
#define zb_genpool_setup	NULL
#define zb_genpool_teardown	NULL
#define zb_genpool_held		NULL
#define ZB_GENPOOL_MISSING	"kernel-without-CONFIG_GENERIC_ALLOCATOR"
#endif

/* page_frag: one page_frag_cache per instance, one instance per CPU. */

static int zb_frag_setup(struct zbench_h *h, const struct zbench_need *need)
{
	h->frag = kzalloc(sizeof(*h->frag), GFP_KERNEL);
	return h->frag ? 0 : -ENOMEM;
}

static void zb_frag_teardown(struct zbench_h *h)
{
	page_frag_cache_drain(h->frag);
	kfree(h->frag);
}

/* alloc_pages: whole buddy blocks, counted per CPU for the memory figure. */

static int zb_pages_setup(struct zbench_h *h, const struct zbench_need *need)
{
	h->held = alloc_percpu(long);
	return h->held ? 0 : -ENOMEM;
}

static void zb_pages_teardown(struct zbench_h *h)
{
	free_percpu(h->held);
}

static long zb_pages_held(const struct zbench_h *h)
{
	long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += *per_cpu_ptr(h->held, cpu);
	return sum;
}

/* The global zalloc allocators need no instance of their own. */

static int zb_zpage_setup(struct zbench_h *h, const struct zbench_need *need)
{
	h->za = &zalloc_page_allocator;
	return 0;
}

static int zb_zkmalloc_setup(struct zbench_h *h, const struct zbench_need *need)
{
	h->za = &zalloc_kmalloc_allocator;
	return 0;
}

static int zb_zsmp_setup(struct zbench_h *h, const struct zbench_need *need)
{
	h->za = &zalloc_smp_allocator;
	return 0;
}

static int zb_zsbrk_setup(struct zbench_h *h, const struct zbench_need *need)
{
	h->za = &zalloc_sbrk_allocator;
	return 0;
}

/*
 * A unique name for @h's instance, "bench-<kind>-<n>", kept in @h and used
 * for its memory figures: the parallel workloads set up one instance per
 * CPU of a subject that is not ZB_SHARED, and the registry refuses a name
 * twice.  setup() runs in the module's init thread only.
 */
static const char *zb_name(struct zbench_h *h, const char *kind)
{
	static unsigned int seq;

	snprintf(h->name, sizeof(h->name), "bench-%s-%u", kind, ++seq);
	h->stats_name = h->name;
	return h->name;
}

/* The bitmap gets gen_pool's granule (order 4) and region size, locked. */
#define ZB_BITMAP_CHUNK		16

static int zb_zbitmap_setup(struct zbench_h *h, const struct zbench_need *need)
{
	struct zalloc_bitmap *b;

	b = zalloc_bitmap_create(ZB_BITMAP_CHUNK,
				 PAGE_ALIGN(2 * need->live_bytes + need->max_size),
				 ZALLOC_BITMAP_LOCKED, zb_name(h, "bitmap"));
	if (IS_ERR(b))
		return PTR_ERR(b);
	h->priv = b;
	h->za = zalloc_bitmap_allocator(b);
	return 0;
}

static void zb_zbitmap_teardown(struct zbench_h *h)
{
	zalloc_bitmap_destroy(h->priv);
}

struct zb_fixed {
	struct zalloc_fixed f;
	void *buf;
};

static int zb_zfixed_setup(struct zbench_h *h, const struct zbench_need *need)
{
	size_t bytes = PAGE_ALIGN(2 * need->live_bytes + need->max_size);
	struct zb_fixed *x = kzalloc(sizeof(*x), GFP_KERNEL);

	if (!x)
		return -ENOMEM;
	x->buf = vmalloc(bytes);
	if (!x->buf || zalloc_fixed_init(&x->f, x->buf, bytes,
					 zb_name(h, "fixed"), 0, GFP_KERNEL)) {
		vfree(x->buf);
		kfree(x);
		return -ENOMEM;
	}
	h->priv = x;
	h->za = zalloc_fixed_allocator(&x->f);
	h->fixed = &x->f;
	return 0;
}

static void zb_zfixed_reset(const struct zbench_h *h)
{
	struct zb_fixed *x = h->priv;

	zalloc_fixed_reset(&x->f);
}

static void zb_zfixed_teardown(struct zbench_h *h)
{
	struct zb_fixed *x = h->priv;

	zalloc_fixed_destroy(&x->f);
	vfree(x->buf);
	kfree(x);
}

static int zb_zarena_setup(struct zbench_h *h, const struct zbench_need *need)
{
	struct zalloc_arena *a = kzalloc(sizeof(*a), GFP_KERNEL);

	if (!a)
		return -ENOMEM;
	if (zalloc_arena_init(a, NULL, zb_name(h, "arena"), 0, GFP_KERNEL)) {
		kfree(a);
		return -ENOMEM;
	}
	h->priv = a;
	h->za = zalloc_arena_allocator(a);
	h->arena = a;
	return 0;
}

static void zb_zarena_reset(const struct zbench_h *h)
{
	zalloc_arena_reset(h->priv, ZALLOC_ARENA_RETAIN_CAPACITY, 0,
			   GFP_KERNEL);
}

static void zb_zarena_teardown(struct zbench_h *h)
{
	zalloc_arena_destroy(h->priv);
	kfree(h->priv);
}

const struct zbench_subject zbench_subjects[] = {
	/* The floor (zb_floor_block): no memory figure, so no mixed. */
	{
		.name = "none", .peer = "kmalloc",
		.kind = ZB_KIND_NONE,
		.caps = ZB_FREE_ANY | ZB_ONE_SIZE,
		.setup = zb_none_setup,
	},
	{
		.name = "null", .peer = "kmalloc",
		.kind = ZB_KIND_ZALLOC,
		.caps = ZB_FREE_ANY | ZB_ONE_SIZE,
		.setup = zb_null_setup,
	},
	/* The kernel's allocators. */
	{
		.name = "kmalloc", .peer = "reference",
		.kind = ZB_KIND_KMALLOC,
		.caps = ZB_FREE_ANY | ZB_SHARED | ZB_REMOTE_FREE,
		.mem = ZB_MEM_SLAB,
	},
	{
		.name = "kmem_cache", .peer = "reference",
		.kind = ZB_KIND_KMEM_CACHE,
		.caps = ZB_FREE_ANY | ZB_SHARED | ZB_REMOTE_FREE | ZB_ONE_SIZE,
		.mem = ZB_MEM_SLAB,
		.setup = zb_cache_setup, .teardown = zb_cache_teardown,
	},
	{
		.name = "gen_pool", .peer = "bitmap",
		.kind = ZB_KIND_GEN_POOL,
		.caps = ZB_FREE_ANY | ZB_SHARED | ZB_REMOTE_FREE,
		.mem = ZB_MEM_OWN,
		/*
		 * First fit over a fragmented bitmap: ~30 us a step in TCG,
		 * ~100 us a block in churn at 4 KiB.
		 */
		.slow = ZB_W(ZB_MIXED) | ZB_W(ZB_PAR_MIXED) | ZB_W(ZB_CHURN),
		.missing = ZB_GENPOOL_MISSING,
		.setup = zb_genpool_setup, .teardown = zb_genpool_teardown,
		.held = zb_genpool_held,
	},
	{
		.name = "page_frag", .peer = "fixed,arena",
		.kind = ZB_KIND_PAGE_FRAG,
		.caps = ZB_FREE_ANY | ZB_REMOTE_FREE,
		.mem = ZB_MEM_FRAG_PAGES,
		.setup = zb_frag_setup, .teardown = zb_frag_teardown,
	},
	{
		.name = "alloc_pages", .peer = "page",
		.kind = ZB_KIND_PAGES,
		.caps = ZB_FREE_ANY | ZB_SHARED | ZB_REMOTE_FREE,
		.mem = ZB_MEM_OWN,
		.setup = zb_pages_setup, .teardown = zb_pages_teardown,
		.held = zb_pages_held,
	},

	/* zalloc's allocators, through struct zalloc. */
	{
		.name = "page", .peer = "alloc_pages",
		.kind = ZB_KIND_ZALLOC,
		.caps = ZB_FREE_ANY | ZB_SHARED | ZB_REMOTE_FREE,
		.mem = ZB_MEM_ZSTATS, .stats_name = "page",
		.setup = zb_zpage_setup,
	},
	{
		/* kmalloc behind the contract: the cost of the indirection. */
		.name = "kmalloc-wrapper", .peer = "kmalloc",
		.kind = ZB_KIND_ZALLOC,
		.caps = ZB_FREE_ANY | ZB_SHARED | ZB_REMOTE_FREE,
		.mem = ZB_MEM_SLAB,
		.setup = zb_zkmalloc_setup,
	},

	/*
	 * For ZB_MEM_ZSTATS the instance is registered under .stats_name, or
	 * setup() sets h->stats_name.  .caps follow each allocator's header
	 * (contexts, free order, sharing).
	 */
	{
		.name = "smp", .peer = "kmalloc",
		.kind = ZB_KIND_ZALLOC,
		.caps = ZB_FREE_ANY | ZB_SHARED | ZB_REMOTE_FREE,
		.mem = ZB_MEM_ZSTATS, .stats_name = "smp",
		.setup = zb_zsmp_setup,
	},
	{
		.name = "sbrk", .peer = "kmalloc",
		.kind = ZB_KIND_ZALLOC,
		.caps = ZB_FREE_ANY | ZB_SHARED | ZB_REMOTE_FREE,
		.mem = ZB_MEM_ZSTATS, .stats_name = "sbrk",
		.setup = zb_zsbrk_setup,
	},
	{
		.name = "bitmap", .peer = "gen_pool",
		.kind = ZB_KIND_ZALLOC,
		.caps = ZB_FREE_ANY | ZB_SHARED | ZB_REMOTE_FREE,
		.mem = ZB_MEM_ZSTATS,
		.slow = ZB_W(ZB_MIXED) | ZB_W(ZB_PAR_MIXED),
		.setup = zb_zbitmap_setup, .teardown = zb_zbitmap_teardown,
	},
	{
		/* A buffer of need->live_bytes; reset() rewinds it. */
		.name = "fixed", .peer = "page_frag",
		.kind = ZB_KIND_ZALLOC,
		.caps = ZB_FREE_LAST | ZB_RESET,
		.mem = ZB_MEM_ZSTATS,
		.setup = zb_zfixed_setup, .teardown = zb_zfixed_teardown,
		.reset = zb_zfixed_reset,
	},
	{
		/* The same, called directly: zalloc_fixed_alloc()/free(). */
		.name = "fixed-direct", .peer = "page_frag",
		.kind = ZB_KIND_ZFIXED,
		.caps = ZB_FREE_LAST | ZB_RESET,
		.mem = ZB_MEM_ZSTATS,
		.setup = zb_zfixed_setup, .teardown = zb_zfixed_teardown,
		.reset = zb_zfixed_reset,
	},
	{
		/* Over the page allocator; reset() frees all, keeps capacity. */
		.name = "arena", .peer = "page_frag",
		.kind = ZB_KIND_ZALLOC,
		.caps = ZB_FREE_LAST | ZB_RESET,
		.mem = ZB_MEM_ZSTATS,
		.setup = zb_zarena_setup, .teardown = zb_zarena_teardown,
		.reset = zb_zarena_reset,
	},
	{
		/* The same, called directly: zalloc_arena_alloc()/free(). */
		.name = "arena-direct", .peer = "page_frag",
		.kind = ZB_KIND_ZARENA,
		.caps = ZB_FREE_LAST | ZB_RESET,
		.mem = ZB_MEM_ZSTATS,
		.setup = zb_zarena_setup, .teardown = zb_zarena_teardown,
		.reset = zb_zarena_reset,
	},
};

const unsigned int zbench_nr_subjects = ARRAY_SIZE(zbench_subjects);
