#!/bin/sh
# api-life-events.sh - corrections, cancellations, referrals before the
# discharge, readmissions and deaths through the real HTTP API, with the
# test gateway (doc/life-events.md): PUT and DELETE /v1/discharges/{id},
# POST /v1/citizens/events, and what they do to calls, call tasks already
# published, messages, the queue, status and metrics.
#
# Spring 2026 in Copenhagen (summer time from 29 March). Easter: Maundy
# Thursday 2 April to Easter Monday 6 April. Mette is the only mentor.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/api-lib.sh"
. "$top_srcdir/tests/integration/outbox-lib.sh"

plan 100

start_mockgw
write_gateway_config
config_set "$CONFIG" messages.welcome true || bail "messages.welcome"
ADMIN=$(token_add admin coordinator)
PSYCH=$(token_add psychiatry ward-p3)
PSYCH_ID=$(last_token_id)
PSYCH2=$(token_add psychiatry ward-p7)
start_api_daemon --test-clock
set_clock 2026-03-30T06:00:00+02:00
api_json POST /v1/mentors "$ADMIN" '{"name": "Mette Mentor", "phone": "20304050"}'
[ "$HTTP_STATUS" = 201 ] || bail "POST /v1/mentors: $HTTP_STATUS"
METTE=$(jget id)
MENTOR=$(token_add mentor mette "$METTE")

CONSENT='"consent": {"contact": true, "share_information": true}'

# notification ID NAME CPR PHONE [DISCHARGED-AT]: the JSON of a
# notification (no discharged_at without the fifth argument).
notification() {
	printf '{"notification_id": "%s", "citizen": {"name": "%s", "cpr": "%s", "phone": "%s"}%s, %s}' \
		"$1" "$2" "$3" "$4" "${5:+, \"discharged_at\": \"$5\"}" "$CONSENT"
}

# discharge ARGS...: POST it as the ward of P3; COURSE is the new course.
discharge() {
	api_json POST /v1/discharges "$PSYCH" "$(notification "$@")"
	[ "$HTTP_STATUS" = 201 ] || bail "POST /v1/discharges $1: $HTTP_STATUS $(cat "$BODY")"
	COURSE=$(jget course_id)
}

# life TOKEN CPR EVENT AT [KEY]: POST /v1/citizens/events.
life() {
	set -- "$1" "$2" "$3" "$4" "${5:-}"
	if [ -n "$5" ]; then
		http POST /v1/citizens/events -H "Authorization: Bearer $1" -H 'Expect:' \
			-H 'Content-Type: application/json' -H "Idempotency-Key: $5" \
			--data-binary "{\"cpr\": \"$2\", \"event\": \"$3\", \"at\": \"$4\"}"
	else
		api_json POST /v1/citizens/events "$1" "{\"cpr\": \"$2\", \"event\": \"$3\", \"at\": \"$4\"}"
	fi
}

pending_call() {
	sql "$DATABASE" "SELECT id FROM calls WHERE course_id = $1 AND state = 'pending'"
}

state_of() {
	sql "$DATABASE" "SELECT state FROM courses WHERE id = $1"
}

# cancelled_at_gateway CALL: the gateway accepted the cancellation of CALL's task.
cancelled_at_gateway() {
	gw_requests_at_least "/v1/call-tasks/$1/cancel" 1
}

# changed: the "changed" list of the last reply, space-separated.
changed() {
	ch_i=0
	ch_out=
	while ch_v=$(json_get "$BODY" "changed.$ch_i" 2>/dev/null); do
		ch_out="$ch_out${ch_out:+ }$ch_v"
		ch_i=$((ch_i + 1))
	done
	echo "$ch_out"
}

queue_calls() {
	api GET "/v1/queue?date=$1&mentor=$METTE" "$ADMIN"
	json_column "$BODY" calls course_id
}

# --- a correction moves the discharge across Easter --------------------------------
discharge n-anna "Anna Andersen" 010180-1234 "22 33 44 55" 2026-03-30T10:00:00+02:00
ANNA=$COURSE
is "$(jget first_call_due) $(jget state)" "2026-03-31 active" \
	"Anna discharged Monday 30 March: first call Tuesday 31 March"
