#!/bin/sh
# api-goals.sh - the youth mentor model's course (doc/programmes.md): the
# minimum length before a planned end.
#
# Dates: Monday 2 March 2026 (CET). Easter 2026 is 5 April; Whit Monday
# is 25 May. The youth programme's minimum length is three months: a
# course started on 2 March may end as planned from 2 June.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/api-lib.sh"

plan 14

write_config
cat >>"$CONFIG" <<'CONF'
programmes = (
  { id = "preventive"; name = "Forebyggende social mentorordning"; intake = "discharge"; },
  { id = "youth"; name = "Mentorforløb for unge"; intake = "referral";
    plan = { interval_days = 14; first_day = 1; min_months = 3; meeting_interval_days = 42; };
    messages = { welcome = false; }; }
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
	sql "$DATABASE" "SELECT id FROM calls WHERE course_id = $1 AND state = 'pending' ORDER BY id LIMIT 1"
}
state_of() {
	sql "$DATABASE" "SELECT state || ' ' || coalesce(state_reason, '') FROM courses WHERE id = $1"
}

JONAS=$(refer "Jonas Holm" 0202071234 "22 33 44 02")
api_json POST "/v1/referrals/$JONAS/decision" "$CASE" "{\"decision\": \"start\", \"mentor_id\": $METTE}"
status_is 200 "Jonas's course starts today, Monday 2 March"

# --- the minimum length: before 2 June a planned end needs the citizen's wish or
# weighty professional reasons -------------------------------------------------------------
set_clock 2026-03-03T09:00:00+01:00
api_json POST "/v1/courses/$JONAS/end" "$METTE_TOKEN" '{"reason": "Det går godt nu"}'
is_invalid reason "an end after a day without a listed reason: 422 naming reason"
CALL=$(pending_call "$JONAS")
api_json POST "/v1/calls/$CALL/outcome" "$METTE_TOKEN" '{"result": "reached", "next": {"action": "end", "reason": "done"}}'
is_invalid next.reason "an outcome ending it without a listed reason: 422 naming next.reason"
is "$(state_of "$JONAS") $(pending_call "$JONAS")" "active  $CALL" \
	"the refusals changed nothing: active, the call still pending"
is "$(sql "$DATABASE" "SELECT count(*) FROM calls WHERE course_id = $JONAS AND state = 'done'")" 0 \
	"no outcome was recorded by the refused outcome"
api_json POST "/v1/courses/$JONAS/end" "$METTE_TOKEN" '{"reason": "professional_reasons"}'
status_is 200 "weighty professional reasons end it early: 200"
is "$(state_of "$JONAS") $(pending_call "$JONAS")" "ended professional_reasons " \
	"ended with the reason, no call pending"
is "$(sql "$DATABASE" "SELECT json_extract(details, '\$.reason') || ' ' || json_extract(details, '\$.before_min_end') FROM course_log WHERE course_id = $JONAS AND kind = 'ended'")" \
	"professional_reasons 2026-06-02" "the log names the reason and the minimum end it came before"

SOFIE=$(refer "Sofie Lund" 0101081234 "22 33 44 01")
api_json POST "/v1/referrals/$SOFIE/decision" "$CASE" "{\"decision\": \"start\", \"mentor_id\": $METTE}"
CALL=$(pending_call "$SOFIE")
api_json POST "/v1/calls/$CALL/outcome" "$METTE_TOKEN" '{"result": "reached", "next": {"action": "end", "reason": "citizen_wish"}}'
status_is 200 "the young person's wish ends it early at a call: 200"
is "$(state_of "$SOFIE")" "ended citizen_wish" "ended for the citizen's wish"

EMIL=$(refer "Emil Berg" 0303061234 "22 33 44 03")
api_json POST "/v1/referrals/$EMIL/decision" "$CASE" "{\"decision\": \"start\", \"mentor_id\": $METTE}"
CALL=$(pending_call "$EMIL")
api_json POST "/v1/calls/$CALL/outcome" "$METTE_TOKEN" '{"result": "declined"}'
status_is 200 "declining is the citizen's wish: 200 without a reason"
is "$(state_of "$EMIL")" "ended declined" "ended, declined"

# --- the preventive scheme has no minimum length ---------------------------------------
api_json POST /v1/discharges "$PSYCH" '{"notification_id": "n-anna", "citizen": {"name": "Anna Ager", "phone": "22 33 44 05"}, "discharged_at": "2026-03-02T08:00:00+01:00", "consent": {"contact": true, "share_information": true}}'
ANNA=$(jget course_id)
api_json POST "/v1/courses/$ANNA/end" "$ADMIN" '{"reason": "Flyttet"}'
status_is 200 "a preventive course ends with any reason the day after discharge"

if stop_mentord TERM 10 && [ "$EXIT_STATUS" = 0 ]; then
	pass "SIGTERM: exit 0"
else
	fail "SIGTERM: exit 0" "exit status $EXIT_STATUS"
fi
