#!/bin/sh
# api-goals.sh - the youth mentor model's course (doc/programmes.md):
# goals agreed at the start (with the decision or after it), follow-up meetings every 6 weeks on working
# days in the mentor's queue with progress per goal, and the minimum
# length before a planned end, and the closing checklist no course of the
# programme ends or closes without (by the mentor, at a call, or at its
# window's end).
#
# Dates: from Monday 2 March 2026 (CET). Easter 2026 is 5 April; Whit Monday
# is 25 May. The youth programme's minimum length is three months: a
# course started on 2 March may end as planned from 2 June.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/api-lib.sh"

plan 65

write_config
cat >>"$CONFIG" <<'CONF'
programmes = (
  { id = "preventive"; name = "Forebyggende social mentorordning"; intake = "discharge"; },
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

api_json POST /v1/mentors "$ADMIN" '{"name": "Mette Mentor", "phone": "20 30 40 50"}'
METTE=$(jget id)
METTE_TOKEN=$(token_add mentor mette "$METTE")

# refer NAME CPR PHONE: a youth referral, need identified on Friday 27 February.
refer() {
	api_json POST /v1/referrals "$CASE" "{\"programme\": \"youth\", \"citizen\": {\"name\": \"$1\", \"cpr\": \"$2\", \"phone\": \"$3\"}, \"need_identified_on\": \"2026-02-27\", \"consent\": {\"contact\": true, \"share_information\": true}}"
	[ "$HTTP_STATUS" = 201 ] || bail "referral of $1 answered $HTTP_STATUS"
	jget course_id
}
pending_call() {
	sql "$DATABASE" "SELECT id FROM calls WHERE course_id = $1 AND state = 'pending' AND kind = 'call'"
}
meeting_due() {
	sql "$DATABASE" "SELECT group_concat(due_date, ' ') FROM (SELECT due_date FROM calls WHERE course_id = $1 AND kind = 'meeting' AND state = '$2' ORDER BY id)"
}
# tick_all COURSE: every closing item ticked by the mentor.
tick_all() {
	for item in assess_need inform_network agree_next; do
		api POST "/v1/courses/$1/checklist/$item" "$METTE_TOKEN"
		[ "$HTTP_STATUS" = 200 ] || bail "ticking $item of course $1 answered $HTTP_STATUS"
	done
}
state_of() {
	sql "$DATABASE" "SELECT state || ' ' || coalesce(state_reason, '') FROM courses WHERE id = $1"
}

JONAS=$(refer "Jonas Holm" 0202071234 "22 33 44 02")
api_json POST "/v1/referrals/$JONAS/decision" "$CASE" "{\"decision\": \"start\", \"mentor_id\": $METTE}"
status_is 200 "Jonas's course starts today, Monday 2 March"

# --- goals agreed at the start -------------------------------------------------------------
MIA=$(refer "Mia Holm" 0404051234 "22 33 44 04")
api_json POST "/v1/referrals/$MIA/decision" "$CASE" "{\"decision\": \"start\", \"mentor_id\": $METTE}"
status_is 200 "Mia's course starts today, Monday 2 March"
api_json POST "/v1/courses/$MIA/goals" "$CASE" '{"goals": []}'
is_invalid goals "no goals: 422 naming goals"
api_json POST "/v1/courses/$MIA/goals" "$CASE" '{"goals": ["Møde i skolen hver dag", 7]}'
is_invalid "goals[1]" "a goal that is no text: 422 naming goals[1]"
OTHER_CASE=$(token_add caseworker "Lis Sagsbehandler")
api_json POST "/v1/courses/$MIA/goals" "$OTHER_CASE" '{"goals": ["Noget andet"]}'
status_is 403 "a caseworker who did not refer Mia: 403"
is "$(sql "$DATABASE" "SELECT count(*) FROM goals")" 0 "no goal stored by the refusals"
api_json POST "/v1/courses/$MIA/goals" "$CASE" '{"goals": ["Møde i skolen hver dag", "Sove før midnat"]}'
status_is 201 "the caseworker agrees two goals: 201"
GOAL1=$(jget goals.0.id)
GOAL2=$(jget goals.1.id)
is "$(jget goals.0.text) / $(jget goals.1.latest)" "Møde i skolen hver dag / null" 	"the goals, no progress yet"
api_json POST "/v1/courses/$MIA/goals" "$METTE_TOKEN" '{"goals": ["Spise morgenmad"]}'
status_is 201 "the course's mentor adds a goal: 201"
GOAL3=$(jget goals.2.id)
is "$(sql "$DATABASE" "SELECT count(*) FROM calls WHERE course_id = $JONAS AND kind = 'meeting'")" 0 \
	"Jonas, without goals yet, has no meeting"
api_json POST "/v1/courses/$JONAS/goals" "$ADMIN" '{"goals": ["Finde en fritidsaktivitet"]}'
status_is 201 "a coordinator agrees Jonas's goal: 201"

# --- meetings every 42 days from the start, on working days ---------------------------------
is "$(meeting_due "$MIA" pending) $(meeting_due "$JONAS" pending)" "2026-04-13 2026-04-13" \
	"the first meeting is due Monday 13 April (start + 42)"
is "$(sql "$DATABASE" "SELECT count(*) FROM calls WHERE course_id = $MIA AND state = 'pending'")" 2 	"a pending contact call and a pending meeting side by side"
set_clock 2026-04-13T09:00:00+02:00
api GET "/v1/queue?mentor=$METTE" "$METTE_TOKEN"
MEETING=$(sql "$DATABASE" "SELECT id FROM calls WHERE course_id = $MIA AND kind = 'meeting' AND state = 'pending'")
is "$(json_values "$BODY" calls kind | tr ' ' '\n' | grep -c meeting)" 2 "the queue of 13 April has two meetings, Jonas's and Mia's"
i=0
while [ "$(jget calls.$i.call_id)" != "$MEETING" ] && [ $i -lt 20 ]; do i=$((i + 1)); done
is "$(jget calls.$i.kind) $(jget calls.$i.course_id) $(json_len "$BODY" calls.$i.goals)" 	"meeting $MIA 3" "the meeting names its course and shows its three goals"
api_json POST "/v1/calls/$MEETING/outcome" "$METTE_TOKEN" "{\"result\": \"reached\", \"goals\": [{\"goal_id\": $GOAL1, \"progress\": \"great\"}]}"
is_invalid "goals[0].progress" "a progress not on the scale: 422 naming goals[0].progress"
api_json POST "/v1/calls/$MEETING/outcome" "$METTE_TOKEN" "{\"result\": \"reached\", \"goals\": [{\"goal_id\": $GOAL1, \"progress\": \"some\"}, {\"goal_id\": 9999, \"progress\": \"good\"}]}"
is_invalid "goals[1].goal_id" "a goal of no course of Mia's: 422 naming goals[1].goal_id"
api_json POST "/v1/calls/$MEETING/outcome" "$METTE_TOKEN" "{\"result\": \"reached\", \"next\": {\"action\": \"end\", \"reason\": \"citizen_wish\"}}"
is_invalid next "a meeting does not end the course: 422 naming next"
api_json POST "/v1/calls/$MEETING/outcome" "$METTE_TOKEN" "{\"result\": \"reached\", \"goals\": [{\"goal_id\": $GOAL1, \"progress\": \"some\"}], \"next\": {\"action\": \"continue\"}}"
is_invalid next "a meeting takes no next, not even continue: 422 naming next"
is "$(sql "$DATABASE" "SELECT count(*) FROM goal_progress") $(meeting_due "$MIA" pending)" "0 2026-04-13" \
	"the refused outcomes changed nothing"
api_json POST "/v1/calls/$MEETING/outcome" "$METTE_TOKEN" "{\"result\": \"reached\", \"duration_minutes\": 60, \"goals\": [{\"goal_id\": $GOAL1, \"progress\": \"some\", \"note\": \"Tre dage i sidste uge\"}, {\"goal_id\": $GOAL2, \"progress\": \"none\"}]}"
status_is 200 "the meeting's progress recorded: 200"
is "$(jget next_meeting.due_date)" 2026-05-26 "the next meeting: 25 May is Whit Monday, so Tuesday 26 May"
api GET "/v1/courses/$MIA" "$METTE_TOKEN"
is "$(jget goals.0.latest.progress) $(jget goals.0.latest.date) $(jget goals.1.latest.progress) $(jget goals.2.latest)" \
	"some 2026-04-13 none null" "the course shows each goal's latest progress"
is "$(jget goals.0.latest.note)" "Tre dage i sidste uge" "with its note"
is "$(sql "$DATABASE" "SELECT count(*) FROM course_log WHERE course_id = $MIA AND kind = 'meeting' AND details NOT LIKE '%Tre dage%'")" 1 \
	"the log names the meeting's progress, never its note"
set_clock 2026-05-26T09:00:00+02:00
MEETING=$(sql "$DATABASE" "SELECT id FROM calls WHERE course_id = $MIA AND kind = 'meeting' AND state = 'pending'")
api_json POST "/v1/calls/$MEETING/outcome" "$METTE_TOKEN" "{\"result\": \"reached\", \"goals\": [{\"goal_id\": $GOAL1, \"progress\": \"good\"}, {\"goal_id\": $GOAL3, \"progress\": \"achieved\"}]}"
is "$(jget next_meeting.due_date)" 2026-07-06 "the third meeting: Monday 6 July, 126 days from the start"
api GET "/v1/courses/$MIA" "$ADMIN"
is "$(jget goals.0.latest.progress) $(jget goals.1.latest.progress) $(jget goals.2.latest.progress)" \
	"good none achieved" "the latest progress of each goal"

# --- the minimum length: before 2 June a planned end needs the citizen's wish or
# weighty professional reasons -------------------------------------------------------------
api_json POST "/v1/courses/$JONAS/end" "$METTE_TOKEN" '{"reason": "Det går godt nu"}'
is_invalid reason "an end before 2 June without a listed reason: 422 naming reason"
CALL=$(pending_call "$JONAS")
api_json POST "/v1/calls/$CALL/outcome" "$METTE_TOKEN" '{"result": "reached", "next": {"action": "end", "reason": "done"}}'
is_invalid next.reason "an outcome ending it without a listed reason: 422 naming next.reason"
is "$(state_of "$JONAS") $(pending_call "$JONAS")" "active  $CALL" \
	"the refusals changed nothing: active, the call still pending"
is "$(sql "$DATABASE" "SELECT count(*) FROM calls WHERE course_id = $JONAS AND state = 'done'")" 0 \
	"no outcome was recorded by the refused outcome"
api_json POST "/v1/courses/$JONAS/end" "$METTE_TOKEN" '{"reason": "professional_reasons"}'
status_is 409 "weighty professional reasons, but the closing checklist is not ticked: 409"
like "$(json_get "$BODY" detail)" 'assess_need.*inform_network.*agree_next' \
	"the problem lists the three missing items"
api POST "/v1/courses/$JONAS/checklist/assess_need" "$METTE_TOKEN"
status_is 200 "the mentor ticks assess_need: 200"
is "$(jget complete) $(jget items.0.ticked) $(jget items.1.ticked) $(jget items.0.label)" \
	"false true false Behovet for yderligere støtte er vurderet" "one of three ticked, with its Danish label"
api POST "/v1/courses/$JONAS/checklist/pack_bags" "$METTE_TOKEN"
status_is 404 "an item the programme does not have: 404"
api POST "/v1/courses/$JONAS/checklist/inform_network" "$METTE_TOKEN"
api DELETE "/v1/courses/$JONAS/checklist/inform_network" "$METTE_TOKEN"
status_is 200 "unticked while the course is open: 200"
api_json POST "/v1/courses/$JONAS/end" "$METTE_TOKEN" '{"reason": "professional_reasons"}'
like "$HTTP_STATUS $(json_get "$BODY" detail)" '^409 .*inform_network.*agree_next' \
	"still 409, naming the two items missing"
is "$(state_of "$JONAS")" "active " "the refused ends changed nothing"
tick_all "$JONAS"
api_json POST "/v1/courses/$JONAS/end" "$METTE_TOKEN" '{"reason": "professional_reasons"}'
status_is 200 "weighty professional reasons end it early once the checklist is ticked: 200"
is "$(state_of "$JONAS") $(pending_call "$JONAS") $(meeting_due "$JONAS" cancelled)" \
	"ended professional_reasons  2026-04-13" "ended with the reason, no call pending, its meeting cancelled"
is "$(sql "$DATABASE" "SELECT json_extract(details, '\$.reason') || ' ' || json_extract(details, '\$.before_min_end') FROM course_log WHERE course_id = $JONAS AND kind = 'ended'")" \
	"professional_reasons 2026-06-02" "the log names the reason and the minimum end it came before"

SOFIE=$(refer "Sofie Lund" 0101081234 "22 33 44 01")
api_json POST "/v1/referrals/$SOFIE/decision" "$CASE" "{\"decision\": \"start\", \"mentor_id\": $METTE}"
CALL=$(pending_call "$SOFIE")
tick_all "$SOFIE"
api_json POST "/v1/calls/$CALL/outcome" "$METTE_TOKEN" '{"result": "reached", "next": {"action": "end", "reason": "citizen_wish"}}'
status_is 200 "the young person's wish ends it early at a call: 200"
is "$(state_of "$SOFIE")" "ended citizen_wish" "ended for the citizen's wish"

EMIL=$(refer "Emil Berg" 0303061234 "22 33 44 03")
api_json POST "/v1/referrals/$EMIL/decision" "$CASE" "{\"decision\": \"start\", \"mentor_id\": $METTE}"
CALL=$(pending_call "$EMIL")
api_json POST "/v1/calls/$CALL/outcome" "$METTE_TOKEN" '{"result": "declined"}'
status_is 409 "an unplanned end (declined) before the checklist is ticked: 409"
is "$(state_of "$EMIL") $(pending_call "$EMIL")" "active  $CALL" "the outcome was not recorded"
tick_all "$EMIL"
api_json POST "/v1/calls/$CALL/outcome" "$METTE_TOKEN" '{"result": "declined"}'
status_is 200 "declining is the citizen's wish: 200 without a reason"
is "$(state_of "$EMIL")" "ended declined" "ended, declined"

# --- the preventive scheme has no minimum length ---------------------------------------
api_json POST /v1/discharges "$PSYCH" '{"notification_id": "n-anna", "citizen": {"name": "Anna Ager", "phone": "22 33 44 05"}, "discharged_at": "2026-03-02T08:00:00+01:00", "consent": {"contact": true, "share_information": true}}'
ANNA=$(jget course_id)
api_json POST "/v1/courses/$ANNA/end" "$ADMIN" '{"reason": "Flyttet"}'
status_is 200 "a preventive course ends with any reason, no checklist"
api GET "/v1/courses/$ANNA" "$ADMIN"
is "$(json_len "$BODY" checklist.items) $(jget checklist.complete)" "0 true" "the preventive scheme has no closing items"

# --- the window's end: Mia's course is not lost for an unticked checklist ---------------------
api POST "/v1/courses/$MIA/checklist/assess_need" "$METTE_TOKEN"
set_clock 2026-09-03T09:00:00+02:00
is "$(state_of "$MIA")" "ended awaiting_checklist" \
	"past its window with items missing: ended, awaiting the checklist, not closed"
is "$(sql "$DATABASE" "SELECT count(*) FROM calls WHERE course_id = $MIA AND state = 'pending'")" 0 \
	"no call and no meeting pending"
set_clock 2026-09-04T09:00:00+02:00
is "$(state_of "$MIA")" "ended awaiting_checklist" "the next day's job leaves it so"
http GET /metrics
like "$(grep '^mentord_courses_awaiting_checklist ' "$BODY")" ' 1$' \
	"metrics: one course held by its closing checklist"
like "$("$MENTORCTL" --database "$DATABASE" status 2>&1)" 'ended awaiting their closing checklist: 1' \
	"mentorctl status counts it too"
api GET "/v1/courses?state=ended" "$ADMIN"
like "$(json_column "$BODY" courses state_reason)" awaiting_checklist "the coordinator sees it among the ended courses"
api POST "/v1/courses/$MIA/checklist/inform_network" "$METTE_TOKEN"
api POST "/v1/courses/$MIA/checklist/agree_next" "$METTE_TOKEN"
is "$(jget state) $(jget complete)" "closed true" "the last tick closes it"
is "$(state_of "$MIA")" "closed window_end" "closed at its window's end"
api DELETE "/v1/courses/$MIA/checklist/agree_next" "$METTE_TOKEN"
status_is 409 "a closed course's checklist is not unticked: 409"

# --- goals agreed with the decision to start, in its transaction ---------------------------
LEA=$(refer "Lea Dahl" 0505051234 "22 33 44 06")
api_json POST "/v1/referrals/$LEA/decision" "$CASE" "{\"decision\": \"start\", \"mentor_id\": $METTE, \"goals\": [\"Komme op om morgenen\", \"\"]}"
is_invalid "goals[1]" "an empty goal in the decision: 422 naming goals[1]"
api_json POST "/v1/referrals/$LEA/decision" "$CASE" '{"decision": "reject", "goals": ["Komme op om morgenen"]}'
is_invalid goals "goals with a rejection: 422 naming goals"
is "$(state_of "$LEA") $(sql "$DATABASE" "SELECT count(*) FROM goals WHERE course_id = $LEA")" \
	"awaiting_decision  0" "the refused decisions changed nothing"
api_json POST "/v1/referrals/$LEA/decision" "$CASE" "{\"decision\": \"start\", \"mentor_id\": $METTE, \"goals\": [\"Komme op om morgenen\", \"Gå til træning\"]}"
status_is 200 "the decision to start with two goals: 200"
is "$(sql "$DATABASE" "SELECT count(*) FROM goals WHERE course_id = $LEA") $(meeting_due "$LEA" pending)" \
	"2 2026-10-16" "the goals stored and the first meeting due at once, Friday 16 October (start + 42)"

if stop_mentord TERM 10 && [ "$EXIT_STATUS" = 0 ]; then
	pass "SIGTERM: exit 0"
else
	fail "SIGTERM: exit 0" "exit status $EXIT_STATUS"
fi
