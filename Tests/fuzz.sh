#!/usr/bin/env bash
# Fuzzes the mail parser with libFuzzer for SECONDS (default 60), seeded with the shared corpus and the
# test fixtures. Exits non-zero when libFuzzer finds a crash, a timeout or an out-of-memory input, and
# prints the input (path and base64) so it can be reproduced: copy the file into Tests/Fixtures/fuzz/,
# where FuzzRegressionTests parse every file on each test run.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
seconds="${1:-60}"
scratch=.build-fuzz
work="$scratch/fuzz-work"
mkdir -p "$work/corpus" "$work/artifacts"

echo "fuzz: building FuzzParser (sanitizer: fuzzer)"
if ! POSTDESK_FUZZ=1 swift build -c release --sanitize=fuzzer --product FuzzParser --scratch-path "$scratch" >"$work/build.log" 2>&1; then
    tail -30 "$work/build.log"
    echo "fuzz: build failed"
    exit 1
fi
bin="$scratch/release/FuzzParser"

# Seeds: the shared corpus and our fixtures (file names made unique by a counter).
n=0
for f in $(find ../shared/corpus Tests/Fixtures -type f ! -name README.md ! -path '*/LICENSES/*' 2>/dev/null); do
    n=$((n + 1))
    cp "$f" "$work/corpus/seed-$n" 2>/dev/null || true
done
echo "fuzz: $n seeds, $seconds s"

SWIFT_BACKTRACE=enable=no timeout -k 10 $((seconds + 120)) "$bin" "$work/corpus" \
    -max_total_time="$seconds" -max_len=262144 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$work/artifacts/" -print_final_stats=1 >"$work/fuzz.log" 2>&1
status=$?
grep -E "^#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb|cov:" "$work/fuzz.log" | tail -4
if [ "$status" -ne 0 ] || ls "$work/artifacts/" 2>/dev/null | grep -qE "^(crash|timeout|oom|leak)-"; then
    tail -60 "$work/fuzz.log"
    for f in "$work"/artifacts/*; do
        [ -f "$f" ] || continue
        echo "fuzz: failing input $f (base64 follows)"
        base64 -w0 "$f"; echo
    done
    echo "fuzz: FAILED (libFuzzer exit $status). Reproduce: $bin FILE; add the file to Tests/Fixtures/fuzz/ as a regression test."
    exit 1
fi
echo "fuzz: no crash in $seconds s"
