package dev.fulcrum.gateway.balancing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

/**
 * The strategy of each route, as configured and as switched at runtime.
 */
@Component
class Balancer {

	private final BalancingProperties properties;

	private final Map<String, Strategy> strategies = new ConcurrentHashMap<>();

	Balancer(BalancingProperties properties) {
		this.properties = properties;
		// Fail at start-up, not on the first request, for a misspelt name.
		Strategies.create(properties.defaultStrategy(), properties.hashBalanceFactor());
		properties.routes().forEach(this::switchTo);
	}

	/** The strategy of a route. */
	Strategy strategy(String route) {
		return this.strategies.computeIfAbsent(route,
				(id) -> Strategies.create(this.properties.routes().getOrDefault(id, this.properties.defaultStrategy()),
						this.properties.hashBalanceFactor()));
	}

	/**
	 * Gives a route another strategy, with fresh state; requests already under way finish
	 * as they started.
	 * @throws IllegalArgumentException for an unknown strategy
	 */
	Strategy switchTo(String route, String strategy) {
		Strategy created = Strategies.create(strategy, this.properties.hashBalanceFactor());
		this.strategies.put(route, created);
		return created;
	}

	String stickyCookie() {
		return this.properties.stickyCookie();
	}

}
