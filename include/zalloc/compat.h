/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zalloc compatibility: the kernel differences a consumer of the public
 * headers sees, decided from the target kernel's own headers alone, so a
 * module that includes <zalloc/...> builds in its own Kbuild with nothing
 * but zalloc's include/ on its path (no probes, no defines of ours).
 *
 * Symbol namespaces are bare identifiers up to 6.12 and string literals from
 * 6.13 on (commit cdd30ebb1b9f), with no macro that tells the two apart, so
 * the version the headers declare decides.  Exporters write
 * EXPORT_SYMBOL_NS_GPL(sym, ZALLOC_NS) and consumers
 * MODULE_IMPORT_NS(ZALLOC_NS) on any kernel.  (6.12 stringifies the macro
 * argument after expanding it, so ZALLOC_NS becomes "ZALLOC" there too.)
 *
 * The largest buddy order is MAX_PAGE_ORDER (inclusive) from 6.8 on; 6.4 to
 * 6.7 call it MAX_ORDER (inclusive) and earlier kernels have an exclusive
 * MAX_ORDER (6.1: 11 means orders 0..10).  MAX_ORDER_NR_PAGES is the largest
 * block's page count in all of them, so its log2 is the inclusive order.
 *
 * Differences only zalloc.ko or the benchmark meet live with them
 * (zalloc/shrinker.h, bench/compat.h), not here.
 */
#ifndef _ZALLOC_COMPAT_H
#define _ZALLOC_COMPAT_H

#include <linux/log2.h>
#include <linux/mmzone.h>
#include <linux/version.h>

#if KERNEL_VERSION(6, 13, 0) <= LINUX_VERSION_CODE
#define ZALLOC_NS	"ZALLOC"
#else
#define ZALLOC_NS	ZALLOC
#endif

#ifndef MAX_PAGE_ORDER
#define MAX_PAGE_ORDER	ilog2(MAX_ORDER_NR_PAGES)
#endif

#endif /* _ZALLOC_COMPAT_H */
