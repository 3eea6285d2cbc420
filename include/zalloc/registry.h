/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zalloc instances: what every allocator instance shares, and its name under
 * /sys/kernel/debug/zalloc/.
 *
 * Every allocator instance (the global page, kmalloc, smp and sbrk ones,
 * every private smp or sbrk instance, every fixed buffer, arena, stack
 * fallback and bitmap) is a struct zalloc_instance plus its allocator's own
 * state.  The instance owns, in one place for every allocator (zalloc's
 * instance.c): the struct zalloc callers use, the counters (stats.h), the
 * debug-mode core if the instance is in debug mode (debug.h), the lockdep
 * class of its locks, and its name.  A named instance has a debugfs folder
 * /sys/kernel/debug/zalloc/<name>/ with a "stats" file (the common counters,
 * then the allocator's own) and, where the allocator has them, "classes" and
 * "cpus" tables.
 *
 * A name belongs to the module that gave it (THIS_MODULE at the create or
 * init call).  If that module unloads with the instance still set up, the
 * registry reports it and removes the name and folder; when the instance
 * lies in the module's own memory (a static arena, fixed buffer or bitmap),
 * it also frees the instance's counters and debug state: nothing is left
 * pointing into the unloaded module.  An instance zalloc allocated (smp and
 * sbrk create) stays allocated, since another module may still use it; it
 * is a leak kmemleak will show.
 *
 * Locking: the registry's list and the debugfs folders are under a mutex
 * (naming and unnaming sleep); reading a file holds the same mutex, so an
 * instance cannot be unnamed while its file is being read.  Counters need
 * no lock (stats.h).
 */
#ifndef _ZALLOC_REGISTRY_H
#define _ZALLOC_REGISTRY_H

#include <linux/list.h>
#include <linux/lockdep_types.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <zalloc/stats.h>
#include <zalloc/zalloc.h>

#define ZALLOC_NAME_MAX		32

struct dentry;
struct zalloc_debug;
struct zalloc_kind;

/**
 * struct zalloc_instance - the part every allocator instance shares
 * @za: the allocator callers use; its ctx is this instance, its ops the
 *	kind's (or the debug core's, in debug mode).  Fixed once set up.
 * @kind: what allocator this is (private to zalloc.ko)
 * @stats: the counters
 * @dbg: the debug-mode core, or NULL in normal mode (fixed once set up)
 * @flags: the ZALLOC_F_* and allocator flags it was set up with, and
 *	zalloc's own state bits
 * @name: the registered name, empty if none (registry private)
 * @node: in the registry's list (registry private)
 * @dir: the debugfs folder (registry private)
 * @owner: the module the name belongs to (registry private)
 * @key: lockdep class of the allocator's locks, for instances zalloc
 *	allocates
 *
 * Read-only to everyone but zalloc.ko; use the functions below.
 */
struct zalloc_instance {
	struct zalloc za;
	const struct zalloc_kind *kind;
	struct zalloc_stats stats;
	struct zalloc_debug *dbg;
	unsigned int flags;
	char name[ZALLOC_NAME_MAX];
	struct list_head node;
	struct dentry *dir;
	struct module *owner;
	struct lock_class_key key;
};

/*
 * Counting in @inst's statistics, a per-CPU add each: for zalloc's
 * allocators and the inline fast paths in these headers.  ZALLOC_NO_STATS
 * is zalloc.ko's own build switch (Kbuild); a module built elsewhere counts
 * through these inlines whatever it was.
 */
static __always_inline void zalloc_count(struct zalloc_instance *inst,
					 unsigned int item, unsigned long n)
{
#ifndef ZALLOC_NO_STATS
	this_cpu_add(inst->stats.cpu[item], n);
#endif
}

/* One more block of @len bytes, counted in @item and @bytes_item. */
static __always_inline void zalloc_count_block(struct zalloc_instance *inst,
					       unsigned int item,
					       unsigned int bytes_item,
					       size_t len)
{
#ifndef ZALLOC_NO_STATS
	unsigned long __percpu *c = inst->stats.cpu;

	this_cpu_inc(c[item]);
	this_cpu_add(c[bytes_item], len);
#endif
}

/*
 * The end of a direct free (zalloc_fixed_free(), zalloc_arena_free()) once
 * its inline pop gave the block back: counted as the free ops count, then
 * zeroed under init_on_free, last, so that memset() is a tail call.
 */
static __always_inline void zalloc_direct_freed(struct zalloc_instance *inst,
						void *ptr, size_t len)
{
	zalloc_count_block(inst, ZALLOC_STAT_FREE, ZALLOC_STAT_BYTES_FREE, len);
	if (want_init_on_free())
		memset(ptr, 0, len);
}

/*
 * May a direct call (zalloc_fixed_alloc(), zalloc_arena_alloc() and their
 * frees) skip @inst's struct zalloc?  Not in debug mode, whose ops differ,
 * nor while a zalloc trace event is on, which the struct zalloc records.
 */
static __always_inline bool zalloc_direct_ok(const struct zalloc_instance *inst)
{
	return !inst->dbg && !static_branch_unlikely(&zalloc_trace_key);
}

struct zalloc_instance *zalloc_instance_of(const struct zalloc *a);
void zalloc_stats_read(const struct zalloc_instance *inst,
		       struct zalloc_stats_sum *sum);
unsigned int zalloc_instance_info(struct zalloc_instance *inst,
				  unsigned long *v, unsigned int n);
int zalloc_instance_read(const char *name, struct zalloc_stats_sum *sum);
unsigned long zalloc_destroy(struct zalloc *a);

/**
 * zalloc_instance_name() - the name an instance was registered under
 * @inst: the instance
 *
 * Context: any; the name does not change while the instance is set up.
 * Return: the name, or "" for an unnamed instance.
 */
static inline const char *zalloc_instance_name(const struct zalloc_instance *inst)
{
	return inst->name;
}

#endif /* _ZALLOC_REGISTRY_H */
