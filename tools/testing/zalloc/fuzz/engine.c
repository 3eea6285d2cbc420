// SPDX-License-Identifier: GPL-2.0
/*
 * The zalloc fuzz engine: engine.h says what it decodes and checks.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../glue.h"
#include "engine.h"

/* The fill patterns' table: lengths never exceed it (fz_len()). */
#define FZ_TAB		((1 << 20) + 4096)
static u8 fz_tab[FZ_TAB];

/* Config bits the engine keeps for itself; targets use bits 0-5. */
#define FZ_CFG_INIT_ON_ALLOC	0x80
#define FZ_CFG_INIT_ON_FREE	0x40

gfp_t fz_gfp_now;
static bool fz_ready;
static unsigned long base_pages, base_vmalloc, base_percpu;
static long base_kmalloc;
static struct fz fz_state;

/* The op being run, for failure messages. */
static const char *fz_what = "setup";
static unsigned long fz_opno;
static bool fz_want_report;
static char fz_detail[160];
static bool fz_trace;

void fz_fail(struct fz *f, const char *fmt, ...)
{
	char msg[512];
	va_list args;

	va_start(args, fmt);
	vsnprintf(msg, sizeof(msg), fmt, args);
	va_end(args);
	fprintf(stderr, "\nzalloc fuzz: %s: model mismatch at op %lu (%s: %s):\n  %s\n",
		f->t->name, fz_opno, fz_what, fz_detail, msg);
	uk_dump_messages();
	abort();
}

unsigned long fz_info(struct fz *f, unsigned int item)
{
	unsigned long v[32];
	unsigned int n = zalloc_instance_info(f->inst, v, ARRAY_SIZE(v));

	FZ_CHECK(f, item < n, "counter %u of %u", item, n);
	return v[item];
}

/* ---- lengths, alignments, gfp ---- */

static size_t fz_len(const struct fz *f, u8 a, u8 b)
{
	size_t len;

	switch (a >> 6) {
	case 0:		/* tiny, zero now and then */
		len = (b & 63) + ((a & 63) != 0);
		break;
	case 1:		/* up to 4 KiB */
		len = 1 + ((((size_t)a & 63) << 8 | b) % 4096);
		break;
	case 2:		/* a power of two, or one either side */
		len = ((size_t)1 << (b % 22)) + (a & 3) - 1;
		if (!len)
			len = 1;
		break;
	default:	/* up to 64 KiB; up to 1 MiB one time in four */
		len = 1 + ((((size_t)a & 15) << 8 | b) << (a & 0x30 ? 4 : 8));
		break;
	}
	BUILD_BUG_ON(FZ_TAB < (1 << 20) + 64);
	return min(len, min_t(size_t, f->t->max_len, FZ_TAB));
}

static size_t fz_align(const struct fz *f, u8 c)
{
	/* Small ones mostly; up to 1 MiB, capped by what the target serves. */
	unsigned int shift = c & 0x80 ? c % 21 : c % 5;

	return (size_t)1 << min(shift, f->t->max_align_shift);
}

static gfp_t fz_gfp(u8 d)
{
	gfp_t gfp = d & 1 ? GFP_ATOMIC : GFP_KERNEL;

	if (d & 2)
		gfp |= __GFP_ZERO;
	if (d & 4)
		gfp |= __GFP_NOWARN;
	return gfp;
}

/* ---- contents ---- */

/*
 * A block's pattern: byte i is fz_tab[i] ^ its key, so that no two blocks
 * (keys) and no two nearby offsets read alike.  Table-driven, so that
 * filling and checking run at memory speed.
 */

static void fz_tab_init(void)
{
	size_t i;

	for (i = 0; i < FZ_TAB; i++)
		fz_tab[i] = (u8)((i * 131) ^ (i >> 7) ^ (i >> 15));
}

static inline u8 fz_key(u32 seed)
{
	return (u8)(seed ^ (seed >> 11) ^ (seed >> 23)) | 1;
}

