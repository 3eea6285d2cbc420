// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc SMP allocator, the back: slots, slabs, and memory going back
 * (smp.c is the front and says how the two fit; smp_internal.h has the
 * structures and the lock order).
 *
 * A magazine that runs empty is refilled from a slot: the caller's CPU's
 * slot first, then one other (Zig's max_alloc_search), taking half a
 * magazine from the slot's partial slabs of the class (their free lists,
 * then bumping), then from its empty slabs.  Only when neither slot has a
 * block does the caller take a fresh slab from the buddy allocator, with
 * no lock held.  A magazine that runs full gives its oldest half back to
 * the blocks' own slabs, taking each slot's lock once per run of blocks of
 * that slot, once more for the rest where a gather of each slab's blocks
 * (zsmp_flush_gather()) stopped early.
 *
 * Every block of a slab is in exactly one place: in a user's hands, in some
 * CPU's magazine, or free on the slab, its bit set in the slab's bitmap.
 * slab->inuse counts the first two; a slab with none goes to its
 * slot's empty list, or back to the buddy allocator if the slot already
 * keeps as many as it had in use at its peak.  A slab goes back by
 * unpublishing it from the page map, dropping it from the CPUs' cached
 * lookups after an RCU grace period and freeing its pages and descriptor
 * after a second one, so a free looking it up locklessly or finding it
 * cached (with IRQs off) never touches freed memory, and so that it can
 * be done from any context, hard IRQ on PREEMPT_RT included.
 *
 * The instance trims itself once it has been idle (no slow-path event)
 * for a second: every CPU's magazines are drained, by an IPI to each
 * online CPU, and the empty slabs beyond ZALLOC_SMP_EMPTY_MAX per slot go
 * back.  The shrinker does the same under memory pressure.
 */
#define pr_fmt(fmt) "zalloc: " fmt

#include <linux/bitmap.h>
#include <linux/cpu.h>
#include <linux/gfp.h>
#include <linux/jiffies.h>
#include <linux/kmemleak.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/smp.h>

#include "shrinker.h"
#include "smp_internal.h"
#include "trace.h"

#define SMP_IDLE_DELAY		HZ

/* Slab descriptors of every instance: a bit per block makes them odd-sized. */
struct kmem_cache *zsmp_slab_cache;

/* ---------------------------------------------------------------------
 * Slots and slabs
 */

static unsigned int zsmp_next(const struct zalloc_smp *smp, unsigned int i)
{
	return ++i < smp->nr_slots ? i : 0;
}

/* The caller's CPU: where to start looking, nothing more. */
static unsigned int zsmp_home(const struct zalloc_smp *smp)
{
	return raw_smp_processor_id() % smp->nr_slots;
}

/*
 * Lock a slot, IRQs already off: try @start, then the slots after it, as
 * Zig's Thread.lock() does; if every one is busy, wait for @start.
 */
static struct zsmp_slot *zsmp_lock_slot(struct zalloc_smp *smp,
					unsigned int start)
	__acquires(slot_lock)
{
	unsigned int i = start;
	struct zsmp_slot *slot;

	do {
		slot = &smp->slots[i];
		if (raw_spin_trylock(&slot->lock))
			return slot;
		atomic_long_inc(&slot->contended);
		i = zsmp_next(smp, i);
	} while (i != start);
	slot = &smp->slots[start];
	raw_spin_lock(&slot->lock);
	return slot;
}

static unsigned int zsmp_index(const struct zsmp_slab *slab, const void *p)
{
	return ((unsigned long)p - (unsigned long)slab->base) >>
	       (slab->class + ZALLOC_SMP_MIN_SHIFT);
}

/* An empty slab, cut for @class: every block free. */
static void zsmp_slab_reset(struct zsmp_slab *slab, unsigned int class)
{
	unsigned int n = zsmp_blocks(class);

	WRITE_ONCE(slab->class, class);
	bitmap_zero(slab->free, SMP_MAX_BLOCKS);
	bitmap_set(slab->free, 0, n);
	slab->nfree = n;
	slab->inuse = 0;
	slab->hint = 0;
}

/* Give @slab, new or empty and owned by @slot, to class @class. */
static void zsmp_slot_add(struct zsmp_slot *slot, struct zsmp_slab *slab,
			  unsigned int class)
{
	zsmp_slab_reset(slab, class);
	list_add_tail(&slab->node, &slot->cls[class].partial);
	slot->cls[class].nr_slabs++;
	slot->cls[class].nr_free += slab->nfree;
	slot->in_use++;
	slot->keep = max(slot->keep, slot->in_use);
}

/*
 * Take up to @want free blocks of @slab, a bitmap word at a time, lowest
 * addresses first, each stamped with the cookie a block in a magazine
 * holds, and store them at *--@top (zalloc_mag_fill_top()).  Returns how
 * many.
 */
