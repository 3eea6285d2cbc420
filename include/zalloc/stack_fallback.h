/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zalloc stack-fallback allocator: Zig's StackFallbackAllocator(size), an
 * N-byte buffer embedded in the struct, bump-allocated first, in front of a
 * fallback struct zalloc.  It is the reusable form of the "on-stack array,
 * else kvmalloc()" pattern of core_sys_select() and do_sys_poll().
 *
 *	DEFINE_ZALLOC_STACK_FALLBACK(sfa, 256);
 *	const struct zalloc *a;
 *
 *	if (zalloc_stack_fallback_init(&sfa, &zalloc_kmalloc_allocator,
 *				       NULL, 0, GFP_KERNEL))
 *		return -ENOMEM;
 *	a = zalloc_stack_fallback_get(&sfa);
 *	... allocate from a ...
 *	zalloc_stack_fallback_destroy(&sfa);
 *
 * The struct may live on a kernel stack (mind the frame size), inside
 * another struct, or in allocated memory; it must not be copied or moved
 * after init, because the bump state points into it.
 *
 * alloc tries the buffer (as the fixed buffer allocator: bump, only the
 * last block freed or grown in place) and then the fallback.  resize, remap
 * and free go to whichever owns the block's start address.  A block in the
 * buffer never grows past it by remap; zalloc_realloc() then moves it to
 * the fallback, and a fallback block whose remap is refused can move back
 * into the buffer.
 *
 * get() resets the buffer and returns the struct zalloc; call it once per
 * init (Zig asserts this; here a second call returns NULL).
 *
 * Locking: none; callers serialise every call on an instance.  The
 * fallback does its own locking.
 *
 * Context: buffer blocks need no context at all; alloc falls back as the
 * fallback allows for the gfp_t given; resize, remap and free of fallback
 * blocks as the fallback allows.
 */
#ifndef _ZALLOC_STACK_FALLBACK_H
#define _ZALLOC_STACK_FALLBACK_H

#include <zalloc/fixed.h>
#include <zalloc/registry.h>
#include <zalloc/zalloc.h>

/**
 * struct zalloc_stack_fallback - the state in front of the embedded buffer
 * @inst: the instance; inst.za is what zalloc_stack_fallback_get() returns
 * @fallback: where requests go that the buffer cannot serve
 * @fixed: the bump state over the embedded buffer
 * @got: zalloc_stack_fallback_get() was called
 *
 * Declared through ZALLOC_STACK_FALLBACK(); private to zalloc.
 */
struct zalloc_stack_fallback {
	struct zalloc_instance inst;
	const struct zalloc *fallback;
	struct zalloc_fixed_buf fixed;
	bool got;
};

/* The state, then the buffer it hands out; the state points into it. */
#define __ZALLOC_STACK_FALLBACK_FIELDS(n)				\
	struct zalloc_stack_fallback sf;				\
	u8 buffer[n] __aligned(sizeof(void *))

/**
 * ZALLOC_STACK_FALLBACK() - the type of a stack-fallback allocator
 * @n: bytes in its embedded buffer, a compile-time constant
 *
 * An anonymous struct type, for a member of another struct; declare a
 * variable with DEFINE_ZALLOC_STACK_FALLBACK().
 */
#define ZALLOC_STACK_FALLBACK(n)					\
	struct {							\
		__ZALLOC_STACK_FALLBACK_FIELDS(n);			\
	}

/**
 * DEFINE_ZALLOC_STACK_FALLBACK() - declare a stack-fallback allocator
 * @name: the variable
 * @n: bytes in its embedded buffer, a compile-time constant
 *
 * Like DEFINE_FLEX(): for a variable on the stack (or static).
 */
#define DEFINE_ZALLOC_STACK_FALLBACK(name, n)				\
	struct {							\
		__ZALLOC_STACK_FALLBACK_FIELDS(n);			\
	} name

/**
 * enum zalloc_sf_counter - a stack fallback's own counters
 * @ZALLOC_SF_FALLBACK_ALLOCS: allocations the fallback served
 * @ZALLOC_SF_BUFFER_SIZE: bytes of the embedded buffer
 * @ZALLOC_SF_END_INDEX: bytes of it in use, alignment padding included
 * @NR_ZALLOC_SF_COUNTERS: how many
 *
 * Read with zalloc_instance_info(); the "stats" file shows them by name.
 */
enum zalloc_sf_counter {
	ZALLOC_SF_FALLBACK_ALLOCS,
	ZALLOC_SF_BUFFER_SIZE,
	ZALLOC_SF_END_INDEX,
	NR_ZALLOC_SF_COUNTERS
};

int __zalloc_stack_fallback_init(struct zalloc_stack_fallback *sf,
				 void *buffer, size_t size,
				 const struct zalloc *fallback,
				 const char *name, unsigned int flags,
				 gfp_t gfp, struct module *owner);
const struct zalloc *
__zalloc_stack_fallback_get(struct zalloc_stack_fallback *sf);
void __zalloc_stack_fallback_destroy(struct zalloc_stack_fallback *sf);

/**
 * zalloc_stack_fallback_init() - set up a stack-fallback allocator
 * @s: pointer to a ZALLOC_STACK_FALLBACK(n) struct
 * @fallback: the allocator behind the buffer; must outlive @s
 * @name: a debugfs name, or NULL for none
 * @flags: ZALLOC_F_DEBUG, ZALLOC_F_NODEBUG or 0 (include/zalloc/debug.h)
 * @gfp: allocation flags for the instance's counters
 *
 * Context: any context @gfp allows; with a @name, process context.
 * Return: 0, -EINVAL or -ENOMEM, see __zalloc_stack_fallback_init().
 */
#define zalloc_stack_fallback_init(s, fallback, name, flags, gfp) ({	\
	typeof(s) __zsf = (s);						\
	__zalloc_stack_fallback_init(&__zsf->sf, __zsf->buffer,		\
				     sizeof(__zsf->buffer), fallback,	\
				     name, flags, gfp, THIS_MODULE);	\
})

/**
 * zalloc_stack_fallback_get() - reset the buffer and return the interface
 * @s: pointer to an initialised ZALLOC_STACK_FALLBACK(n) variable
 *
 * Context: any.
 * Return: the struct zalloc, or NULL if already called since init.
 */
#define zalloc_stack_fallback_get(s) __zalloc_stack_fallback_get(&(s)->sf)

/**
 * zalloc_stack_fallback_destroy() - tear down a stack-fallback allocator
 * @s: pointer to an initialised ZALLOC_STACK_FALLBACK(n) variable
 *
 * Blocks still held in the fallback are the caller's to free first.
 *
 * Context: any context if unnamed; process context if named.
 */
#define zalloc_stack_fallback_destroy(s)				\
	__zalloc_stack_fallback_destroy(&(s)->sf)

#endif /* _ZALLOC_STACK_FALLBACK_H */
