-- plans-approve: POST /api/v1/plans/{id}/approve, each request a different submitted plan.
--
-- The prepare hook writes each target's own share of the pool to
-- $APPROVE_DIR/approve-ids-<port>.txt (one id a line). Every wrk run of a target starts where
-- its previous run stopped ($APPROVE_DIR/approve-offset-<port>), and each thread walks its own
-- block of $APPROVE_BLOCK ids, so no plan is approved twice; a thread that runs out of its block
-- wraps around, and those repeats show up as non-2xx (409) in the report.
local dir = os.getenv("APPROVE_DIR")
local block = tonumber(os.getenv("APPROVE_BLOCK"))
local threads = {}
local offset = nil

local function offset_file()
   return dir .. "/approve-offset-" .. wrk.port
end

function setup(thread)
   if offset == nil then
      local f = io.open(offset_file(), "r")
      offset = f and tonumber(f:read("*l")) or 0
      if f then f:close() end
   end
   -- thread:set defines a global in the thread's own Lua state.
   thread:set("block_start", offset + #threads * block)
   table.insert(threads, thread)
end

local ids = {}
local count = 0

function init(args)
   for line in io.lines(dir .. "/approve-ids-" .. wrk.port .. ".txt") do
      table.insert(ids, line)
   end
   wrk.method = "POST"
   wrk.headers["If-Match"] = "*"
end

function request()
   local index = block_start + count % block
   count = count + 1
   return wrk.format(nil, "/api/v1/plans/" .. ids[index % #ids + 1] .. "/approve")
end

function done(summary, latency, requests)
   local f = io.open(offset_file(), "w")
   f:write(tostring(offset + #threads * block) .. "\n")
   f:close()
end
