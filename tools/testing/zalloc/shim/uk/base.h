/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace kernel shim, part 1: types, compiler attributes, arithmetic,
 * bit operations, lists, hash tables and atomics, as zalloc/ uses them.
 *
 * Every <linux/...> header zalloc includes is a one-line file next to this
 * one that includes <uk/kernel.h>, so the C files of zalloc.ko (zalloc/)
 * build unchanged in userspace (tools/testing/zalloc/README.md).  Only what
 * zalloc uses is here, with the kernel's semantics; where userspace cannot
 * give them, the comment says what is different.
 *
 * Memory-model note: READ_ONCE()/WRITE_ONCE(), test_bit() and the per-CPU
 * counters are relaxed atomics, which compile to plain moves on x86-64, so
 * that ThreadSanitizer sees them as the marked accesses they are in the
 * kernel (KCSAN treats them the same way).  Plain C accesses in zalloc stay
 * plain and are checked as such.
 */
#ifndef _UK_BASE_H
#define _UK_BASE_H

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>
#include <sys/types.h>

/* ---- types ---- */
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef unsigned long long u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef long long s64;
typedef u64 __u64;
typedef u32 __u32;
typedef unsigned int gfp_t;
typedef long long loff_t_unused;
typedef unsigned long uintptr_ul;

#define BITS_PER_LONG		64
#define BITS_PER_BYTE		8

/* ---- compiler ---- */
#undef __always_inline
#define __always_inline		inline __attribute__((__always_inline__))
#define noinline		__attribute__((__noinline__))
#define __aligned(x)		__attribute__((__aligned__(x)))
#define __packed		__attribute__((__packed__))
#define __printf(a, b)		__attribute__((__format__(printf, a, b)))
#define __maybe_unused		__attribute__((__unused__))
#define __used			__attribute__((__used__))
#define __cold			__attribute__((__cold__))
#define __noreturn		__attribute__((__noreturn__))
#define __must_check		__attribute__((__warn_unused_result__))
#ifndef fallthrough
#define fallthrough		__attribute__((__fallthrough__))
#endif
#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#define barrier()		__asm__ __volatile__("" ::: "memory")
/* As the kernel's: the value leaves the compiler's sight, unchanged. */
#ifndef OPTIMIZER_HIDE_VAR
#define OPTIMIZER_HIDE_VAR(var)	__asm__ ("" : "=r" (var) : "0" (var))
#endif
#define __percpu
#define __rcu
#define __iomem
#define __user
#define __force
#define __must_hold(x)
#define __acquires(x)
#define __releases(x)
#define __acquire(x)		(void)0
#define __release(x)		(void)0
#define __ro_after_init
#define __read_mostly
#define __init
#define __exit
#define notrace
#define SMP_CACHE_BYTES		64
#define L1_CACHE_BYTES		64
#define ____cacheline_aligned_in_smp	__aligned(SMP_CACHE_BYTES)
#define ____cacheline_aligned		__aligned(SMP_CACHE_BYTES)
#define __stringify_1(x...)	#x
#define __stringify(x...)	__stringify_1(x)
#define typeof_member(T, m)	typeof(((T *)0)->m)

#define container_of(ptr, type, member) ({				\
	void *__mptr = (void *)(ptr);					\
	((type *)(__mptr - offsetof(type, member))); })

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

/* kconfig.h: IS_ENABLED(CONFIG_FOO) for options that are simply not set. */
#define __ARG_PLACEHOLDER_1 0,
#define __take_second_arg(__ignored, val, ...) val
#define __is_defined(x)			___is_defined(x)
#define ___is_defined(val)		____is_defined(__ARG_PLACEHOLDER_##val)
#define ____is_defined(arg1_or_junk)	__take_second_arg(arg1_or_junk 1, 0)
#define IS_BUILTIN(option)		__is_defined(option)
#define IS_MODULE(option)		__is_defined(option##_MODULE)
#define IS_ENABLED(option)		(IS_BUILTIN(option) || IS_MODULE(option))

