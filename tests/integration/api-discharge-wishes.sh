#!/bin/sh
# api-discharge-wishes.sh - wishes on a discharge notification
# (doc/programmes.md, "Matching"): a discharge with wishes goes to the
# best-matched mentor at work on the first call's day instead of the
# least-loaded one, and the log says why; a bad wish is 422 naming it and
# stores nothing; the wishes are part of the notification, so the same id
# with other wishes is 409; without wishes nothing changes.
#
# Dates: Monday 23 March 2026.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/api-lib.sh"

plan 29

write_config
ADMIN=$(token_add admin coordinator)
PSYCH=$(token_add psychiatry ward)
start_api_daemon --test-clock
set_clock 2026-03-23T09:00:00+01:00

courses() {
	sql "$DATABASE" "SELECT count(*) FROM courses"
}
log_of() {
	sql "$DATABASE" "SELECT json_extract(details, '${3:-\$}') FROM course_log
		WHERE course_id = $1 AND kind = '$2' ORDER BY id DESC LIMIT 1"
}
# discharge ID NAME PHONE [WISHES [DISCHARGED_AT]]: DISCHARGED_AT "-"
# for none (awaiting the discharge).
discharge() {
	d_at=${5:-2026-03-23T08:00:00+01:00}
	[ "$d_at" = - ] && d_at= || d_at="\"discharged_at\": \"$d_at\", "
	printf '{"notification_id": "%s", "citizen": {"name": "%s", "phone": "%s"}, %s
		"consent": {"contact": true, "share_information": true}%s}' \
		"$1" "$2" "$3" "$d_at" "${4:+, \"wishes\": $4}"
}

api_json POST /v1/mentors "$ADMIN" '{"name": "Anna Andersen", "phone": "20 30 40 50", "gender": "female", "languages": ["da"]}'
ANNA=$(jget id)
api_json POST /v1/mentors "$ADMIN" '{"name": "Bo Berg", "phone": "20 30 40 51", "gender": "male", "languages": ["da", "ar"]}'
BO=$(jget id)
api_json POST /v1/mentors "$ADMIN" '{"name": "Cille Carlsen", "phone": "20 30 40 52", "gender": "female",
	"languages": ["ar", "da"], "absences": [{"from": "2026-03-23", "to": "2026-04-10"}]}'
CILLE=$(jget id)
api_json POST /v1/mentors "$ADMIN" '{"name": "Dorte Dam", "phone": "20 30 40 53", "gender": "female", "languages": ["ar"]}'
DORTE=$(jget id)

# --- without wishes: the least-loaded mentor, as before ---------------------------------
api_json POST /v1/discharges "$PSYCH" "$(discharge n-1 "Ida Isaksen" "22 33 44 01")"
status_is 201 "a discharge without wishes: 201"
IDA=$(jget course_id)
is "$(jget mentor_id) $(log_of "$IDA" mentor_assigned '$.match')" "$ANNA " \
	"without wishes: the least-loaded mentor (Anna, lowest id), no match logged"

# --- bad wishes: 422, nothing stored ----------------------------------------------------
api_json POST /v1/discharges "$PSYCH" "$(discharge n-2 "Yasmin Yousef" "22 33 44 02" '{"languages": ["arabic"]}')"
is_invalid 'wishes.languages[0]' "a wished language no ISO code: 422 naming wishes.languages[0]"
api_json POST /v1/discharges "$PSYCH" "$(discharge n-2 "Yasmin Yousef" "22 33 44 02" '{"gender": "f", "colour": "blue"}')"
is_invalid wishes.gender "a wished gender not female, male or other: 422 naming wishes.gender"
api_json POST /v1/discharges "$PSYCH" "$(discharge n-2 "Yasmin Yousef" "22 33 44 02" '"female"')"
is_invalid wishes "wishes not an object: 422 naming wishes"
is "$(courses)" 1 "no refused notification was stored"

# --- with wishes: the best-matched available mentor -------------------------------------
# Female and Arabic: Cille and Dorte meet both (200) but Cille is away on
# the first call's day; Anna (female) and Bo (Arabic) meet one (100). The
# least-loaded rule would have taken Bo.
WISHES='{"gender": "female", "languages": ["ar"], "note": "Taler helst arabisk"}'
api_json POST /v1/discharges "$PSYCH" "$(discharge n-2 "Yasmin Yousef" "22 33 44 02" "$WISHES")"
status_is 201 "a discharge with wishes: 201"
YASMIN=$(jget course_id)
FIRST=$(cat "$BODY")
is "$(jget mentor_id)" "$DORTE" "the best-matched mentor at work takes it (Dorte, not Bo nor the absent Cille)"
is "$(log_of "$YASMIN" mentor_assigned '$.match')" \
	'{"chosen_by":"proposal","matched":["gender:female","language:ar"],"rank":1,"score":200,"unmatched":[]}' \
	"the log says the proposal chose, and why"
