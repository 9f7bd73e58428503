#!/bin/sh
# api-roles.sh - who may do what (doc/api.md): 401 without a valid
# token (none, unknown, another scheme, revoked), 403 for a role or a
# mentor that may not, and a refused request leaks and changes nothing.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/api-lib.sh"

plan 114

# req METHOD PATH TOKEN [BODY]: a request, with a JSON body when given.
req() {
	if [ $# -ge 4 ]; then
		api_json "$1" "$2" "$3" "$4"
	else
		api "$1" "$2" "$3"
	fi
}

# unauthorized DESC METHOD PATH TOKEN [BODY]: 401 problem + WWW-Authenticate.
unauthorized() {
	u_desc=$1
	shift
	req "$@"
	u_auth=$(header WWW-Authenticate)
	if [ "$HTTP_STATUS" = 401 ] && [ "$(header Content-Type)" = application/problem+json ] &&
		printf '%s\n' "$u_auth" | grep -Eq '^Bearer( |$)'; then
		pass "$u_desc: 401 with WWW-Authenticate: Bearer"
	else
		fail "$u_desc: 401 with WWW-Authenticate: Bearer" \
			"got $HTTP_STATUS, WWW-Authenticate '$u_auth'"
		diag_file "$BODY"
	fi
}

# forbidden DESC METHOD PATH TOKEN [BODY]: a 403 problem.
forbidden() {
	f_desc=$1
	shift
	req "$@"
	is_problem 403 "$f_desc: 403"
}

# allowed STATUS DESC METHOD PATH TOKEN [BODY]
allowed() {
	a_want=$1
	a_desc=$2
	shift 2
	req "$@"
	status_is "$a_want" "$a_desc: $a_want"
}

discharge() {
	printf '{"notification_id": "%s", "citizen": {"name": "%s", "phone": "%s"},
		"discharged_at": "2026-03-02T12:00:00+01:00",
		"consent": {"contact": true, "share_information": true}}' "$1" "$2" "$3"
}

write_config
ADMIN=$(token_add admin coordinator)
PSYCH=$(token_add psychiatry ward-7)
start_api_daemon --test-clock
# Mon 2 Mar 2026: an ordinary working day for both mentors.
set_clock 2026-03-02T12:00:00+01:00

api_json POST /v1/mentors "$ADMIN" '{"name": "Anna", "phone": "21000001"}'
A=$(jget id)
api_json POST /v1/mentors "$ADMIN" '{"name": "Bo", "phone": "21000002"}'
B=$(jget id)
TOKEN_A=$(token_add mentor anna "$A")
TOKEN_B=$(token_add mentor bo "$B")
api_json POST /v1/offers "$ADMIN" '{"name": "Walk and talk", "category": "network"}'
OFFER=$(jget id)

# --- 401: no valid token ----------------------------------------------------
unauthorized "GET /v1/queue without a token" GET "/v1/queue?mentor=$A" ""
is "$(jget status)" 401 "the 401 problem says status 401"
unauthorized "POST /v1/discharges without a token" POST /v1/discharges "" \
	"$(discharge n-none Nobody 29000000)"
unauthorized "GET /v1/courses with an unknown token" GET /v1/courses "mtd_not-a-real-token"
http GET /v1/mentors -H "Authorization: Basic $(printf 'admin:admin' | base64)"
if [ "$HTTP_STATUS" = 401 ]; then
	pass "GET /v1/mentors with Basic credentials: 401"
else
	fail "GET /v1/mentors with Basic credentials: 401" "got $HTTP_STATUS"
fi
http GET /v1/mentors -H "Authorization: $ADMIN"
is "$HTTP_STATUS" 401 "a token without the Bearer scheme: 401"
unauthorized "GET /v1/audit with a valid token plus junk" GET /v1/audit "${ADMIN}x"

for route in "POST /v1/discharges" "GET /v1/queue" "POST /v1/calls/1/outcome" "GET /v1/courses" \
	"GET /v1/courses/1" "POST /v1/courses/1/contacts" "POST /v1/courses/1/resume" \
	"POST /v1/courses/1/end" "GET /v1/audit" "GET /v1/mentors" "POST /v1/mentors" \
	"GET /v1/mentors/$A" "PATCH /v1/mentors/$A" "GET /v1/offers" "POST /v1/offers" \
	"GET /v1/offers/$OFFER" "PATCH /v1/offers/$OFFER" "DELETE /v1/offers/$OFFER"; do
	# shellcheck disable=SC2086 # METHOD PATH
	set -- $route
	if [ "$1" = GET ] || [ "$1" = DELETE ]; then
		unauthorized "$route without a token" "$1" "$2" ""
	else
		unauthorized "$route without a token" "$1" "$2" "" '{"name": "X", "category": "c"}'
	fi
