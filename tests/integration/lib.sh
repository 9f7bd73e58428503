# lib.sh - helpers for mentord's integration tests; sourced, never run.
#
# Every script sources this file, prints its plan, then reports each check
# as one TAP line. A script that dies half-way leaves its plan unmet, which
# tap-driver.sh reports as an error: nothing here calls "exit 0" early.
#
# Each script gets its own temporary directory ($TEST_TMP) holding the
# configuration, the database, the daemon's log and the last reply; it is
# removed on exit, after every daemon the script started has been killed.
# Set MENTORD_TEST_KEEP=1 to keep it for a post-mortem.
#
# Nothing may hang: every wait below is bounded, curl runs under timeout(1)
# as well as --max-time, and a daemon that does not stop in time is killed
# (memcached's timedrun, in shell).

LC_ALL=C
export LC_ALL

# Running by hand from the source tree works too: make check exports both.
if [ -z "${top_srcdir:-}" ]; then
	top_srcdir=$(cd "$(dirname "$0")/../.." && pwd)
fi
top_builddir=${top_builddir:-$top_srcdir}

MENTORD=$top_builddir/mentord
NOTIFY_LISTEN=$top_builddir/tests/notify-listen
SHIPPED_CONFIG=$top_srcdir/etc/mentord.conf

# Nothing from the caller's service manager may leak in: a test must never
# notify the real systemd or adopt its sockets or journal.
unset NOTIFY_SOCKET WATCHDOG_USEC WATCHDOG_PID LISTEN_FDS LISTEN_PID LISTEN_FDNAMES \
	JOURNAL_STREAM MENTORD_WATCHDOG_USEC

# --- TAP -----------------------------------------------------------------

tap_count=0
TODO=

plan() {
	echo "1..$1"
}

# Emit one result line; a pending TODO applies to this line only.
tap_emit() {
	tap_count=$((tap_count + 1))
	if [ -n "$TODO" ]; then
		echo "$1 $tap_count - $2 # TODO $TODO"
		TODO=
	else
		echo "$1 $tap_count - $2"
	fi
}

pass() {
	tap_emit ok "$1"
}

# fail DESC [DIAG...]
fail() {
	f_desc=$1
	shift
	tap_emit "not ok" "$f_desc"
	for line in "$@"; do
		diag "$line"
	done
}

# Mark the next check as a known bug: "todo 'bug: ...'".
todo() {
	TODO=$1
}

skip() {
	tap_count=$((tap_count + 1))
	echo "ok $tap_count - $2 # SKIP $1"
}

diag() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

# Show a file (a daemon's log, a reply) as diagnostics, at most 40 lines.
diag_file() {
	if [ -s "$1" ]; then
		diag "--- $1 (last 40 lines)"
		tail -n 40 "$1" | sed 's/^/#   /'
	else
		diag "--- $1 (empty or missing)"
	fi
}

bail() {
	echo "Bail out! $*"
	exit 1
}

# check DESC COMMAND [ARG...]: ok when the command succeeds.
check() {
	ck_desc=$1
	shift
	if "$@"; then
		pass "$ck_desc"
	else
		fail "$ck_desc" "command failed: $*"
	fi
}

# is GOT WANT DESC
is() {
	if [ "$1" = "$2" ]; then
		pass "$3"
	else
		fail "$3" "got:  '$1'" "want: '$2'"
	fi
}

# like GOT ERE DESC
like() {
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		pass "$3"
	else
		fail "$3" "got:  '$1'" "want: match /$2/"
	fi
}

# file_like FILE ERE DESC
file_like() {
	if grep -Eq -- "$2" "$1" 2>/dev/null; then
		pass "$3"
	else
		fail "$3" "no line matches /$2/"
		diag_file "$1"
	fi
}

# file_unlike FILE ERE DESC
file_unlike() {
	if ! grep -Eq -- "$2" "$1" 2>/dev/null; then
		pass "$3"
	else
		fail "$3" "unexpected line matching /$2/:" "$(grep -E -- "$2" "$1" | head -n 3)"
	fi
}

# Is N an integer >= MIN?
int_at_least() {
	case $1 in
	'' | *[!0-9]*) return 1 ;;
	esac
	[ "$1" -ge "$2" ]
}

