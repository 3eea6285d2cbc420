/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace kernel shim, part 2: CPUs, interrupts, locks, RCU, workqueues,
 * memory (slab, pages, vmalloc, per-CPU), printk, XArray, shrinkers, trace
 * points, and the no-ops (kmemleak, lockdep classes, modules).  The code
 * behind the declarations is tools/testing/zalloc/uk.c.
 *
 * The model of a CPU: every thread that calls into zalloc is attached to
 * one CPU id of its own (uk_attach_cpu()), so per-CPU data is reached the
 * kernel's way, through the caller's CPU.  "Interrupts off" on a CPU is a
 * mutex of that CPU (in the UK_CPU_LOCKS build, the fuzzers' and TSan's),
 * held from local_irq_save() to the matching restore, so that:
 *   - on_each_cpu() runs its function as each CPU, holding that CPU's
 *     mutex, as an IPI would run with that CPU's interrupts off;
 *   - synchronize_rcu() locks and unlocks every CPU's mutex: every
 *     IRQs-off section (an RCU read-side section in the kernel) that began
 *     before it has ended when it returns, so call_rcu() callbacks run
 *     after it are safe, exactly as in the kernel;
 *   - ThreadSanitizer sees the kernel's ordering for per-CPU data.
 * The benchmark build leaves the mutexes out (each thread owns its CPU and
 * nothing else runs as it), so local_irq_save() costs what a flag does,
 * call_rcu() callbacks run at the harness's quiescent points only, and
 * might_sleep()/might_alloc() check nothing, as in a kernel without
 * CONFIG_DEBUG_ATOMIC_SLEEP.
 *
 * Work items never run on their own: the harness runs what is queued
 * (uk_run_work()), which stands for time passing; cancel_*_sync() waits
 * for a run in progress.  Allocation failures can be injected
 * (uk_fault_after()) into every allocation zalloc makes.
 */
#ifndef _UK_KERNEL_H
#define _UK_KERNEL_H

#include <uk/base.h>

#define UK_MAX_CPUS		8

/* ---- the harness interface (uk.c) ---- */
void uk_init(unsigned int nr_cpus);
void uk_attach_cpu(unsigned int cpu);
unsigned int uk_nr_cpus(void);
void uk_run_work(void);
void uk_rcu_quiesce(void);
void uk_fault_after(long n);
unsigned long uk_faults(void);
unsigned long uk_pages_used(void);
unsigned long uk_vmalloc_used(void);
unsigned long uk_percpu_used(void);
long uk_kmalloc_live(void);
unsigned long uk_messages(int level);
void uk_dump_messages(void);
void uk_seed_random(u64 seed);
unsigned long uk_shrink_all(unsigned long nr_to_scan);
extern bool uk_verbose;
extern bool uk_init_on_alloc, uk_init_on_free;

/* ---- CPUs and interrupts ---- */
extern unsigned int nr_cpu_ids;
extern __thread unsigned int uk_cpu;
extern __thread int uk_irqs_off;
extern __thread int uk_preempt_count;
extern __thread int uk_locks_held;

unsigned long uk_irq_save(void);
void uk_irq_restore(unsigned long flags);

#define raw_smp_processor_id()	((int)uk_cpu)
#define smp_processor_id()	((int)uk_cpu)
#define get_cpu()		({ preempt_disable(); smp_processor_id(); })
#define put_cpu()		preempt_enable()
#ifdef UK_CPU_LOCKS
#define local_irq_save(flags)	do { (flags) = uk_irq_save(); } while (0)
#define local_irq_restore(flags) uk_irq_restore(flags)
#else
/* The benchmark build: a flag, as cheap as the kernel's pushf; cli. */
#define local_irq_save(flags)	do { (flags) = uk_irqs_off; uk_irqs_off = 1; barrier(); } while (0)
#define local_irq_restore(flags) do { barrier(); uk_irqs_off = (flags); } while (0)
#endif
#define local_irq_disable()	((void)uk_irq_save())
#define local_irq_enable()	uk_irq_restore(0)
#define irqs_disabled()		(uk_irqs_off != 0)
/* local_irq_save()'s flags: non-zero when IRQs were already off. */
#define irqs_disabled_flags(f)	((f) != 0)
#define preempt_count()		(uk_preempt_count)
#define preempt_disable()	do { uk_preempt_count++; barrier(); } while (0)
#define preempt_enable()	do { barrier(); uk_preempt_count--; } while (0)
#define preemptible()		(!uk_irqs_off && !uk_preempt_count && !uk_locks_held)
#define in_nmi()		0
#define in_hardirq()		0
#define in_softirq()		0
#define in_interrupt()		0
#define in_task()		1
void uk_might_sleep(const char *file, int line);
#ifdef UK_CPU_LOCKS
#define might_sleep()		uk_might_sleep(__FILE__, __LINE__)
#else
/* As a kernel without CONFIG_DEBUG_ATOMIC_SLEEP. */
#define might_sleep()		do { } while (0)
#endif
#define cond_resched()		do { might_sleep(); } while (0)

