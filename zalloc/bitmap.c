// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc bitmap allocator: Ghostty's BitmapAllocator
 * (src/terminal/bitmap_allocator.zig) in kernel C.
 *
 * A buffer is split into chunks of a power-of-two size, with one bit per
 * chunk in u64 words at the front of the buffer; a set bit is a free chunk,
 * so searches look for ones.  An allocation takes ceil(len / chunk_size)
 * contiguous chunks, the first such run by chunk index.  This is gen_pool's
 * job (lib/genalloc.c): carving device SRAM, a DMA window or any buffer into
 * pieces, with the caller passing the size back on free.  The search is
 * Ghostty's, which works on whole words instead of bit by bit:
 *
 *  - runs of up to 64 chunks: in each word, fold the word onto itself
 *    (run &= run >> h, doubling the run length each step) so that bit b
 *    stays set only if bits b..b+n-1 are all free; O(log n) shifts per
 *    word.  If the word has no such run, try the run made of the word's
 *    free top bits and the next word's free bottom bits (Ghostty's fix
 *    for runs straddling two words).
 *  - longer runs: the free top bits of one word, then whole free words,
 *    then enough free bottom bits of the last one.
 *
 * What changed from Ghostty, and why:
 *  - The chunks start at the bitmap's end rounded up to the chunk size
 *    (Ghostty: the bitmap's end, 8-byte aligned), so chunk addresses are
 *    aligned to the chunk size in a buffer that is.  The allocator works
 *    out the alignment its chunks really have at init and refuses larger
 *    alignments with NULL; Ghostty asserts.
 *  - Ghostty stores offsets so its pages can move; kernel buffers do not
 *    move, so this stores pointers.
 *  - C's clz/ctz are undefined for 0 and shifts by 64 are undefined; the
 *    helpers below define every input (clz(0) = ctz(0) = 64, masks of 0
 *    and 64 bits), where Zig defines them itself.
 *  - free() checks that the block lies in the chunks, starts a chunk and
 *    is allocated, and refuses (with a ratelimited message) a double free,
 *    a foreign or misaligned pointer or a length running into free chunks,
 *    instead of setting bits regardless as Ghostty does (gen_pool BUG()s).
 *    The bitmap keeps no block boundaries, so a pointer to a chunk inside
 *    a block, or a length short of the block's, frees what it names.
 *  - A counter of free chunks rejects hopeless requests without a search,
 *    and a hint (the first word that may have a free bit) skips the fully
 *    allocated words at the front; neither changes which run is chosen.
 *    The fast path first tries the run starting at the hint word's lowest
 *    free chunk, which is the first fit whenever it is free, and folds
 *    only when it is not; a run longer than a word is tried there too
 *    (its head must reach the word's top).  When the last allocation took
 *    the hint word's last chunks, the fast path moves the hint on to the
 *    next word itself.
 *  - free tests and sets whole words (the first and last under a mask);
 *    a block inside one word is freed inline, and in a locked instance
 *    without the lock (below).
 *  - resize grows into free chunks right after the block (Ghostty has no
 *    resize).
 *
 * Locking: a caller-locked instance has none; the caller serializes.  A
 * ZALLOC_BITMAP_LOCKED instance takes b->lock, a raw spinlock, with IRQs
 * off around every call but one, so it may be called from hardirq and
 * softirq context too, on PREEMPT_RT as well.  The exception is the free
 * of a block within one word (the common case), which takes no lock, as
 * gen_pool's frees take none:
 *  - it sets the block's bits with one compare-and-exchange that fails if
 *    any of them is already free, so of two frees of one block exactly one
 *    succeeds; the updates made under the lock are compare-and-exchanges
 *    too (bitmap_search.h), since a word may gain free bits meanwhile;
 *  - it adds to b->nr_free atomically (allocation subtracts atomically);
 *  - b->hint is written under the lock only; the free lowers b->freed_hint
 *    to its word instead, and the next allocation folds that into the hint
 *    (an allocation that misses a free still in flight ran before it).
 * Only the lock holder takes chunks, so what it found free stays free.
 * The lock is a leaf: no allocation, callback or other lock happens under
 * it (messages are printed after it is dropped), so all instances share
 * one lockdep class and cannot nest.  Lock order: an allocator built over
 * a bitmap instance takes its own lock, then this one;
 * zalloc_registry_lock (reading the debugfs stats file), then this one.
 */
#define pr_fmt(fmt) "zalloc: " fmt

#include <linux/err.h>
#include <linux/slab.h>
#include <zalloc/bitmap.h>

#include "bitmap_search.h"
#include "debug_core.h"
#include "internal.h"

/* The lockless free: a cmpxchg of a u64, ror64() of an offset. */
static_assert(BITS_PER_LONG == 64, "zalloc's bitmap needs a 64-bit kernel");

/* Whether frees may run outside the lock (see the file header). */
static __always_inline bool zb_shared(const struct zalloc_bitmap *b)
{
	return b->inst.flags & ZALLOC_BITMAP_LOCKED;
}

/*
 * Locking: a no-op for caller-locked instances (see the file header).
 * @shared is zb_shared(@b), passed down so that it is tested once a call.
 */
static __always_inline unsigned long zb_lock(struct zalloc_bitmap *b,
					     bool shared)
	__acquires(&b->lock)
{
	unsigned long flags = 0;

	if (shared)
		raw_spin_lock_irqsave(&b->lock, flags);
	else
		__acquire(&b->lock);
	return flags;
}

static __always_inline void zb_unlock(struct zalloc_bitmap *b,
				      unsigned long flags, bool shared)
	__releases(&b->lock)
{
	if (shared)
		raw_spin_unlock_irqrestore(&b->lock, flags);
	else
		__release(&b->lock);
}

/* Add @n (negative: take) to the free chunk count; @shared: zb_shared(). */
static __always_inline void zb_count_chunks(struct zalloc_bitmap *b, long n,
					    bool shared)
{
	if (shared)
		atomic_long_add(n, &b->nr_free);
	else
		atomic_long_set(&b->nr_free, atomic_long_read(&b->nr_free) + n);
}

/*
 * The first word that may have a free chunk, with the lowest word a
 * lockless free has given chunks back to since the last look folded in.
 * Under the lock.
 */
static __always_inline size_t zb_hint(struct zalloc_bitmap *b, bool shared)
{
	if (shared && unlikely(READ_ONCE(b->freed_hint) < b->hint))
		b->hint = min_t(size_t, b->hint,
				xchg(&b->freed_hint, SIZE_MAX));
	return b->hint;
}

/* Chunks a block of @len bytes takes. */
static __always_inline size_t zb_chunks_for(const struct zalloc_bitmap *b,
					    size_t len)
{
	return (len >> b->chunk_shift) + !!(len & (b->chunk_size - 1));
}

/* The chunk @ptr starts, if it is the start of a chunk of @b. */
static __always_inline bool zb_index_of(const struct zalloc_bitmap *b,
					const void *ptr, size_t *index)
{
	unsigned long off = (unsigned long)ptr - (unsigned long)b->chunks;

	if (off >= (unsigned long)b->nr_chunks << b->chunk_shift ||
	    off & (b->chunk_size - 1))
		return false;
	*index = off >> b->chunk_shift;
	return true;
}

/*
 * The fast path for a run of @n > 64 chunks: the one from the lowest free
 * chunk of hint word @i (@word), if that chunk's free bits reach the top
 * of the word and the words after it are free far enough; the first fit,
 * as for short runs.  The words the run covers in full were all free, so
 * no free can change them: plain stores, after acquire loads (as
 * zalloc_bits_claim_large()).  Under the lock.
 */
static __always_inline bool zb_claim_hint_long(struct zalloc_bitmap *b,
					       size_t n, size_t i, u64 word,
					       size_t *index, bool shared)
{
	unsigned int bit = __ffs64(word);
	size_t j = i + 1, k, rem = n - (ZB_BITS - bit);	/* >= 1 */
	u64 last;

	/* Its head reaches the top, and its tail fits before the end. */
	if (word >> bit != ZB_FULL >> bit ||
	    rem > (b->nr_words - j) * ZB_BITS)
		return false;
	for (; rem > ZB_BITS; rem -= ZB_BITS, j++) {
		/* Acquire: a word read all free is cleared with a plain store. */
		if (smp_load_acquire(&b->words[j]) != ZB_FULL)
			return false;
	}
	last = READ_ONCE(b->words[j]);
	if ((last & zb_run_mask(rem)) != zb_run_mask(rem))
		return false;
	zb_word_take(&b->words[i], word, ZB_FULL << bit, shared);
	for (k = i + 1; k < j; k++)
		WRITE_ONCE(b->words[k], 0);
	zb_word_take(&b->words[j], last, zb_run_mask(rem), shared);
	zb_count_chunks(b, -(long)n, shared);
	/* Words i to j - 1 are all taken now (a free lowers freed_hint). */
	b->hint = j + (last == zb_run_mask(rem));
	*index = i * ZB_BITS + bit;
	return true;
}

/*
 * The fast path: a run at the hint word's lowest free chunk (runs of up
 * to 64 chunks: inside the hint word).  The words before the hint have no
 * free chunk, so the lowest such run is the first fit, as the full search
 * would find.  Under the lock.
 */
static __always_inline bool zb_claim_hint(struct zalloc_bitmap *b, size_t n,
					  size_t *index, bool shared)
{
	size_t i = zb_hint(b, shared);
	u64 word, run;
	unsigned int bit;

	if (unlikely(n > ZB_BITS || i >= b->nr_words)) {
		if (n <= ZB_BITS || i >= b->nr_words)
			return false;
		word = READ_ONCE(b->words[i]);
		return word && zb_claim_hint_long(b, n, i, word, index,
						  shared);
	}
	word = READ_ONCE(b->words[i]);
	if (!word) {
		/* The last allocation took the hint word's last chunks. */
		if (++i >= b->nr_words)
			return false;
		word = READ_ONCE(b->words[i]);
		if (!word)
			return false;
		b->hint = i;
	}
	/* The run at the lowest free chunk, the usual first fit: no fold. */
	bit = __ffs64(word);
	if (n > 1) {
		run = zb_run_mask(n) << bit;
		if (unlikely(bit + n > ZB_BITS || (word & run) != run)) {
			run = zb_fold(word, n);
			if (unlikely(!run))
				return false;
			bit = __ffs64(run);
		}
	}
	zb_word_take(&b->words[i], word, zb_run_mask(n) << bit, shared);
	zb_count_chunks(b, -(long)n, shared);
	*index = i * ZB_BITS + bit;
	return true;
}

/* Claim @n chunks, the full search from the hint.  Under the lock. */
static __always_inline bool __zb_alloc(struct zalloc_bitmap *b, size_t n,
				       size_t *index)
{
	bool shared = zb_shared(b), ok;
	size_t from = zb_hint(b, shared);

	if (!n || n > atomic_long_read(&b->nr_free))
		return false;
	while (from < b->nr_words && !READ_ONCE(b->words[from]))
		from++;
	b->hint = from;
	if (n <= ZB_BITS)
		ok = zb_claim_small(b->words, b->nr_words, from, n, index,
				    shared);
	else
		ok = zalloc_bits_claim_large(b->words, b->nr_words, from, n,
					     index, shared);
	if (ok)
		zb_count_chunks(b, -(long)n, shared);
	return ok;
}

/* __zb_alloc() out of line: the index, or SIZE_MAX for none. */
static noinline size_t zb_search(struct zalloc_bitmap *b, size_t n)
{
	size_t index;

	return __zb_alloc(b, n, &index) ? index : SIZE_MAX;
}

/* Whether [index, index + n) is a range of allocated chunks of @b. */
static bool zb_is_used(const struct zalloc_bitmap *b, size_t index, size_t n)
{
	return n && index < b->nr_chunks && n <= b->nr_chunks - index &&
	       zalloc_bits_range_is(b->words, index, n, false);
}

/* Free @n chunks at @index if they are allocated.  Under the lock. */
static __always_inline bool __zb_free(struct zalloc_bitmap *b, size_t index,
				      size_t n)
{
	if (unlikely(!n || index >= b->nr_chunks ||
		     n > b->nr_chunks - index ||
		     !zalloc_bits_range_give(b->words, index, n, zb_shared(b))))
		return false;
	zb_count_chunks(b, n, zb_shared(b));
	b->hint = min(b->hint, index / ZB_BITS);
	return true;
}

/*
 * Change the block at @index from @n to @new_n chunks in place.  Under the
 * lock.  -EINVAL: not an allocated block; -ENOMEM: the chunks after it are
 * taken (or past the end).
 */
static int __zb_relen(struct zalloc_bitmap *b, size_t index, size_t n,
		      size_t new_n)
{
	size_t more;

	if (!zb_is_used(b, index, n))
		return -EINVAL;
	if (new_n < n)
		return __zb_free(b, index + new_n, n - new_n) ? 0 : -EINVAL;
	more = new_n - n;
	if (more > b->nr_chunks - index - n ||
	    !zalloc_bits_range_is(b->words, index + n, more, true))
		return -ENOMEM;
	zalloc_bits_range_take(b->words, index + n, more, zb_shared(b));
	zb_count_chunks(b, -(long)more, zb_shared(b));
	return 0;
}

/* init_on_free: zero a block once it is known to be an allocated one. */
static noinline void zb_zero_if_used(struct zalloc_bitmap *b, void *ptr,
				     size_t index, size_t len)
{
	unsigned long flags = zb_lock(b, zb_shared(b));
	bool used = zb_is_used(b, index, zb_chunks_for(b, len));

	zb_unlock(b, flags, zb_shared(b));
	if (used)
		memset(ptr, 0, len);
}

static noinline void zb_bad_block(struct zalloc_bitmap *b, const char *what,
				  const void *ptr, size_t len, unsigned long ip)
{
	pr_warn_ratelimited("bitmap %s: %s of %zu bytes at %p by %pS: not an allocated block\n",
			    zalloc_report_name(&b->inst), what,
			    len, ptr, (void *)ip);
}

static __always_inline void *zb_alloc_as(struct zalloc_bitmap *b, size_t len,
					 size_t align, bool shared)
{
	size_t index = SIZE_MAX, n;
	unsigned long flags;
	void *p = NULL;

	if (likely(len && align <= b->max_align)) {
		n = zb_chunks_for(b, len);
		flags = zb_lock(b, shared);
		if (!zb_claim_hint(b, n, &index, shared))
			index = zb_search(b, n);
		zb_unlock(b, flags, shared);
	}
	if (likely(index != SIZE_MAX)) {
		p = zalloc_bitmap_chunk_ptr(b, index);
		zalloc_init_on_alloc(p, len);
	}
	zalloc_count_alloc(&b->inst, p, len);
	return p;
}

/* zb_alloc_as() with @shared a constant in each branch. */
static __always_inline void *zb_alloc(struct zalloc_bitmap *b, size_t len,
				      size_t align)
{
	if (zb_shared(b))
		return zb_alloc_as(b, len, align, true);
	return zb_alloc_as(b, len, align, false);
}

/*
 * Free the @n chunks at @index, a chunk of @b, under the lock: a block
 * over more than one word (zb_free()'s other case) or any zb_free_slow()
 * has checked.  A refusal is reported.
 */
static noinline void zb_free_locked(struct zalloc_bitmap *b, void *ptr,
				    size_t index, size_t n, size_t len,
				    unsigned long ip)
{
	unsigned long flags = zb_lock(b, zb_shared(b));
	bool ok = __zb_free(b, index, n);

	zb_unlock(b, flags, zb_shared(b));
	if (unlikely(!ok)) {
		zb_bad_block(b, "free", ptr, len, ip);
		return;
	}
	zalloc_count_free(&b->inst, len);
}

/* A free zb_free() cannot judge: @len 0, init_on_free, a foreign @ptr. */
static noinline void zb_free_slow(struct zalloc_bitmap *b, void *ptr,
				  size_t len, unsigned long ip)
{
	size_t index;

	if (unlikely(!len))
		return;
	if (unlikely(!zb_index_of(b, ptr, &index))) {
		zb_bad_block(b, "free", ptr, len, ip);
		return;
	}
	if (want_init_on_free())
		zb_zero_if_used(b, ptr, index, len);
	zb_free_locked(b, ptr, index, zb_chunks_for(b, len), len, ip);
}

/*
 * Give back the @n chunks @mask of word @i if all are allocated; in a
 * locked instance without the lock (see the file header).
 */
static __always_inline bool zb_free_word(struct zalloc_bitmap *b, size_t i,
					 u64 mask, unsigned int n)
{
	bool shared = zb_shared(b);
	size_t h;

	/* Counted first: an allocation of them subtracts only after. */
	zb_count_chunks(b, n, shared);
	if (!zb_word_give(&b->words[i], mask, shared)) {
		zb_count_chunks(b, -(long)n, shared);
		return false;
	}
	if (!shared) {
		b->hint = min(b->hint, i);
		return true;
	}
	h = READ_ONCE(b->freed_hint);
	while (i < h && !try_cmpxchg(&b->freed_hint, &h, i))
		;
	return true;
}

/*
 * The common case inline: a block within one word, init_on_free off.  Its
 * chunks are tested and set by one compare-and-exchange; a multi-word free
 * under the lock tests all its words before it sets any, so a refusal here
 * is final.
 */
static __always_inline void zb_free(struct zalloc_bitmap *b, void *ptr,
				    size_t len, unsigned long ip)
{
	unsigned int shift = b->chunk_shift;
	unsigned long off = (unsigned long)ptr - (unsigned long)b->chunks;
	/* Rotated: an offset inside a chunk gives an index past the end. */
	size_t index = ror64(off, shift), more = (len - 1) >> shift;
	unsigned int bit = index % ZB_BITS;

	/* @more: the block's chunks after its first (@len 0 goes slow). */
	if (unlikely(want_init_on_free() || index >= b->nr_chunks || !len)) {
		zb_free_slow(b, ptr, len, ip);
		return;
	}
	if (unlikely(more >= ZB_BITS - bit)) {
		zb_free_locked(b, ptr, index, more + 1, len, ip);
		return;
	}
	if (unlikely(!zb_free_word(b, index / ZB_BITS,
				   zb_run_mask(more + 1) << bit, more + 1))) {
		zb_bad_block(b, "free", ptr, len, ip);
		return;
	}
	zalloc_count_free(&b->inst, len);
}

static int zb_relen(struct zalloc_bitmap *b, void *ptr, size_t len,
		    size_t new_len, unsigned long ip)
{
	unsigned long flags;
	size_t index;
	int err = -EINVAL;

	if (len && new_len && zb_index_of(b, ptr, &index)) {
		flags = zb_lock(b, zb_shared(b));
		err = __zb_relen(b, index, zb_chunks_for(b, len),
				 zb_chunks_for(b, new_len));
		zb_unlock(b, flags, zb_shared(b));
	}
	if (err == -EINVAL)
		zb_bad_block(b, "resize", ptr, len, ip);
	return err;
}

static struct zalloc_bitmap *to_bitmap(void *ctx)
{
	return container_of(ctx, struct zalloc_bitmap, inst);
}

static void *zb_op_alloc(void *ctx, size_t len, size_t align, gfp_t gfp,
			 unsigned long ip)
{
	return zb_alloc(to_bitmap(ctx), len, align);
}

static bool zb_op_resize(void *ctx, void *ptr, size_t len, size_t align,
			 size_t new_len, gfp_t gfp, unsigned long ip)
{
	struct zalloc_bitmap *b = to_bitmap(ctx);
	bool ok = !zb_relen(b, ptr, len, new_len, ip);

	zalloc_count_resize(&b->inst, ok, len, new_len);
	return ok;
}

/* Moving would need a copy, which zalloc_realloc() does: remap is resize. */
static void *zb_op_remap(void *ctx, void *ptr, size_t len, size_t align,
			 size_t new_len, gfp_t gfp, unsigned long ip)
{
	struct zalloc_bitmap *b = to_bitmap(ctx);
	void *p = zb_relen(b, ptr, len, new_len, ip) ? NULL : ptr;

	zalloc_count_remap(&b->inst, ptr, p, len, new_len);
	return p;
}

static void zb_op_free(void *ctx, void *ptr, size_t len, size_t align,
		       unsigned long ip)
{
	zb_free(to_bitmap(ctx), ptr, len, ip);
}

static const struct zalloc_ops zb_ops = {
	.alloc	= zb_op_alloc,
	.resize	= zb_op_resize,
	.remap	= zb_op_remap,
	.free	= zb_op_free,
};

/**
 * zalloc_bitmap_alloc() - allocate @len bytes of contiguous chunks
 * @b: the instance
 * @len: bytes wanted; rounded up to whole chunks
 * @align: alignment in bytes, a power of two, at most b->max_align (the
 *	chunk size in a buffer aligned to it)
 *
 * Context: see include/zalloc/bitmap.h; never sleeps.
 * Return: the first chunk of the block, or NULL if @len is 0, @align is
 * larger than the chunks' alignment, or no run of free chunks is long
 * enough.
 */
void *zalloc_bitmap_alloc(struct zalloc_bitmap *b, size_t len, size_t align)
{
	if (!is_power_of_2(align))
		return NULL;
	return zb_alloc(b, len, align);
}
EXPORT_SYMBOL_NS_GPL(zalloc_bitmap_alloc, ZALLOC_NS);

/**
 * zalloc_bitmap_free() - give back a block
 * @b: the instance
 * @ptr: the block, as zalloc_bitmap_alloc() returned it
 * @len: its length, as allocated (or last resized)
 *
 * A block that is not allocated (double free, a pointer that is not the
 * start of a chunk of @b, a length covering free chunks) is left alone and
 * reported with a ratelimited message.  The bitmap keeps no block
 * boundaries: a chunk inside a block is taken for a block.  @len == 0 is a
 * no-op.
 *
 * Context: see include/zalloc/bitmap.h; never sleeps.
 */
void zalloc_bitmap_free(struct zalloc_bitmap *b, void *ptr, size_t len)
{
	zb_free(b, ptr, len, _RET_IP_);
}
EXPORT_SYMBOL_NS_GPL(zalloc_bitmap_free, ZALLOC_NS);

/**
 * zalloc_bitmap_owns() - whether a range lies in an instance's chunks
 * @b: the instance
 * @ptr: start of the range
 * @len: its length; 0 asks about @ptr alone
 *
 * Like gen_pool_has_addr(): says where the memory is, not whether it is
 * allocated.  In debug mode a block zalloc_bitmap_allocator() handed out
 * (or a range inside one) is looked up behind its shadow.
 *
 * Context: any; takes no lock but the debug core's.
 * Return: true if [@ptr, @ptr + @len) is inside the chunks of @b.
 */
bool zalloc_bitmap_owns(const struct zalloc_bitmap *b, const void *ptr,
			size_t len)
{
	unsigned long size = (unsigned long)b->nr_chunks << b->chunk_shift;
	unsigned long off;

	ptr = zalloc_debug_inner_ptr((struct zalloc_instance *)&b->inst, ptr,
				     &len);
	off = (unsigned long)ptr - (unsigned long)b->chunks;
	return ptr && off < size && len <= size - off;
}
EXPORT_SYMBOL_NS_GPL(zalloc_bitmap_owns, ZALLOC_NS);

/**
 * zalloc_bitmap_alloc_chunks() - allocate @nr contiguous chunks
 * @b: the instance
 * @nr: how many chunks, >= 1
 * @index: where to store the first chunk's index
 *
 * zalloc_bitmap_chunk_ptr() turns the index into an address.
 *
 * Context: see include/zalloc/bitmap.h; never sleeps.
 * Return: 0, -EINVAL if @nr is 0, or -ENOMEM if no run of @nr free chunks
 * exists.
 */
int zalloc_bitmap_alloc_chunks(struct zalloc_bitmap *b, size_t nr,
			       size_t *index)
{
	unsigned long flags;
	bool ok;

	if (!nr)
		return -EINVAL;
	flags = zb_lock(b, zb_shared(b));
	ok = __zb_alloc(b, nr, index);
	zb_unlock(b, flags, zb_shared(b));
	zalloc_count_alloc(&b->inst, ok ? b->chunks : NULL,
			   nr << b->chunk_shift);
	return ok ? 0 : -ENOMEM;
}
EXPORT_SYMBOL_NS_GPL(zalloc_bitmap_alloc_chunks, ZALLOC_NS);

/**
 * zalloc_bitmap_free_chunks() - give back @nr chunks from @index
 * @b: the instance
 * @index: the first chunk, as zalloc_bitmap_alloc_chunks() gave it
 * @nr: how many, as allocated
 *
 * A range that is not all allocated is left alone and reported with a
 * ratelimited message.  Freeing part of a block (its tail, say) is allowed.
 * @nr == 0 is a no-op.
 *
 * Context: see include/zalloc/bitmap.h; never sleeps.
 */
void zalloc_bitmap_free_chunks(struct zalloc_bitmap *b, size_t index,
			       size_t nr)
{
	unsigned long flags;
	bool ok;

	if (!nr)
		return;
	flags = zb_lock(b, zb_shared(b));
	ok = __zb_free(b, index, nr);
	zb_unlock(b, flags, zb_shared(b));
	if (!ok) {
		pr_warn_ratelimited("bitmap %s: free of chunks %zu+%zu by %pS: not allocated\n",
				    zalloc_report_name(&b->inst),
				    index, nr, (void *)_RET_IP_);
		return;
	}
	zalloc_count_free(&b->inst, nr << b->chunk_shift);
}
EXPORT_SYMBOL_NS_GPL(zalloc_bitmap_free_chunks, ZALLOC_NS);

/**
 * zalloc_bitmap_largest_free_run() - the longest run of free chunks
 * @b: the instance
 *
 * Scans the whole bitmap (with IRQs off for a locked instance): for
 * statistics, not for deciding whether an allocation will succeed.
 *
 * Context: as allocation; never sleeps.
 * Return: the length in chunks of the longest run of free chunks.
 */
size_t zalloc_bitmap_largest_free_run(struct zalloc_bitmap *b)
{
	unsigned long flags;
	size_t run;

	flags = zb_lock(b, zb_shared(b));
	run = zalloc_bits_largest_run(b->words, b->nr_words);
	zb_unlock(b, flags, zb_shared(b));
	return run;
}
EXPORT_SYMBOL_NS_GPL(zalloc_bitmap_largest_free_run, ZALLOC_NS);

static const char * const zb_counters[NR_ZALLOC_BITMAP_COUNTERS] = {
	[ZALLOC_BITMAP_CHUNK_SIZE]		= "chunk_size",
	[ZALLOC_BITMAP_CHUNKS]		= "chunks",
	[ZALLOC_BITMAP_FREE_CHUNKS]	= "free_chunks",
	[ZALLOC_BITMAP_LARGEST_FREE_RUN]	= "largest_free_run",
	[ZALLOC_BITMAP_MAX_ALIGN]		= "max_align",
	[ZALLOC_BITMAP_LOCKED_COUNTER]		= "locked",
};

/*
 * The counters.  While the instance is in use they are a snapshot: the
 * scan races with the caller of a caller-locked instance, and with the
 * lockless frees of a locked one.
 */
static void zb_read(struct zalloc_instance *inst, unsigned long *v)
{
	struct zalloc_bitmap *b = to_bitmap(inst);

	v[ZALLOC_BITMAP_CHUNK_SIZE] = b->chunk_size;
	v[ZALLOC_BITMAP_CHUNKS] = b->nr_chunks;
	v[ZALLOC_BITMAP_FREE_CHUNKS] = zalloc_bitmap_free_count(b);
	v[ZALLOC_BITMAP_LARGEST_FREE_RUN] = zalloc_bitmap_largest_free_run(b);
	v[ZALLOC_BITMAP_MAX_ALIGN] = b->max_align;
	v[ZALLOC_BITMAP_LOCKED_COUNTER] = !!(b->inst.flags & ZALLOC_BITMAP_LOCKED);
}

/**
 * zalloc_bitmap_layout() - where the bitmap and chunks go for a capacity
 * @chunk_size: bytes per chunk, a power of two
 * @capacity: bytes of chunks wanted, >= 1; rounded up to whole chunks and
 *	then to whole bitmap words (64 chunks)
 * @l: the layout to fill in
 *
 * The bitmap comes first at offset 0, the chunks at the bitmap's end
 * rounded up to @chunk_size; l->total_size - l->chunks_start is exactly the
 * bytes of all 64 * l->nr_words chunks, and at least @capacity.
 *
 * Context: any.
 * Return: 0; -EINVAL if @chunk_size is not a power of two or @capacity is
 * 0; -EOVERFLOW if the buffer's size does not fit in a size_t.
 */
int zalloc_bitmap_layout(size_t chunk_size, size_t capacity,
			 struct zalloc_bitmap_layout *l)
{
	unsigned int shift;
	size_t chunks, words, bytes, start, total;

	if (!is_power_of_2(chunk_size) || !capacity)
		return -EINVAL;
	shift = __ffs64(chunk_size);
	chunks = (capacity >> shift) + !!(capacity & (chunk_size - 1));
	words = chunks / ZB_BITS + !!(chunks % ZB_BITS);
	if (words > SIZE_MAX / ZB_BITS ||
	    check_shl_overflow(words * ZB_BITS, shift, &bytes) ||
	    check_add_overflow(words * sizeof(u64), chunk_size - 1, &start))
		return -EOVERFLOW;
	start &= ~(chunk_size - 1);
	if (check_add_overflow(start, bytes, &total))
		return -EOVERFLOW;
	l->chunk_size = chunk_size;
	l->nr_words = words;
	l->bitmap_start = 0;
	l->chunks_start = start;
	l->total_size = total;
	return 0;
}
EXPORT_SYMBOL_NS_GPL(zalloc_bitmap_layout, ZALLOC_NS);

/* Whether @l is what zalloc_bitmap_layout() gives for its own capacity. */
static bool zb_layout_valid(const struct zalloc_bitmap_layout *l)
{
	struct zalloc_bitmap_layout want;
	size_t cap;

	if (!is_power_of_2(l->chunk_size) || !l->nr_words ||
	    l->nr_words > SIZE_MAX / ZB_BITS ||
	    check_mul_overflow(l->nr_words * ZB_BITS, l->chunk_size, &cap) ||
	    zalloc_bitmap_layout(l->chunk_size, cap, &want))
		return false;
	return !memcmp(&want, l, sizeof(want));
}

/**
 * struct zb_args - what init or create passes to the kind's init
 * @buf: the caller's buffer, or NULL for one of the bitmap's own
 * @l: the layout
 */
struct zb_args {
	void *buf;
	const struct zalloc_bitmap_layout *l;
};

/* The buffer create() takes: from the page allocator, counted here. */
static void *zb_take_buffer(struct zalloc_bitmap *b,
			    const struct zalloc_bitmap_layout *l)
{
	size_t align = clamp_t(size_t, l->chunk_size, sizeof(u64), PAGE_SIZE);
	void *buf = zalloc_pages_alloc(l->total_size, align, GFP_KERNEL);

	if (!buf)
		return NULL;
	b->buf = buf;
	b->buf_size = l->total_size;
	zalloc_count_backing(&b->inst, b->buf_size);
	return buf;
}

static int zb_init(struct zalloc_instance *inst, const void *arg)
{
	struct zalloc_bitmap *b = to_bitmap(inst);
	const struct zb_args *a = arg;
	const struct zalloc_bitmap_layout *l = a->l;
	void *buf = a->buf;
	unsigned long chunks;
	size_t i;

	b->buf = NULL;
	if (!buf) {
		buf = zb_take_buffer(b, l);
		if (!buf)
			return -ENOMEM;
	}
	b->chunk_size = l->chunk_size;
	b->chunk_shift = __ffs64(l->chunk_size);
	b->words = buf + l->bitmap_start;
	b->chunks = buf + l->chunks_start;
	b->nr_words = l->nr_words;
	b->nr_chunks = l->nr_words * ZB_BITS;
	atomic_long_set(&b->nr_free, b->nr_chunks);
	b->hint = 0;
	b->freed_hint = SIZE_MAX;
	chunks = (unsigned long)b->chunks;
	b->max_align = min_t(size_t, l->chunk_size, chunks & -chunks);
	for (i = 0; i < b->nr_words; i++)
		b->words[i] = ZB_FULL;
	raw_spin_lock_init(&b->lock);
	return 0;
}

/* Report chunks still allocated; give create()'s buffer back. */
static unsigned long zb_fini(struct zalloc_instance *inst)
{
	struct zalloc_bitmap *b = to_bitmap(inst);
	size_t used = b->nr_chunks - atomic_long_read(&b->nr_free);

	if (used)
		pr_warn("bitmap %s: torn down with %zu chunks allocated\n",
			zalloc_report_name(inst), used);
	if (b->buf) {
		zalloc_pages_free(b->buf, b->buf_size);
		zalloc_count_backing(inst, -(long)b->buf_size);
		b->buf = NULL;
	}
	return 0;
}

const struct zalloc_kind zalloc_kind_bitmap = {
	.name		= "bitmap",
	.ops		= &zb_ops,
	.size		= sizeof(struct zalloc_bitmap),
	.own_flags	= ZALLOC_BITMAP_LOCKED,
	.counters	= zb_counters,
	.nr_counters	= NR_ZALLOC_BITMAP_COUNTERS,
	.read		= zb_read,
	.init		= zb_init,
	.fini		= zb_fini,
};

/**
 * __zalloc_bitmap_init() - set up a bitmap allocator over a caller's buffer
 * @b: the instance to set up
 * @buf: l->total_size bytes, 8-byte aligned; aligned to l->chunk_size for
 *	alignment up to the chunk size to be available (see b->max_align)
 * @l: the layout, from zalloc_bitmap_layout()
 * @flags: 0 (caller-locked) or ZALLOC_BITMAP_LOCKED, with ZALLOC_F_DEBUG
 *	or ZALLOC_F_NODEBUG (include/zalloc/debug.h) to choose debug mode
 *	for zalloc_bitmap_allocator() (the chunk API is not affected)
 * @name: the debugfs name (/sys/kernel/debug/zalloc/<name>/stats), or NULL
 * @owner: the module @name belongs to; zalloc_bitmap_init() passes
 *	THIS_MODULE
 *
 * Every chunk starts free.  The buffer stays the caller's: after
 * zalloc_bitmap_destroy() they free it.
 *
 * Context: process context; may sleep.
 * Return: 0; -EINVAL for a layout zalloc_bitmap_layout() did not give, a
 * misaligned buffer, unknown flags or an invalid name; -EEXIST if the name
 * is taken; -ENOMEM.
 */
int __zalloc_bitmap_init(struct zalloc_bitmap *b, void *buf,
			 const struct zalloc_bitmap_layout *l,
			 unsigned int flags, const char *name,
			 struct module *owner)
{
	struct zb_args args = { .buf = buf, .l = l };
	struct zalloc_setup s = {
		.name = name, .flags = flags, .gfp = GFP_KERNEL,
		.owner = owner, .arg = &args,
	};

	if (!buf || !IS_ALIGNED((unsigned long)buf, sizeof(u64)) ||
	    !zb_layout_valid(l))
		return -EINVAL;
	memset(b, 0, sizeof(*b));
	return zalloc_instance_setup(&b->inst, &zalloc_kind_bitmap, &s);
}
EXPORT_SYMBOL_NS_GPL(__zalloc_bitmap_init, ZALLOC_NS);

/**
 * __zalloc_bitmap_create() - a bitmap allocator over memory of its own
 * @chunk_size: bytes per chunk, a power of two
 * @capacity: bytes of chunks wanted (rounded up as zalloc_bitmap_layout()
 *	says)
 * @flags: as for zalloc_bitmap_init()
 * @name: the debugfs name, or NULL
 * @owner: the module @name belongs to; zalloc_bitmap_create() passes
 *	THIS_MODULE
 *
 * The buffer comes from the buddy allocator (or vmalloc, for large ones),
 * aligned to min(@chunk_size, PAGE_SIZE), and is counted as the instance's
 * backing memory; so alignment up to the chunk size is available for chunk
 * sizes up to PAGE_SIZE.
 *
 * Context: process context; may sleep.
 * Return: the instance, or an ERR_PTR(): -EINVAL for a chunk size that is
 * not a power of two, a capacity of 0, unknown flags or an invalid name;
 * -EEXIST if the name is taken; -EOVERFLOW, -ENOMEM.
 */
struct zalloc_bitmap *__zalloc_bitmap_create(size_t chunk_size,
					     size_t capacity,
					     unsigned int flags,
					     const char *name,
					     struct module *owner)
{
	struct zalloc_bitmap_layout l;
	struct zb_args args = { .buf = NULL, .l = &l };
	struct zalloc_setup s = {
		.name = name, .flags = flags, .gfp = GFP_KERNEL,
		.owner = owner, .arg = &args,
	};
	struct zalloc_instance *inst;
	int err;

	err = zalloc_bitmap_layout(chunk_size, capacity, &l);
	if (err)
		return ERR_PTR(err);
	inst = zalloc_instance_create(&zalloc_kind_bitmap, &s);
	if (IS_ERR(inst))
		return ERR_CAST(inst);
	return to_bitmap(inst);
}
EXPORT_SYMBOL_NS_GPL(__zalloc_bitmap_create, ZALLOC_NS);

/**
 * zalloc_bitmap_destroy() - tear down a bitmap allocator
 * @b: the instance, from zalloc_bitmap_create() or zalloc_bitmap_init();
 *	NULL or an ERR_PTR() is a no-op
 *
 * Removes its debugfs files and frees its counters; for a created instance
 * also its buffer and the instance itself, while a buffer passed to
 * zalloc_bitmap_init() stays the caller's to free.  Chunks still allocated
 * are reported, not freed (debug-mode blocks are reported as leaks first,
 * and given back).
 *
 * Context: process context; may sleep.  No other call on @b may be running
 * or follow.
 */
void zalloc_bitmap_destroy(struct zalloc_bitmap *b)
{
	if (IS_ERR_OR_NULL(b))
		return;
	if (b->inst.flags & ZALLOC_I_ALLOCATED)
		zalloc_instance_destroy(&b->inst);
	else
		zalloc_instance_teardown(&b->inst);
}
EXPORT_SYMBOL_NS_GPL(zalloc_bitmap_destroy, ZALLOC_NS);
