// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc stack-fallback allocator: Zig's std.heap.StackFallbackAllocator.
 *
 * A fixed buffer embedded in the instance (ZALLOC_STACK_FALLBACK(n)) is
 * tried first; what does not fit goes to a fallback struct zalloc.  resize,
 * remap and free are routed by the block's start address alone, as in Zig:
 * a start inside the buffer is the buffer's, anything else the fallback's.
 * The buffer is run by the fixed buffer allocator's bump core
 * (zalloc/fixed.c), so its semantics are exactly zalloc_fixed's.
 *
 * Changes from Zig:
 *  - Zig's stackFallback(size, fallback) constructor is init (which also
 *    sets up the instance's counters and optional debugfs name), and Zig's
 *    safety assert on a second get() is a NULL return with a ratelimited
 *    message, so a misuse cannot silently reset live blocks.
 *  - A block whose start is in the buffer but whose length runs past it is
 *    refused by the bump core rather than asserted.
 *
 * Locking: none; callers serialise every call on an instance.
 */
#include <linux/printk.h>
#include <linux/seq_file.h>
#include <zalloc/stack_fallback.h>

#include "buffers.h"

static struct zalloc_stack_fallback *to_sf(void *ctx)
{
	return ctx;
}

static bool sf_owns(struct zalloc_stack_fallback *sf, const void *ptr)
{
	return zalloc_fixed_buf_owns_ptr(&sf->fixed, ptr);
}

static void *sf_alloc(void *ctx, size_t len, size_t align, gfp_t gfp,
		      unsigned long ip)
{
	struct zalloc_stack_fallback *sf = to_sf(ctx);
	void *p = zalloc_fixed_buf_alloc(&sf->fixed, len, align);

	if (!p) {
		p = zalloc_raw_alloc(sf->fallback, len, align, gfp, ip);
		if (p)
			WRITE_ONCE(sf->fallback_allocs,
				   sf->fallback_allocs + 1);
	}
	zalloc_stat_alloc(&sf->inst.stats, p, len);
	return p;
}

static bool sf_resize(void *ctx, void *ptr, size_t len, size_t align,
		      size_t new_len, gfp_t gfp, unsigned long ip)
{
	struct zalloc_stack_fallback *sf = to_sf(ctx);
	bool ok;

	if (sf_owns(sf, ptr))
		ok = zalloc_fixed_buf_resize(&sf->fixed, ptr, len, new_len);
	else
		ok = zalloc_raw_resize(sf->fallback, ptr, len, align, new_len,
				       gfp, ip);
	zalloc_stat_resize(&sf->inst.stats, ok, len, new_len);
	return ok;
}

static void *sf_remap(void *ctx, void *ptr, size_t len, size_t align,
		      size_t new_len, gfp_t gfp, unsigned long ip)
{
	struct zalloc_stack_fallback *sf = to_sf(ctx);
	void *p;

	if (sf_owns(sf, ptr))
		p = zalloc_fixed_buf_resize(&sf->fixed, ptr, len, new_len) ?
		    ptr : NULL;
	else
		p = zalloc_raw_remap(sf->fallback, ptr, len, align, new_len,
				     gfp, ip);
	zalloc_stat_remap(&sf->inst.stats, ptr, p, len, new_len);
	return p;
}

static void sf_free(void *ctx, void *ptr, size_t len, size_t align,
		    unsigned long ip)
{
	struct zalloc_stack_fallback *sf = to_sf(ctx);

	if (sf_owns(sf, ptr))
		zalloc_fixed_buf_free(&sf->fixed, ptr, len);
	else
		zalloc_raw_free(sf->fallback, ptr, len, align, ip);
	zalloc_stat_free(&sf->inst.stats, len);
}

static const struct zalloc_ops sf_ops = {
	.alloc	= sf_alloc,
	.resize	= sf_resize,
	.remap	= sf_remap,
	.free	= sf_free,
};