#define for_each_possible_cpu(cpu)	for ((cpu) = 0; (cpu) < (int)nr_cpu_ids; (cpu)++)
#define for_each_online_cpu(cpu)	for_each_possible_cpu(cpu)
#define cpu_online(cpu)		((unsigned int)(cpu) < nr_cpu_ids)
#define cpu_possible(cpu)	((unsigned int)(cpu) < nr_cpu_ids)
#define num_possible_cpus()	nr_cpu_ids
#define num_online_cpus()	nr_cpu_ids
#define cpus_read_lock()	do { } while (0)
#define cpus_read_unlock()	do { } while (0)
typedef void (*smp_call_func_t)(void *info);
void on_each_cpu(smp_call_func_t func, void *info, int wait);

/* ---- per-CPU memory: CPU c's copy lies c * UK_PCPU_STRIDE past CPU 0's ---- */
#define UK_PCPU_STRIDE		(64UL << 20)
void *__alloc_percpu_gfp(size_t size, size_t align, gfp_t gfp);
void *__alloc_percpu(size_t size, size_t align);
void free_percpu(void *p);
#define alloc_percpu(type)	((type *)__alloc_percpu(sizeof(type), __alignof__(type)))
#define alloc_percpu_gfp(type, gfp) ((type *)__alloc_percpu_gfp(sizeof(type), __alignof__(type), gfp))
#define per_cpu_ptr(p, cpu)	((typeof(p))((char *)(p) + (unsigned long)(cpu) * UK_PCPU_STRIDE))
#define this_cpu_ptr(p)		per_cpu_ptr(p, uk_cpu)
#define raw_cpu_ptr(p)		this_cpu_ptr(p)
/*
 * this_cpu_add() is one instruction, atomic against the CPU's own
 * interrupts.  Here: an atomic add where another thread may act as this CPU
 * (on_each_cpu() in the UK_CPU_LOCKS build), a plain one otherwise.
 */
#ifdef UK_CPU_LOCKS
#define this_cpu_add(pcp, val)	((void)__atomic_fetch_add(this_cpu_ptr(&(pcp)), (val), __ATOMIC_RELAXED))
#else
#define this_cpu_add(pcp, val)	do { typeof(&(pcp)) __p = this_cpu_ptr(&(pcp));	\
	__atomic_store_n(__p, __atomic_load_n(__p, __ATOMIC_RELAXED) + (val), __ATOMIC_RELAXED); } while (0)
#endif
#define this_cpu_inc(pcp)	this_cpu_add(pcp, 1)
#define this_cpu_sub(pcp, val)	this_cpu_add(pcp, -(val))
#define this_cpu_dec(pcp)	this_cpu_sub(pcp, 1)
#define this_cpu_read(pcp)	READ_ONCE(*this_cpu_ptr(&(pcp)))

/* ---- locks ---- */
/* A spinlock: an atomic flag, with its owner for lockdep_assert_held(). */
typedef struct raw_spinlock {
	int locked;
	int owner;
} raw_spinlock_t;
typedef raw_spinlock_t spinlock_t;
struct lock_class_key { char unused; };

#define __RAW_SPIN_LOCK_UNLOCKED(n)	{ 0, 0 }
#define __SPIN_LOCK_UNLOCKED(n)		{ 0, 0 }
#define DEFINE_RAW_SPINLOCK(n)	raw_spinlock_t n = __RAW_SPIN_LOCK_UNLOCKED(n)
#define DEFINE_SPINLOCK(n)	spinlock_t n = __SPIN_LOCK_UNLOCKED(n)

