/* SPDX-License-Identifier: GPL-2.0 */
/*
 * zalloc internals shared between the files of zalloc.ko; not for consumers.
 */
#ifndef _ZALLOC_INTERNAL_H
#define _ZALLOC_INTERNAL_H

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

#endif /* _ZALLOC_INTERNAL_H */
