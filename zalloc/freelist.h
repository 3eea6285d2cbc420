/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Encoded free-list links, shared by smp.c and sbrk.c: SLUB's
 * freelist_ptr_encode() (CONFIG_SLAB_FREELIST_HARDENED).  The link in a free
 * block's first word is stored as next ^ key ^ swab(address of the word),
 * with a random key per instance, so a stray write of a plain pointer into
 * a freed block decodes to garbage, which the allocator's checks on pop
 * catch, and the stored words do not show heap addresses.  Private to the
 * module and its tests.
 */
#ifndef _ZALLOC_FREELIST_H
#define _ZALLOC_FREELIST_H

#include <linux/swab.h>
#include <linux/types.h>

/**
 * zalloc_link_encode() - the word stored for a free-list link
 * @next: the block the link points to, or NULL
 * @key: the instance's random key
 * @where: the address the word is stored at
 *
 * Return: @next ^ @key ^ swab(@where).
 */
static inline unsigned long zalloc_link_encode(const void *next,
					       unsigned long key,
					       const void *where)
{
	return (unsigned long)next ^ key ^ swab((unsigned long)where);
}

/**
 * zalloc_link_decode() - the free-list link a stored word stands for
 * @word: the word read at @where
 * @key: the instance's random key
 * @where: the address @word was read from
 *
 * Return: the link; garbage if @word was not written by
 * zalloc_link_encode() with the same @key and @where.
 */
static inline void *zalloc_link_decode(unsigned long word, unsigned long key,
				       const void *where)
{
	return (void *)(word ^ key ^ swab((unsigned long)where));
}

/**
 * zalloc_link_set() - store the encoded link to @next in free block @p
 * @p: the free block; its first word is overwritten
 * @next: the next free block, or NULL
 * @key: the instance's random key
 */
static inline void zalloc_link_set(void *p, const void *next,
				   unsigned long key)
{
	*(unsigned long *)p = zalloc_link_encode(next, key, p);
}

/**
 * zalloc_link_get() - the decoded link in free block @p
 * @p: the free block
 * @key: the instance's random key
 *
 * Return: the link, to be checked before it is followed.
 */
static inline void *zalloc_link_get(const void *p, unsigned long key)
{
	return zalloc_link_decode(*(const unsigned long *)p, key, p);
}

#endif /* _ZALLOC_FREELIST_H */
