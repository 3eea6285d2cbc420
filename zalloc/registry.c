// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc registry: named allocator instances and their debugfs files.
 *
 * /sys/kernel/debug/zalloc/<name>/stats    "name value" lines (0400)
 * /sys/kernel/debug/zalloc/<name>/classes  size-class table, if any
 * /sys/kernel/debug/zalloc/<name>/cpus     per-CPU slot table, if any
 *
 * The stats file prints the common counters (stats.h), the figures derived
 * from them, and then the allocator kind's own counters by the names its
 * struct zalloc_kind gives, read with zalloc_instance_info(): one printer
 * for every allocator.
 *
 * A module notifier removes, at MODULE_STATE_GOING, every name the going
 * module still owns (see registry.h): its exit has run by then, but its
 * memory is not yet freed, so the instance can still be read for the report.
 *
 * Lock order: zalloc_registry_lock, then whatever the allocator's read and
 * show callbacks take (a slot or class lock, never the other way round).
 * zalloc_registry_lock protects zalloc_instances and every instance's node,
 * dir and owner.  An instance's name is set before it is added and kept
 * until its teardown ends, so reports made during teardown can use it.
 */
#define pr_fmt(fmt) "zalloc: " fmt

#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <zalloc/registry.h>

#include "internal.h"

static DEFINE_MUTEX(zalloc_registry_lock);
static LIST_HEAD(zalloc_instances);	/* under zalloc_registry_lock */
static struct dentry *zalloc_debugfs_root;

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

	zalloc_stats_read(inst, &s);
	seq_printf(m, "kind %s\n", inst->kind->name);
	for (i = 0; i < NR_ZALLOC_STATS; i++)
		seq_printf(m, "%s %lu\n", zalloc_stat_name(i), s.v[i]);
	seq_printf(m, "bytes_live %ld\n", zalloc_stats_live(inst));
	seq_printf(m, "peak_bytes_live %lu\n", zalloc_stats_sample_peak(inst));
	seq_printf(m, "backing_bytes_held %lu\n",
		   s.v[ZALLOC_STAT_BACKING_ALLOC] -
		   s.v[ZALLOC_STAT_BACKING_FREE]);
	seq_printf(m, "debug_mode %d\n", !!inst->dbg);
}

/* The kind's own counters, by the names it gives them. */
static void zalloc_show_kind(struct seq_file *m, struct zalloc_instance *inst)
{
	const struct zalloc_kind *kind = inst->kind;
	unsigned long v[32];
	unsigned int i, n;

	n = zalloc_instance_info(inst, v, ARRAY_SIZE(v));
	for (i = 0; i < n && i < ARRAY_SIZE(v); i++)
		seq_printf(m, "%s %lu\n", kind->counters[i], v[i]);
	if (kind->show)
		kind->show(m, inst);
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
	zalloc_show_kind(m, inst);
}

static void zalloc_show_classes(struct seq_file *m,
				struct zalloc_instance *inst)
{
	inst->kind->show_classes(m, inst);
}

static void zalloc_show_cpus(struct seq_file *m, struct zalloc_instance *inst)
{
	inst->kind->show_cpus(m, inst);
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
	if (inst->kind->show_classes)
		debugfs_create_file_unsafe("classes", 0400, inst->dir, inst,
					   &zalloc_classes_fops);
	if (inst->kind->show_cpus)
		debugfs_create_file_unsafe("cpus", 0400, inst->dir, inst,
					   &zalloc_cpus_fops);
}

/*
 * Give @inst, whose name zalloc_instance_setup() has copied in, its folder
 * and put it on the list.  @name: 1 to ZALLOC_NAME_MAX - 1 characters from
 * [A-Za-z0-9_.-], not starting with '.', unique among named instances.
 * 0; -EINVAL for an invalid name; -EEXIST if the name is taken; -EBUSY if
 * an instance of that name is still being removed.
 */
int zalloc_registry_add(struct zalloc_instance *inst, const char *name,
			struct module *owner)
{
	int err = 0;

	if (!zalloc_name_valid(name) || strcmp(inst->name, name)) {
		pr_warn_ratelimited("invalid instance name\n");
		return -EINVAL;
	}
	mutex_lock(&zalloc_registry_lock);
	if (zalloc_find(name)) {
		err = -EEXIST;
		goto out;
	}
	zalloc_debugfs_add(inst);
	if (IS_ERR(inst->dir)) {
		/* The same name's folder is still being removed: try later. */
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

/* Take @inst off the list; returns its folder, for removal outside the lock. */
static struct dentry *zalloc_detach(struct zalloc_instance *inst)
{
	struct dentry *dir = inst->dir;

	lockdep_assert_held(&zalloc_registry_lock);
	list_del_init(&inst->node);
	inst->dir = NULL;
	inst->owner = NULL;
	return dir;
}

/*
 * Remove @inst's folder and take it off the list; a no-op for an unnamed
 * instance, which is why unnamed instances may be torn down in atomic
 * context.  Waits for readers of its files.
 */
void zalloc_registry_remove(struct zalloc_instance *inst)
{
	struct dentry *dir;

	if (!inst->name[0])
		return;
	mutex_lock(&zalloc_registry_lock);
	if (list_empty(&inst->node)) {
		mutex_unlock(&zalloc_registry_lock);
		return;
	}
	dir = zalloc_detach(inst);
	mutex_unlock(&zalloc_registry_lock);
	/* Outside the lock: removal waits for readers, who take it. */
	debugfs_remove(dir);
}

/**
 * zalloc_instance_read() - a named instance's common counters
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
		zalloc_stats_read(inst, sum);
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
	pr_warn("module %s unloaded without destroying instance %s (%s, %ld bytes live); %s\n",
		mod->name, found->name, found->kind->name,
		zalloc_stats_live(found),
		embedded ? "it was in the module's memory: name, counters and debug state removed"
			 : "name removed, its memory stays allocated");
	dir = zalloc_detach(found);
	mutex_unlock(&zalloc_registry_lock);
	debugfs_remove(dir);
	/* In @mod's memory, about to be freed: nobody can use it any more. */
	zalloc_instance_orphan(found, embedded);
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
