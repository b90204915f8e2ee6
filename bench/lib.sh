# Shared helpers for the bench scripts: sourced, never run.
#
# Every process a script starts goes through `bench_spawn`, which records its PID;
# `bench_cleanup` (installed on EXIT by `bench_init`) stops exactly those PIDs, and
# nothing else. All listeners are on 127.0.0.1, on ports the kernel hands out.

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PACKAGE_DIR="$(cd "$BENCH_DIR/.." && pwd)"
RESULTS_DIR="$BENCH_DIR/results"
RELEVO_SCRATCH="${RELEVO_SCRATCH:-$PACKAGE_DIR/.build-bench}"

BENCH_PIDS=()
BENCH_TMP=""

die() {
    echo "error: $*" >&2
    exit 1
}

note() {
    echo "[$(date +%H:%M:%S)] $*" >&2
}

need() {
    local tool
    for tool in "$@"; do
        command -v "$tool" >/dev/null 2>&1 || die "'$tool' is not installed (apt-get install -y nginx haproxy wrk valgrind curl python3)"
    done
}

bench_init() {
    BENCH_TMP="$(mktemp -d /tmp/relevo-bench.XXXXXX)"
    # nginx workers may run as another user: let them read their conf and write their temp dirs.
    chmod 755 "$BENCH_TMP"
    trap bench_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

bench_cleanup() {
    local status=$? pid
    for pid in "${BENCH_PIDS[@]:-}"; do
        [[ -n "$pid" ]] && kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${BENCH_PIDS[@]:-}"; do
        [[ -n "$pid" ]] || continue
        local waited=0
        while kill -0 "$pid" 2>/dev/null && ((waited < 50)); do
            sleep 0.1
            waited=$((waited + 1))
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [[ -n "$BENCH_TMP" && -d "$BENCH_TMP" && -z "${BENCH_KEEP_TMP:-}" ]]; then
        rm -rf "$BENCH_TMP"
    elif [[ -n "$BENCH_TMP" ]]; then
        echo "kept temp dir: $BENCH_TMP" >&2
    fi
    exit "$status"
}

# bench_spawn LOGFILE CMD ARGS... — start a process in the background with the
# open-file limit raised to the hard limit (20,000 here), in directory SPAWN_CWD if set;
# sets SPAWNED_PID.
bench_spawn() {
    local log="$1"
    shift
    (
        cd "${SPAWN_CWD:-.}"
        ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
        exec "$@"
    ) >"$log" 2>&1 </dev/null &
    SPAWNED_PID=$!
    BENCH_PIDS+=("$SPAWNED_PID")
}

# bench_stop PID — stop one process this script started, and wait for it.
bench_stop() {
    local pid="$1" signal="${2:-TERM}" waited=0
    kill -"$signal" "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && ((waited < 300)); do
        sleep 0.1
        waited=$((waited + 1))
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    local kept=() p
    for p in "${BENCH_PIDS[@]}"; do
        [[ "$p" == "$pid" ]] || kept+=("$p")
    done
    BENCH_PIDS=("${kept[@]:-}")
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# is_listening PORT — true when some socket listens on 127.0.0.1:PORT (no connection is made).
is_listening() {
    ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
}

# wait_listening PID PORT SECONDS LOG — wait for a listener without sending it anything.
wait_listening() {
    local pid="$1" port="$2" seconds="$3" log="$4" tries=0
    while ! is_listening "$port"; do
        kill -0 "$pid" 2>/dev/null || { tail -n 20 "$log" >&2; die "process $pid exited before listening on $port (log: $log)"; }
        ((tries < seconds * 10)) || { tail -n 20 "$log" >&2; die "nothing listens on 127.0.0.1:$port after ${seconds}s (log: $log)"; }
        sleep 0.1
        tries=$((tries + 1))
    done
}

# wait_http_ok PID PORT SECONDS LOG — wait until GET / answers 200 through it (a proxy may
# answer 503 until its version is live). Sets HTTP_PROBES to the number of requests it took.
wait_http_ok() {
    local pid="$1" port="$2" seconds="$3" log="$4" tries=0 code
    HTTP_PROBES=0
    while :; do
        kill -0 "$pid" 2>/dev/null || { tail -n 20 "$log" >&2; die "process $pid exited (log: $log)"; }
        code="$(curl -s -o /dev/null -m 5 -w '%{http_code}' "http://127.0.0.1:$port/" || true)"
        [[ "$code" == 000 ]] || HTTP_PROBES=$((HTTP_PROBES + 1))
        [[ "$code" == "200" ]] && return 0
        ((tries < seconds * 5)) || { tail -n 20 "$log" >&2; die "127.0.0.1:$port did not answer 200 within ${seconds}s (last: $code, log: $log)"; }
        sleep 0.2
        tries=$((tries + 1))
    done
}

# tree_pids ROOT — ROOT and all its descendants, one per line.
tree_pids() {
    ps -e -o pid=,ppid= | awk -v root="$1" '
        { parent[$1] = $2; pids[NR] = $1 }
        END {
            keep[root] = 1; print root
            changed = 1
            while (changed) {
                changed = 0
                for (i in pids) { p = pids[i]; if (!(p in keep) && (parent[p] in keep)) { keep[p] = 1; print p; changed = 1 } }
            }
        }'
}

# tree_cpu_ticks ROOT — utime+stime+cutime+cstime (clock ticks) summed over ROOT's process
# tree. A process's /proc/PID/stat already covers all its threads.
tree_cpu_ticks() {
    local total=0 pid stat
    local -a f
    for pid in $(tree_pids "$1"); do
        stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || continue
        read -r -a f <<<"${stat##*) }"
        # After "pid (comm) ": f[0] is field 3 (state); utime is field 14, so f[11]..f[14].
        total=$((total + f[11] + f[12] + f[13] + f[14]))
    done
    echo "$total"
}

# tree_rss_kib ROOT — VmRSS (KiB) summed over ROOT's process tree.
tree_rss_kib() {
    local total=0 pid kib
    for pid in $(tree_pids "$1"); do
        kib="$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)"
        total=$((total + ${kib:-0}))
    done
    echo "$total"
}

# ---------------------------------------------------------------------------------------
# Confs. Each writes its conf into DIR and prints the path.

# nginx_backend_conf DIR PORT — the shared backend: one worker, a fixed 200 on keep-alive.
nginx_backend_conf() {
    local dir="$1" port="$2"
    mkdir -p "$dir/tmp" "$dir/logs"
    cat >"$dir/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 20000; }
http {
    access_log off;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    keepalive_requests 1000000;
    keepalive_timeout 300s;
    server {
        listen 127.0.0.1:$port backlog=4096;
        location / {
            default_type text/plain;
            return 200 "hello\n";
        }
    }
}
EOF
    echo "$dir/nginx.conf"
}

# nginx_proxy_conf DIR PORT BACKEND_PORT WORKERS MASTER — nginx as a reverse proxy.
# WORKERS: "auto" or a number; MASTER: "on" or "off".
nginx_proxy_conf() {
    local dir="$1" port="$2" backend_port="$3" workers="$4" master="$5"
    mkdir -p "$dir/tmp" "$dir/logs"
    cat >"$dir/nginx.conf" <<EOF
worker_processes $workers;
worker_rlimit_nofile 20000;
master_process $master;
daemon off;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 20000; }
http {
    access_log off;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    keepalive_requests 1000000;
    keepalive_timeout 75s;
    upstream bench {
        server 127.0.0.1:$backend_port;
        keepalive 256;
        keepalive_requests 1000000;
        keepalive_timeout 60s;
    }
    server {
        listen 127.0.0.1:$port backlog=4096;
        location / {
            proxy_pass http://bench;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto \$scheme;
            proxy_connect_timeout 2s;
            proxy_read_timeout 60s;
        }
    }
}
EOF
    echo "$dir/nginx.conf"
}

# haproxy_conf DIR PORT BACKEND_PORT NBTHREAD — HAProxy as a reverse proxy.
haproxy_conf() {
    local dir="$1" port="$2" backend_port="$3" threads="$4"
    mkdir -p "$dir"
    cat >"$dir/haproxy.cfg" <<EOF
global
    nbthread $threads
    maxconn 9950

defaults
    mode http
    option http-keep-alive
    option forwardfor
    http-reuse always
    timeout connect 2s
    timeout client 75s
    timeout http-request 10s
    timeout http-keep-alive 75s
    timeout server 60s

frontend bench
    bind 127.0.0.1:$port
    default_backend bench

backend bench
    server backend1 127.0.0.1:$backend_port
EOF
    echo "$dir/haproxy.cfg"
}

# relevo_conf DIR PORT BACKEND_PORT WORKERS — relevo as a reverse proxy. relevo runs in DIR,
# so its default state directory (.relevo) is fresh each time. Sessions are learned from the
# application's cookie, as on the platform relevo serves; the bench backend sets none, so every
# request goes through session routing (cookie parsing, the live version) without pinning.
relevo_conf() {
    local dir="$1" port="$2" backend_port="$3" workers="$4"
    rm -rf "$dir/.relevo"
    printf '%064x\n' 0 | tr 0 7 >"$dir/affinity.secret"
    cat >"$dir/relevo.conf" <<EOF
listen 127.0.0.1:$port;
workers $workers;
access_log off;
timeouts { upstream_read 60s; }
limits { upstream_idle_connections 256; }
session { cookie APPSESSION; secret_file affinity.secret; }
version bench {
    backend 127.0.0.1:$backend_port;
}
EOF
    echo "$dir/relevo.conf"
}

# ---------------------------------------------------------------------------------------
# Starting things. Each sets SPAWNED_PID and leaves the process running.

relevo_binary() {
    if [[ -n "${RELEVO_BIN:-}" ]]; then
        [[ -x "$RELEVO_BIN" ]] || die "RELEVO_BIN=$RELEVO_BIN is not an executable"
        echo "$RELEVO_BIN"
        return
    fi
    echo "$RELEVO_SCRATCH/release/relevo"
}

# build_relevo — release build into its own scratch path; fails with advice if the tree
# does not build (others may be mid-edit).
build_relevo() {
    [[ -n "${RELEVO_BIN:-}" ]] && return 0
    need swift
    note "building relevo (release, scratch path $RELEVO_SCRATCH)"
    if ! (cd "$PACKAGE_DIR" && timeout 900 swift build -c release --scratch-path "$RELEVO_SCRATCH" --product relevo) >"$BENCH_TMP/build.log" 2>&1; then
        tail -n 30 "$BENCH_TMP/build.log" >&2
        die "relevo does not build right now; retry later, or leave it out with --only nginx,haproxy"
    fi
}

start_backend() {
    local dir="$BENCH_TMP/backend" port conf
    port="$(free_port)"
    conf="$(nginx_backend_conf "$dir" "$port")"
    bench_spawn "$dir/logs/stderr.log" nginx -p "$dir" -e "$dir/logs/error.log" -c "$conf"
    wait_listening "$SPAWNED_PID" "$port" 10 "$dir/logs/stderr.log"
    BACKEND_PORT="$port"
    BACKEND_PID="$SPAWNED_PID"
}

# start_proxy NAME PORT BACKEND_PORT MODE [WRAPPER...] — MODE "bench" (one worker per core) or
# "single" (one worker, for callgrind); WRAPPER is prepended to the command (e.g. valgrind).
# Sets SPAWNED_PID and PROXY_LOG (logs/stderr.log in its dir, or logs/$PROXY_LOG_NAME).
start_proxy() {
    local name="$1" port="$2" backend_port="$3" mode="$4"
    shift 4
    local dir="$BENCH_TMP/$name" conf
    mkdir -p "$dir/logs"
    PROXY_LOG="$dir/logs/${PROXY_LOG_NAME:-stderr.log}"
    case "$name" in
        nginx)
            if [[ "$mode" == single ]]; then
                conf="$(nginx_proxy_conf "$dir" "$port" "$backend_port" 1 off)"
            else
                conf="$(nginx_proxy_conf "$dir" "$port" "$backend_port" auto on)"
            fi
            bench_spawn "$PROXY_LOG" "$@" nginx -p "$dir" -e "$dir/logs/error.log" -c "$conf"
            ;;
        haproxy)
            local threads=2
            [[ "$mode" == single ]] && threads=1
            conf="$(haproxy_conf "$dir" "$port" "$backend_port" "$threads")"
            bench_spawn "$PROXY_LOG" "$@" haproxy -db -f "$conf"
            ;;
        relevo)
            local workers=auto
            [[ "$mode" == single ]] && workers=1
            conf="$(relevo_conf "$dir" "$port" "$backend_port" "$workers")"
            SPAWN_CWD="$dir" bench_spawn "$PROXY_LOG" "$@" "$(relevo_binary)" run -c "$conf"
            ;;
        *) die "unknown proxy '$name' (known: relevo, nginx, haproxy)" ;;
    esac
}

