#!/usr/bin/env bash
# Throughput, latency and CPU per request of relevo, nginx and HAProxy as reverse proxies in
# front of the same backend on loopback, measured in one interleaved run. See bench/README.md.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: bench/run.sh [--rounds N] [--duration S] [--warmup S] [--conns LIST] [--threads N]
                    [--only LIST] [--out FILE] [--keep-tmp]

  --rounds N     rounds; each round measures every proxy at every connection count (default 3)
  --duration S   seconds per wrk run (default 10)
  --warmup S     seconds of wrk per proxy before round 1, not counted (default 2)
  --conns LIST   wrk connection counts, comma-separated (default 64,256)
  --threads N    wrk threads (default 2)
  --only LIST    proxies to measure, comma-separated: relevo,nginx,haproxy (default all three)
  --out FILE     machine-readable results (default bench/results/latest.txt)
  --keep-tmp     keep the temp dir with confs and logs

relevo is built with `swift build -c release --scratch-path .build-bench --product relevo`
unless RELEVO_BIN names a binary. Everything listens on 127.0.0.1 only.
EOF
}

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

rounds=3 duration=10 warmup=2 conns_list=64,256 threads=2 only=relevo,nginx,haproxy
out="$RESULTS_DIR/latest.txt"
while (($#)); do
    case "$1" in
        --rounds) rounds="${2:?--rounds needs a value}"; shift 2 ;;
        --duration) duration="${2:?--duration needs a value}"; shift 2 ;;
        --warmup) warmup="${2:?--warmup needs a value}"; shift 2 ;;
        --conns) conns_list="${2:?--conns needs a value}"; shift 2 ;;
        --threads) threads="${2:?--threads needs a value}"; shift 2 ;;
        --only) only="${2:?--only needs a value}"; shift 2 ;;
        --out) out="${2:?--out needs a value}"; shift 2 ;;
        --keep-tmp) BENCH_KEEP_TMP=1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument '$1'" ;;
    esac
