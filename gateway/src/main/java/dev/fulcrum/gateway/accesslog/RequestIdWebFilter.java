package dev.fulcrum.gateway.accesslog;

import dev.fulcrum.gateway.FilterOrder;
import dev.fulcrum.common.RequestIds;
import dev.fulcrum.common.logging.EcsLogFormatter;
import dev.fulcrum.gateway.tracing.EdgeTracing;
import io.micrometer.tracing.TraceContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.support.ServerWebExchangeUtils;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatusCode;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Gives every request its id before anything else runs: a valid incoming
 * {@code X-Request-Id} is kept, anything else is replaced. The id goes upstream, back to
 * the client, and into one structured access log line per request, written when the
 * response completes, when the request is also counted in {@link EdgeRequestMetrics}.
 */
@Component
class RequestIdWebFilter implements WebFilter, Ordered {

	private static final Logger accessLog = LoggerFactory.getLogger("dev.fulcrum.gateway.access");

	private final EdgeRequestMetrics metrics;

	RequestIdWebFilter(EdgeRequestMetrics metrics) {
		this.metrics = metrics;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		String requestId = RequestIds.acceptOrGenerate(exchange.getRequest().getHeaders().getFirst(RequestIds.HEADER));
		// An attribute rather than a changed request: no copy of the headers per request.
		// The proxy sends it upstream, problems and the access log carry it.
		exchange.getAttributes().put(RequestIds.ATTRIBUTE, requestId);
		// Set just before the response is committed, replacing the copy the upstream
		// echoed.
		exchange.getResponse().beforeCommit(() -> {
			exchange.getResponse().getHeaders().set(RequestIds.HEADER, requestId);
			return Mono.empty();
		});
		long start = System.nanoTime();
		ServerWebExchange proxied = exchange;
		if ("websocket".equalsIgnoreCase(exchange.getRequest().getHeaders().getUpgrade())) {
			// Upgrades go through Spring Cloud Gateway's own WebSocket filter, not the
			// proxy: give them the id in the request itself.
			proxied = exchange.mutate()
				.request(exchange.getRequest()
					.mutate()
					.headers((headers) -> headers.set(RequestIds.HEADER, requestId))
					.build())
				.build();
		}
		return chain.filter(proxied).doFinally((signal) -> completed(exchange, requestId, start));
	}

	private void completed(ServerWebExchange exchange, String requestId, long start) {
		String path = exchange.getRequest().getPath().value();
		// Probes of the management port would drown the requests that matter.
		if (path.startsWith("/actuator/")) {
			return;
		}
		long nanos = System.nanoTime() - start;
		HttpStatusCode status = exchange.getResponse().getStatusCode();
		int code = (status != null) ? status.value() : 0;
		Route route = exchange.getAttribute(ServerWebExchangeUtils.GATEWAY_ROUTE_ATTR);
		this.metrics.record((route != null) ? route.getId() : null, exchange.getRequest().getMethod(), code, nanos);
		if (!accessLog.isInfoEnabled()) {
			return;
		}
		TraceContext trace = EdgeTracing.context(exchange);
		// The id as the first pair, where the MDC's would be: the same JSON, without
		// setting and copying the thread's MDC for every request.
		accessLog.atInfo()
			.addKeyValue(RequestIds.MDC_KEY, requestId)
			.addKeyValue("method", exchange.getRequest().getMethod().name())
			.addKeyValue("path", path)
			.addKeyValue("status", code)
			.addKeyValue("durationMs", nanos / 1_000_000)
			.addKeyValue("servedBy", exchange.getResponse().getHeaders().getFirst("X-Served-By"))
			// ECS's trace.id and span.id: the request's trace in the trace server.
			.addKeyValue(EcsLogFormatter.TRACE_ID, (trace != null) ? trace.traceId() : null)
			.addKeyValue(EcsLogFormatter.SPAN_ID, (trace != null) ? trace.spanId() : null)
			.log("request completed");
	}

	@Override
	public int getOrder() {
		return FilterOrder.REQUEST_ID;
	}

}
