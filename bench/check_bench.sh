#!/usr/bin/env bash
# `make bench`: time `haproxy -c` and `rhaproxy -c` on the same generated
# configuration, in the same run, alternating A/B.
#
#   bash bench/check_bench.sh                 # 10,000 backends x 10 servers, 5 runs each
#   BACKENDS=1000 SERVERS=5 RUNS=9 bash bench/check_bench.sh
#
# Environment: BACKENDS, SERVERS, RUNS, HAPROXY (default /usr/sbin/haproxy),
# RHAPROXY (default target/release/rhaproxy; `make bench` builds it first).
# Peak RSS comes from GNU time (`/usr/bin/time -f %M`; Debian package `time`).
# Results go to bench/out/ (gitignored): the generated config, one TSV row per
# run, and the printed summary.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BACKENDS="${BACKENDS:-10000}"
SERVERS="${SERVERS:-10}"
RUNS="${RUNS:-5}"
HAPROXY="${HAPROXY:-/usr/sbin/haproxy}"
RHAPROXY="${RHAPROXY:-$ROOT/target/release/rhaproxy}"
OUT="$ROOT/bench/out"
mkdir -p "$OUT"
CFG="$OUT/check-${BACKENDS}x${SERVERS}.cfg"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RAW="$OUT/runs-$STAMP.tsv"
SUMMARY="$OUT/summary-$STAMP.txt"

for bin in "$HAPROXY" "$RHAPROXY"; do
    if [ ! -x "$bin" ]; then
        echo "bench: $bin not found or not executable" >&2
        [ "$bin" = "$HAPROXY" ] && echo "bench: apt-get install haproxy (2.6), or set HAPROXY=" >&2
        [ "$bin" = "$RHAPROXY" ] && echo "bench: cargo build --release -p rhaproxy (make bench does it)" >&2
        exit 1
    fi
done
GNU_TIME=/usr/bin/time
if ! "$GNU_TIME" -f %M true >/dev/null 2>&1; then
    echo "bench: GNU time missing, peak RSS will not be measured (apt-get install time)" >&2
    GNU_TIME=""
fi

# ---------------------------------------------------------------- config
# Servers get loopback addresses (127.0.0.0/8) and, every tenth one, a
# TEST-NET address (RFC 5737), so nothing is resolved and nothing routable
# is named. One frontend routes to every backend with a use_backend rule.
gen() {
    awk -v nb="$BACKENDS" -v ns="$SERVERS" 'BEGIN {
        print "global"
        print "    maxconn 100000"
        print ""
        print "defaults"
        print "    mode http"
        print "    timeout connect 5s"
        print "    timeout client 30s"
        print "    timeout server 30s"
        print ""
        print "frontend fe_main"
        print "    bind 127.0.0.1:18080"
        for (b = 0; b < nb; b++)
            printf "    use_backend be_%d if { path_beg /app%d/ }\n", b, b
        print "    default_backend be_0"
        for (b = 0; b < nb; b++) {
            printf "\nbackend be_%d\n", b
            print  "    balance roundrobin"
            print  "    option httpchk GET /health"
            for (s = 0; s < ns; s++) {
                n = b * ns + s
                if (s == 9)
                    printf "    server s%d 192.0.2.%d:8080 check weight 10\n", s, n % 254 + 1
                else
                    printf "    server s%d 127.%d.%d.%d:%d check\n", s, int(n / 65536) % 256, int(n / 256) % 256, n % 256, 8000 + s
            }
        }
    }'
}
if [ ! -s "$CFG" ] || [ "$0" -nt "$CFG" ]; then
    gen >"$CFG.tmp" && mv "$CFG.tmp" "$CFG"
fi
LINES=$(wc -l <"$CFG")
BYTES=$(wc -c <"$CFG")

# ---------------------------------------------------------------- runs
now_ns() { date +%s%N; }

# run_one NAME BIN -> appends "name run wall_ms rss_kb exit" to $RAW
run_one() {
    local name="$1" bin="$2" i="$3" t0 t1 rc rss=""
    local rssf="$OUT/.rss.$$" errf="$OUT/.err.$name"
    t0=$(now_ns)
    set +e
    if [ -n "$GNU_TIME" ]; then
        "$GNU_TIME" -f %M -o "$rssf" "$bin" -c -f "$CFG" >/dev/null 2>"$errf"
    else
        "$bin" -c -f "$CFG" >/dev/null 2>"$errf"
    fi
    rc=$?
    set -e
    t1=$(now_ns)
    [ -n "$GNU_TIME" ] && rss=$(tail -n1 "$rssf")
    rm -f "$rssf"
    printf '%s\t%d\t%.1f\t%s\t%d\n' "$name" "$i" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e6 }')" "${rss:-NA}" "$rc" >>"$RAW"
}

