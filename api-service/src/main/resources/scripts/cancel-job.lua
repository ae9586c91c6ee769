-- Cancels a job that is still queued. Its stream entry stays: the worker that reads it
-- finds the job final and acknowledges it without running it.
-- KEYS[1]  the job hash, fulcrum:{jobs}:job:<id>
-- KEYS[2]  the count of jobs not yet final, fulcrum:{jobs}:outstanding
-- KEYS[3]  the user's jobs, fulcrum:{jobs}:user:<user>
-- ARGV[1]  the user asking
-- ARGV[2]  now, ISO-8601
-- ARGV[3]  how long a final job is kept, milliseconds
-- ARGV[4]  the job id
-- Returns  'cancelled', 'not-found' (none, or another user's), or the status that forbids it
local fields = redis.call('HMGET', KEYS[1], 'user', 'status')
if not fields[1] or fields[1] ~= ARGV[1] then
  return 'not-found'
end
if fields[2] ~= 'QUEUED' then
  return fields[2]
end
redis.call('HSET', KEYS[1], 'status', 'CANCELLED', 'updatedAt', ARGV[2], 'completedAt', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then
  redis.call('DECR', KEYS[2])
end
-- From the user's unfinished jobs to its cancelled ones; the indexes expire with the jobs.
redis.call('ZREM', KEYS[3] .. ':open', ARGV[4])
redis.call('ZADD', KEYS[3] .. ':CANCELLED', redis.call('ZSCORE', KEYS[3], ARGV[4]) or '0', ARGV[4])
redis.call('PEXPIRE', KEYS[3] .. ':CANCELLED', ARGV[3])
if redis.call('ZCARD', KEYS[3] .. ':open') == 0 then
  redis.call('PEXPIRE', KEYS[3], ARGV[3])
end
return 'cancelled'
