#!/bin/sh
# api-session.sh - the page's sign-in (doc/sessions-and-sso.md) through
# real HTTP with curl's cookie jar: a token exchanged for a session
# cookie and its attributes, the cookie in a second "tab", idle and
# absolute expiry on the test clock, sign-out and a revoked token ending
# it server-side, CSRF (cross-site Origin, missing or wrong X-CSRF-Token)
# for cookies but not for bearer tokens, single sign-on from a trusted and
# an untrusted peer, finding a citizen by name, phone and number within
# the caller's role, and no CPR number in any reply to a mentor.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/api-lib.sh"

plan 133

JAR_A=$TEST_TMP/jar-a
JAR_SSO=$TEST_TMP/jar-sso

# web METHOD PATH JAR [CURL-OPTION...]: a request as the page makes it,
# with the cookie jar (read, and written back: Set-Cookie lands in it).
web() {
	w_method=$1
	w_path=$2
	w_jar=$3
	shift 3
	http "$w_method" "$w_path" -H 'Expect:' -b "$w_jar" -c "$w_jar" "$@"
}

# web_json METHOD PATH JAR CSRF BODY [CURL-OPTION...]: a write with the
# cookie, the CSRF token (none when empty) and a JSON body.
web_json() {
	wj_method=$1
	wj_path=$2
	wj_jar=$3
	wj_csrf=$4
	wj_body=$5
	shift 5
	if [ -n "$wj_csrf" ]; then
		set -- -H "X-CSRF-Token: $wj_csrf" "$@"
	fi
	web "$wj_method" "$wj_path" "$wj_jar" -H 'Content-Type: application/json' \
		--data-binary "$wj_body" "$@"
}

# sign_in JAR TOKEN [CURL-OPTION...]: POST /v1/session with the token in
# the body; CSRF is the session's CSRF token.
sign_in() {
	si_jar=$1
	si_token=$2
	shift 2
	rm -f "$si_jar"
	web_json POST /v1/session "$si_jar" "" "{\"token\": \"$si_token\"}" "$@"
	CSRF=$(jget csrf_token)
}

# The cookie's value in a jar (the last line naming it).
cookie_of() {
	awk '$6 == "mentord_session" { v = $7 } END { print v }' "$1"
}

audit_count() {
	sql "$DATABASE" "SELECT count(*) FROM audit WHERE $1"
}

discharge() {
	printf '{"notification_id": "%s", "citizen": {"name": "%s", "cpr": "%s", "phone": "%s"},
		"discharged_at": "2026-03-02T07:00:00+01:00",
		"consent": {"contact": true, "share_information": true}}' "$1" "$2" "$3" "$4"
}

# no_cpr DESC: the last reply names no CPR number, as a key or a value.
no_cpr() {
	if grep -Eq '"cpr"|0101901234|0202801234|0303701234|0404601234' "$BODY"; then
		fail "$1" "a CPR number in a reply to a mentor"
		diag_file "$BODY"
	else
		pass "$1"
	fi
}

write_config
config_set "$CONFIG" sso.enabled true
config_set "$CONFIG" sso.proxies '["127.0.0.2"]'
# A TLS proxy on this host (the X-Forwarded-Proto checks below).
config_set "$CONFIG" listen.trusted_proxies '["127.0.0.1"]'
ADMIN=$(token_add admin coordinator)
start_api_daemon --test-clock
set_clock 2026-03-02T08:00:00+01:00
ORIGIN=http://127.0.0.1:$PORT

api_json POST /v1/mentors "$ADMIN" '{"name": "Anna Ærø", "phone": "21000001"}'
A=$(jget id)
api_json POST /v1/mentors "$ADMIN" '{"name": "Bo", "phone": "21000002"}'
B=$(jget id)
TOKEN_A=$(token_add mentor anna "$A")
TOKEN_A_ID=$(last_token_id)
TOKEN_B=$(token_add mentor bo "$B")
TOKEN_B_ID=$(last_token_id)