printf 'tool\trun\twall_ms\tpeak_rss_kb\texit\n' >"$RAW"
echo "bench: $CFG ($BACKENDS backends x $SERVERS servers, $LINES lines, $BYTES bytes), $RUNS runs each" >&2
# One warm-up each (page cache, binary load), not recorded.
"$HAPROXY" -c -f "$CFG" >/dev/null 2>&1 || true
"$RHAPROXY" -c -f "$CFG" >/dev/null 2>&1 || true
for i in $(seq 1 "$RUNS"); do
    if [ $((i % 2)) -eq 1 ]; then
        run_one haproxy "$HAPROXY" "$i"
        run_one rhaproxy "$RHAPROXY" "$i"
    else
        run_one rhaproxy "$RHAPROXY" "$i"
        run_one haproxy "$HAPROXY" "$i"
    fi
    echo "bench: round $i/$RUNS done" >&2
done

# ---------------------------------------------------------------- summary
stats() { # tool column -> "min median max"
    awk -F'\t' -v t="$1" -v c="$2" 'NR > 1 && $1 == t && $c != "NA" { print $c }' "$RAW" |
        sort -g | awk '{ v[NR] = $1 } END {
            if (NR == 0) { print "NA NA NA"; exit }
            m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%s %s %s\n", v[1], m, v[NR] }'
}
exits() { awk -F'\t' -v t="$1" 'NR > 1 && $1 == t { print $5 }' "$RAW" | sort -u | paste -sd, -; }

read -r h_min h_med h_max <<<"$(stats haproxy 3)"
read -r r_min r_med r_max <<<"$(stats rhaproxy 3)"
read -r h_rss_min h_rss_med h_rss_max <<<"$(stats haproxy 4)"
read -r r_rss_min r_rss_med r_rss_max <<<"$(stats rhaproxy 4)"
ratio() { if [ "$1" = NA ] || [ "$2" = NA ]; then echo NA; else awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", a / b }'; fi; }
mib() { if [ "$1" = NA ]; then echo NA; else awk -v a="$1" 'BEGIN { printf "%.1f\n", a / 1024 }'; fi; }

{
    echo "rhaproxy -c vs haproxy -c  ($STAMP, $(nproc) CPUs, $(uname -r))"
    echo "config: $(basename "$CFG"): $BACKENDS backends x $SERVERS servers, $LINES lines, $BYTES bytes; $RUNS runs each, alternating"
    echo "haproxy:  $("$HAPROXY" -v 2>/dev/null | head -n1)"
    echo "rhaproxy: $RHAPROXY"
    echo
    printf '%-9s %6s %10s %10s %10s %14s %14s\n' tool exit "min ms" "median ms" "max ms" "RSS med MiB" "RSS max MiB"
    printf '%-9s %6s %10s %10s %10s %14s %14s\n' haproxy "$(exits haproxy)" "$h_min" "$h_med" "$h_max" "$(mib "$h_rss_med")" "$(mib "$h_rss_max")"
    printf '%-9s %6s %10s %10s %10s %14s %14s\n' rhaproxy "$(exits rhaproxy)" "$r_min" "$r_med" "$r_max" "$(mib "$r_rss_med")" "$(mib "$r_rss_max")"
    echo
    echo "ratio rhaproxy/haproxy: time (min) $(ratio "$r_min" "$h_min"), time (median) $(ratio "$r_med" "$h_med"), peak RSS (median) $(ratio "$r_rss_med" "$h_rss_med")"
    if [ "$(exits haproxy)" != "$(exits rhaproxy)" ]; then
        echo "WARNING: exit statuses differ; the verdicts disagree, so the timings compare different work."
        echo "  haproxy stderr: $(head -c 300 "$OUT/.err.haproxy")"
        echo "  rhaproxy stderr: $(head -c 300 "$OUT/.err.rhaproxy")"
    fi
    echo "raw runs: $RAW"
} | tee "$SUMMARY"
cp "$SUMMARY" "$OUT/latest.txt"
