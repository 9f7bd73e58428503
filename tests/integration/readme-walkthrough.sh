#!/bin/sh
# readme-walkthrough.sh - the README's "First five minutes" runs as it is
# written, against a real mentord.
#
# The walk-through's command blocks (its lines indented by four spaces;
# a blank line or prose ends a block) are taken from the README itself.
# The first block starts the demo (contrib/demo); this script does what
# the demo does instead, in a scratch directory laid out like the source
# tree (./mentorctl, ./var/mentord.db, ./var/demo-admin-token) but with
# mentord on a free port, since 8080 may be taken and the source tree may
# be read-only. Every other block runs unchanged, in order, in one bash
# with errexit and pipefail, except that 127.0.0.1:8080 becomes the free
# port. Each block that completes is one ok; then the database must hold
# what the walk-through says it made.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/api-lib.sh"

README=$top_srcdir/README
command -v jq >/dev/null 2>&1 || bail "jq is not installed (contrib/install-deps installs it)"
command -v bash >/dev/null 2>&1 || bail "bash is not installed"

# The section: from its title to the next title (a line of dashes under
# a line of text). Blocks are separated by "@@" lines.
awk '
	/^First five minutes$/ { on = 1; next }
	on && /^-+$/ && seen_text { if (started) exit }
	on && /^-+$/ { started = 1; next }
	on && started {
		if ($0 ~ /^    /) { print substr($0, 5); inblock = 1 }
		else if (inblock) { print "@@"; inblock = 0 }
		seen_text = ($0 !~ /^[ \t]*$/ && $0 !~ /^    /)
	}
	END { if (inblock) print "@@" }' "$README" >"$TEST_TMP/blocks"
nblocks=$(grep -c '^@@$' "$TEST_TMP/blocks")
[ "$nblocks" -ge 3 ] || bail "no walk-through in $README (found $nblocks blocks)"

plan $((nblocks + 5))

first=$(sed -n '1,/^@@$/p' "$TEST_TMP/blocks" | sed '$d')
is "$first" "contrib/demo" "the walk-through starts the demo"

# What contrib/demo does, in a scratch copy of its layout.
WORK=$TEST_TMP/work
mkdir -p "$WORK/var" || bail "cannot make $WORK/var"
ln -s "$MENTORCTL" "$WORK/mentorctl"
DATABASE=$WORK/var/mentord.db
(cd "$WORK" && umask 077 &&
	./mentorctl --database var/mentord.db token add --role admin --name demo-admin \
		>var/demo-admin-token 2>/dev/null) || bail "cannot make the demo's admin token"
write_config
start_api_daemon

# The rest, block by block, each followed by a marker.
{
	echo 'set -eo pipefail'
	sed '1,/^@@$/d' "$TEST_TMP/blocks" | awk -v port="$PORT" '
		/^@@$/ { n++; printf "echo \"@@ block %d done\"\n", n + 1; next }
		{ gsub(/127\.0\.0\.1:8080/, "127.0.0.1:" port); print }'
} >"$TEST_TMP/walk.sh"
(cd "$WORK" && timeout 120 bash "$TEST_TMP/walk.sh") >"$TEST_TMP/walk.out" 2>"$TEST_TMP/walk.err"
walk_rc=$?

i=2
while [ "$i" -le "$nblocks" ]; do
	desc="block $i of the walk-through runs as written"
	if grep -q "^@@ block $i done\$" "$TEST_TMP/walk.out"; then
		pass "$desc"
	else
		fail "$desc" "it stopped here (exit $walk_rc); its commands:" \
			"$(awk -v want="$i" '/^@@$/ { n++; next } n + 1 == want' "$TEST_TMP/blocks")"
		diag_file "$TEST_TMP/walk.err"
		diag_file "$TEST_TMP/walk.out"
	fi
	i=$((i + 1))
done
is "$walk_rc" 0 "the whole walk-through exits 0"

q() {
	sql "$DATABASE" "$1"
}
is "$(q "SELECT name || '|' || phone FROM mentors")" "Mette Mentor|+4520304050" \
	"it added the mentor"
is "$(q "SELECT group_concat(role || ':' || name, ' ') FROM (SELECT role, name FROM tokens ORDER BY id)")" \
	"admin:demo-admin mentor:mette psychiatry:ward-3" "it made the mentor's and the ward's tokens"
is "$(q "SELECT citizen_name || '|' || state || '|' || discharge_date FROM courses")" \
	"Anna Andersen|active|$(copenhagen_date -d yesterday)" "the discharge made Anna's course, yesterday"
is "$(q "SELECT group_concat(state || ':' || coalesce(result, '-') || ':' || reason, ' ') FROM (SELECT * FROM calls ORDER BY id)")" \
	"done:reached:first_contact pending:-:agreed" \
	"the first call has its outcome and the agreed call is pending"
