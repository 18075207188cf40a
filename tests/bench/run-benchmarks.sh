#!/bin/bash
# `make bench`: throughput and latency of the embedded server under wrk, then the client-side benchmarks.
# Usage: tests/bench/run-benchmarks.sh BUILD_DIR [SECONDS] [RUNS]
# Prints one row per case with the median of RUNS runs. Client and server share this machine's cores.
set -euo pipefail
BUILD_DIR="${1:-build-release}"
SECONDS_PER_RUN="${2:-5}"
RUNS="${3:-3}"
CLI="$BUILD_DIR/app/mlflow-admin-cli"
DATA_DIR="$(mktemp -d /tmp/mlflow-admin-bench-XXXXXX)"
LOG="$DATA_DIR/serve.log"

cleanup() {
    if [ -n "${SERVER_PID:-}" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$DATA_DIR"
}
trap cleanup EXIT

"$CLI" serve --demo --port 0 --data-dir "$DATA_DIR/data" >"$LOG" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do
    grep -q "listening on" "$LOG" 2>/dev/null && break
    sleep 0.1
done
URL="$(grep -o 'http://[0-9.:]*' "$LOG" | head -1)"
if [ -z "$URL" ]; then
    echo "The embedded server did not start:" >&2
    cat "$LOG" >&2
    exit 1
fi

AUTH="Authorization: Basic $(printf 'admin:password1234' | base64)"
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# wrk prints latencies as 850.00us, 1.25ms or 1.02s; bring them to milliseconds.
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000} printf "%.3f\n", v}'; }

echo "# Embedded server under wrk ($(nproc) cores, $(date -u +%Y-%m-%d), ${RUNS} runs of ${SECONDS_PER_RUN}s, median)"
printf '%-22s %11s %12s %10s %10s\n' "endpoint" "connections" "requests/s" "p50" "p99"
for endpoint in "users/get?username=user1" "experiments/search?max_results=100"; do
    for connections in 1 50; do
        threads=$([ "$connections" -eq 1 ] && echo 1 || echo 2)
        rates=(); p50s=(); p99s=()
        for _ in $(seq "$RUNS"); do
            out="$(wrk -t"$threads" -c"$connections" -d"${SECONDS_PER_RUN}s" --latency -H "$AUTH" \
                "$URL/api/2.0/mlflow/$endpoint")"
            if echo "$out" | grep -q "Non-2xx"; then
                echo "wrk saw non-2xx answers for $endpoint:" >&2
                echo "$out" >&2
                exit 1
            fi
            rates+=("$(echo "$out" | awk '/Requests\/sec/ {print $2}')")
            p50s+=("$(echo "$out" | awk '$1 == "50%" {print $2}')")
            p99s+=("$(echo "$out" | awk '$1 == "99%" {print $2}')")
        done
        printf '%-22s %11s %12s %10s %10s\n' "${endpoint%%\?*}" "$connections" \
            "$(printf '%s\n' "${rates[@]}" | median)" \
            "$(printf '%s\n' "${p50s[@]}" | to_ms | median)ms" \
            "$(printf '%s\n' "${p99s[@]}" | to_ms | median)ms"
    done
done

# Client-side benchmarks (tests/bench/bench_*.cpp) at full size: 2,000 users x 20,000 experiments x 50,000 grants.
# Each checks what it loaded and exits non-zero when something is wrong, which stops this script.
for bench in "$BUILD_DIR"/tests/bench/bench_*; do
    [ -f "$bench" ] && [ -x "$bench" ] || continue
    echo
    echo "# $(basename "$bench") ($(nproc) cores, $(date -u +%Y-%m-%d), median of ${RUNS} runs)"
    # The offscreen platform warns about window hints it ignores; that is noise here.
    QT_QPA_PLATFORM=offscreen "$bench" --runs "$RUNS" 2>&1 | { grep -v "propagateSizeHints" || true; }
done
