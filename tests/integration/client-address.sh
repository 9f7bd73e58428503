#!/bin/sh
# client-address.sh - the client address mentord records in the audit log
# (src/proxy.c), without a real proxy: X-Forwarded-For is believed only
# from a peer in listen.trusted_proxies, read from the right, and ignored
# when malformed; /metrics goes by the same address; a reload changes who
# is trusted. tls-proxy.sh does the same through a real nginx.
#
# Every address is a loopback one: the trusted "proxy" is 127.0.0.1, an
# untrusted client 127.0.0.2 (curl --interface).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/api-lib.sh"

plan 12

# The course's audit rows as "id:times" words: a read repeated the same
# day from the same address counts on its row rather than adding one.
audit_rows() {
	sql "$DATABASE" "SELECT group_concat(id || ':' || times, ' ') FROM audit
		WHERE course_id = $COURSE"
}

# from SOURCE-IP [XFF]: GET /v1/courses/$COURSE as the admin from SOURCE-IP,
# with X-Forwarded-For XFF when given; ADDRESS is the client_address of
# the audit row it wrote or counted on.
from() {
	set -- "$1" "${2-}" "${2+set}"
	before=" $(audit_rows) "
	: >"$BODY"
	if [ "$3" = set ]; then
		HTTP_STATUS=$(timeout 15 curl -sS --max-time 10 --interface "$1" -o "$BODY" \
			-w '%{http_code}' -H "Authorization: Bearer $ADMIN" -H "X-Forwarded-For: $2" \
			"http://127.0.0.1:$PORT/v1/courses/$COURSE" 2>"$TEST_TMP/curl.err")
	else
		HTTP_STATUS=$(timeout 15 curl -sS --max-time 10 --interface "$1" -o "$BODY" \
			-w '%{http_code}' -H "Authorization: Bearer $ADMIN" \
			"http://127.0.0.1:$PORT/v1/courses/$COURSE" 2>"$TEST_TMP/curl.err")
	fi
	[ "$HTTP_STATUS" = 200 ] || diag "GET from $1: $HTTP_STATUS $(cat "$TEST_TMP/curl.err")"
	row=
	for r in $(audit_rows); do
		case "$before" in *" $r "*) ;; *) row=${r%%:*} ;; esac
	done
	ADDRESS=$(sql "$DATABASE" "SELECT coalesce(client_address, 'NULL') FROM audit
		WHERE id = ${row:-0}")
}

write_config
config_set "$CONFIG" listen.trusted_proxies '["127.0.0.1"]' ||
	bail "no listen.trusted_proxies in $SHIPPED_CONFIG"
ADMIN=$(token_add admin coordinator)
PSYCH=$(token_add psychiatry ward-7)
start_api_daemon --test-clock
set_clock 2026-03-02T12:00:00+01:00
api_json POST /v1/mentors "$ADMIN" '{"name": "Anna", "phone": "21000001"}'
api_json POST /v1/discharges "$PSYCH" '{"notification_id": "ca-1",
	"citizen": {"name": "Ada Address", "phone": "30000041"},
	"discharged_at": "2026-03-02T10:00:00+01:00",
	"consent": {"contact": true, "share_information": true}}'
[ "$HTTP_STATUS" = 201 ] || bail "discharge answered $HTTP_STATUS: $(cat "$BODY")"
COURSE=$(jget course_id)

from 127.0.0.1
is "$ADDRESS" 127.0.0.1 "no X-Forwarded-For: the peer's address is recorded"
from 127.0.0.1 198.51.100.7
is "$ADDRESS" 198.51.100.7 "from the trusted proxy: the client it names"
from 127.0.0.1 "203.0.113.9, 198.51.100.7"
is "$ADDRESS" 198.51.100.7 "from the trusted proxy: the right-most entry, not what its client sent"
from 127.0.0.1 "198.51.100.7, 127.0.0.1"
is "$ADDRESS" 198.51.100.7 "the trusted proxy's own entry is skipped"
from 127.0.0.1 "198.51.100.7:4711"
is "$ADDRESS" 127.0.0.1 "a malformed header (with a port) is ignored: the peer's address"
from 127.0.0.2 203.0.113.9
is "$ADDRESS" 127.0.0.2 "from an untrusted peer the header is ignored"

api GET "/v1/audit?course=$COURSE" "$ADMIN"
is "$(json_column "$BODY" audit client_address)/$(json_column "$BODY" audit times)" \
	"127.0.0.1 127.0.0.1 198.51.100.7 127.0.0.2/1 2 3 1" \
	"GET /v1/audit shows each row's client_address, reads from one counted on one row"

# /metrics needs no token from a loopback client only: the client a trusted
# proxy names counts, not the proxy.
HTTP_STATUS=$(timeout 15 curl -sS --max-time 10 -o /dev/null -w '%{http_code}' \
	-H 'X-Forwarded-For: 198.51.100.7' "http://127.0.0.1:$PORT/metrics")
is "$HTTP_STATUS" 401 "/metrics for a remote client through the trusted proxy needs a token"
HTTP_STATUS=$(timeout 15 curl -sS --max-time 10 -o /dev/null -w '%{http_code}' \
	-H 'X-Forwarded-For: 127.0.0.1' "http://127.0.0.1:$PORT/metrics")
is "$HTTP_STATUS" 200 "/metrics for a loopback client through the trusted proxy needs none"
HTTP_STATUS=$(timeout 15 curl -sS --max-time 10 --interface 127.0.0.2 -o /dev/null \
	-w '%{http_code}' -H 'X-Forwarded-For: 198.51.100.7' "http://127.0.0.1:$PORT/metrics")
is "$HTTP_STATUS" 200 "an untrusted loopback peer cannot make itself remote either"

# A reload changes who is trusted.
config_set "$CONFIG" listen.trusted_proxies '[]' || bail "cannot edit listen.trusted_proxies"
kill -HUP "$MENTORD_PID"
wait_for_log 'configuration reloaded' 1 5 || bail "the reload did not happen"
from 127.0.0.1 198.51.100.7
is "$ADDRESS" 127.0.0.1 "after a reload with no trusted proxies the header is ignored"

stop_mentord TERM 10
is "$EXIT_STATUS" 0 "mentord stops cleanly"
