#!/bin/sh
# http-edge.sh - what reaches mentord before a handler does: strict
# framing (each smuggling pair refused 400, its hidden request never run),
# the token and Content-Length judged on the head before any body is read,
# media types as RFC 9110 reads them, problem JSON for malformed requests,
# whole-request deadlines (1,000 slow senders all closed while a normal
# client is served), the connection caps (a flood beyond them leaves
# /healthz and an authenticated client working), 1,000 unauthenticated
# slow bodies in bounded memory, no 40 ms Nagle stall on a large reply,
# and Connection: close on replies while draining.
#
# Raw requests come from tests/http-raw.py (python3); all on 127.0.0.1,
# each load bounded to a few seconds.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/api-lib.sh"

# The system's python3 first: a version manager's shim can take a second
# to start, and the raw clients run many times.
PYTHON=
for candidate in /usr/bin/python3 "$(command -v python3)"; do
	[ -z "$PYTHON" ] && [ -x "$candidate" ] && PYTHON=$candidate
done
if [ -z "$PYTHON" ]; then
	echo "1..0 # SKIP python3 is not installed (tests/http-raw.py needs it)"
	exit 0
fi
plan 90

# raw COMMAND ARG...: run http-raw.py against $PORT; its "key value"
# lines go to $RAW_OUT, read with out KEY.
RAW_OUT=$TEST_TMP/raw.out
raw() {
	r_cmd=$1
	shift
	timeout 60 "$PYTHON" "$top_srcdir/tests/http-raw.py" "$r_cmd" "$PORT" "$@" \
		>"$RAW_OUT" 2>"$TEST_TMP/raw.err"
}
out() {
	sed -n "s/^$1 //p" "$RAW_OUT" | head -n 1
}

# request FILE FORMAT [ARG...]: printf FORMAT (with \r\n) into FILE.
request() {
	r_file=$1
	shift
	# shellcheck disable=SC2059
	printf "$@" >"$r_file"
}

# refused_with STATUS DESC FILE: sending FILE gets exactly one reply, a
# STATUS problem (application/problem+json whose status is STATUS), and
# the connection is closed.
refused_with() {
	raw send "$3"
	if [ "$(out status)" = "$1" ] && [ "$(out replies)" = 1 ] && [ "$(out closed)" = yes ] &&
		[ "$(out 'header content-type')" = application/problem+json ] &&
		out body | grep -q "\"status\":$1[,}]"; then
		pass "$2"
	else
		fail "$2" "want one $1 problem reply and a closed connection; got:"
		diag "$(cat "$RAW_OUT")"
	fi
}

# peak_under DESC: mentord's peak RSS so far is under 48 MiB.
peak_under() {
	peak=$(awk '/^VmHWM/ { print $2 }' "/proc/$MENTORD_PID/status")
	if [ -n "$peak" ] && [ "$peak" -lt 49152 ]; then
		pass "$1: peak RSS $((peak / 1024)) MiB, under 48 MiB"
	else
		fail "$1: peak RSS under 48 MiB" "VmHWM $peak kB"
	fi
}

# --- strict framing: each smuggling pair ---------------------------------
write_config
start_api_daemon --web-root "$top_srcdir/web"
ADMIN=$(token_add admin "Edge admin")

# The hidden request creates mentor "Smuggled N": if it ever runs, the
# mentor exists.
hidden() {
	h_body="{\"name\": \"Smuggled $1\", \"phone\": \"20 30 40 5$1\"}"
	request "$TEST_TMP/hidden.$1" 'POST /v1/mentors HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %s\r\n\r\n%s' \
		"$ADMIN" "${#h_body}" "$h_body"
	wc -c <"$TEST_TMP/hidden.$1" | tr -d ' '
}
FRONT='POST /v1/mentors HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\n'

