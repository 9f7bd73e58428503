#!/bin/sh
# outbox-publish.sh - call tasks (doc/scheduling.md, doc/gateway.md): at
# queue.publish_time on a working day every mentor's queue goes to the
# gateway as one call task per call, keyed "call-task:<call>:<day>"; not
# before that time, not on a weekend, not twice a day; a call scheduled
# after the publication and due that day is published at once; a call
# still open the next day is published again in that day's queue, to the
# mentor standing in for an absent one.
#
# Monday 13 April 2026. Mette (mentor 1) and Niels (mentor 2); Anna and
# Bo were discharged on Sunday 12 April, so their first calls are due
# on the 13th; Carl on the 13th, due the 14th.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/api-lib.sh"
. "$top_srcdir/tests/integration/outbox-lib.sh"

plan 17

start_mockgw
write_gateway_config
ADMIN=$(token_add admin coordinator)
start_api_daemon --test-clock
set_clock 2027-01-01T10:00:00+01:00
set_clock 2026-04-13T06:00:00+02:00

for m in 'Mette Mentor", "phone": "20 30 40 50' 'Niels Nabo", "phone": "20 30 40 51'; do
	api_json POST /v1/mentors "$ADMIN" "{\"name\": \"$m\"}"
	[ "$HTTP_STATUS" = 201 ] || bail "POST /v1/mentors: $HTTP_STATUS"
done

# discharge ID NAME PHONE DAY: prints the course id.
discharge() {
	api_json POST /v1/discharges "$ADMIN" "{\"notification_id\": \"$1\",
		\"citizen\": {\"name\": \"$2\", \"phone\": \"$3\"},
		\"discharged_at\": \"$4T10:00:00+02:00\",
		\"consent\": {\"contact\": true, \"share_information\": true}}"
	[ "$HTTP_STATUS" = 201 ] || bail "POST /v1/discharges $1: $HTTP_STATUS $(cat "$BODY")"
	jget course_id
}

call_of() {
	sql "$DATABASE" "SELECT id FROM calls WHERE course_id = $1 AND state = 'pending'"
}

# tasks: the keys of the call tasks in the outbox, oldest first.
tasks() {
	sql "$DATABASE" "SELECT group_concat(idempotency_key, ' ') FROM (SELECT idempotency_key
		FROM outbox WHERE kind = 'call_task' ORDER BY id)"
}

# task_body KEY: the body the gateway accepted under KEY.
task_body() {
	grep "\"idempotency_key\":\"$1\"" "$RECORD" | grep '"status":200}$' | head -n 1 \
		>"$TEST_TMP/task.line"
	json_get "$TEST_TMP/task.line" body
}

ANNA=$(discharge p-anna "Anna Andersen" "22 33 44 55" 2026-04-12)
BO=$(discharge p-bo "Bo Berg" "23 34 45 56" 2026-04-12)
CARL=$(discharge p-carl "Carl Clausen" "24 35 46 57" 2026-04-13)
A1=$(call_of "$ANNA")
B1=$(call_of "$BO")
C1=$(call_of "$CARL")

set_clock 2026-04-13T07:29:00+02:00
is "$(tasks)" "" "07:29, before queue.publish_time: no call tasks"

set_clock 2026-04-13T07:30:00+02:00
is "$(tasks)" "call-task:$A1:2026-04-13 call-task:$B1:2026-04-13" \
	"07:30: one call task per call due, Anna's (Mette) and Bo's (Niels); Carl's is due tomorrow"
file_like "$LOG" 'published 2 call task\(s\)' "the publication is logged"
wait_for 10 gw_requests_at_least /v1/call-tasks 2
is "$(task_body "call-task:$A1:2026-04-13")" \
	"{\"attempt\":1,\"citizen\":{\"name\":\"Anna Andersen\",\"phone\":\"+4522334455\"},\"due_date\":\"2026-04-13\",\"id\":$A1,\"mentor\":{\"id\":1,\"name\":\"Mette Mentor\",\"phone\":\"+4520304050\"},\"reason\":\"first_contact\",\"topic\":null}" \
	"POST /v1/call-tasks: the exact call task JSON"
record_line 1 /v1/call-tasks
is "$(json_get "$TEST_TMP/record.line" authorization)" "Bearer $GW_TOKEN" "with the bearer token"

set_clock 2026-04-13T12:00:00+02:00
is "$(tasks | wc -w)" 2 "later the same day nothing is published again"

