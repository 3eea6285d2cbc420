// SPDX-License-Identifier: GPL-2.0
/*
 * A libFuzzer-compatible driver without libFuzzer: runs every file named
 * on the command line (or every file in a directory named) through
 * LLVMFuzzerTestOneInput() once.  For replaying a corpus or a crash with
 * gcc builds, and for "make userspace".
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static unsigned long runs;

static void run_file(const char *path)
{
	static unsigned char buf[1 << 20];
	FILE *fp = fopen(path, "rb");
	size_t n;

	if (!fp) {
		perror(path);
		exit(1);
	}
	n = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	LLVMFuzzerTestOneInput(buf, n);
	runs++;
}

int main(int argc, char **argv)
{
	struct dirent *de;
	struct stat st;
	char path[4096];
	int i;

	for (i = 1; i < argc; i++) {
		DIR *d;

		if (stat(argv[i], &st) || !S_ISDIR(st.st_mode)) {
			run_file(argv[i]);
			continue;
		}
		d = opendir(argv[i]);
		while (d && (de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
			run_file(path);
		}
		if (d)
			closedir(d);
	}
	printf("%s: %lu inputs, no failure\n", argv[0], runs);
	return 0;
}
