-- Takes a delivered job for this worker: QUEUED -> RUNNING, one more attempt. A delivery
-- that must not run is acknowledged here and never reaches a handler.
-- KEYS[1]  the job hash, fulcrum:{jobs}:job:<id>
-- KEYS[2]  the job stream
-- KEYS[3]  the job's idempotency record (fulcrum:{jobs}:idem:<user>:<key hash>)
-- ARGV[1]  the stream message id
-- ARGV[2]  this consumer
-- ARGV[3]  now, ISO-8601
-- ARGV[4]  the consumer group
-- Returns  {'run', attempt} to run it, or
--          {'gone'}       no such job (expired, or an entry nobody submitted): acknowledged
--          {'final'}      finished, cancelled or waiting to retry: acknowledged, not run again
--          {'duplicate'}  another delivery of a job that is running, or a second job with the
--                         same user and idempotency key: acknowledged, not run
local job = redis.call('HMGET', KEYS[1], 'id', 'status', 'message', 'attempts')
if not job[1] then
  redis.call('XACK', KEYS[2], ARGV[4], ARGV[1])
  return {'gone'}
end
local status = job[2]
if status ~= 'QUEUED' and status ~= 'RUNNING' then
  redis.call('XACK', KEYS[2], ARGV[4], ARGV[1])
  return {'final'}
end
-- RUNNING is taken over only for the same message, handed over after its holder died
-- (XAUTOCLAIM); any other message for a running job is a duplicate entry.
if status == 'RUNNING' and job[3] ~= ARGV[1] then
  redis.call('XACK', KEYS[2], ARGV[4], ARGV[1])
  return {'duplicate'}
end
local recorded = redis.call('HGET', KEYS[3], 'jobId')
if recorded and recorded ~= job[1] then
  redis.call('HSET', KEYS[1], 'status', 'CANCELLED', 'error', 'duplicate of job ' .. recorded,
    'updatedAt', ARGV[3], 'completedAt', ARGV[3])
  redis.call('XACK', KEYS[2], ARGV[4], ARGV[1])
  return {'duplicate'}
end
local attempt = tonumber(job[4] or '0') + 1
redis.call('HSET', KEYS[1], 'status', 'RUNNING', 'owner', ARGV[2], 'message', ARGV[1],
  'attempts', tostring(attempt), 'updatedAt', ARGV[3])
return {'run', tostring(attempt)}
