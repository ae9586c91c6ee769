package dev.fulcrum.gateway.resilience;

import java.time.Duration;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The adaptive concurrency limit of every route
 * ({@code fulcrum.gateway.concurrency-limit.*}, docs/resilience.md): one
 * {@link ConcurrencyLimit} per route and gateway replica.
 *
 * @param enabled whether routes have limits
 * @param initialLimit each route's limit at start
 * @param minLimit a limit never drops below this
 * @param maxLimit a limit never grows above this
 * @param queueingDelay a window whose fastest answer took longer than this is queueing
 * @param window the shortest window of answers the limit is changed after
 * @param windowSamples the fewest answers in a window
 * @param backoff the factor a queueing window multiplies the limit by
 * @param floorLatency a limit stays at least its route's goodput of the last second times
 * this (Little's law; 0 for no floor)
 * @param clientShare while more than three quarters of a limit is in use, a client
 * holding this share of it has its next request shed
 * @param shedDelay how long a shed request waits for its 503: long enough that clients
 * that send again at once cannot make shedding the load
 * @param routes per route id: whether it is limited, and its own queueing delay
 */
@ConfigurationProperties("fulcrum.gateway.concurrency-limit")
record ConcurrencyLimitProperties(@DefaultValue("true") boolean enabled, @DefaultValue("100") int initialLimit,
		@DefaultValue("4") int minLimit, @DefaultValue("1000") int maxLimit,
		@DefaultValue("10ms") Duration queueingDelay, @DefaultValue("100ms") Duration window,
		@DefaultValue("20") int windowSamples, @DefaultValue("0.9") double backoff,
		@DefaultValue("50ms") Duration floorLatency, @DefaultValue("0.5") double clientShare,
		@DefaultValue("100ms") Duration shedDelay, Map<String, RouteLimit> routes) {

	ConcurrencyLimitProperties {
		routes = (routes != null) ? Map.copyOf(routes) : Map.of();
		if (!(clientShare > 0 && clientShare <= 1)) {
			throw new IllegalArgumentException(
					"A client's share of a concurrency limit must be above 0 and at most 1, not " + clientShare);
		}
		// Checked at start, not at a route's first request.
		new ConcurrencyLimit.Settings(initialLimit, minLimit, maxLimit, queueingDelay.toNanos(), window.toNanos(),
				windowSamples, backoff, floorLatency.toNanos());
	}

	/**
	 * A route's own settings.
	 *
	 * @param enabled whether the route is limited
	 * @param queueingDelay its queueing delay (empty: the default)
	 */
	record RouteLimit(@DefaultValue("true") boolean enabled, Duration queueingDelay) {

	}

	/**
	 * Whether a route is limited.
	 * @param route the route's id
	 * @return whether it is
	 */
	boolean limits(String route) {
		RouteLimit own = this.routes.get(route);
		return this.enabled && (own == null || own.enabled());
	}

	/**
	 * A route's settings.
	 * @param route the route's id
	 * @return its settings
	 */
	ConcurrencyLimit.Settings settings(String route) {
		RouteLimit own = this.routes.get(route);
		Duration delay = (own != null && own.queueingDelay() != null) ? own.queueingDelay() : this.queueingDelay;
		return new ConcurrencyLimit.Settings(this.initialLimit, this.minLimit, this.maxLimit, delay.toNanos(),
				this.window.toNanos(), this.windowSamples, this.backoff, this.floorLatency.toNanos());
	}

}
