#!/bin/sh
# api-intake.sh - POST /v1/discharges (doc/api.md): each refused
# notification names the field at fault and stores nothing; malformed,
# oversized and mistyped bodies; idempotent resubmission and conflicts;
# a new discharge supersedes the citizen's open course; the CPR number
# never reaches the daemon's log.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/api-lib.sh"

plan 91

# notification ID CITIZEN-JSON DISCHARGED-AT [CONSENT-JSON]
notification() {
	printf '{"notification_id": "%s", "citizen": %s, "discharged_at": "%s", "consent": %s}' \
		"$1" "$2" "$3" "${4:-{\"contact\": true, \"share_information\": true\}}"
}

CITIZEN='{"name": "Jens Jensen", "cpr": "010190-1234", "phone": "22334455"}'
NOW_LOCAL=2026-06-10T10:00:00+02:00

# rejected FIELD DESC BODY: a 422 naming FIELD.
rejected() {
	api_json POST /v1/discharges "$PSYCH" "$3"
	is_invalid "$1" "$2: 422 naming $1"
}

write_config
# Everything the daemon can log, so that the CPR check below means something.
config_set "$CONFIG" log_level '"debug"' || bail "cannot set log_level"
ADMIN=$(token_add admin coordinator)
PSYCH=$(token_add psychiatry ward-7)
start_api_daemon --test-clock
set_clock "$NOW_LOCAL"
api_json POST /v1/mentors "$ADMIN" '{"name": "Mette", "phone": "20304050"}'
MENTOR=$(jget id)

# --- 422: every refusal names its field ---------------------------------------
rejected consent "consent absent" \
	"{\"notification_id\": \"r1\", \"citizen\": $CITIZEN, \"discharged_at\": \"$NOW_LOCAL\"}"
rejected consent.contact "consent.contact false" \
	"$(notification r2 "$CITIZEN" "$NOW_LOCAL" '{"contact": false, "share_information": true}')"
rejected consent.share_information "consent.share_information false" \
	"$(notification r3 "$CITIZEN" "$NOW_LOCAL" '{"contact": true, "share_information": false}')"
rejected consent.contact "consent.contact \"true\" (a string, not true)" \
	"$(notification r4 "$CITIZEN" "$NOW_LOCAL" '{"contact": "true", "share_information": true}')"
rejected consent.given_at "consent given tomorrow" \
	"$(notification r4b "$CITIZEN" "$NOW_LOCAL" '{"contact": true, "share_information": true, "given_at": "2026-06-11"}')"
rejected citizen.cpr "CPR 310490-1234 (31 April)" \
	"$(notification r5 '{"name": "A", "cpr": "310490-1234", "phone": "22334455"}' "$NOW_LOCAL")"
rejected citizen.cpr "CPR 290290-1234 (29 Feb 1990, not a leap year)" \
	"$(notification r6 '{"name": "A", "cpr": "290290-1234", "phone": "22334455"}' "$NOW_LOCAL")"
# 7th digit 4 with year 30 is 2030: a birth date in the future.
rejected citizen.cpr "CPR 010130-4123 (born 2030 by the century rule)" \
	"$(notification r7 '{"name": "A", "cpr": "010130-4123", "phone": "22334455"}' "$NOW_LOCAL")"
rejected citizen.cpr "CPR of 9 digits" \
	"$(notification r8 '{"name": "A", "cpr": "010190123", "phone": "22334455"}' "$NOW_LOCAL")"
rejected citizen.phone "phone 1234567 (7 digits)" \
	"$(notification r9 '{"name": "A", "phone": "1234567"}' "$NOW_LOCAL")"
rejected citizen.phone "Danish phone 10203040 (no number starts with 1)" \
	"$(notification r10 '{"name": "A", "phone": "10203040"}' "$NOW_LOCAL")"
rejected citizen.phone "phone with letters" \
	"$(notification r11 '{"name": "A", "phone": "2233 44AB"}' "$NOW_LOCAL")"
