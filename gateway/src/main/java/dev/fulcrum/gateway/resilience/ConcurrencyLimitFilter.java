package dev.fulcrum.gateway.resilience;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

import dev.fulcrum.gateway.FilterOrder;
import dev.fulcrum.common.ClientNetworks;
import dev.fulcrum.gateway.auth.AuthenticatedUser;
import dev.fulcrum.gateway.edge.ClientAddresses;
import dev.fulcrum.gateway.reactor.EventLoops;
import dev.fulcrum.gateway.problem.ProblemResponses;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * Sheds what a route cannot serve quickly: past its {@link ConcurrencyLimit}, a request
 * gets a 503 {@code overloaded} problem with {@code Retry-After: 1} after a short
 * {@code shed-delay} (100 ms), instead of waiting in a queue with every other request
 * (docs/resilience.md). Past saturation, the requests let through wait less than they
 * would in the queue.
 * <p>
 * The limit is the route's, so that one client holding many slow requests cannot hold it
 * all: while more than three quarters of it is in use, a request whose client (the user
 * of its token, else its network, as the rate limit counts) already holds
 * {@code client-share} of it (half) is shed too, and the other clients keep the rest.
 * <p>
 * Runs after the edge token check and before rate limiting, so that a shed request costs
 * no Redis round trip and no share of the client's rate limit. Answers that say nothing
 * of the route's speed (the gateway's own, an instance's 5xx or 429) are no sample.
 * Responses served from the edge cache never get here.
 */
@Component
class ConcurrencyLimitFilter implements GlobalFilter, Ordered {

	private final ConcurrencyLimitProperties properties;

	private final MeterRegistry meters;

	private final ClientAddresses clients;

	private final Map<String, Limited> limits = new ConcurrentHashMap<>();

	ConcurrencyLimitFilter(ConcurrencyLimitProperties properties, ClientAddresses clients, MeterRegistry meters) {
		this.properties = properties;
		this.clients = clients;
		this.meters = meters;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
		if (route == null || !this.properties.limits(route.getId())) {
			return chain.filter(exchange);
		}
		Limited limited = this.limits.computeIfAbsent(route.getId(), this::limited);
		ConcurrencyLimit limit = limited.limit();
		// Before a place is taken: nothing between taking it and the chain may throw.
		String client = client(exchange);
		if (!limit.tryAcquire()) {
			return shed(exchange, limited, "Route " + route.getId() + " already has " + limit.limit()
					+ " requests under way, as many as it serves quickly now; retry in a second.");
		}
		int already = limited.clients().merge(client, 1, Integer::sum) - 1;
		int now = limit.limit();
		if (already > 0 && already >= now * this.properties.clientShare() && 4 * limit.inFlight() > 3 * now) {
			limited.clients().computeIfPresent(client, ConcurrencyLimitFilter::lessOne);
			limit.cancel();
			return shed(exchange, limited, "Route " + route.getId() + " is nearly at its limit of " + now
					+ " requests under way, and you already have " + already + " of them; retry in a second.");
		}
		long started = System.nanoTime();
		// Done when the instance's status and headers are in: the body streams after
		// (NettyWriteResponseFilter), as the balancer and the breaker count it too.
		return chain.filter(exchange).doFinally((signal) -> {
			limited.clients().computeIfPresent(client, ConcurrencyLimitFilter::lessOne);
			if (signal == SignalType.ON_COMPLETE && saysHowFast(exchange)) {
				long end = System.nanoTime();
				limit.release(end, end - started);
			}
			else {
				limit.cancel();
			}
		});
	}

	private Mono<Void> shed(ServerWebExchange exchange, Limited limited, String detail) {
		limited.shed().increment();
		exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, "1");
		// Not at once: a client that sends again the moment it is refused (wrk, a naive
		// retry loop) would make refusing its load, on the cores that serve.
		return Mono.delay(this.properties.shedDelay(), EventLoops.of(exchange.getRequest()))
			.then(Mono.defer(() -> ProblemResponses.send(exchange, HttpStatus.SERVICE_UNAVAILABLE, "overloaded",
					"Overloaded", detail)));
	}

	/**
	 * Whom a request's place counts against: the user of its accepted access token, else
	 * the client's network (an IPv4 address, an IPv6 /64), as the rate limit keys.
	 */
	private String client(ServerWebExchange exchange) {
		String user = AuthenticatedUser.of(exchange);
		return (user != null) ? "user:" + user : "address:" + ClientNetworks.of(this.clients.of(exchange.getRequest()));
	}

	private static Integer lessOne(String client, Integer held) {
		return (held > 1) ? held - 1 : null;
	}

	/**
	 * The places a client holds on a route now: 0 if none, or the route has no limit yet.
	 */
	int held(String route, String client) {
		Limited limited = this.limits.get(route);
		return (limited != null) ? limited.clients().getOrDefault(client, 0) : 0;
	}

	/** A route's limit, once a request has made it. */
	ConcurrencyLimit limit(String route) {
		return this.limits.get(route).limit();
	}

	/**
	 * Whether an answer tells how fast the route serves: one an instance gave, neither a
	 * failure (5xx) nor a refusal to this client (429), which may come at once however
	 * long the queue.
	 */
	private static boolean saysHowFast(ServerWebExchange exchange) {
		HttpStatusCode status = exchange.getResponse().getStatusCode();
		return !ProblemResponses.answeredByGateway(exchange) && status != null && !status.is5xxServerError()
				&& status.value() != HttpStatus.TOO_MANY_REQUESTS.value();
	}

	private Limited limited(String route) {
		ConcurrencyLimit limit = new ConcurrencyLimit(this.properties.settings(route));
		Gauge.builder("fulcrum.gateway.concurrency.limit", limit, ConcurrencyLimit::limit)
			.description("Requests the route may have under way at once, as the adaptive limit stands")
			.tag("route", route)
			.register(this.meters);
		Gauge.builder("fulcrum.gateway.concurrency.in.flight", limit, ConcurrencyLimit::inFlight)
			.description("Requests of the route under way, counted against its limit")
			.tag("route", route)
			.register(this.meters);
		Counter shed = Counter.builder("fulcrum.gateway.concurrency.shed")
			.description("Requests answered 503 overloaded because the route was at its concurrency limit,"
					+ " or nearly and their client held half of it")
			.tag("route", route)
			.register(this.meters);
		return new Limited(limit, shed, new ConcurrentHashMap<>());
	}

	@Override
	public int getOrder() {
		return FilterOrder.CONCURRENCY_LIMIT;
	}

	/**
	 * A route's limit, its refusals and the places each client holds (none kept for a
	 * client with none).
	 */
	private record Limited(ConcurrencyLimit limit, Counter shed, ConcurrentHashMap<String, Integer> clients) {

	}

}
