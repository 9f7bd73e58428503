#!/bin/sh
# outbox-messages.sh - every message type reaches the gateway as the exact
# JSON of doc/gateway.md, rendered from the shipped Danish templates:
# welcome after intake, followup with the offers' contact details and the
# next call as an action, unreached after the last failed attempt, closing
# when a course ends. Then: a course's messages arrive in order and its
# log shows each delivery; templates are rendered when sent, so a changed
# template applies to queued work; a bad template is refused at reload
# (old configuration kept) and at start; disabled types are not queued;
# a resumed course withdraws its closing message unless it is on the
# wire, and no outbox id is ever given out twice. A message that waited
# for the gateway promises the course's next call as it is when sent.
#
# Dates: discharged Sunday 12 April 2026, so the first call is due Monday
# 13 April (plan day 1); the agreed next call is Thursday 16 April. Bo's
# notification comes late: discharged Monday 2 March, his first call was
# due Tuesday 3 March and stays so (overdue), but his welcome promises the
# first working day from today, Monday 13 April, never a day gone by.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/api-lib.sh"
. "$top_srcdir/tests/integration/outbox-lib.sh"

plan 59

start_mockgw
write_gateway_config
config_set "$CONFIG" messages.welcome true || bail "messages.welcome"
# A copy of the shipped templates, so the test can change them.
cp -r "$top_srcdir/etc/templates" "$TEST_TMP/templates" || bail "cannot copy the templates"
config_set "$CONFIG" messages.templates "\"$TEST_TMP/templates\"" || bail "messages.templates"
ADMIN=$(token_add admin coordinator)
start_api_daemon --test-clock
# The jobs ran on the real date at start; a later date first, so that they
# run again when the clock goes back.
set_clock 2027-01-01T10:00:00+01:00
set_clock 2026-04-13T06:00:00+02:00

api_json POST /v1/mentors "$ADMIN" '{"name": "Mette Mentor", "phone": "20 30 40 50"}'
[ "$HTTP_STATUS" = 201 ] || bail "POST /v1/mentors: $HTTP_STATUS"
api_json POST /v1/offers "$ADMIN" '{"name": "Café Hjertestarter", "category": "fællesskab",
	"provider": "Kirkens Korshær", "phone": "70121212", "address": "Torvet 1, 8000 Aarhus C",
	"url": "https://example.dk/cafe", "hours": "man-fre 10-16"}'
[ "$HTTP_STATUS" = 201 ] || bail "POST /v1/offers: $HTTP_STATUS"
OFFER=$(jget id)

# discharge ID NAME PHONE [CPR [DISCHARGED-AT]]: a consented discharge, by
# default on 12 April.
discharge() {
	d_cpr=
	[ -n "${4:-}" ] && d_cpr="\"cpr\": \"$4\", "
	api_json POST /v1/discharges "$ADMIN" "{\"notification_id\": \"$1\",
		\"citizen\": {\"name\": \"$2\", $d_cpr\"phone\": \"$3\"},
		\"discharged_at\": \"${5:-2026-04-12T10:00:00+02:00}\",
		\"consent\": {\"contact\": true, \"share_information\": true}}"
	[ "$HTTP_STATUS" = 201 ] || bail "POST /v1/discharges $1: $HTTP_STATUS $(cat "$BODY")"
	jget course_id
}

pending_call() {
	sql "$DATABASE" "SELECT id FROM calls WHERE course_id = $1 AND state = 'pending'"
}

# message_is N DESC EXPECTED: the Nth request to /v1/messages carried
# exactly EXPECTED, with @KEY@ standing for its Idempotency-Key.
message_is() {
	if ! wait_for 10 gw_requests_at_least /v1/messages "$1"; then
		fail "$2" "only $(gw_requests /v1/messages) message(s) reached the gateway"
		diag_file "$LOG"
		return
	fi
	mi_body=$(record_body "$1" /v1/messages)
	mi_key=$(json_get "$TEST_TMP/record.line" idempotency_key)
	mi_want=$(printf '%s' "$3" | sed "s/@KEY@/$mi_key/")
	if [ "$mi_body" = "$mi_want" ]; then
		pass "$2"
	else
		fail "$2" "got:  $mi_body" "want: $mi_want"
	fi
}

