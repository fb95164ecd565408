#!/usr/bin/env bash
# `make bench`, part 2: haproxy 2.6 against rhaproxy as a `mode tcp` proxy, in
# the same run, A/B alternating, with one shared config shape
# (`global nbthread 1`, one `listen` on 127.0.0.1, one server on loopback).
#
#   bash bench/tcp_bench.sh            # full run, ~3 minutes
#   QUICK=1 bash bench/tcp_bench.sh    # smoke run, ~30 s
#   RHAPROXY=/usr/sbin/haproxy bash bench/tcp_bench.sh   # A/A: measures the noise
#
# Metrics (method: /work/shared/reference/rust-crates-and-benchmarks.md §5):
#   idle     RSS (VmRSS) and private memory (smaps_rollup) growth of the proxy per idle
#            proxied connection: CONNS connections, one HTTP request each to
#            nginx, then held open.
#   thr      bulk transfer: STREAMS concurrent streams of STREAM_MB MiB from a
#            Python source through the proxy; MB/s and proxy CPU s per GB;
#            again with `option splice-auto`, and with `option splice-request`
#            + `splice-response` (haproxy 2.6's splice-auto only splices once
#            its own heuristics call the stream a fast streamer; forcing
#            compares the two splice paths). Each run notes the most pipe
#            fds the proxy held while it ran (0 = it did not splice).
#   ka/close wrk -t1 -c50 -d WRK_SECS through the proxy to nginx (1 worker,
#            `return 200 "hello\n"`), keep-alive and `Connection: close`;
#            requests/s and proxy CPU µs per request.
#   sys      `strace -f -c` on the proxy over N1 and N2 keep-alive requests on
#            one curl connection; (calls(N2) - calls(N1)) / (N2 - N1). Also
#            NC1/NC2 `Connection: close` requests (one connection each).
# Proxy CPU is utime+stime (fields 14+15 of /proc/PID/stat, all threads).
# The proxy runs on CPU $PROXY_CPU, load generators and backends on
# $LOAD_CPU (taskset). Results: bench/out/tcp-<stamp>/ (raw TSV, strace
# tables, configs, logs) and bench/out/tcp-latest.txt (the printed table).
#
# Environment: QUICK, ROUNDS, CONNS, WRK_SECS, STREAMS, STREAM_MB, N1, N2, NC1, NC2,
# HAPROXY (default /usr/sbin/haproxy), RHAPROXY (default
# ${CARGO_TARGET_DIR:-target}/release/rhaproxy), PROXY_CPU, LOAD_CPU, NICE
# (default -10: priority over other work on the machine; 0 to disable).
set -eEuo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
HAPROXY="${HAPROXY:-/usr/sbin/haproxy}"
RHAPROXY="${RHAPROXY:-${CARGO_TARGET_DIR:-$ROOT/target}/release/rhaproxy}"
QUICK="${QUICK:-0}"
if [ "$QUICK" = 1 ]; then
    ROUNDS="${ROUNDS:-1}" CONNS="${CONNS:-500}" WRK_SECS="${WRK_SECS:-2}"
    STREAMS="${STREAMS:-4}" STREAM_MB="${STREAM_MB:-64}" N1="${N1:-200}" N2="${N2:-600}"
    NC1="${NC1:-100}" NC2="${NC2:-300}"
else
    ROUNDS="${ROUNDS:-3}" CONNS="${CONNS:-2000}" WRK_SECS="${WRK_SECS:-5}"
    STREAMS="${STREAMS:-4}" STREAM_MB="${STREAM_MB:-256}" N1="${N1:-1000}" N2="${N2:-3000}"
    NC1="${NC1:-500}" NC2="${NC2:-1500}"
fi
PROXY_CPU="${PROXY_CPU:-1}"
LOAD_CPU="${LOAD_CPU:-0}"
PY=/usr/bin/python3
[ -x "$PY" ] || PY="$(command -v python3)"
LOAD="$ROOT/bench/tcp/tcpload.py"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
OUT="$ROOT/bench/out"
WORK="$OUT/tcp-$STAMP"
RAW="$WORK/runs.tsv"
mkdir -p "$WORK"
CLK_TCK="$(getconf CLK_TCK)"
T_START=$(date +%s)

