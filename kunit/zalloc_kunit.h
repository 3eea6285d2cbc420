/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared pieces of the zalloc KUnit suites: the validating wrapper (Zig's
 * ValidationAllocator, kunit/validator.c), the table of allocators the
 * contract, badinput and faults suites run over (zalloc_contract_allocators[]
 * in contract.c), the contract tests T1..T4 for other suites to reuse, the
 * test's own instances and their counters and debugfs files
 * (kunit/util.c), and fault injection switches.  The concurrency harness
 * is kunit/xcpu.h.
 */
#ifndef _ZALLOC_KUNIT_H
#define _ZALLOC_KUNIT_H

#include <kunit/test.h>
#include <linux/sched.h>
#include <zalloc/registry.h>
#include <zalloc/zalloc.h>

/**
 * struct zalloc_validator - a struct zalloc that checks every call
 * @za: the interface to hand to the code under test
 * @test: the test to fail
 * @child: the allocator under test
 * @live_blocks: blocks handed out and not yet freed
 * @live_bytes: their requested bytes
 * @calls: ops called so far (to prove that some calls make none)
 * @allocs: alloc ops that returned a block
 * @alloc_nulls: alloc ops that returned NULL
 * @frees: free ops
 * @resizes: resize ops (done or refused)
 * @remaps: remap ops (done or refused)
 * @refusals: resize ops that returned false plus remap ops that returned
 *	NULL
 * @fail_alloc: alloc returns NULL without calling @child
 * @fail_resize: resize returns false and remap NULL without calling @child
 *
 * Like Zig's ValidationAllocator it checks that no zero length reaches the
 * child and that every block is aligned as asked; it also checks the remap
 * result's alignment and keeps live counts, which must balance at the end.
 * The test may make it fail on purpose (@fail_alloc, @fail_resize), as a
 * child that runs out of memory.  Not thread safe: for single-threaded
 * tests.
 */
struct zalloc_validator {
	struct zalloc za;
	struct kunit *test;
	const struct zalloc *child;
	long live_blocks;
	long live_bytes;
	unsigned long calls;
	unsigned long allocs;
	unsigned long alloc_nulls;
	unsigned long frees;
	unsigned long resizes;
	unsigned long remaps;
	unsigned long refusals;
	bool fail_alloc;
	bool fail_resize;
};

/* A pattern of @seed and the offset. */
void zalloc_test_fill(void *p, size_t len, u8 seed);
bool zalloc_test_filled(const void *p, size_t len, u8 seed);

/* The test's own instances and their counters (kunit/util.c). */
struct zalloc *zalloc_test_adopt(struct kunit *test, struct zalloc *a);
unsigned long zalloc_test_destroy_now(struct kunit *test, struct zalloc *a);
unsigned long zalloc_test_stat(struct zalloc_instance *inst,
			       enum zalloc_stat_item item);
void zalloc_test_expect_same_stats(struct kunit *test,
				   struct zalloc_instance *x,
				   struct zalloc_instance *y);
unsigned long zalloc_test_info(struct zalloc_instance *inst, unsigned int i);

/* An instance's debugfs files (kunit/util.c). */
char *zalloc_test_debugfs(struct kunit *test, const char *name,
			  const char *file);
long zalloc_test_value(const char *text, const char *key);
long zalloc_test_column_sum(const char *table, const char *column);
long zalloc_test_row_value(const char *table, const char *row,
			   const char *column);

struct zalloc_validator *zalloc_test_validator(struct kunit *test,
					       const struct zalloc *child);
void zalloc_test_expect_balanced(struct zalloc_validator *v);

/**
 * struct zalloc_test_allocator - one allocator the suites run over
 * @name: shown as the parameter's name
 * @get: return the allocator for @test, setting up (and registering the
 *	cleanup of) whatever instance it needs; NULL fails the test.  Its
 *	counters (zalloc_instance_of()) are what the faults suite checks.
 * @keeps_backing: freeing every block does not give the backing memory
 *	back before the instance is destroyed (arena, fixed buffer), so the
 *	faults suite does not expect the backing counters to balance.
 * @faults_max_len: the largest block the faults suite asks for (0: 24 KiB);
 *	keep the allocator's vmalloc paths out of the fault windows (see
 *	kunit/faults.c).
 * @faults_skip: the allocator makes no kernel allocation once set up (a
 *	fixed buffer), so injected faults cannot reach it: the faults suite
 *	skips it rather than fail for seeing no failure.
 * @faults_rare: the allocator calls the kernel only now and then (an arena
 *	when it grows, a size-class allocator when it needs a slab) or
 *	survives a failed call from cached memory, so a run may see no NULL;
 *	every NULL it does return is still checked, as are the counters.
 * @serial: the caller must serialise calls (arena, fixed buffer, stack
 *	fallback): suites that share one instance between threads skip it.
 */
struct zalloc_test_allocator {
	const char *name;
	const struct zalloc *(*get)(struct kunit *test);
	bool keeps_backing;
	size_t faults_max_len;
	bool faults_skip;
	bool faults_rare;
	bool serial;
};

const void *zalloc_test_gen_allocators(const void *prev, char *desc);
const struct zalloc_test_allocator *zalloc_test_param(struct kunit *test);
const struct zalloc *zalloc_test_get(struct kunit *test,
				     const struct zalloc_test_allocator *t);

/* Zig's generic heap tests (kunit/contract.c), over any allocator. */
void zalloc_contract_basic(struct kunit *test, const struct zalloc *child);
void zalloc_contract_aligned(struct kunit *test, const struct zalloc *child);
void zalloc_contract_large_alignment(struct kunit *test,
				     const struct zalloc *child);
void zalloc_contract_aligned_shrink(struct kunit *test,
				    const struct zalloc *child);
void zalloc_contract_all(struct kunit *test, const struct zalloc *a);

/*
 * Fault injection: with the kernel's failslab and fail_page_alloc set up
 * by tools/init.sh (task-filter=Y, probability > 0), allocations made by a
 * task fail at random only while that task's make_it_fail is set.  Set it
 * around the allocator calls under test only (never around KUnit's own
 * allocations), in every thread that makes such calls.
 */
static inline bool zalloc_test_faults_available(void)
{
	return IS_ENABLED(CONFIG_FAILSLAB) && IS_ENABLED(CONFIG_FAIL_PAGE_ALLOC);
}

static inline void zalloc_test_faults_on(void)
{
#ifdef CONFIG_FAULT_INJECTION
	WRITE_ONCE(current->make_it_fail, 1);
#endif
}

static inline void zalloc_test_faults_off(void)
{
#ifdef CONFIG_FAULT_INJECTION
	WRITE_ONCE(current->make_it_fail, 0);
#endif
}

#endif /* _ZALLOC_KUNIT_H */
