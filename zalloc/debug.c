// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc debug mode: a shadow allocation with red zones for every block of
 * an instance, over whatever allocator the instance is
 * (include/zalloc/debug.h says what it checks; debug_report.c says it).
 *
 * Zig's DebugAllocator keeps per-slot metadata in its size-class pages and
 * never reuses a freed slot's metadata while "retain_metadata" is on, so it
 * can tell a double free from an invalid one.  Here the records live beside
 * the blocks: a hash table of live blocks keyed by the shadow's address,
 * and a bounded FIFO of the last ZALLOC_DEBUG_QUARANTINE freed ones.  The
 * shadow itself is freed at once, so KASAN reports a use after free.
 *
 * The core sits at one layer only: an instance in debug mode has the core's
 * ops in its struct zalloc (ctx still the instance), and the core calls the
 * instance's kind ops for every call it lets through, so the allocator
 * serves and counts exactly what it would in normal mode.  The core counts
 * only what it refuses without asking the allocator: an allocation whose
 * shadow it could not make, a resize or remap past the shadow's room.
 *
 * kmemleak: a shadow is a kmalloc() object, tracked as any; its first word
 * holds the allocator's block, so the allocator's block (if kmemleak
 * tracks it) is referenced while the shadow is, and a leak is reported
 * once, as the shadow.  Blocks of allocators whose reset drops them
 * (fixed buffer, arena) are never leaks while the instance lives: their
 * shadows are kmemleak_not_leak().  The records hold addresses, not references, and
 * are kmemleak_ignore()d: a scan at any moment, instances alive or not,
 * reports only blocks their users leaked.
 *
 * Lock order: see debug_core.h.
 */
#define pr_fmt(fmt) "zalloc-debug " fmt

#include <linux/kmemleak.h>
#include <linux/minmax.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "debug_core.h"
#include "internal.h"

/* Up to this size kmalloc() (no vmalloc fallback); kvmalloc() above. */
#define DBG_KMALLOC_MAX		(PAGE_SIZE << PAGE_ALLOC_COSTLY_ORDER)
/* Minimum room of a shadow block, in bytes. */
#define DBG_MIN_ROOM		64

static struct zalloc_debug *dbg_of(void *ctx)
{
	return ((struct zalloc_instance *)ctx)->dbg;
}

static const struct zalloc_ops *dbg_inner_ops(struct zalloc_debug *d)
{
	return d->inst->kind->ops;
}

static void *dbg_inner(const struct zalloc_debug_block *b)
{
	return (void *)b->inner;
}

static void dbg_set_inner(struct zalloc_debug_block *b, void *inner)
{
	b->inner = (unsigned long)inner;
	*(void **)b->raw = inner;
}

/* How far a block may grow in place: max(2 * len, align, 64). */
static size_t dbg_room(size_t len, size_t align)
{
	size_t room;

	if (check_mul_overflow(len, (size_t)2, &room))
		room = len;
	return max3(room, align, (size_t)DBG_MIN_ROOM);
}

/* Fill everything of the shadow but the block itself with red zone. */
static void dbg_zone_fill(struct zalloc_debug_block *b)
{
	memset((void *)b->raw + DBG_HEADER, DBG_ZONE_BEFORE,
	       b->addr - b->raw - DBG_HEADER);
	memset((void *)(b->addr + b->len), DBG_ZONE_AFTER,
	       b->raw + b->size - b->addr - b->len);
}

static struct zalloc_debug_block *dbg_find_live(struct zalloc_debug *d,
						unsigned long addr)
{
	struct zalloc_debug_block *b;

	lockdep_assert_held(&d->lock);
	hash_for_each_possible(d->live, b, node, addr)
		if (b->addr == addr)
			return b;
	return NULL;
}

/*
 * The live block at @ptr, if @len and @align are its own; otherwise report
 * and return NULL.  Under d->lock.
 */
static struct zalloc_debug_block *dbg_lookup(struct zalloc_debug *d,
					     const char *what, void *ptr,
					     size_t len, size_t align,
					     unsigned long ip)
{
	struct zalloc_debug_block *b = dbg_find_live(d, (unsigned long)ptr);

	if (!b) {
		zalloc_debug_report_unknown(d, what, (unsigned long)ptr, len,
					    ip);
		return NULL;
	}
	if (zalloc_debug_report_mismatch(d, what, b, len, align, ip))
		return NULL;
	return b;
}

