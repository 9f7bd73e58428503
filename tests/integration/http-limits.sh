#!/bin/sh
# http-limits.sh - running out of file descriptors. With more clients than
# its descriptor limit allows, accept() fails with EMFILE while the
# clients wait in the backlog, so the listening socket stays readable.
# mentord must then pause accepting instead of retrying in a tight loop:
#  - its CPU time stays low while the clients hold their connections;
#  - its log has one warning per pause, not one per failed accept();
#  - once the clients go away it serves GET /healthz again.
# And with listen.max_connections below the limit it never runs out: the
# caps close idle connections to make room, /healthz answers throughout.
# Both for the socket it binds from listen.port and for one inherited from
# systemd (systemd-socket-activate, when installed).

. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

# bash opens the clients' connections (/dev/tcp); ulimit -S is not POSIX,
# but dash and bash have it.
if ! command -v bash >/dev/null 2>&1; then
	echo "1..0 # SKIP bash (for /dev/tcp) is not installed"
	exit 0
elif ! SAVED_NOFILE=$(ulimit -S -n 2>/dev/null); then
	echo "1..0 # SKIP this shell has no ulimit -S -n"
	exit 0
fi
plan 19

# mentord itself holds about a dozen descriptors (log, epoll, database,
# listening socket), so NOFILE leaves room for some twenty connections:
# IDLE clients are well beyond that and still within the listen backlog.
NOFILE=40
IDLE=60
# CPU time mentord may use over MEASURE_S seconds with the clients
# waiting. Idle it uses next to nothing; spinning on accept() it uses
# all of a core, so a bound this generous still tells them apart on a
# loaded machine.
MEASURE_S=2
MAX_CPU_MS=500
MAX_WARNINGS=10
HZ=$(getconf CLK_TCK 2>/dev/null) || HZ=100

# launch_limited COMMAND...: COMMAND starts mentord in the background with
# the soft descriptor limit lowered to NOFILE; this shell then takes its
# own limit back (the clients need more).
launch_limited() {
	ulimit -S -n "$NOFILE" || bail "cannot lower the descriptor limit to $NOFILE"
	"$@"
	ulimit -S -n "$SAVED_NOFILE"
}

nofile_of() {
	awk '/^Max open files/ { print $4 }' "/proc/$1/limits" 2>/dev/null
}

cpu_ticks() { # utime + stime of PID, fields 14 and 15 of its stat
	sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }'
}

accept_lines() {
	grep -ci 'accept' "$LOG" 2>/dev/null
}

healthz_ok() {
	http GET /healthz
	[ "$HTTP_STATUS" = 200 ]
}

# exhaust WHAT: open IDLE connections to $PORT that each send half a
# request and then wait; check how mentord ($MENTORD_PID, $LOG) copes.
exhaust() {
	what=$1
	opened=$TEST_TMP/opened.$mentord_runs
	# exec keeps the connections open in the sleep that replaces bash, so
	# killing that one process closes them all.
	bash -c 'n=0
		while [ "$n" -lt "$2" ]; do
			exec {fd}<>"/dev/tcp/127.0.0.1/$1" || break
			printf "GET /healthz HTTP/1.1\r\n" >&"$fd"
			n=$((n + 1))
		done
		echo "$n" >"$3.tmp" && mv "$3.tmp" "$3"
		exec sleep 60' clients "$PORT" "$IDLE" "$opened" </dev/null 2>"$TEST_TMP/clients.err" &
	clients=$!
	track_pid "$clients"
	wait_for 10 test -s "$opened"
	is "$(cat "$opened" 2>/dev/null)" "$IDLE" "$what: $IDLE clients connect and wait"

	# Measure first: a daemon that spins writes its log so fast that
	# reading it takes a while, and meanwhile listen.timeout could close
	# the clients' connections. grep -q stops at the first line.
	wait_for 10 grep -qi 'accept' "$LOG"
	t0=$(cpu_ticks "$MENTORD_PID")
	sleep "$MEASURE_S"
	t1=$(cpu_ticks "$MENTORD_PID")
	warnings=$(accept_lines)
	if [ -n "$t0" ] && [ -n "$t1" ]; then
		cpu_ms=$(((t1 - t0) * 1000 / HZ))
		if [ "$cpu_ms" -lt "$MAX_CPU_MS" ]; then
			pass "$what: out of descriptors, mentord idles (${cpu_ms} ms CPU in $MEASURE_S s)"
		else
			fail "$what: out of descriptors, mentord idles" \
				"${cpu_ms} ms CPU in $MEASURE_S s, want < $MAX_CPU_MS ms"
		fi
	else
		fail "$what: out of descriptors, mentord idles" "no /proc/$MENTORD_PID/stat"
	fi
	if [ "$warnings" -le "$MAX_WARNINGS" ]; then
		pass "$what: $warnings log lines about accept, not one per attempt"
	else
		fail "$what: at most $MAX_WARNINGS log lines about accept" "$warnings lines, such as:"
		diag "$(grep -i -m 3 accept "$LOG")"
	fi
	if grep -q 'not accepting' "$LOG"; then
		pass "$what: mentord logs that it stops accepting for a while"
	else
		fail "$what: mentord logs that it stops accepting for a while"
		diag "$(tail -n 5 "$LOG")"
	fi

	kill -KILL "$clients" 2>/dev/null
	wait_exit "$clients" 5
	if wait_for 15 healthz_ok; then
		pass "$what: once the clients are gone, GET /healthz answers 200"
	else
		fail "$what: once the clients are gone, GET /healthz answers 200" \
			"status $HTTP_STATUS, curl exit $CURL_EXIT"
		diag_file "$LOG"
	fi

	if stop_mentord TERM 10 && [ "$EXIT_STATUS" = 0 ]; then
		pass "$what: SIGTERM exits 0"
	else
		fail "$what: SIGTERM exits 0" "exit status $EXIT_STATUS"
		diag_file "$LOG"
	fi
}

