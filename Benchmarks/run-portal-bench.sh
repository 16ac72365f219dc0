#!/usr/bin/env bash
# The customer portal under load (issue 16): fills (or, with the folder already there, reuses) a database of
# 1,000,000 tickets with postdesk-scale-bench (about 8 min and 19 GB the first time), then runs
# Benchmarks/portal_bench.py against the release `postdesk portal` on it, next to a static-page baseline.
# Usage: bash Benchmarks/run-portal-bench.sh [WORK=/tmp/pd-scale] [SECONDS=10] [CLIENTS=32]
# Delete WORK afterwards (rm -rf): it is large.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
work="${1:-/tmp/pd-scale}"
seconds="${2:-10}"
clients="${3:-32}"
for product in postdesk postdesk-scale-bench postdesk-portal-bench; do
    swift build -c release --product "$product" 2>&1 | grep -vE "^\[[0-9]+/[0-9]+\]" || true
done
if [ ! -f "$work/db/postdesk.sqlite" ]; then
    .build/release/postdesk-scale-bench --work "$work" --tickets 1000000 --messages 5 --only full --warmup 0 --ingest 0 --queries 0
fi
python3 Benchmarks/portal_bench.py .build/release/postdesk .build/release/postdesk-portal-bench "$work" --seconds "$seconds" --clients "$clients"
