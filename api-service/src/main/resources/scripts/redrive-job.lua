-- Sends a dead job back to the queue with a fresh set of attempts.
-- KEYS[1]  the job hash
-- KEYS[2]  the job stream
-- KEYS[3]  the count of jobs not yet final
-- ARGV[1]  the job id
-- ARGV[2]  now, ISO-8601
-- Returns  1 if queued again, 0 if the job is not dead (or gone)
-- The shard's key prefix, fulcrum:{<tag>}:, from its stream's key: a user's indices are built
-- from it, so that they stay in the slot of the declared keys.
local prefix = string.sub(KEYS[2], 1, -string.len('stream') - 1)
local job = redis.call('HMGET', KEYS[1], 'status', 'user')
if job[1] ~= 'DEAD' then
  return 0
end
redis.call('HSET', KEYS[1], 'status', 'QUEUED', 'attempts', '0', 'updatedAt', ARGV[2])
redis.call('HDEL', KEYS[1], 'completedAt')
redis.call('PERSIST', KEYS[1])
redis.call('INCR', KEYS[3])
redis.call('XADD', KEYS[2], '*', 'id', ARGV[1])
-- Unfinished again in its user's indexes (the same slot: every key has {jobs}).
local jobs = prefix .. 'user:' .. job[2]
redis.call('ZREM', jobs .. ':DEAD', ARGV[1])
local created = redis.call('ZSCORE', jobs, ARGV[1])
if not created then
  -- Forgotten by the list after its retention, as a redrive can come later.
  local now = redis.call('TIME')
  created = tostring(now[1] * 1000 + math.floor(now[2] / 1000))
  redis.call('ZADD', jobs, created, ARGV[1])
end
redis.call('PERSIST', jobs)
redis.call('ZADD', jobs .. ':open', created, ARGV[1])
return 1
