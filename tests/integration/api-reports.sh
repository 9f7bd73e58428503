#!/bin/sh
# api-reports.sh - GET /v1/reports/summary (JSON and CSV), GET /v1/outbox
# and GET /metrics against the real daemon, with courses made through the
# API and the test clock (doc/api.md, doc/operations.md).
#
# Two citizens are discharged on Wednesday 1 April 2026. Easter 2026 is
# 5 April, so 2, 3 and 6 April are holidays and the two working days after
# the discharge are Tuesday 7 and Wednesday 8 April. Anna is reached on
# 8 April (7 days, in time); Bo declines on 9 April (8 days, late), which
# ends his course and queues a closing message; he is resumed on 10 April.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/api-lib.sh"

plan 71

# call_of COURSE: the call id of COURSE in the last queue reply.
call_of() {
	co_i=0
	while co_course=$(jget "calls.$co_i.course_id") && [ -n "$co_course" ]; do
		if [ "$co_course" = "$1" ]; then
			jget "calls.$co_i.call_id"
			return 0
		fi
		co_i=$((co_i + 1))
	done
	return 1
}

# csv_has LINE DESC: the last reply (CRLF lines) has exactly that line.
csv_has() {
	if tr -d '\r' <"$BODY" | grep -Fqx -- "$1"; then
		pass "$2"
	else
		fail "$2" "no line '$1'"
		diag_file "$BODY"
	fi
}

# Listening on every address lets one check come from a non-loopback one.
write_config
config_set "$CONFIG" listen.address '"0.0.0.0"' || bail "cannot set listen.address"
ADMIN=$(token_add admin coordinator)
start_api_daemon --test-clock
# The daily jobs ran at start on the real date; visit a later day first so
# the test dates behave the same whenever the suite runs (see api-life.sh).
set_clock 2027-01-01T10:00:00+01:00
set_clock 2026-04-01T10:00:00+02:00

api_json POST /v1/mentors "$ADMIN" '{"name": "Mette Mentor", "phone": "20 30 40 50"}'
status_is 201 "POST /v1/mentors: 201"
MENTOR=$(jget id)
MENTOR_TOKEN=$(token_add mentor mette "$MENTOR")
api_json POST /v1/offers "$ADMIN" '{"name": "Peer group", "category": "peer_support"}'
status_is 201 "POST /v1/offers: 201"
OFFER=$(jget id)
# A category a CSV field must quote: a comma and quotes.
api_json POST /v1/offers "$ADMIN" '{"name": "Rådgivning", "category": "Råd, \"vejledning\""}'
OFFER2=$(jget id)

discharge() {
	api_json POST /v1/discharges "$ADMIN" "{\"notification_id\": \"$1\",
		\"citizen\": {\"name\": \"$2\", \"phone\": \"$3\"},
		\"discharged_at\": \"2026-04-01T09:00:00+02:00\",
		\"consent\": {\"contact\": true, \"share_information\": true}}"
}
discharge rep-1 "Anna Andersen" "22 33 44 01"
status_is 201 "discharge of Anna: 201"
ANNA=$(jget course_id)
discharge rep-2 "Bo Bertelsen" "22 33 44 02"
status_is 201 "discharge of Bo: 201"
BO=$(jget course_id)

api GET "/v1/queue?date=2026-04-07&mentor=$MENTOR" "$ADMIN"
status_is 200 "the queue of 7 April: 200"
ANNA_CALL=$(call_of "$ANNA")
BO_CALL=$(call_of "$BO")

set_clock 2026-04-08T10:00:00+02:00
api_json POST "/v1/calls/$ANNA_CALL/outcome" "$ADMIN" "{\"result\": \"reached\",
	\"topics\": [\"wellbeing\", \"network\"], \"offers\": [$OFFER, $OFFER2],
	\"next\": {\"action\": \"continue\"}}"
status_is 200 "Anna reached on 8 April: 200"
set_clock 2026-04-09T10:00:00+02:00
api_json POST "/v1/calls/$BO_CALL/outcome" "$ADMIN" '{"result": "declined"}'
status_is 200 "Bo declines on 9 April: 200"
is_json state ended "Bo's course has ended"

# --- the outbox: the closing message of Bo's course --------------------------
api GET "/v1/outbox?state=pending" "$ADMIN"
status_is 200 "GET /v1/outbox?state=pending as admin: 200"
ROWS=$(json_len "$BODY" outbox)
closing=
i=0
while [ "$i" -lt "$ROWS" ]; do
	if [ "$(jget outbox.$i.type)" = closing ] && [ "$(jget outbox.$i.course_id)" = "$BO" ]; then
		closing=$i
	fi
	i=$((i + 1))
done
if [ -n "$closing" ]; then
	pass "the pending outbox lists the closing message of Bo's course"
else
	fail "the pending outbox lists the closing message of Bo's course" "rows: $ROWS"
	diag_file "$BODY"