# smuggled FILE N DESC: FILE, sent without closing the client's side (so
# that a hidden request after a misread body would be read and run), gets
# exactly one reply, a 400 problem, and the connection closes; and the
# hidden request N never ran: there is no mentor "Smuggled N".
smuggled() {
	raw send "$1" 5 keep
	if [ "$(out status)" = 400 ] && [ "$(out replies)" = 1 ] && [ "$(out closed)" = yes ] &&
		[ "$(out 'header content-type')" = application/problem+json ]; then
		pass "$3: one 400 problem, connection closed"
	else
		fail "$3: one 400 problem, connection closed" "$(cat "$RAW_OUT")"
	fi
	api GET /v1/mentors "$ADMIN"
	if [ "$HTTP_STATUS" = 200 ] && ! grep -q "\"Smuggled $2\"" "$BODY"; then
		pass "$3: the hidden request never ran"
	else
		fail "$3: the hidden request never ran" "GET /v1/mentors: $HTTP_STATUS"
		diag_file "$BODY"
	fi
}

# smuggle N DESC HEADERS-FORMAT [ARG...]: the front request with those
# framing headers, then the hidden request N.
smuggle() {
	s_n=$1
	s_desc=$2
	shift 2
	hidden "$s_n" >/dev/null
	s_fmt=$1
	shift
	# shellcheck disable=SC2059
	{ printf "$FRONT" "$ADMIN"; printf "$s_fmt" "$@"; cat "$TEST_TMP/hidden.$s_n"; } \
		>"$TEST_TMP/smuggle.$s_n"
	smuggled "$TEST_TMP/smuggle.$s_n" "$s_n" "$s_desc"
}

n=$(hidden 1)
smuggle 1 "two differing Content-Length (0 and $n)" 'Content-Length: 0\r\nContent-Length: %s\r\n\r\n' "$n"
n=$(hidden 2)
smuggle 2 "two equal Content-Length" 'Content-Length: %s\r\nContent-Length: %s\r\n\r\n' "$n" "$n"
smuggle 3 "Content-Length: +0" 'Content-Length: +0\r\n\r\n'
smuggle 4 "Transfer-Encoding with a space before the colon" 'Transfer-Encoding : chunked\r\n\r\n'
smuggle 5 "an obs-folded Transfer-Encoding" 'Transfer-Encoding:\r\n chunked\r\n\r\n'
n=$(hidden 6)
smuggle 6 "Transfer-Encoding: chunked and Content-Length" \
	'Transfer-Encoding: chunked\r\nContent-Length: %s\r\n\r\n0\r\n\r\n' "$((n + 5))"
smuggle 7 "Transfer-Encoding: gzip, chunked" 'Transfer-Encoding: gzip, chunked\r\n\r\n'
n=$(hidden 8)
request "$TEST_TMP/smuggle.8" 'HEAD /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %s\r\n\r\n' "$n"
cat "$TEST_TMP/hidden.8" >>"$TEST_TMP/smuggle.8"
smuggled "$TEST_TMP/smuggle.8" 8 "HEAD with a body"

# What is allowed still works: a lone chunked body, and two requests
# sent at once on one connection.
body='{"name": "Chunked Mentor", "phone": "20 30 40 60"}'
request "$TEST_TMP/chunked" "$FRONT"'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n%x\r\n%s\r\n0\r\n\r\n' \
	"$ADMIN" "${#body}" "$body"
raw send "$TEST_TMP/chunked"
is "$(out status)" 201 "a lone chunked body is read (201)"
request "$TEST_TMP/pipelined" 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'
raw send "$TEST_TMP/pipelined"
is "$(out replies)" 2 "two pipelined requests get two replies"