static unsigned int zsmp_slab_take(struct zalloc_smp *smp,
				   struct zsmp_slab *slab, void **top,
				   unsigned int want)
{
	unsigned int shift = slab->class + ZALLOC_SMP_MIN_SHIFT;
	unsigned int w = slab->hint, got;
	void **end = top - min(want, slab->nfree), **t = top;
	unsigned long word;
	u8 *wbase;
	void *p;

	while (t != end) {
		word = slab->free[w];
		/* The blocks of word @w start here (one register, not two). */
		wbase = slab->base + (((size_t)w * BITS_PER_LONG) << shift);
		OPTIMIZER_HIDE_VAR(wbase);
		while (word && t != end) {
			p = wbase + ((size_t)__ffs(word) << shift);
			word &= word - 1;
			*--t = p;
			*(unsigned long *)p = zsmp_cookie(smp, p);
		}
		/* Frees test bits of this word without the lock. */
		WRITE_ONCE(slab->free[w], word);
		if (!word)
			w++;
	}
	got = top - t;
	slab->hint = w;
	slab->nfree -= got;
	slab->inuse += got;
	return got;
}

/*
 * Fill @m, which has room for @want, with up to @want blocks of @class
 * from @slot's slabs (partial ones, then an empty one), the lowest address
 * to be popped first.  Returns how many it took.
 */
static unsigned int zsmp_take(struct zalloc_smp *smp, struct zsmp_slot *slot,
			      unsigned int class, struct zalloc_mag *m,
			      unsigned int want, unsigned long ip)
{
	struct zsmp_class *cls = &slot->cls[class];
	void **top = zalloc_mag_fill_top(m, want);
	struct zsmp_slab *slab;
	unsigned int n = 0, got;

	lockdep_assert_held(&slot->lock);
	while (n < want) {
		slab = list_first_entry_or_null(&cls->partial,
						struct zsmp_slab, node);
		if (!slab) {
			slab = list_first_entry_or_null(&slot->empty,
							struct zsmp_slab, node);
			if (!slab)
				break;
			list_del(&slab->node);
			WRITE_ONCE(slot->nr_empty, slot->nr_empty - 1);
			zsmp_slot_add(slot, slab, class);
		}
		got = zsmp_slab_take(smp, slab, top - n, want - n);
		slab->ip = ip;
		n += got;
		if (!slab->nfree)
			list_del_init(&slab->node);
	}
	cls->out += n;
	cls->nr_free -= n;
	slot->allocs += n;
	zalloc_mag_fill_done(m, want, n);
	return n;
}

/* No class matches it: a cached lookup that finds it takes the slow path. */
struct zsmp_slab zsmp_no_slab = { .class = UINT_MAX };

/* A CPU's cached lookup of @slab, if that is what it holds, is dropped. */
static void zsmp_forget_slab(struct zsmp_cpu *c, struct zsmp_slab *slab)
{
	if (READ_ONCE(c->last_slab) == slab)
		WRITE_ONCE(c->last_slab, &zsmp_no_slab);
}

static void zsmp_slab_rcu_free(struct rcu_head *rcu)
{
	struct zsmp_slab *slab = container_of(rcu, struct zsmp_slab, rcu);

	kmemleak_free(slab->base);
	free_pages((unsigned long)slab->base, SMP_SLAB_ORDER);
	kmem_cache_free(zsmp_slab_cache, slab);
}

/*
 * The release's first grace period is over: no lookup that found @slab in
 * the map is still running, so none caches it again.  Drop it from every
 * CPU's cached lookup, then free it after a second grace period, once no
 * free that took it from a cache is still running.  A CPU storing a lookup
 * meanwhile may lose it (a miss later), never keep this slab.
 */
static void zsmp_slab_rcu_forget(struct rcu_head *rcu)
{
	struct zsmp_slab *slab = container_of(rcu, struct zsmp_slab, rcu);
	int cpu;

	for_each_possible_cpu(cpu)
		zsmp_forget_slab(per_cpu_ptr(slab->smp->cpu, cpu), slab);
	call_rcu(&slab->rcu, zsmp_slab_rcu_free);
}

/*
 * Give a slab on no list back: unpublished at once, dropped from every
 * CPU's cached lookup after a grace period, its pages and descriptor freed
 * after another (zsmp_slab_rcu_forget()).  Any context.  A flush that
 * releases a slab goes on looking up its magazine's other blocks, none of
 * which can be the slab's (it has none out); the caller's CPU forgets it
 * at once all the same, so that a block there by a bug is not found, as
 * in any later free.  From a preemptible caller that may be another CPU's
 * lookup: it is then only lost.
 */
static void zsmp_release_slab(struct zalloc_smp *smp, struct zsmp_slab *slab)
{
	zalloc_pagemap_clear(&smp->map, (unsigned long)slab->base);
	zsmp_forget_slab(raw_cpu_ptr(smp->cpu), slab);
	trace_slab(zalloc_report_name(&smp->inst), slab->base, slab->slot,
		   false);
	zsmp_count(smp, ZALLOC_SMP_SLABS_RETURNED, 1);
	zalloc_count_backing(&smp->inst, -(long)SMP_SLAB_SIZE);
	call_rcu(&slab->rcu, zsmp_slab_rcu_forget);
}

