// SPDX-License-Identifier: GPL-2.0
/*
 * zload - load a kernel module with finit_module(2), once.
 *
 * busybox insmod retries a failed finit_module() with init_module(), so a
 * module whose init runs a benchmark and returns -EAGAIN to unload itself
 * (zalloc_bench.ko) would run twice.  zload makes exactly one attempt.
 *
 * Usage: zload MODULE [PARAM=VALUE...]
 * Exit status: 0 if the module loaded, else the errno of the failure (11
 * for EAGAIN), with a message on stderr.  Built static by tools/qemu.sh
 * for the QEMU guest, which has no libc.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char params[4096] = "";
	size_t off = 0;
	int fd, i, err;

	if (argc < 2) {
		fprintf(stderr, "usage: zload MODULE [PARAM=VALUE...]\n");
		return 2;
	}
	for (i = 2; i < argc; i++) {
		int n = snprintf(params + off, sizeof(params) - off, "%s%s",
				 off ? " " : "", argv[i]);

		if (n < 0 || (size_t)n >= sizeof(params) - off) {
			fprintf(stderr, "zload: parameters too long\n");
			return 2;
		}
		off += n;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror(argv[1]);
		return 2;
	}
	if (syscall(SYS_finit_module, fd, params, 0) == 0)
		return 0;
	err = errno;
	fprintf(stderr, "zload: %s: %s\n", argv[1], strerror(err));
	return err & 0xff ? err & 0xff : 1;
}