int uk_tid(void);
void uk_spin_lock(raw_spinlock_t *l);
void uk_spin_unlock(raw_spinlock_t *l);
int uk_spin_trylock(raw_spinlock_t *l);
void uk_lock_not_held(const void *l, const char *file, int line);

static inline void raw_spin_lock_init(raw_spinlock_t *l)
{
	l->locked = 0;
	l->owner = 0;
}
#define spin_lock_init(l)		raw_spin_lock_init(l)
#define raw_spin_lock(l)		uk_spin_lock(l)
#define raw_spin_unlock(l)		uk_spin_unlock(l)
#define raw_spin_trylock(l)		uk_spin_trylock(l)
#define raw_spin_lock_irqsave(l, f)	do { local_irq_save(f); uk_spin_lock(l); } while (0)
#define raw_spin_unlock_irqrestore(l, f) do { uk_spin_unlock(l); local_irq_restore(f); } while (0)
#define raw_spin_lock_irq(l)		do { local_irq_disable(); uk_spin_lock(l); } while (0)
#define raw_spin_unlock_irq(l)		do { uk_spin_unlock(l); local_irq_enable(); } while (0)
#define spin_lock(l)			raw_spin_lock(l)
#define spin_unlock(l)			raw_spin_unlock(l)
#define spin_trylock(l)			raw_spin_trylock(l)
#define spin_lock_irqsave(l, f)		raw_spin_lock_irqsave(l, f)
#define spin_unlock_irqrestore(l, f)	raw_spin_unlock_irqrestore(l, f)
#define spin_lock_irq(l)		raw_spin_lock_irq(l)
#define spin_unlock_irq(l)		raw_spin_unlock_irq(l)

/* lockdep: classes and keys are nothing; "held" is checked for real. */
#define lockdep_assert_held(l)	do { if (__atomic_load_n(&(l)->owner, __ATOMIC_RELAXED) != uk_tid()) \
		uk_lock_not_held(l, __FILE__, __LINE__); } while (0)
#define lockdep_set_class(l, k)		do { (void)(k); } while (0)
#define lockdep_register_key(k)		do { (void)(k); } while (0)
#define lockdep_unregister_key(k)	do { (void)(k); } while (0)

struct mutex {
	raw_spinlock_t l;
};
#define DEFINE_MUTEX(n)		struct mutex n = { __RAW_SPIN_LOCK_UNLOCKED(n) }
#define mutex_init(m)		raw_spin_lock_init(&(m)->l)
#define mutex_lock(m)		do { might_sleep(); uk_spin_lock(&(m)->l); } while (0)
#define mutex_unlock(m)		uk_spin_unlock(&(m)->l)

/* ---- RCU: see the file header ---- */
struct rcu_head {
	struct rcu_head *next;
	void (*func)(struct rcu_head *head);
};
typedef void (*rcu_callback_t)(struct rcu_head *head);
void call_rcu(struct rcu_head *head, rcu_callback_t func);
void synchronize_rcu(void);
void rcu_barrier(void);
#define rcu_read_lock()		preempt_disable()
#define rcu_read_unlock()	preempt_enable()

/* ---- workqueues ---- */
struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);
struct work_struct {
	struct list_head entry;
	work_func_t func;
	int pending;
};
struct delayed_work {
	struct work_struct work;
};
struct workqueue_struct { int unused; };
extern struct workqueue_struct *system_wq, *system_unbound_wq;

#define __WORK_INITIALIZER(n, f)	{ .entry = LIST_HEAD_INIT((n).entry), .func = (f), .pending = 0 }
#define DECLARE_WORK(n, f)		struct work_struct n = __WORK_INITIALIZER(n, f)
#define INIT_WORK(w, f)			do { INIT_LIST_HEAD(&(w)->entry); (w)->func = (f); (w)->pending = 0; } while (0)
#define INIT_DELAYED_WORK(w, f)		INIT_WORK(&(w)->work, f)
#define to_delayed_work(w)		container_of(w, struct delayed_work, work)
bool queue_work(struct workqueue_struct *wq, struct work_struct *work);
bool queue_delayed_work(struct workqueue_struct *wq, struct delayed_work *dw,
			unsigned long delay);
