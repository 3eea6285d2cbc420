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
 *
 * Shrinkers are allocated by shrinker_alloc() with a private_data field
 * from 6.7 on; before, the caller embedded a struct shrinker and
 * registered it with register_shrinker().  zalloc_shrinker_*() hide the
 * difference (Kbuild defines ZALLOC_HAVE_SHRINKER_ALLOC on 6.7+ trees).
 */
#ifndef _ZALLOC_COMPAT_H
#define _ZALLOC_COMPAT_H

#include <linux/export.h>
#include <linux/log2.h>
#include <linux/mmzone.h>
#include <linux/module.h>
#include <linux/shrinker.h>
#include <linux/slab.h>

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

typedef unsigned long (*zalloc_shrink_fn)(struct shrinker *sh,
					  struct shrink_control *sc);

#ifdef ZALLOC_HAVE_SHRINKER_ALLOC
static inline struct shrinker *zalloc_shrinker_alloc(const char *name,
						     zalloc_shrink_fn count,
						     zalloc_shrink_fn scan,
						     void *data)
{
	struct shrinker *sh = shrinker_alloc(0, "%s", name);

	if (sh) {
		sh->count_objects = count;
		sh->scan_objects = scan;
		sh->private_data = data;
	}
	return sh;
}

static inline void zalloc_shrinker_register(struct shrinker *sh)
{
	shrinker_register(sh);
}

static inline void zalloc_shrinker_free(struct shrinker *sh)
{
	shrinker_free(sh);
}

static inline void *zalloc_shrinker_data(struct shrinker *sh)
{
	return sh->private_data;
}
#else
struct zalloc_shrinker {
	struct shrinker sh;
	void *private_data;
	bool registered;
	char name[48];
};

static inline struct zalloc_shrinker *to_zalloc_shrinker(struct shrinker *sh)
{
	return container_of(sh, struct zalloc_shrinker, sh);
}

static inline struct shrinker *zalloc_shrinker_alloc(const char *name,
						     zalloc_shrink_fn count,
						     zalloc_shrink_fn scan,
						     void *data)
{
	struct zalloc_shrinker *zs = kzalloc(sizeof(*zs), GFP_KERNEL);

	if (!zs)
		return NULL;
	zs->sh.count_objects = count;
	zs->sh.scan_objects = scan;
	zs->sh.seeks = DEFAULT_SEEKS;
	zs->private_data = data;
	strscpy(zs->name, name, sizeof(zs->name));
	return &zs->sh;
}

/* Only register_shrinker() is exported before 6.7; it may fail quietly. */
static inline void zalloc_shrinker_register(struct shrinker *sh)
{
	struct zalloc_shrinker *zs = to_zalloc_shrinker(sh);

	zs->registered = !register_shrinker(sh, "%s", zs->name);
}

static inline void zalloc_shrinker_free(struct shrinker *sh)
{
	if (!sh)
		return;
	if (to_zalloc_shrinker(sh)->registered)
		unregister_shrinker(sh);
	kfree(to_zalloc_shrinker(sh));
}

static inline void *zalloc_shrinker_data(struct shrinker *sh)
{
	return to_zalloc_shrinker(sh)->private_data;
}
#endif

#endif /* _ZALLOC_COMPAT_H */
