#!/usr/bin/env bash
# Single-record provides of resident-change under wrk, against `renkei serve --demo` (release build, embedded
# cluster) and, with --instances 2, a second `renkei serve --brokers <the first's cluster>`; at each connection
# count the same run also measures GET /health/live, the HTTP ceiling the provide rate is compared with.
#
#   bash bench/wrk/run.sh [--duration 20s] [--connections "8 64 256"] [--instances 1|2|both] [--threads 2]
#                         [--port 18080] [--records 5000] [--warmup 5s] [--no-build] [--keep] [--perf SECONDS]
#                         [--serve-args "ARGS"] [--bin PATH]
#
# --serve-args passes more options to both `renkei serve`s (e.g. "--token-cache-size 0" for the gateway as it was
# before access tokens were cached); --bin runs that renkei binary instead of building one.
# --perf N records `perf record -g` of the first instance for N seconds during the provide run at the highest
# connection count (perf.data in the work folder, which --keep keeps). Prints one RESULT-derived table row per
# (instances, connections); the wrk output of every run is in the work folder.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
duration=20s
connections="8 64 256"
instances=both
threads=2
port=18080
records=5000
warmup=5s
build=1
keep=0
perf_seconds=0
serve_args=""
bin=""
scratch="${WRK_BENCH_SCRATCH:-$root/.build-bench-wrk}"
while [ $# -gt 0 ]; do
    case "$1" in
    --duration) duration="$2"; shift ;;
    --connections) connections="$2"; shift ;;
    --instances) instances="$2"; shift ;;
    --threads) threads="$2"; shift ;;
    --port) port="$2"; shift ;;
    --records) records="$2"; shift ;;
    --warmup) warmup="$2"; shift ;;
    --no-build) build=0 ;;
    --keep) keep=1 ;;
    --perf) perf_seconds="$2"; shift ;;
    --serve-args) serve_args="$2"; shift ;;
    --bin) bin="$2"; build=0; shift ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
command -v wrk >/dev/null || { echo "run.sh: wrk is missing: scripts/setup.sh --with-bench-tools" >&2; exit 1; }
command -v curl >/dev/null || { echo "run.sh: curl is missing: scripts/setup.sh --with-bench-tools" >&2; exit 1; }

if [ "$build" = 1 ]; then
    (cd "$root" && swift build -c release --product renkei --scratch-path "$scratch" >&2)
fi
bin="${bin:-$scratch/release/renkei}"
work="$(mktemp -d "${TMPDIR:-/tmp}/renkei-wrk.XXXXXX")"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ "$keep" = 1 ]; then echo "run.sh: work folder kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

# Both instances sign and check tokens with the same key, so a token from the first is valid at the second.
export RENKEI_TOKEN_KEY="renkei-wrk-bench-token-signing-key-0123456789"
export RENKEI_WRK_DIR="$here"
export RENKEI_BODIES="$work/bodies.jsonl"
(cd "$root" && "$bin" gen residents --count "$records" --seed 7 --format jsonl --output "$RENKEI_BODIES")

