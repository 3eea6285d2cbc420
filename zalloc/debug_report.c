// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc debug mode: telling what went wrong and saying it (as KFENCE's
 * report.c does for its core).
 *
 * Every report is counted in its core's reports[] and printed with pr_err,
 * ratelimited across all cores, in words that do not look like a kernel
 * splat ("zalloc-debug NAME: double free: ...").  Zig's DebugAllocator
 * panics on misuse; a kernel allocator must not, so the caller of a report
 * refuses the call and carries on.
 *
 * Locking: the finders run under the core's lock (the caller holds it);
 * printing and red-zone checks take no lock.
 */
#define pr_fmt(fmt) "zalloc-debug " fmt

#include <linux/printk.h>
#include <linux/ratelimit.h>
#include <linux/string.h>

#include "debug_core.h"
#include "internal.h"

static DEFINE_RATELIMIT_STATE(zalloc_debug_ratelimit, 5 * HZ, 50);

void zalloc_debug_report(struct zalloc_debug *d, enum zalloc_debug_report kind,
			 const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	atomic_long_inc(&d->reports[kind]);
	if (!__ratelimit(&zalloc_debug_ratelimit))
		return;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_err("%s: %pV\n", zalloc_report_name(d->inst), &vaf);
	va_end(args);
}

/* The most recent freed record for @addr, if it is still remembered. */
struct zalloc_debug_block *zalloc_debug_find_freed(struct zalloc_debug *d,
						   unsigned long addr)
{
	struct zalloc_debug_block *b;

	lockdep_assert_held(&d->lock);
	list_for_each_entry_reverse(b, &d->freed, fnode)
		if (b->addr == addr)
			return b;
	return NULL;
}

/* The live block @addr lies inside (not at its start), if any. */
struct zalloc_debug_block *zalloc_debug_find_inside(struct zalloc_debug *d,
						    unsigned long addr)
{
	struct zalloc_debug_block *b;
	int bkt;

	lockdep_assert_held(&d->lock);
	hash_for_each(d->live, bkt, b, node)
		if (addr > b->addr && addr < b->addr + b->len)
			return b;
	return NULL;
}

/*
 * @what (free, resize, remap) of @addr, which is no live block: a double
 * free if it was freed recently, else an invalid free.  Under the lock.
 */
void zalloc_debug_report_unknown(struct zalloc_debug *d, const char *what,
				 unsigned long addr, size_t len,
				 unsigned long ip)
{
	struct zalloc_debug_block *b = zalloc_debug_find_freed(d, addr);

	if (b) {
		zalloc_debug_report(d, ZALLOC_DEBUG_DOUBLE_FREE,
				    "double free: %s of freed block %p (%zu bytes) by %pS; allocated by %pS, freed by %pS",
				    what, (void *)addr, b->len, (void *)ip,
				    (void *)b->alloc_ip, (void *)b->free_ip);
		return;
	}
	b = zalloc_debug_find_inside(d, addr);
	if (b)
		zalloc_debug_report(d, ZALLOC_DEBUG_INVALID_FREE,
				    "invalid free: %s of %p (%zu bytes) by %pS: inside block %p (%zu bytes) allocated by %pS",
				    what, (void *)addr, len, (void *)ip,
				    (void *)b->addr, b->len, (void *)b->alloc_ip);
	else
		zalloc_debug_report(d, ZALLOC_DEBUG_INVALID_FREE,
				    "invalid free: %s of %p (%zu bytes) by %pS: not a block of this allocator",
				    what, (void *)addr, len, (void *)ip);
}

/* Report and return true if @len or @align is not @b's own. */
bool zalloc_debug_report_mismatch(struct zalloc_debug *d, const char *what,
				  const struct zalloc_debug_block *b,
				  size_t len, size_t align, unsigned long ip)
{
	if (len != b->len) {
		zalloc_debug_report(d, ZALLOC_DEBUG_WRONG_LEN,
				    "%s of %p by %pS with length %zu, block has %zu; allocated by %pS",
				    what, (void *)b->addr, (void *)ip, len,
				    b->len, (void *)b->alloc_ip);
		return true;
	}
	if (align != b->align) {
		zalloc_debug_report(d, ZALLOC_DEBUG_WRONG_ALIGN,
				    "%s of %p by %pS with alignment %zu, block has %zu; allocated by %pS",
				    what, (void *)b->addr, (void *)ip, align,
				    b->align, (void *)b->alloc_ip);
		return true;
	}
	return false;
}

/* Report the first byte of @b's red zones (or header) found overwritten. */
void zalloc_debug_zone_check(struct zalloc_debug *d,
			     struct zalloc_debug_block *b, unsigned long ip)
{
	u8 *before = (u8 *)b->raw + DBG_HEADER;
	u8 *after = (u8 *)(b->addr + b->len);
	u8 *bad;

	bad = memchr_inv(before, DBG_ZONE_BEFORE,
			 b->addr - (unsigned long)before);
	if (!bad && *(unsigned long *)b->raw != b->inner)
		bad = (u8 *)b->raw;
	if (!bad)
		bad = memchr_inv(after, DBG_ZONE_AFTER,
				 b->raw + b->size - b->addr - b->len);
	if (!bad || b->zone_reported)
		return;
	b->zone_reported = true;
	zalloc_debug_report(d, ZALLOC_DEBUG_REDZONE_BAD,
			    "red zone of %p (%zu bytes) overwritten at offset %td, found by %pS; allocated by %pS",
			    (void *)b->addr, b->len, bad - (u8 *)b->addr,
			    (void *)ip, (void *)b->alloc_ip);
}

void zalloc_debug_report_leak(struct zalloc_debug *d,
			      struct zalloc_debug_block *b)
{
	zalloc_debug_report(d, ZALLOC_DEBUG_LEAK,
			    "leak of %p (%zu bytes, align %zu) allocated by %pS",
			    (void *)b->addr, b->len, b->align,
			    (void *)b->alloc_ip);
	zalloc_debug_zone_check(d, b, _RET_IP_);
}
