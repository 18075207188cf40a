#!/bin/bash
# `make bench`: throughput and latency of the embedded server under wrk, then the client-side benchmarks.
# Usage: tests/bench/run-benchmarks.sh BUILD_DIR [SECONDS] [RUNS]
# Prints one row per case with the median of RUNS runs. Client and server share this machine's cores.
set -euo pipefail
source "$(dirname "$0")/bench-common.sh"
BUILD_DIR="${1:-build-release}"
SECONDS_PER_RUN="${2:-5}"
RUNS="${3:-3}"
CLI="$BUILD_DIR/app/mlflow-admin-cli"
DATA_DIR="$(mktemp -d /tmp/mlflow-admin-bench-XXXXXX)"

# start_server runs in a command substitution (a subshell), so it records its servers' pids in a file, not a variable.
PID_FILE="$DATA_DIR/server-pids"
stop_servers() {
    [ -f "$PID_FILE" ] || return 0
    while read -r pid; do
        kill "$pid" 2>/dev/null || true
        while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
    done <"$PID_FILE"
    rm -f "$PID_FILE"
}
cleanup() {
    stop_servers
    rm -rf "$DATA_DIR"
}
trap cleanup EXIT

# Starts `serve --demo` with the given --api options in the background; prints its URL.
start_server() {
    local name="$1"; shift
    local log="$DATA_DIR/$name.log"
    "$CLI" serve --demo --port 0 --data-dir "$DATA_DIR/$name" "$@" >"$log" 2>&1 &
    echo $! >>"$PID_FILE"
    for _ in $(seq 100); do
        grep -q "listening on" "$log" 2>/dev/null && break
        sleep 0.1
    done
    local url
    url="$(grep -o 'http://[0-9.:]*' "$log" | head -1)"
    if [ -z "$url" ]; then
        echo "The embedded server ($*) did not start:" >&2
        cat "$log" >&2
        exit 1
    fi
    echo "$url"
}

# One server per generation, both with the demo data; they run side by side but are measured one at a time.
URL2="$(start_server api2 --api 2)"
URL3="$(start_server api3 --api 3)"

# Who asks: the admin (every check bypassed) or user1 (the per-user permission checks and search filter).
declare -A AUTHS=(
    [admin]="Authorization: Basic $(printf 'admin:password1234' | base64)"
    [user1]="Authorization: Basic $(printf 'user1:user1-password' | base64)"
)
# wrk prints latencies as 850.00us, 1.25ms or 1.02s; bring them to milliseconds.
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000} printf "%.3f\n", v}'; }

# "requests/s p50 p99" for one URL as one user, the median of RUNS runs; "-" when the generation has no such
# endpoint (404).
measure() {
    local url="$1" connections="$2" auth="${AUTHS[$3]}"
    local status
    status="$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" "$url")"
    if [ "$status" = "404" ]; then
        echo "- - -"
        return
    fi
    if [ "$status" != "200" ]; then
        echo "GET $url answered HTTP $status as $3; the benchmark needs 200." >&2
        exit 1
    fi
    local threads rates=() p50s=() p99s=() out
    threads=$([ "$connections" -eq 1 ] && echo 1 || echo 2)
    for _ in $(seq "$RUNS"); do
        out="$(wrk_checked "$threads" "$connections" "$SECONDS_PER_RUN" "$auth" "$url")"
        rates+=("$(echo "$out" | awk '/Requests\/sec/ {print $2}')")
        p50s+=("$(echo "$out" | awk '$1 == "50%" {print $2}')")
        p99s+=("$(echo "$out" | awk '$1 == "99%" {print $2}')")
    done
    echo "$(printf '%s\n' "${rates[@]}" | median) $(printf '%s\n' "${p50s[@]}" | to_ms | median)ms" \
        "$(printf '%s\n' "${p99s[@]}" | to_ms | median)ms"
}

echo "# Embedded server under wrk ($(nproc) cores, $(date -u +%Y-%m-%d), ${RUNS} runs of ${SECONDS_PER_RUN}s, median;" \
    "--api 2 = MLflow 2.15.1, --api 3 = MLflow 3.14, '-' = not an endpoint of that generation)"
printf '%-38s %5s %5s | %12s %9s %9s | %12s %9s %9s\n' "endpoint" "as" "conns" \
    "api 2 req/s" "p50" "p99" "api 3 req/s" "p50" "p99"
for case in "admin 2.0/mlflow/users/get?username=user1" "admin 3.0/mlflow/users/current/permissions" \
    "user1 3.0/mlflow/users/current/permissions" "admin 2.0/mlflow/experiments/search?max_results=100" \
    "user1 2.0/mlflow/experiments/search?max_results=100"; do
    read -r user endpoint <<<"$case"
    for connections in 1 50; do
        # Assigned first: a failing measurement then stops the script (set -e), which `read <<<` would hide.
        api2="$(measure "$URL2/api/$endpoint" "$connections" "$user")"
        api3="$(measure "$URL3/api/$endpoint" "$connections" "$user")"
        read -r rate2 p50_2 p99_2 <<<"$api2"
        read -r rate3 p50_3 p99_3 <<<"$api3"
        printf '%-38s %5s %5s | %12s %9s %9s | %12s %9s %9s\n' "${endpoint%%\?*}" "$user" "$connections" \
            "$rate2" "$p50_2" "$p99_2" "$rate3" "$p50_3" "$p99_3"
    done
done
stop_servers

# Client-side benchmarks (tests/bench/bench_*.cpp) at full size: 2,000 users x 20,000 experiments x 50,000 grants.
# Each checks what it loaded and exits non-zero when something is wrong, which stops this script.
for bench in "$BUILD_DIR"/tests/bench/bench_*; do
    [ -f "$bench" ] && [ -x "$bench" ] || continue
    echo
    echo "# $(basename "$bench") ($(nproc) cores, $(date -u +%Y-%m-%d), median of ${RUNS} runs)"
    # The offscreen platform warns about window hints it ignores; that is noise here.
    QT_QPA_PLATFORM=offscreen "$bench" --runs "$RUNS" 2>&1 | { grep -v "propagateSizeHints" || true; }
done
