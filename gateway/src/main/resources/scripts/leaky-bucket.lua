-- Leaky bucket as a meter (GCRA, the generic cell rate algorithm): requests drain at
-- `limit` per `period`, evenly spaced, with room for `burst` at once (1: strictly one per
-- interval). Smooths traffic where a token bucket lets a full bucket through at once.
-- KEYS[1]  the limited key's state (a string: the theoretical arrival time, epoch ms)
-- ARGV[1]  limit: requests per period
-- ARGV[2]  period, milliseconds
-- ARGV[3]  burst: requests allowed back to back
-- ARGV[4]  now, epoch milliseconds, or '' for Redis's own clock (shared by every gateway)
-- Returns  {allowed 1|0, remaining, retry after ms, ms until the bucket is empty}
local limit, period, burst = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local now = tonumber(ARGV[4])
if not now then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
local interval = period / limit
local tolerance = interval * (burst - 1)
local tat = math.max(tonumber(redis.call('GET', KEYS[1])) or now, now)
if now < tat - tolerance then
  return {0, 0, math.ceil(tat - tolerance - now), math.ceil(tat - now)}
end
tat = tat + interval
redis.call('SET', KEYS[1], tostring(tat), 'PX', math.ceil(tat - now) + 1000)
local remaining = math.max(0, math.floor((now + tolerance - tat) / interval) + 1)
return {1, remaining, 0, math.ceil(tat - now)}
