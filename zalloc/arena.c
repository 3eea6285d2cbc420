// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc arena allocator: Zig's std.heap.ArenaAllocator (0.14/0.15).
 *
 * The arena holds a singly linked list of buffers taken from a child
 * allocator, newest first.  Each buffer starts with a struct
 * zalloc_arena_node header recording the size of the child allocation; the
 * bytes after it are bump-allocated through end_index, in the newest buffer
 * only.  When a request does not fit, the arena asks the child to grow the
 * newest buffer in place and, failing that, takes a new buffer of
 * 1.5 * (previous usable size + request + alignment + header + 16) bytes,
 * Zig's growth policy; the room left in the old buffer is abandoned until
 * reset.  Frees and resizes work in place on the most recent block only.
 *
 * Changes from Zig:
 *  - Size arithmetic is overflow-checked: a request whose buffer size would
 *    wrap, or exceed ZALLOC_MAX_LEN, fails instead of trapping.
 *  - A resize or free is "the most recent block" only if the block lies
 *    inside the used part of the newest buffer (@len <= end_index) as well
 *    as ending at end_index, so a bogus block cannot underflow end_index.
 *  - reset is Zig's fixed version (ziglang/zig#15985 and #16009): the next
 *    pointer is read before a buffer is freed, the kept buffer's size
 *    includes its header (so a limit below sizeof(struct zalloc_arena_node)
 *    keeps a small but valid buffer), and end_index is cleared before the
 *    child is asked to resize or allocate, so a failure leaves a usable,
 *    empty arena.  It takes a gfp_t for the child.
 *  - The capacity and buffer count are kept up to date when buffers come
 *    and go (never in the bump fast path), so zalloc_arena_query_capacity()
 *    is O(1) and the statistics file never walks the list.  Zig walks the
 *    list instead; reset here still walks it once to free the buffers.
 *  - Zig's State/promote split (storing the arena without its child) is
 *    not ported: the child is part of the instance.
 *
 * Locking: none.  Every call on an arena is serialised by its caller (see
 * include/zalloc/arena.h); the child does its own locking.  The statistics
 * callback reads end_index, capacity, nr_buffers and resets with
 * READ_ONCE(), and they are written with WRITE_ONCE().
 */
#define pr_fmt(fmt) "zalloc: " fmt

#include <linux/printk.h>
#include <zalloc/arena.h>
#include <zalloc/page.h>

#include "debug_core.h"
#include "internal.h"

static const char * const arena_counters[NR_ZALLOC_ARENA_COUNTERS] = {
	[ZALLOC_ARENA_RESETS]		= "resets",
	[ZALLOC_ARENA_BUFFERS]		= "buffers",
	[ZALLOC_ARENA_CAPACITY]	= "capacity",
	[ZALLOC_ARENA_END_INDEX]	= "end_index",
};

#define ARENA_NODE_ALIGN	__alignof__(struct zalloc_arena_node)
#define ARENA_NODE_SIZE		sizeof(struct zalloc_arena_node)
/* Zig's createNode adds this much on top of the request and the header. */
#define ARENA_NODE_SLACK	16

/* Account a buffer growing by @usable bytes of capacity, @data from the child. */
static void arena_grew(struct zalloc_arena *a, size_t usable, size_t data)
{
	WRITE_ONCE(a->capacity, a->capacity + usable);
	zalloc_count_backing(&a->inst, data);
}

static void arena_shrank(struct zalloc_arena *a, size_t usable, size_t data)
{
	WRITE_ONCE(a->capacity, a->capacity - usable);
	zalloc_count_backing(&a->inst, -(long)data);
}

/* Ask the child to make @node's allocation @data bytes, in place. */
static bool arena_resize_node(struct zalloc_arena *a,
			      struct zalloc_arena_node *node, size_t data,
			      gfp_t gfp, unsigned long ip)
{
	size_t old = node->data;

	if (data > ZALLOC_MAX_LEN ||
	    !zalloc_raw_resize(a->child, node, old, ARENA_NODE_ALIGN, data,
			       gfp, ip))
		return false;
	node->data = data;
	if (data > old)
		arena_grew(a, data - old, data - old);
	else
		arena_shrank(a, old - data, old - data);
	return true;
}

