#!/usr/bin/env bash
# Outbound mail benchmarks (issue 4), against aiosmtpd on loopback (Tests/Support/smtp_sink.py):
#  1. throughput: RUNS runs of 2,000 queued mails sent by OutboxSender over one reused connection per batch;
#  2. latency: 300 customer mails dropped into the maildir of an otherwise idle `postdesk run`, 50 ms apart,
#     each timed until its confirmation is accepted by the SMTP server.
# Usage: bash Benchmarks/run-outbox-bench.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
runs="${1:-3}"
bash deploy/install-build-deps.sh
swift build -c release --product postdesk-outbox-bench 2>&1 | grep -vE "^\[[0-9]+/[0-9]+\]" || true
swift build -c release --product postdesk 2>&1 | grep -vE "^\[[0-9]+/[0-9]+\]" || true

work=$(mktemp -d /tmp/pd-outbox-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "== throughput (2,000 mails, batch 100, $runs runs)"
for r in $(seq 1 "$runs"); do
    mkfifo "$work/port.$r"
    python3 Tests/Support/smtp_sink.py "$work/sink.$r" >"$work/port.$r" &
    sink=$!
    port=$(head -1 "$work/port.$r" | awk '{print $2}')
    .build/release/postdesk-outbox-bench --port "$port" --count 2000 --batch 100 --dir "$work/desk.$r"
    kill -TERM "$sink"; wait "$sink" 2>/dev/null || true
done
echo "== latency (maildir to confirmation accepted, daemon otherwise idle)"
python3 Benchmarks/outbox_latency.py .build/release/postdesk --count 300 --interval 0.05
