#!/bin/sh
# config.sh - a bad configuration stops mentord before it touches the
# database, naming FILE:LINE and the setting; --check-config; SIGHUP reload
# applies a good file and rejects a bad one while serving on; a database
# from a newer mentord is refused and left as it was.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

MENTORCTL=${top_builddir:-.}/mentorctl

plan 66

# run_bad DESC FILE WANT PROBLEM: mentord -c FILE must exit non-zero with an
# error line containing WANT (e.g. "FILE:LINE: listen.port: ") and matching
# PROBLEM, and must create neither the database nor the port file.
run_bad() {
	rm -f "$DATABASE" "$DATABASE-wal" "$DATABASE-shm" "$TEST_TMP/bad.port"
	timeout 5 "$MENTORD" -c "$2" --port-file "$TEST_TMP/bad.port" \
		</dev/null >"$TEST_TMP/bad.out" 2>"$TEST_TMP/bad.err"
	rb_status=$?
	if [ "$rb_status" != 0 ] && [ "$rb_status" != 124 ] &&
		grep -F -- "$3" "$TEST_TMP/bad.err" | grep -Eq -- "$4"; then
		pass "$1: exits $rb_status naming '$3'"
	else
		fail "$1: exits non-zero naming '$3' and /$4/" "exit status $rb_status"
		diag_file "$TEST_TMP/bad.err"
	fi
	if [ ! -e "$DATABASE" ] && [ ! -e "$TEST_TMP/bad.port" ]; then
		pass "$1: no database and no port file created"
	else
		fail "$1: no database and no port file created" \
			"$(ls -l "$DATABASE" "$TEST_TMP/bad.port" 2>&1)"
	fi
}

# bad_setting DESC KEY VALUE PROBLEM: the good file with one setting changed.
bad_setting() {
	bs_file=$TEST_TMP/bad-$(echo "$2" | tr . -).conf
	cp "$CONFIG" "$bs_file"
	config_set "$bs_file" "$2" "$3" || bail "cannot edit $2"
	run_bad "$1" "$bs_file" "$bs_file:$(config_line "$bs_file" "$2"): $2: " "$4"
}

write_config

# --- files mentord must refuse at start ---------------------------------------
bad_setting "wrong type (listen.port = \"x\")" listen.port '"x"' 'integer'
bad_setting "out of range (schedule.window_months = 0)" schedule.window_months 0 'range'
bad_setting "bad publish_time \"7:3\"" queue.publish_time '"7:3"' 'HH:MM'
bad_setting "bad closure day \"13-01\"" schedule.closure_days '["06-05", "13-01"]' 'MM-DD'
bad_setting "plan_days not ascending" schedule.plan_days '[1, 14, 7, 28]' 'ascending'

f=$TEST_TMP/typo.conf
cp "$CONFIG" "$f"
line=$(config_line "$f" listen.port)
config_edit "$f" listen.port '  prot = 0;' || bail "cannot edit listen.port"
run_bad "unknown setting in a group (listen.prot)" "$f" "$f:$line: listen.prot: " 'unknown setting'

f=$TEST_TMP/unknown.conf
cp "$CONFIG" "$f"
echo 'colour = "blue";' >>"$f"
run_bad "unknown top-level setting (colour)" "$f" "$f:$(wc -l <"$f" | tr -d ' '): colour: " \
	'unknown setting'

f=$TEST_TMP/syntax.conf
cp "$CONFIG" "$f"
line=$(config_line "$f" schedule.window_months)
config_edit "$f" schedule.window_months '  window_months = ;' || bail "cannot edit"
run_bad "syntax error" "$f" "$f:$line: " 'syntax error'

f=$TEST_TMP/timezone.conf
cp "$CONFIG" "$f"
config_set "$f" timezone '"Mars/Olympus_Mons"' || bail "cannot edit timezone"
line=$(config_line "$f" timezone)
rm -f "$DATABASE"
timeout 5 "$MENTORD" -c "$f" </dev/null >/dev/null 2>"$TEST_TMP/tz.err"
tz_status=$?
if [ "$tz_status" != 0 ] && [ "$tz_status" != 124 ] && [ ! -e "$DATABASE" ] &&
	grep -q 'Mars/Olympus_Mons' "$TEST_TMP/tz.err"; then
	pass "unknown time zone: exits $tz_status before creating the database"
