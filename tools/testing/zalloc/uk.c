// SPDX-License-Identifier: GPL-2.0
/*
 * The userspace kernel behind tools/testing/zalloc/shim/uk/kernel.h: what
 * the C files of zalloc.ko (zalloc/) call, implemented on libc and a few
 * mappings, for the fuzzers, the ThreadSanitizer test and the native
 * benchmark.  kernel.h's header says how CPUs, interrupts, RCU and work
 * items are modelled; this file says how memory is:
 *
 *  - pages: a buddy allocator (orders 0 .. MAX_PAGE_ORDER, naturally
 *    aligned, merging on free) over one reserved 4 GiB mapping with a
 *    struct page per page; a page freed twice, or freed while free, is a
 *    BUG.  Free pages are poisoned for AddressSanitizer, so a use after
 *    free of a slab or a page block is reported like any heap one.
 *  - vmalloc: the same buddy code over a 16 GiB range of its own, so that
 *    is_vmalloc_addr() is the range compare it is in the kernel.
 *  - kmalloc and kmem_cache: libc (so ASan/LSan see every object), aligned
 *    as kmalloc aligns: to the largest power of two dividing the size, up
 *    to a page.
 *  - per-CPU memory: CPU c's copy at c * UK_PCPU_STRIDE from CPU 0's, in a
 *    reserved mapping, power-of-two chunks with free lists.
 * Every allocation zalloc asks for can be made to fail (uk_fault_after());
 * so can one the buddy cannot serve.  Both count in uk_faults().
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <uk/kernel.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UK_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define UK_ASAN 1
#endif
#ifdef UK_ASAN
#include <sanitizer/asan_interface.h>
#define uk_poison(p, n)		ASAN_POISON_MEMORY_REGION(p, n)
#define uk_unpoison(p, n)	ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define uk_poison(p, n)		do { (void)(p); (void)(n); } while (0)
#define uk_unpoison(p, n)	do { (void)(p); (void)(n); } while (0)
#endif

bool uk_verbose;
bool uk_init_on_alloc, uk_init_on_free;
struct static_key_false init_on_alloc, init_on_free;
unsigned int nr_cpu_ids = 1;
unsigned long jiffies;
__thread unsigned int uk_cpu;
__thread int uk_irqs_off;
__thread int uk_preempt_count;
__thread int uk_locks_held;

static void uk_die(const char *what)
{
	fprintf(stderr, "uk: %s\n", what);
	uk_dump_messages();
	abort();
}

/* ------------------------------------------------------------------
 * Messages: counted per level, the latest kept, printed if verbose
 */
#define UK_RING		32
#define UK_MSG		320
static pthread_mutex_t uk_msg_mu = PTHREAD_MUTEX_INITIALIZER;
static char uk_ring[UK_RING][UK_MSG];
static unsigned long uk_ring_next;
static unsigned long uk_level_count[UK_NR_LEVELS];

/*
 * vsnprintf() with the kernel's %p extensions zalloc uses: %pS (a code
 * address: printed as hex here) and %pV (a struct va_format, expanded).
 * Everything else is passed to libc one conversion at a time.
 */
int uk_vsnprintf(char *buf, size_t size, const char *fmt, va_list args)
{
	size_t n = 0;
	char spec[32];

#define UK_PUT(...) do {						\
	int __r = snprintf(buf + min(n, size), n < size ? size - n : 0, __VA_ARGS__); \
	if (__r > 0)							\
		n += __r;						\
} while (0)
	while (*fmt) {
		const char *start = fmt;
		size_t sl;
		int lmod = 0;	/* 0 int, 1 long, 2 long long, 3 size_t, 4 ptrdiff */
		char conv;

		if (*fmt != '%') {
			if (n + 1 < size)
				buf[n] = *fmt;
			n++;
			fmt++;
			continue;
		}
		fmt++;
		if (*fmt == '%') {
			if (n + 1 < size)
				buf[n] = '%';
			n++;
			fmt++;
			continue;
		}
		while (*fmt && strchr("-+ #0", *fmt))
			fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			fmt++;
		if (*fmt == '.') {
			fmt++;
			while (*fmt >= '0' && *fmt <= '9')
				fmt++;
		}
		if (*fmt == 'h') {
			fmt++;
			if (*fmt == 'h')
				fmt++;
		} else if (*fmt == 'l') {
			fmt++;
			lmod = 1;
			if (*fmt == 'l') {
				fmt++;
				lmod = 2;
			}
		} else if (*fmt == 'z') {
			fmt++;
			lmod = 3;
		} else if (*fmt == 't') {
			fmt++;
			lmod = 4;
		}
		conv = *fmt;
		if (!conv)
			break;
		fmt++;
		sl = fmt - start;
		if (sl >= sizeof(spec))
			sl = sizeof(spec) - 1;
		memcpy(spec, start, sl);
		spec[sl] = '\0';
		switch (conv) {
		case 'd': case 'i':
			if (lmod == 1) UK_PUT(spec, va_arg(args, long));
			else if (lmod == 2) UK_PUT(spec, va_arg(args, long long));
			else if (lmod == 3) UK_PUT(spec, va_arg(args, ssize_t));
			else if (lmod == 4) UK_PUT(spec, va_arg(args, ptrdiff_t));
			else UK_PUT(spec, va_arg(args, int));
			break;
		case 'u': case 'x': case 'X': case 'o':
			if (lmod == 1) UK_PUT(spec, va_arg(args, unsigned long));
			else if (lmod == 2) UK_PUT(spec, va_arg(args, unsigned long long));
			else if (lmod == 3) UK_PUT(spec, va_arg(args, size_t));
			else if (lmod == 4) UK_PUT(spec, va_arg(args, ptrdiff_t));
			else UK_PUT(spec, va_arg(args, unsigned int));
			break;
		case 'c':
			UK_PUT(spec, va_arg(args, int));
			break;
		case 's':
			UK_PUT(spec, va_arg(args, const char *));
			break;
		case 'p': {
			void *p = va_arg(args, void *);

			if (*fmt == 'V') {
				struct va_format *vaf = p;
				va_list copy;
				int r;

				fmt++;
				va_copy(copy, *vaf->va);
				r = uk_vsnprintf(buf + min(n, size),
						 n < size ? size - n : 0,
						 vaf->fmt, copy);
				va_end(copy);
				n += r;
			} else {
				if (*fmt && strchr("SsBFf", *fmt))
					fmt++;
				UK_PUT("0x%lx", (unsigned long)p);
			}
			break;
		}
		default:
			UK_PUT("%s", spec);
			break;
		}
	}
	if (size)
		buf[min(n, size - 1)] = '\0';
