#!/bin/bash
# `make bench URL=...`: seeds any MLflow basic-auth server (real or embedded) through its REST API, then times the
# CLI commands an admin runs against it, with the same command line for every server.
# Usage: tests/bench/bench-url.sh BUILD_DIR, with the settings in the environment (the Makefile passes them):
#   URL           the server, e.g. http://127.0.0.1:5000 (required)
#   USERS         bench users bench-user-0001 ... (required); EXPERIMENTS (default USERS) bench-experiment-00001 ...;
#   GRANTS        experiment grants spread over the users (default 5 x USERS); RUNS (default 3) per command
#   ADMIN_USER    the admin who seeds and reads (default admin)
#   PASSWORD_FILE a file only you can read (mode 0600 or 0400) whose first line is the admin's password; without
#                 it the script asks on the terminal. The password reaches the CLI on its standard input
#                 (--password-stdin) and the seeder the same way: never a command line or an exported variable.
#   AUTH_DB       optional: the server's auth database (e.g. sqlite:////srv/mlflow/basic_auth.db); every command
#                 is then measured with --auth-db and without
# Existing users and experiments are reused (a second run creates nothing); grants go through `mlflow-admin-cli
# apply`, so they are what `grant` sends to that server's generation, and rows already there stay unchanged.
# Prints one row per command: median wall time and peak RSS of RUNS runs, and the HTTP requests the CLI sent
# (its mlflowadmin.api debug log has one line per reply). Checks what each command loaded and exits 1 when wrong.
set -euo pipefail
source "$(dirname "$0")/bench-common.sh"
BUILD_DIR="${1:-build-release}"
CLI="$BUILD_DIR/app/mlflow-admin-cli"
HERE="$(cd "$(dirname "$0")" && pwd)"
URL="${URL:-}"
USERS="${USERS:-}"
EXPERIMENTS="${EXPERIMENTS:-$USERS}"
GRANTS="${GRANTS:-$((5 * ${USERS:-0}))}"
RUNS="${RUNS:-3}"
ADMIN_USER="${ADMIN_USER:-admin}"
PASSWORD_FILE="${PASSWORD_FILE:-}"
AUTH_DB="${AUTH_DB:-}"

fail() { echo "bench: $*" >&2; exit 1; }
[ -n "$URL" ] || fail "URL is empty. Run e.g. make bench URL=http://127.0.0.1:5000 USERS=300."
for name in USERS EXPERIMENTS GRANTS RUNS; do
    [[ "${!name}" =~ ^[0-9]+$ ]] || fail "$name='${!name}' is not a whole number; give e.g. $name=300."
done
[ "$USERS" -ge 1 ] && [ "$EXPERIMENTS" -ge 1 ] && [ "$RUNS" -ge 1 ] ||
    fail "USERS, EXPERIMENTS and RUNS must be at least 1."
[ -x "$CLI" ] || fail "$CLI is missing; build it first (make bench builds it)."
[ -x /usr/bin/time ] || fail "/usr/bin/time is missing (it measures peak memory); install Debian's 'time' package."

# The password: from a private file or the terminal, kept in an unexported variable and handed over on stdin.
PASSWORD=""
if [ -n "$PASSWORD_FILE" ]; then
    [ -f "$PASSWORD_FILE" ] && [ -r "$PASSWORD_FILE" ] || fail "PASSWORD_FILE=$PASSWORD_FILE is not a readable file."
    mode="$(stat -c %a "$PASSWORD_FILE")"
    owner="$(stat -c %u "$PASSWORD_FILE")"
    [ "$owner" = "$(id -u)" ] && { [ "$mode" = 600 ] || [ "$mode" = 400 ]; } ||
        fail "PASSWORD_FILE=$PASSWORD_FILE has mode $mode and owner uid $owner; make it yours and private" \
            "(chmod 600 $PASSWORD_FILE) so no other account can read the password."
    IFS= read -r PASSWORD <"$PASSWORD_FILE" || true
elif [ -t 0 ]; then
    IFS= read -rsp "Password of $ADMIN_USER on $URL: " PASSWORD
    echo >&2