/* Take a child allocation of @data bytes and make it the newest buffer. */
static struct zalloc_arena_node *arena_take_node(struct zalloc_arena *a,
						 size_t data, gfp_t gfp,
						 unsigned long ip)
{
	struct zalloc_arena_node *node;

	node = zalloc_raw_alloc(a->child, data, ARENA_NODE_ALIGN, gfp, ip);
	if (!node)
		return NULL;
	node->data = data;
	node->next = a->head;
	a->head = node;
	WRITE_ONCE(a->end_index, 0);
	a->last_start = ZALLOC_BUMP_NO_LAST;
	WRITE_ONCE(a->nr_buffers, a->nr_buffers + 1);
	arena_grew(a, data - ARENA_NODE_SIZE, data);
	return node;
}

static void arena_drop_node(struct zalloc_arena *a,
			    struct zalloc_arena_node *node, unsigned long ip)
{
	size_t data = node->data;

	zalloc_raw_free(a->child, node, data, ARENA_NODE_ALIGN, ip);
	WRITE_ONCE(a->nr_buffers, a->nr_buffers - 1);
	arena_shrank(a, data - ARENA_NODE_SIZE, data);
}

/*
 * Zig's createNode: a buffer of 1.5 * (@prev_len + @min_size + header + 16)
 * bytes, or NULL if that overflows or the child says no.
 */
static struct zalloc_arena_node *arena_new_node(struct zalloc_arena *a,
						size_t prev_len,
						size_t min_size, gfp_t gfp,
						unsigned long ip)
{
	size_t big, len;

	if (check_add_overflow(min_size, ARENA_NODE_SIZE + ARENA_NODE_SLACK,
			       &big) ||
	    check_add_overflow(big, prev_len, &big) ||
	    check_add_overflow(big, big / 2, &len) || len > ZALLOC_MAX_LEN)
		return NULL;
	return arena_take_node(a, len, gfp, ip);
}

static void arena_free_all(struct zalloc_arena *a, unsigned long ip)
{
	struct zalloc_arena_node *node, *next;

	for (node = a->head; node; node = next) {
		next = node->next;
		arena_drop_node(a, node, ip);
	}
	a->head = NULL;
	WRITE_ONCE(a->end_index, 0);
	a->last_start = ZALLOC_BUMP_NO_LAST;
}

/*
 * Bump @len bytes aligned to @align out of @node from end_index; NULL if
 * they do not fit.  *@need is set to the end index the block would need.
 */
static void *arena_bump(struct zalloc_arena *a, struct zalloc_arena_node *node,
			size_t len, size_t align, size_t *need)
{
	u8 *usable = zalloc_arena_usable(node);
	size_t end = a->end_index;
	size_t pad = -((unsigned long)usable + end) & (align - 1);
	size_t start;

	if (check_add_overflow(end, pad, &start) ||
	    check_add_overflow(start, len, need)) {
		*need = SIZE_MAX;
		return NULL;
	}
	if (*need > zalloc_arena_usable_len(node))
		return NULL;
	WRITE_ONCE(a->end_index, *need);
	return usable + start;
}

/* Every allocation the head buffer cannot take as it is. */
static noinline void *arena_alloc_slow(struct zalloc_arena *a, size_t len,
				       size_t align, gfp_t gfp,
				       unsigned long ip)
{
	struct zalloc_arena_node *node = a->head;
	size_t min_size, need;
	void *p = NULL;

	/* A fresh buffer of len + align bytes always has room for the block. */
	if (check_add_overflow(len, align, &min_size))
		goto out;
	if (!node)
		node = arena_new_node(a, 0, min_size, gfp, ip);
	while (node) {
		p = arena_bump(a, node, len, align, &need);
		if (p)
			break;
		if (need <= ZALLOC_MAX_LEN - ARENA_NODE_SIZE &&
		    arena_resize_node(a, node, ARENA_NODE_SIZE + need, gfp, ip))
			continue;
		node = arena_new_node(a, zalloc_arena_usable_len(node), min_size, gfp,
				      ip);
	}
	if (p) {
		a->last_start = (u8 *)p - zalloc_arena_usable(a->head);
		zalloc_init_on_alloc(p, len);
	}
out:
	zalloc_count_alloc(&a->inst, p, len);
	return p;
}

static struct zalloc_arena *to_arena(void *ctx)
{
	return container_of(ctx, struct zalloc_arena, inst);
}

/* The fast path: a bump in the head buffer as it is. */
static void *arena_alloc(void *ctx, size_t len, size_t align, gfp_t gfp,
			 unsigned long ip)
{
	struct zalloc_arena *a = to_arena(ctx);
	size_t start;

	if (unlikely(!__zalloc_arena_fit(a, len, align, &start)))
		return arena_alloc_slow(a, len, align, gfp, ip);
	return __zalloc_arena_take(a, start, len);
}

