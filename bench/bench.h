/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zalloc_bench internals: what the workloads (workloads.c), the runner
 * (runner.c) and the report (report.c) share.  The subjects' side of the
 * benchmark is zalloc_bench.h.
 *
 *   workloads.c  the loops every figure runs, their per-thread state and
 *                the memory figures read from the subjects
 *   runner.c     module parameters, setting subjects up and down, rounds,
 *                kthreads and the start gate, timing, module init
 *   report.c     every "zbench:" line the benchmark prints
 */
#ifndef _ZALLOC_BENCH_BENCH_H
#define _ZALLOC_BENCH_BENCH_H

#include <linux/atomic.h>
#include <linux/cache.h>
#include <linux/completion.h>
#include <linux/sched.h>
#include <linux/types.h>

#include "zalloc_bench.h"

#define ZB_CHUNK		1024	/* operations per timed chunk */
#define ZB_BATCH		1000	/* blocks per batch and burst */
#define ZB_MAX_ROUNDS		15
#define ZB_MIXED_SLOTS		20000
#define ZB_MIXED_MAX		32768
#define ZB_RING			1024	/* cross: blocks in flight; power of two */
#define ZB_CHURN_BATCH		8192	/* churn: blocks handed over at once */
#define ZB_CHURN_DEPTH		2	/* churn: batches in flight */
#define ZB_NR_SIZES		5
/*
 * mixed: how long to stay idle after freeing everything before sampling
 * again, for allocators that give memory back when idle (smp trims once a
 * whole second passes with no slow-path event: one to two seconds after
 * the last); under icount with sleep=off the guest clock jumps over it.
 */
#define ZB_IDLE_MS		2500

extern const size_t zb_sizes[ZB_NR_SIZES];
extern const char * const zb_names[NR_ZB_WORKLOADS];
extern const char * const zb_mem_sources[];

/* Memory figures of the mixed workload. */
struct zb_mem {
	long base;		/* global counter before the workload */
	long peak;		/* most memory held, sampled per chunk */
	unsigned long peak_live, peak_bytes;	/* live blocks and bytes then */
	long after;		/* held after freeing everything */
	long idle;		/* held once idle ZB_IDLE_MS after that */
	const char *source;
};

/* One block of the mixed workload's working set. */
struct zb_slot {
	void *p;
	u32 size;
};

/* Cross: a single-producer, single-consumer ring of blocks. */
struct zb_ring {
	unsigned long head ____cacheline_aligned_in_smp;	/* producer */
	unsigned long tail ____cacheline_aligned_in_smp;	/* consumer */
	void *slot[ZB_RING] ____cacheline_aligned_in_smp;
};

/*
 * Churn: batches of ZB_CHURN_BATCH blocks handed from a producer to a
 * consumer, ZB_CHURN_DEPTH batches in flight.  Batch i is in batch[i %
 * ZB_CHURN_DEPTH]; the producer may fill it once the consumer has freed
 * batch i - ZB_CHURN_DEPTH.
 */
struct zb_churn {
	unsigned long filled ____cacheline_aligned_in_smp;	/* producer */
	unsigned long freed ____cacheline_aligned_in_smp;	/* consumer */
	void **batch[ZB_CHURN_DEPTH];
};

/**
 * struct zb_taken - what a subject has taken from the kernel so far
 * @zstats: the zalloc instance's backing_bytes_taken (ZB_MEM_ZSTATS only)
 * @zstats_returned: and its backing_bytes_returned
 * @pages: pages the buddy allocator handed out, system-wide (the PGALLOC
 *	events), if the kernel counts them
 * @has_zstats: @zstats was read
 * @has_pages: @pages was read
 */
struct zb_taken {
	unsigned long zstats;
	unsigned long zstats_returned;
	unsigned long pages;
	bool has_zstats;
	bool has_pages;
};

/**
 * struct zb_run - one thread's state for one figure
 * @h: the subject instance it uses
 * @w: the workload
 * @size: the block size, 0 for mixed
 * @rng: its random state
 * @fail: allocations that returned NULL
 * @alloc_ns: batch and burst: time spent allocating
 * @free_ns: batch and burst: time spent freeing or resetting
 * @ptrs: batch and burst: the blocks of one batch
 * @perm: batch-random: the order to free them in
 * @slot: mixed: the working set
 * @live: mixed: live blocks
 * @live_bytes: mixed: live requested bytes
 * @mem: mixed: memory figures, or NULL not to sample
 * @ring: cross: the ring between the pair
 * @churn: churn: the batches between the pair
 * @events: churn producer: room for all_vm_events(), allocated up front so
 *	reading it takes no page
 * @producer: cross and churn: allocates (else frees what the other made)
 */