static inline u8 fz_pat(u32 seed, size_t i)
{
	return fz_tab[i] ^ fz_key(seed);
}

/* Eight bytes at a time: the loops run at memory speed even under ASan. */
static void fz_fill(const struct fz_blk *b, size_t from, size_t to)
{
	u64 k = 0x0101010101010101ull * fz_key(b->seed), w;
	size_t i = from;

	for (; i + 8 <= to; i += 8) {
		memcpy(&w, fz_tab + i, 8);
		w ^= k;
		memcpy(b->p + i, &w, 8);
	}
	for (; i < to; i++)
		b->p[i] = fz_tab[i] ^ (u8)k;
}

void fz_check_contents(struct fz *f, const struct fz_blk *b, size_t len)
{
	u64 k = 0x0101010101010101ull * fz_key(b->seed), w, t, diff = 0;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, b->p + i, 8);
		memcpy(&t, fz_tab + i, 8);
		diff |= w ^ t ^ k;
	}
	for (; i < len; i++)
		diff |= b->p[i] ^ fz_tab[i] ^ (u8)k;
	if (!diff)
		return;
	for (i = 0; i < len; i++)
		if (b->p[i] != fz_pat(b->seed, i))
			fz_fail(f, "block %p (%zu bytes, align %zu): byte %zu is %#x, wrote %#x",
				b->p, b->len, b->align, i, b->p[i],
				fz_pat(b->seed, i));
}

static void fz_check_zero(struct fz *f, const u8 *p, size_t from, size_t to)
{
	size_t i;

	for (i = from; i < to; i++)
		if (p[i])
			fz_fail(f, "block %p: byte %zu is %#x, not 0 (%s)",
				p, i, p[i], fz_what);
}

/* ---- the model's blocks ---- */

struct fz_blk *fz_newest(struct fz *f)
{
	struct fz_blk *best = NULL;
	unsigned int i;

	for (i = 0; i < f->nr; i++)
		if (!best || f->blk[i].serial > best->serial)
			best = &f->blk[i];
	return best;
}

static void fz_check_placement(struct fz *f, const u8 *p, size_t len,
			       size_t align, const struct fz_blk *self)
{
	unsigned int i;

	FZ_CHECK(f, !ZERO_OR_NULL_PTR(p), "p=%p", p);
	FZ_CHECK(f, IS_ALIGNED((unsigned long)p, align), "p=%p align=%zu", p, align);
	for (i = 0; i < f->nr; i++) {
		const struct fz_blk *o = &f->blk[i];

		if (o == self)
			continue;
		if (p < o->p + o->len && o->p < p + len)
			fz_fail(f, "[%p, +%zu) overlaps live block [%p, +%zu)",
				p, len, o->p, o->len);
	}
}

static struct fz_blk *fz_pick(struct fz *f, u8 a)
{
	return f->nr ? &f->blk[a % f->nr] : NULL;
}

static void fz_drop(struct fz *f, struct fz_blk *b)
{
	*b = f->blk[--f->nr];
}

void fz_forget_all(struct fz *f)
{
	f->nr = 0;
}

/* A block of memory that was freed: for double-free probes. */
#define FZ_GRAVE	16
static struct fz_blk fz_grave[FZ_GRAVE];
static unsigned int fz_grave_next;

static void fz_bury(const struct fz_blk *b)
{
	fz_grave[fz_grave_next++ % FZ_GRAVE] = *b;
}

/* ---- counters ---- */

static const char *const fz_stat_names[] = {
	"allocations", "failed_allocations", "frees", "resizes_ok",
	"resizes_refused", "remaps_in_place", "remaps_moved",
	"remaps_refused", "bytes_allocated", "bytes_freed",
};

static void fz_relen_bytes(struct fz *f, size_t len, size_t new_len)
{
	if (new_len > len)
		f->sum.v[ZALLOC_STAT_BYTES_ALLOC] += new_len - len;
	else
		f->sum.v[ZALLOC_STAT_BYTES_FREE] += len - new_len;
}

