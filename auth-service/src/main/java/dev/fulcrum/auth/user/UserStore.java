package dev.fulcrum.auth.user;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.fulcrum.common.redis.LuaScripts;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Users in Redis: {@code fulcrum:auth:user:{<lower-cased name>}}, a hash with {@code id},
 * {@code username}, {@code password}, {@code roles} and {@code createdAt}.
 */
@Component
public class UserStore {

	private static final RedisScript<Long> CREATE = LuaScripts.load("scripts/create-user.lua", Long.class);

	private final StringRedisTemplate redis;

	UserStore(StringRedisTemplate redis) {
		this.redis = redis;
	}

	/**
	 * Stores a new user unless the name is taken, atomically.
	 * @param user the user
	 * @return {@code false} if the name (in any case) is taken
	 */
	public boolean create(User user) {
		Long created = this.redis.execute(CREATE, List.of(key(user.username())), user.id(), user.username(),
				user.passwordHash(), String.join(",", user.roles()), user.createdAt().toString());
		return created != null && created == 1;
	}

	/**
	 * Finds a user by name, in any case.
	 * @param username the name
	 * @return the user, or {@code null}
	 */
	public User find(String username) {
		Map<Object, Object> fields = this.redis.opsForHash().entries(key(username));
		if (fields.isEmpty()) {
			return null;
		}
		return new User((String) fields.get("id"), (String) fields.get("username"), (String) fields.get("password"),
				Arrays.asList(((String) fields.get("roles")).split(",")),
				Instant.parse((String) fields.get("createdAt")));
	}

	private static String key(String username) {
		return "fulcrum:auth:user:{" + username.toLowerCase(Locale.ROOT) + "}";
	}

}
