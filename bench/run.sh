#!/usr/bin/env bash
# Sluice benchmark: a fixed-answer local upstream (nginx, or sluice-bench-upstream when nginx is not installed),
# `sluice --headless` in front of it with request logging on, and each measurement taken direct and through
# Sluice. Prints one table: metric | direct | through Sluice | added | target | met?, then one row per agent path
# (Anthropic, Responses and Gemini clients, same-format and translated, streamed, 100 KB / 1 MB bodies) and, with
# --peers, the peer gateways beside Sluice.
#
#   bench/run.sh                 full run (Release build in build/bench, 1,000,000-request soak; ~10 minutes)
#   bench/run.sh --smoke         the same steps with small counts (well under a minute); never judges times
#
# Options: --requests N (soak length), --build-dir DIR, --no-build, --recordings DIR, --upstream nginx|builtin,
#          --sluice PATH (another sluice binary, e.g. to compare builds), --no-store (skip the store figures),
#          --keep (keep the temporary folder with logs and the database),
#          --telemetry (also run the sequential and stream phases through a second Sluice with /metrics and OTLP
#          trace export on, exporting to the nginx upstream, and print its added latency beside the plain one's),
#          --no-agents (skip the agent paths table), --peers (also measure the gateways developers run today:
#          Portkey's gateway on the OpenAI chat path and claude-code-router on the translated Anthropic path,
#          installed from npm into --peers-dir, default build/bench-peers; needs node and npm).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bench="$root/bench"
smoke=0
build_dir="$root/build/bench"
do_build=1
recordings="$root/../shared/data/provider-recordings"
upstream_kind=auto
keep=0
soak_requests=""
sluice_override=""
run_store=1
run_telemetry=0
run_agents=1
run_peers=0
peers_dir="$root/build/bench-peers"

while [ $# -gt 0 ]; do
    case "$1" in
    --smoke) smoke=1 ;;
    --requests) soak_requests="$2"; shift ;;
    --build-dir) build_dir="$2"; shift ;;
    --no-build) do_build=0 ;;
    --recordings) recordings="$2"; shift ;;
    --upstream) upstream_kind="$2"; shift ;;
    --keep) keep=1 ;;
    --sluice) sluice_override="$2"; shift ;;
    --no-store) run_store=0 ;;
    --telemetry) run_telemetry=1 ;;
    --no-agents) run_agents=0 ;;
    --peers) run_peers=1 ;;
    --peers-dir) peers_dir="$2"; shift ;;
    -h | --help) sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

if [ "$smoke" -eq 1 ]; then
    latency_requests=1000 latency_warmup=100 big_requests=100 stream_requests=20 stream_warmup=3 repeats=1
    load_seconds=2 soak_default=20000 startup_runs=3 store_records=5000 store_repeats=1
    agent_requests=100 agent_warmup=10 agent_streams=5 agent_stream_warmup=2 agent_big=5 agent_huge=2 peer_seconds=1
else
    latency_requests=20000 latency_warmup=1000 big_requests=2000 stream_requests=500 stream_warmup=20 repeats=3
    load_seconds=10 soak_default=1000000 startup_runs=20 store_records=1000000 store_repeats=5
    agent_requests=5000 agent_warmup=200 agent_streams=300 agent_stream_warmup=10 agent_big=300 agent_huge=60
    peer_seconds=10
fi
soak_requests="${soak_requests:-$soak_default}"

log() { echo "bench: $*" >&2; }

# ---- build ------------------------------------------------------------------------------------------------------
if [ "$do_build" -eq 1 ]; then
    if [ ! -f "$build_dir/CMakeCache.txt" ]; then
        log "configuring a Release build in $build_dir"
        cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSLUICE_BUILD_TESTS=OFF >&2
    fi
    ninja -C "$build_dir" -j2 sluice sluice-bench-client sluice-bench-upstream sluice-bench-store \
        sluice-bench-guardrails >&2
fi
build_type="$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build_dir/CMakeCache.txt" 2>/dev/null || true)"
[ "$build_type" = "Release" ] || log "warning: $build_dir is a '${build_type:-unknown}' build; timings want Release"
sluice_bin="${sluice_override:-$build_dir/app/sluice}"
client="$build_dir/bench/client/sluice-bench-client"
upstream_bin="$build_dir/bench/upstream/sluice-bench-upstream"
store_bin="$build_dir/bench/store/sluice-bench-store"
guardrails_bin="$build_dir/bench/guardrails/sluice-bench-guardrails"
for binary in "$sluice_bin" "$client" "$upstream_bin" "$store_bin" "$guardrails_bin"; do
    [ -x "$binary" ] || { echo "run.sh: $binary is missing; build it (or drop --no-build)" >&2; exit 1; }
done

# ---- helpers ----------------------------------------------------------------------------------------------------
tmp="$(mktemp -d "${TMPDIR:-/tmp}/sluice-bench.XXXXXX")"
chmod 755 "$tmp"
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    if [ "$keep" -eq 1 ]; then log "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

# key=value lookup in a result file
val() { sed -n "s/^$2=//p" "$1" | tail -n 1; }
# median of numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print ""; else print v[int((NR + 1) / 2)] }'; }
calc() { awk "BEGIN { printf \"%.${2:-1}f\", $1 }"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
rss_kb() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$1/status" 2>/dev/null || echo 0; }
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
    local port
    for _ in $(seq 100); do
        port=$((20000 + RANDOM % 40000))
        port_in_use "$port" || { echo "$port"; return; }
    done
    echo "run.sh: no free port found" >&2
    exit 1
}
wait_for_port() { # wait_for_port PORT [PID]: up to 10 s, less if that process has exited
    for _ in $(seq 200); do
        port_in_use "$1" && return 0
        [ -z "${2:-}" ] || kill -0 "$2" 2>/dev/null || return 1
        sleep 0.05
    done
    return 1
}

# settle PID...: waits (up to 60 s) until those processes use no CPU for half a second, e.g. until Sluice's log
# writer has written what a load phase left queued, so that the next phase measures Sluice and not that backlog.
settle() {
    local before after waited=0
    for _ in $(seq 120); do
        before=0 after=0
        for pid in "$@"; do before=$((before + $(cpu_ticks "$pid"))); done
        sleep 0.5
        for pid in "$@"; do after=$((after + $(cpu_ticks "$pid"))); done
        [ $((after - before)) -le 1 ] && break
        waited=$((waited + 1))
    done
    [ "$waited" -eq 0 ] || log "waited $(calc "$waited / 2" 1) s for Sluice to finish the previous phase's work"
}

