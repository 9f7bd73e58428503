#!/bin/sh
# sdnotify.sh - what systemd sees of mentord (doc/operations.md): READY=1 only
# once serving, STATUS= lines, watchdog pings at half WATCHDOG_USEC,
# RELOADING=1 then READY=1 on SIGHUP, STOPPING=1 on SIGTERM; and socket
# activation through systemd-socket-activate when it is installed.
#
# tests/notify-listen plays systemd's notification socket and writes every
# datagram to $NOTES as "@pid=N", the message lines, and an empty line.

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

plan 17

[ -x "$NOTIFY_LISTEN" ] || bail "no $NOTIFY_LISTEN (make check builds it)"

SOCKET=$TEST_TMP/notify.sock
NOTES=$TEST_TMP/notify.txt
"$NOTIFY_LISTEN" "$SOCKET" "$NOTES" 60 </dev/null >/dev/null 2>"$TEST_TMP/notify.err" &
track_pid $!
if ! wait_for 5 test -S "$SOCKET"; then
	diag_file "$TEST_TMP/notify.err"
	bail "notify-listen did not create $SOCKET"
fi

# The state notifications (READY, RELOADING, STOPPING) in order, one line.
states() {
	grep -E '^(READY|RELOADING|STOPPING)=1$' "$NOTES" | tr '\n' ' '
}

notes_count() {
	grep -c "^$1\$" "$NOTES"
}

notes_at_least() {
	[ "$(notes_count "$1")" -ge "$2" ]
}

# --- start: READY=1 only once serving --------------------------------------------
write_config

# Hold the database locked for 2 s so opening the store waits (busy
# timeout): meanwhile mentord must say neither READY=1 nor write its port.
locked() {
	! timeout 5 sqlite3 -cmd '.timeout 0' "$DATABASE" 'PRAGMA user_version' >/dev/null 2>&1
}
# (.timeout: our own probe below may hold a shared lock for an instant.)
(echo 'BEGIN EXCLUSIVE;'; sleep 2; echo 'COMMIT;') |
	timeout 10 sqlite3 -cmd '.timeout 5000' "$DATABASE" >/dev/null 2>&1 &
track_pid $!
wait_for 5 locked || bail "sqlite3 did not lock $DATABASE"

NOTIFY_SOCKET=$SOCKET
MENTORD_WATCHDOG_USEC=200000
export NOTIFY_SOCKET MENTORD_WATCHDOG_USEC
launch_mentord
unset NOTIFY_SOCKET MENTORD_WATCHDOG_USEC
sleep 1
if locked && proc_alive "$MENTORD_PID" && [ "$(notes_count READY=1)" = 0 ] &&
	[ ! -e "$PORT_FILE" ]; then
	pass "while the store cannot be opened yet: no READY=1, no port file"
else
	fail "while the store cannot be opened yet: no READY=1, no port file" \
		"READY=1 seen $(notes_count READY=1) times; $(ls "$PORT_FILE" 2>&1)"
	locked || diag "(the database was not locked any more: the test was too slow)"
	diag_file "$LOG"
fi

if wait_for 10 notes_at_least READY=1 1; then
	# READY=1 promises the socket is bound and the store open: the port
	# file (written after both) must be there, and /healthz must answer.
	if [ -s "$PORT_FILE" ]; then
		PORT=$(cat "$PORT_FILE")
		http GET /healthz
	else
		HTTP_STATUS="no port file yet"
	fi
	is "$HTTP_STATUS" 200 "READY=1 arrives, and by then mentord serves /healthz"
else
	fail "READY=1 arrives, and by then mentord serves /healthz" "no READY=1 within 10 s"
	diag_file "$NOTES"
	diag_file "$LOG"
	bail "mentord never said READY=1"
fi
file_like "$NOTES" '^STATUS=.+' "STATUS= lines arrive"
senders=$(sed -n 's/^@pid=//p' "$NOTES" | sort -u | tr '\n' ' ')
is "$senders" "$MENTORD_PID " "every notification comes from mentord's own PID (NotifyAccess=main)"

# --- watchdog ----------------------------------------------------------------------
file_like "$LOG" 'watchdog' "the log says the watchdog is on"
before=$(notes_count WATCHDOG=1)
sleep 1
after=$(notes_count WATCHDOG=1)
# Half of 200 ms is 100 ms: about 10 a second. Pinging only every full
# WATCHDOG_USEC would give 5 at most, so 6 tells the two apart.
if [ $((after - before)) -ge 6 ]; then
	pass "WATCHDOG_USEC=200000: $((after - before)) WATCHDOG=1 pings within a second"
else
	fail "WATCHDOG_USEC=200000: at least 6 WATCHDOG=1 pings within a second" \
		"got $((after - before))"
fi

# --- SIGHUP --------------------------------------------------------------------------
kill -HUP "$MENTORD_PID"
if wait_for 5 notes_at_least READY=1 2; then
	like "$(states)" '^READY=1 RELOADING=1 READY=1 $' "SIGHUP: RELOADING=1, then READY=1"
else
	fail "SIGHUP: RELOADING=1, then READY=1" "states: $(states)"
