-- Revokes a session in one step: its access tokens are refused (the marker) and its
-- refresh token stops working (the session is gone), then verifiers are told.
-- KEYS[1]  the session hash, fulcrum:auth:session:{<sid>}
-- KEYS[2]  its spent refresh-token hashes, same hash tag
-- KEYS[3]  the revocation marker, fulcrum:revoked:{<sid>}, same hash tag
-- ARGV[1]  the marker's time to live, milliseconds (the longest access-token life + skew)
-- ARGV[2]  the channel that announces revocations
-- Returns  1
redis.call('SET', KEYS[3], '1', 'PX', ARGV[1])
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('PUBLISH', ARGV[2], KEYS[3])
return 1
