-- Takes one attempt from a fixed-window counter, unless the window is used up.
-- Counting before the password is checked (not after a failure) is what makes the limit
-- hold against many attempts in parallel.
-- KEYS[1]  the counter, fulcrum:auth:attempts:<kind>:{<name or address>}
-- ARGV[1]  the limit per window
-- ARGV[2]  the window, milliseconds
-- Returns  0 if the attempt was taken, else the milliseconds until the window ends
local count = redis.call('INCR', KEYS[1])
if count == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
if count > tonumber(ARGV[1]) then
  redis.call('DECR', KEYS[1])
  local ttl = redis.call('PTTL', KEYS[1])
  if ttl > 0 then
    return ttl
  end
  return 1
end
return 0
