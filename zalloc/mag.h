/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Magazines: the per-CPU front of the smp and sbrk allocators (SLUB's
 * sheaves, bpf_mem_alloc's per-CPU lists), one per size class per CPU.
 *
 * A magazine is an array of free blocks of one class, used only by its CPU
 * with IRQs off: allocation pops the newest, free pushes, no atomic
 * instruction, no lock.  Its owner refills an empty one from its back end,
 * and gives half of a full one back, under the back end's lock.
 *
 * A block in a magazine holds a cookie in its first word: a random per
 * instance key mixed with the block's address.  A free of a block whose
 * first word is its cookie is a double free of a block still in some
 * magazine; a block leaving a magazine without its cookie was written to
 * after it was freed.  An allocation clears the cookie.
 *
 * The fast paths count into the CPU's front too (struct zalloc_mag_stats),
 * with plain adds while IRQs are off; the kind's fold adds every CPU's
 * share to the common counters when they are read.
 *
 * Locking: none of its own; see above.
 */
#ifndef _ZALLOC_MAG_H
#define _ZALLOC_MAG_H

#include <linux/bitops.h>
#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <linux/cpumask.h>
#include <linux/minmax.h>
#include <linux/percpu.h>
#include <linux/types.h>
#include <zalloc/stats.h>

/* Blocks a magazine holds at most: struct zalloc_mag is 512 bytes. */
#define ZALLOC_MAG_MAX		63
/* A magazine holds at most this many bytes of blocks (and 1 block). */
#define ZALLOC_MAG_BYTES	(32 * 1024)
/* Size classes, 8 bytes to 32 KiB: sbrk uses them all, smp those to 8 KiB. */
#define ZALLOC_MAG_CLASSES	13
/* The smallest class, 8 bytes: a free block holds a word. */
#define ZALLOC_MAG_MIN_SHIFT	3

/**
 * struct zalloc_mag - one class's magazine on one CPU
 * @nr: blocks in it
 * @cap: blocks it may hold, zalloc_mag_cap() of its class (beside @nr,
 *	so the free fast path compares the two without a table lookup)
 * @obj: the blocks, newest last; each holds its cookie in its first word
 */
struct zalloc_mag {
	unsigned int nr;
	unsigned int cap;
	void *obj[ZALLOC_MAG_MAX];
};

/* A power of two, so that a CPU's magazine for a class is a shift away. */
static_assert(sizeof(struct zalloc_mag) == 512);

/*
 * Blocks of class @class (8 << @class bytes) a magazine holds:
 * ZALLOC_MAG_BYTES worth, between 1 and ZALLOC_MAG_MAX (63 blocks up to
 * 512 bytes, 32 of 1 KiB, down to 1 of 32 KiB), so that a CPU's magazines
 * hold at most 254 KiB of blocks (sbrk's 13 classes; smp's 11: 190 KiB).
 */
static inline unsigned int zalloc_mag_cap(unsigned int class)
{
	return clamp_t(unsigned int, ZALLOC_MAG_BYTES >> (class + 3), 1,
		       ZALLOC_MAG_MAX);
}

/*
 * Zig's sizeClassIndex(): log2(ceil_pow2(max(@len, @align, 8))) - 3.  Both
 * users call it with @len and @align each at least 1 (a 0 would give a
 * class past the last).  The highest bit of
 * (len - 1) | (align - 1) is that of max(len, align) - 1, with no compare;
 * | 7 makes sizes 1 to 8 class 0 with no branch, and is never 0, so __fls()
 * needs no zero check.
 */
static __always_inline unsigned int zalloc_mag_class(size_t len, size_t align)
{
	size_t n = (len - 1) | (align - 1);

	return __fls(n | ((1U << ZALLOC_MAG_MIN_SHIFT) - 1)) + 1 -
	       ZALLOC_MAG_MIN_SHIFT;
}

/*
 * The magazine of @class among a CPU's @mags, for the fast paths: hidden
 * from the optimiser, so that its slots are addressed from it in one
 * instruction rather than worked out again from the CPU's structure and
 * the class (that was 5 instructions of smp's 145 a reuse pair).
 */
static __always_inline struct zalloc_mag *zalloc_mag_of(struct zalloc_mag *mags,
							unsigned int class)
{
	struct zalloc_mag *m = &mags[class];

	OPTIMIZER_HIDE_VAR(m);
	return m;
}

static __always_inline bool zalloc_mag_empty(const struct zalloc_mag *m)
{
	return !m->nr;
}

static __always_inline bool zalloc_mag_full(const struct zalloc_mag *m)
{
	return m->nr >= m->cap;
}

/*
 * Take the newest block off @m, which is not empty.  (A NULL for empty
 * would cost the fast paths a test: the compiler cannot know no block is
 * NULL.)
 */
static __always_inline void *zalloc_mag_pop(struct zalloc_mag *m)
{
	return m->obj[--m->nr];
}

/*
 * Add @p to @m, which has room.  Callers store the cookie after: a store
 * into the block first would make the compiler read @m's count again.
 */
static __always_inline void zalloc_mag_push(struct zalloc_mag *m, void *p)
{
	m->obj[m->nr++] = p;
}

/*
 * A refill of up to @want blocks into @m, which has room for them: they go
 * in from the top down, so that the first one taken is the first popped
 * (a slab's blocks then go out in address order).  The filler stores them
 * at *--top from top = zalloc_mag_fill_top(m, want) on, and ends with
 * zalloc_mag_fill_done(m, want, n), which closes the gap below them if
 * fewer than @want came.
 */
static __always_inline void **zalloc_mag_fill_top(struct zalloc_mag *m,
						  unsigned int want)
{
	return &m->obj[m->nr + want];
}

static inline void zalloc_mag_fill_done(struct zalloc_mag *m,
					unsigned int want, unsigned int n)
{
	void **low = &m->obj[m->nr];

	if (n < want)
		memmove(low, low + (want - n), n * sizeof(*low));
	m->nr += n;
}

/* Take the @n oldest blocks out of @m, after they were given back. */
static __always_inline void zalloc_mag_drop_oldest(struct zalloc_mag *m,
						   unsigned int n)
{
	m->nr -= n;
	memmove(m->obj, m->obj + n, m->nr * sizeof(m->obj[0]));
}

/* Empty magazines for classes 0 .. @n - 1 of one CPU. */
static inline void zalloc_mags_init(struct zalloc_mag *mag, unsigned int n)
{
	unsigned int class;

	for (class = 0; class < n; class++) {
		mag[class].nr = 0;
		mag[class].cap = zalloc_mag_cap(class);
	}
}

/*
 * The cookie a block at @p holds while it is in a magazine.  Unlike a
 * free-list link (freelist.h) it hides no pointer, so the address needs no
 * swab(): what matters is that it differs per block and cannot be guessed
 * without the key.
 */
static __always_inline unsigned long zalloc_mag_cookie(unsigned long key,
						       const void *p)
{
	return key ^ (unsigned long)p;
}

/**
 * struct zalloc_mag_stats - the common counters' share of a CPU's fast paths
 * @allocs: allocations a fast path made on the CPU
 * @bytes_alloc: the bytes they asked for
 * @frees: frees a fast path made on the CPU
 * @bytes_free: their lengths
 *
 * A plain add to the front the fast paths already hold, with IRQs off,
 * where a per-CPU add to the instance's counters would first load their
 * address.  Written only by the CPU, read by the kind's fold from any.
 */
struct zalloc_mag_stats {
	unsigned long allocs;
	unsigned long bytes_alloc;
	unsigned long frees;
	unsigned long bytes_free;
};

/* One allocation of @len bytes by a fast path (IRQs off, @st its CPU's). */
static __always_inline void zalloc_mag_count_alloc(struct zalloc_mag_stats *st,
						   size_t len)
{
#ifndef ZALLOC_NO_STATS
	st->allocs++;
	st->bytes_alloc += len;
#endif
}

/* One free of @len bytes by a fast path (IRQs off, @st its CPU's). */
static __always_inline void zalloc_mag_count_free(struct zalloc_mag_stats *st,
						  size_t len)
{
#ifndef ZALLOC_NO_STATS
	st->frees++;
	st->bytes_free += len;
#endif
}

/*
 * Add every CPU's share to @sum, for a kind's fold; from any CPU.  @st is
 * the per-CPU counters inside the kind's per-CPU fronts (&fronts->stats).
 */
static inline void zalloc_mag_stats_fold(struct zalloc_stats_sum *sum,
					 struct zalloc_mag_stats __percpu *st)
{
	struct zalloc_mag_stats v;
	int cpu;

	for_each_possible_cpu(cpu) {
		/* The CPU's plain adds, read as they are (like counters). */
		v = data_race(*per_cpu_ptr(st, cpu));
		sum->v[ZALLOC_STAT_ALLOC] += v.allocs;
		sum->v[ZALLOC_STAT_BYTES_ALLOC] += v.bytes_alloc;
		sum->v[ZALLOC_STAT_FREE] += v.frees;
		sum->v[ZALLOC_STAT_BYTES_FREE] += v.bytes_free;
	}
}

#endif /* _ZALLOC_MAG_H */
