// SPDX-License-Identifier: GPL-2.0
/*
 * zalloc sbrk allocator, the back: the break, the free lists, the checks
 * (sbrk.c is the front and says how it works; sbrk_internal.h has the
 * structures and the lock order).
 *
 * Everything here but sbrk_grow() runs under sb->lock with IRQs off, or
 * takes it.
 */
#define pr_fmt(fmt) "zalloc: " fmt

#include <linux/align.h>
#include <linux/printk.h>
#include <linux/seq_file.h>

#include "sbrk_internal.h"

/*
 * Tag big page @addr; its page-map node exists and the map covers it
 * (zalloc_pagemap_reserve() in sbrk_grow()), so the update cannot fail.
 */
static void sbrk_tag(struct zalloc_sbrk *sb, unsigned long addr,
		     unsigned long tag)
{
	WARN_ON_ONCE(!zalloc_pagemap_update(&sb->map, addr, (void *)tag));
}

/*
 * Move the break; no lock held.  The page map gets the nodes the new
 * bytes need, so tagging them never allocates.
 */
void *sbrk_grow(struct zalloc_sbrk *sb, size_t len, gfp_t gfp)
{
	void *p;

	if (!zalloc_can_refill() && !sb->prov->ops->atomic)
		return NULL;
	p = sb->prov->ops->sbrk(sb->prov, len, gfp);
	if (!p)
		return NULL;
	if (!IS_ALIGNED((unsigned long)p, SBRK_BIG)) {
		/* A broken provider: its memory is lost, not used wrongly. */
		pr_err_ratelimited("sbrk %s: provider %s returned %p, not aligned to %lu\n",
				   sbrk_name(sb), sb->prov->name, p, SBRK_BIG);
		return NULL;
	}
	if (zalloc_pagemap_reserve(&sb->map, (unsigned long)p,
				   (unsigned long)p + len, gfp))
		return NULL;	/* The bytes stay the provider's until destroy. */
	sbrk_count(sb, ZALLOC_SBRK_BRK_BYTES, len);
	zalloc_count_backing(&sb->inst, len);
	zalloc_stats_sample_peak(&sb->inst);
	return p;
}

/* [@p, @p + @len) came from the break: free-list links may point there. */
static void sbrk_note_brk(struct zalloc_sbrk *sb, void *p, size_t len)
{
	unsigned long a = (unsigned long)p;

	lockdep_assert_held(&sb->lock);
	if (!sb->brk_lo || a < sb->brk_lo)
		sb->brk_lo = a;
	sb->brk_hi = max(sb->brk_hi, a + len);
}

/*
 * Where the blocks of a list of @size-byte blocks may start: at @lo + 0 to
 * @lo + *@span, @lo the lowest address the break returned and *@span such
 * that a block ends by the highest.  false if no such block fits in the
 * break, which a list that has blocks rules out.
 */
static __always_inline bool sbrk_link_span(const struct zalloc_sbrk *sb,
					   size_t size, unsigned long *span)
{
	if (WARN_ON_ONCE(sb->brk_hi - sb->brk_lo < size))
		return false;
	*span = sb->brk_hi - sb->brk_lo - size;
	return true;
}

/*
 * Can @next follow free block @p, @left blocks before the end of a list of
 * blocks aligned to @align that start in [@lo, @lo + @span]
 * (sbrk_link_span())?  The last link is NULL and no other is (NULL is
 * below @lo); no block links to itself, and every block lies in the
 * break's range.  The bounds are passed in so that a loop over a list
 * keeps them in registers.
 */
static __always_inline bool sbrk_link_ok(unsigned long lo, unsigned long span,
					 const void *p, const void *next,
					 unsigned long left, size_t align)
{
	unsigned long n = (unsigned long)next;

	if (left <= 1)
		return !next;
	return next != p && IS_ALIGNED(n, align) && n - lo <= span;
}

/* A bad link in free block @p: report it and drop the whole list. */
static void sbrk_drop_list(struct zalloc_sbrk *sb, void **head,
			   unsigned long *nr_free, const void *p, size_t size,
			   const char *kind)
{
	sbrk_count(sb, ZALLOC_SBRK_CORRUPT_LISTS, 1);
	pr_err_ratelimited("sbrk %s: free list of %zu-byte %s blocks corrupted at %p, dropping %lu blocks\n",
			   sbrk_name(sb), size, kind, p, *nr_free);
	*head = NULL;
	*nr_free = 0;
}

