#!/bin/sh
# jobs-purge.sh - the retention purge at full size (mentord(8), JOBS;
# mentorctl(8), purge): 100,000 courses closed 400 days ago are all
# anonymised by mentord's daily job, run in chunks from the loop while
# /healthz and intake are served; then another 100,000 by mentorctl purge
# while mentord runs and takes discharges.
#
# The courses come from tests/bulk-load.sh (rows in the shape mentord's
# own code writes; through the API 10^5 discharges would take minutes).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/api-lib.sh"

plan 13

N=100000
# A stall this long means the purge is not chunked (one pass over 100,000
# courses holds the loop for well over a minute). The 50 ms a chunk aims
# at is a figure printed here and by `make bench`, not a timed check: on a
# loaded machine under the sanitizers one fsync can take a second.
STALL_S=5
BULK=$top_srcdir/tests/bulk-load.sh
today=$(copenhagen_date)
closed_at=$(($(date +%s) - 400 * 86400))

write_config
config_set "$CONFIG" log_level '"debug"' || bail "log_level"
timeout 10 "$MENTORCTL" --database "$DATABASE" mentor add --name "Mette Mentor" \
	--phone 20304050 >/dev/null || bail "mentorctl mentor add"
ADMIN=$(token_add admin coordinator)

load() {
	l_started=$(date +%s)
	timeout 300 "$BULK" "$DATABASE" closed "$N" "$closed_at" 1 || bail "bulk-load closed"
	diag "loaded $N courses closed 400 days ago in $(($(date +%s) - l_started)) s"
}

# poll_health: GET /healthz every 50 ms until $TEST_TMP/stop exists, one
# "status seconds" line each in $TEST_TMP/health.samples.
poll_health() {
	rm -f "$TEST_TMP/stop"
	: >"$TEST_TMP/health.samples"
	while [ ! -e "$TEST_TMP/stop" ]; do
		curl -s -o /dev/null -m 5 -w '%{http_code} %{time_total}\n' \
			"http://127.0.0.1:$PORT/healthz" >>"$TEST_TMP/health.samples"
		sleep 0.05
	done
}

# discharges_while CMD...: POST a discharge every 100 ms while CMD runs in
# the background; $TEST_TMP/intake.codes has one status each.
discharges_while() {
	: >"$TEST_TMP/intake.codes"
	"$@" &
	dw_pid=$!
	dw_i=0
	while proc_alive "$dw_pid"; do
		dw_i=$((dw_i + 1))
		api_json POST /v1/discharges "$ADMIN" "{\"notification_id\": \"$1-$dw_i-$$\",
			\"citizen\": {\"name\": \"Ida Intake\", \"phone\": \"40 50 60 70\"},
			\"discharged_at\": \"${today}T08:00:00+01:00\",
			\"consent\": {\"contact\": true, \"share_information\": true}}"
		echo "$HTTP_STATUS" >>"$TEST_TMP/intake.codes"
		sleep 0.1
	done
	wait "$dw_pid"
}

health_summary() {
	hs_total=$(wc -l <"$TEST_TMP/health.samples")
	hs_ok=$(grep -c '^200 ' "$TEST_TMP/health.samples")
	hs_worst=$(awk '{ if ($2 > w) w = $2 } END { print w + 0 }' "$TEST_TMP/health.samples")
	diag "GET /healthz during $1: $hs_ok of $hs_total answered 200, the slowest in $hs_worst s"
	if [ "$hs_ok" -ge 5 ] && [ "$hs_ok" = "$hs_total" ] &&
		awk -v w="$hs_worst" -v b="$STALL_S" 'BEGIN { exit !(w < b) }'; then
		pass "/healthz answered 200 throughout $1 ($hs_ok times, slowest $hs_worst s)"
	else
		fail "/healthz answered 200 throughout $1" "$hs_ok of $hs_total, slowest $hs_worst s"
	fi
}

intake_summary() {
	is_codes=$(sort "$TEST_TMP/intake.codes" | uniq -c | tr -s ' ' | tr '\n' ',')
	if [ -s "$TEST_TMP/intake.codes" ] && ! grep -qv '^201$' "$TEST_TMP/intake.codes"; then
		pass "every discharge during $1 was taken (201; $is_codes)"
	else
		fail "every discharge during $1 was taken" "statuses: $is_codes"
	fi
}