static void sf_show_stats(struct seq_file *m, struct zalloc_instance *inst)
{
	struct zalloc_stack_fallback *sf =
		container_of(inst, struct zalloc_stack_fallback, inst);

	seq_printf(m, "buffer_size %zu\n", sf->fixed.size);
	seq_printf(m, "end_index %zu\n", READ_ONCE(sf->fixed.end_index));
	seq_printf(m, "fallback_allocations %lu\n",
		   READ_ONCE(sf->fallback_allocs));
}

static const struct zalloc_instance_ops sf_iops = {
	.show_stats	= sf_show_stats,
};

/**
 * __zalloc_stack_fallback_init() - set up a stack-fallback allocator
 * @sf: the state; use zalloc_stack_fallback_init() on the declared struct
 * @buffer: the embedded buffer, inside the same struct as @sf
 * @size: its size in bytes
 * @fallback: the allocator behind the buffer; must outlive @sf
 * @name: a debugfs name under /sys/kernel/debug/zalloc/, or NULL for none
 * @gfp: allocation flags for the instance's counters
 * @owner: the module @name belongs to; zalloc_stack_fallback_init()
 *	passes THIS_MODULE
 *
 * Context: any context @gfp allows; with a @name, process context.
 * Return: 0; -EINVAL if @fallback is NULL, the buffer is unusable, or
 * @name is given with a non-sleeping @gfp; -ENOMEM; or an error from
 * zalloc_instance_register().
 */
int __zalloc_stack_fallback_init(struct zalloc_stack_fallback *sf,
				 void *buffer, size_t size,
				 const struct zalloc *fallback,
				 const char *name, gfp_t gfp,
				 struct module *owner)
{
	if (!fallback || !zalloc_fixed_buf_valid(buffer, size)) {
		pr_warn_ratelimited("zalloc: stack_fallback: bad init arguments\n");
		return -EINVAL;
	}
	sf->za.ctx = sf;
	sf->za.ops = &sf_ops;
	sf->fallback = fallback;
	zalloc_fixed_buf_init(&sf->fixed, buffer, size);
	sf->got = false;
	sf->fallback_allocs = 0;
	sf->named = !!name;
	return zalloc_buffers_instance_init(&sf->inst, "stack_fallback",
					    &sf_iops, name, gfp, owner);
}
EXPORT_SYMBOL_NS_GPL(__zalloc_stack_fallback_init, ZALLOC_NS);

/**
 * __zalloc_stack_fallback_get() - reset the buffer and return the interface
 * @sf: the state; use zalloc_stack_fallback_get() on the declared struct
 *
 * Context: any.
 * Return: the struct zalloc, valid until destroy; NULL (with a ratelimited
 * message) if it was already returned since init.
 */
const struct zalloc *
__zalloc_stack_fallback_get(struct zalloc_stack_fallback *sf)
{
	if (sf->got) {
		pr_warn_ratelimited("zalloc: stack_fallback: get() called twice\n");
		return NULL;
	}
	sf->got = true;
	WRITE_ONCE(sf->fixed.end_index, 0);
	return &sf->za;
}
EXPORT_SYMBOL_NS_GPL(__zalloc_stack_fallback_get, ZALLOC_NS);

/**
 * __zalloc_stack_fallback_destroy() - tear down a stack-fallback allocator
 * @sf: the state; use zalloc_stack_fallback_destroy() on the declared struct
 *
 * Frees the counters and removes the debugfs name.  Blocks the fallback
 * still holds are not tracked and stay the caller's to free.
 *
 * Context: any context if unnamed; process context if named.
 */
void __zalloc_stack_fallback_destroy(struct zalloc_stack_fallback *sf)
{
	zalloc_buffers_instance_destroy(&sf->inst, sf->named);
}
EXPORT_SYMBOL_NS_GPL(__zalloc_stack_fallback_destroy, ZALLOC_NS);
