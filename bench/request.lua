-- wrk script for `make bench`: sends the page's session cookie and, for a POST, a new form
-- body per request (read from BENCH_BODIES, one urlencoded body a line, split between
-- threads so no body is sent twice). Prints one BENCH_RESULT line of JSON at the end.

local method = os.getenv("BENCH_METHOD") or "GET"
local cookie = os.getenv("BENCH_COOKIE") or ""
local bodies_file = os.getenv("BENCH_BODIES") or ""

wrk.method = method
if cookie ~= "" then
  wrk.headers["Cookie"] = cookie
end

local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

if method == "POST" then
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  local bodies = {}
  local next_body = 1

  function init(args)
    local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
    local index = 0
    for line in io.lines(bodies_file) do
      if index % nthreads == id then
        table.insert(bodies, line)
      end
      index = index + 1
    end
  end

  function request()
    local body = bodies[next_body]
    if body == nil then
      -- Out of fresh bodies: say so at the end rather than resend a used form.
      exhausted = (exhausted or 0) + 1
      body = bodies[#bodies]
    else
      next_body = next_body + 1
    end
    return wrk.format(nil, nil, nil, body)
  end
end

function done(summary, latency, requests)
  local exhausted = 0
  for _, thread in ipairs(threads) do
    exhausted = exhausted + (thread:get("exhausted") or 0)
  end
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "status_errors": %d, ' ..
    '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "timeouts": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "mean_us": %.1f, "bodies_exhausted": %d}\n',
    summary.requests, summary.duration, summary.errors.status, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean,
    exhausted))
end
