#!/usr/bin/env bash
# Benchmark: how fast mentord drains its outbox into the messaging gateway,
# against the mock gateway's own ceiling measured in the same run, and how
# soon after start-up the first send arrives. Prints figures; it asserts
# nothing. Needs wrk and sqlite3 (contrib/install-deps --bench) and the
# test programs (make tests/mockgw).
#
#   tests/bench/gateway.sh [rows] [seconds]
#
# 1. tests/mockgw on an ephemeral port; wrk POSTs a call task like
#    src/publish.c's, each with an Idempotency-Key of its own, for
#    `seconds` (default 5) over as many connections as mentord may use
#    (gateway.max_in_flight, 8): the mock's ceiling, requests/s; once
#    before the drain and once after, as other work on the machine moves
#    it, and the drain is held against their mean.
# 2. A database with `rows` (default 20,000) call tasks pending in the
#    outbox, written by tests/bulk-load.sh in the shape publish.c leaves
#    them (the day's publication, not yet sent); the daily jobs are due,
#    as after any restart the morning after.
# 3. mentord pointed at the mock: the drain is rows/s from the first
#    request the mock received to the last; the first send is ms from a
#    marker request sent to the mock just before mentord was started
#    (both read from the mock's own record, one clock).
# Goals (issue 13): drain >= 0.5 x ceiling, first send <= 1000 ms.
# GW_BENCH_KEEP=1 keeps the temporary directory (record, logs) and names it.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${top_builddir:-$top}
rows=${1:-20000}
seconds=${2:-5}
conns=8 # gateway.max_in_flight as etc/mentord.conf ships it

for tool in wrk sqlite3 curl; do
	command -v "$tool" >/dev/null ||
		{ echo "gateway.sh: needs $tool (contrib/install-deps --bench)" >&2; exit 2; }
done
for prog in mentord mentorctl tests/mockgw; do
	[ -x "$build/$prog" ] || { echo "gateway.sh: build $prog first (make $prog)" >&2; exit 2; }
done

tmp=$(mktemp -d)
gw= pid=
stop() {
	for p in $pid $gw; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	gw= pid=
}
trap 'stop; [ -n "${GW_BENCH_KEEP:-}" ] || rm -rf "$tmp"' EXIT

# The mock, recording into $tmp/record.
"$build/tests/mockgw" --port-file "$tmp/gw.port" --record "$tmp/record" 2>"$tmp/mockgw.log" &
gw=$!
for _ in $(seq 100); do [ -s "$tmp/gw.port" ] && break; sleep 0.05; done
gwurl="http://127.0.0.1:$(cat "$tmp/gw.port")"

# t_ms of the record's line N (1-based).
t_ms() { sed -n "${1}p" "$tmp/record" | sed 's/.*"t_ms":\([0-9]*\),.*/\1/'; }

# --- 1. the mock's ceiling ----------------------------------------------------------
cat >"$tmp/calltask.lua" <<'EOF'
-- A call task as src/publish.c writes it, under a key of its own.
local n, id = 0, 0
local thread_id = 0
function setup(thread)
	thread:set("id", thread_id)
	thread_id = thread_id + 1
end
function request()
	n = n + 1
	local body = string.format('{"attempt":1,"citizen":{"name":"Borger %d",' ..
		'"phone":"+4520%06d"},"due_date":"2026-12-07","id":%d,"mentor":{"id":1,' ..
		'"name":"Mette Mentor","phone":"20304050"},"reason":"first_contact"}',
		n, n % 1000000, id * 10000000 + n)
	return wrk.format("POST", "/v1/call-tasks", {
		["Content-Type"] = "application/json",
		["Idempotency-Key"] = string.format("bench-%d-%d", id, n),
	}, body)
end
function response(status, headers, body)
	if status ~= 200 then io.stderr:write("unexpected status " .. status .. "\n") end
end
EOF
# ceiling: the mock's requests/s under wrk; the mock forgets them after.
ceiling() {
	wrk -t1 -c"$conns" -d"${seconds}s" -s "$tmp/calltask.lua" "$gwurl" >"$tmp/wrk.txt" \
		2>"$tmp/wrk.err"
	if [ -s "$tmp/wrk.err" ]; then
		echo "gateway.sh: the mock refused wrk's requests:" \
			"$(sort "$tmp/wrk.err" | uniq -c | head -3)" >&2
		exit 1
	fi
	curl -fsS -o /dev/null -X POST "$gwurl/control/reset"
	awk '/^Requests\/sec:/ { print $2 }' "$tmp/wrk.txt"
}
ceiling_before=$(ceiling)

