package dev.fulcrum.api.idempotency;

import java.util.Locale;

/**
 * What a route does with a request that has no {@code Idempotency-Key}. A key the client
 * sends is honoured in every mode.
 */
public enum IdempotencyMode {

	/** No key, no request: 400 {@code idempotency-key-missing}. */
	REQUIRED,

	/**
	 * No key: the server derives one from the user, the method, the path and the
	 * canonical JSON of the body, kept for the route's window; the same content within it
	 * is a replay.
	 */
	CONTENT,

	/** No key: no record, no deduplication; every request is new. */
	OPTIONAL;

	/**
	 * The mode as configured and as tagged on meters.
	 * @return {@code required}, {@code content} or {@code optional}
	 */
	public String tag() {
		return name().toLowerCase(Locale.ROOT);
	}

}