A1=$(pending_call "$ANNA")
set_clock 2026-03-31T12:00:00+02:00
wait_for 10 gw_requests_at_least /v1/call-tasks 1 || diag "the call task did not go out"
api_json PUT /v1/discharges/n-anna "$PSYCH" \
	"$(notification n-anna "Anna Andersen" 010180-1234 "22 33 44 55" 2026-04-01T08:00:00+02:00)"
status_is 200 "the ward corrects the discharge to Wednesday 1 April: 200"
is "$(changed)" "discharged_at" "the reply names the changed field"
is "$(jget next_call.due_date) $(jget next_call.reason)" "2026-04-07 first_contact" \
	"the first call moves past Maundy Thursday, Good Friday and Easter Monday to Tuesday 7 April"
api GET "/v1/courses/$ANNA" "$ADMIN"
is "$(jget discharge_date) $(jget window_ends)" "2026-04-01 2026-10-01" \
	"a new window from the corrected date"
is "$(sql "$DATABASE" "SELECT json_extract(details, '\$.fields') FROM course_log WHERE course_id = $ANNA AND kind = 'corrected'")" \
	'["discharged_at"]' "the log has a corrected entry naming discharged_at"
is "$(sql "$DATABASE" "SELECT state || ' ' || cancel_reason FROM calls WHERE id = $A1")" \
	"cancelled corrected" "the first plan's call is cancelled, still in the log"
check "its published call task is cancelled at the gateway" \
	wait_for 10 cancelled_at_gateway "$A1"
api_json PUT /v1/discharges/n-anna "$PSYCH" \
	"$(notification n-anna "Anna Andersen" 010180-1234 "22 33 44 55" 2026-04-01T08:00:00+02:00)"
is "$HTTP_STATUS $(changed)" "200 " "the same correction again: 200, nothing changed"
is "$(sql "$DATABASE" "SELECT count(*) FROM course_log WHERE course_id = $ANNA AND kind = 'corrected'")" \
	1 "the repetition logs nothing"
api_json PUT /v1/discharges/n-anna "$PSYCH" \
	"$(notification n-anna "Anna Andersen" 010180-1234 "22 33 44 56" 2026-04-01T08:00:00+02:00)"
is "$HTTP_STATUS $(changed) $(jget next_call.due_date)" \
	"200 citizen.phone 2026-04-07" "a new phone: the course updates, the call stays on the 7th"
is "$(sql "$DATABASE" "SELECT phone FROM courses WHERE id = $ANNA")" "+4522334456" \
	"the new phone is stored"
api_json PUT /v1/discharges/n-anna "$PSYCH2" \
	"$(notification n-anna "Anna Andersen" 010180-1234 "22 33 44 57" 2026-04-01T08:00:00+02:00)"
status_is 403 "another ward may not correct Anna's notification"
api_json PUT /v1/discharges/n-anna "$MENTOR" \
	"$(notification n-anna "Anna Andersen" 010180-1234 "22 33 44 57" 2026-04-01T08:00:00+02:00)"
status_is 403 "a mentor may not correct a notification"
api_json PUT /v1/discharges/n-nobody "$PSYCH" \
	"$(notification n-nobody "Nobody" 010180-1234 "22 33 44 57" 2026-04-01T08:00:00+02:00)"
status_is 404 "a correction of a notification never sent: 404"
api_json PUT /v1/discharges/n-anna "$PSYCH" \
	"$(notification n-other "Anna Andersen" 010180-1234 "22 33 44 56" 2026-04-01T08:00:00+02:00)"
is_invalid notification_id "a body naming another notification: 422"
api_json PUT /v1/discharges/n-anna "$ADMIN" \
	"$(notification n-anna "Anna Andersen" 010180-1234 "22 33 44 56" 2026-04-05T08:00:00+02:00)"
is_invalid discharged_at "a corrected date four days ahead: 422"

# --- a readmission on the day of a planned call -----------------------------------------
discharge n-bo "Bo Berg" 020280-2345 "23 34 45 56" 2026-03-31T09:00:00+02:00
BO=$COURSE
B1=$(pending_call "$BO")
set_clock 2026-04-01T08:00:00+02:00
is "$(queue_calls 2026-04-01)" "$BO" "Wednesday 1 April: Bo's first call is in Mette's queue"
check "its call task went to the gateway at 07:30" \
	wait_for 10 gw_requests_at_least /v1/call-tasks 2