#undef UK_PUT
	return n;
}

void uk_printk(int level, const char *fmt, ...)
{
	char line[UK_MSG];
	va_list args;

	va_start(args, fmt);
	uk_vsnprintf(line, sizeof(line), fmt, args);
	va_end(args);
	pthread_mutex_lock(&uk_msg_mu);
	if (level >= 0 && level < UK_NR_LEVELS)
		uk_level_count[level]++;
	snprintf(uk_ring[uk_ring_next++ % UK_RING], UK_MSG, "<%d> %.300s", level,
		 line);
	pthread_mutex_unlock(&uk_msg_mu);
	if (uk_verbose)
		fprintf(stderr, "<%d> %s%s", level, line,
			line[0] && line[strlen(line) - 1] == '\n' ? "" : "\n");
}

/* pr_err and worse (level <= UK_ERR) for level UK_ERR; else that level. */
unsigned long uk_messages(int level)
{
	unsigned long n = 0;
	int i;

	pthread_mutex_lock(&uk_msg_mu);
	if (level == UK_ERR) {
		for (i = 0; i <= UK_ERR; i++)
			n += uk_level_count[i];
	} else if (level >= 0 && level < UK_NR_LEVELS) {
		n = uk_level_count[level];
	}
	pthread_mutex_unlock(&uk_msg_mu);
	return n;
}

void uk_dump_messages(void)
{
	unsigned long i, from;

	from = uk_ring_next > UK_RING ? uk_ring_next - UK_RING : 0;
	fprintf(stderr, "uk: the last %lu kernel messages:\n",
		uk_ring_next - from);
	for (i = from; i < uk_ring_next; i++) {
		const char *m = uk_ring[i % UK_RING];

		fprintf(stderr, "  %s%s", m,
			m[0] && m[strlen(m) - 1] == '\n' ? "" : "\n");
	}
}

static unsigned long uk_warns;

void uk_warn(const char *file, int line, const char *cond)
{
	__atomic_fetch_add(&uk_warns, 1, __ATOMIC_RELAXED);
	uk_printk(UK_WARN, "WARNING: %s:%d: %s\n", file, line, cond);
	if (!getenv("UK_WARN_OK")) {
		fprintf(stderr, "uk: WARNING at %s:%d: %s\n", file, line, cond);
		uk_die("a kernel WARNING is a failure");
	}
}

void uk_bug(const char *file, int line, const char *cond)
{
	fprintf(stderr, "uk: BUG at %s:%d: %s\n", file, line, cond);
	uk_die("kernel BUG");
	abort();
}

void uk_might_sleep(const char *file, int line)
{
	if (!preemptible())
		uk_warn(file, line, "might_sleep() in atomic context (IRQs off, preemption off or a spinlock held)");
}

void uk_might_alloc(gfp_t gfp, const char *file, int line)
{
	if (gfpflags_allow_blocking(gfp))
		uk_might_sleep(file, line);
}

/* ------------------------------------------------------------------
 * Threads, CPUs, interrupts, locks
 */
static int uk_next_tid;
static __thread int uk_my_tid;

int uk_tid(void)
{
	if (!uk_my_tid)
		uk_my_tid = __atomic_add_fetch(&uk_next_tid, 1, __ATOMIC_RELAXED);
	return uk_my_tid;
}

#ifdef UK_CPU_LOCKS
static pthread_mutex_t uk_cpu_mu[UK_MAX_CPUS];
#endif

unsigned int uk_nr_cpus(void)
{
	return nr_cpu_ids;
}

void uk_attach_cpu(unsigned int cpu)
{
	if (cpu >= nr_cpu_ids || uk_irqs_off)
		uk_die("uk_attach_cpu: bad CPU, or IRQs off");
	uk_cpu = cpu;
}

unsigned long uk_irq_save(void)
{
	if (uk_irqs_off)
		return 1;
#ifdef UK_CPU_LOCKS
	pthread_mutex_lock(&uk_cpu_mu[uk_cpu]);
#endif
	uk_irqs_off = 1;
	barrier();
	return 0;
}

void uk_irq_restore(unsigned long flags)
{
	if (flags)
		return;
	if (!uk_irqs_off)
		uk_die("local_irq_restore() with IRQs on");
	barrier();
	uk_irqs_off = 0;
#ifdef UK_CPU_LOCKS
	pthread_mutex_unlock(&uk_cpu_mu[uk_cpu]);
#endif
}

void on_each_cpu(smp_call_func_t func, void *info, int wait)
{
	unsigned int saved = uk_cpu, c;

	if (uk_irqs_off)
		uk_warn(__FILE__, __LINE__, "on_each_cpu() with IRQs off");
	for (c = 0; c < nr_cpu_ids; c++) {
#ifdef UK_CPU_LOCKS
		pthread_mutex_lock(&uk_cpu_mu[c]);
#endif
		uk_cpu = c;
		uk_irqs_off = 1;
		func(info);
		uk_irqs_off = 0;
		uk_cpu = saved;
#ifdef UK_CPU_LOCKS
		pthread_mutex_unlock(&uk_cpu_mu[c]);
#endif
	}
}

