#!/bin/sh
# outbox-retry.sh - what the sender does when the gateway fails
# (doc/gateway.md), on the test clock: a 500 storm is retried after
# 30 s, 60 s, 120 s (+-10 % jitter) stored as next_attempt_at; a gateway
# down for a simulated hour loses nothing and, once up, gets every message
# still true once, in order per course (a welcome whose course ended
# meanwhile is withdrawn); a gateway that is not running is a transient
# failure and a reload can point mentord at another one; a permanent 400
# is a dead letter at once, visible in GET /v1/outbox and mentorctl, and
# `mentorctl outbox retry` sends it again with its key; a failure lasting
# gateway.give_up_hours ends in a dead letter too; and GET /v1/outbox
# gives its sent and dead rows a page at a time.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/api-lib.sh"
. "$top_srcdir/tests/integration/outbox-lib.sh"

plan 43

start_mockgw
write_gateway_config
config_set "$CONFIG" messages.welcome true || bail "messages.welcome"
config_set "$CONFIG" gateway.give_up_hours 2 || bail "gateway.give_up_hours"
ADMIN=$(token_add admin coordinator)
start_api_daemon --test-clock

# at EPOCH: set the test clock to Unix time EPOCH (and NOW to it).
at() {
	NOW=$1
	set_clock "$(date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ)"
}

set_clock 2027-01-01T10:00:00+01:00
# 03:00, hours before queue.publish_time: no call tasks until the last part.
T0=$(epoch 2026-04-13T03:00:00+02:00)
at "$T0"

api_json POST /v1/mentors "$ADMIN" '{"name": "Mette Mentor", "phone": "20 30 40 50"}'
[ "$HTTP_STATUS" = 201 ] || bail "POST /v1/mentors: $HTTP_STATUS"

# discharge N NAME: a new course (its welcome message is queued); prints
# its id.
discharge() {
	api_json POST /v1/discharges "$ADMIN" "{\"notification_id\": \"r-$1\",
		\"citizen\": {\"name\": \"$2\", \"phone\": \"2$1 11 22 33\"},
		\"discharged_at\": \"2026-04-12T10:00:00+02:00\",
		\"consent\": {\"contact\": true, \"share_information\": true}}"
	[ "$HTTP_STATUS" = 201 ] || bail "POST /v1/discharges: $HTTP_STATUS $(cat "$BODY")"
	jget course_id
}

# row COLUMN ID: one column of an outbox row.
row() {
	sql "$DATABASE" "SELECT $1 FROM outbox WHERE id = $2"
}

# settled: every due row the sender may take now has been tried and its
# result stored (nothing due is left at the head of a course).
due_heads() {
	sql "$DATABASE" "SELECT count(*) FROM outbox o WHERE state = 'pending'
		AND next_attempt_at <= $NOW AND NOT EXISTS (SELECT 1 FROM outbox p
		WHERE p.state = 'pending' AND p.course_id = o.course_id AND p.kind = o.kind
		AND p.id < o.id)"
}
settled() {
	[ "$(due_heads)" = 0 ]
}

# within GOT LOW HIGH DESC
within() {
	if int_at_least "$1" "$2" && [ "$1" -le "$3" ]; then
		pass "$4"
	else
		fail "$4" "got $1, want $2..$3"
	fi
}

# --- a 500 storm: 30 s, 60 s, 120 s -----------------------------------------------------
gw_control '{"mode": "status", "status": 500, "path": "/v1/messages"}'
A=$(discharge 1 "Anna Storm")
ID=$(sql "$DATABASE" "SELECT id FROM outbox WHERE course_id = $A AND kind = 'message'")
wait_for 10 settled || diag "the first attempt was not settled"
is "$(row "state || ' ' || attempts || ' ' || last_error" "$ID")" "pending 1 HTTP 500" \
	"500: the row stays pending, 1 attempt, last_error HTTP 500"
