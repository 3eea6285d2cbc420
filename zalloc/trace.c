// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc trace events (trace.h): how calls reach them.
 *
 * Every call through a struct zalloc goes through the contract's forwarders
 * (zalloc_raw_alloc() and friends, include/zalloc/zalloc.h), inlined in the
 * caller.  Each tests zalloc_trace_key, a static key that is off until one
 * of the alloc, free, resize or remap events is enabled, and only then
 * calls the out-of-line zalloc_trace_*() below, which calls the allocator
 * and records the event.  So a disabled event costs a NOP in the caller
 * (a load and a branch on a kernel without CONFIG_JUMP_LABEL) and nothing
 * in the allocators, and every call through any struct zalloc is seen
 * once, as its caller made it:
 *  - a debug-mode instance records the block its caller holds (the shadow);
 *  - an allocator's calls to its child (an arena's pages) are the child's
 *    events, with the child's name;
 *  - work an allocator does on its own (smp's slabs) has its own event,
 *    zalloc:slab, a plain tracepoint on a slow path.
 *
 * Locking: zalloc_trace_reg() and zalloc_trace_unreg() run under the
 * tracepoint core's mutex, which they order before the jump label lock.
 */
#define pr_fmt(fmt) "zalloc: " fmt

#include <linux/export.h>
#include <linux/jump_label.h>
#include <zalloc/registry.h>
#include <zalloc/zalloc.h>

#include "internal.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

DEFINE_STATIC_KEY_FALSE(zalloc_trace_key);
EXPORT_SYMBOL_NS_GPL(zalloc_trace_key, ZALLOC_NS);

int zalloc_trace_reg(void)
{
	static_branch_inc(&zalloc_trace_key);
	return 0;
}

void zalloc_trace_unreg(void)
{
	static_branch_dec(&zalloc_trace_key);
}

static const char *zalloc_trace_name(const struct zalloc *a)
{
	struct zalloc_instance *inst = zalloc_instance_of(a);

	return inst ? zalloc_report_name(inst) : "(foreign)";
}

/**
 * zalloc_trace_alloc() - zalloc_raw_alloc() with its zalloc:alloc event
 * @a: the allocator
 * @len: as for zalloc_raw_alloc()
 * @align: likewise
 * @gfp: likewise
 * @ip: likewise
 *
 * Called by the forwarders while an event is enabled, never directly.
 *
 * Context: as @a documents for @gfp.
 * Return: what @a's alloc op returns.
 */
void *zalloc_trace_alloc(const struct zalloc *a, size_t len, size_t align,
			 gfp_t gfp, unsigned long ip)
{
	void *p = a->ops->alloc(a->ctx, len, align, gfp, ip);

	trace_alloc(zalloc_trace_name(a), NULL, 0, p, len, align, gfp, ip);
	return p;
}
EXPORT_SYMBOL_NS_GPL(zalloc_trace_alloc, ZALLOC_NS);

/**
 * zalloc_trace_resize() - zalloc_raw_resize() with its zalloc:resize event
 * @a: the allocator
 * @ptr: as for zalloc_raw_resize()
 * @len: likewise
 * @align: likewise
 * @new_len: likewise
 * @gfp: likewise
 * @ip: likewise
 *
 * The event's new_ptr is @ptr if the block was resized, NULL if not.
 *
 * Context: as @a documents for @gfp.
 * Return: what @a's resize op returns.
 */
bool zalloc_trace_resize(const struct zalloc *a, void *ptr, size_t len,
			 size_t align, size_t new_len, gfp_t gfp,
			 unsigned long ip)
{
	bool ok = a->ops->resize(a->ctx, ptr, len, align, new_len, gfp, ip);

	trace_resize(zalloc_trace_name(a), ptr, len, ok ? ptr : NULL, new_len,
		     align, gfp, ip);
	return ok;
}
EXPORT_SYMBOL_NS_GPL(zalloc_trace_resize, ZALLOC_NS);

/**
 * zalloc_trace_remap() - zalloc_raw_remap() with its zalloc:remap event
 * @a: the allocator
 * @ptr: as for zalloc_raw_remap()
 * @len: likewise
 * @align: likewise
 * @new_len: likewise
 * @gfp: likewise
 * @ip: likewise
 *
 * Context: as @a documents for @gfp.
 * Return: what zalloc_raw_remap() would.
 */
void *zalloc_trace_remap(const struct zalloc *a, void *ptr, size_t len,
			 size_t align, size_t new_len, gfp_t gfp,
			 unsigned long ip)
{
	void *p;

	if (a->ops->remap)
		p = a->ops->remap(a->ctx, ptr, len, align, new_len, gfp, ip);
	else
		p = a->ops->resize(a->ctx, ptr, len, align, new_len, gfp, ip) ?
		    ptr : NULL;
	trace_remap(zalloc_trace_name(a), ptr, len, p, new_len, align, gfp,
		    ip);
	return p;
}
EXPORT_SYMBOL_NS_GPL(zalloc_trace_remap, ZALLOC_NS);

/**
 * zalloc_trace_free() - zalloc_raw_free() with its zalloc:free event
 * @a: the allocator
 * @ptr: as for zalloc_raw_free()
 * @len: likewise
 * @align: likewise
 * @ip: likewise
 *
 * The event is recorded before the block is given back, so its address
 * cannot have been handed out again by then.
 *
 * Context: as @a documents.
 */
void zalloc_trace_free(const struct zalloc *a, void *ptr, size_t len,
		       size_t align, unsigned long ip)
{
	trace_free(zalloc_trace_name(a), ptr, len, NULL, 0, align, 0, ip);
	a->ops->free(a->ctx, ptr, len, align, ip);
}
EXPORT_SYMBOL_NS_GPL(zalloc_trace_free, ZALLOC_NS);
