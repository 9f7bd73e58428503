#!/bin/sh
# api-misc.sh - the rest of the API contract (doc/scheduling.md and doc/api.md):
# mentors and offers CRUD, the outcome's 404/409/422, ending, resuming
# and inbound contacts, the order of the daily queue, routing around an
# absent mentor, filtering courses, and the router's 404 and 405.
#
# September 2026 has no Danish public holiday: only weekends move dates.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/api-lib.sh"

plan 208

# discharge ID NAME PHONE DISCHARGED-AT [PREFERRED-JSON]: POST as psychiatry;
# COURSE is the new course's id, FIRST_DUE its first call.
discharge() {
	d_pref=
	[ -n "${5:-}" ] && d_pref=", \"preferred_call_time\": $5"
	api_json POST /v1/discharges "$PSYCH" "{\"notification_id\": \"$1\",
		\"citizen\": {\"name\": \"$2\", \"phone\": \"$3\"$d_pref},
		\"discharged_at\": \"$4\", \"consent\": {\"contact\": true, \"share_information\": true}}"
	[ "$HTTP_STATUS" = 201 ] || bail "discharge $1 answered $HTTP_STATUS: $(cat "$BODY")"
	COURSE=$(jget course_id)
	FIRST_DUE=$(jget first_call_due)
}

# pending COURSE: the id of the course's pending call (or "").
pending() {
	api GET "/v1/courses/$1" "$ADMIN"
	jget next_call.call_id
}

# outcome CALL BODY [TOKEN]
outcome() {
	api_json POST "/v1/calls/$1/outcome" "${3:-$ADMIN}" "$2"
}

write_config
ADMIN=$(token_add admin coordinator)
PSYCH=$(token_add psychiatry ward-7)
start_api_daemon --test-clock
set_clock 2026-09-07T09:00:00+02:00

# --- mentors -----------------------------------------------------------------------
api_json POST /v1/mentors "$ADMIN" '{"name": "Xenia", "phone": "+45 21 00 00 01"}'
status_is 201 "POST /v1/mentors: 201"
X=$(jget id)
is "$(header Location)" "/v1/mentors/$X" "Location names the new mentor"
is "$(jget phone) $(json_raw "$BODY" working_days) $(jget active) $(json_raw "$BODY" absences)" \
	"+4521000001 [1,2,3,4,5] true []" "defaults: Monday to Friday, active, no absences"
api_json POST /v1/mentors "$ADMIN" \
	'{"name": "Yrsa", "phone": "21000002", "working_days": [2, 4], "absences": [{"from": "2026-10-01", "to": "2026-10-09"}], "active": false}'
Y=$(jget id)
is "$HTTP_STATUS $(json_raw "$BODY" working_days) $(jget absences.0.from) $(jget absences.0.to) $(jget active)" \
	"201 [2,4] 2026-10-01 2026-10-09 false" "POST with working days, an absence and active false"
api GET /v1/mentors "$ADMIN"
is "$HTTP_STATUS $(json_column "$BODY" mentors id) $(json_column "$BODY" mentors name)" \
	"200 $X $Y Xenia Yrsa" "GET /v1/mentors lists both, by id"
api GET "/v1/mentors/$X" "$ADMIN"
is "$HTTP_STATUS $(jget name) $(jget active_courses)" "200 Xenia 0" "GET /v1/mentors/{id}"
api_json PATCH "/v1/mentors/$X" "$ADMIN" '{"working_days": [1, 3, 5]}'
is "$HTTP_STATUS $(json_raw "$BODY" working_days) $(jget name)" "200 [1,3,5] Xenia" \
	"PATCH working_days: 200, the rest kept"
api_json PATCH "/v1/mentors/$X" "$ADMIN" '{"absences": [{"from": "2026-12-21", "to": "2027-01-03"}]}'
is "$HTTP_STATUS $(jget absences.0.from) $(jget absences.0.to) $(json_raw "$BODY" working_days)" \
	"200 2026-12-21 2027-01-03 [1,3,5]" "PATCH absences: 200"
api_json PATCH "/v1/mentors/$X" "$ADMIN" '{"active": false}'
is "$HTTP_STATUS $(jget active)" "200 false" "PATCH active false: 200"
api GET "/v1/mentors/$X" "$ADMIN"
is "$(json_raw "$BODY" working_days) $(jget absences.0.to) $(jget active)" "[1,3,5] 2027-01-03 false" \
	"GET shows every PATCH"
api GET /v1/mentors/999 "$ADMIN"
is_problem 404 "GET /v1/mentors/999: 404 problem"
api_json PATCH /v1/mentors/999 "$ADMIN" '{"active": true}'
is_problem 404 "PATCH /v1/mentors/999: 404 problem"
api GET /v1/mentors/abc "$ADMIN"
is_problem 404 "GET /v1/mentors/abc: 404 problem"
api_json POST /v1/mentors "$ADMIN" '{"name": "Zed", "phone": "21000003", "working_days": [1, 8]}'
is_invalid working_days "weekday 8"
api_json POST /v1/mentors "$ADMIN" '{"name": "Zed", "phone": "21000003", "working_days": [0]}'
is_invalid working_days "weekday 0"
api_json PATCH "/v1/mentors/$X" "$ADMIN" '{"working_days": ["monday"]}'
is_invalid working_days "PATCH weekday \"monday\""
api_json PATCH "/v1/mentors/$X" "$ADMIN" '{"working_days": [4294967297]}'
is_invalid working_days "PATCH weekday 4294967297 (2^32 + 1, not Monday)"
api_json PATCH "/v1/mentors/$X" "$ADMIN" \
	'{"working_days": [1], "absences": [{"from": "2026-10-09", "to": "2026-10-01"}]}'
