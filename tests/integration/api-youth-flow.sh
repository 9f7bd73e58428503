#!/bin/sh
# api-youth-flow.sh - the youth mentor model end to end, in its order
# (doc/programmes.md): a referral with wishes, the proposals, the decision
# by the best proposal with the goals agreed in it, the 6-week meeting in
# the mentor's queue on a working day, its progress, an early end refused
# without a listed reason, the closing checklist holding the end back, and
# the end once it is ticked. With the test gateway: a meeting published
# to the mentor is cancelled there like the call when the young person
# dies, and a re-match after the day's tasks went out cancels the old
# mentor's call and meeting tasks and gives the new mentor tasks of their
# own (doc/gateway.md); a corrected phone number does the same for a
# published meeting of a discharge course with goals.
#
# Dates: from Monday 2 March 2026 (CET); start + 42 is Monday 13 April,
# the day after Easter Monday 6 April's week.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/api-lib.sh"
. "$top_srcdir/tests/integration/outbox-lib.sh"

plan 26

start_mockgw
write_gateway_config
cat >>"$CONFIG" <<'CONF'
programmes = (
  { id = "preventive"; name = "Forebyggende social mentorordning"; intake = "discharge";
    plan = { meeting_interval_days = 42; }; },
  { id = "youth"; name = "Mentorforløb for unge"; intake = "referral";
    plan = { interval_days = 14; first_day = 1; min_months = 3; meeting_interval_days = 42; };
    messages = { welcome = false; };
    closing = { items = (
      { id = "assess_need"; label = "Behovet for yderligere støtte er vurderet"; },
      { id = "inform_network"; label = "Netværket er orienteret"; },
      { id = "agree_next"; label = "Det er aftalt, hvad der skal ske bagefter"; } ); }; }
);
CONF

ADMIN=$(token_add admin coordinator)
CASE=$(token_add caseworker "Kim Sagsbehandler")
PSYCH=$(token_add psychiatry ward)
start_api_daemon --test-clock
set_clock 2026-03-02T09:00:00+01:00

api_json POST /v1/mentors "$ADMIN" '{"name": "Bo Berg", "phone": "20 30 40 51", "gender": "male", "languages": ["da"]}'
BO=$(jget id)
api_json POST /v1/mentors "$ADMIN" '{"name": "Anna Andersen", "phone": "20 30 40 50", "gender": "female",
	"languages": ["da", "ar"], "competences": ["adhd"], "interests": ["music"]}'
ANNA=$(jget id)
ANNA_TOKEN=$(token_add mentor anna "$ANNA")

api_json POST /v1/referrals "$CASE" '{"programme": "youth", "citizen": {"name": "Ayla Aziz", "cpr": "0101081234", "phone": "22 33 44 01"},
	"need_identified_on": "2026-02-27", "consent": {"contact": true, "share_information": true},
	"wishes": {"gender": "female", "languages": ["ar"], "competences": ["adhd"]}}'
status_is 201 "a referral with wishes: 201"
AYLA=$(jget course_id)

# youth NAME CPR PHONE: a referral started today with Bo and one goal;
# prints the course id.
youth() {
	api_json POST /v1/referrals "$CASE" "{\"programme\": \"youth\", \"citizen\": {\"name\": \"$1\", \"cpr\": \"$2\", \"phone\": \"$3\"},
		\"need_identified_on\": \"2026-02-27\", \"consent\": {\"contact\": true, \"share_information\": true}}"
	[ "$HTTP_STATUS" = 201 ] || bail "referral of $1: $HTTP_STATUS $(cat "$BODY")"
	yo_id=$(jget course_id)
	api_json POST "/v1/referrals/$yo_id/decision" "$CASE" "{\"decision\": \"start\", \"mentor_id\": $BO, \"goals\": [\"Møde i skolen\"]}"
	[ "$HTTP_STATUS" = 200 ] || bail "decision on $1: $HTTP_STATUS $(cat "$BODY")"
	echo "$yo_id"
}
DENIZ=$(youth "Deniz Demir" 0202081234 "22 33 44 02")
EMIL=$(youth "Emil Enevoldsen" 0303081234 "22 33 44 03")
# Frida: a discharge course with a goal, so a meeting on start + 42 too.
api_json POST /v1/discharges "$PSYCH" '{"notification_id": "n-frida", "citizen": {"name": "Frida Falk", "phone": "22 33 44 08"},
	"discharged_at": "2026-03-02T08:00:00+01:00", "consent": {"contact": true, "share_information": true}}'
[ "$HTTP_STATUS" = 201 ] || bail "discharge of Frida: $HTTP_STATUS $(cat "$BODY")"
FRIDA=$(jget course_id)
# Bo's, so that Anna's queue below holds only Ayla's meeting.
api_json PATCH "/v1/courses/$FRIDA" "$ADMIN" "{\"mentor_id\": $BO}"
[ "$HTTP_STATUS" = 200 ] || bail "Frida to Bo: $HTTP_STATUS $(cat "$BODY")"
api_json POST "/v1/courses/$FRIDA/goals" "$ADMIN" '{"goals": ["Komme ud hver dag"]}'
[ "$HTTP_STATUS" = 200 ] || [ "$HTTP_STATUS" = 201 ] || bail "Frida's goal: $HTTP_STATUS $(cat "$BODY")"

