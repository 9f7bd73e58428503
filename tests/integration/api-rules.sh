#!/bin/sh
# api-rules.sh - rules found in review, each a check that fails without its
# fix: a stand-in mentor sees a colleague's citizens in the queue only on the
# day covered, and records only the calls in their own queue today; call tasks
# not yet sent are withdrawn when their call is done or cancelled, and the
# course's timeline says so; an inbound contact with an agreed date on an
# active course schedules that call; a deactivated mentor's token stops
# working; a repeated notification id with any other content is a conflict;
# offer id 0 is no offer; an agreed date of today is refused even on a
# weekend; "next" is taken only with a reached call; a follow-up message only
# after a conversation (reached or declined); a new course goes to a mentor
# at work on its first call's day, and a course that replaces another keeps
# that one's mentor.
#
# September 2026 has no Danish public holiday: 7 Sep is a Monday.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/api-lib.sh"

plan 38

BODY_TAIL='"consent": {"contact": true, "share_information": true}}'

# discharge ID NAME PHONE DISCHARGED-AT: COURSE and FIRST_CALL of the reply.
discharge() {
	api_json POST /v1/discharges "$PSYCH" "{\"notification_id\": \"$1\",
		\"citizen\": {\"name\": \"$2\", \"phone\": \"$3\"},
		\"discharged_at\": \"$4\", $BODY_TAIL"
	[ "$HTTP_STATUS" = 201 ] || bail "discharge $1 answered $HTTP_STATUS: $(cat "$BODY")"
	COURSE=$(jget course_id)
}

pending_call() {
	api GET "/v1/courses/$1" "$ADMIN"
	jget next_call.call_id
}

# withdrawn_tasks COURSE: "call_id:reason" of each call_task_withdrawn
# entry of the course's timeline, as GET /v1/courses/{id} shows it.
withdrawn_tasks() {
	api GET "/v1/courses/$1" "$ADMIN"
	wt_i=0
	wt_out=
	while wt_kind=$(json_get "$BODY" "log.$wt_i.kind" 2>/dev/null); do
		[ "$wt_kind" = call_task_withdrawn ] &&
			wt_out="$wt_out${wt_out:+ }$(jget "log.$wt_i.details.call_id"):$(jget "log.$wt_i.details.reason")"
		wt_i=$((wt_i + 1))
	done
	echo "$wt_out"
}

outcome() {
	api_json POST "/v1/calls/$1/outcome" "$2" "$3"
}

write_config
ADMIN=$(token_add admin coordinator)
PSYCH=$(token_add psychiatry ward)
start_api_daemon --test-clock
set_clock 2026-09-07T09:00:00+02:00

api_json POST /v1/mentors "$ADMIN" '{"name": "Asta", "phone": "21000011"}'
A=$(jget id)
api_json POST /v1/mentors "$ADMIN" '{"name": "Bent", "phone": "21000012"}'
B=$(jget id)
TOKEN_A=$(token_add mentor asta "$A")
TOKEN_B=$(token_add mentor bent "$B")

discharge r-1 "Alma Regel" 22000001 2026-09-07T08:00:00+02:00
C1=$COURSE # Asta's citizen, first call Tue 8 Sep
discharge r-2 "Bo Regel" 22000002 2026-09-07T08:10:00+02:00
C2=$COURSE # Bent's citizen

# --- a stand-in sees a colleague's citizens only on the day covered -----------
api_json PATCH "/v1/mentors/$A" "$ADMIN" '{"absences": [{"from": "2026-09-08", "to": "2026-09-08"}]}'
api GET "/v1/queue?mentor=$B&date=2026-09-08" "$ADMIN"
is "$(json_column "$BODY" calls course_id)" "$C1 $C2" \
	"Asta away on Tue 8 Sep: that day her citizen's call goes to Bent's queue (as an admin sees)"
api GET "/v1/queue?date=2026-09-08" "$TOKEN_B"
is "$HTTP_STATUS $(json_column "$BODY" calls course_id)" "200 $C2" \
	"but on Mon 7 Sep Bent's own queue for 8 Sep shows his own citizen only"
api_json PATCH "/v1/mentors/$A" "$ADMIN" '{"working_days": [1, 3, 4, 5]}'
api GET "/v1/queue?date=2026-09-15" "$TOKEN_B"
is "$HTTP_STATUS $(json_column "$BODY" calls course_id)" "200 $C2" \
	"nor his queue for Tue 15 Sep, a day Asta does not work"