# Two citizens of Anna's, two of Bo's (names and phones to search).
course() {
	api_json POST /v1/discharges "$ADMIN" "$(discharge "$1" "$2" "$3" "$4")"
	c_id=$(jget course_id)
	api_json PATCH "/v1/courses/$c_id" "$ADMIN" "{\"mentor_id\": $5}"
	echo "$c_id"
}
C1=$(course n1 "Søren Østergaard" 0101901234 "+45 20 12 34 56" "$A")
C2=$(course n2 "ÅSE ÆBELØ" 0202801234 30405060 "$A")
C3=$(course n3 "Søren Hansen" 0303701234 20123499 "$B")
C4=$(course n4 "Kim Østergaard" 0404601234 40506070 "$B")

# --- sign-in and the cookie ------------------------------------------------
sign_in "$JAR_A" "$TOKEN_A"
status_is 201 "POST /v1/session with a mentor's token: 201"
SET_COOKIE=$(header Set-Cookie)
like "$SET_COOKIE" '^mentord_session=mts_[A-Za-z0-9_-]{43};' "Set-Cookie: the session cookie"
like "$SET_COOKIE" '; HttpOnly(;|$)' "the cookie is HttpOnly"
like "$SET_COOKIE" '; SameSite=Strict(;|$)' "the cookie is SameSite=Strict"
like "$SET_COOKIE" '; Path=/(;|$)' "the cookie is for every path"
like "$SET_COOKIE" '; Max-Age=36000(;|$)' "the cookie lasts web.session_hours (10 h)"
if printf '%s\n' "$SET_COOKIE" | grep -q Secure; then
	fail "not Secure over plain HTTP (the browser would never send it back)" "$SET_COOKIE"
else
	pass "not Secure over plain HTTP (the browser would never send it back)"
fi
is "$(jget role)" mentor "the reply names the role"
is "$(jget mentor.id)" "$A" "... the mentor's id"
is "$(jget mentor.name)" "Anna Ærø" "... and name"
is "$(jget token.id)" "$TOKEN_A_ID" "... and the token signed in with"
like "$CSRF" '^[A-Za-z0-9_-]{43}$' "the reply gives the session's CSRF token"
is "$(jget idle_timeout_minutes)" 30 "... and the idle timeout"
is "$(jget expires_at)" 2026-03-02T18:00:00+01:00 "... and when the session ends at the latest"
COOKIE_A=$(cookie_of "$JAR_A")
like "$COOKIE_A" '^mts_' "curl's jar holds the cookie"
is "$(audit_count "action = 'sign_in' AND token_id = $TOKEN_A_ID")" 1 \
	"the sign-in is audited with the token (who) and the time (at)"
is "$(sql "$DATABASE" "SELECT count(*) FROM sessions WHERE hash = CAST('$COOKIE_A' AS BLOB)")" 0 \
	"the cookie itself is not stored"

web GET /v1/session "$JAR_A"
status_is 200 "GET /v1/session with the cookie: 200"
is "$(jget mentor.id)" "$A" "it says who is signed in"
is "$(jget csrf_token)" "$CSRF" "... with the same CSRF token"

# A second tab shares the browser's cookie: another connection, the jar
# read only, no token anywhere.
TAB2=$TEST_TMP/tab2
cp "$JAR_A" "$TAB2"
http GET "/v1/queue?date=2026-03-03" -b "$TAB2"
status_is 200 "a second tab reads the queue with the cookie alone"
no_cpr "the queue holds no CPR number for a mentor"
http GET "/v1/courses" -b "$TAB2"
status_is 200 "... and the list of courses"
is "$(json_column "$BODY" courses id)" "$C1 $C2" "a mentor's list is their own citizens"
no_cpr "the list of courses holds no CPR number for a mentor"
http GET "/v1/courses/$C1" -b "$TAB2"
status_is 200 "... and a course"
no_cpr "a course holds no CPR number for a mentor"
api GET "/v1/courses/$C1" "$ADMIN"
is "$(jget citizen.cpr)" 0101901234 "an admin still sees the CPR number"
api GET "/v1/courses/$C1" "$TOKEN_A"
no_cpr "nor with the mentor's bearer token"