static void sbrk_push_big(struct zalloc_sbrk *sb, void *p, unsigned int k)
{
	zalloc_link_set(p, sb->big_frees[k], sb->link_key);
	sb->big_frees[k] = p;
	sb->big_nr_free[k]++;
	sbrk_tag(sb, (unsigned long)p, SB_TAG_BIG | SB_TAG_FREE | k);
}

/* Put [@addr, @addr + @len), whole big pages, on the big free lists. */
static void sbrk_push_run(struct zalloc_sbrk *sb, unsigned long addr,
			  unsigned long len)
{
	unsigned int k;

	while (len) {
		k = ilog2(len >> ZALLOC_SBRK_BIGPAGE_SHIFT);
		sbrk_push_big(sb, (void *)addr, k);
		addr += sbrk_big_size(k);
		len -= sbrk_big_size(k);
	}
}

/*
 * A free big block of class @k aligned to @align, or NULL; every link is
 * checked before it is followed, and a bad one drops the list.
 */
static void *sbrk_big_take(struct zalloc_sbrk *sb, unsigned int k,
			   size_t align)
{
	unsigned long left = sb->big_nr_free[k], span;
	size_t size = sbrk_big_size(k);
	void *prev = NULL, *p, *next;

	lockdep_assert_held(&sb->lock);
	p = sb->big_frees[k];
	if (!p || !sbrk_link_span(sb, size, &span))
		return NULL;
	for (; p; prev = p, p = next, left--) {
		next = zalloc_link_get(p, sb->link_key);
		if (unlikely(!sbrk_link_ok(sb->brk_lo, span, p, next, left,
					   SBRK_BIG))) {
			sbrk_drop_list(sb, &sb->big_frees[k],
				       &sb->big_nr_free[k], p, size, "big");
			return NULL;
		}
		if (IS_ALIGNED((unsigned long)p, align)) {
			if (prev)
				zalloc_link_set(prev, next, sb->link_key);
			else
				sb->big_frees[k] = next;
			sb->big_nr_free[k]--;
			sbrk_tag(sb, (unsigned long)p, SB_TAG_BIG | k);
			return p;
		}
	}
	return NULL;
}

/*
 * Pop up to @want blocks of small class @class off its free list into the
 * magazine slots below @top, each stamped with its cookie.  Every link is
 * checked before it is followed; a bad one drops the rest of the list.
 * The list, the keys and the bounds are read into locals, since the
 * stores into the blocks could alias them.  Under the lock.  Returns how
 * many.
 */
static __always_inline unsigned int sbrk_list_take(struct zalloc_sbrk *sb,
						   unsigned int class,
						   void **top,
						   unsigned int want)
{
	const unsigned long key = sb->link_key, ckey = sb->cookie_key;
	const unsigned long lo = sb->brk_lo;
	const size_t size = sbrk_size(class);
	unsigned long left = sb->nr_free[class], span;
	void **stop = top - want;
	void *p = sb->frees[class], *next;

	if (!p || !sbrk_link_span(sb, size, &span))
		return 0;
	while (top > stop && p) {
		next = zalloc_link_get(p, key);
		if (unlikely(!sbrk_link_ok(lo, span, p, next, left, size))) {
			sb->frees[class] = p;
			sb->nr_free[class] = left;
			sbrk_drop_list(sb, &sb->frees[class],
				       &sb->nr_free[class], p, size, "small");
			return want - (top - stop);
		}
		*--top = p;
		*(unsigned long *)p = zalloc_mag_cookie(ckey, p);
		p = next;
		left--;
	}
	sb->frees[class] = p;
	sb->nr_free[class] = left;
	return want - (top - stop);
}

/* A block of small class @class from the bump or a fresh big page. */
static void *sbrk_small_bump(struct zalloc_sbrk *sb, unsigned int class)
{
	size_t size = sbrk_size(class);
	void *p;

	lockdep_assert_held(&sb->lock);
	if (sb->next_addrs[class] & (SBRK_BIG - 1)) {
		p = (void *)sb->next_addrs[class];
		/* Frees read the bump without the lock (sbrk_free()). */
		WRITE_ONCE(sb->next_addrs[class], (unsigned long)p + size);
		return p;
	}
	p = sbrk_big_take(sb, 0, 1);
	if (!p)
		return NULL;
	sb->small_bigpages++;
	WRITE_ONCE(sb->next_addrs[class], (unsigned long)p + size);
	/*
	 * The bump before the tag, which the page map publishes with release
	 * ordering: a lockless free that finds the tag finds this bump too
	 * (the smp_rmb() in sbrk_free()), so a pointer above it cannot pass
	 * for a block.
	 */
	sbrk_tag(sb, (unsigned long)p, SB_TAG_SMALL | class);
	return p;
}

