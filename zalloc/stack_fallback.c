// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc stack-fallback allocator: Zig's std.heap.StackFallbackAllocator.
 *
 * A fixed buffer embedded in the instance (ZALLOC_STACK_FALLBACK(n)) is
 * tried first; what does not fit goes to a fallback struct zalloc.  resize,
 * remap and free are routed by the block's start address alone, as in Zig:
 * a start inside the buffer is the buffer's, anything else the fallback's.
 * The buffer is run by the fixed buffer allocator's bump core
 * (zalloc/bump.c), so its semantics are exactly zalloc_fixed's.
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
#define pr_fmt(fmt) "zalloc: " fmt

#include <linux/printk.h>
#include <zalloc/stack_fallback.h>

#include "buffers.h"
#include "debug_core.h"
#include "internal.h"

static const char * const sf_counters[NR_ZALLOC_SF_COUNTERS] = {
	[ZALLOC_SF_FALLBACK_ALLOCS]	= "fallback_allocations",
	[ZALLOC_SF_BUFFER_SIZE]	= "buffer_size",
	[ZALLOC_SF_END_INDEX]		= "end_index",
};

static struct zalloc_stack_fallback *to_sf(void *ctx)
{
	return container_of(ctx, struct zalloc_stack_fallback, inst);
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

	if (p) {
		zalloc_init_on_alloc(p, len);
	} else {
		p = zalloc_raw_alloc(sf->fallback, len, align, gfp, ip);
		if (p)
			zalloc_count_event(&sf->inst, ZALLOC_SF_FALLBACK_ALLOCS);
	}
	zalloc_count_alloc(&sf->inst, p, len);
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
	zalloc_count_resize(&sf->inst, ok, len, new_len);
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
	zalloc_count_remap(&sf->inst, ptr, p, len, new_len);
	return p;
}

static void sf_free(void *ctx, void *ptr, size_t len, size_t align,
		    unsigned long ip)
{
	struct zalloc_stack_fallback *sf = to_sf(ctx);

	if (!sf_owns(sf, ptr))
		zalloc_raw_free(sf->fallback, ptr, len, align, ip);
	else if (!zalloc_fixed_buf_free(&sf->fixed, ptr, len))
		return;
	zalloc_count_free(&sf->inst, len);
}

static const struct zalloc_ops sf_ops = {
	.alloc	= sf_alloc,
	.resize	= sf_resize,
	.remap	= sf_remap,
	.free	= sf_free,
};

static void sf_read(struct zalloc_instance *inst, unsigned long *v)
{
	struct zalloc_stack_fallback *sf = to_sf(inst);

	v[ZALLOC_SF_BUFFER_SIZE] = sf->fixed.size;
	v[ZALLOC_SF_END_INDEX] = READ_ONCE(sf->fixed.end_index);
}

const struct zalloc_kind zalloc_kind_stack_fallback = {
	.name		= "stack_fallback",
	.ops		= &sf_ops,
	.counters	= sf_counters,
	.nr_events	= 1,
	.nr_counters	= NR_ZALLOC_SF_COUNTERS,
	.read		= sf_read,
};

/**
 * __zalloc_stack_fallback_init() - set up a stack-fallback allocator
 * @sf: the state; use zalloc_stack_fallback_init() on the declared struct
 * @buffer: the embedded buffer, inside the same struct as @sf
 * @size: its size in bytes
 * @fallback: the allocator behind the buffer; must outlive @sf
 * @name: a debugfs name under /sys/kernel/debug/zalloc/, or NULL for none
 * @flags: ZALLOC_F_DEBUG, ZALLOC_F_NODEBUG or 0 (include/zalloc/debug.h);
 *	in debug mode every block, buffer or fallback, gets a shadow
 * @gfp: allocation flags for the instance's counters
 * @owner: the module @name belongs to; zalloc_stack_fallback_init()
 *	passes THIS_MODULE
 *
 * Context: any context @gfp allows; with a @name, process context.
 * Return: 0; -EINVAL if @fallback is NULL, the buffer is unusable, or
 * @name is given with a non-sleeping @gfp or @flags are unknown; -ENOMEM;
 * -EEXIST or -EINVAL for a taken or invalid name.
 */
int __zalloc_stack_fallback_init(struct zalloc_stack_fallback *sf,
				 void *buffer, size_t size,
				 const struct zalloc *fallback,
				 const char *name, unsigned int flags,
				 gfp_t gfp, struct module *owner)
{
	struct zalloc_setup s = {
		.name = name, .flags = flags, .gfp = gfp, .owner = owner,
	};

	if (!fallback || !zalloc_fixed_buf_valid(buffer, size)) {
		pr_warn_ratelimited("stack_fallback: bad init arguments\n");
		return -EINVAL;
	}
	sf->fallback = fallback;
	zalloc_fixed_buf_init(&sf->fixed, buffer, size);
	sf->got = false;
	sf->inst.flags = 0;
	return zalloc_instance_setup(&sf->inst, &zalloc_kind_stack_fallback,
				     &s);
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
		pr_warn_ratelimited("stack_fallback: get() called twice\n");
		return NULL;
	}
	sf->got = true;
	zalloc_fixed_buf_rewind(&sf->fixed, 0);
	return &sf->inst.za;
}
EXPORT_SYMBOL_NS_GPL(__zalloc_stack_fallback_get, ZALLOC_NS);

/**
 * __zalloc_stack_fallback_destroy() - tear down a stack-fallback allocator
 * @sf: the state; use zalloc_stack_fallback_destroy() on the declared struct
 *
 * Frees the counters and removes the debugfs name.  Blocks the fallback
 * still holds are not tracked and stay the caller's to free (in debug
 * mode they are reported as leaks and given back).
 *
 * Context: any context if unnamed; process context if named.
 */
void __zalloc_stack_fallback_destroy(struct zalloc_stack_fallback *sf)
{
	zalloc_instance_teardown(&sf->inst);
}
EXPORT_SYMBOL_NS_GPL(__zalloc_stack_fallback_destroy, ZALLOC_NS);
