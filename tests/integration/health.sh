#!/bin/sh
# health.sh - GET /healthz, the problem replies of the router, the body
# limit, and the loopback-only default (doc/api.md, doc/operations.md).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

plan 27

write_config
if start_mentord; then
	pass "mentord starts with the shipped configuration on an ephemeral port"
else
	bail "mentord did not start"
fi

# --- /healthz ----------------------------------------------------------------
http GET /healthz
is "$HTTP_STATUS" 200 "GET /healthz answers 200"
is "$(header Content-Type)" application/json "GET /healthz is application/json"
is "$(header Cache-Control)" no-store "GET /healthz says Cache-Control: no-store"
is "$(header X-Content-Type-Options)" nosniff "GET /healthz says X-Content-Type-Options: nosniff"
check "GET /healthz body is valid JSON" json_valid "$BODY"
is_json status ok "healthz: status is \"ok\""
version=$("$MENTORD" --version | sed -n 's/^mentord //p')
is_json version "$version" "healthz: version is the one mentord --version prints ($version)"
is_json database.status ok "healthz: database.status is \"ok\""
schema=$(json_raw "$BODY" database.schema_version 2>/dev/null)
user_version=$(sql "$DATABASE" 'PRAGMA user_version')
if int_at_least "$schema" 1 && [ "$schema" = "$user_version" ]; then
	pass "healthz: database.schema_version ($schema) is the file's user_version, >= 1"
else
	fail "healthz: database.schema_version is the file's user_version, >= 1" \
		"schema_version '$schema', user_version '$user_version'"
fi
is "$(stat -c %a "$DATABASE")" 600 "the database mentord created is private to its user (0600)"
uptime=$(json_raw "$BODY" uptime_seconds 2>/dev/null)
check "healthz: uptime_seconds is a non-negative integer ($uptime)" int_at_least "$uptime" 0

http HEAD /healthz
if [ "$HTTP_STATUS" = 200 ] && [ "$(header Content-Type)" = application/json ]; then
	pass "HEAD /healthz answers 200 application/json"
else
	fail "HEAD /healthz answers 200 application/json" \
		"status $HTTP_STATUS, Content-Type '$(header Content-Type)'"
fi

# --- router errors -----------------------------------------------------------
http GET /no/such/thing
is_problem 404 "an unknown path is a 404 application/problem+json with title, status, detail"
http GET /healthz/extra
is_problem 404 "a path below /healthz is not /healthz (404)"
http POST /healthz -H 'Content-Type: application/json' --data-binary '{}'
is_problem 405 "POST /healthz is a 405 problem"
like "$(header Allow)" '(^|[ ,])GET([ ,]|$)' "the 405 names the allowed methods (Allow: GET)"
http DELETE /healthz
is "$HTTP_STATUS" 405 "DELETE /healthz is a 405"

# --- limits ------------------------------------------------------------------
# A request is judged on its head, before its body is read: POST /healthz
# is refused (405) however large its body. The client must still read the
# refusal, not a reset connection. (413 for a body too large for a route
# that takes one: http-edge.sh.)
head -c 65537 /dev/zero | tr '\0' ' ' >"$TEST_TMP/big.json"
http POST /healthz -H 'Content-Type: application/json' -H 'Expect:' \
	--data-binary "@$TEST_TMP/big.json"
if [ "$HTTP_STATUS" = 405 ] && [ "$CURL_EXIT" = 0 ]; then
	pass "a body of 64 KiB + 1 (Content-Length) to POST /healthz gets a 405 the client receives"
else
	fail "a body of 64 KiB + 1 (Content-Length) to POST /healthz gets a 405 the client receives" \
		"status $HTTP_STATUS, curl exit $CURL_EXIT: $(cat "$TEST_TMP/curl.err")"
fi
http POST /healthz -H 'Content-Type: application/json' -H 'Expect:' \
	-H 'Transfer-Encoding: chunked' --data-binary "@$TEST_TMP/big.json"
if [ "$HTTP_STATUS" = 405 ] && [ "$CURL_EXIT" = 0 ]; then
	pass "a chunked body of 64 KiB + 1 to POST /healthz gets a 405 the client receives"
else
	fail "a chunked body of 64 KiB + 1 to POST /healthz gets a 405 the client receives" \
		"status $HTTP_STATUS, curl exit $CURL_EXIT: $(cat "$TEST_TMP/curl.err")"
fi
# Many clients send the whole body before reading the reply. Lingering
# close lets them: mentord reads and drops the rest of a refused body
# instead of resetting the connection under the client's feet.
if command -v bash >/dev/null 2>&1; then
	head -c 1048576 /dev/zero | tr '\0' ' ' >"$TEST_TMP/1m.json"
	reply=$(timeout 15 bash -c '
		exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
		if { printf "POST /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: %s\r\n\r\n" \
			"$(wc -c <"$2")"; cat "$2"; } >&3 2>/dev/null; then
			echo sent
		else
			echo "write failed"
		fi
		read -r proto code rest <&3 && echo "$code"' naive "$PORT" "$TEST_TMP/1m.json" 2>&1 |
		tr '\n' ' ')
	is "$reply" "sent 405 " "a client sending all of a 1 MiB body before reading gets to send it, then reads the 405"
else
	skip "bash (for /dev/tcp) is not installed" \
		"a client sending all of a 1 MiB body before reading gets to send it, then reads the 405"
fi
# listen.max_header_bytes is 8192 in the shipped file.
big_header=$(head -c 9000 /dev/zero | tr '\0' x)
http GET /healthz -H "X-Padding: $big_header"
is_problem 431 "a 9000-byte header (max_header_bytes 8192) is refused with a 431 problem"
http GET /healthz
is "$HTTP_STATUS" 200 "still serving /healthz after the refused requests"

# --- listening on loopback only ----------------------------------------------
file_like "$LOG" "listening on http://127\\.0\\.0\\.1:$PORT/" \
	"the log names the loopback address and the bound port"
if command -v ss >/dev/null 2>&1; then
	listeners=$(ss -Hltn "sport = :$PORT" | awk '{ print $4 }' | sort -u | tr '\n' ' ')
	is "$listeners" "127.0.0.1:$PORT " "only 127.0.0.1:$PORT listens (ss -ltn)"
else
	skip "ss (iproute2) is not installed" "only 127.0.0.1:$PORT listens (ss -ltn)"
fi
# And nothing answers on the machine's other addresses.
other=$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -E '^[0-9]+(\.[0-9]+){3}$' |
	grep -v '^127\.' | head -n 1)
if [ -n "$other" ]; then
	HTTP_HOST=$other http GET /healthz
	is "$CURL_EXIT" 7 "nothing accepts connections on $other:$PORT (not loopback)"
else
	skip "the machine has no non-loopback IPv4 address" \
		"nothing accepts connections on a non-loopback address"
fi

if stop_mentord TERM 10 && [ "$EXIT_STATUS" = 0 ]; then
	pass "SIGTERM stops mentord with exit status 0"
else
	fail "SIGTERM stops mentord with exit status 0" "exit status $EXIT_STATUS"
	diag_file "$LOG"
fi