# --- judged on the head, before the body ---------------------------------
# Only the head is sent (then the client's side is shut): a reply means
# the server answered without waiting for the 60,000-byte body.
request "$TEST_TMP/noauth" 'POST /v1/mentors HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n'
refused_with 401 "no token: 401 before the body is read" "$TEST_TMP/noauth"
like "$(out 'header www-authenticate')" '^Bearer' "the early 401 says WWW-Authenticate: Bearer"
request "$TEST_TMP/toolarge" "$FRONT"'Content-Length: 70000\r\n\r\n' "$ADMIN"
refused_with 413 "Content-Length 70000 with a token: 413 before the body is read" "$TEST_TMP/toolarge"
head -c 65537 /dev/zero | tr '\0' ' ' >"$TEST_TMP/big.json"
http POST /v1/mentors -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' \
	-H 'Expect:' -H 'Transfer-Encoding: chunked' --data-binary "@$TEST_TMP/big.json"
if [ "$HTTP_STATUS" = 413 ] && [ "$CURL_EXIT" = 0 ]; then
	pass "a chunked body of 64 KiB + 1 with a token gets a 413 the client receives"
else
	fail "a chunked body of 64 KiB + 1 with a token gets a 413 the client receives" \
		"status $HTTP_STATUS, curl exit $CURL_EXIT: $(cat "$TEST_TMP/curl.err")"
fi
request "$TEST_TMP/noauth-large" 'POST /v1/mentors HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 700000\r\n\r\n'
refused_with 401 "no token and a large body: 401, not 413" "$TEST_TMP/noauth-large"
MENTOR_TOKEN_RAW=$(token_add psychiatry "Edge psychiatry")
request "$TEST_TMP/role" 'POST /v1/mentors HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n' \
	"$MENTOR_TOKEN_RAW"
refused_with 403 "a token of another role: 403 before the body is read" "$TEST_TMP/role"
request "$TEST_TMP/type" 'POST /v1/mentors HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\nContent-Type: text/plain\r\nContent-Length: 60000\r\n\r\n' \
	"$ADMIN"
refused_with 415 "text/plain: 415 before the body is read" "$TEST_TMP/type"

# A page's request (a cookie, no token): its session, CSRF token and
# Origin are judged on the head too, so a Cookie header alone gets no
# body read.
request "$TEST_TMP/cookie-large" 'POST /v1/discharges HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: x=y\r\nContent-Type: application/json\r\nContent-Length: 70000\r\n\r\n'
refused_with 401 "a Cookie without a session and a large body: 401 on the head, not 413" \
	"$TEST_TMP/cookie-large"
like "$(out 'header www-authenticate')" '^Bearer' "that 401 says WWW-Authenticate: Bearer"
request "$TEST_TMP/cookie-bogus" 'POST /v1/discharges HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: mentord_session=mts_bogus\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n'
refused_with 401 "a session cookie naming no session: 401 before the body is read" \
	"$TEST_TMP/cookie-bogus"
# session TOKEN: sign in with TOKEN; SESSION is the cookie, CSRF its token.
session() {
	http POST /v1/session -H 'Expect:' -H 'Content-Type: application/json' \
		--data-binary "{\"token\": \"$1\"}"
	SESSION=$(header Set-Cookie | sed -n 's/^mentord_session=\([^;]*\);.*/\1/p')
	CSRF=$(jget csrf_token)
	[ -n "$SESSION" ] && [ -n "$CSRF" ] || bail "no session: $HTTP_STATUS $(cat "$BODY")"
}
SESSION_HEAD='POST /v1/mentors HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: mentord_session=%s\r\nContent-Type: application/json\r\n'
session "$ADMIN"
request "$TEST_TMP/csrf" "$SESSION_HEAD"'X-CSRF-Token: wrong\r\nContent-Length: 60000\r\n\r\n' \
	"$SESSION"
refused_with 403 "a live session with a wrong CSRF token: 403 before the body is read" \
	"$TEST_TMP/csrf"
request "$TEST_TMP/origin" "$SESSION_HEAD"'X-CSRF-Token: %s\r\nOrigin: http://evil.example\r\nContent-Length: 60000\r\n\r\n' \
	"$SESSION" "$CSRF"
refused_with 403 "a live session with another site's Origin: 403 before the body is read" \
	"$TEST_TMP/origin"
