#!/bin/sh
# fhir-bundle.sh - MedCom HospitalNotification intake, POST /fhir/Bundle
# (doc/fhir-hospitalnotification.md), through real HTTP with the test
# gateway: every example bundle of tests/fixtures/medcom end to end, a
# death while today's call task is out, idempotency on Bundle.id,
# malformed messages answered with an OperationOutcome, and who may post.
#
# April 2026 in Copenhagen. The example bundles all name the synthetic
# CPR number 0101901234 and date from 2020-2022.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/api-lib.sh"
. "$top_srcdir/tests/integration/outbox-lib.sh"

plan 114

FIX=$top_srcdir/tests/fixtures/medcom
CPR=0101901234

start_mockgw
write_gateway_config
ADMIN=$(token_add admin coordinator)
PSYCH=$(token_add psychiatry ward-p3)
start_api_daemon --test-clock

# discharge ID CPR AT: a consented notification from P3; COURSE its course.
discharge() {
	api_json POST /v1/discharges "$PSYCH" "$(printf '{"notification_id": "%s", "citizen": {"name": "Bruno Elmer", "cpr": "%s", "phone": "22334455"}, "discharged_at": "%s", "consent": {"contact": true, "share_information": true}}' "$1" "$2" "$3")"
	[ "$HTTP_STATUS" = 201 ] || bail "POST /v1/discharges $1: $HTTP_STATUS $(cat "$BODY")"
	COURSE=$(jget course_id)
}

# fhir TOKEN FILE [CONTENT-TYPE]: POST /fhir/Bundle with FILE as the body.
fhir() {
	http POST /fhir/Bundle -H "Authorization: Bearer $1" -H 'Expect:' \
		-H "Content-Type: ${3:-application/fhir+json}" --data-binary "@$2"
}

state_of() {
	sql "$DATABASE" "SELECT state FROM courses WHERE id = $1"
}

log_kinds() {
	sql "$DATABASE" "SELECT count(*) FROM course_log WHERE course_id = $1 AND kind = '$2'"
}

# is_outcome DESC: the last reply is a FHIR OperationOutcome of that media type.
is_outcome() {
	is "$(header Content-Type) $(jget resourceType)" \
		"application/fhir+json OperationOutcome" "$1"
}

# snapshot: a fingerprint of every table a refused message must not touch.
snapshot() {
	sql "$DATABASE" "SELECT (SELECT group_concat(id || state) FROM courses)
		|| '|' || (SELECT count(*) FROM course_log) || '|' || (SELECT count(*) FROM calls)
		|| '|' || (SELECT count(*) FROM outbox) || '|' || (SELECT count(*) FROM fhir_bundles)
		|| '|' || (SELECT count(*) FROM life_event_keys)"
}

set_clock 2022-11-29T08:00:00+01:00
api_json POST /v1/mentors "$ADMIN" '{"name": "Mette Mentor", "phone": "20304050"}'
[ "$HTTP_STATUS" = 201 ] || bail "POST /v1/mentors: $HTTP_STATUS"
METTE=$(jget id)
MENTOR=$(token_add mentor mette "$METTE")
discharge n-bruno "$CPR" 2022-11-28T10:00:00+01:00
BRUNO=$COURSE
set_clock 2022-12-20T06:00:00+01:00

# post FIXTURE STATE LOGKIND DESC: the bundle is accepted (200, an
# OperationOutcome without errors); Bruno's course is then in STATE, and
# the message left one course log entry of LOGKIND ("-": none expected).
post() {
	p_before=$(log_kinds "$BRUNO" "$3")
	fhir "$PSYCH" "$FIX/$1.json"
	is "$HTTP_STATUS $(jget resourceType) $(state_of "$BRUNO")" "200 OperationOutcome $2" "$1: $4"
	if [ "$3" != - ]; then
		is "$(log_kinds "$BRUNO" "$3")" $((p_before + 1)) "$1: one $3 entry in the course log"
	fi
}