is_invalid 'absences[0]' "PATCH an absence ending before it starts"
api_json PATCH "/v1/mentors/$X" "$ADMIN" '{"absences": [{"from": "2026-02-30", "to": "2026-03-01"}]}'
is_invalid 'absences[0]' "PATCH an absence from 30 February"
api_json POST /v1/mentors "$ADMIN" '{"phone": "21000003"}'
is_invalid name "POST a mentor without a name"
api_json POST /v1/mentors "$ADMIN" '{"name": "Zed", "phone": "123"}'
is_invalid phone "POST a mentor with phone 123"
# A PATCH's null asks to clear: a mentor's name and phone cannot be, so it is
# 422, never a 200 for a change it ignored.
api_json PATCH "/v1/mentors/$X" "$ADMIN" '{"name": null}'
is_invalid name "PATCH name null"
is "$(jget errors.0.message)" "must not be null" "... says it must not be null"
api_json PATCH "/v1/mentors/$X" "$ADMIN" '{"phone": null}'
is_invalid phone "PATCH phone null"
api_json POST /v1/mentors "$ADMIN" '{"name": " \u00a0 ", "phone": "21000003"}'
is_invalid name "POST a mentor whose name is only white space"
is "$(jget errors.0.message)" "must not be only white space" "... says so"
api_json PATCH "/v1/mentors/$X" "$ADMIN" '{"name": "  "}'
is_invalid name "PATCH a name of blanks"
api_json PATCH "/v1/mentors/$X" "$ADMIN" '{"name": ""}'
is_invalid name "PATCH an empty name"
api_json POST /v1/mentors "$ADMIN" '{"name": "Zed", "phone": "21000003", "working_days": [1, 1]}'
is_invalid 'working_days[1]' "POST working_days [1, 1]: the second Monday named"
api_json PATCH "/v1/mentors/$X" "$ADMIN" '{"working_days": [2, 4, 2]}'
is_invalid 'working_days[2]' "PATCH working_days [2, 4, 2]"
api GET "/v1/mentors/$X" "$ADMIN"
is "$(json_raw "$BODY" working_days) $(jget absences.0.from) $(jget name) $(jget phone)" \
	"[1,3,5] 2026-12-21 Xenia +4521000001" "the refused PATCHes changed nothing"
api GET /v1/mentors "$ADMIN"
is "$(json_len "$BODY" mentors)" 2 "the refused POSTs added no mentor"

# --- offers ------------------------------------------------------------------------
api_json POST /v1/offers "$ADMIN" '{"name": "Headspace", "category": "counselling",
	"provider": "Det Sociale Netværk", "phone": "70 27 20 20", "email": "info@headspace.dk",
	"address": "Nørrebrogade 1", "url": "https://headspace.dk", "hours": "Man-tor 12-18",
	"description": "Anonym rådgivning"}'
status_is 201 "POST /v1/offers: 201"
O1=$(jget id)
is "$(header Location)" "/v1/offers/$O1" "Location names the new offer"
is "$(jget phone)|$(jget provider)|$(jget hours)" "+4570272020|Det Sociale Netværk|Man-tor 12-18" \
	"the offer is stored, phone normalised, UTF-8 intact"
api_json POST /v1/offers "$ADMIN" '{"name": "Walk and talk", "category": "activity"}'
O2=$(jget id)
api GET /v1/offers "$ADMIN"
is "$HTTP_STATUS $(json_column "$BODY" offers id)" "200 $O2 $O1" "GET /v1/offers lists both (by category)"
api GET "/v1/offers/$O1" "$ADMIN"
is "$HTTP_STATUS $(jget name)" "200 Headspace" "GET /v1/offers/{id}"
api_json PATCH "/v1/offers/$O1" "$ADMIN" '{"hours": "Man-fre 10-16"}'
is "$HTTP_STATUS $(jget hours) $(jget email)" "200 Man-fre 10-16 info@headspace.dk" \
	"PATCH hours: 200, the other fields kept"
api_json POST /v1/offers "$ADMIN" '{"name": "Bad", "category": "x", "url": "ftp://example.dk"}'
is_invalid url "an ftp:// url"
api_json POST /v1/offers "$ADMIN" '{"name": "Bad", "category": "x", "email": "nobody"}'
is_invalid email "an e-mail address without @"
api_json POST /v1/offers "$ADMIN" '{"category": "x"}'
is_invalid name "an offer without a name"
api_json POST /v1/offers "$ADMIN" '{"name": "Bad"}'
is_invalid category "an offer without a category"
api_json PATCH "/v1/offers/$O1" "$ADMIN" '{"url": "headspace.dk"}'
is_invalid url "PATCH a url without scheme"
api_json PATCH "/v1/offers/$O1" "$ADMIN" '{}'
is "$HTTP_STATUS $(json_len "$BODY" errors) $(json_raw "$BODY" errors.0.field)" '422 1 ""' \
	"PATCH with no field: 422 naming the body (\"\"), not a field"
like "$(jget errors.0.message)" '^a PATCH must change at least one field' "... saying what is missing"
api_json PATCH "/v1/offers/$O1" "$ADMIN" '{"name": null}'
is_invalid name "PATCH name null"
is "$(jget errors.0.message)" "must not be null" "... says it must not be null"
api_json PATCH "/v1/offers/$O1" "$ADMIN" '{"category": " \u00a0"}'
is_invalid category "PATCH a category of blanks"
api_json POST /v1/offers "$ADMIN" '{"name": "   ", "category": "x"}'
is_invalid name "POST an offer whose name is only white space"
api_json POST /v1/offers "$ADMIN" '{"name": "Bad", "category": "  "}'
is_invalid category "POST an offer whose category is only white space"
api GET "/v1/offers/$O1" "$ADMIN"
is "$(jget name) $(jget category) $(jget url) $(jget hours)" \
	"Headspace counselling https://headspace.dk Man-fre 10-16" "the refused PATCHes changed nothing"
