#!/bin/sh
# api-durability.sh - a 201 means stored (doc/api.md, Durability: "the reply
# is sent only after the transaction is durable"): SIGKILL right after the
# reply, restart on the same database, and the course is there; the same
# for a burst of 50 concurrent notifications, which the group commit
# shares out over a few COMMITs; and the audit rows of a read (the queue),
# whose COMMIT does not wait for the disk, survive SIGKILL right after its
# reply (doc/api.md, Audit). The notifications are stored by the writer
# thread (store.writer_thread = true, set here); a last burst goes through the
# event loop's own connection (writer_thread = false) and must be as
# durable. Every acknowledged course is also found by the search after the
# restart: its index is written in the same COMMIT (migration 26).
#
# The real clock is used (no --test-clock): each start runs the daily jobs
# on the real date, so the discharges are dated today.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/api-lib.sh"

plan 30

BURST=50
NOW=$(TZ=Europe/Copenhagen date +%Y-%m-%dT%H:%M:%S%z | sed 's/\(..\)$/:\1/')
TODAY=$(copenhagen_date)

# notification ID NAME PHONE
notification() {
	printf '{"notification_id": "%s", "citizen": {"name": "%s", "phone": "%s"},
		"discharged_at": "%s", "consent": {"contact": true, "share_information": true}}' \
		"$1" "$2" "$3" "$NOW"
}

# kill9: SIGKILL the daemon at once; true when it died of it.
kill9() {
	kill -KILL "$MENTORD_PID" 2>/dev/null
	wait_exit "$MENTORD_PID" 10 && [ "$EXIT_STATUS" = 137 ]
}

write_config
config_set "$CONFIG" store.writer_thread true || bail "no store.writer_thread in the config"
ADMIN=$(token_add admin coordinator)
PSYCH=$(token_add psychiatry ward-7)

# --- one notification, then SIGKILL --------------------------------------------------
start_api_daemon
api_json POST /v1/mentors "$ADMIN" '{"name": "Mette", "phone": "20304050"}'
MENTOR=$(jget id)
api_json POST /v1/discharges "$PSYCH" "$(notification durable-1 'Dorte Durabel' '+45 26 00 00 01')"
status_is 201 "POST /v1/discharges: 201"
check "SIGKILL right after the 201" kill9
cp "$BODY" "$TEST_TMP/first.body"
COURSE=$(jget course_id)
FIRST_DUE=$(jget first_call_due)
WINDOW=$(jget window_ends)

start_api_daemon
api GET "/v1/courses/$COURSE" "$ADMIN"
status_is 200 "after the restart GET /v1/courses/{id}: 200"
is "$(jget notification_id)|$(jget citizen.name)|$(jget citizen.phone)|$(jget state)|$(jget mentor_id)" \
	"durable-1|Dorte Durabel|+4526000001|active|$MENTOR" "the course survived with its citizen, state and mentor"
is "$(jget discharge_date) $(jget window_ends) $(jget next_call.due_date)" "$TODAY $WINDOW $FIRST_DUE" \
	"discharge date, window and first call are as the 201 said"
is "$(json_column "$BODY" log kind)" "discharge mentor_assigned call_scheduled" \
	"the log written in the same transaction survived too"
api_json POST /v1/discharges "$PSYCH" "$(notification durable-1 'Dorte Durabel' '+45 26 00 00 01')"
is "$HTTP_STATUS" 200 "the same notification after the restart: 200"
if cmp -s "$BODY" "$TEST_TMP/first.body"; then
	pass "... with the body of the first 201"
else
	fail "... with the body of the first 201" "first: $(cat "$TEST_TMP/first.body")" "now: $(cat "$BODY")"
fi

# --- 50 at once, then SIGKILL -----------------------------------------------------------
# send_burst DIR PREFIX: $BURST notifications at once, replies in DIR.
send_burst() {
	mkdir "$1"
	i=1
	pids=
	while [ "$i" -le "$BURST" ]; do
		n=$(printf '%02d' "$i")
		timeout 20 curl -sS --max-time 15 -o "$1/body.$n" -w '%{http_code}' -H 'Expect:' \
			-H "Authorization: Bearer $PSYCH" -H 'Content-Type: application/json' \
			--data-binary "$(notification "$2-$n" "Borger $n" "27$2$n")" \
			"http://127.0.0.1:$PORT/v1/discharges" >"$1/status.$n" 2>"$1/err.$n" &
		pids="$pids $!"
		i=$((i + 1))
	done
	for p in $pids; do
		wait "$p"
	done
}