# pending: Bruno's pending call as due date, reason and attempt.
pending() {
	sql "$DATABASE" "SELECT due_date || ' ' || reason || ' ' || attempt FROM calls
		WHERE course_id = $BRUNO AND state = 'pending'"
}
window() {
	sql "$DATABASE" "SELECT discharge_date || ' ' || window_end || ' ' || readmissions
		FROM courses WHERE id = $BRUNO"
}
# derive FIXTURE BUNDLE-ID OLD-HEADER NEW-HEADER: a message of our own
# from a real one, under a new Bundle id and MessageHeader id.
derive() {
	sed -e "0,/\"id\" *: *\"[^\"]*\"/s//\"id\": \"$2\"/" -e "s/$3/$4/g" "$FIX/$1.json"
}

# --- an admission, revised, then cancelled ----------------------------------------------
PLAN=$(pending)
WINDOW=$(window)
post admit-emergency paused - "admitted: the course pauses"
is "$(pending)" "" "no call while admitted"
post revise-admit-emergency paused - "a revised admission: still paused"
is "$(sql "$DATABASE" "SELECT datetime(paused_at, 'unixepoch') FROM courses WHERE id = $BRUNO")" \
	"2022-12-01 07:30:04" "the revision replaced the admission: paused from its time"
is "$(log_kinds "$BRUNO" event_undone)" 1 "the first admission was undone first"
post cancel-admit-emergency active event_undone \
	"cancel of the admission (revised since): the course runs again"
is "$(pending)" "$PLAN" "the plan as before: the call the admission withdrew is back"
is "$(jget issue.0.severity)" information "the cancellation is acknowledged as information"

# --- a discharge, revised twice, then cancelled -----------------------------------------
post discharge-emergency-home active - "discharged home after a stay: the plan restarts"
is "$(window)" "2022-12-02 2023-06-02 1" "a fresh window from the discharge"
post revise-discharge-emergency-home active event_undone "a revised discharge: active"
is "$(window)" "2022-12-02 2023-06-02 1" "the restart replaced, not counted twice"
derive revise-discharge-emergency-home re2-discharge 28c3893a-3660-43cd-b0c4-f3d23950e12a \
	7d6f1c2e-3b4a-4e5f-8a9b-0c1d2e3f4a5b |
	sed -e 's/2022-12-02T21:30:09+02:00/2022-12-05T11:00:00+01:00/' \
		-e 's|MessageHeader/m9bea09c[^"]*|MessageHeader/28c3893a-3660-43cd-b0c4-f3d23950e12a|' \
		>"$TEST_TMP/re2.json"
fhir "$PSYCH" "$TEST_TMP/re2.json"
is "$HTTP_STATUS $(jget issue.0.severity) $(window)" "200 information 2022-12-05 2023-06-05 1" \
	"a revision of the revision, another day: the window moves to it"
post cancel-discharge-emergency-home active event_undone \
	"cancel of the discharge (revised twice): back as before it"
is "$(window)" "$WINDOW" "the window, readmissions and all, as before the discharge"
is "$(pending)" "$PLAN" "and the call it had"
is "$(sql "$DATABASE" "SELECT count(*) FROM fhir_effects WHERE undone_at IS NULL")" 0 \
	"every effect kept is undone"

# --- an admission and its leaves; a discharge cancelled returns to the stay -----------------
post admit-inpatient paused - "admitted again: paused"
post revise-admit-inpatient paused event_undone "a revised admission: paused"
post start-leave-inpatient paused medcom_leave "start of a leave: logged only"
post revise-start-leave-inpatient paused medcom_leave "a revised leave start: logged only"
post cancel-start-leave-inpatient paused medcom_cancel \
	"a cancelled leave start: nothing to undo, logged for a coordinator"
post end-leave-inpatient paused medcom_leave "end of a leave: logged only"
post revise-end-leave-inpatient paused medcom_leave "a revised leave end: logged only"
post cancel-end-leave-inpatient paused medcom_cancel "a cancelled leave end: logged"
post discharge-inpatient-home active - "discharged home: the plan restarts"
post revise-discharge-inpatient-home active event_undone "a revised discharge: active"
is "$(window)" "2022-12-18 2023-06-18 1" "the window from the revised discharge"
post cancel-discharge-inpatient-home paused event_undone \
	"cancel of the discharge: back in hospital, as before it"
is "$(pending) $(sql "$DATABASE" "SELECT count(*) FROM outbox WHERE course_id = $BRUNO
	AND kind = 'message' AND state = 'pending'")" " 0" \
	"no call, no message while paused again (the welcome is withdrawn)"
post cancel-admit-inpatient active event_undone \
	"cancel of the admission (revised since): the plan runs again"
