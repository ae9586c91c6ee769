package dev.fulcrum.gateway.resilience;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import dev.fulcrum.gateway.FilterOrder;
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
 * Puts each routed request through its route's breaker. While the breaker is open the
 * client gets a 503 {@code circuit-open} problem at once, with {@code Retry-After} the
 * time left until trial requests are let through; the service gets nothing.
 * <p>
 * A service's backpressure (a 429 or 503 problem with {@code Retry-After}: its queue is
 * full, it throttles this client) is no failure: one client filling the job queue must
 * not shut the route for every client ({@link ProblemResponses#isBackpressure}).
 * <p>
 * Runs after rate limiting (a refused request says nothing about the service) and around
 * balancing, so that a request retried on another instance counts once, by its outcome.
 */
@Component
class CircuitBreakerFilter implements GlobalFilter, Ordered {

	private static final Log logger = LogFactory.getLog(CircuitBreakerFilter.class);

	private final CircuitBreakerRegistry registry;

	private final CircuitBreakerProperties properties;

	/** When each breaker last opened, in nanoseconds, for {@code Retry-After}. */
	private final Map<String, Long> openedAt = new ConcurrentHashMap<>();

	CircuitBreakerFilter(CircuitBreakerRegistry registry, CircuitBreakerProperties properties) {
		this.registry = registry;
		this.properties = properties;
		registry.getEventPublisher().onEntryAdded((added) -> watch(added.getAddedEntry()));
	}

	private void watch(CircuitBreaker breaker) {
		breaker.getEventPublisher().onStateTransition((event) -> {
			CircuitBreaker.State to = event.getStateTransition().getToState();
			if (to == CircuitBreaker.State.OPEN) {
				this.openedAt.put(breaker.getName(), System.nanoTime());
			}
			logger.warn("Circuit breaker of route " + breaker.getName() + ": " + event.getStateTransition());
		});
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
		if (!this.properties.enabled() || route == null) {
			return chain.filter(exchange);
		}
		CircuitBreaker breaker = this.registry.circuitBreaker(route.getId());
		if (!breaker.tryAcquirePermission()) {
			exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(secondsUntilTrial(breaker)));
			return ProblemResponses.send(exchange, HttpStatus.SERVICE_UNAVAILABLE, "circuit-open",
					"Service unavailable", "The service behind route " + route.getId()
							+ " has been failing; the gateway is giving it time to recover. Retry later.");
		}
		long started = System.nanoTime();
		return chain.filter(exchange).doOnSuccess((done) -> {
			HttpStatusCode status = exchange.getResponse().getStatusCode();
			if (status != null && this.properties.failureStatuses().contains(status.value())
					&& !ProblemResponses.isBackpressure(exchange.getResponse())) {
				breaker.onError(System.nanoTime() - started, TimeUnit.NANOSECONDS, new FailureStatus(status.value()));
			}
			else {
				breaker.onSuccess(System.nanoTime() - started, TimeUnit.NANOSECONDS);
			}
		}).doOnError((ex) -> {
			if (ProblemResponses.isClientError(ex)) {
				// The client's own request was refused (a body over the cap): no
				// verdict on the service.
				breaker.releasePermission();
			}
			else {
				breaker.onError(System.nanoTime() - started, TimeUnit.NANOSECONDS, ex);
			}
		})
			// The client went away: no verdict on the service.
			.doOnCancel(breaker::releasePermission);
	}

	private long secondsUntilTrial(CircuitBreaker breaker) {
		Long opened = this.openedAt.get(breaker.getName());
		if (breaker.getState() != CircuitBreaker.State.OPEN || opened == null) {
			return 1;
		}
		Duration left = this.properties.waitDurationInOpenState().minusNanos(System.nanoTime() - opened);
		return Math.max(1, (left.toMillis() + 999) / 1000);
	}

	@Override
	public int getOrder() {
		return FilterOrder.CIRCUIT_BREAKER;
	}

	/** An upstream answer that counts as a failure of the route. */
	static final class FailureStatus extends RuntimeException {

		FailureStatus(int status) {
			super("Upstream answered " + status, null, false, false);
		}

	}

}
