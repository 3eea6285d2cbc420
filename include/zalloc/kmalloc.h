/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zalloc kmalloc allocator: Zig's C allocator on kmalloc, krealloc, ksize.
 *
 * malloc is kmalloc, malloc_usable_size is ksize; krealloc resizes in place.
 *
 * Alignment: kmalloc guarantees ARCH_KMALLOC_MINALIGN for every size and,
 * for any size, the largest power of two dividing it
 * (Documentation/core-api/memory-allocation.rst).  A request with a larger
 * alignment is therefore sent to kmalloc rounded up to a multiple of that
 * alignment, which makes kmalloc honour it, with no header and no padding
 * beyond the rounding.  Requests above KMALLOC_MAX_SIZE return NULL.
 *
 * Resize: in place within what ksize() reports, with KASAN re-poisoned to
 * the new length by krealloc().  Remap: the same, never a move: moving a
 * kmalloc block means alloc + copy + free, which zalloc_realloc() does.
 *
 * Context: as kmalloc() for the gfp_t given; free: any context but NMI.
 * On PREEMPT_RT, where kmalloc may not be called in hard IRQ or with IRQs
 * or preemption off, alloc, resize and remap fail there (NULL/false,
 * counted) and a free there is handed to a worker.
 */
#ifndef _ZALLOC_KMALLOC_H
#define _ZALLOC_KMALLOC_H

#include <zalloc/zalloc.h>

/*
 * The global kmalloc allocator, registered as "kmalloc"; its instance is
 * zalloc_instance_of(&zalloc_kmalloc_allocator).  Set up at module init.
 */
extern struct zalloc zalloc_kmalloc_allocator;

#endif /* _ZALLOC_KMALLOC_H */
