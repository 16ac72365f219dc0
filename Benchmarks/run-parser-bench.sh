#!/usr/bin/env bash
# Parser throughput: Postdesk against Python's email package, in the same session, on the shared corpus
# and on the 10,000 generated support mails. Prints a Markdown table (BENCHMARKS.md).
#
#   bash Benchmarks/run-parser-bench.sh [RUNS]
#
# The generated set (415 MB) is made by ../shared/peers/gen_corpus.py into $POSTDESK_BENCH_SET
# (default /tmp/postdesk-bench/synthetic) when it is not there yet; it is deterministic.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"
runs="${1:-3}"
shared="$(cd .. && pwd)/shared"
set_dir="${POSTDESK_BENCH_SET:-/tmp/postdesk-bench/synthetic}"
out=$(mktemp -d /tmp/postdesk-bench.XXXXXX)

if [ ! -d "$set_dir/new" ] || [ "$(ls "$set_dir/new" | wc -l)" -lt 10000 ]; then
    echo "generating the synthetic set into $set_dir" >&2
    python3 "$shared/peers/gen_corpus.py" --out "$set_dir" >&2
fi
swift build -c release --product postdesk-bench >&2

for folder in "$shared/corpus" "$set_dir"; do
    python3 - "$shared/peers/py_email_parse.py" "$folder" "$runs" >>"$out/python.jsonl" <<'PY'
import json, resource, runpy, sys, io, contextlib
script, folder, runs = sys.argv[1], sys.argv[2], sys.argv[3]
sys.argv = [script, folder, "--runs", runs, "--json"]
buf = io.StringIO()
with contextlib.redirect_stdout(buf):
    runpy.run_path(script, run_name="__main__")
row = json.loads(buf.getvalue().strip().splitlines()[-1])
row["peak_rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps(row))
PY
    # Each mode in its own process, so each peak RSS is its own.
    for mode in streaming summary in-memory; do
        .build/release/postdesk-bench parse "$folder" --runs "$runs" --mode "$mode" >>"$out/postdesk.jsonl"
    done
done

python3 - "$out" <<'PY'
import json, sys, os
out = sys.argv[1]
py = [json.loads(l) for l in open(os.path.join(out, "python.jsonl"))]
pd = [json.loads(l) for l in open(os.path.join(out, "postdesk.jsonl"))]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
print(f"Machine: {os.cpu_count()} cores, {cpu}. Median of the runs; MB = 10^6 bytes of raw mail.\n")
print("| set | reader | mode | messages | MB | median s | msgs/s | MB/s | × Python | peak RSS MB |")
print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for p in py:
    name = "corpus (241)" if p["folder"].rstrip("/").endswith("corpus") else "generated (10,000)"
    print(f"| {name} | Python email | in-memory | {p['messages']} | {p['mb']:.1f} | {p['median_s']:.3f} | {p['msgs_per_s']:.0f} | {p['mb_per_s']:.1f} | 1.0 | {p['peak_rss_kb']/1024:.0f} |")
    for r in pd:
        if r["folder"] != p["folder"]:
            continue
        ratio = r["msgs_per_s"] / p["msgs_per_s"]
        print(f"| {name} | Postdesk | {r['mode']} | {r['messages']} | {r['mb']:.1f} | {r['median_s']:.3f} | {r['msgs_per_s']:.0f} | {r['mb_per_s']:.1f} | {ratio:.1f} | {r['peak_rss_kb']/1024:.0f} |")
PY