/* A shadow and its record; not yet visible, not counted. */
static struct zalloc_debug_block *dbg_new(size_t len, size_t align, gfp_t gfp,
					  unsigned long ip)
{
	size_t pad = DBG_HEADER + DBG_HEADER_ZONE +
		     (align > DBG_HEADER ? align - 1 : 0);
	size_t room = dbg_room(len, align), size;
	struct zalloc_debug_block *b;
	void *raw;

	gfp &= ~(__GFP_HIGHMEM | __GFP_DMA32 | __GFP_COMP);
	if (check_add_overflow(room, pad + ZALLOC_DEBUG_REDZONE, &size) ||
	    size > INT_MAX)
		return NULL;
	b = kmalloc(sizeof(*b), gfp | __GFP_NOWARN);
	if (!b)
		return NULL;
	kmemleak_ignore(b);
	if (size <= DBG_KMALLOC_MAX)
		raw = kmalloc(size, gfp | __GFP_NOWARN);
	else
		raw = kvmalloc(size, gfp | __GFP_NOWARN);
	if (!raw) {
		kfree(b);
		return NULL;
	}
	b->raw = (unsigned long)raw;
	dbg_set_inner(b, NULL);
	b->addr = ALIGN(b->raw + DBG_HEADER + DBG_HEADER_ZONE, align);
	b->size = size;
	b->len = len;
	b->align = align;
	b->room = room;
	b->alloc_ip = ip;
	b->free_ip = 0;
	b->zone_reported = false;
	INIT_LIST_HEAD(&b->fnode);
	dbg_zone_fill(b);
	return b;
}

/* Make @b live; a freed record for the same address is forgotten. */
static void dbg_publish(struct zalloc_debug *d, struct zalloc_debug_block *b)
{
	struct zalloc_debug_block *old;
	unsigned long flags;

	/* At most one: a record goes when its address is handed out again. */
	raw_spin_lock_irqsave(&d->lock, flags);
	old = zalloc_debug_find_freed(d, b->addr);
	if (old) {
		list_del(&old->fnode);
		d->nr_freed--;
	}
	hash_add(d->live, &b->node, b->addr);
	raw_spin_unlock_irqrestore(&d->lock, flags);
	zalloc_kvfree(old);
}

/* Free @b's shadow (already unhashed) and keep its record in quarantine. */
static void dbg_retire(struct zalloc_debug *d, struct zalloc_debug_block *b,
		       unsigned long ip)
{
	struct zalloc_debug_block *old = NULL;
	unsigned long flags;

	zalloc_kvfree((void *)b->raw);
	b->free_ip = ip;
	raw_spin_lock_irqsave(&d->lock, flags);
	list_add_tail(&b->fnode, &d->freed);
	if (++d->nr_freed > ZALLOC_DEBUG_QUARANTINE) {
		old = list_first_entry(&d->freed, struct zalloc_debug_block,
				       fnode);
		list_del(&old->fnode);
		d->nr_freed--;
	}
	raw_spin_unlock_irqrestore(&d->lock, flags);
	zalloc_kvfree(old);
}

/* Free a shadow and its record (neither published nor counted). */
static void dbg_discard(struct zalloc_debug_block *b)
{
	zalloc_kvfree((void *)b->raw);
	zalloc_kvfree(b);
}

static void *dbg_alloc(void *ctx, size_t len, size_t align, gfp_t gfp,
		       unsigned long ip)
{
	struct zalloc_debug *d = dbg_of(ctx);
	struct zalloc_debug_block *b;
	void *inner;

	might_alloc(gfp);
	/* Shadows come from kmalloc: not in hard IRQ, not where RT forbids. */
	b = zalloc_can_refill() ? dbg_new(len, align, gfp, ip) : NULL;
	if (!b) {
		zalloc_count_alloc(d->inst, NULL, len);
		return NULL;
	}
	/* The allocator counts its own failure. */
	inner = dbg_inner_ops(d)->alloc(ctx, len, align, gfp, ip);
	if (!inner) {
		dbg_discard(b);
		return NULL;
	}
	dbg_set_inner(b, inner);
	/*
	 * A fixed buffer's or arena's block needs no free (its reset or
	 * teardown drops it): kmemleak must not call it a leak while the
	 * instance holds it.  It is still scanned.
	 */
	if (d->inst->kind->drops_debug_leaks)
		kmemleak_not_leak((void *)b->raw);
	dbg_publish(d, b);
	return (void *)b->addr;
}

/* Look up and check a block for resize/remap; NULL if the call is bad. */
static struct zalloc_debug_block *dbg_get(struct zalloc_debug *d,
					  const char *what, void *ptr,
					  size_t len, size_t align,
					  unsigned long ip)
{
	struct zalloc_debug_block *b;
	unsigned long flags;

	raw_spin_lock_irqsave(&d->lock, flags);
	b = dbg_lookup(d, what, ptr, len, align, ip);
	raw_spin_unlock_irqrestore(&d->lock, flags);
	if (b)
		zalloc_debug_zone_check(d, b, ip);
	return b;
}

