#!/bin/sh
# browser.sh - the mentors' page in a real browser against the real daemon
# (issues 7 and 11): Debian's chromium, headless, driven by playwright-core
# (tests/browser/mentor-page.mjs) on a temporary database with the test
# clock. This script seeds the data through the API, runs the browser
# script, turns its results into TAP lines and checks the screenshots it
# leaves in $top_builddir/tests/artifacts/browser/.
#
# playwright-core and axe-core come from the npm registry
# (tests/browser/package.json and its package-lock.json), installed by
# `npm ci` into the build tree on the first run; no browser is ever
# downloaded. Without chromium, node or
# playwright-core the whole test is skipped, saying why.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

CHROMIUM=${MENTORD_TEST_CHROMIUM:-/usr/bin/chromium}
SCRIPT=$top_srcdir/tests/browser/mentor-page.mjs
BROWSER_DIR=$top_builddir/tests/browser
ARTIFACTS=$top_builddir/tests/artifacts/browser

skip_all() {
	echo "1..0 # SKIP $*"
	exit 0
}

# --- what the browser test needs ------------------------------------------------------
[ -x "$CHROMIUM" ] ||
	skip_all "no $CHROMIUM: install Debian's chromium package (contrib/install-deps does)"
command -v node >/dev/null 2>&1 ||
	skip_all "no node: install Debian's nodejs package (contrib/install-deps does)"
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)
int_at_least "$node_major" 18 || skip_all "node $(node --version 2>&1) is older than 18"
command -v npm >/dev/null 2>&1 ||
	skip_all "no npm: install Debian's npm package (contrib/install-deps does)"

# npm ci into the build tree (the source tree is read-only in distcheck);
# again only when the lock file changed. --ignore-scripts: nothing runs at
# install time, so nothing can download a browser.
same_dir() {
	[ "$(cd "$1" 2>/dev/null && pwd -P)" = "$(cd "$2" 2>/dev/null && pwd -P)" ]
}
mkdir -p "$BROWSER_DIR" || bail "cannot create $BROWSER_DIR"
if ! same_dir "$BROWSER_DIR" "$top_srcdir/tests/browser"; then
	for f in package.json package-lock.json; do
		cmp -s "$top_srcdir/tests/browser/$f" "$BROWSER_DIR/$f" ||
			cp "$top_srcdir/tests/browser/$f" "$BROWSER_DIR/$f" || bail "cannot copy $f"
	done
fi
stamp=$BROWSER_DIR/node_modules/.mentord-package-lock.json
if ! cmp -s "$BROWSER_DIR/package-lock.json" "$stamp" ||
	[ ! -f "$BROWSER_DIR/node_modules/playwright-core/package.json" ] ||
	[ ! -f "$BROWSER_DIR/node_modules/axe-core/axe.min.js" ]; then
	if ! timeout 300 npm ci --prefix "$BROWSER_DIR" --ignore-scripts --prefer-offline --no-audit --no-fund \
		--loglevel=error >"$TEST_TMP/npm.log" 2>&1; then
		cat "$TEST_TMP/npm.log" | sed 's/^/# npm: /' | tail -n 15
		skip_all "npm ci could not install playwright-core and axe-core from the npm registry" \
			"(tests/browser/package-lock.json)"
	fi
	cp "$BROWSER_DIR/package-lock.json" "$stamp"
fi

export MENTORD_TEST_MODULES="$BROWSER_DIR" MENTORD_TEST_CHROMIUM="$CHROMIUM"
browser_checks=$(timeout 30 node "$SCRIPT" --count 2>"$TEST_TMP/count.err")
int_at_least "$browser_checks" 1 ||
	bail "node $SCRIPT --count failed: $(cat "$TEST_TMP/count.err")"

matching_checks=$(MENTORD_TEST_SCENARIO=matching timeout 30 node "$SCRIPT" --count 2>"$TEST_TMP/count.err")
int_at_least "$matching_checks" 1 ||
	bail "node $SCRIPT --count (matching) failed: $(cat "$TEST_TMP/count.err")"

plan $((browser_checks + matching_checks + 33))

# --- the daemon and its data, through the API ----------------------------------------
write_config
start_mentord --test-clock --web-root "$top_srcdir/web" || bail "mentord did not start"

