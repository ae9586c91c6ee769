package dev.fulcrum.gateway.balancing;

import java.net.URI;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import dev.fulcrum.gateway.http.HttpRules;

/**
 * One instance of an upstream service, with what this gateway knows of it: requests in
 * flight, a peak-EWMA of its response time, counts of requests and errors, whether it is
 * taken out (failed health checks, ejected after consecutive failures, or draining before
 * it is stopped), and whether it is still warming up.
 */
final class Upstream {

	private final String id;

	private final URI uri;

	/** {@code scheme://host:port}, what a request's path and query are appended to. */
	private final String origin;

	private final int weight;

	private final String stickyKey;

	private final AtomicInteger inFlight = new AtomicInteger();

	private final PeakEwma latency;

	private final LongAdder requests = new LongAdder();

	private final LongAdder errors = new LongAdder();

	private final LongAdder ejections = new LongAdder();

	private final AtomicInteger failuresInARow = new AtomicInteger();

	/** Ejections since the last success, for the growing ejection time. */
	private int ejectionStreak;

	private volatile boolean ejected;

	private volatile long ejectedUntil;

	private volatile boolean healthy = true;

	private volatile boolean draining;

	private volatile String name;

	/** When it (re)joined and began its slow start; 0 when it is warm. */
	private volatile long warmingSince;

	/** Health checks in a row with the same result; touched by the checker only. */
	private int checksInARow;

	/** New, out until its first passing health check. */
	private boolean joining;

	private boolean lastCheckPassed = true;

	Upstream(URI uri, int weight, PeakEwma latency) {
		this.uri = uri;
		this.id = idOf(uri);
		this.origin = uri.getScheme() + "://" + uri.getRawAuthority();
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

	/**
	 * The URL of a request on this instance: its origin, the request's path and query.
	 * @param request the URL the route gave the request ({@code lb://service/path?query})
	 * @return the same path and query on this instance
	 */
	URI resolve(URI request) {
		String query = request.getRawQuery();
		return URI.create(this.origin + request.getRawPath() + ((query != null) ? "?" + query : ""));
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

	/**
	 * The instance's own name, as its last answer gave it in {@code X-Served-By}
	 * ({@code api-service-2}), or {@code null} before its first answer.
	 */
	String name() {
		return this.name;
	}

	void named(String name) {
		if (name != null && !name.equals(this.name)) {
			this.name = name;
		}
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

	long ejections() {
		return this.ejections.sum();
	}

	/**
	 * Whether it may take requests: healthy by its checks, and not ejected. (Draining is
	 * apart: {@link UpstreamPools#available} leaves a draining instance out even in panic
	 * mode.)
	 */
	boolean available(long nowNanos) {
		return this.healthy && (!this.ejected || nowNanos - this.ejectedUntil >= 0);
	}

	/** Whether it is being taken out: no new request, those under way finish. */
	boolean draining() {
		return this.draining;
	}

	void drain(boolean draining) {
		this.draining = draining;
	}

	/**
	 * Starts its slow start: it has just joined, or come back after failing its health
	 * checks, and its JVM may not have compiled its hot paths yet.
	 */
	void warmUp(long nowNanos) {
		this.warmingSince = (nowNanos == 0) ? 1 : nowNanos;
	}

	/**
	 * The share of its normal traffic it should take now: from {@code minWeightPercent}
	 * when it joined up to 1 at the end of the window, along
	 * {@code (elapsed / window) ^ (1 / aggression)} (Envoy's slow start).
	 * @param nowNanos the time ({@link System#nanoTime()})
	 * @param policy the slow start
	 * @return a factor in (0, 1]; 1 when it is warm
	 */
	double warmth(long nowNanos, BalancingProperties.SlowStart policy) {
		long since = this.warmingSince;
		if (since == 0) {
			return 1;
		}
		long window = policy.window().toNanos();
		long elapsed = nowNanos - since;
		if (window <= 0 || elapsed >= window) {
			this.warmingSince = 0;
			return 1;
		}
		double ramp = Math.pow(Math.max(0, elapsed) / (double) window, 1 / policy.aggression());
		return Math.max(policy.minWeightPercent() / 100.0, ramp);
	}

	boolean healthy() {
		return this.healthy;
	}

	boolean ejected(long nowNanos) {
		return this.ejected && nowNanos - this.ejectedUntil < 0;
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

	/**
	 * Counts a request's outcome for outlier ejection.
	 * @param nowNanos the time ({@link System#nanoTime()})
	 * @return whether this failure ejected the instance
	 */
	boolean countForEjection(boolean failed, BalancingProperties.Ejection policy, long nowNanos) {
		if (!failed) {
			if (this.failuresInARow.getAndSet(0) != 0 || this.ejectionStreak != 0) {
				synchronized (this) {
					this.ejectionStreak = 0;
				}
			}
			return false;
		}
		if (this.failuresInARow.incrementAndGet() < policy.consecutiveFailures()) {
			return false;
		}
		synchronized (this) {
			long now = nowNanos;
			if (ejected(now)) {
				return false;
			}
			this.ejectionStreak++;
			long nanos = Math.min(policy.baseTime().toNanos() * this.ejectionStreak, policy.maxTime().toNanos());
			this.ejectedUntil = now + nanos;
			this.ejected = true;
			this.failuresInARow.set(0);
			this.ejections.increment();
			return true;
		}
	}

	/**
	 * Marks a new instance as joining: it takes no request until a health check passes,
	 * so that an instance still starting is neither sent requests nor ejected for
	 * refusing them.
	 */
	synchronized void join() {
		this.joining = true;
		this.healthy = false;
	}

	/** Whether it is new and has not passed a health check yet. */
	synchronized boolean joining() {
		return this.joining;
	}

	/**
	 * Counts a health check's result.
	 * @return whether the instance changed between healthy and unhealthy
	 */
	synchronized boolean countCheck(boolean passed, BalancingProperties.HealthChecks policy) {
		if (this.joining) {
			// One passing check is enough to join: it has never failed a request.
			this.joining = !passed;
			this.healthy = passed;
			this.checksInARow = 1;
			this.lastCheckPassed = passed;
			return passed;
		}
		this.checksInARow = (passed == this.lastCheckPassed) ? this.checksInARow + 1 : 1;
		this.lastCheckPassed = passed;
		if (passed && !this.healthy && this.checksInARow >= policy.healthyThreshold()) {
			this.healthy = true;
			return true;
		}
		if (!passed && this.healthy && this.checksInARow >= policy.unhealthyThreshold()) {
			this.healthy = false;
			return true;
		}
		return false;
	}

	/** The id of the instance at this base URL: {@code host:port}. */
	static String idOf(URI uri) {
		return uri.getHost() + ":" + HttpRules.port(uri);
	}

	@Override
	public String toString() {
		return this.id;
	}

}
