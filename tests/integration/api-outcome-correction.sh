#!/bin/sh
# api-outcome-correction.sh - PUT /v1/calls/{id}/outcome corrects an
# outcome the same day, through real HTTP with the test gateway: the log
# keeps both entries (the correction names the original), the course's
# state and next call are recomputed as if the corrected outcome had been
# recorded, unsent messages of the outcome are withdrawn and replaced,
# a message already delivered is not recalled (nor sent twice), concerns
# follow, reports and metrics count the corrected result (the calls
# counter counts each outcome recorded); the same
# correction again changes nothing; another day is 409, another mentor
# 403, a coordinator may.
#
# Dates: discharged Sunday 12 April 2026, first calls due Monday 13 April,
# the day of the outcomes and their corrections; Tuesday 14 April is the
# next working day.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/api-lib.sh"
. "$top_srcdir/tests/integration/outbox-lib.sh"

plan 47

start_mockgw
write_gateway_config
config_set "$CONFIG" crisis.notify_phone '"20 30 40 99"' || bail "crisis.notify_phone"
ADMIN=$(token_add admin coordinator)
start_api_daemon --test-clock
set_clock 2027-01-01T10:00:00+01:00
set_clock 2026-04-13T09:00:00+02:00

api_json POST /v1/mentors "$ADMIN" '{"name": "Mette Mentor", "phone": "20 30 40 50"}'
[ "$HTTP_STATUS" = 201 ] || bail "POST /v1/mentors: $HTTP_STATUS"
METTE=$(jget id)
METTE_TOKEN=$(token_add mentor mette "$METTE")
api_json POST /v1/offers "$ADMIN" '{"name": "Café Hjertestarter", "category": "fællesskab"}'
OFFER=$(jget id)

discharge() {
	api_json POST /v1/discharges "$ADMIN" "{\"notification_id\": \"$1\",
		\"citizen\": {\"name\": \"$2\", \"phone\": \"$3\"},
		\"discharged_at\": \"2026-04-12T10:00:00+02:00\",
		\"consent\": {\"contact\": true, \"share_information\": true}}"
	[ "$HTTP_STATUS" = 201 ] || bail "POST /v1/discharges $1: $HTTP_STATUS $(cat "$BODY")"
	jget course_id
}

pending_call() {
	sql "$DATABASE" "SELECT id FROM calls WHERE course_id = $1 AND state = 'pending'"
}

kinds() {
	sql "$DATABASE" "SELECT group_concat(kind, ' ') FROM (SELECT kind FROM course_log
		WHERE course_id = $1 AND kind IN ('outcome', 'outcome_corrected') ORDER BY id)"
}

messages() {
	sql "$DATABASE" "SELECT group_concat(type || ':' || state, ' ') FROM (SELECT type, state
		FROM outbox WHERE course_id = $1 AND kind = 'message' AND type != 'welcome'
		ORDER BY id)"
}

# outcome METHOD CALL TOKEN BODY
outcome() {
	api_json "$1" "/v1/calls/$2/outcome" "$3" "$4"
}

ANNA=$(discharge c-anna "Anna Hansen" "22 33 44 55")
BO=$(discharge c-bo "Bo Berg" "23 34 45 56")
CARL=$(discharge c-carl "Carl Holm" "24 35 46 57")
DITTE=$(discharge c-ditte "Ditte Lund" "25 36 47 58")
api_json POST /v1/mentors "$ADMIN" '{"name": "Mads Mentor", "phone": "20 30 40 51"}'
MADS_TOKEN=$(token_add mentor mads "$(jget id)")

# --- reached -> no_answer, with a concern added and removed ---------------------
A1=$(pending_call "$ANNA")
outcome PUT "$A1" "$METTE_TOKEN" '{"result": "no_answer"}'
status_is 409 "a call without an outcome cannot be corrected: 409"
outcome POST "$A1" "$METTE_TOKEN" '{"result": "reached", "duration_minutes": 10}'
status_is 200 "Anna reached"
A_PLAN=$(jget next_call.call_id)
is "$(jget next_call.reason)" follow_up "the next call is a plan step"
outcome PUT "$A1" "$METTE_TOKEN" '{"result": "reached", "duration_minutes": 10}'
status_is 200 "the outcome as recorded, sent again: 200"
is "$(jget corrected)" false "... it corrects nothing"
is "$(kinds "$ANNA")" "outcome" "... and logs nothing"
outcome PUT "$A1" "$METTE_TOKEN" '{"result": "reached", "duration_minutes": 12, "concern": true}'
status_is 200 "corrected by the mentor who recorded it: a concern added"
like "$(jget concern_id)" '^[0-9]+$' "... the concern is recorded"
is "$(sql "$DATABASE" "SELECT count(*) FROM concerns WHERE call_id = $A1")" 1 \
	"... in the concerns table"
