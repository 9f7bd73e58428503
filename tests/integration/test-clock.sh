#!/bin/sh
# test-clock.sh - PUT /v1/test/clock exists only with --test-clock; it reads
# RFC 3339, answers in Copenhagen local time, and rejects bad requests with
# the right problem (doc/api.md).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

plan 31

# set_clock BODY [CONTENT-TYPE]: PUT BODY, as application/json by default.
set_clock() {
	http PUT /v1/test/clock -H "Content-Type:${2- application/json}" -H 'Expect:' \
		--data-binary "$1"
}

# clock_is UTC LOCAL: setting the clock to UTC echoes LOCAL.
clock_is() {
	set_clock "{\"now\": \"$1\"}"
	got=$(json_get "$BODY" now 2>/dev/null)
	if [ "$HTTP_STATUS" = 200 ] && [ "$got" = "$2" ]; then
		pass "now $1 is echoed as $2"
	else
		fail "now $1 is echoed as $2" "status $HTTP_STATUS, now '$got'"
		diag_file "$BODY"
	fi
}

# rejects_now DESC BODY: a 422 problem whose errors[0].field is "now".
rejects_now() {
	set_clock "$2"
	field=$(json_get "$BODY" errors.0.field 2>/dev/null)
	message=$(json_get "$BODY" errors.0.message 2>/dev/null)
	if [ "$HTTP_STATUS" = 422 ] && [ "$(header Content-Type)" = application/problem+json ] &&
		[ "$(json_raw "$BODY" status 2>/dev/null)" = 422 ] && [ "$field" = now ] &&
		[ -n "$message" ]; then
		pass "$1: 422 problem with errors[0].field \"now\""
	else
		fail "$1: 422 problem with errors[0].field \"now\"" \
			"status $HTTP_STATUS, field '$field', message '$message'"
		diag_file "$BODY"
	fi
}

write_config

# --- without --test-clock ---------------------------------------------------------
start_mentord || bail "mentord did not start"
set_clock '{"now": "2026-03-29T01:30:00Z"}'
is_problem 404 "without --test-clock PUT /v1/test/clock is a 404 problem"
# Not a route that refuses to act: no route at all, whatever the request.
set_clock '{"now": '
is_problem 404 "without --test-clock a malformed PUT is a 404 too, not a 400"
http GET /v1/test/clock
is_problem 404 "without --test-clock GET /v1/test/clock is a 404, not a 405"
file_unlike "$LOG" 'test clock' "without --test-clock nothing is logged about a test clock"
stop_mentord TERM 10 || bail "mentord did not stop"

# --- with --test-clock ------------------------------------------------------------
start_mentord --test-clock || bail "mentord --test-clock did not start"
file_like "$LOG" 'warning: .*test clock' "--test-clock is logged as a warning"

set_clock '{"now": "2026-03-29T01:30:00Z"}'
is "$HTTP_STATUS" 200 "PUT /v1/test/clock answers 200"
is "$(header Content-Type)" application/json "the reply is application/json"
is_json now 2026-03-29T03:30:00+02:00 "2026-03-29T01:30:00Z is echoed as 03:30:00+02:00 (summer time)"
clock_is 2026-03-29T00:59:59Z 2026-03-29T01:59:59+01:00
clock_is 2026-10-25T00:59:59Z 2026-10-25T02:59:59+02:00
clock_is 2026-10-25T01:00:00Z 2026-10-25T02:00:00+01:00
clock_is 2026-07-01T12:00:00-05:00 2026-07-01T19:00:00+02:00
clock_is 2026-01-15T10:00:00.250Z 2026-01-15T11:00:00+01:00
clock_is 2028-02-29T23:30:00+00:00 2028-03-01T00:30:00+01:00

rejects_now "no such day (2026-02-30)" '{"now": "2026-02-30T10:00:00Z"}'
rejects_now "no offset" '{"now": "2026-03-29T01:30:00"}'
rejects_now "hour 25" '{"now": "2026-03-29T25:00:00Z"}'
rejects_now "a Danish date" '{"now": "29-03-2026 01:30"}'
rejects_now "now is a number" '{"now": 1774747800}'
rejects_now "now is missing" '{}'

set_clock '{"now": "2026-03-29T01:30:00Z"}' ' text/plain'
is_problem 415 "Content-Type text/plain is a 415 problem"
set_clock '{"now": "2026-03-29T01:30:00Z"}' ''
is_problem 415 "no Content-Type is a 415 problem"
set_clock '{"now": "2026-03-29T01:30:00Z"'
is_problem 400 "malformed JSON is a 400 problem"
set_clock '["2026-03-29T01:30:00Z"]'
is_problem 400 "a JSON array instead of an object is a 400 problem"
set_clock '{"now": "2026-03-29T01:30:00Z"} {}'
is_problem 400 "two JSON documents in one body is a 400 problem"

# The limit is 64 KiB: exactly 65536 bytes pass, one more is refused.
prefix='{"now": "2026-05-01T10:00:00Z"'
{
	printf '%s' "$prefix"
	head -c $((65536 - ${#prefix} - 1)) /dev/zero | tr '\0' ' '
	printf '}'
} >"$TEST_TMP/64k.json"
http PUT /v1/test/clock -H 'Content-Type: application/json' -H 'Expect:' \
	--data-binary "@$TEST_TMP/64k.json"
if [ "$HTTP_STATUS" = 200 ] && [ "$(json_get "$BODY" now 2>/dev/null)" = 2026-05-01T12:00:00+02:00 ]; then
	pass "a body of exactly 64 KiB is accepted"
else
	fail "a body of exactly 64 KiB is accepted" "status $HTTP_STATUS, size $(wc -c <"$TEST_TMP/64k.json")"
fi
printf ' ' >>"$TEST_TMP/64k.json"
http PUT /v1/test/clock -H 'Content-Type: application/json' -H 'Expect:' \
	--data-binary "@$TEST_TMP/64k.json"
if [ "$HTTP_STATUS" = 413 ] && [ "$CURL_EXIT" = 0 ]; then
	pass "a body of 64 KiB + 1 gets a 413 the client receives"
else
	fail "a body of 64 KiB + 1 gets a 413 the client receives" \
		"status $HTTP_STATUS, curl exit $CURL_EXIT: $(cat "$TEST_TMP/curl.err")"
fi

http GET /v1/test/clock
is_problem 405 "GET /v1/test/clock is a 405 problem"
like "$(header Allow)" '(^|[ ,])PUT([ ,]|$)' "the 405 says Allow: PUT"

http GET /healthz
is "$HTTP_STATUS" 200 "/healthz still answers after the rejected requests"
if stop_mentord TERM 10 && [ "$EXIT_STATUS" = 0 ]; then
	pass "SIGTERM: exit 0"
else
	fail "SIGTERM: exit 0" "exit status $EXIT_STATUS"
	diag_file "$LOG"
fi
