/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shrinkers across kernels, for zalloc.ko only: from 6.7 on a shrinker is
 * allocated by shrinker_alloc() and carries private_data (shrinker.h then
 * defines SHRINKER_ALLOCATED); before, the caller embeds a struct shrinker
 * and registers it with register_shrinker().  zalloc_shrinker_*() hide the
 * difference.
 */
#ifndef _ZALLOC_SHRINKER_H
#define _ZALLOC_SHRINKER_H

#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/string.h>

typedef unsigned long (*zalloc_shrink_fn)(struct shrinker *sh,
					  struct shrink_control *sc);

#ifdef SHRINKER_ALLOCATED
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

#endif /* _ZALLOC_SHRINKER_H */
