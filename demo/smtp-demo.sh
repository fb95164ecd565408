#!/usr/bin/env bash
# The guide's SMTP cluster on one machine: two postfix smtp-sink "nodes"
# behind the proxy, mail sent with swaks, health checks taking a node out
# and back in, and the syslog lines that show it all.
#
#   bash demo/smtp-demo.sh                         # our release build
#   HAPROXY_BIN=/usr/sbin/haproxy bash demo/smtp-demo.sh   # the real one
#
# Only loopback is used (127.0.0.10-12 port 2525, syslog on udp 5514).
# Every process started here is stopped by its PID when the script ends.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
PROXY=${HAPROXY_BIN:-$TARGET_DIR/release/rhaproxy}
CFG=$ROOT/demo/haproxy-smtp.cfg
CARGO=${CARGO:-cargo}

FRONT_IP=127.0.0.10
PORT=2525
NODES=(dc1server01 dc1server02)
NODE_IP=(127.0.0.11 127.0.0.12)
SYSLOG=127.0.0.1:5514
WAIT_STEPS=60 # x 0.1 s: the longest any step waits for something to happen

say() { printf '%s\n' "$*"; }
step() { printf '\n== %s\n' "$*"; }

# ------------------------------------------------------------ tools
need_tools() {
    command -v smtp-sink >/dev/null 2>&1 || [ -x /usr/sbin/smtp-sink ] || return 1
    command -v swaks >/dev/null 2>&1 || return 1
}

if ! need_tools; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        step "installing postfix (for smtp-sink) and swaks"
        # Debian starts postfix on port 25; the demo stays on 2525.
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -q postfix swaks >/dev/null ||
            { apt-get update -q >/dev/null && apt-get install -y -q postfix swaks >/dev/null; } ||
            say "   apt-get could not install them"
    fi
fi
if ! need_tools; then
    step "smtp-sink or swaks is missing"
    say "   The live part of the demo needs them: as root, 'apt-get install postfix swaks'"
    say "   (or run this as root and it installs them). Only the config check runs now."
    "$PROXY" -c -f "$CFG"
    exit $?
fi
SMTP_SINK=$(command -v smtp-sink || echo /usr/sbin/smtp-sink)

if [ ! -x "$PROXY" ]; then
    say "proxy binary not found: $PROXY (run 'make release' or set HAPROXY_BIN)"
    exit 1
fi
if ! "$CARGO" build -q --release -p rhaproxy --example syslog_sink; then
    say "could not build the syslog receiver (cargo build --release -p rhaproxy --example syslog_sink)"
    exit 1
fi
SYSLOG_SINK=$TARGET_DIR/release/examples/syslog_sink

# ---------------------------------------------------------- teardown
WORK=$(mktemp -d /tmp/rhaproxy-smtp-demo.XXXXXX)
chmod 777 "$WORK" # smtp-sink run as root writes its dumps as nobody
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do
        kill "$p" 2>/dev/null
    done
    for p in "${PIDS[@]}"; do
        wait "$p" 2>/dev/null
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

forget_pid() {
    local keep=() p
    for p in "${PIDS[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
    PIDS=("${keep[@]}")
}

# /proc/net/tcp shows a listening 127.0.0.X:PORT as hex, in host order.
listening() {
    local a b c d hex_le hex_be port
    IFS=. read -r a b c d <<<"$1"
    port=$(printf '%04X' "$2")
    hex_le=$(printf '%02X%02X%02X%02X' "$d" "$c" "$b" "$a")
    hex_be=$(printf '%02X%02X%02X%02X' "$a" "$b" "$c" "$d")
    grep -Eq " ($hex_le|$hex_be):$port 00000000:0000 0A " /proc/net/tcp
}

wait_until() { # wait_until <what> <command...>: bounded poll; status 2 gives up
    local what=$1 i rc
    shift
    for ((i = 0; i < WAIT_STEPS; i++)); do
        "$@"
        rc=$?
        [ "$rc" = 0 ] && return 0
        [ "$rc" = 2 ] && break
        sleep 0.1
    done
    say "   gave up waiting for $what"
    return 1
}

# ------------------------------------------------------------- nodes
declare -A NODE_PID
RUN=0
start_node() { # start_node <index>
    local name=${NODES[$1]} ip=${NODE_IP[$1]} dir user=()
    RUN=$((RUN + 1))
    dir=$WORK/$name/run$RUN # a fresh dir per start: dump names are random
    mkdir -p "$dir" && chmod 777 "$WORK/$name" "$dir"
    [ "$(id -u)" = 0 ] && user=(-u nobody)
    "$SMTP_SINK" "${user[@]}" -h "$name" -d "$dir/m." "$ip:$PORT" 16 &
    NODE_PID[$name]=$!
    PIDS+=($!)
    wait_until "$name to listen" listening "$ip" "$PORT" || exit 1
    say "   $name: smtp-sink on $ip:$PORT (pid ${NODE_PID[$name]})"
}

