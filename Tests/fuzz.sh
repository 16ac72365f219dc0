#!/usr/bin/env bash
# Fuzzes with libFuzzer for SECONDS in all (default 60): the mail parser (FuzzParser) half of it, the config
# reader (FuzzConfig), the agent command parser (FuzzCommands) and the routing decision (FuzzRouting) a sixth
# each. Seeds are real inputs: the shared mail corpus and the test fixtures, the example configs, the command
# lines and subjects of the tests. The targets besides the parser also check properties (access rules, LF/CRLF,
# ...) and trap when one fails.
#
#   bash Tests/fuzz.sh [SECONDS] [TARGET...]      e.g. bash Tests/fuzz.sh 600 FuzzRouting
#
# Exits non-zero when a target crashes, hangs, runs out of memory or breaks a property, and prints the input
# (path and base64) so it can be reproduced: `SWIFT_BACKTRACE=enable=no BINARY FILE`. A parser input goes into
# Tests/Fixtures/fuzz/ (Tests/PostdeskMailTests/FuzzRegressionTests.swift parses every file there); the others
# become a row of Tests/PostdeskCoreTests/FuzzRegressionTests.swift, with the fix.
# POSTDESK_FUZZ_SCRATCH sets the build folder (default .build-fuzz).
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
seconds="${1:-60}"
shift $(( $# > 0 ? 1 : 0 ))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(FuzzParser FuzzConfig FuzzCommands FuzzRouting)
scratch="${POSTDESK_FUZZ_SCRATCH:-.build-fuzz}"
work="$scratch/fuzz-work"

# The parser gets half the time, the others share the rest (at least 1 s each).
share() {
    if [ ${#targets[@]} -eq 1 ]; then echo "$seconds"; return; fi
    local others=$(( ${#targets[@]} - 1 ))
    if [ "$1" = FuzzParser ]; then echo $(( seconds / 2 > 0 ? seconds / 2 : 1 ))
    elif printf '%s\n' "${targets[@]}" | grep -qx FuzzParser; then t=$(( seconds / 2 / others )); echo $(( t > 0 ? t : 1 ))
    else t=$(( seconds / ${#targets[@]} )); echo $(( t > 0 ? t : 1 )); fi
}

# Seeds for each target, written into $work/$target/corpus (which keeps what libFuzzer added in earlier runs).
seed() {
    local target=$1 dir="$work/$1/corpus"
    mkdir -p "$dir"
    python3 - "$target" "$dir" <<'PY'
import os, re, sys
target, out = sys.argv[1], sys.argv[2]
n = 0
def put(data):
    global n
    n += 1
    with open(os.path.join(out, "seed-%d" % n), "wb") as f:
        f.write(data)
def files(*roots):
    for root in roots:
        for d, _, names in os.walk(root):
            if "LICENSES" in d.split(os.sep):
                continue
            for name in sorted(names):
                if name != "README.md" and not name.startswith("."):
                    yield os.path.join(d, name)
def literals(path):
    """The string literals of a Swift source file, with \\n, \\t, \\" and \\\\ unescaped."""
    text = open(path, encoding="utf-8").read()
    for m in re.finditer(r'"((?:[^"\\\n]|\\.)*)"', text):
        yield m.group(1).replace("\\n", "\n").replace("\\t", "\t").replace('\\"', '"').replace("\\\\", "\\")
mail = list(files("../shared/corpus", "Tests/Fixtures", "Mailboxes"))
if target == "FuzzParser":
    for f in mail:
        put(open(f, "rb").read())
elif target == "FuzzConfig":
    for f in ["Config/postdesk.conf", "deploy/postdesk.conf.example"]:
        put(open(f, "rb").read())
    # The configs the tests write (multi-line literals that hold a [section]).
    for f in ["Tests/PostdeskCoreTests/ConfigurationTests.swift", "Tests/PostdeskDaemonTests/IngestTestSupport.swift"]:
        text = open(f, encoding="utf-8").read()
        for m in re.finditer(r'"""\n(.*?)"""', text, re.S):
            block = m.group(1)
            if "[" in block and "=" in block:
                put("\n".join(l.strip() for l in block.split("\n")).encode())
elif target == "FuzzCommands":
    # Command lines and #close texts from the tests' tables, and every subject that asks for something.
    for folder in ["Tests/PostdeskDaemonTests", "Tests/PostdeskCLITests"]:
        for f in sorted(os.listdir(folder)):
            if f.endswith(".swift"):
                for s in literals(os.path.join(folder, f)):
                    if s.startswith("#") and len(s) > 1:
                        put((s + "\n\nHello Ana,\nthanks.\n").encode())
    for line in open("Sources/PostdeskCore/Localization.swift", encoding="utf-8"):
        if "statusSubjects:" in line:
            for s in re.findall(r'"([^"]*)"', line):
                put(s.encode())
                put(("Re: " + s).encode())
elif target == "FuzzRouting":
    # 4 bytes of ticket facts (which references name a ticket, its status, who takes part), then a message.
    prefixes = [b"\xff\xff\xff\xff", b"\x81\x89\x80\x80", b"\xb3\x93\xa1\x80", b"\x00\x00\x00\x00", b"\x84\xc4\x9b\xff"]
    for i, f in enumerate(mail):
        put(prefixes[i % len(prefixes)] + open(f, "rb").read()[:65536])
    # Replies that name a ticket every way: subject tag, plus address, threading headers, with Cc.
    for p in prefixes:
        put(p + b"From: ANA@Example.org\r\nTo: support+7@acme.test\r\nCc: Luis <luis@example.org>, support@acme.test, boss@example.org\r\n"
                b"Subject: Re: [Acme #7] Printer\r\nIn-Reply-To: <pd.7.abc@acme.test>\r\nReferences: <t1@example.org> <pd.7.abc@acme.test>\r\n\r\nStill broken.\r\n")
print(n)
PY
}

mkdir -p "$work"
status=0
for target in "${targets[@]}"; do
    echo "fuzz: building $target (sanitizer: fuzzer)"
    if ! POSTDESK_FUZZ=1 swift build -c release --sanitize=fuzzer --product "$target" --scratch-path "$scratch" >"$work/build-$target.log" 2>&1; then
        grep -v "ld.gold: warning" "$work/build-$target.log" | tail -30
        echo "fuzz: build of $target failed"
        exit 1
    fi
done

for target in "${targets[@]}"; do
    bin="$scratch/release/$target"
    t=$(share "$target")
    n=$(seed "$target")
    artifacts="$work/$target/artifacts"
    rm -rf "$artifacts"
    mkdir -p "$artifacts"
    max_len=65536
    [ "$target" = FuzzParser ] && max_len=262144
    echo "fuzz: $target, $n seeds, $t s"
    SWIFT_BACKTRACE=enable=no timeout -k 10 $((t + 120)) "$bin" "$work/$target/corpus" \
        -max_total_time="$t" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
        -artifact_prefix="$artifacts/" -print_final_stats=1 >"$work/$target/fuzz.log" 2>&1
    rc=$?
    grep -E "^#[0-9]+ +DONE|stat::number_of_executed_units|cov:" "$work/$target/fuzz.log" | tail -2 | sed "s/^/  /"
    if [ "$rc" -ne 0 ] || ls "$artifacts" 2>/dev/null | grep -qE "^(crash|timeout|oom|leak|slow-unit)-"; then
        grep -E "property:|Fatal error|ERROR: libFuzzer|SUMMARY" "$work/$target/fuzz.log" | head -5
        tail -40 "$work/$target/fuzz.log"
        for f in "$artifacts"/*; do
            [ -f "$f" ] || continue
            echo "fuzz: $target failing input $f (base64 follows)"
            base64 -w0 "$f"; echo
        done
        echo "fuzz: $target FAILED (libFuzzer exit $rc). Reproduce: SWIFT_BACKTRACE=enable=no $bin FILE"
        status=1
    fi
done
[ "$status" -eq 0 ] && echo "fuzz: no finding in $seconds s (${targets[*]})"
exit "$status"
