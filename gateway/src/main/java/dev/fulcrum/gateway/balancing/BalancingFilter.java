package dev.fulcrum.gateway.balancing;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import io.micrometer.tracing.Span;
import reactor.core.publisher.Mono;

import dev.fulcrum.gateway.FilterOrder;
import dev.fulcrum.gateway.edge.ClientAddresses;
import dev.fulcrum.gateway.problem.ProblemResponses;
import dev.fulcrum.gateway.tracing.EdgeTracing;

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
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * Sends one attempt of a request on an {@code lb://service} route to the instance its
 * route's strategy picks, and tells the instance how the attempt went: requests in flight
 * while it runs, then its time and whether it failed (no answer, or a 5xx that is not its
 * backpressure, see {@link ProblemResponses#isBackpressure}). The first attempt picks
 * among every available instance; one that {@link RetryFilter} sends again, among those
 * not tried yet ({@link Attempts}).
 * <p>
 * Runs where Spring Cloud LoadBalancer's filter would (which Fulcrum does not use): after
 * the route's URL is known, before the request is proxied.
 */
@Component
class BalancingFilter implements GlobalFilter, Ordered {

	private static final Log logger = LogFactory.getLog(BalancingFilter.class);

	/** How an instance names itself in its answers. */
	private static final String SERVED_BY = "X-Served-By";

	private final UpstreamPools pools;

	private final Balancer balancer;

	private final UpstreamMeters meters;

	private final ClientAddresses clients;

	private final BalancingProperties.Ejection ejection;

	private final RetryBudget budget;

	private final BalancingProperties.SlowStart slowStart;

	private final EdgeTracing tracing;

	BalancingFilter(UpstreamPools pools, Balancer balancer, UpstreamMeters meters, BalancingProperties properties,
			RetryBudget budget, ClientAddresses clients, EdgeTracing tracing) {
		this.pools = pools;
		this.balancer = balancer;
		this.meters = meters;
		this.ejection = properties.ejection();
		this.budget = budget;
		this.clients = clients;
		this.slowStart = properties.slowStart();
		this.tracing = tracing;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		URI url = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR);
		if (url == null || !"lb".equals(url.getScheme())) {
			return chain.filter(exchange);
		}
		String service = url.getHost();
		Attempts attempts = Attempts.of(exchange);
		if (attempts == null) {
			// Routed past the retry filter: one attempt.
			attempts = Attempts.start(exchange, url, 1);
		}
		List<Upstream> candidates = attempts.retryAmong();
		if (candidates == null) {
			candidates = this.pools.available(service);
			if (candidates.isEmpty()) {
				return ProblemResponses.send(exchange, HttpStatus.SERVICE_UNAVAILABLE, "no-instance",
						"No instance available",
						"No instance of " + service + " can take this request now; retry later.");
			}
			this.budget.requested(service);
		}
		Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
		Strategy strategy = this.balancer.strategy((route != null) ? route.getId() : service);
		return send(exchange, chain, url, strategy, candidates, attempts.tried());
	}

	/**
	 * Sends the request to one of the candidates, and records how it went.
	 */
	private Mono<Void> send(ServerWebExchange exchange, GatewayFilterChain chain, URI url, Strategy strategy,
			List<Upstream> candidates, List<Upstream> tried) {
		String service = url.getHost();
		String sticky = strategy.pins() ? cookie(exchange.getRequest(), this.balancer.stickyCookie()) : null;
		// No choice to make among one: leave the strategy's state (a round-robin turn)
		// alone.
		Upstream upstream = (candidates.size() == 1) ? candidates.get(0)
				: warm(strategy, candidates, new Strategy.Client(this.clients.of(exchange.getRequest()), sticky));
		if (strategy.pins() && !upstream.stickyKey().equals(sticky)) {
			exchange.getResponse()
				.getCookies()
				.set(this.balancer.stickyCookie(),
						ResponseCookie.from(this.balancer.stickyCookie(), upstream.stickyKey())
							.path("/")
							.httpOnly(true)
							.sameSite("Lax")
							.build());
		}
		exchange.getAttributes().put(ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR, upstream.resolve(url));
		tried.add(upstream);
		Span span = this.tracing.attempt(exchange, service, upstream.id(), tried.size());
		upstream.started();
		long started = System.nanoTime();
		return chain.filter(exchange).doOnSuccess((done) -> {
			upstream.named(exchange.getResponse().getHeaders().getFirst(SERVED_BY));
			this.tracing.attemptEnded(exchange, span, null);
			finished(service, upstream, started, failed(exchange.getResponse()));
		}).doOnError((ex) -> {
			this.tracing.attemptEnded(exchange, span, ex);
			// A refusal of the client's own request (a body over the cap) says nothing
			// about the instance.
			finished(service, upstream, started, !ProblemResponses.isClientError(ex));
		}).doOnCancel(() -> {
			this.tracing.attemptEnded(exchange, span, null);
			// The client went away: says nothing about the instance.
			upstream.finished(System.nanoTime() - started, false);
		});
	}

	/**
	 * The strategy's pick, except that an instance still warming up keeps its pick only
	 * with the probability of its warmth (slow start); otherwise the strategy picks again
	 * among the warm instances. Its share thus grows from a tenth of its normal one to
	 * all of it over the window.
	 */
	private Upstream warm(Strategy strategy, List<Upstream> candidates, Strategy.Client client) {
		Upstream pick = strategy.choose(candidates, client);
		if (!strategy.slowStarts()) {
			return pick;
		}
		long now = System.nanoTime();
		double warmth = pick.warmth(now, this.slowStart);
		if (warmth >= 1 || ThreadLocalRandom.current().nextDouble() < warmth) {
			return pick;
		}
		List<Upstream> warm = new ArrayList<>(candidates.size());
		for (Upstream candidate : candidates) {
			if (candidate.warmth(now, this.slowStart) >= 1) {
				warm.add(candidate);
			}
		}
		return warm.isEmpty() ? pick : strategy.choose(warm, client);
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

	/** A 5xx that is not the instance's backpressure. */
	private static boolean failed(ServerHttpResponse response) {
		HttpStatusCode status = response.getStatusCode();
		return status != null && status.is5xxServerError() && !ProblemResponses.isBackpressure(response);
	}

	private static String cookie(ServerHttpRequest request, String name) {
		HttpCookie cookie = request.getCookies().getFirst(name);
		return (cookie != null) ? cookie.getValue() : null;
	}

	@Override
	public int getOrder() {
		return FilterOrder.BALANCING;
	}

}