life "$PSYCH" 020280-2345 admitted 2026-04-01T07:45:00+02:00
is "$HTTP_STATUS $(jget event) $(jget repeated)" "200 admitted false" "Bo readmitted that morning: 200"
is "$(state_of "$BO") $(pending_call "$BO")" "paused " "Bo's course is paused, no call pending"
is "$(queue_calls 2026-04-01)" "" "his call left the queue at once"
check "the published call task is cancelled at the gateway" wait_for 10 cancelled_at_gateway "$B1"
record_body 1 "/v1/call-tasks/$B1/cancel" >"$TEST_TMP/cancel.json"
is "$(json_get "$TEST_TMP/cancel.json" id) $(json_get "$TEST_TMP/cancel.json" reason)" \
	"$B1 admitted" "the cancellation names the task and why"
api GET "/v1/courses/$BO" "$MENTOR"
is "$(jget state) $(jget paused_since)" "paused 2026-04-01T07:45:00+02:00" \
	"the course shows since when Bo is back in hospital"
life "$PSYCH" 020280-2345 admitted 2026-04-01T07:45:00+02:00
is "$HTTP_STATUS $(jget repeated)" "200 true" "the same event again: 200, repeated"
set_clock 2026-04-08T12:00:00+02:00
life "$PSYCH" 020280-2345 discharged 2026-04-08T10:00:00+02:00 medcom-bo-2
status_is 200 "Bo discharged again on 8 April: 200"
api GET "/v1/courses/$BO" "$ADMIN"
is "$(jget state) $(jget readmissions) $(jget discharge_date) $(jget window_ends) $(jget mentor_id)" \
	"active 1 2026-04-08 2026-10-08 $METTE" \
	"the plan restarts from the new discharge with a fresh window, Mette kept"
is "$(jget next_call.due_date) $(jget next_call.reason)" "2026-04-09 first_contact" \
	"first contact again the next working day"
life "$PSYCH" 020280-2345 discharged 2026-04-08T10:00:00+02:00 medcom-bo-2
is "$HTTP_STATUS $(jget repeated)" "200 true" "the same Idempotency-Key again: nothing more"

# --- a death while today's call task is out ----------------------------------------------
# The gateway refuses messages for now: Carl's welcome waits in the outbox.
gw_control '{"mode": "status", "status": 503, "path": "/v1/messages"}'
discharge n-carl "Carl Clausen" 030380-3456 "24 35 46 57" 2026-04-08T09:00:00+02:00
CARL=$COURSE
C1=$(pending_call "$CARL")
set_clock 2026-04-09T08:00:00+02:00
check "Carl's call task for 9 April went to the gateway" \
	wait_for 10 gw_requests_at_least /v1/call-tasks 4
life "$PSYCH" 030380-3456 deceased 2026-04-09T06:30:00+02:00
status_is 200 "a deceased notice for Carl: 200"
is "$(state_of "$CARL") $(pending_call "$CARL")" "deceased " "the course is deceased, no call pending"
check "the published call task is cancelled at the gateway" wait_for 10 cancelled_at_gateway "$C1"
is "$(sql "$DATABASE" "SELECT count(*) FROM outbox WHERE course_id = $CARL AND kind = 'message' AND state = 'pending'")" \
	0 "every message to Carl not yet sent is withdrawn"
is "$(queue_calls 2026-04-09)" "$ANNA $BO" "Mette's queue holds Anna (overdue) and Bo, not Carl"
gw_control '{"mode": "ok"}'
api_json POST /v1/discharges "$PSYCH" \
	"$(notification n-carl-2 "Carl Clausen" 030380-3456 "24 35 46 57" 2026-04-09T06:00:00+02:00)"
status_is 409 "a later discharge for Carl's CPR: 409"
life "$PSYCH" 030380-3456 admitted 2026-04-09T07:00:00+02:00
status_is 409 "a later admission of Carl: 409"
api_json POST "/v1/courses/$CARL/contacts" "$ADMIN" '{}'
status_is 409 "a contact on Carl's course: 409"
life "$PSYCH" 030380-3456 deceased 2026-04-09T06:30:00+02:00 other-key
status_is 200 "the death notified again: 200"

