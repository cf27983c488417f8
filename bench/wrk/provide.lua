-- Single-record provides: POST /linkages/resident-change/records, one generated resident per request.
-- RENKEI_TOKEN: a Bearer access token of sys-001, taken once before the run (run.sh does it with curl).
-- RENKEI_BODIES: a JSON Lines file, one resident-record object per line (`renkei gen residents --format jsonl`);
-- every request sends the next line, each thread starting at its own place, so the keys (宛名番号) vary.
local result = dofile(os.getenv("RENKEI_WRK_DIR") .. "/result.lua")

local token = os.getenv("RENKEI_TOKEN") or error("RENKEI_TOKEN is not set")
local path = os.getenv("RENKEI_BODIES") or error("RENKEI_BODIES is not set")

local bodies = {}
for line in io.lines(path) do
   if #line > 0 then bodies[#bodies + 1] = line end
end
if #bodies == 0 then error("no records in " .. path) end

wrk.method = "POST"
wrk.path = "/linkages/resident-change/records"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Content-Type"] = "application/json"

-- Each thread has its own Lua state; `setup` numbers them so that they start at different records.
local threads = 0
function setup(thread)
   thread:set("offset", threads * 997)
   threads = threads + 1
end

local index = 0
function init(args)
   index = (offset or 0) % #bodies
end

function request()
   index = index % #bodies + 1
   return wrk.format(nil, nil, nil, bodies[index])
end

done = result.done
