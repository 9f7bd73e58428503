#!/bin/sh
# mentorctl.sh - every mentorctl command against the database of a running
# mentord: mentors, offers (CSV import, all or nothing), status, backup
# while the daemon takes discharges, pseudonymous export, the retention
# purge (doc/operations.md), help and exit codes.
#
# Dates: the daily jobs (closing, the daemon's own purge) run whenever the
# test clock moves to another day, so the dates are chosen for what the
# daemon may do and what is left for mentorctl. Anna's first course is
# superseded (a second discharge of the same citizen, which the purge
# treats like closing) 400 days before the real date, Carl's 100 days
# before it. With retention.days = 365 the daemon, whose clock goes no
# later than Carl's day, never finds Anna's course due; mentorctl, on the
# real date, finds hers and not Carl's. At the end the clock moves past the
# real date and the daemon's daily purge logs its count.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/api-lib.sh"

plan 160

LOAD=150

# mentorctl works on the database alone: it must not carry the HTTP server,
# the API's jobs or the group commit (their symbols would be linked only
# through a module that needs them).
if command -v nm >/dev/null 2>&1; then
	linked=$(nm "$MENTORCTL" | grep -E ' [TtDd] (api_|http_|group_commit)' | head -3)
	check "mentorctl links no HTTP, API or group-commit code" test -z "$linked"
	[ -z "$linked" ] || diag "$linked"
else
	skip "nm is not installed" "mentorctl links no HTTP, API or group-commit code"
fi

# ctl ARG...: mentorctl on the test's configuration; output in $CTL_OUT
# and $CTL_ERR, exit status in CTL_RC.
ctl() {
	timeout 60 "$MENTORCTL" -c "$CONFIG" "$@" >"$TEST_TMP/ctl.out" 2>"$TEST_TMP/ctl.err"
	CTL_RC=$?
	CTL_OUT=$(cat "$TEST_TMP/ctl.out")
	CTL_ERR=$(cat "$TEST_TMP/ctl.err")
}

# ctl_is RC DESC ARG...: mentorctl ARG... exits with RC.
ctl_is() {
	ci_rc=$1
	ci_desc=$2
	shift 2
	ctl "$@"
	if [ "$CTL_RC" = "$ci_rc" ]; then
		pass "$ci_desc"
	else
		fail "$ci_desc" "mentorctl $* exited $CTL_RC, want $ci_rc" "stdout: $CTL_OUT" \
			"stderr: $CTL_ERR"
	fi
}

q() {
	sql "$DATABASE" "$1"
}

day() { # day OFFSET: the Copenhagen date OFFSET days from today (negative: ago)
	copenhagen_date -d "$1 days"
}

# discharge ID NAME CPR PHONE DATE [WISHES]: as psychiatry, at 10:00 UTC
# on DATE, with the JSON object WISHES if given.
discharge() {
	api_json POST /v1/discharges "$PSYCH" "{\"notification_id\": \"$1\",
		\"citizen\": {\"name\": \"$2\", \"cpr\": \"$3\", \"phone\": \"$4\",
		\"preferred_call_time\": {\"from\": \"09:00\", \"to\": \"11:00\"}},
		\"unit\": \"Psykiatrisk Center Nord, afsnit 3\",
		\"discharged_at\": \"${5}T10:00:00Z\",${6:+ \"wishes\": $6,}
		\"consent\": {\"contact\": true, \"share_information\": true}}"
}
ANNA_WISHES='{"gender": "female", "note": "Vil have en kvindelig mentor pga. traume"}'

# reached COURSE: record a reached call with a note and an agreed topic.
reached() {
	r_call=$(q "SELECT id FROM calls WHERE course_id = $1 AND state = 'pending'")
	api_json POST "/v1/calls/$r_call/outcome" "$ADMIN" '{"result": "reached",
		"duration_minutes": 20, "topics": ["wellbeing", "network"],
		"note": "Sleeps badly; her sister Karen helps.",
		"next": {"action": "continue", "topic": "the letter from the job centre"}}'
}

PAST=$(day -402)
PAST1=$(day -401)
PAST2=$(day -400)
RECENT=$(day -100)
TODAY=$(day 0)

write_config
ADMIN=$(token_add admin coordinator)
PSYCH=$(token_add psychiatry ward-7)
start_api_daemon --test-clock

