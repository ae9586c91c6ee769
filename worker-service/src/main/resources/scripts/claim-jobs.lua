-- Takes a batch of delivered jobs for this worker, each QUEUED -> RUNNING with one more
-- attempt, in one step. Deliveries that must not run are acknowledged here and never reach
-- a handler. One script for the whole batch read by the worker: one round trip, not one
-- per job.
-- KEYS[1]          the job stream
-- KEYS[2i], [2i+1] for the i-th delivery: the job hash, and the idempotency record its
--                  user and key name (fulcrum:{jobs}:idem:<user>:<key hash>)
-- ARGV[1]          this consumer
-- ARGV[2]          now, ISO-8601
-- ARGV[3]          the consumer group
-- ARGV[3+i]        the i-th delivery's stream message id
-- Returns, per delivery in order, one of
--   {'run', attempt, type, payload, idempotency key}   run it
--   {'gone'}       no such job (expired, or an entry nobody submitted): acknowledged
--   {'final'}      finished, cancelled or waiting to retry: acknowledged, not run again
--   {'duplicate'}  another delivery of a job that is running, or a second job with the
--                  same user and idempotency key: acknowledged, not run
local answers = {}
local acknowledge = {}
for i = 1, #ARGV - 3 do
  local jobKey, recordKey, message = KEYS[2 * i], KEYS[2 * i + 1], ARGV[3 + i]
  local job = redis.call('HMGET', jobKey, 'id', 'status', 'message', 'attempts', 'type', 'payload',
    'idempotencyKey')
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
    local recorded = redis.call('HGET', recordKey, 'jobId')
    if recorded and recorded ~= job[1] then
      redis.call('HSET', jobKey, 'status', 'CANCELLED', 'error', 'duplicate of job ' .. recorded,
        'updatedAt', ARGV[2], 'completedAt', ARGV[2])
      answers[i] = {'duplicate'}
    else
      local attempt = tostring(tonumber(job[4] or '0') + 1)
      redis.call('HSET', jobKey, 'status', 'RUNNING', 'owner', ARGV[1], 'message', message,
        'attempts', attempt, 'updatedAt', ARGV[2])
      answers[i] = {'run', attempt, job[5] or '', job[6] or 'null', job[7] or ''}
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