/* build_bug.h */
#define static_assert(expr, ...) __static_assert(expr, ##__VA_ARGS__, #expr)
#define __static_assert(expr, msg, ...) _Static_assert(expr, msg)
#define BUILD_BUG_ON(cond)	_Static_assert(!(cond), "BUILD_BUG_ON(" #cond ")")
#define BUILD_BUG_ON_ZERO(e)	((int)(sizeof(struct { int:(-!!(e)); })))

/* instruction_pointer.h */
#define _RET_IP_		((unsigned long)__builtin_return_address(0))
#define _THIS_IP_		({ __label__ __here; __here: (unsigned long)&&__here; })

/* ---- minmax.h, math ---- */
#define min(x, y)	({ typeof(x) _x = (x); typeof(y) _y = (y); _x < _y ? _x : _y; })
#define max(x, y)	({ typeof(x) _x = (x); typeof(y) _y = (y); _x > _y ? _x : _y; })
#define min3(x, y, z)	min(min(x, y), z)
#define max3(x, y, z)	max(max(x, y), z)
#define min_t(t, x, y)	({ t _x = (x); t _y = (y); _x < _y ? _x : _y; })
#define max_t(t, x, y)	({ t _x = (x); t _y = (y); _x > _y ? _x : _y; })
#define clamp_t(t, v, lo, hi)	min_t(t, max_t(t, v, lo), hi)
#define clamp(v, lo, hi)	min(max(v, lo), hi)
#define swap(a, b)	do { typeof(a) __t = (a); (a) = (b); (b) = __t; } while (0)

#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#define __ALIGN_KERNEL_MASK(x, mask)	(((x) + (mask)) & ~(mask))
#define ALIGN(x, a)		__ALIGN_KERNEL_MASK(x, (typeof(x))(a) - 1)
#define ALIGN_DOWN(x, a)	((x) & ~((typeof(x))(a) - 1))
#define IS_ALIGNED(x, a)	(((x) & ((typeof(x))(a) - 1)) == 0)
#define PTR_ALIGN(p, a)		((typeof(p))ALIGN((unsigned long)(p), (a)))

/* bits.h */
#define BIT(nr)			(1UL << (nr))
#define BIT_ULL(nr)		(1ULL << (nr))
#define BIT_MASK(nr)		(1UL << ((nr) % BITS_PER_LONG))
#define BIT_WORD(nr)		((nr) / BITS_PER_LONG)
#define GENMASK(h, l)		(((~0UL) - (1UL << (l)) + 1) & (~0UL >> (BITS_PER_LONG - 1 - (h))))
#define BITS_TO_LONGS(nr)	DIV_ROUND_UP(nr, BITS_PER_LONG)

/* overflow.h */
#define check_add_overflow(a, b, d)	__builtin_add_overflow(a, b, d)
#define check_sub_overflow(a, b, d)	__builtin_sub_overflow(a, b, d)
#define check_mul_overflow(a, b, d)	__builtin_mul_overflow(a, b, d)
#define check_shl_overflow(a, s, d) ({					\
	typeof(a) _a = a;						\
	typeof(s) _s = s;						\
	typeof(d) _d = d;						\
	u64 _a_full = _a;						\
	unsigned int _to_shift =					\
		(_s >= 0 && _s < 8 * sizeof(*d)) ? _s : 0;		\
	*_d = (_a_full << _to_shift);					\
	(_to_shift != _s || *_d < 0 || _a < 0 ||			\
		(*_d >> _to_shift) != _a);				\
})
#define size_add(a, b)	({ size_t __r; check_add_overflow((size_t)(a), (size_t)(b), &__r) ? SIZE_MAX : __r; })
#define size_mul(a, b)	({ size_t __r; check_mul_overflow((size_t)(a), (size_t)(b), &__r) ? SIZE_MAX : __r; })

/* bitops: find-first-set and friends; defined for 0 where the kernel is. */
static __always_inline unsigned long __ffs(unsigned long w)
{
	return __builtin_ctzl(w);
}

static __always_inline unsigned int __ffs64(u64 w)
{
	return __builtin_ctzll(w);
}

