-- Common to every bench/run case: an optional session cookie (BENCH_COOKIE), and one line of
-- results that bench/run parses. Latencies are in microseconds.
--
--   wrk -s bench/report.lua URL
--
-- Requests are GETs; wrk's own error counters (connect, read, write, timeout, status >= 400)
-- go into the line too.

local cookie = os.getenv("BENCH_COOKIE")
if cookie and cookie ~= "" then
    wrk.headers["Cookie"] = cookie
end

function done(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        "BENCH-RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d "
            .. "connect=%d read=%d write=%d timeout=%d status=%d bad=0\n",
        summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
        latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
        e.connect, e.read, e.write, e.timeout, e.status))
end