done

TEMP=$(token_add admin temp-admin)
TEMP_ID=$(last_token_id)
allowed 200 "GET /v1/mentors with a fresh admin token" GET /v1/mentors "$TEMP"
"$MENTORCTL" --database "$DATABASE" token revoke "$TEMP_ID" 2>"$TEST_TMP/revoke.err"
is "$?" 0 "mentorctl token revoke succeeds"
unauthorized "GET /v1/mentors with the revoked token" GET /v1/mentors "$TEMP"
PSYCH_OLD=$(token_add psychiatry old-ward)
"$MENTORCTL" --database "$DATABASE" token revoke "$(last_token_id)" 2>>"$TEST_TMP/revoke.err"
unauthorized "POST /v1/discharges with a revoked psychiatry token" POST /v1/discharges \
	"$PSYCH_OLD" "$(discharge n-revoked Revoked 29000001)"
api GET /v1/courses "$ADMIN"
is "$(json_len "$BODY" courses)" 0 "the refused discharges stored nothing"
http GET /v1/mentors -H "Authorization: bearer $ADMIN"
is "$HTTP_STATUS" 200 "the scheme name is case-insensitive (bearer): 200"

# --- psychiatry: may only submit discharges -----------------------------------
api_json POST /v1/discharges "$PSYCH" "$(discharge n-a 'Astrid Aagaard' 30000001)"
status_is 201 "psychiatry POST /v1/discharges: 201"
COURSE_A=$(jget course_id)
is "$(jget mentor_id)" "$A" "the first course goes to mentor A (least loaded, lowest id)"
api_json POST /v1/discharges "$PSYCH" "$(discharge n-b 'Bent Bertelsen' 30000002)"
COURSE_B=$(jget course_id)
is "$HTTP_STATUS $(jget mentor_id)" "201 $B" "the second course goes to mentor B (A has one)"

# Every other route: 403, whatever the body, and no reply names a citizen.
leaked=
for route in "GET /v1/queue?mentor=$A" "POST /v1/calls/1/outcome" "GET /v1/courses" \
	"GET /v1/courses/$COURSE_A" "PATCH /v1/courses/$COURSE_A" "POST /v1/courses/$COURSE_A/contacts" \
	"POST /v1/courses/$COURSE_A/resume" "POST /v1/courses/$COURSE_A/end" "GET /v1/audit" \
	"GET /v1/mentors" "POST /v1/mentors" "GET /v1/mentors/$A" "PATCH /v1/mentors/$A" \
	"GET /v1/offers" "POST /v1/offers" "GET /v1/offers/$OFFER" "PATCH /v1/offers/$OFFER" \
	"DELETE /v1/offers/$OFFER"; do
	# shellcheck disable=SC2086 # METHOD PATH
	set -- $route
	if [ "$1" = GET ] || [ "$1" = DELETE ]; then
		forbidden "psychiatry $route" "$1" "$2" "$PSYCH"
	else
		forbidden "psychiatry $route" "$1" "$2" "$PSYCH" \
			'{"reason": "ward says so", "result": "declined", "name": "X", "phone": "21000009", "category": "c", "mentor_id": 2}'
	fi
	grep -Eq 'Astrid|Bertelsen|30000001' "$BODY" && leaked="$leaked; $route"
done
is "$leaked" "" "no 403 reply to psychiatry names a citizen"
api GET "/v1/courses/$COURSE_A" "$ADMIN"
is "$(jget state) $(json_len "$BODY" log)" "active 3" "the refused psychiatry requests changed nothing"
api GET /v1/offers "$ADMIN"
is "$(json_len "$BODY" offers) $(jget offers.0.name)" "1 Walk and talk" \
	"psychiatry's refused offer requests changed no offer"

# --- mentors: their own queue and citizens only -----------------------------------
# Tue 3 Mar: both first calls are due, both mentors work.
set_clock 2026-03-03T09:00:00+01:00
api GET /v1/queue "$TOKEN_A"
status_is 200 "mentor A GET /v1/queue (own, no ?mentor): 200"
CALL_A=$(jget calls.0.call_id)
is "$(jget mentor_id) $(json_len "$BODY" calls) $(jget calls.0.course_id)" "$A 1 $COURSE_A" \
	"mentor A's queue holds only A's citizen"
allowed 200 "mentor A GET /v1/queue?mentor=A" GET "/v1/queue?mentor=$A" "$TOKEN_A"
forbidden "mentor A GET /v1/queue?mentor=B" GET "/v1/queue?mentor=$B" "$TOKEN_A"
api GET /v1/queue "$TOKEN_B"
CALL_B=$(jget calls.0.call_id)
is "$HTTP_STATUS $(jget calls.0.course_id)" "200 $COURSE_B" "mentor B's own queue holds B's citizen"