api GET /v1/offers "$ADMIN"
is "$(json_len "$BODY" offers)" 2 "the refused POSTs added no offer"
# An optional field may be cleared: null as "" (the schema allows both).
api_json PATCH "/v1/offers/$O1" "$ADMIN" '{"hours": "Man-fre 9-15", "phone": null}'
is "$HTTP_STATUS $(jget hours) $(jget phone)" "200 Man-fre 9-15 null" "PATCH phone null clears it"
api_json PATCH "/v1/offers/$O1" "$ADMIN" '{"description": null}'
is "$HTTP_STATUS $(jget description) $(jget name)" "200 null Headspace" \
	"PATCH description null alone clears it (no \"at least one field\")"
api DELETE "/v1/offers/$O2" "$ADMIN"
is "$HTTP_STATUS $(jget deleted)" "200 true" "DELETE /v1/offers/{id}: 200"
api GET /v1/offers "$ADMIN"
is "$(json_column "$BODY" offers id)" "$O1" "the deleted offer is no longer listed"
api GET "/v1/offers/$O2" "$ADMIN"
is_problem 404 "GET the deleted offer: 404 problem"
api_json PATCH "/v1/offers/$O2" "$ADMIN" '{"name": "Back"}'
is_problem 404 "PATCH the deleted offer: 404 problem"
api DELETE "/v1/offers/$O2" "$ADMIN"
is_problem 404 "DELETE it again: 404 problem"
api GET /v1/offers/424242 "$ADMIN"
is_problem 404 "GET an unknown offer: 404 problem"

# --- the queue's order --------------------------------------------------------------
# Mentor Q is the only active mentor, so every course below is Q's.
api_json POST /v1/mentors "$ADMIN" '{"name": "Quinn", "phone": "21000010"}'
Q=$(jget id)
QTOKEN=$(token_add mentor quinn "$Q")

# Three citizens discharged Mon 7 Sep: first calls Tue 8 Sep, reached.
set_clock 2026-09-07T15:00:00+02:00
discharge u1 "Ulla Et" 31000001 2026-09-07T12:00:00+02:00
U1=$COURSE
is "$FIRST_DUE $(jget mentor_id)" "2026-09-08 $Q" "discharged Mon 7 Sep: first call Tue 8 Sep, mentor Q"
discharge u2 "Ulla To" 31000002 2026-09-07T12:00:00+02:00
U2=$COURSE
discharge u3 "Ulla Tre" 31000003 2026-09-07T12:00:00+02:00
U3=$COURSE

set_clock 2026-09-08T10:00:00+02:00
U1_FIRST=$(pending "$U1")
# Reached without a date: the first plan step at least 3 days after 8 Sep
# is day 7, Mon 14 Sep.
# Optional members sent as null are members left out (doc/api.md).
outcome "$U1_FIRST" '{"result": "reached", "concern": null, "offers": null, "send_followup": null, "topics": null, "goals": null, "next": null}'
is "$HTTP_STATUS $(jget next_call.due_date) $(jget next_call.reason)" "200 2026-09-14 follow_up" \
	"reached without a date, the optional members null: next plan step Mon 14 Sep"
outcome "$U1_FIRST" '{"result": "reached"}'
is_problem 409 "a second outcome for the same call: 409 problem"
outcome 999999 '{"result": "reached"}'
is_problem 404 "an outcome for an unknown call: 404 problem"
outcome abc '{"result": "reached"}'
is_problem 404 "an outcome for call \"abc\": 404 problem"
U2_FIRST=$(pending "$U2")
outcome "$U2_FIRST" '{"result": "answered"}'
is_invalid result "result \"answered\""
outcome "$U2_FIRST" '{"result": "reached", "topics": ["wellbeing", "weather"]}'
is_invalid 'topics[1]' "an unknown topic"
outcome "$U2_FIRST" "{\"result\": \"reached\", \"offers\": [$O2]}"
is_invalid 'offers[0]' "a deleted offer"
# An offer or topic given twice would be shown twice in the follow-up
# and counted twice in the reports.
outcome "$U2_FIRST" "{\"result\": \"reached\", \"offers\": [$O1, $O1], \"send_followup\": true}"
is "$(json_get "$BODY" errors.0.field): $(json_get "$BODY" errors.0.message)" \
	"offers[1]: is listed twice" "an offer listed twice: 422 naming offers[1]"
outcome "$U2_FIRST" '{"result": "reached", "topics": ["network", "wellbeing", "network"]}'
is_invalid 'topics[2]' "a topic listed twice: 422 naming topics[2]"
outcome "$U2_FIRST" '{"result": "reached", "next": {"action": "continue", "date": "2026-09-08"}}'
is_invalid next.date "an agreed date today (not tomorrow or later)"
outcome "$U2_FIRST" '{"result": "reached", "next": {"action": "pause"}}'
is_invalid next.action "next.action \"pause\""
outcome "$U2_FIRST" '{"result": "reached", "next": {"action": "end"}}'
is_invalid next.reason "next.action end without a reason"
# U2's window ends 7 Mar 2027, a Sunday: 6 Mar (Sat) would move to Mon 8 Mar.
api GET "/v1/courses/$U2" "$ADMIN"
log_before=$(json_len "$BODY" log)
outcome "$U2_FIRST" '{"result": "reached", "next": {"action": "continue", "date": "2027-03-06"}}'
is_invalid next.date "an agreed Sat 6 Mar 2027 moves to Mon 8 Mar, after window_end 7 Mar"
outcome "$U2_FIRST" '{"result": "reached", "next": {"action": "continue", "date": "2027-03-08"}}'
is_invalid next.date "an agreed date after window_end"
api GET "/v1/courses/$U2" "$ADMIN"
is "$(jget next_call.call_id) $(jget next_call.due_date) $(json_len "$BODY" log)" \
	"$U2_FIRST 2026-09-08 $log_before" "the refused outcomes changed nothing: same call pending, same log"
