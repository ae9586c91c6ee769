package dev.fulcrum.gateway.config;

import dev.fulcrum.common.RequestIds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Gives every request its id before anything else runs: a valid incoming
 * {@code X-Request-Id} is kept, anything else is replaced. The id goes upstream, back to
 * the client, and into one structured access log line per request, written when the
 * response completes.
 */
@Component
class RequestIdWebFilter implements WebFilter, Ordered {

	private static final Logger accessLog = LoggerFactory.getLogger("dev.fulcrum.gateway.access");

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		String requestId = RequestIds.acceptOrGenerate(exchange.getRequest().getHeaders().getFirst(RequestIds.HEADER));
		ServerHttpRequest request = exchange.getRequest()
			.mutate()
			.headers((headers) -> headers.set(RequestIds.HEADER, requestId))
			.build();
		// Set just before the response is committed, replacing the copy the upstream
		// echoed.
		exchange.getResponse().beforeCommit(() -> {
			exchange.getResponse().getHeaders().set(RequestIds.HEADER, requestId);
			return Mono.empty();
		});
		long start = System.nanoTime();
		return chain.filter(exchange.mutate().request(request).build())
			.doFinally((signal) -> logAccess(exchange, requestId, start));
	}

	private static void logAccess(ServerWebExchange exchange, String requestId, long start) {
		// Probes of the management port would drown the requests that matter.
		if (!accessLog.isInfoEnabled() || exchange.getRequest().getPath().value().startsWith("/actuator/")) {
			return;
		}
		try (MDC.MDCCloseable ignored = MDC.putCloseable(RequestIds.MDC_KEY, requestId)) {
			var status = exchange.getResponse().getStatusCode();
			accessLog.atInfo()
				.addKeyValue("method", exchange.getRequest().getMethod().name())
				.addKeyValue("path", exchange.getRequest().getPath().value())
				.addKeyValue("status", (status != null) ? status.value() : 0)
				.addKeyValue("durationMs", (System.nanoTime() - start) / 1_000_000)
				.addKeyValue("servedBy", exchange.getResponse().getHeaders().getFirst("X-Served-By"))
				.log("request completed");
		}
	}

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

}