# --- CSRF --------------------------------------------------------------------
CONTACTS=$(sql "$DATABASE" "SELECT count(*) FROM course_log WHERE kind = 'contact'")
web_json POST "/v1/courses/$C1/contacts" "$JAR_A" "" '{}'
is_problem 403 "a write with the cookie but no X-CSRF-Token: 403"
web_json POST "/v1/courses/$C1/contacts" "$JAR_A" "not-the-token" '{}'
is_problem 403 "... with a wrong X-CSRF-Token: 403"
web_json POST "/v1/courses/$C1/contacts" "$JAR_A" "$CSRF" '{}' -H 'Origin: https://evil.example'
is_problem 403 "... from another site's Origin, token and all: 403"
web_json POST "/v1/courses/$C1/contacts" "$JAR_A" "$CSRF" '{}' -H 'Origin: null'
is_problem 403 "... from an opaque Origin (null): 403"
web_json POST "/v1/courses/$C1/contacts" "$JAR_A" "$CSRF" '{}' \
	-H "Origin: https://127.0.0.1:$PORT"
is_problem 403 "... from the same host under another scheme: 403"
is "$(sql "$DATABASE" "SELECT count(*) FROM course_log WHERE kind = 'contact'")" "$CONTACTS" \
	"the refused writes changed nothing"
web_json POST "/v1/courses/$C1/contacts" "$JAR_A" "$CSRF" '{}' -H "Origin: $ORIGIN"
status_is 200 "a write with the token from the page's own Origin: 200"
web_json POST "/v1/courses/$C1/contacts" "$JAR_A" "$CSRF" '{}'
status_is 200 "... and with the token and no Origin: 200"
web_json DELETE /v1/session "$JAR_A" "" ''
is_problem 403 "sign-out with the cookie but no CSRF token: 403"
api_json POST "/v1/courses/$C1/contacts" "$TOKEN_A" '{}'
status_is 200 "a bearer token needs no CSRF token"
http POST "/v1/courses/$C1/contacts" -H "Authorization: Bearer $TOKEN_A" -H 'Expect:' \
	-H 'Content-Type: application/json' --data-binary '{}' -H 'Origin: https://evil.example'
status_is 200 "... and no particular Origin"
rm -f "$TEST_TMP/empty-jar"
web_json POST /v1/session "$TEST_TMP/empty-jar" "" "{\"token\": \"$TOKEN_A\"}" \
	-H 'Origin: https://evil.example'
is_problem 403 "a sign-in from another site's page (login CSRF): 403"
web_json POST /v1/session "$TEST_TMP/empty-jar" "" '{"token": "mtd_nonsense"}'
status_is 401 "a sign-in with an unknown token: 401"
web GET /v1/session "$TEST_TMP/empty-jar"
status_is 401 "GET /v1/session without a session: 401"
web_json POST /v1/session "$TEST_TMP/empty-jar" "" '{"token": 7}'
is_invalid token "a token that is not a string: 422 naming token"
rm -f "$TEST_TMP/jar-bearer"
http POST /v1/session -H "Authorization: Bearer $TOKEN_A" -H 'Expect:' -c "$TEST_TMP/jar-bearer"
status_is 201 "the token may come as Authorization: Bearer, without a body"
api GET /v1/session "$TOKEN_A"
status_is 200 "GET /v1/session with a bearer token: 200"
is "$(jget csrf_token)" null "... without a session, so without a CSRF token"

# Behind a TLS proxy on this host the cookie is Secure.
http POST /v1/session -H "Authorization: Bearer $TOKEN_A" -H 'Expect:' \
	-H 'X-Forwarded-Proto: https'