# Peak VmRSS of Sluice while a phase runs, written to a file.
# It starts no process while it samples (a `sed` and a `sleep` ten times a second measurably raised the p99 of the
# one-connection phases it runs beside): the status file is read with `read`, and the pause is a `read -t` on a pipe
# the loop holds both ends of.
start_sampler() {
    (
        exec {tick}<> <(:)
        peak=0
        while kill -0 "$sluice_pid" 2>/dev/null; do
            now=0
            while read -r key value _; do
                [ "$key" = VmRSS: ] && now=$value && break
            done <"/proc/$sluice_pid/status" 2>/dev/null || true
            [ "$now" -gt "$peak" ] && peak=$now && echo "$peak" >"$1"
            read -rt 0.1 -u "$tick" _ || true
        done
    ) &
    sampler=$!
}
stop_sampler() {
    kill "$sampler" 2>/dev/null || true
    wait "$sampler" 2>/dev/null || true
}

export SLUICE_BENCH_TOKEN="bench-$RANDOM$RANDOM$RANDOM"

# ---- upstream ---------------------------------------------------------------------------------------------------
mkdir -p "$tmp/www"
"$upstream_bin" --recordings "$recordings" --events 1000 --agent-events 300 --write-fixtures "$tmp/www" >&2
chmod 644 "$tmp/www/"*
chmod 755 "$tmp/www"
if [ "$upstream_kind" = auto ]; then
    if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then upstream_kind=nginx; else upstream_kind=builtin; fi
fi
upstream_port="$(free_port)"
if [ "$upstream_kind" = nginx ]; then
    nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
    mkdir -p "$tmp/nginx"
    user_line=""
    [ "$(id -u)" -eq 0 ] && user_line="user root;"
    # POST to a static file is answered 405; error_page turns that into the file with 200. The paths and their
    # answers are the ones sluice-bench-upstream serves (its fixtureFor()).
    nginx_locations() {
        local entry
        for entry in json/v1/chat/completions:chat.json sse/v1/chat/completions:chat.sse \
            agent/v1/chat/completions:chat-agent.sse json/v1/messages:messages.json agent/v1/messages:messages.sse \
            json/v1/responses:responses.json agent/v1/responses:responses.sse \
            "gem/v1beta/models/bench-gemini:generateContent:gemini.json" \
            "gem/v1beta/models/bench-gemini:streamGenerateContent:gemini.sse"; do
            local file="${entry##*:}" path="/${entry%:*}"
            local type=application/json
            [ "${file##*.}" = sse ] && type=text/event-stream
            printf '        location = %s {\n            default_type %s;\n            alias %s;\n' "$path" "$type" \
                "$tmp/www/$file"
            printf '            error_page 405 =200 $uri;\n        }\n'
        done
    }
    # The start of an nginx.conf with its files in folder $1: one worker, no access log, kept-alive connections.
    nginx_head() {
        cat <<EOF
$user_line
worker_processes 1;
daemon off;
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $1/body;
    proxy_temp_path $1/proxy;
    fastcgi_temp_path $1/fastcgi;
    uwsgi_temp_path $1/uwsgi;
    scgi_temp_path $1/scgi;
    keepalive_requests 100000000;
    keepalive_timeout 300s;
EOF
    }
    cat >"$tmp/nginx/nginx.conf" <<EOF
