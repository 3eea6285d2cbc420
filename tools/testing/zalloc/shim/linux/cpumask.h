/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim: see tools/testing/zalloc/shim/uk/kernel.h. */
#include <uk/kernel.h>
