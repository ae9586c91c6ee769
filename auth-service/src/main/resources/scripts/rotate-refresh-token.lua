-- Rotates a session's refresh token: the one atomic step of POST /auth/refresh. Time is
-- Redis's own, so that replicas with drifting clocks agree on the grace window.
-- KEYS[1]  the session hash, fulcrum:auth:session:{<sid>}
-- KEYS[2]  its last rotated (spent) refresh tokens' hashes, by rotation time (a sorted
--          set of at most ARGV[7]: however often a client refreshes, a session's memory
--          stays bounded; a token spent longer ago than that is 'unknown', not 'reused'),
--          same hash tag
-- KEYS[3]  the session's revocation marker, fulcrum:revoked:{<sid>}, same hash tag
-- ARGV[1]  hash of the presented token
-- ARGV[2]  hash of the new token
-- ARGV[3]  grace window, milliseconds
-- ARGV[4]  idle timeout, milliseconds
-- ARGV[5]  the revocation marker's time to live, milliseconds
-- ARGV[6]  the channel that announces revocations
-- ARGV[7]  how many spent tokens are remembered
-- Returns  {outcome, user id}, outcome one of
--          'rotated'  the presented token was current and is now replaced
--          'raced'    it was replaced less than the grace window ago (a concurrent refresh)
--          'reused'   it was replaced earlier: reuse of a spent token; the session is revoked
--          'unknown'  no such session, or a token this session never issued
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {'unknown', false}
end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local userId = redis.call('HGET', KEYS[1], 'userId')
local current = redis.call('HGET', KEYS[1], 'refreshHash')
if current == ARGV[1] then
  local expiresAt = tonumber(redis.call('HGET', KEYS[1], 'expiresAt'))
  if now >= expiresAt then
    redis.call('DEL', KEYS[1], KEYS[2])
    return {'unknown', userId}
  end
  local nowText = string.format('%d', now)
  redis.call('HSET', KEYS[1], 'refreshHash', ARGV[2], 'previousHash', current, 'rotatedAt', nowText, 'lastSeenAt', nowText)
  redis.call('ZADD', KEYS[2], now, current)
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -1 - tonumber(ARGV[7]))
  local ttl = math.min(tonumber(ARGV[4]), expiresAt - now)
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
  return {'rotated', userId}
end
if redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  local previous = redis.call('HGET', KEYS[1], 'previousHash')
  local rotatedAt = tonumber(redis.call('HGET', KEYS[1], 'rotatedAt') or '0')
  if previous == ARGV[1] and now - rotatedAt <= tonumber(ARGV[3]) then
    return {'raced', userId}
  end
  redis.call('SET', KEYS[3], '1', 'PX', ARGV[5])
  redis.call('DEL', KEYS[1], KEYS[2])
  redis.call('PUBLISH', ARGV[6], KEYS[3])
  return {'reused', userId}
end
return {'unknown', userId}