# The web page's note is a textarea: a note may have several lines.
outcome "$U2_FIRST" '{"result": "reached", "note": "Ringede selv tilbage.\nVil gerne tale om bolig.", "next": {"action": "continue", "date": "2026-09-10"}}'
status_is 200 "an outcome with a multi-line note: 200"
[ "$HTTP_STATUS" = 200 ] ||
	outcome "$U2_FIRST" '{"result": "reached", "next": {"action": "continue", "date": "2026-09-10"}}'
is "$HTTP_STATUS $(jget next_call.due_date) $(jget next_call.reason)" "200 2026-09-10 agreed" \
	"reached with an agreed Thu 10 Sep: 200"
outcome "$(pending "$U3")" '{"result": "reached", "next": {"action": "continue", "date": "2026-09-11", "topic": "housing"}}'
is "$(jget next_call.due_date)" 2026-09-11 "U3 agreed Fri 11 Sep"

set_clock 2026-09-10T10:00:00+02:00
discharge f1 "Frida Et" 32000001 2026-09-10T08:00:00+02:00
F1=$COURSE
is "$FIRST_DUE" 2026-09-11 "F1 discharged Thu 10 Sep: first call Fri 11 Sep"

set_clock 2026-09-11T10:00:00+02:00
outcome "$(pending "$U3")" '{"result": "no_answer", "next": null, "concern": null}'
status_is 200 "no answer, next and concern null as left out: 200"
is "$(jget next_call.due_date) $(jget next_call.reason) $(jget next_call.attempt)" "2026-09-14 retry 2" \
	"U3's agreed call unanswered on a Friday: retry Mon 14 Sep, attempt 2"

set_clock 2026-09-14T10:00:00+02:00
discharge f2 "Frida To" 32000002 2026-09-14T08:00:00+02:00
F2=$COURSE
set_clock 2026-09-15T10:00:00+02:00
outcome "$(pending "$F2")" '{"result": "no_answer"}'
is "$(jget next_call.due_date) $(jget next_call.attempt)" "2026-09-16 2" "F2's first call unanswered: retry Wed 16 Sep"
discharge f3 "Frida Tre" 32000003 2026-09-15T08:00:00+02:00
F3=$COURSE
set_clock 2026-09-17T10:00:00+02:00
discharge f6 "Frida Seks" 32000006 2026-09-17T08:00:00+02:00
F6=$COURSE
discharge f5 "Frida Fem" 32000005 2026-09-17T08:00:00+02:00 '{"from": "13:00", "to": "15:00"}'
F5=$COURSE
discharge f4 "Frida Fire" 32000004 2026-09-17T08:00:00+02:00 '{"from": "08:00", "to": "10:00"}'
F4=$COURSE

set_clock 2026-09-18T08:00:00+02:00
api GET /v1/queue "$QTOKEN"
status_is 200 "Fri 18 Sep: Q's queue"
# First contacts first: F1 (due 11 Sep), F2 (16 Sep, attempt 2) before F3
# (16 Sep, attempt 1), then today's F4 (08:00), F5 (13:00), F6 (no time)
# against their ids; then the other calls: U2 (10 Sep), U3 (14 Sep,
# attempt 2), U1 (14 Sep, attempt 1).
is "$(json_column "$BODY" calls course_id)" "$F1 $F2 $F3 $F4 $F5 $F6 $U2 $U3 $U1" \
	"the queue's order: first contacts, overdue, attempt, preferred time"
is "$(json_column "$BODY" calls reason)" \
	"first_contact retry first_contact first_contact first_contact first_contact agreed retry follow_up" \
	"the reasons"
is "$(json_column "$BODY" calls overdue_days)" "7 2 2 0 0 0 8 4 4" "overdue days"
is "$(json_column "$BODY" calls attempt)" "1 2 1 1 1 1 1 2 1" "attempts"
is "$(jget calls.3.preferred_call_time.from)-$(jget calls.3.preferred_call_time.to) $(json_raw "$BODY" calls.5.preferred_call_time)" \
	"08:00-10:00 null" "preferred call times as given, null when none"
is "$(jget calls.7.agreed_topic)" housing "the retry of an agreed call keeps its topic"

# --- the agreed date after the window is refused (F1's window ends 10 Mar 2027)
F1_CALL=$(jget calls.0.call_id)
api GET "/v1/courses/$F1" "$ADMIN"
log_before=$(json_len "$BODY" log)
outcome "$F1_CALL" '{"result": "reached", "topics": ["wellbeing"], "send_followup": true, "next": {"action": "continue", "date": "2027-03-11"}}' "$QTOKEN"
is_invalid next.date "agreed 11 Mar 2027, a day after window_end"
api GET "/v1/courses/$F1" "$ADMIN"
is "$(jget next_call.call_id) $(json_len "$BODY" log)" "$F1_CALL $log_before" \
	"nothing changed: the call is pending, the log is as it was"