say() { echo "tcp_bench: $*" >&2; }
die() { say "$*"; exit 1; }

# ---------------------------------------------------------------- tools
need() { # binary debian-package
    command -v "$1" >/dev/null 2>&1 && return 0
    say "$1 missing, installing Debian package $2"
    apt-get install -y -q "$2" >/dev/null 2>&1 || die "cannot install $2 (apt-get install $2)"
}
need nginx nginx-light
need wrk wrk
need strace strace
need curl curl
need taskset util-linux
need ss iproute2
[ -x "$HAPROXY" ] || die "$HAPROXY not found (apt-get install haproxy, or set HAPROXY=)"
[ -x "$RHAPROXY" ] || die "$RHAPROXY not found (cargo build --release -p rhaproxy; make bench does it)"
NGINX="$(command -v nginx)"

# Other work on this machine (builds, tests) competes for both CPUs; a higher
# priority for this script and everything it starts keeps that noise down.
# NICE=0 disables it.
NICE="${NICE:--10}"
# The script itself (its awk, sed, polling) stays off the proxy's CPU.
taskset -p -c "$LOAD_CPU" $$ >/dev/null 2>&1 || true
if [ "$NICE" != 0 ]; then
    renice -n "$NICE" -p $$ >/dev/null 2>&1 || say "renice $NICE failed; running at normal priority"
fi

ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "$(ulimit -n)" -ge $((CONNS * 2 + 200)) ] ||
    die "ulimit -n is $(ulimit -n), need $((CONNS * 2 + 200)) for $CONNS connections"
# haproxy refuses to start when maxconn needs more fds than the hard limit:
# 2 per connection plus, with splice, 2 per pipe (maxpipes = maxconn / 4).
MAXCONN=$((($(ulimit -n) - 200) / 3))
[ "$MAXCONN" -gt 20000 ] && MAXCONN=20000

# ---------------------------------------------------------------- processes
# Every process is started here, remembered by PID and stopped by PID; a PID
# leaves the list once reaped, so a recycled PID is never signalled.
PIDS=()
track() { PIDS+=("$1"); }
forget() {
    local keep=() p
    for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
    PIDS=("${keep[@]}")
}
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
}
trap cleanup EXIT
trap 'say "stopped by a signal"; exit 130' INT TERM HUP
trap 'say "failed at line $LINENO: $BASH_COMMAND"' ERR

# wait_gone PID TENTHS: poll until PID is gone, at most TENTHS/10 s.
wait_gone() {
    local i
    for i in $(seq 1 "$2"); do
        kill -0 "$1" 2>/dev/null || return 0
        sleep 0.1
    done
    return 1
}
# stop_pid PID: SIGTERM, up to 5 s of grace, then SIGKILL; reap if ours.
stop_pid() {
    kill "$1" 2>/dev/null || true
    wait_gone "$1" 50 || kill -9 "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
    forget "$1"
}

# Four free loopback ports below the ephemeral range (32768+ here): a port
# the kernel hands out for outgoing connections can be taken, or left in
# TIME_WAIT without SO_REUSEADDR, by someone else's client between two proxy
# restarts, and the next bind would fail.
read -r P_NGINX P_SOURCE P_HAPROXY P_RHAPROXY < <("$PY" - <<'EOF'
import random, socket
lo = 20000
hi = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
if hi - lo < 1000:
    lo = 1024
got = []
for _ in range(500):
    if len(got) == 4:
        break
    port = random.randrange(lo, hi)
    if port in got:
        continue
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
        got.append(port)
    except OSError:
        pass
    finally:
        s.close()
print(*got)
EOF
)
[ -n "${P_RHAPROXY:-}" ] || die "no four free loopback ports found"

listening() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }
# wait_port PORT PID NAME: up to 5 s for PORT to listen while PID lives.
wait_port() {
    local i
    for i in $(seq 1 100); do
        listening "$1" && return 0
        kill -0 "$2" 2>/dev/null || { say "$3 exited before listening on :$1"; return 1; }
        sleep 0.05
    done
    say "$3 is not listening on :$1 after 5 s"
    return 1
}