static __always_inline int fls(unsigned int x)
{
	return x ? 32 - __builtin_clz(x) : 0;
}

static __always_inline int fls64(u64 x)
{
	return x ? 64 - __builtin_clzll(x) : 0;
}

static __always_inline unsigned long __fls(unsigned long w)
{
	return 63 - __builtin_clzl(w);
}

static __always_inline unsigned long ffz(unsigned long w)
{
	return __ffs(~w);
}

/* As linux/bitops.h: a rotate right, @shift & 63. */
static __always_inline u64 ror64(u64 word, unsigned int shift)
{
	return (word >> (shift & 63)) | (word << ((-shift) & 63));
}

static __always_inline int ilog2_impl(u64 n)
{
	return fls64(n) - 1;
}
#define ilog2(n)		ilog2_impl((u64)(n))

static inline __attribute__((const)) bool is_power_of_2(unsigned long n)
{
	return n != 0 && (n & (n - 1)) == 0;
}

static inline unsigned long roundup_pow_of_two(unsigned long n)
{
	return 1UL << fls64(n - 1);
}

static inline unsigned long rounddown_pow_of_two(unsigned long n)
{
	return 1UL << (fls64(n) - 1);
}

static inline int order_base_2_impl(unsigned long n)
{
	return n > 1 ? ilog2(n - 1) + 1 : 0;
}
#define order_base_2(n)		order_base_2_impl(n)

static __always_inline unsigned long __swab_ul(unsigned long y)
{
	return __builtin_bswap64(y);
}
#define swab(x)			__swab_ul(x)
#define swab64(x)		__builtin_bswap64(x)
#define swab32(x)		__builtin_bswap32(x)

/* ---- atomics and ordering (compiler builtins; TSan understands them) ---- */
#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
/*
 * data_race(): a read the kernel marks as racing on purpose (statistics
 * summed while their CPUs add).  Under TSan its reads are not recorded,
 * as KCSAN ignores the kernel's.
 */
#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UK_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__) || defined(UK_TSAN)
void AnnotateIgnoreReadsBegin(const char *file, int line);
void AnnotateIgnoreReadsEnd(const char *file, int line);
#define data_race(expr) ({						\
	AnnotateIgnoreReadsBegin(__FILE__, __LINE__);			\
	__auto_type __v = (expr);					\
	AnnotateIgnoreReadsEnd(__FILE__, __LINE__);			\
	__v;								\
})
#else
#define data_race(expr)		(expr)
#endif
#define smp_load_acquire(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define smp_store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define smp_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define smp_rmb()		__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define smp_wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)
#define smp_mb__before_atomic()	smp_mb()
#define smp_mb__after_atomic()	smp_mb()

/* Fully ordered, as the kernel's value-returning atomics are. */
#define try_cmpxchg(ptr, oldp, new)					\
	__atomic_compare_exchange_n((ptr), (oldp), (new), false,	\
				    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED)
#define cmpxchg(ptr, old, new) ({					\
	typeof(*(ptr)) __o = (old);					\
	__atomic_compare_exchange_n((ptr), &__o, (new), false,		\
				    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);\
	__o; })
#define xchg(ptr, v)		__atomic_exchange_n((ptr), (v), __ATOMIC_SEQ_CST)

typedef struct { int counter; } atomic_t;
typedef struct { long counter; } atomic_long_t;
#define ATOMIC_INIT(i)		{ (i) }
#define ATOMIC_LONG_INIT(i)	{ (i) }