void uk_spin_lock(raw_spinlock_t *l)
{
	unsigned int spins = 0;

	if (__atomic_load_n(&l->owner, __ATOMIC_RELAXED) == uk_tid())
		uk_bug(__FILE__, __LINE__, "spinlock recursion");
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED)) {
			if (++spins % 64 == 0)
				sched_yield();
			else
				__builtin_ia32_pause();
		}
	}
	__atomic_store_n(&l->owner, uk_tid(), __ATOMIC_RELAXED);
	uk_locks_held++;
}

int uk_spin_trylock(raw_spinlock_t *l)
{
	if (__atomic_load_n(&l->locked, __ATOMIC_RELAXED) ||
	    __atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		return 0;
	__atomic_store_n(&l->owner, uk_tid(), __ATOMIC_RELAXED);
	uk_locks_held++;
	return 1;
}

void uk_spin_unlock(raw_spinlock_t *l)
{
	if (__atomic_load_n(&l->owner, __ATOMIC_RELAXED) != uk_tid())
		uk_bug(__FILE__, __LINE__, "unlock of a spinlock this thread does not hold");
	__atomic_store_n(&l->owner, 0, __ATOMIC_RELAXED);
	uk_locks_held--;
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

void uk_lock_not_held(const void *l, const char *file, int line)
{
	uk_warn(file, line, "lockdep_assert_held(): lock not held");
}

/* ------------------------------------------------------------------
 * RCU: callbacks wait for every CPU to leave its IRQs-off section
 */
static pthread_mutex_t uk_rcu_mu = PTHREAD_MUTEX_INITIALIZER;
static struct rcu_head *uk_rcu_head, **uk_rcu_tail = &uk_rcu_head;

void call_rcu(struct rcu_head *head, rcu_callback_t func)
{
	head->func = func;
	head->next = NULL;
	pthread_mutex_lock(&uk_rcu_mu);
	*uk_rcu_tail = head;
	uk_rcu_tail = &head->next;
	pthread_mutex_unlock(&uk_rcu_mu);
}

void synchronize_rcu(void)
{
	might_sleep();
#ifdef UK_CPU_LOCKS
	for (unsigned int c = 0; c < nr_cpu_ids; c++) {
		pthread_mutex_lock(&uk_cpu_mu[c]);
		pthread_mutex_unlock(&uk_cpu_mu[c]);
	}
#endif
}

/*
 * The callbacks queued so far, after a grace period; not those they queue
 * (as the kernel's rcu_barrier() promises no more), so that a caller that
 * needs a chain of callbacks to finish must wait once per link, here too.
 */
void rcu_barrier(void)
{
	/* A second caller waits for the batch a first one is running. */
	static pthread_mutex_t barrier_mu = PTHREAD_MUTEX_INITIALIZER;
	struct rcu_head *list, *next;

	pthread_mutex_lock(&barrier_mu);
	pthread_mutex_lock(&uk_rcu_mu);
	list = uk_rcu_head;
	uk_rcu_head = NULL;
	uk_rcu_tail = &uk_rcu_head;
	pthread_mutex_unlock(&uk_rcu_mu);
	if (list)
		synchronize_rcu();
	for (; list; list = next) {
		next = list->next;
		list->func(list);
	}
	pthread_mutex_unlock(&barrier_mu);
}

/* Time passing for RCU: every callback, and every one they queue, runs. */
void uk_rcu_quiesce(void)
{
	bool more;

	do {
		rcu_barrier();
		pthread_mutex_lock(&uk_rcu_mu);
		more = uk_rcu_head;
		pthread_mutex_unlock(&uk_rcu_mu);
	} while (more);
}

/* ------------------------------------------------------------------
 * Work items: queued, run when the harness says time has passed
 */
static pthread_mutex_t uk_work_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t uk_work_run_mu = PTHREAD_MUTEX_INITIALIZER;
static LIST_HEAD(uk_works);
static struct workqueue_struct uk_wq;
struct workqueue_struct *system_wq = &uk_wq, *system_unbound_wq = &uk_wq;

bool queue_work(struct workqueue_struct *wq, struct work_struct *work)
{
	bool queued = false;

	pthread_mutex_lock(&uk_work_mu);
	if (!work->pending) {
		work->pending = 1;
		list_add_tail(&work->entry, &uk_works);
		queued = true;
	}
	pthread_mutex_unlock(&uk_work_mu);
	return queued;
}

bool queue_delayed_work(struct workqueue_struct *wq, struct delayed_work *dw,
			unsigned long delay)
{
	return queue_work(wq, &dw->work);
}

bool schedule_work(struct work_struct *work)
{
	return queue_work(system_wq, work);
}

/* Take @work off the queue if it is on it; under uk_work_mu. */
static bool uk_work_dequeue(struct work_struct *work)
{
	if (!work->pending)
		return false;
	list_del_init(&work->entry);
	work->pending = 0;
	return true;
}

/* Run each work item queued now, once (one that queues itself waits). */
void uk_run_work(void)
{
	struct work_struct *w;
	unsigned long n = 0;
	struct list_head *pos;

	if (uk_irqs_off || uk_locks_held)
		uk_die("uk_run_work() in atomic context");
	pthread_mutex_lock(&uk_work_run_mu);
	pthread_mutex_lock(&uk_work_mu);
	list_for_each(pos, &uk_works)
		n++;
	pthread_mutex_unlock(&uk_work_mu);
	while (n--) {
		pthread_mutex_lock(&uk_work_mu);
		if (list_empty(&uk_works)) {
			pthread_mutex_unlock(&uk_work_mu);
			break;
		}
		w = list_first_entry(&uk_works, struct work_struct, entry);
		uk_work_dequeue(w);
		pthread_mutex_unlock(&uk_work_mu);
		w->func(w);
	}
	pthread_mutex_unlock(&uk_work_run_mu);
}

bool cancel_work_sync(struct work_struct *work)
{
	bool was = false;

	might_sleep();
	for (;;) {
		pthread_mutex_lock(&uk_work_mu);
		was |= uk_work_dequeue(work);
		pthread_mutex_unlock(&uk_work_mu);
		/* Wait for a run in progress; it may have queued @work again. */
		pthread_mutex_lock(&uk_work_run_mu);
		pthread_mutex_lock(&uk_work_mu);
		if (!work->pending) {
			pthread_mutex_unlock(&uk_work_mu);
			pthread_mutex_unlock(&uk_work_run_mu);
			return was;
		}
		pthread_mutex_unlock(&uk_work_mu);
		pthread_mutex_unlock(&uk_work_run_mu);
	}
}

bool cancel_delayed_work_sync(struct delayed_work *dw)
{
	return cancel_work_sync(&dw->work);
}

bool flush_work(struct work_struct *work)
{
	bool was;

	might_sleep();
	pthread_mutex_lock(&uk_work_run_mu);
	pthread_mutex_lock(&uk_work_mu);
	was = uk_work_dequeue(work);
	pthread_mutex_unlock(&uk_work_mu);
	if (was)
		work->func(work);
	pthread_mutex_unlock(&uk_work_run_mu);
	return was;
}

/* ------------------------------------------------------------------
 * Fault injection
 */
static long uk_fault_countdown;
static unsigned long uk_fault_count;

void uk_fault_after(long n)
{
	__atomic_store_n(&uk_fault_countdown, n, __ATOMIC_RELAXED);
}

unsigned long uk_faults(void)
{
	return __atomic_load_n(&uk_fault_count, __ATOMIC_RELAXED);
}

static void uk_count_fault(void)
{
	__atomic_fetch_add(&uk_fault_count, 1, __ATOMIC_RELAXED);
}

/* Should this allocation fail?  The countdown's n-th one does. */
static bool uk_fail(void)
{
	if (!__atomic_load_n(&uk_fault_countdown, __ATOMIC_RELAXED))
		return false;
	if (__atomic_sub_fetch(&uk_fault_countdown, 1, __ATOMIC_RELAXED) != 0)
		return false;
	uk_count_fault();
	return true;
}

/* ------------------------------------------------------------------
 * kmalloc, kmem_cache
 */
static long uk_kmalloc_count;

long uk_kmalloc_live(void)
{
	return __atomic_load_n(&uk_kmalloc_count, __ATOMIC_RELAXED);
}

/* As kmalloc: aligned to the largest power of two dividing @size (<= a page). */
static void *uk_kmalloc_aligned(size_t size, size_t align, gfp_t gfp)
{
	void *p;

	might_alloc(gfp);
	if (uk_fail())
		return NULL;
	if (!size)
		return ZERO_SIZE_PTR;
	if (!align) {
		align = size & -size;
		if (align > PAGE_SIZE)
			align = PAGE_SIZE;
	}
	if (align < sizeof(void *))
		align = sizeof(void *);
	if (posix_memalign(&p, align, size)) {
		uk_count_fault();
		return NULL;
	}
	/* The slab allocator zeroes under init_on_alloc, as asked. */
	if ((gfp & __GFP_ZERO) || init_on_alloc.enabled)
		memset(p, 0, size);
	__atomic_fetch_add(&uk_kmalloc_count, 1, __ATOMIC_RELAXED);
	return p;
}

void *kmalloc(size_t size, gfp_t gfp)
{
	return uk_kmalloc_aligned(size, 0, gfp);
}

void *kzalloc(size_t size, gfp_t gfp)
{
	return kmalloc(size, gfp | __GFP_ZERO);
}

void *kmalloc_array(size_t n, size_t size, gfp_t gfp)
{
	size_t bytes;

	if (check_mul_overflow(n, size, &bytes))
		return NULL;
	return kmalloc(bytes, gfp);
}

void *kcalloc(size_t n, size_t size, gfp_t gfp)
{
	return kmalloc_array(n, size, gfp | __GFP_ZERO);
}

void kfree(const void *p)
{
	if (ZERO_OR_NULL_PTR(p))
		return;
	__atomic_fetch_sub(&uk_kmalloc_count, 1, __ATOMIC_RELAXED);
	free((void *)p);
}

void *kvmalloc(size_t size, gfp_t gfp)
{
	return kmalloc(size, gfp);
}

void *kvzalloc(size_t size, gfp_t gfp)
{
	return kzalloc(size, gfp);
}

void *kvcalloc(size_t n, size_t size, gfp_t gfp)
{
	return kcalloc(n, size, gfp);
}

void kvfree(const void *p)
{
	if (is_vmalloc_addr(p))
		vfree(p);
	else
		kfree(p);
}

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, unsigned long flags,
				     void (*ctor)(void *))
{
	struct kmem_cache *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->name = name;
	s->size = size;
	s->align = align < sizeof(void *) ? sizeof(void *) : align;
	return s;
}

void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp)
{
	return uk_kmalloc_aligned(s->size, s->align, gfp);
}

