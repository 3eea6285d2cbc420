// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc debug mode: every block a separate kmalloc()/kvmalloc() allocation
 * with red zones, misuse detected and reported (include/zalloc/debug.h).
 *
 * Zig's DebugAllocator keeps per-slot metadata in its size-class pages and
 * never reuses a freed slot's metadata while "retain_metadata" is on, so it
 * can tell a double free from an invalid one.  Here the records live beside
 * the blocks: a hash table of live blocks keyed by address, and a bounded
 * FIFO of the last ZALLOC_DEBUG_QUARANTINE freed ones.  The block memory
 * itself is freed at once, so KASAN reports a use after free; the records
 * are marked kmemleak_no_scan() and hold addresses, not references, so
 * kmemleak still reports a block its user leaked.
 *
 * Two modes.  Emulation (zalloc_debug_init()): the core is the allocator,
 * keeping rules a struct zalloc_debug_sem describes; the page and kmalloc
 * allocators use it.  Shadow (zalloc_debug_wrap()): the core sits over any
 * struct zalloc, the inner one, which still serves every call exactly as
 * in normal mode (its rules, its failures, its counters); the caller gets
 * a separate allocation, the shadow, in place of the inner block.  The
 * inner block's address is kept in the shadow's first word, which kmemleak
 * scans, so an inner block is referenced while its shadow is and a leak is
 * reported once, as the shadow.  A shadow has room for the block to grow
 * to max(2 * len, align, 64) (dbg_room()); within that the inner allocator decides every resize
 * and remap, beyond it the call is refused (counted as refused) without
 * asking the inner allocator.  The size-class allocators never grow a
 * block past that room anyway; a fixed buffer's or a bitmap's last block
 * could, and in debug mode does not.
 *
 * Zig panics on misuse; a kernel allocator must not, so a bad call is
 * reported with pr_err (ratelimited, wording that does not look like a
 * kernel splat), counted in reports[], and refused.
 *
 * Lock order: the owning allocator's locks, then zalloc_debug.lock (IRQ
 * safe, innermost: no allocation, no other lock under it).  Red zones are
 * checked and written outside the lock: the block belongs to its caller
 * between the lookup and the call's end.
 */
#include <linux/kmemleak.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/ratelimit.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <zalloc/debug.h>
#include <zalloc/stats.h>

#include "internal.h"

#define DBG_ZONE_AFTER		0xbb
#define DBG_ZONE_BEFORE		0xbc
/* Up to this size kmalloc() (no vmalloc fallback); kvmalloc() above. */
#define DBG_KMALLOC_MAX		(PAGE_SIZE << PAGE_ALLOC_COSTLY_ORDER)
/*
 * The shadow's first word: the inner block (shadow mode) or NULL, for
 * kmemleak; then at least DBG_HEADER_ZONE bytes of red zone.
 */
#define DBG_HEADER		sizeof(void *)
#define DBG_HEADER_ZONE		8
/* Minimum room of a shadow block, in bytes. */
#define DBG_SHADOW_MIN_ROOM	64

static bool zalloc_debug_param;
module_param_named(debug, zalloc_debug_param, bool, 0444);
MODULE_PARM_DESC(debug,
		 "Debug mode by default: every block a separate allocation with red zones, misuse reported (default: off)");

static DEFINE_RATELIMIT_STATE(dbg_ratelimit, 5 * HZ, 50);
static struct zalloc_stats dbg_nostats;

/**
 * struct zalloc_debug_block - what debug mode knows about one block
 * @node: in zalloc_debug.live while live
 * @fnode: in zalloc_debug.freed once freed
 * @addr: the block's address, as handed out
 * @raw: the start of its own allocation (an address: not scanned); its
 *	first word holds a copy of @inner, which kmemleak scans
 * @inner: shadow mode: the inner allocator's block; else 0
 * @size: that allocation's size
 * @len: the block's length
 * @align: its alignment
 * @room: how far it may grow in place (zalloc_debug_sem.capacity)
 * @alloc_ip: who allocated it
 * @free_ip: who freed it
 * @zone_reported: a red-zone overwrite has been reported for it
 */
struct zalloc_debug_block {
	struct hlist_node node;
	struct list_head fnode;
	unsigned long addr;
	unsigned long raw;
	unsigned long inner;
	size_t size;
	size_t len;
	size_t align;
	size_t room;
	unsigned long alloc_ip;
	unsigned long free_ip;
	bool zone_reported;
};