bool schedule_work(struct work_struct *work);
bool cancel_work_sync(struct work_struct *work);
bool cancel_delayed_work_sync(struct delayed_work *dw);
bool flush_work(struct work_struct *work);

#define HZ			250
extern unsigned long jiffies;
#define msecs_to_jiffies(m)	((unsigned long)(m) * HZ / 1000)

/* ---- gfp ---- */
#define ___GFP_DMA		0x01u
#define ___GFP_HIGHMEM		0x02u
#define ___GFP_DMA32		0x04u
#define __GFP_HIGH		0x20u
#define __GFP_IO		0x40u
#define __GFP_FS		0x80u
#define __GFP_ZERO		0x100u
#define __GFP_DIRECT_RECLAIM	0x400u
#define __GFP_KSWAPD_RECLAIM	0x800u
#define __GFP_NOWARN		0x2000u
#define __GFP_RETRY_MAYFAIL	0x4000u
#define __GFP_NOFAIL		0x8000u
#define __GFP_NORETRY		0x10000u
#define __GFP_COMP		0x40000u
#define __GFP_ACCOUNT		0x400000u
#define __GFP_HIGHMEM		___GFP_HIGHMEM
#define __GFP_DMA		___GFP_DMA
#define __GFP_DMA32		___GFP_DMA32
#define __GFP_RECLAIM		(__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)
#define GFP_ATOMIC		(__GFP_HIGH | __GFP_KSWAPD_RECLAIM)
#define GFP_NOWAIT		(__GFP_KSWAPD_RECLAIM)
#define GFP_KERNEL		(__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_NOIO		(__GFP_RECLAIM)
#define GFP_NOFS		(__GFP_RECLAIM | __GFP_IO)

static inline bool gfpflags_allow_blocking(gfp_t gfp)
{
	return !!(gfp & __GFP_DIRECT_RECLAIM);
}
void uk_might_alloc(gfp_t gfp, const char *file, int line);
#ifdef UK_CPU_LOCKS
#define might_alloc(gfp)	uk_might_alloc(gfp, __FILE__, __LINE__)
#else
#define might_alloc(gfp)	do { (void)(gfp); } while (0)
#endif

/* ---- slab ---- */
#define ZERO_SIZE_PTR		((void *)16)
#define ZERO_OR_NULL_PTR(x)	((unsigned long)(x) <= (unsigned long)ZERO_SIZE_PTR)
#define ARCH_KMALLOC_MINALIGN	8
#define ARCH_SLAB_MINALIGN	8
#define KMALLOC_MAX_SIZE	(1UL << 22)
void *kmalloc(size_t size, gfp_t gfp);
void *kzalloc(size_t size, gfp_t gfp);
void *kcalloc(size_t n, size_t size, gfp_t gfp);
void *kmalloc_array(size_t n, size_t size, gfp_t gfp);
void kfree(const void *p);
void *kvmalloc(size_t size, gfp_t gfp);
void *kvzalloc(size_t size, gfp_t gfp);
void *kvcalloc(size_t n, size_t size, gfp_t gfp);
void kvfree(const void *p);
struct kmem_cache {
	const char *name;
	size_t size;
	size_t align;
};
struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, unsigned long flags,
				     void (*ctor)(void *));
#define KMEM_CACHE(s, flags)	kmem_cache_create(#s, sizeof(struct s), __alignof__(struct s), (flags), NULL)
void *kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp);
void *kmem_cache_zalloc(struct kmem_cache *s, gfp_t gfp);
void kmem_cache_free(struct kmem_cache *s, void *p);
void kmem_cache_destroy(struct kmem_cache *s);
unsigned long *bitmap_zalloc(unsigned int nbits, gfp_t gfp);
void bitmap_free(const unsigned long *p);

