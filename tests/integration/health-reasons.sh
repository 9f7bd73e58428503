#!/bin/sh
# health-reasons.sh - GET /healthz tells the truth (mentord(8), HEALTH):
# 503 with a reason for each thing that fails, 200 again once it is
# mended, and mentorctl status shows the same verdict and reasons:
#   outbox_dead  a message the gateway refused for good;
#   outbox_age   a message waiting longer than health.outbox_max_age (the
#                gateway failing for now);
#   job          a daily job that failed (its index dropped under it);
#   commits      writes failing (the file size limit of the process set
#                to one byte with prlimit: what a full disk looks like).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/api-lib.sh"
. "$top_srcdir/tests/integration/outbox-lib.sh"

plan 25

# A write past the file size limit then fails with EFBIG instead of
# killing the process: mentord inherits the ignored signal.
trap '' XFSZ

start_mockgw
write_gateway_config
config_set "$CONFIG" health.outbox_max_age 3600 || bail "health.outbox_max_age"
ADMIN=$(token_add admin coordinator)
start_api_daemon --test-clock
URL=http://127.0.0.1:$PORT
set_clock 2026-04-13T09:00:00+02:00

api_json POST /v1/mentors "$ADMIN" '{"name": "Mette Mentor", "phone": "20 30 40 50"}'
[ "$HTTP_STATUS" = 201 ] || bail "POST /v1/mentors: $HTTP_STATUS"

# discharge ID: prints the new course's id.
discharge() {
	api_json POST /v1/discharges "$ADMIN" "{\"notification_id\": \"$1\",
		\"citizen\": {\"name\": \"Anna Andersen\", \"phone\": \"22 33 44 55\"},
		\"discharged_at\": \"2026-04-12T10:00:00+02:00\",
		\"consent\": {\"contact\": true, \"share_information\": true}}"
	[ "$HTTP_STATUS" = 201 ] || bail "POST /v1/discharges $1: $HTTP_STATUS $(cat "$BODY")"
	jget course_id
}

end_course() {
	api_json POST "/v1/courses/$1/end" "$ADMIN" '{"reason": "moved away"}'
	[ "$HTTP_STATUS" = 200 ] || bail "POST /v1/courses/$1/end: $HTTP_STATUS $(cat "$BODY")"
}

# checks: the "check" of every reason of the last reply, space-separated.
checks() {
	json_column "$BODY" reasons check
}

health_is() {
	http GET /healthz
	[ "$HTTP_STATUS" = "$1" ]
}

ctl_status() {
	timeout 20 "$MENTORCTL" --database "$DATABASE" "$@" >"$TEST_TMP/status.out" \
		2>"$TEST_TMP/status.err"
}

http GET /healthz
if [ "$HTTP_STATUS" = 200 ] && [ "$(jget status)" = ok ] && [ "$(checks)" = "" ] &&
	[ "$(json_raw "$BODY" reasons)" = "[]" ]; then
	pass "all well: 200, status ok, an empty list of reasons"
else
	fail "all well: 200, status ok, an empty list of reasons" "$HTTP_STATUS $(cat "$BODY")"
fi

# --- a dead letter ----------------------------------------------------------------------
gw_control '{"mode": "status", "status": 400, "path": "/v1/messages"}'
ANNA=$(discharge p-anna)
end_course "$ANNA"
wait_for 10 outbox_count_is dead 1 || bail "no dead letter: $(outbox_count dead)"
http GET /healthz
if [ "$HTTP_STATUS" = 503 ] && [ "$(jget status)" = unhealthy ] &&
	[ "$(checks)" = outbox_dead ]; then
	pass "a dead letter: 503, unhealthy, reason outbox_dead"
else
	fail "a dead letter: 503, unhealthy, reason outbox_dead" "$HTTP_STATUS $(cat "$BODY")"
