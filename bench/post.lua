-- The write cases of bench/run: form POSTs with a signed-in session and its CSRF token, each on
-- its own target, since a change request or an acceptance can only happen once.
--
--   BENCH_COOKIE=... BENCH_CSRF=... BENCH_MODE=create|accept BENCH_TARGETS=FILE BENCH_THREADS=N \
--   wrk -t N -s bench/post.lua URL
--
-- BENCH_TARGETS holds one target a line:
--   create: "SERVICE_ID"                 -> POST /services/SERVICE_ID/edit, a new technical contact
--   accept: "REQUEST_ID SERVICE_ID"     -> POST /requests/REQUEST_ID/accept with code bench-code (every open request of bench-data has it)
-- Thread t of N takes lines t, t+N, t+2N, ...; past the end it starts again (those repeats are
-- refused by the app, and counted as bad). Success is a 303 (the app's redirect after a POST);
-- anything else counts as bad.

local mode = os.getenv("BENCH_MODE")
local cookie = os.getenv("BENCH_COOKIE")
local csrf = os.getenv("BENCH_CSRF")
local targets_file = os.getenv("BENCH_TARGETS")
local newContact = os.getenv("BENCH_NEW_CONTACT") or "cu0000001-ovh"

local created = 0
local threads = {}

function setup(thread)
    created = created + 1
    thread:set("tid", created)
    table.insert(threads, thread)
end

local targets = {}
local position
local nthreads
bad = 0
good = 0

function init(args)
    nthreads = tonumber(os.getenv("BENCH_THREADS")) or 1
    for line in io.lines(targets_file) do
        table.insert(targets, line)
    end
    position = tid
end

local function next_target()
    local target = targets[((position - 1) % #targets) + 1]
    position = position + nthreads
    return target
end

function request()
    local target = next_target()
    local path, body
    if mode == "create" then
        path = "/services/" .. target .. "/edit"
        body = "csrf=" .. csrf .. "&new_admin=&new_tech=" .. newContact .. "&new_billing="
    else
        local request_id, service_id = target:match("^(%d+) (%d+)$")
        path = "/requests/" .. request_id .. "/accept"
        body = "csrf=" .. csrf .. "&code=bench-code"
    end
    return wrk.format("POST", path, {
        ["Cookie"] = cookie,
        ["Content-Type"] = "application/x-www-form-urlencoded",
    }, body)
end

function response(status, headers, body)
    if status == 303 then
        good = good + 1
    else
        bad = bad + 1
    end
end

function done(summary, latency, requests)
    local total_bad = 0
    for _, thread in ipairs(threads) do
        total_bad = total_bad + (thread:get("bad") or 0)
    end
    local e = summary.errors
    io.write(string.format(
        "BENCH-RESULT requests=%d duration_us=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d max_us=%d "
            .. "connect=%d read=%d write=%d timeout=%d status=%d bad=%d\n",
        summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
        latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
        e.connect, e.read, e.write, e.timeout, e.status, total_bad))
end