void *kmem_cache_zalloc(struct kmem_cache *s, gfp_t gfp)
{
	return uk_kmalloc_aligned(s->size, s->align, gfp | __GFP_ZERO);
}

void kmem_cache_free(struct kmem_cache *s, void *p)
{
	kfree(p);
}

void kmem_cache_destroy(struct kmem_cache *s)
{
	free(s);
}

unsigned long *bitmap_zalloc(unsigned int nbits, gfp_t gfp)
{
	return kcalloc(BITS_TO_LONGS(nbits), sizeof(unsigned long), gfp);
}

void bitmap_free(const unsigned long *p)
{
	kfree(p);
}

/* ------------------------------------------------------------------
 * The buddy allocator, for pages and for vmalloc space
 */
#define UK_MAX_BUDDY_ORDER	22

struct uk_buddy {
	const char *name;
	unsigned long base;
	unsigned long nr;
	unsigned int max_order;
	struct page *map;
	unsigned char *state;	/* 1: allocated */
	struct list_head free[UK_MAX_BUDDY_ORDER + 1];
	pthread_mutex_t mu;
	unsigned long used;
};

static struct uk_buddy uk_direct, uk_vmap;
unsigned long uk_vmalloc_start, uk_vmalloc_end;

static void *uk_reserve(size_t size, size_t align)
{
	char *p = mmap(NULL, size + align, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		uk_die("cannot reserve address space");
	return (void *)ALIGN((unsigned long)p, align);
}

static void uk_buddy_init(struct uk_buddy *b, const char *name,
			  unsigned long bytes, unsigned int max_order)
{
	unsigned long i, block = 1UL << max_order;

	b->name = name;
	b->max_order = max_order;
	b->nr = bytes >> PAGE_SHIFT;
	b->base = (unsigned long)uk_reserve(bytes, PAGE_SIZE << max_order);
	b->map = uk_reserve(b->nr * sizeof(struct page), PAGE_SIZE);
	b->state = uk_reserve(b->nr, PAGE_SIZE);
	pthread_mutex_init(&b->mu, NULL);
	for (i = 0; i <= max_order; i++)
		INIT_LIST_HEAD(&b->free[i]);
	for (i = 0; i < b->nr; i += block) {
		b->map[i].buddy_order = max_order;
		list_add_tail(&b->map[i].lru, &b->free[max_order]);
	}
	for (i = 0; i < b->nr; i++)
		if (i % block)
			b->map[i].buddy_order = -1;
}

static void *uk_buddy_addr(struct uk_buddy *b, unsigned long idx)
{
	return (void *)(b->base + (idx << PAGE_SHIFT));
}

/* A block of 2^@order pages, or ULONG_MAX. */
static unsigned long uk_buddy_alloc(struct uk_buddy *b, unsigned int order)
{
	unsigned int o;
	unsigned long idx, i;
	struct page *page;

	if (order > b->max_order)
		return ULONG_MAX;
	pthread_mutex_lock(&b->mu);
	for (o = order; o <= b->max_order; o++)
		if (!list_empty(&b->free[o]))
			break;
	if (o > b->max_order) {
		pthread_mutex_unlock(&b->mu);
		uk_count_fault();
		return ULONG_MAX;
	}
	page = list_first_entry(&b->free[o], struct page, lru);
	list_del(&page->lru);
	page->buddy_order = -1;
	idx = page - b->map;
	while (o > order) {
		o--;
		b->map[idx + (1UL << o)].buddy_order = o;
		list_add(&b->map[idx + (1UL << o)].lru, &b->free[o]);
	}
	for (i = 0; i < (1UL << order); i++) {
		if (b->state[idx + i])
			uk_die("buddy: handing out an allocated page");
		b->state[idx + i] = 1;
	}
	b->used += 1UL << order;
	pthread_mutex_unlock(&b->mu);
	uk_unpoison(uk_buddy_addr(b, idx), PAGE_SIZE << order);
	return idx;
}

static void uk_buddy_free(struct uk_buddy *b, unsigned long idx,
			  unsigned int order)
{
	unsigned long i, bidx;

	if (idx >= b->nr || idx & ((1UL << order) - 1) ||
	    idx + (1UL << order) > b->nr)
		uk_bug(__FILE__, __LINE__, "page free of a block that is not one");
	uk_poison(uk_buddy_addr(b, idx), PAGE_SIZE << order);
	pthread_mutex_lock(&b->mu);
	for (i = 0; i < (1UL << order); i++) {
		if (!b->state[idx + i]) {
			pthread_mutex_unlock(&b->mu);
			fprintf(stderr, "uk: %s: free of page %#lx, which is free\n",
				b->name, (unsigned long)uk_buddy_addr(b, idx + i));
			uk_bug(__FILE__, __LINE__, "page double free");
		}
		b->state[idx + i] = 0;
	}
	b->used -= 1UL << order;
	while (order < b->max_order) {
		bidx = idx ^ (1UL << order);
		if (bidx >= b->nr || b->map[bidx].buddy_order != (int)order)
			break;
		list_del(&b->map[bidx].lru);
		b->map[bidx].buddy_order = -1;
		idx &= ~(1UL << order);
		order++;
	}
	b->map[idx].buddy_order = order;
	list_add(&b->map[idx].lru, &b->free[order]);
	pthread_mutex_unlock(&b->mu);
}

/* Free [idx, idx + n) pages, as naturally aligned blocks. */
static void uk_buddy_free_range(struct uk_buddy *b, unsigned long idx,
				unsigned long n)
{
	unsigned int o;

	while (n) {
		o = idx ? __ffs(idx) : b->max_order;
		o = min_t(unsigned int, o, min_t(unsigned int, ilog2(n), b->max_order));
		uk_buddy_free(b, idx, o);
		idx += 1UL << o;
		n -= 1UL << o;
	}
}

static unsigned long uk_direct_idx(const void *p)
{
	unsigned long a = (unsigned long)p;

	if (a < uk_direct.base || a >= uk_direct.base + (uk_direct.nr << PAGE_SHIFT))
		uk_bug(__FILE__, __LINE__, "address outside the page allocator's memory");
	return (a - uk_direct.base) >> PAGE_SHIFT;
}

unsigned long uk_pages_used(void)
{
	unsigned long n;

	pthread_mutex_lock(&uk_direct.mu);
	n = uk_direct.used;
	pthread_mutex_unlock(&uk_direct.mu);
	return n;
}

unsigned long uk_vmalloc_used(void)
{
	unsigned long n;

	pthread_mutex_lock(&uk_vmap.mu);
	n = uk_vmap.used;
	pthread_mutex_unlock(&uk_vmap.mu);
	return n;
}

unsigned long totalram_pages(void)
{
	return uk_direct.nr;
}

struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	unsigned long idx;

	might_alloc(gfp);
	if (uk_fail())
		return NULL;
	idx = uk_buddy_alloc(&uk_direct, order);
	if (idx == ULONG_MAX)
		return NULL;
	/* So does the page allocator. */
	if ((gfp & __GFP_ZERO) || init_on_alloc.enabled)
		memset(uk_buddy_addr(&uk_direct, idx), 0, PAGE_SIZE << order);
	return &uk_direct.map[idx];
}

