-- wrk script for benchmarks/load.py: cycle through the request paths of a file (one a line), each thread from its
-- own offset, and print the figures as one JSON line (marked "LOADJSON ") for load.py to read.
--
--     wrk -t1 -c50 -d60s --timeout 10s -s benchmarks/load_mix.lua http://127.0.0.1:PORT -- paths.txt
--
-- No response() function: with one, wrk would copy every body into Lua, and the load generator would cost
-- more CPU than the 2-core machine can spare. Statuses other than 2xx/3xx are counted by wrk itself.

local threads = {}
local paths = {}
local counter = 0

function setup(thread)
  thread:set("thread_number", #threads)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(args[1], "r"))
  for line in file:lines() do
    if line ~= "" then
      paths[#paths + 1] = line
    end
  end
  file:close()
  counter = thread_number * 7919
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[counter % #paths + 1])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'LOADJSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
end
