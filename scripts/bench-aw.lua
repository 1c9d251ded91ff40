-- wrk script of scripts/bench-aw.sh: the same requests against any server
-- of ActivityWatch's /api/0 API (AIMA, aw-server-rust).
--
--   wrk -tT -cC -dD --latency -s scripts/bench-aw.lua URL -- MODE PREFIX BUCKETS T
--
-- MODE heartbeat: POST /api/0/buckets/{id}/heartbeat?pulsetime=60 with one
--   event at the current time (ISO 8601, UTC, milliseconds), duration 0. A
--   bucket's data changes every third heartbeat of that bucket, so about two
--   of three merge into the event before, like a window watcher's.
-- MODE batch: POST /api/0/buckets/{id}/events with 100 events, one second
--   apart and distinct within the bucket, sixty days back.
--
-- The buckets are PREFIX0 .. PREFIX{BUCKETS-1} and must exist; thread t of
-- T sends to buckets t, t+T, t+2T, ... in turn (one bucket per request), so
-- no two threads share a bucket. done() prints one line,
-- `bench-aw-result {json}`: completed requests, run time, p50/p99/max
-- latency in microseconds, socket errors, and answers outside 2xx (counted
-- by response(), with the first such answer's status and body).

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_usec; } bench_aw_timeval;
int gettimeofday(bench_aw_timeval *tv, void *tz);
]]

local BATCH = 100

-- Setup phase (its own Lua state): number the threads, keep them for done().
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

-- Running phase (one Lua state per thread).
local tv = ffi.new("bench_aw_timeval")

local function now_ms()
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) * 1000 + math.floor(tonumber(tv.tv_usec) / 1000)
end

local function iso(ms)
  return os.date("!%Y-%m-%dT%H:%M:%S", math.floor(ms / 1000)) .. string.format(".%03dZ", ms % 1000)
end

function init(args)
  mode, prefix = args[1], args[2]
  local buckets, nthreads = tonumber(args[3]), tonumber(args[4])
  if (mode ~= "heartbeat" and mode ~= "batch") or not prefix or not buckets or not nthreads then
    error("usage: -- heartbeat|batch PREFIX BUCKETS THREADS")
  end
  mine = {}
  for b = tid, buckets - 1, nthreads do
    mine[#mine + 1] = b
  end
  if #mine == 0 then
    error("thread " .. tid .. " has no bucket: more threads than buckets")
  end
  sent = 0 -- requests made by this thread
  base_ms = now_ms() - 60 * 86400 * 1000
  non2xx = 0
  first_bad = ""
  wrk.headers["Content-Type"] = "application/json"
end

local function heartbeat(bucket, round)
  local version = math.floor(round / 3)
  local body = string.format(
    '{"timestamp":"%s","duration":0,"data":{"app":"app%d","title":"Document %d of bucket %d"}}',
    iso(now_ms()), version % 7, version, bucket)
  return wrk.format("POST", "/api/0/buckets/" .. prefix .. bucket .. "/heartbeat?pulsetime=60", nil, body)
end

local function batch(bucket, round)
  local events = {}
  for i = 0, BATCH - 1 do
    local k = round * BATCH + i
    events[#events + 1] = string.format(
      '{"timestamp":"%s","duration":1.0,"data":{"app":"app%d","title":"Event %d of bucket %d"}}',
      iso(base_ms + k * 1000), k % 7, k, bucket)
  end
  return wrk.format("POST", "/api/0/buckets/" .. prefix .. bucket .. "/events", nil,
    "[" .. table.concat(events, ",") .. "]")
end

function request()
  local bucket = mine[(sent % #mine) + 1]
  local round = math.floor(sent / #mine) -- this bucket's request number
  sent = sent + 1
  if mode == "heartbeat" then
    return heartbeat(bucket, round)
  end
  return batch(bucket, round)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if first_bad == "" then
      first_bad = status .. " " .. string.sub(body or "", 1, 200)
    end
  end
end

-- Done phase (the setup state again).
function done(summary, latency, requests)
  local bad, first = 0, ""
  for _, t in ipairs(threads) do
    bad = bad + t:get("non2xx")
    local f = t:get("first_bad")
    if first == "" and f ~= "" then
      first = f
    end
  end
  local e = summary.errors
  io.write(string.format(
    'bench-aw-result {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"non2xx":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"first_bad":"%s"}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    bad, e.connect, e.read, e.write, e.status, e.timeout, (first:gsub('[%c"\\]', " "))))
end