within "$(($(row next_attempt_at "$ID") - NOW))" 27 33 "first retry 30 s +-10 % after the failure"
api GET /v1/outbox?state=pending "$ADMIN"
shown=$(epoch "$(json_get "$BODY" outbox.0.next_attempt_at)")
is "$shown" "$(row next_attempt_at "$ID")" "GET /v1/outbox shows that next_attempt_at"

NEXT=$(row next_attempt_at "$ID")
at $((NEXT - 1))
sleep 0.3
is "$(row attempts "$ID")" 1 "one second before next_attempt_at nothing is sent"
at "$NEXT"
wait_for 10 settled
is "$(row attempts "$ID")" 2 "at next_attempt_at the second attempt is made"
within "$(($(row next_attempt_at "$ID") - NOW))" 54 66 "second retry 60 s +-10 % later"
at "$(row next_attempt_at "$ID")"
wait_for 10 settled
is "$(row attempts "$ID")" 3 "third attempt"
within "$(($(row next_attempt_at "$ID") - NOW))" 108 132 "third retry 120 s +-10 % later"
FIRST_FAIL=$(row failing_since "$ID")
is "$FIRST_FAIL" "$T0" "failing_since is the first failure"

# --- down for a simulated hour --------------------------------------------------------------
B=$(discharge 2 "Bent Nede")
C=$(discharge 3 "Cecilie Nede")
wait_for 10 settled
for course in "$B" "$C"; do
	api_json POST "/v1/calls/$(sql "$DATABASE" "SELECT id FROM calls WHERE course_id = $course AND state = 'pending'")/outcome" \
		"$ADMIN" '{"result": "reached", "send_followup": true}'
	[ "$HTTP_STATUS" = 200 ] || bail "outcome: $HTTP_STATUS $(cat "$BODY")"
	api_json POST "/v1/courses/$course/end" "$ADMIN" '{"reason": "done"}'
	[ "$HTTP_STATUS" = 200 ] || bail "end: $HTTP_STATUS"
done
wait_for 10 settled
step=0
while [ "$step" -lt 12 ]; do
	step=$((step + 1))
	at $((T0 + step * 300))
	wait_for 10 settled || diag "step $step: due rows left"
done
is "$(gw_requests /v1/messages)" 0 "an hour of 500s: nothing accepted"
# Bent's and Cecilie's welcomes announced a call their end cancelled: they
# are withdrawn at their next try, the rest wait.
is "$(outbox_count pending)" 5 "all 5 messages still true are still pending"
is "$(sql "$DATABASE" "SELECT count(*) FROM course_log WHERE kind = 'message_withdrawn' AND course_id IN ($B, $C) AND json_extract(details, '\$.type') = 'welcome'")" \
	2 "the welcomes of the two ended courses were withdrawn"
is "$(sql "$DATABASE" "SELECT count(*) FROM outbox WHERE attempts > 0 AND course_id IN ($B, $C)")" 2 \
	"only the first message of each course was tried: the rest wait their turn"
attempts=$(row attempts "$ID")
if int_at_least "$attempts" 6 && [ "$attempts" -le 8 ]; then
	pass "the first row was tried $attempts times in the hour (backoff, not a busy loop)"
else
	fail "the first row was tried 6-8 times in the hour (backoff, not a busy loop)" "$attempts"
fi
gw_control '{"mode": "ok"}'
at $((T0 + 3 * 3600))
wait_for 15 outbox_count_is pending 0
is "$(outbox_count sent)" 5 "gateway up: all 5 messages delivered"
is "$(gw_stat distinct_keys)" 5 "the gateway has 5 distinct keys"
is "$(gw_stat duplicates)" 0 "and no message twice"
order() {
	grep '"status":200}$' "$RECORD" | grep '"path":"/v1/messages"' | while read -r line; do
		printf '%s\n' "$line" >"$TEST_TMP/o.line"
		json_get "$TEST_TMP/o.line" body >"$TEST_TMP/o.json"
		[ "$(json_get "$TEST_TMP/o.json" recipient.name)" = "$1" ] &&
			printf '%s ' "$(json_get "$TEST_TMP/o.json" type)"
	done
}
is "$(order "Bent Nede")" "followup closing " "Bent's messages arrived in order"
is "$(order "Cecilie Nede")" "followup closing " "Cecilie's messages arrived in order"