/* ---- pages: a buddy allocator over one reserved mapping (uk.c) ---- */
#define PAGE_SHIFT		12
#define PAGE_SIZE		(1UL << PAGE_SHIFT)
#define PAGE_MASK		(~(PAGE_SIZE - 1))
#define PAGE_ALIGN(x)		ALIGN(x, PAGE_SIZE)
#define PAGE_ALIGNED(p)		IS_ALIGNED((unsigned long)(p), PAGE_SIZE)
#define MAX_PAGE_ORDER		10
#define MAX_ORDER_NR_PAGES	(1UL << MAX_PAGE_ORDER)
#define PAGE_ALLOC_COSTLY_ORDER	3

struct page {
	struct list_head lru;
	unsigned long private;
	int buddy_order;	/* order of a free block's head, else -1 */
};

struct page *alloc_pages(gfp_t gfp, unsigned int order);
void __free_pages(struct page *page, unsigned int order);
unsigned long __get_free_pages(gfp_t gfp, unsigned int order);
#define __get_free_page(gfp)	__get_free_pages(gfp, 0)
void free_pages(unsigned long addr, unsigned int order);
#define free_page(addr)		free_pages(addr, 0)
void free_pages_exact(void *p, size_t size);
void *alloc_pages_exact(size_t size, gfp_t gfp);
void split_page(struct page *page, unsigned int order);
void *page_address(const struct page *page);
struct page *virt_to_page(const void *p);
#define set_page_private(page, v)	((page)->private = (v))
#define page_private(page)		((page)->private)
unsigned long totalram_pages(void);

static inline int get_order(unsigned long size)
{
	return size <= PAGE_SIZE ? 0 : fls64((size - 1) >> PAGE_SHIFT);
}

/* vmalloc: its own reserved range, so is_vmalloc_addr() is a compare. */
extern unsigned long uk_vmalloc_start, uk_vmalloc_end;
#define VMALLOC_START		uk_vmalloc_start
#define VMALLOC_END		uk_vmalloc_end
void *vmalloc(unsigned long size);
void *vzalloc(unsigned long size);
void *__vmalloc(unsigned long size, gfp_t gfp);
void vfree(const void *p);

static inline bool is_vmalloc_addr(const void *p)
{
	unsigned long a = (unsigned long)p;

	return a >= VMALLOC_START && a < VMALLOC_END;
}

/* init_on_alloc / init_on_free: static keys in the kernel, flags here. */
struct static_key_false { bool enabled; };
struct static_key_true { bool enabled; };
#define DEFINE_STATIC_KEY_FALSE(n)	struct static_key_false n = { false }
#define DECLARE_STATIC_KEY_FALSE(n)	extern struct static_key_false n
#define DEFINE_STATIC_KEY_TRUE(n)	struct static_key_true n = { true }
#define DECLARE_STATIC_KEY_TRUE(n)	extern struct static_key_true n
#define DECLARE_STATIC_KEY_MAYBE(cfg, n) extern struct static_key_false n
#define static_branch_likely(k)		likely(READ_ONCE((k)->enabled))
#define static_branch_unlikely(k)	unlikely(READ_ONCE((k)->enabled))
#define static_branch_maybe(cfg, k)	static_branch_unlikely(k)
#define static_branch_enable(k)		WRITE_ONCE((k)->enabled, true)
#define static_branch_disable(k)	WRITE_ONCE((k)->enabled, false)
#define static_branch_inc(k)		static_branch_enable(k)
#define static_branch_dec(k)		static_branch_disable(k)
DECLARE_STATIC_KEY_FALSE(init_on_alloc);
DECLARE_STATIC_KEY_FALSE(init_on_free);

/* As linux/mm.h's, for the inline fast paths of the public headers. */
static inline bool want_init_on_alloc(gfp_t flags)
{
	return static_branch_maybe(CONFIG_INIT_ON_ALLOC_DEFAULT_ON,
				   &init_on_alloc) || (flags & __GFP_ZERO);
}

static inline bool want_init_on_free(void)
{
	return static_branch_maybe(CONFIG_INIT_ON_FREE_DEFAULT_ON,
				   &init_on_free);
}

/* ---- kmemleak: nothing to tell ---- */
#define kmemleak_alloc(p, s, c, g)	do { (void)(p); } while (0)
#define kmemleak_free(p)		do { (void)(p); } while (0)
#define kmemleak_free_part(p, s)	do { (void)(p); } while (0)
#define kmemleak_ignore(p)		do { (void)(p); } while (0)
#define kmemleak_not_leak(p)		do { (void)(p); } while (0)

