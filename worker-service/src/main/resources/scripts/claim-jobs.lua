-- Takes a batch of delivered jobs for this worker, each QUEUED -> RUNNING with one more
-- attempt, in one step. Deliveries that must not run are acknowledged here and never reach
-- a handler. One script for the whole batch read by the worker: one round trip, not one
-- per job.
-- KEYS[1]          the job stream
-- KEYS[2]          the count of jobs not yet final
-- KEYS[2+i]        the i-th delivery's job hash
-- ARGV[1]          this consumer
-- ARGV[2]          now, ISO-8601
-- ARGV[3]          the consumer group
-- ARGV[4]          how long a final job is kept, milliseconds
-- ARGV[4+i]        the i-th delivery's stream message id
-- Returns, per delivery in order, one of
--   {'run', attempt, type, payload, idempotency key, traceparent}   run it (the
--                  submission's W3C trace context, empty if it had none; the job id
--                  stands in for the key of a job submitted without one)
--   {'gone'}       no such job (expired, or an entry nobody submitted): acknowledged
--   {'final'}      finished, cancelled or waiting to retry: acknowledged, not run again
--   {'duplicate'}  another delivery of a job that is running, or a second job with the
--                  same user and idempotency key: acknowledged, not run. A key derived
--                  from the content is not checked: once its window is over, the same
--                  content is meant to be a new job, and the old one still runs.
-- Keys read from a job hash (its idempotency record) or named from its user (the user's
-- indexes) are not in KEYS: every key has the {jobs} tag, so they lie in this script's
-- slot. Reading the record's name here rather than in the worker saves a round trip per
-- batch.
-- Moves a job that just became final from its user's unfinished jobs to those of its
-- final status; the user's indexes expire with the jobs they list.
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
for i = 1, #ARGV - 4 do
  local jobKey, message = KEYS[2 + i], ARGV[4 + i]
  local job = redis.call('HMGET', jobKey, 'id', 'status', 'message', 'attempts', 'type', 'payload',
    'idempotencyKey', 'user', 'idempotencyRecord', 'traceparent', 'idempotencySource')
  local status = job[2]
  if not job[1] then
    answers[i] = {'gone'}
  elseif status ~= 'QUEUED' and status ~= 'RUNNING' then
    answers[i] = {'final'}
  elseif status == 'RUNNING' and job[3] ~= message then
    -- RUNNING is taken over only for the same message, handed over after its holder died
    -- (XAUTOCLAIM); any other message for a running job is a duplicate entry.
    answers[i] = {'duplicate'}
  else
    local recorded = job[9] and job[11] ~= 'derived' and redis.call('HGET', job[9], 'jobId')
    if recorded and recorded ~= job[1] then
      redis.call('HSET', jobKey, 'status', 'CANCELLED', 'error', 'duplicate of job ' .. recorded,
        'updatedAt', ARGV[2], 'completedAt', ARGV[2])
      redis.call('PEXPIRE', jobKey, ARGV[4])
      if tonumber(redis.call('GET', KEYS[2]) or '0') > 0 then
        redis.call('DECR', KEYS[2])
      end
      if job[8] then
        indexFinal(job[8], job[1], 'CANCELLED', ARGV[4])
      end
      answers[i] = {'duplicate'}
    else
      local attempt = tostring(tonumber(job[4] or '0') + 1)
      redis.call('HSET', jobKey, 'status', 'RUNNING', 'owner', ARGV[1], 'message', message,
        'attempts', attempt, 'updatedAt', ARGV[2])
      answers[i] = {'run', attempt, job[5] or '', job[6] or 'null', job[7] or job[1], job[10] or ''}
    end
  end
  if answers[i][1] ~= 'run' then
    acknowledge[#acknowledge + 1] = message
  end
end
if #acknowledge > 0 then
  redis.call('XACK', KEYS[1], ARGV[3], unpack(acknowledge))
end
return answers
