// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc registry: named allocator instances and their debugfs files.
 *
 * /sys/kernel/debug/zalloc/<name>/stats    "name value" lines (0400)
 * /sys/kernel/debug/zalloc/<name>/classes  size-class table, if any
 * /sys/kernel/debug/zalloc/<name>/cpus     per-CPU slot table, if any
 *
 * Lock order: zalloc_registry_lock, then whatever the allocator's show
 * callbacks take (a slot or class lock, never the other way round).
 * zalloc_registry_lock protects zalloc_instances and every instance's
 * name, node and dir.
 */
#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <zalloc/compat.h>
#include <zalloc/registry.h>

#include "internal.h"

static DEFINE_MUTEX(zalloc_registry_lock);
static LIST_HEAD(zalloc_instances);	/* under zalloc_registry_lock */
static struct dentry *zalloc_debugfs_root;

/**
 * zalloc_instance_init() - set up the shared part of an allocator instance
 * @inst: the instance
 * @kind: the allocator's kind, a static string
 * @iops: debugfs callbacks, or NULL
 * @gfp: allocation flags for the counters
 *
 * Context: process context if @gfp may sleep.
 * Return: 0, or -ENOMEM.
 */
int zalloc_instance_init(struct zalloc_instance *inst, const char *kind,
			 const struct zalloc_instance_ops *iops, gfp_t gfp)
{
	inst->kind = kind;
	inst->iops = iops;
	inst->name[0] = '\0';
	INIT_LIST_HEAD(&inst->node);
	inst->dir = NULL;
	return zalloc_stats_init(&inst->stats, gfp);
}
EXPORT_SYMBOL_NS_GPL(zalloc_instance_init, ZALLOC_NS);

/**
 * zalloc_instance_destroy() - unregister an instance and free its counters
 * @inst: the instance
 *
 * Context: process context; may sleep.
 */
void zalloc_instance_destroy(struct zalloc_instance *inst)
{
	zalloc_instance_unregister(inst);
	zalloc_stats_destroy(&inst->stats);
}
EXPORT_SYMBOL_NS_GPL(zalloc_instance_destroy, ZALLOC_NS);

static bool zalloc_name_valid(const char *name)
{
	size_t i, len = strnlen(name, ZALLOC_NAME_MAX);

	if (!len || len >= ZALLOC_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!isalnum(name[i]) && !strchr("_-.", name[i]))
			return false;
	return name[0] != '.';
}

static struct zalloc_instance *zalloc_find(const char *name)
{
	struct zalloc_instance *inst;

	lockdep_assert_held(&zalloc_registry_lock);
	list_for_each_entry(inst, &zalloc_instances, node)
		if (!strcmp(inst->name, name))
			return inst;
	return NULL;
}

static void zalloc_show_common(struct seq_file *m,
			       struct zalloc_instance *inst)
{
	struct zalloc_stats_sum s;
	int i;

	zalloc_stats_read(&inst->stats, &s);
	seq_printf(m, "kind %s\n", inst->kind);
	for (i = 0; i < NR_ZALLOC_STATS; i++)
		seq_printf(m, "%s %lu\n", zalloc_stat_name(i), s.v[i]);
	seq_printf(m, "bytes_live %lu\n", s.v[ZALLOC_STAT_BYTES_ALLOC] -
					  s.v[ZALLOC_STAT_BYTES_FREE]);
	seq_printf(m, "backing_bytes_held %lu\n",
		   s.v[ZALLOC_STAT_BACKING_ALLOC] -
		   s.v[ZALLOC_STAT_BACKING_FREE]);
}

