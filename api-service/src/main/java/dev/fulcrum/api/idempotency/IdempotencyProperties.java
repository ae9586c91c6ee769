package dev.fulcrum.api.idempotency;

import java.time.Duration;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Idempotency settings ({@code fulcrum.idempotency.*}).
 *
 * @param routes the mode of each route that takes an {@code Idempotency-Key}, by its name
 * ({@code jobs}: {@code POST /api/jobs}); a route not named here is {@code required}
 * @param sampleInterval how often the records are counted and their memory sampled, for
 * the meters
 */
@ConfigurationProperties("fulcrum.idempotency")
public record IdempotencyProperties(Map<String, Route> routes, @DefaultValue("15s") Duration sampleInterval) {

	/** The setting of a route that has none. */
	private static final Route DEFAULT = new Route(IdempotencyMode.REQUIRED, Duration.ofMinutes(5));

	public IdempotencyProperties {
		routes = (routes != null) ? Map.copyOf(routes) : Map.of();
		for (Map.Entry<String, Route> route : routes.entrySet()) {
			if (!Idempotency.ROUTES.containsKey(route.getKey())) {
				throw new IllegalArgumentException("fulcrum.idempotency.routes names '" + route.getKey()
						+ "', which is not a route that takes an Idempotency-Key; these are: " + Idempotency.ROUTES);
			}
		}
		if (sampleInterval.isNegative() || sampleInterval.isZero()) {
			throw new IllegalArgumentException("fulcrum.idempotency.sample-interval must be positive");
		}
	}

	/**
	 * The setting of a route.
	 * @param route its name
	 * @return its setting, {@code required} if it has none
	 */
	public Route route(String route) {
		Route setting = this.routes.get(route);
		return (setting != null) ? setting : DEFAULT;
	}

	/**
	 * One route's setting.
	 *
	 * @param mode what a request without a key gets
	 * @param window in {@code content} mode, how long a derived key holds: the same
	 * content within it is a replay, after it a new request
	 */
	public record Route(@DefaultValue("required") IdempotencyMode mode, @DefaultValue("5m") Duration window) {

		public Route {
			if (window.isNegative() || window.isZero()) {
				throw new IllegalArgumentException("an idempotency window must be positive, not " + window);
			}
		}

	}

}