void __free_pages(struct page *page, unsigned int order)
{
	uk_buddy_free(&uk_direct, page - uk_direct.map, order);
}

unsigned long __get_free_pages(gfp_t gfp, unsigned int order)
{
	struct page *page = alloc_pages(gfp, order);

	return page ? (unsigned long)page_address(page) : 0;
}

void free_pages(unsigned long addr, unsigned int order)
{
	if (addr)
		uk_buddy_free(&uk_direct, uk_direct_idx((void *)addr), order);
}

void free_pages_exact(void *p, size_t size)
{
	if (p)
		uk_buddy_free_range(&uk_direct, uk_direct_idx(p),
				    PAGE_ALIGN(size) >> PAGE_SHIFT);
}

void *alloc_pages_exact(size_t size, gfp_t gfp)
{
	unsigned int order = get_order(size);
	unsigned long addr = __get_free_pages(gfp, order);

	if (addr && PAGE_ALIGN(size) < (PAGE_SIZE << order))
		free_pages_exact((void *)(addr + PAGE_ALIGN(size)),
				 (PAGE_SIZE << order) - PAGE_ALIGN(size));
	return (void *)addr;
}

/* The buddy keeps per-page state, so every page is freeable on its own. */
void split_page(struct page *page, unsigned int order)
{
}

