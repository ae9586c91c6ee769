package dev.fulcrum.gateway.balancing;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How each route balances ({@code fulcrum.gateway.balancing.*}).
 *
 * @param defaultStrategy the strategy of a route not listed in {@code routes}
 * ({@code GATEWAY_LB_STRATEGY}; {@code round-robin} by default)
 * @param routes the strategy of each route, by route id
 * @param hashBalanceFactor for {@code ip-hash}: no instance takes more than this factor
 * of the mean number of requests in flight
 * @param stickyCookie the cookie that pins a client under {@code cookie-sticky}
 * @param ejection passive outlier ejection
 * @param health active health checks
 * @param retry retries of failed requests on another instance
 * @param slowStart how an instance that joins takes its share gradually
 */
@ConfigurationProperties("fulcrum.gateway.balancing")
record BalancingProperties(@DefaultValue("round-robin") String defaultStrategy, Map<String, String> routes,
		@DefaultValue("1.25") double hashBalanceFactor, @DefaultValue("fulcrum_sticky") String stickyCookie,
		@DefaultValue Ejection ejection, @DefaultValue HealthChecks health, @DefaultValue Retry retry,
		@DefaultValue SlowStart slowStart) {

	BalancingProperties {
		routes = (routes != null) ? Map.copyOf(routes) : Map.of();
	}

	/**
	 * Passive outlier ejection: an instance that fails this many requests in a row (no
	 * answer, or a 5xx) is taken out for {@code baseTime}, longer each time it is ejected
	 * again without a success in between ({@code baseTime} x times, at most
	 * {@code maxTime}).
	 *
	 * @param consecutiveFailures failures in a row that eject
	 * @param baseTime how long a first ejection lasts
	 * @param maxTime the longest ejection
	 */
	record Ejection(@DefaultValue("5") int consecutiveFailures, @DefaultValue("10s") Duration baseTime,
			@DefaultValue("5m") Duration maxTime) {
	}

	/**
	 * Active health checks: every {@code interval}, a {@code GET} of each instance's
	 * health path, for the services that have one. {@code unhealthyThreshold} failures in
	 * a row (not 2xx, or no answer within {@code timeout}) take the instance out;
	 * {@code healthyThreshold} successes in a row bring it back.
	 *
	 * @param interval time between checks
	 * @param timeout how long a check may take
	 * @param unhealthyThreshold failed checks in a row that take an instance out
	 * @param healthyThreshold passed checks in a row that bring it back
	 * @param paths the path to check, by service; services without one are not checked
	 */
	record HealthChecks(@DefaultValue("5s") Duration interval, @DefaultValue("1s") Duration timeout,
			@DefaultValue("2") int unhealthyThreshold, @DefaultValue("2") int healthyThreshold,
			Map<String, String> paths) {

		HealthChecks {
			paths = (paths != null) ? Map.copyOf(paths) : Map.of();
		}

	}

	/**
	 * Retries: a {@code GET}, {@code HEAD} or {@code OPTIONS} request (safe, idempotent
	 * and without a body to replay) that could not reach its instance, or that the
	 * instance answered with one of {@code statuses}, is sent again to an instance not
	 * tried yet, up to {@code maxAttempts} in all. Never a {@code POST}, {@code PUT},
	 * {@code PATCH} or {@code DELETE}: the first instance may have acted on it. Never
	 * after a response timeout: a client should not wait twice.
	 *
	 * <p>
	 * Retries stay within a budget per service: over the last {@code budgetWindow}, at
	 * most {@code budgetPercent} of the requests, or {@code budgetMinRetries} if that is
	 * more. Past it, the failed answer (or the failure) goes to the client.
	 *
	 * @param maxAttempts attempts per request, the first included (1 turns retries off)
	 * @param statuses upstream statuses that mean "try another instance"
	 * @param budgetPercent retries allowed, as a percentage of recent requests
	 * @param budgetMinRetries retries allowed in any window, however few its requests
	 * @param budgetWindow how far back requests and retries are counted
	 */
	record Retry(@DefaultValue("2") int maxAttempts, @DefaultValue( {
			"502", "503", "504" }) List<Integer> statuses, @DefaultValue("20") int budgetPercent,
			@DefaultValue("10") int budgetMinRetries, @DefaultValue("10s") Duration budgetWindow){

		public Retry {
			statuses = List.copyOf(statuses);
		}

	}

	/**
	 * Slow start, as Envoy's: an instance that joins a running service (a new replica),
	 * or comes back after failing its health checks, takes a growing share of the
	 * requests over {@code window} instead of its full share at once, because a fresh JVM
	 * is slow until its JIT has compiled the hot paths. Its share starts at
	 * {@code minWeightPercent} and grows as
	 * {@code (elapsed / window) ^ (1 / aggression)}. Applies to every strategy but
	 * {@code ip-hash} and {@code cookie-sticky}, which place a client by who it is;
	 * instances present at start-up start warm.
	 *
	 * @param window how long the ramp lasts ({@code 0s} turns slow start off)
	 * @param minWeightPercent the share at the start, in percent of the full one
	 * @param aggression 1 ramps linearly; more sends more traffic early
	 */
	record SlowStart(@DefaultValue("30s") Duration window, @DefaultValue("10") int minWeightPercent,
			@DefaultValue("1.0") double aggression) {

		SlowStart {
			if (aggression <= 0 || minWeightPercent < 0 || minWeightPercent > 100) {
				throw new IllegalArgumentException("slow-start needs aggression > 0 and min-weight-percent in 0..100");
			}
		}

	}

}