/* A fresh slab for slot @slot, published in the page map, on no list. */
static struct zsmp_slab *zsmp_new_slab(struct zalloc_smp *smp,
				       unsigned int slot, gfp_t gfp)
{
	gfp_t pgfp = gfp & ~(__GFP_ZERO | __GFP_COMP | __GFP_HIGHMEM);
	struct zsmp_slab *slab;
	struct page *page;
	int err;

	slab = kmem_cache_alloc(zsmp_slab_cache, pgfp | __GFP_NOWARN);
	if (!slab)
		return NULL;
	/* Costly order: try without retrying first, quietly. */
	page = alloc_pages(pgfp | __GFP_NOWARN | __GFP_NORETRY, SMP_SLAB_ORDER);
	if (!page && gfpflags_allow_blocking(pgfp))
		page = alloc_pages(pgfp | __GFP_NOWARN, SMP_SLAB_ORDER);
	if (!page)
		goto free_slab;
	slab->base = page_address(page);
	slab->slot = slot;
	slab->smp = smp;
	INIT_LIST_HEAD(&slab->node);
	zsmp_slab_reset(slab, 0);
	err = zalloc_pagemap_set(&smp->map, (unsigned long)slab->base, slab,
				 pgfp);
	if (err) {
		/* Only a direct map wider than the page map's reach. */
		if (err == -ERANGE)
			pr_warn_once("smp %s: slab at %p is out of the page map's reach\n",
				     zsmp_name(smp), slab->base);
		goto free_page;
	}
	/* One scanned object, never reported (smp.c's header says why). */
	kmemleak_alloc(slab->base, SMP_SLAB_SIZE, 0, pgfp);
	trace_slab(zalloc_report_name(&smp->inst), slab->base, slot, true);
	zsmp_count(smp, ZALLOC_SMP_SLABS_TAKEN, 1);
	zalloc_count_backing(&smp->inst, SMP_SLAB_SIZE);
	zalloc_stats_sample_peak(&smp->inst);
	return slab;

free_page:
	__free_pages(page, SMP_SLAB_ORDER);
free_slab:
	kmem_cache_free(zsmp_slab_cache, slab);
	return NULL;
}

/* ---------------------------------------------------------------------
 * Refill and flush
 */

/* The slow path has run: arm the idle trim if it is not. */
void zsmp_note_activity(struct zalloc_smp *smp)
{
	atomic_long_inc(&smp->activity);
	if (!READ_ONCE(smp->idle_armed)) {
		WRITE_ONCE(smp->idle_armed, true);
		queue_delayed_work(system_unbound_wq, &smp->idle,
				   SMP_IDLE_DELAY);
	}
}

/* Ask the refill worker for a slab in @slot: the caller cannot take one. */
static void zsmp_want_slab(struct zalloc_smp *smp, unsigned int slot)
{
	if (!test_and_set_bit(slot, smp->refill_slots))
		queue_work(system_unbound_wq, &smp->refill);
}

/*
 * The caller's magazine of @class is empty and IRQs are off (*@flags
 * holds what they were).  Refill it from the slots, or from a fresh slab
 * (IRQs are turned back on to take it, so the caller may sleep if @gfp
 * allows), and return one block, or NULL.  The magazine used is the CPU's
 * the caller is on when it returns.
 */
void *zsmp_refill(struct zalloc_smp *smp, unsigned int class, gfp_t gfp,
		  unsigned long ip, unsigned long *flags)
{
	unsigned int home = zsmp_home(smp), i = home, search, want;
	struct zsmp_slot *slot;
	struct zsmp_slab *slab;
	struct zalloc_mag *m;

	want = max(zalloc_mag_cap(class) / 2, 1U);
	zsmp_note_activity(smp);
	/* Where no slab can be taken, keep one in reserve for next time. */
	if (!zalloc_could_refill(*flags) &&
	    !READ_ONCE(smp->slots[home].nr_empty))
		zsmp_want_slab(smp, home);
	m = &this_cpu_ptr(smp->cpu)->mag[class];
	for (search = 0; search <= SMP_MAX_ALLOC_SEARCH; search++) {
		slot = zsmp_lock_slot(smp, i);
		zsmp_take(smp, slot, class, m, want, ip);
		raw_spin_unlock(&slot->lock);
		if (!zalloc_mag_empty(m))
			return zalloc_mag_pop(m);
		if (smp->nr_slots == 1)
			break;
		i = zsmp_next(smp, slot - smp->slots);
	}
	/*
	 * A busy lock turns the search away from a slot that may have blocks
	 * (a remote CPU flushing frees into it): before a fresh slab, wait
	 * for the home slot's lock and look there once more, so a
	 * producer/consumer pair reuses its slabs instead of churning them.
	 */
	if (smp->nr_slots > 1) {
		slot = &smp->slots[home];
		raw_spin_lock(&slot->lock);
		zsmp_take(smp, slot, class, m, want, ip);
		raw_spin_unlock(&slot->lock);
		if (!zalloc_mag_empty(m))
			return zalloc_mag_pop(m);
	}
	if (!zalloc_could_refill(*flags)) {
		zsmp_want_slab(smp, home);
		return NULL;
	}
	local_irq_restore(*flags);
	slab = zsmp_new_slab(smp, home, gfp);
	local_irq_save(*flags);
	if (!slab)
		return NULL;
	/* The slab belongs to the caller's first slot: wait for its lock. */
	slot = &smp->slots[home];
	m = &this_cpu_ptr(smp->cpu)->mag[class];
	raw_spin_lock(&slot->lock);
	list_add(&slab->all, &slot->all);
	/* A fresh slab starts empty; a magazine may have filled meanwhile. */
	list_add(&slab->node, &slot->empty);
	WRITE_ONCE(slot->nr_empty, slot->nr_empty + 1);
	if (zalloc_mag_empty(m))
		zsmp_take(smp, slot, class, m, want, ip);
	raw_spin_unlock(&slot->lock);
	return zalloc_mag_empty(m) ? NULL : zalloc_mag_pop(m);
}

