package dev.fulcrum.gateway.ratelimit;

import java.util.List;
import java.util.Map;

import reactor.core.publisher.Mono;

import dev.fulcrum.common.redis.LuaScripts;

import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Asks Redis whether a request may pass: one script call, atomic, on Redis's clock, so
 * every gateway replica enforces one shared limit.
 */
public class RateLimiter {

	@SuppressWarnings("rawtypes")
	private static final Map<String, RedisScript<List>> SCRIPTS = Map.of("token-bucket",
			LuaScripts.load("scripts/token-bucket.lua", List.class), "leaky-bucket",
			LuaScripts.load("scripts/leaky-bucket.lua", List.class), "fixed-window",
			LuaScripts.load("scripts/fixed-window.lua", List.class), "sliding-window",
			LuaScripts.load("scripts/sliding-window.lua", List.class));

	private final ReactiveStringRedisTemplate redis;

	public RateLimiter(ReactiveStringRedisTemplate redis) {
		this.redis = redis;
	}

	/**
	 * Takes one request from a key's limit.
	 * @param key whose limit (for example {@code api-service:user:alice})
	 * @param policy the limit
	 * @return the decision; an error if Redis cannot tell
	 */
	public Mono<Decision> take(String key, Policy policy) {
		return take(key, policy, null);
	}

	/**
	 * As {@link #take(String, Policy)}, at a given time instead of Redis's clock (tests).
	 */
	Mono<Decision> take(String key, Policy policy, Long nowMillis) {
		// The hash tag keeps each key's state in one slot on Redis Cluster.
		String redisKey = "fulcrum:ratelimit:" + policy.algorithm() + ":{" + key + "}";
		return this.redis
			.execute(SCRIPTS.get(policy.algorithm()), List.of(redisKey),
					List.of(String.valueOf(policy.limit()), String.valueOf(policy.period().toMillis()),
							String.valueOf(policy.burst()), (nowMillis != null) ? String.valueOf(nowMillis) : ""))
			.collectList()
			.map(RateLimiter::decision);
	}

	private static Decision decision(List<?> answer) {
		List<?> values = (answer.size() == 1 && answer.getFirst() instanceof List<?> nested) ? nested : answer;
		return new Decision(number(values.get(0)) == 1, number(values.get(1)), number(values.get(2)),
				number(values.get(3)));
	}

	private static long number(Object value) {
		return (value instanceof Number number) ? number.longValue() : Long.parseLong(String.valueOf(value));
	}

}
