// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc instances: one setup and one teardown for every allocator.
 *
 * An allocator kind (struct zalloc_kind, internal.h) brings its algorithm:
 * its ops, its own state's init and fini, its counters and tables.  What
 * every instance has besides is made and undone here, in this order:
 *
 *   setup:     counters -> the kind's init -> debug core -> name
 *   teardown:  name -> debug core -> the kind's fini -> counters
 *
 * so the allocator's state exists whenever its debugfs files can be read
 * or a debug core can call it, and its counters exist whenever it can
 * count.  There is one way into debug mode: ZALLOC_F_DEBUG or
 * ZALLOC_F_NODEBUG in the flags of the setup call, and without either the
 * zalloc.debug module parameter, read at setup (the global instances have
 * no flags: the parameter decides for them).
 *
 * Instances zalloc allocates itself (zalloc_instance_create(): smp, sbrk,
 * bitmap create) get a lockdep key of their own, registered here, so two
 * instances' locks never look like one lock class to lockdep.
 *
 * Locking: none here.  Setup and teardown of one instance are the caller's
 * to serialise; the registry (registry.c) locks its own list.
 */
#define pr_fmt(fmt) "zalloc: " fmt

#include <linux/err.h>
#include <linux/lockdep.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <zalloc/zalloc.h>

#include "debug_core.h"
#include "internal.h"

static bool zalloc_debug_param;
module_param_named(debug, zalloc_debug_param, bool, 0444);
MODULE_PARM_DESC(debug,
		 "Debug mode for instances set up without ZALLOC_F_DEBUG or ZALLOC_F_NODEBUG, and for the global ones (default: off)");

/* Every kind, for zalloc_instance_of(). */
static const struct zalloc_kind * const zalloc_kinds[] = {
	&zalloc_kind_page,
	&zalloc_kind_kmalloc,
	&zalloc_kind_smp,
	&zalloc_kind_sbrk,
	&zalloc_kind_bitmap,
	&zalloc_kind_fixed,
	&zalloc_kind_arena,
	&zalloc_kind_stack_fallback,
	NULL
};

/* Whether an instance set up without a debug flag starts in debug mode. */
bool zalloc_debug_default(void)
{
	return READ_ONCE(zalloc_debug_param);
}

/* 1 for debug mode, 0 for normal, -EINVAL for flags the kind does not know. */
static int zalloc_setup_debug(const struct zalloc_kind *kind,
			      unsigned int flags)
{
	unsigned int both = ZALLOC_F_DEBUG | ZALLOC_F_NODEBUG;

	if ((flags & both) == both || flags & ~(kind->own_flags | both))
		return -EINVAL;
	if (flags & both)
		return !!(flags & ZALLOC_F_DEBUG);
	return zalloc_debug_default();
}

/**
 * zalloc_instance_setup() - set up an instance of @kind
 * @inst: the instance, zeroed or not; the kind's state around it is the
 *	kind's init's to set up
 * @kind: the allocator
 * @s: name, flags, gfp and owner, and the kind's init argument
 *
 * On failure nothing is left set up (the kind's fini has run if its init
 * had).
 *
 * Return: 0; -EINVAL for flags @kind does not take or a name with a gfp that
 * cannot sleep; -ENOMEM; an error from the kind's init or from naming.
 */
int zalloc_instance_setup(struct zalloc_instance *inst,
			  const struct zalloc_kind *kind,
			  const struct zalloc_setup *s)
{
	int debug = zalloc_setup_debug(kind, s->flags);
	int err;

	if (debug < 0) {
		pr_warn_ratelimited("%s: bad flags %#x\n", kind->name, s->flags);
		return -EINVAL;
	}
	if (s->name && !gfpflags_allow_blocking(s->gfp))
		return -EINVAL;
	inst->za.ctx = inst;
	inst->za.ops = kind->ops;
	inst->kind = kind;
	inst->dbg = NULL;
	inst->flags = (inst->flags & ZALLOC_I_PRIVATE) |
		      (s->flags & ~ZALLOC_I_PRIVATE);
	inst->name[0] = '\0';
	INIT_LIST_HEAD(&inst->node);
	inst->dir = NULL;
	inst->owner = NULL;
	if (s->name)
		strscpy(inst->name, s->name, sizeof(inst->name));

	err = zalloc_stats_init(&inst->stats, NR_ZALLOC_STATS + kind->nr_events,
				s->gfp);
	if (err)
		return err;
	if (kind->init) {
		err = kind->init(inst, s->arg);
		if (err)
			goto free_stats;
	}
	if (debug) {
		err = zalloc_debug_attach(inst, s->gfp);
		if (err)
			goto fini;
	}
	if (s->name) {
		err = zalloc_registry_add(inst, s->name, s->owner);
		if (err)
			goto detach;
	}
	return 0;

detach:
	zalloc_debug_detach(inst, false);
fini:
	if (kind->fini)
		kind->fini(inst);
free_stats:
	zalloc_stats_destroy(&inst->stats);
	inst->za.ops = NULL;
	return err;
}

/**
 * zalloc_instance_teardown() - undo zalloc_instance_setup()
 * @inst: the instance; nobody may be calling it
 *
 * Return: the live blocks the kind's fini and the debug core reported.
 */
unsigned long zalloc_instance_teardown(struct zalloc_instance *inst)
{
	const struct zalloc_kind *kind = inst->kind;
	unsigned long live;

	zalloc_registry_remove(inst);
	live = zalloc_debug_detach(inst, !kind->drops_debug_leaks);
	if (kind->fini)
		live += kind->fini(inst);
	zalloc_stats_destroy(&inst->stats);
	inst->za.ops = NULL;
	return live;
}

