// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc_consumer: the smallest module using zalloc from outside its tree,
 * built exactly as the README's "Using it from another module" says (see
 * Kbuild and Makefile next to this file).
 *
 * It keeps a table of records in the kmalloc allocator, grows it with
 * zalloc_array_realloc(), and takes one object per record from the global
 * SMP allocator; then it bumps scratch blocks out of a fixed buffer and an
 * arena through their direct calls, which are inline in the headers.
 * Everything is checked and given back at load, and the module stays
 * loaded so it can be unloaded like any other.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <zalloc/arena.h>
#include <zalloc/fixed.h>
#include <zalloc/kmalloc.h>
#include <zalloc/smp.h>

MODULE_IMPORT_NS(ZALLOC_NS);	/* "ZALLOC"; see include/zalloc/compat.h */

struct consumer_req {
	u64 id;
	u8 payload[40];
};

struct consumer_rec {
	u64 id;
	struct consumer_req *req;
};

/* Scratch space the direct way: a fixed buffer, then an arena. */
static int __init consumer_scratch(void)
{
	static u8 buf[256] __aligned(16);
	static struct zalloc_fixed fixed;
	static struct zalloc_arena arena;
	u8 *p, *q;
	int ret = 0;

	if (zalloc_fixed_init(&fixed, buf, sizeof(buf), NULL, 0, GFP_KERNEL))
		return -ENOMEM;
	p = zalloc_fixed_alloc(&fixed, 100, 16);
	q = zalloc_fixed_alloc(&fixed, 100, 16);
	if (p != buf || q != buf + 112 || zalloc_fixed_alloc(&fixed, 100, 16))
		ret = -EIO;
	zalloc_fixed_free(&fixed, q, 100, 16);
	zalloc_fixed_free(&fixed, p, 100, 16);
	zalloc_fixed_destroy(&fixed);
	if (ret)
		return ret;

	if (zalloc_arena_init(&arena, NULL, NULL, 0, GFP_KERNEL))
		return -ENOMEM;
	p = zalloc_arena_alloc(&arena, 1000, 64, GFP_KERNEL);
	q = zalloc_arena_alloc(&arena, 1000, 64, GFP_KERNEL | __GFP_ZERO);
	if (!p || !q || !IS_ALIGNED((unsigned long)q, 64) ||
	    memchr_inv(q, 0, 1000))
		ret = -EIO;
	zalloc_arena_free(&arena, q, 1000, 64);
	zalloc_arena_free(&arena, p, 1000, 64);
	zalloc_arena_destroy(&arena);
	return ret;
}

static int __init consumer_init(void)
{
	const struct zalloc *a = &zalloc_kmalloc_allocator;
	const struct zalloc *smp = &zalloc_smp_allocator;
	struct consumer_rec *t, *grown;
	unsigned int i, bad = 0;
	int ret = 0;

	t = zalloc_array(a, struct consumer_rec, 16, GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	for (i = 0; i < 16; i++)
		t[i].id = i;
	grown = zalloc_array_realloc(a, t, 16, 64, GFP_KERNEL);	/* remap, else copy */
	if (!grown) {
		zalloc_array_free(a, t, 16);
		return -ENOMEM;
	}
	t = grown;
	for (i = 0; i < 64; i++) {
		if (i < 16 && t[i].id != i)
			bad++;
		t[i].id = i;
		t[i].req = zalloc_new(smp, struct consumer_req, GFP_KERNEL);
		if (!t[i].req) {
			ret = -ENOMEM;
			continue;
		}
		t[i].req->id = i;
		memset(t[i].req->payload, i, sizeof(t[i].req->payload));
	}
	for (i = 0; i < 64; i++) {
		if (!t[i].req)
			continue;
		if (t[i].req->id != i ||
		    memchr_inv(t[i].req->payload, i, sizeof(t[i].req->payload)))
			bad++;
		zalloc_delete(smp, t[i].req);
	}
	zalloc_array_free(a, t, 64);
	if (bad) {
		pr_err("%u records lost their contents\n", bad);
		return -EIO;
	}
	if (!ret)
		ret = consumer_scratch();
	if (!ret)
		pr_info("64 records and their requests allocated, checked and freed; scratch blocks too\n");
	return ret;
}

static void __exit consumer_exit(void)
{
}

module_init(consumer_init);
module_exit(consumer_exit);

MODULE_DESCRIPTION("zalloc example consumer: a module built outside zalloc's tree");
MODULE_LICENSE("GPL");
