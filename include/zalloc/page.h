/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zalloc page allocator: Zig's PageAllocator on kernel pages.
 *
 * Every block is a whole number of pages.  Blocks up to
 * PAGE_ALLOC_COSTLY_ORDER, and any block aligned above PAGE_SIZE, come from
 * the buddy allocator; larger ones try the buddy allocator without retrying
 * and fall back to vmalloc when the gfp_t allows sleeping.  A request for
 * more than all of RAM returns NULL without asking vmalloc (which would
 * warn).
 *
 * Alignment: PAGE_SIZE always; above PAGE_SIZE up to the largest buddy block
 * (PAGE_SIZE << MAX_PAGE_ORDER), by taking a naturally aligned buddy block;
 * larger alignments return NULL.
 *
 * Resize: in place when the page count is unchanged; a buddy block also
 * shrinks by giving its tail pages back.  Growing past the last page, and
 * shrinking a vmalloc block across pages, are refused.  Remap never moves
 * (moving would need a copy), so zalloc_realloc() copies.
 *
 * Context: alloc with a gfp_t that allows sleeping may sleep; with
 * GFP_ATOMIC/GFP_NOWAIT it serves up to PAGE_SIZE << MAX_PAGE_ORDER bytes
 * from the buddy allocator from any context but NMI.  resize, remap and free:
 * any context but NMI.  On PREEMPT_RT, where the page allocator's locks
 * sleep, alloc, resize and remap fail (NULL/false, counted) in hard IRQ and
 * wherever IRQs or preemption are off; a free there is handed to a worker,
 * which gives the pages back soon after.
 */
#ifndef _ZALLOC_PAGE_H
#define _ZALLOC_PAGE_H

#include <zalloc/zalloc.h>

/*
 * The global page allocator, registered as "page"; its instance is
 * zalloc_instance_of(&zalloc_page_allocator).  Set up at module init.
 */
extern struct zalloc zalloc_page_allocator;

#endif /* _ZALLOC_PAGE_H */
