#!/usr/bin/env bash
# Resident memory per idle keep-alive connection: RSS of the proxy (all its processes) before
# and after N downstream connections that each made one request and then stay open, idle:
#     KiB per connection = (RSS after − RSS before) / N
# See bench/README.md.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: bench/idle_rss.sh [--conns N] [--settle S] [--only LIST] [--out FILE] [--keep-tmp]

  --conns N     idle keep-alive connections to hold open (default 10000; the sandbox's
                open-file limit is 20,000, so at most about 19,000)
  --settle S    seconds to wait before each RSS reading (default 2)
  --only LIST   proxies, comma-separated: relevo,nginx,haproxy (default relevo,nginx)
  --out FILE    machine-readable results (default bench/results/idle_rss.txt)
  --keep-tmp    keep the temp dir with confs and logs

Each proxy runs as for bench/run.sh (one worker per core), started with `ulimit -n` at the
hard limit (20,000); nginx has `worker_connections 20000`. HAProxy's maxconn has to stay
under half the fd limit, so it is measured with at most 9,900 connections.
EOF
}

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

conns=10000 settle=2 only=relevo,nginx
out="$RESULTS_DIR/idle_rss.txt"
while (($#)); do
    case "$1" in
        --conns) conns="${2:?--conns needs a value}"; shift 2 ;;
        --settle) settle="${2:?--settle needs a value}"; shift 2 ;;
        --only) only="${2:?--only needs a value}"; shift 2 ;;
        --out) out="${2:?--out needs a value}"; shift 2 ;;
        --keep-tmp) BENCH_KEEP_TMP=1; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument '$1'" ;;
    esac
done
[[ "$conns" =~ ^[1-9][0-9]*$ ]] || die "--conns must be a positive integer"
[[ "$settle" =~ ^[0-9]+$ ]] || die "--settle must be a number of seconds"
hard="$(ulimit -Hn)"
[[ "$hard" == unlimited ]] || ((conns + 200 <= hard)) || die "--conns $conns does not fit the open-file hard limit $hard"
parse_only "$only" relevo nginx haproxy
proxies=("${PROXIES[@]}")

need nginx curl python3 ss
for p in "${proxies[@]}"; do [[ "$p" == haproxy ]] && need haproxy; done

bench_init
mkdir -p "$(dirname "$out")"
if [[ " ${proxies[*]} " == *" relevo "* ]]; then
    build_relevo
    [[ -x "$(relevo_binary)" ]] || die "no relevo binary at $(relevo_binary)"
fi

start_backend
note "backend: nginx on 127.0.0.1:$BACKEND_PORT (pid $BACKEND_PID)"

established() {
    ss -Htn state established "sport = :$1" 2>/dev/null | wc -l
}

{
    echo "# relevo bench/idle_rss.sh — $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "# cores=$(nproc) nginx=$(nginx -v 2>&1 | sed 's|.*/||')" \
        "relevo=$(git -C "$PACKAGE_DIR" rev-parse --short HEAD 2>/dev/null || echo -)$(git -C "$PACKAGE_DIR" diff --quiet 2>/dev/null || echo +dirty)"
    echo "# rss = VmRSS summed over the proxy's processes (KiB); kib_per_conn = (rss_idle - rss_before) / conns;"
    echo "# rss_closed = after the idle connections were closed again; established = proxy-side sockets seen by ss"
} >"$BENCH_TMP/idle_rss.txt"

for p in "${proxies[@]}"; do
    n="$conns"
    [[ "$p" == haproxy ]] && ((n > 9900)) && { n=9900; note "haproxy: measured with $n connections (its maxconn)"; }

    port="$(free_port)"
    start_proxy "$p" "$port" "$BACKEND_PORT" bench
    pid="$SPAWNED_PID" log="$PROXY_LOG"
    [[ "$p" == relevo ]] && wait_relevo_listening "$pid" "$port" 20 "$log"
    wait_http_ok "$pid" "$port" 20 "$log"
    processes="$(tree_pids "$pid" | wc -l)"

    # Warm-up: first-use allocations (buffers, upstream pool) should not count as per-connection.
    timeout 120 python3 "$BENCH_DIR/keepalive_client.py" --timeout 100 127.0.0.1 "$port" 2000 64 >&2 \
        || die "$p: warm-up failed (log: $log)"
    sleep "$settle"
    before="$(tree_rss_kib "$pid")"

    ready="$BENCH_TMP/$p.ready"
    bench_spawn "$BENCH_TMP/$p-client.log" python3 "$BENCH_DIR/keepalive_client.py" --idle --no-stdin \
        --timeout 600 --ready-file "$ready" 127.0.0.1 "$port" "$n"
    client_pid="$SPAWNED_PID"
    waited=0
    while [[ ! -s "$ready" ]]; do
        kill -0 "$client_pid" 2>/dev/null || { cat "$BENCH_TMP/$p-client.log" >&2; die "$p: the idle client failed"; }
        kill -0 "$pid" 2>/dev/null || { tail -n 20 "$log" >&2; die "$p exited with connections open (log: $log)"; }
        ((waited < 1800)) || die "$p: $n connections not open and answered after 180s"
        sleep 0.1
        waited=$((waited + 1))
    done
    sleep "$settle"
    idle="$(tree_rss_kib "$pid")"
    held="$(established "$port")"
    ((held >= n)) || note "$p: only $held of $n connections are still established on the proxy side"

    bench_stop "$client_pid" TERM
    sleep "$settle"
    closed="$(tree_rss_kib "$pid")"
    bench_stop "$pid" TERM

    per="$(awk -v a="$before" -v b="$idle" -v n="$n" 'BEGIN { printf "%.2f", (b - a) / n }')"
    echo "idle_rss proxy=$p conns=$n established=$held processes=$processes rss_before_kib=$before" \
        "rss_idle_kib=$idle rss_closed_kib=$closed kib_per_conn=$per" >>"$BENCH_TMP/idle_rss.txt"
    note "$p: RSS $before KiB → $idle KiB with $n idle connections ($held established) → $per KiB each;" \
        "$closed KiB after they closed"
done

cp "$BENCH_TMP/idle_rss.txt" "$out"
echo
echo "RSS per idle keep-alive downstream connection (VmRSS summed over the proxy's processes)"
echo
printf '%-8s %7s %12s %12s %12s %14s\n' proxy conns "before KiB" "idle KiB" "closed KiB" "KiB per conn"
grep '^idle_rss ' "$out" | while read -r _ rest; do
    declare -A f=()
    for kv in $rest; do f[${kv%%=*}]="${kv#*=}"; done
    printf '%-8s %7s %12s %12s %12s %14s\n' "${f[proxy]}" "${f[conns]}" "${f[rss_before_kib]}" \
        "${f[rss_idle_kib]}" "${f[rss_closed_kib]}" "${f[kib_per_conn]}"
done
echo
echo "machine-readable: $out"
