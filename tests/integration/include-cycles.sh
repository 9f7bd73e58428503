#!/bin/sh
# include-cycles.sh - the headers of src/ include each other without a
# cycle: a module's header may use what it includes, never what includes
# it, so the include graph reads as the layering of the modules. tsort(1)
# orders the graph and says "loop" when it cannot.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

plan 2

cd "$top_srcdir" || bail "no source tree"
edges=$TEST_TMP/includes
: >"$edges"
for h in src/*.h daemon/*.h; do
	from=${h##*/}
	# Each header depends on itself, so one without includes is a node too.
	echo "$from $from" >>"$edges"
	sed -n 's/^#include "\([^"]*\)".*/\1/p' "$h" | while read -r to; do
		echo "$to $from" >>"$edges"
	done
done
count=$(wc -l <"$edges")
if [ "$count" -gt 40 ]; then
	pass "the include graph of src/ and daemon/ has its headers ($count edges)"
else
	fail "the include graph of src/ and daemon/ has its headers" "only $count edges"
fi
if out=$(tsort "$edges" 2>&1 >/dev/null) && [ -z "$out" ]; then
	pass "no header includes itself through others"
else
	fail "no header includes itself through others" "tsort: $(echo "$out" | tr '\n' ' ')"
fi
