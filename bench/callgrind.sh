#!/usr/bin/env bash
# User-space instructions per proxied request, counted by valgrind's callgrind: each proxy runs
# with one worker, twice — N and then 2N requests after the same start-up and warm-up — and
#     instructions per request = (Ir(2N) − Ir(N)) / N
# so start-up, warm-up and shutdown cancel out. See bench/README.md.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: bench/callgrind.sh [--requests N] [--conns C] [--warmup W] [--only LIST] [--out FILE]
                          [--top K] [--keep-tmp]

  --requests N   N; the second run sends 2N (default 5000)
  --conns C      keep-alive connections the requests are spread over (default 1)
  --warmup W     requests sent before the counted ones, same in both runs (default 200)
  --only LIST    proxies, comma-separated: relevo,nginx,haproxy (default relevo,nginx)
  --out FILE     machine-readable results (default bench/results/callgrind.txt)
  --top K        also write the K functions that cost each request the most instructions
                 (self, (Ir_2N − Ir_N) / N per function) to callgrind-PROXY.txt beside FILE
                 (default 30; 0 = none)
  --keep-tmp     keep the temp dir with confs, logs and callgrind.out files

The proxies run as single workers (relevo `workers 1;`, nginx `worker_processes 1;
master_process off;`, HAProxy `nbthread 1`) in front of an nginx backend that is not under
valgrind. relevo is built as for bench/run.sh unless RELEVO_BIN names a binary.
EOF
}

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

requests=5000 conns=1 warmup=200 only=relevo,nginx top=30
out="$RESULTS_DIR/callgrind.txt"
while (($#)); do
    case "$1" in
        --requests) requests="${2:?--requests needs a value}"; shift 2 ;;
        --conns) conns="${2:?--conns needs a value}"; shift 2 ;;
        --warmup) warmup="${2:?--warmup needs a value}"; shift 2 ;;
        --only) only="${2:?--only needs a value}"; shift 2 ;;
        --out) out="${2:?--out needs a value}"; shift 2 ;;
        --top) top="${2:?--top needs a value}"; shift 2 ;;
        --keep-tmp) BENCH_KEEP_TMP=1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument '$1'" ;;
    esac
done
[[ "$requests" =~ ^[1-9][0-9]*$ ]] || die "--requests must be a positive integer"
[[ "$conns" =~ ^[1-9][0-9]*$ ]] || die "--conns must be a positive integer"
[[ "$warmup" =~ ^[0-9]+$ ]] || die "--warmup must be a number"
[[ "$top" =~ ^[0-9]+$ ]] || die "--top must be a number"
((conns <= requests)) || die "--conns must not exceed --requests"
parse_only "$only" relevo nginx haproxy
proxies=("${PROXIES[@]}")

need nginx valgrind callgrind_annotate curl python3 ss
for p in "${proxies[@]}"; do [[ "$p" == haproxy ]] && need haproxy; done

bench_init
mkdir -p "$(dirname "$out")"
if [[ " ${proxies[*]} " == *" relevo "* ]]; then
    need objcopy
    build_relevo
    [[ -x "$(relevo_binary)" ]] || die "no relevo binary at $(relevo_binary)"
    # Valgrind 3.19 gives up on the DWARF 5 debug info Swift 6.3 writes ("unhandled dwarf2 abbrev
    # form code 0x1b … I can't recover"): run a copy without debug info. Its symbol table stays,
    # so callgrind still names the functions.
    mkdir -p "$BENCH_TMP/bin"
    objcopy --strip-debug "$(relevo_binary)" "$BENCH_TMP/bin/relevo" || die "objcopy --strip-debug failed"
    RELEVO_BIN="$BENCH_TMP/bin/relevo"
fi

start_backend
note "backend: nginx on 127.0.0.1:$BACKEND_PORT (pid $BACKEND_PID), not under valgrind"

client() {
    timeout 900 python3 "$BENCH_DIR/keepalive_client.py" --timeout 800 127.0.0.1 "$@"
}

# count_run PROXY COUNT — one process start under callgrind: warm-up, COUNT requests, shutdown.
# Sets RUN_IR to the total instruction count (Ir) of the run. (Not a command substitution: the
# process it starts must stay on this shell's list for the EXIT trap.)
count_run() {
    local p="$1" count="$2" port cgout pid
    port="$(free_port)"
    cgout="$BENCH_TMP/$p-$count.callgrind.out"
    PROXY_LOG_NAME="stderr-$count.log" start_proxy "$p" "$port" "$BACKEND_PORT" single \
        valgrind --tool=callgrind --callgrind-out-file="$cgout" --trace-children=no --error-limit=no
    pid="$SPAWNED_PID"
    # Listening first (no connection made), then GET / until it answers 200: relevo answers 503
    # until its version is live. Each probe that got an answer is counted: the two runs should
    # need the same number, or the difference adds a little noise to the result.
    if [[ "$p" == relevo ]]; then
        wait_relevo_listening "$pid" "$port" 180 "$PROXY_LOG"
    else
        wait_listening "$pid" "$port" 180 "$PROXY_LOG"
    fi
    wait_http_ok "$pid" "$port" 180 "$PROXY_LOG"
    RUN_PROBES="$HTTP_PROBES"
    if ((warmup > 0)); then
        client "$port" "$warmup" "$(( conns < warmup ? conns : warmup ))" >&2 || die "$p: warm-up failed (log: $PROXY_LOG)"
    fi
    client "$port" "$count" "$conns" >&2 || die "$p: the $count counted requests failed (log: $PROXY_LOG)"
    note "$p: stopping (callgrind writes its counts on exit)"
    # relevo and single-process nginx stop on SIGTERM; HAProxy on SIGUSR1 (soft stop).
    local signal=TERM
    [[ "$p" == haproxy ]] && signal=USR1
    bench_stop "$pid" "$signal"
    [[ -s "$cgout" ]] || { tail -n 20 "$PROXY_LOG" >&2; die "$p: callgrind wrote no $cgout"; }
    RUN_IR="$(awk '/^(summary|totals):/ { print $2; exit }' "$cgout")"
    [[ "$RUN_IR" =~ ^[0-9]+$ ]] || die "$p: no instruction total in $cgout"
}