status_is 201 "a sign-in forwarded by a TLS proxy: 201"
like "$(header Set-Cookie)" '; Secure(;|$)' "... and the cookie is Secure"
http POST /v1/session -H "Authorization: Bearer $TOKEN_A" -H 'Expect:' \
	-H 'X-Forwarded-Proto: https' --interface 127.0.0.2
if header Set-Cookie | grep -q Secure; then
	fail "X-Forwarded-Proto from a peer not in listen.trusted_proxies is ignored" \
		"$(header Set-Cookie)"
else
	pass "X-Forwarded-Proto from a peer not in listen.trusted_proxies is ignored"
fi
# A Secure cookie: curl would not send it over plain HTTP, so by hand.
http POST /v1/session -H "Authorization: Bearer $TOKEN_A" -H 'Expect:' \
	-H 'X-Forwarded-Proto: https'
SECURE_CSRF=$(jget csrf_token)
SECURE_COOKIE=$(header Set-Cookie | sed 's/;.*//')
http POST "/v1/courses/$C1/contacts" -H 'Expect:' -H "Cookie: $SECURE_COOKIE" \
	-H 'Content-Type: application/json' --data-binary '{}' -H "X-CSRF-Token: $SECURE_CSRF" \
	-H 'X-Forwarded-Proto: https' -H "Origin: https://127.0.0.1:$PORT"
status_is 200 "behind the TLS proxy a write from the page's https Origin: 200"
http POST "/v1/courses/$C1/contacts" -H 'Expect:' -H "Cookie: $SECURE_COOKIE" \
	-H 'Content-Type: application/json' --data-binary '{}' -H "X-CSRF-Token: $SECURE_CSRF" \
	-H 'X-Forwarded-Proto: https' -H "Origin: $ORIGIN"
is_problem 403 "... and from its plain http one: 403"

# /metrics takes the cookie like any route: from a client a trusted proxy
# names as remote, the admin's session, not a mentor's.
JAR_ADMIN=$TEST_TMP/jar-admin
sign_in "$JAR_ADMIN" "$ADMIN"
web GET /metrics "$JAR_ADMIN" -H 'X-Forwarded-For: 203.0.113.5'
status_is 200 "GET /metrics from a remote client with an admin's session: 200"
web GET /metrics "$JAR_A" -H 'X-Forwarded-For: 203.0.113.5'
is_problem 403 "... with a mentor's session: 403"

# --- idle and absolute expiry ------------------------------------------------
set_clock 2026-03-02T08:29:00+01:00
web GET /v1/session "$JAR_A"
status_is 200 "29 minutes later the session is alive (and now used)"
is "$(jget idle_expires_at)" 2026-03-02T08:59:00+01:00 \
	"... and its idle deadline is 30 minutes after this use, not the one before"
set_clock 2026-03-02T08:58:00+01:00
web GET /v1/session "$JAR_A"
status_is 200 "29 minutes after that use, still alive: use keeps it"
is "$(jget idle_expires_at)" 2026-03-02T09:28:00+01:00 "... until 09:28 now"
set_clock 2026-03-02T09:28:30+01:00
web GET /v1/session "$JAR_A"
status_is 401 "30 minutes without a request: it has ended"
http GET "/v1/queue" -b "$TAB2"
status_is 401 "... in every tab"

sign_in "$JAR_A" "$TOKEN_A"
status_is 201 "signed in again at 09:28:30"
t=0
alive=yes
base=$(date -d 2026-03-02T09:28:30+01:00 +%s)
# Used every 29 minutes it lives until 19:28:30, ten hours after sign-in.
while [ "$t" -lt 20 ]; do
	t=$((t + 1))
	set_clock "$(TZ=Europe/Copenhagen date -d "@$((base + t * 29 * 60))" +%Y-%m-%dT%H:%M:%S%:z)"
	web GET /v1/session "$JAR_A"
	[ "$HTTP_STATUS" = 200 ] || alive="no at step $t ($HTTP_STATUS)"