is "$(window) $(pending)" "$WINDOW $PLAN" "the window and the call as before the stay"

# --- a message mentord never received -------------------------------------------------
derive cancel-admit-inpatient c-unknown d8749b54-1aeb-4089-8941-8d876bdffc51 \
	5e0c1b7a-2d3f-4a5b-9c8d-7e6f5a4b3c2d |
	sed 's|MessageHeader/b9b4818e[^"]*|MessageHeader/0a1b2c3d-0000-4000-8000-000000000000|' \
	>"$TEST_TMP/unknown.json"
BEFORE=$(snapshot)
fhir "$PSYCH" "$TEST_TMP/unknown.json"
is "$HTTP_STATUS $(jget issue.0.severity) $(jget issue.0.code)" "200 warning not-found" \
	"a cancel of a message never received: 200 with a warning"
is "$(state_of "$BRUNO") $(pending)" "active $PLAN" "nothing changed"

# --- a death notice while today's call task is out ------------------------------------
# Bruno's first contact, overdue since the stays were undone, is in
# today's queue (Tuesday 20 December) and its task goes out at 07:30.
CALL=$(sql "$DATABASE" "SELECT id FROM calls WHERE course_id = $BRUNO AND state = 'pending'")
set_clock 2022-12-20T08:00:00+01:00
check "Bruno's call task went to the gateway" \
	wait_for 10 gw_requests_at_least /v1/call-tasks 1
post deceased-inpatient deceased - "a death notice (admit-inpatient, deceasedBoolean): deceased"
is_outcome "the reply is application/fhir+json"
is "$(sql "$DATABASE" "SELECT count(*) FROM calls WHERE course_id = $BRUNO AND state = 'pending'")" \
	0 "no call pending for Bruno"
check "the published call task is cancelled at the gateway" \
	wait_for 10 gw_requests_at_least "/v1/call-tasks/$CALL/cancel" 1
FIRST=$(cat "$BODY")
fhir "$PSYCH" "$FIX/deceased-inpatient.json"
is "$HTTP_STATUS $(cat "$BODY")" "200 $FIRST" "the same bundle again: the same answer"
is "$(sql "$DATABASE" "SELECT count(*) FROM fhir_bundles WHERE bundle_id = (SELECT bundle_id FROM fhir_bundles ORDER BY received_at DESC LIMIT 1)")" \
	1 "one row per Bundle id"