demangle() {
    if command -v swift-demangle >/dev/null 2>&1; then
        swift-demangle --simplified
    elif command -v swift >/dev/null 2>&1 && swift demangle --help >/dev/null 2>&1; then
        swift demangle --simplified
    else
        cat
    fi
}

{
    echo "# relevo bench/callgrind.sh — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "# requests=$requests conns=$conns warmup=$warmup valgrind=$(valgrind --version)" \
        "nginx=$(nginx -v 2>&1 | sed 's|.*/||')" \
        "relevo=$(git -C "$PACKAGE_DIR" rev-parse --short HEAD 2>/dev/null || echo -)$(git -C "$PACKAGE_DIR" diff --quiet 2>/dev/null || echo +dirty)"
    echo "# ir_per_request = (ir_2n - ir_n) / requests; ir_fixed = ir_n - requests * ir_per_request (start-up, warm-up, shutdown)"
} >"$BENCH_TMP/callgrind.txt"

declare -A per_request
for p in "${proxies[@]}"; do
    note "$p: run 1 of 2, $requests requests after $warmup warm-up"
    count_run "$p" "$requests"
    ir_n="$RUN_IR" probes_n="$RUN_PROBES"
    note "$p: run 2 of 2, $((2 * requests)) requests after $warmup warm-up"
    count_run "$p" $((2 * requests))
    ir_2n="$RUN_IR" probes_2n="$RUN_PROBES"
    [[ "$probes_n" == "$probes_2n" ]] || note "$p: readiness took $probes_n and $probes_2n requests; the difference is noise"
    per="$(awk -v a="$ir_n" -v b="$ir_2n" -v n="$requests" 'BEGIN { printf "%.0f", (b - a) / n }')"
    fixed="$(awk -v a="$ir_n" -v x="$per" -v n="$requests" 'BEGIN { printf "%.0f", a - n * x }')"
    per_request[$p]="$per"
    echo "callgrind proxy=$p requests=$requests conns=$conns warmup=$warmup ir_n=$ir_n ir_2n=$ir_2n" \
        "ir_per_request=$per ir_fixed=$fixed ready_probes=$probes_n,$probes_2n" >>"$BENCH_TMP/callgrind.txt"
    note "$p: Ir(N)=$ir_n Ir(2N)=$ir_2n → $per instructions per request"
    if ((top > 0)); then
        python3 "$BENCH_DIR/callgrind_diff.py" "$BENCH_TMP/$p-$requests.callgrind.out" \
            "$BENCH_TMP/$p-$((2 * requests)).callgrind.out" "$requests" "$top" \
            | demangle >"$(dirname "$out")/callgrind-$p.txt" || note "$p: no per-function breakdown"
    fi
done

cp "$BENCH_TMP/callgrind.txt" "$out"
echo
echo "user-space instructions per proxied request (callgrind, one worker, $conns keep-alive connection(s))"
echo
printf '%-8s %14s %16s %16s %16s\n' proxy "Ir/request" "Ir(N=$requests)" "Ir(2N)" "fixed Ir"
grep '^callgrind ' "$out" | while read -r _ rest; do
    declare -A f=()
    for kv in $rest; do f[${kv%%=*}]="${kv#*=}"; done
    printf '%-8s %14s %16s %16s %16s\n' "${f[proxy]}" "$(printf "%'d" "${f[ir_per_request]}")" \
        "$(printf "%'d" "${f[ir_n]}")" "$(printf "%'d" "${f[ir_2n]}")" "$(printf "%'d" "${f[ir_fixed]}")"
done
if [[ -n "${per_request[relevo]:-}" && -n "${per_request[nginx]:-}" ]]; then
    echo
    echo "relevo/nginx instructions per request: $(awk -v a="${per_request[relevo]}" -v b="${per_request[nginx]}" 'BEGIN { printf "%.2f", a / b }')"
fi
echo
echo "machine-readable: $out"
((top > 0)) && echo "per-function instructions per request: $(dirname "$out")/callgrind-<proxy>.txt"
exit 0