/*
 * @slab has no block out: take it out of its class and keep it on the
 * slot's empty list, or return it if it must go back.
 */
static struct zsmp_slab *zsmp_retire(struct zsmp_slot *slot,
				     struct zsmp_slab *slab)
{
	struct zsmp_class *cls = &slot->cls[slab->class];

	list_del_init(&slab->node);
	cls->nr_slabs--;
	cls->nr_free -= slab->nfree;
	slot->in_use--;
	if (slot->nr_empty < slot->keep) {
		list_add(&slab->node, &slot->empty);
		WRITE_ONCE(slot->nr_empty, slot->nr_empty + 1);
		return NULL;
	}
	list_del(&slab->all);
	return slab;
}

/* Mark block @p of @slab free (under its slot's lock); returns its word. */
static __always_inline unsigned int zsmp_mark_free(struct zsmp_slab *slab,
						   const void *p,
						   unsigned int shift)
{
	unsigned int i = (p - slab->base) >> shift;

	/* As __set_bit(), marked: frees test the word without the lock. */
	WRITE_ONCE(slab->free[BIT_WORD(i)],
		   slab->free[BIT_WORD(i)] | BIT_MASK(i));
	return BIT_WORD(i);
}

/*
 * @n blocks of @slab, owned by @slot, were marked free: the slab counts
 * them back (its class and slot by zsmp_slot_got_back()).  Returns the
 * slab if it must go back to the buddy allocator.  Its inuse counts the
 * blocks in magazines too, so once it is 0 no block of it is left to come
 * back.  Inline in both flushes' loops: a call per run of blocks cost
 * zsmp_flush() 17 instructions a 4 KiB free.
 */
static __always_inline struct zsmp_slab *
zsmp_put_back(struct zsmp_slot *slot, struct zsmp_slab *slab, unsigned int n)
{
	lockdep_assert_held(&slot->lock);
	if (!slab->nfree)		/* was full */
		list_add_tail(&slab->node, &slot->cls[slab->class].partial);
	slab->nfree += n;
	slot->cls[slab->class].nr_free += n;
	slab->inuse -= n;
	if (slab->inuse)
		return NULL;
	return zsmp_retire(slot, slab);
}

/*
 * @n blocks of @class came back to @slot, slot number @s, from the CPU of
 * slot @home: remote frees if that is another.
 */
static __always_inline void zsmp_slot_got_back(struct zsmp_slot *slot,
					       unsigned int s,
					       unsigned int home,
					       unsigned int class,
					       unsigned int n)
{
	slot->cls[class].out -= n;
	slot->frees += n;
	if (s != home)
		slot->remote_frees += n;
}

/*
 * Give the @n oldest blocks of @m (IRQs off) back to their slabs, taking
 * each slot's lock once per run of blocks of that slot, and counting once
 * per run of blocks of one slab.
 */
void zsmp_flush(struct zalloc_smp *smp, struct zalloc_mag *m,
		unsigned int class, unsigned int n)
{
	struct zsmp_cpu *c = this_cpu_ptr(smp->cpu);
	unsigned int shift = class + ZALLOC_SMP_MIN_SHIFT;
	unsigned int home = zsmp_home(smp), i = 0, j, first, w, s;
	struct zsmp_slab *slab, *next, *dead;
	struct zsmp_slot *slot;

	zsmp_note_activity(smp);
	/* Checked when they were freed: their slabs cannot have gone. */
	slab = n ? zsmp_slab_cached(smp, c, m->obj[0]) : NULL;
	while (slab) {
		s = slab->slot;
		slot = &smp->slots[s];
		first = i;
		raw_spin_lock(&slot->lock);
		do {
			/* The run of blocks of @slab from @i on. */
			w = slab->hint;
			j = i;
			do {
				w = min(w, zsmp_mark_free(slab, m->obj[j],
							  shift));
				next = NULL;
				if (++j < n)
					next = zsmp_slab_cached(smp, c,
								m->obj[j]);
			} while (next == slab);
			slab->hint = w;
			/* Not @next: that is another slab, still in use. */
			dead = zsmp_put_back(slot, slab, j - i);
			if (dead)
				zsmp_release_slab(smp, dead);
			i = j;
			slab = next;
		} while (slab && slab->slot == s);
		zsmp_slot_got_back(slot, s, home, class, i - first);
		raw_spin_unlock(&slot->lock);
	}
	/*
	 * All @n, unless a slab was not found (a bug): the rest are dropped,
	 * a leak, so that the magazine has the room its callers count on.
	 */
	WARN_ON_ONCE(i < n);
	zalloc_mag_drop_oldest(m, n);
}

