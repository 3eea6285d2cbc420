/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zalloc bitmap allocator: Ghostty's BitmapAllocator, a buffer carved into
 * fixed-size chunks with one bit per chunk (the job of lib/genalloc.c).
 *
 * A caller asks zalloc_bitmap_layout() how big a buffer must be for a
 * capacity, hands such a buffer to zalloc_bitmap_init(), and then allocates
 * runs of contiguous chunks from it, by bytes (zalloc_bitmap_alloc(), or the
 * struct zalloc from zalloc_bitmap_allocator()) or by chunks
 * (zalloc_bitmap_alloc_chunks()).  zalloc_bitmap_create() does the layout and
 * takes the buffer from zalloc_page_allocator; zalloc_bitmap_destroy() gives
 * it back.
 *
 * Buffer layout: the bitmap words first (at offset 0, 8-byte aligned), then
 * the chunks, starting at the bitmap's end rounded up to the chunk size.
 * The capacity is rounded up to whole bitmap words, 64 chunks each.
 *
 * Placement: first fit by lowest chunk index.  A block of n bytes takes
 * ceil(n / chunk_size) chunks.  Alignment up to the chunk size is natural
 * when the buffer is aligned to the chunk size (create() aligns it to
 * min(chunk_size, PAGE_SIZE)); a larger alignment than the chunk addresses
 * have is refused with NULL.
 *
 * Resize (and remap, which never moves): in place when the chunk count is
 * unchanged, by freeing the tail chunks when it shrinks, and by claiming
 * the chunks right after the block when it grows and they are free;
 * otherwise refused.
 *
 * Concurrency: an instance is either caller-locked (flags 0: no lock inside;
 * the caller serializes every call that takes the instance, as with a plain
 * bitmap) or internally locked (ZALLOC_BITMAP_LOCKED).  A locked instance
 * takes a raw spinlock with IRQs disabled, so any context but NMI may call
 * it, hard IRQ on PREEMPT_RT included; a search holds the lock for time
 * linear in the bitmap's free words, so a large, fragmented bitmap adds
 * latency on PREEMPT_RT.  The free of a block within one 64-chunk word
 * takes no lock: it is one compare-and-exchange, as gen_pool's frees are.
 *
 * Context: init/create/destroy: process context, may sleep.
 * Allocation and free: any context but NMI for locked instances; for
 * caller-locked instances, any context the caller's serialization allows.
 * No call allocates memory, so the gfp_t passed through struct zalloc is
 * ignored.
 */
#ifndef _ZALLOC_BITMAP_H
#define _ZALLOC_BITMAP_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <zalloc/registry.h>
#include <zalloc/zalloc.h>

/* Chunks per bitmap word. */
#define ZALLOC_BITMAP_WORD_BITS	64

/* zalloc_bitmap_init() flags. */
#define ZALLOC_BITMAP_LOCKED	BIT(0)	/* take an internal IRQ-safe lock */

/**
 * struct zalloc_bitmap_layout - where things go in a bitmap buffer
 * @chunk_size: bytes per chunk, a power of two
 * @nr_words: bitmap words (u64), 64 chunks each
 * @bitmap_start: offset of the bitmap words (0)
 * @chunks_start: offset of chunk 0, a multiple of @chunk_size
 * @total_size: bytes the buffer needs
 */
struct zalloc_bitmap_layout {
	size_t chunk_size;
	size_t nr_words;
	size_t bitmap_start;
	size_t chunks_start;
	size_t total_size;
};

/**
 * struct zalloc_bitmap - a bitmap allocator instance
 * @inst: the instance; inst.za is its struct zalloc interface, see
 *	zalloc_bitmap_allocator()
 * @lock: taken with IRQs disabled around every call but the free of a
 *	block within one word if ZALLOC_BITMAP_LOCKED; a leaf lock (nothing
 *	else is taken or called while it is held)
 * @chunk_shift: log2(@chunk_size)
 * @chunk_size: bytes per chunk
 * @max_align: the largest alignment every chunk address has
 * @words: the bitmap; bit b of word w is chunk 64 * w + b, 1 = free.
 *	Chunks are taken under @lock (or the caller's serialization); with
 *	@lock, a free within one word gives chunks back by cmpxchg without it
 * @chunks: chunk 0
 * @nr_words: bitmap words
 * @nr_chunks: chunks (64 * @nr_words)
 * @nr_free: free chunks; atomic with @lock, else the caller's.  Never
 *	below the free bits: a free adds before it sets them, an allocation
 *	subtracts after it clears them
 * @hint: every word below it is fully allocated, but for @freed_hint;
 *	under @lock
 * @freed_hint: with @lock, the lowest word a lockless free gave chunks
 *	back to since an allocation last folded it into @hint; SIZE_MAX if
 *	none.  Lowered by cmpxchg, taken by xchg under @lock
 * @buf: the buffer create() took, or NULL for init() over a caller's buffer
 * @buf_size: its size
 *
 * All fields but @words, @nr_free, @hint and @freed_hint are fixed after
 * init.
 */
struct zalloc_bitmap {
	struct zalloc_instance inst;
	raw_spinlock_t lock;	/* if ZALLOC_BITMAP_LOCKED: see @lock above */
	unsigned int chunk_shift;
	size_t chunk_size;
	size_t max_align;
	u64 *words;
	u8 *chunks;
	size_t nr_words;
	size_t nr_chunks;
	atomic_long_t nr_free;
	size_t hint;
	size_t freed_hint;
	void *buf;
	size_t buf_size;
};