# --- help and usage ------------------------------------------------------------
ctl_is 0 "--help exits 0" --help
like "$CTL_OUT" 'backup FILE' "--help lists the commands"
ctl_is 0 "backup --help exits 0 with the command's usage" backup --help
like "$CTL_OUT" '^usage: mentorctl backup FILE' "backup --help shows its synopsis"
ctl_is 0 "mentor --help lists the mentor commands" mentor --help
like "$CTL_OUT" 'mentor absence ID --from DATE --to DATE' "mentor --help names mentor absence"
ctl_is 2 "no command: usage error (2)"
ctl_is 2 "an unknown command: usage error (2)" frobnicate
ctl_is 2 "an unknown option: usage error (2)" status --verbose
ctl_is 2 "a group without its subcommand: usage error (2)" token
like "$CTL_ERR" '^mentorctl: token: the subcommand is missing$' "it says the subcommand is missing"
like "$CTL_ERR" 'token revoke ID' "... and lists the token commands"
ctl_is 0 "check-config: 0" check-config
like "$CTL_OUT" 'configuration OK' "check-config says the configuration is OK"
ctl_is 1 "a configuration file that is not there: 1" -c "$TEST_TMP/none.conf" status
like "$CTL_ERR" 'No such file or directory \(name the configuration with --config FILE, or the database with --database FILE\)' \
	"it says why and how to name the configuration or the database"

# --- a database that is not there ------------------------------------------------------
# A mistyped path must fail, not create an empty database and back it up,
# export or list it with success (a nightly backup would "work" forever).
TYPO=$TEST_TMP/typo.db
ctl_is 1 "backup of a database that is not there: 1" -d "$TYPO" backup "$TEST_TMP/typo-backup.db"
like "$CTL_ERR" "^mentorctl: database $TYPO does not exist" "it names the missing database"
check "neither the database nor the backup was created" \
	test ! -e "$TYPO" -a ! -e "$TEST_TMP/typo-backup.db"
for what in "export courses --from $PAST --to $TODAY" "token list" "status" "purge" \
	"outbox list" "mentor list"; do
	# shellcheck disable=SC2086 # the command's words
	ctl_is 1 "$what on a database that is not there: 1" -d "$TYPO" $what
done
check "none of them created it" test ! -e "$TYPO"
write_config "$TEST_TMP/typo.conf"
config_set "$TEST_TMP/typo.conf" database "\"$TEST_TMP/typo2.db\"" || bail "database in typo.conf"
ctl_is 1 "backup with a configured database that is not there: 1" -c "$TEST_TMP/typo.conf" \
	backup "$TEST_TMP/typo2-backup.db"
like "$CTL_ERR" "database $TEST_TMP/typo2.db does not exist" "it names the configured database"
# The first steps of a new installation, before mentord first starts.
FRESH=$TEST_TMP/fresh.db
ctl_is 0 "token add creates a new database: 0" -d "$FRESH" token add --role admin --name first
like "$CTL_ERR" "^mentorctl: created a new database $FRESH\$" "it says it created the database"
ctl_is 0 "the new database is then used: 0" -d "$FRESH" token list
like "$CTL_OUT" ' first ' "token list shows the first token"
ctl_is 0 "mentor add creates a new database too: 0" -d "$TEST_TMP/fresh2.db" mentor add \
	--name "Mette Mentor" --phone 20304050

# --- mentors -----------------------------------------------------------------------
ctl_is 0 "mentor add: 0" mentor add --name "Mette Mentor" --phone "20 30 40 50" --days 1,2,3,4,5
MENTOR=$(printf '%s\n' "$CTL_OUT" | sed -n 's/^mentor \([0-9][0-9]*\) added$/\1/p')
like "$MENTOR" '^[0-9]+$' "mentor add prints the new id"
ctl_is 2 "mentor add with a bad phone: 2" mentor add --name X --phone 123
ctl_is 2 "mentor add without --phone: 2" mentor add --name X
ctl_is 2 "mentor add with weekday 8: 2" mentor add --name X --phone 20304051 --days 1,8
ctl_is 2 "mentor add with Monday twice: 2" mentor add --name X --phone 20304051 --days 1,1
ctl_is 0 "mentor set --active no --days 1,2,3: 0" mentor set "$MENTOR" --active no --days 1,2,3
is "$(q "SELECT active, working_days FROM mentors WHERE id = $MENTOR")" "0|7" \
	"mentor set stored inactive, Monday to Wednesday"
