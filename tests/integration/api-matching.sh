#!/bin/sh
# api-matching.sh - matching a mentor to a young person (doc/programmes.md,
# "Matching"): mentors' profiles (gender, languages, competences,
# interests) checked and shown; a referral's wishes checked; the proposals
# for a referral ranked by match with the reasons, a hard wish failed
# ranking below it met, ties to the fewer active courses; a decision takes
# the best proposal or the coordinator's pick and logs which and why;
# re-matching moves an open course and its pending call with a reason.
# Mentors and psychiatry may do none of it.
#
# Dates: Monday 23 March 2026.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/api-lib.sh"

plan 47

write_config
cat >>"$CONFIG" <<'CONF'
programmes = (
  { id = "preventive"; name = "Forebyggende social mentorordning"; intake = "discharge"; },
  { id = "youth"; name = "Mentorforløb for unge"; intake = "referral";
    plan = { interval_days = 14; first_day = 1; };
    messages = { welcome = false; }; }
);
CONF

ADMIN=$(token_add admin coordinator)
CASE=$(token_add caseworker "Kim Sagsbehandler")
PSYCH=$(token_add psychiatry ward)
start_api_daemon --test-clock
set_clock 2026-03-23T09:00:00+01:00

mentors() {
	sql "$DATABASE" "SELECT count(*) FROM mentors"
}
# log_of COURSE KIND [PATH]: the details (or their member at the JSON
# PATH, "$.match") of the course's newest log entry of KIND.
log_of() {
	sql "$DATABASE" "SELECT json_extract(details, '${3:-\$}') FROM course_log
		WHERE course_id = $1 AND kind = '$2' ORDER BY id DESC LIMIT 1"
}
# referral NAME CPR PHONE [WISHES]
referral() {
	printf '{"programme": "youth", "citizen": {"name": "%s", "cpr": "%s", "phone": "%s"},
		"need_identified_on": "2026-03-20", "consent": {"contact": true, "share_information": true}%s}' \
		"$1" "$2" "$3" "${4:+, \"wishes\": $4}"
}

# --- profiles: checked, stored, shown ---------------------------------------------------
api_json POST /v1/mentors "$ADMIN" '{"name": "Xenia", "phone": "20 30 40 59", "languages": ["da", "dansk"]}'
is_invalid 'languages[1]' "a language that is no ISO 639-1 code: 422 naming languages[1]"
api_json POST /v1/mentors "$ADMIN" '{"name": "Xenia", "phone": "20 30 40 59", "gender": "f", "competences": ["ADHD"]}'
is_invalid gender "a gender not female, male or other: 422 naming gender"
is_invalid 'competences[0]' "a tag in capitals: 422 naming competences[0]"
is "$(mentors)" 0 "no refused mentor was stored"

api_json POST /v1/mentors "$ADMIN" '{"name": "Anna Andersen", "phone": "20 30 40 50", "gender": "female",
	"languages": ["da", "en"], "competences": ["adhd", "anxiety"], "interests": ["football", "music"]}'
status_is 201 "Anna with her profile: 201"
ANNA=$(jget id)
is "$(jget gender) $(json_raw "$BODY" languages) $(json_raw "$BODY" interests)" \
	'female ["da","en"] ["football","music"]' "the reply shows the profile"
api_json POST /v1/mentors "$ADMIN" '{"name": "Bo Berg", "phone": "20 30 40 51", "gender": "male",
	"languages": ["da", "ar"], "competences": ["adhd", "autism"], "interests": ["gaming"]}'
BO=$(jget id)
api_json POST /v1/mentors "$ADMIN" '{"name": "Cille Carlsen", "phone": "20 30 40 52", "gender": "female",
	"languages": ["da"], "interests": ["music"], "absences": [{"from": "2026-03-30", "to": "2026-04-03"}]}'
CILLE=$(jget id)
api_json POST /v1/mentors "$ADMIN" '{"name": "Dorte Dam", "phone": "20 30 40 53", "gender": "female",
	"languages": ["ar"], "competences": ["adhd"], "interests": ["music"], "active": false}'
DORTE=$(jget id)
api_json POST /v1/mentors "$ADMIN" '{"name": "Erik Eg", "phone": "20 30 40 54"}'
ERIK=$(jget id)
is "$(json_raw "$BODY" gender) $(json_raw "$BODY" competences)" "null []" \
	"a mentor without a profile has the empty one"