#define __UK_ATOMIC_OPS(pfx, T, A)					\
static inline T pfx##_read(const A *v) { return __atomic_load_n(&v->counter, __ATOMIC_RELAXED); } \
static inline void pfx##_set(A *v, T i) { __atomic_store_n(&v->counter, i, __ATOMIC_RELAXED); } \
static inline void pfx##_add(T i, A *v) { __atomic_fetch_add(&v->counter, i, __ATOMIC_RELAXED); } \
static inline void pfx##_sub(T i, A *v) { __atomic_fetch_sub(&v->counter, i, __ATOMIC_RELAXED); } \
static inline void pfx##_inc(A *v) { pfx##_add(1, v); }		\
static inline void pfx##_dec(A *v) { pfx##_sub(1, v); }		\
static inline T pfx##_add_return(T i, A *v) { return __atomic_add_fetch(&v->counter, i, __ATOMIC_SEQ_CST); } \
static inline T pfx##_sub_return(T i, A *v) { return __atomic_sub_fetch(&v->counter, i, __ATOMIC_SEQ_CST); } \
static inline T pfx##_inc_return(A *v) { return pfx##_add_return(1, v); } \
static inline T pfx##_dec_return(A *v) { return pfx##_sub_return(1, v); } \
static inline bool pfx##_dec_and_test(A *v) { return pfx##_dec_return(v) == 0; } \
static inline bool pfx##_try_cmpxchg(A *v, T *old, T new) { return try_cmpxchg(&v->counter, old, new); } \
static inline T pfx##_cmpxchg(A *v, T old, T new) { return cmpxchg(&v->counter, old, new); } \
static inline T pfx##_xchg(A *v, T new) { return xchg(&v->counter, new); }
__UK_ATOMIC_OPS(atomic, int, atomic_t)
__UK_ATOMIC_OPS(atomic_long, long, atomic_long_t)

/* ---- bit operations on unsigned long arrays ---- */
/* Atomic (set_bit & co) and non-atomic (__set_bit) as in the kernel. */
static __always_inline bool test_bit(unsigned long nr, const unsigned long *a)
{
	return (__atomic_load_n(&a[BIT_WORD(nr)], __ATOMIC_RELAXED) >>
		(nr % BITS_PER_LONG)) & 1;
}

static __always_inline void __set_bit(unsigned long nr, unsigned long *a)
{
	a[BIT_WORD(nr)] |= BIT_MASK(nr);
}

static __always_inline void __clear_bit(unsigned long nr, unsigned long *a)
{
	a[BIT_WORD(nr)] &= ~BIT_MASK(nr);
}

static __always_inline void set_bit(unsigned long nr, unsigned long *a)
{
	__atomic_fetch_or(&a[BIT_WORD(nr)], BIT_MASK(nr), __ATOMIC_RELAXED);
}

static __always_inline void clear_bit(unsigned long nr, unsigned long *a)
{
	__atomic_fetch_and(&a[BIT_WORD(nr)], ~BIT_MASK(nr), __ATOMIC_RELAXED);
}

static __always_inline bool test_and_set_bit(unsigned long nr, unsigned long *a)
{
	return __atomic_fetch_or(&a[BIT_WORD(nr)], BIT_MASK(nr),
				 __ATOMIC_SEQ_CST) & BIT_MASK(nr);
}

static __always_inline bool test_and_clear_bit(unsigned long nr, unsigned long *a)
{
	return __atomic_fetch_and(&a[BIT_WORD(nr)], ~BIT_MASK(nr),
				  __ATOMIC_SEQ_CST) & BIT_MASK(nr);
}

/* The next set (or clear) bit at or after @off, or @size. */
static inline unsigned long uk_find_next(const unsigned long *a,
					 unsigned long size, unsigned long off,
					 bool set)
{
	unsigned long w;

	while (off < size) {
		w = a[BIT_WORD(off)];
		if (!set)
			w = ~w;
		w &= ~0UL << (off % BITS_PER_LONG);
		if (w) {
			off = BIT_WORD(off) * BITS_PER_LONG + __ffs(w);
			return off < size ? off : size;
		}
		off = (BIT_WORD(off) + 1) * BITS_PER_LONG;
	}
	return size;
}
#define find_next_bit(a, s, o)		uk_find_next(a, s, o, true)
#define find_next_zero_bit(a, s, o)	uk_find_next(a, s, o, false)
#define find_first_bit(a, s)		uk_find_next(a, s, 0, true)
#define find_first_zero_bit(a, s)	uk_find_next(a, s, 0, false)
#define for_each_set_bit(bit, addr, size)				\
	for ((bit) = 0; ((bit) = find_next_bit((addr), (size), (bit))) < (size); (bit)++)
