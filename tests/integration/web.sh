#!/bin/sh
# web.sh - mentord serves the mentors' page (issue 7): the files of web/
# (index.html, its ES modules, style.css, favicon.svg) under their fixed
# paths with their types and the security headers,
# nothing else (no path reaches another file), re-read on SIGHUP, web.root
# from the configuration, and a missing web root does not stop the API.
# The page itself is driven in a browser by browser.sh.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

plan 63

WEB=$top_srcdir/web
CSP="default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"

# serves PATH FILE TYPE: GET PATH answers 200 with FILE's bytes as TYPE.
serves() {
	http GET "$1"
	if [ "$HTTP_STATUS" = 200 ] && [ "$(header Content-Type)" = "$3" ] && cmp -s "$BODY" "$2"; then
		pass "GET $1 is $(basename "$2") as $3"
	else
		fail "GET $1 is $(basename "$2") as $3" \
			"status $HTTP_STATUS, Content-Type '$(header Content-Type)'," \
			"body $(wc -c <"$BODY" | tr -d ' ') bytes, file $(wc -c <"$2" | tr -d ' ') bytes"
	fi
}

# not_found PATH: no file behind it (curl sends the path as written).
not_found() {
	http GET "$1" --path-as-is
	if [ "$HTTP_STATUS" = 404 ] && [ "$(header Content-Type)" = application/problem+json ]; then
		pass "GET $1 is a 404 problem"
	else
		fail "GET $1 is a 404 problem" "status $HTTP_STATUS, Content-Type '$(header Content-Type)'"
		diag_file "$BODY"
	fi
}

# --- the page's own files, statically --------------------------------------
# The policy forbids inline script and style: the files must not need them.
inline=$(grep -Ei '<script' "$WEB/index.html" | grep -Ev '<script type="module" src="[^"]+"></script>')
if [ -z "$inline" ] && [ "$(grep -c '<script' "$WEB/index.html")" = 1 ] &&
	grep -Eq '<script type="module" src="app.js"></script>' "$WEB/index.html"; then
	pass "index.html has no inline script, only <script type=\"module\" src=\"app.js\">"
else
	fail "index.html has no inline script, only <script type=\"module\" src=\"app.js\">" "$inline"
fi
file_unlike "$WEB/index.html" ' (style|on[a-z]+)=' "index.html has no style attribute or inline handler"
file_unlike "$WEB/index.html" '(src|href)="(https?:)?//' "index.html loads nothing from another origin"
# The modules: every file app.js reaches through its imports, each a
# relative name in web/ (nothing from another origin, no bare specifier).
modules=app.js
todo=app.js
while [ -n "$todo" ]; do
	next=
	for m in $todo; do
		for dep in $(sed -n "s/^import .* from '\([^']*\)';\$/\1/p; s/^} from '\([^']*\)';\$/\1/p" "$WEB/$m"); do
			case $dep in
			./*.js) dep=${dep#./} ;;
			*) fail "$m imports only modules of web/" "it imports $dep"; continue ;;
			esac
			case " $modules " in
			*" $dep "*) ;;
			*) modules="$modules $dep" next="$next $dep" ;;
			esac
		done
	done
	todo=$next
done
n_modules=$(echo "$modules" | wc -w | tr -d ' ')
n_files=$(cd "$WEB" && ls ./*.js | wc -l | tr -d ' ')
if [ "$n_modules" -ge 8 ] && [ "$n_modules" = "$n_files" ]; then
	pass "app.js imports, directly or not, all $n_files modules of web/"
else
	fail "app.js imports, directly or not, all modules of web/" \
		"reached $n_modules ($modules), web/ has $n_files"
fi
unsafe=$(cd "$WEB" && grep -lE 'innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function' $modules)
if [ -z "$unsafe" ]; then
	pass "no module parses strings as HTML or code"
else
	fail "no module parses strings as HTML or code" "$unsafe"
fi

# --- served from --web-root -------------------------------------------------------
# A copy, so the reload checks below can change it.
cp -R "$WEB" "$TEST_TMP/web" || bail "cannot copy $WEB"
write_config
start_mentord --web-root "$TEST_TMP/web" || bail "mentord did not start with --web-root"
pass "mentord starts with --web-root"
n_served=$((n_modules + 3))
file_like "$LOG" "web: serving the mentors' page from $TEST_TMP/web \\($n_served of $n_served files\\)" \
	"the log says where the page is served from"

serves / "$WEB/index.html" "text/html; charset=utf-8"
is "$(header Content-Security-Policy)" "$CSP" "the page's Content-Security-Policy: same origin only, no framing"
is "$(header X-Content-Type-Options)" nosniff "X-Content-Type-Options: nosniff"
is "$(header Referrer-Policy)" no-referrer "Referrer-Policy: no-referrer"
is "$(header X-Frame-Options)" DENY "X-Frame-Options: DENY"
is "$(header Cache-Control)" no-cache "Cache-Control: no-cache (revalidated, so an update shows at once)"
like "$(header ETag)" '^"[0-9a-f]{16}"$' "an ETag"
# The <meta> copy in index.html says the same minus frame-ancestors, which
# only a header can carry.
meta_csp=$(sed -n 's/.*http-equiv="Content-Security-Policy" content="\([^"]*\)".*/\1/p' "$WEB/index.html")
is "$meta_csp" "$(echo "$CSP" | sed "s/ frame-ancestors 'none';//")" \
	"index.html's <meta> policy is the header's, less frame-ancestors"
