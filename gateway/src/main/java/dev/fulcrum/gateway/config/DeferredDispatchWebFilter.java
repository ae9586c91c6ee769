package dev.fulcrum.gateway.config;

import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Handles every request in a task of its own on its connection's event loop, so that no
 * response is completed while Reactor Netty is still dispatching the request.
 * <p>
 * Works around reactor/reactor-netty#4361 (fixed after 1.3.8, the newest release
 * available here): when a keep-alive request arrives before the previous response's
 * operations have terminated, Reactor Netty queues it; if the queued request is then
 * answered synchronously (an edge-cache hit, a refusal), the connection stops reading and
 * the client's next request hangs. Proxied answers are asynchronous anyway; for the
 * synchronous ones this costs one task on the same thread. Remove it once Spring Boot
 * brings a Reactor Netty with the fix.
 */
@Component
class DeferredDispatchWebFilter implements WebFilter, Ordered {

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		return Mono.defer(() -> chain.filter(exchange)).subscribeOn(EventLoops.of(exchange.getRequest()));
	}

	@Override
	public int getOrder() {
		// Inside the request id and access log, outside everything else.
		return Ordered.HIGHEST_PRECEDENCE + 1;
	}

}