ctl_is 0 "mentor set back to active, Monday to Friday" mentor set "$MENTOR" --active yes --days 1,2,3,4,5
ctl_is 1 "mentor set of an unknown mentor: 1" mentor set 999 --name Nobody
ctl_is 2 "token add with an unknown role: usage error (2)" token add --role king --name x
like "$CTL_ERR" 'role is psychiatry, mentor, admin or caseworker, not king' "it names the roles"
like "$CTL_ERR" '^usage: mentorctl token add' "... with the usage"
ctl_is 2 "token add with an empty name: 2" token add --role admin --name ""
ctl_is 2 "token add with a name of blanks: 2" token add --role admin --name "   "
like "$CTL_ERR" 'name must not be empty' "it says the name is empty"
ctl_is 2 "token add --role mentor without --mentor: 2" token add --role mentor --name nomentor
is "$(q "SELECT count(*) FROM tokens WHERE name IN ('x', '', '   ', 'nomentor')")" 0 \
	"none of the refused tokens was stored"
ctl_is 1 "token add for an unknown mentor: 1" token add --role mentor --mentor 999 --name ghost
like "$CTL_ERR $(q "SELECT count(*) FROM tokens WHERE name = 'ghost'")" 'no mentor with id 999.* 0$' \
	"it says there is no such mentor, and no token is stored"
ctl_is 2 "mentor set without a change: 2" mentor set "$MENTOR"
ctl_is 0 "mentor set of a matching profile: 0" mentor set "$MENTOR" --gender female --languages da,ar --competences adhd,anxiety
is "$(q "SELECT gender, languages, competences, interests FROM mentor_profile WHERE mentor_id = $MENTOR")" \
	'female|["da","ar"]|["adhd","anxiety"]|[]' "the profile is stored, interests empty"
ctl_is 2 "mentor set of a language that is no ISO 639-1 code: 2" mentor set "$MENTOR" --languages da,arabic
like "$CTL_ERR" '--languages\[1\] must be an ISO 639-1 code' "it names the element"
ctl_is 2 "mentor add with a bad gender: 2" mentor add --name X --phone 20304051 --gender f
ctl_is 0 "mentor set --languages \"\" empties the list" mentor set "$MENTOR" --languages ""
is "$(q "SELECT gender, languages FROM mentor_profile WHERE mentor_id = $MENTOR")" 'female|[]' \
	"only the list named changed"
ctl_is 0 "mentor absence: 0" mentor absence "$MENTOR" --from 2030-07-01 --to 2030-07-14
ctl_is 2 "mentor absence ending before it starts: 2" mentor absence "$MENTOR" --from 2030-07-02 --to 2030-07-01
ctl_is 0 "mentor list: 0" mentor list
like "$CTL_OUT" "^$MENTOR +Mette Mentor +\\+4520304050 +1,2,3,4,5 +yes +0 +2030-07-01\\.\\.2030-07-14\$" \
	"mentor list shows phone, days, active, load and the absence"
ctl_is 0 "--json mentor list: 0" --json mentor list
printf '%s\n' "$CTL_OUT" >"$TEST_TMP/mentors.json"
is "$(json_get "$TEST_TMP/mentors.json" 0.name)|$(json_get "$TEST_TMP/mentors.json" 0.absences.0.to)" \
	"Mette Mentor|2030-07-14" "--json mentor list is JSON with the absence"

# --- offers ------------------------------------------------------------------------
printf '%s\r\n' 'name,category,provider,phone,email,address,url,hours,description' \
	'"Café ""Lyset""",social,Kirkens Korshær,20 30 40 60,cafe@example.dk,"Vej 1, 2100 København Ø",https://example.dk,"man-fre 10-16","Kaffe, snak' \
	'og samvær"' \
	'Headspace,youth,,,,,,,' >"$TEST_TMP/offers.csv"
ctl_is 0 "offer import of a quoted CSV: 0" offer import "$TEST_TMP/offers.csv"
is "$CTL_OUT" "imported 2 offer(s) from $TEST_TMP/offers.csv: 2 added, 0 updated" "offer import reports 2 offers"
is "$(q "SELECT name || '|' || address || '|' || description FROM offers WHERE category = 'social'")" \
	'Café "Lyset"|Vej 1, 2100 København Ø|Kaffe, snak og samvær' \
	"quotes, commas and the cell's line break came through"
