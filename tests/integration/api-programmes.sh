#!/bin/sh
# api-programmes.sh - two programmes side by side (doc/programmes.md): the
# preventive scheme (discharges, its tapering plan) and a youth programme
# (a caseworker's referrals, a call every 14 days). A referral waits for a
# decision; those near or past the 10-day deadline are listed as at risk;
# the decision starts the course with the youth plan, and the preventive
# course beside it is scheduled exactly as before. Bad referrals are 422
# naming the field; a caseworker may not read the queue or submit
# discharges.
#
# Dates: Monday 23 March 2026 (before the DST change of 29 March); Easter
# 2026 is 5 April (2-6 April are not working days).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/api-lib.sh"

plan 73

write_config
cat >>"$CONFIG" <<'CONF'
programmes = (
  { id = "preventive"; name = "Forebyggende social mentorordning"; intake = "discharge"; },
  { id = "youth"; name = "Mentorforløb for unge"; intake = "referral";
    plan = { interval_days = 14; first_day = 1; min_months = 3; meeting_interval_days = 42; };
    messages = { welcome = false; };
    referral = { decision_days = 10; at_risk_days = 3; }; }
);
CONF

ADMIN=$(token_add admin coordinator)
CASE=$(token_add caseworker "Kim Sagsbehandler")
PSYCH=$(token_add psychiatry ward)
start_api_daemon --test-clock
set_clock 2026-03-23T09:00:00+01:00

api_json POST /v1/mentors "$ADMIN" '{"name": "Mette Mentor", "phone": "20 30 40 50"}'
METTE=$(jget id)
METTE_TOKEN=$(token_add mentor mette "$METTE")
api_json POST /v1/mentors "$ADMIN" '{"name": "Mads Mentor", "phone": "20 30 40 51"}'
MADS=$(jget id)

# referral PROGRAMME NAME CPR PHONE NEED [WISHES]
referral() {
	printf '{"programme": "%s", "citizen": {"name": "%s", "cpr": "%s", "phone": "%s"},
		"need_identified_on": "%s", "consent": {"contact": true, "share_information": true}%s}' \
		"$1" "$2" "$3" "$4" "$5" "${6:+, \"wishes\": $6}"
}
courses() {
	sql "$DATABASE" "SELECT count(*) FROM courses"
}

# --- bad referrals: 422 naming the field, nothing stored ------------------------------
api_json POST /v1/referrals "$CASE" "$(referral preventive "Sofie Lund" 0101081234 "22 33 44 01" 2026-03-13)"
is_invalid programme "the preventive scheme takes no referrals: 422 naming programme"
api_json POST /v1/referrals "$CASE" "$(referral school "Sofie Lund" 0101081234 "22 33 44 01" 2026-03-13)"
is_invalid programme "a programme not configured: 422 naming programme"
api_json POST /v1/referrals "$CASE" "$(referral youth "Sofie Lund" 0101081234 "22 33 44 01" 2026-03-24)"
is_invalid need_identified_on "a need identified tomorrow: 422 naming need_identified_on"
api_json POST /v1/referrals "$CASE" "$(referral youth "Sofie Lund" 0101081234 "22 33 44 01" 1900-03-01)"
is_invalid need_identified_on "a need identified in 1900: 422 naming need_identified_on"
api_json POST /v1/referrals "$CASE" "$(referral youth "Sofie Lund" 0101081234 "22 33 44 01" 2025-03-22)"
is_invalid need_identified_on "a need identified more than 12 months ago: 422"
api_json POST /v1/referrals "$CASE" "$(referral youth "Sofie Lund" 0101081234 "22 33 44 01" 13-03-2026)"
is_invalid need_identified_on "a need date not YYYY-MM-DD: 422"
api_json POST /v1/referrals "$CASE" "$(referral youth "Sofie Lund" 3213081234 "22 33 44 01" 2026-03-13)"
is_invalid citizen.cpr "a CPR number without a birth date: 422 naming citizen.cpr"
api_json POST /v1/referrals "$CASE" "$(referral youth "Sofie Lund" 0101081234 "12" 2026-03-13)"
is_invalid citizen.phone "a bad phone: 422 naming citizen.phone"
api_json POST /v1/referrals "$CASE" '{"programme": "youth", "citizen": {"name": "Sofie Lund", "phone": "22 33 44 01"}, "need_identified_on": "2026-03-13"}'
is_invalid consent "no consent: 422 naming consent"
api_json POST /v1/referrals "$CASE" "$(referral youth "Sofie Lund" 0101081234 "22 33 44 01" 2026-03-13 '{"gender": "any"}')"
is_invalid wishes.gender "a wish for a gender not female, male or other: 422"
api_json POST /v1/referrals "$CASE" "$(referral youth "Sofie Lund" 0101081234 "22 33 44 01" 2026-03-13 '{"colour": "blue"}')"
is_invalid wishes "an unknown wish: 422 naming wishes"
is "$(courses)" 0 "nothing was stored by the refusals"

