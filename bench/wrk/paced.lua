-- Paces wrk: every connection waits PACE milliseconds after each answer before its next request,
-- so that C connections offer about C x 1000 / (PACE + latency) requests a second whatever the
-- server under test could take. Latency percentiles at such a moderate rate show what a hop
-- adds, rather than how queues grow at saturation.
-- Usage: wrk -c4 -s bench/wrk/paced.lua URL -- PACE
local pace = 10

function init(args)
  if args[1] then
    pace = tonumber(args[1])
  end
end

function delay()
  return pace
end