else
	fail "unknown time zone: exits non-zero before creating the database" \
		"exit status $tz_status"
	diag_file "$TEST_TMP/tz.err"
fi
if grep -qF "$f:$line: timezone: " "$TEST_TMP/tz.err"; then
	pass "unknown time zone: the error names '$f:$line: timezone'"
else
	todo "bug: the time zone is checked outside config.c, so its error has no FILE:LINE: setting"
	fail "unknown time zone: the error names '$f:$line: timezone'"
	diag_file "$TEST_TMP/tz.err"
fi

run_bad "missing configuration file" "$TEST_TMP/no-such.conf" "$TEST_TMP/no-such.conf" \
	'cannot read'

# --- what needs the system: -t, check-config and start agree ----------------------
# bad_everywhere DESC FILE KEY PROBLEM: mentord -t and mentorctl check-config
# refuse FILE with exit 1 naming FILE:LINE: KEY, and so does start (run_bad).
bad_everywhere() {
	be_want="$2:$(config_line "$2" "$3"): $3: "
	for be_how in -t check-config; do
		if [ "$be_how" = -t ]; then
			be_out=$(timeout 10 "$MENTORD" -t -c "$2" 2>&1)
		else
			be_out=$(timeout 10 "$MENTORCTL" -c "$2" check-config 2>&1)
		fi
		be_st=$?
		if [ "$be_st" = 1 ] && printf '%s\n' "$be_out" | grep -F -- "$be_want" |
			grep -Eq -- "$4"; then
			pass "$1: $be_how refuses it naming '$3'"
		else
			fail "$1: $be_how refuses it naming '$be_want' and /$4/" "exit $be_st: $be_out"
		fi
	done
	run_bad "$1" "$2" "$be_want" "$4"
}

# gateway_config FILE: a gateway to send to, with the sender it needs.
gateway_config() {
	cp "$CONFIG" "$1"
	config_set "$1" gateway.url '"http://127.0.0.1:1"' &&
		config_set "$1" messages.sender_cvr '"12345678"' &&
		config_set "$1" messages.sender_label '"Kommune"' &&
		config_set "$1" messages.content_responsible '"Kommune"' || bail "cannot edit $1"
}

token=$TEST_TMP/gateway.token
echo secret-token >"$token"
chmod 600 "$token"
f=$TEST_TMP/token-missing.conf
gateway_config "$f"
config_set "$f" gateway.token_file "\"$TEST_TMP/no-such.token\"" || bail "cannot edit"
bad_everywhere "gateway.token_file missing" "$f" gateway.token_file 'No such file'

f=$TEST_TMP/token-0644.conf
gateway_config "$f"
config_set "$f" gateway.token_file "\"$token.0644\"" || bail "cannot edit"
cp "$token" "$token.0644"
chmod 644 "$token.0644"
bad_everywhere "gateway.token_file mode 0644" "$f" gateway.token_file 'others \(mode 0644\)'

f=$TEST_TMP/ca-missing.conf
gateway_config "$f"
config_set "$f" gateway.token_file "\"$token\"" || bail "cannot edit"
config_set "$f" gateway.ca_path "\"$TEST_TMP/no-such-ca.pem\"" || bail "cannot edit"
bad_everywhere "gateway.ca_path missing" "$f" gateway.ca_path 'No such file'

f=$TEST_TMP/address.conf
cp "$CONFIG" "$f"
config_set "$f" listen.address '"999.1.1.1"' || bail "cannot edit"
bad_everywhere "listen.address 999.1.1.1" "$f" listen.address 'not an IPv4 or IPv6 address'

f=$TEST_TMP/database-empty.conf
cp "$CONFIG" "$f"
config_set "$f" database '""' || bail "cannot edit"
bad_everywhere "database empty" "$f" database 'must not be empty'

f=$TEST_TMP/gateway-good.conf
gateway_config "$f"
config_set "$f" gateway.token_file "\"$token\"" || bail "cannot edit"
config_set "$f" gateway.ca_path "\"$TEST_TMP\"" || bail "cannot edit"
config_set "$f" listen.address '"localhost"' || bail "cannot edit"
out=$(timeout 10 "$MENTORD" -t -c "$f" 2>&1)
like "$?:$out" '^0:.*configuration OK' \
	"-t accepts a private token file, a CA directory and listen.address localhost"