static int zalloc_stats_show(struct seq_file *m, void *v)
{
	struct zalloc_instance *inst = m->private;

	mutex_lock(&zalloc_registry_lock);
	zalloc_show_common(m, inst);
	if (inst->iops && inst->iops->show_stats)
		inst->iops->show_stats(m, inst);
	mutex_unlock(&zalloc_registry_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(zalloc_stats);

static int zalloc_classes_show(struct seq_file *m, void *v)
{
	struct zalloc_instance *inst = m->private;

	mutex_lock(&zalloc_registry_lock);
	inst->iops->show_classes(m, inst);
	mutex_unlock(&zalloc_registry_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(zalloc_classes);

static int zalloc_cpus_show(struct seq_file *m, void *v)
{
	struct zalloc_instance *inst = m->private;

	mutex_lock(&zalloc_registry_lock);
	inst->iops->show_cpus(m, inst);
	mutex_unlock(&zalloc_registry_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(zalloc_cpus);

static void zalloc_debugfs_add(struct zalloc_instance *inst)
{
	inst->dir = debugfs_create_dir(inst->name, zalloc_debugfs_root);
	debugfs_create_file("stats", 0400, inst->dir, inst, &zalloc_stats_fops);
	if (inst->iops && inst->iops->show_classes)
		debugfs_create_file("classes", 0400, inst->dir, inst,
				    &zalloc_classes_fops);
	if (inst->iops && inst->iops->show_cpus)
		debugfs_create_file("cpus", 0400, inst->dir, inst,
				    &zalloc_cpus_fops);
}

/**
 * zalloc_instance_register() - give an instance a name and debugfs files
 * @inst: an instance set up with zalloc_instance_init()
 * @name: 1 to ZALLOC_NAME_MAX - 1 characters from [A-Za-z0-9_.-], not
 *	starting with '.', unique among registered instances
 *
 * Context: process context; may sleep.
 * Return: 0; -EINVAL for an invalid name or an instance already registered;
 * -EEXIST if the name is taken.
 */
int zalloc_instance_register(struct zalloc_instance *inst, const char *name)
{
	int err = 0;

	if (!name || !zalloc_name_valid(name)) {
		pr_warn_ratelimited("zalloc: invalid instance name\n");
		return -EINVAL;
	}
	mutex_lock(&zalloc_registry_lock);
	if (inst->name[0]) {
		err = -EINVAL;
		goto out;
	}
	if (zalloc_find(name)) {
		err = -EEXIST;
		goto out;
	}
	strscpy(inst->name, name, sizeof(inst->name));
	list_add_tail(&inst->node, &zalloc_instances);
	zalloc_debugfs_add(inst);
out:
	mutex_unlock(&zalloc_registry_lock);
	return err;
}
EXPORT_SYMBOL_NS_GPL(zalloc_instance_register, ZALLOC_NS);

/**
 * zalloc_instance_unregister() - remove an instance's name and files
 * @inst: the instance; a no-op if it is not registered
 *
 * Context: process context; may sleep.  Waits for readers of its files.
 */
void zalloc_instance_unregister(struct zalloc_instance *inst)
{
	struct dentry *dir;

	mutex_lock(&zalloc_registry_lock);
	if (!inst->name[0]) {
		mutex_unlock(&zalloc_registry_lock);
		return;
	}
	list_del_init(&inst->node);
	inst->name[0] = '\0';
	dir = inst->dir;
	inst->dir = NULL;
	mutex_unlock(&zalloc_registry_lock);
	/* Outside the lock: removal waits for readers, who take it. */
	debugfs_remove(dir);
}
EXPORT_SYMBOL_NS_GPL(zalloc_instance_unregister, ZALLOC_NS);

/**
 * zalloc_instance_read_stats() - sum the counters of a registered instance
 * @name: the name the instance was registered under
 * @sum: where to put the sums
 *
 * For tools that hold an allocator only as a struct zalloc, such as the
 * benchmark module measuring the global instances' backing memory.
 *
 * Context: process context; may sleep (takes the registry mutex).
 * Return: 0, or -ENOENT if no instance is registered under @name.
 */
int zalloc_instance_read_stats(const char *name, struct zalloc_stats_sum *sum)
{
	struct zalloc_instance *inst;
	int err = -ENOENT;

	mutex_lock(&zalloc_registry_lock);
	inst = name ? zalloc_find(name) : NULL;
	if (inst) {
		zalloc_stats_read(&inst->stats, sum);
		err = 0;
	}
	mutex_unlock(&zalloc_registry_lock);
	return err;
}
EXPORT_SYMBOL_NS_GPL(zalloc_instance_read_stats, ZALLOC_NS);

int zalloc_registry_init(void)
{
	zalloc_debugfs_root = debugfs_create_dir("zalloc", NULL);
	return 0;
}

void zalloc_registry_exit(void)
{
	debugfs_remove(zalloc_debugfs_root);
}
