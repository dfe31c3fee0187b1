#!/usr/bin/env bash
# Where the wall-clock time of a request goes inside Sluice, from the kernel's record of the gateway thread's system
# calls and context switches (perf's raw_syscalls and sched tracepoints; docs/performance.md). Runs the built
# `sluice --headless` (not under valgrind) in front of sluice-bench-upstream, sends --requests sequential requests on
# one connection with sluice-bench-client, and prints per request, p50 / p90 / p99 in µs:
#   in Sluice, request:   the client's request read -> the request written upstream
#   upstream round trip:  written upstream -> the answer read (the extra loopback hop plus the upstream's work)
#   in Sluice, answer:    the answer read -> its last bytes written to the client
# then, where the gateway thread slept until the request or the answer came, how long it took from its wake-up to get
# a core and from there to read (the event loop's dispatch); for the slowest 1% of requests, against the middle 10%,
# where their time went and how often and how long the gateway thread was taken off its core while it had work
# (preempted); and its system calls per request.
#
# Usage: bench/timeline.sh [--path NAME] [--requests N] [--sluice PATH] [--build-dir DIR]
#   NAME: openai (default), anthropic, anthropic-openai, responses, responses-openai (as in run.sh's agent table)
# Needs perf (linux-perf) with access to tracepoints (root, or kernel.perf_event_paranoid <= -1).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
build_dir="$root/build/bench"
sluice_bin=""
path=openai
requests=5000

while [ $# -gt 0 ]; do
    case "$1" in
    --path) path="$2"; shift ;;
    --requests) requests="$2"; shift ;;
    --sluice) sluice_bin="$2"; shift ;;
    --build-dir) build_dir="$2"; shift ;;
    -h | --help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "timeline.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
[ -n "$sluice_bin" ] || sluice_bin="$build_dir/app/sluice"
command -v perf >/dev/null || { echo "timeline.sh: perf is missing (apt-get install linux-perf)" >&2; exit 1; }
# shellcheck source=bench/harness.sh
. "$(dirname "$0")/harness.sh"
harness_prepare timeline.sh "$path" 0
harness_launch

# The gateway thread is the process's main thread.
run_client 200 # warm-up: connections, caches, first-time allocations
sleep 1
# System-wide, so that the switches back onto a core are seen too; the script keeps the gateway thread's events.
perf record -q -a -e raw_syscalls:sys_enter -e raw_syscalls:sys_exit -e sched:sched_switch -e sched:sched_wakeup \
    -o "$tmp/perf.data" >/dev/null 2>&1 &
perf_pid=$!
sleep 1
run_client "$requests"
sleep 0.5
kill -INT "$perf_pid"
wait "$perf_pid" 2>/dev/null || true
perf script -i "$tmp/perf.data" -F tid,time,event,trace >"$tmp/trace.txt" 2>/dev/null

python3 - "$tmp/trace.txt" "$sluice_pid" "$path" <<'EOF'
import collections, re, sys

trace, gateway, path = sys.argv[1], sys.argv[2], sys.argv[3]
names = {0: "read", 1: "write", 7: "poll", 16: "ioctl", 202: "futex", 232: "epoll_wait", 271: "ppoll", 18: "pwrite64",
         17: "pread64", 20: "writev", 44: "sendto", 45: "recvfrom", 288: "accept4", 3: "close", 72: "fcntl"}
events = []
for line in open(trace, errors="replace"):
    m = re.match(r"\s*(\d+)\s+([\d.]+):\s+(\S+):\s*(.*)", line)
    if not m or (m.group(1) != gateway and not m.group(3).startswith("sched:")):
        continue
    t = float(m.group(2)) * 1e6
    kind, rest = m.group(3), m.group(4)
    if kind == "raw_syscalls:sys_enter":
        s = re.match(r"NR (\d+) \((\w+)", rest)
        events.append((t, "enter", int(s.group(1)), int(s.group(2), 16)))
    elif kind == "raw_syscalls:sys_exit":
        s = re.match(r"NR (\d+) = (-?\d+)", rest)
        events.append((t, "exit", int(s.group(1)), int(s.group(2))))
    elif kind == "sched:sched_switch":
        s = re.search(r"prev_pid=(\d+) prev_prio=\d+ prev_state=(\S+) ==> next_comm=(.*) next_pid=", rest)
        if s and s.group(1) == gateway:
            events.append((t, "out", s.group(2), s.group(3).strip()))
        elif re.search(r"next_pid=%s " % gateway, rest):
            events.append((t, "in", 0, 0))
    elif kind == "sched:sched_wakeup":
        if re.search(r"pid=%s " % gateway, rest):
            events.append((t, "woken", 0, 0))

