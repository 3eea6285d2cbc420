/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zalloc instances: statistics plus a name under /sys/kernel/debug/zalloc/.
 *
 * Every allocator instance embeds a struct zalloc_instance.  It carries the
 * instance's counters (struct zalloc_stats, counted with the zalloc_stat_*()
 * helpers) and, once registered under a name, a debugfs folder
 * /sys/kernel/debug/zalloc/<name>/ with a "stats" file (the common counters,
 * then the allocator's own lines) and, where the allocator provides them,
 * "classes" and "cpus" tables.
 *
 * A name belongs to the module that registered it (THIS_MODULE at the call
 * of zalloc_instance_register() or of an allocator's create/init call).  If
 * that module unloads with the instance still registered, the registry
 * reports it, removes the name and its folder, and, when the instance lies
 * in the module's own memory (a static arena, fixed buffer or bitmap), frees
 * its counters too: nothing is left pointing into the unloaded module.  An
 * instance zalloc allocated (smp, sbrk, bitmap create) stays allocated,
 * since another module may still use it; it is a leak kmemleak will show.
 *
 * Locking: the registry's list and the debugfs folders are under a mutex
 * (registration and unregistration sleep); reading a file holds the same
 * mutex, so an instance cannot be unregistered while its file is being read
 * through the registry.  Counters need no lock (see stats.h).
 */
#ifndef _ZALLOC_REGISTRY_H
#define _ZALLOC_REGISTRY_H

#include <linux/list.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <zalloc/stats.h>

#define ZALLOC_NAME_MAX		32

struct zalloc_instance;

/**
 * struct zalloc_instance_ops - what an allocator adds to its debugfs files
 * @show_stats: print the allocator's own "name value" lines after the
 *	common counters; may be NULL
 * @show_classes: print the "classes" table; NULL means no such file
 * @show_cpus: print the "cpus" table; NULL means no such file
 */
struct zalloc_instance_ops {
	void (*show_stats)(struct seq_file *m, struct zalloc_instance *inst);
	void (*show_classes)(struct seq_file *m, struct zalloc_instance *inst);
	void (*show_cpus)(struct seq_file *m, struct zalloc_instance *inst);
};

/**
 * struct zalloc_instance - the part every allocator instance shares
 * @kind: the allocator's kind ("page", "smp", ...), a static string
 * @stats: the instance's counters
 * @iops: debugfs callbacks; may be NULL
 * @name: the registered name, empty if not registered (registry private)
 * @node: in the registry's list (registry private)
 * @dir: the debugfs folder (registry private)
 * @owner: the module that registered the name (registry private)
 * @debug: a debug-mode core serves the instance (set by zalloc_debug_init()
 *	before the instance is used, never cleared)
 */
struct zalloc_instance {
	const char *kind;
	struct zalloc_stats stats;
	const struct zalloc_instance_ops *iops;
	char name[ZALLOC_NAME_MAX];
	struct list_head node;
	struct dentry *dir;
	struct module *owner;
	bool debug;
};

int zalloc_instance_init(struct zalloc_instance *inst, const char *kind,
			 const struct zalloc_instance_ops *iops, gfp_t gfp);
void zalloc_instance_destroy(struct zalloc_instance *inst);
int __zalloc_instance_register(struct zalloc_instance *inst, const char *name,
			       struct module *owner);
#define zalloc_instance_register(inst, name)				\
	__zalloc_instance_register(inst, name, THIS_MODULE)
void zalloc_instance_unregister(struct zalloc_instance *inst);
int zalloc_instance_read(const char *name, struct zalloc_stats_sum *sum);

#endif /* _ZALLOC_REGISTRY_H */