case $CSP in
*unsafe-*) fail "the policy allows nothing unsafe" "$CSP" ;;
*) pass "the policy allows nothing unsafe" ;;
esac

# Module scripts need a JavaScript type (nosniff makes the browser check).
unserved=
for m in $modules; do
	http GET "/$m"
	if [ "$HTTP_STATUS" != 200 ] || [ "$(header Content-Type)" != "text/javascript; charset=utf-8" ] ||
		[ "$(header X-Content-Type-Options)" != nosniff ] || ! cmp -s "$BODY" "$WEB/$m"; then
		unserved="$unserved $m ($HTTP_STATUS, $(header Content-Type))"
	fi
done
if [ -z "$unserved" ]; then
	pass "every module is served under /NAME.js as text/javascript with nosniff"
else
	fail "every module is served under /NAME.js as text/javascript with nosniff" "$unserved"
fi
serves /app.js "$WEB/app.js" "text/javascript; charset=utf-8"
is "$(header Content-Security-Policy)" "$CSP" "app.js carries the policy too"
serves /style.css "$WEB/style.css" "text/css; charset=utf-8"
serves /favicon.svg "$WEB/favicon.svg" "image/svg+xml"
is "$(header Cache-Control)" no-cache "favicon.svg: Cache-Control: no-cache"

etag=$(http GET /app.js && header ETag)
http GET /app.js -H "If-None-Match: $etag"
if [ "$HTTP_STATUS" = 304 ] && [ ! -s "$BODY" ]; then
	pass "If-None-Match with the ETag answers 304 without a body"
else
	fail "If-None-Match with the ETag answers 304 without a body" "status $HTTP_STATUS"
fi
http GET /app.js -H 'If-None-Match: "0000000000000000"'
is "$HTTP_STATUS" 200 "another ETag gets the file (200)"

http HEAD /
if [ "$HTTP_STATUS" = 200 ] &&
	[ "$(header Content-Length)" = "$(wc -c <"$WEB/index.html" | tr -d ' ')" ]; then
	pass "HEAD / answers 200 with GET's Content-Length"
else
	fail "HEAD / answers 200 with GET's Content-Length" \
		"status $HTTP_STATUS, Content-Length '$(header Content-Length)'"
fi
http POST / -H 'Content-Type: application/json' --data-binary '{}'
if [ "$HTTP_STATUS" = 405 ] && [ "$(header Allow)" = GET ]; then
	pass "POST / is 405 with Allow: GET"
else
	fail "POST / is 405 with Allow: GET" "status $HTTP_STATUS, Allow '$(header Allow)'"
fi

# --- nothing but the page's files ------------------------------------------------------
not_found /index.html/
not_found /README.md
not_found /../mentord.conf
not_found /%2e%2e/mentord.conf
not_found /web/app.js
not_found /static/app.js
not_found /app.js%00.txt
not_found //app.js
not_found /favicon.ico

http GET /healthz
is "$(header Cache-Control)" no-store "API replies keep Cache-Control: no-store"

# --- SIGHUP re-reads the files -----------------------------------------------------
printf '<svg xmlns="http://www.w3.org/2000/svg"/>\n' >"$TEST_TMP/web/favicon.svg"
rm "$TEST_TMP/web/app.js"
rm "$TEST_TMP/web/style.css" && mkfifo "$TEST_TMP/web/style.css" ||
	bail "cannot put a FIFO in place of style.css"
