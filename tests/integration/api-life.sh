#!/bin/sh
# api-life.sh - the whole life of one course, driven only through the HTTP
# API and the test clock (doc/scheduling.md, doc/api.md): intake over Easter,
# three unanswered attempts, a reached call with an agreed date, a refusal,
# an inbound contact that resumes the course, and the close after the
# window, then the course's log and the audit trail of who read it.
#
# Every expected date is worked out by hand from the Danish calendar:
# Easter Sunday 2026 is 5 April, so Maundy Thursday is 2 April, Good Friday
# 3 April, Easter Monday 6 April, Ascension (+39) 14 May, Whit Sunday (+49)
# 24 May and Whit Monday (+50) 25 May. Store Bededag is gone since 2024.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/api-lib.sh"

plan 76

write_config
ADMIN=$(token_add admin coordinator)
ADMIN_TOKEN_ID=$(last_token_id)
start_api_daemon --test-clock

# The daemon ran its daily jobs when it started, on the real date. Visit a
# later date first, so the jobs must run again when the clock goes back:
# the result may not depend on the day the suite runs.
set_clock 2027-01-01T10:00:00+01:00
set_clock 2026-04-01T10:00:00+02:00

# --- a mentor, an offer and the mentor's token ----------------------------
api_json POST /v1/mentors "$ADMIN" '{"name": "Mette Mentor", "phone": "20 30 40 50"}'
status_is 201 "POST /v1/mentors as admin: 201"
MENTOR=$(jget id)
MENTOR_TOKEN=$(token_add mentor mette "$MENTOR")
MENTOR_TOKEN_ID=$(last_token_id)

api_json POST /v1/offers "$ADMIN" \
	'{"name": "Peer group", "category": "peer_support", "url": "https://example.dk/peers"}'
status_is 201 "POST /v1/offers as admin: 201"
OFFER=$(jget id)

# --- intake: discharged Wednesday 1 April 2026, the day before Maundy
# Thursday. Plan day 1 is Thursday 2 April (Maundy Thursday); then Good
# Friday, Saturday, Easter Sunday, Easter Monday: the first call is due
# Tuesday 7 April. The window ends six calendar months later, 1 October.
api_json POST /v1/discharges "$ADMIN" '{
	"notification_id": "life-1",
	"citizen": {"name": "Jens Jensen", "cpr": "010190-1234", "phone": "22 33 44 55"},
	"discharged_at": "2026-04-01T09:15:00+02:00",
	"unit": "Psykiatrisk Center Nord",
	"consent": {"contact": true, "share_information": true, "given_at": "2026-03-30"}}'
status_is 201 "POST /v1/discharges: 201"
COURSE=$(jget course_id)
is "$(header Location)" "/v1/courses/$COURSE" "Location names the new course"
is_json first_call_due 2026-04-07 "first call due Tue 7 Apr (2 Apr Maundy Thu .. 6 Apr Easter Mon skipped)"
is_json window_ends 2026-10-01 "window ends 1 Oct 2026 (discharge + 6 months)"
is_json mentor_id "$MENTOR" "the only active mentor is assigned"

# queue_summary: "call_id reason attempt due_date overdue_days" of each call
# in the last queue reply, separated by "; ".
queue_summary() {
	qs_i=0
	qs_out=
	while json_raw "$BODY" "calls.$qs_i" >/dev/null 2>&1; do
		qs_line="$(jget calls.$qs_i.call_id) $(jget calls.$qs_i.reason)"
		qs_line="$qs_line $(jget calls.$qs_i.attempt) $(jget calls.$qs_i.due_date)"
		qs_line="$qs_line $(jget calls.$qs_i.overdue_days)"
		qs_out="$qs_out${qs_out:+; }$qs_line"
		qs_i=$((qs_i + 1))
	done
	echo "$qs_out"
}

# outcome_summary: "state next-due next-reason next-attempt unreached" of
# the last outcome/contact reply ("-" for no next call).
outcome_summary() {
	if [ "$(json_raw "$BODY" next_call 2>/dev/null)" = null ]; then
		echo "$(jget state) - $(jget unreached)"
	else
		echo "$(jget state) $(jget next_call.due_date) $(jget next_call.reason)" \
			"$(jget next_call.attempt) $(jget unreached)"
	fi
}

