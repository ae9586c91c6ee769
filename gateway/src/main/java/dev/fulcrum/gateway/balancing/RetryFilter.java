package dev.fulcrum.gateway.balancing;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import reactor.core.publisher.Mono;

import dev.fulcrum.gateway.FilterOrder;
import dev.fulcrum.gateway.http.HttpRules;
import dev.fulcrum.gateway.problem.ProblemResponses;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.core.Ordered;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * Sends a request on an {@code lb://service} route again, to an instance not tried yet,
 * when its attempt failed in a way worth another: a safe request that got a 502, 503 or
 * 504 from an instance (backpressure excepted: it reaches the client as sent) once more
 * (see {@link BalancingProperties.Retry}); one that got no answer at all (a refused
 * connection, or one closed before the answer, as when an instance is stopping) to each
 * instance not tried yet until one answers. Retries stay within the service's
 * {@link RetryBudget}.
 * <p>
 * Each attempt is the rest of the chain, from {@link BalancingFilter} on, which picks the
 * instance; the {@link Attempts} on the exchange say which were tried.
 */
@Component
class RetryFilter implements GlobalFilter, Ordered {

	/** Safe and idempotent, and without a body that would have to be kept to replay. */
	private static final Set<HttpMethod> RETRIED_METHODS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

	private final UpstreamPools pools;

	private final UpstreamMeters meters;

	private final BalancingProperties.Retry retry;

	private final RetryBudget budget;

	RetryFilter(UpstreamPools pools, UpstreamMeters meters, BalancingProperties properties, RetryBudget budget) {
		this.pools = pools;
		this.meters = meters;
		this.retry = properties.retry();
		this.budget = budget;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		URI url = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR);
		if (url == null || !"lb".equals(url.getScheme())) {
			return chain.filter(exchange);
		}
		// A body can be read only once: a request with one is never replayed.
		int max = RETRIED_METHODS.contains(exchange.getRequest().getMethod())
				&& !HttpRules.hasBody(exchange.getRequest().getHeaders()) ? this.retry.maxAttempts() : 1;
		return attempt(exchange, chain, Attempts.start(exchange, url, max));
	}

	private Mono<Void> attempt(ServerWebExchange exchange, GatewayFilterChain chain, Attempts attempts) {
		Mono<Void> sent = chain.filter(exchange);
		if (attempts.max() <= 1) {
			// Not replayable: whatever happens is the client's answer.
			return sent;
		}
		return sent.then(Mono.defer(() -> {
			HttpStatusCode status = exchange.getResponse().getStatusCode();
			if (status == null || !this.retry.statuses().contains(status.value())
					|| attempts.tried().size() >= attempts.max() || ProblemResponses.answeredByGateway(exchange)
					|| ProblemResponses.isBackpressure(exchange.getResponse())) {
				return Mono.empty();
			}
			return retry(exchange, chain, attempts, "status", Mono.empty());
		})).onErrorResume((ex) -> {
			if (!(NestedExceptionUtils.getMostSpecificCause(ex) instanceof IOException)
					|| exchange.getResponse().isCommitted()) {
				return Mono.error(ex);
			}
			// No answer came: the instance, not the request, is at fault, and every
			// instance not tried yet may take it. An outer attempt's handler sees the
			// same error once the inner ones ran out of instances, and finds none left.
			return retry(exchange, chain, attempts, "error", Mono.error(ex));
		});
	}

	private Mono<Void> retry(ServerWebExchange exchange, GatewayFilterChain chain, Attempts attempts, String reason,
			Mono<Void> otherwise) {
		String service = attempts.url().getHost();
		List<Upstream> untried = new ArrayList<>(this.pools.available(service));
		untried.removeAll(attempts.tried());
		if (untried.isEmpty()) {
			return otherwise;
		}
		if (!this.budget.tryRetry(service)) {
			// Most requests are failing: retrying each would multiply an outage's load.
			this.meters.retryRefused(service, reason);
			return otherwise;
		}
		this.meters.retried(service, reason);
		// Forget the failed answer: its connection, its headers, the "already routed"
		// mark, and the instance's URL in place of the route's.
		ServerWebExchangeUtils.reset(exchange);
		exchange.getResponse().setStatusCode(null);
		exchange.getAttributes().put(ServerWebExchangeUtils.GATEWAY_REQUEST_URL_ATTR, attempts.url());
		attempts.retryAmong(untried);
		return attempt(exchange, chain, attempts);
	}

	@Override
	public int getOrder() {
		return FilterOrder.RETRY;
	}

}