# --- the socket mentord binds itself -------------------------------------------
write_config
launch_limited launch_mentord
wait_for_port_file "$MENTORD_PID" "$PORT_FILE" 10 || bail "mentord did not start"
is "$(nofile_of "$MENTORD_PID")" "$NOFILE" "mentord runs with at most $NOFILE descriptors"
exhaust "listen.port"

# --- a connection cap below the descriptor limit ---------------------------------
# With listen.max_connections well below the limit, the same clients never
# exhaust it: to make room mentord closes the oldest connections that have
# not authenticated, and GET /healthz answers while the clients hold on.
write_config
config_set "$CONFIG" listen.max_connections 16 || bail "no listen.max_connections"
config_set "$CONFIG" listen.max_connections_per_peer 16 ||
	bail "no listen.max_connections_per_peer"
launch_limited launch_mentord
wait_for_port_file "$MENTORD_PID" "$PORT_FILE" 10 || bail "mentord did not start"
opened=$TEST_TMP/opened.capped
# SIGPIPE ignored: a client whose connection mentord closed just fails to
# write, and the others stay.
bash -c 'trap "" PIPE
	n=0
	while [ "$n" -lt "$2" ]; do
		exec {fd}<>"/dev/tcp/127.0.0.1/$1" || break
		printf "GET /healthz HTTP/1.1\r\n" >&"$fd"
		n=$((n + 1))
	done
	echo "$n" >"$3.tmp" && mv "$3.tmp" "$3"
	exec sleep 60' clients "$PORT" "$IDLE" "$opened" </dev/null 2>"$TEST_TMP/clients.err" &
clients=$!
track_pid "$clients"
wait_for 10 test -s "$opened"
is "$(cat "$opened" 2>/dev/null)" "$IDLE" "max_connections 16: $IDLE clients connect"
ok=0
for i in 1 2 3 4 5 6 7 8; do
	healthz_ok && ok=$((ok + 1))
done
is "$ok" 8 "max_connections 16: GET /healthz answers 8 of 8 while they hold on"
file_unlike "$LOG" 'cannot accept' "max_connections 16: mentord never runs out of descriptors"
file_like "$LOG" 'max_connections(_per_peer)? reached' "max_connections 16: the log says the cap was reached"
kill -KILL "$clients" 2>/dev/null
wait_exit "$clients" 5
if stop_mentord TERM 10 && [ "$EXIT_STATUS" = 0 ]; then
	pass "max_connections 16: SIGTERM exits 0"
else
	fail "max_connections 16: SIGTERM exits 0" "exit status $EXIT_STATUS"
	diag_file "$LOG"
fi
write_config

# --- a socket from systemd ------------------------------------------------------
activate=$(command -v systemd-socket-activate)
for candidate in /usr/lib/systemd/systemd-socket-activate /lib/systemd/systemd-socket-activate; do
	[ -n "$activate" ] || [ ! -x "$candidate" ] || activate=$candidate
done
if [ -z "$activate" ]; then
	for what in "runs with at most $NOFILE descriptors" "clients connect and wait" "idles" \
		"log lines about accept" "logs that it stops accepting" \
		"GET /healthz answers 200 again" "SIGTERM exits 0"; do
		skip "systemd-socket-activate is not installed" "socket from systemd: $what"
	done
	exit 0
fi

# systemd-socket-activate listens on $free_port and execs mentord on the
# first connection, so MENTORD_PID is mentord's PID from then on.
launch_activated() {
	"$activate" -l "127.0.0.1:$free_port" "$MENTORD" -c "$CONFIG" </dev/null >"$LOG" 2>&1 &
	MENTORD_PID=$!
	track_pid "$MENTORD_PID"
}

start_activated launch_limited launch_activated
# The first connection makes systemd-socket-activate exec mentord.
wait_for 10 healthz_ok || bail "no GET /healthz through systemd-socket-activate"
wait_for 5 grep -q 'from systemd' "$LOG" || bail "mentord did not adopt the socket"
is "$(nofile_of "$MENTORD_PID")" "$NOFILE" \
	"socket from systemd: mentord runs with at most $NOFILE descriptors"
exhaust "socket from systemd"