api GET "/v1/queue?date=2026-04-06" "$MENTOR_TOKEN"
is "$HTTP_STATUS:$(queue_summary)" "200:" "queue of Mon 6 Apr (Easter Monday) is empty"
set_clock 2026-04-07T08:00:00+02:00
api GET /v1/queue "$MENTOR_TOKEN"
FIRST_CALL=$(jget calls.0.call_id)
is "$HTTP_STATUS:$(queue_summary)" "200:$FIRST_CALL first_contact 1 2026-04-07 0" \
	"queue of Tue 7 Apr holds the first contact, due that day"
is "$(jget date) $(jget mentor_id) $(jget calls.0.citizen.phone)" "2026-04-07 $MENTOR +4522334455" \
	"the queue names day, mentor and the normalised phone"

# --- three unanswered attempts ------------------------------------------------
# The mentor gets to the first call two days late, on Thu 9 Apr.
set_clock 2026-04-09T10:00:00+02:00
api GET /v1/queue "$MENTOR_TOKEN"
is "$(queue_summary)" "$FIRST_CALL first_contact 1 2026-04-07 2" "Thu 9 Apr: the first contact is 2 days overdue"
api_json POST "/v1/calls/$FIRST_CALL/outcome" "$MENTOR_TOKEN" '{"result": "no_answer"}'
status_is 200 "no_answer on attempt 1: 200"
is "$(outcome_summary)" "active 2026-04-10 retry 2 false" "attempt 1 unanswered: retry Fri 10 Apr, attempt 2"

set_clock 2026-04-10T10:00:00+02:00
api GET /v1/queue "$MENTOR_TOKEN"
CALL=$(jget calls.0.call_id)
is "$(queue_summary)" "$CALL retry 2 2026-04-10 0" "Fri 10 Apr: the retry is in the queue"
is "$(jget calls.0.last_contact.result) $(jget calls.0.last_contact.date)" "no_answer 2026-04-09" \
	"the queue shows the last contact: no answer on 9 Apr"
api_json POST "/v1/calls/$CALL/outcome" "$MENTOR_TOKEN" '{"result": "no_answer"}'
is "$(outcome_summary)" "active 2026-04-13 retry 3 false" \
	"attempt 2 unanswered on a Friday: retry Mon 13 Apr (weekend skipped)"

api GET "/v1/queue?date=2026-04-12" "$MENTOR_TOKEN"
is "$(queue_summary)" "" "nothing is due by Sun 12 Apr"
set_clock 2026-04-13T10:00:00+02:00
api GET /v1/queue "$MENTOR_TOKEN"
CALL=$(jget calls.0.call_id)
is "$(queue_summary)" "$CALL retry 3 2026-04-13 0" "Mon 13 Apr: attempt 3 is in the queue"
api_json POST "/v1/calls/$CALL/outcome" "$MENTOR_TOKEN" '{"result": "no_answer", "note": "voicemail"}'
# The first plan step due after 13 Apr: day 7 is 8 Apr (past), day 14 is
# Wed 15 Apr.
is "$(outcome_summary)" "active 2026-04-15 follow_up 1 true" \
	"attempt 3 unanswered: unreached, next plan step Wed 15 Apr (day 14)"
api GET /v1/queue "$MENTOR_TOKEN"
is "$(queue_summary)" "" "after the third attempt nothing is left in Mon 13 Apr's queue"

# --- reached, with an agreed date, topics, an offer and a follow-up ------------
set_clock 2026-04-15T11:00:00+02:00
api GET /v1/queue "$MENTOR_TOKEN"
CALL=$(jget calls.0.call_id)
is "$(queue_summary)" "$CALL follow_up 1 2026-04-15 0" "Wed 15 Apr: the day-14 call is in the queue"
# Agreed for Ascension Day, Thu 14 May: moved to Fri 15 May.
api_json POST "/v1/calls/$CALL/outcome" "$MENTOR_TOKEN" "{\"result\": \"reached\",
	\"duration_minutes\": 25, \"topics\": [\"wellbeing\", \"network\", \"offers_advice\"],
	\"note\": \"Doing better\", \"offers\": [$OFFER], \"send_followup\": true,
	\"next\": {\"action\": \"continue\", \"date\": \"2026-05-14\", \"topic\": \"job centre meeting\"}}"
