-- Shared by provide.lua and live.lua: one RESULT line per wrk process, which run.sh turns into the table.
-- Latencies are wrk's, in microseconds; "bad" counts non-2xx/3xx answers, socket errors and timeouts.
local result = {}

function result.done(summary, latency, requests)
   local seconds = summary.duration / 1e6
   local errors = summary.errors
   local bad = errors.status + errors.connect + errors.read + errors.write + errors.timeout
   io.write(string.format(
      "RESULT requests=%d seconds=%.3f rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f bad=%d status=%d timeout=%d\n",
      summary.requests, seconds, summary.requests / seconds,
      latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
      latency.max / 1000, bad, errors.status, errors.timeout))
end

return result