# --- temporary directory and processes -------------------------------------

TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/mentord-$(basename "$0" .sh).XXXXXX") ||
	bail "cannot create a temporary directory"
CONFIG=$TEST_TMP/mentord.conf
DATABASE=$TEST_TMP/mentord.db
BODY=$TEST_TMP/reply.body
HEADERS=$TEST_TMP/reply.headers
tracked_pids=

track_pid() {
	tracked_pids="$tracked_pids $1"
}

untrack_pid() {
	rest=
	for p in $tracked_pids; do
		[ "$p" = "$1" ] || rest="$rest $p"
	done
	tracked_pids=$rest
}

lib_cleanup() {
	for p in $tracked_pids; do
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	tracked_pids=
	if [ "${MENTORD_TEST_KEEP:-0}" = 1 ]; then
		echo "# kept $TEST_TMP"
	else
		rm -rf "$TEST_TMP"
	fi
}
trap lib_cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 141' PIPE

# Running and not a zombie (a zombie still answers kill -0).
proc_alive() {
	state=$(sed 's/^.*) //; s/ .*//' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# wait_exit PID SECONDS: wait for a child to end; EXIT_STATUS is its status.
# Returns 1 if it was still running after SECONDS (it is then killed).
wait_exit() {
	we_n=$(($2 * 20))
	while [ "$we_n" -gt 0 ] && proc_alive "$1"; do
		sleep 0.05
		we_n=$((we_n - 1))
	done
	if proc_alive "$1"; then
		kill -KILL "$1" 2>/dev/null
		wait "$1" 2>/dev/null
		EXIT_STATUS=$?
		untrack_pid "$1"
		return 1
	fi
	wait "$1" 2>/dev/null
	EXIT_STATUS=$?
	untrack_pid "$1"
	return 0
}

# wait_for SECONDS COMMAND [ARG...]: poll until the command succeeds.
wait_for() {
	wf_n=$(($1 * 20))
	shift
	while ! "$@"; do
		wf_n=$((wf_n - 1))
		[ "$wf_n" -gt 0 ] || return 1
		sleep 0.05
	done
	return 0
}

log_has_count() {
	[ "$(grep -cE -- "$2" "$1" 2>/dev/null)" -ge "$3" ]
}

# wait_for_log ERE [COUNT] [SECONDS]: until $LOG has COUNT matching lines.
wait_for_log() {
	wait_for "${3:-10}" log_has_count "$LOG" "$1" "${2:-1}"
}

# --- configuration -----------------------------------------------------------

# The shipped file's settings are "name = value;" lines, in "group = {"
# blocks for the grouped ones. config_edit FILE KEY LINE replaces the line
# of KEY ("group.name" or a top-level "name") with LINE; config_line FILE
# KEY prints that line's number. Both fail when KEY is not in the file, so
# a test cannot silently edit nothing.
config_awk() {
	awk -v key="$2" -v mode="$3" -v repl="$4" '
	BEGIN { n = split(key, k, "."); want_group = n > 1 ? k[1] : ""; want = k[n] }
	/^[ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]*=[ \t]*\{/ && group == "" {
		g = $0; sub(/^[ \t]*/, "", g); sub(/[ \t]*=.*/, "", g); group = g
		if (mode == "edit") print; next
	}
	/^[ \t]*\}[ \t]*;?[ \t]*$/ && group != "" { group = ""; if (mode == "edit") print; next }
	{
		name = $0; sub(/^[ \t]*/, "", name); sub(/[ \t]*=.*/, "", name)
		if (!done && group == want_group && name == want && $0 ~ /=/) {
			done = 1
			if (mode == "line") { print NR; exit }
			print repl; next
		}
		if (mode == "edit") print
	}
	END { exit done ? 0 : 1 }' "$1"
}

config_line() {
	config_awk "$1" "$2" line
}

config_edit() {
	config_awk "$1" "$2" edit "$3" >"$1.edit" && mv "$1.edit" "$1" && return 0
	rm -f "$1.edit"
	diag "config_edit: no setting $2 in $1"
	return 1
}

# config_set FILE KEY VALUE: "name = VALUE;" keeping the indentation.
config_set() {
	indent=
	case $2 in *.*) indent='  ' ;; esac
	config_edit "$1" "$2" "$indent${2##*.} = $3;"
}

# write_config [FILE]: the shipped etc/mentord.conf, edited only as far as a
# test needs (any free port, the database in $TEST_TMP), so the shipped file
# itself is what the daemon reads.
write_config() {
	file=${1:-$CONFIG}
	cp "$SHIPPED_CONFIG" "$file" || bail "cannot copy $SHIPPED_CONFIG"
	config_set "$file" listen.port 0 || bail "no listen.port in $SHIPPED_CONFIG"
	config_set "$file" database "\"$DATABASE\"" || bail "no database in $SHIPPED_CONFIG"
	# The shipped templates, not a copy: the file's relative path would
	# point into $TEST_TMP.
	config_set "$file" messages.templates "\"$top_srcdir/etc/templates\"" ||
		bail "no messages.templates in $SHIPPED_CONFIG"
}

# --- the daemon --------------------------------------------------------------

mentord_runs=0

# start_mentord [OPTION...]: start $MENTORD -c $CONFIG --port-file ... and
# wait (at most 10 s) until the port file appears. Sets MENTORD_PID, PORT,
# LOG (stdout and stderr of the daemon) and PORT_FILE. On failure prints
# diagnostics and returns 1; the caller decides whether that is a failed
# check or a reason to bail out.
start_mentord() {
	launch_mentord "$@"
	wait_for_port_file "$MENTORD_PID" "$PORT_FILE" 10
}

# start_activated LAUNCH...: systemd-socket-activate listening on a free
# port, the one the kernel just gave a mentord started and stopped here.
# Another process may grab it meanwhile, so up to three tries. LAUNCH...
# starts systemd-socket-activate in the background on 127.0.0.1:$free_port,
# output to $LOG (a fresh file each try), and sets MENTORD_PID. Sets PORT;
# bails out if no try listens.
start_activated() {
	sa_listening=
	for sa_try in 1 2 3; do
		start_mentord || bail "mentord did not start"
		free_port=$PORT
		stop_mentord TERM 10
		mentord_runs=$((mentord_runs + 1))
		LOG=$TEST_TMP/activated.$mentord_runs.log
		"$@"
		if wait_for 5 grep -q "Listening on" "$LOG"; then
			sa_listening=yes
			break
		fi
		diag "try $sa_try: systemd-socket-activate did not listen on $free_port"
		diag_file "$LOG"
		kill -KILL "$MENTORD_PID" 2>/dev/null
		wait_exit "$MENTORD_PID" 5
	done
	[ -n "$sa_listening" ] || bail "systemd-socket-activate never listened"
	PORT=$free_port
}

# launch_mentord [OPTION...]: start_mentord without the wait. With
# MENTORD_WATCHDOG_USEC set, the daemon gets WATCHDOG_USEC and a
# WATCHDOG_PID equal to its own PID, as systemd would give it.
launch_mentord() {
	mentord_runs=$((mentord_runs + 1))
	LOG=$TEST_TMP/mentord.$mentord_runs.log
	PORT_FILE=$TEST_TMP/port.$mentord_runs
	PORT=
	rm -f "$PORT_FILE"
	# The shell execs mentord, so $$ there is the daemon's PID and $! here.
	sh -c 'if [ -n "${MENTORD_WATCHDOG_USEC:-}" ]; then
		WATCHDOG_USEC=$MENTORD_WATCHDOG_USEC WATCHDOG_PID=$$
		export WATCHDOG_USEC WATCHDOG_PID
	fi
	unset MENTORD_WATCHDOG_USEC
	exec "$@"' mentord "$MENTORD" -c "$CONFIG" --port-file "$PORT_FILE" "$@" \
		</dev/null >"$LOG" 2>&1 &
	MENTORD_PID=$!
	track_pid "$MENTORD_PID"
}

# wait_for_port_file PID FILE SECONDS: sets PORT from FILE once it is there.
wait_for_port_file() {
	wp_n=$(($3 * 20))
	while [ ! -s "$2" ]; do
		if ! proc_alive "$1"; then
			wait_exit "$1" 1
			diag "mentord (pid $1) exited with status $EXIT_STATUS before writing $2"
			diag_file "$LOG"
			return 1
		fi
		wp_n=$((wp_n - 1))
		if [ "$wp_n" -le 0 ]; then
			diag "mentord (pid $1) wrote no port file within $3 s; killing it"
			kill -KILL "$1" 2>/dev/null
			wait_exit "$1" 1
			diag_file "$LOG"
			return 1
		fi
		sleep 0.05
	done
	PORT=$(cat "$2")
	case $PORT in
	'' | *[!0-9]*)
		diag "port file $2 holds '$PORT', not a port number"
		return 1
		;;
	esac
	if [ "$PORT" -lt 1 ] || [ "$PORT" -gt 65535 ]; then
		diag "port file $2 holds $PORT, out of range"
		return 1
	fi
	return 0
}