api_json PATCH "/v1/mentors/$CILLE" "$ADMIN" '{"competences": ["education", "Education!"]}'
is_invalid 'competences[1]' "a PATCH with a bad tag: 422 naming competences[1]"
api_json PATCH "/v1/mentors/$CILLE" "$ADMIN" '{"competences": ["education"]}'
status_is 200 "a PATCH of one list: 200"
is "$(jget gender) $(json_raw "$BODY" languages) $(json_raw "$BODY" competences) $(json_raw "$BODY" interests)" \
	'female ["da"] ["education"] ["music"]' "a PATCH changes only what it names"
api GET "/v1/mentors/$ANNA" "$ADMIN"
is "$(json_raw "$BODY" competences)" '["adhd","anxiety"]' "GET /v1/mentors/{id} shows the profile"
api GET /v1/mentors "$ADMIN"
is "$(json_column "$BODY" mentors gender)" "female male female female null" \
	"GET /v1/mentors shows every mentor's gender (Erik's none)"

# --- wishes ---------------------------------------------------------------------------
api_json POST /v1/referrals "$CASE" "$(referral "Ayla Aziz" 0101081234 "22 33 44 01" '{"languages": ["arabic"]}')"
is_invalid 'wishes.languages[0]' "a wished language no ISO code: 422 naming wishes.languages[0]"
api_json POST /v1/referrals "$CASE" "$(referral "Ayla Aziz" 0101081234 "22 33 44 01" '{"competences": "adhd"}')"
is_invalid wishes.competences "wished competences not a list: 422 naming wishes.competences"
api_json POST /v1/referrals "$CASE" "$(referral "Ayla Aziz" 0101081234 "22 33 44 01" \
	'{"gender": "female", "languages": ["ar"], "competences": ["adhd"], "interests": ["music"], "note": "Gerne en rolig mentor"}')"
status_is 201 "Ayla referred with wishes: 201"
AYLA=$(jget course_id)

# --- proposals --------------------------------------------------------------------------
# Anna: female (100), adhd (3), music (1), no Arabic = 104. Bo: Arabic (100),
# adhd (3) = 103. Cille: female (100), music (1) = 101. Erik: 0. Dorte is
# not active.
api GET "/v1/referrals/$AYLA/proposals" "$CASE"
status_is 200 "proposals for Ayla: 200"
is "$(json_column "$BODY" proposals mentor_id)" "$ANNA $BO $CILLE $ERIK" \
	"ranked by match; an inactive mentor is not proposed"
is "$(json_column "$BODY" proposals score)" "104 103 101 0" "the scores"
is "$(json_raw "$BODY" proposals.0.matched) $(json_raw "$BODY" proposals.0.unmatched)" \
	'["gender:female","competence:adhd","interest:music"] ["language:ar"]' \
	"Anna's reasons: what matched and what did not"
is "$(json_raw "$BODY" proposals.1.unmatched)" '["gender:female","interest:music"]' \
	"Bo fails the gender wish and ranks below Anna, but is proposed"
is "$(jget wishes.note) $(jget proposals.0.active_courses) $(jget proposals.0.available)" \
	"Gerne en rolig mentor 0 true" "the wishes, the load and the availability are shown"
api GET "/v1/referrals/$AYLA/proposals?start_on=2026-03-30" "$CASE"
is "$(json_column "$BODY" proposals available)" "true true false true" \
	"Cille is away on 30 March: not available then"
api GET "/v1/referrals/$AYLA/proposals?start_on=30-03-2026" "$CASE"
is_invalid start_on "a bad start_on: 422 naming start_on"
api GET "/v1/referrals/999/proposals" "$CASE"
status_is 404 "proposals for no course: 404"

# --- decisions: by the best proposal, by the coordinator's pick -------------------------
api_json POST "/v1/referrals/$AYLA/decision" "$CASE" '{"decision": "start"}'
status_is 200 "Ayla starts without a pick: 200"
is "$(jget mentor_id)" "$ANNA" "the best proposal (Anna) takes the course"
is "$(log_of "$AYLA" decision '$.match')" \
	'{"chosen_by":"proposal","matched":["gender:female","competence:adhd","interest:music"],"rank":1,"score":104,"unmatched":["language:ar"]}' \
	"the decision's log says the proposal chose, and why"

api_json POST /v1/referrals "$CASE" "$(referral "Bilal Bakir" 0202071234 "22 33 44 02" '{"competences": ["adhd"]}')"
BILAL=$(jget course_id)
api GET "/v1/referrals/$BILAL/proposals" "$ADMIN"
is "$(json_column "$BODY" proposals mentor_id)" "$BO $ANNA $CILLE $ERIK" \
	"equal scores: the fewer active courses first (Bo before Anna), then the lowest id"