is "$(jget next_call.due_date)" 2026-04-14 "... the next call defaults to the next working day"
outcome PUT "$A1" "$MADS_TOKEN" '{"result": "no_answer"}'
status_is 403 "another mentor may not correct it: 403"
outcome PUT "$A1" "$METTE_TOKEN" '{"result": "no_answer"}'
status_is 200 "reached -> no_answer"
is "$(jget next_call.reason) $(jget next_call.attempt) $(jget next_call.due_date)" \
	"retry 2 2026-04-14" "... the next call is the retry on the next working day"
is "$(jget previous_result) $(jget concern_withdrawn >/dev/null && echo withdrawn)" \
	"reached withdrawn" "... it replaced reached, and withdrew the concern"
is "$(sql "$DATABASE" "SELECT count(*) FROM concerns WHERE call_id = $A1")" 0 \
	"... the concern is gone from the concerns table"
is "$(sql "$DATABASE" "SELECT state FROM calls WHERE id = $A_PLAN")" cancelled \
	"... the plan step the original scheduled is cancelled"
is "$(kinds "$ANNA")" "outcome outcome_corrected outcome_corrected" \
	"the log keeps the original and both corrections"
is "$(sql "$DATABASE" "SELECT json_extract(details, '$.corrects') = (SELECT max(id) FROM
	course_log WHERE course_id = $ANNA AND kind = 'outcome_corrected' AND id < l.id)
	FROM course_log l WHERE course_id = $ANNA AND kind = 'outcome_corrected'
	ORDER BY id DESC LIMIT 1")" 1 "the last correction refers to the entry it corrects"
outcome PUT "$A1" "$METTE_TOKEN" '{"result": "no_answer"}'
is "$HTTP_STATUS $(jget corrected) $(kinds "$ANNA" | wc -w)" "200 false 3" \
	"the same correction again: 200, no new log entry"

# --- no_answer -> reached: the follow-up message, unsent, is replaced -----------------
gw_control '{"mode": "status", "status": 500, "path": "/v1/messages"}'
B1=$(pending_call "$BO")
outcome POST "$B1" "$METTE_TOKEN" '{"result": "no_answer"}'
status_is 200 "Bo not answering"
outcome PUT "$B1" "$METTE_TOKEN" "{\"result\": \"reached\", \"send_followup\": true,
	\"topics\": [\"network\"], \"next\": {\"action\": \"continue\", \"date\": \"2026-04-16\"}}"
status_is 200 "no_answer -> reached, with a follow-up message"
is "$(jget next_call.reason) $(jget next_call.due_date)" "agreed 2026-04-16" \
	"... the retry is replaced by the agreed call"
is "$(messages "$BO")" "followup:pending" "... the follow-up is queued"
# Each a function: wait_for runs its command again, and a "$(...)" in its
# arguments would be read once, before the first try.
followup_tried() {
	[ "$(sql "$DATABASE" "SELECT attempts FROM outbox WHERE course_id = $1
		AND type = 'followup'")" -ge 1 ]
}
wait_for 10 followup_tried "$BO" || bail "the follow-up was never tried"
FIRST=$(sql "$DATABASE" "SELECT id FROM outbox WHERE course_id = $BO AND type = 'followup'")
outcome PUT "$B1" "$METTE_TOKEN" "{\"result\": \"reached\", \"send_followup\": true,
	\"topics\": [\"network\"], \"offers\": [$OFFER],
	\"next\": {\"action\": \"continue\", \"date\": \"2026-04-16\"}}"
status_is 200 "corrected again while the gateway fails: an offer added"
is "$(jget messages_withdrawn) $(jget messages_kept)" "1 0" \
	"... the unsent follow-up is withdrawn, none kept"
is "$(messages "$BO")" "followup:pending" "... and replaced by one follow-up"
is "$(sql "$DATABASE" "SELECT id != $FIRST AND json_extract(payload, '$.offers[0]') = $OFFER
	FROM outbox WHERE course_id = $BO AND type = 'followup'")" 1 \
	"... a new message, naming the offer"

# --- declined -> reached: the course continues, its closing message withdrawn --------
C1=$(pending_call "$CARL")
outcome POST "$C1" "$METTE_TOKEN" '{"result": "declined"}'
is "$HTTP_STATUS $(jget state) $(messages "$CARL")" "200 ended closing:pending" \
	"Carl declined: ended, the closing message waits for the gateway"