printf '%s\n' 'name,category,email' 'Good,social,' 'Bad,,not-an-address' >"$TEST_TMP/bad.csv"
ctl_is 1 "offer import with one bad row: 1" offer import "$TEST_TMP/bad.csv"
like "$CTL_ERR" "^$TEST_TMP/bad.csv:3: category: must not be empty" \
	"the bad row is reported as FILE:LINE: field: message"
is "$(q 'SELECT count(*) FROM offers')" 2 "nothing of the bad file was imported"
ctl_is 0 "offer list: 0" offer list
like "$CTL_OUT" 'youth +Headspace' "offer list shows the imported offers"
# "Café" has a two-byte é: its phone starts in the header's PHONE column.
chars_before() { # chars_before LINE TEXT: characters in LINE before TEXT
	printf '%s' "${1%%"$2"*}" | LC_ALL=C.UTF-8 wc -m | tr -d ' '
}
header_line=$(printf '%s\n' "$CTL_OUT" | grep '^ID ')
cafe_line=$(printf '%s\n' "$CTL_OUT" | grep 'Caf')
is "$(chars_before "$cafe_line" +45)" "$(chars_before "$header_line" PHONE)" \
	"offer list pads by characters, not bytes: Café's phone lines up under PHONE"
ctl_is 0 "--json offer list: 0" --json offer list
printf '%s\n' "$CTL_OUT" >"$TEST_TMP/offers.json"
is "$(json_get "$TEST_TMP/offers.json" 0.phone)" "+4520304060" "--json offer list is JSON, phone normalised"

# Excel in Danish saves "CSV" with semicolons (the comma is the decimal
# separator there), a byte order mark and CRLF.
printf '\357\273\277' >"$TEST_TMP/excel.csv"
printf '%s\r\n' 'name;category;hours;description' \
	'Gåklubben;motion;tirsdag 10-12, torsdag 10-12;"Gåture; 3,5 km"' >>"$TEST_TMP/excel.csv"
ctl_is 0 "offer import of Danish Excel's semicolon CSV: 0" offer import "$TEST_TMP/excel.csv"
is "$CTL_OUT" "imported 1 offer(s) from $TEST_TMP/excel.csv: 1 added, 0 updated" \
	"offer import says how many were added and updated"
is "$(q "SELECT name || '|' || hours || '|' || description FROM offers WHERE category = 'motion'")" \
	'Gåklubben|tirsdag 10-12, torsdag 10-12|Gåture; 3,5 km' \
	"semicolons separate, commas are data, a quoted semicolon is data"
HEADSPACE=$(q "SELECT id FROM offers WHERE name = 'Headspace'")
printf '%s\r\n' 'id;hours;phone' "$HEADSPACE;man-fre 12-18;33 44 55 66" \
	>"$TEST_TMP/update.csv"
ctl_is 0 "offer import with an id column: 0" offer import "$TEST_TMP/update.csv"
is "$CTL_OUT" "imported 1 offer(s) from $TEST_TMP/update.csv: 0 added, 1 updated" \
	"a row with an id updates that offer"
is "$(q "SELECT name || '|' || category || '|' || hours || '|' || phone FROM offers WHERE id = $HEADSPACE")" \
	'Headspace|youth|man-fre 12-18|+4533445566' \
	"only the file's columns changed; the others kept their values"
is "$(q 'SELECT count(*) FROM offers')" 3 "an update adds no offer"
printf '%s\n' 'id,name,category' ',Ny klub,motion' '9999,Ghost,motion' >"$TEST_TMP/ghost.csv"
ctl_is 1 "offer import updating an offer that does not exist: 1" offer import "$TEST_TMP/ghost.csv"
like "$CTL_ERR" "ghost.csv: id 9999: there is no offer 9999 .*nothing imported" \
	"it names the id that does not exist"
is "$(q "SELECT count(*) FROM offers WHERE name = 'Ny klub'")" 0 \
	"all or nothing: the new offer of the same file was not added"

# --- tokens and a mentor's number ----------------------------------------------------------
ctl_is 2 "mentor add with a number starting with 1: 2" mentor add --name X --phone "12 34 56 78"
like "$CTL_ERR" 'starts with 2 to 9 \(no Danish number starts with 0 or 1\); got 12 34 56 78' \
	"it says why: Danish numbers start with 2 to 9"
