#!/bin/sh
# Regenerate fixtures/haproxy/expected.tsv from the real HAProxy ("the oracle").
#
# For every fixtures/haproxy/*.cfg, runs `haproxy -c -f FILE` with the current
# directory set to fixtures/haproxy (relative paths such as certs/ and errors/
# are resolved from there) and records one line:
#
#     <file> TAB <verdict> TAB <exit code>
#
# verdict: valid      exit 0, stdout has no "Warnings were found."
#          warnings   exit 0, stdout has "Warnings were found."
#          invalid    exit 1
#          nolistener exit 2
#          other      any other exit status (a crash, for instance)
#
# Usage: compat-tests/record-haproxy-verdicts.sh   (HAPROXY=/path overrides the binary)
set -eu

HAPROXY=${HAPROXY:-/usr/sbin/haproxy}
if [ ! -x "$HAPROXY" ]; then
    echo "error: $HAPROXY not found or not executable (set HAPROXY=...)" >&2
    exit 1
fi

here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../fixtures/haproxy"

# Fixtures must not depend on the caller's environment: drop anything they use.
for v in $(env | sed -n 's/^\(\(RHAPROXY_\)\{0,1\}FIXTURE_[A-Za-z0-9_]*\)=.*/\1/p'); do
    unset "$v"
done
export LC_ALL=C

tmp=expected.tsv.tmp.$$
trap 'rm -f "$tmp"' EXIT
: > "$tmp"

for f in $(ls -- *.cfg | LC_ALL=C sort); do
    set +e
    out=$("$HAPROXY" -c -f "$f" 2>/dev/null </dev/null)
    rc=$?
    set -e
    case $rc in
        0)
            if printf '%s\n' "$out" | grep -qF 'Warnings were found.'; then
                verdict=warnings
            else
                verdict=valid
            fi
            ;;
        1) verdict=invalid ;;
        2) verdict=nolistener ;;
        *) verdict=other ;;
    esac
    printf '%s\t%s\t%s\n' "$f" "$verdict" "$rc" >> "$tmp"
done

mv "$tmp" expected.tsv
trap - EXIT
echo "wrote $(pwd)/expected.tsv:"
cut -f2 expected.tsv | sort | uniq -c
