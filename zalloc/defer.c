// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc deferred frees: memory that cannot be given back where a free is
 * called, given back soon after by a worker.
 *
 * Two cases need it.  vfree() may sleep, while zalloc's frees are allowed
 * wherever its atomic allocations are (vfree_atomic() is not exported in
 * 6.12).  And on PREEMPT_RT the page allocator's and the slab allocator's
 * locks sleep, so neither kfree() nor free_pages() may be called from hard
 * IRQ or with IRQs or preemption off, where zalloc's own allocators still
 * serve their callers.
 *
 * The memory itself carries the request: its first word is the llist
 * node, and for pages the second word is the byte count, so deferring
 * needs no allocation and works in any context but NMI.  kmemleak is told
 * by the worker, in process context, as for an immediate free.
 *
 * Locking: none; llists are lockless, the worker runs alone.
 */
#define pr_fmt(fmt) "zalloc: " fmt

#include <linux/kmemleak.h>
#include <linux/llist.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "internal.h"

/* A deferred page block: its first two words. */
struct zalloc_deferred_pages {
	struct llist_node node;
	size_t bytes;
};

static LLIST_HEAD(zalloc_deferred_kvfree);
static LLIST_HEAD(zalloc_deferred_pages);

static void zalloc_defer_fn(struct work_struct *work)
{
	struct zalloc_deferred_pages *dp;
	struct llist_node *n, *next;

	llist_for_each_safe(n, next, llist_del_all(&zalloc_deferred_kvfree))
		kvfree(n);
	llist_for_each_safe(n, next, llist_del_all(&zalloc_deferred_pages)) {
		dp = container_of(n, struct zalloc_deferred_pages, node);
		zalloc_pages_free(dp, dp->bytes);
	}
}

static DECLARE_WORK(zalloc_defer_work, zalloc_defer_fn);

/* kvfree(@p) later; @p is a dead kmalloc or vmalloc object of >= 8 bytes. */
void zalloc_defer_kvfree(void *p)
{
	if (llist_add(p, &zalloc_deferred_kvfree))
		schedule_work(&zalloc_defer_work);
}

/* zalloc_pages_free(@p, @bytes) later; the block is dead. */
void zalloc_defer_pages(void *p, size_t bytes)
{
	struct zalloc_deferred_pages *dp = p;

	dp->bytes = bytes;
	if (llist_add(&dp->node, &zalloc_deferred_pages))
		schedule_work(&zalloc_defer_work);
}

/* Every deferred free done; at module exit. */
void zalloc_defer_flush(void)
{
	flush_work(&zalloc_defer_work);
}

/* kvfree() now if this context may, else later. */
void zalloc_kvfree(void *p)
{
	if (!p)
		return;
	if (is_vmalloc_addr(p) ? zalloc_can_vfree() : zalloc_can_refill())
		kvfree(p);
	else
		zalloc_defer_kvfree(p);
}
