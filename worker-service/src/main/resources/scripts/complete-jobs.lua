-- Records a batch of successful attempts, acknowledges their messages and stops counting
-- the jobs as outstanding, in one step. Only the current holder may: a job that another
-- worker has taken over (this one stalled past the visibility timeout) is left unchanged.
-- Finished jobs are collected for a short moment and completed together, so a busy worker
-- pays one round trip for many jobs.
-- KEYS[1]          the job stream
-- KEYS[2]          the count of jobs not yet final
-- KEYS[2+i]        the i-th job's hash
-- ARGV[1]          this consumer
-- ARGV[2]          now, ISO-8601
-- ARGV[3]          how long a final job is kept, milliseconds
-- ARGV[4]          the consumer group
-- ARGV[3+2i]       the i-th job's stream message id
-- ARGV[4+2i]       the i-th job's result, JSON
-- Returns, per job in order, 'done', or 'stale' when this worker no longer holds it
-- Moves a job that just became final from its user's unfinished jobs to those of its
-- final status; the user's indexes expire with the jobs they list. (Keys named from the
-- job's user: every key has the {jobs} tag, so they lie in this script's slot.)
-- The shard's key prefix, fulcrum:{<tag>}:, from its stream's key: a user's indices are built
-- from it, so that they stay in the slot of the declared keys.
local prefix = string.sub(KEYS[1], 1, -string.len('stream') - 1)
local function indexFinal(user, id, status, retention)
  local jobs = prefix .. 'user:' .. user
  redis.call('ZREM', jobs .. ':open', id)
  redis.call('ZADD', jobs .. ':' .. status, redis.call('ZSCORE', jobs, id) or '0', id)
  redis.call('PEXPIRE', jobs .. ':' .. status, retention)
  if redis.call('ZCARD', jobs .. ':open') == 0 then
    redis.call('PEXPIRE', jobs, retention)
  end
end
local answers = {}
local acknowledge = {}
for i = 1, #KEYS - 2 do
  local jobKey, message = KEYS[2 + i], ARGV[3 + 2 * i]
  local job = redis.call('HMGET', jobKey, 'status', 'owner', 'message', 'user', 'id')
  if job[1] ~= 'RUNNING' or job[2] ~= ARGV[1] or job[3] ~= message then
    answers[i] = 'stale'
  else
    redis.call('HSET', jobKey, 'status', 'SUCCEEDED', 'result', ARGV[4 + 2 * i], 'updatedAt', ARGV[2],
      'completedAt', ARGV[2])
    redis.call('HDEL', jobKey, 'owner', 'message', 'error')
    redis.call('PEXPIRE', jobKey, ARGV[3])
    if job[4] then
      indexFinal(job[4], job[5], 'SUCCEEDED', ARGV[3])
    end
    acknowledge[#acknowledge + 1] = message
    answers[i] = 'done'
  end
end
if #acknowledge > 0 then
  redis.call('XACK', KEYS[1], ARGV[4], unpack(acknowledge))
  local outstanding = tonumber(redis.call('GET', KEYS[2]) or '0')
  if outstanding > 0 then
    redis.call('DECRBY', KEYS[2], math.min(outstanding, #acknowledge))
  end
end
return answers
