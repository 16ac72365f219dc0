#!/usr/bin/env bash
# The idle daemon at scale (issue 14, section 4): fills (or, with the folder already there, reuses) a database of
# 1,000,000 tickets with postdesk-scale-bench (about 8 min and 19 GB the first time), then measures the CPU an
# idle `postdesk run` with NOTIFY_SOCKET set uses over IDLE seconds (Benchmarks/daemon_idle_scale.py).
# Usage: bash Benchmarks/run-idle-scale-bench.sh [WORK=/tmp/pd-scale] [IDLE_SECONDS=60] [RUNS=1]
# Delete WORK afterwards (rm -rf): it is large.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
work="${1:-/tmp/pd-scale}"
idle="${2:-60}"
runs="${3:-1}"
swift build -c release --product postdesk 2>&1 | grep -vE "^\[[0-9]+/[0-9]+\]" || true
swift build -c release --product postdesk-scale-bench 2>&1 | grep -vE "^\[[0-9]+/[0-9]+\]" || true
if [ ! -f "$work/db/postdesk.sqlite" ]; then
    .build/release/postdesk-scale-bench --work "$work" --tickets 1000000 --messages 5 --only full --warmup 0 --ingest 0 --queries 0
fi
for r in $(seq 1 "$runs"); do
    python3 Benchmarks/daemon_idle_scale.py .build/release/postdesk "$work" --idle "$idle"
done
