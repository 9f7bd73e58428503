#!/usr/bin/env bash
# Benchmark: discharge intake rate (durable, group-committed) against the
# daemon's own /healthz rate, in one run on this machine. Prints figures;
# it is not a test and asserts nothing. Needs wrk (Debian package wrk).
#
#   tests/bench/intake.sh [seconds] [connections]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-10}
conns=${2:-32}
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

rate() { awk '/^Requests\/sec:/ {print $2}'; }
health=$(wrk -t2 -c"$conns" -d"${seconds}s" "$url/healthz" | tee "$tmp/health.txt" | rate)
export MENTORD_BENCH_TOKEN=$token
MENTORD_BENCH_DISCHARGED_AT=$(date -u +%Y-%m-%dT%H:%M:%SZ)
export MENTORD_BENCH_DISCHARGED_AT
intake=$(wrk -t2 -c"$conns" -d"${seconds}s" -s "$top/tests/bench/intake.lua" "$url" \
	2>"$tmp/intake.err" | tee "$tmp/intake.txt" | rate)
courses=$(sqlite3 "$tmp/bench.db" 'SELECT count(*) FROM courses')
metrics=$(curl -fsS "$url/metrics")
commits=$(echo "$metrics" | awk '/^mentord_store_commits_total /{print $2}')
commit_sum=$(echo "$metrics" | awk '/^mentord_store_commit_seconds_sum /{print $2}')
errors=$(grep -c 'unexpected status' "$tmp/intake.err" || true)

echo "machine:            $(nproc) cores, $(uname -r)"
echo "connections:        $conns for ${seconds}s each"
echo "GET /healthz:       $health req/s"
echo "POST /v1/discharges: $intake req/s (durable: synchronous=FULL, reply after COMMIT)"
echo "courses stored:     $courses (non-201 replies: $errors)"
awk -v c="$courses" -v n="$commits" -v s="$commit_sum" 'BEGIN {
	printf "group commits:      %d, %.1f changes each, %.3f ms each (apply + COMMIT)\n", n, c / n, 1000 * s / n }'
awk -v h="$health" -v i="$intake" 'BEGIN { printf "intake / healthz:   %.2f\n", i / h }'
