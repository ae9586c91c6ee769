package dev.fulcrum.api.idempotency;

import java.time.Duration;
import java.util.Locale;

/**
 * The idempotency key of one request, as resolved by its route's mode.
 *
 * @param value the key, as sent or as derived; empty for {@link Source#NONE}
 * @param source where it comes from
 * @param mode the route's mode
 * @param ttl how long its record is kept: the key TTL for a sent key, the route's window
 * for a derived one
 */
public record IdempotencyKey(String value, Source source, IdempotencyMode mode, Duration ttl) {

	/** Where a key comes from. */
	public enum Source {

		/** The client's {@code Idempotency-Key}. */
		SENT,

		/** Derived by the server from the request's content ({@code content} mode). */
		DERIVED,

		/** None ({@code optional} mode without a key): nothing is recorded. */
		NONE;

		/**
		 * As stored with a job and tagged on meters.
		 * @return {@code sent}, {@code derived} or {@code none}
		 */
		public String tag() {
			return name().toLowerCase(Locale.ROOT);
		}

	}

}