SENDER='"sender":{"cvr":"29189897","label":"Eksempel Kommune","content_responsible":"Borgerservice"}'
SIGNATURE='Venlig hilsen\nMette Mentor\nEksempel Kommune'

# --- welcome --------------------------------------------------------------------
ANNA=$(discharge m-anna "Anna Marie Hansen" "22 33 44 55" 010190-1234)
message_is 1 "welcome: the exact message JSON, CPR in the recipient" \
'{"message_uuid":"@KEY@","type":"welcome","label":"Vi ringer til dig","body":"Kære Anna\n\nDu har sagt ja til, at vi må ringe til dig.\n\nMette Mentor ringer til dig mandag den 13. april 2026 fra nummeret 20 30 40 50.\n\nPasser det ikke, eller vil du hellere selv ringe, er du velkommen til at kontakte Mette Mentor på 20 30 40 50.\n\n'"$SIGNATURE"'",'"$SENDER"',"recipient":{"phone":"+4522334455","name":"Anna Marie Hansen","cpr":"0101901234"},"offers":[],"action":{"code":"AFTALE","label":"Telefonsamtale","start":"2026-04-13"}}'
record_line 1 /v1/messages
is "$(json_get "$TEST_TMP/record.line" authorization)" "Bearer $GW_TOKEN" \
	"the bearer token comes from gateway.token_file"
is "$(json_get "$TEST_TMP/record.line" content_type)" application/json \
	"Content-Type: application/json"
like "$(json_get "$TEST_TMP/record.line" idempotency_key)" \
	'^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' \
	"a message's Idempotency-Key is its message_uuid, a random UUID"
is "$(sql "$DATABASE" "SELECT state || ' ' || attempts FROM outbox WHERE course_id = $ANNA")" \
	"sent 1" "the outbox row is sent after one attempt"

BO=$(discharge m-bo "Bo Berg" "23 34 45 56" "" 2026-03-02T10:00:00+01:00)
is "$(sql "$DATABASE" "SELECT due_date FROM calls WHERE course_id = $BO")" 2026-03-03 \
	"a late notification: the first call stays due on plan day 1, Tue 3 Mar (overdue)"
message_is 2 "welcome after a late notification: it promises today, not the overdue date" \
'{"message_uuid":"@KEY@","type":"welcome","label":"Vi ringer til dig","body":"Kære Bo\n\nDu har sagt ja til, at vi må ringe til dig.\n\nMette Mentor ringer til dig mandag den 13. april 2026 fra nummeret 20 30 40 50.\n\nPasser det ikke, eller vil du hellere selv ringe, er du velkommen til at kontakte Mette Mentor på 20 30 40 50.\n\n'"$SIGNATURE"'",'"$SENDER"',"recipient":{"phone":"+4523344556","name":"Bo Berg"},"offers":[],"action":{"code":"AFTALE","label":"Telefonsamtale","start":"2026-04-13"}}'

# --- followup -----------------------------------------------------------------
API_BODY="{\"result\": \"reached\", \"duration_minutes\": 20, \"topics\": [\"network\"],
	\"offers\": [$OFFER], \"send_followup\": true,
	\"next\": {\"action\": \"continue\", \"date\": \"2026-04-16\", \"topic\": \"netværk\"}}"
