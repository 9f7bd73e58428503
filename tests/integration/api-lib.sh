# api-lib.sh - helpers for the API scripts (api-*.sh); sourced after
# lib.sh, never run. Tokens, authenticated JSON requests, the test clock
# and a few readers of the JSON replies.

MENTORCTL=$top_builddir/mentorctl
[ -x "$MENTORCTL" ] || bail "no executable $MENTORCTL (run make first)"
command -v sqlite3 >/dev/null 2>&1 || bail "sqlite3 is not installed"

# token_add ROLE NAME [MENTOR-ID]: prints a new token (call it as
# TOKEN=$(token_add ...)); last_token_id then prints its id. Runs against
# the daemon's database, as an administrator would.
token_add() {
	ta_err=$TEST_TMP/mentorctl.err
	if [ -n "${3:-}" ]; then
		set -- --role "$1" --name "$2" --mentor "$3"
	else
		set -- --role "$1" --name "$2"
	fi
	timeout 10 "$MENTORCTL" --database "$DATABASE" token add "$@" 2>"$ta_err" ||
		bail "mentorctl token add $* failed: $(cat "$ta_err")"
}

last_token_id() {
	sed -n 's/^token \([0-9][0-9]*\) created.*/\1/p' "$TEST_TMP/mentorctl.err"
}

# api METHOD PATH TOKEN [BODY]: one request with "Authorization: Bearer
# TOKEN" (none when TOKEN is empty) and, with BODY, an application/json
# body. Results as for http (HTTP_STATUS, $BODY, $HEADERS).
api() {
	a_method=$1
	a_path=$2
	a_token=$3
	shift 3
	set -- -H 'Expect:'
	[ -n "$a_token" ] && set -- "$@" -H "Authorization: Bearer $a_token"
	if [ -n "${API_BODY+set}" ]; then
		set -- "$@" -H 'Content-Type: application/json' --data-binary "$API_BODY"
	fi
	http "$a_method" "$a_path" "$@"
}

# api_json METHOD PATH TOKEN BODY: api with a JSON body.
api_json() {
	API_BODY=$4
	api "$1" "$2" "$3"
	unset API_BODY
}

# set_clock RFC3339: move the test clock (which runs the jobs due);
# bails out if the daemon refuses, since every later date would be wrong.
set_clock() {
	http PUT /v1/test/clock -H 'Content-Type: application/json' -H 'Expect:' \
		--data-binary "{\"now\": \"$1\"}"
	[ "$HTTP_STATUS" = 200 ] || bail "PUT /v1/test/clock $1 answered $HTTP_STATUS"
}

# start_api_daemon [OPTION...]: start mentord or bail out.
start_api_daemon() {
	start_mentord "$@" || bail "mentord did not start"
}

# status_is WANT DESC: the last reply's status, with the body on failure.
status_is() {
	if [ "$HTTP_STATUS" = "$1" ]; then
		pass "$2"
	else
		fail "$2" "status: got $HTTP_STATUS, want $1"
		diag_file "$BODY"
	fi
}

# jget PATH: one value of the last reply, or "" (json_get prints errors).
jget() {
	json_get "$BODY" "$1" 2>/dev/null
}

# json_len FILE PATH: the number of elements of the array at PATH (0 when
# PATH is absent).
json_len() {
	jl_n=0
	while json_raw "$1" "$2.$jl_n" >/dev/null 2>&1; do
		jl_n=$((jl_n + 1))
	done
	echo "$jl_n"
}

# json_column FILE ARRAY KEY: KEY of every element of ARRAY, space-separated.
json_column() {
	jc_i=0
	jc_out=
	while jc_v=$(json_get "$1" "$2.$jc_i.$3" 2>/dev/null) ||
		json_raw "$1" "$2.$jc_i" >/dev/null 2>&1; do
		jc_out="$jc_out${jc_out:+ }$jc_v"
		jc_i=$((jc_i + 1))
	done
	echo "$jc_out"
}

# json_values FILE ARRAY KEY: like json_column, skipping elements without KEY.
json_values() {
	json_column "$@" | tr -s ' ' | sed 's/^ //; s/ $//'
}

# error_fields: the "field" of every errors[] entry of the last reply.
error_fields() {
	json_column "$BODY" errors field
}

# is_invalid FIELD DESC: the last reply is a 422 problem naming FIELD.
is_invalid() {
	ii_fields=$(error_fields)
	if [ "$HTTP_STATUS" = 422 ] && [ "$(header Content-Type)" = application/problem+json ] &&
		[ "$(json_raw "$BODY" status 2>/dev/null)" = 422 ] &&
		printf ' %s \n' "$ii_fields" | grep -Fq " $1 "; then
		pass "$2"
	else
		fail "$2" "want a 422 problem naming field '$1';" \
			"got $HTTP_STATUS, fields '$ii_fields'"
		diag_file "$BODY"
	fi
}

# copenhagen_date [DATE-OPTION...]: today (or another day) in Copenhagen.
copenhagen_date() {
	TZ=Europe/Copenhagen date "$@" +%Y-%m-%d
}
