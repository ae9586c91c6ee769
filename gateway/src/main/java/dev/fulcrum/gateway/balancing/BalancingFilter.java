package dev.fulcrum.gateway.balancing;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import dev.fulcrum.gateway.config.ClientAddresses;
import dev.fulcrum.gateway.problem.ProblemResponses;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseCookie;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Sends a request on an {@code lb://service} route to the instance its route's strategy
 * picks, and tells the instance how the request went: requests in flight while it runs,
 * then its time and whether it failed (no answer, or a 5xx).
 * <p>
 * Runs where Spring Cloud LoadBalancer's filter would (which Fulcrum does not use): after
 * the route's URL is known, before the request is proxied.
 */
@Component
class BalancingFilter implements GlobalFilter, Ordered {

	static final int ORDER = 10150;

	private static final Log logger = LogFactory.getLog(BalancingFilter.class);

	private final UpstreamPools pools;

	private final Balancer balancer;

	private final UpstreamMeters meters;

	private final ClientAddresses clients;

	private final BalancingProperties.Ejection ejection;

	BalancingFilter(UpstreamPools pools, Balancer balancer, UpstreamMeters meters, BalancingProperties properties,
			ClientAddresses clients) {
		this.pools = pools;
		this.balancer = balancer;
		this.meters = meters;
		this.ejection = properties.ejection();
		this.clients = clients;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		URI url = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR);
		if (url == null || !"lb".equals(url.getScheme())) {
			return chain.filter(exchange);
		}
		String service = url.getHost();
		List<Upstream> candidates = this.pools.available(service);
		if (candidates.isEmpty()) {
			return ProblemResponses.send(exchange, HttpStatus.SERVICE_UNAVAILABLE, "no-instance",
					"No instance available", "No instance of " + service + " can take this request now; retry later.");
		}
		Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
		Strategy strategy = this.balancer.strategy((route != null) ? route.getId() : service);
		String sticky = strategy.pins() ? cookie(exchange.getRequest(), this.balancer.stickyCookie()) : null;
		Upstream upstream = strategy.choose(candidates,
				new Strategy.Client(this.clients.of(exchange.getRequest()), sticky));
		if (strategy.pins() && !upstream.stickyKey().equals(sticky)) {
			exchange.getResponse()
				.addCookie(ResponseCookie.from(this.balancer.stickyCookie(), upstream.stickyKey())
					.path("/")
					.httpOnly(true)
					.sameSite("Lax")
					.build());
		}
		exchange.getAttributes()
			.put(ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR,
					UriComponentsBuilder.fromUri(url)
						.scheme(upstream.uri().getScheme())
						.host(upstream.uri().getHost())
						.port(upstream.uri().getPort())
						.build(true)
						.toUri());
		upstream.started();
		long started = System.nanoTime();
		return chain.filter(exchange)
			.doOnSuccess((done) -> finished(service, upstream, started, failed(exchange.getResponse().getStatusCode())))
			.doOnError((ex) -> finished(service, upstream, started, true))
			.doOnCancel(() -> {
				// The client went away: says nothing about the instance.
				upstream.finished(System.nanoTime() - started, false);
			});
	}

	private void finished(String service, Upstream upstream, long started, boolean failed) {
		long nanos = System.nanoTime() - started;
		upstream.finished(nanos, failed);
		this.meters.record(service, upstream, Duration.ofNanos(nanos), failed);
		if (upstream.countForEjection(failed, this.ejection, System.nanoTime())) {
			logger.warn("Ejected " + service + " instance " + upstream.id() + " after "
					+ this.ejection.consecutiveFailures() + " failures in a row");
		}
	}

	private static boolean failed(HttpStatusCode status) {
		return status != null && status.is5xxServerError();
	}

	private static String cookie(ServerHttpRequest request, String name) {
		HttpCookie cookie = request.getCookies().getFirst(name);
		return (cookie != null) ? cookie.getValue() : null;
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

}
