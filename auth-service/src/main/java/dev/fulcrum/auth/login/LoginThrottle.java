package dev.fulcrum.auth.login;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

import jakarta.servlet.http.HttpServletRequest;

import dev.fulcrum.auth.config.AuthProperties;
import dev.fulcrum.auth.user.RegistrationLimit;
import dev.fulcrum.common.problem.ProblemException;
import dev.fulcrum.common.redis.LuaScripts;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Limits login attempts, in fixed windows in Redis shared by all auth replicas, on three
 * counters:
 * <ul>
 * <li>per username and client address (5 per 15 minutes): someone guessing one account's
 * password from one place is stopped quickly, and only there;</li>
 * <li>per username (50): guessing one account's password from many places; higher, so
 * that strangers cannot lock a user out as easily as they could with a low limit;</li>
 * <li>per client address (20): trying many accounts from one place.</li>
 * </ul>
 * An attempt is taken from every counter <em>before</em> the password is checked (one
 * atomic script per counter), so parallel requests cannot slip past a limit; a successful
 * login gives its attempt back. Past a limit, the answer is 429 with {@code Retry-After},
 * without checking the password. Registrations are limited per address the same way.
 */
@Component
class LoginThrottle implements RegistrationLimit {

	private static final RedisScript<Long> TAKE = LuaScripts.load("scripts/take-attempt.lua", Long.class);

	private final StringRedisTemplate redis;

	private final AuthProperties.Throttle limits;

	LoginThrottle(StringRedisTemplate redis, AuthProperties properties) {
		this.redis = redis;
		this.limits = properties.throttle();
	}

	/**
	 * Takes a login attempt from every counter, or from none.
	 * @param username the name tried
	 * @param address the client address
	 * @return the attempt, to give back on success with {@link #succeeded(Attempt)}
	 * @throws ProblemException 429 if any counter is used up
	 */
	Attempt attempt(String username, String address) {
		String name = username.toLowerCase(Locale.ROOT);
		String pair = "fulcrum:auth:attempts:user-address:{" + name + "}:" + address;
		List<String> keys = List.of(pair, "fulcrum:auth:attempts:user:{" + name + "}",
				"fulcrum:auth:attempts:address:{" + address + "}");
		List<Integer> limits = List.of(this.limits.perUsernameAndAddress(), this.limits.perUsername(),
				this.limits.perAddress());
		for (int i = 0; i < keys.size(); i++) {
			long wait = take(keys.get(i), limits.get(i));
			if (wait > 0) {
				// Refused: the counters already taken from get their attempt back.
				keys.subList(0, i).forEach((key) -> this.redis.opsForValue().decrement(key));
				throw tooMany("Too many failed logins", wait);
			}
		}
		return new Attempt(pair, keys.subList(1, keys.size()));
	}

	/**
	 * Gives a successful login's attempt back: it was no failure. The
	 * username-and-address counter is cleared: whoever is there knows the password.
	 * @param attempt the attempt
	 */
	void succeeded(Attempt attempt) {
		this.redis.delete(attempt.pair());
		attempt.others().forEach((key) -> this.redis.opsForValue().decrement(key));
	}

	/**
	 * Counts a registration from the request's client.
	 * @throws ProblemException 429 if the address has registered too often
	 */
	@Override
	public void count(HttpServletRequest request) {
		String address = ClientAddress.of(request);
		long wait = take("fulcrum:auth:attempts:register:{" + address + "}", this.limits.registrationsPerAddress());
		if (wait > 0) {
			throw tooMany("Too many registrations from this address", wait);
		}
	}

	/** Milliseconds to wait, or 0 when the attempt was taken. */
	private long take(String key, int limit) {
		Long wait = this.redis.execute(TAKE, List.of(key), String.valueOf(limit),
				String.valueOf(this.limits.window().toMillis()));
		return (wait != null) ? wait : 0;
	}

	private static ProblemException tooMany(String title, long waitMillis) {
		long seconds = Duration.ofMillis(waitMillis).plusMillis(999).toSeconds();
		return new ProblemException(HttpStatus.TOO_MANY_REQUESTS, "too-many-attempts", title,
				title + "; try again in " + seconds + " s.")
			.withHeader(HttpHeaders.RETRY_AFTER, String.valueOf(seconds));
	}

	/**
	 * The counters a login attempt was taken from.
	 *
	 * @param pair the username-and-address counter
	 * @param others the username and address counters
	 */
	record Attempt(String pair, List<String> others) {
	}

}