rejected discharged_at "discharge 1 day and 1 second in the future" \
	"$(notification r12 "$CITIZEN" 2026-06-11T10:00:01+02:00)"
# The window of a discharge on 9 Dec 2025 ended on 9 Jun 2026, yesterday.
rejected discharged_at "discharge 9 Dec 2025, its window ended yesterday" \
	"$(notification r13 "$CITIZEN" 2025-12-09T12:00:00+01:00)"
rejected discharged_at "discharged at the epoch (a time, not an absent one)" \
	"$(notification r13b "$CITIZEN" 1970-01-01T00:00:00Z)"
rejected discharged_at "discharged_at without an offset" \
	"$(notification r14 "$CITIZEN" 2026-06-10T08:00:00)"
rejected citizen.name "citizen.name missing" \
	"$(notification r15 '{"cpr": "010190-1234", "phone": "22334455"}' "$NOW_LOCAL")"
rejected citizen.name "citizen.name empty" \
	"$(notification r16 '{"name": "", "phone": "22334455"}' "$NOW_LOCAL")"
rejected citizen.name "citizen.name of only spaces" \
	"$(notification r16b '{"name": "   ", "phone": "22334455"}' "$NOW_LOCAL")"
rejected notification_id "notification_id of only spaces" \
	"$(notification '   ' "$CITIZEN" "$NOW_LOCAL")"
rejected citizen "citizen missing" \
	"{\"notification_id\": \"r17\", \"discharged_at\": \"$NOW_LOCAL\", \"consent\": {\"contact\": true, \"share_information\": true}}"
rejected notification_id "notification_id missing" \
	"{\"citizen\": $CITIZEN, \"discharged_at\": \"$NOW_LOCAL\", \"consent\": {\"contact\": true, \"share_information\": true}}"
rejected citizen.preferred_call_time.to "preferred call time from 15:00 to 09:00" \
	"$(notification r19 '{"name": "A", "phone": "22334455", "preferred_call_time": {"from": "15:00", "to": "09:00"}}' "$NOW_LOCAL")"
api_json POST /v1/discharges "$PSYCH" \
	"$(notification r20 '{"name": "A", "cpr": "310490-1234", "phone": "12"}' "$NOW_LOCAL" '{"contact": true}')"
is "$HTTP_STATUS $(error_fields)" "422 citizen.cpr citizen.phone consent.share_information" \
	"one 422 names every bad field (CPR, phone, consent)"

api GET /v1/courses "$ADMIN"
is "$HTTP_STATUS $(json_len "$BODY" courses)" "200 0" "after the 422s GET /v1/courses is empty"
api GET /v1/audit "$ADMIN"
is "$(json_len "$BODY" audit)" 0 "after the 422s the audit log is empty"

# --- 400, 413, 415 ----------------------------------------------------------------
api_json POST /v1/discharges "$PSYCH" '{"notification_id": "b1", "citizen": {'
is_problem 400 "malformed JSON: 400 problem"
api_json POST /v1/discharges "$PSYCH" "[$(notification b2 "$CITIZEN" "$NOW_LOCAL")]"
is_problem 400 "a JSON array: 400 problem"
api_json POST /v1/discharges "$PSYCH" \
	"{\"notification_id\": \"b3\", \"notification_id\": \"b4\", \"citizen\": $CITIZEN, \"discharged_at\": \"$NOW_LOCAL\", \"consent\": {\"contact\": true, \"share_information\": true}}"
is_problem 400 "duplicate keys: 400 problem"
api_json POST /v1/discharges "$PSYCH" \
	"$(notification b5 '{"name": "A", "phone": "22334455", "phone": "22334456"}' "$NOW_LOCAL")"
is_problem 400 "a duplicate key in a nested object: 400 problem"
api_json POST /v1/discharges "$PSYCH" ''
is_problem 400 "an empty body: 400 problem"

