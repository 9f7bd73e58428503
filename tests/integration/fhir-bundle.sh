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

plan 65

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

post admit-emergency paused - "admitted: the course pauses"
post revise-admit-emergency paused - "a revised admission: still paused"
post cancel-admit-emergency paused medcom_cancel "a cancelled admission: logged for a coordinator"
post discharge-emergency-home active - "discharged home: the course runs again"
post revise-discharge-emergency-home active - "a revised discharge: active"
post cancel-discharge-emergency-home active medcom_cancel "a cancelled discharge: logged"
post admit-inpatient paused - "admitted again: paused"
post revise-admit-inpatient paused - "a revised admission: paused"
post cancel-admit-inpatient paused medcom_cancel "a cancelled admission: logged"
post start-leave-inpatient paused medcom_leave "start of a leave: logged only"
post revise-start-leave-inpatient paused medcom_leave "a revised leave start: logged only"
post cancel-start-leave-inpatient paused medcom_cancel "a cancelled leave start: logged"
post end-leave-inpatient paused medcom_leave "end of a leave: logged only"
post revise-end-leave-inpatient paused medcom_leave "a revised leave end: logged only"
post cancel-end-leave-inpatient paused medcom_cancel "a cancelled leave end: logged"
post discharge-inpatient-home active - "discharged home: the plan restarts"
post revise-discharge-inpatient-home active - "a revised discharge: active"
post cancel-discharge-inpatient-home active medcom_cancel "a cancelled discharge: logged"

# --- a death notice while today's call task is out ------------------------------------
CALL=$(sql "$DATABASE" "SELECT id FROM calls WHERE course_id = $BRUNO AND state = 'pending'")
DUE=$(sql "$DATABASE" "SELECT due_date FROM calls WHERE id = $CALL")
set_clock "${DUE}T08:00:00+01:00"
check "Bruno's call task for $DUE went to the gateway" \
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
post deceased-cancelled deceased - "a withdrawn death notice: acknowledged, nothing undone"
is "$(jget issue.0.severity)" warning "a withdrawn death notice warns that a coordinator must act"
fhir "$PSYCH" "$FIX/admit-inpatient.json"
is "$HTTP_STATUS $(jget resourceType)" "200 OperationOutcome" \
	"admit-inpatient again (its Bundle id seen before): the first answer"

# --- the same Bundle id with other content ----------------------------------------------
BEFORE=$(snapshot)
sed 's/2022-12-09T09:45:30+02:00/2022-12-09T09:50:30+02:00/' "$FIX/deceased-inpatient.json" \
	>"$TEST_TMP/other.json"
fhir "$PSYCH" "$TEST_TMP/other.json"
is "$HTTP_STATUS $(jget issue.0.code) $(jget issue.0.expression.0)" "409 conflict Bundle.id" \
	"the same Bundle id, other content: 409 naming Bundle.id"
is_outcome "the 409 is an OperationOutcome"
is "$(snapshot)" "$BEFORE" "nothing changed"

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
# A citizen without a course: acknowledged, and nothing about them kept
# but the Bundle id, the fingerprint and the reply.
fresh admit-emergency ok-admin | sed "s/$CPR/0303803456/" >"$TEST_TMP/admin.json"
BEFORE=$(snapshot)
fhir "$ADMIN" "$TEST_TMP/admin.json"
is "$HTTP_STATUS $(jget resourceType) $(jget issue.0.severity)" "200 OperationOutcome information" \
	"an admin token may post; a CPR without a course is acknowledged"
is "$(sql "$DATABASE" "SELECT count(*) FROM courses") $(sql "$DATABASE" "SELECT count(*) FROM fhir_bundles WHERE bundle_id = 'ok-admin' AND instr(reply, '0303803456') = 0")" \
	"1 1" "no course is created; the Bundle id is kept, the CPR is not"
fhir "$MENTOR" "$FIX/admit-emergency.json"
status_is 403 "a mentor token: 403"
fhir "" "$FIX/admit-emergency.json"
status_is 401 "no token: 401"
fresh admit-emergency media | sed "s/$CPR/0303803456/" >"$TEST_TMP/media.json"
fhir "$PSYCH" "$TEST_TMP/media.json" application/json
status_is 415 "application/json instead of application/fhir+json: 415"
fhir "$PSYCH" "$TEST_TMP/media.json" 'application/fhir+json; fhirVersion=4.0'
status_is 200 "application/fhir+json with a fhirVersion parameter: 200"