#define for_each_clear_bit(bit, addr, size)				\
	for ((bit) = 0; ((bit) = find_next_zero_bit((addr), (size), (bit))) < (size); (bit)++)

static inline void bitmap_zero(unsigned long *dst, unsigned int nbits)
{
	memset(dst, 0, BITS_TO_LONGS(nbits) * sizeof(unsigned long));
}

static inline void bitmap_set(unsigned long *map, unsigned int start,
			      unsigned int n)
{
	while (n--)
		__set_bit(start++, map);
}

static inline void bitmap_clear(unsigned long *map, unsigned int start,
				unsigned int n)
{
	while (n--)
		__clear_bit(start++, map);
}

static inline unsigned int bitmap_weight(const unsigned long *map,
					 unsigned int nbits)
{
	unsigned int i, w = 0;

	for (i = 0; i < nbits; i++)
		w += test_bit(i, map);
	return w;
}

/* ---- list.h ---- */
struct list_head {
	struct list_head *next, *prev;
};

struct hlist_head {
	struct hlist_node *first;
};

struct hlist_node {
	struct hlist_node *next, **pprev;
};

#define LIST_POISON1	((void *)0x100)
#define LIST_POISON2	((void *)0x122)
#define LIST_HEAD_INIT(name)	{ &(name), &(name) }
#define LIST_HEAD(name)		struct list_head name = LIST_HEAD_INIT(name)

static inline void INIT_LIST_HEAD(struct list_head *list)
{
	WRITE_ONCE(list->next, list);
	list->prev = list;
}

static inline void __list_add(struct list_head *new, struct list_head *prev,
			      struct list_head *next)
{
	next->prev = new;
	new->next = next;
	new->prev = prev;
	WRITE_ONCE(prev->next, new);
}

static inline void list_add(struct list_head *new, struct list_head *head)
{
	__list_add(new, head, head->next);
}

static inline void list_add_tail(struct list_head *new, struct list_head *head)
{
	__list_add(new, head->prev, head);
}

static inline void __list_del(struct list_head *prev, struct list_head *next)
{
	next->prev = prev;
	WRITE_ONCE(prev->next, next);
}

/* Poisons like CONFIG_DEBUG_LIST-less kernels do: a use after del faults. */
static inline void list_del(struct list_head *entry)
{
	__list_del(entry->prev, entry->next);
	entry->next = LIST_POISON1;
	entry->prev = LIST_POISON2;
}

static inline void list_del_init(struct list_head *entry)
{
	__list_del(entry->prev, entry->next);
	INIT_LIST_HEAD(entry);
}

static inline void list_move(struct list_head *list, struct list_head *head)
{
	__list_del(list->prev, list->next);
	list_add(list, head);
}

static inline void list_move_tail(struct list_head *list,
				  struct list_head *head)
{
	__list_del(list->prev, list->next);
	list_add_tail(list, head);
}

static inline int list_empty(const struct list_head *head)
{
	return READ_ONCE(head->next) == head;
}

static inline void __list_splice(const struct list_head *list,
				 struct list_head *prev, struct list_head *next)
{
	struct list_head *first = list->next;
	struct list_head *last = list->prev;

	first->prev = prev;
	prev->next = first;
	last->next = next;
	next->prev = last;
}

static inline void list_splice_init(struct list_head *list,
				    struct list_head *head)
{
	if (!list_empty(list)) {
		__list_splice(list, head, head->next);
		INIT_LIST_HEAD(list);
	}
}

#define list_entry(ptr, type, member)	container_of(ptr, type, member)
#define list_first_entry(ptr, type, member) list_entry((ptr)->next, type, member)
#define list_last_entry(ptr, type, member) list_entry((ptr)->prev, type, member)
#define list_first_entry_or_null(ptr, type, member) ({			\
	struct list_head *head__ = (ptr);				\
	struct list_head *pos__ = READ_ONCE(head__->next);		\
	pos__ != head__ ? list_entry(pos__, type, member) : NULL; })
