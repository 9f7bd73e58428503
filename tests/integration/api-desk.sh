#!/bin/sh
# api-desk.sh - what the coordinator's desk and the outcome form's concern
# need from the API (doc/api.md), through real HTTP with the test gateway:
# GET /v1/config/public, an outcome's "concern" (stored with its call,
# followed the next working day, the coordinators' phone notified through
# the outbox without naming the citizen), GET /v1/concerns and POST
# /v1/concerns/{id}/handled, the reports' count, GET /v1/mentors/load with
# an absent mentor's calls routed to the stand-in, POST
# /v1/outbox/{id}/retry, and the names of authors and mentors in a course.
# Each route: 401 without a token, 403 for a role that may not, problem
# JSON naming the field on bad input, and nothing changed.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/api-lib.sh"
. "$top_srcdir/tests/integration/outbox-lib.sh"

plan 97

start_mockgw
write_gateway_config
config_set "$CONFIG" crisis.notify_phone '"20 30 40 99"' || bail "crisis.notify_phone"
ADMIN=$(token_add admin "Koordinator Karen")
PSYCH=$(token_add psychiatry ward-7)
start_api_daemon --test-clock
# Monday 2 March 2026, 09:00: after the day's queues were published.
set_clock 2026-03-02T09:00:00+01:00

api_json POST /v1/mentors "$ADMIN" '{"name": "Anna Andersen", "phone": "21000001"}'
A=$(jget id)
api_json POST /v1/mentors "$ADMIN" '{"name": "Bo Berg", "phone": "21000002"}'
B=$(jget id)
TOKEN_A=$(token_add mentor anna "$A")
TOKEN_B=$(token_add mentor bo "$B")

# discharge N NAME PHONE: discharged yesterday (first contact due today);
# prints the course id. The least-loaded mentor alternates A, B, A.
discharge() {
	api_json POST /v1/discharges "$ADMIN" "{\"notification_id\": \"desk-$1\",
		\"citizen\": {\"name\": \"$2\", \"phone\": \"$3\"},
		\"discharged_at\": \"2026-03-01T10:00:00+01:00\",
		\"consent\": {\"contact\": true, \"share_information\": true}}"
	[ "$HTTP_STATUS" = 201 ] || bail "POST /v1/discharges $1: $HTTP_STATUS $(cat "$BODY")"
	jget course_id
}
C1=$(discharge 1 "Dorte Mikkelsen" 41526374)
C2=$(discharge 2 "Erik Sørensen" 51627384)
C3=$(discharge 3 "Freja Holm" 61728394)
# Then Bo falls ill: away today and tomorrow. (A new course is never
# given to a mentor away on its first call's day, so he had his citizen
# before.)
api_json PATCH "/v1/mentors/$B" "$ADMIN" '{"absences": [{"from": "2026-03-02", "to": "2026-03-03"}]}'
[ "$HTTP_STATUS" = 200 ] || bail "PATCH /v1/mentors/$B: $HTTP_STATUS $(cat "$BODY")"

pending_call() {
	sql "$DATABASE" "SELECT id FROM calls WHERE course_id = $1 AND state = 'pending'"
}

# --- GET /v1/config/public -------------------------------------------------------------
api GET /v1/config/public ""
is_problem 401 "GET /v1/config/public without a token"
api GET /v1/config/public "$PSYCH"
is_problem 403 "GET /v1/config/public with a psychiatry token"
api GET /v1/config/public "$TOKEN_A"
status_is 200 "GET /v1/config/public with a mentor's token"
is_json window_months 6 "the window in months, for texts such as 'seks måneder'"
is_json municipality "Eksempel Kommune" "the municipality as citizens see it"
is_json messages.closing true "which messages citizens get"
is_json crisis.numbers.0.phone 112 "the crisis numbers: 112 first, as the shipped file has it"
is_json crisis.numbers.1.phone "70 201 201" "then Livslinien"
like "$(jget crisis.procedure)" "ring 112" "the crisis procedure"
is_json crisis.notify true "whether concerns are notified"
file_unlike "$BODY" '20 ?30 ?40 ?99|4520304099|gateway|token|database|sender_cvr' \
	"nothing sensitive: not the notify phone, the gateway, tokens or the database"
