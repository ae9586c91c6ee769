-- Records a successful attempt, acknowledges its message and stops counting the job as
-- outstanding, in one step. Only the current holder may: a worker whose job was taken
-- over (it stalled past the visibility timeout) changes nothing.
-- KEYS[1]  the job hash
-- KEYS[2]  the job stream
-- KEYS[3]  the count of jobs not yet final
-- ARGV[1]  the stream message id
-- ARGV[2]  this consumer
-- ARGV[3]  the result, JSON
-- ARGV[4]  now, ISO-8601
-- ARGV[5]  how long a final job is kept, milliseconds
-- ARGV[6]  the consumer group
-- Returns  'done', or 'stale' when this worker no longer holds the job
local job = redis.call('HMGET', KEYS[1], 'status', 'owner', 'message')
if job[1] ~= 'RUNNING' or job[2] ~= ARGV[2] or job[3] ~= ARGV[1] then
  return 'stale'
end
redis.call('HSET', KEYS[1], 'status', 'SUCCEEDED', 'result', ARGV[3], 'updatedAt', ARGV[4], 'completedAt', ARGV[4])
redis.call('HDEL', KEYS[1], 'owner', 'message', 'error')
redis.call('XACK', KEYS[2], ARGV[6], ARGV[1])
if tonumber(redis.call('GET', KEYS[3]) or '0') > 0 then
  redis.call('DECR', KEYS[3])
end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 'done'
