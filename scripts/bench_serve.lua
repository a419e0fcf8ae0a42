-- wrk's script for bench_serve.py: sends the requests of a file in turn, and prints the
-- figures as one line of JSON.
-- wrk --threads T ... --script bench_serve.lua URL -- REQUESTS.tsv T once|again
-- Each line of REQUESTS.tsv is a request: method, path, Accept, form body, tab-separated.
-- Thread k of T sends requests k, k+T, k+2T..., so that together the threads send them
-- in order, as bench_serve.py's own clients do: over and over until wrk's --duration
-- ends ("again"), or each once ("once": a connection with none left to send waits, and
-- the thread stops when its last answer came, so that no visit again is measured).

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock, bench_timespec *now);
]]

-- Microseconds on the monotonic clock: wrk's own duration is --duration, however soon
-- the threads stop.
local function now_us()
  local now = ffi.new("bench_timespec")
  ffi.C.clock_gettime(1, now)
  return tonumber(now.tv_sec) * 1e6 + tonumber(now.tv_nsec) / 1e3
end

local threads = {}

function setup(thread)
  thread:set("first", #threads)
  table.insert(threads, thread)
end

local function fields(line)
  local found = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    table.insert(found, field)
  end
  return found
end

local calls = {}
local next_call = 0
local step = 1

function init(args)
  for line in io.lines(args[1]) do
    local method, path, accept, form = (table.unpack or unpack)(fields(line))
    local headers = { Accept = accept }
    local body = nil
    if form ~= "" then
      headers["Content-Type"] = "application/x-www-form-urlencoded"
      body = form
    end
    table.insert(calls, wrk.format(method, path, headers, body))
  end
  if #calls == 0 then
    error("no requests in " .. args[1])
  end
  step = tonumber(args[2]) or 1
  next_call = first
  -- wrk calls the first thread's request() once before it starts, to check the script.
  checked = first ~= 0
  if args[3] == "once" then
    -- Defined here, so that wrk, which looks for them after init, times "again" runs
    -- with neither.
    local share = math.floor((#calls - 1 - first) / step) + 1
    local answered = 0
    function delay()
      if next_call >= #calls then
        return 3600000
      end
      return 0
    end
    function response()
      answered = answered + 1
      if answered >= share then
        ended_us = now_us()
        wrk.thread:stop()
      end
    end
  end
end

function request()
  local call = calls[(next_call % #calls) + 1]
  if not checked then
    checked = true
    return call
  end
  started_us = started_us or now_us()
  next_call = next_call + step
  return call
end

function done(summary, latency, requests)
  local e = summary.errors
  local duration = summary.duration
  local first_start, last_end = nil, nil
  for _, thread in ipairs(threads) do
    local started, ended = thread:get("started_us"), thread:get("ended_us")
    if started == nil or ended == nil then
      first_start = nil
      break
    end
    first_start = math.min(first_start or started, started)
    last_end = math.max(last_end or ended, ended)
  end
  if first_start ~= nil then
    duration = last_end - first_start
  end
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, duration, latency:percentile(50), latency:percentile(95),
    e.connect, e.read, e.write, e.status, e.timeout))
end
