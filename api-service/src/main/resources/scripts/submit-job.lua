-- Submits a job: records the idempotency key, creates the job, queues it, in one atomic
-- step, so that no crash leaves a key without its job or a job without its key.
-- KEYS[1]  the idempotency record, fulcrum:{jobs}:idem:<user>:<key hash>
-- KEYS[2]  the job hash, fulcrum:{jobs}:job:<id>
-- KEYS[3]  the job stream, fulcrum:{jobs}:stream
-- KEYS[4]  the count of jobs not yet final, fulcrum:{jobs}:outstanding
-- KEYS[5]  the user's jobs, fulcrum:{jobs}:user:<user>
-- ARGV[1]  fingerprint of the request (SHA-256 of its canonical JSON)
-- ARGV[2]  job id
-- ARGV[3]  user id
-- ARGV[4]  job type
-- ARGV[5]  payload, JSON
-- ARGV[6]  now, ISO-8601
-- ARGV[7]  now, epoch milliseconds
-- ARGV[8]  how long the idempotency record is kept, milliseconds
-- ARGV[9]  high watermark of jobs not yet final
-- ARGV[10] the response to record: its body, JSON (status 202)
-- ARGV[11] the idempotency key as sent
-- Returns  {'created'}
--          {'replay', status, body}  the key was used before with the same request
--          {'mismatch'}              the key was used before with another request
--          {'busy'}                  over the high watermark: nothing stored
local record = redis.call('HMGET', KEYS[1], 'fingerprint', 'status', 'body')
if record[1] then
  if record[1] ~= ARGV[1] then
    return {'mismatch'}
  end
  return {'replay', record[2], record[3]}
end
local outstanding = tonumber(redis.call('GET', KEYS[4]) or '0')
if outstanding >= tonumber(ARGV[9]) then
  return {'busy'}
end
redis.call('HSET', KEYS[2], 'id', ARGV[2], 'user', ARGV[3], 'type', ARGV[4], 'payload', ARGV[5],
  'status', 'QUEUED', 'attempts', '0', 'createdAt', ARGV[6], 'updatedAt', ARGV[6],
  'idempotencyKey', ARGV[11])
redis.call('INCR', KEYS[4])
redis.call('XADD', KEYS[3], '*', 'id', ARGV[2])
redis.call('ZADD', KEYS[5], ARGV[7], ARGV[2])
redis.call('HSET', KEYS[1], 'fingerprint', ARGV[1], 'status', '202', 'body', ARGV[10], 'jobId', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[8])
return {'created'}