api GET /v1/queue "$QTOKEN"
is "$(jget calls.0.call_id)" "$F1_CALL" "the call is still first in the queue"
outcome "$F1_CALL" '{"result": "reached", "next": {"action": "continue", "date": "2027-03-10"}}' "$QTOKEN"
is "$HTTP_STATUS $(jget next_call.due_date)" "200 2027-03-10" "agreed on window_end itself: 200"

# --- end, resume, contacts --------------------------------------------------------
F6_CALL=$(pending "$F6")
api_json POST "/v1/courses/$F6/end" "$QTOKEN" '{}'
is_invalid reason "end without a reason"
api_json POST "/v1/courses/$F6/end" "$QTOKEN" '{"reason": "moved to another municipality"}'
is "$HTTP_STATUS $(jget state) $(json_raw "$BODY" next_call)" "200 ended null" \
	"end with a reason: 200, ended, no call pending"
api GET /v1/queue "$QTOKEN"
case " $(json_column "$BODY" calls course_id) " in
*" $F6 "*) fail "the ended course's call left the queue" "$(cat "$BODY")" ;;
*) pass "the ended course's call left the queue" ;;
esac
api GET "/v1/courses/$F6" "$ADMIN"
is "$(jget state_reason) $(json_column "$BODY" log kind | awk '{print $(NF-3), $(NF-2), $(NF-1), $NF}')" \
	"moved to another municipality call_cancelled call_task_withdrawn ended message" \
	"the log: call cancelled, its unsent call task withdrawn, ended, closing message"
is "$(jget log.$(($(json_len "$BODY" log) - 4)).details.call_id)" "$F6_CALL" "the cancelled call is F6's pending call"
outcome "$F6_CALL" '{"result": "reached"}'
is_problem 409 "an outcome on the cancelled call: 409 problem"
api_json POST "/v1/courses/$F6/end" "$QTOKEN" '{"reason": "again"}'
is_problem 409 "ending an ended course: 409 problem"
api_json POST "/v1/courses/$F5/resume" "$QTOKEN" '{}'
is_problem 409 "resuming an active course: 409 problem"
# An optional member sent as null is one left out (a PATCH is stricter).
api_json POST "/v1/courses/$F5/contacts" "$QTOKEN" '{"date": null, "topic": null}'
is "$HTTP_STATUS $(jget state) $(jget next_call.reason)" "200 active first_contact" \
	"a contact on an active course, date and topic null: 200, logged, the pending call kept"
api_json POST "/v1/courses/$F6/resume" "$QTOKEN" '{"date": "2026-09-20", "topic": "new flat"}'
is "$HTTP_STATUS $(jget state) $(jget next_call.due_date) $(jget next_call.reason)" \
	"200 active 2026-09-21 resumed" "resume with an agreed Sun 20 Sep: call Mon 21 Sep"
api_json POST "/v1/courses/$F6/resume" "$QTOKEN" '{"date": "20-09-2026"}'
is_invalid date "resume with a Danish-style date"
api_json POST /v1/courses/999999/resume "$QTOKEN" '{}'
is_problem 404 "resume an unknown course: 404 problem"
api_json POST /v1/courses/999999/contacts "$ADMIN" '{}'
is_problem 404 "a contact for an unknown course: 404 problem"
api_json POST /v1/courses/999999/end "$ADMIN" '{"reason": "x"}'
is_problem 404 "end an unknown course: 404 problem"
api GET /v1/courses/abc "$ADMIN"
is_problem 404 "GET /v1/courses/abc: 404 problem"

# --- routing around an absent mentor -----------------------------------------------------
api_json POST /v1/mentors "$ADMIN" '{"name": "Rasmus", "phone": "21000020"}'
R1=$(jget id)
api_json POST /v1/mentors "$ADMIN" '{"name": "Rikke", "phone": "21000021"}'
R2=$(jget id)
R2TOKEN=$(token_add mentor rikke "$R2")
# The least-loaded mentor with the lowest id takes the next course: R1.
discharge r1 "Rune Rask" 33000001 2026-09-18T07:00:00+02:00
R1_COURSE=$COURSE
is "$(jget mentor_id)" "$R1" "a new course goes to the least-loaded mentor (R1, 0 courses, lowest id)"
api GET "/v1/mentors/$Q" "$ADMIN"
Q_LOAD=$(jget active_courses)
is "$Q_LOAD" 9 "Q has 9 active courses"
# Q is away on Mon 21 Sep only. R2 is the least-loaded available mentor.
api_json PATCH "/v1/mentors/$Q" "$ADMIN" '{"absences": [{"from": "2026-09-21", "to": "2026-09-21"}]}'
api GET "/v1/queue?mentor=$Q&date=2026-09-21" "$ADMIN"
is "$HTTP_STATUS $(json_len "$BODY" calls)" "200 0" "Q's queue is empty the day Q is absent"
api GET "/v1/queue?mentor=$R2&date=2026-09-21" "$ADMIN"
# F1's next call is 10 Mar 2027: 8 of Q's 9 courses have a call due.
is "$(json_len "$BODY" calls) $(jget calls.0.course_id)" "8 $F2" "R2 (least loaded) gets Q's 8 due calls that day"
api GET "/v1/queue?mentor=$R1&date=2026-09-21" "$ADMIN"
is "$(json_column "$BODY" calls course_id)" "$R1_COURSE" "R1 keeps only R1's own call"
api GET "/v1/queue?mentor=$R2&date=2026-09-22" "$ADMIN"
is "$(json_len "$BODY" calls)" 0 "the next day R2's queue is empty again"
api GET "/v1/queue?mentor=$Q&date=2026-09-22" "$ADMIN"
is "$(json_len "$BODY" calls)" 8 "and Q has the calls back"
api GET "/v1/courses/$F2" "$ADMIN"
is "$(jget mentor_id)" "$Q" "routing does not change the assignment"
F2_CALL=$(jget next_call.call_id)
outcome "$F2_CALL" '{"result": "no_answer"}' "$R2TOKEN"
is_problem 403 "on Fri 18 Sep R2 may not record Q's citizen's call"
set_clock 2026-09-21T09:00:00+02:00
api GET /v1/queue "$R2TOKEN"
is "$(json_len "$BODY" calls)" 8 "Mon 21 Sep: R2's own queue holds Q's calls"
outcome "$F2_CALL" '{"result": "no_answer"}' "$R2TOKEN"
is "$HTTP_STATUS $(jget next_call.due_date) $(jget next_call.attempt)" "200 2026-09-22 3" \
	"on the day it is routed to R2, R2 may record it"
