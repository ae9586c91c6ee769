-- Queues a job again whose retry is due: RETRYING -> QUEUED with a new stream entry.
-- Several workers may try at once; the one that removes it from the retry set does it.
-- KEYS[1]  the job hash
-- KEYS[2]  the retry set
-- KEYS[3]  the job stream
-- ARGV[1]  the job id
-- ARGV[2]  now, ISO-8601
-- Returns  1 if queued, 0 if someone else did or the job is gone
if redis.call('ZREM', KEYS[2], ARGV[1]) == 0 then
  return 0
end
if redis.call('HGET', KEYS[1], 'status') ~= 'RETRYING' then
  return 0
end
redis.call('HSET', KEYS[1], 'status', 'QUEUED', 'updatedAt', ARGV[2])
redis.call('XADD', KEYS[3], '*', 'id', ARGV[1])
return 1