api POST "/v1/calls/$(pending_call "$ANNA")/outcome" "$ADMIN"
unset API_BODY
status_is 200 "Anna reached, an offer referred, a follow-up asked for"
message_is 3 "followup: the offer's contact details, the next call as the action" \
'{"message_uuid":"@KEY@","type":"followup","label":"Opfølgning på vores samtale","body":"Kære Anna\n\nTak for samtalen.\n\nSom aftalt får du her kontaktoplysningerne på de tilbud, vi talte om:\n\nCafé Hjertestarter (Kirkens Korshær)\nTelefon: 70 12 12 12\nAdresse: Torvet 1, 8000 Aarhus C\nHjemmeside: https://example.dk/cafe\nÅbent: man-fre 10-16\n\nVi ringer til dig igen torsdag den 16. april 2026.\n\nHar du spørgsmål, kan du ringe til Mette Mentor på 20 30 40 50.\n\n'"$SIGNATURE"'",'"$SENDER"',"recipient":{"phone":"+4522334455","name":"Anna Marie Hansen","cpr":"0101901234"},"offers":[{"name":"Café Hjertestarter","category":"fællesskab","provider":"Kirkens Korshær","phone":"+4570121212","address":"Torvet 1, 8000 Aarhus C","url":"https://example.dk/cafe","hours":"man-fre 10-16"}],"action":{"code":"AFTALE","label":"Næste telefonsamtale","start":"2026-04-16"}}'

# --- unreached: three unanswered attempts ------------------------------------------
for attempt in 1 2 3; do
	api_json POST "/v1/calls/$(pending_call "$BO")/outcome" "$ADMIN" '{"result": "no_answer"}'
	[ "$HTTP_STATUS" = 200 ] || bail "no_answer $attempt: $HTTP_STATUS"
done
is_json unreached true "Bo not reached after three attempts"
message_is 4 "unreached: the exact message JSON, no CPR when none is known" \
'{"message_uuid":"@KEY@","type":"unreached","label":"Vi har forsøgt at ringe til dig","body":"Kære Bo\n\nVi har forsøgt at ringe til dig et par gange, men har ikke fået fat i dig.\n\nDu er velkommen til selv at ringe til Mette Mentor på 20 30 40 50, når det passer dig.\n\n'"$SIGNATURE"'",'"$SENDER"',"recipient":{"phone":"+4523344556","name":"Bo Berg"},"offers":[]}'

# --- closing ------------------------------------------------------------------------
api_json POST "/v1/courses/$ANNA/end" "$ADMIN" '{"reason": "the citizen needs no more calls"}'
status_is 200 "Anna's course is ended"
message_is 5 "closing: where to find support afterwards" \
'{"message_uuid":"@KEY@","type":"closing","label":"Tak for samtalerne","body":"Kære Anna\n\nVores telefonsamtaler er nu slut. Tak fordi du tog dig tid til at tale med os.\n\nFår du senere brug for støtte eller råd, kan du altid henvende dig:\n\n- til kommunens borgerservice, som kan hjælpe dig videre,\n- til din egen læge,\n- til Livslinien på 70 201 201, hvis du har brug for at tale med nogen anonymt.\n\nEr det akut, så ring 112.\n\n'"$SIGNATURE"'",'"$SENDER"',"recipient":{"phone":"+4522334455","name":"Anna Marie Hansen","cpr":"0101901234"},"offers":[]}'

# --- order, log, outbox ---------------------------------------------------------------
types=
for n in 1 2 3 4 5; do
	record_body "$n" /v1/messages >"$TEST_TMP/m.json"
	if [ "$(json_get "$TEST_TMP/m.json" recipient.name)" = "Anna Marie Hansen" ]; then
		types="$types${types:+ }$(json_get "$TEST_TMP/m.json" type)"
	fi
done
is "$types" "welcome followup closing" "Anna's messages reached the gateway in the order written"
is "$(gw_stat duplicates)" 0 "nothing was sent twice"

api GET "/v1/courses/$ANNA" "$ADMIN"
delivered=$(sql "$DATABASE" "SELECT group_concat(id, ' ') FROM (SELECT id FROM outbox
	WHERE course_id = $ANNA AND kind = 'message' ORDER BY id)")
logged=
i=0
while kind=$(json_get "$BODY" "log.$i.kind" 2>/dev/null); do
	[ "$kind" = message_delivered ] &&
		logged="$logged${logged:+ }$(json_get "$BODY" "log.$i.details.outbox_id")"
	i=$((i + 1))