# stop_mentord [SIGNAL] [SECONDS]: signal the daemon (TERM) and wait for it
# to exit (10 s). EXIT_STATUS is its status; returns 1 if it had to be
# killed.
stop_mentord() {
	kill "-${1:-TERM}" "$MENTORD_PID" 2>/dev/null
	wait_exit "$MENTORD_PID" "${2:-10}"
}

# --- HTTP ------------------------------------------------------------------

# http METHOD PATH [CURL-OPTION...]: one request to 127.0.0.1:$PORT.
# Sets HTTP_STATUS ("000" when no reply came) and CURL_EXIT; the body is in
# $BODY and the response headers in $HEADERS.
http() {
	method=$1
	path=$2
	shift 2
	: >"$BODY"
	: >"$HEADERS"
	http_out=$BODY
	if [ "$method" = HEAD ]; then
		# curl --head would put the headers in the body file.
		set -- --head "$@"
		http_out=/dev/null
	else
		set -- -X "$method" "$@"
	fi
	HTTP_STATUS=$(timeout 15 curl -sS --max-time 10 -o "$http_out" -D "$HEADERS" \
		-w '%{http_code}' "$@" "http://${HTTP_HOST:-127.0.0.1}:$PORT$path" \
		2>"$TEST_TMP/curl.err")
	CURL_EXIT=$?
	[ -n "$HTTP_STATUS" ] || HTTP_STATUS=000
}