# --- a gateway that is not running, and a reload to another one -----------------------
stop_mockgw
D=$(discharge 4 "Dorthe Dod")
wait_for 10 settled
DID=$(sql "$DATABASE" "SELECT id FROM outbox WHERE course_id = $D AND kind = 'message'")
like "$(row "state || ' ' || last_error" "$DID")" '^pending curl error 7: ' \
	"connection refused: pending, last_error from curl (7, could not connect)"
start_mockgw
config_set "$CONFIG" gateway.url "\"http://127.0.0.1:$GW_PORT\"" || bail "gateway.url"
kill -HUP "$MENTORD_PID"
wait_for_log 'configuration reloaded' 1 5 || diag "no reload"
at $((NOW + 120))
wait_for 10 outbox_count_is pending 0
is "$(row state "$DID")" sent "after SIGHUP to the new gateway.url the message is delivered"
config_set "$CONFIG" gateway.token_file "\"$TEST_TMP/no-such.token\"" || bail "token_file"
kill -HUP "$MENTORD_PID"
if wait_for_log "reload rejected, configuration unchanged: [^ ]*:[0-9]+: gateway.token_file: $TEST_TMP/no-such.token: No such file" 1 5; then
	pass "SIGHUP with an unreadable token file: reload rejected, the gateway keeps its token"
else
	fail "SIGHUP with an unreadable token file: reload rejected, the gateway keeps its token"
	diag_file "$LOG"
fi
config_set "$CONFIG" gateway.token_file "\"$GW_TOKEN_FILE\"" || bail "token_file"

# --- a permanent 400: dead letter at once ------------------------------------------------
gw_control '{"mode": "status", "status": 400, "count": 1, "path": "/v1/messages"}'
E=$(discharge 5 "Erik Afvist")
EID=$(sql "$DATABASE" "SELECT id FROM outbox WHERE course_id = $E AND kind = 'message'")
wait_for 10 outbox_count_is dead 1
is "$(row "state || ' ' || attempts || ' ' || last_error" "$EID")" "dead 1 HTTP 400" \
	"400: a dead letter after one attempt"
is "$(outbox_rows dead)" "$EID" "GET /v1/outbox?state=dead lists it"
file_like "$LOG" "warning: outbox $EID \\(welcome\\): dead letter after 1 attempt\\(s\\): HTTP 400" \
	"the dead letter is logged as a warning"
api GET "/v1/courses/$E" "$ADMIN"
like "$(cat "$BODY")" '"kind":"message_failed","details":\{"error":"HTTP 400","outbox_id":'"$EID," \
	"the course log says the message failed"
out=$(timeout 10 "$MENTORCTL" --database "$DATABASE" outbox list 2>&1)
like "$out" "^$EID +message +welcome +$E +dead +1 .*HTTP 400\$" "mentorctl outbox list shows the dead letter"
out=$(timeout 10 "$MENTORCTL" --database "$DATABASE" --json outbox list 2>&1)
like "$out" "\"idempotency_key\": \"$(row idempotency_key "$EID")\"" "and --json gives its key"
attempts_made() {
	http GET /metrics
	sed -n 's/^mentord_outbox_attempts_total //p' "$BODY"
}
ATTEMPTS=$(attempts_made)
out=$(timeout 10 "$MENTORCTL" --database "$DATABASE" outbox retry "$EID" 2>&1)
st=$?
if [ "$st" = 0 ] && [ "$(row "state || ' ' || attempts" "$EID")" = "pending 0" ]; then
	pass "mentorctl outbox retry: exit 0, the row is pending again"