post deceased-emergency deceased - "another death notice: acknowledged, the course stays deceased"
post deceased-during-leave deceased - "a death during a leave (deceasedDateTime): acknowledged"
WITHDRAWN=$(sql "$DATABASE" "SELECT count(*) FROM outbox WHERE course_id = $BRUNO
	AND state = 'withdrawn'")
post deceased-cancelled ended event_undone \
	"a withdrawn death notice: the course is back, ended, for a coordinator to resume"
is "$(sql "$DATABASE" "SELECT state_reason FROM courses WHERE id = $BRUNO") $(pending)" \
	"death_withdrawn " "its reason says why; no call is planned by it"
is "$(sql "$DATABASE" "SELECT count(*) FROM outbox WHERE course_id = $BRUNO
	AND state = 'pending' AND kind = 'message'") $(sql "$DATABASE" "SELECT count(*)
	FROM outbox WHERE course_id = $BRUNO AND state = 'withdrawn'")" "0 $WITHDRAWN" \
	"no message is queued, and none withdrawn comes back"
fhir "$PSYCH" "$FIX/admit-inpatient.json"
is "$HTTP_STATUS $(jget resourceType)" "200 OperationOutcome" \
	"admit-inpatient again (its Bundle id seen before): the first answer"

# --- a later event wins over a cancellation ------------------------------------------------
ADM=b9b4818e-02de-4cc4-b418-d20cbc7b5404
derive admit-inpatient adm-late $ADM 1f2e3d4c-5b6a-4798-8a9b-aabbccddeeff >"$TEST_TMP/adm.json"
derive cancel-admit-inpatient can-late d8749b54-1aeb-4089-8941-8d876bdffc51 \
	2a3b4c5d-6e7f-4081-9203-a4b5c6d7e8f9 |
	sed "s|MessageHeader/$ADM|MessageHeader/1f2e3d4c-5b6a-4798-8a9b-aabbccddeeff|" \
	>"$TEST_TMP/can.json"
fhir "$PSYCH" "$TEST_TMP/adm.json"
is "$HTTP_STATUS $(state_of "$BRUNO")" "200 paused" "an admission of the ended course: paused"
api_json POST /v1/citizens/events "$PSYCH" \
	"{\"cpr\": \"$CPR\", \"event\": \"discharged\", \"at\": \"2022-12-20T07:00:00+01:00\"}"
is "$HTTP_STATUS $(state_of "$BRUNO")" "200 ended" "then discharged (v1 event): ended, a new window"
UNDONE=$(log_kinds "$BRUNO" event_undone)
CANCELS=$(log_kinds "$BRUNO" medcom_cancel)
fhir "$PSYCH" "$TEST_TMP/can.json"
is "$HTTP_STATUS $(state_of "$BRUNO") $(window)" "200 ended 2022-12-20 2023-06-20 1" \
	"the cancel of the admission after the discharge: the discharge wins, nothing undone"
is "$(log_kinds "$BRUNO" event_undone) $(log_kinds "$BRUNO" medcom_cancel)" \
	"$UNDONE $((CANCELS + 1))" "a medcom_cancel entry asks a coordinator to look"

# --- the same Bundle id with other content ----------------------------------------------
BEFORE=$(snapshot)
sed 's/2022-12-09T09:45:30+02:00/2022-12-09T09:50:30+02:00/' "$FIX/deceased-inpatient.json" \
	>"$TEST_TMP/other.json"
fhir "$PSYCH" "$TEST_TMP/other.json"
is "$HTTP_STATUS $(jget issue.0.code) $(jget issue.0.expression.0)" "409 conflict Bundle.id" \
	"the same Bundle id, other content: 409 naming Bundle.id"
is_outcome "the 409 is an OperationOutcome"
is "$(snapshot)" "$BEFORE" "nothing changed"

# --- a message that found no course is not kept -------------------------------------------
# A death notice for Dora before her discharge: nothing is kept, so the
# same bundle sent again after it reaches her course.
DORA_CPR=0404904567
derive deceased-inpatient dead-dora b9b4818e-02de-4cc4-b418-d20cbc7b5404 \
	6c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e | sed "s/$CPR/$DORA_CPR/" >"$TEST_TMP/dead-dora.json"
BEFORE=$(snapshot)
fhir "$PSYCH" "$TEST_TMP/dead-dora.json"
is "$HTTP_STATUS $(jget issue.0.severity) $(snapshot)" "200 information $BEFORE" \
	"a death notice for a citizen without a course: 200, nothing kept"
discharge n-dora "$DORA_CPR" 2022-12-19T10:00:00+01:00
DORA=$COURSE
fhir "$PSYCH" "$TEST_TMP/dead-dora.json"
is "$HTTP_STATUS $(state_of "$DORA") $(sql "$DATABASE" "SELECT count(*) FROM calls WHERE course_id = $DORA AND state = 'pending'")" \
	"200 deceased 0" "the same bundle after her discharge: her course is deceased"
FIRST=$(cat "$BODY")
fhir "$PSYCH" "$TEST_TMP/dead-dora.json"
is "$HTTP_STATUS $(cat "$BODY") $(sql "$DATABASE" "SELECT count(*) FROM fhir_bundles WHERE bundle_id = 'dead-dora'")" \
	"200 $FIRST 1" "sent once more: now kept, the same answer"
# A revision of an admission that found no course finds nothing to
# replace: it is a revision of a message unknown here, and changes nothing.
ERIK_CPR=0505905678
ADM_E=i50fc5fe-2d11-4ef3-acac-2e2e5c6c0029
ADM_E2=7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d
derive admit-emergency adm-erik $ADM_E $ADM_E2 | sed "s/$CPR/$ERIK_CPR/" >"$TEST_TMP/adm-erik.json"
derive revise-admit-emergency rev-erik 3443536e-5cce-4f3b-8b62-02c1745b495e \
	8b9c0d1e-2f3a-4b4c-9d5e-6f7a8b9c0d1e | sed -e "s/$CPR/$ERIK_CPR/" -e "s/$ADM_E/$ADM_E2/g" \
	>"$TEST_TMP/rev-erik.json"
BEFORE=$(snapshot)
fhir "$PSYCH" "$TEST_TMP/adm-erik.json"
is "$HTTP_STATUS $(snapshot)" "200 $BEFORE" "an admission of a citizen without a course: nothing kept"
discharge n-erik "$ERIK_CPR" 2022-12-19T10:00:00+01:00
ERIK=$COURSE
fhir "$PSYCH" "$TEST_TMP/rev-erik.json"
is "$HTTP_STATUS $(jget issue.0.severity) $(jget issue.0.code) $(state_of "$ERIK")" \
	"200 warning not-found active" \
	"its revision after his discharge: a message not known here, nothing changed"

# --- malformed messages ------------------------------------------------------------------
# bad DESC STATUS EXPRESSION-PATTERN FILE: refused with an OperationOutcome
# whose first issue names the element, and nothing changed.
bad() {
	b_before=$(snapshot)
	fhir "$PSYCH" "$4"
	like "$HTTP_STATUS $(jget issue.0.severity)" "^$2 (error|fatal)\$" "$1: $2"
	is_outcome "$1: an OperationOutcome"
	like "$(jget issue.0.expression.0)" "$3" "$1: the expression names the element"
	is "$(snapshot)" "$b_before" "$1: nothing changed"
}
# fresh FIXTURE ID: the bundle under another Bundle id (its first "id"), so
# no refusal is a repetition of a message seen before.
fresh() {
	sed "0,/\"id\" *: *\"[^\"]*\"/s//\"id\": \"$2\"/" "$FIX/$1.json"
}
fresh admit-inpatient bad-1 | sed '0,/"resourceType" *: *"Bundle"/s//"resourceType": "Parameters"/' \
	>"$TEST_TMP/bad1.json"
bad "wrong resourceType" 400 '^Bundle' "$TEST_TMP/bad1.json"
fresh admit-inpatient bad-2 | sed 's/urn:oid:1.2.208.176.1.2/urn:oid:1.2.3/' >"$TEST_TMP/bad2.json"
bad "no CPR identifier" 422 'identifier' "$TEST_TMP/bad2.json"
fresh admit-inpatient bad-3 | sed 's/"code" *: *"admit-inpatient"/"code": "admit-somewhere"/' \
	>"$TEST_TMP/bad3.json"
bad "an unknown activity code" 422 'activity' "$TEST_TMP/bad3.json"
bad "not JSON" 400 '' "$TEST_TMP/bad4.json"

# --- who may post, and how -----------------------------------------------------------------
# A citizen without a course: acknowledged, and nothing about them kept.
fresh admit-emergency ok-admin | sed "s/$CPR/0303803456/" >"$TEST_TMP/admin.json"
BEFORE=$(snapshot)
fhir "$ADMIN" "$TEST_TMP/admin.json"
is "$HTTP_STATUS $(jget resourceType) $(jget issue.0.severity)" "200 OperationOutcome information" \
	"an admin token may post; a CPR without a course is acknowledged"
is "$(snapshot)" "$BEFORE" "no course is created, and nothing is kept"
# The refusals of the shared HTTP edge, before the body is read, are
# OperationOutcomes on this route too. edge DESC STATUS CODE: the last
# request was refused so, and nothing changed.
edge() {
	is "$HTTP_STATUS $(header Content-Type) $(jget resourceType) $(jget issue.0.severity) $(jget issue.0.code)" \
		"$2 application/fhir+json OperationOutcome error $3" "$1"
	is "$(snapshot)" "$BEFORE" "$1: nothing changed"
}
fresh admit-emergency refused | sed "s/$CPR/0303803456/" >"$TEST_TMP/refused.json"
BEFORE=$(snapshot)
fhir "$MENTOR" "$TEST_TMP/refused.json"
edge "a mentor token: 403" 403 forbidden
fhir "" "$TEST_TMP/refused.json"
edge "no token: 401" 401 login
is "$(header WWW-Authenticate)" 'Bearer realm="mentord"' "the 401 still names the scheme"
fhir "$PSYCH" "$TEST_TMP/refused.json" application/json
edge "application/json instead of application/fhir+json: 415" 415 not-supported
# 70 KiB: the Bundle with a long narrative, refused on its Content-Length.
{
	sed '$d' "$TEST_TMP/refused.json"
	printf ', "meta": {"tag": [{"code": "%s"}]}}\n' "$(head -c 71680 /dev/zero | tr '\0' x)"
} >"$TEST_TMP/big.json"
fhir "$PSYCH" "$TEST_TMP/big.json"
edge "a 70 KiB body: 413" 413 too-long
http POST /v1/discharges -H "Authorization: Bearer $MENTOR" -H 'Expect:' \
	-H 'Content-Type: application/json' --data-binary '{}'
is "$HTTP_STATUS $(header Content-Type)" "403 application/problem+json" \
	"other routes still refuse with problem JSON"
# Routing's own refusals under /fhir, a wrong method or path, too.
http GET /fhir/Bundle -H "Authorization: Bearer $PSYCH"
edge "GET /fhir/Bundle: 405" 405 not-supported
is "$(header Allow)" POST "... with Allow: POST"
http PUT /fhir/Bundle -H "Authorization: Bearer $PSYCH" -H 'Expect:' \
	-H 'Content-Type: application/fhir+json' --data-binary "@$TEST_TMP/refused.json"
edge "PUT /fhir/Bundle: 405" 405 not-supported
http POST /fhir/Bundle/ -H "Authorization: Bearer $PSYCH" -H 'Expect:' \
	-H 'Content-Type: application/fhir+json' --data-binary "@$TEST_TMP/refused.json"
edge "POST /fhir/Bundle/ (no such path): 404" 404 not-found
http GET /fhirx
is "$HTTP_STATUS $(header Content-Type)" "404 application/problem+json" \
	"a path that only starts like /fhir keeps problem JSON"
fresh admit-emergency media | sed "s/$CPR/0303803456/" >"$TEST_TMP/media.json"
fhir "$PSYCH" "$TEST_TMP/media.json" 'application/fhir+json; fhirVersion=4.0'
status_is 200 "application/fhir+json with a fhirVersion parameter: 200"

# --- the bundles are forgotten after retention.days (365), a chunk at a time ------------
# 5,000 bundles of June 2022 with 500 effects on Bruno's course, and one
# of New Year 2024, which a year later is not due yet.
OLD=$(TZ=Europe/Copenhagen date -d 2022-06-01 +%s)
NEW=$(TZ=Europe/Copenhagen date -d 2024-01-01 +%s)
sql "$DATABASE" "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000)
	INSERT INTO fhir_bundles (bundle_id, header_id, fingerprint, status, reply, received_at)
	SELECT 'old-' || i, 'h-old-' || i, printf('%064d', i), 200, '{}', $OLD + i FROM n;
	WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
	INSERT INTO fhir_effects (bundle_id, course_id, event, at, from_state, from_readmissions,
		to_state, to_changed_at) SELECT 'old-' || i, $BRUNO, 'admitted', $OLD, 'active', 0,
		'paused', $OLD FROM n;
	INSERT INTO fhir_bundles (bundle_id, header_id, fingerprint, status, reply, received_at)
	VALUES ('recent', 'h-recent', printf('%064d', 0), 200, '{}', $NEW)" ||
	bail "loading old bundles"
KEPT=$(sql "$DATABASE" "SELECT count(*) FROM fhir_bundles WHERE received_at >= $NEW")
purged() {
	[ "$(sql "$DATABASE" "SELECT count(*) FROM fhir_bundles")" = "$KEPT" ]
}
set_clock 2024-01-25T09:00:00+01:00
check "a year later the daily job forgot every bundle older than retention.days" \
	wait_for 60 purged
is "$(sql "$DATABASE" "SELECT count(*) FROM fhir_effects") $(sql "$DATABASE" "SELECT bundle_id FROM fhir_bundles")" \
	"0 recent" "their effects went with them; the recent bundle stays"
like "$(sql "$DATABASE" "SELECT last_day FROM job_runs WHERE job = 'fhir-purge'") $(grep -o 'forgot [0-9]* HospitalNotification' "$LOG")" \
	'^2024-01-25 forgot 5[0-9]{3} HospitalNotification$' "the job ran to its end and logged its count"
STATE=$(state_of "$BRUNO")
fhir "$PSYCH" "$FIX/cancel-admit-emergency.json"
is "$HTTP_STATUS $(jget issue.0.severity) $(jget issue.0.code) $(state_of "$BRUNO")" \
	"200 warning not-found $STATE" \
	"a cancellation sent again once both are forgotten: judged anew, nothing to undo"
