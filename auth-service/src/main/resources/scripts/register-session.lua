-- Lists a session just created in its user's index, unless a logout-all took effect after
-- the session was created: that logout-all may have read the index before this, so it is
-- this login's own job to give the session up. Past the cap of live sessions per user, the
-- oldest are handed back to be revoked.
-- KEYS[1]  the user's sessions, fulcrum:auth:user-sessions:{<user id>}
-- KEYS[2]  the user's last logout-all, fulcrum:auth:logout-all:{<user id>} (same slot)
-- ARGV[1]  the session id
-- ARGV[2]  when the session was created, Redis's clock, epoch milliseconds
-- ARGV[3]  how long the index is kept, milliseconds (the session lifetime)
-- ARGV[4]  the most sessions a user may have
-- Returns  {'ended'}                 a logout-all ended it: revoke it, refuse the login
--          {'listed', oldest...}     listed; the oldest sessions past the cap, to revoke
local loggedOut = redis.call('GET', KEYS[2])
if loggedOut and tonumber(loggedOut) >= tonumber(ARGV[2]) then
  return {'ended'}
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
local answer = {'listed'}
local over = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[4])
if over > 0 then
  for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, over - 1)) do
    answer[#answer + 1] = id
  end
  redis.call('ZREMRANGEBYRANK', KEYS[1], 0, over - 1)
end
return answer