# A valid notification padded past 64 KiB with an unknown field.
{
	printf '{"padding": "'
	head -c 65536 /dev/zero | tr '\0' x
	printf '", "notification_id": "big", "citizen": %s, "discharged_at": "%s",' "$CITIZEN" "$NOW_LOCAL"
	printf ' "consent": {"contact": true, "share_information": true}}'
} >"$TEST_TMP/big.json"
http POST /v1/discharges -H "Authorization: Bearer $PSYCH" -H 'Content-Type: application/json' \
	-H 'Expect:' --data-binary "@$TEST_TMP/big.json"
if [ "$HTTP_STATUS" = 413 ] && [ "$CURL_EXIT" = 0 ]; then
	pass "a body over 64 KiB: 413 the client receives"
else
	fail "a body over 64 KiB: 413 the client receives" "status $HTTP_STATUS, curl exit $CURL_EXIT"
fi
is "$(header Content-Type)" application/problem+json "the 413 is an application/problem+json problem"
http POST /v1/discharges -H "Authorization: Bearer $PSYCH" -H 'Content-Type: text/plain' \
	-H 'Expect:' --data-binary "$(notification t1 "$CITIZEN" "$NOW_LOCAL")"
is_problem 415 "Content-Type text/plain: 415 problem"
http POST /v1/discharges -H "Authorization: Bearer $PSYCH" -H 'Content-Type: application/xml' \
	-H 'Expect:' --data-binary '<discharge/>'
is_problem 415 "Content-Type application/xml: 415 problem"
http POST /v1/discharges -H "Authorization: Bearer $PSYCH" -H 'Content-Type:' \
	-H 'Expect:' --data-binary "$(notification t3 "$CITIZEN" "$NOW_LOCAL")"
is_problem 415 "no Content-Type: 415 problem"
api GET /v1/courses "$ADMIN"
is "$(json_len "$BODY" courses)" 0 "after the 400s, 413 and 415s GET /v1/courses is still empty"

# --- accepted: unknown fields are ignored ---------------------------------------
FIRST=$(notification n-1 \
	'{"name": "Jens Jensen", "cpr": "010190-1234", "phone": "22 33 44 55", "shoe_size": 44,
	  "preferred_call_time": {"from": "09:00", "to": "12:00"}}' \
	2026-06-09T16:30:00+02:00 \
	'{"contact": true, "share_information": true, "given_at": "2026-06-08", "witness": "nurse"}')
FIRST=$(printf '%s' "$FIRST" | sed 's/^{/{"priority": "high", "unit": "Afsnit 7", /')
api_json POST /v1/discharges "$PSYCH" "$FIRST"
status_is 201 "a notification with unknown fields: 201"
COURSE1=$(jget course_id)
cp "$BODY" "$TEST_TMP/first.body"
LOCATION1=$(header Location)
is "$LOCATION1" "/v1/courses/$COURSE1" "Location names the course"
# Discharged Tue 9 Jun: plan day 1 is Wed 10 Jun, a working day.
is "$(jget first_call_due) $(jget window_ends)" "2026-06-10 2026-12-09" \
	"first call Wed 10 Jun, window ends 9 Dec"
api GET "/v1/courses/$COURSE1" "$ADMIN"
is "$(jget citizen.cpr) $(jget citizen.phone) $(jget citizen.preferred_call_time.from)-$(jget citizen.preferred_call_time.to) $(jget unit)" \
	"0101901234 +4522334455 09:00-12:00 Afsnit 7" \
	"CPR without dash, phone in E.164, call time and unit stored"
is "$(json_raw "$BODY" citizen.shoe_size 2>/dev/null; json_raw "$BODY" priority 2>/dev/null)" "" \
	"the unknown fields are not stored"

# --- idempotency ----------------------------------------------------------------------
api_json POST /v1/discharges "$PSYCH" "$FIRST"
is "$HTTP_STATUS" 200 "the same notification again: 200"
if cmp -s "$BODY" "$TEST_TMP/first.body"; then
	pass "the repetition's body is the first reply's body"
else
	fail "the repetition's body is the first reply's body" \
		"first: $(cat "$TEST_TMP/first.body")" "again: $(cat "$BODY")"