# Personal data left in the bulk-loaded courses, table by table.
leftovers() {
	sql "$DATABASE" "SELECT
		(SELECT count(*) FROM courses WHERE state = 'closed' AND (anonymised_at IS NULL
			OR cpr IS NOT NULL OR citizen_name <> 'anonymised'
			OR notification_id LIKE 'bulk-%')) || ' ' ||
		(SELECT count(*) FROM calls WHERE note IS NOT NULL OR agreed_topic IS NOT NULL) || ' ' ||
		(SELECT count(*) FROM course_log WHERE details LIKE '%job centre%'
			OR json_extract(details, '\$.notification_id') LIKE 'n-%') || ' ' ||
		(SELECT count(*) FROM outbox WHERE type = 'closing' AND payload <> '{}')"
}

# --- mentord's daily job ------------------------------------------------------------
load
start_api_daemon
poll_health &
poller=$!
track_pid "$poller"
discharges_while wait_for 600 grep -q 'info: job retention: ' "$LOG"
: >"$TEST_TMP/stop"
wait "$poller"
untrack_pid "$poller"
if grep -q 'info: job retention: ' "$LOG"; then
	pass "mentord's retention job finished"
else
	fail "mentord's retention job finished"
	diag_file "$LOG"
fi
diag "$(grep 'info: job retention: ' "$LOG" | sed 's/.*info: //')"
file_like "$LOG" "retention: anonymised $N course\\(s\\)" "it anonymised $N courses"
is "$(leftovers)" "0 0 0 0" \
	"no name, CPR, phone, note, topic, notification id or message payload is left"
is "$(sql "$DATABASE" "SELECT courses || ' ' || author FROM retention_runs ORDER BY id DESC
	LIMIT 1")" "$N system" "one retention run is recorded, with all $N courses"
health_summary "the daemon's purge"
intake_summary "the daemon's purge"
chunks=$(sed -n 's/.*job retention: [0-9]* item(s) in \([0-9]*\) chunk.*/\1/p' "$LOG")
held=$(sed -n 's/.*job retention: .* the loop was held at most \([0-9.]*\) ms.*/\1/p' "$LOG")
if [ -n "$chunks" ] && [ "$chunks" -ge 20 ] &&
	awk -v h="$held" -v b="$STALL_S" 'BEGIN { exit !(h != "" && h < b * 1000) }'; then
	pass "in $chunks chunks, none holding the loop for ${STALL_S} s (longest ${held} ms)"
else
	fail "in many chunks, none holding the loop for ${STALL_S} s" "chunks '$chunks', '$held' ms"
fi

# --- mentorctl purge while mentord runs ---------------------------------------------------
stop_mentord TERM 30 || bail "mentord did not stop"
load
start_api_daemon
poll_health &
poller=$!
track_pid "$poller"
ctl_purge() {
	timeout 600 "$MENTORCTL" --config "$CONFIG" purge >"$TEST_TMP/purge.out" \
		2>"$TEST_TMP/purge.err"
}
p_started=$(date +%s)
discharges_while ctl_purge
p_status=$?
: >"$TEST_TMP/stop"
wait "$poller"
untrack_pid "$poller"
diag "mentorctl purge took $(($(date +%s) - p_started)) s: $(cat "$TEST_TMP/purge.out" "$TEST_TMP/purge.err")"
if [ "$p_status" = 0 ] && grep -q "^anonymised $N course(s)" "$TEST_TMP/purge.out"; then
	pass "mentorctl purge anonymised $N courses"
else
	fail "mentorctl purge anonymised $N courses" "exit $p_status"
fi
is "$(leftovers)" "0 0 0 0" "no personal data is left in the second $N either"
is "$(sql "$DATABASE" "SELECT courses || ' ' || author FROM retention_runs ORDER BY id DESC
	LIMIT 1")" "$N mentorctl" "mentorctl's run is recorded, with all $N courses"
health_summary "mentorctl purge"
intake_summary "mentorctl purge"
if stop_mentord TERM 30 && [ "$EXIT_STATUS" = 0 ]; then
	pass "mentord stops cleanly after both purges"
else
	fail "mentord stops cleanly after both purges" "exit status $EXIT_STATUS"
fi