/**
 * zalloc_instance_create() - allocate and set up an instance of @kind
 * @kind: the allocator; kind->size bytes are allocated, zeroed
 * @s: as for zalloc_instance_setup(); @s->gfp is also used for the
 *	instance itself
 *
 * The instance gets a lockdep key of its own.
 *
 * Return: the instance, or an ERR_PTR() of zalloc_instance_setup()'s error.
 */
struct zalloc_instance *zalloc_instance_create(const struct zalloc_kind *kind,
					       const struct zalloc_setup *s)
{
	struct zalloc_instance *inst = kzalloc(kind->size, s->gfp);
	int err;

	if (!inst)
		return ERR_PTR(-ENOMEM);
	inst->flags = ZALLOC_I_ALLOCATED | ZALLOC_I_LOCKDEP;
	lockdep_register_key(&inst->key);
	err = zalloc_instance_setup(inst, kind, s);
	if (err) {
		lockdep_unregister_key(&inst->key);
		kfree(inst);
		return ERR_PTR(err);
	}
	return inst;
}

/* Tear down and free an instance from zalloc_instance_create(). */
unsigned long zalloc_instance_destroy(struct zalloc_instance *inst)
{
	unsigned long live = zalloc_instance_teardown(inst);

	if (inst->flags & ZALLOC_I_LOCKDEP)
		lockdep_unregister_key(&inst->key);
	kfree(inst);
	return live;
}

/*
 * The module that named @inst is going away without having torn it down.
 * registry.c has already taken the name.  If @inst lies in that module's
 * memory, nobody can call it any more: free what zalloc holds for it (the
 * debug core's records, the counters).  The allocator's own state (an
 * arena's buffers) cannot be walked safely and is left, as a leak.
 */
void zalloc_instance_orphan(struct zalloc_instance *inst, bool embedded)
{
	if (!embedded)
		return;
	zalloc_debug_detach(inst, false);
	zalloc_stats_destroy(&inst->stats);
	inst->za.ops = NULL;
}

/**
 * zalloc_instance_of() - the instance behind an allocator
 * @a: any struct zalloc
 *
 * Works for every allocator zalloc makes, in normal or debug mode; a
 * struct zalloc of the caller's own making gives NULL.
 *
 * Context: any context.
 * Return: the instance, or NULL.
 */
struct zalloc_instance *zalloc_instance_of(const struct zalloc *a)
{
	const struct zalloc_kind * const *k;

	if (!a || !a->ops || !a->ctx)
		return NULL;
	if (a->ops == &zalloc_debug_ops)
		return a->ctx;
	for (k = zalloc_kinds; *k; k++)
		if (a->ops == (*k)->ops || a->ops == (*k)->view_ops)
			return a->ctx;
	return NULL;
}
EXPORT_SYMBOL_NS_GPL(zalloc_instance_of, ZALLOC_NS);

/* The instance behind @a if it is of @kind, else NULL. */
struct zalloc_instance *zalloc_instance_of_kind(const struct zalloc *a,
						const struct zalloc_kind *kind)
{
	struct zalloc_instance *inst = zalloc_instance_of(a);

	return inst && inst->kind == kind ? inst : NULL;
}

/**
 * zalloc_instance_info() - an instance's own counters
 * @inst: the instance
 * @v: where to put them, in the order of the allocator's enum (e.g.
 *	enum zalloc_smp_counter in include/zalloc/smp.h)
 * @n: room in @v
 *
 * Events are summed over the CPUs; values derived from the allocator's
 * state are read under its locks, so they are exact when it is quiet.
 *
 * Context: as the allocator's free (it may take the allocator's locks).
 * Return: how many counters the allocator has (those beyond @n are not
 * written).
 */
unsigned int zalloc_instance_info(struct zalloc_instance *inst,
				  unsigned long *v, unsigned int n)
{
	const struct zalloc_kind *kind = inst->kind;
	unsigned long all[32];

	if (WARN_ON_ONCE(kind->nr_counters > ARRAY_SIZE(all)))
		return 0;
	zalloc_stats_sum(&inst->stats, all, NR_ZALLOC_STATS,
			 min(kind->nr_events, kind->nr_counters));
	if (kind->read)
		kind->read(inst, all);
	memcpy(v, all, min(n, kind->nr_counters) * sizeof(*v));
	return kind->nr_counters;
}
EXPORT_SYMBOL_NS_GPL(zalloc_instance_info, ZALLOC_NS);

/**
 * zalloc_destroy() - destroy an instance a zalloc create call made
 * @a: from zalloc_smp_create() or zalloc_sbrk_create(), or NULL (a no-op).
 *	Any other allocator (a global one, a fixed buffer, one of the
 *	caller's own) is refused with a ratelimited warning.
 *
 * Gives every page back.  Blocks still live are reported with pr_err()
 * (how many, and the caller of one of them); their memory is gone all the
 * same.  Nobody else may be using the instance.
 *
 * Context: process context; may sleep.
 * Return: the number of blocks that were still live, 0 if none.
 */
unsigned long zalloc_destroy(struct zalloc *a)
{
	struct zalloc_instance *inst;

	if (!a)
		return 0;
	inst = zalloc_instance_of(a);
	if (!inst || &inst->za != a || !(inst->flags & ZALLOC_I_ALLOCATED)) {
		pr_warn_ratelimited("destroy of %p: not an instance a zalloc create call made\n",
				    a);
		return 0;
	}
	return zalloc_instance_destroy(inst);
}
EXPORT_SYMBOL_NS_GPL(zalloc_destroy, ZALLOC_NS);