api GET "/v1/courses/$F2" "$R2TOKEN"
is_problem 403 "R2 still may not read Q's citizen's course"
# A weekday Q does not work routes the same way.
api_json PATCH "/v1/mentors/$Q" "$ADMIN" '{"working_days": [1, 2, 3, 4]}'
api GET "/v1/queue?mentor=$R2&date=2026-09-25" "$ADMIN"
is "$(json_len "$BODY" calls)" 8 "Q does not work Fridays: Fri 25 Sep's calls go to R2"
api_json PATCH "/v1/mentors/$Q" "$ADMIN" '{"working_days": [1, 2, 3, 4, 5]}'

# --- queue parameters -----------------------------------------------------------------------
api GET "/v1/queue?mentor=$Q&date=2026-13-01" "$ADMIN"
is_invalid date "GET /v1/queue?date=2026-13-01"
api GET "/v1/queue?mentor=abc" "$ADMIN"
is_invalid mentor "GET /v1/queue?mentor=abc"
api GET "/v1/queue?mentor=999" "$ADMIN"
is_problem 404 "GET /v1/queue for an unknown mentor: 404 problem"

# --- listing courses ---------------------------------------------------------------------------
api_json POST "/v1/courses/$U1/end" "$ADMIN" '{"reason": "declined by letter"}'
api GET "/v1/courses?state=active&mentor=$Q" "$ADMIN"
is "$HTTP_STATUS $(json_column "$BODY" courses id)" "200 $U2 $U3 $F1 $F2 $F3 $F6 $F5 $F4" \
	"?state=active&mentor=Q: Q's active courses"
api GET "/v1/courses?state=ended&mentor=$Q" "$ADMIN"
is "$(json_column "$BODY" courses id)" "$U1" "?state=ended&mentor=Q: the ended one"
api GET "/v1/courses?state=active&mentor=$R1" "$ADMIN"
is "$(json_column "$BODY" courses id) $(jget courses.0.state) $(jget courses.0.mentor_id)" \
	"$R1_COURSE active $R1" "?state=active&mentor=R1"
api GET "/v1/courses?mentor=$R2" "$ADMIN"
is "$HTTP_STATUS $(json_len "$BODY" courses)" "200 0" "?mentor=R2: none (routing assigns nothing)"
api GET "/v1/courses?state=closed" "$ADMIN"
is "$(json_len "$BODY" courses)" 0 "?state=closed: none yet"
api GET "/v1/courses?mentor=x" "$ADMIN"
is_invalid mentor "GET /v1/courses?mentor=x"
# Pages: ?limit= courses after ?after=, and next_after names where the
# next page starts (null on the last).
page() {
	api GET "/v1/courses?state=active&mentor=$Q&limit=3$1" "$ADMIN"
	printf '%s / %s' "$(json_column "$BODY" courses id)" "$(json_raw "$BODY" next_after)"
}
is "$(page "")" "$U2 $U3 $F1 / $F1" "?limit=3: the first three courses, next_after the third"
is "$(page "&after=$F1")" "$F2 $F3 $F6 / $F6" "&after= the third: the next three"
is "$(page "&after=$F6")" "$F5 $F4 / null" "the last page: two courses, next_after null"
api GET "/v1/courses?limit=0&after=-1" "$ADMIN"
is "$HTTP_STATUS $(error_fields)" "422 after limit" "?limit=0&after=-1: 422 naming both"
api GET "/v1/courses?limit=1001" "$ADMIN"
is_invalid limit "?limit=1001: more than a page may hold"
api GET /v1/courses "$QTOKEN"
is "$(json_len "$BODY" courses)" 9 "a mentor's GET /v1/courses lists their own 9"

# --- the router: 404 and 405 -------------------------------------------------------------
api GET /v1/nothing "$ADMIN"
is_problem 404 "GET /v1/nothing: 404 problem"
api GET "/v1/courses/$F1/timeline" "$ADMIN"
is_problem 404 "GET /v1/courses/{id}/timeline: 404 problem"
http GET /
is_problem 404 "GET /: 404 problem"
api DELETE /v1/courses "$ADMIN"
is_problem 405 "DELETE /v1/courses: 405 problem"
is "$(header Allow)" "POST, GET" "Allow: POST, GET (a self-referral is a POST)"
api_json PUT "/v1/mentors/$Q" "$ADMIN" '{}'
is_problem 405 "PUT /v1/mentors/{id}: 405 problem"
like "$(header Allow)" '^GET, PATCH$|^PATCH, GET$' "Allow: GET, PATCH"
api GET /v1/discharges "$ADMIN"
is_problem 405 "GET /v1/discharges: 405 problem"
is "$(header Allow)" POST "Allow: POST"
api GET "/v1/calls/$F2_CALL/outcome" "$ADMIN"
like "$HTTP_STATUS $(header Allow)" '^405 (POST, PUT|PUT, POST)$' \
	"GET /v1/calls/{id}/outcome: 405, Allow: POST, PUT (a same-day correction)"
