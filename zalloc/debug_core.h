/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The debug-mode core (debug.c) and its reports (debug_report.c), inside
 * zalloc.ko; include/zalloc/debug.h says what debug mode is.
 *
 * Locking: one raw spinlock per core (IRQ-safe, innermost: no allocation,
 * no other lock under it) protects its block records; shadows are made,
 * filled and freed outside it.  Lock order: the allocator's locks are never
 * held when the core is entered (the core calls the allocator, not the
 * other way round), so the core's lock nests inside nothing of zalloc's.
 */
#ifndef _ZALLOC_DEBUG_INTERNAL_H
#define _ZALLOC_DEBUG_INTERNAL_H

#include <linux/hashtable.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <zalloc/debug.h>
#include <zalloc/registry.h>

/**
 * struct zalloc_debug_block - what debug mode knows about one block
 * @node: in zalloc_debug.live while live
 * @fnode: in zalloc_debug.freed once freed
 * @addr: the shadow block's address, as handed out
 * @raw: the start of the shadow's own allocation (an address: the record
 *	is invisible to kmemleak); its first word holds a copy of @inner,
 *	which kmemleak scans
 * @inner: the allocator's own block
 * @size: the shadow allocation's size
 * @len: the block's length
 * @align: its alignment
 * @room: how far it may grow in place
 * @alloc_ip: who allocated it
 * @free_ip: who freed it
 * @zone_reported: a red-zone overwrite has been reported for it
 */
struct zalloc_debug_block {
	struct hlist_node node;
	struct list_head fnode;
	unsigned long addr;
	unsigned long raw;
	unsigned long inner;
	size_t size;
	size_t len;
	size_t align;
	size_t room;
	unsigned long alloc_ip;
	unsigned long free_ip;
	bool zone_reported;
};

/**
 * struct zalloc_debug - a debug-mode core over one instance
 * @inst: the instance; its kind's ops serve every call
 * @lock: protects @live, @freed and @nr_freed
 * @live: live block records, hashed by shadow address
 * @freed: recently freed block records, oldest first
 * @nr_freed: entries in @freed, at most ZALLOC_DEBUG_QUARANTINE
 * @reports: problems found, by enum zalloc_debug_report
 */
struct zalloc_debug {
	struct zalloc_instance *inst;
	raw_spinlock_t lock;	/* protects live, freed, nr_freed */
	DECLARE_HASHTABLE(live, 8);
	struct list_head freed;
	unsigned int nr_freed;
	atomic_long_t reports[NR_ZALLOC_DEBUG_REPORTS];
};

extern const struct zalloc_ops zalloc_debug_ops;

int zalloc_debug_attach(struct zalloc_instance *inst, gfp_t gfp);
unsigned long zalloc_debug_detach(struct zalloc_instance *inst, bool report);
unsigned long zalloc_debug_forget(struct zalloc_instance *inst);
void zalloc_debug_forget_if(struct zalloc_instance *inst,
			    bool (*gone)(const void *inner, void *arg),
			    void *arg);
const void *zalloc_debug_inner_ptr(struct zalloc_instance *inst,
				   const void *ptr, size_t *len);

/* debug_report.c */
__printf(3, 4) void zalloc_debug_report(struct zalloc_debug *d,
					enum zalloc_debug_report kind,
					const char *fmt, ...);
void zalloc_debug_report_unknown(struct zalloc_debug *d, const char *what,
				 unsigned long addr, size_t len,
				 unsigned long ip);
bool zalloc_debug_report_mismatch(struct zalloc_debug *d, const char *what,
				  const struct zalloc_debug_block *b,
				  size_t len, size_t align, unsigned long ip);
void zalloc_debug_zone_check(struct zalloc_debug *d,
			     struct zalloc_debug_block *b, unsigned long ip);
void zalloc_debug_report_leak(struct zalloc_debug *d,
			      struct zalloc_debug_block *b);
struct zalloc_debug_block *zalloc_debug_find_freed(struct zalloc_debug *d,
						   unsigned long addr);
struct zalloc_debug_block *zalloc_debug_find_inside(struct zalloc_debug *d,
						    unsigned long addr);

/* Red-zone bytes and the shadow's header: the inner pointer, then a zone. */
#define DBG_ZONE_AFTER		0xbb
#define DBG_ZONE_BEFORE		0xbc
#define DBG_HEADER		sizeof(void *)
#define DBG_HEADER_ZONE		8

#endif /* _ZALLOC_DEBUG_INTERNAL_H */