api GET /v1/config/public "$ADMIN"
status_is 200 "GET /v1/config/public with an admin token"

# --- an outcome's concern ---------------------------------------------------------------
CALL1=$(pending_call "$C1")
api_json POST "/v1/calls/$CALL1/outcome" "$TOKEN_A" '{"result": "reached", "concern": "yes"}'
is_invalid concern "\"concern\": \"yes\" is refused naming the field"
api_json POST "/v1/calls/$CALL1/outcome" "$TOKEN_A" '{"result": "no_answer", "concern": true}'
is_invalid concern "a concern without a conversation (no answer) is refused naming the field"
is "$(pending_call "$C1")" "$CALL1" "the refused outcomes changed nothing: the call is still pending"
is "$(sql "$DATABASE" "SELECT count(*) FROM concerns")" 0 "and no concern is stored"

api_json POST "/v1/calls/$CALL1/outcome" "$TOKEN_A" \
	'{"result": "reached", "topics": ["wellbeing"], "concern": true, "next": {"action": "continue"}}'
status_is 200 "a reached call with a concern is recorded"
CONCERN=$(jget concern_id)
like "$CONCERN" '^[0-9]+$' "the reply names the concern"
is_json next_call.due_date 2026-03-03 "the next call is the next working day, Tue 3 Mar"
is_json next_call.reason follow_up "as a follow-up"

api GET "/v1/courses/$C1" "$TOKEN_A"
status_is 200 "the mentor reads the course"
is_json concerns.0.id "$CONCERN" "the course lists the concern"
is_json concerns.0.author_name "Anna Andersen" "with its author's name"
is_json concerns.0.handled_at null "open"
is_json calls.0.concern true "the call shows its concern"
is_json calls.1.concern false "the next call has none"
file_like "$BODY" '"kind":"outcome","details":\{[^}]*"concern":true' \
	"the outcome's log entry says concern: true"
is_json mentor_name "Anna Andersen" "the course names its mentor"
is "$(json_values "$BODY" log author_name | tr ' ' '\n' | grep -v '^null$' | sort -u | tr '\n' ' ')" \
	"Andersen Anna Karen Koordinator " "log entries name their authors (the mentor, the coordinator's token)"
is "$(json_values "$BODY" log author | tr ' ' '\n' | grep -c '^system$')" \
	"$(json_values "$BODY" log author_name | tr ' ' '\n' | grep -c '^null$')" \
	"the system's entries have no author name"
file_like "$BODY" '"kind":"mentor_assigned","details":\{"mentor_id":'"$A"',"mentor_name":"Anna Andersen"\}' \
	"an assignment names the mentor"

# The coordinators' phone, through the outbox and the gateway.
if wait_for 10 gw_requests_at_least /v1/notifications 1; then
	pass "the gateway got a notification at POST /v1/notifications"
else
	fail "the gateway got a notification at POST /v1/notifications"
fi
record_body 1 /v1/notifications >"$TEST_TMP/n.json"
is "$(json_get "$TEST_TMP/n.json" type)" concern "its type is concern"
is "$(json_get "$TEST_TMP/n.json" recipient.phone)" +4520304099 "to crisis.notify_phone"
is "$(json_get "$TEST_TMP/n.json" course_id)" "$C1" "naming the course by number"
is "$(json_get "$TEST_TMP/n.json" label)" "Bekymring registreret" "its label"
file_unlike "$TEST_TMP/n.json" 'Dorte|Mikkelsen|41526374|psyk|Psyk|mentor|diagnos' \
	"it names neither the citizen nor psychiatry, a diagnosis or the scheme"
is "$(sql "$DATABASE" "SELECT count(*) FROM outbox WHERE type = 'concern' AND course_id IS NULL")" 1 \
	"one outbox row, outside the course's message order"

# A concern after a declined call ends the course and is still listed.
api_json POST "/v1/calls/$(pending_call "$C3")/outcome" "$TOKEN_A" \
	'{"result": "declined", "concern": true}'