/* @b now holds @new_len bytes and the allocator's block is at @inner. */
static void dbg_relen(struct zalloc_debug_block *b, void *inner,
		      size_t new_len)
{
	dbg_set_inner(b, inner);
	b->len = new_len;
	dbg_zone_fill(b);
}

static bool dbg_resize(void *ctx, void *ptr, size_t len, size_t align,
		       size_t new_len, gfp_t gfp, unsigned long ip)
{
	struct zalloc_debug *d = dbg_of(ctx);
	struct zalloc_debug_block *b = dbg_get(d, "resize", ptr, len, align,
					       ip);

	if (!b)
		return false;
	if (new_len > b->room) {
		zalloc_count_resize(d->inst, false, len, new_len);
		return false;
	}
	if (!dbg_inner_ops(d)->resize(ctx, dbg_inner(b), len, align, new_len,
				      gfp, ip))
		return false;
	dbg_relen(b, dbg_inner(b), new_len);
	return true;
}

/* The allocator's remap, or its resize if it has no remap. */
static void *dbg_inner_remap(struct zalloc_debug *d, void *ctx, void *inner,
			     size_t len, size_t align, size_t new_len,
			     gfp_t gfp, unsigned long ip)
{
	const struct zalloc_ops *ops = dbg_inner_ops(d);

	if (!ops->remap)
		return ops->resize(ctx, inner, len, align, new_len, gfp, ip) ?
		       inner : NULL;
	return ops->remap(ctx, inner, len, align, new_len, gfp, ip);
}

/* The shadow stays where it is even if the allocator's block moves. */
static void *dbg_remap(void *ctx, void *ptr, size_t len, size_t align,
		       size_t new_len, gfp_t gfp, unsigned long ip)
{
	struct zalloc_debug *d = dbg_of(ctx);
	struct zalloc_debug_block *b = dbg_get(d, "remap", ptr, len, align,
					       ip);
	void *inner;

	if (!b)
		return NULL;
	if (new_len > b->room) {
		zalloc_count_remap(d->inst, ptr, NULL, len, new_len);
		return NULL;
	}
	inner = dbg_inner_remap(d, ctx, dbg_inner(b), len, align, new_len,
				gfp, ip);
	if (!inner)
		return NULL;
	dbg_relen(b, inner, new_len);
	return ptr;
}

static void dbg_free(void *ctx, void *ptr, size_t len, size_t align,
		     unsigned long ip)
{
	struct zalloc_debug *d = dbg_of(ctx);
	struct zalloc_debug_block *b;
	unsigned long flags;

	raw_spin_lock_irqsave(&d->lock, flags);
	b = dbg_lookup(d, "free", ptr, len, align, ip);
	if (b)
		hash_del(&b->node);
	raw_spin_unlock_irqrestore(&d->lock, flags);
	if (!b)
		return;
	zalloc_debug_zone_check(d, b, ip);
	dbg_inner_ops(d)->free(ctx, dbg_inner(b), b->len, b->align, ip);
	dbg_retire(d, b, ip);
}

const struct zalloc_ops zalloc_debug_ops = {
	.alloc	= dbg_alloc,
	.resize	= dbg_resize,
	.remap	= dbg_remap,
	.free	= dbg_free,
};

/* Put @inst in debug mode: its struct zalloc goes through a new core. */
int zalloc_debug_attach(struct zalloc_instance *inst, gfp_t gfp)
{
	struct zalloc_debug *d = kzalloc(sizeof(*d), gfp);
	int i;

	if (!d)
		return -ENOMEM;
	d->inst = inst;
	raw_spin_lock_init(&d->lock);
	hash_init(d->live);
	INIT_LIST_HEAD(&d->freed);
	for (i = 0; i < NR_ZALLOC_DEBUG_REPORTS; i++)
		atomic_long_set(&d->reports[i], 0);
	inst->dbg = d;
	inst->za.ops = &zalloc_debug_ops;
	return 0;
}

/*
 * Take every record off @d and free the live shadows: with @report each is
 * reported as a leak and its block given back to the allocator, otherwise
 * the allocator is about to drop them all itself (a reset, a teardown
 * that frees the buffer, an orphan).  Returns how many blocks were live.
 */
static unsigned long dbg_drop_all(struct zalloc_debug *d, bool report)
{
	struct zalloc_debug_block *b;
	struct hlist_node *tmp;
	unsigned long n = 0, flags;
	LIST_HEAD(freed);
	HLIST_HEAD(live);
	int bkt;

	raw_spin_lock_irqsave(&d->lock, flags);
	hash_for_each_safe(d->live, bkt, tmp, b, node) {
		hash_del(&b->node);
		hlist_add_head(&b->node, &live);
	}
	list_splice_init(&d->freed, &freed);
	d->nr_freed = 0;
	raw_spin_unlock_irqrestore(&d->lock, flags);

	hlist_for_each_entry_safe(b, tmp, &live, node) {
		n++;
		if (report) {
			zalloc_debug_report_leak(d, b);
			dbg_inner_ops(d)->free(d->inst, dbg_inner(b), b->len,
					       b->align, _RET_IP_);
		}
		dbg_discard(b);
	}
	while (!list_empty(&freed)) {
		b = list_first_entry(&freed, struct zalloc_debug_block, fnode);
		list_del(&b->fnode);
		zalloc_kvfree(b);
	}
	return n;
}