else
	fail "mentorctl outbox retry: exit 0, the row is pending again" "exit $st: $out"
fi
# Within the daemon's poll interval, whatever the test clock says.
wait_for 10 outbox_count_is pending 0
is "$(row state "$EID")" sent "the requeued letter is delivered"
is "$(attempts_made)" "$((ATTEMPTS + 1))" \
	"mentord_outbox_attempts_total adds the new attempt, not going down at the retry's reset"
key=$(row idempotency_key "$EID")
is "$(grep -c "\"idempotency_key\":\"$key\"" "$RECORD")" 2 \
	"with the same Idempotency-Key: one 400, then one 200"
timeout 10 "$MENTORCTL" --database "$DATABASE" outbox retry "$EID" >/dev/null 2>"$TEST_TMP/ctl.err"
st=$?
is "$st $(cat "$TEST_TMP/ctl.err")" "1 mentorctl: outbox row $EID is sent, not a dead letter" \
	"retrying a sent row: exit 1"
timeout 10 "$MENTORCTL" --database "$DATABASE" outbox retry 99999 >/dev/null 2>&1
is "$?" 1 "retrying an unknown row: exit 1"

# --- give up after gateway.give_up_hours (2 here) -------------------------------------------
gw_control '{"mode": "status", "status": 502, "path": "/v1/messages"}'
F=$(discharge 6 "Frida Opgivet")
FID=$(sql "$DATABASE" "SELECT id FROM outbox WHERE course_id = $F AND kind = 'message'")
wait_for 10 settled
START=$NOW
steps=0
while [ "$(row state "$FID")" = pending ] && [ "$steps" -lt 20 ]; do
	steps=$((steps + 1))
	at "$(row next_attempt_at "$FID")"
	wait_for 10 settled
done
is "$(row state "$FID")" dead "after give_up_hours of 502s the message is a dead letter"
span=$((NOW - START))
if [ "$span" -ge 7200 ] && [ "$span" -le $((7200 + 3600 + 360)) ]; then
	pass "it gave up at the first attempt after 2 h of failures ($span s, $(row attempts "$FID") attempts)"
else
	fail "it gave up at the first attempt after 2 h of failures" "$span s"
fi
like "$(row last_error "$FID")" '^gave up after 2 h of failures: HTTP 502$' "last_error says why"
gw_control '{"mode": "ok"}'

# --- pages of GET /v1/outbox --------------------------------------------------------------
# Sent rows are kept and dead letters pile up, so the outbox comes ?limit=
# rows at a time from ?after=; next_after is where the next page starts,
# null on the last (also when the last page is full).
wait_for 10 settled
ids_where() {
	sql "$DATABASE" "SELECT id FROM outbox WHERE $1 ORDER BY id" | tr '\n' ' ' | sed 's/ $//'
}
SENT=$(ids_where "state = 'sent'")
ALL=$(ids_where 1)
n=$(echo "$SENT" | wc -w)
check "at least three sent rows to page through" int_at_least "$n" 3
is "$(outbox_walk sent 2)" "$SENT / $(((n + 1) / 2)) pages, the last next_after null" \
	"?state=sent&limit=2, following next_after: every sent row once, then null"
is "$(outbox_walk dead 1)" "$FID / 1 pages, the last next_after null" \
	"?state=dead&limit=1: the one dead letter, next_after null"
is "$(outbox_walk "" 1)" "$ALL / $(echo "$ALL" | wc -w) pages, the last next_after null" \
	"every state, ?limit=1: a page per row, in id order"
api GET "/v1/outbox?state=sent&limit=1001" "$ADMIN"
is_invalid limit "GET /v1/outbox?limit=1001: more than a page may hold"

if stop_mentord TERM 10 && [ "$EXIT_STATUS" = 0 ]; then
	pass "SIGTERM: exit 0"
else
	fail "SIGTERM: exit 0" "exit status $EXIT_STATUS"
fi