api_json POST /v1/audit "$ADMIN" '{}'
is "$HTTP_STATUS $(header Allow)" "405 GET" "POST /v1/audit: 405, Allow: GET"
api PUT /v1/offers "$ADMIN"
like "$HTTP_STATUS $(header Allow)" '^405 (GET, POST|POST, GET)$' "PUT /v1/offers: 405, Allow: GET, POST"

# --- bodies: 400, 413, 415 on every route that takes one ---------------------------------
head -c 70000 /dev/zero | tr '\0' ' ' >"$TEST_TMP/big.json"
printf '{}' >>"$TEST_TMP/big.json"
for route in "POST /v1/calls/$F2_CALL/outcome" "POST /v1/courses/$F3/contacts" \
	"POST /v1/courses/$F3/resume" "POST /v1/courses/$F3/end" "POST /v1/mentors" \
	"PATCH /v1/mentors/$Q" "POST /v1/offers" "PATCH /v1/offers/$O1"; do
	# shellcheck disable=SC2086 # METHOD PATH
	set -- $route
	api_json "$1" "$2" "$ADMIN" '{"result": "reached",'
	is_problem 400 "$route, malformed JSON: 400 problem"
	http "$1" "$2" -H "Authorization: Bearer $ADMIN" -H 'Content-Type: text/plain' -H 'Expect:' \
		--data-binary '{"reason": "x", "result": "declined", "name": "N", "phone": "21000099", "category": "c"}'
	is_problem 415 "$route, text/plain: 415 problem"
	http "$1" "$2" -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' -H 'Expect:' \
		--data-binary "@$TEST_TMP/big.json"
	is "$HTTP_STATUS" 413 "$route, 70 kB body: 413"
done
api GET "/v1/courses/$F3" "$ADMIN"
is "$(jget state) $(jget next_call.reason)" "active first_contact" "the refused bodies changed nothing"

# --- wrong number, and ending at the call -----------------------------------------------------
outcome "$(pending "$F3")" '{"result": "wrong_number"}'
is "$HTTP_STATUS $(jget state) $(json_raw "$BODY" next_call) $(jget flagged)" "200 active null true" \
	"wrong_number: no retry, the course flagged"
api GET "/v1/courses/$F3" "$ADMIN"
is "$(jget flag)" wrong_number "the course's flag says wrong_number"
# F3 has no CPR number: the phone, known to be wrong, is its only address.
api_json POST "/v1/courses/$F3/end" "$ADMIN" '{"reason": "cannot be reached"}'
is "$HTTP_STATUS $(sql "$DATABASE" "SELECT count(*) FROM outbox WHERE course_id = $F3 AND kind = 'message'")" \
	"200 0" "ending a course whose phone is wrong and has no CPR queues no closing message"
api GET "/v1/courses/$F3" "$ADMIN"
is "$(json_column "$BODY" log kind | awk '{print $NF}') $(jget log.$(($(json_len "$BODY" log) - 1)).details.type)" \
	"message_skipped closing" "the log tells the coordinator the closing message was not sent"
outcome "$(pending "$F4")" '{"result": "reached", "topics": ["callback_wish"], "next": {"action": "end", "reason": "does not want more calls"}}'
is "$HTTP_STATUS $(jget state) $(json_raw "$BODY" next_call)" "200 ended null" \
	"reached with next.action end: the course ends"
api GET "/v1/courses/$F4" "$ADMIN"
is "$(jget state_reason)" "does not want more calls" "the end reason is kept"

# --- after the window: resuming is refused ----------------------------------------------------
# U1 ended on 21 Sep; its window ended 7 Mar 2027.
set_clock 2027-03-08T10:00:00+01:00
api_json POST "/v1/courses/$U1/resume" "$ADMIN" '{}'
is_problem 409 "resume after the window: 409 problem"
api_json POST "/v1/courses/$U1/contacts" "$ADMIN" '{}'
is_problem 409 "an inbound contact after the window: 409 problem"
api GET "/v1/courses/$U1" "$ADMIN"
like "$(jget state) $(json_raw "$BODY" next_call)" '^(ended|closed) null$' "U1 did not resume"

# --- a course without a mentor, and the coordinator assigning one ------------------------------
# ctl_status: mentorctl status's line for the coordinator.
ctl_status() {
	"$MENTORCTL" --database "$DATABASE" "$@" status 2>"$TEST_TMP/ctl.err" ||
		bail "mentorctl status failed: $(cat "$TEST_TMP/ctl.err")"
}
# No mentor is active when Nanna's discharge comes in.
for m in "$Q" "$R1" "$R2"; do
	api_json PATCH "/v1/mentors/$m" "$ADMIN" '{"active": false}'
done
is "$(ctl_status | grep '^for the coordinator:')" "for the coordinator: 0 without a mentor, 0 wrong number" \
	"status before: no course waits for a coordinator"
discharge n1 "Nanna Ny" 34000001 2027-03-08T08:00:00+01:00
N1=$COURSE
is "$(json_raw "$BODY" mentor_id) $FIRST_DUE" "null 2027-03-09" "no active mentor: the course is stored without one"
api GET "/v1/courses/$N1" "$ADMIN"
is "$(json_column "$BODY" log kind | awk '{print $2}')" mentor_unassigned "its log says a coordinator must assign one"
is "$(ctl_status | grep '^for the coordinator:')" "for the coordinator: 1 without a mentor, 0 wrong number" \
	"mentorctl status counts the course without a mentor"
