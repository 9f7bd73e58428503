#!/bin/sh
# api-self-referral.sh - POST /v1/courses: a citizen who declined at
# discharge, or got only the leaflet, contacts the municipality within the
# window and a mentor or coordinator registers them. The body is a
# discharge notification's, with "source": "self_referral" and the
# citizen's own consent given on the phone; the course then runs like any
# other, a mentor who registers it becomes its mentor (unless it supersedes
# a course whose mentor is active: continuity), psychiatry may not
# call it, and reports and /metrics count self-referrals apart from
# discharges.
#
# Dates: Monday 13 April 2026; the citizen says they were discharged on
# Friday 3 April.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/api-lib.sh"

plan 32

write_config

ADMIN=$(token_add admin coordinator)
PSYCH=$(token_add psychiatry ward)
start_api_daemon --test-clock
set_clock 2026-04-13T09:00:00+02:00

api_json POST /v1/mentors "$ADMIN" '{"name": "Mette Mentor", "phone": "20 30 40 50"}'
METTE=$(jget id)
METTE_TOKEN=$(token_add mentor mette "$METTE")
api_json POST /v1/mentors "$ADMIN" '{"name": "Mads Mentor", "phone": "20 30 40 51"}'
MADS=$(jget id)
MADS_TOKEN=$(token_add mentor mads "$MADS")

# referral ID NAME PHONE [SOURCE] [GIVEN_BY] [DISCHARGED_AT]
referral() {
	r_at=${6-'"2026-04-03T11:00:00+02:00"'}
	printf '{"notification_id": "%s", "source": "%s",
		"citizen": {"name": "%s", "phone": "%s"}, "discharged_at": %s,
		"consent": {"contact": true, "share_information": true, "given_by": "%s"}}' \
		"$1" "${4:-self_referral}" "$2" "$3" "$r_at" "${5:-citizen}"
}
courses() {
	sql "$DATABASE" "SELECT count(*) FROM courses"
}

# --- refused: wrong source, consent, date, role ---------------------------------
api_json POST /v1/courses "$METTE_TOKEN" "$(referral s-0 "Sara Sommer" "21 22 23 24" psychiatry)"
is_invalid source "a source other than self_referral: 422 naming source"
api_json POST /v1/courses "$METTE_TOKEN" "$(referral s-0 "Sara Sommer" "21 22 23 24" \
	self_referral psychiatry)"
is_invalid consent.given_by "consent given by someone else than the citizen: 422"
api_json POST /v1/courses "$METTE_TOKEN" "$(referral s-0 "Sara Sommer" "21 22 23 24" \
	self_referral citizen null)"
is_invalid discharged_at "no discharge date: 422 (a self-referral waits for no stay)"
api_json POST /v1/courses "$METTE_TOKEN" "$(referral s-0 "Sara Sommer" "21 22 23 24" \
	self_referral citizen '"2025-09-01T10:00:00+02:00"')"
is_invalid discharged_at "a discharge older than the window: 422"
api_json POST /v1/courses "$PSYCH" "$(referral s-0 "Sara Sommer" "21 22 23 24")"
status_is 403 "psychiatry registers discharges, not self-referrals: 403"
api_json POST /v1/courses "" "$(referral s-0 "Sara Sommer" "21 22 23 24")"
status_is 401 "without a token: 401"
is "$(courses)" 0 "nothing was stored by the refusals"

# --- a mentor registers one: it is theirs -----------------------------------------
api_json POST /v1/courses "$METTE_TOKEN" "$(referral s-1 "Sara Sommer" "21 22 23 24")"
status_is 201 "a mentor registers a self-referral: 201"
SARA=$(jget course_id)
is "$(jget mentor_id)" "$METTE" "the mentor who registered it is the citizen's mentor"
is "$(jget state)" active "the course is active"
like "$(header Location)" "/v1/courses/$SARA\$" "Location names the course"
is "$(sql "$DATABASE" "SELECT source || ' ' || state FROM courses WHERE id = $SARA")" \
	"self_referral active" "stored as a self-referral"
is "$(sql "$DATABASE" "SELECT count(*) FROM calls WHERE course_id = $SARA AND state = 'pending'
	AND reason = 'first_contact'")" 1 "it has its first call, like any course"
api_json POST /v1/courses "$METTE_TOKEN" "$(referral s-1 "Sara Sommer" "21 22 23 24")"
status_is 200 "the same registration again: 200"
is "$(jget course_id)" "$SARA" "and the same course"
is "$(courses)" 1 "no second course"
api GET "/v1/courses/$SARA" "$METTE_TOKEN"
status_is 200 "the mentor reads the course"

