package dev.fulcrum.auth.login;

import java.time.Duration;
import java.util.ArrayList;
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
 * <li>per username, a ceiling (1,000): guessing one account's password from many places.
 * It is high on purpose: strangers failing logins for a user's name must not lock the
 * user out, and reaching it takes 200 addresses' worth of failures in one window.
 * Addresses where the user logged in within {@code known-address-ttl} (30 days) do not
 * count against it and are never held back by it;</li>
 * <li>per client address (20): trying many accounts from one place.</li>
 * </ul>
 * An IPv6 client is counted by its /64 ({@link ClientAddress#throttled}): a client can
 * take any of the 2^64 addresses of its network. An attempt is taken from every counter
 * <em>before</em> the password is checked (one atomic script per counter), so parallel
 * requests cannot slip past a limit; a successful login gives its attempt back. Past a
 * limit, the answer is 429 with {@code Retry-After}, without checking the password.
 * Registrations are limited per address the same way.
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
	Attempt attempt(String username, String clientAddress) {
		String name = username.toLowerCase(Locale.ROOT);
		String address = ClientAddress.throttled(clientAddress);
		String pair = "fulcrum:auth:attempts:user-address:{" + name + "}:" + address;
		String known = knownKey(name, address);
		List<String> keys = new ArrayList<>(List.of(pair, "fulcrum:auth:attempts:address:{" + address + "}"));
		List<Integer> limits = new ArrayList<>(List.of(this.limits.perUsernameAndAddress(), this.limits.perAddress()));
		if (!Boolean.TRUE.equals(this.redis.hasKey(known))) {
			keys.add("fulcrum:auth:attempts:user:{" + name + "}");
			limits.add(this.limits.perUsername());
		}
		for (int i = 0; i < keys.size(); i++) {
			long wait = take(keys.get(i), limits.get(i));
			if (wait > 0) {
				// Refused: the counters already taken from get their attempt back.
				keys.subList(0, i).forEach((key) -> this.redis.opsForValue().decrement(key));
				throw tooMany("Too many failed logins", wait);
			}
		}
		return new Attempt(pair, List.copyOf(keys.subList(1, keys.size())), known);
	}

	/** Where the user logged in lately: never held back by the per-username ceiling. */
	private static String knownKey(String name, String address) {
		return "fulcrum:auth:known-address:{" + name + "}:" + address;
	}

	/**
	 * Gives a successful login's attempt back: it was no failure. The
	 * username-and-address counter is cleared: whoever is there knows the password.
	 * @param attempt the attempt
	 */
	void succeeded(Attempt attempt) {
		this.redis.delete(attempt.pair());
		attempt.others().forEach((key) -> this.redis.opsForValue().decrement(key));
		this.redis.opsForValue().set(attempt.known(), "1", this.limits.knownAddressTtl());
	}

	/**
	 * Counts a registration from the request's client.
	 * @throws ProblemException 429 if the address has registered too often
	 */
	@Override
	public void count(HttpServletRequest request) {
		String address = ClientAddress.throttled(ClientAddress.of(request));
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
	 * @param others the address counter, and the username one unless the address is known
	 * @param known the key that marks the address as known for the user
	 */
	record Attempt(String pair, List<String> others, String known) {
	}

}