#define list_next_entry(pos, member)	list_entry((pos)->member.next, typeof(*(pos)), member)
#define list_prev_entry(pos, member)	list_entry((pos)->member.prev, typeof(*(pos)), member)
#define list_entry_is_head(pos, head, member) (&pos->member == (head))
#define list_for_each(pos, head)	for (pos = (head)->next; pos != (head); pos = pos->next)
#define list_for_each_entry(pos, head, member)				\
	for (pos = list_first_entry(head, typeof(*pos), member);	\
	     !list_entry_is_head(pos, head, member);			\
	     pos = list_next_entry(pos, member))
#define list_for_each_entry_reverse(pos, head, member)			\
	for (pos = list_last_entry(head, typeof(*pos), member);		\
	     !list_entry_is_head(pos, head, member);			\
	     pos = list_prev_entry(pos, member))
#define list_for_each_entry_safe(pos, n, head, member)			\
	for (pos = list_first_entry(head, typeof(*pos), member),	\
		n = list_next_entry(pos, member);			\
	     !list_entry_is_head(pos, head, member);			\
	     pos = n, n = list_next_entry(n, member))

#define HLIST_HEAD_INIT		{ .first = NULL }
#define HLIST_HEAD(name)	struct hlist_head name = { .first = NULL }
#define INIT_HLIST_HEAD(ptr)	((ptr)->first = NULL)

static inline void INIT_HLIST_NODE(struct hlist_node *h)
{
	h->next = NULL;
	h->pprev = NULL;
}

static inline int hlist_unhashed(const struct hlist_node *h)
{
	return !h->pprev;
}

static inline int hlist_empty(const struct hlist_head *h)
{
	return !READ_ONCE(h->first);
}

static inline void __hlist_del(struct hlist_node *n)
{
	struct hlist_node *next = n->next;
	struct hlist_node **pprev = n->pprev;

	WRITE_ONCE(*pprev, next);
	if (next)
		next->pprev = pprev;
}

static inline void hlist_del(struct hlist_node *n)
{
	__hlist_del(n);
	n->next = LIST_POISON1;
	n->pprev = LIST_POISON2;
}

static inline void hlist_del_init(struct hlist_node *n)
{
	if (!hlist_unhashed(n)) {
		__hlist_del(n);
		INIT_HLIST_NODE(n);
	}
}

static inline void hlist_add_head(struct hlist_node *n, struct hlist_head *h)
{
	struct hlist_node *first = h->first;

	WRITE_ONCE(n->next, first);
	if (first)
		first->pprev = &n->next;
	WRITE_ONCE(h->first, n);
	n->pprev = &h->first;
}

#define hlist_entry(ptr, type, member) container_of(ptr, type, member)
#define hlist_entry_safe(ptr, type, member) \
	({ typeof(ptr) ____ptr = (ptr); ____ptr ? hlist_entry(____ptr, type, member) : NULL; })
#define hlist_for_each_entry(pos, head, member)				\
	for (pos = hlist_entry_safe((head)->first, typeof(*(pos)), member); \
	     pos; pos = hlist_entry_safe((pos)->member.next, typeof(*(pos)), member))
#define hlist_for_each_entry_safe(pos, n, head, member)			\
	for (pos = hlist_entry_safe((head)->first, typeof(*pos), member); \
	     pos && ({ n = pos->member.next; 1; });			\
	     pos = hlist_entry_safe(n, typeof(*pos), member))

/* ---- llist.h (lock-free singly linked list) ---- */
struct llist_node {
	struct llist_node *next;
};

struct llist_head {
	struct llist_node *first;
};

#define LLIST_HEAD_INIT(name)	{ NULL }
#define LLIST_HEAD(name)	struct llist_head name = LLIST_HEAD_INIT(name)

static inline bool llist_add(struct llist_node *new, struct llist_head *head)
{
	struct llist_node *first = __atomic_load_n(&head->first, __ATOMIC_RELAXED);

	do {
		new->next = first;
	} while (!__atomic_compare_exchange_n(&head->first, &first, new, false,
					      __ATOMIC_RELEASE, __ATOMIC_RELAXED));
	return !first;
}

