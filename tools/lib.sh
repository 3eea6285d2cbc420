# SPDX-License-Identifier: GPL-2.0
#
# tools/lib.sh - helpers shared by static.sh and compat.sh (sourced, with
# $top set to the repository).

# Every C source and header of the project, one per line, sorted.
zalloc_sources() {
	local d dirs=()

	for d in zalloc include kunit demo bench examples; do
		[ -d "$top/$d" ] && dirs+=("$d")
	done
	(cd "$top" && find "${dirs[@]}" -type f -name '*.[ch]' | sort)
}

# Copy the sources (tracked and untracked, not ignored) to $1, afresh.
zalloc_copy_sources() {
	local dst=$1

	rm -rf "$dst"
	mkdir -p "$dst"
	(
		cd "$top" || exit 1
		if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
			git ls-files -co --exclude-standard
		else
			find . -path ./build -prune -o -type f -print
		fi | grep -v '^\(\./\)\?build/' | cpio -pdm --quiet "$dst"
	)
}

# How many compiler, sparse, kernel-doc or modpost findings a build log has.
zalloc_count_warnings() {
	grep -Ec '(^|: )(warning|error|WARNING|ERROR):' "$1"
}
