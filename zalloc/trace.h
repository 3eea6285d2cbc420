/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zalloc trace events: zalloc:alloc, zalloc:free, zalloc:resize,
 * zalloc:remap for every call through a struct zalloc, and zalloc:slab for
 * the smp allocator's slabs coming from and going back to the page
 * allocator.  trace.c says how the calls get here.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM zalloc

#if !defined(_ZALLOC_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _ZALLOC_TRACE_H

#include <linux/string.h>
#include <linux/tracepoint.h>
#include <trace/events/mmflags.h>
#include <zalloc/registry.h>

/* trace.c: the first enabled event turns the forwarders' key on. */
int zalloc_trace_reg(void);
void zalloc_trace_unreg(void);

/*
 * Every event is one change of a block, from (@ptr, @len) to (@new_ptr,
 * @new_len): alloc from (NULL, 0), free to (NULL, 0); a failed
 * allocation, resize or remap has a NULL @new_ptr.  Summing new_len - len
 * per instance follows the bytes it has live.  Frees take no gfp: 0,
 * shown as "none".
 */
DECLARE_EVENT_CLASS(zalloc_block,
		    TP_PROTO(const char *name, const void *ptr, size_t len,
			     const void *new_ptr, size_t new_len, size_t align,
			     gfp_t gfp, unsigned long ip),
		    TP_ARGS(name, ptr, len, new_ptr, new_len, align, gfp, ip),
		    TP_STRUCT__entry(__array(char, name, ZALLOC_NAME_MAX)
				     __field(const void *, ptr)
				     __field(size_t, len)
				     __field(const void *, new_ptr)
				     __field(size_t, new_len)
				     __field(size_t, align)
				     __field(unsigned long, gfp_flags)
				     __field(unsigned long, call_site)),
		    TP_fast_assign(strscpy(__entry->name, name, ZALLOC_NAME_MAX);
				   __entry->ptr = ptr;
				   __entry->len = len;
				   __entry->new_ptr = new_ptr;
				   __entry->new_len = new_len;
				   __entry->align = align;
				   __entry->gfp_flags = (__force unsigned long)gfp;
				   __entry->call_site = ip;),
		    TP_printk("name=%s ptr=%p len=%zu new_ptr=%p new_len=%zu align=%zu gfp_flags=%s call_site=%pS",
			      __entry->name, __entry->ptr, __entry->len,
			      __entry->new_ptr, __entry->new_len, __entry->align,
			      show_gfp_flags(__entry->gfp_flags),
			      (void *)__entry->call_site)
);

#define ZALLOC_BLOCK_EVENT(event)					\
DEFINE_EVENT_FN(zalloc_block, event,					\
	TP_PROTO(const char *name, const void *ptr, size_t len,	\
		 const void *new_ptr, size_t new_len, size_t align,	\
		 gfp_t gfp, unsigned long ip),				\
	TP_ARGS(name, ptr, len, new_ptr, new_len, align, gfp, ip),	\
	zalloc_trace_reg, zalloc_trace_unreg)

ZALLOC_BLOCK_EVENT(alloc);
ZALLOC_BLOCK_EVENT(free);
ZALLOC_BLOCK_EVENT(resize);
ZALLOC_BLOCK_EVENT(remap);

/*
 * An smp slab (64 KiB, any size class) taken from (@taken) or given back to
 * the page allocator, by per-CPU slot @slot.
 */
TRACE_EVENT(slab,
	    TP_PROTO(const char *name, const void *base, unsigned int slot,
		     bool taken),
	    TP_ARGS(name, base, slot, taken),
	    TP_STRUCT__entry(__array(char, name, ZALLOC_NAME_MAX)
			     __field(const void *, base)
			     __field(unsigned int, slot)
			     __field(bool, taken)),
	    TP_fast_assign(strscpy(__entry->name, name, ZALLOC_NAME_MAX);
			   __entry->base = base;
			   __entry->slot = slot;
			   __entry->taken = taken;),
	    TP_printk("name=%s base=%p slot=%u %s", __entry->name,
		      __entry->base, __entry->slot,
		      __entry->taken ? "taken" : "given_back")
);

#endif /* _ZALLOC_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