done
is "$logged" "$delivered" "the course log has message_delivered with each message's outbox id"
outbox_rows pending >/dev/null
is "$(json_len "$BODY" outbox)" 0 "GET /v1/outbox?state=pending: nothing left"
is "$(outbox_count sent)" "$(sql "$DATABASE" "SELECT count(*) FROM outbox")" \
	"every outbox row is sent"

# --- templates are rendered when sent ---------------------------------------------------
gw_control '{"mode": "status", "status": 503}'
CARL=$(discharge m-carl "Carl Clausen" "24 35 46 57")
wait_for 10 sh -c "[ \"\$(sqlite3 '$DATABASE' \"SELECT attempts FROM outbox WHERE course_id = $CARL\")\" = 1 ]"
is "$(sql "$DATABASE" "SELECT state || ' ' || last_error FROM outbox WHERE course_id = $CARL")" \
	"pending HTTP 503" "with the gateway answering 503 Carl's welcome waits"
sed -i 's/^label: .*/label: Vi ringer snart til dig/' "$TEST_TMP/templates/welcome.txt"
kill -HUP "$MENTORD_PID"
wait_for_log 'configuration reloaded' 1 5 || diag "no reload logged"
gw_control '{"mode": "ok"}'
set_clock 2026-04-13T06:05:00+02:00
wait_for 10 gw_requests_at_least /v1/messages 6
record_body 6 /v1/messages >"$TEST_TMP/m.json"
is "$(json_get "$TEST_TMP/m.json" label) / $(json_get "$TEST_TMP/m.json" recipient.name)" \
	"Vi ringer snart til dig / Carl Clausen" \
	"a template changed while the message waited applies when it is sent"

# --- a bad template is refused at reload; the old ones stay -------------------------------
cp "$TEST_TMP/templates/closing.txt" "$TEST_TMP/closing.good"
printf '\nHilsen {{citizen_navn}}\n' >>"$TEST_TMP/templates/closing.txt"
line=$(grep -n citizen_navn "$TEST_TMP/templates/closing.txt" | cut -d: -f1)
kill -HUP "$MENTORD_PID"
if wait_for_log "reload rejected.*messages.templates: $TEST_TMP/templates/closing.txt:$line: unknown placeholder \{\{citizen_navn\}\}" 1 5; then
	pass "SIGHUP with an unknown placeholder: reload rejected, naming FILE:LINE"
else
	fail "SIGHUP with an unknown placeholder: reload rejected, naming FILE:LINE"
	diag_file "$LOG"
fi
api_json POST "/v1/courses/$CARL/end" "$ADMIN" '{"reason": "moved away"}'
wait_for 10 gw_requests_at_least /v1/messages 7
record_body 7 /v1/messages >"$TEST_TMP/m.json"
body=$(json_get "$TEST_TMP/m.json" body)
if [ "$(json_get "$TEST_TMP/m.json" type)" = closing ] &&
	printf '%s' "$body" | grep -q 'Livslinien' && ! printf '%s' "$body" | grep -q 'navn'; then
	pass "after the rejected reload the old closing template is still the one used"
else
	fail "after the rejected reload the old closing template is still the one used" "$body"
fi
http GET /healthz
is "$HTTP_STATUS" 200 "mentord still serves after the rejected reload"

# --- a disabled type is not queued ------------------------------------------------------
cp "$TEST_TMP/closing.good" "$TEST_TMP/templates/closing.txt"
config_set "$CONFIG" messages.welcome false || bail "messages.welcome"
kill -HUP "$MENTORD_PID"
wait_for_log 'configuration reloaded' 2 5 || diag "no second reload logged"
DORA=$(discharge m-dora "Dora Dahl" "25 36 47 58")
api_json POST "/v1/courses/$DORA/end" "$ADMIN" '{"reason": "declined by letter"}'
wait_for 10 gw_requests_at_least /v1/messages 8
is "$(sql "$DATABASE" "SELECT group_concat(type) FROM outbox WHERE course_id = $DORA")" closing \
	"messages.welcome = false: no welcome after intake (the closing still goes)"
