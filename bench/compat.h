/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the benchmark's kernel peers need across kernels (6.1 to 6.12).
 *
 * SLAB_NO_MERGE appeared in 6.5; before it a dedicated cache may be merged
 * with kmalloc's, which the benchmark then measures instead.
 * page_frag_cache_drain() appeared in 6.10; Kbuild defines
 * ZALLOC_HAVE_PAGE_FRAG_CACHE_DRAIN where the tree declares it, and older
 * trees get 6.12's body, written with what 6.1 exports.
 */
#ifndef _ZALLOC_BENCH_COMPAT_H
#define _ZALLOC_BENCH_COMPAT_H

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>

#ifndef SLAB_NO_MERGE
#define SLAB_NO_MERGE	0
#endif

#ifndef ZALLOC_HAVE_PAGE_FRAG_CACHE_DRAIN
static inline void page_frag_cache_drain(struct page_frag_cache *nc)
{
	if (!nc->va)
		return;
	__page_frag_cache_drain(virt_to_head_page(nc->va), nc->pagecnt_bias);
	nc->va = NULL;
}
#endif

#endif /* _ZALLOC_BENCH_COMPAT_H */
