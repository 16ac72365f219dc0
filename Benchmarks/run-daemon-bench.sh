#!/usr/bin/env bash
# The daemon benchmark (issue 6): rename into new/ → committed ticket latency while `postdesk run` is idle
# (p50/p99), then the daemon's idle CPU and memory. Release build; maildir transport (no SMTP server).
# Usage: bash Benchmarks/run-daemon-bench.sh [RUNS] [IDLE_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
runs="${1:-3}"
idle="${2:-60}"
bash deploy/install-build-deps.sh
swift build -c release --product postdesk 2>&1 | grep -vE "^\[[0-9]+/[0-9]+\]" || true
for r in $(seq 1 "$runs"); do
    python3 Benchmarks/daemon_idle.py .build/release/postdesk --count 300 --interval 0.05 --idle "$idle"
done
