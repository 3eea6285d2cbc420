/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fuzz engine shared by every zalloc fuzz target (fuzz_*.c): it decodes
 * an input into calls on one allocator instance and checks every result
 * against a model of the contract (include/zalloc/zalloc.h) and of the
 * allocator, which each target supplies as a struct fz_target.
 *
 * An input is one config byte (the target's: buffer sizes, chunk sizes,
 * providers, init_on_alloc / init_on_free) and then 5-byte operations:
 *
 *   op  a  b  c  d
 *   op % 16:  0-3 alloc(len(a, b), align(c), gfp(d))   4-5 free(block a)
 *             6 resize   7 remap   8 realloc (block a to len(b, c), gfp d)
 *             9, 10 the target's own (reset, trim, save/restore, ...)
 *             11 move to CPU a   12 let time pass (work items, RCU)
 *             13 make the a-th next allocation inside zalloc fail
 *             14 a bad call the allocator must refuse and report
 *             15 memory pressure (every shrinker)
 *   op & 0x10: allocs and frees (good and bad) of this operation go
 *             through the target's direct calls, where it has them
 *             (zalloc_fixed_alloc()/free(), zalloc_arena_alloc()/free())
 *
 * Every call is checked for:
 *  - alignment, and no overlap with any block the model holds live;
 *  - contents: every block is filled with a pattern of its own, checked
 *    before every free, resize, remap and realloc and at the end, so an
 *    allocator handing out memory twice or losing bytes in a move is caught;
 *    fresh bytes read zero under __GFP_ZERO or init_on_alloc;
 *  - the outcome: each target says whether a call must succeed, must be
 *    refused, or may go either way (out of memory: only when an injected or
 *    real allocation failure happened during the call);
 *  - the counters: after every call the instance's common counters
 *    (zalloc_stats_read()) must have moved exactly as the outcome says, and
 *    no message may have been printed for a valid call;
 *  - at the end, the target's own counters (zalloc_instance_info()) against
 *    its model, then teardown, then nothing left behind: pages, vmalloc,
 *    per-CPU memory and kmalloc objects as before the input.
 * A failed check prints what was expected and found, the latest kernel
 * messages, and aborts, which libFuzzer reports as a crash.
 */
#ifndef _FZ_ENGINE_H
#define _FZ_ENGINE_H

#include <uk/kernel.h>
#include <zalloc/registry.h>
#include <zalloc/stats.h>
#include <zalloc/zalloc.h>

#define FZ_BLOCKS	48
#define FZ_CPUS		4

enum fz_expect {
	FZ_MUST,	/* must succeed */
	FZ_MUST_NOT,	/* must be refused */
	FZ_MAY,		/* either (checked against faults where it matters) */
	FZ_MAY_OOM,	/* succeed, unless an allocation failed meanwhile */
};

/**
 * struct fz_blk - a block the model holds live
 * @p: its address
 * @len: its length
 * @align: its alignment
 * @seed: its fill pattern
 * @serial: allocation order (for "the last block" of bump allocators)
 * @room: target-private (debug mode: how far it may grow)
 * @where: target-private (stack fallback: in the buffer or not)
 */
struct fz_blk {
	u8 *p;
	size_t len;
	size_t align;
	u32 seed;
	unsigned long serial;
	size_t room;
	int where;
};

struct fz;

/**
 * struct fz_target - one allocator under test
 * @name: for messages
 * @max_len: lengths are cut to this
 * @max_align_shift: alignments are cut to 1 << this
 * @setup: make the instance from the config byte: set f->a and f->inst
 * @teardown: destroy it; every model block has been freed
 * @expect_alloc: what an alloc of @len, @align must do
 * @expect_relen: what a resize (or remap) of @b to @new_len must do
 * @alloced, @freed, @relenned: keep the target's model in step
 * @op: the target's own operations 9 and 10 (@which 0 or 1)
 * @bad: operation 14; returns true if it made a call that must be refused
 * @refused: optional, the instance's count of refused calls: each call
 *	@bad made must add one to it, and at the end it equals their number
 * @final: check the target's own counters; blocks are still live
 * @alloc_direct: optional, the target's direct allocation call, which the
 *	engine makes instead of zalloc_alloc() when the operation asks
 * @free_direct: optional, likewise the direct free
 * @direct_no_gfp: @alloc_direct takes no gfp_t (GFP_NOWAIT, no __GFP_ZERO)
 * @free_keeps_bytes: a freed block's bytes stay readable (the bump
 *	allocators): under init_on_free they must read zero after the free
 */