done
is "$alive" yes "in use every 29 minutes, it lives 9 h 40 min"
set_clock 2026-03-02T19:28:00+01:00
web GET /v1/session "$JAR_A"
status_is 200 "at 19:28 it is still alive"
is "$(jget idle_expires_at)" 2026-03-02T19:28:30+01:00 \
	"... and says it ends at 19:28:30 however it is used"
set_clock 2026-03-02T19:28:30+01:00
web GET /v1/session "$JAR_A"
status_is 401 "ten hours after sign-in it has ended, in use or not"

# --- sign-out and revocation -------------------------------------------------
set_clock 2026-03-03T08:00:00+01:00
sign_in "$JAR_A" "$TOKEN_A"
cp "$JAR_A" "$TAB2"
web_json DELETE /v1/session "$JAR_A" "$CSRF" ''
status_is 204 "sign-out with the CSRF token: 204"
like "$(header Set-Cookie)" '^mentord_session=; .*Max-Age=0' "... and the cookie is cleared"
is "$(audit_count "action = 'sign_out' AND token_id = $TOKEN_A_ID")" 1 \
	"the sign-out is audited"
http GET /v1/session -b "$TAB2"
status_is 401 "the cookie kept by another tab is dead too: revoked server-side"
web GET /v1/courses "$TAB2"
status_is 401 "... for the API as well"

JAR_B=$TEST_TMP/jar-b
sign_in "$JAR_B" "$TOKEN_B"
web GET /v1/courses "$JAR_B"
status_is 200 "Bo's session works"
timeout 10 "$MENTORCTL" --database "$DATABASE" token revoke "$TOKEN_B_ID" >/dev/null
web GET /v1/courses "$JAR_B"
status_is 401 "revoking Bo's token ends his session at once"
web GET /v1/session "$JAR_B"
status_is 401 "... GET /v1/session says so too"

# Deactivation ends a mentor's sessions for good: reactivating the mentor
# does not bring them back. Read-only copies of the jar keep the cookie.
sign_in "$JAR_A" "$TOKEN_A"
cp "$JAR_A" "$TAB2"
api_json PATCH "/v1/mentors/$A" "$ADMIN" '{"active": false}'
status_is 200 "Anna is deactivated"
http GET /v1/session -b "$TAB2"
status_is 401 "her session has ended"
api_json PATCH "/v1/mentors/$A" "$ADMIN" '{"active": true}'
http GET /v1/session -b "$TAB2"
status_is 401 "... and stays ended when she is active again"
sign_in "$JAR_A" "$TOKEN_A"
status_is 201 "active again, she signs in anew"
cp "$JAR_A" "$TAB2"
timeout 10 "$MENTORCTL" --database "$DATABASE" mentor set "$A" --active no >/dev/null
timeout 10 "$MENTORCTL" --database "$DATABASE" mentor set "$A" --active yes >/dev/null
http GET /v1/session -b "$TAB2"
status_is 401 "mentorctl mentor set --active no ends them too"

# --- single sign-on ----------------------------------------------------------
ctl() {
	timeout 10 "$MENTORCTL" --database "$DATABASE" "$@" >"$TEST_TMP/ctl.out" 2>&1
}
check "mentorctl mentor set ID --login maps a login to Anna" \
	ctl mentor set "$A" --login anna@kommune.example
file_like "$TEST_TMP/ctl.out" "login anna@kommune.example signs in as mentor $A" \
	"mentorctl says what the login does"
check "mentorctl token add --role admin --login maps a coordinator's" \
	ctl token add --role admin --login kim@kommune.example
file_like "$TEST_TMP/ctl.out" "token [0-9]+ created for login kim@kommune.example" \
	"mentorctl says the login is a token without a secret"
KIM_ID=$(sed -n 's/^token \([0-9][0-9]*\) created.*/\1/p' "$TEST_TMP/ctl.out")
ctl token list
file_like "$TEST_TMP/ctl.out" "anna@kommune.example *active *anna@kommune.example" \
	"token list shows the login"