status_is 200 "reached with agreed date, topics, an offer and a follow-up: 200"
is "$(outcome_summary)" "active 2026-05-15 agreed 1 false" \
	"agreed Thu 14 May (Ascension) is moved to Fri 15 May"
REACHED_CALL=$CALL

api GET "/v1/queue?date=2026-05-14" "$MENTOR_TOKEN"
is "$(queue_summary)" "" "nothing is due by Ascension Day"
set_clock 2026-05-15T09:00:00+02:00
api GET /v1/queue "$MENTOR_TOKEN"
CALL=$(jget calls.0.call_id)
is "$(queue_summary)" "$CALL agreed 1 2026-05-15 0" "Fri 15 May: the agreed call is in the queue"
is "$(jget calls.0.agreed_topic)|$(jget calls.0.last_contact.result)" "job centre meeting|reached" \
	"the queue carries the agreed topic and the last (reached) contact"
is "$(jget calls.0.days_since_discharge)" 44 "days since discharge on 15 May: 44"

# --- declined: the course ends -------------------------------------------------
api_json POST "/v1/calls/$CALL/outcome" "$MENTOR_TOKEN" '{"result": "declined"}'
is "$HTTP_STATUS $(outcome_summary)" "200 ended - false" "declined: the course is ended, no call pending"
api GET /v1/queue "$MENTOR_TOKEN"
is "$(queue_summary)" "" "an ended course has nothing in the queue"
api GET "/v1/courses/$COURSE" "$MENTOR_TOKEN"
is "$(jget state) $(jget state_reason) $(json_raw "$BODY" next_call)" "ended declined null" \
	"GET the course: ended (declined), next_call null"

# --- the citizen calls in on Fri 22 May: the course resumes. Sat 23, Whit
# Sunday 24 and Whit Monday 25 May are skipped: the call is Tue 26 May.
set_clock 2026-05-22T14:00:00+02:00
api_json POST "/v1/courses/$COURSE/contacts" "$MENTOR_TOKEN" '{}'
status_is 200 "POST /v1/courses/{id}/contacts: 200"
is "$(outcome_summary)" "active 2026-05-26 resumed 1 false" \
	"the contact resumes the course, next call Tue 26 May (Whitsun skipped)"
api GET "/v1/courses/$COURSE" "$MENTOR_TOKEN"
is "$(jget state) $(jget next_call.due_date)" "active 2026-05-26" "GET the course: active again"

# --- the window: 1 October is its last day ---------------------------------
set_clock 2026-10-01T23:00:00+02:00
api GET "/v1/courses/$COURSE" "$MENTOR_TOKEN"
is "$(jget state)" active "on window_end (1 Oct) the course is still active"
set_clock 2026-10-02T07:00:00+02:00
api GET "/v1/courses/$COURSE" "$MENTOR_TOKEN"
is "$(jget state)" closed "the first day after window_end (2 Oct) the course is closed"
# Later days change nothing more.
set_clock 2027-01-02T10:00:00+01:00
api GET "/v1/courses/$COURSE" "$MENTOR_TOKEN"
is "$HTTP_STATUS $(jget state) $(jget state_reason) $(json_raw "$BODY" next_call)" \
	"200 closed window_end null" "once the close job runs the course is closed, no call pending"
is "$(jget discharge_date) $(jget window_ends) $(jget citizen.cpr) $(jget unit)" \
	"2026-04-01 2026-10-01 0101901234 Psykiatrisk Center Nord" \
	"the closed course keeps discharge date, window, CPR and unit"

# --- the course's log, oldest first -------------------------------------
# No gateway is configured here, so every message still waits in the
# outbox: the resume withdrew the closing message of the decline. So does
# every call task published at 07:30: each outcome, and the close,
# withdraws its call's task unsent.
kinds=$(json_column "$BODY" log kind)
is "$kinds" "discharge mentor_assigned call_scheduled \
outcome call_task_withdrawn call_scheduled outcome call_task_withdrawn call_scheduled \
outcome call_task_withdrawn unreached message call_scheduled \
outcome call_task_withdrawn call_scheduled message \
outcome call_task_withdrawn ended message \
contact resumed message_withdrawn call_scheduled \
call_cancelled call_task_withdrawn closed message" "the log holds every step, in order"
is "$(json_values "$BODY" log details.type)" "unreached followup closing closing closing" \
	"messages: unreached, followup, closing (declined; withdrawn unsent by the resume), closing (window end)"