seeding=ok
# api STATUS METHOD PATH TOKEN [BODY]: one call that must answer STATUS.
api() {
	a_want=$1 a_method=$2 a_path=$3 a_token=$4
	if [ $# -ge 5 ]; then
		http "$a_method" "$a_path" -H "Authorization: Bearer $a_token" \
			-H 'Content-Type: application/json' -H 'Expect:' --data-binary "$5"
	else
		http "$a_method" "$a_path" -H "Authorization: Bearer $a_token"
	fi
	[ "$HTTP_STATUS" = "$a_want" ] && return 0
	diag "$a_method $a_path answered $HTTP_STATUS, not $a_want"
	diag_file "$BODY"
	seeding=failed
	return 1
}

# clock_to RFC3339: the daemon's test clock.
clock_to() {
	api 200 PUT /v1/test/clock "$ADMIN" "{\"now\": \"$1\"}"
}

mentor() { # NAME PHONE -> MENTOR_ID, MENTOR_TOKEN
	api 201 POST /v1/mentors "$ADMIN" "{\"name\": \"$1\", \"phone\": \"$2\"}"
	MENTOR_ID=$(json_raw "$BODY" id)
	MENTOR_TOKEN=$("$top_builddir/mentorctl" --database "$DATABASE" token add --role mentor \
		--name "$1" --mentor "$MENTOR_ID" 2>>"$TEST_TMP/mentorctl.err") || seeding=failed
}

offer() { # NAME CATEGORY PROVIDER -> OFFER_ID
	api 201 POST /v1/offers "$ADMIN" "{\"name\": \"$1\", \"category\": \"$2\", \"provider\": \"$3\",
		\"phone\": \"70201201\", \"hours\": \"Hverdage kl. 10-16\",
		\"description\": \"$1 ($3).\"}"
	OFFER_ID=$(json_raw "$BODY" id)
}

discharge() { # ID NAME PHONE DISCHARGED_AT [PREFERRED_FROM PREFERRED_TO] -> COURSE, CALL
	d_pref=
	[ -z "${5:-}" ] || d_pref=", \"preferred_call_time\": {\"from\": \"$5\", \"to\": \"$6\"}"
	api 201 POST /v1/discharges "$ADMIN" "{\"notification_id\": \"browser-$1\",
		\"citizen\": {\"name\": \"$2\", \"phone\": \"$3\"$d_pref},
		\"discharged_at\": \"$4\", \"unit\": \"Afsnit P3\",
		\"consent\": {\"contact\": true, \"share_information\": true}}"
	COURSE=$(json_raw "$BODY" course_id)
	COURSE_MENTOR=$(json_raw "$BODY" mentor_id)
	api 200 GET "/v1/courses/$COURSE" "$ADMIN"
	CALL=$(json_raw "$BODY" next_call.call_id)
}

ADMIN=$("$top_builddir/mentorctl" --database "$DATABASE" token add --role admin --name browser-admin \
	2>"$TEST_TMP/mentorctl.err") || bail "mentorctl token add failed: $(cat "$TEST_TMP/mentorctl.err")"

# Friday 20 February 2026, 09:00 in Copenhagen. Only mentor A exists while
# A's three citizens are discharged, so all three are A's.
clock_to 2026-02-20T08:00:00Z
mentor "Anna Andersen" 20304050
MENTOR_A=$MENTOR_ID TOKEN_A=$MENTOR_TOKEN
# Anna works on external terms this year, and spent two hours of week 8
# besides her calls: 120 min x 425.00 kr = 850.00 kr in the yearly report.
api 200 PATCH "/v1/mentors/$MENTOR_A" "$ADMIN" \
	'{"external": true, "hourly_rate": "425.00", "terms_from": "2026-01-01"}'
api 201 POST "/v1/mentors/$MENTOR_A/time" "$ADMIN" '{"week": "2026-W08", "minutes": 120}'
offer "Headspace" "Rådgivning" "Headspace Danmark"
OFFER_1=$OFFER_ID
offer "Løbefællesskabet" "Fritid og fællesskab" "Frivilligcenteret"
OFFER_2=$OFFER_ID
offer "Aktivitetshuset" "Kommunalt tilbud" "Kommunen"
OFFER_3=$OFFER_ID

# C3: discharged Thursday 19 Feb, reached at the first contact on the 20th;
# the plan's next step (day 7) is a follow-up on Thursday 26 Feb.
discharge c3 "Dorte Mikkelsen" 41526374 2026-02-19T10:00:00+01:00
COURSE_3=$COURSE
[ "$COURSE_MENTOR" = "$MENTOR_A" ] || { diag "C3 went to mentor $COURSE_MENTOR"; seeding=failed; }
api 200 POST "/v1/calls/$CALL/outcome" "$TOKEN_A" \
	'{"result": "reached", "topics": ["wellbeing"], "next": {"action": "continue"}}'

# C1: discharged Wednesday 25 Feb; its first contact (26 Feb) is never made.
clock_to 2026-02-25T11:00:00Z
discharge c1 "Birgitte Nielsen" 21436587 2026-02-25T10:00:00+01:00 10:00 12:00
COURSE_1=$COURSE

# C2: discharged Thursday 26 Feb; no answer at the first contact on Friday
# 27 Feb, so a retry on Monday 2 March.
clock_to 2026-02-27T08:00:00Z
discharge c2 "Carsten Holm" 31425364 2026-02-26T14:00:00+01:00
COURSE_2=$COURSE
api 200 POST "/v1/calls/$CALL/outcome" "$TOKEN_A" '{"result": "no_answer"}'

# Mentor B and B's citizen (B has the fewest courses).
mentor "Bo Berg" 20304060
MENTOR_B=$MENTOR_ID TOKEN_B=$MENTOR_TOKEN
discharge c4 "Erik Sørensen" 51627384 2026-02-26T15:00:00+01:00
COURSE_4=$COURSE
[ "$COURSE_MENTOR" = "$MENTOR_B" ] || { diag "C4 went to mentor $COURSE_MENTOR"; seeding=failed; }
# Bo is away on Tuesday and Wednesday (the desk lists it).
api 200 PATCH "/v1/mentors/$MENTOR_B" "$ADMIN" \
	'{"absences": [{"from": "2026-03-03", "to": "2026-03-04"}]}'
# C5, Bo's, ends; its closing message never reached a gateway (there is
# none here): it stands for a dead letter the desk sends again.
discharge c5 "Gitte Dam" 71829304 2026-02-26T16:00:00+01:00
api 200 POST "/v1/courses/$COURSE/end" "$ADMIN" '{"reason": "Flyttet til en anden kommune"}'
sql "$DATABASE" "UPDATE outbox SET state = 'dead', attempts = 1,
	last_error = 'HTTP 400 from the gateway: recipient refused'
	WHERE course_id = $COURSE AND type = 'closing'" || seeding=failed

# Mentor C's Monday: fifteen calls, the size of queue the page must show
# on one 1280x800 screen (issue 11). Discharged on Thursday 26 February
# (first contact due Friday 27) or Friday 27 (due Monday 2 March), then
# given to C by the coordinator. Of the five due on Friday, three are
# reached that day with a call agreed for Monday and a topic; two are not
# called, so they are overdue first contacts on Monday.
mentor "Clara Carlsen" 20304070
MENTOR_C=$MENTOR_ID TOKEN_C=$MENTOR_TOKEN
n=0
for name in "Freja Andersen" "Gustav Petersen" "Helle Jensen" "Ib Christensen" "Jonas Larsen" \
	"Karen Rasmussen" "Lars Jørgensen" "Mette Madsen" "Niels Kristensen" "Olivia Olsen" \
	"Peter Thomsen" "Rikke Poulsen" "Søren Johansen" "Tove Knudsen" "Ulla Mortensen"; do
	n=$((n + 1))
	if [ "$n" -le 5 ]; then at=2026-02-26T11:00:00+01:00; else at=2026-02-27T08:30:00+01:00; fi
	case $n in
	2 | 7 | 12) discharge "c$n-15" "$name" "6100$(printf '%04d' "$n")" "$at" 09:00 11:00 ;;
	*) discharge "c$n-15" "$name" "6100$(printf '%04d' "$n")" "$at" ;;
	esac
	api 200 PATCH "/v1/courses/$COURSE" "$ADMIN" "{\"mentor_id\": $MENTOR_C}"
	if [ "$n" -ge 3 ] && [ "$n" -le 5 ]; then
		api 200 POST "/v1/calls/$CALL/outcome" "$TOKEN_C" "{\"result\": \"reached\",
			\"topics\": [\"wellbeing\"], \"next\": {\"action\": \"continue\",
			\"date\": \"2026-03-02\", \"topic\": \"Samtalen med lægen om medicinen og om arbejdet\"}}"
	fi