fi
closing=${closing:-0}
is "$(jget outbox.$closing.kind) $(jget outbox.$closing.state)" "message pending" \
	"the row is a pending message"
like "$(jget outbox.$closing.created_at)" '^2026-04-09T10:00:00\+02:00$' \
	"created_at is the test clock's time in RFC 3339"
like "$(jget outbox.$closing.idempotency_key)" '^[0-9a-f-]{36}$' "the row has its idempotency key"
file_unlike "$BODY" 'payload|Bo Bertelsen|22334402' "no payload, no name, no phone in the listing"
is "$(json_column "$BODY" outbox state | tr ' ' '\n' | sort -u | tr -d '\n')" pending \
	"state=pending lists only pending rows"
api GET "/v1/outbox?state=sent" "$ADMIN"
is "$HTTP_STATUS $(json_len "$BODY" outbox)" "200 0" "state=sent: nothing was sent"
api GET "/v1/outbox?state=lost" "$ADMIN"
is_invalid state "state=lost is a 422 naming state"
api GET /v1/outbox "$MENTOR_TOKEN"
is_problem 403 "GET /v1/outbox with a mentor token is 403"

# Pages (paged through in outbox-retry.sh, which has more rows): one
# page holds everything here, and a bad ?after= or ?limit= is named.
api GET "/v1/outbox?state=pending" "$ADMIN"
is "$(json_raw "$BODY" next_after)" null "every pending row fits one default page: next_after null"
api GET "/v1/outbox?state=pending&limit=0" "$ADMIN"
is_invalid limit "GET /v1/outbox?limit=0: 422 naming limit"
api GET "/v1/outbox?after=x&limit=1001" "$ADMIN"
is "$HTTP_STATUS $(error_fields)" "422 after limit" "?after=x&limit=1001: 422 naming both"

# --- the summary as JSON -------------------------------------------------------
SUMMARY="/v1/reports/summary?from=2026-04-01&to=2026-04-30"
api GET "$SUMMARY" "$ADMIN"
status_is 200 "GET $SUMMARY as admin: 200"
is "$(header Content-Type)" application/json "the summary is application/json"
is_json from 2026-04-01 "from is echoed"
is_json discharges_received 2 "2 discharges received"
is "$(jget courses_by_state.active) $(jget courses_by_state.ended)" "1 1" \
	"courses by state: 1 active, 1 ended"
# doc/openapi.yaml's Summary lists exactly the states the reply has
# (additionalProperties: false there): a state added to the product
# without the schema fails here.
is "$(json_raw "$BODY" courses_by_state | grep -o '"[a-z_]*"' | tr -d '"' | sort | tr '\n' ' ')" \
	"$(sed -n '/^        courses_by_state:$/,/^        [a-z_]*:$/s/^          required: \[\(.*\)\]$/\1/p' \
		"$top_srcdir/doc/openapi.yaml" | tr -d ' ' | tr ',' '\n' | sort | tr '\n' ' ')" \
	"courses_by_state has every state doc/openapi.yaml requires, and no other"
is_json days_to_first_reached_call.courses 2 "2 courses had a reached call"
is "$(json_raw "$BODY" days_to_first_reached_call.median)" 7.5 "median 7.5 days (7 and 8)"
is "$(json_raw "$BODY" days_to_first_reached_call.share_within_2_working_days)" 0.5 \
	"half within 2 working days (Easter counts as no working days)"
is "$(json_raw "$BODY" calls_per_course)" 1.0 "1 call per course"
is "$(json_raw "$BODY" reach_rate)" 1.0 "reach rate 1 (a declined call reached Bo)"
is "$(json_raw "$BODY" ended_at_first_call_share)" 0.5 "half ended at the first call"
is "$(jget topics.wellbeing) $(jget topics.network)" "1 1" "topics counted"
is_json offers_by_category.peer_support 1 "one offer referred in category peer_support"
file_unlike "$BODY" 'Anna|Bo|2233' "the summary names no citizen"

set_clock 2026-04-10T10:00:00+02:00
api_json POST "/v1/courses/$BO/resume" "$ADMIN" '{}'
status_is 200 "Bo's course is resumed on 10 April"
api GET "$SUMMARY" "$ADMIN"
is "$(jget resumed_courses) $(jget courses_by_state.active)" "1 2" "1 resumed course, 2 active"

api GET "/v1/reports/summary?to=2026-03-31" "$ADMIN"
is "$HTTP_STATUS $(json_raw "$BODY" from) $(jget discharges_received)" "200 null 0" \
	"without from: no lower bound; nothing before April"
is "$(json_raw "$BODY" reach_rate)" null "no calls: reach rate null"

