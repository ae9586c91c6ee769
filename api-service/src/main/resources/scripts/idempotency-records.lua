-- Counts one source's idempotency records in one shard and samples what they cost, without a
-- scan: the records are indexed by expiry as they are written (submit-job.lua).
-- KEYS[1]  the index, fulcrum:{jobs}:idem-records:<source>
-- ARGV[1]  now, epoch milliseconds: entries of records expired by then are dropped
-- ARGV[2]  how many records to sample
-- Returns  {records, bytes of the sampled records, records sampled, bytes of the index}
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local count = redis.call('ZCARD', KEYS[1])
local bytes, sampled = 0, 0
if count > 0 then
  -- In this script's slot: each record has the index's hash tag.
  for _, record in ipairs(redis.call('ZRANDMEMBER', KEYS[1], ARGV[2])) do
    local size = redis.call('MEMORY', 'USAGE', record)
    if size then
      bytes = bytes + size
      sampled = sampled + 1
    end
  end
end
return {count, bytes, sampled, redis.call('MEMORY', 'USAGE', KEYS[1]) or 0}
