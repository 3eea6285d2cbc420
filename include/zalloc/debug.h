/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zalloc debug mode, in the spirit of Zig's DebugAllocator: any instance
 * can run in it, whatever its allocator.
 *
 * How an instance gets there (the one way): ZALLOC_F_DEBUG in the flags of
 * its create or init call; ZALLOC_F_NODEBUG keeps it out; with neither, the
 * zalloc.debug module parameter decides, and it alone decides for the
 * global instances (page, kmalloc, smp, sbrk).  The choice is made at setup
 * and never changes.
 *
 * What it does: the allocator keeps serving every call exactly as in normal
 * mode (its rules, its failures, its counters), but the caller gets a
 * separate kmalloc() (kvmalloc() above 32 KiB) allocation, the shadow, in
 * place of each block, so KASAN, KFENCE and kmemleak see every object.  A
 * shadow has room for its block to grow to max(2 * length at allocation,
 * alignment, 64 bytes); within that the allocator decides every resize and
 * remap, beyond it the call is refused (and counted as refused) without
 * asking the allocator.  A shadow has red zones in its alignment padding
 * and from the block's end to the end of its allocation.  Every free,
 * resize and remap checks:
 *
 *  - the pointer is a live block of this instance: otherwise it is a double
 *    free (a recently freed block; both sites are reported) or an invalid
 *    free (unknown, or inside another block);
 *  - the length and alignment are the block's own;
 *  - the red zone is intact.
 *
 * A bad call is reported once with pr_err (the caller's return address and
 * the allocation's), counted (zalloc_debug_reports()), and changes nothing.
 * A red-zone overwrite is reported when found and the block is then handled
 * as asked.  Tearing the instance down reports every live block with its
 * size and allocation site (a fixed buffer, arena or stack fallback drops
 * them silently, as its reset does).
 *
 * Queries that take a block of the instance (zalloc_fixed_owns_ptr(),
 * zalloc_bitmap_owns(), ...) see through the shadows.
 *
 * Contexts: the debug core's own lock is a raw spinlock, so frees, resizes
 * and remaps are allowed wherever the allocator allows them.  Shadows come
 * from kmalloc, which debug mode does not call in hard IRQ (nor, on
 * PREEMPT_RT, with IRQs or preemption off): an allocation there fails
 * (NULL, counted as a failed allocation) in debug mode even if the
 * allocator would serve it; shadows freed there are given back later by a
 * worker.
 */
#ifndef _ZALLOC_DEBUG_H
#define _ZALLOC_DEBUG_H

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
	ZALLOC_DEBUG_LEAK,		/* live at teardown */
	NR_ZALLOC_DEBUG_REPORTS
};

bool zalloc_debug_enabled(const struct zalloc *a);
unsigned long zalloc_debug_reports(const struct zalloc *a,
				   enum zalloc_debug_report kind);

#endif /* _ZALLOC_DEBUG_H */
