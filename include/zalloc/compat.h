/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zalloc compatibility shims: the one place that knows kernel differences.
 *
 * Symbol namespaces are bare identifiers up to 6.12 and string literals from
 * 6.13 on (commit cdd30ebb1b9f).  Kbuild probes the target tree's
 * MODULE_IMPORT_NS() and defines ZALLOC_NS_IS_STRING when it takes a string,
 * so exporters write EXPORT_SYMBOL_NS_GPL(sym, ZALLOC_NS) and consumers
 * MODULE_IMPORT_NS(ZALLOC_NS) on any kernel.  (6.12 stringifies the macro
 * argument after expanding it, so ZALLOC_NS becomes "ZALLOC" there too.)
 *
 * The largest buddy order is MAX_PAGE_ORDER (inclusive) from 6.8 on; 6.4 to
 * 6.7 call it MAX_ORDER (inclusive) and earlier kernels have an exclusive
 * MAX_ORDER (6.1: 11 means orders 0..10).  MAX_ORDER_NR_PAGES is the largest
 * block's page count in all of them, so its log2 is the inclusive order
 * without a version check.
 *
 * For the benchmark's peers: SLAB_NO_MERGE appeared in 6.5 (before it, a
 * dedicated cache may be merged with kmalloc's, which the benchmark then
 * measures instead), and page_frag_cache_drain() in 6.10; Kbuild defines
 * ZALLOC_HAVE_PAGE_FRAG_CACHE_DRAIN where the tree declares it, and older
 * trees get 6.12's body, written with what 6.1 exports.
 */
#ifndef _ZALLOC_COMPAT_H
#define _ZALLOC_COMPAT_H

#include <linux/export.h>
#include <linux/log2.h>
#include <linux/mmzone.h>
#include <linux/module.h>

#ifdef ZALLOC_NS_IS_STRING
#define ZALLOC_NS	"ZALLOC"
#else
#define ZALLOC_NS	ZALLOC
#endif

#ifndef MAX_PAGE_ORDER
#define MAX_PAGE_ORDER	ilog2(MAX_ORDER_NR_PAGES)
#endif

#ifndef SLAB_NO_MERGE
#define SLAB_NO_MERGE	0
#endif

#ifndef ZALLOC_HAVE_PAGE_FRAG_CACHE_DRAIN
#include <linux/gfp.h>
#include <linux/mm.h>

static inline void page_frag_cache_drain(struct page_frag_cache *nc)
{
	if (!nc->va)
		return;
	__page_frag_cache_drain(virt_to_head_page(nc->va), nc->pagecnt_bias);
	nc->va = NULL;
}
#endif

#endif /* _ZALLOC_COMPAT_H */
