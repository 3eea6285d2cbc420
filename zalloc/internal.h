/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zalloc internals shared between the files of zalloc.ko; not for consumers.
 */
#ifndef _ZALLOC_INTERNAL_H
#define _ZALLOC_INTERNAL_H

#include <linux/types.h>

int zalloc_registry_init(void);
void zalloc_registry_exit(void);
int zalloc_page_init(void);
void zalloc_page_exit(void);
int zalloc_kmalloc_init(void);
void zalloc_kmalloc_exit(void);
int zalloc_smp_init(void);
void zalloc_smp_exit(void);
int zalloc_sbrk_init(void);
void zalloc_sbrk_exit(void);

struct zalloc;
struct zalloc_debug;
struct zalloc_instance;

/*
 * Put an instance in debug mode (shadow mode over its own *@za), or take
 * it out, reporting leaks (@report) or dropping them (a wholesale reset).
 * debug.c.
 */
int zalloc_debug_attach(struct zalloc *za, struct zalloc_debug **dbg,
			const char *name, struct zalloc_instance *inst,
			gfp_t gfp);
unsigned long zalloc_debug_detach(struct zalloc_debug **dbg, bool report);

#endif /* _ZALLOC_INTERNAL_H */
