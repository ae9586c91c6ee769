-- Records a failed attempt: RETRYING with a due time in the retry set while attempts
-- remain, else DEAD on the dead-letter stream. Acknowledges the message either way. Only
-- the current holder may.
-- KEYS[1]  the job hash
-- KEYS[2]  the job stream
-- KEYS[3]  the count of jobs not yet final
-- KEYS[4]  the retry set (job id by due time)
-- KEYS[5]  the dead-letter stream
-- ARGV[1]  the stream message id
-- ARGV[2]  this consumer
-- ARGV[3]  the error
-- ARGV[4]  now, ISO-8601
-- ARGV[5]  when to retry, epoch milliseconds (backoff with jitter, chosen by the caller)
-- ARGV[6]  the most attempts a job gets
-- ARGV[7]  how long a final job is kept, milliseconds
-- ARGV[8]  the consumer group
-- Returns  'retrying', 'dead', or 'stale' when this worker no longer holds the job
-- Moves a job that just became final from its user's unfinished jobs to those of its
-- final status; the user's indexes expire with the jobs they list. (Keys named from the
-- job's user: every key has the {jobs} tag, so they lie in this script's slot.)
-- The shard's key prefix, fulcrum:{<tag>}:, from its stream's key: a user's indices are built
-- from it, so that they stay in the slot of the declared keys.
local prefix = string.sub(KEYS[2], 1, -string.len('stream') - 1)
local function indexFinal(user, id, status, retention)
  local jobs = prefix .. 'user:' .. user
  redis.call('ZREM', jobs .. ':open', id)
  redis.call('ZADD', jobs .. ':' .. status, redis.call('ZSCORE', jobs, id) or '0', id)
  redis.call('PEXPIRE', jobs .. ':' .. status, retention)
  if redis.call('ZCARD', jobs .. ':open') == 0 then
    redis.call('PEXPIRE', jobs, retention)
  end
end
local job = redis.call('HMGET', KEYS[1], 'status', 'owner', 'message', 'attempts', 'id', 'user')
if job[1] ~= 'RUNNING' or job[2] ~= ARGV[2] or job[3] ~= ARGV[1] then
  return 'stale'
end
redis.call('HDEL', KEYS[1], 'owner', 'message')
redis.call('XACK', KEYS[2], ARGV[8], ARGV[1])
if tonumber(job[4]) >= tonumber(ARGV[6]) then
  redis.call('HSET', KEYS[1], 'status', 'DEAD', 'error', ARGV[3], 'updatedAt', ARGV[4], 'completedAt', ARGV[4])
  redis.call('XADD', KEYS[5], '*', 'id', job[5], 'error', ARGV[3])
  if job[6] then
    indexFinal(job[6], job[5], 'DEAD', ARGV[7])
  end
  if tonumber(redis.call('GET', KEYS[3]) or '0') > 0 then
    redis.call('DECR', KEYS[3])
  end
  redis.call('PEXPIRE', KEYS[1], ARGV[7])
  return 'dead'
end
redis.call('HSET', KEYS[1], 'status', 'RETRYING', 'error', ARGV[3], 'updatedAt', ARGV[4])
redis.call('ZADD', KEYS[4], ARGV[5], job[5])
return 'retrying'