api_json PATCH "/v1/mentors/$A" "$ADMIN" '{"working_days": [1, 2, 3, 4, 5]}'
is "$(sql "$DATABASE" "SELECT count(*) FROM audit WHERE course_id = $C1 AND role = 'mentor'")" 0 \
	"no mentor has read Asta's citizen yet (audit)"

# --- a stand-in records today's routed call, not a later one ------------------
set_clock 2026-09-08T09:00:00+02:00
api GET /v1/queue "$TOKEN_B"
is "$(json_column "$BODY" calls course_id)" "$C1 $C2" \
	"on 8 Sep itself Bent's queue holds Asta's citizen, whom he stands in for"
CALL=$(pending_call "$C1")
api GET "/v1/courses/$C1" "$TOKEN_B"
is "$HTTP_STATUS $(jget id)" "200 $C1" \
	"Asta away: Bent, standing in for today's call, may read her citizen's course"
api_json POST "/v1/courses/$C1/end" "$TOKEN_B" '{"reason": "x"}'
status_is 403 "but not end it: changing the course stays with Asta"
outcome "$CALL" "$TOKEN_B" '{"result": "no_answer"}'
status_is 200 "Asta away: Bent records her citizen's call due today (routed to him)"
NEXT=$(pending_call "$C1")
is "$(jget next_call.due_date)" 2026-09-09 "the retry is due Wed 9 Sep, when Asta is back"
api GET "/v1/courses/$C1" "$TOKEN_B"
status_is 403 "with the retry due when Asta is back, Bent may no longer read the course"
outcome "$NEXT" "$TOKEN_B" '{"result": "reached", "next": {"action": "end", "reason": "x"}}'
status_is 403 "Bent may not record Asta's citizen's call due tomorrow"
api GET "/v1/courses/$C1" "$ADMIN"
is "$(jget state) $(jget next_call.call_id)" "active $NEXT" "the refused outcome changed nothing"

# --- call tasks not yet sent are withdrawn -------------------------------------
# No gateway is configured, so published call tasks wait in the outbox.
set_clock 2026-09-09T07:45:00+02:00
api GET '/v1/outbox?state=pending' "$ADMIN"
like "$(json_column "$BODY" outbox idempotency_key)" "call-task:$NEXT:2026-09-09" \
	"07:45 on a working day: today's call task for the retry waits in the outbox"
outcome "$NEXT" "$TOKEN_A" '{"result": "declined"}'
status_is 200 "Asta's citizen declines"
api GET '/v1/outbox?state=pending' "$ADMIN"
keys=$(json_column "$BODY" outbox idempotency_key)
if printf '%s\n' "$keys" | grep -q "call-task:$NEXT:"; then
	fail "the call task of the declined call is withdrawn" "pending: $keys"
else
	pass "the call task of the declined call is withdrawn"
fi
is "$(withdrawn_tasks "$C1")" "$CALL:outcome $NEXT:outcome" \
	"Asta's citizen's timeline tells of both tasks withdrawn once their call had its outcome"
C2_CALL=$(pending_call "$C2")
api GET '/v1/outbox?state=pending' "$ADMIN"
like "$(json_column "$BODY" outbox idempotency_key)" "call-task:$C2_CALL:2026-09-09" \
	"Bent's citizen's call task waits too"

# --- an agreed call by inbound contact on an active course ---------------------
api_json POST "/v1/courses/$C2/contacts" "$TOKEN_B" '{"date": "2026-09-09", "topic": "budget"}'
is_invalid date "a contact agreeing today is refused (422 on date)"
api_json POST "/v1/courses/$C2/contacts" "$TOKEN_B" '{"date": "2026-09-15", "topic": "budget"}'
is "$HTTP_STATUS $(jget state) $(jget next_call.reason) $(jget next_call.due_date)" \
	"200 active agreed 2026-09-15" "the citizen calls in and agrees Tue 15 Sep: that call is scheduled"
api GET "/v1/queue?date=2026-09-15" "$TOKEN_B"
is "$(jget calls.0.course_id) $(jget calls.0.agreed_topic)" "$C2 budget" \
	"it is in Bent's queue on 15 Sep with its topic"
api GET '/v1/outbox?state=pending' "$ADMIN"
keys=$(json_column "$BODY" outbox idempotency_key)
if printf '%s\n' "$keys" | grep -q "call-task:$C2_CALL:"; then
	fail "the replaced call's task is withdrawn" "pending: $keys"
else
	pass "the replaced call's task is withdrawn"
fi
is "$(withdrawn_tasks "$C2")" "$C2_CALL:call_cancelled" \
	"Bent's citizen's timeline tells that the replaced call's task was withdrawn"