forbidden "mentor A GET B's citizen's course" GET "/v1/courses/$COURSE_B" "$TOKEN_A"
if grep -q Bertelsen "$BODY"; then
	fail "the 403 names nothing of B's citizen" "$(cat "$BODY")"
else
	pass "the 403 names nothing of B's citizen"
fi
forbidden "mentor A POST contacts on B's course" POST "/v1/courses/$COURSE_B/contacts" "$TOKEN_A" '{}'
forbidden "mentor A POST end on B's course" POST "/v1/courses/$COURSE_B/end" "$TOKEN_A" \
	'{"reason": "not mine"}'
forbidden "mentor A POST resume on B's course" POST "/v1/courses/$COURSE_B/resume" "$TOKEN_A" '{}'
forbidden "mentor A GET /v1/courses?mentor=B" GET "/v1/courses?mentor=$B" "$TOKEN_A"
api GET /v1/courses "$TOKEN_A"
is "$HTTP_STATUS $(json_column "$BODY" courses id)" "200 $COURSE_A" \
	"mentor A's GET /v1/courses lists A's citizens only"
forbidden "mentor A records an outcome on B's call" POST "/v1/calls/$CALL_B/outcome" "$TOKEN_A" \
	'{"result": "declined"}'
api GET "/v1/courses/$COURSE_B" "$TOKEN_B"
is "$(jget state) $(jget next_call.call_id)" "active $CALL_B" \
	"B's course is untouched by A's refused end and outcome"
allowed 404 "mentor A GET an unknown course" GET /v1/courses/999999 "$TOKEN_A"

forbidden "mentor POST /v1/offers" POST /v1/offers "$TOKEN_A" '{"name": "Mine", "category": "x"}'
forbidden "mentor PATCH /v1/offers/{id}" PATCH "/v1/offers/$OFFER" "$TOKEN_A" '{"name": "Renamed"}'
forbidden "mentor DELETE /v1/offers/{id}" DELETE "/v1/offers/$OFFER" "$TOKEN_A"
api GET /v1/offers "$TOKEN_A"
is "$HTTP_STATUS $(jget offers.0.name)" "200 Walk and talk" \
	"mentor GET /v1/offers: 200, the offer unchanged by the refused PATCH"
allowed 200 "mentor GET /v1/offers/{id}" GET "/v1/offers/$OFFER" "$TOKEN_A"
forbidden "mentor GET /v1/mentors" GET /v1/mentors "$TOKEN_A"
forbidden "mentor GET /v1/mentors/{own id}" GET "/v1/mentors/$A" "$TOKEN_A"
forbidden "mentor POST /v1/mentors" POST /v1/mentors "$TOKEN_A" '{"name": "Y", "phone": "21000008"}'
forbidden "mentor PATCH /v1/mentors/{own id}" PATCH "/v1/mentors/$A" "$TOKEN_A" '{"active": false}'
# Only a coordinator hands a citizen to a mentor, even the mentor's own one.
forbidden "mentor PATCH /v1/courses/{own course}" PATCH "/v1/courses/$COURSE_A" "$TOKEN_A" \
	"{\"mentor_id\": $B}"
forbidden "mentor PATCH /v1/courses/{other's course}" PATCH "/v1/courses/$COURSE_B" "$TOKEN_A" \
	"{\"mentor_id\": $A}"
api GET "/v1/courses/$COURSE_A" "$ADMIN"
m_a=$(jget mentor_id)
api GET "/v1/courses/$COURSE_B" "$ADMIN"
is "$m_a $(jget mentor_id)" "$A $B" "the refused mentor PATCHes moved no course"
forbidden "mentor GET /v1/audit" GET /v1/audit "$TOKEN_A"
forbidden "mentor POST /v1/discharges" POST /v1/discharges "$TOKEN_A" \
	"$(discharge n-m 'Mentor Made' 30000003)"
api GET /v1/courses "$ADMIN"
is "$(json_len "$BODY" courses)" 2 "the refused mentor discharge stored nothing"
api GET /v1/mentors "$ADMIN"
is "$(json_len "$BODY" mentors) $(jget mentors.0.active)" "2 true" \
	"the refused mentor POST/PATCH changed no mentor"

allowed 200 "mentor A records an outcome on A's own call" POST "/v1/calls/$CALL_A/outcome" \
	"$TOKEN_A" '{"result": "reached", "topics": ["wellbeing"]}'