$(nginx_head "$tmp/nginx")
    client_max_body_size 64m;
    sendfile on;
    tcp_nodelay on;
    server {
        listen 127.0.0.1:$upstream_port;
        location = /v1/traces { # an OTLP receiver that takes every batch (--telemetry)
            return 200;
        }
$(nginx_locations)
    }
}
EOF
    "$nginx_bin" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" 2>"$tmp/nginx/stderr.log" &
    nginx_pid=$!
    pids+=("$nginx_pid")
    upstream_name="nginx $("$nginx_bin" -v 2>&1 | sed 's/.*nginx\///'), 1 worker"
    if ! wait_for_port "$upstream_port" "$nginx_pid"; then
        log "nginx did not start; using sluice-bench-upstream instead:"
        cat "$tmp"/nginx/*.log >&2 2>/dev/null || true
        kill "$nginx_pid" 2>/dev/null || true
        upstream_kind=builtin
        upstream_port="$(free_port)"
    fi
fi
if [ "$upstream_kind" != nginx ]; then
    "$upstream_bin" --recordings "$recordings" --events 1000 --agent-events 300 --port "$upstream_port" >"$tmp/upstream.log" 2>&1 &
    pids+=($!)
    upstream_name="sluice-bench-upstream"
    wait_for_port "$upstream_port" || { echo "run.sh: the upstream did not start" >&2; cat "$tmp/upstream.log" >&2; exit 1; }
fi
upstream="http://127.0.0.1:$upstream_port"
log "upstream: $upstream_name on $upstream"

# One loopback hop and nothing else, the floor of what any gateway adds: a second nginx (its own process, as Sluice
# is) proxying to the upstream over kept-alive connections. Measured beside Sluice on the same requests.
hop=""
if [ "$upstream_kind" = nginx ]; then
    hop_port="$(free_port)"
    mkdir -p "$tmp/hop"
    cat >"$tmp/hop/nginx.conf" <<EOF
$(nginx_head "$tmp/hop")
    tcp_nodelay on;
    upstream bench_upstream {
        server 127.0.0.1:$upstream_port;
        keepalive 64;
    }
    server {
        listen 127.0.0.1:$hop_port;
        location / {
            proxy_pass http://bench_upstream;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
EOF
    "$nginx_bin" -p "$tmp/hop" -c "$tmp/hop/nginx.conf" 2>"$tmp/hop/stderr.log" &
    hop_pid=$!
    pids+=("$hop_pid")
    if wait_for_port "$hop_port" "$hop_pid"; then
        hop="http://127.0.0.1:$hop_port"
        log "one loopback hop: nginx proxy_pass on $hop"
    else
        log "the hop proxy did not start; its row is left out:"
        cat "$tmp"/hop/*.log >&2 2>/dev/null || true
    fi
fi

# ---- Sluice -----------------------------------------------------------------------------------------------------
cat >"$tmp/sluice.yaml" <<EOF
gateway:
  listen: 127.0.0.1
  port: 7341
providers:
  - name: bench-json
    type: openai
    base_url: $upstream/json/v1
  - name: bench-sse
    type: openai
    base_url: $upstream/sse/v1
  # The agent paths: streams of an agent answer's length (/agent/), chat-only servers (Responses translated),
  # Anthropic and Gemini.
  - name: bench-agent
    type: openai
    base_url: $upstream/agent/v1
  - name: bench-chat-json
    type: openai-compatible
    base_url: $upstream/json/v1
  - name: bench-chat-agent
    type: openai-compatible
    base_url: $upstream/agent/v1
  - name: bench-anthropic-json
    type: anthropic
    base_url: $upstream/json
  - name: bench-anthropic-agent
    type: anthropic
    base_url: $upstream/agent
  - name: bench-gemini
    type: gemini
    base_url: $upstream/gem
models:
  - name: bench-json
    provider: bench-json
  - name: bench-stream
    provider: bench-sse
  - {name: bench-agent, provider: bench-agent}
  - {name: bench-chat, provider: bench-chat-json}
  - {name: bench-chat-stream, provider: bench-chat-agent}
  - {name: bench-anthropic, provider: bench-anthropic-json}
  - {name: bench-anthropic-stream, provider: bench-anthropic-agent}
  - {name: bench-gemini, provider: bench-gemini}
tokens:
  - name: bench
    secret: env:SLUICE_BENCH_TOKEN
logging:
  store_bodies: true
EOF
sluice_cmd=("$sluice_bin" --headless --config "$tmp/sluice.yaml" --port 0)
# The same gateway with the guardrail rules docs/guardrails.md starts with, run beside it to compare in one run.
cp "$tmp/sluice.yaml" "$tmp/sluice-guarded.yaml"
cat >>"$tmp/sluice-guarded.yaml" <<EOF
guardrails:
  rules:
    - {name: no-keys, detect: secrets, action: mask, on: request}
    - {name: personal-data, detect: pii, action: log, on: request}
EOF

log "start-up: $startup_runs runs"
"$client" startup --runs "$startup_runs" -- "${sluice_cmd[@]}" --data-dir "$tmp/startup-data" >"$tmp/startup.txt"

"${sluice_cmd[@]}" --data-dir "$tmp/data" >"$tmp/sluice.out" 2>"$tmp/sluice.err" &
sluice_pid=$!
pids+=("$sluice_pid")
for _ in $(seq 200); do
    grep -q "listening on" "$tmp/sluice.out" 2>/dev/null && break
    sleep 0.05
done
gateway="$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$tmp/sluice.out" | head -n 1)"
[ -n "$gateway" ] || { echo "run.sh: sluice did not start:" >&2; cat "$tmp/sluice.err" >&2; exit 1; }
gateway="${gateway%/}"
log "sluice (pid $sluice_pid) on $gateway"

# The same gateway with metrics and trace export on (every request sampled, batches every 200 ms).
via_tel=""
if [ "$run_telemetry" -eq 1 ]; then
    [ "$upstream_kind" = nginx ] || log "warning: --telemetry exports to nginx's /v1/traces; without nginx the exports fail"
    cp "$tmp/sluice.yaml" "$tmp/sluice-telemetry.yaml"
    printf 'metrics:\n  enabled: true\ntelemetry:\n  endpoint: %s/v1/traces\n  export_interval_ms: 200\n' \
        "$upstream" >>"$tmp/sluice-telemetry.yaml"
    "$sluice_bin" --headless --config "$tmp/sluice-telemetry.yaml" --port 0 --data-dir "$tmp/data-telemetry" \
        >"$tmp/sluice-telemetry.out" 2>"$tmp/sluice-telemetry.err" &
    telemetry_pid=$!
    pids+=("$telemetry_pid")
    for _ in $(seq 200); do
        grep -q "listening on" "$tmp/sluice-telemetry.out" 2>/dev/null && break
        sleep 0.05
    done
    via_tel="$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$tmp/sluice-telemetry.out" | head -n 1)"
    [ -n "$via_tel" ] || { echo "run.sh: sluice (telemetry) did not start:" >&2; cat "$tmp/sluice-telemetry.err" >&2; exit 1; }
    metrics_url="${via_tel%/}/metrics"
    via_tel="${via_tel%/}/v1/chat/completions"
    log "sluice with telemetry (pid $telemetry_pid) on $via_tel"
fi
"$sluice_bin" --headless --config "$tmp/sluice-guarded.yaml" --port 0 --data-dir "$tmp/data-guarded" \
    >"$tmp/guarded.out" 2>"$tmp/guarded.err" &
guarded_pid=$!
pids+=("$guarded_pid")
for _ in $(seq 200); do
    grep -q "listening on" "$tmp/guarded.out" 2>/dev/null && break
    sleep 0.05
done
guarded="$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$tmp/guarded.out" | head -n 1)"
[ -n "$guarded" ] || { echo "run.sh: sluice with guardrails did not start:" >&2; cat "$tmp/guarded.err" >&2; exit 1; }
via_guarded="${guarded%/}/v1/chat/completions"
log "sluice with guardrails (pid $guarded_pid) on ${guarded%/}"
sleep 1
rss_idle=$(rss_kb "$sluice_pid")

direct_json="$upstream/json/v1/chat/completions"
direct_sse="$upstream/sse/v1/chat/completions"
via="$gateway/v1/chat/completions"

# ---- throughput at 32 connections -------------------------------------------------------------------------------
load() { # load URL MODEL OUT: wrk if installed, else sluice-bench-client
    if command -v wrk >/dev/null 2>&1; then
        BENCH_MODEL="$2" wrk -t1 -c32 -d"${load_seconds}s" --latency -s "$bench/wrk-chat.lua" "$1" >"$3.wrk"
        sed -n 's/^wrk_//p' "$3.wrk" >"$3"
    else
        "$client" load --url "$1" --connections 32 --seconds "$load_seconds" --model "$2" >"$3.raw"
        sed -n 's/^total_\(p[0-9]*_us\)=/\1=/p; s/^\(rps\|requests\|errors\)=/\1=/p' "$3.raw" >"$3"
    fi
}
load_tool=$(command -v wrk >/dev/null 2>&1 && echo "wrk -t1 -c32" || echo "sluice-bench-client load -c32")
log "throughput: ${load_seconds}s at 32 connections each way ($load_tool)"
load "$direct_json" bench-json "$tmp/load-direct.txt"
start_sampler "$tmp/rss-load.txt"
load "$via" bench-json "$tmp/load-sluice.txt"
stop_sampler
rss_load=$(cat "$tmp/rss-load.txt" 2>/dev/null || echo 0)

# ---- every feature on: guardrails, /metrics and OTLP trace export (prompt fingerprints are always on) -------------
cp "$tmp/sluice-guarded.yaml" "$tmp/sluice-full.yaml"
printf 'metrics:\n  enabled: true\ntelemetry:\n  endpoint: %s/v1/traces\n  export_interval_ms: 200\n' "$upstream" \
    >>"$tmp/sluice-full.yaml"
"$sluice_bin" --headless --config "$tmp/sluice-full.yaml" --port 0 --data-dir "$tmp/data-full" \
    >"$tmp/full.out" 2>"$tmp/full.err" &
full_pid=$!
pids+=("$full_pid")
for _ in $(seq 200); do
    grep -q "listening on" "$tmp/full.out" 2>/dev/null && break
    sleep 0.05
done
full="$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$tmp/full.out" | head -n 1)"
[ -n "$full" ] || { echo "run.sh: sluice with every feature on did not start:" >&2; cat "$tmp/full.err" >&2; exit 1; }
log "throughput with guardrails + telemetry export + metrics on: ${load_seconds}s at 32 connections"
plain_pid="$sluice_pid" sluice_pid="$full_pid"
start_sampler "$tmp/rss-full.txt"
load "${full%/}/v1/chat/completions" bench-json "$tmp/load-full.txt"
stop_sampler
sluice_pid="$plain_pid"
rss_full=$(cat "$tmp/rss-full.txt" 2>/dev/null || echo 0)
kill "$full_pid" 2>/dev/null || true
wait "$full_pid" 2>/dev/null || true

# ---- sequential latency and streams (alternating direct / through Sluice, median of the repeats) ----------------
settle "$sluice_pid" "$guarded_pid"
start_sampler "$tmp/rss-seq.txt"
for run in $(seq "$repeats"); do
    log "non-stream latency, run $run/$repeats: $latency_requests sequential requests each way"
    "$client" latency --url "$direct_json" --requests "$latency_requests" --warmup "$latency_warmup" \
        --model bench-json >"$tmp/lat-direct-$run.txt"
    "$client" latency --url "$via" --requests "$latency_requests" --warmup "$latency_warmup" \
        --model bench-json >"$tmp/lat-sluice-$run.txt"
    if [ -n "$hop" ]; then
        "$client" latency --url "$hop/json/v1/chat/completions" --requests "$latency_requests" \
            --warmup "$latency_warmup" --model bench-json >"$tmp/lat-hop-$run.txt"
    fi
    "$client" latency --url "$via_guarded" --requests "$latency_requests" --warmup "$latency_warmup" \
        --model bench-json >"$tmp/lat-guarded-$run.txt"
    "$client" latency --url "$direct_json" --requests "$big_requests" --warmup 20 --model bench-json \
        --prompt-bytes 102400 >"$tmp/big-direct-$run.txt"
    "$client" latency --url "$via" --requests "$big_requests" --warmup 20 --model bench-json \
        --prompt-bytes 102400 >"$tmp/big-sluice-$run.txt"
    "$client" latency --url "$via_guarded" --requests "$big_requests" --warmup 20 --model bench-json \
        --prompt-bytes 102400 >"$tmp/big-guarded-$run.txt"
    log "stream, run $run/$repeats: $stream_requests streams of 1,000 events each way"
    "$client" latency --url "$direct_sse" --requests "$stream_requests" --warmup "$stream_warmup" --stream \
        --model bench-stream >"$tmp/sse-direct-$run.txt"
    "$client" latency --url "$via" --requests "$stream_requests" --warmup "$stream_warmup" --stream \
        --model bench-stream >"$tmp/sse-sluice-$run.txt"
    if [ -n "$via_tel" ]; then
        log "with telemetry, run $run/$repeats: the same non-stream and stream requests"
        "$client" latency --url "$via_tel" --requests "$latency_requests" --warmup "$latency_warmup" \
            --model bench-json >"$tmp/lat-telemetry-$run.txt"
        "$client" latency --url "$via_tel" --requests "$stream_requests" --warmup "$stream_warmup" --stream \
            --model bench-stream >"$tmp/sse-telemetry-$run.txt"
    fi
    "$client" latency --url "$via_guarded" --requests "$stream_requests" --warmup "$stream_warmup" --stream \
        --model bench-stream >"$tmp/sse-guarded-$run.txt"
done
stop_sampler
rss_seq=$(cat "$tmp/rss-seq.txt" 2>/dev/null || echo 0)
med() { # med PREFIX KEY: median over the repeats
    for run in $(seq "$repeats"); do val "$tmp/$1-$run.txt" "$2"; done | median
}

# ---- agent paths: each client format, same-format and translated, streamed and with agent-sized bodies ---------
# One path per line: name | client format | Sluice endpoint (or the Gemini model path) | model, streamed model |
# the upstream's format | direct URL, streamed direct URL (the call Sluice makes: same answer, same format).
gem="v1beta/models/bench-gemini"
agent_paths=(
    "openai|openai|/v1/chat/completions|bench-json|bench-agent|openai|/json/v1/chat/completions|/agent/v1/chat/completions"
    "anthropic|anthropic|/v1/messages|bench-anthropic|bench-anthropic-stream|anthropic|/json/v1/messages|/agent/v1/messages"
    "anthropic-openai|anthropic|/v1/messages|bench-chat|bench-chat-stream|openai|/json/v1/chat/completions|/agent/v1/chat/completions"
    "responses|responses|/v1/responses|bench-json|bench-agent|responses|/json/v1/responses|/agent/v1/responses"
    "responses-openai|responses|/v1/responses|bench-chat|bench-chat-stream|openai|/json/v1/chat/completions|/agent/v1/chat/completions"
    "gemini|gemini|/$gem|bench-gemini|bench-gemini|gemini|/gem/$gem:generateContent|/gem/$gem:streamGenerateContent?alt=sse"
)
agent_label() {
    case "$1" in
    openai) echo "OpenAI chat, same format" ;;
    anthropic) echo "Anthropic Messages, same format (Claude Code → Anthropic)" ;;
    anthropic-openai) echo "Anthropic Messages → OpenAI chat (Claude Code → another provider)" ;;
    responses) echo "Responses, same format (Codex → OpenAI)" ;;
    responses-openai) echo "Responses → OpenAI chat (Codex → a chat-only server)" ;;
    gemini) echo "Gemini, same format (Gemini CLI → Gemini)" ;;
    esac
}
# agent_run NAME RUN: every measurement of one path, alternating direct / through Sluice
agent_run() {
    local name format endpoint model smodel uformat djson dsse via_json via_sse
    IFS='|' read -r name format endpoint model smodel uformat djson dsse <<<"$(printf '%s\n' "${agent_paths[@]}" | grep "^$1|")"
    if [ "$format" = gemini ]; then
        via_json="$gateway$endpoint:generateContent" via_sse="$gateway$endpoint:streamGenerateContent?alt=sse"
    else
        via_json="$gateway$endpoint" via_sse="$gateway$endpoint"
    fi
    local out="$tmp/agent-$name" r="$2"
    local -a d=(--format "$uformat" --model "$model") v=(--format "$format" --model "$model")
    "$client" latency --url "$upstream$djson" "${d[@]}" --requests "$agent_requests" --warmup "$agent_warmup" >"$out-direct-json-$r.txt"
    "$client" latency --url "$via_json" "${v[@]}" --requests "$agent_requests" --warmup "$agent_warmup" >"$out-via-json-$r.txt"
    d=(--format "$uformat" --model "$smodel" --stream) v=(--format "$format" --model "$smodel" --stream)
    "$client" latency --url "$upstream$dsse" "${d[@]}" --requests "$agent_streams" --warmup "$agent_stream_warmup" >"$out-direct-sse-$r.txt"
    "$client" latency --url "$via_sse" "${v[@]}" --requests "$agent_streams" --warmup "$agent_stream_warmup" >"$out-via-sse-$r.txt"
    d=(--format "$uformat" --model "$model" --tools 24) v=(--format "$format" --model "$model" --tools 24)
    "$client" latency --url "$upstream$djson" "${d[@]}" --prompt-bytes 102400 --requests "$agent_big" --warmup 3 >"$out-direct-big-$r.txt"
    "$client" latency --url "$via_json" "${v[@]}" --prompt-bytes 102400 --requests "$agent_big" --warmup 3 >"$out-via-big-$r.txt"
    "$client" latency --url "$upstream$djson" "${d[@]}" --prompt-bytes 1048576 --requests "$agent_huge" --warmup 2 >"$out-direct-huge-$r.txt"
    "$client" latency --url "$via_json" "${v[@]}" --prompt-bytes 1048576 --requests "$agent_huge" --warmup 2 >"$out-via-huge-$r.txt"
}
if [ "$run_agents" -eq 1 ]; then
    for run in $(seq "$repeats"); do
        for entry in "${agent_paths[@]}"; do
            log "agent path ${entry%%|*}, run $run/$repeats: $agent_requests requests, $agent_streams streams, 100 KB and 1 MB bodies with 24 tools"
            agent_run "${entry%%|*}" "$run"
        done
    done
fi

# ---- peers: the gateways developers run locally today, on the same upstream in the same run --------------------
peer_pids=()
portkey_url="" ccr_url=""
if [ "$run_peers" -eq 1 ]; then
    command -v node >/dev/null && command -v npm >/dev/null || { echo "run.sh: --peers needs node and npm" >&2; exit 1; }
    portkey_js="$peers_dir/node_modules/@portkey-ai/gateway/build/start-server.js"
    ccr_js="$peers_dir/node_modules/@musistudio/claude-code-router/dist/cli.js"
    if [ ! -f "$portkey_js" ] || [ ! -f "$ccr_js" ]; then
        log "installing the peers pinned in bench/peers/package.json into $peers_dir (npm)"
        mkdir -p "$peers_dir"
        cp "$bench/peers/package.json" "$peers_dir/package.json"
        (cd "$peers_dir" && npm install --no-audit --no-fund --loglevel=error >&2)
    fi
    portkey_port="$(free_port)"
    node "$portkey_js" --port="$portkey_port" --headless >"$tmp/portkey.log" 2>&1 &
    portkey_pid=$!
    pids+=("$portkey_pid") peer_pids+=("$portkey_pid")
    wait_for_port "$portkey_port" "$portkey_pid" || { echo "run.sh: Portkey did not start:" >&2; cat "$tmp/portkey.log" >&2; exit 1; }
    portkey_url="http://127.0.0.1:$portkey_port/v1/chat/completions"
    # claude-code-router reads ~/.claude-code-router/config.json: a home of its own, OpenAI chat providers (the
    # streamed requests name theirs as "provider,model", which it routes as given).
    ccr_port="$(free_port)"
    mkdir -p "$tmp/ccr-home/.claude-code-router"
    cat >"$tmp/ccr-home/.claude-code-router/config.json" <<EOF
{
  "PORT": $ccr_port,
  "LOG": false,
  "NON_INTERACTIVE_MODE": true,
  "Providers": [
    {"name": "bench", "api_base_url": "$upstream/json/v1/chat/completions", "api_key": "bench",
     "models": ["bench-json"]},
    {"name": "bench-stream", "api_base_url": "$upstream/agent/v1/chat/completions", "api_key": "bench",
     "models": ["bench-agent"]}
  ],
  "Router": {"default": "bench,bench-json"}
}
EOF
    HOME="$tmp/ccr-home" node "$ccr_js" start >"$tmp/ccr.log" 2>&1 &
    ccr_pid=$!
    pids+=("$ccr_pid") peer_pids+=("$ccr_pid")
    wait_for_port "$ccr_port" "$ccr_pid" || { echo "run.sh: claude-code-router did not start:" >&2; cat "$tmp/ccr.log" >&2; exit 1; }
    ccr_url="http://127.0.0.1:$ccr_port/v1/messages"
    portkey_headers=(--header "x-portkey-provider: openai" --header "x-portkey-custom-host: $upstream/json/v1")
    log "peers: Portkey gateway 1.15.2 (pid $portkey_pid) on $portkey_url, claude-code-router 2.0.0 (pid $ccr_pid) on $ccr_url"
    for run in $(seq "$repeats"); do
        log "peers, run $run/$repeats: $agent_requests sequential requests each way, ${peer_seconds}s at 32 connections"
        "$client" latency --url "$direct_json" --model bench-json --requests "$agent_requests" --warmup "$agent_warmup" >"$tmp/peer-direct-$run.txt"
        "$client" latency --url "$via" --model bench-json --requests "$agent_requests" --warmup "$agent_warmup" >"$tmp/peer-sluice-openai-$run.txt"
        "$client" latency --url "$portkey_url" --model bench-json "${portkey_headers[@]}" --requests "$agent_requests" \
            --warmup "$agent_warmup" >"$tmp/peer-portkey-$run.txt" || true
        "$client" latency --url "$gateway/v1/messages" --format anthropic --model bench-chat --requests "$agent_requests" \
            --warmup "$agent_warmup" >"$tmp/peer-sluice-anthropic-$run.txt"
        "$client" latency --url "$ccr_url" --format anthropic --model bench-json --requests "$agent_requests" \
            --warmup "$agent_warmup" >"$tmp/peer-ccr-$run.txt" || true
        "$client" latency --url "$gateway/v1/messages" --format anthropic --model bench-chat-stream --stream \
            --requests "$agent_streams" --warmup "$agent_stream_warmup" >"$tmp/peer-sluice-anthropic-sse-$run.txt"
        "$client" latency --url "$ccr_url" --format anthropic --model bench-stream,bench-agent --stream \
            --requests "$agent_streams" --warmup "$agent_stream_warmup" >"$tmp/peer-ccr-sse-$run.txt" || true
    done
    # Throughput: the same 32-connection load through each (one run; sluice-bench-client load).
    "$client" load --url "$direct_json" --connections 32 --seconds "$peer_seconds" --model bench-json >"$tmp/peer-load-direct.txt"
    "$client" load --url "$via" --connections 32 --seconds "$peer_seconds" --model bench-json >"$tmp/peer-load-sluice-openai.txt"
    "$client" load --url "$portkey_url" --connections 32 --seconds "$peer_seconds" --model bench-json "${portkey_headers[@]}" \
        >"$tmp/peer-load-portkey.txt" || true
    "$client" load --url "$gateway/v1/messages" --connections 32 --seconds "$peer_seconds" --format anthropic \
        --model bench-chat >"$tmp/peer-load-sluice-anthropic.txt"
    "$client" load --url "$ccr_url" --connections 32 --seconds "$peer_seconds" --format anthropic --model bench-json \
        >"$tmp/peer-load-ccr.txt" || true
    peer_rss_portkey=$(rss_kb "$portkey_pid") peer_rss_ccr=$(rss_kb "$ccr_pid")
    for pid in "${peer_pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
fi

# ---- soak: RSS growth across many requests ----------------------------------------------------------------------
log "soak: $soak_requests requests through Sluice at 32 connections"
ticks_before=$(cpu_ticks "$sluice_pid")
"$client" load --url "$via" --connections 32 --requests "$soak_requests" --model bench-json \
    --watch-pid "$sluice_pid" >"$tmp/soak.txt"
ticks_after=$(cpu_ticks "$sluice_pid")
cpu_per_request=$(calc "($ticks_after - $ticks_before) * 1000000 / $(getconf CLK_TCK) / $soak_requests")

if [ -n "$via_tel" ]; then
    curl -s "$metrics_url" >"$tmp/metrics.txt" || true
    kill "$telemetry_pid"
    wait "$telemetry_pid" 2>/dev/null || true
fi
kill "$sluice_pid" "$guarded_pid"
wait "$sluice_pid" 2>/dev/null || true
wait "$guarded_pid" 2>/dev/null || true

log "guardrails: scanning an ordinary request and 1 MB prompts"
"$guardrails_bin" --repeats "$([ "$smoke" -eq 1 ] && echo 3 || echo 25)" >"$tmp/guardrails.txt"
logged=$(sed -n 's/.* \([0-9]*\) requests logged.*/\1/p' "$tmp/sluice.out")

