#!/usr/bin/env bash
# Ingestion throughput (empty database and 100,000 existing tickets) and latency from a mail's rename into
# new/ to its committed ticket. Uses the generated set of ../shared/peers/gen_corpus.py (made if missing).
#
#   bash Benchmarks/run-ingest-bench.sh [PREFILL] [LATENCY_MAILS]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
prefill="${1:-100000}"
latency="${2:-300}"
shared="$(cd .. && pwd)/shared"
set_dir="${POSTDESK_BENCH_SET:-/tmp/postdesk-bench/synthetic}"
work="${POSTDESK_BENCH_WORK:-/tmp/postdesk-bench/ingest}"
if [ ! -d "$set_dir/new" ] || [ "$(ls "$set_dir/new" | wc -l)" -lt 10000 ]; then
    python3 "$shared/peers/gen_corpus.py" --out "$set_dir" >&2
fi
swift build -c release --product postdesk-ingest-bench >&2
.build/release/postdesk-ingest-bench "$set_dir" --prefill "$prefill" --work "$work"
.build/release/postdesk-ingest-bench "$set_dir" --latency "$latency" --work "$work" | grep latency
rm -rf "$work"