# --- roles ------------------------------------------------------------------------------
api_json POST /v1/referrals "$METTE_TOKEN" "$(referral youth "Sofie Lund" 0101081234 "22 33 44 01" 2026-03-13)"
status_is 403 "a mentor does not refer: 403"
api_json POST /v1/referrals "$PSYCH" "$(referral youth "Sofie Lund" 0101081234 "22 33 44 01" 2026-03-13)"
status_is 403 "psychiatry does not refer: 403"
api GET "/v1/queue?mentor=$METTE" "$CASE"
status_is 403 "a caseworker may not read the queue: 403"
api_json POST /v1/discharges "$CASE" '{"notification_id": "n-x", "citizen": {"name": "X", "phone": "22 33 44 09"}, "discharged_at": "2026-03-22T10:00:00+01:00", "consent": {"contact": true, "share_information": true}}'
status_is 403 "a caseworker may not submit discharges: 403"
api GET /v1/courses "$CASE"
status_is 403 "a caseworker may not list courses: 403"
api GET /v1/referrals "$METTE_TOKEN"
status_is 403 "a mentor may not list referrals: 403"
is "$(courses)" 0 "nothing was stored by the refused roles"

# --- referrals and the 10-day deadline ----------------------------------------------------
# Sofie: need identified Fri 13 Mar, decision due today (0 days left: at
# risk). Jonas: 20 Mar, due 30 Mar (7 days left). Emil: 10 Mar, due 20 Mar
# (3 days overdue).
api_json POST /v1/referrals "$CASE" "$(referral youth "Sofie Lund" 0101081234 "22 33 44 01" 2026-03-13 '{"gender": "female", "languages": ["da"]}')"
status_is 201 "Sofie referred: 201"
SOFIE=$(jget course_id)
is "$(jget state) $(jget decision_due) $(header Location)" \
	"awaiting_decision 2026-03-23 /v1/courses/$SOFIE" "awaiting a decision, due 10 days after the need"
api_json POST /v1/referrals "$CASE" "$(referral youth "Jonas Holm" 0202071234 "22 33 44 02" 2026-03-20)"
JONAS=$(jget course_id)
api_json POST /v1/referrals "$ADMIN" "$(referral youth "Emil Berg" 0303061234 "22 33 44 03" 2026-03-10)"
status_is 201 "an admin may refer too: 201"
EMIL=$(jget course_id)
api_json POST /v1/referrals "$CASE" "$(referral youth "Sofie Lund" 0101081234 "22 33 44 01" 2026-03-14)"
status_is 409 "a second referral of Sofie to the same programme: 409"
is "$(sql "$DATABASE" "SELECT count(*) FROM calls") $(sql "$DATABASE" "SELECT count(*) FROM outbox")" \
	"0 0" "no call and no message while awaiting a decision"

api GET /v1/referrals "$ADMIN"
status_is 200 "GET /v1/referrals: 200"
is "$(json_column "$BODY" referrals course_id)" "$SOFIE $JONAS $EMIL" "three referrals await a decision"
is "$(json_column "$BODY" referrals days_left)" "0 7 -3" "days left in Copenhagen calendar days"
api GET "/v1/referrals?at_risk=true" "$ADMIN"
is "$(json_column "$BODY" referrals course_id)" "$SOFIE $EMIL" "at risk: Sofie (due today) and Emil (overdue)"
is "$(json_column "$BODY" referrals overdue)" "false true" "Emil is overdue"
is "$(jget referrals.0.wishes.gender) $(jget referrals.0.programme_name)" \
	"female Mentorforløb for unge" "the wishes and the programme's name are shown"
api GET "/v1/referrals?at_risk=maybe" "$CASE"
is_invalid at_risk "at_risk neither true nor false: 422"
is "$(sql "$DATABASE" "SELECT sum(times) FROM audit WHERE purpose = 'list referrals'")" 5 \
	"every referral listed is audited (three, then the two at risk, the same day's on one row)"
api GET "/v1/referrals?at_risk=true&limit=1" "$ADMIN"
is "$(json_column "$BODY" referrals course_id) $(json_raw "$BODY" next_after)" "$SOFIE $SOFIE" \
	"a page of one referral at risk: Sofie, the next page after her"