/*
 * Mark free every block of @slab among the @n at @obj, the first of which
 * is one, and move them to the front (the order of the others may change),
 * in one pass.  Returns how many.  Under @slab's slot lock.
 */
static unsigned int zsmp_gather(struct zsmp_slab *slab, void **obj,
				unsigned int n, unsigned int shift)
{
	unsigned long base = (unsigned long)slab->base;
	unsigned int j, k = 0, w = slab->hint;
	void *p;

	for (j = 0; j < n; j++) {
		p = obj[j];
		if ((unsigned long)p - base >= SMP_SLAB_SIZE)
			continue;
		w = min(w, zsmp_mark_free(slab, p, shift));
		obj[j] = obj[k];
		obj[k++] = p;
	}
	slab->hint = w;
	return k;
}

/*
 * A gather pass costs about 7 instructions a block it looks at and saves a
 * lookup and a count, about 50, for each block of its slab after the
 * first.  In zalloc_bench's batch-random frees (icount) it paid over 32
 * blocks of four slabs (256 B) and did not over 16 blocks of sixteen
 * (1 KiB) or 4 of four (4 KiB).  So flushes of fewer than SMP_GATHER_MIN
 * blocks do not gather, and a flush stops once a pass found too few blocks
 * of its slab for the next pass to pay.
 */
#define SMP_GATHER_MIN		32

static bool zsmp_gather_pays(unsigned int found, unsigned int left)
{
	return (found - 1) * 8 > left;
}

/*
 * Give back the blocks of the slab of @m's oldest block, then of each next
 * slab of the same slot while that pays (zsmp_gather_pays()), out of the
 * @n oldest; they leave @m.  IRQs off.  Returns how many.
 */
static noinline unsigned int
zsmp_flush_gather(struct zalloc_smp *smp, struct zalloc_mag *m,
		  unsigned int class, unsigned int n)
{
	struct zsmp_cpu *c = this_cpu_ptr(smp->cpu);
	unsigned int shift = class + ZALLOC_SMP_MIN_SHIFT;
	struct zsmp_slab *slab = zsmp_slab_cached(smp, c, m->obj[0]);
	unsigned int i = 0, k, s;
	struct zsmp_slab *dead;
	struct zsmp_slot *slot;

	if (!slab)
		return 0;
	s = slab->slot;
	slot = &smp->slots[s];
	raw_spin_lock(&slot->lock);
	do {
		k = zsmp_gather(slab, m->obj + i, n - i, shift);
		dead = zsmp_put_back(slot, slab, k);
		if (dead)
			zsmp_release_slab(smp, dead);
		i += k;
		if (i == n || !zsmp_gather_pays(k, n - i))
			break;
		slab = zsmp_slab_cached(smp, c, m->obj[i]);
	} while (slab && slab->slot == s);
	zsmp_slot_got_back(slot, s, zsmp_home(smp), class, i);
	raw_spin_unlock(&slot->lock);
	zalloc_mag_drop_oldest(m, i);
	return i;
}

/*
 * Give back the older half of @m, which is full (IRQs off): zsmp_flush(),
 * after zsmp_flush_gather() if that may pay, so that blocks freed in random
 * order over a few slabs are looked up and counted once per slab, not once
 * per run of blocks of one slab.
 */
void zsmp_flush_half(struct zalloc_smp *smp, struct zalloc_mag *m,
		     unsigned int class)
{
	unsigned int n = (m->nr + 1) / 2;

	if (n >= SMP_GATHER_MIN) {
		n -= zsmp_flush_gather(smp, m, class, n);
		if (!n) {
			zsmp_note_activity(smp);
			return;
		}
	}
	zsmp_flush(smp, m, class, n);
}

/*
 * A block being freed has its free bit set: look again under the lock,
 * where the bit is exact.  IRQs are off.
 */
bool zsmp_confirm_double(struct zalloc_smp *smp, struct zsmp_slab *slab,
			 const void *p)
{
	struct zsmp_slot *slot = &smp->slots[slab->slot];
	bool on;

	raw_spin_lock(&slot->lock);
	on = test_bit(zsmp_index(slab, p), slab->free);
	raw_spin_unlock(&slot->lock);
	return on;
}

/* A block left a magazine with its first word no longer the cookie. */
void zsmp_overwritten(struct zalloc_smp *smp, const void *p)
{
	zsmp_count(smp, ZALLOC_SMP_CORRUPT_LISTS, 1);
	pr_err_ratelimited("smp %s: free block %p was written to after it was freed\n",
			   zsmp_name(smp), p);
}

/* ---------------------------------------------------------------------
 * Memory going back: drain, trim, idle, shrinker, refill worker
 */

