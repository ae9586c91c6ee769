package dev.fulcrum.gateway.reactor;

import java.util.function.Supplier;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.Connection;

import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.web.server.ServerWebExchange;

/**
 * The event loop of the connection a request came on, as a scheduler: work handed to it
 * runs on the thread that owns the connection, as a task of its own.
 */
public final class EventLoops {

	private EventLoops() {
	}

	/**
	 * The scheduler of a request's connection.
	 * @param request the request
	 * @return its connection's event loop, or the parallel scheduler for a request that
	 * did not come over a Reactor Netty connection
	 */
	public static Scheduler of(ServerHttpRequest request) {
		return schedulerOf(request);
	}

	/**
	 * Goes on with a value on the request's event loop: at once when already on it, else
	 * as a task of it (after an answer that came on another thread).
	 * @param <T> the value's type
	 * @param request the request
	 * @param value the value
	 * @return the value, on the request's event loop
	 */
	public static <T> Mono<T> resume(ServerHttpRequest request, T value) {
		Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(request);
		if (nativeRequest instanceof Connection connection && connection.channel().eventLoop().inEventLoop()) {
			return Mono.just(value);
		}
		return Mono.just(value).publishOn(schedulerOf(request));
	}

	/**
	 * Gives an answer the gateway makes itself (a problem, an edge-cache hit) as a task
	 * of its own on the request's event loop, never within the call that dispatched the
	 * request.
	 * <p>
	 * Works around reactor/reactor-netty#4361 (fixed after 1.3.8, the newest release
	 * available here): when a keep-alive request arrives before the previous response's
	 * operations have terminated, Reactor Netty queues it; if the queued request is then
	 * answered synchronously, the connection stops reading and the client's next request
	 * hangs. Proxied answers are asynchronous anyway. Remove it once Spring Boot brings a
	 * Reactor Netty with the fix.
	 * @param exchange the exchange being answered
	 * @param answer writes the answer
	 * @return completes when the answer is written
	 */
	public static Mono<Void> answerLater(ServerWebExchange exchange, Supplier<Mono<Void>> answer) {
		return Mono.defer(answer).subscribeOn(schedulerOf(exchange.getRequest()));
	}

	private static Scheduler schedulerOf(ServerHttpRequest request) {
		Object nativeRequest;
		try {
			nativeRequest = ServerHttpRequestDecorator.getNativeRequest(request);
		}
		catch (IllegalStateException ex) {
			// A request with no server under it (Spring's mock) has no native request.
			return Schedulers.parallel();
		}
		if (nativeRequest instanceof Connection connection) {
			return Schedulers.fromExecutor(connection.channel().eventLoop());
		}
		return Schedulers.parallel();
	}

}
