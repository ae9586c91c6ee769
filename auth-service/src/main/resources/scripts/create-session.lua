-- Creates a session hash with its idle timeout in one step, so that no crash can leave a
-- session that never expires.
-- KEYS[1]  the session hash, fulcrum:auth:session:{<sid>}
-- ARGV[1]  time to live, milliseconds
-- ARGV[2.] field, value, field, value, ...
-- Returns  when it was created, by Redis's clock, epoch milliseconds (logout-all compares
--          it with its own moment, taken from the same clock)
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
local now = redis.call('TIME')
return tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