else
    fail "no password: give PASSWORD_FILE=FILE (mode 0600, first line the password of $ADMIN_USER) or run on a terminal."
fi
[ -n "$PASSWORD" ] || fail "the password of $ADMIN_USER is empty."

# A private home for the CLI: its known-users registry, kept users sources and audit trail start empty and stay out
# of the account's own, so every run measures the same thing and a bench leaves nothing behind.
WORK="$(mktemp -d /tmp/mlflow-admin-bench-url-XXXXXX)"
# Kept when something failed, so the outputs the message names can be read.
trap 'if [ $? -eq 0 ]; then rm -rf "$WORK"; else echo "bench: outputs kept in $WORK" >&2; fi' EXIT
export XDG_CONFIG_HOME="$WORK/config" XDG_DATA_HOME="$WORK/data" XDG_CACHE_HOME="$WORK/cache"
export XDG_RUNTIME_DIR="$WORK/runtime"
mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
unset MLFLOW_TRACKING_URI MLFLOW_TRACKING_USERNAME MLFLOW_TRACKING_PASSWORD

cli() { printf '%s\n' "$PASSWORD" | "$CLI" --url "$URL" --user "$ADMIN_USER" --password-stdin "$@"; }

echo "# Seeding $URL: $USERS users, $EXPERIMENTS experiments, $GRANTS grants ($(date -u +%H:%M:%S) UTC)" >&2
seed_start=$SECONDS
printf '%s\n' "$PASSWORD" | /usr/bin/python3 "$HERE/seed-server.py" --url "$URL" --user "$ADMIN_USER" \
    --users "$USERS" --experiments "$EXPERIMENTS" --grants "$GRANTS" --grants-csv "$WORK/grants.csv" ||
    fail "seeding users and experiments failed (above)."
AUTH_ARGS=()
[ -n "$AUTH_DB" ] && AUTH_ARGS=(--auth-db "$AUTH_DB")
if ! cli "${AUTH_ARGS[@]}" --json apply "$WORK/grants.csv" >"$WORK/apply.json" 2>"$WORK/apply.err"; then
    cat "$WORK/apply.err" >&2
    fail "applying the $GRANTS grants failed (above); the rows already applied stay, so running again retries."
fi
echo "grants: $(jq -r '[.rows[]? | .status] | group_by(.) | map("\(length) \(.[0])") | join(", ")' \
    "$WORK/apply.json" 2>/dev/null || echo "applied") in $((SECONDS - seed_start)) s of seeding" >&2

# On MLflow 2.x without a user listing the CLI knows the users its registry holds: `users list` fills it from the
# auth database (with AUTH_DB; on 3.10+ from users/list), as an admin's first session would. Without AUTH_DB on 2.x
# only the users whose grants this run applied are known.
cli "${AUTH_ARGS[@]}" users list >/dev/null 2>"$WORK/users.err" || { cat "$WORK/users.err" >&2; fail "users list failed."; }

