package dev.fulcrum.token;

/**
 * The Redis keys and channel of the revocation list, the contract between the
 * auth-service (which writes) and every verifier (which reads).
 * <ul>
 * <li>{@code fulcrum:revoked:{<sid>}}: the whole session is revoked (logout, logout-all,
 * a deleted session, refresh-token reuse).</li>
 * <li>{@code fulcrum:revoked:{<sid>}:<iss>:<jti>}: one access token is denied.</li>
 * </ul>
 * Both live as long as the longest-lived access token they can concern, and share the
 * hash tag {@code {<sid>}}, so one {@code EXISTS} with both keys answers for a token in a
 * single round trip, on Redis Cluster too. Each revocation is also published on
 * {@link #CHANNEL} (the message is the key), so verifiers learn it without asking.
 */
public final class RevocationKeys {

	/** Pub/sub channel carrying each new revocation key. */
	public static final String CHANNEL = "fulcrum:revocations";

	private static final String PREFIX = "fulcrum:revoked:{";

	private RevocationKeys() {
	}

	/**
	 * The key that revokes a whole session.
	 * @param sessionId the {@code sid}
	 * @return the key
	 */
	public static String session(String sessionId) {
		return PREFIX + sessionId + "}";
	}

	/**
	 * The key that denies one token.
	 * @param sessionId the token's {@code sid}
	 * @param issuer the token's {@code iss}
	 * @param tokenId the token's {@code jti}
	 * @return the key
	 */
	public static String token(String sessionId, String issuer, String tokenId) {
		return PREFIX + sessionId + "}:" + issuer + ":" + tokenId;
	}

	/**
	 * Tells whether a pub/sub message names a revocation key.
	 * @param message the message
	 * @return {@code true} for a key of this list
	 */
	public static boolean isRevocationKey(String message) {
		return message != null && message.startsWith(PREFIX) && message.length() < 1024;
	}

}
