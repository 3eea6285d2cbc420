// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc_kunit_orphan: a module that names zalloc instances and unloads
 * without destroying them, on purpose.
 *
 * It is not a KUnit suite: a module cannot unload itself, so the test is
 * run by the guest's /init (tools/init.sh, "orphan" check), which loads
 * this module, sees its folders under /sys/kernel/debug/zalloc/, unloads
 * it, and then expects the folders gone, one report per instance in the
 * log, every remaining stats file readable, and the names free for a
 * second load.  Without the registry's module notifier the folders would
 * stay, pointing into this module's freed memory.
 *
 * The instances live in this module's memory and hold no memory of their
 * own (the fixed buffer and the stack-fallback buffer are static, the
 * arena takes no buffer), so nothing is leaked for kmemleak to report.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/string.h>
#include <zalloc/arena.h>
#include <zalloc/fixed.h>
#include <zalloc/kmalloc.h>
#include <zalloc/stack_fallback.h>

static u8 orphan_buf[512] __aligned(16);
static struct zalloc_fixed orphan_fixed;
static struct zalloc_arena orphan_arena;
static DEFINE_ZALLOC_STACK_FALLBACK(orphan_sf, 256);

static int __init orphan_init(void)
{
	const struct zalloc *za;
	void *p;
	int err;

	err = zalloc_fixed_init(&orphan_fixed, orphan_buf, sizeof(orphan_buf),
				"orphan-fixed", 0, GFP_KERNEL);
	if (err)
		return err;
	err = zalloc_arena_init(&orphan_arena, &zalloc_kmalloc_allocator,
				"orphan-arena", 0, GFP_KERNEL);
	if (err)
		goto destroy_fixed;
	err = zalloc_stack_fallback_init(&orphan_sf, &zalloc_kmalloc_allocator,
					 "orphan-sf", 0, GFP_KERNEL);
	if (err)
		goto destroy_arena;
	/* Something live, so the report has bytes to give. */
	p = zalloc_alloc(zalloc_fixed_allocator(&orphan_fixed), 100, 8,
			 GFP_KERNEL);
	if (p)
		memset(p, 0x5a, 100);
	za = zalloc_stack_fallback_get(&orphan_sf);
	p = za ? zalloc_alloc(za, 64, 8, GFP_KERNEL) : NULL;
	if (p)
		memset(p, 0xa5, 64);
	pr_info("named orphan-fixed, orphan-arena and orphan-sf; not destroying them at exit\n");
	return 0;

destroy_arena:
	zalloc_arena_destroy(&orphan_arena);
destroy_fixed:
	zalloc_fixed_destroy(&orphan_fixed);
	return err;
}

/* Deliberately empty: the registry must clean up after this module. */
static void __exit orphan_exit(void)
{
}

module_init(orphan_init);
module_exit(orphan_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("zalloc test helper: instances left named at unload");
MODULE_IMPORT_NS(ZALLOC_NS);
