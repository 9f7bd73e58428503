#!/bin/sh
# manpages.sh - every man page builds and formats without a warning: the
# build substituted all its @dir@ markers, `mandoc -T lint` (package
# mandoc) reports nothing at warning level or above, and groff, through
# `man --warnings`, prints no warning. TAP, one line per page.
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"

pages="doc/mentord.8 doc/mentorctl.8 doc/mentord.conf.5"
have_mandoc=no have_man=no tools=
command -v mandoc >/dev/null 2>&1 && have_mandoc=yes tools="mandoc"
command -v man >/dev/null 2>&1 && have_man=yes tools="${tools:+$tools, }groff"

set -- $pages
echo "1..$#"
n=0
for page in $pages; do
	n=$((n + 1))
	file=$top_builddir/$page
	if [ ! -f "$file" ]; then
		echo "not ok $n - $page: not built (make all makes it from $page.in)"
		continue
	fi
	if [ "$have_mandoc" = no ] && [ "$have_man" = no ]; then
		echo "ok $n - $page # SKIP neither mandoc nor man is installed (contrib/install-deps)"
		continue
	fi
	problems=$(
		grep -n '@[a-zA-Z_]*@' "$file" | sed 's/^/unsubstituted: /'
		# Warning level, not style: style messages include "referenced
		# manual not found", which depends on what the machine has installed.
		[ "$have_mandoc" = no ] || mandoc -T lint -W warning "$file" 2>&1
		# "can't break line" is left out: the build substitutes the
		# configured prefix into paths, and a long enough prefix (make
		# distcheck's, say) cannot fit an 80-column line whatever the
		# markup. Every other groff warning counts.
		[ "$have_man" = no ] ||
			LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l -Tutf8 "$file" 2>&1 >/dev/null |
			grep -v "warning.*can't break line"
	)
	if [ -z "$problems" ]; then
		echo "ok $n - $page formats cleanly ($tools)"
	else
		echo "not ok $n - $page"
		printf '%s\n' "$problems" | sed 's/^/# /'
	fi
done