status_is 200 "a declined call with a concern is recorded"
is_json state ended "the course ends"

# --- GET /v1/concerns, POST /v1/concerns/{id}/handled -----------------------------------
api GET /v1/concerns ""
is_problem 401 "GET /v1/concerns without a token"
api GET /v1/concerns "$TOKEN_A"
is_problem 403 "GET /v1/concerns with a mentor's token"
api GET "/v1/concerns?state=forgotten" "$ADMIN"
is_invalid state "GET /v1/concerns?state=forgotten names the parameter"
api GET "/v1/concerns?limit=0" "$ADMIN"
is_invalid limit "GET /v1/concerns?limit=0 names the parameter"
api GET /v1/concerns "$ADMIN"
status_is 200 "GET /v1/concerns with an admin token"
is "$(json_column "$BODY" concerns course_id)" "$C1 $C3" "the open concerns, oldest first"
is_json concerns.0.citizen.name "Dorte Mikkelsen" "with the citizen's name"
is_json concerns.0.citizen.phone +4541526374 "and phone"
is_json concerns.0.mentor_name "Anna Andersen" "and mentor"
is_json concerns.1.course_state ended "and the course's state"
api GET "/v1/concerns?limit=1" "$ADMIN"
is_json next_after "$CONCERN" "a page of one ends at the first concern"
api GET "/v1/audit?course=$C1" "$ADMIN"
file_like "$BODY" '"action":"read","course_id":'"$C1"',"purpose":"list concerns' \
	"listing concerns is audited on the course"

api POST "/v1/concerns/$CONCERN/handled" ""
is_problem 401 "POST /v1/concerns/{id}/handled without a token"
api POST "/v1/concerns/$CONCERN/handled" "$TOKEN_A"
is_problem 403 "POST /v1/concerns/{id}/handled with a mentor's token"
api POST /v1/concerns/99999/handled "$ADMIN"
is_problem 404 "POST /v1/concerns/99999/handled"
api POST "/v1/concerns/$CONCERN/handled" "$ADMIN"
status_is 200 "the coordinator marks the concern followed up"
api POST "/v1/concerns/$CONCERN/handled" "$ADMIN"
is_problem 409 "a second time is a conflict"
api GET /v1/concerns "$ADMIN"
is "$(json_column "$BODY" concerns course_id)" "$C3" "only the other concern is open"
api GET "/v1/concerns?state=handled" "$ADMIN"
is_json concerns.0.handled_by_name "Koordinator Karen" "the handled one names who followed it up"
api GET "/v1/courses/$C1" "$ADMIN"
file_like "$BODY" '"author_name":"Koordinator Karen","kind":"concern_handled"' \
	"the course log tells it was followed up, and by whom"
api GET "/v1/audit?course=$C1" "$ADMIN"
file_like "$BODY" '"display_name":"Koordinator Karen","role":"admin","action":"concern_handled"' \
	"handling is audited, with the display name"
file_like "$BODY" '"display_name":"Anna Andersen","role":"mentor","action":"outcome"' \
	"a mentor's audit rows carry the mentor's own name"

api GET /v1/reports/summary "$ADMIN"
is_json concerns 2 "the summary report counts the concerns"
http GET /v1/reports/summary -H "Authorization: Bearer $ADMIN" -H 'Accept: text/csv'
file_like "$BODY" '^concerns[,;]2' "and so does its CSV"

# --- GET /v1/mentors/load ---------------------------------------------------------------
api GET /v1/mentors/load ""
is_problem 401 "GET /v1/mentors/load without a token"
api GET /v1/mentors/load "$TOKEN_A"
is_problem 403 "GET /v1/mentors/load with a mentor's token"
api GET "/v1/mentors/load?from=monday" "$ADMIN"
is_invalid from "?from=monday names the parameter"
api GET "/v1/mentors/load?from=2026-03-10&to=2026-03-09" "$ADMIN"
is_invalid to "to before from names to"
api GET "/v1/mentors/load?to=2026-04-30" "$ADMIN"
is_invalid to "more than 31 days names to"
api GET /v1/mentors/load "$ADMIN"
status_is 200 "GET /v1/mentors/load with an admin token"
is_json from 2026-03-02 "from defaults to today"
is_json to 2026-03-08 "to to a week"
is "$(json_column "$BODY" days working_day)" "true true true true true false false" \
	"the days and whether they are working days"