fi
is "$(jget database.status)" ok "today's fields are all there: database.status still ok"
has_fields() {
	json_raw "$BODY" version >/dev/null 2>&1 && json_raw "$BODY" uptime_seconds >/dev/null 2>&1
}
check "and version, uptime_seconds" has_fields
like "$(json_get "$BODY" reasons.0.detail)" '1 dead letter' "the reason says how many"
ctl_status status --url "$URL"
like "$(cat "$TEST_TMP/status.out")" "health: unhealthy, says mentord at $URL" \
	"mentorctl status shows mentord's verdict"
file_like "$TEST_TMP/status.out" '^  outbox_dead: 1 dead letter' "and its reason"
ctl_status --json status --url "$URL"
if [ "$(json_get "$TEST_TMP/status.out" health.status)" = unhealthy ] &&
	[ "$(json_get "$TEST_TMP/status.out" health.reasons.0.check)" = outbox_dead ] &&
	[ "$(json_get "$TEST_TMP/status.out" health.from)" = mentord ]; then
	pass "mentorctl status --json: health.status, health.reasons, from mentord"
else
	fail "mentorctl status --json: health.status, health.reasons, from mentord" \
		"$(cat "$TEST_TMP/status.out" "$TEST_TMP/status.err")"
fi
ctl_status status --url http://127.0.0.1:1
if grep -q '^health: unhealthy, from the database alone' "$TEST_TMP/status.out" &&
	grep -q '^  outbox_dead: 1 dead letter' "$TEST_TMP/status.out"; then
	pass "with mentord not answering, mentorctl status reads the verdict from the database"
else
	fail "with mentord not answering, mentorctl status reads the verdict from the database" \
		"$(cat "$TEST_TMP/status.out" "$TEST_TMP/status.err")"
fi
gw_control '{"mode": "ok"}'
dead=$(sql "$DATABASE" "SELECT id FROM outbox WHERE state = 'dead'")
timeout 10 "$MENTORCTL" --database "$DATABASE" outbox retry "$dead" >/dev/null 2>&1 ||
	bail "mentorctl outbox retry $dead"
set_clock 2026-04-13T09:01:00+02:00
wait_for 15 outbox_count_is dead 0 || bail "the dead letter was not sent again"
if wait_for 10 health_is 200; then
	pass "sent again: 200"
else
	fail "sent again: 200" "$HTTP_STATUS $(cat "$BODY")"
fi

# --- a message waiting too long (the gateway answers 503 for now) ---------------------
gw_control '{"mode": "status", "status": 503, "path": "/v1/messages"}'
BO=$(discharge p-bo)
end_course "$BO"
set_clock 2026-04-13T09:59:00+02:00
http GET /healthz
is "$HTTP_STATUS" 200 "a message pending for 58 minutes (health.outbox_max_age 3600): 200"
set_clock 2026-04-13T10:02:00+02:00
http GET /healthz
if [ "$HTTP_STATUS" = 503 ] && [ "$(checks)" = outbox_age ]; then
	pass "pending for 61 minutes: 503, reason outbox_age"
else
	fail "pending for 61 minutes: 503, reason outbox_age" "$HTTP_STATUS $(cat "$BODY")"
fi
ctl_status status --url "$URL"
file_like "$TEST_TMP/status.out" '^  outbox_age: the oldest pending outbox row has waited' \
	"mentorctl status shows outbox_age"
gw_control '{"mode": "ok"}'
set_clock 2026-04-13T10:15:00+02:00
wait_for 15 outbox_count_is pending 0 || bail "the message was not sent: $(outbox_count pending)"
if wait_for 10 health_is 200; then
	pass "the gateway back, the message sent: 200"
else
	fail "the gateway back, the message sent: 200" "$HTTP_STATUS $(cat "$BODY")"
fi