is "$(json_values "$BODY" log details.due_date)" \
	"2026-04-07 2026-04-10 2026-04-13 2026-04-15 2026-05-15 2026-05-26" \
	"every scheduled call's due date is logged"
is "$(json_values "$BODY" log details.result)" \
	"no_answer no_answer no_answer reached declined" \
	"every outcome is logged with its result"

# The log entries one by one, by index.
is "$(json_len "$BODY" log)" 30 "the log has 30 entries"
is "$(jget log.0.author) $(jget log.3.author) $(jget log.28.author)" \
	"admin:$ADMIN_TOKEN_ID mentor:$MENTOR_TOKEN_ID system" "authors: the admin's token, the mentor's token, the system"
is "$(jget log.0.at) $(jget log.22.at) $(jget log.28.at)" \
	"2026-04-01T10:00:00+02:00 2026-05-22T14:00:00+02:00 2026-10-02T07:00:00+02:00" \
	"each entry carries the (test clock) time it happened"
is "$(jget log.14.details.topics.0) $(jget log.14.details.topics.2) $(jget log.14.details.duration_minutes) $(jget log.14.details.followup)" \
	"wellbeing offers_advice 25 true" "the reached outcome logs topics, duration and the follow-up"
is "$(jget log.14.details.call_id) $(jget log.16.details.topic)" "$REACHED_CALL job centre meeting" \
	"the agreed call is logged with its topic"
is "$(jget log.11.details.attempts) $(jget log.20.details.reason) $(jget log.29.details.type)" \
	"3 declined closing" "unreached after 3 attempts; ended because declined; closing message"
is "$(jget log.23.details.from) $(jget log.23.details.to) $(jget log.28.details.reason)" \
	"ended active window_end" "resumed from ended to active; closed at window end"
is "$(jget log.2.details.first_contact) $(jget log.8.details.first_contact) $(jget log.13.details.first_contact)" \
	"true true false" "retries keep the first contact's flag, the plan call does not"

# --- the calls, oldest first: the log keeps codes only, so the mentor's
# notes are read back from here --------------------------------------------
is "$(json_len "$BODY" calls)" 6 "the course has 6 calls"
is "$(json_column "$BODY" calls reason)" "first_contact retry retry follow_up agreed resumed" \
	"every call with its reason, oldest first"
is "$(json_column "$BODY" calls state)" "done done done done done cancelled" \
	"five calls done, the resumed one cancelled by the close"
is "$(json_column "$BODY" calls attempt) $(json_column "$BODY" calls due_date)" \
	"1 2 3 1 1 1 2026-04-07 2026-04-10 2026-04-13 2026-04-15 2026-05-15 2026-05-26" \
	"each call's attempt and due date"
is "$(json_raw "$BODY" calls.0.note)|$(jget calls.2.note)|$(jget calls.3.note)" \
	"null|voicemail|Doing better" "the notes of the outcomes are returned, null where none"
is "$(jget calls.3.call_id) $(jget calls.3.result) $(jget calls.3.call_date) $(jget calls.3.duration_minutes)" \
	"$REACHED_CALL reached 2026-04-15 25" "the reached call: id, result, date and duration"
is "$(jget calls.3.topics.0) $(jget calls.3.topics.2) $(json_len "$BODY" calls.3.topics) $(jget calls.3.offers.0)" \
	"wellbeing offers_advice 3 $OFFER" "the reached call's topics and offers"
is "$(jget calls.4.agreed_topic)|$(jget calls.4.result)|$(json_raw "$BODY" calls.4.duration_minutes)" \
	"job centre meeting|declined|null" "the agreed call: its topic, declined, no duration"
is "$(json_raw "$BODY" calls.5.result) $(json_raw "$BODY" calls.5.call_date) $(json_raw "$BODY" calls.5.note) $(json_len "$BODY" calls.5.topics)" \
	"null null null 0" "the cancelled call has no outcome"

