-- Sends a dead job back to the queue with a fresh set of attempts.
-- KEYS[1]  the job hash
-- KEYS[2]  the job stream
-- KEYS[3]  the count of jobs not yet final
-- ARGV[1]  the job id
-- ARGV[2]  now, ISO-8601
-- Returns  1 if queued again, 0 if the job is not dead (or gone)
if redis.call('HGET', KEYS[1], 'status') ~= 'DEAD' then
  return 0
end
redis.call('HSET', KEYS[1], 'status', 'QUEUED', 'attempts', '0', 'updatedAt', ARGV[2])
redis.call('HDEL', KEYS[1], 'completedAt')
redis.call('PERSIST', KEYS[1])
redis.call('INCR', KEYS[3])
redis.call('XADD', KEYS[2], '*', 'id', ARGV[1])
return 1