stop_node() { # stop_node <index>
    local name=${NODES[$1]} pid
    pid=${NODE_PID[$name]}
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    forget_pid "$pid"
    say "   $name stopped (pid $pid killed)"
}

delivered() { find "$WORK/$1" -type f | wc -l; }

# -------------------------------------------------------------- mail
SEQ=0
traffic_lines() { grep -c ' smtpdc1 ' "$WORK/syslog.log"; }

send_mail() {
    local before line server
    SEQ=$((SEQ + 1))
    before=$(traffic_lines)
    if ! swaks --server "$FRONT_IP" --port "$PORT" --timeout 5 \
        --from demo@example.com --to postmaster@example.com \
        --header "Subject: demo mail $SEQ" >"$WORK/swaks.$SEQ" 2>&1; then
        say "   mail $SEQ: refused (swaks: $(tail -n 1 "$WORK/swaks.$SEQ"))"
        return 1
    fi
    wait_until "the log line of mail $SEQ" eval '[ "$(traffic_lines)" -gt "$before" ]' || return 1
    line=$(grep ' smtpdc1 ' "$WORK/syslog.log" | sed -n "$((before + 1))p")
    server=$(sed -n 's#.* emailservice/\([^ ]*\) .*#\1#p' <<<"$line")
    say "   mail $SEQ -> $server"
}

# Prints the proxy's stderr line about <server> going <state>.
show_state() { # show_state <server> <UP|DOWN> <from line>
    local pat="Server emailservice/$1 is $2" since=$3
    wait_until "$1 to be $2" eval 'tail -n +"$since" "$WORK/proxy.err" | grep -q "$pat"' || return 1
    tail -n +"$since" "$WORK/proxy.err" | grep "$pat" | head -n 1 | sed 's/^/   proxy: /'
}

err_lines() { wc -l <"$WORK/proxy.err"; }

# --------------------------------------------------------------- run
step "the guide's SMTP cluster, on loopback"
say "   proxy:  $PROXY"
say "   config: ${CFG#"$ROOT"/}"
for i in 0 1; do
    if listening "${NODE_IP[$i]}" "$PORT"; then
        say "   ${NODE_IP[$i]}:$PORT is already taken; is another demo running?"
        exit 1
    fi
done

step "$(basename "$PROXY") -c (the configuration check)"
"$PROXY" -c -f "$CFG" 2>&1 | sed 's/^/   /'

step "starting the two mail nodes, the syslog receiver and the proxy"
start_node 0
start_node 1
"$SYSLOG_SINK" "$SYSLOG" >"$WORK/syslog.log" &
SYSLOG_PID=$!
PIDS+=($SYSLOG_PID)
say "   syslog receiver on udp $SYSLOG (pid $SYSLOG_PID)"
"$PROXY" -db -f "$CFG" 2>"$WORK/proxy.err" &
PROXY_PID=$!
PIDS+=($PROXY_PID)
proxy_up() {
    kill -0 "$PROXY_PID" 2>/dev/null || return 2
    listening "$FRONT_IP" "$PORT"
}
if ! wait_until "the proxy to listen" proxy_up; then
    sed 's/^/   proxy: /' "$WORK/proxy.err"
    if grep -q 'not part of this build yet' "$WORK/proxy.err"; then
        say "   This build of rhaproxy cannot serve yet; HAPROXY_BIN=/usr/sbin/haproxy runs the demo on the real one."
    fi
    exit 1
fi
say "   proxy on $FRONT_IP:$PORT (pid $PROXY_PID)"
if ! kill -0 "$SYSLOG_PID" 2>/dev/null; then
    say "   the syslog receiver is gone (udp $SYSLOG taken?); the demo reads its lines"
    exit 1
fi

step "1. four mails through the proxy: roundrobin alternates the nodes"
for _ in 1 2 3 4; do send_mail; done

step "2. dc1server01 goes away: the SMTP check marks it DOWN, mail goes to dc1server02"
from=$(($(err_lines) + 1))
stop_node 0
show_state dc1server01 DOWN "$from"
for _ in 1 2 3; do send_mail; done

step "3. dc1server01 comes back: UP after two good checks, in the rotation again"
from=$(($(err_lines) + 1))
start_node 0
show_state dc1server01 UP "$from"
for _ in 1 2 3 4; do send_mail; done

step "what each node received (message files smtp-sink wrote)"
for n in "${NODES[@]}"; do say "   $n: $(delivered "$n") mails"; done

step "the syslog receiver's lines (option tcplog; local2.info is <150>)"
sed 's/^/   /' "$WORK/syslog.log"

step "done: stopping everything"
