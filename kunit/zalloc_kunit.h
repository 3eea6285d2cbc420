/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared pieces of the zalloc KUnit suites: the validating wrapper (Zig's
 * ValidationAllocator) and the list of allocators the contract suite runs.
 */
#ifndef _ZALLOC_KUNIT_H
#define _ZALLOC_KUNIT_H

#include <kunit/test.h>
#include <zalloc/zalloc.h>

/**
 * struct zalloc_validator - a struct zalloc that checks every call
 * @za: the interface to hand to the code under test
 * @test: the test to fail
 * @child: the allocator under test
 * @live_blocks: blocks handed out and not yet freed
 * @live_bytes: their requested bytes
 * @calls: ops called so far (to prove that some calls make none)
 *
 * Like Zig's ValidationAllocator it checks that no zero length reaches the
 * child and that every block is aligned as asked; it also checks the remap
 * result's alignment and keeps live counts, which must balance at the end.
 * Not thread safe: for single-threaded tests.
 */
struct zalloc_validator {
	struct zalloc za;
	struct kunit *test;
	const struct zalloc *child;
	long live_blocks;
	long live_bytes;
	unsigned long calls;
};

struct zalloc_validator *zalloc_test_validator(struct kunit *test,
					       const struct zalloc *child);
void zalloc_test_expect_balanced(struct zalloc_validator *v);

/**
 * struct zalloc_test_allocator - one allocator the contract suite runs over
 * @name: shown as the parameter's name
 * @get: return the allocator for @test, setting up (and registering the
 *	cleanup of) whatever instance it needs; NULL fails the test.
 */
struct zalloc_test_allocator {
	const char *name;
	const struct zalloc *(*get)(struct kunit *test);
};

#endif /* _ZALLOC_KUNIT_H */