# What the loads must show. Users appear in the CSV through their grants: min(USERS, GRANTS) of them; every
# experiment through the admin's row (admins see all); and every seeded grant as an explicit_grant row.
EXPECTED_USERS=$((USERS < GRANTS ? USERS : GRANTS))
check_matrix() {
    local csv="$1" problems
    problems="$(awk -F, -v users="$EXPECTED_USERS" -v experiments="$EXPERIMENTS" -v grants="$GRANTS" '
        NR == 1 { next }
        $1 ~ /^bench-user-[0-9]+$/ { u[$1] = 1; if ($6 == "explicit_grant" && $3 ~ /^bench-experiment-/) g++ }
        $3 ~ /^bench-experiment-[0-9]+$/ { e[$3] = 1 }
        END {
            nu = length(u); ne = length(e)
            if (nu != users) printf "%d bench users in the matrix, expected %d; ", nu, users
            if (ne != experiments) printf "%d bench experiments in the matrix, expected %d; ", ne, experiments
            if (g + 0 != grants) printf "%d bench grants in the matrix, expected %d; ", g, grants
        }' "$csv")"
    [ -z "$problems" ] || fail "matrix: $problems(output in $csv)"
}
# bench-user-0001 holds grants k = 0, USERS, 2 x USERS, ... below GRANTS.
EXPECTED_ACCESS=$(((GRANTS + USERS - 1) / USERS))
check_access() {
    local json="$1" rows granted
    rows="$(jq '[.access[] | select(.resource_name | startswith("bench-experiment-"))] | length' "$json")"
    granted="$(jq '[.access[] | select((.resource_name | startswith("bench-experiment-")) and
        .source == "explicit_grant")] | length' "$json")"
    [ "$rows" = "$EXPERIMENTS" ] && [ "$granted" = "$EXPECTED_ACCESS" ] ||
        fail "access --user bench-user-0001: $rows bench experiments with $granted grants, expected $EXPERIMENTS" \
            "with $EXPECTED_ACCESS (output in $json)"
}
check_snapshot() {
    local file="$1" users experiments
    users="$(jq '[.users[] | select(.username | startswith("bench-user-"))] | length' "$file")"
    experiments="$(jq '[.resources[] | select(.resource_name | startswith("bench-experiment-"))] | length' "$file")"
    # Without a user listing (MLflow 2.x and no --auth-db) the CLI knows the users the seeding's apply named.
    { [ "$users" = "$USERS" ] || [ "$users" = "$EXPECTED_USERS" ]; } && [ "$experiments" = "$EXPERIMENTS" ] ||
        fail "snapshot: $users bench users and $experiments bench experiments, expected $USERS and $EXPERIMENTS"
}


# One row: NAME CHECK ARGS...; RUNS runs, each checked, timed by /usr/bin/time (wall seconds, peak RSS in KiB).
measure() {
    local label="$1" check="$2"; shift 2
    local times=() rss=() requests=() out="$WORK/out" err="$WORK/err"
    for run in $(seq "$RUNS"); do
        rm -f "$WORK/snapshot.json"
        if ! printf '%s\n' "$PASSWORD" | QT_LOGGING_RULES="mlflowadmin.api.debug=true" \
            QT_MESSAGE_PATTERN="%{category}|%{message}" /usr/bin/time -o "$WORK/time" -f "%e %M" \
            "$CLI" --url "$URL" --user "$ADMIN_USER" --password-stdin "$@" >"$out" 2>"$err"; then
            grep -v '^mlflowadmin.api|' "$err" >&2 || true
            fail "$label failed (run $run; above)."
        fi
        "$check" "$out"
        read -r wall peak <"$WORK/time"
        times+=("$wall")
        rss+=("$peak")
        requests+=("$(grep -c '^mlflowadmin.api|.* -> ' "$err" || true)")
    done
    printf '%-58s %9s %9s %9s\n' "$label" "$(printf '%s\n' "${times[@]}" | median)" \
        "$(($(printf '%s\n' "${rss[@]}" | median) / 1024))" "$(printf '%s\n' "${requests[@]}" | median)"
}

matrix_check() { check_matrix "$1"; }
access_check() { check_access "$1"; }
snapshot_check() { check_snapshot "$WORK/snapshot.json"; }

version="$(cli --json probe 2>/dev/null | jq -r '.version // "?"' 2>/dev/null || echo "?")"
echo
echo "# $URL (MLflow $version): $USERS users, $EXPERIMENTS experiments, $GRANTS grants; $(nproc) cores," \
    "$(date -u '+%Y-%m-%d %H:%M') UTC, load average $(cut -d' ' -f1-3 /proc/loadavg); median of $RUNS runs"
printf '%-58s %9s %9s %9s\n' "command" "wall s" "peak MiB" "requests"
variants=("")
[ -n "$AUTH_DB" ] && variants=("--auth-db" "")
for variant in "${variants[@]}"; do
    extra=()
    suffix=""
    if [ -n "$variant" ]; then
        extra=(--auth-db "$AUTH_DB")
        suffix=" --auth-db"
    fi
    measure "matrix --format csv$suffix" matrix_check "${extra[@]}" matrix --format csv
    measure "access --user bench-user-0001$suffix" access_check "${extra[@]}" --json access --user bench-user-0001
    measure "snapshot save FILE$suffix" snapshot_check "${extra[@]}" snapshot save "$WORK/snapshot.json"
done
