#!/usr/bin/env bash
# Benchmark: discharge intake rate (durable, group-committed) against the
# daemon's own /healthz rate, in one run on this machine. Prints figures;
# it is not a test and asserts nothing. Needs wrk (Debian package wrk).
#
#   tests/bench/intake.sh [seconds] ["connections ..."]
#
# For each number of connections: GET /healthz, then POST /v1/discharges,
# each for the given seconds; prints both rates, their 99th percentile
# latency and the ratio discharges / healthz (issue goal: >= 0.6, and
# >= 20k discharges/s with p99 < 10 ms at 32 connections).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-10}
conns=${2:-32 128}
command -v wrk >/dev/null || { echo "intake.sh: install wrk (apt-get install wrk)" >&2; exit 2; }
[ -x "$top/mentord" ] || { echo "intake.sh: build mentord first (make)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
sed -e 's/^\( *port = \)[0-9]*;/\10;/' -e "s|^database = .*|database = \"$tmp/bench.db\";|" \
	-e 's/^log_level = .*/log_level = "warning";/' -e "s|^\( *templates = \).*|\1\"$top/etc/templates\";|" "$top/etc/mentord.conf" >"$tmp/mentord.conf"
"$top/mentorctl" --database "$tmp/bench.db" token add --role admin --name bench \
	>"$tmp/token" 2>/dev/null
token=$(cat "$tmp/token")
"$top/mentord" --config "$tmp/mentord.conf" --port-file "$tmp/port" 2>"$tmp/log" &
pid=$!
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
port=$(cat "$tmp/port")
url="http://127.0.0.1:$port"
curl -fsS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
	-d '{"name": "Bench Mentor", "phone": "20304050"}' "$url/v1/mentors" >/dev/null

rate() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
# wrk --latency prints "99%  7.12ms" (or us, s): the 99th percentile in ms.
p99() {
	awk '$1 == "99%" { v = $2; u = v; sub(/[a-z]+$/, "", v); sub(/^[0-9.]+/, "", u);
		f = u == "us" ? 0.001 : u == "s" ? 1000 : u == "m" ? 60000 : 1; printf "%.2f", v * f }' "$1"
}
export MENTORD_BENCH_TOKEN=$token
MENTORD_BENCH_DISCHARGED_AT=$(date -u +%Y-%m-%dT%H:%M:%SZ)
export MENTORD_BENCH_DISCHARGED_AT

echo "machine:            $(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "each run:           ${seconds}s, wrk -t2; intake is durable (synchronous=FULL, reply after COMMIT)"
printf '%-6s %12s %10s %12s %10s %8s %8s\n' conns healthz/s p99-ms discharges/s p99-ms ratio non-201
for c in $conns; do
	wrk -t2 -c"$c" -d"${seconds}s" --latency "$url/healthz" >"$tmp/health-$c.txt"
	wrk -t2 -c"$c" -d"${seconds}s" --latency -s "$top/tests/bench/intake.lua" "$url" \
		>"$tmp/intake-$c.txt" 2>"$tmp/intake-$c.err"
	health=$(rate "$tmp/health-$c.txt")
	intake=$(rate "$tmp/intake-$c.txt")
	errors=$(grep -c 'unexpected status' "$tmp/intake-$c.err" || true)
	printf '%-6s %12.0f %10s %12.0f %10s %8.2f %8s\n' "$c" "$health" "$(p99 "$tmp/health-$c.txt")" \
		"$intake" "$(p99 "$tmp/intake-$c.txt")" "$(awk -v h="$health" -v i="$intake" 'BEGIN { print i / h }')" "$errors"
done
courses=$(sqlite3 "$tmp/bench.db" 'SELECT count(*) FROM courses')
metrics=$(curl -fsS "$url/metrics")
commits=$(echo "$metrics" | awk '/^mentord_store_commits_total /{print $2}')
commit_sum=$(echo "$metrics" | awk '/^mentord_store_commit_seconds_sum /{print $2}')
echo "courses stored:     $courses"
awk -v c="$courses" -v n="$commits" -v s="$commit_sum" 'BEGIN {
	printf "group commits:      %d, %.1f changes each, %.3f ms each (apply + COMMIT)\n", n, c / n, 1000 * s / n }'