# --- a coordinator registers one: the rules choose -------------------------------
api_json POST /v1/courses "$ADMIN" "$(referral s-2 "Tove Toft" "31 32 33 34")"
status_is 201 "a coordinator registers a self-referral: 201"
like "$(jget mentor_id)" "^($METTE|$MADS)\$" "the rules choose an active mentor"

# --- reports count them apart -------------------------------------------------------
api_json POST /v1/discharges "$PSYCH" '{"notification_id": "d-1",
	"citizen": {"name": "Ulla Udskrevet", "phone": "41 42 43 44"},
	"discharged_at": "2026-04-12T10:00:00+02:00",
	"consent": {"contact": true, "share_information": true}}'
status_is 201 "a discharge from psychiatry"
api GET "/v1/reports/summary?from=2026-04-01&to=2026-04-30" "$ADMIN"
is "$(jget discharges_received) $(jget self_referrals) $(jget courses_by_state.active)" "1 2 3" \
	"the report counts 1 discharge and 2 self-referrals, 3 active courses"
http GET /metrics
is "$(grep -E '^mentord_(discharges|self_referrals|referrals)_total ' "$BODY" | tr '\n' ' ')" \
	"mentord_discharges_total 1 mentord_self_referrals_total 2 mentord_referrals_total 0 " \
	"/metrics counts them apart as the report does"

# --- a repetition answers what the registration got ------------------------------
# Mette has s-1 and d-1, Mads s-2. A coordinator gives s-1 to Mads; Mads
# then registers s-6, which the rules would give Mette: it is his.
api_json PATCH "/v1/courses/$SARA" "$ADMIN" "{\"mentor_id\": $MADS}"
status_is 200 "a coordinator gives s-1 to Mads"
api_json POST /v1/courses "$METTE_TOKEN" "$(referral s-1 "Sara Sommer" "21 22 23 24")"
is "$HTTP_STATUS $(jget course_id) $(jget mentor_id)" "200 $SARA $METTE" \
	"s-1 again: 200 naming Mette, who registered it, not the mentor it has now"
api_json POST /v1/courses "$MADS_TOKEN" "$(referral s-6 "Wilma West" "61 62 63 64")"
is "$HTTP_STATUS $(jget mentor_id)" "201 $MADS" "Mads registers s-6: it is his"
cp "$BODY" "$TEST_TMP/s6.body"
api_json PATCH "/v1/courses/$(jget course_id)" "$ADMIN" "{\"mentor_id\": $METTE}"
api_json POST /v1/courses "$MADS_TOKEN" "$(referral s-6 "Wilma West" "61 62 63 64")"
if [ "$HTTP_STATUS" = 200 ] && cmp -s "$BODY" "$TEST_TMP/s6.body"; then
	pass "s-6 again after a reassignment: 200 with the first reply's body"
else
	fail "s-6 again after a reassignment: 200 with the first reply's body" \
		"status $HTTP_STATUS" "want: $(cat "$TEST_TMP/s6.body")" "got:  $(cat "$BODY")"
fi

# --- superseding a colleague's course keeps the colleague (continuity) -------------
api_json POST /v1/courses "$MADS_TOKEN" "$(referral s-3 "Vera Vang" "51 52 53 54")"
status_is 201 "Mads registers a self-referral for Vera"
VERA=$(jget course_id)
api_json POST /v1/courses "$METTE_TOKEN" "$(referral s-4 "Vera Vang" "51 52 53 54")"
status_is 201 "Mette registers Vera again: 201, the new course supersedes Mads's"
is "$(jget mentor_id)" "$MADS" "the citizen keeps Mads, who is active"
is "$(sql "$DATABASE" "SELECT state || ' ' || (SELECT mentor_id FROM courses
	WHERE id = $(jget course_id)) FROM courses WHERE id = $VERA")" "superseded $MADS" \
	"the old course is superseded and the new one stays with Mads"
# With Mads inactive continuity has nobody to keep: the registering mentor takes it.
api_json PATCH "/v1/mentors/$MADS" "$ADMIN" '{"active": false}'
api_json POST /v1/courses "$METTE_TOKEN" "$(referral s-5 "Vera Vang" "51 52 53 54")"
status_is 201 "Mette registers Vera a third time, Mads now inactive"
is "$(jget mentor_id)" "$METTE" "the registering mentor becomes the mentor"