api GET "/v1/referrals/$AYLA/proposals" "$CASE"
is "$HTTP_STATUS $(jget proposals.0.mentor_id)" "200 $ANNA" "the proposals put Anna, who meets the wishes, first"

api_json POST "/v1/referrals/$AYLA/decision" "$CASE" '{"decision": "start", "goals": ["Møde i skolen hver dag", "Sove før midnat"]}'
is "$HTTP_STATUS $(jget state) $(jget mentor_id)" "200 active $ANNA" \
	"the decision takes the best proposal and the goals in its body"
api GET "/v1/courses/$AYLA" "$ADMIN"
GOAL1=$(jget goals.0.id)
GOAL2=$(jget goals.1.id)
is "$(json_len "$BODY" goals)" 2 "the course has the two goals agreed"

set_clock 2026-04-13T09:00:00+02:00
api GET "/v1/queue?mentor=$ANNA" "$ANNA_TOKEN"
MEETING=$(sql "$DATABASE" "SELECT id FROM calls WHERE course_id = $AYLA AND kind = 'meeting' AND state = 'pending'")
is "$(json_column "$BODY" calls kind | tr ' ' '\n' | grep -c meeting) $(sql "$DATABASE" "SELECT due_date || ' ' || strftime('%w', due_date) FROM calls WHERE id = $MEETING")" \
	"1 2026-04-13 1" "the 6-week meeting is in Anna's queue on Monday 13 April, a working day"
api_json POST "/v1/calls/$MEETING/outcome" "$ANNA_TOKEN" "{\"result\": \"reached\", \"goals\": [{\"goal_id\": $GOAL1, \"progress\": \"some\"}, {\"goal_id\": $GOAL2, \"progress\": \"good\"}]}"
status_is 200 "the meeting's progress recorded: 200"
api GET "/v1/courses/$AYLA" "$ADMIN"
is "$(jget goals.0.latest.progress) $(jget goals.1.latest.progress)" "some good" "the course shows the progress"

api_json POST "/v1/courses/$AYLA/end" "$ANNA_TOKEN" '{}'
is_invalid reason "an end before three months without a reason: 422 naming reason"
api_json POST "/v1/courses/$AYLA/end" "$ANNA_TOKEN" '{"reason": "citizen_wish"}'
like "$HTTP_STATUS $(json_get "$BODY" detail)" '^409 .*assess_need.*inform_network.*agree_next' \
	"the young person's wish, but the closing checklist unticked: 409 naming the items"
for item in assess_need inform_network agree_next; do
	api POST "/v1/courses/$AYLA/checklist/$item" "$ANNA_TOKEN"
done
is "$HTTP_STATUS $(jget complete)" "200 true" "Anna ticks the three items"
api_json POST "/v1/courses/$AYLA/end" "$ANNA_TOKEN" '{"reason": "citizen_wish"}'
status_is 200 "the end is accepted: 200"
is "$(sql "$DATABASE" "SELECT state || ' ' || state_reason FROM courses WHERE id = $AYLA")" "ended citizen_wish" \
	"ended for the young person's wish"

# --- the gateway: meetings cancelled and re-published like calls --------------------
# pending COURSE KIND: the course's pending call of KIND (call, meeting).
pending() {
	sql "$DATABASE" "SELECT id FROM calls WHERE course_id = $1 AND kind = '$2' AND state = 'pending'"
}
# task_field KEY FIELD: FIELD of the call task the gateway accepted under KEY.
task_field() {
	grep "\"idempotency_key\":\"$1\"" "$RECORD" | grep '"status":200}$' | head -n 1 \
		>"$TEST_TMP/task.line"
	json_get "$TEST_TMP/task.line" body >"$TEST_TMP/task.json"
	json_get "$TEST_TMP/task.json" "$2"
}
DC=$(pending "$DENIZ" call)
DM=$(pending "$DENIZ" meeting)
EC=$(pending "$EMIL" call)
EM=$(pending "$EMIL" meeting)
for c in "$DC" "$DM" "$EC" "$EM"; do
	wait_for 10 task_field "call-task:$c:2026-04-13" id >/dev/null ||
		bail "the gateway never got call-task:$c:2026-04-13"
done
is "$(task_field "call-task:$EM:2026-04-13" mentor.name)" "Bo Berg" \
	"Monday's publication gave Bo the tasks of his calls and meetings"

api_json POST /v1/citizens/events "$PSYCH" '{"cpr": "0202081234", "event": "deceased", "at": "2026-04-13T08:00:00+02:00"}'
status_is 200 "Deniz has died: 200"
if wait_for 10 gw_requests_at_least "/v1/call-tasks/$DC/cancel" 1 &&
	wait_for 10 gw_requests_at_least "/v1/call-tasks/$DM/cancel" 1; then
	pass "the gateway cancels both Bo's call and his meeting with Deniz"
