-- progress-regions: POSTs progress reports as several employees at once, each with a unique
-- Idempotency-Key. BENCH_TEAMS lists "token|indicator_id" pairs separated by ";"; each thread
-- starts at its own team and every request moves to the next, so all teams write concurrently.
local reported_for = os.getenv("BENCH_REPORTED_FOR")
local teams = {}
for token, indicator in string.gmatch(os.getenv("BENCH_TEAMS"), "([^|;]+)|([^;]+)") do
  table.insert(teams, { token = token, indicator = indicator })
end
local counter = 0
local prefix = tostring(math.random(1, 1e9)) .. "-" .. tostring(os.time())

function setup(thread)
  thread:set("seed", math.random(1, 1e9))
end

function init(args)
  prefix = prefix .. "-" .. tostring(seed or math.random(1, 1e9))
  counter = (seed or 0) % #teams
end

request = function()
  counter = counter + 1
  local team = teams[counter % #teams + 1]
  local body = string.format(
    '{"indicator_id":"%s","value":"1","reported_for":"%s"}', team.indicator, reported_for)
  local headers = {
    ["Authorization"] = "Bearer " .. team.token,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = prefix .. "-" .. counter,
  }
  return wrk.format("POST", "/api/v1/progress-reports", headers, body)
end