# sso_post JAR LOGIN [CURL-OPTION...]: what the proxy forwards.
sso_post() {
	sp_jar=$1
	sp_login=$2
	shift 2
	rm -f "$sp_jar"
	http POST /v1/session -H 'Expect:' -c "$sp_jar" -H "X-Remote-User: $sp_login" "$@"
	CSRF=$(jget csrf_token)
}

sso_post "$JAR_SSO" anna@kommune.example --interface 127.0.0.2
status_is 201 "from the configured proxy, the header signs Anna in without a token"
is "$(jget role)/$(jget mentor.id)" "mentor/$A" "... as the mentor the login maps to"
like "$(header Set-Cookie)" '^mentord_session=mts_' "... with a session cookie"
# A request target is ASCII (RFC 9112): the edge refuses raw UTF-8, so æøå go percent-encoded.
web GET "/v1/courses?q=%C3%B8stergaard" "$JAR_SSO"
status_is 200 "the single sign-on session reads the API"
is "$(audit_count "action = 'sign_in' AND purpose LIKE '%single sign-on%'")" 1 \
	"the single sign-on is audited as such"
sso_post "$TEST_TMP/jar-x" ANNA@Kommune.Example --interface 127.0.0.2
status_is 201 "the login matches whatever its case"
sso_post "$TEST_TMP/jar-x" kim@kommune.example --interface 127.0.0.2
is "$HTTP_STATUS/$(jget role)/$(jget mentor)" "201/admin/null" "a coordinator's login signs in as admin"
sso_post "$TEST_TMP/jar-x" mallory@kommune.example --interface 127.0.0.2
is_problem 403 "a login nobody mapped: 403"
sso_post "$TEST_TMP/jar-x" "" --interface 127.0.0.2
status_is 401 "from the proxy without the header: 401"
sso_post "$TEST_TMP/jar-untrusted" anna@kommune.example
status_is 401 "the same header from any other peer: 401"
if [ -s "$TEST_TMP/jar-untrusted" ] && grep -q mentord_session "$TEST_TMP/jar-untrusted"; then
	fail "... and no cookie" "$(cat "$TEST_TMP/jar-untrusted")"
else
	pass "... and no cookie"
fi
wait_for_log 'X-Remote-User from 127.0.0.1 ignored' 1 5 &&
	pass "the log says the header of an untrusted peer was ignored" ||
	fail "the log says the header of an untrusted peer was ignored"
sso_post "$TEST_TMP/jar-x" kim@kommune.example -H 'X-Forwarded-For: 127.0.0.2'
status_is 401 "... whatever address it claims to forward for"
http GET /v1/courses -H 'X-Remote-User: kim@kommune.example' --interface 127.0.0.2
status_is 401 "the header alone authenticates nothing, even from the proxy"

check "mentorctl mentor set ID --login '' takes Anna's login away" ctl mentor set "$A" --login ''
web GET /v1/session "$JAR_SSO"
status_is 401 "... and ends her single sign-on session"
sso_post "$TEST_TMP/jar-x" anna@kommune.example --interface 127.0.0.2
is_problem 403 "... and the login no longer signs in"
check "mentorctl token revoke ends a coordinator's login" ctl token revoke "$KIM_ID"
sso_post "$TEST_TMP/jar-x" kim@kommune.example --interface 127.0.0.2
is_problem 403 "... so it no longer signs in"

config_set "$CONFIG" sso.enabled false
kill -HUP "$MENTORD_PID"
wait_for_log 'configuration reloaded' 1 10 || bail "the reload did not happen"
check "mentorctl mentor set ID --login maps Anna again" ctl mentor set "$A" --login anna
sso_post "$TEST_TMP/jar-x" anna --interface 127.0.0.2
status_is 401 "with sso.enabled false the header counts from nobody"

