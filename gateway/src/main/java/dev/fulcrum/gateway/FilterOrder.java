package dev.fulcrum.gateway;

import org.springframework.cloud.gateway.filter.NettyRoutingFilter;
import org.springframework.cloud.gateway.filter.NettyWriteResponseFilter;
import org.springframework.cloud.gateway.filter.RouteToRequestUrlFilter;
import org.springframework.core.Ordered;

/**
 * Where each of the gateway's own filters runs, in one place: lower runs first. The table
 * with the reason for each place is in this package's {@code package-info}.
 * <p>
 * Web filters see every request on the public port, routed or not. Global filters see
 * only routed requests, after Spring Cloud Gateway has found the route; among them
 * Spring's own (the response writer, the route's URL, the Netty routing filter that
 * {@link #PROXY} stands in front of) keep their places, and these are set against them.
 */
public final class FilterOrder {

	/** Web filter: the request id, its access log line and the edge's request meter. */
	public static final int REQUEST_ID = Ordered.HIGHEST_PRECEDENCE;

	/** Web filter: the request's span, so that everything after runs inside it. */
	public static final int TRACING = REQUEST_ID + 1;

	/** Web filter: internal headers stripped, the body cap, security headers. */
	public static final int EDGE_HEADERS = REQUEST_ID + 10;

	/** Web filter: the access token checked, long before routing. */
	public static final int EDGE_AUTHENTICATION = REQUEST_ID + 100;

	/**
	 * Global filter: a fresh cached answer, just inside Spring's response writer, before
	 * anything that costs a Redis call or a place at an instance.
	 */
	public static final int EDGE_CACHE = NettyWriteResponseFilter.WRITE_RESPONSE_FILTER_ORDER - 1;

	/**
	 * Global filter: the route's adaptive concurrency limit, once the route's URL is
	 * known ({@code 10000}), before the rate limit so that a shed request costs no Redis
	 * call.
	 */
	public static final int CONCURRENCY_LIMIT = RouteToRequestUrlFilter.ROUTE_TO_URL_FILTER_ORDER + 90;

	/** Global filter: the client's rate limit in Redis. */
	public static final int RATE_LIMIT = RouteToRequestUrlFilter.ROUTE_TO_URL_FILTER_ORDER + 100;

	/**
	 * Global filter: the token's revocation, looked up beside the rate limit's script.
	 */
	public static final int REVOCATION_CHECK = RouteToRequestUrlFilter.ROUTE_TO_URL_FILTER_ORDER + 110;

	/**
	 * Global filter: the route's breaker, around balancing, so that a request retried on
	 * another instance counts once, by its outcome.
	 */
	public static final int CIRCUIT_BREAKER = RouteToRequestUrlFilter.ROUTE_TO_URL_FILTER_ORDER + 125;

	/**
	 * Global filter: a failed attempt sent again, to an instance not tried yet; inside
	 * the breaker, so that the request counts once there.
	 */
	public static final int RETRY = RouteToRequestUrlFilter.ROUTE_TO_URL_FILTER_ORDER + 140;

	/**
	 * Global filter: the instance picked for each attempt; where Spring Cloud
	 * LoadBalancer's filter would run (Fulcrum does not use it).
	 */
	public static final int BALANCING = RouteToRequestUrlFilter.ROUTE_TO_URL_FILTER_ORDER + 150;

	/**
	 * Global filter: the request sent, before Spring's routing filters, which then see it
	 * as sent.
	 */
	public static final int PROXY = NettyRoutingFilter.ORDER - 10;

	private FilterOrder() {
	}

}