# wait_live PORT PID LOG: until /health/live answers (60 s), or the process is gone.
wait_live() {
    for _ in $(seq 1 600); do
        curl -sf -o /dev/null "http://127.0.0.1:$1/health/live" && return 0
        kill -0 "$2" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# Instance a hosts the embedded cluster; its banner names the bootstrap address.
(cd "$root" && exec "$bin" serve --demo --port "$port" --instance wrk-a --token-lifetime 3600 \
    --data-dir "$work/data-a" $serve_args >"$work/a.log" 2>&1) &
pids+=($!)
pid_a=$!
wait_live "$port" "$pid_a" "$work/a.log" || { echo "run.sh: instance a did not start:" >&2; tail -20 "$work/a.log" >&2; exit 1; }
bootstrap="$(sed -n 's/.*Other Kafka clients on this machine can connect to: \([^ ]*\).*/\1/p' "$work/a.log" | head -1)"

second=none
if [ "$instances" != 1 ]; then
    port_b=$((port + 1))
    (cd "$root" && exec "$bin" serve --demo --brokers "$bootstrap" --port "$port_b" --instance wrk-b \
        --token-lifetime 3600 --data-dir "$work/data-b" $serve_args >"$work/b.log" 2>&1) &
    pids+=($!)
    pid_b=$!
    if wait_live "$port_b" "$pid_b" "$work/b.log"; then
        second="$port_b"
    else
        echo "run.sh: the second instance (--brokers $bootstrap) did not start; measuring one instance. Its log:" >&2
        tail -20 "$work/b.log" | sed 's/^/    /' >&2
        [ "$instances" = 2 ] && exit 1
    fi
fi

token="$(curl -sf -u sys-001:renkei-demo-client-secret-for-001 -d grant_type=client_credentials \
    "http://127.0.0.1:$port/oauth/token" | sed -n 's/.*"access_token" *: *"\([^"]*\)".*/\1/p')"
[ -n "$token" ] || { echo "run.sh: no access token from /oauth/token" >&2; exit 1; }
export RENKEI_TOKEN="$token"

# field NAME FILE: a value of the RESULT line.
field() { sed -n "s/^RESULT.* $1=\([^ ]*\).*/\1/p" "$2"; }

# measure NAME SCRIPT CONNECTIONS PORT...: one wrk per port, at once, the connections split evenly; prints
# "rps p50 p99 bad" (rates summed; p50 and p99 the highest of the processes, as wrk cannot merge histograms).
measure() {
    local name="$1" script="$2" total="$3"
    shift 3
    local count=$# per t=$threads files=()
    per=$((total / count))
    [ "$count" -gt 1 ] && t=$(((threads + count - 1) / count))
    [ "$per" -lt "$t" ] && t=$per
    local wrk_pids=()
    for p in "$@"; do
        local out="$work/$name-c$total-$p.txt"
        files+=("$out")
        wrk -t "$t" -c "$per" -d "$duration" --latency -s "$here/$script" "http://127.0.0.1:$p" >"$out" 2>&1 &
        wrk_pids+=($!)
    done
    for pid in "${wrk_pids[@]}"; do wait "$pid"; done
    local rps=0 p50=0 p99=0 bad=0
    for f in "${files[@]}"; do
        grep -q '^RESULT' "$f" || { echo "run.sh: wrk failed:" >&2; cat "$f" >&2; exit 1; }
        rps=$(awk -v a="$rps" -v b="$(field rps "$f")" 'BEGIN { print a + b }')
        p50=$(awk -v a="$p50" -v b="$(field p50_ms "$f")" 'BEGIN { print (b > a ? b : a) }')
        p99=$(awk -v a="$p99" -v b="$(field p99_ms "$f")" 'BEGIN { print (b > a ? b : a) }')
        bad=$((bad + $(field bad "$f")))
    done
    echo "$rps $p50 $p99 $bad"
}

ports_for() { if [ "$1" = 2 ]; then echo "$port $second"; else echo "$port"; fi; }
counts=()
case "$instances" in
1) counts=(1) ;;
2) counts=(2) ;;
both) counts=(1); [ "$second" != none ] && counts+=(2) ;;
esac

echo "# $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'); wrk $duration per figure, $threads threads in all"
echo "# renkei serve --demo ${serve_args:-(no extra options)}; second instance: ${second}"
# A short provide run first: JIT-free Swift needs no warm-up, but the cluster's topics, the producer's
# transaction and the history chain do.
wrk -t 1 -c 8 -d "$warmup" -s "$here/provide.lua" "http://127.0.0.1:$port" >"$work/warmup.txt" 2>&1
printf '%-9s %5s %10s %9s %9s %10s %9s %8s %6s  %s\n' instances conns provide/s p50_ms p99_ms live/s \
    live_p99 ceiling% bad load1
highest="${connections##* }"
for n in "${counts[@]}"; do
    for c in $connections; do
        load="$(cut -d' ' -f1 /proc/loadavg)"
        # shellcheck disable=SC2046
        read -r lrps _ lp99 lbad <<<"$(measure live live.lua "$c" $(ports_for "$n"))"
        perf_pid=""
        if [ "$perf_seconds" != 0 ] && [ "$c" = "$highest" ] && [ "$n" = 1 ]; then
            (sleep 3; perf record -g -p "$pid_a" -o "$work/perf.data" -- sleep "$perf_seconds" >"$work/perf.log" 2>&1) &
            perf_pid=$!
        fi
        # shellcheck disable=SC2046
        read -r prps pp50 pp99 pbad <<<"$(measure provide provide.lua "$c" $(ports_for "$n"))"
        [ -n "$perf_pid" ] && wait "$perf_pid"
        share=$(awk -v p="$prps" -v l="$lrps" 'BEGIN { printf "%.1f", (l > 0 ? 100 * p / l : 0) }')
        printf '%-9s %5s %10.0f %9s %9s %10.0f %9s %8s %6s  %s\n' "$n" "$c" "$prps" "$pp50" "$pp99" "$lrps" "$lp99" \
            "$share" "$((pbad + lbad))" "$load"
    done
done
if [ "$perf_seconds" != 0 ]; then
    perf report -i "$work/perf.data" --no-children --sort dso,symbol 2>/dev/null | grep -v '^#' | grep -v '^$' \
        | head -60 >"$work/perf.txt" || true
    echo "# perf: $work/perf.data (report: $work/perf.txt)"
fi