# --- consent withdrawn: the data goes at once --------------------------------------------
# Her wishes carry a note in her own words: they go with the rest.
api_json POST /v1/discharges "$PSYCH" "$(notification n-dora "Dora Dahl" 040480-4567 \
	"25 36 47 58" 2026-04-08T09:00:00+02:00 |
	sed 's/}$/, "wishes": {"gender": "female", "note": "Vil have en kvinde: traume"}}/')"
DORA=$(jget course_id)
is "$HTTP_STATUS $(sql "$DATABASE" "SELECT json_extract(wishes, '\$.note') || ' ' || (intake_fingerprint IS NOT NULL) FROM courses WHERE id = $DORA")" \
	"201 Vil have en kvinde: traume 1" "Dora's course is stored with her wishes and its fingerprint"
api_json POST "/v1/calls/$(pending_call "$DORA")/outcome" "$ADMIN" \
	'{"result": "reached", "note": "Talte om søvn og naboen", "next": {"action": "continue"}}'
status_is 200 "Dora's first call, with a note"
api GET "/v1/courses?q=Dahl" "$ADMIN"
is "$HTTP_STATUS $(jget courses.0.id)" "200 $DORA" "a search for Dora's name finds her course"
api_json DELETE /v1/discharges/n-dora "$PSYCH" '{"reason": "consent_withdrawn"}'
is "$HTTP_STATUS $(jget state) $(jget reason)" "200 cancelled consent_withdrawn" \
	"Dora withdraws her consent: 200, cancelled"
is "$(sql "$DATABASE" "SELECT citizen_name || ' ' || phone || ' ' || coalesce(cpr, '-') || ' ' || (notification_id LIKE 'withdrawn-%') FROM courses WHERE id = $DORA")" \
	"anonymised anonymised - 1" "name, phone, CPR and notification id are erased"
is "$(sql "$DATABASE" "SELECT coalesce(wishes, '-') || ' ' || coalesce(intake_fingerprint, '-') FROM courses WHERE id = $DORA")" \
	"- -" "her wishes and the intake fingerprint (a hash of name, CPR and phone) are erased"
is "$(sql "$DATABASE" "SELECT count(*) FROM calls WHERE course_id = $DORA AND note IS NOT NULL")" \
	0 "the call's note is erased"
is "$(sql "$DATABASE" "SELECT count(*) FROM calls WHERE course_id = $DORA AND state = 'pending'")" \
	0 "her pending call is cancelled"
is "$(sql "$DATABASE" "SELECT author || ' ' || json_extract(details, '\$.reason') FROM course_log WHERE course_id = $DORA ORDER BY id DESC LIMIT 1")" \
	"psychiatry:$PSYCH_ID consent_withdrawn" "the log keeps who withdrew it (and when)"
is "$(sql "$DATABASE" "SELECT count(*) FROM course_log WHERE course_id = $DORA AND details LIKE '%n-dora%'")" \
	0 "the log no longer holds the notification id"
api GET "/v1/courses?q=Dahl" "$ADMIN"
is "$HTTP_STATUS $(jget courses.0.id)" "200 " "her name has left the search index"
api GET "/v1/courses?q=4758" "$ADMIN"
is "$HTTP_STATUS $(jget courses.0.id)" "200 " "... and her phone number"
api_json DELETE /v1/discharges/n-dora "$PSYCH" '{"reason": "consent_withdrawn"}'
is "$HTTP_STATUS $(jget changed)" "200 false" "the same DELETE again: 200, nothing more"
api_json PUT /v1/discharges/n-dora "$PSYCH" \
	"$(notification n-dora "Dora Dahl" 040480-4567 "25 36 47 58" 2026-04-08T09:00:00+02:00)"
status_is 409 "a correction of a cancelled notification: 409"
api_json POST /v1/discharges "$PSYCH" \
	"$(notification n-dora "Dora Dahl" 040480-4567 "25 36 47 58" 2026-04-08T09:00:00+02:00)"
is "$HTTP_STATUS $(sql "$DATABASE" "SELECT count(*) FROM courses WHERE citizen_name = 'Dora Dahl'")" \
	"409 0" "the notification resent after the withdrawal: 409, her data does not come back"
