/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zalloc internals shared between the files of zalloc.ko; not for consumers.
 *
 * An allocator is a struct zalloc_kind: its ops, its counters and debugfs
 * tables, and init/fini callbacks for its own state.  Everything else an
 * instance has (the struct zalloc callers use, the counters, the debug-mode
 * core, the lockdep class, the name) is set up and torn down once, for
 * every kind, by zalloc_instance_setup() and zalloc_instance_teardown()
 * (instance.c).
 */
#ifndef _ZALLOC_INTERNAL_H
#define _ZALLOC_INTERNAL_H

#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/string.h>
#include <linux/types.h>
#include <zalloc/registry.h>
#include <zalloc/stats.h>
#include <zalloc/zalloc.h>

struct seq_file;

/*
 * Instance flags zalloc keeps for itself, above the allocators' own bits
 * and below ZALLOC_F_DEBUG / ZALLOC_F_NODEBUG (zalloc.h).
 */
#define ZALLOC_I_ALLOCATED	BIT(24)	/* zalloc_instance_create() made it */
#define ZALLOC_I_LOCKDEP	BIT(25)	/* its key is registered */
#define ZALLOC_I_DEBUG		BIT(26)	/* it is in debug mode */
#define ZALLOC_I_PRIVATE	(ZALLOC_I_ALLOCATED | ZALLOC_I_LOCKDEP | \
				 ZALLOC_I_DEBUG)
/* The flags a caller may pass: the debug choice and the kind's own. */
#define ZALLOC_F_USER		(ZALLOC_F_DEBUG | ZALLOC_F_NODEBUG)

/**
 * struct zalloc_kind - one allocator, as the instance layer sees it
 * @name: "page", "smp", ...; the "kind" line of its stats
 * @ops: its operations in normal mode
 * @view_ops: the operations of a second view of the same instance (the
 *	fixed buffer's thread-safe view), or NULL
 * @size: bytes of its instance structure (struct zalloc_instance first),
 *	for zalloc_instance_create()
 * @own_flags: instance flags of its own it accepts besides ZALLOC_F_USER
 * @counters: names of its own counters, its @nr_events events first
 * @nr_events: its per-CPU event counters, bumped with zalloc_count()
 *	(item NR_ZALLOC_STATS + i is its event i)
 * @nr_counters: all its counters; those past the events are read by @read
 * @read: fill v[@nr_events .. @nr_counters) from its state; v[0 ..
 *	@nr_events) already hold the summed events.  May be NULL.
 * @fold: add to @sum what the kind does not count as it happens: common
 *	counters it counts as events of its own (kmalloc's per-class
 *	counts), derives from others (the page allocator's first page of
 *	each block), or counts in state of its own (smp's per-CPU fronts);
 *	may be NULL.  @sum may hold one byte counter alone, the others 0
 *	(zalloc_stats_live(), on slow paths): what a fold adds to the byte
 *	counters must not depend on the rest of @sum.  Events past
 *	@nr_counters are the kind's own business.
 * @show: extra non-numeric "name value" lines for its stats file
 * @show_classes: its "classes" table, or NULL for none
 * @show_cpus: its "cpus" table, or NULL for none
 * @init: set up its own state from @arg; counters exist already.  Returns
 *	0 or a negative errno.  May be NULL.
 * @fini: tear its state down, reporting live blocks; returns how many.
 *	Counters still exist.  May be NULL.
 * @drops_debug_leaks: its teardown gives every block back at once (a
 *	buffer), so live debug-mode blocks are dropped, not reported
 */
struct zalloc_kind {
	const char *name;
	const struct zalloc_ops *ops;
	const struct zalloc_ops *view_ops;
	size_t size;
	unsigned int own_flags;
	const char * const *counters;
	unsigned int nr_events;
	unsigned int nr_counters;
	void (*read)(struct zalloc_instance *inst, unsigned long *v);
	void (*fold)(struct zalloc_instance *inst, struct zalloc_stats_sum *sum);
	void (*show)(struct seq_file *m, struct zalloc_instance *inst);
	void (*show_classes)(struct seq_file *m, struct zalloc_instance *inst);
	void (*show_cpus)(struct seq_file *m, struct zalloc_instance *inst);
	int (*init)(struct zalloc_instance *inst, const void *arg);
	unsigned long (*fini)(struct zalloc_instance *inst);
	bool drops_debug_leaks;
};

/**
 * struct zalloc_setup - how an instance is set up
 * @name: its debugfs name, or NULL for none
 * @flags: ZALLOC_F_DEBUG, ZALLOC_F_NODEBUG and the kind's own flags
 * @gfp: for the counters and the debug core; a name needs one that sleeps
 * @owner: the module the name belongs to
 * @arg: passed to the kind's init
 */
