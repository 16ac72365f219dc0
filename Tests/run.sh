#!/usr/bin/env bash
# The whole test suite: installs missing Debian packages, builds, runs the unit and integration
# tests (swift test), then the parser fuzzer for a bounded time. .ci/run calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

bash deploy/install-build-deps.sh

log=$(mktemp /tmp/postdesk-test.XXXXXX)
echo "== swift build --build-tests"
swift build --build-tests 2>&1 | grep -vE "^\[[0-9]+/[0-9]+\]" || true

echo "== swift test"
set +e
swift test --skip-build >"$log" 2>&1
status=$?
set -e
# Print everything but the per-test "started" noise.
grep -vE "^Test Case .* started|^◇ Test .* started|^Test Suite .* started" "$log" || true
if [ "$status" -ne 0 ]; then
    echo "swift test failed (exit $status); failures:"
    grep -E "✘|error:|failed" "$log" | head -50 || true
    exit "$status"
fi

if [ "${POSTDESK_SKIP_FUZZ:-0}" != "1" ]; then
    echo "== fuzzing the parser for ${POSTDESK_FUZZ_SECONDS:-60} s"
    bash Tests/fuzz.sh "${POSTDESK_FUZZ_SECONDS:-60}"
fi

echo "== summary"
grep -E "^Executed .* tests|Test run with .* tests" "$log" | tail -3
