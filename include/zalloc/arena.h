/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zalloc arena allocator: Zig's ArenaAllocator (0.14/0.15) over any child
 * struct zalloc (the page allocator if none is given).
 *
 * Allocate freely, then give everything back at once with
 * zalloc_arena_reset() or zalloc_arena_destroy().  The arena takes buffers
 * from its child, each 1.5 times the previous one plus what the request
 * needs, and bump-allocates inside the newest; when that is full it first
 * asks the child to grow it in place.  Only the most recent block can be
 * freed or resized in place: freeing any other block does nothing, and
 * resizing it succeeds only for a shrink (which changes nothing).  remap
 * never moves a block.
 *
 * Reset modes (Zig's ResetMode):
 *  - ZALLOC_ARENA_FREE_ALL: give every buffer back to the child.
 *  - ZALLOC_ARENA_RETAIN_CAPACITY: keep one buffer as large as all of them
 *    were together, so a reset loop stops calling the child once it has
 *    seen its largest round.
 *  - ZALLOC_ARENA_RETAIN_WITH_LIMIT: the same, but at most @limit bytes.
 *
 * A caller that knows its allocator can call zalloc_arena_alloc() and
 * zalloc_arena_free() instead of going through the struct zalloc: the
 * same operations, the bump in the newest buffer inline, no indirect call.
 *
 * Locking: none inside.  The caller serialises every call on an arena
 * (alloc, resize, remap and free through the struct zalloc or directly,
 * and reset, query and destroy), e.g. with its own lock or by using the
 * arena from one thread.  An arena over a child that takes locks (another
 * zalloc instance) nests only the child's locks, inside the caller's.
 *
 * Context: alloc as the child allows for the gfp_t given; free and a
 * shrinking resize touch no child and are fine in any context; reset and
 * destroy free to the child (as the child allows), and reset may also
 * allocate with its gfp_t.
 */
#ifndef _ZALLOC_ARENA_H
#define _ZALLOC_ARENA_H

#include <linux/mm.h>
#include <zalloc/registry.h>
#include <zalloc/zalloc.h>

/**
 * enum zalloc_arena_reset_mode - what zalloc_arena_reset() keeps
 * @ZALLOC_ARENA_FREE_ALL: nothing; every buffer goes back to the child
 * @ZALLOC_ARENA_RETAIN_CAPACITY: one buffer of the current capacity
 * @ZALLOC_ARENA_RETAIN_WITH_LIMIT: one buffer of min(capacity, limit) bytes
 */
enum zalloc_arena_reset_mode {
	ZALLOC_ARENA_FREE_ALL,
	ZALLOC_ARENA_RETAIN_CAPACITY,
	ZALLOC_ARENA_RETAIN_WITH_LIMIT,
};

/**
 * struct zalloc_arena_node - the header at the start of every buffer
 * @data: bytes of the child allocation, this header included
 * @next: the next older buffer
 */
struct zalloc_arena_node {
	size_t data;
	struct zalloc_arena_node *next;
};

/**
 * struct zalloc_arena - an arena allocator instance
 * @inst: the instance; inst.za is the interface, see
 *	zalloc_arena_allocator()
 * @child: where the buffers come from
 * @head: the newest buffer, the only one allocated from; NULL when empty
 * @end_index: bytes used in @head after its header
 * @last_start: where in @head the most recent block starts, so that only
 *	that very block can be freed or resized as the last one;
 *	ZALLOC_BUMP_NO_LAST once it is freed (or after a reset, or a new
 *	buffer), when the block ending at @end_index is taken as the last
 *	one, as in Zig
 * @capacity: usable bytes over all buffers (headers excluded)
 * @nr_buffers: buffers held
 *
 * All fields are the caller-serialised state of zalloc/arena.c.  The
 * statistics file reads the scalars with READ_ONCE() and never walks the
 * list, so it cannot race with a reset freeing buffers.
 */
struct zalloc_arena {
	struct zalloc_instance inst;
	const struct zalloc *child;
	struct zalloc_arena_node *head;
	size_t end_index;
	size_t last_start;
	size_t capacity;
	unsigned long nr_buffers;
};

/**
 * enum zalloc_arena_counter - an arena's own counters
 * @ZALLOC_ARENA_RESETS: zalloc_arena_reset() calls
 * @ZALLOC_ARENA_BUFFERS: buffers held
 * @ZALLOC_ARENA_CAPACITY: usable bytes over all buffers
 * @ZALLOC_ARENA_END_INDEX: bytes used in the newest buffer
 * @NR_ZALLOC_ARENA_COUNTERS: how many
 *
 * Read with zalloc_instance_info(); the "stats" file shows them by name.
 */
enum zalloc_arena_counter {
	ZALLOC_ARENA_RESETS,
	ZALLOC_ARENA_BUFFERS,
	ZALLOC_ARENA_CAPACITY,
	ZALLOC_ARENA_END_INDEX,
	NR_ZALLOC_ARENA_COUNTERS
};

int __zalloc_arena_init(struct zalloc_arena *a, const struct zalloc *child,
			const char *name, unsigned int flags, gfp_t gfp,
			struct module *owner);
/* See __zalloc_arena_init(); the name belongs to the calling module. */
#define zalloc_arena_init(a, child, name, flags, gfp)			\
	__zalloc_arena_init(a, child, name, flags, gfp, THIS_MODULE)
void zalloc_arena_destroy(struct zalloc_arena *a);
bool zalloc_arena_reset(struct zalloc_arena *a,
			enum zalloc_arena_reset_mode mode, size_t limit,
			gfp_t gfp);
size_t zalloc_arena_query_capacity(const struct zalloc_arena *a);
void *__zalloc_arena_alloc_slow(struct zalloc_arena *a, size_t len,
				size_t align, gfp_t gfp, unsigned long ip);
void __zalloc_arena_free(struct zalloc_arena *a, void *ptr, size_t len,
			 size_t align, unsigned long ip);

/* The bytes of a buffer blocks are cut from, after its header. */
static inline u8 *zalloc_arena_usable(const struct zalloc_arena_node *node)
{
	return (u8 *)(node + 1);
}

static inline size_t
zalloc_arena_usable_len(const struct zalloc_arena_node *node)
{
	return node->data - sizeof(*node);
}

/*
 * Where a block of @len bytes aligned to @align would start in the newest
 * buffer; false if there is none or the block does not fit there.
 */
static __always_inline bool __zalloc_arena_fit(const struct zalloc_arena *a,
					       size_t len, size_t align,
					       size_t *start)
{
	const struct zalloc_arena_node *node = a->head;

	return likely(node) &&
	       zalloc_bump_fit(zalloc_arena_usable(node),
			       zalloc_arena_usable_len(node), a->end_index, len,
			       align, start);
}

/*
 * Hand out the block __zalloc_arena_fit() placed at @start: counted,
 * zeroed under init_on_alloc.  The alloc op and zalloc_arena_alloc() both
 * end here.
 */
static __always_inline void *__zalloc_arena_take(struct zalloc_arena *a,
						 size_t start, size_t len)
{
	u8 *p = zalloc_arena_usable(a->head) + start;

	WRITE_ONCE(a->end_index, start + len);
	a->last_start = start;
	zalloc_count_block(&a->inst, ZALLOC_STAT_ALLOC, ZALLOC_STAT_BYTES_ALLOC,
			   len);
	/* memset() returns @p: a tail call, no register kept for it. */
	if (want_init_on_alloc(0))
		return memset(p, 0, len);
	return p;
}

/*
 * Free the last block of the newest buffer (zalloc_bump_is_last()), the
 * free the arena tries first: the end index goes back to where the block
 * starts.  false, changing nothing, for any other @ptr or @len, and while
 * @a has no buffer: its end index is then 0, so no block passes and the
 * NULL head is never used.  The caller counts the free, then zeroes the
 * block under init_on_free, last, so that memset() is a tail call.
 */
static __always_inline bool __zalloc_arena_pop(struct zalloc_arena *a,
					       void *ptr, size_t len)
{
	/* zalloc_arena_usable(a->head) as a number: a->head may be NULL. */
	unsigned long base = (unsigned long)a->head + sizeof(*a->head);
	size_t start;

	if (!zalloc_bump_is_last(base, a->end_index, a->last_start, ptr, len,
				 &start))
		return false;
	WRITE_ONCE(a->end_index, start);
	a->last_start = ZALLOC_BUMP_NO_LAST;
	return true;
}

/**
 * zalloc_arena_alloc() - allocate from an arena directly
 * @a: the instance
 * @len: bytes wanted; 0 returns ZERO_SIZE_PTR
 * @align: alignment in bytes, a power of two
 * @gfp: allocation context and flags, for a new buffer from the child
 *
 * What zalloc_alloc(zalloc_arena_allocator(@a), @len, @align, @gfp) does,
 * for a caller that knows its allocator: a block that fits the newest
 * buffer is bumped inline, with no indirect call (and zeroed for
 * __GFP_ZERO); anything else (a new buffer, debug mode, tracing, bad
 * arguments) takes the struct zalloc path.
 *
 * Context: as the child allows for @gfp; callers serialise all calls on @a.
 * Return: the block, ZERO_SIZE_PTR for @len == 0, or NULL.
 */
static __always_inline void *zalloc_arena_alloc(struct zalloc_arena *a,
						size_t len, size_t align,
						gfp_t gfp)
{
	size_t start;
	void *p;

	if (unlikely(!len || !zalloc_args_ok(len, align) ||
		     !zalloc_direct_ok(&a->inst) ||
		     !__zalloc_arena_fit(a, len, align, &start)))
		return __zalloc_arena_alloc_slow(a, len, align, gfp,
						 _THIS_IP_);
	p = __zalloc_arena_take(a, start, len);
	zalloc_zero_new(p, 0, len, gfp);
	return p;
}

/**
 * zalloc_arena_free() - give a block back to an arena directly
 * @a: the instance
 * @ptr: the block; NULL or ZERO_SIZE_PTR is a no-op
 * @len: its length; 0 is a no-op
 * @align: the alignment it was allocated with
 *
 * What zalloc_free(zalloc_arena_allocator(@a), @ptr, @len, @align) does,
 * with no indirect call: the most recent block gives its bytes back
 * (inline), any other does nothing, a pointer inside the most recent block
 * is refused.
 *
 * Context: any; callers serialise all calls on @a.
 */
static __always_inline void zalloc_arena_free(struct zalloc_arena *a,
					      void *ptr, size_t len,
					      size_t align)
{
	if (likely(zalloc_align_ok(align) && zalloc_direct_ok(&a->inst) &&
		   __zalloc_arena_pop(a, ptr, len))) {
		zalloc_direct_freed(&a->inst, ptr, len);
		return;
	}
	__zalloc_arena_free(a, ptr, len, align, _THIS_IP_);
}

/**
 * zalloc_arena_allocator() - the struct zalloc of an arena
 * @a: the instance
 *
 * Context: any; callers serialise all calls on @a.
 * Return: the interface to allocate from, valid until @a is destroyed.
 */
static inline const struct zalloc *zalloc_arena_allocator(struct zalloc_arena *a)
{
	return &a->inst.za;
}

#endif /* _ZALLOC_ARENA_H */