void fz_expect_drop_live(struct fz *f)
{
	unsigned long *v = f->sum.v;
	size_t bytes = 0;
	unsigned int i;

	for (i = 0; i < f->nr; i++)
		bytes += f->blk[i].len;
	FZ_CHECK(f, v[ZALLOC_STAT_ALLOC] - v[ZALLOC_STAT_FREE] == f->nr,
		 "live by the counters %lu, by the model %u",
		 v[ZALLOC_STAT_ALLOC] - v[ZALLOC_STAT_FREE], f->nr);
	FZ_CHECK(f, v[ZALLOC_STAT_BYTES_ALLOC] - v[ZALLOC_STAT_BYTES_FREE] == bytes,
		 "live bytes by the counters %lu, by the model %zu",
		 v[ZALLOC_STAT_BYTES_ALLOC] - v[ZALLOC_STAT_BYTES_FREE], bytes);
	v[ZALLOC_STAT_FREE] += f->nr;
	v[ZALLOC_STAT_BYTES_FREE] += bytes;
}

void fz_expect_report(struct fz *f)
{
	fz_want_report = true;
}

static unsigned long fz_msgs(void)
{
	return uk_messages(UK_ERR) + uk_messages(UK_WARN);
}

static unsigned long fz_msgs_before;

/* The instance's counters must be what the model says; so must its messages. */
void fz_sync_counters(struct fz *f, const char *what)
{
	struct zalloc_stats_sum now;
	unsigned long msgs = fz_msgs();
	unsigned int i;

	zalloc_stats_read(f->inst, &now);
	for (i = 0; i < ARRAY_SIZE(fz_stat_names); i++)
		if (now.v[i] != f->sum.v[i])
			fz_fail(f, "after %s: %s is %lu, the model says %lu",
				what, fz_stat_names[i], now.v[i], f->sum.v[i]);
	FZ_CHECK(f, now.v[ZALLOC_STAT_BACKING_ALLOC] >= now.v[ZALLOC_STAT_BACKING_FREE],
		 "backing taken %lu < returned %lu", now.v[ZALLOC_STAT_BACKING_ALLOC],
		 now.v[ZALLOC_STAT_BACKING_FREE]);
	if (fz_want_report)
		FZ_CHECK(f, msgs > fz_msgs_before, "a bad %s was not reported", what);
	else
		FZ_CHECK(f, msgs == fz_msgs_before, "a valid %s printed a warning or error", what);
	fz_want_report = false;
	fz_msgs_before = msgs;
}

/* An expectation met?  @ok: the call succeeded. */
static void fz_outcome(struct fz *f, enum fz_expect e, bool ok,
		       unsigned long faults)
{
	switch (e) {
	case FZ_MUST:
		FZ_CHECK(f, ok, "refused, but must succeed");
		break;
	case FZ_MUST_NOT:
		FZ_CHECK(f, !ok, "succeeded, but must be refused");
		break;
	case FZ_MAY_OOM:
		FZ_CHECK(f, ok || fz_faulted(faults),
			 "refused with no allocation failure");
		break;
	case FZ_MAY:
		break;
	}
}

static bool fz_fresh_zero(gfp_t gfp)
{
	return (gfp & __GFP_ZERO) || uk_init_on_alloc;
}

/* ---- the operations ---- */

static bool fz_direct_alloc(const struct fz *f)
{
	return f->direct && f->t->alloc_direct;
}

static void *fz_call_alloc(struct fz *f, size_t len, size_t align, gfp_t gfp)
{
	if (fz_direct_alloc(f))
		return f->t->alloc_direct(f, len, align, gfp);
	return zalloc_alloc(f->a, len, align, gfp);
}

void fz_call_free(struct fz *f, void *p, size_t len, size_t align)
{
	if (f->direct && f->t->free_direct)
		f->t->free_direct(f, p, len, align);
	else
		zalloc_free(f->a, p, len, align);
}

