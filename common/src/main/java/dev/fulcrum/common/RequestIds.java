package dev.fulcrum.common;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Request ids: the header every response carries, which incoming values are trusted, and
 * how new ones are made. The gateway and the services use the same rule, so an id
 * survives every hop.
 */
public final class RequestIds {

	/** The header that carries the id, in requests and responses. */
	public static final String HEADER = "X-Request-Id";

	/**
	 * The attribute under which the gateway keeps a request's id on its exchange (it sets
	 * the header only on the request it sends upstream).
	 */
	public static final String ATTRIBUTE = RequestIds.class.getName() + ".id";

	/** The MDC key (and structured log field) that carries the id. */
	public static final String MDC_KEY = "requestId";

	/**
	 * A client may choose its own id, within limits: a log field is no place for
	 * arbitrary input, so only short tokens of safe characters are echoed; anything else
	 * is replaced.
	 */
	private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

	private RequestIds() {
	}

	/**
	 * Returns the incoming id when it is valid, else a new one.
	 * @param incoming the header value sent by the client, may be {@code null}
	 * @return an id that is safe to log and to echo
	 */
	public static String acceptOrGenerate(String incoming) {
		return isValid(incoming) ? incoming : generate();
	}

	/**
	 * Tells whether a client-supplied id may be kept.
	 * @param candidate the value to check, may be {@code null}
	 * @return {@code true} when it is 1-128 characters of {@code [A-Za-z0-9._:-]}
	 */
	public static boolean isValid(String candidate) {
		return candidate != null && VALID.matcher(candidate).matches();
	}

	/**
	 * Makes a new id: a version 4 UUID from {@link ThreadLocalRandom}. An id has to be
	 * unique, not unguessable, and {@link UUID#randomUUID()} draws from a
	 * {@code SecureRandom} shared by every thread, which costs the gateway measurably per
	 * request.
	 * @return a random UUID
	 */
	public static String generate() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		long high = (random.nextLong() & ~0xF000L) | 0x4000L;
		long low = (random.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48);
		return new UUID(high, low).toString();
	}

}