discharge n-erik "Erik Eng" 050580-5678 "26 37 48 59" 2026-04-08T09:00:00+02:00
ERIK=$COURSE
api_json DELETE /v1/discharges/n-erik "$PSYCH" '{"reason": "typo"}'
is_invalid reason "an unknown reason: 422"
api_json DELETE /v1/discharges/n-erik "$MENTOR" '{"reason": "entered_in_error"}'
status_is 403 "a mentor may not cancel a notification"
api_json DELETE /v1/discharges/n-erik "$ADMIN" '{"reason": "entered_in_error"}'
is "$HTTP_STATUS $(state_of "$ERIK") $(sql "$DATABASE" "SELECT citizen_name FROM courses WHERE id = $ERIK")" \
	"200 cancelled Erik Eng" "entered in error: cancelled by an admin, the data kept for now"
is "$(sql "$DATABASE" "SELECT count(*) FROM outbox WHERE course_id = $ERIK AND type = 'closing'")" \
	0 "no closing message"

# --- a referral before the discharge, and one that expires --------------------------------
set_clock 2026-04-10T10:00:00+02:00
discharge n-fie "Fie Fisk" 060680-6789 "27 38 49 60"
FIE=$COURSE
is "$(jget state) $(jget first_call_due) $(jget window_ends)" "awaiting_discharge null null" \
	"a referral without discharged_at: 201, awaiting its discharge"
is "$(pending_call "$FIE")$(sql "$DATABASE" "SELECT count(*) FROM outbox WHERE course_id = $FIE")" \
	"0" "no call, no message while it waits"
discharge n-gert "Gert Gran" 070780-7890 "28 39 50 61"
GERT=$COURSE
set_clock 2026-04-13T09:00:00+02:00
life "$PSYCH" 070780-7890 discharged 2026-04-12T15:00:00+02:00
status_is 200 "Gert discharged on Sunday 12 April"
api GET "/v1/courses/$GERT" "$ADMIN"
is "$(jget state) $(jget next_call.due_date) $(jget window_ends) $(jget mentor_id)" \
	"active 2026-04-13 2026-10-12 $METTE" "his plan starts: first call Monday, a mentor"
api GET "/v1/courses?state=awaiting_discharge" "$ADMIN"
is "$(json_column "$BODY" courses id)" "$FIE" "GET /v1/courses?state=awaiting_discharge lists Fie"
set_clock 2026-05-10T10:00:00+02:00
is "$(state_of "$FIE")" awaiting_discharge "on day 30 Fie still waits"
set_clock 2026-05-11T10:00:00+02:00
is "$(sql "$DATABASE" "SELECT state || ' ' || state_reason FROM courses WHERE id = $FIE")" \
	"closed referral_expired" "after intake.await_days the referral expires"
timeout 10 "$MENTORCTL" --database "$DATABASE" status --json >"$TEST_TMP/status.json" ||
	bail "mentorctl status failed"
is "$(json_get "$TEST_TMP/status.json" courses.referrals_expired) $(json_get "$TEST_TMP/status.json" courses.deceased) $(json_get "$TEST_TMP/status.json" courses.cancelled)" \
	"1 1 2" "mentorctl status counts expired referrals, deaths and cancellations"
http GET /metrics
file_like "$BODY" '^mentord_referrals_expired_total 1$' "/metrics counts the expired referral"
file_like "$BODY" '^mentord_courses\{state="deceased"\} 1$' "/metrics counts courses by the new states"

# --- an event about someone without a course ---------------------------------------------
before=$(sql "$DATABASE" "SELECT count(*) FROM courses")
life "$PSYCH" 080880-8901 admitted 2026-05-11T08:00:00+02:00
is "$HTTP_STATUS $before" "200 $(sql "$DATABASE" "SELECT count(*) FROM courses")" \
	"an admission of a citizen without a course: 200, nothing stored"
life "$PSYCH" 080880-8901 died 2026-05-11T08:00:00+02:00
is_invalid event "an unknown event: 422"
life "$MENTOR" 080880-8901 admitted 2026-05-11T08:00:00+02:00
status_is 403 "a mentor may not send life events"

api GET "/v1/reports/summary?from=2026-03-01&to=2026-05-31" "$ADMIN"
is "$(jget courses_by_state.deceased) $(jget courses_by_state.cancelled) $(jget courses_by_state.active) $(jget courses_by_state.closed)" \
	"1 2 3 1" "the report counts courses by the new states"

