// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc_demo: a consumer of zalloc's exported API, written the way a
 * driver would use it.
 *
 *  - A DMA-style descriptor ring from the page allocator, aligned to its
 *    size, and a growable table of records in the kmalloc allocator, grown
 *    with zalloc_array_realloc().
 *  - A private SMP instance, "demo-smp", that a burst of worker kthreads
 *    (one per online CPU) allocate from and free into, each block filled
 *    and checked; each worker leaves a few blocks live until unload.
 *  - An arena, "demo-arena", over that SMP instance, holding per-request
 *    scratch records that go away together.
 *
 * Both private instances are named, so they show in debugfs and in
 * tools/zallocstat while the module is loaded and vanish when it unloads
 * (make run prints the table after each step).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <zalloc/arena.h>
#include <zalloc/kmalloc.h>
#include <zalloc/page.h>
#include <zalloc/registry.h>
#include <zalloc/smp.h>

#define DEMO_RING_BYTES		(16 * 1024)
#define DEMO_RECORDS		1000
#define DEMO_OPS		4000
#define DEMO_SLOTS		64
#define DEMO_KEEP		8
#define DEMO_SCRATCH		300

struct demo_record {
	u64 id;
	u32 len;
	u32 flags;
};

struct demo_block {
	u8 *p;
	size_t len;
};

/* One worker: its blocks stay in @slots until unload (first DEMO_KEEP). */
struct demo_worker {
	struct task_struct *task;
	struct completion done;
	struct demo_block slots[DEMO_SLOTS];
	unsigned long ops;
	unsigned long bad;
};

static void *demo_ring;
static struct demo_record *demo_table;
static size_t demo_nr;
static struct zalloc *demo_smp;
static struct zalloc_arena demo_arena;
static struct demo_worker *demo_workers;
static unsigned int demo_nr_workers;

static u8 demo_pattern(const struct demo_block *b, size_t i)
{
	return (u8)((unsigned long)b->p >> 4) + i;
}

static void demo_fill(struct demo_block *b)
{
	size_t i;

	for (i = 0; i < b->len; i++)
		b->p[i] = demo_pattern(b, i);
}

static bool demo_intact(const struct demo_block *b)
{
	size_t i;

	for (i = 0; i < b->len; i++)
		if (b->p[i] != demo_pattern(b, i))
			return false;
	return true;
}

static void demo_put(struct demo_worker *w, struct demo_block *b)
{
	const struct zalloc *a = demo_smp;

	if (!demo_intact(b))
		w->bad++;
	zalloc_free(a, b->p, b->len, 8);
	b->p = NULL;
}

static int demo_work(void *data)
{
	const struct zalloc *a = demo_smp;
	struct demo_worker *w = data;
	struct demo_block *b;
	unsigned int i;

	for (i = 0; i < DEMO_OPS; i++, w->ops++) {
		b = &w->slots[get_random_u32_below(DEMO_SLOTS)];
		if (b->p) {
			demo_put(w, b);
			continue;
		}
		b->len = 16 + get_random_u32_below(2048);
		b->p = zalloc_alloc(a, b->len, 8, GFP_KERNEL);
		if (b->p)
			demo_fill(b);
		if (!(i % 256))
			cond_resched();
	}
	/* Keep the first DEMO_KEEP slots live, so the tables show them. */
	for (i = DEMO_KEEP; i < DEMO_SLOTS; i++)
		if (w->slots[i].p)
			demo_put(w, &w->slots[i]);
	complete(&w->done);
	return 0;
}

static int demo_burst(void)
{
	unsigned int cpu, n = 0, i;

	demo_nr_workers = num_online_cpus();
	demo_workers = kcalloc(demo_nr_workers, sizeof(*demo_workers),
			       GFP_KERNEL);
	if (!demo_workers)
		return -ENOMEM;
	for_each_online_cpu(cpu) {
		struct demo_worker *w = &demo_workers[n];

		if (n == demo_nr_workers)
			break;
		init_completion(&w->done);
		w->task = kthread_run(demo_work, w, "zalloc_demo/%u", cpu);
		if (IS_ERR(w->task))
			complete(&w->done);
		n++;
	}
	demo_nr_workers = n;
	for (i = 0; i < n; i++)
		wait_for_completion(&demo_workers[i].done);
	return 0;
}