done

# Mentor D's Monday morning (the scripted one): fifteen first contacts,
# discharged on Friday 27 February, all due Monday 2 March.
mentor "Dina Dahl" 20304080
MENTOR_D=$MENTOR_ID TOKEN_D=$MENTOR_TOKEN
n=0
for name in "Alma Bech" "Bent Dalgaard" "Cecilie Eriksen" "Dan Frost" "Ella Gregersen" \
	"Finn Hald" "Grethe Iversen" "Hans Juul" "Inge Kjær" "Jens Lauridsen" \
	"Kirsten Munk" "Leif Nygaard" "Maja Overgaard" "Nils Pedersen" "Oda Qvist"; do
	n=$((n + 1))
	discharge "d$n-15" "$name" "6200$(printf '%04d' "$n")" 2026-02-27T08:30:00+01:00
	api 200 PATCH "/v1/courses/$COURSE" "$ADMIN" "{\"mentor_id\": $MENTOR_D}"
done

# Monday 2 March 2026, 09:00: the browser's "today".
clock_to 2026-03-02T08:00:00Z

if [ "$seeding" = ok ]; then
	pass "seeded through the API: mentors A, B, C and D with tokens, 3 offers, 35 discharges, a dead letter"
else
	fail "seeded through the API: mentors A, B, C and D with tokens, 3 offers, 35 discharges, a dead letter"
	diag_file "$TEST_TMP/mentorctl.err"
