// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc sbrk allocator: Zig's std.heap.SbrkAllocator (0.14) in the kernel.
 *
 * Zig's SbrkAllocator(sbrk) is generic over a function that moves the
 * program break and returns the start of the new bytes.  It keeps, per
 * power-of-two size class up to 32 KiB, a bump pointer into a 64 KiB "big
 * page" and an intrusive free list; larger requests take a power-of-two
 * number of big pages, with a free list per power; one global mutex covers
 * it all, and nothing is ever given back.  Plan 9 uses it as its page
 * allocator.
 *
 * Kept: the generic break (here a struct zalloc_sbrk_provider, an ops
 * table, in place of the comptime function), power-of-two small classes
 * with a bump pointer and an intrusive free list each, big blocks of 2^k big
 * pages with a free list per k, one lock, reuse without return, and resize
 * that never moves between classes but recovers the bytes between powers of
 * two.
 *
 * Changed from upstream, and why:
 *  - Refill: Zig tests `next_addr % page_size == 0` to see that a class has
 *    run out, but refills it with a whole 64 KiB big page; so classes below
 *    4 KiB carve only the first 4 KiB of every big page and waste the other
 *    60, and classes of 4 KiB and up take a fresh big page for every block.
 *    Here the test is against the big page size and the break is kept big
 *    page aligned, so every big page is carved completely.
 *  - Big sizes: Zig asks for (max(len + 8, align) + 64 KiB + 7) / 64 KiB
 *    big pages.  The 8 bytes of link room push a block of exactly 64 KiB
 *    (or any multiple) into one more big page, and the rounding does the
 *    same for the 8 lengths at and below each multiple (with the link
 *    room, 65521 .. 65528 bytes take two big pages).  Here it is
 *    DIV_ROUND_UP(max(len, align), 64 KiB), rounded up to a power of two as
 *    before: 64 KiB takes one big page, 64 KiB + 1 two.
 *  - No room for the link: Zig sizes every block as len + 8 so that the
 *    free-list link, kept in the last word, fits besides the data; a free
 *    block holds no data, so here the link is the first word of the free
 *    block, a class is chosen from max(len, align) alone, and classes start
 *    at 8 bytes (Zig: 16, and a 16-byte request took 32).
 *  - Alignment: Zig honours alignment only through the class size, so big
 *    blocks aligned above what sbrk happens to return are wrong.  Here a
 *    big request aligned above 64 KiB pads the fresh break to the alignment
 *    (the padding goes to the big free lists, split into powers of two) or
 *    takes a free block that happens to be aligned.
 *  - Locking: a raw spinlock taken with IRQs disabled, not a mutex, so
 *    every context but NMI may allocate with GFP_ATOMIC, on PREEMPT_RT too;
 *    the provider is called with the lock dropped, so it may sleep when the
 *    gfp_t allows (and on PREEMPT_RT only a provider that allocates nothing,
 *    the region, is called where the page allocator may not be).
 *  - A per-CPU front (mag.h), as the smp allocator has: each CPU keeps a
 *    magazine of free small blocks per class, popped and pushed with IRQs
 *    off and no lock; the one lock is taken to refill half a magazine from
 *    the free list and the bump, or give half a full one back.  One lock
 *    round trip per allocation and one per free is more than a small block
 *    may cost (issue: 0.8x kmalloc); Zig's mutex is the same one lock.
 *  - Instances: state is per instance (zalloc_sbrk_create()), not static
 *    per sbrk function; a global instance over buddy pages is registered as
 *    "sbrk".  Destroy gives everything back through the provider and
 *    reports blocks still live.
 *  - Every free, resize and remap is checked against the page map (every
 *    big page the break returned, tagged with what it is carved into;
 *    pagemap.h) before anything is written: a pointer outside the break,
 *    not on a block boundary of its class, beyond the bump, or with a
 *    length of another class is refused as invalid, so nothing is ever
 *    written to memory the allocator did not hand out.  A double free is
 *    refused for a small block still in a magazine (its first word is then
 *    the instance's random cookie for its address) or at the head of its
 *    free list, and for any big block (its tag says it is free).
 *  - Free-list links (Zig: plain pointers, followed blindly) are stored
 *    encoded as SLUB's CONFIG_SLAB_FREELIST_HARDENED does (freelist.h):
 *    next ^ a random per-instance key ^ swab(address of the word), so a
 *    plain pointer written into a freed block decodes to garbage.  Every
 *    link is checked before it is followed: it must be NULL for the last
 *    block the list counts and only there, aligned to its class (big
 *    blocks: to a big page), not its own block, and lie with its whole
 *    block inside [lowest, highest) address the break ever returned.  A bad
 *    link is reported and counted, and its whole list dropped (those blocks
 *    stay lost until destroy); the allocation goes on from the bump pointer
 *    or fresh memory.  Not caught: a write that flips only low bits of a
 *    stored link, which can still decode to another block of the class (a
 *    live one, then handed out twice), nor, under the pages provider whose
 *    chunks are not contiguous, a link into a gap between chunks that
 *    passes the other checks.
 *
 * kmemleak: the region provider's memory is one vmalloc area, which
 * kmemleak tracks and scans as a whole; the pages provider registers each
 * chunk with min_count 0 (scanned, never reported), the in-tree pattern for
 * pages that hold pointers.  Blocks are not registered one by one (they
 * would overlap those objects), so leaked blocks are not reported, but
 * nothing they point to is reported falsely.
 *
 * This file is the front and the instance; the back (the break, the lists,
 * the checks) is sbrk_pool.c, the structures and the lock order
 * sbrk_internal.h.
 */
#define pr_fmt(fmt) "zalloc: " fmt

#include <linux/gfp.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/random.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "sbrk_internal.h"

/* Its counters (enum zalloc_sbrk_counter, include/zalloc/sbrk.h). */
static const char * const sbrk_counters[NR_ZALLOC_SBRK_COUNTERS] = {
	[ZALLOC_SBRK_BRK_BYTES]		= "brk_bytes",
	[ZALLOC_SBRK_DOUBLE_FREES]	= "double_frees",
	[ZALLOC_SBRK_INVALID_FREES]	= "invalid_frees",
	[ZALLOC_SBRK_CORRUPT_LISTS]	= "corrupt_free_lists",
	[ZALLOC_SBRK_BIGPAGE_BYTES]	= "bigpage_bytes",
	[ZALLOC_SBRK_SMALL_BIGPAGES]	= "small_bigpages",
	[ZALLOC_SBRK_LIVE_SMALL]	= "live_small",
	[ZALLOC_SBRK_LIVE_BIG]		= "live_big",
	[ZALLOC_SBRK_FREE_SMALL]	= "free_small",
	[ZALLOC_SBRK_FREE_BIG]		= "free_big",
	[ZALLOC_SBRK_FREE_BIG_BYTES]	= "free_big_bytes",
};

static struct zalloc_sbrk sbrk_global;

/* ---------------------------------------------------------------------
 * The ops
 */

/* Every allocation but a pop off a non-empty magazine. */
static noinline void *sbrk_alloc_slow(struct zalloc_sbrk *sb, size_t len,
				      size_t align, gfp_t gfp,
				      unsigned long ip)
{
	unsigned int class = sbrk_class(len, align);
	struct zalloc_mag *m;
	unsigned long flags;
	void *p = NULL;

	might_alloc(gfp);
	if (unlikely(in_nmi()))
		goto out;
	if (class >= SBRK_NR) {
		p = sbrk_alloc_big(sb, len, align, gfp, ip);
		goto zero;
	}
	local_irq_save(flags);
	m = &this_cpu_ptr(sb->cpu)->mag[class];
	if (!zalloc_mag_empty(m))
		p = zalloc_mag_pop(m);
	else
		p = sbrk_refill(sb, class, gfp, ip, &flags);
	local_irq_restore(flags);
	if (!p)
		goto out;
	if (unlikely(*(unsigned long *)p != sbrk_cookie(sb, p)))
		sbrk_overwritten(sb, p);
	*(unsigned long *)p = 0;
zero:
	if (p)
		zalloc_init_on_alloc(p, len);
out:
	zalloc_count_alloc(&sb->inst, p, len);
	return p;
}

/*
 * A block whose cookie was overwritten: report, then hand it out (the fast
 * path counted it).
 */
static noinline void *sbrk_alloc_stained(struct zalloc_sbrk *sb, void *p,
					 size_t len)
{
	sbrk_overwritten(sb, p);
	*(unsigned long *)p = 0;
	return zalloc_init_on_alloc(p, len);
}

/* The fast path: pop the CPU's magazine; anything else, the slow path. */
static void *sbrk_alloc(void *ctx, size_t len, size_t align, gfp_t gfp,
			unsigned long ip)
{
	struct zalloc_sbrk *sb = to_sbrk(ctx);
	unsigned int class = sbrk_class(len, align);
	struct zalloc_mag *m;
	struct sbrk_cpu *c;
	unsigned long flags;
	void *p;

	if (unlikely(class >= SBRK_NR || in_nmi()))
		return sbrk_alloc_slow(sb, len, align, gfp, ip);
	local_irq_save(flags);
	c = this_cpu_ptr(sb->cpu);
	m = zalloc_mag_of(c->mag, class);
	if (unlikely(zalloc_mag_empty(m))) {
		local_irq_restore(flags);
		return sbrk_alloc_slow(sb, len, align, gfp, ip);
	}
	p = zalloc_mag_pop(m);
	zalloc_mag_count_alloc(&c->stats, len);
	local_irq_restore(flags);
	if (unlikely(*(unsigned long *)p != sbrk_cookie(sb, p)))
		return sbrk_alloc_stained(sb, p, len);
	*(unsigned long *)p = 0;
	return zalloc_init_on_alloc(p, len);
}

/*
 * In place within the class, or the power of two of big pages (Zig: "never
 * move between size classes, but recover bytes between powers of two").
 * The block is checked first.
 */
static bool sbrk_relen(struct zalloc_sbrk *sb, const char *what, void *p,
		       size_t len, size_t align, size_t new_len,
		       unsigned long ip)
{
	unsigned int class = sbrk_class(len, align);
	unsigned int new_class = sbrk_class(new_len, align);
	enum sbrk_verdict v;
	unsigned long flags;

	raw_spin_lock_irqsave(&sb->lock, flags);
	v = sbrk_check(sb, p, len, align);
	raw_spin_unlock_irqrestore(&sb->lock, flags);
	if (v != SBRK_FREE_OK) {
		sbrk_report(sb, v, what, p, len, align, ip);
		return false;
	}
	if (class < SBRK_NR || new_class < SBRK_NR)
		return class == new_class;
	return sbrk_big_class(len, align) == sbrk_big_class(new_len, align);
}

static bool sbrk_resize(void *ctx, void *ptr, size_t len, size_t align,
			size_t new_len, gfp_t gfp, unsigned long ip)
{
	struct zalloc_sbrk *sb = to_sbrk(ctx);
	bool ok = sbrk_relen(sb, "resize", ptr, len, align, new_len, ip);

	zalloc_count_resize(&sb->inst, ok, len, new_len);
	return ok;
}

static void *sbrk_remap(void *ctx, void *ptr, size_t len, size_t align,
			size_t new_len, gfp_t gfp, unsigned long ip)
{
	struct zalloc_sbrk *sb = to_sbrk(ctx);
	void *p = sbrk_relen(sb, "remap", ptr, len, align, new_len, ip) ?
		  ptr : NULL;

	zalloc_count_remap(&sb->inst, ptr, p, len, new_len);
	return p;
}

/*
 * Every free the fast path does not take: checked in full under the lock
 * (which fills the CPU's cached page-map lookup), then a small block into
 * the magazine, a big one onto its list.
 */
static noinline void sbrk_free_slow(struct zalloc_sbrk *sb, void *ptr,
				    size_t len, size_t align,
				    unsigned long ip)
{
	unsigned int class = sbrk_class(len, align);
	struct zalloc_mag *m;
	enum sbrk_verdict v;
	unsigned long flags;

	if (unlikely(in_nmi())) {
		sbrk_report(sb, SBRK_FREE_INVALID, "free (NMI)", ptr, len,
			    align, ip);
		return;
	}
	raw_spin_lock_irqsave(&sb->lock, flags);
	v = sbrk_check(sb, ptr, len, align);
	if (v == SBRK_FREE_OK && class >= SBRK_NR) {
		zalloc_init_on_free(ptr, len);
		sbrk_put_big(sb, ptr, len, align);
	}
	raw_spin_unlock_irqrestore(&sb->lock, flags);
	if (v != SBRK_FREE_OK) {
		sbrk_report(sb, v, "free", ptr, len, align, ip);
		return;
	}
	if (class < SBRK_NR) {
		zalloc_init_on_free(ptr, len);
		local_irq_save(flags);
		m = &this_cpu_ptr(sb->cpu)->mag[class];
		if (zalloc_mag_full(m))
			sbrk_flush(sb, m, class, (m->nr + 1) / 2);
		zalloc_mag_push(m, ptr);
		*(unsigned long *)ptr = sbrk_cookie(sb, ptr);
		local_irq_restore(flags);
	}
	zalloc_count_free(&sb->inst, len);
}

/*
 * sbrk_free() of a checked small block whose magazine is full: half of it
 * goes back to the lists first.  Called with IRQs off, @flags as they
 * were before; restores them.
 */
static noinline void sbrk_free_overflow(struct zalloc_sbrk *sb,
					struct zalloc_mag *m, void *ptr,
					size_t len, unsigned int class,
					unsigned long flags)
{
	sbrk_flush(sb, m, class, (m->nr + 1) / 2);
	zalloc_mag_push(m, ptr);
	*(unsigned long *)ptr = sbrk_cookie(sb, ptr);
	local_irq_restore(flags);
	zalloc_count_free(&sb->inst, len);
}

/*
 * The fast path: a small block (of the big page this CPU last looked up,
 * else of the big page a lockless page-map lookup finds, which becomes the
 * latest: a small class's tag never changes), on a block boundary below
 * the bump, not in a magazine (no cookie), into its magazine, by way of
 * sbrk_free_overflow() if that is full.  Anything else goes, as a tail
 * call, to the slow path.
 */
static void sbrk_free(void *ctx, void *ptr, size_t len, size_t align,
		      unsigned long ip)
{
	struct zalloc_sbrk *sb = to_sbrk(ctx);
	unsigned int class = sbrk_class(len, align);
	unsigned long a = (unsigned long)ptr, flags, next, tag;
	unsigned long base = a & ~(SBRK_BIG - 1);
	struct sbrk_cpu *c;
	struct zalloc_mag *m;

	if (unlikely(class >= SBRK_NR || in_nmi() ||
		     want_init_on_free()))
		goto slow;
	local_irq_save(flags);
	c = this_cpu_ptr(sb->cpu);
	if (unlikely(c->base != base)) {
		tag = sbrk_tag_of(sb, a);
		if (!(tag & SB_TAG_SMALL))
			goto slow_irq;
		c->base = base;
		c->tag = tag;
	}
	/* The bump after the tag: pairs with its publication (sbrk_tag()). */
	smp_rmb();
	next = READ_ONCE(sb->next_addrs[class]);
	m = zalloc_mag_of(c->mag, class);
	if (unlikely(c->tag != (SB_TAG_SMALL | class) ||
		     (a & (sbrk_size(class) - 1)) ||
		     (base == (next & ~(SBRK_BIG - 1)) && a >= next) ||
		     *(unsigned long *)ptr == sbrk_cookie(sb, ptr)))
		goto slow_irq;
	if (unlikely(zalloc_mag_full(m))) {
		sbrk_free_overflow(sb, m, ptr, len, class, flags);
		return;
	}
	zalloc_mag_push(m, ptr);
	*(unsigned long *)ptr = sbrk_cookie(sb, ptr);
	zalloc_mag_count_free(&c->stats, len);
	local_irq_restore(flags);
	return;

slow_irq:
	local_irq_restore(flags);
slow:
	sbrk_free_slow(sb, ptr, len, align, ip);
}

static const struct zalloc_ops sbrk_ops = {
	.alloc	= sbrk_alloc,
	.resize	= sbrk_resize,
	.remap	= sbrk_remap,
	.free	= sbrk_free,
};

/* ---------------------------------------------------------------------
 * The instance
 */

/* The kind's fold: the allocations and frees the fast paths counted. */
static void sbrk_fold(struct zalloc_instance *inst,
		      struct zalloc_stats_sum *sum)
{
	struct zalloc_sbrk *sb = to_sbrk(inst);

	if (sb->cpu)
		zalloc_mag_stats_fold(sum, &sb->cpu->stats);
}

static void sbrk_show(struct seq_file *m, struct zalloc_instance *inst)
{
	seq_printf(m, "provider %s\n", to_sbrk(inst)->prov->name);
}

/**
 * struct sbrk_args - the provider, for the kind's init
 * @prov: the provider
 * @taken: the init took it (from then on the fini destroys it)
 */
struct sbrk_args {
	struct zalloc_sbrk_provider *prov;
	bool taken;
};

/* The kind's init: the provider is the instance's from now on. */
static int sbrk_init(struct zalloc_instance *inst, const void *arg)
{
	struct sbrk_args *a = (struct sbrk_args *)arg;
	struct zalloc_sbrk *sb = to_sbrk(inst);

	unsigned long start, end;
	int err, cpu;

	sb->cpu = alloc_percpu(struct sbrk_cpu);
	if (!sb->cpu)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		zalloc_mags_init(per_cpu_ptr(sb->cpu, cpu)->mag, SBRK_NR);
	err = zalloc_pagemap_init(&sb->map, GFP_KERNEL);
	if (err) {
		free_percpu(sb->cpu);
		return err;
	}
	/* A provider with a fixed range: its tags never need memory later. */
	if (a->prov->ops->range) {
		a->prov->ops->range(a->prov, &start, &end);
		err = zalloc_pagemap_reserve(&sb->map, start, end, GFP_KERNEL);
		if (err) {
			zalloc_pagemap_destroy(&sb->map);
			free_percpu(sb->cpu);
			return err;
		}
	}
	sb->prov = a->prov;
	a->taken = true;
	sb->link_key = get_random_long();
	sb->cookie_key = get_random_long();
	raw_spin_lock_init(&sb->lock);
	lockdep_set_class(&sb->lock, &inst->key);
	return 0;
}

/* The kind's fini: report live blocks, give everything back. */
static unsigned long sbrk_fini(struct zalloc_instance *inst)
{
	struct zalloc_sbrk *sb = to_sbrk(inst);
	unsigned long live = 0, brk;
	unsigned int i;

	sbrk_drain(sb);
	for (i = 0; i < SBRK_NR; i++) {
		if (!sb->live[i])
			continue;
		live += sb->live[i];
		pr_err("sbrk %s: destroyed with %lu live %zu-byte blocks, one allocated by %pS\n",
		       sbrk_name(sb), sb->live[i], sbrk_size(i),
		       (void *)sb->ip[i]);
	}
	for (i = 0; i < SBRK_NR_BIG; i++) {
		if (!sb->big_live[i])
			continue;
		live += sb->big_live[i];
		pr_err("sbrk %s: destroyed with %lu live %zu-byte big blocks, one allocated by %pS\n",
		       sbrk_name(sb), sb->big_live[i], sbrk_big_size(i),
		       (void *)sb->big_ip[i]);
	}
	zalloc_stats_sum(&inst->stats, &brk,
			 NR_ZALLOC_STATS + ZALLOC_SBRK_BRK_BYTES, 1);
	sb->prov->ops->destroy(sb->prov);
	zalloc_pagemap_destroy(&sb->map);
	free_percpu(sb->cpu);
	sb->cpu = NULL;
	zalloc_count_backing(inst, -(long)brk);
	return live;
}

const struct zalloc_kind zalloc_kind_sbrk = {
	.name		= "sbrk",
	.ops		= &sbrk_ops,
	.size		= sizeof(struct zalloc_sbrk),
	.counters	= sbrk_counters,
	.nr_events	= ZALLOC_SBRK_NR_EVENTS,
	.nr_counters	= NR_ZALLOC_SBRK_COUNTERS,
	.read		= sbrk_read,
	.fold		= sbrk_fold,
	.show		= sbrk_show,
	.show_classes	= sbrk_show_classes,
	.init		= sbrk_init,
	.fini		= sbrk_fini,
};

/**
 * __zalloc_sbrk_create() - create an sbrk allocator over a break provider
 * @name: debugfs name (registry.h), or NULL to stay out of debugfs; also
 *	used in reports
 * @prov: where memory comes from, e.g. zalloc_sbrk_region_create(size) or
 *	zalloc_sbrk_pages_create(); the instance owns it from now on, and
 *	destroys it if creation fails.  NULL gives NULL, so a failed provider
 *	creation can be passed straight in.
 * @flags: ZALLOC_F_DEBUG, ZALLOC_F_NODEBUG or 0 (include/zalloc/debug.h)
 * @owner: the module @name belongs to; zalloc_sbrk_create() passes
 *	THIS_MODULE
 *
 * zalloc_destroy() destroys the instance and its provider.
 *
 * Context: process context; may sleep.
 * Return: the allocator, or NULL.
 */
struct zalloc *__zalloc_sbrk_create(const char *name,
				    struct zalloc_sbrk_provider *prov,
				    unsigned int flags, struct module *owner)
{
	struct sbrk_args args = { .prov = prov };
	struct zalloc_setup s = {
		.name = name, .flags = flags, .gfp = GFP_KERNEL, .owner = owner,
		.arg = &args,
	};
	struct zalloc_instance *inst;

	if (!prov)
		return NULL;
	inst = zalloc_instance_create(&zalloc_kind_sbrk, &s);
	if (IS_ERR(inst)) {
		if (!args.taken)
			prov->ops->destroy(prov);
		return NULL;
	}
	return &inst->za;
}
EXPORT_SYMBOL_NS_GPL(__zalloc_sbrk_create, ZALLOC_NS);

/*
 * zalloc_sbrk_allocator - the global sbrk allocator, over buddy pages,
 * registered as "sbrk".  Its ctx and ops are its instance's, set at module
 * init (debug mode changes the ops).
 */
struct zalloc zalloc_sbrk_allocator __ro_after_init;
EXPORT_SYMBOL_NS_GPL(zalloc_sbrk_allocator, ZALLOC_NS);

int zalloc_sbrk_init(void)
{
	struct sbrk_args args = { .prov = zalloc_sbrk_pages_create() };
	struct zalloc_setup s = {
		.name = "sbrk", .gfp = GFP_KERNEL, .owner = THIS_MODULE,
		.arg = &args,
	};
	int err;

	if (!args.prov)
		return -ENOMEM;
	err = zalloc_instance_setup(&sbrk_global.inst, &zalloc_kind_sbrk, &s);
	if (err) {
		if (!args.taken)
			args.prov->ops->destroy(args.prov);
		return err;
	}
	zalloc_sbrk_allocator = sbrk_global.inst.za;
	return 0;
}

void zalloc_sbrk_exit(void)
{
	zalloc_instance_teardown(&sbrk_global.inst);
}