# header NAME: the value of a header of the last reply (the final one, after
# any 100 Continue), without the trailing CR.
header() {
	tr -d '\r' <"$HEADERS" | awk -v name="$1" '
		/^HTTP\// { value = ""; found = 0; next }
		!found && tolower(substr($0, 1, length(name) + 1)) == tolower(name) ":" {
			value = substr($0, length(name) + 2); sub(/^[ \t]*/, "", value); found = 1
		}
		END { if (found) print value; else exit 1 }'
}

# --- JSON --------------------------------------------------------------------

# json_get FILE PATH prints one value of a JSON document: PATH is keys and
# array indices joined by dots ("database.schema_version", "errors.0.field";
# "" is the whole document). Strings print unescaped, anything else as its
# JSON text. Exit 1 when PATH is absent, 2 when the document is not JSON.
# A small recursive-descent parser in POSIX awk: no jq, no python.
json_awk() {
	awk -v want="$2" -v mode="$3" '
	function bad(msg) { if (!failed) { failed = 1; why = msg } }
	function ws(c) {
		while (pos <= n) {
			c = substr(s, pos, 1)
			if (c != " " && c != "\t" && c != "\n" && c != "\r") break
			pos++
		}
	}
	function str(c, out, hex) {
		pos++
		out = ""
		while (pos <= n) {
			c = substr(s, pos, 1)
			if (c == "\"") { pos++; return out }
			if (c == "\\") {
				c = substr(s, ++pos, 1)
				if (c == "n") out = out "\n"
				else if (c == "t") out = out "\t"
				else if (c == "r") out = out "\r"
				else if (c == "b") out = out "\b"
				else if (c == "f") out = out "\f"
				else if (c == "\"" || c == "\\" || c == "/") out = out c
				else if (c == "u") {
					hex = substr(s, pos + 1, 4)
					if (hex !~ /^[0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f][0-9A-Fa-f]$/) {
						bad("bad \\u escape"); return ""
					}
					out = out "\\u" hex
					pos += 4
				} else { bad("bad escape"); return "" }
				pos++
			} else if (c == "\n") {
				bad("newline in string"); return ""
			} else {
				out = out c
				pos++
			}
		}
		bad("unterminated string")
		return ""
	}
	function found_at(path, start, text) {
		if (!failed && !found && path == want) { found = 1; result = text }
	}
	function value(path, c, start, key, i, text) {
		ws()
		start = pos
		c = substr(s, pos, 1)
		if (c == "{") {
			pos++; ws()
			if (substr(s, pos, 1) == "}") pos++
			else for (;;) {
				ws()
				if (substr(s, pos, 1) != "\"") { bad("expected a key"); return }
				key = str(); ws()
				if (failed) return
				if (substr(s, pos, 1) != ":") { bad("expected :"); return }
				pos++
				value(path == "" ? key : path "." key)
				if (failed) return
				ws(); c = substr(s, pos, 1)
				if (c == ",") { pos++; continue }
				if (c == "}") { pos++; break }
				bad("expected , or }"); return
			}
		} else if (c == "[") {
			pos++; ws(); i = 0
			if (substr(s, pos, 1) == "]") pos++
			else for (;;) {
				value(path == "" ? i : path "." i)
				if (failed) return
				i++
				ws(); c = substr(s, pos, 1)
				if (c == ",") { pos++; continue }
				if (c == "]") { pos++; break }
				bad("expected , or ]"); return
			}
		} else if (c == "\"") {
			text = str()
			if (mode != "raw") { found_at(path, start, text); return }
		} else if (substr(s, pos, 4) == "true" || substr(s, pos, 4) == "null") {
			pos += 4
		} else if (substr(s, pos, 5) == "false") {
			pos += 5
		} else if (match(substr(s, pos, 400), /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/)) {
			pos += RLENGTH
		} else {
			bad("unexpected character"); return
		}
		found_at(path, start, substr(s, start, pos - start))
	}
	{ s = s $0 "\n" }
	END {
		n = length(s); pos = 1
		value("")
		ws()
		if (!failed && pos <= n) bad("text after the document")
		if (failed) { printf "json: %s at byte %d\n", why, pos > "/dev/stderr"; exit 2 }
		if (mode == "valid") exit 0
		if (!found) exit 1
		print result
	}' "$1"
}