# ---------------------------------------------------------------- backends
cat >"$WORK/nginx.conf" <<EOF
worker_processes 1;
master_process off;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx.err warn;
worker_rlimit_nofile 20000;
events { worker_connections 10000; }
http {
    access_log off;
    default_type text/plain;
    keepalive_requests 1000000;
    keepalive_timeout 300s;
    client_body_temp_path $WORK/nginx-tmp;
    server {
        listen 127.0.0.1:$P_NGINX backlog=4096;
        location / { return 200 "hello\n"; }
    }
}
EOF
mkdir -p "$WORK/nginx-tmp"
taskset -c "$LOAD_CPU" "$NGINX" -p "$WORK" -e "$WORK/nginx.err" -c "$WORK/nginx.conf" >"$WORK/nginx.out" 2>&1 &
NGINX_PID=$!
track "$NGINX_PID"
taskset -c "$LOAD_CPU" "$PY" "$LOAD" source "$P_SOURCE" >"$WORK/source.out" 2>&1 &
SOURCE_PID=$!
track "$SOURCE_PID"
wait_port "$P_NGINX" "$NGINX_PID" nginx || die "nginx did not start: $(tail -n3 "$WORK/nginx.err" 2>/dev/null)"
wait_port "$P_SOURCE" "$SOURCE_PID" source || die "source did not start: $(cat "$WORK/source.out")"
curl -fsS "http://127.0.0.1:$P_NGINX/" | grep -qx hello || die "nginx does not answer hello"

# ---------------------------------------------------------------- proxies
# gen_cfg PORT BACKEND_PORT SPLICE(0|auto|force) -> config on stdout
gen_cfg() {
    cat <<EOF
global
    nbthread 1
    maxconn $MAXCONN

defaults
    mode tcp
    timeout connect 5s
    timeout client 60s
    timeout server 60s

listen bench
    bind 127.0.0.1:$1
EOF
    case "$3" in
    auto) echo "    option splice-auto" ;;
    force) printf '    option splice-request\n    option splice-response\n' ;;
    esac
    echo "    server s1 127.0.0.1:$2"
}

bin_of() { if [ "$1" = haproxy ]; then echo "$HAPROXY"; else echo "$RHAPROXY"; fi; }
port_of() { if [ "$1" = haproxy ]; then echo "$P_HAPROXY"; else echo "$P_RHAPROXY"; fi; }

# start_proxy NAME BACKEND_PORT SPLICE TAG [wrapper...] -> PROXY_PID (the
# process that listens) and WRAP_PID (what was spawned; same unless wrapped).
PROXY_PID="" WRAP_PID=""
start_proxy() {
    local name="$1" bport="$2" splice="$3" tag="$4" port cfg
    shift 4
    port="$(port_of "$name")"
    cfg="$WORK/$name-$tag.cfg"
    gen_cfg "$port" "$bport" "$splice" >"$cfg"
    # A previous instance may still hold the port for a moment.
    local i
    for i in $(seq 1 50); do listening "$port" || break; sleep 0.1; done
    taskset -c "$PROXY_CPU" "$@" "$(bin_of "$name")" -db -f "$cfg" >>"$WORK/$name.log" 2>&1 &
    WRAP_PID=$!
    track "$WRAP_PID"
    PROXY_PID="$WRAP_PID"
    if ! wait_port "$port" "$WRAP_PID" "$name"; then
        say "$name log: $(tail -n3 "$WORK/$name.log" | tr '\n' ' ')"
        stop_pid "$WRAP_PID"
        return 1
    fi
    if [ $# -gt 0 ]; then # wrapped (strace): the proxy is the wrapper's child
        for i in $(seq 1 50); do
            PROXY_PID="$(pgrep -P "$WRAP_PID" | sed -n 1p || true)"
            [ -n "$PROXY_PID" ] && break
            sleep 0.05
        done
        [ -n "$PROXY_PID" ] || { stop_pid "$WRAP_PID"; return 1; }
        track "$PROXY_PID"
    fi
    curl -fsS --max-time 5 "http://127.0.0.1:$port/" >/dev/null 2>&1 || true # warm-up
    return 0
}
stop_proxy() {
    if [ "$PROXY_PID" != "$WRAP_PID" ]; then
        # strace writes its table when its tracee exits: stop the proxy,
        # then give strace time to finish on its own.
        kill "$PROXY_PID" 2>/dev/null || true
        wait_gone "$PROXY_PID" 50 || kill -9 "$PROXY_PID" 2>/dev/null || true
        forget "$PROXY_PID"
        wait_gone "$WRAP_PID" 50 || true
    fi
    stop_pid "$WRAP_PID"
}

# Pipe fds of PID; fds come and go while find walks them, so its status is
# ignored.
pipe_fds() { { find "/proc/$1/fd" -lname 'pipe:*' 2>/dev/null || true; } | wc -l; }
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
# Private (clean + dirty) memory is what the connections cost: unlike Pss it
# does not move when another process mapping the same binary comes or goes.
priv_kb() { awk '$1 == "Private_Clean:" || $1 == "Private_Dirty:" { s += $2; n++ } END { if (n) print s; else print "NA" }' "/proc/$1/smaps_rollup" 2>/dev/null || echo NA; }

printf 'metric\tproxy\tround\tvalue\tnote\n' >"$RAW"
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "${5:-}" >>"$RAW"; }
FAILED=()
failed() { FAILED+=("$1: $2"); say "FAILED $1: $2"; }