# --- --check-config -------------------------------------------------------------
out=$(timeout 10 "$MENTORD" --check-config -c "$SHIPPED_CONFIG" 2>&1)
st=$?
if [ "$st" = 0 ] && printf '%s\n' "$out" | grep -q 'configuration OK'; then
	pass "--check-config accepts the shipped file (exit 0)"
else
	fail "--check-config accepts the shipped file (exit 0)" "exit $st: $out"
fi
rm -f "$DATABASE"
timeout 10 "$MENTORD" -t -c "$CONFIG" >/dev/null 2>&1
st=$?
if [ "$st" = 0 ] && [ ! -e "$DATABASE" ]; then
	pass "-t accepts the test's file and creates no database"
else
	fail "-t accepts the test's file and creates no database" "exit $st" \
		"$(ls -l "$DATABASE" 2>&1)"
fi
f=$TEST_TMP/bad-schedule-window_months.conf
out=$(timeout 10 "$MENTORD" --check-config -c "$f" 2>&1)
st=$?
like "$st:$out" "^1:.*$f:[0-9]+: schedule\\.window_months: " \
	"--check-config rejects a bad file with exit 1 naming FILE:LINE: setting"

# --- SIGHUP ------------------------------------------------------------------------
# listen.max_header_bytes is reloadable and visible from outside: a request
# with a 4000-byte header passes at 8192 and is refused at 2048.
header_4k=$(head -c 4000 /dev/zero | tr '\0' h)
big_header_status() {
	http GET /healthz -H "X-Padding: $header_4k"
	echo "$HTTP_STATUS"
}

if start_mentord; then
	pass "mentord starts with the test configuration"
else
	bail "mentord did not start"
fi
is "$(big_header_status)" 200 "a 4000-byte header passes with max_header_bytes 8192"

config_set "$CONFIG" log_level '"debug"' || bail "cannot edit log_level"
config_set "$CONFIG" listen.max_header_bytes 2048 || bail "cannot edit max_header_bytes"
kill -HUP "$MENTORD_PID"
if wait_for_log 'configuration reloaded' 1 5; then
	pass "SIGHUP with a good changed file: log says \"configuration reloaded\""
else
	fail "SIGHUP with a good changed file: log says \"configuration reloaded\""
	diag_file "$LOG"
fi
http GET /healthz
if [ "$HTTP_STATUS" = 200 ] && proc_alive "$MENTORD_PID"; then
	pass "after the reload the same process serves /healthz"
else
	fail "after the reload the same process serves /healthz" "status $HTTP_STATUS"
fi
like "$(big_header_status)" '^4(00|31)$' "the reloaded max_header_bytes (2048) is in force"

good=$(cat "$CONFIG")
config_set "$CONFIG" listen.max_header_bytes 8192 || bail "cannot edit"
config_set "$CONFIG" schedule.window_months 0 || bail "cannot edit"
line=$(config_line "$CONFIG" schedule.window_months)
kill -HUP "$MENTORD_PID"
if wait_for_log 'reload rejected' 1 5; then
	pass "SIGHUP with a bad file: log says \"reload rejected\""
else
	fail "SIGHUP with a bad file: log says \"reload rejected\""
	diag_file "$LOG"
fi
file_like "$LOG" "reload rejected.*$CONFIG:$line: schedule\\.window_months: " \
	"the rejection names FILE:LINE: schedule.window_months"
http GET /healthz
if [ "$HTTP_STATUS" = 200 ] && proc_alive "$MENTORD_PID"; then
	pass "after the rejected reload mentord still serves /healthz"
else
	fail "after the rejected reload mentord still serves /healthz" "status $HTTP_STATUS"
fi
like "$(big_header_status)" '^4(00|31)$' \
	"after the rejected reload the previous configuration stays (2048 still in force)"

printf '%s\n' "$good" >"$CONFIG"
config_set "$CONFIG" listen.max_header_bytes 8192 || bail "cannot edit"
kill -HUP "$MENTORD_PID"
if wait_for_log 'configuration reloaded' 2 5; then
	pass "SIGHUP with the fixed file: reloaded again"
else
	fail "SIGHUP with the fixed file: reloaded again"
	diag_file "$LOG"
fi
is "$(big_header_status)" 200 "the fixed file's max_header_bytes (8192) is in force"

gateway_config "$TEST_TMP/reload-token.conf"
config_set "$TEST_TMP/reload-token.conf" gateway.token_file "\"$token.0644\"" ||
	bail "cannot edit"
