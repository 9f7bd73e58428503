#!/bin/sh
# outbox-startup.sh - what waited in the outbox while mentord was down goes
# out before the day's overdue jobs begin (mentord(8), JOBS): mentord
# starts on a database with today's call tasks pending in the outbox and
# thousands of courses whose window ended yesterday (close-expired, many
# chunks). The first call task is delivered before the first chunk of the
# job runs, every call task reaches the gateway, and the job still closes
# every course.
#
# Order, not time: both events are lines of mentord's own log (debug
# level logs each chunk), so a slow machine cannot make it flaky. Before
# the jobs waited for the sender, a chunk ran in every loop turn from the
# first, and a send needs several turns (connect, write, read).
#
# The rows come from tests/bulk-load.sh in the shape mentord's own code
# writes them (publish.c's call tasks, the courses close-expired closes).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/api-lib.sh"
. "$top_srcdir/tests/integration/outbox-lib.sh"

plan 4

TASKS=200
EXPIRED=2000
BULK=$top_srcdir/tests/bulk-load.sh

start_mockgw
write_gateway_config
config_set "$CONFIG" log_level '"debug"' || bail "log_level"
timeout 10 "$MENTORCTL" --database "$DATABASE" mentor add --name "Mette Mentor" \
	--phone 20304050 >/dev/null || bail "mentorctl mentor add"
timeout 120 "$BULK" "$DATABASE" published "$TASKS" "$(copenhagen_date)" 1 ||
	bail "bulk-load published"
timeout 120 "$BULK" "$DATABASE" expired "$EXPIRED" "$(copenhagen_date -d yesterday)" 1 ||
	bail "bulk-load expired"

start_api_daemon
wait_for 300 grep -q 'info: job close-expired: ' "$LOG" || {
	diag_file "$LOG"
	bail "close-expired did not finish"
}

# line PATTERN: the number of the first line of the log matching PATTERN.
line() {
	grep -n -m1 "$1" "$LOG" | cut -d: -f1
}

first_send=$(line 'outbox [0-9]* (call_task): delivered')
first_chunk=$(line 'debug: job close-expired: chunk ')
diag "log line of the first delivery: ${first_send:-none}, of the first job chunk: ${first_chunk:-none}"
if [ -n "$first_send" ] && [ -n "$first_chunk" ] && [ "$first_send" -lt "$first_chunk" ]; then
	pass "the first call task was delivered before the first chunk of close-expired"
else
	fail "the first call task was delivered before the first chunk of close-expired" \
		"delivery on line ${first_send:-none}, chunk on line ${first_chunk:-none}"
	diag_file "$LOG"
fi
if wait_for 60 gw_requests_at_least /v1/call-tasks "$TASKS"; then
	pass "all $TASKS call tasks reached the gateway"
else
	fail "all $TASKS call tasks reached the gateway" "$(gw_requests /v1/call-tasks) did"
fi
file_like "$LOG" "closed $EXPIRED course\\(s\\)" "close-expired closed all $EXPIRED courses"
file_like "$LOG" 'job close-expired: [0-9]* item\(s\) in [0-9]* chunk' \
	"close-expired ran in chunks"
stop_mentord TERM 10 || bail "mentord did not stop"