# ---- store ------------------------------------------------------------------------------------------------------
if [ "$run_store" -eq 1 ]; then
    log "store: $store_records records through the writer, then spend aggregations"
    "$store_bin" --records "$store_records" --repeats "$store_repeats" >"$tmp/store.txt"
else
    : >"$tmp/store.txt"
fi
store_rps=$(sed -n 's/.*committed in .* ms: \([0-9]*\) records\/s.*/\1/p' "$tmp/store.txt")
# The spend report (what the spend command and the dashboard run) is judged; the scan of the request rows is shown.
agg_30d=$(sed -n '/^spend report/,$ s/.*last 30 days *:.*median \([0-9.]*\) ms.*/\1/p' "$tmp/store.txt")
agg_month=$(sed -n '/^spend report/,$ s/.*this month *:.*median \([0-9.]*\) ms.*/\1/p' "$tmp/store.txt")
scan_30d=$(sed -n '/^spend report/q; s/.*last 30 days *:.*median \([0-9.]*\) ms.*/\1/p' "$tmp/store.txt")

# ---- table ------------------------------------------------------------------------------------------------------
rows=()
row() { rows+=("$(printf '| %s | %s | %s | %s | %s | %s |' "$@")"); }
# judge ADDED OP TARGET: yes/no, or "n/a (smoke)" on smoke runs, which never judge
judge() {
    if [ "$smoke" -eq 1 ]; then echo "n/a (smoke)"; return; fi
    if [ -z "$1" ]; then echo "?"; return; fi
    awk "BEGIN { exit !($1 $2 $3) }" && echo yes || echo NO
}