/*
 * Is [@ptr, @ptr + @len) the block that ends at end_index in the head, and,
 * while the most recent block is known, that block itself?
 */
static bool arena_is_last(struct zalloc_arena *a, void *ptr, size_t len)
{
	size_t start;

	return a->head &&
	       zalloc_bump_is_last((unsigned long)zalloc_arena_usable(a->head),
				   a->end_index, a->last_start, ptr, len,
				   &start);
}

/*
 * Ends where the most recent block ends but starts inside it: a free or
 * resize there would give part of a live block out again.
 */
static bool arena_inside_last(struct zalloc_arena *a, void *ptr, size_t len)
{
	size_t end = a->end_index;

	return a->head && len <= end &&
	       (unsigned long)ptr == (unsigned long)zalloc_arena_usable(a->head) +
				     (end - len) &&
	       a->last_start != ZALLOC_BUMP_NO_LAST && a->last_start != end - len;
}

static noinline void arena_refuse(struct zalloc_arena *a, const char *op,
				  void *ptr, size_t len, unsigned long ip)
{
	pr_warn_ratelimited("arena %s: %s of %zu bytes at %p by %pS: inside the last block\n",
			    zalloc_report_name(&a->inst), op, len, ptr,
			    (void *)ip);
}

static bool arena_relen(struct zalloc_arena *a, void *ptr, size_t len,
			size_t new_len)
{
	size_t end = a->end_index;

	if (!a->head)
		return false;
	if (!arena_is_last(a, ptr, len))
		return new_len <= len;
	if (new_len <= len) {
		WRITE_ONCE(a->end_index, end - (len - new_len));
		return true;
	}
	/* Zig does not grow the child here: only the room already there. */
	if (new_len - len > zalloc_arena_usable_len(a->head) - end)
		return false;
	WRITE_ONCE(a->end_index, end + (new_len - len));
	return true;
}

static bool arena_resize(void *ctx, void *ptr, size_t len, size_t align,
			 size_t new_len, gfp_t gfp, unsigned long ip)
{
	struct zalloc_arena *a = to_arena(ctx);
	bool ok = arena_relen(a, ptr, len, new_len);

	zalloc_count_resize(&a->inst, ok, len, new_len);
	return ok;
}

static void *arena_remap(void *ctx, void *ptr, size_t len, size_t align,
			 size_t new_len, gfp_t gfp, unsigned long ip)
{
	struct zalloc_arena *a = to_arena(ctx);
	void *p = arena_relen(a, ptr, len, new_len) ? ptr : NULL;

	zalloc_count_remap(&a->inst, ptr, p, len, new_len);
	return p;
}

/* Does [@ptr, @ptr + @len) lie in one of the arena's buffers? */
static bool arena_owns(struct zalloc_arena *a, const void *ptr, size_t len)
{
	struct zalloc_arena_node *node;
	unsigned long off;

	for (node = a->head; node; node = node->next) {
		off = (unsigned long)ptr - (unsigned long)zalloc_arena_usable(node);
		if (off <= zalloc_arena_usable_len(node) &&
		    len <= zalloc_arena_usable_len(node) - off)
			return true;
	}
	return false;
}

/* init_on_free: zero the block, once it is known to be the arena's. */
static noinline void arena_zero(struct zalloc_arena *a, void *ptr, size_t len)
{
	if (arena_owns(a, ptr, len))
		memset(ptr, 0, len);
}

static void arena_free(void *ctx, void *ptr, size_t len, size_t align,
		       unsigned long ip)
{
	struct zalloc_arena *a = to_arena(ctx);

	if (likely(__zalloc_arena_pop(a, ptr, len))) {
		zalloc_count_free(&a->inst, len);
		zalloc_init_on_free(ptr, len);
		return;
	}
	if (unlikely(arena_inside_last(a, ptr, len))) {
		arena_refuse(a, "free", ptr, len, ip);
		return;
	}
	zalloc_count_free(&a->inst, len);
	if (want_init_on_free())
		arena_zero(a, ptr, len);
}

static const struct zalloc_ops arena_ops = {
	.alloc	= arena_alloc,
	.resize	= arena_resize,
	.remap	= arena_remap,
	.free	= arena_free,
};

