-- Sliding window (the two-counter estimate): the count of the current window plus the
-- previous window's count weighted by how much of it still lies within one period back.
-- No burst across a window's edge, at the memory cost of a fixed window. Refused requests
-- are not counted.
-- KEYS[1]  the limited key's state (a hash: w the window number, c its count, p the
--          previous window's count)
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
local state = redis.call('HMGET', KEYS[1], 'w', 'c', 'p')
local stored = tonumber(state[1])
local current, previous = 0, 0
if stored == window then
  current, previous = tonumber(state[2]), tonumber(state[3])
elseif stored == window - 1 then
  previous = tonumber(state[2])
end
local weight = 1 - (now - window * period) / period
local estimate = previous * weight + current
if estimate + 1 > limit then
  -- Waits until the previous window's share has shrunk enough, or the next window.
  local retry = reset
  if previous > 0 and current + 1 <= limit then
    local needed = 1 - (limit - 1 - current) / previous
    retry = math.max(1, math.ceil((needed - (1 - weight)) * period))
  end
  return {0, 0, retry, reset}
end
redis.call('HSET', KEYS[1], 'w', tostring(window), 'c', tostring(current + 1), 'p', tostring(previous))
redis.call('PEXPIRE', KEYS[1], reset + period + 1000)
return {1, math.max(0, math.floor(limit - estimate - 1)), 0, reset}
