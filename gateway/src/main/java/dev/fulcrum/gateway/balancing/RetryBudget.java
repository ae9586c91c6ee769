package dev.fulcrum.gateway.balancing;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Keeps retries of each service within a share of its recent requests, as Envoy's retry
 * budget does: a retry is allowed while the retries of the last {@code window} are fewer
 * than {@code percent} of its requests, or than {@code minRetries} (so that a quiet
 * service still gets its retries). When every instance fails, retries would multiply the
 * load of an outage by the attempts per request; with the budget they add at most a
 * fifth.
 * <p>
 * Counts live in one-second buckets, one ring per service; a request and a retry each
 * take a short lock on their service's ring.
 */
@Component
final class RetryBudget {

	private final int percent;

	private final int minRetries;

	private final int seconds;

	private final LongSupplier clock;

	private final Map<String, Ring> rings = new ConcurrentHashMap<>();

	/**
	 * The gateway's budget, as {@code fulcrum.gateway.balancing.retry} sets it.
	 * @param properties the balancing settings
	 */
	@Autowired
	RetryBudget(BalancingProperties properties) {
		this(properties.retry().budgetPercent(), properties.retry().budgetMinRetries(),
				(int) Math.max(1, properties.retry().budgetWindow().toSeconds()), System::currentTimeMillis);
	}

	/**
	 * A budget.
	 * @param percent retries allowed, as a percentage of the window's requests
	 * @param minRetries retries allowed in any window, however few its requests
	 * @param seconds the window
	 * @param clock milliseconds, for tests
	 */
	RetryBudget(int percent, int minRetries, int seconds, LongSupplier clock) {
		this.percent = percent;
		this.minRetries = minRetries;
		this.seconds = seconds;
		this.clock = clock;
	}

	/** Counts a client request to the service (once, however many attempts it takes). */
	void requested(String service) {
		ring(service).requested(this.clock.getAsLong() / 1000);
	}

	/**
	 * Takes a retry from the budget if one is left.
	 * @param service the service
	 * @return whether the retry may go
	 */
	boolean tryRetry(String service) {
		return ring(service).tryRetry(this.clock.getAsLong() / 1000, this.percent, this.minRetries);
	}

	private Ring ring(String service) {
		return this.rings.computeIfAbsent(service, (name) -> new Ring(this.seconds));
	}

	/** Requests and retries per second, over the last few seconds. */
	private static final class Ring {

		private final long[] second;

		private final long[] requests;

		private final long[] retries;

		Ring(int seconds) {
			this.second = new long[seconds];
			this.requests = new long[seconds];
			this.retries = new long[seconds];
		}

		synchronized void requested(long now) {
			this.requests[slot(now)]++;
		}

		synchronized boolean tryRetry(long now, int percent, int minRetries) {
			int slot = slot(now);
			long requests = 0;
			long retries = 0;
			for (int i = 0; i < this.second.length; i++) {
				if (now - this.second[i] < this.second.length) {
					requests += this.requests[i];
					retries += this.retries[i];
				}
			}
			if (retries >= Math.max(minRetries, requests * percent / 100)) {
				return false;
			}
			this.retries[slot]++;
			return true;
		}

		/** The bucket of this second, emptied if it last held an older one. */
		private int slot(long now) {
			int slot = (int) Math.floorMod(now, (long) this.second.length);
			if (this.second[slot] != now) {
				this.second[slot] = now;
				this.requests[slot] = 0;
				this.retries[slot] = 0;
			}
			return slot;
		}

	}

}
