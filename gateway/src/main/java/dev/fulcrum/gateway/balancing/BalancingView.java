package dev.fulcrum.gateway.balancing;

import java.time.Duration;
import java.util.List;

import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.stereotype.Component;

/**
 * What the balancer knows now, for the live dashboard: each balanced route with its
 * strategy and, per instance, its counters and state. Read on the dashboard's own thread
 * once a second; nothing here is on a request's path.
 */
@Component
public class BalancingView {

	private final Balancer balancer;

	private final UpstreamPools pools;

	private final UpstreamMeters meters;

	private final RouteLocator routes;

	private final BalancingProperties.SlowStart slowStart;

	BalancingView(Balancer balancer, UpstreamPools pools, UpstreamMeters meters, RouteLocator routes,
			BalancingProperties properties) {
		this.balancer = balancer;
		this.pools = pools;
		this.meters = meters;
		this.routes = routes;
		this.slowStart = properties.slowStart();
	}

	/**
	 * The balancing strategies a route may be switched to.
	 * @return their names
	 */
	public static List<String> strategies() {
		return Strategies.NAMES;
	}

	/**
	 * Every balanced route now.
	 * @return the routes, in their configured order
	 */
	public List<RouteState> routes() {
		List<Route> balanced = this.routes.getRoutes()
			.filter((route) -> "lb".equals(route.getUri().getScheme()) && route.getUri().getHost() != null)
			.collectList()
			.block(Duration.ofSeconds(1));
		if (balanced == null) {
			return List.of();
		}
		long now = System.nanoTime();
		return balanced.stream().map((route) -> {
			String service = route.getUri().getHost();
			List<InstanceState> instances = this.pools.all()
				.getOrDefault(service, List.of())
				.stream()
				.map((upstream) -> new InstanceState(upstream.id(), upstream.name(), upstream.requests(),
						upstream.errors(), upstream.inFlight(), upstream.latency().nanos() / 1e6,
						this.meters.p99Millis(service, upstream), upstream.healthy(), upstream.ejected(now),
						upstream.draining(), (int) Math.round(upstream.warmth(now, this.slowStart) * 100)))
				.toList();
			return new RouteState(route.getId(), service, this.balancer.strategy(route.getId()).name(), instances);
		}).toList();
	}

	/**
	 * A balanced route.
	 *
	 * @param route the route's id
	 * @param service the service it balances over
	 * @param strategy its strategy now
	 * @param instances the service's instances
	 */
	public record RouteState(String route, String service, String strategy, List<InstanceState> instances) {
	}

	/**
	 * An instance, as this gateway sees it.
	 *
	 * @param address {@code host:port}
	 * @param name its own name ({@code X-Served-By}), or {@code null} before it answered
	 * @param requests requests sent to it so far
	 * @param errors those that failed
	 * @param inFlight requests under way
	 * @param ewmaMillis the latency's moving average (peak EWMA)
	 * @param p99Millis the p99 of its successes over about 30 s, or {@code NaN}
	 * @param healthy whether its health checks pass
	 * @param ejected whether it is ejected after failures in a row
	 * @param draining whether it is being taken out
	 * @param warmthPercent the share of its normal traffic it takes (slow start)
	 */
	public record InstanceState(String address, String name, long requests, long errors, int inFlight,
			double ewmaMillis, double p99Millis, boolean healthy, boolean ejected, boolean draining,
			int warmthPercent) {
	}

}