/**
 * enum zalloc_bitmap_counter - a bitmap instance's own counters
 * @ZALLOC_BITMAP_CHUNK_SIZE: bytes per chunk
 * @ZALLOC_BITMAP_CHUNKS: chunks
 * @ZALLOC_BITMAP_FREE_CHUNKS: free chunks
 * @ZALLOC_BITMAP_LARGEST_FREE_RUN: the longest run of free chunks
 * @ZALLOC_BITMAP_MAX_ALIGN: the largest alignment every chunk has
 * @ZALLOC_BITMAP_LOCKED_COUNTER: 1 for a ZALLOC_BITMAP_LOCKED instance
 * @NR_ZALLOC_BITMAP_COUNTERS: how many
 *
 * Read with zalloc_instance_info(); the "stats" file shows them by name.
 */
enum zalloc_bitmap_counter {
	ZALLOC_BITMAP_CHUNK_SIZE,
	ZALLOC_BITMAP_CHUNKS,
	ZALLOC_BITMAP_FREE_CHUNKS,
	ZALLOC_BITMAP_LARGEST_FREE_RUN,
	ZALLOC_BITMAP_MAX_ALIGN,
	ZALLOC_BITMAP_LOCKED_COUNTER,
	NR_ZALLOC_BITMAP_COUNTERS
};

int zalloc_bitmap_layout(size_t chunk_size, size_t capacity,
			 struct zalloc_bitmap_layout *l);
int __zalloc_bitmap_init(struct zalloc_bitmap *b, void *buf,
			 const struct zalloc_bitmap_layout *l,
			 unsigned int flags, const char *name,
			 struct module *owner);
/* See __zalloc_bitmap_init(); the name belongs to the calling module. */
#define zalloc_bitmap_init(b, buf, l, flags, name)			\
	__zalloc_bitmap_init(b, buf, l, flags, name, THIS_MODULE)
struct zalloc_bitmap *__zalloc_bitmap_create(size_t chunk_size,
					     size_t capacity,
					     unsigned int flags,
					     const char *name,
					     struct module *owner);
/* See __zalloc_bitmap_create(); the name belongs to the calling module. */
#define zalloc_bitmap_create(chunk_size, capacity, flags, name)	\
	__zalloc_bitmap_create(chunk_size, capacity, flags, name, THIS_MODULE)
void zalloc_bitmap_destroy(struct zalloc_bitmap *b);

void *zalloc_bitmap_alloc(struct zalloc_bitmap *b, size_t len, size_t align);
void zalloc_bitmap_free(struct zalloc_bitmap *b, void *ptr, size_t len);
bool zalloc_bitmap_owns(const struct zalloc_bitmap *b, const void *ptr,
			size_t len);

int zalloc_bitmap_alloc_chunks(struct zalloc_bitmap *b, size_t nr,
			       size_t *index);
void zalloc_bitmap_free_chunks(struct zalloc_bitmap *b, size_t index,
			       size_t nr);
size_t zalloc_bitmap_largest_free_run(struct zalloc_bitmap *b);

bool zalloc_bitmap_claim(u64 *map, size_t nr_words, size_t nr, size_t *index);

/**
 * zalloc_bitmap_allocator() - the struct zalloc interface of an instance
 * @b: the instance
 *
 * Context: any.
 * Return: an allocator valid until @b is torn down.
 */
static inline const struct zalloc *
zalloc_bitmap_allocator(struct zalloc_bitmap *b)
{
	return &b->inst.za;
}

/**
 * zalloc_bitmap_chunk_ptr() - the address of a chunk
 * @b: the instance
 * @index: a chunk index below b->nr_chunks
 *
 * Context: any.
 * Return: the chunk's address.
 */
static inline void *zalloc_bitmap_chunk_ptr(const struct zalloc_bitmap *b,
					    size_t index)
{
	return b->chunks + (index << b->chunk_shift);
}

/**
 * zalloc_bitmap_chunk_index() - the chunk an address lies in
 * @b: the instance
 * @ptr: an address inside @b's chunks (see zalloc_bitmap_owns())
 *
 * Context: any.
 * Return: the chunk index.
 */
static inline size_t zalloc_bitmap_chunk_index(const struct zalloc_bitmap *b,
					       const void *ptr)
{
	return ((unsigned long)ptr - (unsigned long)b->chunks) >> b->chunk_shift;
}

/**
 * zalloc_bitmap_free_count() - how many chunks are free
 * @b: the instance
 *
 * Context: any; a snapshot if other CPUs are allocating.
 * Return: the number of free chunks.
 */
static inline size_t zalloc_bitmap_free_count(const struct zalloc_bitmap *b)
{
	return atomic_long_read(&b->nr_free);
}

/**
 * zalloc_bitmap_bytes_required() - bytes a block of @len takes
 * @chunk_size: the chunk size, a power of two
 * @len: the block's length
 *
 * Ghostty's bytesRequired(): @len rounded up to whole chunks.
 *
 * Context: any.
 * Return: the rounded length, or 0 if it does not fit in a size_t.
 */
static inline size_t zalloc_bitmap_bytes_required(size_t chunk_size,
						  size_t len)
{
	if (len > SIZE_MAX - (chunk_size - 1))
		return 0;
	return ALIGN(len, chunk_size);
}

#endif /* _ZALLOC_BITMAP_H */