# ---------------------------------------------------------------- tests
test_idle() { # NAME ROUND
    local name="$1" r="$2" port rss0 priv0 rss1 priv1 ready="$WORK/idle-ready.$1.$2" cpid i n
    port="$(port_of "$name")"
    start_proxy "$name" "$P_NGINX" 0 idle || { failed "$name idle" "proxy did not start"; return 0; }
    sleep 0.3
    rss0="$(status_kb "$PROXY_PID" VmRSS)" priv0="$(priv_kb "$PROXY_PID")"
    rm -f "$ready"
    taskset -c "$LOAD_CPU" "$PY" "$LOAD" idle "$port" "$CONNS" "$ready" 120 2>>"$WORK/idle-client.err" &
    cpid=$!
    track "$cpid"
    for i in $(seq 1 600); do
        [ -s "$ready" ] && break
        kill -0 "$cpid" 2>/dev/null || break
        sleep 0.1
    done
    n="$(cat "$ready" 2>/dev/null || echo 0)"
    if [ "$n" -gt 0 ]; then
        sleep 1 # let the proxy settle (deferred frees, lazy pool growth)
        rss1="$(status_kb "$PROXY_PID" VmRSS)" priv1="$(priv_kb "$PROXY_PID")"
        record idle_rss "$name" "$r" "$(awk -v a="$rss0" -v b="$rss1" -v n="$n" 'BEGIN { printf "%.2f", (b - a) / n }')" "conns=$n rss_kb=$rss0->$rss1"
        if [ "$priv0" != NA ] && [ "$priv1" != NA ]; then
            record idle_priv "$name" "$r" "$(awk -v a="$priv0" -v b="$priv1" -v n="$n" 'BEGIN { printf "%.2f", (b - a) / n }')" "private_kb=$priv0->$priv1"
        fi
        [ "$n" -lt "$CONNS" ] && failed "$name idle" "only $n of $CONNS connections completed a request"
    else
        failed "$name idle" "no connection completed a request"
    fi
    stop_pid "$cpid"
    stop_proxy
}