config_set "$CONFIG" messages.closing false || bail "messages.closing"
kill -HUP "$MENTORD_PID"
wait_for_log 'configuration reloaded' 3 5 || diag "no third reload logged"
EVA=$(discharge m-eva "Eva Eriksen" "26 37 48 59")
api_json POST "/v1/courses/$EVA/end" "$ADMIN" '{"reason": "declined by letter"}'
status_is 200 "Eva's course is ended"
is "$(sql "$DATABASE" "SELECT count(*) FROM outbox WHERE course_id = $EVA")" 0 \
	"messages.closing = false: no closing message either"
file_unlike "$LOG" '(warning|err): outbox' "no outbox errors or dead letters were logged"

# --- a resumed course withdraws its closing message the gateway has not taken -------------
config_set "$CONFIG" messages.closing true || bail "messages.closing"
kill -HUP "$MENTORD_PID"
wait_for_log 'configuration reloaded' 4 5 || diag "no fourth reload logged"
gw_control '{"mode": "status", "status": 503, "path": "/v1/messages"}'
FRIDA=$(discharge m-frida "Frida Fisker" "27 38 49 50")
api_json POST "/v1/courses/$FRIDA/end" "$ADMIN" '{"reason": "declined by phone"}'
closing_tried() {
	[ "$(sql "$DATABASE" "SELECT attempts FROM outbox WHERE course_id = $FRIDA AND type = 'closing'")" -ge 1 ] 2>/dev/null
}
wait_for 10 closing_tried || diag "the closing message was not tried while the gateway failed"
api_json POST "/v1/courses/$FRIDA/resume" "$ADMIN" '{}'
is "$HTTP_STATUS $(sql "$DATABASE" "SELECT count(*) FROM outbox WHERE course_id = $FRIDA AND type = 'closing'")" \
	"200 0" "resumed while the gateway failed: the unsent closing message is withdrawn"
is "$(sql "$DATABASE" "SELECT group_concat(kind, ' ') FROM course_log WHERE course_id = $FRIDA AND kind IN ('ended', 'message_withdrawn', 'resumed') ORDER BY id")" \
	"ended resumed message_withdrawn" "Frida's log tells that the closing message was withdrawn"
gw_control '{"mode": "ok"}'

# --- a closing message on the wire when the course resumes is not withdrawn ----------------
# The gateway holds Grete's closing message for 3 s. The resume cannot
# recall it, so it leaves its row alone: the send settles that row as
# sent and the log tells it was delivered. Hans's welcome, queued
# meanwhile, gets an id of its own and really reaches the gateway (a
# withdrawn row whose id came back would have been marked sent by the
# closing message's settle, and never sent).
GRETE=$(discharge m-grete "Grete Gram" "28 39 40 51")
config_set "$CONFIG" messages.welcome true || bail "messages.welcome"
kill -HUP "$MENTORD_PID"
wait_for_log 'configuration reloaded' 5 5 || diag "no fifth reload logged"
gw_control '{"mode": "sleep", "sleep_ms": 3000, "count": 1, "path": "/v1/messages"}'
before=$(gw_requests /v1/messages)
api_json POST "/v1/courses/$GRETE/end" "$ADMIN" '{"reason": "declined by phone"}'
[ "$HTTP_STATUS" = 200 ] || bail "POST /v1/courses/$GRETE/end: $HTTP_STATUS"
wait_for 10 gw_requests_at_least /v1/messages $((before + 1)) ||
	diag "Grete's closing message did not reach the gateway"
CLOSING=$(sql "$DATABASE" "SELECT id FROM outbox WHERE course_id = $GRETE AND type = 'closing'")
api_json POST "/v1/courses/$GRETE/resume" "$ADMIN" '{}'
is "$HTTP_STATUS $(sql "$DATABASE" "SELECT state FROM outbox WHERE id = $CLOSING AND course_id = $GRETE")" \
	"200 pending" "resumed while the closing message was on the wire: its row stays"
