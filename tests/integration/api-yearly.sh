#!/bin/sh
# api-yearly.sh - time and cost (doc/programmes.md, "Time and cost")
# against the real daemon: a mentor's terms through /v1/mentors, weekly
# time through /v1/mentors/{id}/time, and GET /v1/reports/yearly as JSON
# and CSV, checked against figures computed by hand.
#
# The fixture is the one of tests/unit/test_report_yearly.c, whose
# comments give the arithmetic. Terms and weekly time go through the API
# (terms_from dates them in 2019-2021); the courses and calls of those
# years are written into the database in the shape mentord writes them,
# since the test clock cannot replay three years of intake. Today is
# 15 December 2021.
#
# Mentors: Ida internal, no rate. Eva external 400.00 kr from 2019-01-01,
# 450.50 kr from 2019-07-01, internal at 350.00 kr from 2021-01-01. Ole
# internal without terms, external at 500.00 kr from 2020-03-01.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/api-lib.sh"

plan 70

# csv_has LINE DESC: the last reply (CRLF lines) has exactly that line.
csv_has() {
	if tr -d '\r' <"$BODY" | grep -Fqx -- "$1"; then
		pass "$2"
	else
		fail "$2" "no line '$1'"
		diag_file "$BODY"
	fi
}

# jis PATH WANT: one value of the last reply.
jis() {
	is "$(jget "$1")" "$2" "$1 = $2"
}

write_config
cat >>"$CONFIG" <<'CONF'
programmes = (
  { id = "preventive"; name = "Forebyggende social mentorordning"; intake = "discharge"; },
  { id = "youth"; name = "Mentorforløb for unge"; intake = "referral";
    plan = { interval_days = 14; first_day = 1; }; }
);
CONF

ADMIN=$(token_add admin coordinator)
start_api_daemon --test-clock
set_clock 2027-01-01T10:00:00+01:00
set_clock 2021-12-15T10:00:00+01:00

# --- terms ------------------------------------------------------------
# null in a POST is a member left out (doc/api.md): no terms at all.
api_json POST /v1/mentors "$ADMIN" '{"name": "Ida Intern", "phone": "20 30 40 50", "external": null, "hourly_rate": null}'
status_is 201 "POST /v1/mentors without terms (external and hourly_rate null): 201"
IDA=$(jget id)
is "$(jget external):$(jget hourly_rate):$(jget terms_from)" "false:null:null" \
	"a mentor without terms is internal without a rate"
IDA_TOKEN=$(token_add mentor ida "$IDA")
api_json POST /v1/mentors "$ADMIN" '{"name": "Eva Ekstern", "phone": "20 30 40 51",
	"external": true, "hourly_rate": "400", "terms_from": "2019-01-01"}'
status_is 201 "POST /v1/mentors with terms: 201"
EVA=$(jget id)
EVA_TOKEN=$(token_add mentor eva "$EVA")
is "$(jget external):$(jget hourly_rate):$(jget terms_from)" "true:400.00:2019-01-01" \
	"Eva: external at 400.00 kr from 2019-01-01"
api_json PATCH "/v1/mentors/$EVA" "$ADMIN" '{"hourly_rate": 450.5, "terms_from": "2019-07-01"}'
status_is 200 "PATCH a rate as a number with a date: 200"
is "$(jget external):$(jget hourly_rate)" "true:450.50" "the rate is 450.50 kr, still external"
api_json PATCH "/v1/mentors/$EVA" "$ADMIN" \
	'{"external": false, "hourly_rate": "350.00", "terms_from": "2021-01-01"}'
status_is 200 "PATCH to internal with the municipality's rate: 200"
is "$(jget external):$(jget hourly_rate):$(jget terms_from)" "false:350.00:2021-01-01" \
	"Eva: internal at 350.00 kr from 2021-01-01"
api_json POST /v1/mentors "$ADMIN" '{"name": "Ole Ekstern", "phone": "20 30 40 52"}'
OLE=$(jget id)
api_json PATCH "/v1/mentors/$OLE" "$ADMIN" \
	'{"external": true, "hourly_rate": 500, "terms_from": "2020-03-01"}'
status_is 200 "PATCH Ole external from 2020-03-01: 200"
is "$(sql "$DATABASE" "SELECT count(*) FROM mentor_terms")" 4 "four terms rows, none rewritten"
# The same terms again add no row.
api_json PATCH "/v1/mentors/$OLE" "$ADMIN" '{"external": true}'
is "$(sql "$DATABASE" "SELECT count(*) FROM mentor_terms")" 4 "unchanged terms add no row"
api GET /v1/mentors "$ADMIN"
is "$(json_column "$BODY" mentors hourly_rate)" "null 350.00 500.00" "GET /v1/mentors shows each rate"

