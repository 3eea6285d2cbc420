// SPDX-License-Identifier: GPL-2.0
/*
 * The parts of zalloc.ko that are kernel glue rather than allocator, and
 * are not built in userspace, replaced here by what the allocators need of
 * them:
 *
 *  - registry.c (debugfs files, module notifier): names are accepted and
 *    kept in the instance, nothing is created;
 *  - kmalloc.c (a wrapper over the kernel's slab allocator, whose in-place
 *    krealloc() and ksize() have no userspace counterpart): its kind is a
 *    placeholder so instance.c's table of kinds links;
 *  - trace.c (trace events): the key stays off, so the forwarders never
 *    call these; they are plain forwarders should a harness turn it on;
 *  - module.c: uk_zalloc_init() brings the parts up in module.c's order.
 *
 * Every allocator file (page, bitmap, bump, fixed, arena, stack fallback,
 * smp, sbrk, pagemap, magazines, debug mode, instances, counters, deferred
 * frees) is zalloc.ko's own, unchanged.
 */
#include <uk/kernel.h>
#include <zalloc/registry.h>
#include <zalloc/zalloc.h>

#include "../../../zalloc/internal.h"
#include "glue.h"

int zalloc_registry_add(struct zalloc_instance *inst, const char *name,
			struct module *owner)
{
	inst->owner = owner;
	return 0;
}

void zalloc_registry_remove(struct zalloc_instance *inst)
{
}

int zalloc_registry_init(void)
{
	return 0;
}

void zalloc_registry_exit(void)
{
}

static void *uk_no_alloc(void *ctx, size_t len, size_t align, gfp_t gfp,
			 unsigned long ip)
{
	return NULL;
}

static bool uk_no_resize(void *ctx, void *ptr, size_t len, size_t align,
			 size_t new_len, gfp_t gfp, unsigned long ip)
{
	return false;
}

static void uk_no_free(void *ctx, void *ptr, size_t len, size_t align,
		       unsigned long ip)
{
}

static const struct zalloc_ops uk_no_ops = {
	.alloc	= uk_no_alloc,
	.resize	= uk_no_resize,
	.free	= uk_no_free,
};

const struct zalloc_kind zalloc_kind_kmalloc = {
	.name	= "kmalloc (not built in userspace)",
	.ops	= &uk_no_ops,
};

int zalloc_kmalloc_init(void)
{
	return 0;
}

void zalloc_kmalloc_exit(void)
{
}

DEFINE_STATIC_KEY_FALSE(zalloc_trace_key);

void *zalloc_trace_alloc(const struct zalloc *a, size_t len, size_t align,
			 gfp_t gfp, unsigned long ip)
{
	return a->ops->alloc(a->ctx, len, align, gfp, ip);
}

bool zalloc_trace_resize(const struct zalloc *a, void *ptr, size_t len,
			 size_t align, size_t new_len, gfp_t gfp,
			 unsigned long ip)
{
	return a->ops->resize(a->ctx, ptr, len, align, new_len, gfp, ip);
}

void *zalloc_trace_remap(const struct zalloc *a, void *ptr, size_t len,
			 size_t align, size_t new_len, gfp_t gfp,
			 unsigned long ip)
{
	if (a->ops->remap)
		return a->ops->remap(a->ctx, ptr, len, align, new_len, gfp, ip);
	return a->ops->resize(a->ctx, ptr, len, align, new_len, gfp, ip) ?
	       ptr : NULL;
}

void zalloc_trace_free(const struct zalloc *a, void *ptr, size_t len,
		       size_t align, unsigned long ip)
{
	a->ops->free(a->ctx, ptr, len, align, ip);
}

int uk_zalloc_init(unsigned int nr_cpus)
{
	int err;

	uk_init(nr_cpus);
	err = zalloc_registry_init();
	if (!err)
		err = zalloc_page_init();
	if (!err)
		err = zalloc_kmalloc_init();
	if (!err)
		err = zalloc_smp_init();
	if (!err)
		err = zalloc_sbrk_init();
	return err;
}