HANS=$(discharge m-hans "Hans Holm" "29 30 41 52")
WELCOME=$(sql "$DATABASE" "SELECT id FROM outbox WHERE course_id = $HANS AND type = 'welcome'")
if [ -n "$WELCOME" ] && [ -n "$CLOSING" ] && [ "$WELCOME" -gt "$CLOSING" ]; then
	pass "Hans's welcome gets a new outbox id"
else
	fail "Hans's welcome gets a new outbox id" "closing: $CLOSING, welcome: $WELCOME"
fi
closing_sent() {
	[ "$(sql "$DATABASE" "SELECT state FROM outbox WHERE id = $CLOSING")" = sent ]
}
wait_for 10 closing_sent
is "$(sql "$DATABASE" "SELECT course_id || ' ' || type || ' ' || state || ' ' || attempts FROM outbox WHERE id = $CLOSING")" \
	"$GRETE closing sent 1" "the closing message's row is settled as sent"
welcome_arrived() {
	grep '"path":"/v1/messages"' "$RECORD" | grep '"status":200}$' | grep -q 'Hans Holm'
}
if wait_for 10 welcome_arrived; then
	pass "Hans's welcome reaches the gateway"
else
	fail "Hans's welcome reaches the gateway"
	diag_file "$LOG"
fi
welcome_sent() {
	[ "$(sql "$DATABASE" "SELECT state FROM outbox WHERE course_id = $HANS AND type = 'welcome'")" = sent ]
}
if wait_for 10 welcome_sent; then
	pass "Hans's welcome is settled as sent"
else
	fail "Hans's welcome is settled as sent"
fi
is "$(sql "$DATABASE" "SELECT group_concat(kind, ' ') FROM course_log WHERE course_id = $GRETE AND kind IN ('ended', 'message_withdrawn', 'resumed', 'message_delivered') ORDER BY id")" \
	"ended resumed message_delivered" "Grete's log: no message_withdrawn, the closing message delivered"
is "$(sql "$DATABASE" "SELECT json_extract(details, '\$.outbox_id') FROM course_log WHERE course_id = $GRETE AND kind = 'message_delivered'")" \
	"$CLOSING" "the delivery names the closing message's outbox id"
is "$(sql "$DATABASE" "SELECT count(*) - count(DISTINCT json_extract(details, '\$.outbox_id')) FROM course_log WHERE kind = 'message'")" \
	0 "no outbox id was ever given to two messages"

# --- one that fails on the wire after the resume is withdrawn, not retried -----------------
# The gateway holds Ida's closing message past gateway.timeout (5 s): a
# temporary failure, which the sender would retry. By then the course has
# resumed, so the sender withdraws it instead.
IDA=$(discharge m-ida "Ida Iversen" "21 32 43 54")
ida_welcomed() {
	[ "$(sql "$DATABASE" "SELECT state FROM outbox WHERE course_id = $IDA AND type = 'welcome'")" = sent ]
}
wait_for 10 ida_welcomed || diag "Ida's welcome was not sent"
gw_control '{"mode": "sleep", "sleep_ms": 7000, "count": 1, "path": "/v1/messages"}'
before=$(gw_requests /v1/messages)
api_json POST "/v1/courses/$IDA/end" "$ADMIN" '{"reason": "declined by phone"}'
wait_for 10 gw_requests_at_least /v1/messages $((before + 1)) ||
	diag "Ida's closing message did not reach the gateway"
api_json POST "/v1/courses/$IDA/resume" "$ADMIN" '{}'
status_is 200 "Ida's course resumes while her closing message is on the wire"
ida_closing_gone() {
	[ "$(sql "$DATABASE" "SELECT count(*) FROM outbox WHERE course_id = $IDA AND type = 'closing'")" = 0 ]
}
if wait_for 10 ida_closing_gone; then
	pass "the closing message that timed out after the resume is withdrawn, not retried"
