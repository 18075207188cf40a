#!/bin/bash
# The embedded server beside bare Qt HttpServer on the same machine, measured in turns so that both see the same
# load: bare users/get, then users/get as admin, experiments/search as user1 (and on --api 3 also
# users/current/permissions as admin), each with wrk at 50 connections for SECONDS_PER_RUN s, RUNS rounds, medians.
# Needs wrk and qt6-httpserver-dev (apt-get install wrk qt6-httpserver-dev); not part of `make check`.
# Usage: tests/bench/vs-bare-qhttpserver.sh BUILD_DIR [API] [RUNS] [SECONDS_PER_RUN]
set -euo pipefail
source "$(dirname "$0")/bench-common.sh"
BUILD_DIR="$(cd "${1:?usage: $0 BUILD_DIR [API] [RUNS] [SECONDS_PER_RUN]}" && pwd)"
API="${2:-2}"
RUNS="${3:-5}"
SECONDS_PER_RUN="${4:-5}"
HERE="$(cd "$(dirname "$0")" && pwd)"
CLI="$BUILD_DIR/app/mlflow-admin-cli"
WORK="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT

cmake -S "$HERE/bare-qhttpserver" -B "$WORK/bare" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$WORK/bare" >/dev/null

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
BARE_PORT="$(free_port)"
OURS_PORT="$(free_port)"
"$WORK/bare/bare_qhttpserver" "$BARE_PORT" &
"$CLI" serve --demo --api "$API" --port "$OURS_PORT" --data-dir "$WORK/data" >"$WORK/serve.log" 2>&1 &
for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$OURS_PORT/health" && curl -s -o /dev/null \
        "http://127.0.0.1:$BARE_PORT/api/2.0/mlflow/users/get" && break
    sleep 0.1
done

ADMIN="Authorization: Basic $(printf '%s' 'admin:password1234' | base64)"
USER1="Authorization: Basic $(printf '%s' 'user1:user1-password' | base64)"
NAMES=("bare Qt HttpServer" "users/get (admin)" "experiments/search (user1)")
URLS=("http://127.0.0.1:$BARE_PORT/api/2.0/mlflow/users/get"
    "http://127.0.0.1:$OURS_PORT/api/2.0/mlflow/users/get?username=user1"
    "http://127.0.0.1:$OURS_PORT/api/2.0/mlflow/experiments/search?max_results=100")
HEADERS=("X-Bench: bare" "$ADMIN" "$USER1")
if [ "$API" = 3 ]; then
    NAMES+=("users/current/permissions (admin)")
    URLS+=("http://127.0.0.1:$OURS_PORT/api/3.0/mlflow/users/current/permissions")
    HEADERS+=("$ADMIN")
fi

declare -A RATES
for round in $(seq "$RUNS"); do
    for i in "${!URLS[@]}"; do
        out="$(wrk_checked 2 50 "$SECONDS_PER_RUN" "${HEADERS[$i]}" "${URLS[$i]}")"
        RATES[$i]+="$(echo "$out" | awk '/Requests\/sec/ {print $2}') "
    done
    echo "round $round of $RUNS done" >&2
done

bare="$(echo "${RATES[0]}" | tr -s ' ' '\n' | median)"
echo "# --api $API, $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)," \
    "$RUNS rounds of ${SECONDS_PER_RUN}s at 50 connections, medians"
printf '%-36s %12s %10s   %s\n' "endpoint" "median req/s" "of bare" "runs"
for i in "${!URLS[@]}"; do
    m="$(echo "${RATES[$i]}" | tr -s ' ' '\n' | median)"
    printf '%-36s %12.0f %9.0f%%   %s\n' "${NAMES[$i]}" "$m" "$(echo "$m $bare" | awk '{print 100*$1/$2}')" "${RATES[$i]}"
done
