// SPDX-License-Identifier: GPL-2.0
/*
 * Magazine sizes (mag.h): ZALLOC_MAG_BYTES worth of blocks of each class,
 * between 1 and ZALLOC_MAG_MAX: 31 blocks up to 1 KiB, 16 of 2 KiB, down
 * to 1 of 32 KiB, so that a CPU's magazines hold at most ~400 KiB.
 */
#include <linux/build_bug.h>

#include "mag.h"

/* A power of two, so that a CPU's magazine for a class is a shift away. */
static_assert(sizeof(struct zalloc_mag) == 512);

#define MAG_CAP(c)							\
	((ZALLOC_MAG_BYTES >> ((c) + 3)) > ZALLOC_MAG_MAX ? ZALLOC_MAG_MAX : \
	 (ZALLOC_MAG_BYTES >> ((c) + 3)) ?: 1)

const u8 zalloc_mag_caps[ZALLOC_MAG_CLASSES] = {
	MAG_CAP(0), MAG_CAP(1), MAG_CAP(2), MAG_CAP(3), MAG_CAP(4),
	MAG_CAP(5), MAG_CAP(6), MAG_CAP(7), MAG_CAP(8), MAG_CAP(9),
	MAG_CAP(10), MAG_CAP(11), MAG_CAP(12),
};