static void fz_alloc(struct fz *f, const u8 *arg)
{
	size_t len = fz_len(f, arg[0], arg[1]);
	size_t align = fz_align(f, arg[2]);
	gfp_t gfp = fz_gfp(arg[3]);
	unsigned long faults = uk_faults();
	enum fz_expect e;
	u8 *p;

	fz_what = "alloc";
	if (f->nr >= FZ_BLOCKS - 1)
		return;
	if (fz_direct_alloc(f) && f->t->direct_no_gfp)
		gfp = GFP_NOWAIT;
	if (!len) {
		p = fz_call_alloc(f, 0, align, gfp);
		FZ_CHECK(f, p == ZERO_SIZE_PTR, "p=%p", p);
		return;
	}
	snprintf(fz_detail, sizeof(fz_detail), "len %zu align %zu gfp %#x",
		 len, align, gfp);
	fz_gfp_now = gfp;
	e = f->t->expect_alloc(f, len, align);
	p = fz_call_alloc(f, len, align, gfp);
	fz_outcome(f, e, p, faults);
	if (!p) {
		f->sum.v[ZALLOC_STAT_ALLOC_FAIL]++;
		return;
	}
	if (fz_fresh_zero(gfp))
		fz_check_zero(f, p, 0, len);
	fz_track(f, p, len, align);
}

struct fz_blk *fz_track(struct fz *f, u8 *p, size_t len, size_t align)
{
	struct fz_blk *b;

	FZ_CHECK(f, len <= FZ_TAB, "the engine's blocks are at most %d bytes", FZ_TAB);
	fz_check_placement(f, p, len, align, NULL);
	f->sum.v[ZALLOC_STAT_ALLOC]++;
	f->sum.v[ZALLOC_STAT_BYTES_ALLOC] += len;
	b = &f->blk[f->nr++];
	memset(b, 0, sizeof(*b));
	b->p = p;
	b->len = len;
	b->align = align;
	b->seed = (u32)get_random_long();
	b->serial = ++f->serial;
	f->t->alloced(f, b);
	fz_fill(b, 0, len);
	return b;
}

void fz_free_blk(struct fz *f, struct fz_blk *b)
{
	fz_check_contents(f, b, b->len);
	fz_call_free(f, b->p, b->len, b->align);
	if (uk_init_on_free && f->t->free_keeps_bytes)
		fz_check_zero(f, b->p, 0, b->len);
	f->sum.v[ZALLOC_STAT_FREE]++;
	f->sum.v[ZALLOC_STAT_BYTES_FREE] += b->len;
	f->t->freed(f, b);
	fz_bury(b);
	fz_drop(f, b);
}

static void fz_free(struct fz *f, const u8 *arg)
{
	struct fz_blk *b = fz_pick(f, arg[0]);

	fz_what = "free";
	if (b)
		fz_free_blk(f, b);
}

/* A resize or remap that succeeded in place, or a remap that moved. */
static void fz_relenned(struct fz *f, struct fz_blk *b, u8 *p, size_t new_len,
			gfp_t gfp)
{
	size_t old_len = b->len;
	struct fz_blk moved = *b;

	moved.p = p;
	moved.len = new_len;
	if (p != b->p)
		fz_check_placement(f, p, new_len, b->align, b);
	fz_check_contents(f, &moved, min(old_len, new_len));
	if ((gfp & __GFP_ZERO) && new_len > old_len)
		fz_check_zero(f, p, old_len, new_len);
	fz_relen_bytes(f, old_len, new_len);
	b->p = p;
	b->len = new_len;
	f->t->relenned(f, b, old_len);
	fz_fill(b, old_len < new_len ? old_len : new_len, new_len);
}