# --- a call scheduled after the publication ----------------------------------------
DORA=$(discharge p-dora "Dora Dahl" "25 36 47 58" 2026-04-12)
D1=$(call_of "$DORA")
is "$(tasks | wc -w)" 3 "a discharge at noon with a first call due today: its call task at once"
wait_for 10 gw_requests_at_least /v1/call-tasks 3
is "$(task_body "call-task:$D1:2026-04-13")" \
	"{\"attempt\":1,\"citizen\":{\"name\":\"Dora Dahl\",\"phone\":\"+4525364758\"},\"due_date\":\"2026-04-13\",\"id\":$D1,\"mentor\":{\"id\":2,\"name\":\"Niels Nabo\",\"phone\":\"+4520304051\"},\"reason\":\"first_contact\",\"topic\":null}" \
	"the late call task goes to Dora's mentor, Niels (the least loaded)"
ERIK=$(discharge p-erik "Erik Eriksen" "26 37 48 59" 2026-04-13)
api_json POST "/v1/calls/$A1/outcome" "$ADMIN" '{"result": "no_answer"}'
[ "$HTTP_STATUS" = 200 ] || bail "no_answer: $HTTP_STATUS"
A2=$(call_of "$ANNA")
is "$(tasks | wc -w)" 3 "calls due tomorrow (Erik's first, Anna's retry) wait for tomorrow's queue"
api GET "/v1/courses/$DORA" "$ADMIN"
like "$(cat "$BODY")" "\"kind\":\"call_task_delivered\",\"details\":\\{\"outbox_id\":[0-9]+,\"type\":\"call_task\"\\}" \
	"the course log shows the call task's delivery"

# --- the next day: Mette is absent, Niels takes her calls ---------------------------------
api_json PATCH /v1/mentors/1 "$ADMIN" '{"absences": [{"from": "2026-04-14", "to": "2026-04-14"}]}'
[ "$HTTP_STATUS" = 200 ] || bail "PATCH /v1/mentors/1: $HTTP_STATUS $(cat "$BODY")"
set_clock 2026-04-14T07:30:00+02:00
E1=$(call_of "$ERIK")
new=$(sql "$DATABASE" "SELECT group_concat(idempotency_key, ' ') FROM (SELECT idempotency_key
	FROM outbox WHERE kind = 'call_task' AND idempotency_key LIKE '%:2026-04-14' ORDER BY
	idempotency_key)")
want=$(for c in "$A2" "$B1" "$C1" "$D1" "$E1"; do echo "call-task:$c:2026-04-14"; done | sort | tr '\n' ' ')
is "$new " "$want" "Tuesday: Anna's retry, Carl's and Erik's first calls, and Bo's and Dora's open calls again"
wait_for 10 gw_requests_at_least /v1/call-tasks 8
is "$(task_body "call-task:$A2:2026-04-14")" \
	"{\"attempt\":2,\"citizen\":{\"name\":\"Anna Andersen\",\"phone\":\"+4522334455\"},\"due_date\":\"2026-04-14\",\"id\":$A2,\"mentor\":{\"id\":2,\"name\":\"Niels Nabo\",\"phone\":\"+4520304051\"},\"reason\":\"retry\",\"topic\":null}" \
	"Anna's retry goes to Niels while Mette is absent, attempt 2"
is "$(task_body "call-task:$B1:2026-04-14" | sed 's/.*"due_date":"\([^"]*\)".*/\1/')" 2026-04-13 \
	"Bo's open call is published again with its own due date"

# --- not on a weekend, never twice ------------------------------------------------------------
before=$(tasks | wc -w)
set_clock 2026-04-18T09:00:00+02:00
is "$(tasks | wc -w)" "$before" "Saturday: no publication"
is "$(sql "$DATABASE" "SELECT last_day FROM job_runs WHERE job = 'publish-queue'")" 2026-04-14 \
	"and the job is not marked as run on Saturday"
# Wednesday, then back to Tuesday: the job runs again for Tuesday (another
# day than its last run) and finds every key taken.
tuesday() {
	sql "$DATABASE" "SELECT count(*) FROM outbox WHERE idempotency_key LIKE '%:2026-04-14'"
}
on_tuesday=$(tuesday)
set_clock 2026-04-15T07:30:00+02:00
zero_runs=$(grep -c 'published 0 call task' "$LOG")
set_clock 2026-04-14T08:00:00+02:00
if [ "$(tuesday)" = "$on_tuesday" ] &&
	[ "$(grep -c 'published 0 call task' "$LOG")" = $((zero_runs + 1)) ]; then
	pass "publishing a day again adds nothing (the keys exist)"
else
	fail "publishing a day again adds nothing (the keys exist)" "$on_tuesday -> $(tuesday)"
	diag_file "$LOG"
fi
wait_for 10 outbox_count_is pending 0
is "$(gw_stat duplicates)" 0 "every call task reached the gateway once"
