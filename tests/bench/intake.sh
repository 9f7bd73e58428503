#!/usr/bin/env bash
# Benchmark: discharge intake rate (durable, group-committed) against the
# daemon's own /healthz rate, in one run on this machine. Prints figures;
# it is not a test and asserts nothing. Needs wrk (Debian package wrk).
#
#   tests/bench/intake.sh [seconds] ["connections ..."] ["modes ..."]
#
# For each mode (store.writer_thread: "writer" true, "loop" false), a
# daemon on a fresh database; for each number of connections GET /healthz,
# then POST /v1/discharges, each for the given seconds. Prints both rates,
# their 99th percentile latency and the ratio discharges / healthz (the
# goal: >= 0.6, and >= 20k discharges/s with p99 < 10 ms at 32
# connections).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-10}
conns=${2:-32 128}
modes=${3:-loop writer}
command -v wrk >/dev/null || { echo "intake.sh: install wrk (apt-get install wrk)" >&2; exit 2; }
[ -x "$top/mentord" ] || { echo "intake.sh: build mentord first (make)" >&2; exit 2; }

tmp=$(mktemp -d)
pid=
trap '[ -z "$pid" ] || { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; }; rm -rf "$tmp"' EXIT

rate() { awk '/^Requests\/sec:/ {print $2}' "$1"; }
# wrk --latency prints "99%  7.12ms" (or us, s): the 99th percentile in ms.
p99() {
	awk '$1 == "99%" { v = $2; u = v; sub(/[a-z]+$/, "", v); sub(/^[0-9.]+/, "", u);
		f = u == "us" ? 0.001 : u == "s" ? 1000 : u == "m" ? 60000 : 1; printf "%.2f", v * f }' "$1"
}

# A daemon on a fresh database, store.writer_thread as $1 (true/false).
start() {
	rm -f "$tmp"/bench.db* "$tmp/port"
	sed -e 's/^\( *port = \)[0-9]*;/\10;/' -e "s|^database = .*|database = \"$tmp/bench.db\";|" \
		-e 's/^log_level = .*/log_level = "warning";/' \
		-e "s|^\( *templates = \).*|\1\"$top/etc/templates\";|" \
		-e "s/^\( *writer_thread = \).*/\1$1;/" "$top/etc/mentord.conf" >"$tmp/mentord.conf"
	"$top/mentorctl" --database "$tmp/bench.db" token add --role admin --name bench \
		>"$tmp/token" 2>/dev/null
	token=$(cat "$tmp/token")
	GLIBC_TUNABLES=$tunables "$top/mentord" --config "$tmp/mentord.conf" --port-file "$tmp/port" \
		2>"$tmp/log" &
	pid=$!
	for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
	url="http://127.0.0.1:$(cat "$tmp/port")"
	curl -fsS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
		-d '{"name": "Bench Mentor", "phone": "20304050"}' "$url/v1/mentors" >/dev/null
	export MENTORD_BENCH_TOKEN=$token
}

stop() {
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	pid=
}

# mentord runs as its systemd unit runs it: with the unit's glibc tunables.
tunables=$(sed -n 's/^Environment=GLIBC_TUNABLES=//p' "$top/contrib/mentord.service.in")
MENTORD_BENCH_DISCHARGED_AT=$(date -u +%Y-%m-%dT%H:%M:%SZ)
export MENTORD_BENCH_DISCHARGED_AT

echo "machine:  $(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "each run: ${seconds}s, wrk -t2; intake is durable (synchronous=FULL, reply after COMMIT)"
echo "mentord:  GLIBC_TUNABLES=$tunables (contrib/mentord.service.in)"
printf '%-7s %-6s %10s %8s %12s %8s %6s %8s %9s\n' mode conns healthz/s p99-ms \
	discharges/s p99-ms ratio non-201 per-commit
for mode in $modes; do
	case $mode in
	writer) start true ;;
	loop) start false ;;
	*) echo "intake.sh: a mode is writer or loop" >&2; exit 2 ;;
	esac
	for c in $conns; do
		wrk -t2 -c"$c" -d"${seconds}s" --latency "$url/healthz" >"$tmp/health.txt"
		export MENTORD_BENCH_RUN=$c
		before=$(curl -fsS "$url/metrics" | awk '/^mentord_store_commits_total /{print $2}')
		wrk -t2 -c"$c" -d"${seconds}s" --latency -s "$top/tests/bench/intake.lua" "$url" \
			>"$tmp/intake.txt" 2>"$tmp/intake.err"
		after=$(curl -fsS "$url/metrics" | awk '/^mentord_store_commits_total /{print $2}')
		health=$(rate "$tmp/health.txt")
		intake=$(rate "$tmp/intake.txt")
		requests=$(awk '/requests in/ {print $1}' "$tmp/intake.txt")
		errors=$(grep -c 'unexpected status' "$tmp/intake.err" || true)
		printf '%-7s %-6s %10.0f %8s %12.0f %8s %6.2f %8s %9.1f\n' "$mode" "$c" "$health" \
			"$(p99 "$tmp/health.txt")" "$intake" "$(p99 "$tmp/intake.txt")" \
			"$(awk -v h="$health" -v i="$intake" 'BEGIN { print i / h }')" "$errors" \
			"$(awk -v r="$requests" -v n="$((after - before))" 'BEGIN { print n ? r / n : 0 }')"
		grep -o 'unexpected status [0-9]*: .\{0,80\}' "$tmp/intake.err" | sort | uniq -c |
			sort -rn | head -3 || true
	done
	stop
done
echo "per-commit: discharges per group commit (mentord_store_commits_total)"
