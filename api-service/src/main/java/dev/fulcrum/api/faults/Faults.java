package dev.fulcrum.api.faults;

/**
 * What this instance does wrong on purpose to each {@code /api/**} request.
 *
 * @param delayMillis wait this long first (0 to 10 000)
 * @param failureRate then fail this share of requests with a 503 (0 to 1)
 */
record Faults(int delayMillis, double failureRate) {

	static final Faults NONE = new Faults(0, 0);

	Faults {
		if (delayMillis < 0 || delayMillis > 10_000) {
			throw new IllegalArgumentException("delayMillis must be from 0 to 10000, not " + delayMillis);
		}
		if (!(failureRate >= 0 && failureRate <= 1)) {
			throw new IllegalArgumentException("failureRate must be from 0 to 1, not " + failureRate);
		}
	}

}