request "$TEST_TMP/session-large" "$SESSION_HEAD"'X-CSRF-Token: %s\r\nContent-Length: 70000\r\n\r\n' \
	"$SESSION" "$CSRF"
refused_with 413 "a live session and its CSRF token pass the head: 413 for 70000 bytes" \
	"$TEST_TMP/session-large"
http POST /v1/mentors -H "Cookie: mentord_session=$SESSION" -H "X-CSRF-Token: $CSRF" \
	-H 'Origin: http://127.0.0.1:'"$PORT" -H 'Content-Type: application/json' -H 'Expect:' \
	--data-binary '{"name": "Session Mentor", "phone": "20 30 40 70"}'
is "$HTTP_STATUS" 201 "a live session with its CSRF token and Origin writes (201)"
session "$MENTOR_TOKEN_RAW"
request "$TEST_TMP/session-role" "$SESSION_HEAD"'X-CSRF-Token: %s\r\nContent-Length: 60000\r\n\r\n' \
	"$SESSION" "$CSRF"
refused_with 403 "a live session of another role: 403 before the body is read" \
	"$TEST_TMP/session-role"

# Routes that authenticate nobody before the body: sign-in reads at most
# 4 KiB (a token), and GET, HEAD and DELETE take no body.
request "$TEST_TMP/signin-large" 'POST /v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 4097\r\n\r\n'
refused_with 413 "POST /v1/session with 4097 bytes: 413 before the body is read" \
	"$TEST_TMP/signin-large"
like "$(out body)" '4 KiB' "its detail names the 4 KiB limit"
head -c 5000 /dev/zero | tr '\0' ' ' >"$TEST_TMP/signin.json"
http POST /v1/session -H 'Content-Type: application/json' -H 'Expect:' \
	-H 'Transfer-Encoding: chunked' --data-binary "@$TEST_TMP/signin.json"
is "$HTTP_STATUS" 413 "a chunked sign-in body over 4 KiB: 413"
request "$TEST_TMP/signin-origin" 'POST /v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://evil.example\r\nContent-Type: application/json\r\nContent-Length: 3000\r\n\r\n'
refused_with 403 "POST /v1/session from another site: 403 before the body is read" \
	"$TEST_TMP/signin-origin"
for target in 'GET /healthz' 'GET /v1/session' 'DELETE /v1/session' 'GET /' 'GET /metrics'; do
	request "$TEST_TMP/nobody" '%s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 60000\r\n\r\n' \
		"$target"
	refused_with 413 "$target with a body: 413 before the body is read" "$TEST_TMP/nobody"
done
request "$TEST_TMP/nobody" 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n'
refused_with 413 "GET /healthz with a chunked body: 413 on the head" "$TEST_TMP/nobody"
request "$TEST_TMP/nobody" 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'
raw send "$TEST_TMP/nobody"
is "$(out status)" 200 "GET /healthz with Content-Length: 0 is served (200)"

# --- media types (RFC 9110 §8.3.1) ---------------------------------------
media() { # media WANT CONTENT-TYPE N
	http POST /v1/mentors -H "Authorization: Bearer $ADMIN" -H 'Expect:' \
		-H "Content-Type: $2" --data-binary "{\"name\": \"Media $3\", \"phone\": \"20 30 41 0$3\"}"
	if [ "$1" = 415 ]; then
		is_problem 415 "Content-Type '$2': 415 problem"
	else
		is "$HTTP_STATUS" "$1" "Content-Type '$2': $1"
	fi
}
media 201 'Application/JSON' 1
media 201 'application/json; charset=utf-8' 2
media 201 'application/json;charset="UTF-8"' 3
media 415 'application/json; charset=iso-8859-1' 4
media 415 'application/jsonx' 5
media 415 'application/json-patch+json' 6

