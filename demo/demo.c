// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc_demo: a consumer of zalloc's exported API, written the way a
 * driver would use it.  It takes a DMA-style descriptor ring from the page
 * allocator (aligned to its size), keeps a growable table of records in the
 * kmalloc allocator, grows it with zalloc_array_realloc(), reports what it
 * did and gives everything back on unload.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <zalloc/kmalloc.h>
#include <zalloc/page.h>

#define DEMO_RING_BYTES		(16 * 1024)
#define DEMO_RECORDS		1000

struct demo_record {
	u64 id;
	u32 len;
	u32 flags;
};

static void *demo_ring;
static struct demo_record *demo_table;
static size_t demo_nr;

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

static int __init demo_init(void)
{
	size_t n = 16, i;
	int err;

	demo_ring = zalloc_alloc(&zalloc_page_allocator, DEMO_RING_BYTES,
				 DEMO_RING_BYTES, GFP_KERNEL);
	if (!demo_ring)
		return -ENOMEM;
	memset(demo_ring, 0, DEMO_RING_BYTES);
	pr_info("ring of %d bytes at %p, aligned to its size: %s\n",
		DEMO_RING_BYTES, demo_ring,
		IS_ALIGNED((unsigned long)demo_ring, DEMO_RING_BYTES) ?
		"yes" : "no");

	for (i = 0; i < DEMO_RECORDS; i++) {
		if (i == demo_nr) {
			err = demo_grow_table(n);
			if (err)
				goto out_table;
			n *= 2;
		}
		demo_table[i] = (struct demo_record){ .id = i, .len = i * 3 };
	}
	for (i = 0; i < DEMO_RECORDS; i++) {
		if (demo_table[i].id != i) {
			pr_err("record %zu lost its contents\n", i);
			err = -EIO;
			goto out_table;
		}
	}
	pr_info("table of %d records intact after growing to %zu slots\n",
		DEMO_RECORDS, demo_nr);
	return 0;

out_table:
	zalloc_array_free(&zalloc_kmalloc_allocator, demo_table, demo_nr);
	zalloc_free(&zalloc_page_allocator, demo_ring, DEMO_RING_BYTES,
		    DEMO_RING_BYTES);
	return err;
}

static void __exit demo_exit(void)
{
	zalloc_array_free(&zalloc_kmalloc_allocator, demo_table, demo_nr);
	zalloc_free(&zalloc_page_allocator, demo_ring, DEMO_RING_BYTES,
		    DEMO_RING_BYTES);
	pr_info("released the ring and %zu table slots\n", demo_nr);
}

module_init(demo_init);
module_exit(demo_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("zalloc demo consumer");
MODULE_IMPORT_NS(ZALLOC_NS);