struct zb_run {
	const struct zbench_h *h;
	enum zbench_workload w;
	size_t size;
	u64 rng;
	unsigned long fail;
	u64 alloc_ns, free_ns;
	void **ptrs;
	u32 *perm;
	struct zb_slot *slot;
	unsigned long live, live_bytes;
	struct zb_mem *mem;
	struct zb_ring *ring;
	struct zb_churn *churn;
	unsigned long *events;
	bool producer;
};

/* The parallel, cross and churn workloads: one bound kthread per CPU. */

struct zb_gate {
	struct completion go;
	atomic_t warm;
	unsigned int n;
};

/**
 * struct zb_worker - one kthread of a parallel, cross or churn figure
 * @run: its run state (its own, though @run.h may be shared)
 * @h: its instance, when the subject is not ZB_SHARED
 * @gate: the start gate
 * @n: timed operations
 * @warmup: untimed operations first
 * @cpu: where it runs
 * @ns: its timed time
 * @t0: when its timed part started
 * @t1: when it ended
 * @taken: churn producer: what the subject had taken at @t0 and at @t1
 * @task: the kthread
 * @done: completed as the kthread exits
 */
struct zb_worker {
	struct zb_run run;
	struct zbench_h h;
	struct zb_gate *gate;
	unsigned long n, warmup;
	unsigned int cpu;
	u64 ns, t0, t1;
	struct zb_taken taken[2];
	struct task_struct *task;
	struct completion done;
};

static inline bool zb_batchy(enum zbench_workload w)
{
	return w == ZB_BATCH_REVERSE || w == ZB_BATCH_RANDOM || w == ZB_BURST;
}

static inline bool zb_paired(enum zbench_workload w)
{
	return w == ZB_CROSS || w == ZB_CHURN;
}

/* workloads.c */
u64 zb_step(struct zb_run *r, unsigned long n);
int zb_run_init(struct zb_run *r, const struct zbench_h *h,
		enum zbench_workload w, size_t size, u64 seed);
void zb_run_destroy(struct zb_run *r);
void zb_mixed_free_all(struct zb_run *r);
void zb_need(struct zbench_need *need, enum zbench_workload w, size_t size,
	     unsigned int cpus);
unsigned long zb_churn_round(unsigned long n);
struct zb_churn *zb_churn_alloc(unsigned int pairs);
void zb_churn_free(struct zb_churn *c, unsigned int pairs);
long zb_mem_now(const struct zb_run *r);
void zb_mem_start(struct zb_run *r, struct zb_mem *m);
bool zb_mem_walks(const struct zb_run *r);
void zb_mem_sample(struct zb_run *r);
void zb_taken_read(const struct zb_run *r, struct zb_taken *t);

/* report.c */
extern unsigned int zb_figures, zb_skipped;
void zb_print_begin(unsigned long ops, unsigned long slow_ops,
		    unsigned long churn_ops, unsigned long warmup,
		    unsigned int rounds, unsigned int workloads,
		    const char *only);
void zb_print_end(u64 ns);
void zb_print_done(enum zbench_workload w, unsigned int subjects, u64 ns);
void zb_print_subject(const struct zbench_subject *s);
void zb_print_skip(const struct zbench_subject *s, const char *workload,
		   const char *why);
void zb_print_figure(const struct zbench_subject *s, enum zbench_workload w,
		     size_t size, unsigned long n, u64 *ps, u64 *aps, u64 *fps,
		     unsigned int nr, unsigned long fail);
void zb_print_mem(const struct zbench_subject *s, const struct zb_mem *m);
void zb_print_parallel(const struct zbench_subject *s, enum zbench_workload w,
		       size_t size, const struct zb_worker *wk, unsigned int n,
		       u64 *solo_ps, u64 *sys_ps, unsigned int nr);
void zb_print_cross(const struct zbench_subject *s, size_t size,
		    const struct zb_worker *wk, unsigned int n);
void zb_print_churn(const struct zbench_subject *s, size_t size,
		    const struct zb_worker *wk, unsigned int n);
void zb_error(const struct zbench_subject *s, enum zbench_workload w,
	      size_t size, int err);

#endif /* _ZALLOC_BENCH_BENCH_H */
