package dev.fulcrum.gateway.tracing;

import io.micrometer.tracing.Span;
import reactor.core.publisher.Mono;

import dev.fulcrum.gateway.FilterOrder;

import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Gives every request its span, right after its id, and ends it when the response is
 * complete. The answer names the trace in {@code traceresponse}
 * ({@code 00-<trace id>-<span id>-<flags>}), so that a client can look its request up in
 * the trace server.
 */
@Component
class TracingWebFilter implements WebFilter, Ordered {

	private final EdgeTracing tracing;

	TracingWebFilter(EdgeTracing tracing) {
		this.tracing = tracing;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		if (exchange.getRequest().getPath().value().startsWith("/actuator/")) {
			// The management port's probes and scrapes: not traced.
			return chain.filter(exchange);
		}
		Span span = this.tracing.start(exchange);
		String response = EdgeTracing.traceResponse(span.context());
		if (response != null) {
			exchange.getResponse().beforeCommit(() -> {
				exchange.getResponse().getHeaders().set(EdgeTracing.TRACE_RESPONSE, response);
				return Mono.empty();
			});
		}
		return chain.filter(exchange).doFinally((signal) -> this.tracing.end(exchange, span));
	}

	@Override
	public int getOrder() {
		return FilterOrder.TRACING;
	}

}