fi
# systemd >= 253 (Type=notify-reload) wants MONOTONIC_USEC in the same message.
reloading_has_monotonic() {
	awk '/^@pid=/ { r = m = 0 } /^RELOADING=1$/ { r = 1 } /^MONOTONIC_USEC=[0-9]+$/ { m = 1 }
		/^$/ { if (r && m) ok = 1 } END { exit !ok }' "$NOTES"
}
check "SIGHUP: RELOADING=1 carries MONOTONIC_USEC in the same datagram" reloading_has_monotonic

config_set "$CONFIG" schedule.window_months 0 || bail "cannot edit the configuration"
kill -HUP "$MENTORD_PID"
if wait_for 5 notes_at_least READY=1 3; then
	like "$(states)" '^READY=1 RELOADING=1 READY=1 RELOADING=1 READY=1 $' \
		"a rejected reload also ends with READY=1 (systemd leaves the reloading state)"
else
	fail "a rejected reload also ends with READY=1 (systemd leaves the reloading state)" \
		"states: $(states)"
fi
# STATUS= follows READY=1: give the listener a moment to write it down.
wait_for 2 grep -q '^STATUS=.*[Rr]eject' "$NOTES"
file_like "$NOTES" '^STATUS=.*[Rr]eject' "a rejected reload shows in STATUS="
before=$(notes_count WATCHDOG=1)
sleep 0.5
after=$(notes_count WATCHDOG=1)
check "the watchdog pings on after the reloads ($((after - before)) in 0.5 s)" \
	test $((after - before)) -ge 2

# --- SIGTERM --------------------------------------------------------------------------
if stop_mentord TERM 10 && [ "$EXIT_STATUS" = 0 ]; then
	pass "SIGTERM: exit 0"
else
	fail "SIGTERM: exit 0" "exit status $EXIT_STATUS"
	diag_file "$LOG"
fi
wait_for 2 notes_at_least STOPPING=1 1
like "$(states)" 'READY=1 STOPPING=1 $' "SIGTERM: STOPPING=1 is the last state sent"

# --- without WATCHDOG_PID of its own, no pings ----------------------------------------
# sd_watchdog_enabled() ignores WATCHDOG_USEC meant for another process (a
# child of the service): mentord must then not ping.
write_config
: >"$NOTES"
NOTIFY_SOCKET=$SOCKET WATCHDOG_USEC=200000 WATCHDOG_PID=1
export NOTIFY_SOCKET WATCHDOG_USEC WATCHDOG_PID
start_mentord
st=$?
unset NOTIFY_SOCKET WATCHDOG_USEC WATCHDOG_PID
[ "$st" = 0 ] || bail "mentord did not start"
sleep 0.5
is "$(notes_count READY=1):$(notes_count WATCHDOG=1)" 1:0 \
	"WATCHDOG_PID of another process: READY=1 but no watchdog pings"
stop_mentord TERM 10

# --- socket activation -------------------------------------------------------------------
activate=$(command -v systemd-socket-activate)
for candidate in /usr/lib/systemd/systemd-socket-activate /lib/systemd/systemd-socket-activate; do
	[ -n "$activate" ] || [ ! -x "$candidate" ] || activate=$candidate
done
if [ -z "$activate" ]; then
	for what in "GET /healthz through a socket from systemd-socket-activate" \
		"the inherited socket is used, not listen.port" \
		"socket-activated mentord: SIGTERM exits 0"; do
		skip "systemd-socket-activate is not installed" "$what"
	done
	exit 0
fi

# systemd-socket-activate execs mentord on the first connection.
launch_activated() {
	rm -f "$TEST_TMP/port.activated"
	"$activate" -l "127.0.0.1:$free_port" "$MENTORD" -c "$CONFIG" \
		--port-file "$TEST_TMP/port.activated" </dev/null >"$LOG" 2>&1 &
	MENTORD_PID=$!
	track_pid "$MENTORD_PID"
}
start_activated launch_activated
http GET /healthz # the first connection makes it exec mentord
if [ "$HTTP_STATUS" = 200 ] && [ "$(json_get "$BODY" status 2>/dev/null)" = ok ]; then
	pass "GET /healthz through a socket from systemd-socket-activate"
else
	fail "GET /healthz through a socket from systemd-socket-activate" \
		"status $HTTP_STATUS, curl exit $CURL_EXIT"
	diag_file "$LOG"
fi
wait_for 5 test -s "$TEST_TMP/port.activated"
if grep -q 'from systemd' "$LOG" && ! grep -q 'listening on http' "$LOG" &&
	[ "$(cat "$TEST_TMP/port.activated" 2>/dev/null)" = "$free_port" ]; then
	pass "the inherited socket is used, not listen.port"
else
	fail "the inherited socket is used, not listen.port" \
		"port file: $(cat "$TEST_TMP/port.activated" 2>&1)"
	diag_file "$LOG"
fi
if stop_mentord TERM 10 && [ "$EXIT_STATUS" = 0 ]; then
	pass "socket-activated mentord: SIGTERM exits 0"
else
	fail "socket-activated mentord: SIGTERM exits 0" "exit status $EXIT_STATUS"
	diag_file "$LOG"
fi