/* ---- printk and friends: counted, kept, printed if asked (uk.c) ---- */
enum { UK_EMERG, UK_ERR = 3, UK_WARN = 4, UK_NOTICE = 5, UK_INFO = 6, UK_DEBUG = 7, UK_NR_LEVELS };
struct va_format {
	const char *fmt;
	va_list *va;
};
__printf(2, 3) void uk_printk(int level, const char *fmt, ...);
int uk_vsnprintf(char *buf, size_t size, const char *fmt, va_list args);
#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif
#define pr_emerg(fmt, ...)	uk_printk(UK_EMERG, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_err(fmt, ...)	uk_printk(UK_ERR, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...)	uk_printk(UK_WARN, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_notice(fmt, ...)	uk_printk(UK_NOTICE, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...)	uk_printk(UK_INFO, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_debug(fmt, ...)	do { if (0) uk_printk(UK_DEBUG, pr_fmt(fmt), ##__VA_ARGS__); } while (0)
#define pr_err_ratelimited(fmt, ...)	pr_err(fmt, ##__VA_ARGS__)
#define pr_warn_ratelimited(fmt, ...)	pr_warn(fmt, ##__VA_ARGS__)
#define pr_info_ratelimited(fmt, ...)	pr_info(fmt, ##__VA_ARGS__)
#define pr_warn_once(fmt, ...)		pr_warn(fmt, ##__VA_ARGS__)
#define pr_err_once(fmt, ...)		pr_err(fmt, ##__VA_ARGS__)
struct ratelimit_state { int unused; };
#define DEFINE_RATELIMIT_STATE(n, i, b)	struct ratelimit_state n = { 0 }
#define __ratelimit(rs)			((void)(rs), 1)

void uk_warn(const char *file, int line, const char *cond);
__noreturn void uk_bug(const char *file, int line, const char *cond);
#define WARN_ON(c)	({ int __c = !!(c); if (unlikely(__c)) uk_warn(__FILE__, __LINE__, #c); unlikely(__c); })
#define WARN_ON_ONCE(c)	WARN_ON(c)
#define WARN(c, fmt, ...) ({ int __c = !!(c); if (unlikely(__c)) { pr_warn(fmt, ##__VA_ARGS__); uk_warn(__FILE__, __LINE__, #c); } unlikely(__c); })
#define WARN_ONCE(c, fmt, ...)	WARN(c, fmt, ##__VA_ARGS__)
#define BUG_ON(c)	do { if (unlikely(c)) uk_bug(__FILE__, __LINE__, #c); } while (0)
#define BUG()		uk_bug(__FILE__, __LINE__, "BUG()")

/* ---- random ---- */
unsigned long get_random_long(void);
u32 get_random_u32(void);

/* ---- XArray: a sorted array under the xa_lock, for what zalloc uses ---- */
struct xa_ent {
	unsigned long index;
	void *entry;
};
struct xarray {
	spinlock_t xa_lock;
	unsigned int xa_flags;
	struct xa_ent *ents;
	unsigned long nr;
	unsigned long cap;
};
#define XA_FLAGS_LOCK_IRQ	1u
#define XA_PRESENT		((int)1)
#define xa_lock_irqsave(xa, f)		spin_lock_irqsave(&(xa)->xa_lock, f)
#define xa_unlock_irqrestore(xa, f)	spin_unlock_irqrestore(&(xa)->xa_lock, f)
#define xa_lock(xa)			spin_lock(&(xa)->xa_lock)
#define xa_unlock(xa)			spin_unlock(&(xa)->xa_lock)

static inline void *xa_mk_value(unsigned long v)
{
	return (void *)((v << 1) | 1);
}

static inline bool xa_is_value(const void *e)
{
	return (unsigned long)e & 1;
}

static inline unsigned long xa_to_value(const void *e)
{
	return (unsigned long)e >> 1;
}

/* Errors are encoded as internal entries (low bits 10), as in the kernel. */
static inline void *xa_mk_err(long err)
{
	return (void *)((err << 2) | 2);
}