else
	fail "the closing message that timed out after the resume is withdrawn, not retried" \
		"$(sql "$DATABASE" "SELECT state || ' ' || attempts FROM outbox WHERE course_id = $IDA AND type = 'closing'")"
fi
is "$(sql "$DATABASE" "SELECT group_concat(kind, ' ') FROM course_log WHERE course_id = $IDA AND kind IN ('ended', 'resumed', 'message_withdrawn', 'message_delivered') ORDER BY id")" \
	"message_delivered ended resumed message_withdrawn" \
	"Ida's log: the welcome delivered, ended, resumed, the closing message withdrawn"
gw_control '{"mode": "ok"}'

# --- the next call is the course's when the message is sent --------------------------------
# The gateway fails while Jens is reached (a follow-up promising Wed 22
# April is queued) and his course is then ended, Karl declines at his
# first call, and Lis's welcome waits past its day. When the gateway is
# back, on Tue 14 April, nothing promises a call that was cancelled or a
# day gone by: Jens's follow-up keeps its thanks but promises no call,
# his and Karl's welcomes are withdrawn, Lis's promises today.
gw_control '{"mode": "status", "status": 503, "path": "/v1/messages"}'
JENS=$(discharge m-jens "Jens Juhl" "22 43 54 65")
API_BODY='{"result": "reached", "send_followup": true,
	"next": {"action": "continue", "date": "2026-04-22"}}'
api POST "/v1/calls/$(pending_call "$JENS")/outcome" "$ADMIN"
unset API_BODY
is "$HTTP_STATUS $(json_get "$BODY" next_call.due_date)" "200 2026-04-22" \
	"Jens reached, a follow-up asked for, the next call agreed for 22 April"
api_json POST "/v1/courses/$JENS/end" "$ADMIN" '{"reason": "wants no more calls"}'
status_is 200 "Jens's course is ended while his follow-up waits"
KARL=$(discharge m-karl "Karl Krogh" "23 44 55 66")
api_json POST "/v1/calls/$(pending_call "$KARL")/outcome" "$ADMIN" '{"result": "declined"}'
status_is 200 "Karl declines at his first call while his welcome waits"
LIS=$(discharge m-lis "Lis Lund" "24 45 56 67")
gw_control '{"mode": "ok"}'
set_clock 2026-04-14T09:00:00+02:00
waiting() {
	[ "$(sql "$DATABASE" "SELECT count(*) FROM outbox WHERE course_id IN ($JENS, $KARL, $LIS) AND state = 'pending'")" = 0 ]
}
wait_for 20 waiting || diag "messages still pending: $(sql "$DATABASE" "SELECT course_id || ' ' || type || ' ' || state FROM outbox WHERE course_id IN ($JENS, $KARL, $LIS)")"

# sent NAME TYPE: the message of TYPE to NAME that the gateway took, in
# $TEST_TMP/sent.json; false if it took none.
sent() {
	grep '"path":"/v1/messages"' "$RECORD" | grep '"status":200}$' | grep -F "$1" |
		grep -F "\\\"type\\\":\\\"$2\\\"" | head -n 1 >"$TEST_TMP/sent.line"
	[ -s "$TEST_TMP/sent.line" ] && json_get "$TEST_TMP/sent.line" body >"$TEST_TMP/sent.json"
}
# action: the message's action.start, or "none".
action() {
	json_get "$TEST_TMP/sent.json" action.start 2>/dev/null || echo none
}
if sent "Jens Juhl" followup; then
	body=$(json_get "$TEST_TMP/sent.json" body)
	is "$(action)" none "Jens's follow-up, sent after the end: no action"
	if printf '%s' "$body" | grep -q 'ringer til dig igen' ||
		! printf '%s' "$body" | grep -q 'Du er altid velkommen til at ringe'; then
		fail "... and its body promises no call" "$body"
	else
		pass "... and its body promises no call"
	fi