static void demo_release_workers(void)
{
	unsigned int i, j;

	for (i = 0; demo_workers && i < demo_nr_workers; i++)
		for (j = 0; j < DEMO_SLOTS; j++)
			if (demo_workers[i].slots[j].p)
				demo_put(&demo_workers[i],
					 &demo_workers[i].slots[j]);
	kfree(demo_workers);
	demo_workers = NULL;
}

static void demo_report_burst(void)
{
	unsigned long ops = 0, bad = 0;
	unsigned int i;

	for (i = 0; i < demo_nr_workers; i++) {
		ops += demo_workers[i].ops;
		bad += demo_workers[i].bad;
	}
	pr_info("%u workers did %lu operations on demo-smp; %lu blocks damaged\n",
		demo_nr_workers, ops, bad);
}

/* Scratch records in the arena, then a reset that keeps the capacity. */
static int demo_scratch(void)
{
	const struct zalloc *a = zalloc_arena_allocator(&demo_arena);
	struct demo_record *r;
	unsigned int i;

	for (i = 0; i < DEMO_SCRATCH; i++) {
		r = zalloc_new(a, struct demo_record, GFP_KERNEL);
		if (!r)
			return -ENOMEM;
		*r = (struct demo_record){ .id = i, .len = 3 * i };
	}
	pr_info("arena holds %zu bytes after %d records\n",
		zalloc_arena_query_capacity(&demo_arena), DEMO_SCRATCH);
	return 0;
}

static int demo_grow_table(size_t want)
{
	const struct zalloc *a = &zalloc_kmalloc_allocator;
	struct demo_record *t;

	t = zalloc_array_realloc(a, demo_table, demo_nr, want, GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	demo_table = t;
	demo_nr = want;
	return 0;
}

static int demo_fill_table(void)
{
	size_t n = 16, i;
	int err;

	for (i = 0; i < DEMO_RECORDS; i++) {
		if (i == demo_nr) {
			err = demo_grow_table(n);
			if (err)
				return err;
			n *= 2;
		}
		demo_table[i] = (struct demo_record){ .id = i, .len = i * 3 };
	}
	for (i = 0; i < DEMO_RECORDS; i++)
		if (demo_table[i].id != i)
			return -EIO;
	pr_info("table of %d records intact after growing to %zu slots\n",
		DEMO_RECORDS, demo_nr);
	return 0;
}

static void demo_teardown(void)
{
	demo_release_workers();
	zalloc_arena_destroy(&demo_arena);
	zalloc_destroy(demo_smp);
	zalloc_array_free(&zalloc_kmalloc_allocator, demo_table, demo_nr);
	zalloc_free(&zalloc_page_allocator, demo_ring, DEMO_RING_BYTES,
		    DEMO_RING_BYTES);
}

static int __init demo_init(void)
{
	int err;

	demo_ring = zalloc_alloc(&zalloc_page_allocator, DEMO_RING_BYTES,
				 DEMO_RING_BYTES, GFP_KERNEL);
	if (!demo_ring)
		return -ENOMEM;
	memset(demo_ring, 0, DEMO_RING_BYTES);
	pr_info("ring of %d bytes, aligned to its size: %s\n", DEMO_RING_BYTES,
		IS_ALIGNED((unsigned long)demo_ring, DEMO_RING_BYTES) ?
		"yes" : "no");
	err = demo_fill_table();
	if (err)
		goto out_ring;

	demo_smp = zalloc_smp_create("demo-smp", 0);
	if (!demo_smp) {
		err = -ENOMEM;
		goto out_ring;
	}
	err = zalloc_arena_init(&demo_arena, demo_smp, "demo-arena", 0,
				GFP_KERNEL);
	if (err)
		goto out_smp;
	err = demo_burst();
	if (err)
		goto out_arena;
	demo_report_burst();
	err = demo_scratch();
	if (err)
		goto out_arena;
	return 0;

out_arena:
	demo_release_workers();
	zalloc_arena_destroy(&demo_arena);
out_smp:
	zalloc_destroy(demo_smp);
out_ring:
	zalloc_array_free(&zalloc_kmalloc_allocator, demo_table, demo_nr);
	zalloc_free(&zalloc_page_allocator, demo_ring, DEMO_RING_BYTES,
		    DEMO_RING_BYTES);
	return err;
}

static void __exit demo_exit(void)
{
	demo_teardown();
	pr_info("released the ring, the table, demo-arena and demo-smp\n");
}

module_init(demo_init);
module_exit(demo_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("zalloc demo consumer");
MODULE_IMPORT_NS(ZALLOC_NS);
