-- Token bucket: a bucket of `burst` tokens refilled at `limit` per `period`; a request takes
-- one. Allows bursts up to the bucket's size, then the refill rate.
-- KEYS[1]  the limited key's state (a hash: tokens, ts)
-- ARGV[1]  limit: tokens added per period
-- ARGV[2]  period, milliseconds
-- ARGV[3]  burst: the bucket's size
-- ARGV[4]  now, epoch milliseconds, or '' for Redis's own clock (shared by every gateway)
-- Returns  {allowed 1|0, remaining, retry after ms, ms until the bucket is full again}
local limit, period, burst = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local now = tonumber(ARGV[4])
if not now then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
local rate = limit / period
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or burst
local ts = tonumber(state[2]) or now
if now > ts then
  tokens = math.min(burst, tokens + (now - ts) * rate)
  ts = now
end
local allowed, retry = 0, 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  retry = math.ceil((1 - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(ts))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate) + 1000)
return {allowed, math.floor(tokens), retry, math.ceil((burst - tokens) / rate)}