test_thr() { # NAME ROUND SPLICE(0|auto|force)
    local name="$1" r="$2" splice="$3" port c0 c1 out metric
    case "$splice" in
    0) metric=thr_copy ;;
    auto) metric=thr_splice ;;
    *) metric=thr_force ;;
    esac
    port="$(port_of "$name")"
    start_proxy "$name" "$P_SOURCE" "$splice" "thr$splice" || { failed "$name $metric" "proxy did not start"; return 0; }
    # A short warm-up transfer (socket buffers, pools), not recorded.
    taskset -c "$LOAD_CPU" "$PY" "$LOAD" pull "$port" 1 $((8 << 20)) 20 >/dev/null 2>&1 || true
    c0="$(cpu_ticks "$PROXY_PID")"
    local res="$WORK/pull.out" ppid pipes=0 p i rc base
    # Pipes the proxy holds anyway (e.g. haproxy's own wake-up pipe).
    base="$(pipe_fds "$PROXY_PID")"
    timeout 120 taskset -c "$LOAD_CPU" "$PY" "$LOAD" pull "$port" "$STREAMS" $((STREAM_MB << 20)) 60 >"$res" 2>>"$WORK/pull.err" &
    ppid=$!
    track "$ppid"
    for i in $(seq 1 1300); do
        kill -0 "$ppid" 2>/dev/null || break
        p=$(($(pipe_fds "$PROXY_PID") - base))
        [ "$p" -gt "$pipes" ] && pipes="$p"
        sleep 0.1
    done
    rc=0
    wait "$ppid" || rc=$?
    forget "$ppid"
    out="$(cat "$res")"
    if [ "$rc" = 0 ]; then
        c1="$(cpu_ticks "$PROXY_PID")"
        local bytes secs mbps
        bytes="$(sed -n 's/.*bytes=\([0-9]*\).*/\1/p' <<<"$out")"
        secs="$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$out")"
        mbps="$(sed -n 's/.*mbps=\([0-9.]*\).*/\1/p' <<<"$out")"
        record "${metric}_mbps" "$name" "$r" "$mbps" "bytes=$bytes s=$secs pipes=$pipes"
        record "${metric}_cpu" "$name" "$r" "$(awk -v t=$((c1 - c0)) -v hz="$CLK_TCK" -v b="$bytes" 'BEGIN { printf "%.3f", t / hz / (b / 1e9) }')" "ticks=$((c1 - c0))"
    else
        failed "$name $metric" "transfer failed: $(tail -n1 "$WORK/pull.err")"
    fi
    stop_proxy
}

test_wrk() { # NAME ROUND MODE(ka|close)
    local name="$1" r="$2" mode="$3" port c0 c1 out reqs rps errs hdr=()
    port="$(port_of "$name")"
    [ "$mode" = close ] && hdr=(-H "Connection: close")
    start_proxy "$name" "$P_NGINX" 0 "wrk" || { failed "$name $mode" "proxy did not start"; return 0; }
    taskset -c "$LOAD_CPU" wrk -t1 -c50 -d1s "${hdr[@]}" "http://127.0.0.1:$port/" >/dev/null 2>&1 || true # warm-up
    c0="$(cpu_ticks "$PROXY_PID")"
    out="$(timeout $((WRK_SECS + 20)) taskset -c "$LOAD_CPU" wrk -t1 -c50 -d"${WRK_SECS}s" "${hdr[@]}" "http://127.0.0.1:$port/" 2>&1 || true)"
    c1="$(cpu_ticks "$PROXY_PID")"
    printf '== %s %s round %s\n%s\n' "$name" "$mode" "$r" "$out" >>"$WORK/wrk.txt"
    reqs="$(awk '/requests in/ { print $1 }' <<<"$out")"
    rps="$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")"
    errs="$(grep -E 'Socket errors|Non-2xx' <<<"$out" | tr -s ' ' | paste -sd';' - || true)"
    if [ -n "$reqs" ] && [ "$reqs" -gt 0 ]; then
        record "${mode}_rps" "$name" "$r" "$rps" "$errs"
        record "${mode}_cpu" "$name" "$r" "$(awk -v t=$((c1 - c0)) -v hz="$CLK_TCK" -v n="$reqs" 'BEGIN { printf "%.2f", t / hz * 1e6 / n }')" "ticks=$((c1 - c0)) reqs=$reqs"
        [ -n "$errs" ] && failed "$name $mode" "wrk reported: $errs"
    else
        failed "$name $mode" "wrk made no request: $(tail -n2 <<<"$out" | tr '\n' ' ')"
    fi
    stop_proxy
}