fi
is "$(header Location)" "$LOCATION1" "the repetition has the same Location"
# Same content, other key order and spacing.
REORDERED='{"consent":{"witness":"nurse","given_at":"2026-06-08","share_information":true,"contact":true},
"discharged_at":"2026-06-09T16:30:00+02:00","unit":"Afsnit 7","priority":"high",
"citizen":{"preferred_call_time":{"to":"12:00","from":"09:00"},"shoe_size":44,"phone":"22 33 44 55",
"cpr":"010190-1234","name":"Jens Jensen"},"notification_id":"n-1"}'
api_json POST /v1/discharges "$PSYCH" "$REORDERED"
is "$HTTP_STATUS $(jget course_id)" "200 $COURSE1" "the same content in another key order: 200, same course"
api_json POST /v1/discharges "$PSYCH" "$(printf '%s' "$FIRST" | sed 's/22 33 44 55/22 33 44 56/')"
is_problem 409 "the same notification_id with another phone: 409 problem"
api_json POST /v1/discharges "$PSYCH" "$(printf '%s' "$FIRST" | sed 's/2026-06-09T/2026-06-08T/')"
is_problem 409 "the same notification_id with another discharge date: 409 problem"
api GET "/v1/courses/$COURSE1" "$ADMIN"
is "$(jget citizen.phone) $(jget discharge_date)" "+4522334455 2026-06-09" "the conflicts changed nothing"
api GET /v1/courses "$ADMIN"
is "$(json_len "$BODY" courses)" 1 "still exactly one course"

# --- the CPR rules that must pass ----------------------------------------------------------
# 29 Feb 1992 (7th digit 4, year 92 > 36: 1992, a leap year); 5th-8th digits
# need not pass modulus 11.
api_json POST /v1/discharges "$PSYCH" \
	"$(notification n-leap '{"name": "Lea Leap", "cpr": "2902924321", "phone": "+46 70 123 45 67"}' "$NOW_LOCAL")"
is "$HTTP_STATUS" 201 "CPR 2902924321 (29 Feb 1992, no dash): 201"
LEAP=$(jget course_id)
api GET "/v1/courses/$LEAP" "$ADMIN"
is "$(jget citizen.cpr) $(jget citizen.phone)" "2902924321 +46701234567" \
	"a foreign E.164 number is kept as given (spaces removed)"
# Window boundaries: discharged 10 Dec 2025, the window ends today.
api_json POST /v1/discharges "$PSYCH" \
	"$(notification n-old '{"name": "Olga Old", "phone": "31313131"}' 2025-12-10T08:00:00+01:00)"
is "$HTTP_STATUS $(jget window_ends)" "201 2026-06-10" "a discharge whose window ends today: 201"
# One day ahead exactly: the first call is plan day 1 after 11 Jun.
api_json POST /v1/discharges "$PSYCH" \
	"$(notification n-ahead '{"name": "Anders Ahead", "phone": "41414141"}' 2026-06-11T10:00:00+02:00)"
is "$HTTP_STATUS $(jget first_call_due)" "201 2026-06-12" "a discharge exactly one day ahead: 201"

http POST /v1/discharges -H "Authorization: Bearer $PSYCH" \
	-H 'Content-Type: application/json; charset=utf-8' -H 'Expect:' \
	--data-binary "$(notification n-utf8 '{"name": "Søren Ærø", "phone": "51515151"}' "$NOW_LOCAL")"
is "$HTTP_STATUS" 201 "Content-Type application/json; charset=utf-8: 201"
api GET "/v1/courses/$(jget course_id)" "$ADMIN"
is "$(jget citizen.name)" "Søren Ærø" "the UTF-8 name is stored as sent"

# --- a new discharge supersedes the open course ----------------------------------------------
api GET "/v1/queue?mentor=$MENTOR&date=2026-06-10" "$ADMIN"
is "$(json_column "$BODY" calls course_id | tr ' ' '\n' | grep -c "^$COURSE1\$")" 1 \
	"the first course's call is in the queue"