struct zalloc_setup {
	const char *name;
	unsigned int flags;
	gfp_t gfp;
	struct module *owner;
	const void *arg;
};

/* The kinds, each defined in its allocator's file. */
extern const struct zalloc_kind zalloc_kind_page;
extern const struct zalloc_kind zalloc_kind_kmalloc;
extern const struct zalloc_kind zalloc_kind_smp;
extern const struct zalloc_kind zalloc_kind_sbrk;
extern const struct zalloc_kind zalloc_kind_bitmap;
extern const struct zalloc_kind zalloc_kind_fixed;
extern const struct zalloc_kind zalloc_kind_arena;
extern const struct zalloc_kind zalloc_kind_stack_fallback;

/* instance.c */
int zalloc_instance_setup(struct zalloc_instance *inst,
			  const struct zalloc_kind *kind,
			  const struct zalloc_setup *s);
unsigned long zalloc_instance_teardown(struct zalloc_instance *inst);
struct zalloc_instance *zalloc_instance_create(const struct zalloc_kind *kind,
					       const struct zalloc_setup *s);
unsigned long zalloc_instance_destroy(struct zalloc_instance *inst);
void zalloc_instance_orphan(struct zalloc_instance *inst, bool embedded);
struct zalloc_instance *zalloc_instance_of_kind(const struct zalloc *a,
						const struct zalloc_kind *kind);
bool zalloc_debug_default(void);

/* stats.c */
int zalloc_stats_init(struct zalloc_stats *s, unsigned int nr, gfp_t gfp);
void zalloc_stats_destroy(struct zalloc_stats *s);
void zalloc_stats_sum(const struct zalloc_stats *s, unsigned long *v,
		      unsigned int from, unsigned int nr);
long zalloc_stats_live(const struct zalloc_instance *inst);
unsigned long zalloc_stats_sample_peak(struct zalloc_instance *inst);

/* registry.c */
int zalloc_registry_add(struct zalloc_instance *inst, const char *name,
			struct module *owner);
void zalloc_registry_remove(struct zalloc_instance *inst);
int zalloc_registry_init(void);
void zalloc_registry_exit(void);

/* The parts module.c brings up in order. */
int zalloc_page_init(void);
void zalloc_page_exit(void);
int zalloc_kmalloc_init(void);
void zalloc_kmalloc_exit(void);
int zalloc_smp_init(void);
void zalloc_smp_exit(void);
int zalloc_sbrk_init(void);
void zalloc_sbrk_exit(void);

/*
 * page.c: buddy pages (or vmalloc) for zalloc's own use, outside any
 * instance: no counters, no debug mode.  zalloc_pages_alloc() takes the
 * page allocator's rules for @len and @align; the caller passes both back.
 */
void *zalloc_pages_alloc(size_t len, size_t align, gfp_t gfp);
void zalloc_pages_free(void *p, size_t len);
bool zalloc_pages_relen(void *p, size_t len, size_t new_len);

/*
 * May this context call the page allocator or kmalloc at all?  Always
 * outside PREEMPT_RT (the gfp_t decides); on PREEMPT_RT, where their locks
 * sleep, only where sleeping locks may be taken (not in hard IRQ, not with
 * IRQs or preemption off).
 */
static __always_inline bool zalloc_can_alloc(void)
{
	return !IS_ENABLED(CONFIG_PREEMPT_RT) || preemptible();
}

/*
 * zalloc_can_alloc() for the caller of a path that has since turned IRQs
 * off with local_irq_save(@flags): what its own context allows.
 */
static __always_inline bool zalloc_could_alloc(unsigned long flags)
{
	return !IS_ENABLED(CONFIG_PREEMPT_RT) ||
	       (!irqs_disabled_flags(flags) && !preempt_count());
}

/*
 * May zalloc's own back ends (smp's slabs and large blocks, sbrk's break,
 * debug shadows and deferred frees) call the page or slab allocator here?
 * Never in hard IRQ, on any kernel: there they serve from what they hold
 * and a worker refills, so that their behaviour is the same everywhere and
 * CONFIG_PROVE_RAW_LOCK_NESTING (which checks, on every kernel, what would
 * sleep on PREEMPT_RT) holds; elsewhere as zalloc_can_alloc().
 */
static __always_inline bool zalloc_can_refill(void)
{
	return !in_hardirq() && zalloc_can_alloc();
}