# --- a repeated notification id with other content ----------------------------
api_json POST /v1/discharges "$PSYCH" '{"notification_id": "r-2",
	"citizen": {"name": "Bo Regel", "phone": "22000002"},
	"discharged_at": "2026-09-07T08:10:00+02:00", '"$BODY_TAIL"
status_is 200 "the same notification again: 200"
api_json POST /v1/discharges "$PSYCH" '{"notification_id": "r-2",
	"citizen": {"name": "Bo Regel", "phone": "22000002"},
	"discharged_at": "2026-09-07T15:00:00+02:00", '"$BODY_TAIL"
status_is 409 "the same id with another discharge time on the same day: 409"
api_json POST /v1/discharges "$PSYCH" '{"notification_id": "r-2", "unit": "P7",
	"citizen": {"name": "Bo Regel", "phone": "22000002"},
	"discharged_at": "2026-09-07T08:10:00+02:00", '"$BODY_TAIL"
status_is 409 "the same id with a field added: 409"

# --- outcome rules --------------------------------------------------------------
api_json POST /v1/offers "$ADMIN" '{"name": "Gruppe", "category": "Fællesskab"}'
CALL=$(pending_call "$C2")
outcome "$CALL" "$TOKEN_B" '{"result": "reached", "offers": [0]}'
is_invalid 'offers[0]' "offer id 0 is no offer, even with one offer in the catalogue"
outcome "$CALL" "$TOKEN_B" '{"result": "no_answer", "next": {"action": "end", "reason": "x"}}'
is_invalid next "\"next\" with no_answer is refused, not ignored"
set_clock 2026-09-12T10:00:00+02:00
outcome "$CALL" "$TOKEN_B" '{"result": "reached", "next": {"action": "continue", "date": "2026-09-12"}}'
is_invalid next.date "on Saturday an agreed date of today (moved to Monday) is refused"
api GET "/v1/courses/$C2" "$ADMIN"
is "$(jget state) $(jget next_call.call_id)" "active $CALL" "the refused outcomes changed nothing"

# --- a follow-up message only after a conversation ------------------------------
discharge r-3 "Cai Regel" 22000003 2026-09-11T09:00:00+02:00
C3=$COURSE
CALL=$(pending_call "$C3")
outcome "$CALL" "$ADMIN" '{"result": "no_answer", "send_followup": true}'
is_invalid send_followup "send_followup after no_answer is refused: there was no conversation"
api GET "/v1/courses/$C3" "$ADMIN"
is "$(jget next_call.call_id) $(sql "$DATABASE" "SELECT count(*) FROM outbox WHERE course_id = $C3 AND type = 'followup'")" \
	"$CALL 0" "the refused outcome changed nothing, no follow-up queued"
outcome "$CALL" "$ADMIN" '{"result": "declined", "send_followup": true}'
status_is 200 "send_followup after declined: 200"
is "$(sql "$DATABASE" "SELECT coalesce(json_extract(payload, '\$.next_call'), 'none') FROM outbox WHERE course_id = $C3 AND type = 'followup'")" \
	none "the declined citizen's follow-up promises no next call"
is "$(sql "$DATABASE" "SELECT group_concat(type, ' ') FROM (SELECT type FROM outbox WHERE course_id = $C3 AND kind = 'message' ORDER BY id)")" \
	"followup closing" "the follow-up about the call goes before the closing message"

# --- who gets a new course -------------------------------------------------------
# Asta and Bent carry one active course each (a tie: Asta has the lower id),
# but Asta is away on Tuesday 15 September, the first call's day.
set_clock 2026-09-14T07:00:00+02:00
api_json PATCH "/v1/mentors/$A" "$ADMIN" '{"absences": [{"from": "2026-09-15", "to": "2026-09-15"}]}'
discharge r-4 "Dan Regel" 22000004 2026-09-14T06:30:00+02:00
is "$(jget first_call_due) $(jget mentor_id)" "2026-09-15 $B" \
	"a new course is not given to a mentor away on its first call's day"
api_json PATCH "/v1/mentors/$A" "$ADMIN" '{"absences": []}'
discharge r-5 "Dan Regel" 22000004 2026-09-14T06:45:00+02:00
is "$(jget mentor_id)" "$B" "Dan's next discharge keeps Bent, though Asta (as loaded, lower id) is back"

# --- a deactivated mentor's token ------------------------------------------------
api GET /v1/queue "$TOKEN_B"
status_is 200 "Bent's token works while he is active"
api_json PATCH "/v1/mentors/$B" "$ADMIN" '{"active": false}'
api GET "/v1/courses/$C2" "$TOKEN_B"
status_is 401 "deactivated, Bent's token no longer opens his citizens' courses"