fi

api 200 GET /v1/queue "$TOKEN_A"
order=$(for i in 0 1 2 3; do json_raw "$BODY" "calls.$i.course_id" 2>/dev/null; done | tr '\n' ' ')
is "$order" "$COURSE_1 $COURSE_2 $COURSE_3 " \
	"the API's queue for A on 2 March: overdue first contact, retry, follow-up"
is "$(json_raw "$BODY" calls.1.first_contact 2>/dev/null)" true \
	"the queue marks the retry of a first contact with first_contact: true"

http GET "/v1/courses/$COURSE_4" -H "Authorization: Bearer $TOKEN_A"
is "$HTTP_STATUS" 403 "the API refuses mentor A mentor B's citizen (403)"

api 200 GET /v1/queue "$TOKEN_C"
is "$(grep -o '"call_id"' "$BODY" | wc -l | tr -d ' ')" 15 "the API's queue for C on 2 March has 15 calls"
api 200 GET /v1/queue "$TOKEN_D"
is "$(grep -o '"call_id"' "$BODY" | wc -l | tr -d ' ')" 15 "the API's queue for D on 2 March has 15 calls"

# --- the browser ----------------------------------------------------------------------
rm -rf "$ARTIFACTS" && mkdir -p "$ARTIFACTS" || bail "cannot create $ARTIFACTS"
MENTORD_TEST_URL=http://127.0.0.1:$PORT
export MENTORD_TEST_URL MENTORD_TEST_ARTIFACTS="$ARTIFACTS" \
	MENTORD_TEST_PROFILE="$TEST_TMP/chromium-profile" \
	MENTORD_TEST_ADMIN_TOKEN="$ADMIN" MENTORD_TEST_TOKEN_A="$TOKEN_A" \
	MENTORD_TEST_TOKEN_B="$TOKEN_B" MENTORD_TEST_MENTOR_B="$MENTOR_B" \
	MENTORD_TEST_TOKEN_C="$TOKEN_C" MENTORD_TEST_MENTOR_C="$MENTOR_C" \
	MENTORD_TEST_TOKEN_D="$TOKEN_D" \
	MENTORD_TEST_COURSE_1="$COURSE_1" MENTORD_TEST_COURSE_2="$COURSE_2" \
	MENTORD_TEST_COURSE_3="$COURSE_3" MENTORD_TEST_COURSE_4="$COURSE_4" \
	MENTORD_TEST_OFFER_1="$OFFER_1" MENTORD_TEST_OFFER_2="$OFFER_2" \
	MENTORD_TEST_OFFER_3="$OFFER_3"
# run_browser CHECKS: the browser script (MENTORD_TEST_SCENARIO chooses
# which), expected to print CHECKS results. It prints "ok - ..." / "not ok
# - ..." and "# ..." lines; they are numbered here so that they continue
# this script's TAP stream.
run_browser() {
	timeout 420 node "$SCRIPT" >"$TEST_TMP/browser.tap" 2>"$TEST_TMP/browser.err"
	node_status=$?
	seen=0
	while IFS= read -r line; do
		case $line in
		'ok - '*) seen=$((seen + 1)); pass "browser: ${line#ok - }" ;;
		'not ok - '*) seen=$((seen + 1)); fail "browser: ${line#not ok - }" ;;
		'#'*) echo "$line" ;;
		*) diag "browser: $line" ;;
		esac
	done <"$TEST_TMP/browser.tap"
	if [ "$seen" -lt "$1" ]; then
		diag "the browser script ended after $seen of $1 checks (exit $node_status)"
		diag_file "$TEST_TMP/browser.err"
		while [ "$seen" -lt "$1" ]; do
			seen=$((seen + 1))
			fail "browser: check $seen did not run"
		done
	elif [ -s "$TEST_TMP/browser.err" ]; then
		diag_file "$TEST_TMP/browser.err"
	fi
}
run_browser "$browser_checks"

