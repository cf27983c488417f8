-- GET /health/live: the HTTP ceiling of the same gateway, measured in the same run as the provides.
local result = dofile(os.getenv("RENKEI_WRK_DIR") .. "/result.lua")
wrk.method = "GET"
wrk.path = "/health/live"
done = result.done
