package dev.fulcrum.gateway.balancing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import reactor.core.publisher.Mono;

import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/balancing} on the management port (never on the public one): each
 * balanced route with its strategy, and each instance with what this gateway sees of it.
 * {@code POST /actuator/balancing/{route}} with {@code {"strategy":"least-connections"}}
 * switches a route at runtime.
 */
@Component
@Endpoint(id = "balancing")
class BalancingEndpoint {

	private final Balancer balancer;

	private final UpstreamPools pools;

	private final RouteLocator routes;

	private final BalancingProperties.SlowStart slowStart;

	BalancingEndpoint(Balancer balancer, UpstreamPools pools, RouteLocator routes, BalancingProperties properties) {
		this.balancer = balancer;
		this.pools = pools;
		this.routes = routes;
		this.slowStart = properties.slowStart();
	}

	@ReadOperation
	Mono<Map<String, Object>> balancing() {
		return balancedRoutes().map((routes) -> {
			Map<String, Object> byRoute = new LinkedHashMap<>();
			routes.forEach((route) -> byRoute.put(route.getId(), describe(route)));
			Map<String, Object> answer = new LinkedHashMap<>();
			answer.put("routes", byRoute);
			answer.put("strategies", Strategies.NAMES);
			return answer;
		});
	}

	@WriteOperation
	Mono<WebEndpointResponse<Map<String, Object>>> switchStrategy(@Selector String route, String strategy) {
		if (!Strategies.NAMES.contains(strategy)) {
			throw new InvalidEndpointRequestException("Unknown strategy '" + strategy + "'",
					"Unknown strategy '" + strategy + "'; known: " + String.join(", ", Strategies.NAMES));
		}
		return balancedRoutes().map((routes) -> routes.stream()
			.filter((candidate) -> candidate.getId().equals(route))
			.findFirst()
			.map((found) -> {
				this.balancer.switchTo(route, strategy);
				return new WebEndpointResponse<>(describe(found));
			})
			.orElseGet(() -> new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND)));
	}

	private Mono<List<Route>> balancedRoutes() {
		return this.routes.getRoutes().filter((route) -> "lb".equals(route.getUri().getScheme())).collectList();
	}

	private Map<String, Object> describe(Route route) {
		String service = route.getUri().getHost();
		Map<String, Object> description = new LinkedHashMap<>();
		description.put("service", service);
		description.put("strategy", this.balancer.strategy(route.getId()).name());
		description.put("instances",
				this.pools.all().getOrDefault(service, List.of()).stream().map(this::describe).toList());
		return description;
	}

	private Map<String, Object> describe(Upstream upstream) {
		Map<String, Object> description = new LinkedHashMap<>();
		description.put("instance", upstream.id());
		description.put("name", upstream.name());
		description.put("weight", upstream.weight());
		description.put("inFlight", upstream.inFlight());
		description.put("requests", upstream.requests());
		description.put("errors", upstream.errors());
		description.put("latencyMillis", Math.round(upstream.latency().nanos() / 1e4) / 100.0);
		description.put("healthy", upstream.healthy());
		description.put("ejected", upstream.ejected(System.nanoTime()));
		description.put("ejections", upstream.ejections());
		description.put("draining", upstream.draining());
		// The share of its normal traffic it takes while it warms up (slow start).
		description.put("warmthPercent", Math.round(upstream.warmth(System.nanoTime(), this.slowStart) * 100));
		return description;
	}

}