# --- problem JSON for malformed requests ---------------------------------
request "$TEST_TMP/m1" 'GARBAGE\r\n\r\n'
refused_with 400 "a request line that is not one: 400 problem" "$TEST_TMP/m1"
request "$TEST_TMP/m2" 'BREW /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'
refused_with 501 "an unknown method: 501 problem" "$TEST_TMP/m2"
request "$TEST_TMP/m3" 'GET /healthz HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n'
refused_with 505 "HTTP/2.0 on HTTP/1 framing: 505 problem" "$TEST_TMP/m3"
request "$TEST_TMP/m4" 'GET /healthz HTTP/1.1\r\n\r\n'
refused_with 400 "HTTP/1.1 without Host: 400 problem" "$TEST_TMP/m4"
request "$TEST_TMP/m5" 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: tea\r\n\r\n'
refused_with 417 "Expect other than 100-continue: 417 problem" "$TEST_TMP/m5"
request "$TEST_TMP/m6" 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: %s\r\n\r\n' \
	"$(head -c 9000 /dev/zero | tr '\0' x)"
refused_with 431 "a 9000-byte head (max_header_bytes 8192): 431 problem" "$TEST_TMP/m6"
request "$TEST_TMP/m7" "$FRONT"'Transfer-Encoding: chunked\r\n\r\nzz\r\n' "$ADMIN"
refused_with 400 "a malformed chunk size: 400 problem" "$TEST_TMP/m7"
request "$TEST_TMP/m8" 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Bad: a\rb\r\n\r\n'
refused_with 400 "a bare CR in a header: 400 problem" "$TEST_TMP/m8"
request "$TEST_TMP/m9" 'GET /no/such/thing HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 60000\r\n\r\n'
refused_with 404 "an unknown path with a body: 404 problem before the body" "$TEST_TMP/m9"
# RFC 9112 §2.2: an empty line before the request line is ignored, also
# when its CR and LF arrive in separate reads.
request "$TEST_TMP/crlf" '\r\nGET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'
raw split "$TEST_TMP/crlf" 1 0.3
is "$(out status) $(out replies)" "200 1" "a leading CR, then its LF 0.3 s later: skipped, 200"

# --- Nagle -----------------------------------------------------------------
# The page's largest file (over 16 KiB): evhttp writes it in pieces, and
# without TCP_NODELAY the last one waits for the client's delayed ACK
# (about 40 ms).
largest=$(ls -S "$top_srcdir/web" | head -1)
raw timing "/$largest" 20
median=$(out median_ms)
if [ "$(out bytes)" -gt 16384 ] 2>/dev/null && [ "${median%.*}" -lt 20 ] 2>/dev/null; then
	pass "a $(out bytes)-byte reply on a kept-alive connection: median ${median} ms, no Nagle stall"
else
	fail "a reply over 16 KiB arrives without a 40 ms Nagle stall" "$(cat "$RAW_OUT")"
fi

# --- draining: Connection: close --------------------------------------------
raw drain "$MENTORD_PID"
is "$(out draining_status)" 200 "a request completed during the drain is answered"
is "$(out draining_connection)" close "its reply says Connection: close"
is "$(out draining_closed)" yes "and the connection closes after it"
is "$(out idle_closed)" yes "an idle kept-alive connection is closed at once on SIGTERM"
wait_exit "$MENTORD_PID" 15
is "$EXIT_STATUS" 0 "mentord exits 0 after the drain"

# --- deadlines ----------------------------------------------------------------
# Short ones, so the test is quick: 2 s for a head, 3 s for a body, 2 s
# idle. 1,000 slow connections need descriptors: raise the soft limit.
ulimit -S -n 4096 2>/dev/null || true
DEADLINES_OK=yes
[ "$(ulimit -S -n)" -ge 2200 ] 2>/dev/null || DEADLINES_OK=
config_set "$CONFIG" listen.header_timeout 2 || bail "no listen.header_timeout"
config_set "$CONFIG" listen.body_timeout 3 || bail "no listen.body_timeout"
config_set "$CONFIG" listen.idle_timeout 2 || bail "no listen.idle_timeout"
config_set "$CONFIG" listen.max_connections 1500 || bail "no listen.max_connections"
config_set "$CONFIG" listen.max_connections_per_peer 1500 ||
	bail "no listen.max_connections_per_peer"
