-- wrk script for cmd/oneplan-bench: one operation of the OnePlan API per run, chosen by the first
-- argument. Run by the driver as
--   wrk -t THREADS -c CONNECTIONS -d SECONDS --latency -s oneplan.lua http://127.0.0.1:PORT -- OP KEY REFERRALS THREADS
-- OP is create, read, list, list_status or update; KEY a SEND officer API key; REFERRALS the
-- number loaded by internal/benchload, whose deterministic ids this script builds:
-- referral i is 00000004-0000-4000-8000-<i in 12 hex digits>, young person i 00000003-...,
-- practitioner i (1..500) 00000002-..., and referral i has status "received" when i % 7 == 0.
-- Every answer outside 2xx is counted by status and one body kept, for the driver to report.

local threads = {}
local started = 0

function setup(thread)
  thread:set("tid", started)
  started = started + 1
  table.insert(threads, thread)
end

local referral_prefix = "00000004-0000-4000-8000-"
local young_person_prefix = "00000003-0000-4000-8000-"
local practitioner_prefix = "00000002-0000-4000-8000-"
local settings = 500

local op, n, auth
statuses = {}     -- status code -> count of answers outside 2xx (read back by done)
sample = ""       -- the first such answer's status and body
local next_update, per_thread, nthreads, serial = 0, 0, 1, 0

local function uuid(prefix, i) return prefix .. string.format("%012x", i) end

function init(args)
  op, auth, n, nthreads = args[1], "Bearer " .. args[2], tonumber(args[3]), tonumber(args[4])
  math.randomseed(os.time() * 100 + tid)
  -- Updates: each thread owns every nthreads-th received referral and walks its share in order,
  -- from a random start, so no two connections ever patch the same referral at once (a race the
  -- server rightly answers 409) and rounds do not all patch the same rows.
  per_thread = math.floor(math.floor(n / 7) / nthreads)
  if per_thread < 1 then error("too few received referrals for " .. nthreads .. " threads") end
  next_update = math.random(0, per_thread - 1)
  if op == "list" then
    wrk.method, wrk.path = "GET", "/v1/referrals?limit=50"
    wrk.headers["Authorization"] = auth
  elseif op == "list_status" then
    wrk.method, wrk.path = "GET", "/v1/referrals?status=assessing&limit=50"
    wrk.headers["Authorization"] = auth
  elseif op ~= "create" and op ~= "read" and op ~= "update" then
    error("unknown operation " .. tostring(op))
  end
end

local json_headers = { ["Content-Type"] = "application/json" }
local patch_headers = { ["Content-Type"] = "application/merge-patch+json" }

function request()
  if op == "read" then
    return wrk.format("GET", "/v1/referrals/" .. uuid(referral_prefix, math.random(1, n)), { ["Authorization"] = auth })
  elseif op == "create" then
    json_headers["Authorization"] = auth
    local body = '{"young_person_id":"' .. uuid(young_person_prefix, math.random(1, n)) ..
      '","referrer_practitioner_id":"' .. uuid(practitioner_prefix, math.random(1, settings)) ..
      '","reasons":["sen"],"services_involved":["school","camhs"],"summary":"Benchmark referral"}'
    return wrk.format("POST", "/v1/referrals", json_headers, body)
  elseif op == "update" then
    patch_headers["Authorization"] = auth
    local k = 1 + tid + nthreads * next_update
    next_update = (next_update + 1) % per_thread
    serial = serial + 1
    local body = '{"summary":"Benchmark correction ' .. tid .. "-" .. serial .. '"}'
    return wrk.format("PATCH", "/v1/referrals/" .. uuid(referral_prefix, 7 * k), patch_headers, body)
  end
  return wrk.format()
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    statuses[status] = (statuses[status] or 0) + 1
    if sample == "" then sample = status .. " " .. string.sub(body or "", 1, 400) end
  end
end

-- done prints machine-readable lines for the driver, all prefixed "oneplan-bench".
function done(summary, latency, requests)
  local out = {}
  local function put(...) table.insert(out, table.concat({ "oneplan-bench", ... }, " ")) end
  put("requests", summary.requests)
  put("duration_us", summary.duration)
  put("p50_us", latency:percentile(50))
  put("p99_us", latency:percentile(99))
  local e = summary.errors
  put("socket_errors", e.connect + e.read + e.write + e.timeout)
  put("non2xx_wrk", e.status)
  local total, first = {}, ""
  for _, t in ipairs(threads) do
    for code, count in pairs(t:get("statuses")) do total[code] = (total[code] or 0) + count end
    if first == "" then first = t:get("sample") end
  end
  for code, count in pairs(total) do put("status", code, count) end
  if first ~= "" then put("sample", (string.gsub(first, "\n", " "))) end
  io.write(table.concat(out, "\n"), "\n")
end