api_json PATCH "/v1/mentors/$IDA" "$ADMIN" '{"hourly_rate": "1.234"}'
is_invalid hourly_rate "three decimals: 422 naming hourly_rate"
api_json PATCH "/v1/mentors/$IDA" "$ADMIN" '{"hourly_rate": 0.1e-5}'
is_invalid hourly_rate "a fraction of an øre: 422 naming hourly_rate"
api_json PATCH "/v1/mentors/$IDA" "$ADMIN" '{"external": true}'
is_invalid hourly_rate "external without a rate: 422 naming hourly_rate"
api_json PATCH "/v1/mentors/$IDA" "$ADMIN" '{"external": "yes"}'
is_invalid external "external not a boolean: 422 naming external"
api_json PATCH "/v1/mentors/$IDA" "$ADMIN" '{"external": null}'
is "$(jget errors.0.field):$(jget errors.0.message)" "external:must not be null" \
	"PATCH external null: 422, it cannot be cleared"
api_json PATCH "/v1/mentors/$IDA" "$ADMIN" '{"terms_from": "2020-01-01"}'
is_invalid terms_from "terms_from alone: 422 naming terms_from"
api_json POST /v1/mentors "$ADMIN" '{"name": "X", "phone": "20 30 40 53", "external": true}'
is_invalid hourly_rate "a new external mentor without a rate: 422 naming hourly_rate"
is "$(sql "$DATABASE" "SELECT count(*) FROM mentors WHERE name = 'X'")" 0 \
	"...and no mentor is made"
is "$(sql "$DATABASE" "SELECT count(*) FROM mentor_terms")" 4 "refusals add no terms"

# --- courses and calls of 2018-2022 -----------------------------------
# course ID PROGRAMME MENTOR STATE START WINDOW_END CHANGED_AT_UTC
course() {
	sql "$DATABASE" "INSERT INTO courses (id, notification_id, state, state_changed_at,
		citizen_name, phone, discharge_date, window_end, mentor_id, created_at, programme)
		VALUES ($1, 'fixture-$1', '$4', strftime('%s', '$7'), 'Borger $1',
		'+452000000$1', '$5', '$6', $3, 1, '$2')" || bail "course $1"
}
course 1 preventive "$IDA" closed 2019-03-04 2019-08-30 '2019-08-31 07:00:00'
course 2 preventive "$EVA" ended 2019-05-06 2020-05-06 '2020-02-14 12:00:00'
course 3 youth "$EVA" closed 2020-11-02 2021-05-02 '2021-03-31 12:00:00'
course 4 youth "$OLE" active 2020-01-15 2022-06-30 '2020-01-15 12:00:00'
course 5 preventive NULL closed 2021-06-01 2021-12-01 '2021-06-20 12:00:00'
course 6 preventive "$IDA" superseded 2018-11-01 2019-05-01 '2019-01-31 12:00:00'
course 7 preventive "$IDA" active 2022-01-10 2022-07-10 '2021-12-15 09:00:00'
course 8 youth "$OLE" cancelled 2020-05-05 2020-11-05 '2020-05-06 12:00:00'
sql "$DATABASE" "INSERT INTO courses (id, notification_id, state, state_changed_at,
	citizen_name, phone, created_at, programme, need_identified_on, decision_due)
	VALUES (9, 'fixture-9', 'awaiting_decision', 1, 'Borger 9', '+4520000009', 1, 'youth',
	'2021-12-10', '2021-12-20')" || bail "course 9"
# call ID COURSE MENTOR DAY MINUTES
call() {
	sql "$DATABASE" "INSERT INTO calls (id, course_id, reason, attempt, due_date, state,
		result, call_date, duration_minutes, mentor_id, created_at)
		VALUES ($1, $2, 'follow_up', 1, '$4', 'done', 'reached', '$4', $5, $3, 1)" ||
		bail "call $1"
}
call 1 1 "$IDA" 2019-03-05 30
call 2 2 "$EVA" 2019-05-07 45
call 3 2 "$EVA" 2019-07-01 60
call 4 2 "$EVA" 2020-02-10 20
call 5 3 "$EVA" 2021-01-05 40
call 6 4 "$OLE" 2020-02-03 25
call 7 4 "$OLE" 2020-03-02 50
# A reached call without a duration counts nothing.
call 8 4 "$OLE" 2021-03-01 NULL