api GET "/v1/referrals?at_risk=true&limit=1&after=$SOFIE" "$ADMIN"
is "$(json_column "$BODY" referrals course_id) $(json_raw "$BODY" next_after)" "$EMIL null" \
	"the last page: Emil, next_after null"
api GET "/v1/referrals?limit=0" "$CASE"
is_invalid limit "a limit of 0: 422"

# A caseworker acts on their own referrals only (doc/programmes.md, "Who
# may do what"): not on the coordinator's Emil, not on a colleague's.
api GET /v1/referrals "$CASE"
is "$(json_column "$BODY" referrals course_id)" "$SOFIE $JONAS" \
	"a caseworker lists only their own referrals, not the coordinator's"
OTHER_CASE=$(token_add caseworker "Lis Sagsbehandler")
api GET /v1/referrals "$OTHER_CASE"
is "$(json_column "$BODY" referrals course_id)" "" "a colleague's list holds none of Kim's referrals"
api GET "/v1/referrals/$SOFIE/proposals" "$OTHER_CASE"
status_is 403 "a colleague may not read the proposals (and wishes) of Kim's referral: 403"
api_json POST "/v1/referrals/$SOFIE/decision" "$OTHER_CASE" '{"decision": "reject"}'
status_is 403 "a colleague may not reject Kim's referral: 403"
api_json POST "/v1/referrals/$EMIL/decision" "$CASE" '{"decision": "start"}'
status_is 403 "a caseworker may not decide the coordinator's referral: 403"
api_json POST "/v1/referrals/999/decision" "$CASE" '{"decision": "start"}'
status_is 404 "an unknown referral: 404"
is "$(sql "$DATABASE" "SELECT group_concat(state) FROM courses WHERE id IN ($SOFIE, $EMIL)")" \
	"awaiting_decision,awaiting_decision" "the refused decisions changed nothing"
http GET /metrics
like "$(grep 'mentord_referrals_undecided{' "$BODY" | sort | tr '\n' ' ')" \
	'deadline="at_risk"} 1 .*deadline="on_time"} 1 .*deadline="overdue"} 1' \
	"metrics: one referral at risk, one on time, one overdue"

# Tomorrow Jonas has 6 days left, Sofie is overdue.
set_clock 2026-03-24T09:00:00+01:00
api GET "/v1/referrals?at_risk=true&programme=youth" "$ADMIN"
is "$(json_column "$BODY" referrals days_left)" "-1 -4" "a day later: Sofie and Emil overdue"

# --- decisions --------------------------------------------------------------------------
api_json POST "/v1/referrals/$EMIL/decision" "$ADMIN" '{"decision": "maybe"}'
is_invalid decision "a decision neither start nor reject: 422"
api_json POST "/v1/referrals/$EMIL/decision" "$ADMIN" '{"decision": "start", "start_on": "2026-03-20"}'
is_invalid start_on "a start in the past: 422 naming start_on"
api_json POST "/v1/referrals/$EMIL/decision" "$ADMIN" '{"decision": "start", "mentor_id": 99}'
is_invalid mentor_id "an unknown mentor: 422 naming mentor_id"
is "$(sql "$DATABASE" "SELECT state FROM courses WHERE id = $EMIL")" awaiting_decision \
	"the refused decisions changed nothing"
api_json POST "/v1/referrals/$EMIL/decision" "$ADMIN" '{"decision": "reject", "note": "Anden indsats passer bedre."}'
status_is 200 "Emil's referral rejected: 200"
is "$(sql "$DATABASE" "SELECT state || ' ' || state_reason FROM courses WHERE id = $EMIL")" \
	"closed rejected" "a rejected referral is closed, reason rejected"

# Sofie starts Wednesday 25 March with Mette: a call every 14 days from
# the day after the start.
api_json POST "/v1/referrals/$SOFIE/decision" "$CASE" "{\"decision\": \"start\", \"start_on\": \"2026-03-25\", \"mentor_id\": $METTE}"
status_is 200 "Sofie's course started: 200"
is "$(jget state) $(jget first_call_due) $(jget window_ends) $(jget mentor_id)" \
	"active 2026-03-26 2026-09-25 $METTE" "first call the day after the start, a 6-month window, Mette"
api_json POST "/v1/referrals/$SOFIE/decision" "$CASE" '{"decision": "start"}'
status_is 409 "a second decision: 409"
api_json POST "/v1/referrals/$JONAS/decision" "$CASE" '{"decision": "start", "mentor_id": null, "start_on": null, "goals": null}'
is "$(jget first_call_due) $(jget mentor_id)" "2026-03-25 $MADS" \
	"Jonas starts today, least-loaded mentor (Mads)"

