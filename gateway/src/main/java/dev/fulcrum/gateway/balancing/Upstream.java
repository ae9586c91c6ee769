package dev.fulcrum.gateway.balancing;

import java.net.URI;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One instance of an upstream service, with what this gateway knows of it: requests in
 * flight, a peak-EWMA of its response time, counts of requests and errors, and whether it
 * is taken out (failed health checks, or ejected after consecutive failures).
 */
final class Upstream {

	private final String id;

	private final URI uri;

	private final int weight;

	private final String stickyKey;

	private final AtomicInteger inFlight = new AtomicInteger();

	private final PeakEwma latency;

	private final LongAdder requests = new LongAdder();

	private final LongAdder errors = new LongAdder();

	Upstream(URI uri, int weight, PeakEwma latency) {
		this.uri = uri;
		this.id = uri.getHost() + ":" + port(uri);
		this.weight = Math.max(1, weight);
		this.stickyKey = HexFormat.of().toHexDigits(Hashing.hash64(this.id));
		this.latency = latency;
	}

	Upstream(URI uri) {
		this(uri, 1, new PeakEwma());
	}

	/** {@code host:port}. */
	String id() {
		return this.id;
	}

	URI uri() {
		return this.uri;
	}

	int weight() {
		return this.weight;
	}

	/**
	 * What the sticky cookie says for this instance: a hash of its id, so the cookie does
	 * not reveal internal addresses.
	 */
	String stickyKey() {
		return this.stickyKey;
	}

	int inFlight() {
		return this.inFlight.get();
	}

	PeakEwma latency() {
		return this.latency;
	}

	long requests() {
		return this.requests.sum();
	}

	long errors() {
		return this.errors.sum();
	}

	/** A request to this instance starts. */
	void started() {
		this.inFlight.incrementAndGet();
		this.requests.increment();
	}

	/**
	 * A request to this instance ended.
	 * @param nanos how long it took
	 * @param failed whether it failed (no answer, or a 5xx)
	 */
	void finished(long nanos, boolean failed) {
		this.inFlight.decrementAndGet();
		this.latency.observe(nanos);
		if (failed) {
			this.errors.increment();
		}
	}

	private static int port(URI uri) {
		if (uri.getPort() != -1) {
			return uri.getPort();
		}
		return "https".equals(uri.getScheme()) ? 443 : 80;
	}

	@Override
	public String toString() {
		return this.id;
	}

}