else
	fail "Jens's follow-up, sent after the end: no action" "the gateway got none"
	fail "... and its body promises no call"
fi
sent "Jens Juhl" closing
is "$?" 0 "Jens's closing message is sent"
is "$(sent "Jens Juhl" welcome && echo sent || echo none) $(sent "Karl Krogh" welcome && echo sent || echo none)" \
	"none none" "neither Jens's nor Karl's welcome reaches the gateway"
is "$(sql "$DATABASE" "SELECT group_concat(json_extract(details, '\$.type') || ' ' || json_extract(details, '\$.reason'), ', ') FROM course_log WHERE course_id IN ($JENS, $KARL) AND kind = 'message_withdrawn' ORDER BY id")" \
	"welcome ended, welcome ended" "their logs tell the welcome was withdrawn, the course having ended"
if sent "Lis Lund" welcome; then
	is "$(action)" 2026-04-14 "Lis's welcome sent a day late promises today as action.start"
	like "$(json_get "$TEST_TMP/sent.json" body)" 'ringer til dig tirsdag den 14\. april 2026' \
		"... and in its body"
else
	fail "Lis's welcome sent a day late promises today as action.start" "the gateway got none"
	fail "... and in its body"
fi
gw_control '{"mode": "ok"}'

if stop_mentord TERM 10 && [ "$EXIT_STATUS" = 0 ]; then
	pass "SIGTERM: exit 0"
else
	fail "SIGTERM: exit 0" "exit status $EXIT_STATUS"
fi

# --- refused at start -------------------------------------------------------------------
# start_refused DESC ERE: mentord exits 1 before serving, logging ERE.
start_refused() {
	launch_mentord --test-clock
	if wait_exit "$MENTORD_PID" 10 && [ "$EXIT_STATUS" = 1 ] && grep -Eq -- "$2" "$LOG"; then
		pass "$1"
	else
		fail "$1" "exit status $EXIT_STATUS"
		diag_file "$LOG"
	fi
}

rm "$TEST_TMP/templates/welcome.txt"
start_refused "a missing template stops mentord at start, naming the file" \
	"cannot start: messages.templates: $TEST_TMP/templates/welcome.txt: No such file"
out=$(timeout 10 "$MENTORD" --check-config -c "$CONFIG" 2>&1)
like "$out" "welcome.txt: No such file" "--check-config names the missing template"
out=$(timeout 10 "$MENTORCTL" -c "$CONFIG" check-config 2>&1)
like "$out" "welcome.txt: No such file" "mentorctl check-config names it too"
cp "$top_srcdir/etc/templates/welcome.txt" "$TEST_TMP/templates/"

sed -i 's/^label: .*/label: Om din udskrivelse fra psykiatrien/' "$TEST_TMP/templates/unreached.txt"
start_refused "a label naming psychiatry stops mentord at start" \
	'unreached.txt: label "Om din udskrivelse fra psykiatrien" contains'
cp "$top_srcdir/etc/templates/unreached.txt" "$TEST_TMP/templates/"

config_set "$CONFIG" messages.sender_label '"Mentorordningen"' || bail "sender_label"
start_refused "a sender label naming the scheme stops mentord at start" \
	'messages.sender_label "Mentorordningen" contains'
config_set "$CONFIG" messages.sender_label '""' || bail "sender_label"
start_refused "with gateway.url set the sender is required" \
	'messages.sender_cvr, messages.sender_label and messages.content_responsible are required'
config_set "$CONFIG" messages.sender_label '"Eksempel Kommune"' || bail "sender_label"
config_set "$CONFIG" messages.sender_cvr '"2918989"' || bail "sender_cvr"
start_refused "a CVR number has 8 digits" 'messages.sender_cvr must be a CVR number of 8 digits'
config_set "$CONFIG" messages.sender_cvr '"29189897"' || bail "sender_cvr"
config_set "$CONFIG" messages.welcome '"yes"' || bail "welcome"
start_refused "messages.welcome must be a boolean" 'messages.welcome: must be true or false'