# --- the preventive scheme beside it, as always -----------------------------------------
api_json POST /v1/discharges "$PSYCH" '{"notification_id": "n-anna", "citizen": {"name": "Anna Ager", "cpr": "0101081234", "phone": "22 33 44 01"}, "discharged_at": "2026-03-24T08:00:00+01:00", "consent": {"contact": true, "share_information": true}}'
status_is 201 "a discharge of Sofie's CPR number for the preventive scheme: 201"
ANNA=$(jget course_id)
is "$(jget first_call_due) $(jget window_ends)" "2026-03-25 2026-09-24" \
	"preventive: plan day 1, six months"
is "$(sql "$DATABASE" "SELECT state FROM courses WHERE id = $SOFIE")" active \
	"the youth course is not superseded by a preventive one"
api GET "/v1/referrals/$ANNA/proposals" "$CASE"
status_is 403 "a caseworker may not read the proposals of psychiatry's course: 403"
api_json PATCH "/v1/courses/$SOFIE" "$OTHER_CASE" "{\"mentor_id\": $MADS, \"reason\": \"Borgerens ønske\"}"
status_is 403 "a colleague may not re-match Kim's course: 403"
api GET "/v1/referrals/$SOFIE/proposals" "$CASE"
status_is 200 "Kim reads the proposals for Sofie's course: 200"

set_clock 2026-03-26T09:00:00+01:00
api GET "/v1/queue?mentor=$METTE" "$ADMIN"
status_is 200 "Mette's queue on 26 March: 200"
is "$(json_column "$BODY" calls course_id)" "$ANNA $SOFIE" \
	"Anna's overdue first contact, then Sofie's first contact"
is "$(json_column "$BODY" calls programme)" "preventive youth" "each call names its programme"
api GET "/v1/queue?mentor=$METTE&programme=youth" "$ADMIN"
is "$(json_column "$BODY" calls course_id)" "$SOFIE" "the queue filtered by programme"
SOFIE_CALL=$(sql "$DATABASE" "SELECT id FROM calls WHERE course_id = $SOFIE AND state = 'pending'")
ANNA_CALL=$(sql "$DATABASE" "SELECT id FROM calls WHERE course_id = $ANNA AND state = 'pending'")
api_json POST "/v1/calls/$SOFIE_CALL/outcome" "$METTE_TOKEN" '{"result": "reached"}'
is "$(jget next_call.due_date)" 2026-04-09 "youth: reached on 26 Mar, next the step of Thu 9 Apr"
api_json POST "/v1/calls/$ANNA_CALL/outcome" "$METTE_TOKEN" '{"result": "reached"}'
is "$(jget next_call.due_date)" 2026-03-31 "preventive: reached on 26 Mar, next plan day 7 (31 Mar)"

set_clock 2026-04-09T09:00:00+02:00
SOFIE_CALL=$(sql "$DATABASE" "SELECT id FROM calls WHERE course_id = $SOFIE AND state = 'pending'")
api_json POST "/v1/calls/$SOFIE_CALL/outcome" "$METTE_TOKEN" '{"result": "no_answer"}'
is "$(jget next_call.due_date) $(jget next_call.reason)" "2026-04-10 retry" \
	"youth: no answer, a retry the next working day"

# --- courses and the report by programme -------------------------------------------------
api GET "/v1/courses?programme=youth" "$ADMIN"
is "$(json_column "$BODY" courses id)" "$SOFIE $JONAS $EMIL" "GET /v1/courses?programme=youth"
api GET "/v1/courses?programme=school" "$ADMIN"
is_invalid programme "a programme not configured: 422"
api GET "/v1/courses/$SOFIE" "$ADMIN"
is "$(jget programme) $(jget programme_name) $(jget referral.need_identified_on)" \
	"youth Mentorforløb for unge 2026-03-13" "the course names its programme and referral"
api GET "/v1/reports/summary?from=2026-03-01&to=2026-03-31&programme=youth" "$ADMIN"
is "$(jget programme) $(jget referrals_received) $(jget discharges_received)" "youth 3 0" \
	"the summary of the youth programme: three referrals"
api GET "/v1/reports/summary?from=2026-03-01&to=2026-03-31" "$ADMIN"
is "$(jget courses_by_programme.preventive) $(jget courses_by_programme.youth)" "1 3" \
	"the whole summary counts the courses of each programme"

if stop_mentord TERM 10 && [ "$EXIT_STATUS" = 0 ]; then
	pass "SIGTERM: exit 0"
else
	fail "SIGTERM: exit 0" "exit status $EXIT_STATUS"
fi