# --- the audit trail -----------------------------------------------------
api GET "/v1/courses/$COURSE" "$ADMIN"
status_is 200 "GET the course as admin: 200"
api GET "/v1/audit?course=$COURSE" "$ADMIN"
status_is 200 "GET /v1/audit?course= as admin: 200"
is "$(json_column "$BODY" audit course_id | tr ' ' '\n' | sort -u | tr '\n' ' ')" "$COURSE " \
	"every audit row is about this course"
rows=$(json_len "$BODY" audit)
last=$((rows - 1))
is "$(jget audit.$last.token_name) $(jget audit.$last.role) $(jget audit.$last.action)" \
	"coordinator admin read" "the admin's read is the latest row, under the admin's token"
is "$(jget audit.$last.purpose)" "view the course and its log" "the read's purpose is recorded"
is "$(jget audit.0.token_name) $(jget audit.0.action) $(jget audit.0.at)" \
	"coordinator discharge 2026-04-01T10:00:00+02:00" "the first row is the discharge, at intake time"
mentor_reads=$(i=0; while [ "$i" -lt "$rows" ]; do
	printf '%s:%s\n' "$(jget audit.$i.token_name)" "$(jget audit.$i.action)"
	i=$((i + 1))
done | sort | uniq -c | awk '{printf "%s%s=%s", sep, $2, $1; sep=" "}')
is "$mentor_reads" \
	"coordinator:discharge=1 coordinator:read=1 mette:contact=1 mette:outcome=5 mette:read=11" \
	"the mentor's queue and course reads, outcomes and the contact are all audited"
is "$(jget audit.1.token_id) $(jget audit.1.purpose) $(jget audit.1.at)" \
	"$MENTOR_TOKEN_ID daily call queue 2026-04-07T08:00:00+02:00" \
	"the mentor's first queue read is audited with token, purpose and time"

api GET "/v1/audit?course=$((COURSE + 100))" "$ADMIN"
is "$HTTP_STATUS $(json_len "$BODY" audit)" "200 0" "GET /v1/audit for another course id lists nothing"
api GET "/v1/audit?course=abc" "$ADMIN"
is_invalid course "GET /v1/audit?course=abc: 422 naming course"

# Pages: every read adds rows and none are removed, so the trail comes
# ?limit= rows at a time from ?after=; next_after is where the next page
# starts, null on the last. Reading the trail is not itself audited.
api GET "/v1/audit?course=$COURSE" "$ADMIN"
TRAIL=$(json_column "$BODY" audit id)
rows=$(echo "$TRAIL" | wc -w)
is "$(json_raw "$BODY" next_after)" null "the course's trail fits one default page: next_after null"
nth() { echo "$TRAIL" | cut -d' ' -f"$1"; }
audit_page() {
	api GET "/v1/audit?course=$COURSE&limit=$1${2:+&after=$2}" "$ADMIN"
	printf '%s / %s' "$(json_column "$BODY" audit id)" "$(json_raw "$BODY" next_after)"
}
is "$(audit_page 2)" "$(nth 1) $(nth 2) / $(nth 2)" \
	"?limit=2: the first two rows, next_after the second"
is "$(audit_page 2 "$(nth 2)")" "$(nth 3) $(nth 4) / $(nth 4)" "&after= the second: the next two"
is "$(audit_page 2 "$(nth $((rows - 2)))")" "$(nth $((rows - 1))) $(nth "$rows") / null" \
	"a last page that is full: next_after null"
is "$(audit_page 1 "$(nth "$rows")")" " / null" "after the last row: an empty page"
api GET /v1/audit "$ADMIN"
first=$(jget audit.0.id)
api GET "/v1/audit?limit=1" "$ADMIN"
is "$(json_column "$BODY" audit id) $(json_raw "$BODY" next_after)" "$first $first" \
	"every course's rows, ?limit=1: the first row, next_after it"
api GET "/v1/audit?course=abc&after=0&limit=0" "$ADMIN"
is "$HTTP_STATUS $(error_fields)" "422 course after limit" \
	"?course=abc&after=0&limit=0: 422 naming all three"
api GET "/v1/audit?course=$COURSE&limit=1001" "$ADMIN"
is_invalid limit "GET /v1/audit?limit=1001: more than a page may hold"
