# outbox-lib.sh - helpers for the messaging gateway scripts (outbox-*.sh);
# sourced after lib.sh and api-lib.sh, never run. The gateway is
# tests/mockgw, a real process on an ephemeral port that records every
# request it gets as one JSON line in $RECORD.

MOCKGW=$top_builddir/tests/mockgw
[ -x "$MOCKGW" ] || bail "no executable $MOCKGW (run make check first)"

RECORD=$TEST_TMP/gateway.jsonl
GW_TOKEN=gw-secret-4711
GW_TOKEN_FILE=$TEST_TMP/gateway.token
GW_STATS=$TEST_TMP/gateway.stats
gw_runs=0

# start_mockgw: start the gateway (or start it again on the same port when
# GW_PORT is set and free) and wait for its port file. Sets GW_PID, GW_PORT.
start_mockgw() {
	gw_runs=$((gw_runs + 1))
	sm_port_file=$TEST_TMP/gateway.port.$gw_runs
	"$MOCKGW" --port-file "$sm_port_file" --record "$RECORD" --token "$GW_TOKEN" \
		</dev/null >"$TEST_TMP/mockgw.$gw_runs.log" 2>&1 &
	GW_PID=$!
	track_pid "$GW_PID"
	wait_for 10 test -s "$sm_port_file" || bail "mockgw wrote no port file"
	GW_PORT=$(cat "$sm_port_file")
}

stop_mockgw() {
	kill -TERM "$GW_PID" 2>/dev/null
	wait_exit "$GW_PID" 5
}

# gw_control JSON: change the gateway's mode (see tests/mockgw.c).
gw_control() {
	gc_out=$(timeout 10 curl -sS --max-time 5 -H 'Content-Type: application/json' \
		--data-binary "$1" "http://127.0.0.1:$GW_PORT/control" 2>&1) ||
		bail "mockgw /control $1: $gc_out"
}

# gw_stat NAME: one counter of GET /control/stats.
gw_stat() {
	timeout 10 curl -sS --max-time 5 -o "$GW_STATS" "http://127.0.0.1:$GW_PORT/control/stats" ||
		return 1
	json_raw "$GW_STATS" "$1"
}

gw_stat_is() {
	[ "$(gw_stat "$1")" = "$2" ]
}

# gw_requests PATH: how many requests to PATH the gateway accepted (200).
gw_requests() {
	grep "\"path\":\"$1\"" "$RECORD" 2>/dev/null | grep -c '"status":200}$' || true
}

gw_requests_at_least() {
	[ "$(gw_requests "$1")" -ge "$2" ]
}

# write_gateway_config: the test configuration (write_config) pointed at
# the mock gateway, with a token file and a sender.
write_gateway_config() {
	write_config
	printf '%s\n' "$GW_TOKEN" >"$GW_TOKEN_FILE"
	chmod 600 "$GW_TOKEN_FILE"
	config_set "$CONFIG" gateway.url "\"http://127.0.0.1:$GW_PORT\"" || bail "gateway.url"
	config_set "$CONFIG" gateway.token_file "\"$GW_TOKEN_FILE\"" || bail "gateway.token_file"
	config_set "$CONFIG" gateway.connect_timeout 2 || bail "gateway.connect_timeout"
	config_set "$CONFIG" gateway.timeout 5 || bail "gateway.timeout"
	config_set "$CONFIG" messages.sender_cvr '"29189897"' || bail "messages.sender_cvr"
	config_set "$CONFIG" messages.sender_label '"Eksempel Kommune"' || bail "sender_label"
	config_set "$CONFIG" messages.content_responsible '"Borgerservice"' ||
		bail "content_responsible"
}

# outbox_rows STATE: the ids of the outbox rows in STATE, by GET /v1/outbox.
outbox_rows() {
	api GET "/v1/outbox?state=$1" "$ADMIN"
	json_column "$BODY" outbox id
}

# outbox_walk STATE LIMIT: every page of GET /v1/outbox?state=STATE&limit=
# LIMIT (STATE "": all), following next_after: "IDS / N pages, the last
# next_after X". It stops early at a next_after that is not the last id of
# its page.
outbox_walk() {
	ow_after=
	ow_ids=
	ow_pages=0
	while [ "$ow_pages" -lt 100 ]; do
		api GET "/v1/outbox?limit=$2${1:+&state=$1}${ow_after:+&after=$ow_after}" "$ADMIN"
		ow_page=$(json_column "$BODY" outbox id)
		ow_next=$(json_raw "$BODY" next_after 2>/dev/null)
		ow_ids="$ow_ids${ow_ids:+${ow_page:+ }}$ow_page"
		ow_pages=$((ow_pages + 1))
		[ -n "$ow_page" ] && [ "$ow_next" = "${ow_page##* }" ] || break
		ow_after=$ow_next
	done
	printf '%s / %s pages, the last next_after %s' "$ow_ids" "$ow_pages" "${ow_next:-absent}"
}

# outbox_count STATE: how many rows are in STATE (sqlite3, as an admin would).
outbox_count() {
	sql "$DATABASE" "SELECT count(*) FROM outbox WHERE state = '$1'"
}

outbox_count_is() {
	[ "$(outbox_count "$1")" = "$2" ]
}

# record_line N PATH: the Nth request (1-based) to PATH the gateway
# accepted, as a JSON file; record_body N PATH: the body it carried.
record_line() {
	grep "\"path\":\"$2\"" "$RECORD" | grep '"status":200}$' | sed -n "${1}p" \
		>"$TEST_TMP/record.line"
	[ -s "$TEST_TMP/record.line" ]
}

record_body() {
	record_line "$1" "$2" || return 1
	json_get "$TEST_TMP/record.line" body
}

# epoch RFC3339: Unix seconds (GNU date).
epoch() {
	date -d "$1" +%s
}