/* Give every block of this CPU's magazines back.  IRQs off. */
static void zsmp_drain_cpu(struct zalloc_smp *smp, struct zsmp_cpu *c)
{
	unsigned int class;

	for (class = 0; class < SMP_NR_CLASSES; class++)
		if (!zalloc_mag_empty(&c->mag[class]))
			zsmp_flush(smp, &c->mag[class], class,
				   c->mag[class].nr);
}

static void zsmp_drain_ipi(void *arg)
{
	struct zalloc_smp *smp = arg;

	zsmp_drain_cpu(smp, this_cpu_ptr(smp->cpu));
}

static unsigned long zsmp_release_spare(struct zalloc_smp *smp,
					unsigned int keep, unsigned long max);

/* Drain every CPU's magazines: on their CPU, or here if it is offline. */
static void zsmp_drain_all(struct zalloc_smp *smp)
{
	unsigned long flags;
	int cpu;

	cpus_read_lock();
	on_each_cpu(zsmp_drain_ipi, smp, 1);
	for_each_possible_cpu(cpu) {
		if (cpu_online(cpu))
			continue;
		local_irq_save(flags);
		zsmp_drain_cpu(smp, per_cpu_ptr(smp->cpu, cpu));
		local_irq_restore(flags);
	}
	cpus_read_unlock();
}

/*
 * Drain the magazines, then give back up to @max empty slabs beyond
 * ZALLOC_SMP_EMPTY_MAX per slot, and let each slot's keep fall back to
 * what it has in use.  Process context.  Returns the slabs given back.
 */
unsigned long zsmp_trim(struct zalloc_smp *smp, unsigned long max)
{
	zsmp_drain_all(smp);
	return zsmp_release_spare(smp, ZALLOC_SMP_EMPTY_MAX, max);
}

/* Idle for SMP_IDLE_DELAY (no slow-path event): trim.  Else look later. */
static void zsmp_idle_fn(struct work_struct *work)
{
	struct zalloc_smp *smp = container_of(to_delayed_work(work),
					      struct zalloc_smp, idle);
	long now = atomic_long_read(&smp->activity);

	if (now != smp->idle_seen) {
		smp->idle_seen = now;
		queue_delayed_work(system_unbound_wq, &smp->idle,
				   SMP_IDLE_DELAY);
		return;
	}
	WRITE_ONCE(smp->idle_armed, false);
	zsmp_trim(smp, ULONG_MAX);
	/* The drain's own flushes counted as activity: look past them. */
	smp->idle_seen = atomic_long_read(&smp->activity);
}

/* Take an empty slab for every slot that asked (zsmp_want_slab()). */
static void zsmp_refill_fn(struct work_struct *work)
{
	struct zalloc_smp *smp = container_of(work, struct zalloc_smp, refill);
	struct zsmp_slot *slot;
	struct zsmp_slab *slab;
	unsigned long flags;
	unsigned int i;

	for_each_set_bit(i, smp->refill_slots, smp->nr_slots) {
		clear_bit(i, smp->refill_slots);
		slab = zsmp_new_slab(smp, i, GFP_KERNEL);
		if (!slab)
			continue;
		slot = &smp->slots[i];
		raw_spin_lock_irqsave(&slot->lock, flags);
		list_add(&slab->all, &slot->all);
		list_add(&slab->node, &slot->empty);
		WRITE_ONCE(slot->nr_empty, slot->nr_empty + 1);
		raw_spin_unlock_irqrestore(&slot->lock, flags);
	}
}

/* Slabs that can go back: the empty ones beyond @keep per slot. */
static unsigned long zsmp_spare(struct zalloc_smp *smp, unsigned int keep)
{
	unsigned long n = 0;
	unsigned int i, e;

	for (i = 0; i < smp->nr_slots; i++) {
		e = READ_ONCE(smp->slots[i].nr_empty);
		n += e > keep ? e - keep : 0;
	}
	return n;
}

/*
 * Give back up to @max empty slabs, keeping @keep per slot; the magazines
 * stay.  Each slot's keep falls back to what it has in use.
 */
static unsigned long zsmp_release_spare(struct zalloc_smp *smp,
					unsigned int keep, unsigned long max)
{
	struct zsmp_slab *slab, *tmp;
	unsigned long flags, n = 0;
	struct zsmp_slot *slot;
	unsigned int i;
	LIST_HEAD(list);

	for (i = 0; i < smp->nr_slots && n < max; i++) {
		slot = &smp->slots[i];
		raw_spin_lock_irqsave(&slot->lock, flags);
		slot->keep = max(slot->in_use, keep);
		while (slot->nr_empty > keep && n < max) {
			slab = list_first_entry(&slot->empty, struct zsmp_slab,
						node);
			list_move(&slab->node, &list);
			list_del(&slab->all);
			WRITE_ONCE(slot->nr_empty, slot->nr_empty - 1);
			n++;
		}
		raw_spin_unlock_irqrestore(&slot->lock, flags);
	}
	list_for_each_entry_safe(slab, tmp, &list, node) {
		list_del(&slab->node);
		zsmp_release_slab(smp, slab);
	}
	return n;
}

