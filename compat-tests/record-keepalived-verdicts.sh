#!/bin/bash
# Regenerate fixtures/keepalived/expected.tsv and fixtures/keepalived/expected-stderr/
# from the real keepalived 2.2.7 ("the oracle").
#
# `keepalived -t` looks at the host's interfaces, so every check runs inside a
# throw-away network namespace that holds exactly lo, eth0 and eth1 (dummy links,
# or a veth pair eth0<->eth1 where the dummy driver is not available). The
# namespace name contains this script's PID and is removed on exit.
#
# For every fixtures/keepalived/*.conf (sorted, C locale) it runs
#
#     keepalived -t -i node1 -f FILE        (cwd = fixtures/keepalived)
#
# and records
#     expected.tsv                   <file> TAB <exit code>
#     expected-stderr/<file>.txt     the complete stderr of that run
#
# Usage (as root): compat-tests/record-keepalived-verdicts.sh
#        KEEPALIVED=/path overrides the binary (default /usr/sbin/keepalived).
set -eu

KEEPALIVED=${KEEPALIVED:-/usr/sbin/keepalived}
PER_RUN_TIMEOUT=20

if [ "$(id -u)" != 0 ]; then
    echo "error: must run as root (needs ip netns)" >&2
    exit 1
fi
if [ ! -x "$KEEPALIVED" ]; then
    echo "error: $KEEPALIVED not found or not executable (set KEEPALIVED=...)" >&2
    exit 1
fi
command -v ip >/dev/null || { echo "error: iproute2 'ip' not found" >&2; exit 1; }

here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../fixtures/keepalived"

ns="rka-rec-$$"
tmp=expected.tsv.tmp.$$
errtmp=expected-stderr.tmp.$$
cleanup() {
    ip netns del "$ns" 2>/dev/null || true
    rm -rf "$tmp" "$errtmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$ns"
ip -n "$ns" link set lo up
if ip -n "$ns" link add eth0 type dummy 2>/dev/null; then
    ip -n "$ns" link add eth1 type dummy
else
    ip -n "$ns" link add eth0 type veth peer name eth1
fi
ip -n "$ns" link set eth0 up
ip -n "$ns" link set eth1 up

: > "$tmp"
mkdir -p "$errtmp"
for f in $(ls -- *.conf | LC_ALL=C sort); do
    set +e
    ip netns exec "$ns" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C \
        timeout -k 2 "$PER_RUN_TIMEOUT" "$KEEPALIVED" -t -i node1 -f "$f" \
        </dev/null >/dev/null 2>"$errtmp/$f.txt"
    rc=$?
    set -e
    printf '%s\t%s\n' "$f" "$rc" >> "$tmp"
done

rm -rf expected-stderr
mv "$errtmp" expected-stderr
mv "$tmp" expected.tsv
echo "wrote $(pwd)/expected.tsv and expected-stderr/:"
cut -f2 expected.tsv | sort -n | uniq -c | awk '{print "  exit " $2 ": " $1 " file(s)"}'