done
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive integer"
[[ "$duration" =~ ^[1-9][0-9]*$ ]] || die "--duration must be a positive number of seconds"
[[ "$warmup" =~ ^[0-9]+$ ]] || die "--warmup must be a number of seconds"
[[ "$threads" =~ ^[1-9][0-9]*$ ]] || die "--threads must be a positive integer"
[[ "$conns_list" =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || die "--conns must look like 64,256"
parse_only "$only" relevo nginx haproxy
proxies=("${PROXIES[@]}")
IFS=',' read -r -a conn_counts <<<"$conns_list"
for c in "${conn_counts[@]}"; do
    ((c >= threads)) || die "each connection count must be at least --threads ($threads)"
done

need nginx wrk curl python3 ss
for p in "${proxies[@]}"; do [[ "$p" == haproxy ]] && need haproxy; done

bench_init
mkdir -p "$(dirname "$out")"
clk_tck="$(getconf CLK_TCK)"

if [[ " ${proxies[*]} " == *" relevo "* ]]; then
    build_relevo
    [[ -x "$(relevo_binary)" ]] || die "no relevo binary at $(relevo_binary)"
fi

# --- start the backend and the proxies ------------------------------------------------------
start_backend
note "backend: nginx on 127.0.0.1:$BACKEND_PORT (pid $BACKEND_PID)"

declare -A proxy_pid proxy_port proxy_log
for p in "${proxies[@]}"; do
    port="$(free_port)"
    start_proxy "$p" "$port" "$BACKEND_PORT" bench
    proxy_pid[$p]="$SPAWNED_PID" proxy_port[$p]="$port" proxy_log[$p]="$PROXY_LOG"
    [[ "$p" == relevo ]] && wait_relevo_listening "$SPAWNED_PID" "$port" 20 "$PROXY_LOG"
    wait_http_ok "$SPAWNED_PID" "$port" 20 "$PROXY_LOG"
    note "$p: 127.0.0.1:$port (pid $SPAWNED_PID, processes: $(tree_pids "$SPAWNED_PID" | wc -l))"
done

check_alive() {
    kill -0 "${proxy_pid[$1]}" 2>/dev/null && return 0
    tail -n 20 "${proxy_log[$1]}" >&2
    die "$1 (pid ${proxy_pid[$1]}) has exited; log: ${proxy_log[$1]}"
}

# run_wrk PROXY CONNS SECONDS — prints the WRKRESULT fields; wrk itself is bounded by timeout.
run_wrk() {
    local p="$1" c="$2" d="$3" output
    output="$(timeout $((d + 30)) wrk -t"$threads" -c"$c" -d"${d}s" --timeout 5s \
        -s "$BENCH_DIR/report.lua" "http://127.0.0.1:${proxy_port[$p]}/" 2>&1)" \
        || { echo "$output" >&2; die "wrk against $p failed or overran"; }
    grep '^WRKRESULT ' <<<"$output" | cut -d' ' -f2- || { echo "$output" >&2; die "no result line from wrk"; }
}

if ((warmup > 0)); then
    for p in "${proxies[@]}"; do
        note "warm-up: $p, ${warmup}s at ${conn_counts[0]} connections"
        run_wrk "$p" "${conn_counts[0]}" "$warmup" >/dev/null
        check_alive "$p"
    done
fi

# --- the interleaved run ---------------------------------------------------------------------
raw="$BENCH_TMP/results.txt"
{
    echo "# relevo bench/run.sh — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "# host=$(hostname) cores=$(nproc) kernel=$(uname -r) rounds=$rounds duration_s=$duration" \
        "wrk_threads=$threads conns=$conns_list proxies=$(IFS=,; echo "${proxies[*]}")"
    echo "# nginx=$(nginx -v 2>&1 | sed 's|.*/||')" \
        "haproxy=$(haproxy -v 2>/dev/null | awk 'NR==1 { print $3 }')" \
        "wrk=$(wrk -v 2>&1 | awk 'NR==1 { print $2 }')" \
        "relevo=$(git -C "$PACKAGE_DIR" rev-parse --short HEAD 2>/dev/null || echo -)$(git -C "$PACKAGE_DIR" diff --quiet 2>/dev/null || echo +dirty)"
    echo "# load_at_start=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,)"
    echo "# rps and latencies per round; cpu_us_per_req = proxy's utime+stime delta (all processes) / requests;"
    echo "# non2xx = wrk's count of responses outside 2xx/3xx; socket_errors = connect+read+write+timeout."
} >"$raw"

n=${#proxies[@]}
for ((round = 1; round <= rounds; round++)); do
    # Rotate the starting proxy each round so that none always goes first.
    for ((i = 0; i < n; i++)); do
        p="${proxies[$(((i + round - 1) % n))]}"
        for c in "${conn_counts[@]}"; do
            check_alive "$p"
            load1="$(cut -d' ' -f1 /proc/loadavg)"
            before="$(tree_cpu_ticks "${proxy_pid[$p]}")"
            result="$(run_wrk "$p" "$c" "$duration")"
            after="$(tree_cpu_ticks "${proxy_pid[$p]}")"
            declare -A r=()
            for kv in $result; do r[${kv%%=*}]="${kv#*=}"; done
            ((r[requests] > 0)) || die "$p completed no requests at $c connections"
            rps="$(awk -v n="${r[requests]}" -v us="${r[duration_us]}" 'BEGIN { printf "%.1f", n * 1e6 / us }')"
            cpu="$(awk -v t=$((after - before)) -v hz="$clk_tck" -v n="${r[requests]}" 'BEGIN { printf "%.3f", t * 1e6 / hz / n }')"
            sockerr=$((r[connect_errors] + r[read_errors] + r[write_errors] + r[timeouts]))
            echo "round proxy=$p conns=$c round=$round rps=$rps requests=${r[requests]} p50_us=${r[p50_us]}" \
                "p90_us=${r[p90_us]} p99_us=${r[p99_us]} p999_us=${r[p999_us]} max_us=${r[max_us]}" \
                "cpu_us_per_req=$cpu cpu_ticks=$((after - before)) non2xx=${r[non2xx3xx]} socket_errors=$sockerr" \
                "load1=$load1" >>"$raw"
            note "round $round/$rounds  $(printf '%-7s' "$p") c=$(printf '%-4s' "$c") $(printf '%9s' "$rps") req/s" \
                " p50 $(awk -v u="${r[p50_us]}" 'BEGIN { printf "%.2f", u / 1000 }') ms" \
                " p99 $(awk -v u="${r[p99_us]}" 'BEGIN { printf "%.2f", u / 1000 }') ms  cpu ${cpu} µs/req" \
                " non-2xx ${r[non2xx3xx]}  sock-err $sockerr"
            unset r
            sleep 1
        done
    done
done
echo "# load_at_end=$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' ,)" >>"$raw"

echo
echo "relevo bench: ${rounds} interleaved round(s) × ${duration}s per run, wrk -t${threads}, loopback, $(nproc) cores"
echo "req/s, p50, p99, CPU: medians over rounds; non-2xx and socket errors: totals over rounds"
echo
python3 "$BENCH_DIR/summarize_run.py" "$raw"
cp "$raw" "$out"
echo
echo "machine-readable: $out"