# strace_calls FILE -> "name calls" lines (strace -c table, totals excluded)
strace_calls() {
    awk '$NF != "total" && $NF != "syscall" && $1 ~ /^[0-9.]+$/ { print $NF, $4 }' "$1" | sort
}
test_sys() { # NAME MODE(ka|close) N1 N2
    local name="$1" mode="$2" a="$3" b="$4" port n f got hdr=()
    port="$(port_of "$name")"
    [ "$mode" = close ] && hdr=(-H "Connection: close")
    for n in "$a" "$b"; do
        f="$WORK/strace-$name-$mode-$n.txt"
        start_proxy "$name" "$P_NGINX" 0 sys strace -f -c -o "$f" || { failed "$name sys_$mode" "proxy did not start under strace"; return 0; }
        timeout 120 taskset -c "$LOAD_CPU" curl -s --max-time 110 "${hdr[@]}" "http://127.0.0.1:$port/[1-$n]" >"$WORK/curl-$name-$mode-$n.out" 2>&1 || true
        got="$(grep -c '^hello$' "$WORK/curl-$name-$mode-$n.out" || true)"
        stop_proxy
        [ "$got" = "$n" ] || { failed "$name sys_$mode" "curl got $got of $n answers"; return 0; }
    done
    join -a1 -a2 -e 0 -o 0,1.2,2.2 <(strace_calls "$WORK/strace-$name-$mode-$a.txt") <(strace_calls "$WORK/strace-$name-$mode-$b.txt") |
        awk -v d=$((b - a)) '{ x = ($3 - $2) / d; if (x >= 0.005 || x <= -0.005) printf "%-20s %8.3f\n", $1, x }' |
        sort -k2,2gr >"$WORK/syscalls-per-req-$name-$mode.txt"
    record "sys_$mode" "$name" 1 "$(awk '{ s += $2 } END { printf "%.2f", s }' "$WORK/syscalls-per-req-$name-$mode.txt")" \
        "$(awk '{ printf "%s=%s ", $1, $2 }' "$WORK/syscalls-per-req-$name-$mode.txt")"
}

# ---------------------------------------------------------------- run
say "haproxy $("$HAPROXY" -v 2>/dev/null | awk 'NR == 1 { print $3 }') vs $RHAPROXY; rounds=$ROUNDS conns=$CONNS wrk=${WRK_SECS}s thr=${STREAMS}x${STREAM_MB}MiB sys=$N1/$N2; out $WORK"
LOAD0="$(cut -d' ' -f1-3 /proc/loadavg)"
order() { if [ $(($1 % 2)) -eq 1 ]; then echo haproxy rhaproxy; else echo rhaproxy haproxy; fi; }
for r in $(seq 1 "$ROUNDS"); do
    for p in $(order "$r"); do test_idle "$p" "$r"; done
    for p in $(order "$r"); do test_thr "$p" "$r" 0; done
    for p in $(order $((r + 1))); do test_thr "$p" "$r" auto; done
    for p in $(order "$r"); do test_thr "$p" "$r" force; done
    for p in $(order "$r"); do test_wrk "$p" "$r" ka; done
    for p in $(order $((r + 1))); do test_wrk "$p" "$r" close; done
    say "round $r/$ROUNDS done ($(($(date +%s) - T_START)) s)"