static void fz_resize(struct fz *f, const u8 *arg, bool remap)
{
	struct fz_blk *b = fz_pick(f, arg[0]);
	size_t new_len = fz_len(f, arg[1], arg[2]);
	gfp_t gfp = fz_gfp(arg[3]);
	unsigned long faults = uk_faults();
	enum fz_expect e;
	u8 *p;
	bool ok;

	fz_what = remap ? "remap" : "resize";
	if (!b)
		return;
	fz_check_contents(f, b, b->len);
	if (!new_len) {
		/* Both free the block. */
		if (remap)
			FZ_CHECK(f, zalloc_remap(f->a, b->p, b->len, b->align, 0, gfp) ==
				 ZERO_SIZE_PTR, "remap to 0");
		else
			FZ_CHECK(f, zalloc_resize(f->a, b->p, b->len, b->align, 0, gfp),
				 "resize to 0");
		f->sum.v[ZALLOC_STAT_FREE]++;
		f->sum.v[ZALLOC_STAT_BYTES_FREE] += b->len;
		f->t->freed(f, b);
		fz_bury(b);
		fz_drop(f, b);
		return;
	}
	snprintf(fz_detail, sizeof(fz_detail), "%p len %zu align %zu to %zu",
		 b->p, b->len, b->align, new_len);
	fz_gfp_now = gfp;
	e = f->t->expect_relen(f, b, new_len);
	if (remap) {
		p = zalloc_remap(f->a, b->p, b->len, b->align, new_len, gfp);
		ok = p;
	} else {
		ok = zalloc_resize(f->a, b->p, b->len, b->align, new_len, gfp);
		p = b->p;
	}
	fz_outcome(f, e, ok, faults);
	if (!ok) {
		f->sum.v[remap ? ZALLOC_STAT_REMAP_REFUSED :
				 ZALLOC_STAT_RESIZE_REFUSED]++;
		fz_check_contents(f, b, b->len);
		return;
	}
	if (!remap)
		f->sum.v[ZALLOC_STAT_RESIZE_OK]++;
	else
		f->sum.v[p == b->p ? ZALLOC_STAT_REMAP_INPLACE :
				     ZALLOC_STAT_REMAP_MOVED]++;
	fz_relenned(f, b, p, new_len, gfp);
}

static void fz_realloc(struct fz *f, const u8 *arg)
{
	struct fz_blk *b = fz_pick(f, arg[0]);
	size_t new_len = fz_len(f, arg[1], arg[2]);
	gfp_t gfp = fz_gfp(arg[3]);
	unsigned long faults = uk_faults();
	struct zalloc_stats_sum now;
	enum fz_expect e, ea;
	struct fz_blk old;
	u8 *p;

	fz_what = "realloc";
	if (!b || !new_len)
		return;
	fz_check_contents(f, b, b->len);
	snprintf(fz_detail, sizeof(fz_detail), "%p len %zu align %zu to %zu",
		 b->p, b->len, b->align, new_len);
	fz_gfp_now = gfp;
	e = f->t->expect_relen(f, b, new_len);
	ea = f->t->expect_alloc(f, new_len, b->align);
	p = zalloc_realloc(f->a, b->p, b->len, b->align, new_len, gfp);
	if (p == b->p) {
		/* Remapped in place. */
		fz_outcome(f, e, true, faults);
		f->sum.v[ZALLOC_STAT_REMAP_INPLACE]++;
		fz_relenned(f, b, p, new_len, gfp);
		return;
	}
	/* Not in place: the remap was refused or moved the block. */
	if (e == FZ_MUST)
		fz_outcome(f, e, false, faults);
	if (!p) {
		fz_outcome(f, ea, false, faults);
		f->sum.v[ZALLOC_STAT_REMAP_REFUSED]++;
		f->sum.v[ZALLOC_STAT_ALLOC_FAIL]++;
		fz_check_contents(f, b, b->len);
		return;
	}
	zalloc_stats_read(f->inst, &now);
	if (now.v[ZALLOC_STAT_REMAP_MOVED] != f->sum.v[ZALLOC_STAT_REMAP_MOVED]) {
		f->sum.v[ZALLOC_STAT_REMAP_MOVED]++;
		fz_relenned(f, b, p, new_len, gfp);
		return;
	}
	/* alloc + copy + free, as zalloc_realloc() does. */
	fz_outcome(f, ea, true, faults);
	old = *b;
	fz_check_placement(f, p, new_len, b->align, b);
	f->sum.v[ZALLOC_STAT_REMAP_REFUSED]++;
	f->sum.v[ZALLOC_STAT_ALLOC]++;
	f->sum.v[ZALLOC_STAT_BYTES_ALLOC] += new_len;
	f->sum.v[ZALLOC_STAT_FREE]++;
	f->sum.v[ZALLOC_STAT_BYTES_FREE] += old.len;
	b->p = p;
	b->len = new_len;
	b->serial = ++f->serial;
	b->room = 0;
	b->where = 0;
	fz_check_contents(f, b, min(old.len, new_len));
	if ((gfp & __GFP_ZERO) && new_len > old.len)
		fz_check_zero(f, p, old.len, new_len);
	f->t->alloced(f, b);
	f->t->freed(f, &old);
	fz_bury(&old);
	fz_fill(b, min(old.len, new_len), new_len);
}

