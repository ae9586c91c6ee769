-- Submits a job: records the idempotency key, creates the job, queues it, in one atomic
-- step, so that no crash leaves a key without its job or a job without its key. Enforces
-- the user's quotas on the way: unfinished jobs, and jobs kept (the oldest finished job
-- is forgotten, with its idempotency record, to make room).
-- Every key is in the user's shard, fulcrum:{jobs}: or fulcrum:{jobs-<n>}: (JobShard).
-- KEYS[1]  the idempotency record, fulcrum:{jobs}:idem:<user>:<key hash>
-- KEYS[2]  the job hash, fulcrum:{jobs}:job:<id>
-- KEYS[3]  the job stream, fulcrum:{jobs}:stream
-- KEYS[4]  the count of jobs not yet final, fulcrum:{jobs}:outstanding
-- KEYS[5]  the user's jobs, fulcrum:{jobs}:user:<user>
-- KEYS[6]  the user's unfinished jobs, fulcrum:{jobs}:user:<user>:open
-- KEYS[7]  how many records of this key's source were made per time bucket,
--          fulcrum:{jobs}:idem-counts:<source>
-- KEYS[8]  the last few records of this key's source, fulcrum:{jobs}:idem-sample:<source>
-- ARGV[1]  fingerprint of the request (SHA-256 of its canonical JSON)
-- ARGV[2]  job id
-- ARGV[3]  user id
-- ARGV[4]  job type
-- ARGV[5]  payload, JSON
-- ARGV[6]  now, ISO-8601
-- ARGV[7]  now, epoch milliseconds
-- ARGV[8]  how long the idempotency record is kept, milliseconds: the key's TTL, or the
--          window of a key derived from the content
-- ARGV[9]  high watermark of jobs not yet final
-- ARGV[10] the response to record: its body, JSON (status 202)
-- ARGV[11] the idempotency key, as sent or as derived; empty without one
-- ARGV[12] the most unfinished jobs a user may have
-- ARGV[13] the most jobs kept per user, finished or not
-- ARGV[14] the submission's W3C traceparent, or empty: the worker's span continues it
-- ARGV[15] how many jobs the other shards hold that are not yet final (a recent count), so
--          that the high watermark applies to the total; 0 with one shard
-- ARGV[16] where the key comes from: 'sent' by the client, 'derived' from the request's
--          content by the server, or 'none' (no key: no record, no deduplication)
-- ARGV[17] the width of a count's time bucket for sent keys, milliseconds (a 64th of the TTL)
-- ARGV[18] the same for derived keys (a 64th of the window)
-- Returns  {'created'}
--          {'replay', status, body}  the key was used before with the same request
--          {'mismatch'}              the key was used before with another request
--          {'busy'}                  over the high watermark: nothing stored
--          {'quota'}                 the user has too many unfinished jobs: nothing stored
-- The shard's key prefix, fulcrum:{<tag>}:, from its stream's key.
local prefix = string.sub(KEYS[3], 1, -string.len('stream') - 1)
local source = ARGV[16] or 'sent'
local widths = {sent = tonumber(ARGV[17] or '0'), derived = tonumber(ARGV[18] or '0')}
if source ~= 'none' then
  local record = redis.call('HMGET', KEYS[1], 'fingerprint', 'status', 'body')
  if record[1] then
    if record[1] ~= ARGV[1] then
      return {'mismatch'}
    end
    return {'replay', record[2], record[3]}
  end
end
if redis.call('ZCARD', KEYS[6]) >= tonumber(ARGV[12]) then
  return {'quota'}
end
local outstanding = tonumber(redis.call('GET', KEYS[4]) or '0') + tonumber(ARGV[15] or '0')
if outstanding >= tonumber(ARGV[9]) then
  return {'busy'}
end
-- At the cap of jobs kept, forget the oldest finished one (or one already expired): at
-- most two per submission, so that a lowered cap is reached step by step. Among the
-- (unfinished cap + 1) oldest jobs at least one is finished.
for _ = 1, 2 do
  if redis.call('ZCARD', KEYS[5]) < tonumber(ARGV[13]) then
    break
  end
  for _, old in ipairs(redis.call('ZRANGE', KEYS[5], 0, tonumber(ARGV[12]))) do
    if not redis.call('ZSCORE', KEYS[6], old) then
      local oldKey = prefix .. 'job:' .. old
      local oldRecord = redis.call('HGET', oldKey, 'idempotencyRecord')
      if oldRecord and redis.call('HGET', oldRecord, 'jobId') == old then
        redis.call('DEL', oldRecord)
        -- No longer alive: out of the count of its bucket.
        local oldSource = redis.call('HGET', oldKey, 'idempotencySource') or 'sent'
        local created = redis.call('ZSCORE', KEYS[5], old)
        local counts = prefix .. 'idem-counts:' .. oldSource
        if created and (widths[oldSource] or 0) > 0 then
          local bucket = tostring(math.floor(tonumber(created) / widths[oldSource]))
          if tonumber(redis.call('HGET', counts, bucket) or '0') > 0 then
            redis.call('HINCRBY', counts, bucket, -1)
          end
        end
      end
      redis.call('DEL', oldKey)
      redis.call('ZREM', KEYS[5], old)
      for _, status in ipairs({'SUCCEEDED', 'DEAD', 'CANCELLED'}) do
        redis.call('ZREM', KEYS[5] .. ':' .. status, old)
      end
      break
    end
  end
end
redis.call('HSET', KEYS[2], 'id', ARGV[2], 'user', ARGV[3], 'type', ARGV[4], 'payload', ARGV[5],
  'status', 'QUEUED', 'attempts', '0', 'createdAt', ARGV[6], 'updatedAt', ARGV[6])
if source ~= 'none' then
  redis.call('HSET', KEYS[2], 'idempotencyKey', ARGV[11], 'idempotencyRecord', KEYS[1],
    'idempotencySource', source)
end
if ARGV[14] and ARGV[14] ~= '' then
  redis.call('HSET', KEYS[2], 'traceparent', ARGV[14])
end
redis.call('INCR', KEYS[4])
redis.call('XADD', KEYS[3], '*', 'id', ARGV[2])
redis.call('ZADD', KEYS[5], ARGV[7], ARGV[2])
-- It holds an unfinished job now: it expires only once all of them are final.
redis.call('PERSIST', KEYS[5])
redis.call('ZADD', KEYS[6], ARGV[7], ARGV[2])
if source ~= 'none' then
  redis.call('HSET', KEYS[1], 'fingerprint', ARGV[1], 'status', '202', 'body', ARGV[10], 'jobId', ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[8])
  -- Counted per time bucket, and kept among the last few for the sample of sizes
  -- (IdempotencyRecords): two small keys per source, whatever the number of records.
  local width = widths[source] or 0
  if width > 0 then
    redis.call('HINCRBY', KEYS[7], tostring(math.floor(tonumber(ARGV[7]) / width)), 1)
    redis.call('PEXPIRE', KEYS[7], tonumber(ARGV[8]) + width)
  end
  redis.call('LPUSH', KEYS[8], KEYS[1])
  redis.call('LTRIM', KEYS[8], 0, 7)
  redis.call('PEXPIRE', KEYS[8], ARGV[8])
end
return {'created'}