/*
 * The shrinker counts pages, SMP_SLAB_PAGES per empty slab, and gives them
 * all back: under pressure no slot keeps one.  It does not drain the
 * magazines: that takes every CPU, which reclaim should not wait for; the
 * idle trim does it.
 */
static unsigned long zsmp_shrink_count(struct shrinker *sh,
				       struct shrink_control *sc)
{
	unsigned long n = zsmp_spare(zalloc_shrinker_data(sh), 0);

	return n ? n * SMP_SLAB_PAGES : SHRINK_EMPTY;
}

static unsigned long zsmp_shrink_scan(struct shrinker *sh,
				      struct shrink_control *sc)
{
	struct zalloc_smp *smp = zalloc_shrinker_data(sh);
	unsigned long n;

	n = zsmp_release_spare(smp, 0,
			       DIV_ROUND_UP(sc->nr_to_scan, SMP_SLAB_PAGES));
	if (!n)
		return SHRINK_STOP;
	zsmp_count(smp, ZALLOC_SMP_SHRINKER_RECLAIMS, n);
	return n * SMP_SLAB_PAGES;
}

/* ---------------------------------------------------------------------
 * Setup, teardown, tables
 */

int zsmp_back_init(struct zalloc_smp *smp)
{
	char sname[ZALLOC_NAME_MAX + 16];
	struct zsmp_slot *slot;
	unsigned int i, c;
	int err = -ENOMEM;

	smp->nr_slots = nr_cpu_ids;
	/* A multiple of the cache line, so kmalloc aligns it to one. */
	smp->slots = kvcalloc(smp->nr_slots, sizeof(*smp->slots), GFP_KERNEL);
	smp->refill_slots = bitmap_zalloc(smp->nr_slots, GFP_KERNEL);
	if (!smp->slots || !smp->refill_slots)
		goto free;
	for (i = 0; i < smp->nr_slots; i++) {
		slot = &smp->slots[i];
		raw_spin_lock_init(&slot->lock);
		lockdep_set_class(&slot->lock, &smp->inst.key);
		for (c = 0; c < SMP_NR_CLASSES; c++)
			INIT_LIST_HEAD(&slot->cls[c].partial);
		INIT_LIST_HEAD(&slot->empty);
		INIT_LIST_HEAD(&slot->all);
		slot->keep = ZALLOC_SMP_EMPTY_MAX;
		atomic_long_set(&slot->contended, 0);
	}
	err = zalloc_pagemap_init(&smp->map, GFP_KERNEL);
	if (err)
		goto free;
	INIT_DELAYED_WORK(&smp->idle, zsmp_idle_fn);
	INIT_WORK(&smp->refill, zsmp_refill_fn);
	atomic_long_set(&smp->activity, 0);
	snprintf(sname, sizeof(sname), "zalloc-smp-%s",
		 smp->inst.name[0] ? smp->inst.name : "private");
	smp->shrinker = zalloc_shrinker_alloc(sname, zsmp_shrink_count,
					      zsmp_shrink_scan, smp);
	if (!smp->shrinker) {
		err = -ENOMEM;
		goto destroy_map;
	}
	zalloc_shrinker_register(smp->shrinker);
	return 0;

destroy_map:
	zalloc_pagemap_destroy(&smp->map);
free:
	bitmap_free(smp->refill_slots);
	kvfree(smp->slots);
	return err;
}

/*
 * Give every slab back; return the number of live small blocks and report
 * them, per class, with the caller of an allocation in a slab holding
 * some.  The magazines are drained first, so every block is free on its
 * slab or live.
 */
static unsigned long zsmp_release_all(struct zalloc_smp *smp)
{
	unsigned long live[SMP_NR_CLASSES] = {}, ip[SMP_NR_CLASSES] = {};
	struct zsmp_slab *slab, *tmp;
	unsigned long total = 0;
	unsigned int i, c;

	for (i = 0; i < smp->nr_slots; i++) {
		list_for_each_entry_safe(slab, tmp, &smp->slots[i].all, all) {
			if (slab->inuse) {
				live[slab->class] += slab->inuse;
				ip[slab->class] = slab->ip;
			}
			list_del(&slab->all);
			zsmp_release_slab(smp, slab);
		}
	}
	for (c = 0; c < SMP_NR_CLASSES; c++) {
		if (!live[c])
			continue;
		total += live[c];
		pr_err("smp %s: destroyed with %lu live %zu-byte blocks, one allocated by %pS\n",
		       zsmp_name(smp), live[c], zsmp_size(c), (void *)ip[c]);
	}
	return total;
}

/* Undo zsmp_back_init(); nobody uses the instance any more. */
unsigned long zsmp_back_fini(struct zalloc_smp *smp)
{
	unsigned long live, flags;
	int cpu;

	zalloc_shrinker_free(smp->shrinker);
	cancel_delayed_work_sync(&smp->idle);
	cancel_work_sync(&smp->refill);
	for_each_possible_cpu(cpu) {
		local_irq_save(flags);
		zsmp_drain_cpu(smp, per_cpu_ptr(smp->cpu, cpu));
		local_irq_restore(flags);
	}
	/* Draining noted activity and may have queued the idle work again. */
	cancel_delayed_work_sync(&smp->idle);
	live = zsmp_release_all(smp);
	/*
	 * Descriptors and pages go after two grace periods, the callback of
	 * the first queueing the second: wait for both, before the fronts go.
	 */
	rcu_barrier();
	rcu_barrier();
	zalloc_pagemap_destroy(&smp->map);
	bitmap_free(smp->refill_slots);
	kvfree(smp->slots);
	return live;
}