is "$(json_column "$BODY" mentors name)" "Anna Andersen Bo Berg" "every mentor, by id"
is_json mentors.0.active_courses 1 "Anna's active courses"
is_json mentors.0.days.1.due 1 "Anna's follow-up of the concern is due Tuesday"
is_json mentors.1.days.0.due 1 "Bo's citizen's first contact is due today"
is_json mentors.1.days.0.available false "but Bo is away today"
is_json mentors.1.days.0.queue 0 "so his queue is empty"
is_json mentors.0.days.0.queue 1 "and Anna's holds his call"
is_json mentors.1.days.2.available true "Bo is back on Wednesday"
is_json mentors.1.absences_in_period.0.to 2026-03-03 "his absence is listed"
is_json unassigned.active_courses 0 "no course lacks a mentor"

# --- POST /v1/outbox/{id}/retry --------------------------------------------------------
# Erik's course ends; its closing message meets a gateway that refuses it
# for good.
gw_control '{"mode": "status", "status": 400, "path": "/v1/messages", "count": 1}'
api_json POST "/v1/courses/$C2/end" "$ADMIN" '{"reason": "Flyttet til en anden kommune"}'
[ "$HTTP_STATUS" = 200 ] || bail "POST /v1/courses/$C2/end: $HTTP_STATUS"
wait_for 10 outbox_count_is dead 1 || bail "no dead letter appeared"
DEAD=$(sql "$DATABASE" "SELECT id FROM outbox WHERE state = 'dead'")
is "$(sql "$DATABASE" "SELECT course_id || ' ' || type FROM outbox WHERE id = $DEAD")" "$C2 closing" \
	"Erik's closing message is a dead letter"
api POST "/v1/outbox/$DEAD/retry" ""
is_problem 401 "POST /v1/outbox/{id}/retry without a token"
api POST "/v1/outbox/$DEAD/retry" "$TOKEN_A"
is_problem 403 "POST /v1/outbox/{id}/retry with a mentor's token"
api POST /v1/outbox/99999/retry "$ADMIN"
is_problem 404 "POST /v1/outbox/99999/retry"
SENT=$(sql "$DATABASE" "SELECT id FROM outbox WHERE state = 'sent' ORDER BY id LIMIT 1")
api POST "/v1/outbox/$SENT/retry" "$ADMIN"
is_problem 409 "a row that is not dead is a conflict"
is "$(sql "$DATABASE" "SELECT state FROM outbox WHERE id = $SENT")" sent "and stays as it was"
api POST "/v1/outbox/$DEAD/retry" "$ADMIN"
status_is 200 "the coordinator sends the dead letter again"
is_json state pending "it is pending again"
is_json attempts 0 "with its attempts reset"
if wait_for 10 outbox_count_is dead 0 && wait_for 10 sh -c \
	"[ \"\$(sqlite3 '$DATABASE' \"SELECT state FROM outbox WHERE id = $DEAD\")\" = sent ]"; then
	pass "the gateway took it"
else
	fail "the gateway took it" "state: $(sql "$DATABASE" "SELECT state FROM outbox WHERE id = $DEAD")"
fi
api GET "/v1/audit?course=$C2" "$ADMIN"
file_like "$BODY" '"action":"outbox_retry","course_id":'"$C2"',"purpose":"send a dead letter again"' \
	"the retry is audited on the course"

# --- the mentors by name, for the desk's picker ----------------------------------------------
api GET /v1/mentors "$TOKEN_B"
is_problem 403 "GET /v1/mentors stays an admin's"

http GET /healthz
is "$HTTP_STATUS" 200 "mentord still answers"
file_unlike "$LOG" ' (error|crit|alert|emerg): ' "mentord logged no error"