api_json POST /v1/discharges "$PSYCH" \
	"$(notification n-2 '{"name": "Jens Jensen", "cpr": "0101901234", "phone": "60606060"}' "$NOW_LOCAL")"
status_is 201 "a new discharge for the same CPR: 201"
COURSE2=$(jget course_id)
is "$(jget first_call_due) $(jget window_ends)" "2026-06-11 2026-12-10" "the new course's window starts on the new discharge"
api GET "/v1/courses/$COURSE1" "$ADMIN"
is "$(jget state) $(json_raw "$BODY" next_call)" "superseded null" "the old course is superseded, no call pending"
is "$(json_column "$BODY" log kind | awk '{print $NF}')" "superseded" "the old course's log ends with superseded"
api GET "/v1/courses/$COURSE2" "$ADMIN"
is "$(jget state) $(jget log.1.kind) $(jget log.1.details.course_id)" "active supersedes $COURSE1" \
	"the new course is active and logs what it supersedes"
api GET "/v1/queue?mentor=$MENTOR&date=2026-06-10" "$ADMIN"
is "$(json_column "$BODY" calls course_id | tr ' ' '\n' | grep -c "^$COURSE1\$")" 0 \
	"the superseded course's call left the queue"

# Without a CPR: the same phone and name supersede, the same phone alone does not.
api_json POST /v1/discharges "$PSYCH" \
	"$(notification n-p1 '{"name": "Pia Persen", "phone": "50505050"}' "$NOW_LOCAL")"
P1=$(jget course_id)
api_json POST /v1/discharges "$PSYCH" \
	"$(notification n-p2 '{"name": "Per Persen", "phone": "50505050"}' "$NOW_LOCAL")"
P2=$(jget course_id)
api GET "/v1/courses/$P1" "$ADMIN"
is "$(jget state)" active "the same phone with another name does not supersede"
api_json POST /v1/discharges "$PSYCH" \
	"$(notification n-p3 '{"name": "Pia Persen", "phone": "+4550505050"}' "$NOW_LOCAL")"
is "$HTTP_STATUS" 201 "Pia's next discharge (phone written as +45...): 201"
api GET "/v1/courses/$P1" "$ADMIN"
is "$(jget state)" superseded "the same phone and name supersede the course without CPR"
api GET "/v1/courses/$P2" "$ADMIN"
is "$(jget state)" active "Per's course is untouched"
api GET "/v1/courses?state=superseded" "$ADMIN"
is "$(json_column "$BODY" courses id)" "$COURSE1 $P1" "GET /v1/courses?state=superseded lists both"
api GET "/v1/courses?state=gone" "$ADMIN"
is_invalid state "GET /v1/courses?state=gone: 422 naming state"

# --- a repetition answers what the notification got, not what came after -------------
# same_reply DESC FILE: the last reply is 200 with FILE's body, byte for byte.
same_reply() {
	if [ "$HTTP_STATUS" = 200 ] && cmp -s "$BODY" "$2"; then
		pass "$1"
	else
		fail "$1" "status $HTTP_STATUS" "want: $(cat "$2")" "got:  $(cat "$BODY")"
	fi
}
api_json POST /v1/mentors "$ADMIN" '{"name": "Mads", "phone": "20304051"}'
MENTOR2=$(jget id)

# A coordinator gives the course to another mentor.
RP1=$(notification rp-1 '{"name": "Rasmus Ring", "cpr": "0202801234", "phone": "22000001"}' \
	2026-06-09T08:00:00+02:00)
api_json POST /v1/discharges "$PSYCH" "$RP1"
cp "$BODY" "$TEST_TMP/rp1.body"
RP1_COURSE=$(jget course_id)
RP1_MENTOR=$(jget mentor_id)
[ "$RP1_MENTOR" = "$MENTOR" ] && RP1_OTHER=$MENTOR2 || RP1_OTHER=$MENTOR
api_json PATCH "/v1/courses/$RP1_COURSE" "$ADMIN" "{\"mentor_id\": $RP1_OTHER}"
status_is 200 "the coordinator reassigns rp-1"
api_json POST /v1/discharges "$PSYCH" "$RP1"
same_reply "after a reassignment the repetition still names the first mentor" "$TEST_TMP/rp1.body"

