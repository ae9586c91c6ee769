-- wrk script: POST /api/jobs, each request with an Idempotency-Key of its own, and a tally of the
-- answers by status. Arguments (after --): the access token, and a prefix that makes this run's
-- keys unique.
--   wrk -t2 -c32 -d20s -s bench/wrk/submit-job.lua http://localhost:8080/api/jobs -- "$TOKEN" run1

local threads = {}
local counter = 0
local prefix = "bench"

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  wrk.method = "POST"
  wrk.body = '{"type":"echo","payload":{"n":1}}'
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. args[1]
  prefix = (args[2] or "bench") .. "-" .. id
  statuses = {}
end

function request()
  counter = counter + 1
  wrk.headers["Idempotency-Key"] = prefix .. "-" .. counter
  return wrk.format()
end

function response(status)
  statuses[status] = (statuses[status] or 0) + 1
end

function done()
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      total[status] = (total[status] or 0) + count
    end
  end
  for status, count in pairs(total) do
    io.write(string.format("status %d: %d\n", status, count))
  end
end