/* Blocks in magazines, per class, summed over the CPUs (a snapshot). */
static void zsmp_cached(struct zalloc_smp *smp, unsigned long *cached)
{
	unsigned int c;
	int cpu;

	memset(cached, 0, SMP_NR_CLASSES * sizeof(*cached));
	for_each_possible_cpu(cpu)
		for (c = 0; c < SMP_NR_CLASSES; c++)
			cached[c] += READ_ONCE(per_cpu_ptr(smp->cpu, cpu)->mag[c].nr);
}

/* The values of zsmp_read() that need the slots. */
void zsmp_read_back(struct zalloc_smp *smp, unsigned long *v)
{
	unsigned long cached[SMP_NR_CLASSES], out = 0, nfree = 0, empty = 0;
	unsigned long flags, mags = 0;
	struct zsmp_slot *slot;
	unsigned int i, c;

	zsmp_cached(smp, cached);
	for (c = 0; c < SMP_NR_CLASSES; c++)
		mags += cached[c];
	for (i = 0; i < smp->nr_slots; i++) {
		slot = &smp->slots[i];
		raw_spin_lock_irqsave(&slot->lock, flags);
		for (c = 0; c < SMP_NR_CLASSES; c++) {
			out += slot->cls[c].out;
			nfree += slot->cls[c].nr_free;
		}
		empty += slot->nr_empty;
		raw_spin_unlock_irqrestore(&slot->lock, flags);
	}
	v[ZALLOC_SMP_EMPTY_CACHED] = empty;
	v[ZALLOC_SMP_LIVE_OBJECTS] = out > mags ? out - mags : 0;
	v[ZALLOC_SMP_FREE_OBJECTS] = nfree + mags;
}

void zsmp_show_classes(struct seq_file *m, struct zalloc_instance *inst)
{
	unsigned long out[SMP_NR_CLASSES] = {}, nfree[SMP_NR_CLASSES] = {};
	unsigned long slabs[SMP_NR_CLASSES] = {}, cached[SMP_NR_CLASSES];
	struct zalloc_smp *smp = to_smp(inst);
	struct zsmp_slot *slot;
	unsigned long flags;
	unsigned int i, c;

	zsmp_cached(smp, cached);
	for (i = 0; i < smp->nr_slots; i++) {
		slot = &smp->slots[i];
		raw_spin_lock_irqsave(&slot->lock, flags);
		for (c = 0; c < SMP_NR_CLASSES; c++) {
			out[c] += slot->cls[c].out;
			nfree[c] += slot->cls[c].nr_free;
			slabs[c] += slot->cls[c].nr_slabs;
		}
		raw_spin_unlock_irqrestore(&slot->lock, flags);
	}
	seq_printf(m, "%5s %6s %10s %10s %8s %8s %8s\n", "class", "size",
		   "live", "free", "cached", "slabs", "pages");
	for (c = 0; c < SMP_NR_CLASSES; c++)
		seq_printf(m, "%5u %6zu %10lu %10lu %8lu %8lu %8lu\n", c,
			   zsmp_size(c),
			   out[c] > cached[c] ? out[c] - cached[c] : 0,
			   nfree[c] + cached[c], cached[c], slabs[c],
			   slabs[c] * SMP_SLAB_PAGES);
}

void zsmp_show_cpus(struct seq_file *m, struct zalloc_instance *inst)
{
	struct zalloc_smp *smp = to_smp(inst);
	unsigned long allocs, frees, remote, nfree, cached;
	unsigned int i, c, empty;
	struct zsmp_slot *slot;
	unsigned long flags;

	seq_printf(m, "%4s %12s %12s %10s %12s %10s %6s %7s\n", "slot",
		   "allocs", "frees", "contended", "remote_frees", "free_objs",
		   "empty", "cached");
	for (i = 0; i < smp->nr_slots; i++) {
		slot = &smp->slots[i];
		nfree = 0;
		cached = 0;
		raw_spin_lock_irqsave(&slot->lock, flags);
		allocs = slot->allocs;
		frees = slot->frees;
		remote = slot->remote_frees;
		empty = slot->nr_empty;
		for (c = 0; c < SMP_NR_CLASSES; c++)
			nfree += slot->cls[c].nr_free;
		raw_spin_unlock_irqrestore(&slot->lock, flags);
		if (cpu_possible(i))
			for (c = 0; c < SMP_NR_CLASSES; c++)
				cached += READ_ONCE(per_cpu_ptr(smp->cpu, i)->mag[c].nr);
		seq_printf(m, "%4u %12lu %12lu %10ld %12lu %10lu %6u %7lu\n", i,
			   allocs, frees, atomic_long_read(&slot->contended),
			   remote, nfree, empty, cached);
	}
}
