-- wrk script of the parents' live view: each thread polls its share of the children in turn,
-- sending the ETag it last got for each child as If-None-Match, and classifies the answers.
-- Environment: BENCH_PLAN (tab-separated: path, session cookie or "-", ETag or "-"),
-- BENCH_THREADS (wrk's -t), BENCH_OUT (the JSON summary written by done()), BENCH_DELAY_MS
-- (optional: each connection waits this long before its next request — the paced phase).
--
-- A 200 carries the child's place in its body (the fragment's hx-get) and its new ETag,
-- which the next poll of that child sends; a 304 changes nothing.

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("tid", thread_count)
  table.insert(threads, thread)
end

local children = {}
local etags = {}
local position = 0
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0")

counts = { ok = 0, not_modified = 0, errors = 0, wrong_child = 0 }
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
      local child = { path = f[1], cookie = f[2] }
      child.key = string.match(f[1], "/(%d+)/$") or f[1]
      if f[3] ~= "-" then etags[child.key] = f[3] end
      table.insert(children, child)
    end
    index = index + 1
  end
end

function delay()
  return delay_ms
end

function request()
  position = position % #children + 1
  local child = children[position]
  local headers = { ["Accept-Language"] = "en" }
  if child.cookie ~= "-" then
    headers["Cookie"] = "sessionid=" .. child.cookie
    headers["HX-Request"] = "true"
  end
  local etag = etags[child.key]
  if etag then headers["If-None-Match"] = etag end
  return wrk.format("GET", child.path, headers)
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
  if status == 304 then
    counts.not_modified = counts.not_modified + 1
  elseif status == 200 then
    counts.ok = counts.ok + 1
    local place = string.match(body or "", 'hx%-get="/care/family/(%d+)/"')
    local etag = headers["ETag"] or headers["Etag"] or headers["etag"]
    if place and etag then
      etags[place] = etag
    elseif body ~= "hello" then
      counts.wrong_child = counts.wrong_child + 1
    end
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