void *page_address(const struct page *page)
{
	return uk_buddy_addr(&uk_direct, page - uk_direct.map);
}

struct page *virt_to_page(const void *p)
{
	return &uk_direct.map[uk_direct_idx(p)];
}

void *__vmalloc(unsigned long size, gfp_t gfp)
{
	unsigned long idx;
	unsigned int order;

	might_alloc(gfp);
	if (!size || uk_fail())
		return NULL;
	order = get_order(size);
	idx = uk_buddy_alloc(&uk_vmap, order);
	if (idx == ULONG_MAX)
		return NULL;
	uk_vmap.map[idx].private = order;
	if (gfp & __GFP_ZERO)
		memset(uk_buddy_addr(&uk_vmap, idx), 0, PAGE_SIZE << order);
	return uk_buddy_addr(&uk_vmap, idx);
}

void *vmalloc(unsigned long size)
{
	return __vmalloc(size, GFP_KERNEL);
}

void *vzalloc(unsigned long size)
{
	return __vmalloc(size, GFP_KERNEL | __GFP_ZERO);
}

void vfree(const void *p)
{
	unsigned long idx, order;

	if (!p)
		return;
	might_sleep();
	if (!is_vmalloc_addr(p) || !PAGE_ALIGNED(p))
		uk_bug(__FILE__, __LINE__, "vfree() of a pointer vmalloc did not give");
	idx = ((unsigned long)p - uk_vmap.base) >> PAGE_SHIFT;
	order = uk_vmap.map[idx].private;
	/* Give the memory itself back: vmalloc areas can be large. */
	if (order >= 4)
		madvise((void *)p, PAGE_SIZE << order, MADV_DONTNEED);
	uk_buddy_free(&uk_vmap, idx, order);
}

/* ------------------------------------------------------------------
 * Per-CPU memory
 */
#define UK_PCPU_MIN_SHIFT	4
#define UK_PCPU_CLASSES		17	/* 16 B .. 1 MiB */
static pthread_mutex_t uk_pcpu_mu = PTHREAD_MUTEX_INITIALIZER;
static char *uk_pcpu_base;
static unsigned long uk_pcpu_brk, uk_pcpu_bytes;
static unsigned char *uk_pcpu_class;	/* per 16-byte unit: class + 1 */
static unsigned long *uk_pcpu_free[UK_PCPU_CLASSES];
static unsigned long uk_pcpu_nfree[UK_PCPU_CLASSES], uk_pcpu_cap[UK_PCPU_CLASSES];

unsigned long uk_percpu_used(void)
{
	unsigned long n;

	pthread_mutex_lock(&uk_pcpu_mu);
	n = uk_pcpu_bytes;
	pthread_mutex_unlock(&uk_pcpu_mu);
	return n;
}

