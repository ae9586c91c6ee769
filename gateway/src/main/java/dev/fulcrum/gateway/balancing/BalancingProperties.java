package dev.fulcrum.gateway.balancing;

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
 */
@ConfigurationProperties("fulcrum.gateway.balancing")
record BalancingProperties(@DefaultValue("round-robin") String defaultStrategy, Map<String, String> routes,
		@DefaultValue("1.25") double hashBalanceFactor, @DefaultValue("fulcrum_sticky") String stickyCookie) {

	BalancingProperties {
		routes = (routes != null) ? Map.copyOf(routes) : Map.of();
	}

}