else
	fail "the gateway cancels both Bo's call and his meeting with Deniz" \
		"call $(gw_requests "/v1/call-tasks/$DC/cancel"), meeting $(gw_requests "/v1/call-tasks/$DM/cancel")"
fi
record_body 1 "/v1/call-tasks/$DM/cancel" >"$TEST_TMP/cancel.json"
is "$(json_get "$TEST_TMP/cancel.json" id) $(json_get "$TEST_TMP/cancel.json" reason)" "$DM deceased" \
	"the meeting's cancel names it and why"

api_json PATCH "/v1/courses/$EMIL" "$ADMIN" "{\"mentor_id\": $ANNA, \"reason\": \"Anna overtager\"}"
status_is 200 "Emil is re-matched to Anna after his tasks went to Bo: 200"
EC2=$(pending "$EMIL" call)
EM2=$(pending "$EMIL" meeting)
if wait_for 10 gw_requests_at_least "/v1/call-tasks/$EC/cancel" 1 &&
	wait_for 10 gw_requests_at_least "/v1/call-tasks/$EM/cancel" 1; then
	pass "Bo's call and meeting tasks for Emil are cancelled at the gateway"
else
	fail "Bo's call and meeting tasks for Emil are cancelled at the gateway" \
		"call $(gw_requests "/v1/call-tasks/$EC/cancel"), meeting $(gw_requests "/v1/call-tasks/$EM/cancel")"
fi
call_row() {
	sql "$DATABASE" "SELECT due_date || ' ' || reason || ' ' || attempt || ' ' || first_contact FROM calls WHERE id = $1"
}
is "$([ "$EC2" != "$EC" ] && echo new) $(call_row "$EC2")" "new $(call_row "$EC")" \
	"the call goes on as a new call with the same due date, reason and attempt"
wait_for 10 task_field "call-task:$EC2:2026-04-13" id >/dev/null
is "$(task_field "call-task:$EC2:2026-04-13" mentor.name) $(task_field "call-task:$EC2:2026-04-13" mentor.phone) $(task_field "call-task:$EC2:2026-04-13" citizen.name)" \
	"Anna Andersen +4520304050 Emil Enevoldsen" "Anna gets a call task of her own for Emil, under its own key"
wait_for 10 task_field "call-task:$EM2:2026-04-13" id >/dev/null
is "$(task_field "call-task:$EM2:2026-04-13" mentor.name) $(sql "$DATABASE" "SELECT kind || ' ' || due_date FROM calls WHERE id = $EM2")" \
	"Anna Andersen meeting 2026-04-13" "and a task of her own for the meeting, due as before"
seq_of() {
	grep -n "$1" "$RECORD" | head -n 1 | cut -d: -f1
}
old=$(seq_of "/v1/call-tasks/$EC/cancel")
new=$(seq_of "call-task:$EC2:2026-04-13")
if [ -n "$old" ] && [ -n "$new" ] && [ "$old" -lt "$new" ]; then
	pass "the old task is cancelled before the new one is published"
else
	fail "the old task is cancelled before the new one is published"
fi
api GET "/v1/queue?mentor=$ANNA" "$ADMIN"
like " $(json_column "$BODY" calls call_id) " " $EC2 .*$EM2 | $EM2 .*$EC2 " "Anna's queue lists the new call and meeting"

# A corrected phone after the meeting's task went out: its task names the
# old number, so it is cancelled and the meeting goes on under a new id.
FM=$(pending "$FRIDA" meeting)
wait_for 10 task_field "call-task:$FM:2026-04-13" id >/dev/null ||
	bail "the gateway never got call-task:$FM:2026-04-13"
api_json PUT /v1/discharges/n-frida "$PSYCH" '{"notification_id": "n-frida", "citizen": {"name": "Frida Falk", "phone": "22 33 44 09"},
	"discharged_at": "2026-03-02T08:00:00+01:00", "consent": {"contact": true, "share_information": true}}'
is "$HTTP_STATUS $(jget changed.0)" "200 citizen.phone" "Frida's phone number is corrected: 200"
FM2=$(pending "$FRIDA" meeting)
if wait_for 10 gw_requests_at_least "/v1/call-tasks/$FM/cancel" 1; then
	pass "the meeting task with the old number is cancelled at the gateway"
else
	fail "the meeting task with the old number is cancelled at the gateway" \
		"meeting $FM -> ${FM2:-none}, cancels $(gw_requests "/v1/call-tasks/$FM/cancel")"
fi
wait_for 10 task_field "call-task:$FM2:2026-04-13" id >/dev/null
is "$([ "$FM2" != "$FM" ] && echo new) $(task_field "call-task:$FM2:2026-04-13" citizen.phone) $(sql "$DATABASE" "SELECT kind || ' ' || due_date FROM calls WHERE id = $FM2")" \
	"new +4522334409 meeting 2026-04-13" "the meeting goes on under a new id, its task with the new number"

stop_mentord TERM 10
