-- evaluation-submit: POST /api/v1/evaluation-assignments/{id}/response, each request another
-- pending assignment of the bench rater, answering all seven core values.
--
-- As plans_approve.lua: the prepare hook writes each target's own share of the assignments to
-- $SUBMIT_DIR/submit-ids-<port>.txt; every wrk run of a target starts where its previous run
-- stopped ($SUBMIT_DIR/submit-offset-<port>) and each thread walks its own block of
-- $SUBMIT_BLOCK ids, so no assignment is answered twice; a thread that runs out of its block
-- wraps around, and those repeats show up as non-2xx (409) in the report.
local dir = os.getenv("SUBMIT_DIR")
local block = tonumber(os.getenv("SUBMIT_BLOCK"))
local threads = {}
local offset = nil

local function offset_file()
   return dir .. "/submit-offset-" .. wrk.port
end

function setup(thread)
   if offset == nil then
      local f = io.open(offset_file(), "r")
      offset = f and tonumber(f:read("*l")) or 0
      if f then f:close() end
   end
   thread:set("block_start", offset + #threads * block)
   table.insert(threads, thread)
end

local ids = {}
local count = 0
local body = '{"answers":['
   .. '{"value":"berorientasi_pelayanan","score":4,"comment":"Sigap melayani"},'
   .. '{"value":"akuntabel","score":4},{"value":"kompeten","score":3},'
   .. '{"value":"harmonis","score":5},{"value":"loyal","score":4},'
   .. '{"value":"adaptif","score":3},{"value":"kolaboratif","score":4}]}'

function init(args)
   for line in io.lines(dir .. "/submit-ids-" .. wrk.port .. ".txt") do
      table.insert(ids, line)
   end
   wrk.method = "POST"
   wrk.body = body
   wrk.headers["Content-Type"] = "application/json"
end

function request()
   local index = block_start + count % block
   count = count + 1
   return wrk.format(nil, "/api/v1/evaluation-assignments/" .. ids[index % #ids + 1] .. "/response")
end

function done(summary, latency, requests)
   local f = io.open(offset_file(), "w")
   f:write(tostring(offset + #threads * block) .. "\n")
   f:close()
end
