-- wrk script of the check-in morning: replays a pre-generated request plan and classifies
-- the answers. Environment: BENCH_PLAN (tab-separated: path, Authorization header or "-",
-- JSON body), BENCH_THREADS (wrk's -t), BENCH_OUT (the JSON summary written by done()).
--
-- Each thread takes every n-th line of the plan, so no two threads send the same request;
-- the plan's repeats of a child are the only repeats. Requests are formatted once in
-- init(): the generator's own CPU use competes with the server.

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("tid", thread_count)
  table.insert(threads, thread)
end

local requests = {}
local position = 0

counts = { created = 0, kiosk = 0, tap = 0, refused_repeat = 0, errors = 0, wrapped = 0 }
statuses = {}
samples = {}

local function split(line)
  local fields = {}
  for value in string.gmatch(line, "[^\t]+") do
    table.insert(fields, value)
  end
  return fields
end

function init(args)
  local n = tonumber(os.getenv("BENCH_THREADS") or "1")
  local index = 0
  for line in io.lines(os.getenv("BENCH_PLAN")) do
    if index % n == tid - 1 then
      local f = split(line)
      -- English answers, so that a refusal can be recognised by its message.
      local headers = { ["Content-Type"] = "application/json", ["Accept-Language"] = "en" }
      if f[2] ~= "-" then headers["Authorization"] = f[2] end
      table.insert(requests, wrk.format("POST", f[1], headers, f[3]))
    end
    index = index + 1
  end
end

function request()
  position = position + 1
  if position > #requests then
    -- The plan ran out: later requests repeat it, and their answers count as errors.
    position = 1
    counts.wrapped = counts.wrapped + 1
  end
  return requests[position]
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  if status == 201 then
    counts.created = counts.created + 1
    if string.find(body, '"check_in_method":"kiosk"', 1, true) then
      counts.kiosk = counts.kiosk + 1
    elseif string.find(body, '"check_in_method":"tap"', 1, true) then
      counts.tap = counts.tap + 1
    end
  elseif status == 400 and string.find(body, "already checked in", 1, true) then
    counts.refused_repeat = counts.refused_repeat + 1
  else
    counts.errors = counts.errors + 1
    if #samples < 5 then table.insert(samples, key .. " " .. string.sub(body or "", 1, 300)) end
  end
end

local function encode(value)
  local kind = type(value)
  if kind == "number" then return string.format("%.17g", value) end
  if kind == "string" then return '"' .. (string.gsub(value, '[%c"\\]', " ")) .. '"' end
  if kind == "table" then
    local parts = {}
    if #value > 0 then
      for _, item in ipairs(value) do table.insert(parts, encode(item)) end
      return "[" .. table.concat(parts, ",") .. "]"
    end
    for k, item in pairs(value) do table.insert(parts, encode(tostring(k)) .. ":" .. encode(item)) end
    return "{" .. table.concat(parts, ",") .. "}"
  end
  return "null"
end

function done(summary, latency, requests)
  local total = {}
  local all_statuses = {}
  local all_samples = {}
  for _, thread in ipairs(threads) do
    for k, v in pairs(thread:get("counts")) do total[k] = (total[k] or 0) + v end
    for k, v in pairs(thread:get("statuses")) do all_statuses[k] = (all_statuses[k] or 0) + v end
    for _, s in ipairs(thread:get("samples")) do table.insert(all_samples, s) end
  end
  local percentiles = {}
  for _, p in ipairs({ 50, 90, 95, 99, 99.9 }) do
    percentiles[tostring(p)] = latency:percentile(p) / 1000.0
  end
  local out = {
    duration_s = summary.duration / 1e6,
    requests = summary.requests,
    socket_errors = summary.errors,
    latency_ms = {
      min = latency.min / 1000.0, max = latency.max / 1000.0,
      mean = latency.mean / 1000.0, stdev = latency.stdev / 1000.0,
      percentiles = percentiles,
    },
    counts = total,
    statuses = all_statuses,
    error_samples = all_samples,
  }
  local file = assert(io.open(os.getenv("BENCH_OUT"), "w"))
  file:write(encode(out))
  file:close()
end