kill -HUP "$MENTORD_PID"
wait_for_log 'configuration reloaded' 1 10 || diag "no reload in the log"
serves /favicon.svg "$TEST_TMP/web/favicon.svg" "image/svg+xml"
not_found /app.js
file_like "$LOG" "web: $TEST_TMP/web/app.js: No such file or directory; it is answered 404" \
	"a file missing at reload is logged"
not_found /style.css
file_like "$LOG" "web: $TEST_TMP/web/style.css: not a regular file" \
	"a FIFO is refused as not a regular file, without blocking the reload"
serves / "$WEB/index.html" "text/html; charset=utf-8"
stop_mentord || fail "mentord stops" "it had to be killed"

# --- web.root from the configuration, relative to the file -----------------------
rm -rf "$TEST_TMP/web" && cp -R "$WEB" "$TEST_TMP/web" || bail "cannot copy $WEB"
# The shipped file's web group only has the default in a comment: give it
# a relative root, which is resolved against the file's directory.
awk '/^web = \{$/ { print; print "  root = \"web\";"; next } { print }' "$CONFIG" >"$CONFIG.new" &&
	mv "$CONFIG.new" "$CONFIG"
file_like "$CONFIG" '^  root = "web";$' "the test configuration sets web.root = \"web\""
if "$MENTORD" --check-config -c "$CONFIG" >"$TEST_TMP/check.out" 2>&1; then
	pass "mentord --check-config accepts web.root"
else
	fail "mentord --check-config accepts web.root" "$(cat "$TEST_TMP/check.out")"
fi
start_mentord || bail "mentord did not start with web.root"
serves / "$WEB/index.html" "text/html; charset=utf-8"
stop_mentord || fail "mentord stops" "it had to be killed"

# --- a missing web root ---------------------------------------------------------------
write_config
if start_mentord --web-root "$TEST_TMP/no-such-dir"; then
	pass "a missing web root does not stop mentord"
else
	fail "a missing web root does not stop mentord"
fi
file_like "$LOG" "warning: web root $TEST_TMP/no-such-dir: No such file or directory" \
	"a missing web root is logged as a warning"
http GET /healthz
is "$HTTP_STATUS" 200 "the API answers without the page"
not_found /
stop_mentord || fail "mentord stops" "it had to be killed"