ctl_status --json >"$TEST_TMP/status.json"
is "$(json_get "$TEST_TMP/status.json" courses.unassigned) $(json_get "$TEST_TMP/status.json" courses.wrong_number)" \
	"1 0" "status --json counts it too"
api_json PATCH "/v1/mentors/$R2" "$ADMIN" '{"active": true}'
api GET "/v1/mentors/$R2" "$ADMIN"
R2_LOAD=$(jget active_courses)
api_json PATCH "/v1/courses/$N1" "$R2TOKEN" "{\"mentor_id\": $R2}"
is_problem 403 "a mentor may not assign a course's mentor (not even to themselves): 403"
api_json PATCH "/v1/courses/$N1" "$ADMIN" "{\"mentor_id\": $Q}"
is_invalid mentor_id "PATCH to an inactive mentor: 422 naming mentor_id"
api_json PATCH "/v1/courses/$N1" "$ADMIN" '{"mentor_id": 999}'
is_invalid mentor_id "PATCH to an unknown mentor: 422 naming mentor_id"
api_json PATCH "/v1/courses/$N1" "$ADMIN" '{"mentor_id": "2"}'
is_invalid mentor_id "PATCH with a mentor_id that is not an integer: 422"
api_json PATCH "/v1/courses/$N1" "$ADMIN" '{}'
is_invalid mentor_id "PATCH without mentor_id: 422"
api_json PATCH "/v1/courses/$N1" "$ADMIN" "{\"mentor_id\": $R2, \"mentor_id\": $R2}"
is_problem 400 "PATCH with a duplicate key: 400"
api_json PATCH /v1/courses/999999 "$ADMIN" "{\"mentor_id\": $R2}"
is_problem 404 "PATCH an unknown course: 404"
api GET "/v1/courses/$N1" "$ADMIN"
is "$(json_raw "$BODY" mentor_id) $(json_len "$BODY" log)" "null 3" "the refused PATCHes changed nothing"
api_json PATCH "/v1/courses/$N1" "$ADMIN" "{\"mentor_id\": $R2, \"note\": \"ignored\"}"
is "$HTTP_STATUS $(jget id) $(jget mentor_id) $(jget next_call.due_date)" "200 $N1 $R2 2027-03-09" \
	"PATCH assigns the mentor and replies with the course (unknown fields ignored)"
N1_LAST=$(($(json_len "$BODY" log) - 1))
is "$(jget log.$N1_LAST.kind) $(jget log.$N1_LAST.details.mentor_id) $(json_raw "$BODY" log.$N1_LAST.details.previous_mentor_id)" \
	"mentor_assigned $R2 null" "the log has mentor_assigned with no previous mentor"
api GET "/v1/courses/$N1" "$R2TOKEN"
is "$HTTP_STATUS $(jget mentor_id)" "200 $R2" "the mentor may now read the course"
api GET /v1/queue?date=2027-03-09 "$R2TOKEN"
# R2 is the only active mentor: the inactive ones' calls are routed there too.
is "$(json_column "$BODY" calls course_id | tr ' ' '\n' | grep -cx "$N1")" 1 \
	"and has its first call in their queue"
api GET "/v1/mentors/$R2" "$ADMIN"
is "$(jget active_courses)" "$((R2_LOAD + 1))" "the mentor's active_courses counts it"
is "$(ctl_status | grep '^for the coordinator:')" "for the coordinator: 0 without a mentor, 0 wrong number" \
	"status after: no course without a mentor"
api GET "/v1/audit?course=$N1" "$ADMIN"
like "$(json_column "$BODY" audit action)" 'assign_mentor' "the assignment is in the audit trail"
# Handing the course to another mentor moves its load and logs both.
api_json PATCH "/v1/mentors/$Q" "$ADMIN" '{"active": true}'
api GET "/v1/mentors/$Q" "$ADMIN"
Q_LOAD=$(jget active_courses)
api_json PATCH "/v1/courses/$N1" "$ADMIN" "{\"mentor_id\": $Q}"
N1_LAST=$(($(json_len "$BODY" log) - 1))
is "$HTTP_STATUS $(jget mentor_id) $(jget log.$N1_LAST.details.previous_mentor_id)" "200 $Q $R2" \
	"reassigning logs the previous mentor"
api GET "/v1/mentors/$R2" "$ADMIN"
R2_AFTER=$(jget active_courses)
api GET "/v1/mentors/$Q" "$ADMIN"
is "$R2_AFTER $(jget active_courses)" "$R2_LOAD $((Q_LOAD + 1))" "the load moves with the course"
api_json PATCH "/v1/courses/$N1" "$ADMIN" "{\"mentor_id\": $Q}"
is "$HTTP_STATUS $(json_len "$BODY" log)" "200 $((N1_LAST + 1))" "the same mentor again changes nothing"
# A wrong number is counted for the coordinator too.
set_clock 2027-03-09T10:00:00+01:00
outcome "$(pending "$N1")" '{"result": "wrong_number"}'
is "$(ctl_status | grep '^for the coordinator:')" "for the coordinator: 0 without a mentor, 1 wrong number" \
	"status counts the active course flagged wrong_number"
# A superseded course keeps its mentor.
discharge n2 "Nanna Ny" 34000001 2027-03-09T08:00:00+01:00
api_json PATCH "/v1/courses/$N1" "$ADMIN" "{\"mentor_id\": $R2}"
is_problem 409 "PATCH a superseded course: 409"