void *__alloc_percpu_gfp(size_t size, size_t align, gfp_t gfp)
{
	unsigned int c = 0;
	unsigned long off;
	char *p;
	int cpu;

	might_alloc(gfp);
	if (uk_fail())
		return NULL;
	while ((1UL << (c + UK_PCPU_MIN_SHIFT)) < max(size, align))
		c++;
	if (c >= UK_PCPU_CLASSES)
		return NULL;
	pthread_mutex_lock(&uk_pcpu_mu);
	if (uk_pcpu_nfree[c]) {
		off = uk_pcpu_free[c][--uk_pcpu_nfree[c]];
	} else {
		off = ALIGN(uk_pcpu_brk, 1UL << (c + UK_PCPU_MIN_SHIFT));
		if (off + (1UL << (c + UK_PCPU_MIN_SHIFT)) > UK_PCPU_STRIDE) {
			pthread_mutex_unlock(&uk_pcpu_mu);
			uk_count_fault();
			return NULL;
		}
		uk_pcpu_brk = off + (1UL << (c + UK_PCPU_MIN_SHIFT));
	}
	uk_pcpu_class[off >> UK_PCPU_MIN_SHIFT] = c + 1;
	uk_pcpu_bytes += 1UL << (c + UK_PCPU_MIN_SHIFT);
	pthread_mutex_unlock(&uk_pcpu_mu);
	p = uk_pcpu_base + off;
	for (cpu = 0; cpu < (int)nr_cpu_ids; cpu++) {
		uk_unpoison(per_cpu_ptr(p, cpu), size);
		memset(per_cpu_ptr(p, cpu), 0, size);
	}
	return p;
}

void *__alloc_percpu(size_t size, size_t align)
{
	return __alloc_percpu_gfp(size, align, GFP_KERNEL);
}

void free_percpu(void *p)
{
	unsigned long off;
	unsigned int c;
	int cpu;

	if (!p)
		return;
	off = (char *)p - uk_pcpu_base;
	if ((char *)p < uk_pcpu_base || off >= UK_PCPU_STRIDE)
		uk_bug(__FILE__, __LINE__, "free_percpu() of a pointer alloc_percpu() did not give");
	pthread_mutex_lock(&uk_pcpu_mu);
	c = uk_pcpu_class[off >> UK_PCPU_MIN_SHIFT];
	if (!c) {
		pthread_mutex_unlock(&uk_pcpu_mu);
		uk_bug(__FILE__, __LINE__, "free_percpu() of a free chunk");
	}
	c--;
	uk_pcpu_class[off >> UK_PCPU_MIN_SHIFT] = 0;
	if (uk_pcpu_nfree[c] == uk_pcpu_cap[c]) {
		uk_pcpu_cap[c] = uk_pcpu_cap[c] * 2 + 16;
		uk_pcpu_free[c] = realloc(uk_pcpu_free[c],
					  uk_pcpu_cap[c] * sizeof(unsigned long));
		if (!uk_pcpu_free[c])
			uk_die("out of memory");
	}
	uk_pcpu_free[c][uk_pcpu_nfree[c]++] = off;
	uk_pcpu_bytes -= 1UL << (c + UK_PCPU_MIN_SHIFT);
	pthread_mutex_unlock(&uk_pcpu_mu);
	for (cpu = 0; cpu < (int)nr_cpu_ids; cpu++)
		uk_poison(per_cpu_ptr((char *)p, cpu), 1UL << (c + UK_PCPU_MIN_SHIFT));
}

/* ------------------------------------------------------------------
 * Random numbers: splitmix64, seedable for reproducible fuzzing
 */
static u64 uk_rng_state = 0x9e3779b97f4a7c15ull;

void uk_seed_random(u64 seed)
{
	__atomic_store_n(&uk_rng_state, seed, __ATOMIC_RELAXED);
}