d50=$(med lat-direct total_p50_us) s50=$(med lat-sluice total_p50_us)
d99=$(med lat-direct total_p99_us) s99=$(med lat-sluice total_p99_us)
a50=$(calc "$s50 - $d50") a99=$(calc "$s99 - $d99")
row "non-stream latency p50, 1 connection (µs)" "$d50" "$s50" "$a50" "≤ 50 added" "$(judge "$a50" "<=" 50)"
row "non-stream latency p99, 1 connection (µs)" "$d99" "$s99" "$a99" "≤ 500 added" "$(judge "$a99" "<=" 500)"
if [ -n "$hop" ]; then
    h50=$(med lat-hop total_p50_us) h99=$(med lat-hop total_p99_us)
    ha50=$(calc "$h50 - $d50") ha99=$(calc "$h99 - $d99")
    row "one loopback hop (nginx proxy_pass): p50 / p99, 1 connection (µs)" "$d50 / $d99" "$h50 / $h99" \
        "$ha50 / $ha99" "Sluice adds ×$(calc "$a50 / ($ha50 > 1 ? $ha50 : 1)" 2) the hop's p50" "–"
fi

if [ -n "$via_tel" ]; then
    t50=$(med lat-telemetry total_p50_us) t99=$(med lat-telemetry total_p99_us)
    ta50=$(calc "$t50 - $d50") ta99=$(calc "$t99 - $d99")
    row "… with /metrics + OTLP export on: p50 / p99, 1 connection (µs)" "$d50 / $d99" "$t50 / $t99" \
        "$ta50 / $ta99" "≈ without: ×$(calc "$ta50 / ($a50 > 0 ? $a50 : 1)" 2) p50" "–"