api_json POST "/v1/referrals/$BILAL/decision" "$ADMIN" "{\"decision\": \"start\", \"mentor_id\": $CILLE}"
status_is 200 "the coordinator picks Cille: 200"
is "$(jget mentor_id) $(log_of "$BILAL" decision '$.match.chosen_by') $(log_of "$BILAL" decision '$.match.rank')" \
	"$CILLE coordinator 3" "the pick is logged as the coordinator's, third of the proposals"

api_json POST /v1/referrals "$CASE" "$(referral "Carl Cruz" 0303061234 "22 33 44 03")"
CARL=$(jget course_id)
api_json POST "/v1/referrals/$CARL/decision" "$CASE" '{"decision": "start"}'
is "$(jget mentor_id) $(log_of "$CARL" decision '$.match')" "$BO " \
	"no wishes: the least-loaded mentor as before, no match logged"

# --- re-matching ------------------------------------------------------------------------
api_json PATCH "/v1/courses/$AYLA" "$CASE" "{\"mentor_id\": $BO}"
is_invalid reason "re-matching without a reason: 422 naming reason"
api_json PATCH "/v1/courses/$AYLA" "$CASE" "{\"mentor_id\": $BO, \"reason\": \"  \"}"
is_invalid reason "a blank reason: 422 naming reason"
api_json PATCH "/v1/courses/$AYLA" "$CASE" "{\"mentor_id\": $DORTE, \"reason\": \"Taler arabisk\"}"
is_invalid mentor_id "re-matching to an inactive mentor: 422 naming mentor_id"
is "$(sql "$DATABASE" "SELECT mentor_id FROM courses WHERE id = $AYLA")" "$ANNA" \
	"the refused re-matches changed nothing"
api_json PATCH "/v1/courses/$AYLA" "$CASE" "{\"mentor_id\": $BO, \"reason\": \"Taler arabisk med familien\"}"
status_is 200 "the caseworker re-matches Ayla to Bo with a reason: 200"
is "$(jget mentor_id)" "$BO" "the course is Bo's"
is "$(sql "$DATABASE" "SELECT count(*) FROM calls WHERE course_id = $AYLA AND state = 'pending' AND mentor_id = $BO")" 1 \
	"the pending call moved with the course"
is "$(log_of "$AYLA" mentor_assigned)" \
	"{\"mentor_id\":$BO,\"previous_mentor_id\":$ANNA,\"reason\":\"Taler arabisk med familien\"}" \
	"the log has the mentor, the previous mentor and the reason"
api GET "/v1/referrals/$AYLA/proposals" "$ADMIN"
is "$(jget current_mentor_id)" "$BO" "the proposals for a course name its current mentor"

# --- roles --------------------------------------------------------------------------
BO_TOKEN=$(token_add mentor bo "$BO")
api GET "/v1/referrals/$AYLA/proposals" "$BO_TOKEN"
status_is 403 "a mentor may not read proposals: 403"
api GET "/v1/referrals/$AYLA/proposals" "$PSYCH"
status_is 403 "psychiatry may not read proposals: 403"
api_json PATCH "/v1/courses/$AYLA" "$BO_TOKEN" "{\"mentor_id\": $ANNA, \"reason\": \"x\"}"
status_is 403 "a mentor may not re-match: 403"
api_json PATCH "/v1/courses/$AYLA" "$PSYCH" "{\"mentor_id\": $ANNA, \"reason\": \"x\"}"
status_is 403 "psychiatry may not re-match: 403"
api_json PATCH "/v1/mentors/$BO" "$CASE" '{"gender": "male"}'
status_is 403 "a caseworker may not change a mentor's profile: 403"
api_json POST /v1/discharges "$PSYCH" '{"notification_id": "n-dina", "citizen": {"name": "Dina Dahl", "phone": "22 33 44 09"}, "discharged_at": "2026-03-23T08:00:00+01:00", "consent": {"contact": true, "share_information": true}}'
DINA=$(jget course_id)
api_json PATCH "/v1/courses/$DINA" "$CASE" "{\"mentor_id\": $ANNA, \"reason\": \"x\"}"
status_is 403 "a caseworker may not move a preventive course: 403"
api_json PATCH "/v1/courses/$DINA" "$ADMIN" "{\"mentor_id\": $CILLE}"
status_is 200 "the preventive scheme's hand-over needs no reason, as before: 200"