# wait_relevo_listening PID PORT SECONDS LOG — relevo says `event=listening address=…` per worker.
wait_relevo_listening() {
    local pid="$1" port="$2" seconds="$3" log="$4" tries=0
    while ! grep -q "event=listening address=127.0.0.1:$port" "$log" 2>/dev/null; do
        kill -0 "$pid" 2>/dev/null || { tail -n 20 "$log" >&2; die "relevo exited before listening (log: $log)"; }
        ((tries < seconds * 10)) || { tail -n 20 "$log" >&2; die "relevo printed no 'event=listening address=127.0.0.1:$port' within ${seconds}s (log: $log)"; }
        sleep 0.1
        tries=$((tries + 1))
    done
}

# parse_only LIST ALLOWED... — validate a comma-separated proxy list into the array PROXIES.
# (Not a command substitution: `die` has to stop the script itself.)
parse_only() {
    local list="$1" item allowed ok
    shift
    PROXIES=()
    IFS=',' read -r -a items <<<"$list"
    ((${#items[@]} > 0)) || die "--only needs at least one proxy"
    for item in "${items[@]}"; do
        ok=""
        for allowed in "$@"; do [[ "$item" == "$allowed" ]] && ok=1; done
        [[ -n "$ok" ]] || die "unknown proxy '$item' in --only (choose from: $*)"
        [[ " ${PROXIES[*]} " == *" $item "* ]] || PROXIES+=("$item")
    done
}
