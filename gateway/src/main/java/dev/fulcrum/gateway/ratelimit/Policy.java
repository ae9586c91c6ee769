package dev.fulcrum.gateway.ratelimit;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.bind.ConstructorBinding;

/**
 * A route's limit.
 *
 * @param algorithm {@code token-bucket}, {@code leaky-bucket}, {@code fixed-window} or
 * {@code sliding-window}
 * @param limit requests per {@code period}
 * @param period the period
 * @param burst requests allowed at once: the bucket's size for {@code token-bucket}
 * (default: {@code limit}), the back-to-back allowance for {@code leaky-bucket} (default:
 * 1, strictly even spacing); the windows ignore it
 * @param key whom the limit counts: {@code user} (the default) counts the user of the
 * accepted access token, else the client's network; {@code address} always counts the
 * client's network (its IPv4 address, or its IPv6 /64), as for login and registration,
 * where there is no user yet
 */
public record Policy(String algorithm, long limit, Duration period, long burst, String key) {

	/** The algorithms, in the order the docs list them. */
	public static final List<String> ALGORITHMS = List.of("token-bucket", "leaky-bucket", "fixed-window",
			"sliding-window");

	/** Whom a limit may count. */
	public static final List<String> KEYS = List.of("user", "address");

	@ConstructorBinding
	public Policy {
		if (key == null) {
			key = "user";
		}
		if (!KEYS.contains(key)) {
			throw new IllegalArgumentException(
					"Unknown rate-limit key '" + key + "'; known: " + String.join(", ", KEYS));
		}
		if (!ALGORITHMS.contains(algorithm)) {
			throw new IllegalArgumentException(
					"Unknown rate-limit algorithm '" + algorithm + "'; known: " + String.join(", ", ALGORITHMS));
		}
		if (limit < 1 || period.toMillis() < 1) {
			throw new IllegalArgumentException(
					"A rate limit needs a limit of at least 1 and a period of at least 1 ms");
		}
		if (burst < 1) {
			burst = "token-bucket".equals(algorithm) ? limit : 1;
		}
	}

	/**
	 * A policy counting the token's user, else the client's network.
	 * @param algorithm the algorithm
	 * @param limit requests per period
	 * @param period the period
	 * @param burst requests allowed at once
	 */
	public Policy(String algorithm, long limit, Duration period, long burst) {
		this(algorithm, limit, period, burst, "user");
	}

	/**
	 * The most requests a client can make at once, as the headers advertise it: a token
	 * bucket larger than its refill ({@code burst} above {@code limit}) holds more than
	 * {@code limit} tokens, and a remaining count above the advertised quota would
	 * contradict it.
	 * @return {@code burst} for a token bucket that exceeds {@code limit}, else
	 * {@code limit}
	 */
	long quota() {
		return "token-bucket".equals(this.algorithm) ? Math.max(this.limit, this.burst) : this.limit;
	}

	/**
	 * The policy's name in the {@code RateLimit-Policy} header:
	 * {@code <limit>-per-<period>}.
	 */
	String name() {
		return this.limit + "-per-" + this.period.toMillis() + "ms";
	}

}