fi
b50=$(med big-direct total_p50_us) sb50=$(med big-sluice total_p50_us)
row "non-stream latency p50, 100 KB prompt (µs)" "$b50" "$sb50" "$(calc "$sb50 - $b50")" "–" "–"
drps=$(val "$tmp/load-direct.txt" rps) srps=$(val "$tmp/load-sluice.txt" rps)
row "throughput, 32 connections (req/s)" "$drps" "$srps" "–" "≥ 5000" "$(judge "$srps" ">=" 5000)"
dl50=$(val "$tmp/load-direct.txt" p50_us) sl50=$(val "$tmp/load-sluice.txt" p50_us)
dl99=$(val "$tmp/load-direct.txt" p99_us) sl99=$(val "$tmp/load-sluice.txt" p99_us)
row "latency p50 / p99 at 32 connections (µs)" "$dl50 / $dl99" "$sl50 / $sl99" \
    "$(calc "$sl50 - $dl50" 0) / $(calc "$sl99 - $dl99" 0)" "–" "–"
load_errors=$(( $(val "$tmp/load-direct.txt" errors) + $(val "$tmp/load-sluice.txt" errors) + $(val "$tmp/load-full.txt" errors) ))

dfb=$(med sse-direct first_byte_p50_us) sfb=$(med sse-sluice first_byte_p50_us)
dft=$(med sse-direct first_token_p50_us) sft=$(med sse-sluice first_token_p50_us)
aft=$(calc "$sft - $dft")
row "stream: first byte p50 (µs)" "$dfb" "$sfb" "$(calc "$sfb - $dfb")" "–" "–"
row "stream: first token event p50 (µs)" "$dft" "$sft" "$aft" "≤ 100 added" "$(judge "$aft" "<=" 100)"
dst=$(med sse-direct total_p50_us) sst=$(med sse-sluice total_p50_us)
per_event=$(calc "($sst - $dst) / 1000" 2)
if [ -n "$via_tel" ]; then
    tft=$(med sse-telemetry first_token_p50_us) tst=$(med sse-telemetry total_p50_us)
    row "… with /metrics + OTLP export on: first token / 1,000 events p50 (µs)" "$dft / $dst" "$tft / $tst" \
        "$(calc "$tft - $dft") / $(calc "$tst - $dst")" "–" "–"
