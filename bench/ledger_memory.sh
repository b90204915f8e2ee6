#!/usr/bin/env bash
# Resident memory of one million live sessions in relevo's session table (SessionLedger): RSS of
# the test process before and after establishing them, from /proc/self/status,
#     bytes per session = (VmRSS after − VmRSS before) / 1,000,000
# The budget is 150 MB for a million sessions; the test fails above it.
set -euo pipefail

usage() {
    cat <<'USAGE'
usage: bench/ledger_memory.sh [--release] [--out FILE]

  --release   build optimised (-c release -Xswiftc -enable-testing); the memory layout is the same
              as in debug, only the insertion is faster
  --out FILE  machine-readable result (default bench/results/ledger_memory.txt)

Runs the test SessionLedgerTests/aMillionSessionsFitInTheirMemoryBudget, which is skipped unless
RELEVO_LEDGER_BENCH=1: 1,000,000 sessions over 6 pins (2 versions × 3 backends), established
over 30 minutes of fake time (idle timeout 30m, absolute 12h), 64 shards. Scratch path:
RELEVO_SCRATCH, default .build-ledger.
USAGE
}

package_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
scratch="${RELEVO_SCRATCH:-$package_dir/.build-ledger}"
out="$package_dir/bench/results/ledger_memory.txt"
build=()
while (($#)); do
    case "$1" in
        --release) build=(-c release -Xswiftc -enable-testing); shift ;;
        --out) out="${2:?--out needs a value}"; shift 2 ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; echo "error: unknown argument '$1'" >&2; exit 1 ;;
    esac
done

cd "$package_dir"
log="$(mktemp /tmp/relevo-ledger-memory.XXXXXX)"
trap 'rm -f "$log"' EXIT

status=0
RELEVO_LEDGER_BENCH=1 timeout 1800 swift test "${build[@]}" --scratch-path "$scratch" \
    --filter 'SessionLedgerTests/aMillionSessionsFitInTheirMemoryBudget' >"$log" 2>&1 || status=$?

line="$(grep -m1 '^ledger_memory ' "$log" || true)"
if [[ -z "$line" ]]; then
    tail -40 "$log" >&2
    echo "error: the measurement did not run (exit status $status)" >&2
    exit 1
fi
mkdir -p "$(dirname "$out")"
echo "$line" | tee "$out"
grep -E '✔|✘' "$log" | grep -F 'aMillionSessions' || true
exit "$status"
