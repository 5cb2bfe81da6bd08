-- POSTs progress reports, each with a unique Idempotency-Key (wrk runs one Lua state per thread).
local indicator = os.getenv("BENCH_INDICATOR_ID")
local reported_for = os.getenv("BENCH_REPORTED_FOR")
local counter = 0
local prefix = tostring(math.random(1, 1e9)) .. "-" .. tostring(os.time())

function setup(thread)
  thread:set("seed", math.random(1, 1e9))
end

function init(args)
  prefix = prefix .. "-" .. tostring(seed or math.random(1, 1e9))
end

request = function()
  counter = counter + 1
  local body = string.format(
    '{"indicator_id":"%s","value":"1","reported_for":"%s"}', indicator, reported_for)
  -- wrk.format uses the given headers instead of wrk.headers (which hold -H Authorization).
  local headers = {}
  for name, value in pairs(wrk.headers) do
    headers[name] = value
  end
  headers["Content-Type"] = "application/json"
  headers["Idempotency-Key"] = prefix .. "-" .. counter
  return wrk.format("POST", "/api/v1/progress-reports", headers, body)
end