static inline bool xa_is_err(const void *e)
{
	return ((unsigned long)e & 3) == 2 && (long)e >= -((MAX_ERRNO << 2) + 2);
}

static inline int xa_err(void *e)
{
	return xa_is_err(e) ? (long)e >> 2 : 0;
}

void xa_init_flags(struct xarray *xa, unsigned int flags);
void *__xa_store(struct xarray *xa, unsigned long index, void *entry, gfp_t gfp);
void *__xa_cmpxchg(struct xarray *xa, unsigned long index, void *old,
		   void *entry, gfp_t gfp);
void *__xa_erase(struct xarray *xa, unsigned long index);
void *xa_load(struct xarray *xa, unsigned long index);
void *xa_find(struct xarray *xa, unsigned long *index, unsigned long max, int filter);
void *xa_find_after(struct xarray *xa, unsigned long *index, unsigned long max, int filter);
void xa_destroy(struct xarray *xa);
#define xa_for_each(xa, index, entry)					\
	for (index = 0, entry = xa_find(xa, &index, ULONG_MAX, XA_PRESENT); \
	     entry; entry = xa_find_after(xa, &index, ULONG_MAX, XA_PRESENT))

/* ---- shrinkers: registered for the harness to call (uk_shrink_all()) ---- */
#define SHRINKER_ALLOCATED	1
#define SHRINK_STOP		(~0UL)
#define SHRINK_EMPTY		(~0UL - 1)
#define DEFAULT_SEEKS		2
struct shrink_control {
	gfp_t gfp_mask;
	int nid;
	unsigned long nr_to_scan;
	unsigned long nr_scanned;
};
struct shrinker {
	unsigned long (*count_objects)(struct shrinker *, struct shrink_control *);
	unsigned long (*scan_objects)(struct shrinker *, struct shrink_control *);
	void *private_data;
	int seeks;
	struct list_head list;
	bool registered;
};
__printf(2, 3) struct shrinker *shrinker_alloc(unsigned int flags, const char *fmt, ...);
void shrinker_register(struct shrinker *sh);
void shrinker_free(struct shrinker *sh);

/* ---- seq_file: printed to a stdio stream ---- */
struct seq_file {
	void *f;	/* FILE * */
	void *private;
};
__printf(2, 3) void seq_printf(struct seq_file *m, const char *fmt, ...);
#define seq_puts(m, s)		seq_printf(m, "%s", s)

/* ---- modules, exports, parameters: nothing here ---- */
struct module { int unused; };
#define THIS_MODULE			((struct module *)0)
#define EXPORT_SYMBOL(s)
#define EXPORT_SYMBOL_GPL(s)
#define EXPORT_SYMBOL_NS_GPL(s, ns)
#define MODULE_LICENSE(s)
#define MODULE_VERSION(s)
#define MODULE_DESCRIPTION(s)
#define MODULE_AUTHOR(s)
#define MODULE_PARM_DESC(n, s)
#define MODULE_IMPORT_NS(ns)
#define module_param_named(n, v, t, p)
#define module_param(n, t, p)
#define module_init(f)
#define module_exit(f)

/* ---- version, zalloc's compat ---- */
#define KERNEL_VERSION(a, b, c)	(((a) << 16) + ((b) << 8) + ((c) > 255 ? 255 : (c)))
#define LINUX_VERSION_CODE	KERNEL_VERSION(6, 12, 0)

/* ---- trace points: every trace_<event>() is an empty inline ---- */
#define TP_PROTO(args...)	args
#define TP_ARGS(args...)	args
#define PARAMS(args...)		args
#define DECLARE_EVENT_CLASS(name, proto, args, tstruct, assign, print)
#define DEFINE_EVENT(tmpl, name, proto, args)				\
	static inline void trace_##name(proto) {}
#define TRACE_EVENT(name, proto, args, tstruct, assign, print)		\
	static inline void trace_##name(proto) {}
#define DEFINE_EVENT_FN(tmpl, name, proto, args, reg, unreg)		\
	static inline void trace_##name(proto) {}
#define TRACE_EVENT_FN(name, proto, args, tstruct, assign, print, reg, unreg) \
	static inline void trace_##name(proto) {}

#endif /* _UK_KERNEL_H */