void *sbrk_alloc_big(struct zalloc_sbrk *sb, size_t len, size_t align,
		     gfp_t gfp, unsigned long ip)
{
	unsigned int k = sbrk_big_class(len, align);
	size_t size = sbrk_big_size(k);
	size_t pad = align > SBRK_BIG ? align - SBRK_BIG : 0;
	unsigned long flags, start, p;
	void *fresh;

	if (k >= SBRK_NR_BIG)
		return NULL;
	raw_spin_lock_irqsave(&sb->lock, flags);
	p = (unsigned long)sbrk_big_take(sb, k, align);
	if (p)
		goto out;
	raw_spin_unlock_irqrestore(&sb->lock, flags);

	fresh = sbrk_grow(sb, size + pad, gfp);
	if (!fresh)
		return NULL;
	start = (unsigned long)fresh;
	p = ALIGN(start, max_t(size_t, align, SBRK_BIG));
	raw_spin_lock_irqsave(&sb->lock, flags);
	sbrk_note_brk(sb, fresh, size + pad);
	sbrk_push_run(sb, start, p - start);
	sbrk_push_run(sb, p + size, start + size + pad - (p + size));
	sbrk_tag(sb, p, SB_TAG_BIG | k);
out:
	sb->big_live[k]++;
	sb->big_ip[k] = ip;
	raw_spin_unlock_irqrestore(&sb->lock, flags);
	return (void *)p;
}

/*
 * Is @p a block of small class @class the break carved?  Its big page must
 * be carved into that class, @p on a block boundary below the bump.
 */
static bool sbrk_is_small(const struct zalloc_sbrk *sb, const void *p,
			  unsigned int class)
{
	unsigned long a = (unsigned long)p, next = sb->next_addrs[class];
	unsigned long tag = sbrk_tag_of(sb, a);
	struct sbrk_cpu *c;

	if (tag & SB_TAG_SMALL) {
		/* Under the lock, IRQs off: the CPU's cache is ours. */
		c = this_cpu_ptr(sb->cpu);
		c->base = a & ~(SBRK_BIG - 1);
		c->tag = tag;
	}
	if (tag != (SB_TAG_SMALL | class) || !IS_ALIGNED(a, sbrk_size(class)))
		return false;
	/* The class's current big page is carved only up to next_addrs. */
	return (a & ~(SBRK_BIG - 1)) != (next & ~(SBRK_BIG - 1)) ||
	       !(next & (SBRK_BIG - 1)) || a < next;
}

/* Is @p the head of a live big block of class @k? */
static enum sbrk_verdict sbrk_check_big(const struct zalloc_sbrk *sb,
					const void *p, unsigned int k)
{
	unsigned long tag;

	if (k >= SBRK_NR_BIG || !IS_ALIGNED((unsigned long)p, SBRK_BIG))
		return SBRK_FREE_INVALID;
	tag = sbrk_tag_of(sb, (unsigned long)p);
	if (tag == (SB_TAG_BIG | SB_TAG_FREE | k))
		return SBRK_FREE_DOUBLE;
	return tag == (SB_TAG_BIG | k) ? SBRK_FREE_OK : SBRK_FREE_INVALID;
}

/*
 * Is @p a live block of @len bytes at @align?  Under the lock.  A double
 * free is caught for a small block in a magazine or at the head of its
 * list, and for any big block.
 */
enum sbrk_verdict sbrk_check(struct zalloc_sbrk *sb, const void *p,
			     size_t len, size_t align)
{
	unsigned int class = sbrk_class(len, align);

	lockdep_assert_held(&sb->lock);
	if (class >= SBRK_NR)
		return sbrk_check_big(sb, p, sbrk_big_class(len, align));
	if (!sbrk_is_small(sb, p, class))
		return SBRK_FREE_INVALID;
	/* In a magazine (the cookie), or the head of its list. */
	if (*(const unsigned long *)p == sbrk_cookie(sb, p) ||
	    !sb->live[class] || sb->frees[class] == p)
		return SBRK_FREE_DOUBLE;
	return SBRK_FREE_OK;
}

void sbrk_report(struct zalloc_sbrk *sb, enum sbrk_verdict v,
		 const char *what, const void *p, size_t len, size_t align,
		 unsigned long ip)
{
	sbrk_count(sb, v == SBRK_FREE_DOUBLE ? ZALLOC_SBRK_DOUBLE_FREES :
					       ZALLOC_SBRK_INVALID_FREES, 1);
	pr_err_ratelimited("sbrk %s: %s %s of %p (%zu bytes, align %zu) by %pS, refused\n",
			   sbrk_name(sb), v == SBRK_FREE_DOUBLE ? "double" :
			   "invalid", what, p, len, align, (void *)ip);
}