burst=$TEST_TMP/burst
send_burst "$burst" 0000
check "SIGKILL right after the last reply" kill9

statuses=$(for f in "$burst"/status.*; do cat "$f"; echo; done | sort | uniq -c | awk '{printf "%s%sx%s", sep, $1, $2; sep=" "}')
is "$statuses" "${BURST}x201" "all $BURST concurrent POSTs got 201"
for f in "$burst"/body.*; do
	n=${f##*.}
	printf '%s 0000-%s\n' "$(json_get "$f" course_id 2>/dev/null)" "$n"
done | sort -n >"$TEST_TMP/replied"
is "$(cut -d' ' -f1 "$TEST_TMP/replied" | sort -u | grep -c '^[0-9][0-9]*$')" "$BURST" \
	"$BURST distinct course ids"
first_dues=$(for f in "$burst"/body.*; do json_get "$f" first_call_due; done | sort -u)
is "$first_dues" "$FIRST_DUE" "every burst course has the same first call as the first course"

start_api_daemon
api GET /v1/courses "$ADMIN"
status_is 200 "after the second restart GET /v1/courses: 200"
is "$(json_len "$BODY" courses)" $((BURST + 1)) "all $((BURST + 1)) courses are there"
rows=$(json_len "$BODY" courses)
i=0
while [ "$i" -lt "$rows" ]; do
	printf '%s %s\n' "$(jget courses.$i.id)" "$(jget courses.$i.notification_id)"
	i=$((i + 1))
done | grep ' 0000-' | sort -n >"$TEST_TMP/stored"
if cmp -s "$TEST_TMP/replied" "$TEST_TMP/stored"; then
	pass "each stored course has the id its 201 gave"
else
	fail "each stored course has the id its 201 gave" \
		"$(diff "$TEST_TMP/replied" "$TEST_TMP/stored" | head -n 10)"
fi
# The search index is written in the same COMMIT (doc/api.md, Search).
api GET "/v1/courses?q=borger&limit=100" "$ADMIN"
is "$(json_len "$BODY" courses)" "$BURST" "the search finds each course of the burst"
api GET "/v1/courses?q=durabel" "$ADMIN"
is "$(json_column "$BODY" courses id)" "$(json_get "$TEST_TMP/first.body" course_id)" \
	"... and the first, stored before the first SIGKILL"
api GET "/v1/courses?state=active" "$ADMIN"
is "$(json_len "$BODY" courses)" $((BURST + 1)) "all of them active"
api GET "/v1/queue?mentor=$MENTOR&date=$FIRST_DUE" "$ADMIN"
is "$(json_len "$BODY" calls)" $((BURST + 1)) "each has its first call in the queue of $FIRST_DUE"
check "SIGKILL right after the queue's reply" kill9
is "$(sql "$DATABASE" "SELECT count(*) FROM audit WHERE purpose = 'daily call queue'")" \
	$((BURST + 1)) "the queue's audit rows, one per citizen, outlived it"
start_api_daemon
api GET "/v1/mentors/$MENTOR" "$ADMIN"
is "$(jget active_courses)" $((BURST + 1)) "the mentor's load counts them all"
file_unlike "$LOG" 'error|corrupt|recover' "the restart logged no error"
check "SIGKILL again" kill9

# --- the same on the event loop's connection alone ----------------------------------
config_set "$CONFIG" store.writer_thread false
start_api_daemon
send_burst "$TEST_TMP/loop" 0001
check "SIGKILL right after the last reply, without the writer thread" kill9
statuses=$(for f in "$TEST_TMP/loop"/status.*; do cat "$f"; echo; done | sort | uniq -c | awk '{printf "%s%sx%s", sep, $1, $2; sep=" "}')
is "$statuses" "${BURST}x201" "all $BURST concurrent POSTs got 201 without the writer thread"
start_api_daemon
api GET "/v1/mentors/$MENTOR" "$ADMIN"
is "$(jget active_courses)" $((2 * BURST + 1)) "... and all of them were stored"
api GET "/v1/courses?q=borger&limit=200" "$ADMIN"
is "$(json_len "$BODY" courses)" $((2 * BURST)) "... and found by the search"
is "$(sql "$DATABASE" "SELECT count(*) FROM courses_search_pending")" 0 \
	"no course is left waiting for the search index"
if stop_mentord TERM 10 && [ "$EXIT_STATUS" = 0 ]; then
	pass "SIGTERM after the restart: exit 0"
else
	fail "SIGTERM after the restart: exit 0" "exit status $EXIT_STATUS"
	diag_file "$LOG"
fi