# --- weekly time --------------------------------------------------------
api_json POST "/v1/mentors/$EVA/time" "$EVA_TOKEN" \
	'{"week": "2019-W27", "minutes": 120, "course_id": 2, "note": "Møde med netværket"}'
status_is 201 "a mentor records a week's time on their course: 201"
is "$(jget week):$(jget week_start):$(jget programme):$(jget course_id)" \
	"2019-W27:2019-07-01:preventive:2" "the entry's week, Monday, programme and course"
api_json POST "/v1/mentors/$EVA/time" "$ADMIN" '{"week": "2020-W53", "minutes": 90, "course_id": 3}'
status_is 201 "a coordinator records Eva's week 53 of 2020: 201"
jis programme youth
api_json POST "/v1/mentors/$IDA/time" "$IDA_TOKEN" '{"week": "2021-W01", "minutes": 60}'
status_is 201 "a week without a course: 201"
jis programme preventive
api_json POST "/v1/mentors/$EVA/time" "$EVA_TOKEN" \
	'{"week": "2018-12-31", "minutes": 30, "programme": "preventive"}'
status_is 201 "a week given by a day of it: 201"
jis week 2019-W01

api_json POST "/v1/mentors/$EVA/time" "$IDA_TOKEN" '{"week": "2021-W02", "minutes": 5}'
status_is 403 "another mentor's time: 403"
api_json POST "/v1/mentors/$IDA/time" "$IDA_TOKEN" '{"week": "2021-W53", "minutes": 5}'
is_invalid week "2021 has no week 53: 422 naming week"
api_json POST "/v1/mentors/$IDA/time" "$IDA_TOKEN" '{"week": "2021-W51", "minutes": 5}'
is_invalid week "next week's time is not spent yet: 422 naming week"
api_json POST "/v1/mentors/$IDA/time" "$ADMIN" '{"week": "2099-W14", "minutes": 5}'
is_invalid week "a week in 2099: 422 naming week"
api_json POST "/v1/mentors/$IDA/time" "$ADMIN" '{"week": "2011-W01", "minutes": 5}'
is_invalid week "a week more than ten years ago: 422 naming week"
api_json POST "/v1/mentors/$IDA/time" "$IDA_TOKEN" '{"week": "2021-W02", "minutes": 0}'
is_invalid minutes "no minutes: 422 naming minutes"
api_json POST "/v1/mentors/$IDA/time" "$IDA_TOKEN" '{"week": "2021-W02", "minutes": 10081}'
is_invalid minutes "more minutes than a week has: 422 naming minutes"
api_json POST "/v1/mentors/$IDA/time" "$IDA_TOKEN" '{"week": "2021-W02", "minutes": 5, "course_id": 3}'
is_invalid course_id "a course of another mentor's: 422 naming course_id"
api_json POST "/v1/mentors/$IDA/time" "$ADMIN" '{"week": "2021-W02", "minutes": 5, "course_id": 99}'
is_invalid course_id "no such course: 422 naming course_id"
api_json POST "/v1/mentors/$IDA/time" "$ADMIN" '{"week": "2021-W02", "minutes": 5, "programme": "nope"}'
is_invalid programme "a programme not configured: 422 naming programme"
api_json POST "/v1/mentors/$EVA/time" "$ADMIN" \
	'{"week": "2021-W02", "minutes": 5, "course_id": 3, "programme": "preventive"}'
is_invalid programme "a programme not the course's: 422 naming programme"
api_json POST "/v1/mentors/99/time" "$ADMIN" '{"week": "2021-W02", "minutes": 5}'
status_is 404 "no such mentor: 404"
is "$(sql "$DATABASE" "SELECT count(*) FROM mentor_time")" 4 "refusals record nothing"

api GET "/v1/mentors/$EVA/time?from=2018-W52&to=2021-W01" "$EVA_TOKEN"
status_is 200 "GET a mentor's own time: 200"
is "$(jget minutes):$(json_column "$BODY" entries week)" "240:2019-W01 2019-W27 2020-W53" \
	"Eva's weeks, oldest first, and their sum"
api GET "/v1/mentors/$EVA/time" "$IDA_TOKEN"
status_is 403 "another mentor's time list: 403"
api GET "/v1/mentors/$EVA/time?from=2021-W02&to=2020-W01" "$ADMIN"
is_invalid from "from after to: 422 naming from"