ctl_is 0 "--json token list: 0" --json token list
printf '%s\n' "$CTL_OUT" >"$TEST_TMP/tokens.json"
like "$(json_get "$TEST_TMP/tokens.json" 0.created_at)" \
	'^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{2}:[0-9]{2}$' \
	"--json token list gives created_at in RFC 3339"
ctl_is 0 "token list: 0" token list
is "$(printf '%s\n' "$CTL_OUT" | grep -c '(null)')" 0 \
	"token list prints no (null) for a token without a login"
like "$(printf '%s\n' "$CTL_OUT" | sed -n 2p)" ' active +-$' \
	"... but a - in its LOGIN column"
ctl token add --role mentor --mentor "$MENTOR" --name mette-phone
SPARE=$(printf '%s\n' "$CTL_ERR" | sed -n 's/^token \([0-9][0-9]*\) created.*/\1/p')
ctl_is 0 "token revoke: 0" token revoke "$SPARE"
like "$CTL_OUT" "^token $SPARE revoked: mette-phone \\(mentor, mentor $MENTOR\\), created [0-9]{4}-" \
	"token revoke says which token it revoked"
ctl_is 1 "token revoke of a revoked token: 1" token revoke "$SPARE"

# --- courses in the past, superseded ----------------------------------------------------
set_clock "${PAST}T10:00:00Z"
discharge anna-1 "Anna Jensen" 0101901234 "+45 22 33 44 01" "$PAST" "$ANNA_WISHES"
ANNA1=$(jget course_id)
is "$HTTP_STATUS $(q "SELECT count(*) FROM courses WHERE id = $ANNA1 AND wishes LIKE '%traume%'")" \
	"201 1" "Anna's first course is stored with her wishes and their note"
set_clock "${PAST1}T10:00:00Z"
reached "$ANNA1"
status_is 200 "Anna's first course: a reached call with a note"
set_clock "${PAST2}T10:00:00Z"
discharge anna-2 "Anna Jensen" 0101901234 "+45 22 33 44 01" "$PAST2"
status_is 201 "Anna discharged again: her first course is superseded"
set_clock "${RECENT}T10:00:00Z"
discharge carl-1 "Carl Madsen" 0202802345 "+45 22 33 44 03" "$RECENT"
CARL1=$(jget course_id)
discharge carl-2 "Carl Madsen" 0202802345 "+45 22 33 44 03" "$RECENT"
CARL2=$(jget course_id)
is "$(q "SELECT state FROM courses WHERE id IN ($ANNA1, $CARL1) ORDER BY id")" \
	"superseded
superseded" "both first courses are superseded"

# --- status ------------------------------------------------------------------------------
ctl_is 0 "status: 0" status
# Anna's second course was closed by its window when the clock reached
# Carl's day. Without a gateway the outbox keeps everything (her closing
# message, call tasks of published queues) pending.
BACKLOG=$(q "SELECT count(*) FROM outbox WHERE state = 'pending'")
like "$CTL_OUT" '^courses: active 1, ended 0, closed 1, superseded 2, awaiting_discharge 0, paused 0, cancelled 0, deceased 0, awaiting_decision 0 \(anonymised 0\)$' \
	"status counts courses by state"
like "$CTL_OUT" '^pending calls: 1$' "status counts pending calls"
like "$CTL_OUT" "^outbox backlog: $BACKLOG pending\$" "status counts the outbox backlog ($BACKLOG)"
like "$CTL_OUT" '^last queue publication: (never|[0-9]{4}-)' "status shows the last queue publication"
like "$CTL_OUT" "^last retention purge: ${RECENT}T[0-9:]+[+-][0-9:]+ by system, 0 course\\(s\\) anonymised\$" \
	"status shows the daemon's last purge, on Carl's day, which found nothing"
# --database without a configuration: still Copenhagen time, not the shell's TZ.
tz_out=$(TZ=Pacific/Kiritimati timeout 60 "$MENTORCTL" --database "$DATABASE" status 2>&1)
like "$tz_out" "last retention purge: ${RECENT}T[0-9:]+\\+0[12]:00 by system" \
	"--database alone under TZ=Pacific/Kiritimati shows Copenhagen times"