fi
row "stream: 1,000 events end to end p50 (µs)" "$dst" "$sst" "$(calc "$sst - $dst")" "–" "–"
row "stream: relay overhead per event (µs)" "–" "–" "$per_event" "≤ 50" "$(judge "$per_event" "<=" 50)"
events_seen="$(val "$tmp/sse-direct-1.txt" events) / $(val "$tmp/sse-sluice-1.txt" events)"

# Guardrails: the same gateway with and without the default rules, in this run ("direct" is without them).
g50=$(med lat-guarded total_p50_us) g99=$(med lat-guarded total_p99_us)
ga50=$(calc "$g50 - $d50")
ratio=$(awk "BEGIN { if ($a50 > 0) printf \"%.2f\", $ga50 / $a50; else print \"?\" }")
row "guardrails: added latency p50 without / with default rules (µs)" "$a50" "$ga50" "× $ratio" "≤ 1.2×" \
    "$(judge "$ratio" "<=" 1.2)"
row "guardrails: latency p99 without / with default rules (µs)" "$s99" "$g99" "$(calc "$g99 - $s99")" "–" "–"
gb50=$(med big-guarded total_p50_us)
row "guardrails: 100 KB prompt p50 without / with default rules (µs)" "$sb50" "$gb50" "$(calc "$gb50 - $sb50")" \
    "–" "–"
gft=$(med sse-guarded first_token_p50_us) gst=$(med sse-guarded total_p50_us)
row "guardrails: stream first token p50 without / with (µs)" "$sft" "$gft" "$(calc "$gft - $sft")" "–" "–"
row "guardrails: stream of 1,000 events p50 without / with (µs)" "$sst" "$gst" "$(calc "$gst - $sst")" "–" "–"
scan_ms=$(val "$tmp/guardrails.txt" prompt_1mb_ms)
row "guardrails: scan of a 1 MB prompt, default rules (ms)" "–" "$scan_ms" "–" "≤ 5" "$(judge "$scan_ms" "<=" 5)"
row "guardrails: scan of 1 MB of near misses (ms)" "–" "$(val "$tmp/guardrails.txt" hostile_1mb_ms)" "–" "–" "–"
row "guardrails: scan of an ordinary request (µs)" "–" "$(val "$tmp/guardrails.txt" ordinary_check_us)" "–" "–" "–"

mb() { calc "$1 / 1024" 1; }
row "RSS idle (MB)" "–" "$(mb "$rss_idle")" "–" "≤ 40" "$(judge "$(mb "$rss_idle")" "<=" 40)"
row "RSS peak under 32-connection load (MB)" "–" "$(mb "$rss_load")" "–" "≤ 60" "$(judge "$(mb "$rss_load")" "<=" 60)"
row "RSS peak under 32-connection load, guardrails + telemetry export + metrics on (MB)" "–" "$(mb "$rss_full")" \
    "–" "≤ 60" "$(judge "$(mb "$rss_full")" "<=" 60)"
row "throughput, 32 connections, guardrails + telemetry export + metrics on (req/s)" "–" \
    "$(val "$tmp/load-full.txt" rps)" "–" "–" "–"
row "RSS peak in the sequential and stream runs (MB)" "–" "$(mb "$rss_seq")" "–" "–" "–"
growth=$(val "$tmp/soak.txt" rss_growth_pct)
row "RSS growth over $soak_requests requests, median early → late (%)" "–" \
    "$(mb "$(val "$tmp/soak.txt" rss_kb_early_median)") → $(mb "$(val "$tmp/soak.txt" rss_kb_late_median)") MB" \
    "${growth:-?}" "< 5" "$(judge "$growth" "<" 5)"
row "RSS peak in the soak (MB)" "–" "$(mb "$(val "$tmp/soak.txt" rss_kb_max)")" "–" "–" "–"
row "soak throughput, 32 connections (req/s)" "–" "$(val "$tmp/soak.txt" rps)" "–" "–" "–"
row "Sluice CPU time per request in the soak, all threads (µs)" "–" "$cpu_per_request" "–" "–" "–"
st=$(val "$tmp/startup.txt" startup_median_ms)
row "start-up to listening, median of $startup_runs (ms)" "–" "$st" "–" "≤ 300" "$(judge "$st" "<=" 300)"
row "store writer, $store_records records (records/s)" "–" "${store_rps:-?}" "–" "≥ 20000" \
    "$(judge "$store_rps" ">=" 20000)"
row "spend aggregation, last 30 days over $store_records rows (ms)" "–" "${agg_30d:-?}" "–" "≤ 200" \
    "$(judge "$agg_30d" "<=" 200)"
row "spend aggregation, this month over $store_records rows (ms)" "–" "${agg_month:-?}" "–" "≤ 200" \
    "$(judge "$agg_month" "<=" 200)"
row "one GROUP BY over the request rows, last 30 days, no rollup (ms)" "–" "${scan_30d:-?}" "–" "–" "–"

echo
echo "Sluice benchmark ($([ "$smoke" -eq 1 ] && echo "smoke run: small counts, times not judged" || echo "full run"))"
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), load average" \
    "$(cut -d' ' -f1-3 /proc/loadavg) at the end; build: ${build_type:-unknown}; upstream: $upstream_name"
