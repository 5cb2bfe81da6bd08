-- training-enroll: POST /api/v1/training-sessions/{id}/enrollments, a training administrator
-- nominating employees, ten sessions loaded at once.
--
-- The prepare hook writes each target's own fresh sessions to
-- $ENROLL_DIR/enroll-sessions-<port>.txt (in groups of $ENROLL_GROUP) and the region's
-- employees to $ENROLL_DIR/enroll-employees.txt. Each wrk run of a target walks its own span
-- of $ENROLL_SPAN (session, employee) pairs, starting where its previous run stopped
-- ($ENROLL_DIR/enroll-offset-<port>): pair g is session g % GROUP of group
-- g / (GROUP x employees), for employee (g / GROUP) % employees, so consecutive requests go to
-- the group's sessions in turn and every session sees every employee once. The threads share
-- the span (thread t takes pairs t, t + threads, ...), so all connections contend for the
-- same ten session locks. A thread that runs past the span wraps around, and those repeats
-- show up as non-2xx (409 already-enrolled) in the report.
local dir = os.getenv("ENROLL_DIR")
local span = tonumber(os.getenv("ENROLL_SPAN"))
local group = tonumber(os.getenv("ENROLL_GROUP"))
local step = tonumber(os.getenv("ENROLL_THREADS"))
local threads = {}
local offset = nil

local function offset_file()
   return dir .. "/enroll-offset-" .. wrk.port
end

function setup(thread)
   if offset == nil then
      local f = io.open(offset_file(), "r")
      offset = f and tonumber(f:read("*l")) or 0
      if f then f:close() end
   end
   thread:set("base", offset)
   thread:set("thread_number", #threads)
   table.insert(threads, thread)
end

local sessions = {}
local employees = {}
local count = 0

function init(args)
   for line in io.lines(dir .. "/enroll-sessions-" .. wrk.port .. ".txt") do
      table.insert(sessions, line)
   end
   for line in io.lines(dir .. "/enroll-employees.txt") do
      table.insert(employees, line)
   end
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/json"
end

function request()
   local g = base + (thread_number + count * step) % span
   count = count + 1
   local per_group = group * #employees
   local within = g % per_group
   local session = sessions[(math.floor(g / per_group) * group + within % group) % #sessions + 1]
   local employee = employees[math.floor(within / group) + 1]
   return wrk.format(
      nil,
      "/api/v1/training-sessions/" .. session .. "/enrollments",
      nil,
      '{"employee_id":"' .. employee .. '"}'
   )
end

function done(summary, latency, requests)
   local f = io.open(offset_file(), "w")
   f:write(tostring(offset + span) .. "\n")
   f:close()
end