ctl_is 0 "--json status: 0" --json status
printf '%s\n' "$CTL_OUT" >"$TEST_TMP/status.json"
is "$(json_get "$TEST_TMP/status.json" courses.superseded)|$(json_get "$TEST_TMP/status.json" outbox.pending)|$(json_get "$TEST_TMP/status.json" outbox.dead)" \
	"2|$BACKLOG|0" "--json status has the counts"
# The layout mentorctl(8) gives, as key paths: .Po/.Pc, and .Pq for the
# rest of its line, nest what they enclose under the key before them.
status_doc_keys() {
	sed -n '/^one object with$/,/^times as RFC 3339/p' "$top_srcdir/doc/mentorctl.8.in" | awk '
		function emit(w) { last = (depth ? path[depth] "." : "") w; print last }
		/^times as/ || /^one object/ { next }
		/^\.Po/ { path[++depth] = last; next }
		/^\.Pc/ { depth--; next }
		{
			line = $0; closes = 0
			gsub(/by state,?/, "", line)
			if (line ~ /^\.Pq /) { path[++depth] = last; closes = 1 }
			n = split(line, w, /[ ,]+/)
			for (i = 1; i <= n; i++)
				if (w[i] ~ /^[a-z_]+$/ && w[i] != "and") emit(w[i])
			depth -= closes
		}'
}
# The states "courses" counts, and the keys of "health", documented apart.
status_doc_others() {
	sed -n -e '/^Print the courses by state$/,/^and how many/p' \
		-e '/^the object has$/,/^\.It Cm backup/p' "$top_srcdir/doc/mentorctl.8.in" |
		grep -E '^\.(Li|Qq|Pq)' | tr ' ,;:' '\n\n\n\n' | grep '^[a-z_]*$' | grep -v '^$'
}
missing=
for k in $(status_doc_keys); do
	json_get "$TEST_TMP/status.json" "$k" >/dev/null || missing="$missing $k"
done
documented=" $(status_doc_keys | sed 's/.*\.//' | tr '\n' ' ') $(status_doc_others | tr '\n' ' ') "
for k in $(grep -o '"[a-z_]*":' "$TEST_TMP/status.json" | tr -d '":' | sort -u); do
	case $documented in *" $k "*) ;; *) missing="$missing +$k" ;; esac
done
is "$(status_doc_keys | wc -l | tr -d ' ')${missing:+ }$missing" 17 \
	"--json status has the keys mentorctl(8) documents, where it documents them, and no others"

# --- backup while the daemon takes discharges --------------------------------------------
intake_loop() {
	i=0
	while [ "$i" -lt "$LOAD" ]; do
		i=$((i + 1))
		timeout 10 curl -sS --max-time 8 -o /dev/null -w '%{http_code}\n' -H 'Expect:' \
			-H "Authorization: Bearer $PSYCH" -H 'Content-Type: application/json' \
			--data-binary "{\"notification_id\": \"load-$i\",
				\"citizen\": {\"name\": \"Load $i\", \"phone\": \"+4531$(printf %06d "$i")\"},
				\"discharged_at\": \"${RECENT}T10:00:00Z\",
				\"consent\": {\"contact\": true, \"share_information\": true}}" \
			"http://127.0.0.1:$PORT/v1/discharges"
	done >"$TEST_TMP/load.codes" 2>&1
}
courses_before=$(q 'SELECT count(*) FROM courses')
intake_loop &
LOOP_PID=$!
track_pid "$LOOP_PID"
wait_for 20 sh -c "[ \$(sqlite3 '$DATABASE' 'SELECT count(*) FROM courses') -ge $((courses_before + 10)) ]" ||
	diag "the intake loop did not get going"
at_start=$(q 'SELECT count(*) FROM courses')
ctl_is 0 "backup while discharges arrive: 0" backup "$TEST_TMP/backup.db"
at_end=$(q 'SELECT count(*) FROM courses')
wait "$LOOP_PID"
untrack_pid "$LOOP_PID"
in_backup=$(sql "$TEST_TMP/backup.db" 'SELECT count(*) FROM courses')
is "$(sql "$TEST_TMP/backup.db" 'PRAGMA integrity_check')" ok "the backup passes integrity_check"
if int_at_least "$in_backup" "$at_start" && [ "$in_backup" -le "$at_end" ]; then
	pass "the backup holds a snapshot: $at_start <= $in_backup <= $at_end courses"