struct fz_target {
	const char *name;
	size_t max_len;
	unsigned int max_align_shift;
	void (*setup)(struct fz *f, u8 config);
	void (*teardown)(struct fz *f);
	enum fz_expect (*expect_alloc)(struct fz *f, size_t len, size_t align);
	enum fz_expect (*expect_relen)(struct fz *f, struct fz_blk *b,
				       size_t new_len);
	void (*alloced)(struct fz *f, struct fz_blk *b);
	void (*freed)(struct fz *f, struct fz_blk *b);
	void (*relenned)(struct fz *f, struct fz_blk *b, size_t old_len);
	void (*op)(struct fz *f, int which, const u8 *arg);
	bool (*bad)(struct fz *f, const u8 *arg);
	unsigned long (*refused)(struct fz *f);
	void (*final)(struct fz *f);
	void *(*alloc_direct)(struct fz *f, size_t len, size_t align,
			      gfp_t gfp);
	void (*free_direct)(struct fz *f, void *p, size_t len, size_t align);
	bool direct_no_gfp;
	bool free_keeps_bytes;
};

/**
 * struct fz - one run over one input
 * @t: the target
 * @a: the allocator under test
 * @inst: its instance
 * @blk: the live blocks, @nr of them
 * @serial: allocations made
 * @bad: bad calls made
 * @sum: the instance's common counters as the model expects them
 * @priv: the target's
 * @config: the input's config byte
 * @direct: the operation now running goes through the direct calls
 */
struct fz {
	const struct fz_target *t;
	const struct zalloc *a;
	struct zalloc_instance *inst;
	struct fz_blk blk[FZ_BLOCKS];
	unsigned int nr;
	unsigned long serial;
	unsigned long bad;
	struct zalloc_stats_sum sum;
	void *priv;
	u8 config;
	bool direct;
};

int fz_run(const struct fz_target *t, const u8 *data, size_t size);

__printf(2, 3) __noreturn void fz_fail(struct fz *f, const char *fmt, ...);
#define FZ_CHECK(f, cond, fmt, ...) do {				\
	if (unlikely(!(cond)))						\
		fz_fail(f, "%s:%d: %s: " fmt, __FILE__, __LINE__, #cond, ##__VA_ARGS__); \
} while (0)

/* The instance's own counters, by the kind's enum. */
unsigned long fz_info(struct fz *f, unsigned int item);
/* Has a zalloc allocation failed since @since (uk_faults())? */
static inline bool fz_faulted(unsigned long since)
{
	return uk_faults() != since;
}

/* The newest live block (by allocation order), or NULL. */
struct fz_blk *fz_newest(struct fz *f);
/* Forget every live block (a reset gave them all back). */
void fz_forget_all(struct fz *f);
/* Check a block's contents against its pattern. */
void fz_check_contents(struct fz *f, const struct fz_blk *b, size_t len);
/* Count a reset's frees in the expected counters, as the instance does. */
void fz_expect_drop_live(struct fz *f);
/* Expect (or not) one message of level pr_warn or worse from the next call. */
void fz_expect_report(struct fz *f);
void fz_sync_counters(struct fz *f, const char *what);
/* A block the allocator handed out some other way: counted and tracked. */
struct fz_blk *fz_track(struct fz *f, u8 *p, size_t len, size_t align);
/* Free a live block through the allocator, checked and counted. */
void fz_free_blk(struct fz *f, struct fz_blk *b);
/* zalloc_free(), or the target's direct free if the operation asks. */
void fz_call_free(struct fz *f, void *p, size_t len, size_t align);
/* A recently freed block no live block overlaps (double-free probes). */
struct fz_blk *fz_grave_pick(struct fz *f, u8 a);
/*
 * Operation 14 for a size-class allocator (smp, sbrk): free @grave again,
 * a pointer inside a live block, a pointer it never returned, or a live
 * block with the length @wrong_len gives (0: none).  Returns whether it
 * made a call.
 */
bool fz_bad_free(struct fz *f, const u8 *arg, const struct fz_blk *grave,
		 size_t (*wrong_len)(const struct fz_blk *b));
/* Count the live blocks @small says are small, and the others. */
void fz_count_live(const struct fz *f, bool (*small)(size_t len, size_t align),
		   unsigned long *nr_small, unsigned long *nr_big);
/*
 * The page allocator's in-place rule (zalloc/page.c): the same page count,
 * or fewer from a buddy block; a vmalloc area (a large block whose buddy
 * attempt failed) cannot give back part of itself.
 */
static inline enum fz_expect fz_page_relen(const void *p, size_t len,
					   size_t new_len)
{
	if (PAGE_ALIGN(new_len) == PAGE_ALIGN(len))
		return FZ_MUST;
	if (PAGE_ALIGN(new_len) > PAGE_ALIGN(len) || is_vmalloc_addr(p))
		return FZ_MUST_NOT;
	return FZ_MUST;
}

/* The gfp of the call being predicted. */
extern gfp_t fz_gfp_now;

/* Class of max(len, align), 8 bytes and up, as smp and sbrk compute it. */
static inline unsigned int fz_class(size_t len, size_t align)
{
	return fls64((max(len, align) - 1) | 7) - 3;
}

#define FZ_DEFINE_TARGET(t)						\
int LLVMFuzzerTestOneInput(const u8 *data, size_t size);		\
int LLVMFuzzerTestOneInput(const u8 *data, size_t size)		\
{									\
	return fz_run(&(t), data, size);				\
}

#endif /* _FZ_ENGINE_H */