cp "$TEST_TMP/reload-token.conf" "$CONFIG"
line=$(config_line "$CONFIG" gateway.token_file)
kill -HUP "$MENTORD_PID"
if wait_for_log 'reload rejected' 2 5; then
	pass "SIGHUP with a token file others can read: reload rejected"
else
	fail "SIGHUP with a token file others can read: reload rejected"
	diag_file "$LOG"
fi
file_like "$LOG" "reload rejected.*$CONFIG:$line: gateway\\.token_file: .*mode 0644" \
	"the rejection names FILE:LINE: gateway.token_file, as -t does"
printf '%s\n' "$good" >"$CONFIG"
config_set "$CONFIG" listen.max_header_bytes 8192 || bail "cannot edit"

config_set "$CONFIG" store.writer_thread false || bail "cannot edit"
kill -HUP "$MENTORD_PID"
if wait_for_log 'store\.writer_thread changes only with a restart' 1 5; then
	pass "SIGHUP with a changed store.writer_thread warns that it needs a restart"
else
	fail "SIGHUP with a changed store.writer_thread warns that it needs a restart"
	diag_file "$LOG"
fi
config_set "$CONFIG" store.writer_thread true || bail "cannot edit"

old_port=$PORT
config_set "$CONFIG" listen.port 1 || bail "cannot edit"
kill -HUP "$MENTORD_PID"
if wait_for_log 'restart' 1 5; then
	pass "SIGHUP with a changed listen.port warns that it needs a restart"
else
	fail "SIGHUP with a changed listen.port warns that it needs a restart"
	diag_file "$LOG"
fi
http GET /healthz
is "$HTTP_STATUS" 200 "and mentord goes on serving on port $old_port"

if stop_mentord TERM 10 && [ "$EXIT_STATUS" = 0 ]; then
	pass "SIGTERM after the reloads: exit 0"
else
	fail "SIGTERM after the reloads: exit 0" "exit status $EXIT_STATUS"
	diag_file "$LOG"
fi

# --- an IPv6 address in the log's URL ----------------------------------------------
cp "$CONFIG" "$TEST_TMP/ipv6.conf"
config_set "$TEST_TMP/ipv6.conf" listen.address '"::1"' || bail "cannot edit"
config_set "$TEST_TMP/ipv6.conf" listen.port 0 || bail "cannot edit"
if start_mentord -c "$TEST_TMP/ipv6.conf"; then
	file_like "$LOG" 'listening on http://\[::1\]:[0-9]+/' \
		"listen.address \"::1\": the log's URL has the address in brackets"
	stop_mentord TERM 10
else
	skip "no IPv6 loopback here" "listen.address \"::1\": the log's URL has the address in brackets"
fi

# --- a database from a newer mentord ------------------------------------------------
newer=$TEST_TMP/newer.db
sql "$newer" 'CREATE TABLE from_the_future (x); PRAGMA user_version = 99;' >/dev/null ||
	bail "sqlite3 cannot create $newer"
cp "$newer" "$newer.orig"
write_config "$TEST_TMP/newer.conf"
config_set "$TEST_TMP/newer.conf" database "\"$TEST_TMP/configured.db\"" || bail "cannot edit"
timeout 10 "$MENTORD" -c "$TEST_TMP/newer.conf" -d "$newer" \
	--port-file "$TEST_TMP/newer.port" </dev/null >/dev/null 2>"$TEST_TMP/newer.err"
st=$?
if [ "$st" != 0 ] && [ "$st" != 124 ] && grep -q 'newer' "$TEST_TMP/newer.err" &&
	[ ! -e "$TEST_TMP/newer.port" ]; then
	pass "a database with user_version 99: exit $st with a \"newer\" message, no port file"
else
	fail "a database with user_version 99: exit non-zero with a \"newer\" message, no port file" \
		"exit status $st" "$(ls -l "$TEST_TMP/newer.port" 2>&1)"
	diag_file "$TEST_TMP/newer.err"
fi
if cmp -s "$newer" "$newer.orig" && [ ! -e "$newer-wal" ]; then
	pass "the newer database is left byte for byte as it was (no WAL switch)"
else
	fail "the newer database is left byte for byte as it was (no WAL switch)"
fi
is "$(sql "$newer" 'PRAGMA user_version')" 99 "the newer database still has user_version 99"
check "-d overrides the configured database (which was not created)" \
	test ! -e "$TEST_TMP/configured.db"