# --- the report ---------------------------------------------------------
YEARLY='/v1/reports/yearly?from=2019&to=2021'
api GET "$YEARLY" "$ADMIN"
status_is 200 "GET /v1/reports/yearly: 200"
jis programmes.0.id preventive
jis programmes.1.name "Mentorforløb for unge"
# preventive 2019: C1 started, C1 and C6 active and ended, internal; 60
# minutes unpriced. C2 external: 105 call + 120 week minutes = 3.75 h,
# 300.00 + 450.50 + 901.00 = 1651.50 kr.
is "$(jget programmes.0.years.0.internal.started):$(jget programmes.0.years.0.internal.active):$(jget programmes.0.years.0.internal.ended)" \
	"1:2:2" "preventive 2019 internal: started 1, active 2, ended 2"
is "$(jget programmes.0.years.0.internal.hours):$(jget programmes.0.years.0.internal.unpriced_hours):$(jget programmes.0.years.0.internal.cost)" \
	"1.00:1.00:0.00" "preventive 2019 internal: 1 h, unpriced"
is "$(jget programmes.0.years.0.external.started):$(jget programmes.0.years.0.external.active):$(jget programmes.0.years.0.external.ended)" \
	"1:1:0" "preventive 2019 external: started 1, active 1"
is "$(jget programmes.0.years.0.external.call_minutes):$(jget programmes.0.years.0.external.week_minutes):$(jget programmes.0.years.0.external.hours):$(jget programmes.0.years.0.external.cost)" \
	"105:120:3.75:1651.50" "preventive 2019 external: 3.75 h, 1651.50 kr at the rate of each day"
# youth 2020 external: C3 started, C3 and C4 active; K7 416.67 + W2
# (2020-W53) 675.75 = 1092.42 kr. youth 2021 internal: C3 ended with Eva
# internal by then, 40 minutes at 350.00 = 233.33 kr.
is "$(jget programmes.1.years.1.external.started):$(jget programmes.1.years.1.external.active):$(jget programmes.1.years.1.external.cost)" \
	"1:2:1092.42" "youth 2020 external: started 1, active 2, 1092.42 kr"
is "$(jget programmes.1.years.1.internal.started):$(jget programmes.1.years.1.internal.unpriced_hours)" \
	"1:0.42" "youth 2020 internal: C4 started before Ole's terms, 25 min unpriced"
is "$(jget programmes.1.years.2.internal.active):$(jget programmes.1.years.2.internal.ended):$(jget programmes.1.years.2.internal.cost)" \
	"1:1:233.33" "youth 2021 internal: the switch from external counts C3's end as internal"
is "$(jget programmes.0.years.2.unassigned.started):$(jget programmes.0.years.2.unassigned.ended)" \
	"1:1" "preventive 2021: a course without a mentor is unassigned"
# Totals: 2020 external 150.17 + 1092.42 = 1242.59 kr.
is "$(jget totals.1.external.active):$(jget totals.1.external.ended):$(jget totals.1.external.cost)" \
	"3:1:1242.59" "2020 external over both programmes: active 3, ended 1, 1242.59 kr"
is "$(jget totals.1.all.started):$(jget totals.2.all.active)" "2:3" \
	"all: started 2 in 2020 (C3, C4; C8 cancelled), active 3 in 2021 (C3, C4, C5; C7 not yet)"

http GET "$YEARLY" -H "Authorization: Bearer $ADMIN" -H 'Accept: text/csv'
status_is 200 "Accept: text/csv: 200"
like "$(header Content-Type)" "text/csv" "a CSV reply"
csv_has "programme,year,mentors,started,active,ended,call_minutes,week_minutes,hours,cost,unpriced_hours" \
	"the CSV header"
csv_has "youth,2020,external,1,2,0,50,90,2.33,1092.42,0.00" "youth 2020 external in CSV"
csv_has ",2020,external,1,3,1,70,90,2.67,1242.59,0.00" "the 2020 external total in CSV"

api GET '/v1/reports/yearly?from=2022&to=2021' "$ADMIN"
is_invalid from "from after to: 422 naming from"
api GET '/v1/reports/yearly?from=19' "$ADMIN"
is_invalid from "a two-digit year: 422 naming from"
api GET '/v1/reports/yearly?to=2021-12' "$ADMIN"
is_invalid to "a month for a year: 422 naming to"
api GET "$YEARLY" "$EVA_TOKEN"
status_is 403 "a mentor may not read the yearly report: 403"

# Under ASan/UBSan a leak or undefined behaviour is reported on stderr,
# which is the log: nothing of the kind, and a clean stop.
if stop_mentord; then
	pass "mentord stops cleanly"
else
	fail "mentord stops cleanly" "it had to be killed"
fi
file_unlike "$LOG" 'runtime error|Sanitizer|leak|( (error|crit|alert|emerg): )' \
	"mentord logged no error, leak or undefined behaviour"
