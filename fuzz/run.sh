#!/usr/bin/env bash
# Run every cargo-fuzz target for N seconds each (default 60): `make fuzz`,
# or `bash fuzz/run.sh 300`, or `bash fuzz/run.sh 60 config` for one target.
#
# Needs a nightly toolchain and cargo-fuzz:
#   rustup toolchain install nightly
#   cargo install cargo-fuzz          # once; 0.12+ is fine
# This script installs cargo-fuzz itself when it is missing.
#
# Seed corpus: fixtures/haproxy/*.cfg are copied into fuzz/corpus/<target>/
# at run time (fuzz/corpus is gitignored). A crash leaves its input in
# fuzz/artifacts/<target>/; minimise it with
#   cargo +nightly fuzz tmin <target> fuzz/artifacts/<target>/crash-...
# then copy it to fuzz/regressions/<target>-<what>.bin: the stable test
# crates/haproxy-config/tests/fuzz_regressions.rs replays every file there.
set -euo pipefail

SECONDS_EACH="${1:-60}"
shift || true
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT/fuzz"

TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then
    TARGETS=(lexer config cond keepalived vrrp_packet)
fi

if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz: no nightly toolchain; install it with: rustup toolchain install nightly" >&2
    exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz (cargo install cargo-fuzz --locked)" >&2
    cargo install cargo-fuzz --locked
fi

seed() {
    local target="$1" dir="corpus/$1"
    mkdir -p "$dir"
    if [ "$target" = keepalived ]; then
        cp "$ROOT"/fixtures/keepalived/*.conf "$dir/" 2>/dev/null || true
        return 0
    fi
    for f in "$ROOT"/fixtures/haproxy/*.cfg; do
        if [ "$target" = lexer ]; then
            # The lexer sees one line at a time: seed it with single lines.
            local i=0
            while IFS= read -r line; do
                i=$((i + 1))
                [ -n "$line" ] && printf '%s' "$line" >"$dir/$(basename "$f" .cfg)-$i"
            done <"$f"
        elif [ "$target" = cond ]; then
            grep -h '^[[:space:]]*\.\(el\)\?if' "$f" 2>/dev/null |
                sed 's/^[[:space:]]*\.[a-z]*[[:space:]]*//' |
                while IFS= read -r e; do
                    printf '%s' "$e" >"$dir/$(printf '%s' "$e" | cksum | cut -d' ' -f1)"
                done || true
        else
            cp "$f" "$dir/"
        fi
    done
    # Anything already in regressions is a good seed too.
    for f in regressions/"$target"-*; do
        [ -e "$f" ] && cp "$f" "$dir/"
    done
    return 0
}

# Build first, so a broken build is not reported as a finding.
for t in "${TARGETS[@]}"; do
    if ! cargo +nightly fuzz build "$t"; then
        echo "fuzz: target $t does not build (see above); nothing was fuzzed" >&2
        exit 2
    fi
done

status=0
for t in "${TARGETS[@]}"; do
    seed "$t"
    echo "== fuzz target $t for ${SECONDS_EACH}s (corpus: $(ls "corpus/$t" | wc -l) seeds)"
    if ! cargo +nightly fuzz run "$t" "corpus/$t" -- \
        -max_total_time="$SECONDS_EACH" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1; then
        echo "fuzz: target $t found a problem; the input is in fuzz/artifacts/$t/" >&2
        status=1
    fi
done
exit $status
