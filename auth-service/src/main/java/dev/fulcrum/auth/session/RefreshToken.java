package dev.fulcrum.auth.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * A refresh token, {@code <sid>.<secret>}: the session id to find the session by, and a
 * 256-bit random secret of which only the SHA-256 is stored. A hash without salt is
 * enough here: the secret is random and as long as the hash, so there is nothing to
 * guess.
 *
 * @param sessionId the session
 * @param secret the secret
 */
record RefreshToken(String sessionId, String secret) {

	private static final SecureRandom RANDOM = new SecureRandom();

	private static final Pattern FORMAT = Pattern.compile("([A-Za-z0-9_-]{22})\\.([A-Za-z0-9_-]{43})");

	static RefreshToken create(String sessionId) {
		return new RefreshToken(sessionId, random(32));
	}

	/**
	 * Reads a token presented by a client.
	 * @param value the token
	 * @return the token, or {@code null} if it cannot be one of ours
	 */
	static RefreshToken parse(String value) {
		if (value == null) {
			return null;
		}
		var matcher = FORMAT.matcher(value);
		return matcher.matches() ? new RefreshToken(matcher.group(1), matcher.group(2)) : null;
	}

	static String newSessionId() {
		return random(16);
	}

	String hash() {
		try {
			byte[] digest = MessageDigest.getInstance("SHA-256")
				.digest(this.secret.getBytes(StandardCharsets.US_ASCII));
			return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	String value() {
		return this.sessionId + "." + this.secret;
	}

	@Override
	public String toString() {
		return "RefreshToken[sessionId=" + this.sessionId + ", secret=<hidden>]";
	}

	private static String random(int bytes) {
		byte[] value = new byte[bytes];
		RANDOM.nextBytes(value);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(value);
	}

}