static inline struct llist_node *llist_del_all(struct llist_head *head)
{
	return __atomic_exchange_n(&head->first, NULL, __ATOMIC_ACQUIRE);
}

#define llist_for_each_safe(pos, n, node)				\
	for ((pos) = (node); (pos) && ((n) = (pos)->next, true); (pos) = (n))

/* ---- hash.h, hashtable.h ---- */
#define GOLDEN_RATIO_64 0x61C8864680B583EBull

static __always_inline u32 hash_64(u64 val, unsigned int bits)
{
	return val * GOLDEN_RATIO_64 >> (64 - bits);
}
#define hash_long(val, bits)	hash_64(val, bits)

#define DEFINE_HASHTABLE(name, bits)					\
	struct hlist_head name[1 << (bits)] = { [0 ... ((1 << (bits)) - 1)] = HLIST_HEAD_INIT }
#define DECLARE_HASHTABLE(name, bits)	struct hlist_head name[1 << (bits)]
#define HASH_SIZE(name)		(ARRAY_SIZE(name))
#define HASH_BITS(name)		ilog2(HASH_SIZE(name))
#define hash_min(val, bits)	(sizeof(val) <= 4 ? (u32)(val) * 0x61C88647u >> (32 - (bits)) : hash_long(val, bits))

static inline void __hash_init(struct hlist_head *ht, unsigned int sz)
{
	unsigned int i;

	for (i = 0; i < sz; i++)
		INIT_HLIST_HEAD(&ht[i]);
}
#define hash_init(hashtable)	__hash_init(hashtable, HASH_SIZE(hashtable))
#define hash_add(hashtable, node, key)					\
	hlist_add_head(node, &hashtable[hash_min(key, HASH_BITS(hashtable))])
#define hash_del(node)		hlist_del_init(node)
#define hash_for_each(name, bkt, obj, member)				\
	for ((bkt) = 0, obj = NULL; obj == NULL && (bkt) < HASH_SIZE(name); (bkt)++) \
		hlist_for_each_entry(obj, &name[bkt], member)
#define hash_for_each_safe(name, bkt, tmp, obj, member)			\
	for ((bkt) = 0, obj = NULL; obj == NULL && (bkt) < HASH_SIZE(name); (bkt)++) \
		hlist_for_each_entry_safe(obj, tmp, &name[bkt], member)
#define hash_for_each_possible(name, obj, member, key)			\
	hlist_for_each_entry(obj, &name[hash_min(key, HASH_BITS(name))], member)

/* ---- err.h ---- */
#define MAX_ERRNO	4095
#define IS_ERR_VALUE(x)	unlikely((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)

static inline void *ERR_PTR(long error)
{
	return (void *)error;
}

static inline long PTR_ERR(const void *ptr)
{
	return (long)ptr;
}

static inline bool IS_ERR(const void *ptr)
{
	return IS_ERR_VALUE((unsigned long)ptr);
}

static inline bool IS_ERR_OR_NULL(const void *ptr)
{
	return !ptr || IS_ERR_VALUE((unsigned long)ptr);
}

static inline void *ERR_CAST(const void *ptr)
{
	return (void *)ptr;
}

/* ---- sprintf.h: libc's, for the formats zalloc passes to it (%s, %u) ---- */
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);
int sprintf(char *buf, const char *fmt, ...) __printf(2, 3);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list args);

/* ---- string.h extras ---- */
static inline void *memchr_inv(const void *start, int c, size_t bytes)
{
	const u8 *p = start;
	size_t i;

	for (i = 0; i < bytes; i++)
		if (p[i] != (u8)c)
			return (void *)(p + i);
	return NULL;
}

static inline ssize_t strscpy(char *dst, const char *src, size_t count)
{
	size_t len = strnlen(src, count);

	if (!count)
		return -E2BIG;
	if (len == count) {
		memcpy(dst, src, count - 1);
		dst[count - 1] = '\0';
		return -E2BIG;
	}
	memcpy(dst, src, len + 1);
	return len;
}

#endif /* _UK_BASE_H */