# --- every log entry the daemon writes reads as a sentence ------------------------------
# The kinds: the literal kind of every course_log_add, the state changes
# (course_set_state, course_finish, the life events) and the gateway's delivery reports
# (kind_event in outbox-worker.c). A kind the page has no sentence for
# would show a mentor "Hændelse: <kind>" and raw fields.
kinds=$(
	cd "$top_srcdir/src" || exit 1
	grep -ohE 'course_log_add\([^"]*"[a-z_]+"' ./*.c | grep -oE '"[a-z_]+"$'
	# The MedCom route's entries that change nothing (api-fhir.c).
	grep -ohE 'log_(open_courses|on)\([^"]*"[a-z_]+"' ./*.c | grep -oE '"[a-z_]+"$'
	grep -ohE 'course_set_state\([^;]*"[a-z_]+", err\)' ./*.c | grep -oE '"[a-z_]+", err' |
		grep -oE '"[a-z_]+"'
	grep -ohE 'COURSE_ENDED \? "[a-z]+" : "[a-z]+"' course.c | grep -oE '"[a-z]+"'
	sed -n '/^static const char \*kind_event/,/^}/p' outbox-worker.c | grep -oE '"[a-z_]+"'
	# Life events (course-life.c): an expiry closes, a cancellation is
	# one kind, the others are named after their event.
	sed -n '/^static const char \*course_event_kind/,/^}/p' course-life.c | grep -oE '"[a-z_]+"'
	grep -oE 'COURSE_EVENT_(ADMITTED|DISCHARGED|DECEASED)\] = "[a-z_]+"' life-event.c |
		grep -oE '"[a-z_]+"'
)
kinds=$(printf '%s\n' "$kinds" | tr -d '"' | sort -u)
missing=
for kind in $kinds; do
	grep -qE "^[[:space:]]+$kind: |ENTRY_KINDS\.$kind = " "$WEB/timeline.js" || missing="$missing $kind"
done
n=$(printf '%s\n' "$kinds" | grep -c .)
if [ -z "$missing" ] && [ "$n" -ge 20 ]; then
	pass "the page has a Danish sentence for each of the $n kinds of log entry"
else
	fail "the page has a Danish sentence for each kind of log entry" \
		"found $n kinds; without a sentence:$missing"
fi
# Every state a course can be in (course.c) has its Danish name, and a
# course paused by a readmission says since when.
states=$(grep -oE '^[[:space:]]+\[COURSE_[A-Z_]+\] = "[a-z_]+"' "$top_srcdir/src/course.c" |
	grep -oE '"[a-z_]+"' | tr -d '"')
unnamed=
for st in $states; do
	sed -n '/^export const COURSE_STATES/,/^};/p' "$WEB/i18n.js" | grep -qE "^[[:space:]]+$st: '" ||
		unnamed="$unnamed $st"
done
if [ -z "$unnamed" ] && [ "$(printf '%s\n' "$states" | grep -c .)" -ge 8 ]; then
	pass "the page names every state of a course in Danish"
else
	fail "the page names every state of a course in Danish" "found: $states; unnamed:$unnamed"
fi
file_like "$WEB/timeline.js" "course.paused_since" "the page reads when a paused course was readmitted"
file_like "$WEB/timeline.js" "fact\\('Indlagt igen siden'" "and shows it as \"Indlagt igen siden …\""
undocumented=
for kind in $kinds; do
	grep -q "\`$kind\`" "$top_srcdir/doc/openapi.yaml" || undocumented="$undocumented $kind"
done
if [ -z "$undocumented" ]; then
	pass "doc/openapi.yaml names each kind of log entry"
else
	fail "doc/openapi.yaml names each kind of log entry" "not named:$undocumented"
fi

# --- the access report prints every audit code in Danish --------------------------------
# The actions and purposes: every string literal of each api_job_audit()
# call in src/, and the MedCom route's log kinds (api-fhir.c audits those
# by kind). A code the page lacks would print English on the report a
# coordinator hands the citizen.
codes=$(
	cd "$top_srcdir/src" || exit 1
	for f in ./*.c; do
		tr '\n' ' ' <"$f" | grep -oE 'api_job_audit(_at)?\([^;]*;' | grep -oE '"[^"]*"'
	done
	grep -ohE 'log_(open_courses|on)\([^"]*"[a-z_]+"' ./*.c | grep -oE '"[a-z_]+"$'
)
audit_i18n=$(sed -n '/^export const AUDIT_ACTIONS/,/^};/p; /^export const AUDIT_PURPOSES/,/^};/p' "$WEB/i18n.js")
untold=
n=0
for code in $(printf '%s\n' "$codes" | sed 's/^"//; s/"$//' | sort -u | tr ' ' '\001'); do
	code=$(printf '%s' "$code" | tr '\001' ' ')
	n=$((n + 1))
	printf '%s\n' "$audit_i18n" | grep -qF -e "	$code: '" -e "	'$code': '" -e "	\"$code\": '" ||
		untold="$untold [$code]"
done
if [ -z "$untold" ] && [ "$n" -ge 40 ]; then
	pass "the access report has Danish for each of the $n audit actions and purposes"
else
	fail "the access report has Danish for each audit action and purpose" "found $n; without Danish:$untold"
fi
file_like "$WEB/access.js" 'auditAction\(line\.row\.action\)' "the report prints actions through auditAction()"
file_like "$WEB/access.js" 'auditPurpose\(line\.row\.purpose\)' "and purposes through auditPurpose()"
if sed -n '/^export function audit\(Action\|Purpose\)/,/^}/p' "$WEB/i18n.js" | grep -q 'String('; then
	fail "an unknown audit code prints a Danish phrase, not the code"
else
	pass "an unknown audit code prints a Danish phrase, not the code"
fi

# --- the configured window, not "seks måneder" ------------------------------------------
file_unlike "$WEB/selfreferral.js" 'seks måneder|-190' \
	"the self-referral view words and dates its window from the configuration"

# --- finding a citizen, from every view --------------------------------------------------
file_like "$WEB/index.html" '<a href="#/find-borger" data-route="#/find-borger">Find borger</a>' \
	"the menu links to \"Find borger\" in every view"
file_like "$WEB/app.js" "'#/find-borger': searchView" "#/find-borger is the search view"
file_like "$WEB/api.js" 'new URLSearchParams\(\{ q, limit' "the page searches with GET /v1/courses?q="

# --- the desk refreshes itself ------------------------------------------------------------
if grep -q 'visibilityState' "$WEB/desk.js" && grep -q 'setInterval' "$WEB/desk.js" &&
	grep -q "'Opdatér'" "$WEB/desk.js"; then
	pass "the desk refreshes every minute while visible, and has \"Opdatér\""
else
	fail "the desk refreshes every minute while visible, and has \"Opdatér\""
fi