echo
echo "| metric | direct | through Sluice | added | target | met? |"
echo "| --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${rows[@]}"
echo
echo "Non-stream: $latency_requests sequential requests on one keep-alive connection per run, $repeats run(s), median;" \
    "streams: $stream_requests per run, SSE events seen direct / through: $events_seen (Sluice hides the usage" \
    "chunk it asked for). Requests logged by Sluice: ${logged:-?}. Load errors: $load_errors, soak errors:" \
    "$(val "$tmp/soak.txt" errors)."

if [ -n "$via_tel" ]; then
    echo "Telemetry run: $(sed -n 's/^sluice_telemetry_spans_exported_total //p' "$tmp/metrics.txt") spans exported," \
        "$(sed -n 's/^sluice_telemetry_spans_dropped_total //p' "$tmp/metrics.txt") dropped (from its /metrics)."
fi

# ---- agent paths and peers tables --------------------------------------------------------------------------------
if [ "$run_agents" -eq 1 ]; then
    amed() { med "agent-$1" "$2"; }
    added() { calc "$(amed "$1-via-$2" "$3") - $(amed "$1-direct-$2" "$3")"; }
    echo
    echo "Agent paths: added latency through Sluice, µs (direct = the call Sluice makes upstream: same answer, same" \
        "format; targets: p50 ≤ 50, p99 ≤ 500, first token ≤ 100 added; translated ≤ 2× its same-format path)"
    echo
    echo "| path | direct p50 | Sluice p50 | added p50 (× direct) | added p99 | stream: first token added | stream: end to end added (events) | 100 KB + 24 tools: added p50 | 1 MB + 24 tools: added p50 | met? |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    for entry in "${agent_paths[@]}"; do
        name="${entry%%|*}"
        dp=$(amed "$name-direct-json" total_p50_us) sp=$(amed "$name-via-json" total_p50_us)
        a50=$(added "$name" json total_p50_us) a99=$(added "$name" json total_p99_us)
        aft=$(added "$name" sse first_token_p50_us) aend=$(added "$name" sse total_p50_us)
        verdict="p50 $(judge "$a50" "<=" 50), p99 $(judge "$a99" "<=" 500), first token $(judge "$aft" "<=" 100)"
        case "$name" in
        *-openai)
            same="${name%-openai}"
            ratio=$(calc "$a50 / ($(added "$same" json total_p50_us) > 1 ? $(added "$same" json total_p50_us) : 1)" 2)
            verdict="$verdict, ×$ratio of $same $(judge "$ratio" "<=" 2)" ;;
        esac
        echo "| $(agent_label "$name") | $dp | $sp | $a50 (×$(calc "$sp / $dp" 2)) | $a99 | $aft | $aend ($(val "$tmp/agent-$name-via-sse-1.txt" events)) | $(added "$name" big total_p50_us) | $(added "$name" huge total_p50_us) | $verdict |"
    done
    echo
    echo "Per path: $agent_requests sequential requests, $agent_streams streams (OpenAI chat, Anthropic and Responses" \
        "streams of 300 text deltas, Gemini of 60 chunks), $agent_big requests of 100 KB and $agent_huge of 1 MB of" \
        "context in 8 KB turns with a system prompt and 24 tools; $repeats run(s), median."
fi
if [ "$run_peers" -eq 1 ]; then
    pmed() { med "peer-$1" "$2"; }
    pd=$(pmed direct total_p50_us)
    so=$(calc "$(pmed sluice-openai total_p50_us) - $pd") po=$(calc "$(pmed portkey total_p50_us) - $pd")
    sa=$(calc "$(pmed sluice-anthropic total_p50_us) - $pd") pc=$(calc "$(pmed ccr total_p50_us) - $pd")
    lrps() { val "$tmp/peer-load-$1.txt" rps; }
    echo
    echo "Peers: the same upstream through Sluice and through the gateway developers run locally today (added p50 over" \
        "the direct OpenAI chat call, µs; requests/s at 32 connections; targets on the translated path: ≥ 10× less" \
        "added latency and ≥ 10× the throughput of claude-code-router)"
    echo
    echo "| path | Sluice added p50 | peer | peer added p50 | peer ÷ Sluice | Sluice req/s | peer req/s | Sluice ÷ peer | peer RSS (MB) |"
    echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    echo "| OpenAI chat, non-stream (direct p50 $pd) | $so | Portkey gateway 1.15.2 | $po | ×$(calc "$po / ($so > 1 ? $so : 1)" 1) | $(lrps sluice-openai) | $(lrps portkey) | ×$(calc "$(lrps sluice-openai) / ($(lrps portkey) > 0 ? $(lrps portkey) : 1)" 1) | $(mb "$peer_rss_portkey") |"
    lat_ratio=$(calc "$pc / ($sa > 1 ? $sa : 1)" 1)
    rps_ratio=$(calc "$(lrps sluice-anthropic) / ($(lrps ccr) > 0 ? $(lrps ccr) : 1)" 1)
    echo "| Anthropic Messages → OpenAI chat, non-stream | $sa | claude-code-router 2.0.0 | $pc | ×$lat_ratio ($(judge "$lat_ratio" ">=" 10)) | $(lrps sluice-anthropic) | $(lrps ccr) | ×$rps_ratio ($(judge "$rps_ratio" ">=" 10)) | $(mb "$peer_rss_ccr") |"
    sft=$(pmed sluice-anthropic-sse first_token_p50_us) cft=$(pmed ccr-sse first_token_p50_us)
    send=$(pmed sluice-anthropic-sse total_p50_us) cend=$(pmed ccr-sse total_p50_us)
    echo "| Anthropic → OpenAI chat, 300-event stream: first token / end to end p50 (not added) | $sft / $send | claude-code-router 2.0.0 | $cft / $cend | ×$(calc "$cft / $sft" 1) / ×$(calc "$cend / $send" 1) | – | – | – | – |"
    echo
    echo "Peers: $agent_requests sequential requests and $agent_streams streams each, $repeats run(s), median;" \
        "load ${peer_seconds}s each with sluice-bench-client (Anthropic bodies for the translated path). Errors:" \
        "Portkey $(val "$tmp/peer-load-portkey.txt" errors), claude-code-router $(val "$tmp/peer-load-ccr.txt" errors)."
fi

status=0
for file in "$tmp"/lat-*.txt "$tmp"/big-*.txt "$tmp"/sse-*.txt "$tmp"/agent-*.txt; do
    [ -e "$file" ] || continue # no agent rows with --no-agents
    [ "$(val "$file" errors)" = 0 ] || { log "errors in $(basename "$file")"; status=1; }
done
[ "$load_errors" -eq 0 ] && [ "$(val "$tmp/soak.txt" errors)" = 0 ] || status=1
exit "$status"
