#!/usr/bin/env bash
# The whole test suite: installs missing Debian packages, builds, runs the unit and integration
# tests (swift test), then the fuzzers for a bounded time. .ci/run calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

bash deploy/install-build-deps.sh

log=$(mktemp /tmp/postdesk-test.XXXXXX)
echo "== swift build --build-tests"
swift build --build-tests 2>&1 | grep -vE "^\[[0-9]+/[0-9]+\]" || true

echo "== swift test"
# A hung test must not eat CI's whole time: the run is capped (POSTDESK_TEST_MINUTES, default 25), and on
# timeout the tests that started but never finished are named. Output is kept in a log and shown as it comes,
# without the per-test "started" noise.
set +e
timeout -k 20 "$(( ${POSTDESK_TEST_MINUTES:-25} * 60 ))" swift test --skip-build 2>&1 \
    | tee "$log" | grep --line-buffered -vE "^Test Case .* started|^◇ Test .* started|^Test Suite .* started|^◇ Suite .* started"
status=${PIPESTATUS[0]}
set -e
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    echo "swift test did not finish within ${POSTDESK_TEST_MINUTES:-25} minutes; started but never finished:"
    python3 - "$log" <<'PY'
import re, sys
started, ended = [], set()
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"^◇ Test (.*) started\.", line)
    if m: started.append(m.group(1))
    m = re.match(r"^[✔✘] Test (.*?) (passed|failed|recorded|skipped)", line)
    if m: ended.add(m.group(1))
for t in started:
    if t not in ended: print("  ", t)
PY
fi
if [ "$status" -ne 0 ]; then
    echo "swift test failed (exit $status); failures:"
    grep -E "✘|error:|failed" "$log" | head -50 || true
    exit "$status"
fi

if [ "${POSTDESK_SKIP_FUZZ:-0}" != "1" ]; then
    # Half of the time for the mail parser, the rest shared by the config reader, the agent command parser
    # and the routing decision (Tests/fuzz.sh).
    echo "== fuzzing for ${POSTDESK_FUZZ_SECONDS:-60} s (parser, config, commands, routing)"
    bash Tests/fuzz.sh "${POSTDESK_FUZZ_SECONDS:-60}"
fi

echo "== summary"
grep -E "^Executed .* tests|Test run with .* tests" "$log" | tail -3
# Tests skipped on purpose (e.g. those that read ../shared/corpus, which a clean clone lacks), each with its reason.
skipped=$(grep -cE "^(➜|↪) Test .* skipped" "$log" || true)
if [ "$skipped" -gt 0 ]; then
    echo "$skipped test(s) skipped:"
    grep -E "^(➜|↪) Test .* skipped" "$log" | sed 's/^/   /'
fi