/* A freed block that no live block overlaps, for a double free; or NULL. */
struct fz_blk *fz_grave_pick(struct fz *f, u8 a)
{
	unsigned int i, n = min_t(unsigned int, fz_grave_next, FZ_GRAVE), j;
	struct fz_blk *g;

	for (i = 0; i < n; i++) {
		g = &fz_grave[(a + i) % n];
		for (j = 0; j < f->nr; j++)
			if (g->p < f->blk[j].p + f->blk[j].len &&
			    f->blk[j].p < g->p + g->len)
				break;
		if (j == f->nr)
			return g;
	}
	return NULL;
}

bool fz_bad_free(struct fz *f, const u8 *arg, const struct fz_blk *grave,
		 size_t (*wrong_len)(const struct fz_blk *b))
{
	struct fz_blk *b = f->nr ? &f->blk[arg[1] % f->nr] : NULL;
	static unsigned long not_ours[4];
	size_t len;

	switch (arg[0] % 4) {
	case 0:		/* a second free */
		if (!grave)
			return false;
		fz_call_free(f, grave->p, grave->len, grave->align);
		return true;
	case 1:		/* inside a live block */
		if (!b)
			return false;
		fz_call_free(f, b->p + 1 + arg[2] % 7, b->len, b->align);
		return true;
	case 2:		/* never handed out */
		fz_call_free(f, &not_ours[arg[2] % 4], 8, 8);
		return true;
	default:	/* a live block with another length */
		len = b ? wrong_len(b) : 0;
		if (!len)
			return false;
		fz_call_free(f, b->p, len, b->align);
		return true;
	}
}

void fz_count_live(const struct fz *f, bool (*small)(size_t len, size_t align),
		   unsigned long *nr_small, unsigned long *nr_big)
{
	unsigned int i;

	*nr_small = 0;
	*nr_big = 0;
	for (i = 0; i < f->nr; i++) {
		if (small(f->blk[i].len, f->blk[i].align))
			(*nr_small)++;
		else
			(*nr_big)++;
	}
}

/* Operation 14: a call that must be refused, reported and counted once. */
static void fz_bad(struct fz *f, const u8 *arg)
{
	const struct fz_target *t = f->t;
	unsigned long before = t->refused ? t->refused(f) : 0;

	if (!t->bad || !t->bad(f, arg))
		return;
	fz_expect_report(f);
	f->bad++;
	if (t->refused)
		FZ_CHECK(f, t->refused(f) == before + 1,
			 "a bad call was counted %lu times, not once",
			 t->refused(f) - before);
}

