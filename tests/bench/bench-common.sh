# Shell functions the benchmark scripts share (sourced, not run).

# The median of numbers given one per line; of an even count, the lower of the two middle ones.
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# wrk_checked THREADS CONNECTIONS SECONDS HEADER URL: wrk's report (with --latency), or exit 1 when any answer was
# not 2xx, since a rate of error answers measures nothing.
wrk_checked() {
    local out
    out="$(wrk -t"$1" -c"$2" -d"$3s" --latency -H "$4" "$5")"
    if echo "$out" | grep -q "Non-2xx"; then
        echo "wrk saw non-2xx answers for $5:" >&2
        echo "$out" >&2
        exit 1
    fi
    echo "$out"
}