# A readmission restarts the course with a new window.
RP2=$(notification rp-2 '{"name": "Rita Ring", "cpr": "0303801234", "phone": "22000002"}' \
	2026-06-09T08:00:00+02:00)
api_json POST /v1/discharges "$PSYCH" "$RP2"
cp "$BODY" "$TEST_TMP/rp2.body"
api_json POST /v1/citizens/events "$PSYCH" \
	'{"cpr": "0303801234", "event": "admitted", "at": "2026-06-10T07:00:00+02:00"}'
api_json POST /v1/citizens/events "$PSYCH" \
	'{"cpr": "0303801234", "event": "discharged", "at": "2026-06-10T09:00:00+02:00"}'
api GET "/v1/courses/$(json_get "$TEST_TMP/rp2.body" course_id)" "$ADMIN"
is "$(jget state) $(jget window_ends)" "active 2026-12-10" "rp-2 restarted after its readmission"
api_json POST /v1/discharges "$PSYCH" "$RP2"
same_reply "after a readmission the repetition has the first window and first call" \
	"$TEST_TMP/rp2.body"

# A referral made during the stay, then discharged by an event.
RP3='{"notification_id": "rp-3", "citizen": {"name": "Rune Ring", "cpr": "0404801234",
	"phone": "22000003"}, "consent": {"contact": true, "share_information": true}}'
api_json POST /v1/discharges "$PSYCH" "$RP3"
is "$HTTP_STATUS $(jget state) $(json_raw "$BODY" first_call_due) $(json_raw "$BODY" window_ends)" \
	"201 awaiting_discharge null null" "a referral without discharged_at awaits its discharge"
cp "$BODY" "$TEST_TMP/rp3.body"
api_json POST /v1/citizens/events "$PSYCH" \
	'{"cpr": "0404801234", "event": "discharged", "at": "2026-06-10T08:00:00+02:00"}'
api GET "/v1/courses/$(json_get "$TEST_TMP/rp3.body" course_id)" "$ADMIN"
is "$(jget state)" active "the discharged event starts rp-3"
api_json POST /v1/discharges "$PSYCH" "$RP3"
same_reply "after its discharge event the referral's repetition is still the first reply" \
	"$TEST_TMP/rp3.body"

# A correction of the date: a POST of the corrected content answers what
# the correction made of the course (5 Jun is a closure day, 6-7 Jun a
# weekend: the new first contact is Mon 8 Jun).
RP4=$(notification rp-4 '{"name": "Rolf Ring", "cpr": "0505801234", "phone": "22000004"}' \
	2026-06-09T08:00:00+02:00)
api_json POST /v1/discharges "$PSYCH" "$RP4"
RP4_COURSE=$(jget course_id)
RP4_MENTOR=$(jget mentor_id)
RP4_FIXED=$(printf '%s' "$RP4" | sed 's/2026-06-09T/2026-06-05T/')
api_json PUT /v1/discharges/rp-4 "$PSYCH" "$RP4_FIXED"
is "$HTTP_STATUS $(jget next_call.due_date)" "200 2026-06-08" "the correction replans rp-4"
api_json POST /v1/discharges "$PSYCH" "$RP4_FIXED"
is "$HTTP_STATUS $(jget first_call_due) $(jget window_ends) $(jget mentor_id)" \
	"200 2026-06-08 2026-12-05 $RP4_MENTOR" \
	"the corrected content replays the corrected first call, window and mentor"
cp "$BODY" "$TEST_TMP/rp4.body"
[ "$RP4_MENTOR" = "$MENTOR" ] && RP4_OTHER=$MENTOR2 || RP4_OTHER=$MENTOR
api_json PATCH "/v1/courses/$RP4_COURSE" "$ADMIN" "{\"mentor_id\": $RP4_OTHER}"
api_json POST /v1/discharges "$PSYCH" "$RP4_FIXED"
same_reply "a reassignment after the correction does not change its repetition" \
	"$TEST_TMP/rp4.body"