int fz_run(const struct fz_target *t, const u8 *data, size_t size)
{
	struct fz *f = &fz_state;
	size_t pos;

	if (!fz_ready) {
		if (uk_zalloc_init(FZ_CPUS))
			abort();
		uk_run_work();
		uk_rcu_quiesce();
		base_pages = uk_pages_used();
		base_vmalloc = uk_vmalloc_used();
		base_percpu = uk_percpu_used();
		base_kmalloc = uk_kmalloc_live();
		fz_trace = getenv("FZ_TRACE");
		fz_tab_init();
		fz_ready = true;
	}
	if (!size)
		return 0;
	memset(f, 0, sizeof(*f));
	memset(fz_grave, 0, sizeof(fz_grave));
	fz_grave_next = 0;
	f->t = t;
	f->config = data[0];
	fz_opno = 0;
	fz_what = "setup";
	fz_want_report = false;
	uk_seed_random(0x5eed ^ size);
	uk_fault_after(0);
	uk_attach_cpu(0);
	uk_init_on_alloc = data[0] & FZ_CFG_INIT_ON_ALLOC;
	uk_init_on_free = data[0] & FZ_CFG_INIT_ON_FREE;
	init_on_alloc.enabled = uk_init_on_alloc;
	init_on_free.enabled = uk_init_on_free;

	t->setup(f, data[0] & 0x3f);
	if (!f->a)
		return 0;
	zalloc_stats_read(f->inst, &f->sum);
	fz_msgs_before = fz_msgs();

	for (pos = 1; pos + 5 <= size; pos += 5) {
		const u8 *arg = data + pos + 1;

		fz_opno++;
		fz_detail[0] = '\0';
		f->direct = data[pos] & 0x10;
		if (fz_trace)
			fprintf(stderr, "op %lu: %u (%u %u %u %u) live %u\n", fz_opno,
				data[pos] % 16, arg[0], arg[1], arg[2], arg[3], f->nr);
		switch (data[pos] % 16) {
		case 0: case 1: case 2: case 3:
			fz_alloc(f, arg);
			break;
		case 4: case 5:
			fz_free(f, arg);
			break;
		case 6:
			fz_resize(f, arg, false);
			break;
		case 7:
			fz_resize(f, arg, true);
			break;
		case 8:
			fz_realloc(f, arg);
			break;
		case 9: case 10:
			fz_what = "target op";
			if (t->op)
				t->op(f, data[pos] % 16 - 9, arg);
			break;
		case 11:
			fz_what = "cpu";
			uk_attach_cpu(arg[0] % FZ_CPUS);
			break;
		case 12:
			fz_what = "time";
			uk_run_work();
			uk_rcu_quiesce();
			break;
		case 13:
			fz_what = "fault";
			uk_fault_after(1 + arg[0] % 8);
			break;
		case 14:
			fz_what = "bad call";
			fz_bad(f, arg);
			break;
		case 15:
			fz_what = "pressure";
			uk_shrink_all(1 + arg[0] * 16UL);
			break;
		}
		fz_sync_counters(f, fz_what);
	}

	/* The end: the target's counters, then every block back, newest first. */
	fz_opno++;
	fz_what = "final";
	f->direct = false;
	uk_fault_after(0);
	if (t->refused)
		FZ_CHECK(f, t->refused(f) == f->bad, "refused %lu, bad calls %lu",
			 t->refused(f), f->bad);
	t->final(f);
	while (f->nr) {
		fz_free_blk(f, fz_newest(f));
		fz_sync_counters(f, "final free");
	}
	fz_what = "teardown";
	t->teardown(f);
	uk_run_work();
	uk_rcu_quiesce();
	FZ_CHECK(f, uk_messages(UK_ERR) + uk_messages(UK_WARN) == fz_msgs_before,
		 "teardown with no live block printed a warning or error");
	FZ_CHECK(f, uk_pages_used() == base_pages, "pages in use %lu, before %lu",
		 uk_pages_used(), base_pages);
	FZ_CHECK(f, uk_vmalloc_used() == base_vmalloc, "vmalloc pages %lu, before %lu",
		 uk_vmalloc_used(), base_vmalloc);
	FZ_CHECK(f, uk_percpu_used() == base_percpu, "per-CPU bytes %lu, before %lu",
		 uk_percpu_used(), base_percpu);
	FZ_CHECK(f, uk_kmalloc_live() == base_kmalloc, "kmalloc objects %ld, before %ld",
		 uk_kmalloc_live(), base_kmalloc);
	uk_attach_cpu(0);
	return 0;
}
