-- Rotates a session's refresh token: the one atomic step of POST /auth/refresh.
-- KEYS[1]  the session hash, fulcrum:auth:session:{<sid>}
-- KEYS[2]  the set of hashes of its rotated (used) refresh tokens, same hash tag
-- ARGV[1]  hash of the presented token
-- ARGV[2]  hash of the new token
-- ARGV[3]  now, epoch milliseconds
-- ARGV[4]  grace window, milliseconds
-- ARGV[5]  idle timeout, milliseconds
-- Returns  'rotated'  the presented token was current and is now replaced
--          'raced'    it was replaced less than the grace window ago (a concurrent refresh)
--          'reused'   it was replaced earlier: reuse of a spent token, the caller revokes
--          'unknown'  no such session, or a token this session never issued
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 'unknown'
end
local now = tonumber(ARGV[3])
local current = redis.call('HGET', KEYS[1], 'refreshHash')
if current == ARGV[1] then
  local expiresAt = tonumber(redis.call('HGET', KEYS[1], 'expiresAt'))
  if now >= expiresAt then
    redis.call('DEL', KEYS[1], KEYS[2])
    return 'unknown'
  end
  redis.call('HSET', KEYS[1], 'refreshHash', ARGV[2], 'previousHash', current, 'rotatedAt', ARGV[3], 'lastSeenAt', ARGV[3])
  redis.call('SADD', KEYS[2], current)
  local ttl = math.min(tonumber(ARGV[5]), expiresAt - now)
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
  return 'rotated'
end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then
  local previous = redis.call('HGET', KEYS[1], 'previousHash')
  local rotatedAt = tonumber(redis.call('HGET', KEYS[1], 'rotatedAt') or '0')
  if previous == ARGV[1] and now - rotatedAt <= tonumber(ARGV[4]) then
    return 'raced'
  end
  return 'reused'
end
return 'unknown'