static struct zalloc_stats *dbg_stats(struct zalloc_debug *d)
{
	return d->inst ? &d->inst->stats : &dbg_nostats;
}

/* Shadow mode: an inner allocator serves and counts every call. */
static bool dbg_shadow(const struct zalloc_debug *d)
{
	return d->inner.ops;
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

static __printf(3, 4) void dbg_report(struct zalloc_debug *d,
				      enum zalloc_debug_report kind,
				      const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	atomic_long_inc(&d->reports[kind]);
	if (!__ratelimit(&dbg_ratelimit))
		return;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_err("zalloc-debug %s: %pV\n", d->name, &vaf);
	va_end(args);
}

/**
 * zalloc_debug_default() - whether new instances start in debug mode
 *
 * The zalloc.debug module parameter, for allocators that let the creator
 * ask for "the default".
 *
 * Context: any context.
 * Return: true if debug mode is the default.
 */
bool zalloc_debug_default(void)
{
	return READ_ONCE(zalloc_debug_param);
}
EXPORT_SYMBOL_NS_GPL(zalloc_debug_default, ZALLOC_NS);

static const struct zalloc_ops zalloc_debug_ops;

/**
 * zalloc_debug_init() - set up a debug-mode core
 * @d: the core
 * @name: its name in reports, a string that outlives @d
 * @sem: the allocator semantics to keep; outlives @d
 * @inst: the instance whose counters to count into, or NULL
 *
 * Afterwards @d->za is a struct zalloc over the core alone, and the
 * zalloc_debug_*() calls serve an allocator routing through it.
 *
 * Context: any context.
 */
void zalloc_debug_init(struct zalloc_debug *d, const char *name,
		       const struct zalloc_debug_sem *sem,
		       struct zalloc_instance *inst)
{
	int i;

	d->za.ctx = d;
	d->za.ops = &zalloc_debug_ops;
	d->inner = (struct zalloc){};
	d->name = name;
	d->sem = sem;
	d->inst = inst;
	if (inst)
		WRITE_ONCE(inst->debug, true);
	spin_lock_init(&d->lock);
	hash_init(d->live);
	INIT_LIST_HEAD(&d->freed);
	d->nr_freed = 0;
	for (i = 0; i < NR_ZALLOC_DEBUG_REPORTS; i++)
		atomic_long_set(&d->reports[i], 0);
}
EXPORT_SYMBOL_NS_GPL(zalloc_debug_init, ZALLOC_NS);

/**
 * zalloc_debug_wrap() - debug mode over any allocator (shadow mode)
 * @name: its name in reports, a string that outlives the core
 * @inner: the allocator that keeps serving every call; copied, so it may
 *	be the very struct zalloc the caller then points at the core
 * @inst: the instance the inner allocator counts into, or NULL: only the
 *	calls the core refuses without asking @inner are counted there
 * @gfp: for the core itself
 *
 * The core's za (zalloc_debug_wrap()->za) gives every caller a separate
 * kmalloc()/kvmalloc() block with red zones while @inner allocates,
 * resizes and frees a block of its own for each, exactly as without the
 * core.  Undo with zalloc_debug_unwrap() before @inner goes away.
 *
 * Context: as kmalloc() for @gfp.
 * Return: the core, or NULL if @inner is NULL or memory is short.
 */
struct zalloc_debug *zalloc_debug_wrap(const char *name,
				       const struct zalloc *inner,
				       struct zalloc_instance *inst, gfp_t gfp)
{
	struct zalloc_debug *d;

	if (!inner || !inner->ops)
		return NULL;
	d = kmalloc(sizeof(*d), gfp);
	if (!d)
		return NULL;
	zalloc_debug_init(d, name, NULL, inst);
	d->inner = *inner;
	return d;
}
EXPORT_SYMBOL_NS_GPL(zalloc_debug_wrap, ZALLOC_NS);

/**
 * zalloc_debug_unwrap() - report the blocks left, free the core
 * @d: from zalloc_debug_wrap(), or NULL; no call may be running on it
 *
 * As zalloc_debug_destroy(): every live block is reported as a leak and
 * freed, its inner block given back to the inner allocator.
 *
 * Context: any context but NMI.
 * Return: the number of leaked blocks.
 */
unsigned long zalloc_debug_unwrap(struct zalloc_debug *d)
{
	unsigned long leaks;

	if (!d)
		return 0;
	leaks = zalloc_debug_destroy(d);
	kfree(d);
	return leaks;
}
EXPORT_SYMBOL_NS_GPL(zalloc_debug_unwrap, ZALLOC_NS);

/*
 * Put the instance whose interface is *@za in debug mode: *@dbg becomes a
 * core over the present *@za and *@za the core's.  0 or -ENOMEM.
 */
int zalloc_debug_attach(struct zalloc *za, struct zalloc_debug **dbg,
			const char *name, struct zalloc_instance *inst,
			gfp_t gfp)
{
	*dbg = zalloc_debug_wrap(name, za, inst, gfp);
	if (!*dbg)
		return -ENOMEM;
	*za = (*dbg)->za;
	return 0;
}

/*
 * Undo zalloc_debug_attach() (nothing if *@dbg is NULL) before the instance
 * goes: live blocks are reported and given back (@report), or dropped
 * silently for an allocator that frees them all at once.  The number of
 * live blocks.
 */
unsigned long zalloc_debug_detach(struct zalloc_debug **dbg, bool report)
{
	unsigned long live = 0;

	if (!*dbg)
		return 0;
	if (!report)
		live = zalloc_debug_reset(*dbg);
	live += zalloc_debug_unwrap(*dbg);
	*dbg = NULL;
	return live;
}

/**
 * zalloc_debug_inner() - the allocator under a shadow-mode core
 * @za: any allocator
 *
 * Context: any context.
 * Return: the inner allocator if @za is a zalloc_debug_wrap() core's,
 * otherwise @za itself.
 */
const struct zalloc *zalloc_debug_inner(const struct zalloc *za)
{
	struct zalloc_debug *d;

	if (!za || za->ops != &zalloc_debug_ops)
		return za;
	d = za->ctx;
	return dbg_shadow(d) ? &d->inner : za;
}
EXPORT_SYMBOL_NS_GPL(zalloc_debug_inner, ZALLOC_NS);

/**
 * zalloc_debug_of() - the debug-mode core behind an allocator
 * @za: any allocator
 *
 * Context: any context.
 * Return: the core if @za is a debug-mode core's struct zalloc, else NULL.
 */
struct zalloc_debug *zalloc_debug_of(const struct zalloc *za)
{
	return za && za->ops == &zalloc_debug_ops ? za->ctx : NULL;
}
EXPORT_SYMBOL_NS_GPL(zalloc_debug_of, ZALLOC_NS);

/**
 * zalloc_debug_instance_flags() - check an instance's flags, and whether it
 * starts in debug mode
 * @flags: the instance flags its creator passed
 * @own: the allocator's own flags, allowed besides ZALLOC_F_DEBUG and
 *	ZALLOC_F_NODEBUG
 *
 * Context: any context.
 * Return: 1 for debug mode, 0 for normal mode, -EINVAL if @flags has a bit
 * outside @own and the two debug flags, or asks for both of those.
 */
int zalloc_debug_instance_flags(unsigned int flags, unsigned int own)
{
	unsigned int both = ZALLOC_F_DEBUG | ZALLOC_F_NODEBUG;

	if ((flags & both) == both || flags & ~(own | both))
		return -EINVAL;
	if (flags & both)
		return !!(flags & ZALLOC_F_DEBUG);
	return zalloc_debug_default();
}
EXPORT_SYMBOL_NS_GPL(zalloc_debug_instance_flags, ZALLOC_NS);

/**
 * zalloc_debug_reports() - how many problems of one kind were found
 * @d: the core
 * @kind: which kind
 *
 * Context: any context.
 * Return: the count since zalloc_debug_init(), or 0 for a bad @kind.
 */
unsigned long zalloc_debug_reports(struct zalloc_debug *d,
				   enum zalloc_debug_report kind)
{
	if ((unsigned int)kind >= NR_ZALLOC_DEBUG_REPORTS)
		return 0;
	return atomic_long_read(&d->reports[kind]);
}
EXPORT_SYMBOL_NS_GPL(zalloc_debug_reports, ZALLOC_NS);

/*
 * How far a block may grow in place.  Shadow mode: max(2 * len, align, 64),
 * which covers a size class (a power of two up to max(len, align)) and
 * whole pages above a page; the inner allocator decides within it.
 */
static size_t dbg_room(struct zalloc_debug *d, size_t len, size_t align)
{
	size_t room;

	if (dbg_shadow(d)) {
		if (check_mul_overflow(len, (size_t)2, &room))
			room = len;
		return max3(room, align, (size_t)DBG_SHADOW_MIN_ROOM);
	}
	room = d->sem->capacity ? d->sem->capacity(len, align) : len;
	return max(room, len);
}

static bool dbg_fits(struct zalloc_debug *d, size_t len, size_t align)
{
	return dbg_shadow(d) || !d->sem->fits || d->sem->fits(len, align);
}

/* Fill everything of the allocation but the block itself with red zone. */
static void dbg_zone_fill(struct zalloc_debug_block *b)
{
	memset((void *)b->raw + DBG_HEADER, DBG_ZONE_BEFORE,
	       b->addr - b->raw - DBG_HEADER);
	memset((void *)(b->addr + b->len), DBG_ZONE_AFTER,
	       b->raw + b->size - b->addr - b->len);
}

static void dbg_zone_check(struct zalloc_debug *d, struct zalloc_debug_block *b,
			   unsigned long ip)
{
	u8 *before = (u8 *)b->raw + DBG_HEADER;
	u8 *after = (u8 *)(b->addr + b->len);
	u8 *bad;

	bad = memchr_inv(before, DBG_ZONE_BEFORE, b->addr - (unsigned long)before);
	if (!bad && *(unsigned long *)b->raw != b->inner)
		bad = (u8 *)b->raw;
	if (!bad)
		bad = memchr_inv(after, DBG_ZONE_AFTER,
				 b->raw + b->size - b->addr - b->len);
	if (!bad || b->zone_reported)
		return;
	b->zone_reported = true;
	dbg_report(d, ZALLOC_DEBUG_REDZONE_BAD,
		   "red zone of %p (%zu bytes) overwritten at offset %td, found by %pS; allocated by %pS",
		   (void *)b->addr, b->len, bad - (u8 *)b->addr, (void *)ip,
		   (void *)b->alloc_ip);
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

static struct zalloc_debug_block *dbg_find_freed(struct zalloc_debug *d,
						 unsigned long addr)
{
	struct zalloc_debug_block *b;

	lockdep_assert_held(&d->lock);
	list_for_each_entry_reverse(b, &d->freed, fnode)
		if (b->addr == addr)
			return b;
	return NULL;
}

static struct zalloc_debug_block *dbg_find_inside(struct zalloc_debug *d,
						  unsigned long addr)
{
	struct zalloc_debug_block *b;
	int bkt;

	lockdep_assert_held(&d->lock);
	hash_for_each(d->live, bkt, b, node)
		if (addr > b->addr && addr < b->addr + b->len)
			return b;
	return NULL;
}

static void dbg_report_unknown(struct zalloc_debug *d, const char *what,
			       unsigned long addr, size_t len,
			       unsigned long ip)
{
	struct zalloc_debug_block *b = dbg_find_freed(d, addr);

	if (b) {
		dbg_report(d, ZALLOC_DEBUG_DOUBLE_FREE,
			   "double free: %s of freed block %p (%zu bytes) by %pS; allocated by %pS, freed by %pS",
			   what, (void *)addr, b->len, (void *)ip,
			   (void *)b->alloc_ip, (void *)b->free_ip);
		return;
	}
	b = dbg_find_inside(d, addr);
	if (b)
		dbg_report(d, ZALLOC_DEBUG_INVALID_FREE,
			   "invalid free: %s of %p (%zu bytes) by %pS: inside block %p (%zu bytes) allocated by %pS",
			   what, (void *)addr, len, (void *)ip,
			   (void *)b->addr, b->len, (void *)b->alloc_ip);
	else
		dbg_report(d, ZALLOC_DEBUG_INVALID_FREE,
			   "invalid free: %s of %p (%zu bytes) by %pS: not a block of this allocator",
			   what, (void *)addr, len, (void *)ip);
}

/*
 * The live block at @ptr, if @len and @align are its own; otherwise report
 * and return NULL.  Called with d->lock held.
 */
static struct zalloc_debug_block *dbg_lookup(struct zalloc_debug *d,
					     const char *what, void *ptr,
					     size_t len, size_t align,
					     unsigned long ip)
{
	unsigned long addr = (unsigned long)ptr;
	struct zalloc_debug_block *b = dbg_find_live(d, addr);

	if (!b) {
		dbg_report_unknown(d, what, addr, len, ip);
		return NULL;
	}
	if (len != b->len) {
		dbg_report(d, ZALLOC_DEBUG_WRONG_LEN,
			   "%s of %p by %pS with length %zu, block has %zu; allocated by %pS",
			   what, ptr, (void *)ip, len, b->len,
			   (void *)b->alloc_ip);
		return NULL;
	}
	if (align != b->align) {
		dbg_report(d, ZALLOC_DEBUG_WRONG_ALIGN,
			   "%s of %p by %pS with alignment %zu, block has %zu; allocated by %pS",
			   what, ptr, (void *)ip, align, b->align,
			   (void *)b->alloc_ip);
		return NULL;
	}
	return b;
}

/* A new block and its record; not yet visible, not counted. */
static struct zalloc_debug_block *dbg_new(struct zalloc_debug *d, size_t len,
					  size_t align, gfp_t gfp,
					  unsigned long ip)
{
	size_t pad = DBG_HEADER + DBG_HEADER_ZONE +
		     (align > DBG_HEADER ? align - 1 : 0);
	size_t room, size;
	struct zalloc_debug_block *b;
	void *raw;

	gfp &= ~(__GFP_HIGHMEM | __GFP_DMA32 | __GFP_COMP);
	if (!len || !is_power_of_2(align) || !dbg_fits(d, len, align))
		return NULL;
	room = dbg_room(d, len, align);
	if (check_add_overflow(room, pad + ZALLOC_DEBUG_REDZONE, &size) ||
	    size > INT_MAX)
		return NULL;
	b = kmalloc(sizeof(*b), gfp);
	if (!b)
		return NULL;
	kmemleak_no_scan(b);
	if (size <= DBG_KMALLOC_MAX)
		raw = kmalloc(size, gfp);
	else
		raw = kvmalloc(size, gfp);
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
	spin_lock_irqsave(&d->lock, flags);
	old = dbg_find_freed(d, b->addr);
	if (old) {
		list_del(&old->fnode);
		d->nr_freed--;
	}
	hash_add(d->live, &b->node, b->addr);
	spin_unlock_irqrestore(&d->lock, flags);
	kfree(old);
}

/* Free @b's memory (already unhashed) and keep its record in quarantine. */
static void dbg_retire(struct zalloc_debug *d, struct zalloc_debug_block *b,
		       unsigned long ip)
{
	struct zalloc_debug_block *old = NULL;
	unsigned long flags;

	kvfree((void *)b->raw);
	b->free_ip = ip;
	spin_lock_irqsave(&d->lock, flags);
	list_add_tail(&b->fnode, &d->freed);
	if (++d->nr_freed > ZALLOC_DEBUG_QUARANTINE) {
		old = list_first_entry(&d->freed, struct zalloc_debug_block,
				       fnode);
		list_del(&old->fnode);
		d->nr_freed--;
	}
	spin_unlock_irqrestore(&d->lock, flags);
	kfree(old);
}

/* Free a block's memory and its record (neither published nor counted). */
static void dbg_discard(struct zalloc_debug_block *b)
{
	kvfree((void *)b->raw);
	kfree(b);
}

/*
 * Emulation: a new block; shadow: a shadow, then the inner allocator's
 * block (so the inner allocator counts only what the caller gets).  NULL,
 * counted as a failed allocation, if either cannot be had.
 */
static struct zalloc_debug_block *dbg_take(struct zalloc_debug *d, size_t len,
					   size_t align, gfp_t gfp,
					   unsigned long ip)
{
	struct zalloc_debug_block *b;
	void *inner;

	b = dbg_new(d, len, align, gfp, ip);
	if (!b) {
		zalloc_stat_alloc(dbg_stats(d), NULL, len);
		return NULL;
	}
	if (!dbg_shadow(d))
		return b;
	/* The inner allocator counts its own failure. */
	inner = zalloc_raw_alloc(&d->inner, len, align, gfp, ip);
	if (!inner) {
		dbg_discard(b);
		return NULL;
	}
	dbg_set_inner(b, inner);
	return b;
}

/**
 * zalloc_debug_alloc() - allocate a block in debug mode
 * @d: the core
 * @len: bytes, > 0
 * @align: alignment, a power of two
 * @gfp: allocation flags, for the block and its record
 * @ip: the caller, recorded as the allocation site
 *
 * Context: as kvmalloc() for @gfp: may sleep if @gfp allows; atomic @gfp
 * is served from kmalloc only.  In shadow mode, also what the inner
 * allocator allows for @gfp.
 * Return: the block, or NULL if the semantics (or the inner allocator)
 * refuse it or memory is short.
 */
void *zalloc_debug_alloc(struct zalloc_debug *d, size_t len, size_t align,
			 gfp_t gfp, unsigned long ip)
{
	struct zalloc_debug_block *b;

	might_alloc(gfp);
	b = dbg_take(d, len, align, gfp, ip);
	if (!b)
		return NULL;
	dbg_publish(d, b);
	if (!dbg_shadow(d)) {
		zalloc_stat_alloc(dbg_stats(d), (void *)b->addr, len);
		zalloc_stat_add(dbg_stats(d), ZALLOC_STAT_BACKING_ALLOC,
				b->size);
	}
	return (void *)b->addr;
}
EXPORT_SYMBOL_NS_GPL(zalloc_debug_alloc, ZALLOC_NS);

/* Look up and check a block for resize/remap; NULL if the call is bad. */
static struct zalloc_debug_block *dbg_get(struct zalloc_debug *d,
					  const char *what, void *ptr,
					  size_t len, size_t align,
					  unsigned long ip)
{
	struct zalloc_debug_block *b;
	unsigned long flags;

	spin_lock_irqsave(&d->lock, flags);
	b = dbg_lookup(d, what, ptr, len, align, ip);
	spin_unlock_irqrestore(&d->lock, flags);
	if (b)
		dbg_zone_check(d, b, ip);
	return b;
}

/* Emulation: in place, as the semantics allow; true if @b grew or shrank. */
static bool dbg_relen(struct zalloc_debug *d, struct zalloc_debug_block *b,
		      size_t new_len)
{
	if (!new_len || new_len > b->room)
		return false;
	if (d->sem->fits && !d->sem->fits(new_len, b->align))
		return false;
	if (d->sem->resize_ok && !d->sem->resize_ok(b->len, b->align, new_len))
		return false;
	b->len = new_len;
	if (d->sem->shrink_trims)
		b->room = min(b->room, dbg_room(d, new_len, b->align));
	dbg_zone_fill(b);
	return true;
}

/* Shadow: @b now holds @new_len bytes and the inner block is at @inner. */
static void dbg_shadow_relen(struct zalloc_debug_block *b, void *inner,
			     size_t new_len)
{
	dbg_set_inner(b, inner);
	b->len = new_len;
	dbg_zone_fill(b);
}

/**
 * zalloc_debug_resize() - resize a block in place in debug mode
 * @d: the core
 * @ptr: the block
 * @len: its length
 * @align: its alignment
 * @new_len: the length wanted, > 0
 * @gfp: for the inner allocator in shadow mode; otherwise unused
 * @ip: the caller
 *
 * A pointer, length or alignment that is not the block's is reported and
 * refused.  In shadow mode the inner allocator decides, within the room of
 * the shadow.
 *
 * Context: any context but NMI; in shadow mode, what the inner allocator's
 * resize allows.
 * Return: true if the block now has @new_len bytes; false if unchanged.
 */
bool zalloc_debug_resize(struct zalloc_debug *d, void *ptr, size_t len,
			 size_t align, size_t new_len, gfp_t gfp,
			 unsigned long ip)
{
	struct zalloc_debug_block *b = dbg_get(d, "resize", ptr, len, align,
					       ip);
	bool ok;

	if (b && dbg_shadow(d) && new_len && new_len <= b->room) {
		ok = zalloc_raw_resize(&d->inner, dbg_inner(b), len,
				       align, new_len, gfp, ip);
		if (ok)
			dbg_shadow_relen(b, dbg_inner(b), new_len);
		return ok;
	}
	ok = b && !dbg_shadow(d) && dbg_relen(d, b, new_len);
	zalloc_stat_resize(dbg_stats(d), ok, len, new_len);
	return ok;
}
EXPORT_SYMBOL_NS_GPL(zalloc_debug_resize, ZALLOC_NS);

/* Emulation: move @b to a new block of @new_len bytes; NULL if that fails. */
static void *dbg_move(struct zalloc_debug *d, struct zalloc_debug_block *b,
		      size_t new_len, gfp_t gfp, unsigned long ip)
{
	struct zalloc_debug_block *nb;
	unsigned long flags;

	nb = dbg_new(d, new_len, b->align, gfp, b->alloc_ip);
	if (!nb)
		return NULL;
	memcpy((void *)nb->addr, (void *)b->addr, min(b->len, new_len));
	spin_lock_irqsave(&d->lock, flags);
	hash_del(&b->node);
	spin_unlock_irqrestore(&d->lock, flags);
	zalloc_stat_add(dbg_stats(d), ZALLOC_STAT_BACKING_FREE, b->size);
	zalloc_stat_add(dbg_stats(d), ZALLOC_STAT_BACKING_ALLOC, nb->size);
	dbg_retire(d, b, ip);
	dbg_publish(d, nb);
	return (void *)nb->addr;
}

/**
 * zalloc_debug_remap() - resize a block, moving it if the semantics allow
 * @d: the core
 * @ptr: the block
 * @len: its length
 * @align: its alignment
 * @new_len: the length wanted, > 0
 * @gfp: allocation flags if it moves
 * @ip: the caller
 *
 * Emulation: in place if it fits; otherwise, if zalloc_debug_sem.remap_moves,
 * into a new block with the contents copied.  Shadow mode: the inner
 * allocator remaps its block, within the room of the shadow, which stays
 * where it is even if the inner block moves.  A bad call is reported and
 * refused.
 *
 * Context: as zalloc_debug_alloc() for @gfp.
 * Return: the block's address, or NULL with the block unchanged.
 */
void *zalloc_debug_remap(struct zalloc_debug *d, void *ptr, size_t len,
			 size_t align, size_t new_len, gfp_t gfp,
			 unsigned long ip)
{
	struct zalloc_debug_block *b;
	void *p = NULL, *inner;

	b = dbg_get(d, "remap", ptr, len, align, ip);
	if (b && dbg_shadow(d) && new_len && new_len <= b->room) {
		inner = zalloc_raw_remap(&d->inner, dbg_inner(b), len,
					 align, new_len, gfp, ip);
		if (!inner)
			return NULL;
		dbg_shadow_relen(b, inner, new_len);
		return ptr;
	}
	if (!b || dbg_shadow(d))
		goto out;
	if (dbg_relen(d, b, new_len))
		p = ptr;
	else if (d->sem->remap_moves)
		p = dbg_move(d, b, new_len, gfp, ip);
out:
	zalloc_stat_remap(dbg_stats(d), ptr, p, len, new_len);
	return p;
}
EXPORT_SYMBOL_NS_GPL(zalloc_debug_remap, ZALLOC_NS);

/* Give @b's block back: to the inner allocator, or its counters. */
static void dbg_give_back(struct zalloc_debug *d, struct zalloc_debug_block *b,
			  unsigned long ip)
{
	if (dbg_shadow(d)) {
		zalloc_raw_free(&d->inner, dbg_inner(b), b->len,
				b->align, ip);
		return;
	}
	zalloc_stat_free(dbg_stats(d), b->len);
	zalloc_stat_add(dbg_stats(d), ZALLOC_STAT_BACKING_FREE, b->size);
}

/**
 * zalloc_debug_free() - free a block in debug mode
 * @d: the core
 * @ptr: the block
 * @len: its length
 * @align: its alignment
 * @ip: the caller, recorded as the free site
 *
 * A double free, a pointer this core never returned, or a length or
 * alignment that is not the block's is reported and ignored: nothing is
 * freed.  A damaged red zone is reported, then the block is freed.
 *
 * Context: any context but NMI; in shadow mode, what the inner allocator's
 * free allows.
 */
void zalloc_debug_free(struct zalloc_debug *d, void *ptr, size_t len,
		       size_t align, unsigned long ip)
{
	struct zalloc_debug_block *b;
	unsigned long flags;

	spin_lock_irqsave(&d->lock, flags);
	b = dbg_lookup(d, "free", ptr, len, align, ip);
	if (b)
		hash_del(&b->node);
	spin_unlock_irqrestore(&d->lock, flags);
	if (!b)
		return;
	dbg_zone_check(d, b, ip);
	dbg_give_back(d, b, ip);
	dbg_retire(d, b, ip);
}
EXPORT_SYMBOL_NS_GPL(zalloc_debug_free, ZALLOC_NS);

/*
 * Take every record off @d; free the live blocks' memory and, with @leaks,
 * report each one and give its block back (otherwise the inner allocator
 * is about to drop them all itself).  Return the number of live blocks.
 */
static unsigned long dbg_drop_all(struct zalloc_debug *d, bool leaks)
{
	struct zalloc_debug_block *b;
	struct hlist_node *tmp;
	unsigned long n = 0, flags;
	LIST_HEAD(freed);
	HLIST_HEAD(live);
	int bkt;

	spin_lock_irqsave(&d->lock, flags);
	hash_for_each_safe(d->live, bkt, tmp, b, node) {
		hash_del(&b->node);
		hlist_add_head(&b->node, &live);
	}
	list_splice_init(&d->freed, &freed);
	d->nr_freed = 0;
	spin_unlock_irqrestore(&d->lock, flags);

	hlist_for_each_entry_safe(b, tmp, &live, node) {
		n++;
		if (leaks) {
			dbg_report(d, ZALLOC_DEBUG_LEAK,
				   "leak of %p (%zu bytes, align %zu) allocated by %pS",
				   (void *)b->addr, b->len, b->align,
				   (void *)b->alloc_ip);
			dbg_zone_check(d, b, _RET_IP_);
		}
		if (leaks || !dbg_shadow(d))
			dbg_give_back(d, b, _RET_IP_);
		dbg_discard(b);
	}
	while (!list_empty(&freed)) {
		b = list_first_entry(&freed, struct zalloc_debug_block, fnode);
		list_del(&b->fnode);
		kfree(b);
	}
	return n;
}

/**
 * zalloc_debug_destroy() - report and free what is left, forget the rest
 * @d: the core; no call may be running on it
 *
 * Every live block is reported as a leak with its size and allocation
 * site, its red zone checked, and then freed (in shadow mode its inner
 * block too).  @d can be set up again with zalloc_debug_init().
 *
 * Context: any context but NMI.
 * Return: the number of leaked blocks.
 */
unsigned long zalloc_debug_destroy(struct zalloc_debug *d)
{
	return dbg_drop_all(d, true);
}
EXPORT_SYMBOL_NS_GPL(zalloc_debug_destroy, ZALLOC_NS);

/**
 * zalloc_debug_reset() - forget every block, as a reset of the inner does
 * @d: a core from zalloc_debug_wrap(), or NULL (nothing to do); no call may
 *	be running on it
 *
 * For an inner allocator that is about to free all its blocks at once (an
 * arena's reset, a fixed buffer's): the shadows go, nothing is reported,
 * the inner allocator is not called.
 *
 * Context: any context but NMI.
 * Return: the number of blocks that were live.
 */
unsigned long zalloc_debug_reset(struct zalloc_debug *d)
{
	return d ? dbg_drop_all(d, false) : 0;
}
EXPORT_SYMBOL_NS_GPL(zalloc_debug_reset, ZALLOC_NS);

static void *dbg_op_alloc(void *ctx, size_t len, size_t align, gfp_t gfp,
			  unsigned long ip)
{
	return zalloc_debug_alloc(ctx, len, align, gfp, ip);
}

static bool dbg_op_resize(void *ctx, void *ptr, size_t len, size_t align,
			  size_t new_len, gfp_t gfp, unsigned long ip)
{
	return zalloc_debug_resize(ctx, ptr, len, align, new_len, gfp, ip);
}

static void *dbg_op_remap(void *ctx, void *ptr, size_t len, size_t align,
			  size_t new_len, gfp_t gfp, unsigned long ip)
{
	return zalloc_debug_remap(ctx, ptr, len, align, new_len, gfp, ip);
}

static void dbg_op_free(void *ctx, void *ptr, size_t len, size_t align,
			unsigned long ip)
{
	zalloc_debug_free(ctx, ptr, len, align, ip);
}

static const struct zalloc_ops zalloc_debug_ops = {
	.alloc	= dbg_op_alloc,
	.resize	= dbg_op_resize,
	.remap	= dbg_op_remap,
	.free	= dbg_op_free,
};
