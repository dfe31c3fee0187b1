# The harness bench/callgrind.sh and bench/timeline.sh share (sourced, not run): sluice-bench-upstream with run.sh's
# fixtures, `sluice --headless` in front of it with logging and bodies on and a gateway token, and
# sluice-bench-client sending one path's requests on one connection.
#
# The sourcing script sets root, build_dir and sluice_bin, then calls
#   harness_prepare NAME PATH STREAM   NAME for messages; PATH as run.sh's agent table names it (openai, anthropic,
#                                      anthropic-openai, responses, responses-openai); STREAM 1 for streamed requests.
#                                      Starts the upstream and writes Sluice's config into tmp (removed on exit; a
#                                      harness_keep function, if the script defines one, runs first)
#   harness_launch [LAUNCHER...]       starts Sluice (under LAUNCHER, e.g. valgrind ...) and waits until it listens;
#                                      sets sluice_pid and port
#   run_client N                       N requests of the path on one connection (with the client options in the
#                                      array harness_client_args, if the script sets it)

[ -n "${harness_client_args+x}" ] || harness_client_args=()
upstream_bin="$build_dir/bench/upstream/sluice-bench-upstream"
client="$build_dir/bench/client/sluice-bench-client"
recordings="${SLUICE_RECORDINGS_DIR:-$root/../shared/data/provider-recordings}" # as run.sh

harness_prepare() {
    harness_name="$1"
    local path="$2" bin route upstream_port upstream
    harness_stream="$3"
    for bin in "$sluice_bin" "$upstream_bin" "$client"; do
        [ -x "$bin" ] || { echo "$harness_name: $bin is not built (bench/run.sh builds it)" >&2; exit 1; }
    done
    # format | endpoint | model (non-streamed) | model (streamed)
    case "$path" in
    openai) route="openai|/v1/chat/completions|bench-json|bench-agent" ;;
    anthropic) route="anthropic|/v1/messages|bench-anthropic|bench-anthropic-stream" ;;
    anthropic-openai) route="anthropic|/v1/messages|bench-chat|bench-chat-stream" ;;
    responses) route="responses|/v1/responses|bench-json|bench-agent" ;;
    responses-openai) route="responses|/v1/responses|bench-chat|bench-chat-stream" ;;
    *)
        echo "$harness_name: --path is one of openai, anthropic, anthropic-openai, responses, responses-openai" >&2
        exit 2
        ;;
    esac
    IFS='|' read -r harness_format harness_endpoint harness_model harness_stream_model <<<"$route"
    [ "$harness_stream" -eq 0 ] || harness_model="$harness_stream_model"

    tmp="$(mktemp -d)"
    harness_pids=()
    trap harness_cleanup EXIT

    upstream_port="$(harness_free_port)"
    "$upstream_bin" --recordings "$recordings" --events 1000 --agent-events 300 --port "$upstream_port" \
        >"$tmp/upstream.log" 2>&1 &
    harness_pids+=($!)
    upstream="http://127.0.0.1:$upstream_port"
    port="$(harness_free_port)"
    cat >"$tmp/sluice.yaml" <<EOF
providers:
  - {name: bench-json, type: openai, base_url: $upstream/json/v1}
  - {name: bench-agent, type: openai, base_url: $upstream/agent/v1}
  - {name: bench-chat-json, type: openai-compatible, base_url: $upstream/json/v1}
  - {name: bench-chat-agent, type: openai-compatible, base_url: $upstream/agent/v1}
  - {name: bench-anthropic-json, type: anthropic, base_url: $upstream/json}
  - {name: bench-anthropic-agent, type: anthropic, base_url: $upstream/agent}
models:
  - {name: bench-json, provider: bench-json}
  - {name: bench-agent, provider: bench-agent}
  - {name: bench-chat, provider: bench-chat-json}
  - {name: bench-chat-stream, provider: bench-chat-agent}
  - {name: bench-anthropic, provider: bench-anthropic-json}
  - {name: bench-anthropic-stream, provider: bench-anthropic-agent}
tokens:
  - name: bench
    secret: env:SLUICE_BENCH_TOKEN
logging:
  store_bodies: true
EOF
    export SLUICE_BENCH_TOKEN="sk-bench-$RANDOM$RANDOM"
}

harness_launch() {
    "$@" "$sluice_bin" --headless --config "$tmp/sluice.yaml" --port "$port" --data-dir "$tmp/data" \
        >"$tmp/sluice.log" 2>&1 &
    sluice_pid=$!
    harness_pids+=("$sluice_pid")
    for _ in $(seq 1 120); do
        grep -q "listening" "$tmp/sluice.log" 2>/dev/null && break
        sleep 1
    done
    grep -q "listening" "$tmp/sluice.log" || {
        echo "$harness_name: Sluice did not start" >&2
        cat "$tmp/sluice.log" >&2
        exit 1
    }
}

harness_cleanup() {
    local pid
    for pid in "${harness_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if declare -F harness_keep >/dev/null; then harness_keep; fi
    rm -rf "$tmp"
}

harness_free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# run_client N: N requests of the path, one connection, no warm-up; exits the script if one fails.
run_client() {
    local -a args=(latency --url "http://127.0.0.1:$port$harness_endpoint" --format "$harness_format"
        --model "$harness_model" --token "$SLUICE_BENCH_TOKEN" --requests "$1" --warmup 0)
    [ "$harness_stream" -eq 0 ] || args+=(--stream)
    args+=("${harness_client_args[@]}")
    "$client" "${args[@]}" >"$tmp/client.txt"
    grep -q '^errors=0$' "$tmp/client.txt" || {
        echo "$harness_name: requests failed" >&2
        cat "$tmp/client.txt" >&2
        exit 1
    }
}
