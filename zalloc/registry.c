// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc registry: named allocator instances and their debugfs files.
 *
 * /sys/kernel/debug/zalloc/<name>/stats    "name value" lines (0400)
 * /sys/kernel/debug/zalloc/<name>/classes  size-class table, if any
 * /sys/kernel/debug/zalloc/<name>/cpus     per-CPU slot table, if any
 *
 * A module notifier removes, at MODULE_STATE_GOING, every name the going
 * module still owns (see registry.h): its exit has run by then, but its
 * memory is not yet freed, so the instance can still be read for the report.
 *
 * Lock order: zalloc_registry_lock, then whatever the allocator's show
 * callbacks take (a slot or class lock, never the other way round).
 * zalloc_registry_lock protects zalloc_instances and every instance's
 * name, node, dir and owner.
 */
#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/module.h>
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
	inst->owner = NULL;
	inst->debug = false;
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
	seq_printf(m, "bytes_live %ld\n", zalloc_stats_live(&inst->stats));
	seq_printf(m, "peak_bytes_live %lu\n",
		   zalloc_stats_sample_peak(&inst->stats));
	seq_printf(m, "backing_bytes_held %lu\n",
		   s.v[ZALLOC_STAT_BACKING_ALLOC] -
		   s.v[ZALLOC_STAT_BACKING_FREE]);
	seq_printf(m, "debug_mode %d\n", READ_ONCE(inst->debug));
}

/*
 * The files are created with debugfs_create_file_unsafe() so that they can
 * offer read_iter (the debugfs proxy has none in 6.12, and kernel_read(),
 * which the KUnit suite uses, needs it).  In exchange every show takes
 * debugfs_file_get() itself, which is what the proxy would do: removal of
 * the instance's folder waits for a show in progress, and a show after
 * removal fails with -EIO instead of touching a freed instance.
 */
static int zalloc_show(struct seq_file *m,
		       void (*show)(struct seq_file *m,
				    struct zalloc_instance *inst))
{
	struct dentry *dentry = m->file->f_path.dentry;
	int err = debugfs_file_get(dentry);

	if (err)
		return err;
	mutex_lock(&zalloc_registry_lock);
	show(m, m->private);
	mutex_unlock(&zalloc_registry_lock);
	debugfs_file_put(dentry);
	return 0;
}

static void zalloc_show_stats(struct seq_file *m,
			      struct zalloc_instance *inst)
{
	zalloc_show_common(m, inst);
	if (inst->iops && inst->iops->show_stats)
		inst->iops->show_stats(m, inst);
}

static void zalloc_show_classes(struct seq_file *m,
				struct zalloc_instance *inst)
{
	inst->iops->show_classes(m, inst);
}

static void zalloc_show_cpus(struct seq_file *m, struct zalloc_instance *inst)
{
	inst->iops->show_cpus(m, inst);
}

#define ZALLOC_DEBUGFS_FILE(name)					\
static int zalloc_##name##_show(struct seq_file *m, void *v)		\
{									\
	return zalloc_show(m, zalloc_show_##name);			\
}									\
									\
static int zalloc_##name##_open(struct inode *inode, struct file *file)	\
{									\
	return single_open(file, zalloc_##name##_show, inode->i_private); \
}									\
									\
static const struct file_operations zalloc_##name##_fops = {		\
	.owner		= THIS_MODULE,					\
	.open		= zalloc_##name##_open,				\
	.read_iter	= seq_read_iter,				\
	.llseek		= seq_lseek,					\
	.release	= single_release,				\
}

ZALLOC_DEBUGFS_FILE(stats);
ZALLOC_DEBUGFS_FILE(classes);
ZALLOC_DEBUGFS_FILE(cpus);

static void zalloc_debugfs_add(struct zalloc_instance *inst)
{
	inst->dir = debugfs_create_dir(inst->name, zalloc_debugfs_root);
	debugfs_create_file_unsafe("stats", 0400, inst->dir, inst,
				   &zalloc_stats_fops);
	if (inst->iops && inst->iops->show_classes)
		debugfs_create_file_unsafe("classes", 0400, inst->dir, inst,
					   &zalloc_classes_fops);
	if (inst->iops && inst->iops->show_cpus)
		debugfs_create_file_unsafe("cpus", 0400, inst->dir, inst,
					   &zalloc_cpus_fops);
}

/**
 * __zalloc_instance_register() - give an instance a name and debugfs files
 * @inst: an instance set up with zalloc_instance_init()
 * @name: 1 to ZALLOC_NAME_MAX - 1 characters from [A-Za-z0-9_.-], not
 *	starting with '.', unique among registered instances
 * @owner: the module the name belongs to; zalloc_instance_register()
 *	passes THIS_MODULE.  If it unloads with the name still registered,
 *	the name goes with it (see registry.h).
 *
 * Context: process context; may sleep.
 * Return: 0; -EINVAL for an invalid name or an instance already registered;
 * -EEXIST if the name is taken; -EBUSY if an instance of that name is
 * still being unregistered.
 */
int __zalloc_instance_register(struct zalloc_instance *inst, const char *name,
			       struct module *owner)
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
	zalloc_debugfs_add(inst);
	if (IS_ERR(inst->dir)) {
		/* The same name's folder is still being removed: try later. */
		inst->name[0] = '\0';
		inst->dir = NULL;
		err = -EBUSY;
		goto out;
	}
	inst->owner = owner;
	list_add_tail(&inst->node, &zalloc_instances);
out:
	mutex_unlock(&zalloc_registry_lock);
	return err;
}
EXPORT_SYMBOL_NS_GPL(__zalloc_instance_register, ZALLOC_NS);

