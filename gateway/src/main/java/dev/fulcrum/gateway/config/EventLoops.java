package dev.fulcrum.gateway.config;

import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.Connection;

import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;

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
		Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(request);
		if (nativeRequest instanceof Connection connection) {
			return Schedulers.fromExecutor(connection.channel().eventLoop());
		}
		return Schedulers.parallel();
	}

}