# --- finding a citizen -------------------------------------------------------
sign_in "$JAR_A" "$TOKEN_A"
search() {
	s_who=$1
	shift
	if [ "$s_who" = admin ]; then
		api GET "/v1/courses?$1" "$ADMIN"
	else
		web GET "/v1/courses?$1" "$JAR_A"
	fi
	json_column "$BODY" courses id
}
is "$(search admin 'q=%C3%B8stergaard')" "$C1 $C4" "an admin finds every Østergaard"
is "$(search anna 'q=%C3%98STERGAARD')" "$C1" "a mentor finds only her own, in any case"
no_cpr "a mentor's search holds no CPR number"
is "$(search anna 'q=%C3%A5se%20%C3%A6bel%C3%B8')" "$C2" "æ, ø and å match their capitals"
is "$(search anna 'q=s%C3%B8ren')" "$C1" "part of a name"
is "$(search admin 'q=s%C3%B8ren')" "$C1 $C3" "... for an admin, every mentor's"
api GET "/v1/courses?q=s%C3%B8ren" "$ADMIN"
is "$(jget courses.0.citizen.cpr)" 0101901234 "an admin's search shows the CPR number"
is "$(search admin 'q=2012')" "$C1 $C3" "part of a phone number"
is "$(search anna 'q=2012')" "$C1" "... a mentor's own citizens only"
is "$(search anna 'q=%2B45%2030%2040%2050%2060')" "$C2" "a whole number as written (+45 30 40 50 60)"
is "$(search anna 'q=0045%2030405060')" "$C2" "... or with 00 for the +"
is "$(search admin "q=$C3")" "$C3" "a course number"
is "$(search anna "q=$C3")" "" "... not another mentor's"
is "$(search admin 'q=zzzz')" "" "nothing found: an empty list"
api GET "/v1/courses?q=s%C3%B8ren&limit=1" "$ADMIN"
is "$(json_column "$BODY" courses id)/$(jget next_after)" "$C1/$C1" "paged: the first of two"
api GET "/v1/courses?q=s%C3%B8ren&limit=1&after=$C1" "$ADMIN"
is "$(json_column "$BODY" courses id)/$(jget next_after)" "$C3/null" "... and the last"
api GET "/v1/courses?q=Bo" "$ADMIN"
is_invalid q "two letters are too few: 422 naming q"
api GET "/v1/courses?q=%20" "$ADMIN"
is_invalid q "an empty search: 422 naming q"
api GET "/v1/courses?q=s%C3%B8ren&state=nonsense" "$ADMIN"
is_invalid state "an unknown state: 422 naming state"
is "$(search admin 'q=s%C3%B8ren&state=active')" "$C1 $C3" "with a state"
api GET "/v1/courses?q=s%C3%B8ren&mentor=$B" "$TOKEN_A"
is_problem 403 "a mentor may not search another mentor's citizens"
# C2 was shown three times to the same token the same day: one row, counted.
AUDITED=$(sql "$DATABASE" "SELECT count(*) || ' ' || sum(times) FROM audit
	WHERE action = 'read' AND purpose = 'find a citizen' AND course_id = $C2")
is "$AUDITED" "1 3" "each course a search shows is audited (find a citizen), repeats counted"

# --- no CPR number for a mentor anywhere -----------------------------------
api GET "/v1/queue?date=2026-03-03" "$TOKEN_A"
no_cpr "GET /v1/queue (bearer)"
api GET "/v1/courses?state=active" "$TOKEN_A"
no_cpr "GET /v1/courses?state= (bearer)"
api GET "/v1/courses/$C2" "$TOKEN_A"
no_cpr "GET /v1/courses/{id} (bearer)"
api_json POST "/v1/courses/$C2/contacts" "$TOKEN_A" '{}'
no_cpr "POST /v1/courses/{id}/contacts"
api GET /v1/session "$TOKEN_A"
no_cpr "GET /v1/session"
api GET /v1/offers "$TOKEN_A"
no_cpr "GET /v1/offers"

stop_mentord TERM 10
is "$EXIT_STATUS" 0 "mentord stops cleanly"
