#!/bin/sh
# signals.sh - SIGTERM and SIGINT drain and exit 0, leaving a consistent
# database; a request under way at SIGTERM is answered; no new connections
# are accepted once stopping (doc/operations.md).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

plan 18

write_config
start_mentord --test-clock || bail "mentord did not start"
http GET /healthz
is "$HTTP_STATUS" 200 "mentord serves /healthz"
schema=$(json_raw "$BODY" database.schema_version 2>/dev/null)

# --- SIGTERM with a request under way ----------------------------------------
# curl streams the body from a FIFO, so the request is half sent when the
# signal arrives and is finished afterwards. The FIFO is opened read-write
# so opening it never blocks, whatever curl does.
mkfifo "$TEST_TMP/upload" || bail "mkfifo failed"
exec 4<>"$TEST_TMP/upload"
timeout 20 curl -sS --max-time 15 -X PUT -H 'Expect:' -H 'Content-Type: application/json' \
	-T "$TEST_TMP/upload" -o "$TEST_TMP/upload.body" -w '%{http_code}' \
	"http://127.0.0.1:$PORT/v1/test/clock" >"$TEST_TMP/upload.status" \
	2>"$TEST_TMP/upload.err" 4>&- &
upload_pid=$!
track_pid "$upload_pid"
printf '{"now": ' >&4
sleep 0.5 # let curl send the headers and the first bytes, and mentord read them
kill -TERM "$MENTORD_PID"
wait_for_log SIGTERM 1 5 || diag "no line about SIGTERM in the log within 5 s"

# Stopping: the listening socket is closed (or the process gone), so a new
# client is refused at once rather than left hanging or reset.
http GET /healthz
if [ "$CURL_EXIT" = 7 ]; then
	pass "after SIGTERM a new connection is refused"
else
	fail "after SIGTERM a new connection is refused" \
		"status $HTTP_STATUS, curl exit $CURL_EXIT: $(cat "$TEST_TMP/curl.err")"
fi

printf '"2026-03-29T01:30:00Z"}' >&4
exec 4>&-
wait_exit "$upload_pid" 20
upload_status=$(cat "$TEST_TMP/upload.status")
upload_now=$(json_get "$TEST_TMP/upload.body" now 2>/dev/null)
if [ "$upload_status" = 200 ] && [ "$upload_now" = 2026-03-29T03:30:00+02:00 ]; then
	pass "a request half received at SIGTERM is still answered (200)"
else
	todo "bug: drain counts only fully received requests; a request still being received at SIGTERM is cut (daemon/daemon.c begin_shutdown, src/http.c in_flight)"
	fail "a request half received at SIGTERM is still answered (200)" \
		"status $upload_status, curl: $(cat "$TEST_TMP/upload.err")"
fi

if wait_exit "$MENTORD_PID" 12; then
	pass "SIGTERM: mentord exits within the drain limit"
else
	fail "SIGTERM: mentord exits within the drain limit" "killed after 12 s"
	diag_file "$LOG"
fi
is "$EXIT_STATUS" 0 "SIGTERM: exit status 0"
file_unlike "$LOG" ' (error|crit|alert|emerg): ' "SIGTERM: no errors logged"

# --- the database it leaves ----------------------------------------------------
if [ -e "$DATABASE" ] && [ ! -s "$DATABASE-wal" ]; then
	pass "the WAL is folded into the database file on exit"
else
	fail "the WAL is folded into the database file on exit" \
		"$(ls -l "$DATABASE" "$DATABASE-wal" 2>&1)"
fi
is "$(sql "$DATABASE" 'PRAGMA integrity_check')" ok "database: PRAGMA integrity_check is ok"
is "$(sql "$DATABASE" 'PRAGMA journal_mode')" wal "database: journal_mode is wal"
user_version=$(sql "$DATABASE" 'PRAGMA user_version')
if int_at_least "$user_version" 1 && [ "$user_version" = "$schema" ]; then
	pass "database: user_version ($user_version) >= 1, as /healthz reported"
else
	fail "database: user_version >= 1, as /healthz reported" \
		"user_version '$user_version', healthz schema_version '$schema'"
fi

# --- restart on the same database, then SIGINT ---------------------------------
if start_mentord; then
	pass "mentord starts again on the database it left"
else
	bail "mentord did not restart on its own database"
fi
http GET /healthz
is_json database.schema_version "$schema" "after the restart /healthz reports the same schema version"
kill -INT "$MENTORD_PID"
if wait_exit "$MENTORD_PID" 5; then
	pass "SIGINT: mentord exits within 5 s"
else
	fail "SIGINT: mentord exits within 5 s" "killed after 5 s"
	diag_file "$LOG"
fi
is "$EXIT_STATUS" 0 "SIGINT: exit status 0"
is "$(sql "$DATABASE" 'PRAGMA integrity_check')" ok "after SIGINT: PRAGMA integrity_check is ok"

# --- SIGTERM while a daily job waits for a locked database --------------------------
# Another process holds the write lock, so each job chunk waits out the busy
# timeout (5 s). The jobs must not go on after the signal: no job is logged
# after the SIGTERM line (before, the next job started and waited again).
sql "$DATABASE" 'DELETE FROM job_runs; DELETE FROM job_state;' >/dev/null ||
	bail "cannot make the daily jobs due"
# The lock lasts while the sleep feeding sqlite3 does; its pid is the one to end.
sh -c 'echo "BEGIN IMMEDIATE; DELETE FROM job_runs;"; echo $$ >"$1"; exec sleep 40' sh \
	"$TEST_TMP/lock.pid" </dev/null 2>/dev/null | sqlite3 "$DATABASE" >/dev/null 2>&1 &
wait_for 5 test -s "$TEST_TMP/lock.pid" || bail "the lock holder did not start"
lock_pid=$(cat "$TEST_TMP/lock.pid")
track_pid "$lock_pid"
sleep 0.5
if start_mentord; then
	sleep 1
	kill -TERM "$MENTORD_PID"
	wait_exit "$MENTORD_PID" 35
	after=$(sed -n '/SIGTERM: no new connections/,$p' "$LOG" | grep -cE 'job [a-z-]+( failed|: [0-9])')
	if grep -q 'SIGTERM: no new connections' "$LOG" && [ "$after" = 0 ]; then
		pass "SIGTERM with the database locked: no daily job starts after the signal"
	else
		fail "SIGTERM with the database locked: no daily job starts after the signal"
		diag_file "$LOG"
	fi
	is "$EXIT_STATUS" 0 "SIGTERM with the database locked: exit status 0"
else
	fail "mentord starts while another process holds the write lock"
	fail "SIGTERM with the database locked: exit status 0"
fi
kill "$lock_pid" 2>/dev/null
untrack_pid "$lock_pid"
wait

# --- a stopped daemon really is gone -----------------------------------------------
http GET /healthz
is "$CURL_EXIT" 7 "after exit nothing listens on the port any more"