start_api_daemon

request "$TEST_TMP/d1" 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n'
raw hold "$TEST_TMP/d1" 8
if [ "$(out status)" = 408 ] && [ "$(out closed_s | tr -d .)" -le 35 ] 2>/dev/null; then
	pass "a head never finished: 408 and closed by the 2 s header deadline ($(out closed_s) s)"
else
	fail "a head never finished: 408 and closed by the 2 s header deadline" "$(cat "$RAW_OUT")"
fi
: >"$TEST_TMP/d2"
raw hold "$TEST_TMP/d2" 8
if [ "$(out status)" = none ] && [ "$(out closed_s | tr -d .)" -le 35 ] 2>/dev/null; then
	pass "a connection that sends nothing is closed by the header deadline ($(out closed_s) s)"
else
	fail "a connection that sends nothing is closed by the header deadline" "$(cat "$RAW_OUT")"
fi
request "$TEST_TMP/d3" "$FRONT"'Content-Length: 100\r\n\r\n{"name": ' "$ADMIN"
raw hold "$TEST_TMP/d3" 8
if [ "$(out status)" = 408 ] && [ "$(out closed_s | tr -d .)" -le 45 ] 2>/dev/null; then
	pass "a body never finished: 408 and closed by the 3 s body deadline ($(out closed_s) s)"
else
	fail "a body never finished: 408 and closed by the 3 s body deadline" "$(cat "$RAW_OUT")"
fi
request "$TEST_TMP/d4" 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'
raw hold "$TEST_TMP/d4" 8
if [ "$(out status)" = 200 ] && [ "$(out closed_s | tr -d .)" -le 35 ] 2>/dev/null; then
	pass "a kept-alive connection idle after its reply is closed after 2 s ($(out closed_s) s)"
else
	fail "a kept-alive connection idle after its reply is closed after 2 s" "$(cat "$RAW_OUT")"
fi

if [ -n "$DEADLINES_OK" ]; then
	raw slowloris 1000 10
	opened=$(out opened)
	is "$(out closed)" "$opened" "slowloris: all $opened slow connections are closed"
	last=$(out last_closed_s)
	if [ "${last%.*}" -lt 5 ] 2>/dev/null; then
		pass "slowloris: the last one by $last s (header deadline 2 s)"
	else
		fail "slowloris: the last one closed within 5 s (header deadline 2 s)" "last at $last s"
	fi
	tried=$(out normal_tried)
	if [ "$(out normal_ok)" = "$tried" ] && int_at_least "$tried" 10; then
		pass "slowloris: a normal client meanwhile got $tried of $tried GET /healthz answered"
	else
		fail "slowloris: a normal client meanwhile got every GET /healthz answered" \
			"$(out normal_ok) of $tried"
	fi

	# 1,000 clients without a token each announce a 256 KiB body and send
	# it. Without the head checked first, mentord buffered up to 256 KiB
	# of each (269 MB in all).
	if grep -aq __asan_init "$MENTORD"; then
		skip "AddressSanitizer's heap is not comparable" "1,000 unauthenticated slow bodies: 401"
		skip "AddressSanitizer's heap is not comparable" \
			"1,000 unauthenticated slow bodies: peak RSS under 48 MiB"
		for what in "bogus session cookie: 401" "bogus session cookie: peak RSS" \
			"sign-in bodies: 413" "sign-in bodies: peak RSS" "GET /healthz: 413" \
			"GET /healthz: peak RSS"; do
			skip "AddressSanitizer's heap is not comparable" "$what"
		done
	else
		raw slowbody 1000 - 6
		is "$(out 'status 401')" 1000 "1,000 unauthenticated slow bodies: each gets a 401"
		peak_under "1,000 unauthenticated slow bodies"
		# Bodies just under 64 KiB, where nothing judged the head: a
		# Cookie that names no session, a sign-in, a GET.
		raw slowbody 1000 - 6 65536 POST /v1/discharges 'Cookie: mentord_session=mts_bogus'
		is "$(out 'status 401')" 1000 "1,000 slow bodies with a bogus session cookie: each 401"
		peak_under "and 1,000 with a bogus session cookie"
		raw slowbody 1000 - 6 65536 POST /v1/session
		is "$(out 'status 413')" 1000 "1,000 slow 64 KiB sign-in bodies: each 413"
		peak_under "and 1,000 slow sign-in bodies"
		raw slowbody 1000 - 6 65536 GET /healthz
		is "$(out 'status 413')" 1000 "1,000 slow bodies on GET /healthz: each 413"
		peak_under "and 1,000 slow bodies on GET /healthz"
	fi
