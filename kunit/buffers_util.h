/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the zalloc_fixed, zalloc_arena and zalloc_stack_fallback
 * suites: byte patterns, a child allocator whose failures a test controls,
 * and a way to read an instance's own statistics lines.
 */
#ifndef _ZALLOC_KUNIT_BUFFERS_UTIL_H
#define _ZALLOC_KUNIT_BUFFERS_UTIL_H

#include <kunit/test.h>
#include <zalloc/registry.h>
#include <zalloc/zalloc.h>

#include "zalloc_kunit.h"

/**
 * struct zalloc_test_flaky - a child allocator that fails on request
 * @za: the interface
 * @child: the allocator it forwards to
 * @fail_alloc: alloc returns NULL without calling @child
 * @fail_resize: resize returns false and remap NULL without calling @child
 * @allocs: successful allocations forwarded
 * @live: blocks handed out and not yet freed
 *
 * Single-threaded, like the tests that use it.
 */
struct zalloc_test_flaky {
	struct zalloc za;
	const struct zalloc *child;
	bool fail_alloc;
	bool fail_resize;
	unsigned long allocs;
	long live;
};

struct zalloc_test_flaky *zalloc_test_flaky(struct kunit *test,
					    const struct zalloc *child);

void zalloc_test_show_stats(struct zalloc_instance *inst, char *out,
			    size_t size);
unsigned long zalloc_test_stat(struct zalloc_instance *inst,
			       enum zalloc_stat_item item);

#endif /* _ZALLOC_KUNIT_BUFFERS_UTIL_H */