/**
 * __zalloc_arena_alloc_slow() - zalloc_arena_alloc() through the interface
 * @a: the instance
 * @len: bytes wanted
 * @align: alignment in bytes
 * @gfp: allocation context and flags
 * @ip: the caller to blame in reports
 *
 * For zalloc_arena_alloc() only: every case its inline bump does not take
 * goes through zalloc_alloc() on the arena's struct zalloc.
 *
 * Context: as zalloc_arena_alloc().
 * Return: as zalloc_arena_alloc().
 */
void *__zalloc_arena_alloc_slow(struct zalloc_arena *a, size_t len,
				size_t align, gfp_t gfp, unsigned long ip)
{
	return zalloc_alloc_ip(zalloc_arena_allocator(a), len, align, gfp, ip);
}
EXPORT_SYMBOL_NS_GPL(__zalloc_arena_alloc_slow, ZALLOC_NS);

/**
 * __zalloc_arena_free() - zalloc_arena_free() beyond its inline case
 * @a: the instance
 * @ptr: the block
 * @len: its length
 * @align: the alignment it was allocated with
 * @ip: the caller to blame in reports
 *
 * For zalloc_arena_free() only: every free its inline pop of the last
 * block does not take goes through zalloc_free() on the arena's struct
 * zalloc, which handles each (bad arguments, debug mode, tracing, other
 * blocks), as __zalloc_arena_alloc_slow() does for allocations.
 *
 * Context: as zalloc_arena_free().
 */
void __zalloc_arena_free(struct zalloc_arena *a, void *ptr, size_t len,
			 size_t align, unsigned long ip)
{
	zalloc_free_ip(zalloc_arena_allocator(a), ptr, len, align, ip);
}
EXPORT_SYMBOL_NS_GPL(__zalloc_arena_free, ZALLOC_NS);

static void arena_read(struct zalloc_instance *inst, unsigned long *v)
{
	struct zalloc_arena *a = to_arena(inst);

	v[ZALLOC_ARENA_BUFFERS] = READ_ONCE(a->nr_buffers);
	v[ZALLOC_ARENA_CAPACITY] = READ_ONCE(a->capacity);
	v[ZALLOC_ARENA_END_INDEX] = READ_ONCE(a->end_index);
}

/* Give every buffer back: the instance is going. */
static unsigned long arena_fini(struct zalloc_instance *inst)
{
	arena_free_all(to_arena(inst), _RET_IP_);
	return 0;
}

const struct zalloc_kind zalloc_kind_arena = {
	.name			= "arena",
	.ops			= &arena_ops,
	.counters		= arena_counters,
	.nr_events		= 1,
	.nr_counters		= NR_ZALLOC_ARENA_COUNTERS,
	.read			= arena_read,
	.fini			= arena_fini,
	.drops_debug_leaks	= true,
};

/**
 * __zalloc_arena_init() - set up an empty arena over @child
 * @a: the instance to set up
 * @child: where buffers come from; NULL means zalloc_page_allocator.  It
 *	must outlive the arena.
 * @name: a debugfs name under /sys/kernel/debug/zalloc/, or NULL for none
 * @flags: ZALLOC_F_DEBUG, ZALLOC_F_NODEBUG or 0 (include/zalloc/debug.h):
 *	in debug mode every block is also a separate allocation with red
 *	zones; a reset or destroy drops them all without reports, as it does
 *	the arena's blocks
 * @gfp: allocation flags for the instance's counters
 * @owner: the module @name belongs to; zalloc_arena_init() passes
 *	THIS_MODULE
 *
 * Takes no buffer yet; the first allocation does.
 *
 * Context: any context @gfp allows; with a @name, process context.
 * Return: 0; -EINVAL if @name is given with a non-sleeping @gfp or @flags
 * are unknown; -ENOMEM; -EEXIST or -EINVAL for a taken or invalid name.
 */
int __zalloc_arena_init(struct zalloc_arena *a, const struct zalloc *child,
			const char *name, unsigned int flags, gfp_t gfp,
			struct module *owner)
{
	struct zalloc_setup s = {
		.name = name, .flags = flags, .gfp = gfp, .owner = owner,
	};

	a->child = child ? child : &zalloc_page_allocator;
	a->head = NULL;
	a->end_index = 0;
	a->last_start = ZALLOC_BUMP_NO_LAST;
	a->capacity = 0;
	a->nr_buffers = 0;
	a->inst.flags = 0;
	return zalloc_instance_setup(&a->inst, &zalloc_kind_arena, &s);
}
EXPORT_SYMBOL_NS_GPL(__zalloc_arena_init, ZALLOC_NS);

