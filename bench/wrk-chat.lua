-- wrk script: every request is the benchmark's non-streamed chat completion POST. run.sh sets BENCH_MODEL and
-- SLUICE_BENCH_TOKEN; done() prints the results as key=value lines like sluice-bench-client does.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
local token = os.getenv("SLUICE_BENCH_TOKEN")
if token and token ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. token
end
wrk.body = '{"model":"' .. (os.getenv("BENCH_MODEL") or "bench-json")
    .. '","messages":[{"role":"user","content":"Invent a new holiday and describe its traditions."}]}'

function done(summary, latency, requests)
    local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.status
        + summary.errors.timeout
    io.write(string.format("wrk_requests=%d\n", summary.requests))
    io.write(string.format("wrk_rps=%.0f\n", summary.requests / (summary.duration / 1e6)))
    io.write(string.format("wrk_p50_us=%d\n", latency:percentile(50)))
    io.write(string.format("wrk_p99_us=%d\n", latency:percentile(99)))
    io.write(string.format("wrk_errors=%d\n", errors))
end
