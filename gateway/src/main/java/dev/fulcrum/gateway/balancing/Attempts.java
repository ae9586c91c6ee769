package dev.fulcrum.gateway.balancing;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import org.springframework.web.server.ServerWebExchange;

/**
 * A request's attempts at the instances of its service, kept on the exchange:
 * {@link RetryFilter} makes it and decides on each retry, {@link BalancingFilter} sends
 * each attempt and counts the instances tried.
 */
final class Attempts {

	private static final String ATTRIBUTE = Attempts.class.getName();

	private final URI url;

	private final int max;

	private final List<Upstream> tried;

	private List<Upstream> retryAmong;

	private Attempts(URI url, int max) {
		this.url = url;
		this.max = max;
		this.tried = new ArrayList<>(max);
	}

	/**
	 * Starts counting a request's attempts.
	 * @param exchange the request
	 * @param url its {@code lb://service} URL
	 * @param max how many attempts it may take (1: it is not replayable)
	 * @return the attempts, kept on the exchange
	 */
	static Attempts start(ServerWebExchange exchange, URI url, int max) {
		Attempts attempts = new Attempts(url, max);
		exchange.getAttributes().put(ATTRIBUTE, attempts);
		return attempts;
	}

	/** A request's attempts, or {@code null} before {@link RetryFilter} has run. */
	static Attempts of(ServerWebExchange exchange) {
		return exchange.getAttribute(ATTRIBUTE);
	}

	/** The {@code lb://service} URL the request was routed to. */
	URI url() {
		return this.url;
	}

	/** How many attempts the request may take. */
	int max() {
		return this.max;
	}

	/** The instances tried so far, in order. */
	List<Upstream> tried() {
		return this.tried;
	}

	/**
	 * The instances a retry picks among (those not tried yet), or {@code null} for the
	 * first attempt, which picks among every available one.
	 */
	List<Upstream> retryAmong() {
		return this.retryAmong;
	}

	/** Sets the instances the next attempt picks among. */
	void retryAmong(List<Upstream> untried) {
		this.retryAmong = untried;
	}

}