/* Take @inst off the list; returns its folder, for removal outside the lock. */
static struct dentry *zalloc_detach(struct zalloc_instance *inst)
{
	struct dentry *dir = inst->dir;

	lockdep_assert_held(&zalloc_registry_lock);
	list_del_init(&inst->node);
	inst->name[0] = '\0';
	inst->dir = NULL;
	inst->owner = NULL;
	return dir;
}

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
	dir = zalloc_detach(inst);
	mutex_unlock(&zalloc_registry_lock);
	/* Outside the lock: removal waits for readers, who take it. */
	debugfs_remove(dir);
}
EXPORT_SYMBOL_NS_GPL(zalloc_instance_unregister, ZALLOC_NS);

/**
 * zalloc_instance_read() - read a registered instance's counters by name
 * @name: the instance's registered name
 * @sum: where to put the summed counters
 *
 * For tests, benchmarks and tools that hold no pointer to the instance; the
 * registry lock keeps the instance alive while it is read.
 *
 * Context: process context; may sleep.
 * Return: 0, or -ENOENT if no instance has that name.
 */
int zalloc_instance_read(const char *name, struct zalloc_stats_sum *sum)
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
EXPORT_SYMBOL_NS_GPL(zalloc_instance_read, ZALLOC_NS);

/*
 * Detach one instance @mod still owns and report it, or return false.  The
 * instance is read under the lock: another module may be destroying it.
 */
static bool zalloc_orphan_one(struct module *mod)
{
	struct zalloc_instance *inst, *found = NULL;
	struct dentry *dir;
	bool embedded;

	mutex_lock(&zalloc_registry_lock);
	list_for_each_entry(inst, &zalloc_instances, node) {
		if (inst->owner == mod) {
			found = inst;
			break;
		}
	}
	if (!found) {
		mutex_unlock(&zalloc_registry_lock);
		return false;
	}
	embedded = within_module((unsigned long)found, mod);
	pr_warn("zalloc: module %s unloaded without destroying instance %s (%s, %ld bytes live); %s\n",
		mod->name, found->name, found->kind,
		zalloc_stats_live(&found->stats),
		embedded ? "it was in the module's memory: name and counters removed"
			 : "name removed, its memory stays allocated");
	dir = zalloc_detach(found);
	mutex_unlock(&zalloc_registry_lock);
	debugfs_remove(dir);
	/* In @mod's memory, about to be freed: nobody can use it any more. */
	if (embedded)
		zalloc_stats_destroy(&found->stats);
	return true;
}

static int zalloc_module_notify(struct notifier_block *nb,
				unsigned long action, void *data)
{
	if (action == MODULE_STATE_GOING)
		while (zalloc_orphan_one(data))
			;
	return NOTIFY_OK;
}

static struct notifier_block zalloc_module_nb = {
	.notifier_call = zalloc_module_notify,
};

int zalloc_registry_init(void)
{
	int err = register_module_notifier(&zalloc_module_nb);

	if (err)
		return err;
	zalloc_debugfs_root = debugfs_create_dir("zalloc", NULL);
	return 0;
}

void zalloc_registry_exit(void)
{
	unregister_module_notifier(&zalloc_module_nb);
	debugfs_remove(zalloc_debugfs_root);
}