api GET "/v1/courses/$YASMIN" "$ADMIN"
is "$(jget wishes.gender) $(json_raw "$BODY" wishes.languages) $(jget wishes.note)" \
	'female ["ar"] Taler helst arabisk' "GET /v1/courses/{id} shows the wishes"

# --- idempotency: the wishes are part of the notification --------------------------------
api_json POST /v1/discharges "$PSYCH" "$(discharge n-2 "Yasmin Yousef" "22 33 44 02" \
	'{"note": "Taler helst arabisk", "languages": ["ar"], "gender": "female"}')"
status_is 200 "the same notification and wishes (other key order): 200"
is "$(cat "$BODY")" "$FIRST" "the same body as the first reply"
api_json POST /v1/discharges "$PSYCH" "$(discharge n-2 "Yasmin Yousef" "22 33 44 02" '{"gender": "male"}')"
status_is 409 "the same notification with other wishes: 409"
api_json POST /v1/discharges "$PSYCH" "$(discharge n-2 "Yasmin Yousef" "22 33 44 02")"
status_is 409 "the same notification without its wishes: 409"
api_json POST /v1/discharges "$PSYCH" "$(discharge n-1 "Ida Isaksen" "22 33 44 01" '{"gender": "male"}')"
status_is 409 "a notification sent without wishes, again with some: 409"
api_json POST /v1/discharges "$PSYCH" "$(discharge n-1 "Ida Isaksen" "22 33 44 01")"
status_is 200 "a notification without wishes again: 200, as before"
is "$(sql "$DATABASE" "SELECT count(*) || ' ' || count(wishes) FROM courses")" "2 1" \
	"two courses, one with wishes"

# --- without wishes after: still the least-loaded ----------------------------------------
api_json POST /v1/discharges "$PSYCH" "$(discharge n-3 "Jens Juul" "22 33 44 03")"
is "$(jget mentor_id)" "$BO" "a discharge without wishes goes to the least-loaded mentor (Bo)"

# --- continuity wins over wishes ---------------------------------------------------------
api_json POST /v1/discharges "$PSYCH" "$(discharge n-5 "Ida Isaksen" "22 33 44 01" '{"gender": "male"}')"
status_is 201 "Ida discharged again, now with a wish for a man: 201"
is "$(jget mentor_id) $(log_of "$(jget course_id)" mentor_assigned '$.match')" "$ANNA " \
	"the new course keeps Anna, the mentor of the course it supersedes"

# --- a self-referral takes the same wishes ------------------------------------------------
api_json POST /v1/courses "$ADMIN" '{"notification_id": "s-1", "source": "self_referral",
	"citizen": {"name": "Lise Lund", "phone": "22 33 44 06"}, "discharged_at": "2026-03-23T08:00:00+01:00",
	"consent": {"contact": true, "share_information": true, "given_by": "citizen"},
	"wishes": {"interests": ["Football"]}}'
is_invalid 'wishes.interests[0]' "a self-referral with a bad wish: 422 naming wishes.interests[0]"

# --- corrections: the wishes are corrected with the notification ------------------------
api_json PUT /v1/discharges/n-2 "$PSYCH" "$(discharge n-2 "Yasmin Yousef" "22 33 44 02" '{"languages": ["arabic"]}')"
is_invalid 'wishes.languages[0]' "a correction with a bad wish: 422 naming wishes.languages[0]"
api_json PUT /v1/discharges/n-2 "$PSYCH" "$(discharge n-2 "Yasmin Yousef" "22 33 44 02" '{"gender": "female", "interests": ["music"]}')"
status_is 200 "a correction of the wishes: 200"
is "$(json_raw "$BODY" changed)" '["wishes"]' "the reply names the wishes as changed"
is "$(sql "$DATABASE" "SELECT mentor_id || ' ' || wishes FROM courses WHERE id = $YASMIN")" \
	"$DORTE {\"gender\":\"female\",\"interests\":[\"music\"]}" \
	"the new wishes are stored; the assigned mentor stays"

# A notification before the discharge gets its mentor by its wishes when
# the discharge arrives: Bo, the only man, though Anna is least loaded.
api_json POST /v1/discharges "$PSYCH" "$(discharge n-4 "Karl Krog" "22 33 44 04" '{"gender": "male"}' -)"
status_is 201 "a notification with wishes before the discharge: 201"
KARL=$(jget course_id)
is "$(jget mentor_id)" null "no mentor while awaiting the discharge"
api_json PUT /v1/discharges/n-4 "$PSYCH" "$(discharge n-4 "Karl Krog" "22 33 44 04" '{"gender": "male"}')"
status_is 200 "the discharge arrives as a correction: 200"
is "$(sql "$DATABASE" "SELECT mentor_id FROM courses WHERE id = $KARL") $(log_of "$KARL" mentor_assigned '$.match.matched')" \
	"$BO [\"gender:male\"]" "the best-matched mentor takes it then, and the log says why"