json_get() {
	json_awk "$1" "$2" get
}

json_raw() {
	json_awk "$1" "$2" raw
}

json_valid() {
	json_awk "$1" "" valid
}

# is_json PATH WANT DESC: one value of the last reply.
is_json() {
	got=$(json_get "$BODY" "$1" 2>&1)
	case $? in
	0) is "$got" "$2" "$3" ;;
	1) fail "$3" "no \"$1\" in the reply"; diag_file "$BODY" ;;
	*) fail "$3" "the reply is not JSON: $got"; diag_file "$BODY" ;;
	esac
}

# is_problem STATUS DESC: the last reply is an RFC 9457 problem with that
# status in the status line, the Content-Type and the body.
is_problem() {
	ctype=$(header Content-Type)
	title=$(json_get "$BODY" title 2>/dev/null)
	detail=$(json_get "$BODY" detail 2>/dev/null)
	status=$(json_raw "$BODY" status 2>/dev/null)
	if [ "$HTTP_STATUS" = "$1" ] && [ "$ctype" = application/problem+json ] &&
		[ -n "$title" ] && [ -n "$detail" ] && [ "$status" = "$1" ]; then
		pass "$2"
	else
		fail "$2" "want $1 application/problem+json with title, status $1, detail;" \
			"got $HTTP_STATUS, Content-Type '$ctype', status '$status', title '$title'," \
			"detail '$detail'"
		diag_file "$BODY"
	fi
}

# --- SQLite ------------------------------------------------------------------

sql() {
	timeout 10 sqlite3 -batch "$1" "$2"
}

[ -x "$MENTORD" ] || bail "no executable $MENTORD (run make first)"
command -v curl >/dev/null 2>&1 || bail "curl is not installed"