else
	fail "the backup holds a snapshot" "courses before $at_start, in the backup '$in_backup', after $at_end"
fi
if [ "$at_end" -gt "$at_start" ] && [ "$(q 'SELECT count(*) FROM courses')" -gt "$at_start" ]; then
	pass "discharges were stored while the backup ran"
else
	skip "the backup was quicker than one discharge (before $at_start, after $at_end)" \
		"discharges were stored while the backup ran"
fi
is "$(grep -c '^201$' "$TEST_TMP/load.codes")" "$LOAD" "every discharge of the loop got 201"
is "$(sql "$TEST_TMP/backup.db" 'PRAGMA journal_mode')" delete "the backup is one file (journal_mode delete)"
is "$(stat -c %a "$TEST_TMP/backup.db")" 600 "the backup is readable by its owner only"
sum_before=$(cksum <"$TEST_TMP/backup.db")
ctl_is 1 "backup onto an existing file: 1" backup "$TEST_TMP/backup.db"
like "$CTL_ERR" 'already exists' "the refusal says the file exists"
is "$(cksum <"$TEST_TMP/backup.db")" "$sum_before" "the existing file is unchanged"
is "$(ls "$TEST_TMP" | grep -c 'backup\.db\.tmp')" 0 "no temporary file is left behind"

# --- export --------------------------------------------------------------------------------
# Carl declines at his second course's first call: the summary counts
# that call as reached (the citizen was spoken to), and so must the export.
api_json POST "/v1/calls/$(q "SELECT id FROM calls WHERE course_id = $CARL2 AND state = 'pending'")/outcome" \
	"$ADMIN" '{"result": "declined"}'
status_is 200 "Carl declines at his first call"
ctl_is 2 "export without --to: 2" export courses --from "$PAST"
like "$CTL_ERR" 'both required' "it says --from and --to are both required"
ctl_is 0 "export courses: 0" export courses --from "$PAST" --to "$TODAY"
printf '%s\n' "$CTL_OUT" | tr -d '\r' >"$TEST_TMP/courses.csv"
is "$(head -n 1 "$TEST_TMP/courses.csv")" \
	course_id,discharge_date,window_end,state,state_reason,state_changed,mentor_id,superseded_by,flag,consent_given_at,calls_done,calls_reached,first_reached,anonymised \
	"export courses starts with its header"
is "$(($(wc -l <"$TEST_TMP/courses.csv") - 1))" "$((4 + LOAD))" "export courses has a row per course"
file_like "$TEST_TMP/courses.csv" "^$ANNA1,$PAST,[0-9-]+,superseded,superseded,$PAST2,$MENTOR,[0-9]+,,,1,1,$PAST1,no\$" \
	"Anna's first course: dates, state, counts, first reached call"
file_like "$TEST_TMP/courses.csv" "^$CARL2,$RECENT,[0-9-]+,ended,.*,1,1,$RECENT,no\$" \
	"Carl's declined call counts as reached (calls_reached 1, first_reached), as in the summary"
file_unlike "$TEST_TMP/courses.csv" 'Anna|Jensen|0101901234|22334401|afsnit|anna-1' \
	"export courses holds no name, CPR, phone, unit or notification id"
ctl_is 0 "export calls: 0" export calls --from "$PAST" --to "$PAST1"
printf '%s\n' "$CTL_OUT" | tr -d '\r' >"$TEST_TMP/calls.csv"
file_like "$TEST_TMP/calls.csv" "^[0-9]+,$ANNA1,$MENTOR,first_contact,1,1,[0-9-]+,done,reached,$PAST1,20,wellbeing;network,,0,\$" \
	"export calls: Anna's reached call with its topic codes"
file_unlike "$TEST_TMP/calls.csv" 'Karen|sister|job centre' "export calls holds no note and no agreed topic"
ctl_is 2 "export of something else: 2" export citizens --from "$PAST" --to "$TODAY"
ctl_is 2 "export without --to: 2" export courses --from "$PAST"
ctl_is 2 "export with --from after --to: 2" export calls --from "$TODAY" --to "$PAST"

