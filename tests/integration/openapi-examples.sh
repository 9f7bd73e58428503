#!/bin/sh
# openapi-examples.sh - every request example of doc/openapi.yaml, sent as
# it stands to a real mentord, gets the status the document says for it.
#
# The document's conventions (its info.description, "Examples"): dates are
# "{{date:N}}", N days from today in Copenhagen, replaced before sending
# (tests/integration/openapi-examples.py reads the YAML and does that);
# ids in a body name what a fresh database holds after two mentors and one
# offer were added, which is what this script adds first; ids in a path
# are made here, per operation (the fixtures below), so each example meets
# what it needs: an outcome a pending call of its own, a resume an ended
# course. An operation with an example but no fixture fails, so a new
# example cannot go untested. Requests carry the admin token, except those
# of operations that need none (x-roles: []). The daemon runs on the real
# date, with --test-clock for the clock's own example (the last).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/api-lib.sh"

SPEC=$top_srcdir/doc/openapi.yaml
TODAY=$(copenhagen_date)

# A python3 with PyYAML (Debian: python3-yaml, from contrib/install-deps).
PYTHON=
for p in python3 /usr/bin/python3; do
	if "$p" -c 'import yaml' 2>/dev/null; then
		PYTHON=$p
		break
	fi
done
[ -n "$PYTHON" ] || bail "no python3 with PyYAML (apt-get install python3-yaml)"

"$PYTHON" "$top_srcdir/tests/integration/openapi-examples.py" "$SPEC" "$TODAY" \
	>"$TEST_TMP/examples.tsv" 2>"$TEST_TMP/examples.err" ||
	bail "cannot read the examples of $SPEC: $(cat "$TEST_TMP/examples.err")"
count=$(wc -l <"$TEST_TMP/examples.tsv")

plan $((count + 1))

write_config
ADMIN=$(token_add admin openapi-examples)
start_api_daemon --test-clock

# What the examples' body ids name: mentors 1 and 2, offer 1.
api_json POST /v1/mentors "$ADMIN" '{"name": "Mentor Et", "phone": "20 30 40 51"}'
[ "$HTTP_STATUS" = 201 ] && [ "$(jget id)" = 1 ] || bail "mentor 1: $HTTP_STATUS $(cat "$BODY")"
api_json POST /v1/mentors "$ADMIN" '{"name": "Mentor To", "phone": "20 30 40 52"}'
[ "$HTTP_STATUS" = 201 ] && [ "$(jget id)" = 2 ] || bail "mentor 2: $HTTP_STATUS $(cat "$BODY")"
api_json POST /v1/offers "$ADMIN" '{"name": "Café Lyset", "category": "fællesskab"}'
[ "$HTTP_STATUS" = 201 ] && [ "$(jget id)" = 1 ] || bail "offer 1: $HTTP_STATUS $(cat "$BODY")"

# new_course: a course of a citizen of its own, discharged yesterday;
# COURSE is its id.
citizens=0
new_course() {
	citizens=$((citizens + 1))
	api_json POST /v1/discharges "$ADMIN" "{\"notification_id\": \"fixture-$citizens\",
		\"citizen\": {\"name\": \"Borger $citizens\", \"phone\": \"+45 40 00 00 $((10 + citizens))\"},
		\"discharged_at\": \"$(copenhagen_date -d yesterday)T12:00:00+01:00\",
		\"consent\": {\"contact\": true, \"share_information\": true}}"
	[ "$HTTP_STATUS" = 201 ] || bail "fixture discharge: $HTTP_STATUS $(cat "$BODY")"
	COURSE=$(jget course_id)
}

# fixture OPERATION-ID: the path's id for one example of the operation
# (ID), made fresh where the example changes what it acts on. Returns 1
# for an operation without a fixture.
fixture() {
	ID=
	case $1 in
	createDischarge | createMentor | createOffer | setTestClock | citizenEvent | createSelfReferral) ;;
	correctDischarge) ID=RH-PSY-2026-000123 ;; # createDischarge's example, sent before
	cancelDischarge)
		new_course
		ID=fixture-$citizens
		;;
	recordOutcome)
		new_course
		ID=$(sql "$DATABASE" "SELECT id FROM calls WHERE course_id = $COURSE AND state = 'pending'")
		;;
	correctOutcome)
		new_course
		ID=$(sql "$DATABASE" "SELECT id FROM calls WHERE course_id = $COURSE AND state = 'pending'")
		api_json POST "/v1/calls/$ID/outcome" "$ADMIN" '{"result": "no_answer"}'
		[ "$HTTP_STATUS" = 200 ] || bail "fixture outcome: $HTTP_STATUS $(cat "$BODY")"
		;;
	assignCourseMentor | recordContact | endCourse | agreeGoals)
		new_course
		ID=$COURSE
		;;
	resumeCourse)
		new_course
		ID=$COURSE
		api_json POST "/v1/courses/$ID/end" "$ADMIN" '{"reason": "Fixture: ended to resume."}'
		[ "$HTTP_STATUS" = 200 ] || bail "fixture end: $HTTP_STATUS $(cat "$BODY")"
		;;
	updateMentor | updateOffer) ID=1 ;;
	*) return 1 ;;
	esac
	return 0
}

# Operations whose x-roles is empty take no token.
tokenless=$(awk '/^  \/[^ ]*:/ { path = $1 } /x-roles: \[\]/ { print path }' "$SPEC" |
	tr -d ':' | tr '\n' ' ')

# The loop's names are its own: http() (lib.sh) sets method and path.
tab=$(printf '\t')
n=0
while IFS=$tab read -r ex_op ex_method ex_path ex_name ex_want ex_body; do
	n=$((n + 1))
	desc="$ex_method $ex_path, example '$ex_name' ($ex_op): $ex_want"
	if ! fixture "$ex_op"; then
		fail "$desc" "no fixture for operation $ex_op: add one to $0"
		continue
	fi
	token=$ADMIN
	case " $tokenless " in *" $ex_path "*) token= ;; esac
	api_json "$ex_method" "$(printf '%s' "$ex_path" | sed "s/{[a-z_]*}/$ID/")" "$token" "$ex_body"
	if [ "$HTTP_STATUS" = "$ex_want" ]; then
		pass "$desc"
	else
		fail "$desc" "got $HTTP_STATUS" "sent: $ex_body"
		diag_file "$BODY"
	fi
done <"$TEST_TMP/examples.tsv"

if stop_mentord TERM 10 && [ "$EXIT_STATUS" = 0 ]; then
	pass "mentord stops cleanly after $n examples"
else
	fail "mentord stops cleanly after $n examples" "exit status $EXIT_STATUS"
	diag_file "$LOG"
fi
