#!/bin/sh
# format.sh - every C file of src/ and daemon/ is as clang-format lays it
# out with the repository's .clang-format, so a change's diff is its
# content, not its whitespace. The tests' own tables keep their hand
# layout (clang-format would put each cell of a nested initialiser on a
# line of its own).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

plan 2

if ! command -v clang-format >/dev/null 2>&1; then
	fail "clang-format is installed (contrib/install-deps installs it)"
	fail "src/ and daemon/ are formatted"
	exit 0
fi
pass "clang-format is installed ($(clang-format --version | head -1))"
cd "$top_srcdir" || bail "no source tree"
if out=$(clang-format --dry-run --Werror --style=file src/*.[ch] daemon/*.[ch] 2>&1); then
	pass "src/ and daemon/ are formatted"
else
	fail "src/ and daemon/ are formatted" "run: clang-format -i src/*.[ch] daemon/*.[ch]"
	printf '%s\n' "$out" | head -40 | sed 's/^/# /'
fi
