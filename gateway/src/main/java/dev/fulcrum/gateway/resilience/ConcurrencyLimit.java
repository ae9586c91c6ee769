package dev.fulcrum.gateway.resilience;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many requests one route may have under way at once, found as it goes (additive
 * increase, multiplicative decrease on queueing, as TCP's congestion window does).
 * <p>
 * Answers are looked at in windows (at least {@code window} long and
 * {@code windowSamples} answers). What a window says is its <em>fastest</em> answer,
 * against a baseline: the fastest answer of the route's quickest windows (it follows a
 * faster window at once and a slower one only over minutes). When even the window's
 * fastest answer took {@code queueingDelay} longer than the baseline, every request
 * waited in some queue (the gateway's, a service's CPU, Redis): the limit drops by
 * {@code backoff}. Otherwise it grows by one.
 * <p>
 * Either only if the window had at least half of the limit under way at once: a limit
 * that held nothing back says nothing of itself. So a stall that slows every answer of a
 * light load (a JVM starting on the same cores) sheds nothing until the requests under
 * way reach half of the limit.
 * <p>
 * The fastest answer rather than an average or a percentile: a route whose requests are
 * slow by design ({@code /api/work?ms=500}) is not mistaken for an overloaded one, and a
 * saturated stack whose queue stays bounded (64 clients sending back to back) is left
 * alone; it sheds when more requests arrive than are served, and the queue keeps growing.
 * A stricter rule (fewer than a tenth of the answers within 10 ms) was measured: it shed
 * requests at half of saturation, and against clients that send again at once it shed so
 * much that the shedding took the CPU (docs/benchmarks.md).
 * <p>
 * Whatever that rule says, the limit never falls below a <em>floor</em> from Little's
 * law: the requests under way that the route's goodput of the last second (its answers
 * that are samples) needs at {@code floorLatency} each. A route that serves 1,000 answers
 * a second keeps at least 50 places at 50 ms; past saturation, what is admitted waits
 * about that long, and below it nothing is shed while answers take less. Without it the
 * rule above, on cores shared with the services and the load (every answer slower because
 * the CPU is busy, not because of a queue the limit could shorten), cut the limit to a
 * tenth of what the route served and shed a third of a load it could carry
 * (docs/benchmarks.md).
 * <p>
 * Answers that say nothing of the route's speed give no sample ({@link #cancel()}): no
 * answer at all, the gateway's own, an instance's 5xx (a failing instance is the
 * balancer's and the breaker's business, and an instant 502 would hide a queue) and a
 * 429.
 */
final class ConcurrencyLimit {

	private static final long SECOND = 1_000_000_000L;

	private final Settings settings;

	private final AtomicInteger inFlight = new AtomicInteger();

	/** The limit in force: the rule's, or the floor if that is higher. */
	private volatile int limit;

	/** What the additive-increase, multiplicative-decrease rule says. */
	private int ruled;

	/** The limit's floor from the goodput of the last second; 0 before the first. */
	private int floor;

	private long secondStart;

	private int secondSamples;

	private boolean windowOpen;

	private long windowStart;

	private int samples;

	private long fastest = Long.MAX_VALUE;

	private int peakInFlight;

	/** The fastest answer a window has had, rising only slowly; -1 before any. */
	private long baseline = -1;

	/**
	 * The limit's settings.
	 *
	 * @param initialLimit the limit at start
	 * @param minLimit it never drops below this
	 * @param maxLimit it never grows above this
	 * @param queueingDelayNanos a window whose fastest answer took this much longer than
	 * the baseline is queueing
	 * @param windowNanos the shortest window
	 * @param windowSamples the fewest answers in a window
	 * @param backoff the factor the limit is multiplied by on queueing
	 * @param floorLatencyNanos the limit stays at least the last second's goodput times
	 * this; 0 for no floor
	 */
	record Settings(int initialLimit, int minLimit, int maxLimit, long queueingDelayNanos, long windowNanos,
			int windowSamples, double backoff, long floorLatencyNanos) {

		Settings {
			if (minLimit < 1 || maxLimit < minLimit || initialLimit < minLimit || initialLimit > maxLimit) {
				throw new IllegalArgumentException("Concurrency limits need 1 <= min-limit (" + minLimit
						+ ") <= initial-limit (" + initialLimit + ") <= max-limit (" + maxLimit + ")");
			}
			if (!(backoff > 0 && backoff < 1)) {
				throw new IllegalArgumentException("The back-off factor must be between 0 and 1, not " + backoff);
			}
			if (queueingDelayNanos <= 0 || windowNanos < 0 || windowSamples < 1 || floorLatencyNanos < 0) {
				throw new IllegalArgumentException("A concurrency limit needs a positive queueing delay, a window of"
						+ " zero or more, at least one sample a window and a floor latency of zero or more");
			}
		}

	}

