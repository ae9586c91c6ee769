package dev.fulcrum.gateway.ratelimit;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import dev.fulcrum.gateway.FilterOrder;
import dev.fulcrum.common.ClientNetworks;
import dev.fulcrum.gateway.auth.AuthenticatedUser;
import dev.fulcrum.gateway.auth.PendingRevocation;
import dev.fulcrum.gateway.edge.ClientAddresses;
import dev.fulcrum.gateway.reactor.EventLoops;
import dev.fulcrum.gateway.problem.ProblemResponses;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * Applies a route's rate limit per key: the user of the accepted access token, else the
 * client's network (its IPv4 address, or its IPv6 /64); or, for a policy with
 * {@code key: address}, always the client's network. Every answer of a limited route
 * carries the limit in the headers of the IETF draft ({@code RateLimit-Policy},
 * {@code RateLimit}) and the classic {@code X-RateLimit-*}; a refused request gets a 429
 * problem with {@code Retry-After}. When Redis does not answer within {@code timeout},
 * requests pass (fail open, the default) or get a 503; either way it is counted.
 * <p>
 * The revocation lookup of the request's access token, which the edge check left
 * {@linkplain PendingRevocation pending}, is sent together with the limit's script: the
 * request waits for one round trip to Redis, not two.
 */
@Component
class RateLimitFilter implements GlobalFilter, Ordered {

	private static final Log logger = LogFactory.getLog(RateLimitFilter.class);

	private final RateLimitProperties properties;

	private final RateLimiter limiter;

	private final ClientAddresses clients;

	private final MeterRegistry meters;

	private final Map<String, Counter> counters = new ConcurrentHashMap<>();

	private volatile boolean connected;

	RateLimitFilter(RateLimitProperties properties, ReactiveStringRedisTemplate redis, ClientAddresses clients,
			MeterRegistry meters) {
		this.properties = properties;
		this.limiter = new RateLimiter(redis);
		this.clients = clients;
		this.meters = meters;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
		Policy policy = (route != null && this.properties.enabled()) ? this.properties.routes().get(route.getId())
				: null;
		if (policy == null) {
			return chain.filter(exchange);
		}
		String user = "user".equals(policy.key()) ? AuthenticatedUser.of(exchange) : null;
		String key = route.getId() + ":" + ((user != null) ? "user:" + user
				: "address:" + ClientNetworks.of(this.clients.of(exchange.getRequest())));
		// The timeout's timer, and everything after Redis's answer, on the request's own
		// event loop: not on a shared scheduler, and not on the one thread that reads all
		// of Redis's answers, which would then proxy every rate-limited request.
		Scheduler loop = EventLoops.of(exchange.getRequest());
		Mono<Decision> decision = this.limiter.take(key, policy);
		if (!this.connected) {
			// Lettuce opens its shared connection synchronously on first use (and after
			// Redis was down at start-up): not on the caller's event loop.
			decision = decision.subscribeOn(Schedulers.boundedElastic());
		}
		Mono<Outcome> limit = decision.timeout(this.properties.timeout(), loop).map((taken) -> {
			this.connected = true;
			// Counted when Redis decided, whatever the token's lookup says after.
			count(route.getId(), taken.allowed() ? "allowed" : "rejected");
			return Outcome.decided(taken);
		}).onErrorResume((ex) -> {
			this.connected = false;
			return Mono.just(Outcome.failed(ex));
		});
		PendingRevocation revocation = PendingRevocation.take(exchange);
		if (revocation != null) {
			// The access token's revocation lookup goes out with the limit's script, both
			// on the one shared connection: the request waits one round trip, not two.
			// The lookup fails closed; the limit as configured.
			limit = Mono.zip(revocation.lookUp(), limit, (token, outcome) -> outcome);
		}
		return limit.publishOn(loop)
			.map((outcome) -> (outcome.decision() != null)
					? answer(exchange, chain, route.getId(), policy, outcome.decision())
					: unavailable(exchange, chain, route.getId(), outcome.failure()))
			.onErrorResume(PendingRevocation::refuses, (ex) -> Mono.just(PendingRevocation.refuse(ex, exchange)))
			.flatMap((next) -> next);
	}

	private Mono<Void> answer(ServerWebExchange exchange, GatewayFilterChain chain, String route, Policy policy,
			Decision decision) {
		HttpHeaders headers = exchange.getResponse().getHeaders();
		long periodSeconds = Math.max(1, policy.period().toSeconds());
		long resetSeconds = seconds(decision.resetMillis());
		headers.set("RateLimit-Policy", "\"" + policy.name() + "\";q=" + policy.quota() + ";w=" + periodSeconds);
		headers.set("RateLimit", "\"" + policy.name() + "\";r=" + decision.remaining() + ";t=" + resetSeconds);
		headers.set("X-RateLimit-Limit", String.valueOf(policy.quota()));
		headers.set("X-RateLimit-Remaining", String.valueOf(decision.remaining()));
		headers.set("X-RateLimit-Reset", String.valueOf(resetSeconds));
		if (decision.allowed()) {
			return chain.filter(exchange);
		}
		long retryAfter = seconds(decision.retryAfterMillis());
		headers.set(HttpHeaders.RETRY_AFTER, String.valueOf(retryAfter));
		return ProblemResponses.send(exchange, HttpStatus.TOO_MANY_REQUESTS, "rate-limited", "Too many requests",
				"This client has used its " + policy.limit() + " requests per " + policy.period().toMillis()
						+ " ms on this route; retry in " + retryAfter + " s.");
	}

	private Mono<Void> unavailable(ServerWebExchange exchange, GatewayFilterChain chain, String route, Throwable ex) {
		logger.debug("Rate limit not checked on " + route + ": " + ex);
		if (this.properties.failOpen()) {
			count(route, "failed-open");
			return chain.filter(exchange);
		}
		count(route, "failed-closed");
		exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, "1");
		return ProblemResponses.send(exchange, HttpStatus.SERVICE_UNAVAILABLE, "rate-limit-unavailable",
				"Rate limit unavailable", "The rate limit cannot be checked now; retry in a moment.");
	}

	private void count(String route, String outcome) {
		this.counters
			.computeIfAbsent(route + ' ' + outcome,
					(k) -> Counter.builder("fulcrum.gateway.rate.limit.decisions")
						.description("Rate-limit decisions by route and outcome")
						.tag("route", route)
						.tag("outcome", outcome)
						.register(this.meters))
			.increment();
	}

	private static long seconds(long millis) {
		return Math.max(1, (millis + 999) / 1000);
	}

	@Override
	public int getOrder() {
		return FilterOrder.RATE_LIMIT;
	}

	/** The limit's decision, or why there is none. */
	private record Outcome(Decision decision, Throwable failure) {

		static Outcome decided(Decision decision) {
			return new Outcome(decision, null);
		}

		static Outcome failed(Throwable failure) {
			return new Outcome(null, failure);
		}

	}

}