# The client's connection is the one accept4() returned; the upstream's is the first other descriptor written to
# after a read from the client's.
client = next((value for _, kind, nr, value in events if kind == "exit" and nr == 288 and value >= 0), None)
if client is None:
    sys.exit("timeline.sh: the client's connection was not seen (it must connect while the trace runs)")
upstream, last_read_fd, pending_fd = None, None, {}
cycles, current, preempt = [], None, None
woken = on_core = None
counts = collections.Counter()
for t, kind, nr, value in events:
    if kind == "woken":
        woken = t
        continue
    if kind == "out":
        if current is not None and nr.startswith("R"):
            preempt = t
            current.setdefault("by", collections.Counter())[re.sub(r"[\d:/-]+$", "", value) or value] += 1
        continue
    if kind == "in":
        on_core = t
        if current is not None and preempt is not None:
            current["preempted"] += t - preempt
            current["preemptions"] += 1
        preempt = None
        continue
    if kind == "enter":
        pending_fd[nr] = value
        counts[names.get(nr, str(nr))] += 1
        if nr == 1 and upstream is None and last_read_fd == client and value != client and value > 2:
            upstream = value
        if nr == 1 and current is not None:
            if value == upstream and "sent" not in current:
                current["sent"] = t
            elif value == client and "answer" in current:
                current["done"] = t
                cycles.append(current)
                current = None
        continue
    fd = pending_fd.get(nr)
    if nr == 0 and value > 0:
        last_read_fd = fd
        if fd == client and current is None:
            current = {"start": t, "preempted": 0.0, "preemptions": 0}
            if woken is not None and on_core is not None and woken <= on_core:
                current["wake"] = (on_core - woken, t - on_core)
        elif fd == upstream and current is not None and "sent" in current and "answer" not in current:
            current["answer"] = t
            if woken is not None and on_core is not None and current["sent"] < woken <= on_core:
                current["answer wake"] = (on_core - woken, t - on_core)
        woken = None

cycles = [c for c in cycles if "sent" in c and "answer" in c][10:] # the first ones find the descriptors out
if not cycles:
    sys.exit("timeline.sh: no complete request was seen in the trace")

def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]

def line(label, values):
    print(f"  {label:<34} {pct(values, .5):8.1f} {pct(values, .9):8.1f} {pct(values, .99):8.1f}")

print(f"{path}: {len(cycles)} requests on one connection, µs    p50      p90      p99")
line("in Sluice, request", [c["sent"] - c["start"] for c in cycles])
line("upstream round trip", [c["answer"] - c["sent"] for c in cycles])
line("in Sluice, answer", [c["done"] - c["answer"] for c in cycles])
line("whole, first read to last write", [c["done"] - c["start"] for c in cycles])
for key, label in (("wake", "request"), ("answer wake", "answer")):
    woke = [c[key] for c in cycles if key in c]
    if woke:
        print(f"  {label} ready, the gateway thread asleep ({len(woke)}): µs from its wake-up")
        line("  to its core", [w[0] for w in woke])
        line("  from its core to the read", [w[1] for w in woke])
# The slowest 1% of whole requests against the middle 10%: where their extra time went.
ranked = sorted(cycles, key=lambda c: c["done"] - c["start"])
groups = (("slowest 1%", ranked[int(len(ranked) * .99):]),
          ("middle 10%", ranked[int(len(ranked) * .45):int(len(ranked) * .55)]))
for label, group in groups:
    n = max(1, len(group))
    mean = lambda f: sum(f(c) for c in group) / n
    print(f"  {label} of requests ({len(group)}), mean µs: whole {mean(lambda c: c['done'] - c['start']):.1f}, "
          f"in Sluice {mean(lambda c: (c['sent'] - c['start']) + (c['done'] - c['answer'])):.1f}, upstream round "
          f"trip {mean(lambda c: c['answer'] - c['sent']):.1f}; the gateway thread was taken off its core while "
          f"runnable in {sum(1 for c in group if c['preemptions'])} of them, for {mean(lambda c: c['preempted']):.1f}")
    takers = sum((c.get("by", collections.Counter()) for c in group), collections.Counter())
    if takers:
        print("    taken by: " + ", ".join(f"{name} {n}" for name, n in takers.most_common(6)))
print("  system calls of the gateway thread per request: "
      + ", ".join(f"{name} {n / len(cycles):.2f}" for name, n in counts.most_common()))
EOF