api_json POST /v1/discharges "$PSYCH" "$RP4"
is_problem 409 "the content before the correction: 409"

# A referral whose correction brings its discharge: the corrected
# content replays the start the correction gave it.
RP5='{"notification_id": "rp-5", "citizen": {"name": "Ruth Ring", "cpr": "0606801234",
	"phone": "22000005"}, "consent": {"contact": true, "share_information": true}}'
api_json POST /v1/discharges "$PSYCH" "$RP5"
RP5_COURSE=$(jget course_id)
RP5_FIXED=$(printf '%s' "$RP5" | sed 's/"consent"/"discharged_at": "2026-06-09T08:00:00+02:00", "consent"/')
api_json PUT /v1/discharges/rp-5 "$PSYCH" "$RP5_FIXED"
api GET "/v1/courses/$RP5_COURSE" "$ADMIN"
RP5_MENTOR=$(jget mentor_id)
api_json POST /v1/discharges "$PSYCH" "$RP5_FIXED"
is "$HTTP_STATUS $(jget state) $(jget first_call_due) $(jget window_ends) $(jget mentor_id)" \
	"200 active 2026-06-10 2026-12-09 $RP5_MENTOR" \
	"a referral dated by its correction replays the start the correction gave it"

# --- idempotency before timeliness ------------------------------------------------------------
# n-1 (discharged 9 Jun) has a window ending 9 Dec; on 11 Dec it is too old
# for a new course, but the ward resending it gets the first reply back.
set_clock 2026-12-11T10:00:00+01:00
api_json POST /v1/discharges "$PSYCH" "$FIRST"
is "$HTTP_STATUS $(jget course_id)" "200 $COURSE1" \
	"the same notification two days after its window ended: 200, same course"
if cmp -s "$BODY" "$TEST_TMP/first.body"; then
	pass "the late repetition's body is the first reply's body"
else
	fail "the late repetition's body is the first reply's body" \
		"first: $(cat "$TEST_TMP/first.body")" "again: $(cat "$BODY")"
fi
api_json POST /v1/discharges "$PSYCH" "$(printf '%s' "$FIRST" | sed 's/22 33 44 55/22 33 44 56/')"
is_problem 409 "after the window, the same notification_id with another phone: 409 problem"
api_json POST /v1/discharges "$PSYCH" "$(printf '%s' "$FIRST" | sed 's/"n-1"/"n-late"/')"
is "$HTTP_STATUS $(error_fields) $(jget errors.0.message)" \
	"422 discharged_at is older than the 6-month window: the course has already ended" \
	"a new notification_id with that discharge: 422 naming discharged_at"
api_json POST /v1/discharges "$PSYCH" \
	"$(notification n-soon '{"name": "Sune Snart", "phone": "71717171"}' 2026-12-12T10:00:01+01:00)"
is "$HTTP_STATUS $(error_fields) $(jget errors.0.message)" \
	"422 discharged_at must not be more than one day in the future" \
	"a new notification 1 day and 1 second ahead: 422, as before"
is "$(sql "$DATABASE" "SELECT count(*) FROM courses WHERE notification_id IN ('n-late', 'n-soon')")" 0 \
	"the refused notifications stored nothing"

# --- the CPR never reaches the log -------------------------------------------------------------
# Stopped first, so that everything it had to say is in the file.
stop_mentord TERM 10
is "$EXIT_STATUS" 0 "mentord stops cleanly"
file_like "$LOG" 'test clock set' "the daemon's log is not empty"
file_unlike "$LOG" '0101901234|010190-1234|01019[0-]|2902924321|290292-?4321' \
	"no valid CPR number appears in the daemon's log"
file_unlike "$LOG" '310490|290290|010130|01019012' "no rejected CPR number appears in the log"