outcome PUT "$C1" "$ADMIN" '{"result": "reached", "next": {"action": "continue"}}'
status_is 200 "a coordinator corrects it: declined -> reached"
is "$(jget state) $(jget next_call.reason)" "active follow_up" \
	"... the course continues with its plan"
is "$(messages "$CARL")" "" "... the closing message is withdrawn"
like "$(sql "$DATABASE" "SELECT group_concat(kind, ' ') FROM course_log WHERE course_id = $CARL")" \
	'outcome ended message outcome_corrected$|message_withdrawn.*reopened.*outcome_corrected' \
	"... the log says the course was reopened and the message withdrawn"

# --- a message already delivered is not recalled, nor sent twice ---------------------
gw_control '{"mode": "ok"}'
D1=$(pending_call "$DITTE")
outcome POST "$D1" "$METTE_TOKEN" '{"result": "reached", "send_followup": true}'
status_is 200 "Ditte reached, a follow-up sent"
messages_are() { [ "$(messages "$1")" = "$2" ]; }
wait_for 10 messages_are "$DITTE" followup:sent || diag "$(messages "$DITTE")"
is "$(messages "$DITTE")" "followup:sent" "... the gateway has it"
outcome PUT "$D1" "$METTE_TOKEN" '{"result": "reached", "send_followup": true,
	"topics": ["wellbeing"]}'
is "$HTTP_STATUS $(jget messages_withdrawn) $(jget messages_kept)" "200 0 1" \
	"corrected after delivery: nothing withdrawn, the sent follow-up kept"
is "$(messages "$DITTE")" "followup:sent" "... and not sent a second time"
outcome PUT "$D1" "$METTE_TOKEN" '{"result": "declined"}'
is "$HTTP_STATUS $(jget state)" "200 ended" "reached -> declined ends the course"
is "$(messages "$DITTE" | sed 's/:[a-z]*//g')" "followup closing" \
	"... with its closing message, the follow-up still not repeated"

# --- what is counted -----------------------------------------------------------------
# The counter counts each outcome as recorded, a correction under its new
# result, and never goes down (Prometheus would read a decrease as a
# restart): Anna reached -> no_answer, Bo no_answer -> reached, Carl
# declined -> reached, Ditte reached -> declined. The gauge counts the
# calls by their corrected result.
http GET /metrics
is "$(grep '^mentord_calls_total{' "$BODY" | tr '\n' ' ')" \
	"mentord_calls_total{result=\"declined\"} 2 mentord_calls_total{result=\"no_answer\"} 2 mentord_calls_total{result=\"reached\"} 4 mentord_calls_total{result=\"wrong_number\"} 0 " \
	"the calls counter adds every correction, taking nothing from the original"
like "$(cat "$BODY")" 'mentord_calls_with_outcome\{result="no_answer"\} 1' \
	"the calls gauge counts Anna's corrected result, not the original"
api GET "/v1/reports/summary?from=2026-04-01&to=2026-04-30" "$ADMIN"
is "$(jget calls_with_outcome) $(jget reach_rate) $(jget concerns)" "4 0.75 0" \
	"the report counts the corrected results (3 of 4 reached) and no withdrawn concern"
is "$(sql "$DATABASE" "SELECT group_concat(result, ' ') FROM calls WHERE id IN ($A1, $B1, $C1, $D1)")" \
	"no_answer reached reached declined" "the calls hold the corrected results the reports read"

# --- errors --------------------------------------------------------------------------
outcome PUT 999999 "$ADMIN" '{"result": "reached"}'
status_is 404 "an unknown call: 404"
outcome PUT "$B1" "$METTE_TOKEN" '{"result": "maybe"}'
is "$HTTP_STATUS $(error_fields)" "422 result" "a bad body: 422 naming the field"
outcome PUT "$B1" "$METTE_TOKEN" "{\"result\": \"reached\", \"send_followup\": true,
	\"topics\": [\"network\", \"network\"], \"offers\": [$OFFER, $OFFER]}"
is "$HTTP_STATUS $(error_fields | tr '\n' ' ')" "422 topics[1] offers[1] " \
	"an offer and a topic listed twice: 422 naming each"
is "$(sql "$DATABASE" "SELECT topics || ' ' || offers FROM calls WHERE id = $B1")" \
	"[\"network\"] [$OFFER]" "... and the call keeps its topics and offers"
set_clock 2026-04-14T08:00:00+02:00
outcome PUT "$B1" "$ADMIN" '{"result": "no_answer"}'
status_is 409 "the next day: 409, even for a coordinator"