# --- 2. the database ---------------------------------------------------------------------
sed -e 's/^\( *port = \)[0-9]*;/\10;/' -e "s|^database = .*|database = \"$tmp/gw.db\";|" \
	-e 's/^log_level = .*/log_level = "notice";/' \
	-e "s|^\( *templates = \).*|\1\"$top/etc/templates\";|" \
	-e "s|^\( *url = \)\"\";|\1\"$gwurl\";|" \
	-e 's/^\( *sender_cvr = \).*/\1"29189897";/' \
	-e 's/^\( *sender_label = \).*/\1"Eksempel Kommune";/' \
	-e 's/^\( *content_responsible = \).*/\1"Borgerservice";/' \
	"$top/etc/mentord.conf" >"$tmp/mentord.conf"
"$build/mentorctl" --database "$tmp/gw.db" mentor add --name "Mette Mentor" --phone 20304050 \
	>/dev/null
"$top/tests/bulk-load.sh" "$tmp/gw.db" published "$rows" "$(date +%F)" 1 >/dev/null

# --- 3. the drain ----------------------------------------------------------------------------
before=$(wc -l <"$tmp/record")
curl -sS -o /dev/null "$gwurl/bench/start" # the marker: recorded (405), not counted as sent
# mentord runs as its systemd unit runs it: with the unit's glibc tunables.
GLIBC_TUNABLES=$(sed -n 's/^Environment=GLIBC_TUNABLES=//p' "$top/contrib/mentord.service.in") \
	"$build/mentord" --config "$tmp/mentord.conf" --port-file "$tmp/port" 2>"$tmp/mentord.log" &
pid=$!
deadline=$((SECONDS + 300))
until [ "$(curl -fsS "$gwurl/control/stats" | sed 's/.*"distinct_keys":\([0-9]*\).*/\1/')" \
	-ge "$rows" ]; do
	if [ "$SECONDS" -ge "$deadline" ] || ! kill -0 "$pid" 2>/dev/null; then
		echo "gateway.sh: the outbox did not drain; mentord's log:" >&2
		tail -5 "$tmp/mentord.log" >&2
		exit 1
	fi
	sleep 0.05
done
kill "$pid"
wait "$pid" 2>/dev/null || true
pid=
mark=$(t_ms $((before + 1)))
first=$(t_ms $((before + 2)))
last=$(t_ms "$(wc -l <"$tmp/record")")
sent=$(($(wc -l <"$tmp/record") - before - 1))
ceiling_after=$(ceiling)
ceiling=$(awk -v a="$ceiling_before" -v b="$ceiling_after" 'BEGIN { print (a + b) / 2 }')
[ -z "${GW_BENCH_KEEP:-}" ] || echo "kept $tmp: mark $mark first $first last $last sent $sent" >&2

drain=$(awk -v n="$sent" -v ms=$((last - first)) 'BEGIN { printf "%.0f", (ms > 0 ? (n - 1) * 1000 / ms : 0) }')
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $rows call tasks," \
	"$sent requests; ceiling: wrk -t1 -c$conns for ${seconds}s"
printf '%-28s %10s %12s %7s\n' figure goal measured ratio
awk -v a="$ceiling_before" -v b="$ceiling_after" 'BEGIN {
	printf "%-28s %10s %12s %7s\n", "gateway_ceiling_before", "-", sprintf("%.0f req/s", a), "-"
	printf "%-28s %10s %12s %7s\n", "gateway_ceiling_after", "-", sprintf("%.0f req/s", b), "-" }'
awk -v d="$drain" -v c="$ceiling" 'BEGIN { printf "%-28s %10s %12s %7.2f\n", "gateway_drain",
	">= 0.5 x", sprintf("%.0f rows/s", d), d / c }'
awk -v f=$((first - mark)) 'BEGIN { printf "%-28s %10s %12s %7.2f\n", "gateway_first_send",
	"1000 ms", sprintf("%d ms", f), f / 1000 }'
