#!/usr/bin/env bash
# Instruction counts of one request path under callgrind, which the machine's load does not move (docs/performance.md).
# Runs sluice --headless under valgrind in front of sluice-bench-upstream (the /json/ and /agent/ fixtures of run.sh),
# warms up, zeroes the counters, sends --requests requests with sluice-bench-client and prints the instructions per
# request of every thread that ran (the gateway thread is the busiest, the log writer the next).
# With --first-write it prints instead the instructions between the upstream's response headers
# (ProxyExchange::onHeaders) and the first bytes written to the client (ServerResponder::writeChunk), per stream:
# what Sluice adds to the time to first token.
#
# Usage: bench/callgrind.sh --path NAME [--stream] [--first-write] [--requests N] [--sluice PATH] [--build-dir DIR]
#                           [--out DIR] [--prompt-bytes N] [--tools N]
#   NAME: openai, anthropic, anthropic-openai, responses, responses-openai (as in run.sh's agent table)
#   --sluice PATH measures another build (e.g. the one before a change) with the same harness.
#   --out DIR keeps callgrind's files there (one per thread and dump) for callgrind_annotate --inclusive=yes.
#   --prompt-bytes N, --tools N: the large requests agents send (sluice-bench-client's options of those names).
# Needs valgrind and the bench tools built (bench/run.sh builds them; --build-dir build/ci for the ci preset).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
build_dir="$root/build/bench"
sluice_bin=""
path=""
stream=0
first_write=0
requests=20
out_dir=""
harness_client_args=()

while [ $# -gt 0 ]; do
    case "$1" in
    --path) path="$2"; shift ;;
    --stream) stream=1 ;;
    --first-write) first_write=1; stream=1 ;;
    --requests) requests="$2"; shift ;;
    --sluice) sluice_bin="$2"; shift ;;
    --build-dir) build_dir="$2"; shift ;;
    --out) out_dir="$2"; shift ;;
    --prompt-bytes) harness_client_args+=(--prompt-bytes "$2"); shift ;;
    --tools) harness_client_args+=(--tools "$2"); shift ;;
    -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "callgrind.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
[ -n "$sluice_bin" ] || sluice_bin="$build_dir/app/sluice"
for tool in valgrind callgrind_control; do
    command -v "$tool" >/dev/null || { echo "callgrind.sh: $tool is missing (apt-get install valgrind)" >&2; exit 1; }
done
# shellcheck source=bench/harness.sh
. "$(dirname "$0")/harness.sh"
harness_keep() {
    if [ -n "$out_dir" ]; then
        mkdir -p "$out_dir"
        cp "$tmp"/cg.out.* "$out_dir"/ 2>/dev/null || true
    fi
}
harness_prepare callgrind.sh "$path" "$stream"
triggers=()
[ "$first_write" -eq 0 ] || triggers=(--dump-before='sluice::ProxyExchange::onHeaders*'
    --dump-before='sluice::ServerResponder::writeChunk*')
harness_launch valgrind --tool=callgrind --separate-threads=yes "${triggers[@]}" --callgrind-out-file="$tmp/cg.out"

run_client 10 # warm-up: connections, caches, first-time allocations
sleep 2
if [ "$first_write" -eq 1 ]; then
    run_client "$requests"
    sleep 2
else
    callgrind_control -z "$sluice_pid" >/dev/null 2>&1
    run_client "$requests"
    sleep 2
    callgrind_control -d "$sluice_pid" >/dev/null 2>&1
    sleep 1
fi

python3 - "$tmp" "$requests" "$first_write" "$path" "$stream" <<'EOF'
import glob, re, statistics, sys
tmp, requests, first_write, path, stream = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4], sys.argv[5]
dumps = []
for name in glob.glob(tmp + "/cg.out.*"):
    match = re.search(r"cg\.out\.(\d+)-(\d+)$", name)
    if not match:
        continue
    trigger, total = "", 0
    for line in open(name, errors="replace"):
        if line.startswith("desc: Trigger:"):
            trigger = line
        elif line.startswith(("totals:", "summary:")):
            total = int(line.split()[1])
    dumps.append((int(match.group(1)), int(match.group(2)), trigger, total))
dumps.sort()
label = path + (" stream" if stream == "1" else "")
if first_write:
    values = []
    for thread in sorted({d[1] for d in dumps}):
        seq = [d for d in dumps if d[1] == thread]
        values += [cur[3] for prev, cur in zip(seq, seq[1:]) if "onHeaders" in prev[2] and "writeChunk" in cur[2]]
    values = values[-requests:]
    if not values:
        sys.exit("callgrind.sh: no stream wrote to its client")
    print(f"{label}: instructions from the upstream's headers to the first write, median of {len(values)}: "
          f"{int(statistics.median(values)):,}")
else:
    last = max(d[0] for d in dumps)
    for _, thread, _, total in sorted((d for d in dumps if d[0] == last), key=lambda d: -d[3]):
        if total > 0:
            print(f"{label}: thread {thread}: {total // requests:,} instructions per request ({requests} requests)")
EOF
