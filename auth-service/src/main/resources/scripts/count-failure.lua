-- Counts one failed login in a fixed window.
-- KEYS[1]  the counter, fulcrum:auth:login-failures:<user|address>:{<name or address>}
-- ARGV[1]  the window, milliseconds
-- Returns  the count in the current window
local count = redis.call('INCR', KEYS[1])
if count == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return count
