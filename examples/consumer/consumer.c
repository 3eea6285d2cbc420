// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc_consumer: the smallest module using zalloc from outside its tree,
 * built exactly as the README's "Using it from another module" says (see
 * Kbuild and Makefile next to this file).
 *
 * It keeps a table of records in the kmalloc allocator, grows it with
 * zalloc_array_realloc(), and takes one object per record from the global
 * SMP allocator; everything is checked and given back at load, and the
 * module stays loaded so it can be unloaded like any other.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
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
		pr_info("64 records and their requests allocated, checked and freed\n");
	return ret;
}

static void __exit consumer_exit(void)
{
}

module_init(consumer_init);
module_exit(consumer_exit);

MODULE_DESCRIPTION("zalloc example consumer: a module built outside zalloc's tree");
MODULE_LICENSE("GPL");
