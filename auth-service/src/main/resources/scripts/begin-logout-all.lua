-- The moment a logout-all takes effect: every session created before it must end. Notes
-- that moment, by Redis's clock, for logins still between creating their session and
-- listing it (register-session.lua), and hands back the sessions listed so far.
-- KEYS[1]  the user's sessions, fulcrum:auth:user-sessions:{<user id>}
-- KEYS[2]  the user's last logout-all, fulcrum:auth:logout-all:{<user id>} (same slot)
-- ARGV[1]  how long the moment is kept, milliseconds (longer than any login takes)
-- Returns  the ids of the user's listed sessions
local now = redis.call('TIME')
redis.call('SET', KEYS[2], tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000), 'PX', ARGV[1])
return redis.call('ZRANGE', KEYS[1], 0, -1)