# --- purge ---------------------------------------------------------------------------------
# The same figures before and after: the summary if the daemon has it,
# else the same counts in SQL.
figures() {
	api GET "/v1/reports/summary?from=$PAST&to=$TODAY" "$ADMIN"
	if [ "$HTTP_STATUS" = 200 ]; then
		cat "$BODY"
	else
		q "SELECT state, count(*) FROM courses GROUP BY state;
		   SELECT result, count(*) FROM calls GROUP BY result;
		   SELECT count(*), sum(json_array_length(topics)) FROM calls WHERE topics IS NOT NULL"
	fi
}
figures >"$TEST_TMP/figures.before"
ctl_is 0 "purge --dry-run: 0" purge --dry-run
like "$CTL_OUT" "^would anonymise 1 course\\(s\\) closed or superseded before $(day -365) \\(retention.days = 365\\)\$" \
	"purge --dry-run counts Anna's first course only"
is "$(q "SELECT citizen_name FROM courses WHERE id = $ANNA1")" "Anna Jensen" "the dry run changed nothing"
ctl_is 0 "purge: 0" purge
like "$CTL_OUT" '^anonymised 1 course\(s\)' "purge anonymised one course"
is "$(q "SELECT citizen_name || '|' || phone || '|' || coalesce(cpr, '-') || '|' || coalesce(unit, '-') || '|' || coalesce(preferred_from, '-') FROM courses WHERE id = $ANNA1")" \
	"anonymised|anonymised|-|-|-" "Anna's first course: name, phone, CPR, unit, call time erased"
is "$(q "SELECT coalesce(wishes, '-') || '|' || coalesce(intake_fingerprint, '-') FROM courses WHERE id = $ANNA1")" \
	"-|-" "her wishes (note and all) and the intake fingerprint are erased too"
is "$(q "SELECT count(*) FROM calls WHERE course_id = $ANNA1 AND (note IS NOT NULL OR agreed_topic IS NOT NULL)")" 0 \
	"its call notes and agreed topics are erased"
is "$(q "SELECT count(*) FROM course_log WHERE course_id = $ANNA1 AND (details LIKE '%job centre%' OR details LIKE '%anna-1%')")" 0 \
	"its log no longer holds the agreed topic or the notification id"
is "$(q "SELECT citizen_name FROM courses WHERE id = $CARL1")" "Carl Madsen" \
	"Carl's course, superseded 100 days ago, is untouched"
figures >"$TEST_TMP/figures.after"
if cmp -s "$TEST_TMP/figures.before" "$TEST_TMP/figures.after"; then
	pass "the report figures are the same after the purge"
else
	fail "the report figures are the same after the purge" "$(diff "$TEST_TMP/figures.before" "$TEST_TMP/figures.after")"
fi
# Her notification id is gone with the rest: sent again, it is a new
# notification, refused as older than its window; nothing comes back.
discharge anna-1 "Anna Jensen" 0101901234 "+45 22 33 44 01" "$PAST" "$ANNA_WISHES"
is "$HTTP_STATUS $(jget errors.0.field) $(q "SELECT count(*) FROM courses WHERE notification_id = 'anna-1'")" \
	"422 discharged_at 0" "anna-1 sent again after the purge: 422 on discharged_at, no data back"
ctl_is 0 "purge again: 0" purge
like "$CTL_OUT" '^anonymised 0 course\(s\)' "a second purge has nothing to do"
ctl_is 0 "status after the purge: 0" status
like "$CTL_OUT" '^last retention purge: .* by mentorctl, 0 course\(s\) anonymised$' \
	"status shows the last purge and its count"
like "$CTL_OUT" '\(anonymised 1\)$' "status counts the anonymised course"

# --- the daemon's daily purge ------------------------------------------------------------------
set_clock "$(day 2)T10:00:00Z"
if wait_for_log "notice: retention: anonymised 0 course\\(s\\) closed or superseded before $(day -363)"; then
	pass "the daemon's daily retention job logs its count at notice level"
else
	fail "the daemon's daily retention job logs its count at notice level"
	diag_file "$LOG"
fi
ctl_is 0 "status after the daily job: 0" status
like "$CTL_OUT" '^last retention purge: .* by system, ' "the daily job's run is the last purge"

if stop_mentord TERM 10 && [ "$EXIT_STATUS" = 0 ]; then
	pass "mentord stops cleanly after all of it"
else
	fail "mentord stops cleanly after all of it" "exit status $EXIT_STATUS"
	diag_file "$LOG"
fi
