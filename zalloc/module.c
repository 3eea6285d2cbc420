// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc.ko: module init and exit.
 *
 * Init brings the parts up in dependency order (the registry first, then
 * the global instances, each of which may use the ones before it) and tears
 * down what it brought up if a later part fails; exit runs the list
 * backwards.  Nothing here takes a lock.
 */
#define pr_fmt(fmt) "zalloc: " fmt

#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>

#include "internal.h"

#define ZALLOC_VERSION	"0.2"

struct zalloc_part {
	int (*init)(void);
	void (*exit)(void);
};

static const struct zalloc_part zalloc_parts[] = {
	{ zalloc_registry_init,	zalloc_registry_exit },
	{ zalloc_page_init,	zalloc_page_exit },
	{ zalloc_kmalloc_init,	zalloc_kmalloc_exit },
	{ zalloc_smp_init,	zalloc_smp_exit },
	{ zalloc_sbrk_init,	zalloc_sbrk_exit },
};

static void zalloc_exit_parts(int n)
{
	while (n--)
		zalloc_parts[n].exit();
}

static int __init zalloc_init(void)
{
	int i, err;

	for (i = 0; i < ARRAY_SIZE(zalloc_parts); i++) {
		err = zalloc_parts[i].init();
		if (err)
			goto unwind;
	}
	return 0;

unwind:
	zalloc_exit_parts(i);
	return err;
}

static void __exit zalloc_exit(void)
{
	zalloc_exit_parts(ARRAY_SIZE(zalloc_parts));
}

module_init(zalloc_init);
module_exit(zalloc_exit);

MODULE_LICENSE("GPL");
MODULE_VERSION(ZALLOC_VERSION);
MODULE_DESCRIPTION("zalloc: Zig's heap allocators for the Linux kernel");