/* zalloc_can_refill() for a caller that has since turned IRQs off. */
static __always_inline bool zalloc_could_refill(unsigned long flags)
{
	return !in_hardirq() && zalloc_could_alloc(flags);
}

/* May this context vfree()?  It may sleep: only preemptible task context. */
static __always_inline bool zalloc_can_vfree(void)
{
	return in_task() && preemptible();
}

/* defer.c */
void zalloc_defer_kvfree(void *p);
void zalloc_defer_pages(void *p, size_t bytes);
void zalloc_defer_flush(void);
void zalloc_kvfree(void *p);

/*
 * The kernel's init_on_alloc / init_on_free (want_init_on_alloc() and
 * want_init_on_free(), static keys: a nop when off), for allocators that
 * hand out recycled memory (the page allocator and kmalloc are zeroed by
 * the kernel itself).
 *
 * Returns @p: a fast path that ends in "return zalloc_init_on_alloc(p,
 * len);" (after counting) reaches memset() as a tail call and saves no
 * registers for it.
 */
static __always_inline void *zalloc_init_on_alloc(void *p, size_t len)
{
	if (want_init_on_alloc(0))
		return memset(p, 0, len);
	return p;
}

static __always_inline void zalloc_init_on_free(void *p, size_t len)
{
	if (want_init_on_free())
		memset(p, 0, len);
}

/* Counting, for the allocators (stats.h explains the mechanism). */

/* The kind's own event @i (0-based). */
static __always_inline void zalloc_count_event(struct zalloc_instance *inst,
					       unsigned int i)
{
	zalloc_count(inst, NR_ZALLOC_STATS + i, 1);
}

/* A successful allocation of @len bytes. */
static __always_inline void zalloc_count_alloc_ok(struct zalloc_instance *inst,
						  size_t len)
{
	zalloc_count_block(inst, ZALLOC_STAT_ALLOC, ZALLOC_STAT_BYTES_ALLOC, len);
}

/* An allocation of @len bytes that returned @p. */
static __always_inline void zalloc_count_alloc(struct zalloc_instance *inst,
					       void *p, size_t len)
{
	if (unlikely(!p))
		zalloc_count(inst, ZALLOC_STAT_ALLOC_FAIL, 1);
	else
		zalloc_count_alloc_ok(inst, len);
}

static __always_inline void zalloc_count_free(struct zalloc_instance *inst,
					      size_t len)
{
	zalloc_count_block(inst, ZALLOC_STAT_FREE, ZALLOC_STAT_BYTES_FREE, len);
}

/* The requested bytes of a block going from @len to @new_len. */
static inline void zalloc_count_relen(struct zalloc_instance *inst,
				      size_t len, size_t new_len)
{
	if (new_len > len)
		zalloc_count(inst, ZALLOC_STAT_BYTES_ALLOC, new_len - len);
	else
		zalloc_count(inst, ZALLOC_STAT_BYTES_FREE, len - new_len);
}

static inline void zalloc_count_resize(struct zalloc_instance *inst, bool ok,
				       size_t len, size_t new_len)
{
	if (!ok) {
		zalloc_count(inst, ZALLOC_STAT_RESIZE_REFUSED, 1);
		return;
	}
	zalloc_count(inst, ZALLOC_STAT_RESIZE_OK, 1);
	zalloc_count_relen(inst, len, new_len);
}

static inline void zalloc_count_remap(struct zalloc_instance *inst,
				      const void *old, const void *p,
				      size_t len, size_t new_len)
{
	if (!p) {
		zalloc_count(inst, ZALLOC_STAT_REMAP_REFUSED, 1);
		return;
	}
	zalloc_count(inst, p == old ? ZALLOC_STAT_REMAP_INPLACE :
				      ZALLOC_STAT_REMAP_MOVED, 1);
	zalloc_count_relen(inst, len, new_len);
}

/* Backing memory taken from (@n > 0) or given back to the kernel. */
static __always_inline void zalloc_count_backing(struct zalloc_instance *inst,
						 long n)
{
	if (n > 0)
		zalloc_count(inst, ZALLOC_STAT_BACKING_ALLOC, n);
	else if (n < 0)
		zalloc_count(inst, ZALLOC_STAT_BACKING_FREE, -n);
}

/* Every live block given back at once (a reset). */
void zalloc_count_drop_live(struct zalloc_instance *inst);

/* The name reports use. */
static inline const char *zalloc_report_name(const struct zalloc_instance *inst)
{
	return inst->name[0] ? inst->name : "(unnamed)";
}

#endif /* _ZALLOC_INTERNAL_H */
