/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace shim: trace events compile to empty inlines (uk/kernel.h). */