unsigned long get_random_long(void)
{
	u64 z = __atomic_add_fetch(&uk_rng_state, 0x9e3779b97f4a7c15ull,
				   __ATOMIC_RELAXED);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

u32 get_random_u32(void)
{
	return get_random_long();
}

/* ------------------------------------------------------------------
 * XArray: a sorted array of (index, entry) under xa_lock
 */
void xa_init_flags(struct xarray *xa, unsigned int flags)
{
	spin_lock_init(&xa->xa_lock);
	xa->xa_flags = flags;
	xa->ents = NULL;
	xa->nr = 0;
	xa->cap = 0;
}

/* The slot of @index, or where it would go. */
static unsigned long uk_xa_pos(const struct xarray *xa, unsigned long index)
{
	unsigned long lo = 0, hi = xa->nr, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (xa->ents[mid].index < index)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Set @index to @entry (NULL erases).  Returns the old entry, or an error. */
static void *uk_xa_set(struct xarray *xa, unsigned long index, void *entry)
{
	unsigned long pos = uk_xa_pos(xa, index);
	struct xa_ent *ents;
	void *old;

	if (pos < xa->nr && xa->ents[pos].index == index) {
		old = xa->ents[pos].entry;
		if (entry) {
			xa->ents[pos].entry = entry;
		} else {
			memmove(&xa->ents[pos], &xa->ents[pos + 1],
				(xa->nr - pos - 1) * sizeof(*ents));
			xa->nr--;
		}
		return old;
	}
	if (!entry)
		return NULL;
	if (xa->nr == xa->cap) {
		/* A node allocation: it can fail, as the kernel's can. */
		if (uk_fail())
			return xa_mk_err(-ENOMEM);
		ents = realloc(xa->ents, (xa->cap * 2 + 8) * sizeof(*ents));
		if (!ents)
			return xa_mk_err(-ENOMEM);
		xa->ents = ents;
		xa->cap = xa->cap * 2 + 8;
	}
	memmove(&xa->ents[pos + 1], &xa->ents[pos],
		(xa->nr - pos) * sizeof(*ents));
	xa->ents[pos].index = index;
	xa->ents[pos].entry = entry;
	xa->nr++;
	return NULL;
}

static void *uk_xa_get(const struct xarray *xa, unsigned long index)
{
	unsigned long pos = uk_xa_pos(xa, index);

	return pos < xa->nr && xa->ents[pos].index == index ?
	       xa->ents[pos].entry : NULL;
}

void *__xa_store(struct xarray *xa, unsigned long index, void *entry, gfp_t gfp)
{
	lockdep_assert_held(&xa->xa_lock);
	return uk_xa_set(xa, index, entry);
}

void *__xa_erase(struct xarray *xa, unsigned long index)
{
	lockdep_assert_held(&xa->xa_lock);
	return uk_xa_set(xa, index, NULL);
}

void *__xa_cmpxchg(struct xarray *xa, unsigned long index, void *old,
		   void *entry, gfp_t gfp)
{
	void *cur;

	lockdep_assert_held(&xa->xa_lock);
	cur = uk_xa_get(xa, index);
	if (cur == old) {
		void *err = uk_xa_set(xa, index, entry);

		if (xa_is_err(err))
			return err;
	}
	return cur;
}

/* Lockless in the kernel (RCU); here under the lock, which is as good. */
void *xa_load(struct xarray *xa, unsigned long index)
{
	unsigned long flags;
	void *e;

	spin_lock_irqsave(&xa->xa_lock, flags);
	e = uk_xa_get(xa, index);
	spin_unlock_irqrestore(&xa->xa_lock, flags);
	return e;
}

static void *uk_xa_find(struct xarray *xa, unsigned long *index,
			unsigned long max, bool after)
{
	unsigned long flags, pos;
	void *e = NULL;

	spin_lock_irqsave(&xa->xa_lock, flags);
	if (after && *index == ULONG_MAX)
		goto out;
	pos = uk_xa_pos(xa, after ? *index + 1 : *index);
	if (pos < xa->nr && xa->ents[pos].index <= max) {
		*index = xa->ents[pos].index;
		e = xa->ents[pos].entry;
	}
out:
	spin_unlock_irqrestore(&xa->xa_lock, flags);
	return e;
}

void *xa_find(struct xarray *xa, unsigned long *index, unsigned long max,
	      int filter)
{
	return uk_xa_find(xa, index, max, false);
}

void *xa_find_after(struct xarray *xa, unsigned long *index,
		    unsigned long max, int filter)
{
	return uk_xa_find(xa, index, max, true);
}

void xa_destroy(struct xarray *xa)
{
	free(xa->ents);
	xa->ents = NULL;
	xa->nr = 0;
	xa->cap = 0;
}

/* ------------------------------------------------------------------
 * Shrinkers
 */
static pthread_mutex_t uk_shrinker_mu = PTHREAD_MUTEX_INITIALIZER;
static LIST_HEAD(uk_shrinkers);

struct shrinker *shrinker_alloc(unsigned int flags, const char *fmt, ...)
{
	struct shrinker *sh = kzalloc(sizeof(*sh), GFP_KERNEL);

	if (sh)
		INIT_LIST_HEAD(&sh->list);
	return sh;
}

void shrinker_register(struct shrinker *sh)
{
	pthread_mutex_lock(&uk_shrinker_mu);
	list_add_tail(&sh->list, &uk_shrinkers);
	sh->registered = true;
	pthread_mutex_unlock(&uk_shrinker_mu);
}

void shrinker_free(struct shrinker *sh)
{
	if (!sh)
		return;
	pthread_mutex_lock(&uk_shrinker_mu);
	if (sh->registered)
		list_del(&sh->list);
	pthread_mutex_unlock(&uk_shrinker_mu);
	kfree(sh);
}

/* Memory pressure: every shrinker's count, then scan.  Returns the freed. */
unsigned long uk_shrink_all(unsigned long nr_to_scan)
{
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL };
	unsigned long n, total = 0;
	struct shrinker *sh;

	pthread_mutex_lock(&uk_shrinker_mu);
	list_for_each_entry(sh, &uk_shrinkers, list) {
		n = sh->count_objects(sh, &sc);
		if (!n || n == SHRINK_EMPTY)
			continue;
		sc.nr_to_scan = min(n, nr_to_scan);
		n = sh->scan_objects(sh, &sc);
		if (n != SHRINK_STOP)
			total += n;
	}
	pthread_mutex_unlock(&uk_shrinker_mu);
	return total;
}

/* ------------------------------------------------------------------
 * seq_file
 */
void seq_printf(struct seq_file *m, const char *fmt, ...)
{
	char line[512];
	va_list args;

	va_start(args, fmt);
	uk_vsnprintf(line, sizeof(line), fmt, args);
	va_end(args);
	fputs(line, m->f ? (FILE *)m->f : stdout);
}

/* ------------------------------------------------------------------
 * Setup
 */
void uk_init(unsigned int nr_cpus)
{
	static bool done;
	unsigned int c;

	if (done)
		return;
	done = true;
	if (!nr_cpus || nr_cpus > UK_MAX_CPUS)
		uk_die("uk_init: bad CPU count");
	nr_cpu_ids = nr_cpus;
	uk_verbose = getenv("UK_VERBOSE") != NULL;
#ifdef UK_CPU_LOCKS
	for (c = 0; c < UK_MAX_CPUS; c++)
		pthread_mutex_init(&uk_cpu_mu[c], NULL);
#else
	(void)c;
#endif
	uk_buddy_init(&uk_direct, "pages", 4UL << 30, MAX_PAGE_ORDER);
	uk_buddy_init(&uk_vmap, "vmalloc", 16UL << 30, UK_MAX_BUDDY_ORDER);
	uk_vmalloc_start = uk_vmap.base;
	uk_vmalloc_end = uk_vmap.base + (uk_vmap.nr << PAGE_SHIFT);
	uk_pcpu_base = uk_reserve(UK_MAX_CPUS * UK_PCPU_STRIDE, PAGE_SIZE);
	uk_pcpu_class = uk_reserve(UK_PCPU_STRIDE >> UK_PCPU_MIN_SHIFT, PAGE_SIZE);
	init_on_alloc.enabled = uk_init_on_alloc;
	init_on_free.enabled = uk_init_on_free;
}