# --- a death notice before the course: nothing kept, so sent again it reaches the course ---
keys() {
	sql "$DATABASE" "SELECT count(*) FROM life_event_keys"
}
KEYS=$(keys)
life "$PSYCH" 090980-9012 deceased 2026-05-11T06:00:00+02:00
is "$HTTP_STATUS $(jget repeated) $(keys)" "200 false $KEYS" \
	"a death notice for a citizen without a course: 200, nothing stored"
discharge n-hans "Hans Hald" 090980-9012 "29 40 51 62" 2026-05-10T09:00:00+02:00
HANS=$COURSE
life "$PSYCH" 090980-9012 deceased 2026-05-11T06:00:00+02:00
is "$HTTP_STATUS $(jget repeated) $(state_of "$HANS") $(pending_call "$HANS")" \
	"200 false deceased " "the same notice after his discharge: his course is deceased"
life "$PSYCH" 0909809012 deceased 2026-05-11T04:00:00Z
is "$HTTP_STATUS $(jget repeated)" "200 true" \
	"the same notice once more (no dash, in UTC): now a repeat"

# --- an Idempotency-Key used again for another event: 409, nothing changed --------------------
life "$PSYCH" 070780-7890 admitted 2026-05-11T08:00:00+02:00 ward-k-1
is "$HTTP_STATUS $(jget repeated) $(state_of "$GERT")" "200 false paused" \
	"Gert admitted, Idempotency-Key ward-k-1: paused"
KEYS=$(keys)
life "$PSYCH" 070780-7890 deceased 2026-05-11T08:10:00+02:00 ward-k-1
is "$HTTP_STATUS $(header Content-Type) $(error_fields)" \
	"409 application/problem+json Idempotency-Key" \
	"his death under the same key: 409 naming the Idempotency-Key header"
is "$(state_of "$GERT") $(keys)" "paused $KEYS" "nothing changed"
life "$PSYCH" 0707807890 admitted 2026-05-11T06:00:00Z ward-k-1
is "$HTTP_STATUS $(jget repeated) $(state_of "$GERT")" "200 true paused" \
	"the same key and admission (no dash, in UTC): a repeat"
life "$PSYCH" 070780-7890 deceased 2026-05-11T08:10:00+02:00 ward-k-2
is "$HTTP_STATUS $(jget repeated) $(state_of "$GERT")" "200 false deceased" \
	"his death under a key of its own: deceased"

# --- stale events: from before what the course knows, they change nothing -------------------
discharge n-ida "Ida Isen" 101080-1234 "29 40 51 63" 2026-05-08T09:00:00+02:00
IDA=$COURSE
H1=$(pending_call "$IDA")
life "$PSYCH" 101080-1234 admitted 1990-04-03T08:00:00+02:00
is "$HTTP_STATUS $(jget event) $(jget repeated)" "200 admitted false" \
	"an admission dated 1990 for a course discharged 8 May 2026: 200, as any event"
is "$(state_of "$IDA") $(pending_call "$IDA")" "active $H1" \
	"it is stale: the course stays active with its call"
is "$(sql "$DATABASE" "SELECT json_extract(details, '\$.changed') || ' ' || json_extract(details, '\$.stale') FROM course_log WHERE course_id = $IDA AND kind = 'admitted'")" \
	"0 before_discharge" "the log notes it, unchanged, and why"
life "$PSYCH" 101080-1234 admitted 2026-05-11T08:00:00+02:00
is "$(state_of "$IDA")" paused "Ida readmitted on 11 May: paused"
life "$PSYCH" 101080-1234 discharged 2026-05-01T08:00:00+02:00
is "$HTTP_STATUS $(jget event) $(jget repeated)" "200 discharged false" \
	"a discharge dated before that admission: 200"
api GET "/v1/courses/$IDA" "$ADMIN"
is "$(jget state) $(jget discharge_date) $(jget window_ends) $(jget readmissions) $(pending_call "$IDA")" \
	"paused 2026-05-08 2026-11-08 0 " \
	"it is stale: still paused, the window not moved back, no overdue call"
is "$(sql "$DATABASE" "SELECT json_extract(details, '\$.stale') FROM course_log WHERE course_id = $IDA AND kind = 'discharged'")" \
	"before_admission" "the log says the discharge came before the admission"