# --- a daily job that fails -----------------------------------------------------------
sql "$DATABASE" 'DROP INDEX courses_expiry' || bail "cannot drop courses_expiry"
set_clock 2026-04-14T09:00:00+02:00
http GET /healthz
if [ "$HTTP_STATUS" = 503 ] && [ "$(checks)" = job ] &&
	[ "$(json_get "$BODY" reasons.0.job)" = close-expired ]; then
	pass "the close job failed: 503, reason job, naming close-expired"
else
	fail "the close job failed: 503, reason job, naming close-expired" \
		"$HTTP_STATUS $(cat "$BODY")"
fi
ctl_status status --url http://127.0.0.1:1
file_like "$TEST_TMP/status.out" '^  job: the daily job close-expired failed' \
	"the failure is in the database too: mentorctl status shows it without mentord"
sql "$DATABASE" "CREATE INDEX courses_expiry ON courses(window_end)
	WHERE state = 'active' OR state = 'ended'" || bail "cannot create courses_expiry"
set_clock 2026-04-14T09:01:00+02:00
http GET /healthz
is "$HTTP_STATUS" 200 "the job run again and succeeded: 200"
is "$(sql "$DATABASE" "SELECT count(*) FROM job_state WHERE failed_at IS NOT NULL")" 0 \
	"and its failure is cleared in the database"

# --- writes that fail -------------------------------------------------------------------
if command -v prlimit >/dev/null 2>&1; then
	prlimit --pid "$MENTORD_PID" --fsize=1: || bail "prlimit --fsize=1 failed"
	api_json POST /v1/discharges "$ADMIN" '{"notification_id": "p-full",
		"citizen": {"name": "Carl Clausen", "phone": "24 35 46 57"},
		"discharged_at": "2026-04-13T10:00:00+02:00",
		"consent": {"contact": true, "share_information": true}}'
	is "$HTTP_STATUS" 503 "a discharge while no write reaches the disk: 503"
	http GET /healthz
	if [ "$HTTP_STATUS" = 503 ] && printf ' %s ' "$(checks)" | grep -q ' commits ' &&
		[ "$(jget database.status)" = ok ]; then
		pass "commits failing: 503, reason commits (the database still answers reads)"
	else
		fail "commits failing: 503, reason commits" "$HTTP_STATUS $(cat "$BODY")"
	fi
	like "$(json_get "$BODY" reasons.0.detail)" 'write failed' "the reason says a write failed"
	ctl_status status --url "$URL"
	file_like "$TEST_TMP/status.out" '^  commits: .*write failed' \
		"mentorctl status shows it, as mentord says"
	prlimit --pid "$MENTORD_PID" --fsize=unlimited: || bail "prlimit --fsize=unlimited failed"
	api_json POST /v1/discharges "$ADMIN" '{"notification_id": "p-full",
		"citizen": {"name": "Carl Clausen", "phone": "24 35 46 57"},
		"discharged_at": "2026-04-13T10:00:00+02:00",
		"consent": {"contact": true, "share_information": true}}'
	is "$HTTP_STATUS" 201 "with room again the same discharge is taken"
	http GET /healthz
	if [ "$HTTP_STATUS" = 503 ] &&
		printf '%s' "$(cat "$BODY")" | grep -Eq 'a write failed [0-9]+ s ago'; then
		pass "for a minute after, 503 still says a write failed so many seconds ago"
	else
		fail "for a minute after, 503 still says a write failed so many seconds ago" \
			"$HTTP_STATUS $(cat "$BODY")"
	fi
else
	for d in "a discharge while no write reaches the disk: 503" "commits failing" \
		"the reason says a write failed" "mentorctl status shows it" \
		"with room again the same discharge is taken" "for a minute after"; do
		skip "prlimit (util-linux) is not installed" "$d"
	done
fi

if stop_mentord TERM 10 && [ "$EXIT_STATUS" = 0 ]; then
	pass "mentord stops cleanly"
else
	fail "mentord stops cleanly" "exit status $EXIT_STATUS"
fi
