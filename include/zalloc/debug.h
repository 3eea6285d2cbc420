/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zalloc debug mode: a generic core an allocator instance routes its calls
 * through when its debug flag is set, in the spirit of Zig's DebugAllocator.
 *
 * Every block becomes a separate allocation, kmalloc() up to 32 KiB and
 * kvmalloc() above, so KASAN, KFENCE and kmemleak see each object the
 * allocator hands out (a module cannot
 * use KASAN's mempool hooks in 6.12).  The allocator's semantics stay: the
 * instance describes them in a struct zalloc_debug_sem (which requests it
 * can serve, how far a block can grow in place, whether a shrink gives the
 * room back, whether remap may move), and its counters keep counting.
 *
 * Each block has a red zone from its end to the end of its allocation and
 * in the alignment padding before it.  Every free, resize and remap checks:
 *
 *  - the pointer is a live block of this instance: otherwise it is a double
 *    free (a recently freed block; both sites are reported) or an invalid
 *    free (unknown, or inside another block);
 *  - the length and alignment are the block's own;
 *  - the red zone is intact.
 *
 * A bad call is reported once with pr_err (the caller's return address and
 * the allocation's), counted, and changes nothing: the block stays as it
 * was.  A red-zone overwrite is reported when found and the block is then
 * handled as asked.  zalloc_debug_destroy() reports every live block with
 * its size and allocation site, then frees it.
 *
 * Two modes.  Emulation (zalloc_debug_init()): the core is the allocator
 * and keeps the rules a struct zalloc_debug_sem describes (the page and
 * kmalloc allocators).  Shadow (zalloc_debug_wrap()): the core sits over
 * any struct zalloc, which keeps serving and counting every call exactly
 * as in normal mode, while the caller gets a separate allocation in place
 * of each of its blocks.  A shadow block can grow in place to
 * max(2 * length at allocation, alignment, 64 bytes); within that the inner
 * allocator decides every resize and remap, beyond it the call is refused.
 * The smp, sbrk and bitmap allocators use shadow mode for their
 * ZALLOC_F_DEBUG flag (include/zalloc/zalloc.h).
 *
 * The module parameter zalloc.debug (default off) is the default for
 * instances created without an explicit choice (ZALLOC_F_DEBUG or
 * ZALLOC_F_NODEBUG) and for the global instances; see
 * zalloc_debug_default().
 *
 * Locking: one spinlock per instance (IRQ-safe) protects its block records;
 * the allocations and frees are made outside it.  Lock order: the
 * allocator's own locks, then the debug lock; nothing is taken under it.
 */
#ifndef _ZALLOC_DEBUG_H
#define _ZALLOC_DEBUG_H

#include <linux/hashtable.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <zalloc/registry.h>
#include <zalloc/zalloc.h>

/* Bytes of red zone at least after every block. */
#define ZALLOC_DEBUG_REDZONE		16
/* Freed blocks remembered to tell a double free from an invalid one. */
#define ZALLOC_DEBUG_QUARANTINE		256

enum zalloc_debug_report {
	ZALLOC_DEBUG_DOUBLE_FREE,	/* a block freed (or resized) twice */
	ZALLOC_DEBUG_INVALID_FREE,	/* a pointer this instance never gave */
	ZALLOC_DEBUG_WRONG_LEN,		/* length passed is not the block's */
	ZALLOC_DEBUG_WRONG_ALIGN,	/* alignment passed is not the block's */
	ZALLOC_DEBUG_REDZONE_BAD,	/* write past the end (or before) */
	ZALLOC_DEBUG_LEAK,		/* live at destroy */
	NR_ZALLOC_DEBUG_REPORTS
};

/**
 * struct zalloc_debug_sem - the allocator semantics debug mode keeps
 * @fits: whether the allocator can serve @len bytes at @align at all
 *	(false: alloc returns NULL); NULL means any request fits
 * @capacity: how far a block of @len bytes at @align can grow in place
 *	(>= @len), e.g. PAGE_ALIGN(@len) for pages; NULL means @len
 * @resize_ok: a further rule for resizing a block of @len bytes at @align
 *	to @new_len within its room (e.g. a vmalloc'd page block cannot
 *	shrink across pages); NULL means none
 * @shrink_trims: after a shrink the block's room is @capacity(new length)
 *	(pages given back); otherwise it keeps its room (kmalloc's ksize())
 * @remap_moves: remap may move a block that cannot grow in place (krealloc);
 *	otherwise remap is resize
 */
struct zalloc_debug_sem {
	bool (*fits)(size_t len, size_t align);
	size_t (*capacity)(size_t len, size_t align);
	bool (*resize_ok)(size_t len, size_t align, size_t new_len);
	bool shrink_trims;
	bool remap_moves;
};

/**
 * struct zalloc_debug - a debug-mode core
 * @za: a struct zalloc over this core (ctx = the core)
 * @inner: shadow mode: the allocator that serves every call; emulation
 *	mode: all zero
 * @name: for reports
 * @sem: emulation mode: the semantics kept; shadow mode: NULL
 * @inst: the instance whose counters it counts into; may be NULL
 * @lock: protects @live, @freed and @nr_freed
 * @live: live block records, hashed by address
 * @freed: recently freed block records, oldest first
 * @nr_freed: entries in @freed, at most ZALLOC_DEBUG_QUARANTINE
 * @reports: problems found, by enum zalloc_debug_report
 */
struct zalloc_debug {
	struct zalloc za;
	struct zalloc inner;
	const char *name;
	const struct zalloc_debug_sem *sem;
	struct zalloc_instance *inst;
	spinlock_t lock;	/* protects live, freed, nr_freed */
	DECLARE_HASHTABLE(live, 8);
	struct list_head freed;
	unsigned int nr_freed;
	atomic_long_t reports[NR_ZALLOC_DEBUG_REPORTS];
};

bool zalloc_debug_default(void);
void zalloc_debug_init(struct zalloc_debug *d, const char *name,
		       const struct zalloc_debug_sem *sem,
		       struct zalloc_instance *inst);
unsigned long zalloc_debug_destroy(struct zalloc_debug *d);
struct zalloc_debug *zalloc_debug_wrap(const char *name,
				       const struct zalloc *inner,
				       struct zalloc_instance *inst, gfp_t gfp);
unsigned long zalloc_debug_unwrap(struct zalloc_debug *d);
unsigned long zalloc_debug_reset(struct zalloc_debug *d);
const struct zalloc *zalloc_debug_inner(const struct zalloc *za);
struct zalloc_debug *zalloc_debug_of(const struct zalloc *za);
int zalloc_debug_instance_flags(unsigned int flags, unsigned int own);
unsigned long zalloc_debug_reports(struct zalloc_debug *d,
				   enum zalloc_debug_report kind);

void *zalloc_debug_alloc(struct zalloc_debug *d, size_t len, size_t align,
			 gfp_t gfp, unsigned long ip);
bool zalloc_debug_resize(struct zalloc_debug *d, void *ptr, size_t len,
			 size_t align, size_t new_len, gfp_t gfp,
			 unsigned long ip);
void *zalloc_debug_remap(struct zalloc_debug *d, void *ptr, size_t len,
			 size_t align, size_t new_len, gfp_t gfp,
			 unsigned long ip);
void zalloc_debug_free(struct zalloc_debug *d, void *ptr, size_t len,
		       size_t align, unsigned long ip);

#endif /* _ZALLOC_DEBUG_H */