life "$PSYCH" 101080-1234 discharged 2026-05-11T09:30:00+02:00
api GET "/v1/courses/$IDA" "$ADMIN"
is "$(jget state) $(jget discharge_date) $(jget window_ends) $(jget readmissions)" \
	"active 2026-05-11 2026-11-11 1" "the discharge after the admission restarts the plan"

# --- consent withdrawn erases the courses it superseded too ---------------------------------
discharge n-ida-0 "Ida Iversen" 101080-0123 "30 41 52 60" 2026-05-01T09:00:00+02:00
IDA0=$COURSE
api_json DELETE /v1/discharges/n-ida-0 "$PSYCH" '{"reason": "entered_in_error"}'
status_is 200 "an earlier notification of Ida's, entered in error: cancelled, data kept for now"
discharge n-ida-1 "Ida Iversen" 101080-0123 "30 41 52 63" 2026-05-04T09:00:00+02:00
IDA1=$COURSE
discharge n-ida-2 "Ida Iversen" 101080-0123 "30 41 52 64" 2026-05-06T09:00:00+02:00
IDA2=$COURSE
discharge n-ida-3 "Ida Iversen" 101080-0123 "30 41 52 65" 2026-05-08T09:00:00+02:00
IDA3=$COURSE
is "$(state_of "$IDA1") $(state_of "$IDA2") $(state_of "$IDA3")" "superseded superseded active" \
	"Ida's third notification superseded the two before it"
api_json DELETE /v1/discharges/n-ida-3 "$PSYCH" '{"reason": "consent_withdrawn"}'
is "$HTTP_STATUS $(jget state) $(jget changed)" "200 cancelled true" "Ida withdraws her consent: 200"
is "$(sql "$DATABASE" "SELECT group_concat(c, ' ') FROM (SELECT id || ':' || state || ':' || citizen_name || ':' || coalesce(cpr, '-') || ':' || phone || ':' || (notification_id LIKE 'withdrawn-%') AS c FROM courses WHERE id IN ($IDA1, $IDA2, $IDA3) ORDER BY id)")" \
	"$IDA1:superseded:anonymised:-:anonymised:1 $IDA2:superseded:anonymised:-:anonymised:1 $IDA3:cancelled:anonymised:-:anonymised:1" \
	"her name, CPR, phone and notification ids are erased in every course of the chain"
api GET "/v1/courses?q=Iversen" "$ADMIN"
is "$HTTP_STATUS $(jget courses.0.id)" "200 " "no course of hers is found by name any more"
is "$(sql "$DATABASE" "SELECT count(*) FROM outbox WHERE course_id IN ($IDA1, $IDA2) AND (payload LIKE '%Iversen%' OR payload LIKE '%4152%')")" \
	0 "nor in the outbox payloads of the superseded courses"
is "$(sql "$DATABASE" "SELECT count(*) FROM course_log WHERE course_id IN ($IDA1, $IDA2) AND kind = 'cancellation' AND json_extract(details, '\$.reason') = 'consent_withdrawn'")" \
	2 "each superseded course logs the withdrawal"
is "$(sql "$DATABASE" "SELECT state || ' ' || citizen_name || ' ' || coalesce(cpr, '-') FROM courses WHERE id = $IDA0")" \
	"cancelled anonymised -" "her finished course of the same CPR number, outside the chain, is erased too"
api_json DELETE /v1/discharges/n-ida-1 "$PSYCH" '{"reason": "consent_withdrawn"}'
is "$HTTP_STATUS $(jget changed)" "200 false" "a DELETE of an erased predecessor: 200, nothing more"

# --- nothing ever reached the dead citizen -------------------------------------------------
set_clock 2026-10-15T10:00:00+02:00
sleep 1
is "$(grep '"path":"/v1/messages"' "$RECORD" | grep '"status":200}$' | grep -c 'Carl' || true)" \
	0 "no message was ever delivered to Carl"
is "$(sql "$DATABASE" "SELECT count(*) FROM outbox WHERE course_id = $CARL AND kind = 'message' AND state = 'sent'")" \
	0 "and none is recorded as sent"
stop_mentord || fail "mentord stops" "it had to be killed"
