package dev.fulcrum.gateway.balancing;

/**
 * A peak-sensitive moving average of response times (as Finagle's and Linkerd's balancers
 * keep): a slower answer than the average is taken at once, a faster one pulls the
 * average down with a weight that decays with the time since the last answer. A backend
 * that turns slow is noticed on its first slow answer; one that recovers is trusted again
 * within a few decay times.
 */
final class PeakEwma {

	private final long decayNanos;

	private double averageNanos;

	private long lastNanos;

	/**
	 * @param decayNanos after this long without answers, the old average counts for 1/e
	 */
	PeakEwma(long decayNanos) {
		this.decayNanos = decayNanos;
	}

	/** Decays over 10 seconds. */
	PeakEwma() {
		this(10_000_000_000L);
	}

	synchronized void observe(long nanos) {
		long now = System.nanoTime();
		if (nanos > this.averageNanos) {
			this.averageNanos = nanos;
		}
		else {
			double weight = Math.exp(-(double) (now - this.lastNanos) / this.decayNanos);
			this.averageNanos = this.averageNanos * weight + nanos * (1 - weight);
		}
		this.lastNanos = now;
	}

	/**
	 * The average, in nanoseconds, decayed for the time since the last answer (as if
	 * answers of 0 had come meanwhile): an instance passed over for being slow looks
	 * better with time and is tried again, so its recovery is noticed. 0 before the first
	 * answer.
	 */
	synchronized double nanos() {
		long idle = System.nanoTime() - this.lastNanos;
		return this.averageNanos * Math.exp(-(double) idle / this.decayNanos);
	}

}