# --- admin: everything --------------------------------------------------------
allowed 200 "admin GET /v1/queue?mentor=B" GET "/v1/queue?mentor=$B" "$ADMIN"
is "$(jget calls.0.call_id)" "$CALL_B" "admin sees B's queue"
api GET /v1/queue "$ADMIN"
is_invalid mentor "admin GET /v1/queue without ?mentor: 422 naming mentor"
api GET /v1/courses "$ADMIN"
is "$HTTP_STATUS $(json_column "$BODY" courses id)" "200 $COURSE_A $COURSE_B" "admin lists every course"
allowed 200 "admin GET /v1/courses?mentor=B" GET "/v1/courses?mentor=$B" "$ADMIN"
is "$(json_column "$BODY" courses id)" "$COURSE_B" "?mentor=B lists B's course only"
allowed 200 "admin GET B's citizen's course" GET "/v1/courses/$COURSE_B" "$ADMIN"
allowed 200 "admin records an outcome on B's call" POST "/v1/calls/$CALL_B/outcome" "$ADMIN" \
	'{"result": "reached"}'
allowed 200 "admin POST contacts on a course" POST "/v1/courses/$COURSE_B/contacts" "$ADMIN" '{}'
allowed 200 "admin POST end on a course" POST "/v1/courses/$COURSE_B/end" "$ADMIN" \
	'{"reason": "moved away"}'
allowed 200 "admin POST resume on the ended course" POST "/v1/courses/$COURSE_B/resume" "$ADMIN" '{}'
allowed 201 "admin POST /v1/offers" POST /v1/offers "$ADMIN" '{"name": "Café", "category": "social"}'
OFFER2=$(jget id)
allowed 200 "admin PATCH /v1/offers/{id}" PATCH "/v1/offers/$OFFER2" "$ADMIN" '{"hours": "Mon 10-14"}'
allowed 200 "admin DELETE /v1/offers/{id}" DELETE "/v1/offers/$OFFER2" "$ADMIN"
allowed 200 "admin GET /v1/mentors" GET /v1/mentors "$ADMIN"
allowed 200 "admin GET /v1/mentors/{id}" GET "/v1/mentors/$B" "$ADMIN"
allowed 200 "admin PATCH /v1/mentors/{id}" PATCH "/v1/mentors/$B" "$ADMIN" '{"name": "Bo B."}'
allowed 201 "admin POST /v1/discharges" POST /v1/discharges "$ADMIN" \
	"$(discharge n-admin 'Carl Christensen' 30000004)"
allowed 200 "admin GET /v1/audit" GET /v1/audit "$ADMIN"
# The audit shows who did what: the denied requests left no row.
rows=$(json_len "$BODY" audit)
i=0
who=
while [ "$i" -lt "$rows" ]; do
	who="$who $(jget audit.$i.token_name):$(jget audit.$i.action):$(jget audit.$i.course_id)"
	i=$((i + 1))
done
case $who in
*"anna:read:$COURSE_B"* | *"anna:end:"* | *"anna:contact:"* | *"ward-7:read"*)
	fail "no audit row for a refused request" "$who" ;;
*" anna:read:$COURSE_A"*" anna:outcome:$COURSE_A"*)
	pass "no audit row for a refused request" ;;
*)
	fail "no audit row for a refused request" "(mentor A's own read and outcome missing)" "$who" ;;
esac

# --- token checks are cached, but a change counts at the very next request ---
# Deactivating a mentor (in the daemon's own transaction) ends the mentor's
# token at once, and activating them again brings it back.
allowed 200 "mentor A's token before A is deactivated" GET /v1/queue "$TOKEN_A"
allowed 200 "admin deactivates mentor A" PATCH "/v1/mentors/$A" "$ADMIN" '{"active": false}'
unauthorized "mentor A's token right after A was deactivated" GET /v1/queue "$TOKEN_A"
allowed 200 "admin activates mentor A again" PATCH "/v1/mentors/$A" "$ADMIN" '{"active": true}'
allowed 200 "mentor A's token right after A was activated again" GET /v1/queue "$TOKEN_A"
# A revocation by mentorctl (another process) between two requests of a
# token that has just been let in.
LAST=$(token_add psychiatry last-ward)
LAST_ID=$(last_token_id)
allowed 201 "a fresh psychiatry token sends a discharge" POST /v1/discharges "$LAST" \
	"$(discharge n-last-1 'Dorte Dahl' 30000005)"
timeout 10 "$MENTORCTL" --database "$DATABASE" token revoke "$LAST_ID" 2>>"$TEST_TMP/revoke.err"
unauthorized "the same token right after mentorctl revoked it" POST /v1/discharges "$LAST" \
	"$(discharge n-last-2 'Dorte Dahl' 30000006)"