/* A block left a magazine with its first word no longer the cookie. */
void sbrk_overwritten(struct zalloc_sbrk *sb, const void *p)
{
	sbrk_count(sb, ZALLOC_SBRK_CORRUPT_LISTS, 1);
	pr_err_ratelimited("sbrk %s: free block %p was written to after it was freed\n",
			   sbrk_name(sb), p);
}

/* Put a checked, live big block back on its free list.  Under the lock. */
void sbrk_put_big(struct zalloc_sbrk *sb, void *p, size_t len, size_t align)
{
	unsigned int k = sbrk_big_class(len, align);

	sbrk_push_big(sb, p, k);
	sb->big_live[k]--;
}

/*
 * Move up to @want blocks of small class @class into @m, which has room for
 * them, each stamped with its cookie, the first taken to be popped first.
 * Under the lock.  Returns how many.
 */
static unsigned int sbrk_take(struct zalloc_sbrk *sb, unsigned int class,
			      struct zalloc_mag *m, unsigned int want,
			      unsigned long ip)
{
	void **top = zalloc_mag_fill_top(m, want);
	unsigned int n;
	void *p;

	lockdep_assert_held(&sb->lock);
	n = sbrk_list_take(sb, class, top, want);
	top -= n;
	while (n < want) {
		p = sbrk_small_bump(sb, class);
		if (!p)
			break;
		*--top = p;
		*(unsigned long *)p = sbrk_cookie(sb, p);
		n++;
	}
	zalloc_mag_fill_done(m, want, n);
	sb->live[class] += n;
	if (n)
		sb->ip[class] = ip;
	return n;
}

/*
 * The caller's magazine of @class is empty and IRQs are off (*@flags holds
 * what they were).  Refill it under the lock, from a fresh big page if need
 * be (IRQs are turned back on to take it, so the caller may sleep if @gfp
 * allows), and return one block, or NULL.  The magazine used is the CPU's
 * the caller is on when it returns.
 */
void *sbrk_refill(struct zalloc_sbrk *sb, unsigned int class, gfp_t gfp,
		  unsigned long ip, unsigned long *flags)
{
	unsigned int want = max(zalloc_mag_cap(class) / 2, 1U);
	struct zalloc_mag *m = &this_cpu_ptr(sb->cpu)->mag[class];
	void *fresh;

	raw_spin_lock(&sb->lock);
	sbrk_take(sb, class, m, want, ip);
	raw_spin_unlock(&sb->lock);
	if (!zalloc_mag_empty(m))
		return zalloc_mag_pop(m);
	local_irq_restore(*flags);
	fresh = sbrk_grow(sb, SBRK_BIG, gfp);
	local_irq_save(*flags);
	if (!fresh)
		return NULL;
	m = &this_cpu_ptr(sb->cpu)->mag[class];
	raw_spin_lock(&sb->lock);
	sbrk_note_brk(sb, fresh, SBRK_BIG);
	sbrk_push_big(sb, fresh, 0);
	if (zalloc_mag_empty(m))
		sbrk_take(sb, class, m, want, ip);
	raw_spin_unlock(&sb->lock);
	return zalloc_mag_empty(m) ? NULL : zalloc_mag_pop(m);
}

/*
 * Give the @n oldest blocks of @m (IRQs off) back to their class's free
 * list.  A block that is already the head of the list was freed twice: it
 * is reported and dropped, not linked to itself.
 */
void sbrk_flush(struct zalloc_sbrk *sb, struct zalloc_mag *m,
		unsigned int class, unsigned int n)
{
	unsigned int i, dropped = 0;
	void *p;

	raw_spin_lock(&sb->lock);
	for (i = 0; i < n; i++) {
		p = m->obj[i];
		if (p == sb->frees[class]) {
			dropped++;
			continue;
		}
		zalloc_link_set(p, sb->frees[class], sb->link_key);
		sb->frees[class] = p;
	}
	sb->nr_free[class] += n - dropped;
	sb->live[class] -= n - dropped;
	raw_spin_unlock(&sb->lock);
	zalloc_mag_drop_oldest(m, n);
	if (dropped) {
		sbrk_count(sb, ZALLOC_SBRK_DOUBLE_FREES, dropped);
		pr_err_ratelimited("sbrk %s: %u blocks of %zu bytes found freed twice, dropped\n",
				   sbrk_name(sb), dropped, sbrk_size(class));
	}
}

