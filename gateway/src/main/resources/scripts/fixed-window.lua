-- Fixed window: at most `limit` requests in each window of `period` (aligned to the
-- clock). Cheapest of the four; a client can send up to twice the limit across a window's
-- edge.
-- KEYS[1]  the limited key's state (a hash: w the window number, c its count)
-- ARGV[1]  limit
-- ARGV[2]  period, milliseconds
-- ARGV[3]  (unused)
-- ARGV[4]  now, epoch milliseconds, or '' for Redis's own clock (shared by every gateway)
-- Returns  {allowed 1|0, remaining, retry after ms, ms until the window ends}
local limit, period = tonumber(ARGV[1]), tonumber(ARGV[2])
local now = tonumber(ARGV[4])
if not now then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
local window = math.floor(now / period)
local reset = (window + 1) * period - now
local state = redis.call('HMGET', KEYS[1], 'w', 'c')
local count = 0
if tonumber(state[1]) == window then
  count = tonumber(state[2])
end
if count >= limit then
  return {0, 0, reset, reset}
end
redis.call('HSET', KEYS[1], 'w', tostring(window), 'c', tostring(count + 1))
redis.call('PEXPIRE', KEYS[1], reset + 1000)
return {1, limit - count - 1, 0, reset}
