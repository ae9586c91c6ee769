-- Creates a session hash with its idle timeout in one step, so that no crash can leave a
-- session that never expires.
-- KEYS[1]  the session hash, fulcrum:auth:session:{<sid>}
-- ARGV[1]  time to live, milliseconds
-- ARGV[2.] field, value, field, value, ...
-- Returns  1
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
