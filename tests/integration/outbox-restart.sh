#!/bin/sh
# outbox-restart.sh - nothing is lost or doubled across a crash, and a slow
# gateway never slows the API (doc/gateway.md): 1,000 welcome messages
# wait in the outbox while no gateway is configured; mentord is restarted
# with one, killed with SIGKILL in the middle of the burst, and started
# again: every message reaches the gateway, none under two keys and none
# accepted twice (the gateway deduplicates by Idempotency-Key, so the few
# on the wire at the kill come back as duplicates of the same key); the
# API answers in milliseconds while that backlog goes out. Then, with
# every gateway request sleeping 2 s, /healthz and a discharge answer in
# milliseconds too.
#
# Real time, no test clock: the discharges are dated now, so their first
# calls are due tomorrow and no call task joins the burst.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/api-lib.sh"
. "$top_srcdir/tests/integration/outbox-lib.sh"

plan 15

N=1000
start_mockgw
write_gateway_config
config_set "$CONFIG" messages.welcome true || bail "messages.welcome"
config_set "$CONFIG" gateway.url '""' || bail "gateway.url"
ADMIN=$(token_add admin coordinator)
start_api_daemon

api_json POST /v1/mentors "$ADMIN" '{"name": "Mette Mentor", "phone": "20 30 40 50"}'
[ "$HTTP_STATUS" = 201 ] || bail "POST /v1/mentors: $HTTP_STATUS"

# discharges FIRST COUNT: COUNT discharges in one curl, 16 at a time.
discharges() {
	now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	awk -v first="$1" -v n="$2" -v port="$PORT" -v token="$ADMIN" -v now="$now" 'BEGIN {
		for (i = first; i < first + n; i++) {
			if (i > first)
				printf "next\n"
			printf "url = \"http://127.0.0.1:%d/v1/discharges\"\n", port
			printf "header = \"Authorization: Bearer %s\"\n", token
			printf "header = \"Content-Type: application/json\"\n"
			printf "data = \"{\\\"notification_id\\\": \\\"burst-%d\\\", \\\"citizen\\\": {\\\"name\\\": \\\"Borger %d\\\", \\\"phone\\\": \\\"2%07d\\\"}, \\\"discharged_at\\\": \\\"%s\\\", \\\"consent\\\": {\\\"contact\\\": true, \\\"share_information\\\": true}}\"\n", i, i, i, now
			printf "output = /dev/null\n"
			printf "write-out = \"%%{http_code}\\\\n\"\n"
		}
	}' >"$TEST_TMP/discharges.curl"
	timeout 120 curl -sS --parallel --parallel-max 16 -K "$TEST_TMP/discharges.curl" \
		>"$TEST_TMP/discharges.codes" 2>"$TEST_TMP/discharges.err"
}

started=$(date +%s)
discharges 1 "$N"
is "$(grep -c '^201$' "$TEST_TMP/discharges.codes")" "$N" "$N discharges accepted (201)"
is "$(outbox_count pending)" "$N" "without a gateway $N welcome messages wait in the outbox"
diag "intake of $N discharges took $(($(date +%s) - started)) s"
stop_mentord TERM 10 || bail "mentord did not stop"

# --- the burst, a SIGKILL in the middle of it, and a restart ---------------------
config_set "$CONFIG" gateway.url "\"http://127.0.0.1:$GW_PORT\"" || bail "gateway.url"
gw_control '{"mode": "sleep", "sleep_ms": 30}'
start_api_daemon
if wait_for 20 gw_requests_at_least /v1/messages 300; then
	pass "after the start the backlog is being sent (300 accepted)"
else
	fail "after the start the backlog is being sent (300 accepted)" \
		"$(gw_requests /v1/messages) accepted"
	diag_file "$LOG"
fi
kill -KILL "$MENTORD_PID"
wait_exit "$MENTORD_PID" 5
at_kill=$(gw_stat requests)
sent_at_kill=$(outbox_count sent)
diag "killed with $sent_at_kill rows marked sent, $at_kill requests at the gateway"
if [ "$sent_at_kill" -gt 0 ] && [ "$sent_at_kill" -lt "$N" ]; then
	pass "SIGKILL landed in the middle of the burst ($sent_at_kill of $N marked sent)"
else
	fail "SIGKILL landed in the middle of the burst" "$sent_at_kill of $N marked sent"
fi

# healthz_worst N: the slowest of N GET /healthz, in seconds; every sample
# is in $TEST_TMP/healthz.samples.
healthz_worst() {
	worst=0
	: >"$TEST_TMP/healthz.samples"
	hw_i=0
	while [ "$hw_i" -lt "$1" ]; do
		hw_i=$((hw_i + 1))
		t=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' \
			"http://127.0.0.1:$PORT/healthz")
		[ "${t%% *}" = 200 ] || t="999 9"
		printf ' %s' "${t#* }" >>"$TEST_TMP/healthz.samples"
		worst=$(awk -v a="$worst" -v b="${t#* }" 'BEGIN { print (b > a) ? b : a }')
	done
	echo "$worst"
}