# --- artifacts and the daemon after it ------------------------------------------------
is_png() {
	[ "$(head -c 8 "$1" 2>/dev/null | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
}
for shot in queue form queue-15 queue-15-phone confirm confirm-phone queue-done-phone \
	find inbound inbound-phone concern concern-phone desk desk-phone access access-print \
	correct correct-phone monday-01-queue yearly; do
	if is_png "$ARTIFACTS/$shot.png"; then
		pass "screenshot of the $shot saved: tests/artifacts/browser/$shot.png"
	else
		fail "screenshot of the $shot saved: tests/artifacts/browser/$shot.png"
	fi
done

http GET /healthz
is "$HTTP_STATUS" 200 "mentord still answers after the browser session"
file_unlike "$LOG" ' (error|crit|alert|emerg): ' "mentord logged no error during the browser session"
if stop_mentord; then
	pass "mentord stops cleanly"
else
	fail "mentord stops cleanly" "it had to be killed"
fi

# --- the matching scenario (doc/programmes.md) ------------------------------------------
# The same database under a youth programme beside the preventive one. The
# mentors get profiles and Yasmin Ali is referred with wishes (a woman, who
# speaks Arabic, knows ADHD, likes music): Clara meets both hard wishes
# and an interest (201), Anna the gender, the competence and the interest
# (104), Bo the language and the competence (103), Dina the gender (100).
# The programme's closing checklist has two items: the course cannot end
# until the coordinator ticks them in the course view.
cat >>"$CONFIG" <<'CONF'
programmes = (
  { id = "preventive"; name = "Forebyggende social mentorordning"; intake = "discharge"; },
  { id = "youth"; name = "Mentorforløb for unge"; intake = "referral";
    plan = { interval_days = 14; first_day = 1; };
    messages = { welcome = false; };
    closing = { items = (
      { id = "assess_need"; label = "Behovet for yderligere støtte er vurderet"; },
      { id = "inform_network"; label = "Netværket er orienteret"; } ); }; }
);
CONF
start_mentord --test-clock --web-root "$top_srcdir/web" || bail "mentord did not start with a youth programme"
seeding=ok
clock_to 2026-03-02T08:00:00Z
api 200 PATCH "/v1/mentors/$MENTOR_A" "$ADMIN" \
	'{"gender": "female", "languages": ["da"], "competences": ["adhd"], "interests": ["music"]}'
api 200 PATCH "/v1/mentors/$MENTOR_B" "$ADMIN" '{"gender": "male", "languages": ["da", "ar"], "competences": ["adhd"]}'
api 200 PATCH "/v1/mentors/$MENTOR_C" "$ADMIN" '{"gender": "female", "languages": ["da", "ar"], "interests": ["music"]}'
api 200 PATCH "/v1/mentors/$MENTOR_D" "$ADMIN" '{"gender": "female", "languages": ["da"]}'
api 201 POST /v1/referrals "$ADMIN" '{"programme": "youth",
	"citizen": {"name": "Yasmin Ali", "phone": "61009999"}, "need_identified_on": "2026-02-27",
	"consent": {"contact": true, "share_information": true},
	"wishes": {"gender": "female", "languages": ["ar"], "competences": ["adhd"], "interests": ["music"]}}'
if [ "$seeding" = ok ]; then
	pass "matching seeded: a youth programme, four mentors' profiles, a referral with wishes"
else
	fail "matching seeded: a youth programme, four mentors' profiles, a referral with wishes"
fi
export MENTORD_TEST_SCENARIO=matching MENTORD_TEST_URL=http://127.0.0.1:$PORT \
	MENTORD_TEST_MENTOR_A="$MENTOR_A" MENTORD_TEST_PROFILE="$TEST_TMP/chromium-profile-matching"
run_browser "$matching_checks"
for shot in matching matching-phone; do
	if is_png "$ARTIFACTS/$shot.png"; then
		pass "screenshot of the $shot saved: tests/artifacts/browser/$shot.png"
	else
		fail "screenshot of the $shot saved: tests/artifacts/browser/$shot.png"
	fi
done
if stop_mentord; then
	pass "mentord with a youth programme stops cleanly"
else
	fail "mentord with a youth programme stops cleanly" "it had to be killed"
fi