done
for p in haproxy rhaproxy; do test_sys "$p" ka "$N1" "$N2"; done
for p in haproxy rhaproxy; do test_sys "$p" close "$NC1" "$NC2"; done
LOAD1="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------- summary
stats() { # metric proxy -> "median min max n"
    awk -F'\t' -v m="$1" -v p="$2" 'NR > 1 && $1 == m && $2 == p { print $4 }' "$RAW" | sort -g |
        awk '{ v[NR] = $1 } END {
            if (NR == 0) { print "NA NA NA 0"; exit }
            med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%s %s %s %d\n", med, v[1], v[NR], NR }'
}
row() { # metric label unit better(lower|higher)
    local h hmin hmax hn r rmin rmax rn ratio verdict
    read -r h hmin hmax hn <<<"$(stats "$1" haproxy)"
    read -r r rmin rmax rn <<<"$(stats "$1" rhaproxy)"
    ratio=NA verdict=""
    if [ "$h" != NA ] && [ "$r" != NA ]; then
        ratio="$(awk -v a="$r" -v b="$h" 'BEGIN { if (b == 0) print "NA"; else printf "%.2f", a / b }')"
        # ok: as good or within 5%; ~: worse median, but the two ranges
        # overlap (an A/A run of haproxy against itself shows ~10-20% on
        # the rates when other work shares the machine); WORSE otherwise.
        if [ "$ratio" != NA ]; then
            verdict="$(awk -v x="$ratio" -v b="$4" -v hmin="$hmin" -v hmax="$hmax" -v rmin="$rmin" -v rmax="$rmax" 'BEGIN {
                if ((b == "lower" && x <= 1.05) || (b == "higher" && x >= 0.95)) print "ok"
                else if (rmin + 0 <= hmax + 0 && hmin + 0 <= rmax + 0) print "~"
                else print "WORSE" }')"
        fi
    fi
    spread() { [ "$1" = NA ] && echo "" || { [ "$3" -gt 1 ] && echo "($1-$2)" || echo ""; }; }
    printf '%-28s %-9s %10s %-17s %10s %-17s %6s %s\n' "$2" "$3" "$h" "$(spread "$hmin" "$hmax" "$hn")" "$r" "$(spread "$rmin" "$rmax" "$rn")" "$ratio" "$verdict"
}
{
    echo "haproxy vs rhaproxy, mode tcp, nbthread 1 ($STAMP, $(getconf _NPROCESSORS_ONLN) CPUs, $(uname -r))"
    echo "haproxy:  $("$HAPROXY" -v 2>/dev/null | sed -n 1p)"
    echo "rhaproxy: $RHAPROXY"
    echo "proxy on CPU $PROXY_CPU, nginx/source/clients on CPU $LOAD_CPU, nice $(ps -o ni= -p $$ | tr -d ' '); rounds=$ROUNDS (A/B alternating), loadavg $LOAD0 -> $LOAD1"
    echo "idle: $CONNS conns; thr: $STREAMS x $STREAM_MB MiB; wrk -t1 -c50 -d${WRK_SECS}s; sys: strace -f -c, N=$N2 minus N=$N1 (close: $NC2 minus $NC1)"
    echo
    printf '%-28s %-9s %10s %-17s %10s %-17s %6s %s\n' metric unit haproxy "(min-max)" rhaproxy "(min-max)" "r/h" ""
    row idle_rss "idle conn RSS" kB/conn lower
    row idle_priv "idle conn private mem" kB/conn lower
    row thr_copy_mbps "throughput (copy)" MB/s higher
    row thr_copy_cpu "CPU per GB (copy)" s/GB lower
    row thr_splice_mbps "throughput (splice-auto)" MB/s higher
    row thr_splice_cpu "CPU per GB (splice-auto)" s/GB lower
    row thr_force_mbps "throughput (splice req+resp)" MB/s higher
    row thr_force_cpu "CPU per GB (splice req+resp)" s/GB lower
    row ka_rps "keep-alive req/s" req/s higher
    row ka_cpu "keep-alive CPU per req" us/req lower
    row close_rps "conn: close req/s" req/s higher
    row close_cpu "conn: close CPU per req" us/req lower
    row sys_ka "syscalls per ka request" calls lower
    row sys_close "syscalls per close request" calls lower
    echo
    for m in thr_copy thr_splice thr_force; do
        printf '%s: most pipe fds opened during the transfer, per run (0 = no splicing): haproxy %s, rhaproxy %s\n' "$m" \
            "$(awk -F'\t' -v m="${m}_mbps" '$1 == m && $2 == "haproxy" { sub(/.*pipes=/, "", $5); printf "%s ", $5 }' "$RAW")" \
            "$(awk -F'\t' -v m="${m}_mbps" '$1 == m && $2 == "rhaproxy" { sub(/.*pipes=/, "", $5); printf "%s ", $5 }' "$RAW")"
    done
    for m in ka close; do
        for p in haproxy rhaproxy; do
            [ -s "$WORK/syscalls-per-req-$p-$m.txt" ] && echo "$p syscalls per $m request: $(awk '{ printf "%s %s, ", $1, $2 }' "$WORK/syscalls-per-req-$p-$m.txt" | sed 's/, $//')"
        done
    done
    if [ ${#FAILED[@]} -gt 0 ]; then
        echo
        echo "FAILURES (figures above exclude these runs):"
        printf '  %s\n' "${FAILED[@]}"
    fi
    echo
    echo "r/h: rhaproxy / haproxy medians. ok = as good or within 5%; ~ = worse median but overlapping ranges; WORSE = no overlap"
    echo "raw: $RAW ($(($(date +%s) - T_START)) s)"
} | tee "$WORK/summary.txt"
cp "$WORK/summary.txt" "$OUT/tcp-latest.txt"