	ConcurrencyLimit(Settings settings) {
		this.settings = settings;
		this.limit = settings.initialLimit();
		this.ruled = settings.initialLimit();
	}

	/**
	 * Takes a place for a request, if the limit leaves one; each place taken is given
	 * back once, by {@link #release(long, long)} or {@link #cancel()}.
	 * @return whether the request may go on
	 */
	boolean tryAcquire() {
		while (true) {
			int now = this.inFlight.get();
			if (now >= this.limit) {
				return false;
			}
			if (this.inFlight.compareAndSet(now, now + 1)) {
				return true;
			}
		}
	}

	/**
	 * Gives a place back with what its request showed.
	 * @param nowNanos the time of the answer ({@link System#nanoTime()})
	 * @param latencyNanos how long the answer took
	 */
	void release(long nowNanos, long latencyNanos) {
		int under = this.inFlight.getAndDecrement();
		synchronized (this) {
			if (!this.windowOpen) {
				this.windowOpen = true;
				this.windowStart = nowNanos;
				this.secondStart = nowNanos;
			}
			this.samples++;
			this.secondSamples++;
			long second = nowNanos - this.secondStart;
			if (second >= SECOND) {
				this.floor = floor(this.secondSamples, second, this.settings.floorLatencyNanos());
				this.secondStart = nowNanos;
				this.secondSamples = 0;
				this.limit = inForce();
			}
			this.fastest = Math.min(this.fastest, latencyNanos);
			this.peakInFlight = Math.max(this.peakInFlight, under);
			if (this.samples >= this.settings.windowSamples()
					&& nowNanos - this.windowStart >= this.settings.windowNanos()) {
				this.ruled = next(this.ruled);
				this.limit = inForce();
				this.baseline = follow(this.baseline, this.fastest);
				this.windowStart = nowNanos;
				this.samples = 0;
				this.fastest = Long.MAX_VALUE;
				this.peakInFlight = 0;
			}
		}
	}

	/** Gives a place back without a sample: no answer, or one that says nothing. */
	void cancel() {
		this.inFlight.decrementAndGet();
	}

	private int inForce() {
		return Math.min(this.settings.maxLimit(), Math.max(this.ruled, this.floor));
	}

	/**
	 * Little's law: the requests under way that a goodput needs at a latency.
	 * @param answers the answers counted
	 * @param nanos over this long
	 * @param latencyNanos the latency each may take
	 * @return the requests under way, rounded up
	 */
	static int floor(int answers, long nanos, long latencyNanos) {
		return (int) Math.min(Integer.MAX_VALUE, (long) Math.ceil((double) answers * latencyNanos / nanos));
	}

	private int next(int current) {
		if (2 * this.peakInFlight < current) {
			// The limit held nothing back: the window says nothing of it. A stall that
			// slows every answer (a JVM starting on the same cores) lowers it only once
			// the requests under way reach half of it.
			return current;
		}
		long base = (this.baseline < 0) ? this.fastest : this.baseline;
		if (this.fastest > base + this.settings.queueingDelayNanos()) {
			return Math.max(this.settings.minLimit(), (int) (current * this.settings.backoff()));
		}
		return Math.min(this.settings.maxLimit(), current + 1);
	}

	/**
	 * The baseline after a window: down at once to a faster window, up by a thousandth of
	 * the difference to a slower one (a time constant of about 100 s at ten windows a
	 * second), so that a route whose requests became slower for good is not taken for a
	 * queue forever, while ten seconds of overload move it by a tenth of the difference.
	 */
	static long follow(long baseline, long fastest) {
		if (baseline < 0 || fastest <= baseline) {
			return fastest;
		}
		return baseline + Math.max(1, (fastest - baseline) / 1000);
	}

	/** The baseline now, in nanoseconds; -1 before the first window. */
	synchronized long baseline() {
		return this.baseline;
	}

	/** The floor now: what the last second's goodput needs; 0 before the first second. */
	synchronized int floor() {
		return this.floor;
	}

	/** The limit now. */
	int limit() {
		return this.limit;
	}

	/** Requests under way now. */
	int inFlight() {
		return this.inFlight.get();
	}

}