/* Every CPU's magazines back to the lists; nobody may use the instance. */
void sbrk_drain(struct zalloc_sbrk *sb)
{
	struct sbrk_cpu *c;
	unsigned long flags;
	unsigned int class;
	int cpu;

	for_each_possible_cpu(cpu) {
		c = per_cpu_ptr(sb->cpu, cpu);
		local_irq_save(flags);
		for (class = 0; class < SBRK_NR; class++)
			if (c->mag[class].nr)
				sbrk_flush(sb, &c->mag[class], class,
					   c->mag[class].nr);
		local_irq_restore(flags);
	}
}

/* Blocks in magazines, per class, summed over the CPUs (a snapshot). */
static void sbrk_cached(struct zalloc_sbrk *sb, unsigned long *cached)
{
	unsigned int c;
	int cpu;

	memset(cached, 0, SBRK_NR * sizeof(*cached));
	for_each_possible_cpu(cpu)
		for (c = 0; c < SBRK_NR; c++)
			cached[c] += READ_ONCE(per_cpu_ptr(sb->cpu, cpu)->mag[c].nr);
}

/* The kind's read: what the counters do not hold, under the lock. */
void sbrk_read(struct zalloc_instance *inst, unsigned long *v)
{
	struct zalloc_sbrk *sb = to_sbrk(inst);
	unsigned long flags, cached[SBRK_NR];
	unsigned int i;

	sbrk_cached(sb, cached);
	v[ZALLOC_SBRK_BIGPAGE_BYTES] = SBRK_BIG;
	v[ZALLOC_SBRK_LIVE_SMALL] = 0;
	v[ZALLOC_SBRK_FREE_SMALL] = 0;
	v[ZALLOC_SBRK_LIVE_BIG] = 0;
	v[ZALLOC_SBRK_FREE_BIG] = 0;
	v[ZALLOC_SBRK_FREE_BIG_BYTES] = 0;
	raw_spin_lock_irqsave(&sb->lock, flags);
	for (i = 0; i < SBRK_NR; i++) {
		v[ZALLOC_SBRK_LIVE_SMALL] += sb->live[i] - cached[i];
		v[ZALLOC_SBRK_FREE_SMALL] += sb->nr_free[i] + cached[i];
	}
	for (i = 0; i < SBRK_NR_BIG; i++) {
		v[ZALLOC_SBRK_LIVE_BIG] += sb->big_live[i];
		v[ZALLOC_SBRK_FREE_BIG] += sb->big_nr_free[i];
		v[ZALLOC_SBRK_FREE_BIG_BYTES] += sb->big_nr_free[i] *
						 sbrk_big_size(i);
	}
	v[ZALLOC_SBRK_SMALL_BIGPAGES] = sb->small_bigpages;
	raw_spin_unlock_irqrestore(&sb->lock, flags);
}

/* Small classes by size; big classes that were ever used, as "big". */
void sbrk_show_classes(struct seq_file *m, struct zalloc_instance *inst)
{
	unsigned long live[SBRK_NR], nfree[SBRK_NR], cached[SBRK_NR];
	unsigned long blive[SBRK_NR_BIG], bfree[SBRK_NR_BIG];
	struct zalloc_sbrk *sb = to_sbrk(inst);
	unsigned long flags;
	unsigned int i;

	sbrk_cached(sb, cached);
	raw_spin_lock_irqsave(&sb->lock, flags);
	memcpy(live, sb->live, sizeof(live));
	memcpy(nfree, sb->nr_free, sizeof(nfree));
	memcpy(blive, sb->big_live, sizeof(blive));
	memcpy(bfree, sb->big_nr_free, sizeof(bfree));
	raw_spin_unlock_irqrestore(&sb->lock, flags);

	seq_printf(m, "%5s %5s %12s %10s %10s\n", "class", "kind", "size",
		   "live", "free");
	for (i = 0; i < SBRK_NR; i++)
		seq_printf(m, "%5u %5s %12zu %10lu %10lu\n", i, "small",
			   sbrk_size(i), live[i] - cached[i],
			   nfree[i] + cached[i]);
	for (i = 0; i < SBRK_NR_BIG; i++)
		if (blive[i] || bfree[i])
			seq_printf(m, "%5u %5s %12zu %10lu %10lu\n", i, "big",
				   sbrk_big_size(i), blive[i], bfree[i]);
}
