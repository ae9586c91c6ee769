package dev.fulcrum.auth.login;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import dev.fulcrum.auth.config.AuthProperties;
import dev.fulcrum.common.problem.ProblemException;

import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Limits failed logins per username (against guessing one account's password from many
 * addresses) and per client address (against trying many accounts from one), each in a
 * fixed window in Redis, shared by all auth replicas. Past a limit, logins are answered
 * 429 with {@code Retry-After} until the window ends, without checking the password. A
 * successful login clears the username's count.
 */
@Component
class LoginThrottle {

	private static final RedisScript<Long> COUNT = RedisScript.of(new ClassPathResource("scripts/count-failure.lua"),
			Long.class);

	private final StringRedisTemplate redis;

	private final AuthProperties.Throttle limits;

	LoginThrottle(StringRedisTemplate redis, AuthProperties properties) {
		this.redis = redis;
		this.limits = properties.throttle();
	}

	void check(String username, String address) {
		long wait = Math.max(blockedFor(userKey(username), this.limits.perUsername()),
				blockedFor(addressKey(address), this.limits.perAddress()));
		if (wait > 0) {
			throw new ProblemException(HttpStatus.TOO_MANY_REQUESTS, "too-many-failed-logins", "Too many failed logins",
					"Too many failed logins; try again in " + wait + " s.")
				.withHeader(HttpHeaders.RETRY_AFTER, String.valueOf(wait));
		}
	}

	void recordFailure(String username, String address) {
		String window = String.valueOf(this.limits.window().toMillis());
		this.redis.execute(COUNT, List.of(userKey(username)), window);
		this.redis.execute(COUNT, List.of(addressKey(address)), window);
	}

	void reset(String username) {
		this.redis.delete(userKey(username));
	}

	/** Seconds until the window of a counter at its limit ends, else 0. */
	private long blockedFor(String key, int limit) {
		String count = this.redis.opsForValue().get(key);
		if (count == null || Long.parseLong(count) < limit) {
			return 0;
		}
		Long millis = this.redis.getExpire(key, TimeUnit.MILLISECONDS);
		if (millis == null || millis <= 0) {
			return 1;
		}
		return Duration.ofMillis(millis).plusMillis(999).toSeconds();
	}

	private static String userKey(String username) {
		return "fulcrum:auth:login-failures:user:{" + username.toLowerCase(Locale.ROOT) + "}";
	}

	private static String addressKey(String address) {
		return "fulcrum:auth:login-failures:address:{" + address + "}";
	}

}