/**
 * zalloc_arena_destroy() - give every buffer back and tear the arena down
 * @a: the instance; every block it handed out becomes invalid
 *
 * Context: as the child's free allows; process context if @a has a name.
 */
void zalloc_arena_destroy(struct zalloc_arena *a)
{
	zalloc_instance_teardown(&a->inst);
}
EXPORT_SYMBOL_NS_GPL(zalloc_arena_destroy, ZALLOC_NS);

/* The kept buffer for @want usable bytes: resize the oldest, else replace. */
static bool arena_retain(struct zalloc_arena *a, size_t want, gfp_t gfp,
			 unsigned long ip)
{
	struct zalloc_arena_node *node, *next, *oldest = NULL;
	size_t total;

	/* Free every buffer but the oldest, reading next first (zig#15985). */
	for (node = a->head; node; node = next) {
		next = node->next;
		if (!next) {
			oldest = node;
			break;
		}
		arena_drop_node(a, node, ip);
	}
	/* want <= capacity, so there is an oldest buffer. */
	a->head = oldest;
	WRITE_ONCE(a->end_index, 0);
	a->last_start = ZALLOC_BUMP_NO_LAST;
	if (check_add_overflow(want, ARENA_NODE_SIZE, &total) ||
	    total > ZALLOC_MAX_LEN)
		return false;
	if (oldest->data == total ||
	    arena_resize_node(a, oldest, total, gfp, ip))
		return true;

	/* Take the new buffer before dropping the old: failure keeps it. */
	a->head = NULL;
	node = arena_take_node(a, total, gfp, ip);
	if (!node) {
		a->head = oldest;
		return false;
	}
	node->next = NULL;
	arena_drop_node(a, oldest, ip);
	return true;
}

/**
 * zalloc_arena_reset() - give back every block at once, keeping a buffer
 * @a: the instance; every block it handed out becomes invalid
 * @mode: what to keep, see enum zalloc_arena_reset_mode
 * @limit: for %ZALLOC_ARENA_RETAIN_WITH_LIMIT, the most usable bytes to
 *	keep; any value works, 0 and values below the header size included
 * @gfp: allocation flags if the kept buffer has to be replaced
 *
 * Keeps nothing for %ZALLOC_ARENA_FREE_ALL, a limit of 0, or an empty
 * arena.  Otherwise frees every buffer but the oldest and makes that one
 * exactly the size wanted, in place if the child can, else by taking a new
 * buffer and freeing the old one.  Afterwards zalloc_arena_query_capacity()
 * is that size.  Every live block is counted as freed in the statistics
 * (a sum over the per-CPU counters).
 *
 * Context: as the child's free (and alloc, for @gfp) allow.
 * Return: true on success; false if the kept buffer could not be given its
 * new size (the arena is then empty but valid, keeping the oldest buffer
 * as it was) or @mode is unknown (the arena is then unchanged).
 */
bool zalloc_arena_reset(struct zalloc_arena *a,
			enum zalloc_arena_reset_mode mode, size_t limit,
			gfp_t gfp)
{
	size_t want;

	switch (mode) {
	case ZALLOC_ARENA_FREE_ALL:
		want = 0;
		break;
	case ZALLOC_ARENA_RETAIN_CAPACITY:
		want = a->capacity;
		break;
	case ZALLOC_ARENA_RETAIN_WITH_LIMIT:
		want = min(limit, a->capacity);
		break;
	default:
		pr_warn_ratelimited("arena: unknown reset mode %d\n",
				    mode);
		return false;
	}
	zalloc_count_event(&a->inst, ZALLOC_ARENA_RESETS);
	zalloc_debug_forget(&a->inst);
	zalloc_count_drop_live(&a->inst);
	if (!want) {
		arena_free_all(a, _RET_IP_);
		return true;
	}
	return arena_retain(a, want, gfp, _RET_IP_);
}
EXPORT_SYMBOL_NS_GPL(zalloc_arena_reset, ZALLOC_NS);

/**
 * zalloc_arena_query_capacity() - usable bytes the arena holds
 * @a: the instance
 *
 * The sum over its buffers of their size less the header (Zig's
 * queryCapacity), whether used or not.
 *
 * Context: any; serialised with other calls on @a by the caller.
 * Return: the capacity in bytes.
 */
size_t zalloc_arena_query_capacity(const struct zalloc_arena *a)
{
	return READ_ONCE(a->capacity);
}
EXPORT_SYMBOL_NS_GPL(zalloc_arena_query_capacity, ZALLOC_NS);