/*
 * Take @inst out of debug mode before it goes (nothing if it is not in
 * it): dbg_drop_all(), then the core itself.  Returns the live blocks.
 */
unsigned long zalloc_debug_detach(struct zalloc_instance *inst, bool report)
{
	struct zalloc_debug *d = inst->dbg;
	unsigned long n;

	if (!d)
		return 0;
	n = dbg_drop_all(d, report);
	inst->za.ops = inst->kind->ops;
	inst->dbg = NULL;
	kfree(d);
	return n;
}

/*
 * Forget every block of @inst's core without reporting them or freeing
 * them in the allocator, which is about to free them all itself (a reset);
 * the instance stays in debug mode.  Returns how many were live.
 */
unsigned long zalloc_debug_forget(struct zalloc_instance *inst)
{
	return inst->dbg ? dbg_drop_all(inst->dbg, false) : 0;
}

/*
 * Forget, as zalloc_debug_forget() does, the live blocks whose allocator
 * block @gone says the allocator has just dropped (a partial restore).
 */
void zalloc_debug_forget_if(struct zalloc_instance *inst,
			    bool (*gone)(const void *inner, void *arg),
			    void *arg)
{
	struct zalloc_debug *d = inst->dbg;
	struct zalloc_debug_block *b;
	struct hlist_node *tmp;
	unsigned long flags;
	HLIST_HEAD(dead);
	int bkt;

	if (!d)
		return;
	raw_spin_lock_irqsave(&d->lock, flags);
	hash_for_each_safe(d->live, bkt, tmp, b, node) {
		if (!gone(dbg_inner(b), arg))
			continue;
		hash_del(&b->node);
		hlist_add_head(&b->node, &dead);
	}
	raw_spin_unlock_irqrestore(&d->lock, flags);
	hlist_for_each_entry_safe(b, tmp, &dead, node)
		dbg_discard(b);
}

/*
 * The allocator's address for @ptr, a shadow address of @inst or one
 * inside a shadow block (for owner queries); *@len, if not NULL, becomes
 * the allocator's length from there.  @ptr itself if @inst is not in
 * debug mode; NULL if @ptr is in no live shadow.
 */
const void *zalloc_debug_inner_ptr(struct zalloc_instance *inst,
				   const void *ptr, size_t *len)
{
	struct zalloc_debug *d = inst->dbg;
	unsigned long addr = (unsigned long)ptr, flags, off;
	struct zalloc_debug_block *b;
	const void *inner = NULL;

	if (!d)
		return ptr;
	raw_spin_lock_irqsave(&d->lock, flags);
	b = dbg_find_live(d, addr);
	if (!b)
		b = zalloc_debug_find_inside(d, addr);
	if (b) {
		off = addr - b->addr;
		inner = dbg_inner(b) + off;
		if (len)
			*len = *len <= b->len - off ? *len : SIZE_MAX;
	}
	raw_spin_unlock_irqrestore(&d->lock, flags);
	return inner;
}

/**
 * zalloc_debug_enabled() - whether an allocator is in debug mode
 * @a: any allocator
 *
 * Context: any context.
 * Return: true if calls through @a go through a debug-mode core (a
 * fixed buffer's thread-safe view never does, even when the instance is in
 * debug mode).
 */
bool zalloc_debug_enabled(const struct zalloc *a)
{
	/* Only through the core: a fixed buffer's lock-free view is not. */
	return a && a->ops == &zalloc_debug_ops;
}
EXPORT_SYMBOL_NS_GPL(zalloc_debug_enabled, ZALLOC_NS);

/**
 * zalloc_debug_reports() - how many problems of one kind debug mode found
 * @a: an allocator in debug mode
 * @kind: which kind
 *
 * Context: any context.
 * Return: the count since the instance was set up; 0 if @a is not in debug
 * mode or @kind is out of range.
 */
unsigned long zalloc_debug_reports(const struct zalloc *a,
				   enum zalloc_debug_report kind)
{
	struct zalloc_instance *inst = zalloc_instance_of(a);

	if (!inst || !inst->dbg || (unsigned int)kind >= NR_ZALLOC_DEBUG_REPORTS)
		return 0;
	return atomic_long_read(&inst->dbg->reports[kind]);
}
EXPORT_SYMBOL_NS_GPL(zalloc_debug_reports, ZALLOC_NS);