# Slow enough (10 ms a request) that the backlog is still going out while
# the API is measured.
gw_control '{"mode": "sleep", "sleep_ms": 10}'
restarted=$(date +%s.%N)
start_api_daemon
# The backlog is fed in chunks: the API answers while it goes out.
worst=$(healthz_worst 10)
backlog=$(outbox_count pending)
diag "healthz during the backlog ($backlog still pending after): worst ${worst}s of:" \
	"$(cat "$TEST_TMP/healthz.samples")"
# The bound tells a blocked loop (the backlog sent one by one would take
# seconds) from a busy one; the latencies themselves are figures, printed
# above, not a pass mark: the load of the machine is not ours to assume.
if awk -v w="$worst" 'BEGIN { exit !(w < 0.5) }'; then
	pass "/healthz while the backlog goes out after the restart: worst of 10 ${worst}s (< 0.5 s)"
else
	fail "/healthz while the backlog goes out after the restart: worst of 10 ${worst}s (< 0.5 s)"
fi
if wait_for 30 outbox_count_is pending 0; then
	pass "after the restart every row is sent"
	diag "the rest of the backlog went out in $(awk -v a="$restarted" -v b="$(date +%s.%N)" \
		'BEGIN { printf "%.2f", b - a }') s after the restart"
else
	fail "after the restart every row is sent" "$(outbox_count pending) pending"
	diag_file "$LOG"
fi
is "$(outbox_count sent)" "$N" "$N rows marked sent"
is "$(gw_stat distinct_keys)" "$N" "the gateway holds $N distinct keys: every message once"
requests=$(gw_stat requests)
duplicates=$(gw_stat duplicates)
is "$((requests - duplicates))" "$N" "$N requests accepted as new, the rest are repeats of a key"
window=16 # twice gateway.max_in_flight (8)
if [ "$duplicates" -le "$window" ]; then
	pass "repeats ($duplicates) are only what was on the wire at the kill (at most $window)"
else
	fail "repeats are only what was on the wire at the kill" "$duplicates > $window"
fi
is "$(sql "$DATABASE" "SELECT count(DISTINCT idempotency_key) FROM outbox")" "$N" \
	"every row kept its own key"
max=$(gw_stat max_in_flight)
if int_at_least "$max" 1 && [ "$max" -le 8 ]; then
	pass "never more than gateway.max_in_flight (8) requests at once (saw $max)"
else
	fail "never more than gateway.max_in_flight (8) requests at once" "saw $max"
fi

# --- a sleeping gateway does not slow the API ---------------------------------------
gw_control '{"mode": "sleep", "sleep_ms": 2000}'
discharges $((N + 1)) 40
wait_for 10 gw_stat_is in_flight 8 || diag "the gateway has $(gw_stat in_flight) requests"
worst=$(healthz_worst 25)
in_flight=$(gw_stat in_flight)
diag "healthz while $in_flight gateway requests sleep: worst ${worst}s of:" \
	"$(cat "$TEST_TMP/healthz.samples")"
# Each gateway request sleeps 2 s: a loop waiting on one would answer
# after about that long, so 1 s tells blocked from busy.
if awk -v w="$worst" 'BEGIN { exit !(w < 1.0) }'; then
	pass "/healthz while the gateway sleeps: worst of 25 is ${worst}s (< 1 s)"
else
	fail "/healthz while the gateway sleeps: worst of 25 is ${worst}s (< 1 s)"
fi
t=$(curl -s -o "$BODY" -w '%{http_code} %{time_total}' -H "Authorization: Bearer $ADMIN" \
	-H 'Content-Type: application/json' --data-binary "{\"notification_id\": \"slow-1\",
	\"citizen\": {\"name\": \"Sidste Borger\", \"phone\": \"29999999\"},
	\"discharged_at\": \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\",
	\"consent\": {\"contact\": true, \"share_information\": true}}" \
	"http://127.0.0.1:$PORT/v1/discharges")
diag "a discharge while the gateway sleeps: $t"
if [ "${t%% *}" = 201 ] && awk -v w="${t#* }" 'BEGIN { exit !(w < 1.0) }'; then
	pass "a discharge (with its outbox row) is answered in ${t#* }s (< 1 s)"
else
	fail "a discharge is answered in < 1 s while the gateway sleeps" "$t"
fi
if stop_mentord TERM 10 && [ "$EXIT_STATUS" = 0 ]; then
	pass "SIGTERM with requests on the wire: exit 0"
else
	fail "SIGTERM with requests on the wire: exit 0" "exit status $EXIT_STATUS"
	diag_file "$LOG"
fi
