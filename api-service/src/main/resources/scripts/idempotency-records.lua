-- Counts one source's idempotency records in one shard and samples what they take, with no
-- scan and no key per record: submit-job.lua counts the records it makes per time bucket
-- and keeps the last few.
-- KEYS[1]  the counts per bucket, fulcrum:{jobs}:idem-counts:<source>
-- KEYS[2]  the last few records, fulcrum:{jobs}:idem-sample:<source>
-- ARGV[1]  now, epoch milliseconds
-- ARGV[2]  the records' TTL, milliseconds
-- ARGV[3]  a bucket's width, milliseconds
-- Returns  {records, bytes of the sampled records, records sampled}
-- A bucket counts while a record made in it may still be alive: until its end is a TTL ago.
-- So the count is high by at most the records of the one bucket that is half expired, a
-- 64th of the TTL's worth; older buckets are dropped.
local oldest = math.floor((tonumber(ARGV[1]) - tonumber(ARGV[2])) / tonumber(ARGV[3]))
local count = 0
local counts = redis.call('HGETALL', KEYS[1])
for i = 1, #counts, 2 do
  if tonumber(counts[i]) < oldest then
    redis.call('HDEL', KEYS[1], counts[i])
  else
    count = count + tonumber(counts[i + 1])
  end
end
local bytes, sampled = 0, 0
-- In this script's slot: each record has the hash tag of the keys above.
for _, record in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
  local size = redis.call('MEMORY', 'USAGE', record)
  if size then
    bytes = bytes + size
    sampled = sampled + 1
  end
end
return {count, bytes, sampled}
