/* SPDX-License-Identifier: GPL-2.0 */
/* glue.c: bring zalloc's parts up as module.c does, on the userspace kernel. */
#ifndef _UK_GLUE_H
#define _UK_GLUE_H

int uk_zalloc_init(unsigned int nr_cpus);

#endif
