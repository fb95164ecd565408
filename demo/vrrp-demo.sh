#!/usr/bin/env bash
# The guide's keepalived pair on one machine: two network namespaces
# (dc1server01, dc1server02) on a bridge, each running rkeepalived with
# the guide's instance (VIP, PASS authentication, chk_haproxy weight 20),
# a client namespace watching the VIP's neighbour entry. The demo lets
# them elect a master, makes the master's check fail, then stops the new
# master, and shows where the VIP is and what the nodes logged.
#
#   bash demo/vrrp-demo.sh                        # our release build
#   KEEPALIVED_BIN=/usr/sbin/keepalived bash demo/vrrp-demo.sh
#
# Addresses come from TEST-NET-2 (198.51.100.0/24) and live only inside
# the namespaces. Needs root (network namespaces); otherwise it says so.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
KA=${KEEPALIVED_BIN:-$TARGET_DIR/release/rkeepalived}
TAG=rkdemo$$
WORK=$(mktemp -d /tmp/rkeepalived-demo.XXXXXX)
VIP=198.51.100.3
PIDS=()

say() { printf '%s\n' "$*"; }
step() { printf '\n== %s\n' "$*"; }

if [ "$(id -u)" != 0 ]; then
    say "== VRRP half skipped: network namespaces need root (run 'sudo make demo')."
    exit 0
fi
if ! command -v ip >/dev/null 2>&1; then
    say "== VRRP half skipped: iproute2 ('ip') is not installed."
    exit 0
fi
if [ ! -x "$KA" ]; then
    say "== VRRP half skipped: $KA is not built."
    exit 0
fi

cleanup() {
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    sleep 0.3
    for n in n1 n2 c sw; do ip netns del "$TAG-$n" 2>/dev/null; done
    rm -rf "$WORK"
}
trap cleanup EXIT

ns() { echo "$TAG-$1"; }
holder() {
    for n in n1 n2; do
        if ip -n "$(ns $n)" -o addr show dev eth0 | grep -q "inet $VIP/"; then
            [ $n = n1 ] && echo dc1server01 || echo dc1server02
            return
        fi
    done
    echo nobody
}
wait_holder() { # NAME: wait up to 10 s for NAME to hold the VIP
    for _ in $(seq 100); do [ "$(holder)" = "$1" ] && return 0; sleep 0.1; done
    return 1
}

step "building the lab: bridge, two nodes, a client (TEST-NET-2 addresses)"
ip netns add "$(ns sw)"
ip -n "$(ns sw)" link add br0 type bridge
ip -n "$(ns sw)" link set br0 type bridge mcast_snooping 0 stp_state 0
ip -n "$(ns sw)" link set br0 up
i=0
for n in n1 n2 c; do
    i=$((i + 1))
    case $n in n1) a=198.51.100.11 ;; n2) a=198.51.100.12 ;; c) a=198.51.100.20 ;; esac
    ip netns add "$(ns $n)"
    ip -n "$(ns $n)" link set lo up
    ip link add "$TAG$n" netns "$(ns $n)" type veth peer name "p$i" netns "$(ns sw)"
    ip -n "$(ns $n)" link set "$TAG$n" name eth0
    ip -n "$(ns $n)" addr add "$a/24" dev eth0
    ip -n "$(ns $n)" link set eth0 up
    ip -n "$(ns sw)" link set "p$i" master br0 up
    say "   $n: $a"
done

for n in n1 n2; do
    touch "$WORK/$n.haproxy-up"
    cat >"$WORK/$n.conf" <<EOF
! The guide's instance, re-addressed to TEST-NET-2; the check script
! tests a flag file instead of 'killall -0 haproxy'.
vrrp_script chk_haproxy {
    script "/usr/bin/test -e $WORK/$n.haproxy-up"
    interval 1
    fall 1
    rise 1
}
vrrp_instance dc1server {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 101
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass 1111
    }
    virtual_ipaddress {
        $VIP/24
    }
    track_script {
        chk_haproxy weight 20
    }
}
EOF
done

step "starting $(basename "$KA") on dc1server01, then on dc1server02"
ip netns exec "$(ns n1)" "$KA" -P -n -l -D -f "$WORK/n1.conf" -p "$WORK/n1.pid" -r "$WORK/n1.vpid" 2>"$WORK/n1.log" &
PIDS+=($!)
sleep 1
ip netns exec "$(ns n2)" "$KA" -P -n -l -D -f "$WORK/n2.conf" -p "$WORK/n2.pid" -r "$WORK/n2.vpid" 2>"$WORK/n2.log" &
PIDS+=($!)
if wait_holder dc1server01; then
    say "   VIP $VIP is on $(holder) (first started, effective priority 121; equal priorities do not preempt)"
else
    say "   VIP is on $(holder)"
fi
mac1=$(ip -n "$(ns n1)" -o link show dev eth0 | sed -n 's/.*link\/ether \([^ ]*\).*/\1/p')
ip -n "$(ns c)" neigh replace "$VIP" lladdr "$mac1" dev eth0 nud stale
say "   client's neighbour entry: $(ip -n "$(ns c)" neigh show $VIP)"

step "haproxy 'dies' on dc1server01: chk_haproxy fails, 121 -> 101, the VIP moves"
rm -f "$WORK/n1.haproxy-up"
if wait_holder dc1server02; then say "   VIP $VIP is now on $(holder)"; else say "   VIP is on $(holder)"; fi
sleep 0.5
say "   client's neighbour entry: $(ip -n "$(ns c)" neigh show $VIP)   (moved by the gratuitous ARPs)"

step "haproxy back on dc1server01; dc1server02 is stopped (SIGTERM: priority-0 advert)"
touch "$WORK/n1.haproxy-up"
sleep 2
kill "${PIDS[1]}"
start=$(date +%s.%N)
if wait_holder dc1server01; then
    end=$(date +%s.%N)
    say "   VIP $VIP back on $(holder) after $(echo "$end - $start" | awk '{printf "%.2f", $1 - $3}') s"
fi

step "what the nodes logged (rkeepalived -l -D, keepalived's words)"
sleep 0.3
for n in n1 n2; do
    say "-- $n"
    grep -v 'Sending gratuitous ARP on' "$WORK/$n.log" | sed 's/^/   /'
done
step "done: stopping the nodes and removing the namespaces"