# --- the summary as CSV --------------------------------------------------------
http GET "$SUMMARY" -H "Authorization: Bearer $ADMIN" -H 'Accept: text/csv'
status_is 200 "Accept: text/csv: 200"
is "$(header Content-Type)" "text/csv; charset=utf-8" "Content-Type text/csv; charset=utf-8"
is "$(head -n 1 "$BODY" | tr -d '\r')" metric,value "the header row is metric,value"
csv_has "discharges_received,2" "CSV: discharges_received,2"
csv_has "days_to_first_reached_call.median,7.5" "CSV: nested names are joined with dots"
csv_has "calls_per_course,1" "CSV: calls_per_course,1"
csv_has "offers_by_category.peer_support,1" "CSV: offers_by_category.peer_support,1"
csv_has '"offers_by_category.Råd, ""vejledning""",1' \
	"CSV: a name with a comma and quotes is quoted, its quotes doubled (RFC 4180)"
http GET "$SUMMARY" -H "Authorization: Bearer $ADMIN" -H 'Accept: text/csv;q=0.5, application/json'
is "$(header Content-Type)" application/json "JSON when it is preferred over CSV"

# --- refusals -------------------------------------------------------------------
api GET "$SUMMARY" "$MENTOR_TOKEN"
is_problem 403 "the summary with a mentor token is 403"
api GET "$SUMMARY" ""
is_problem 401 "the summary without a token is 401"
api GET "/v1/reports/summary?from=2026-02-30" "$ADMIN"
is_invalid from "from=2026-02-30 is a 422 naming from"
api GET "/v1/reports/summary?from=2026-04-01&to=1.4.2026" "$ADMIN"
is_invalid to "to=1.4.2026 is a 422 naming to"
api GET "/v1/reports/summary?from=2026-04-30&to=2026-04-01" "$ADMIN"
is_invalid from "from after to is a 422 naming from"

# --- metrics ---------------------------------------------------------------------
# On 15 April Anna's next call (day 14) and Bo's resumed call (13 April)
# are both due.
set_clock 2026-04-15T10:00:00+02:00
http GET /metrics
status_is 200 "GET /metrics from loopback without a token: 200"
is "$(header Content-Type)" "text/plain; version=0.0.4; charset=utf-8" \
	"Content-Type text/plain; version=0.0.4"
file_like "$BODY" '^mentord_discharges_total 2$' "mentord_discharges_total 2"
file_like "$BODY" "^mentord_queue_calls\\{mentor=\"$MENTOR\"\\} 2\$" "2 calls due in the mentor's queue"
file_like "$BODY" '^mentord_calls_total\{result="declined"\} 1$' "mentord_calls_total by result"
file_like "$BODY" '^mentord_courses\{state="active"\} 2$' "mentord_courses by state"
file_like "$BODY" '^mentord_outbox_rows\{state="pending"\} [1-9][0-9]*$' "pending outbox rows"
file_like "$BODY" '^mentord_outbox_attempts_total [0-9]+$' "mentord_outbox_attempts_total"
file_like "$BODY" \
	'^mentord_http_requests_total\{method="GET",route="/v1/reports/summary",status="422"\} 3$' \
	"requests counted by route pattern and status"
file_like "$BODY" \
	'^mentord_http_requests_total\{method="POST",route="/v1/calls/\{id\}/outcome",status="200"\} 2$' \
	"a route with a parameter is counted by its pattern"
file_like "$BODY" '^# TYPE mentord_store_commit_seconds histogram$' "commit latency is a histogram"
commits=$(sed -n 's/^mentord_store_commits_total \([0-9]*\)$/\1/p' "$BODY")
file_like "$BODY" "^mentord_store_commit_seconds_bucket\\{le=\"\\+Inf\"\\} $commits\$" \
	"the +Inf bucket counts every commit ($commits)"
file_like "$BODY" '^mentord_uptime_seconds [0-9]+$' "mentord_uptime_seconds"

OTHER=$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -E '^[0-9.]+$' | grep -v '^127\.' | head -n 1)
if [ -n "$OTHER" ]; then
	HTTP_HOST=$OTHER
	http GET /metrics
	is_problem 401 "GET /metrics from $OTHER without a token is 401"
	http GET /metrics -H "Authorization: Bearer $MENTOR_TOKEN"
	is_problem 403 "GET /metrics from $OTHER with a mentor token is 403"
	http GET /metrics -H "Authorization: Bearer $ADMIN"
	status_is 200 "GET /metrics from $OTHER with the admin token: 200"
	unset HTTP_HOST
else
	skip "no non-loopback IPv4 address" "GET /metrics from elsewhere needs a token"
	skip "no non-loopback IPv4 address" "GET /metrics from elsewhere refuses a mentor token"
	skip "no non-loopback IPv4 address" "GET /metrics from elsewhere takes the admin token"
fi

if stop_mentord TERM 10 && [ "$EXIT_STATUS" = 0 ]; then
	pass "SIGTERM: exit 0"
else
	fail "SIGTERM: exit 0" "exit status $EXIT_STATUS"
	diag_file "$LOG"
fi