else
	for what in "all slow connections are closed" "the last one closed within 5 s" \
		"a normal client meanwhile" "1,000 unauthenticated slow bodies: 401" \
		"1,000 unauthenticated slow bodies: peak RSS" "bogus session cookie: 401" \
		"bogus session cookie: peak RSS" "sign-in bodies: 413" "sign-in bodies: peak RSS" \
		"GET /healthz: 413" "GET /healthz: peak RSS"; do
		skip "the descriptor limit cannot be raised to 2200" "$what"
	done
fi
stop_mentord TERM 15
is "$EXIT_STATUS" 0 "mentord exits 0 after the slow clients"

# --- connection caps ----------------------------------------------------------
# A descriptor limit of 160, as LimitNOFILE=4096 is for the real thing:
# without a cap, 300 idle connections would take every descriptor and
# nothing (not /healthz) could connect. (Accepting pauses while 64
# accepted connections wait to be set up: the limit leaves room for that.)
config_set "$CONFIG" listen.header_timeout 10 || bail "no listen.header_timeout"
config_set "$CONFIG" listen.idle_timeout 30 || bail "no listen.idle_timeout"
config_set "$CONFIG" listen.max_connections 64 || bail "no listen.max_connections"
config_set "$CONFIG" listen.max_connections_per_peer 32 ||
	bail "no listen.max_connections_per_peer"
SAVED_NOFILE=$(ulimit -S -n)
ulimit -S -n 160 || bail "cannot lower the descriptor limit to 160"
start_api_daemon
ulimit -S -n "$SAVED_NOFILE"

raw flood 300 127.0.0.1 "$ADMIN"
is "$(out opened)" 300 "flood: 300 connections from 127.0.0.1 are accepted"
is "$(out healthz_ok)" 10 "flood: GET /healthz still answers, 10 of 10"
kept=$(out kept)
if int_at_least "$kept" 0 && [ "$kept" -le 32 ]; then
	pass "flood: at most 32 (the per-peer cap) of them are kept ($kept)"
else
	fail "flood: at most 32 (the per-peer cap) of them are kept" "kept $kept"
fi
is "$(out first_before) $(out first_after)" "200 200" \
	"flood: a connection that authenticated before it still works after it"
raw flood 100 127.0.0.2 -
if [ "$(out opened)" = 100 ]; then
	kept=$(out kept)
	if [ "$(out healthz_ok)" = 10 ] && [ "$kept" -le 32 ] 2>/dev/null; then
		pass "a flood from 127.0.0.2 keeps $kept connections (cap 32); 127.0.0.1 still served"
	else
		fail "a flood from 127.0.0.2 is capped at 32; 127.0.0.1 still served" "$(cat "$RAW_OUT")"
	fi
else
	skip "cannot connect from 127.0.0.2" "a flood from another address is capped per peer"
fi
file_like "$LOG" 'max_connections_per_peer reached' "the log says the per-peer cap was reached"
http GET /healthz
is "$HTTP_STATUS" 200 "GET /healthz answers after the floods"
stop_mentord TERM 15
is "$EXIT_STATUS" 0 "mentord exits 0 after the floods"
