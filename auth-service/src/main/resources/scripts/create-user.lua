-- Creates a user unless the name is taken.
-- KEYS[1]  the user hash, fulcrum:auth:user:{<lower-cased name>}
-- ARGV     id, username, password hash, roles (comma-separated), createdAt (ISO-8601)
-- Returns  1 if created, 0 if the name is taken.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'username', ARGV[2], 'password', ARGV[3], 'roles', ARGV[4],
  'createdAt', ARGV[5])
return 1
