package dev.fulcrum.token;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * CSRF protection for cookie-authenticated requests, by double submit: login sets a
 * random {@code csrf_token} cookie that page scripts can read (the access-token cookie
 * they cannot), and a request that changes state with the access-token cookie must echo
 * it in the {@code X-CSRF-Token} header. Another site can make a browser send the cookies
 * but cannot read them to set the header. {@code SameSite=Strict} on both cookies is the
 * first line; this is the second. Requests with a Bearer header carry no ambient
 * credential and need no CSRF token.
 */
public final class CsrfProtection {

	/** The cookie set at login, readable by scripts. */
	public static final String COOKIE = "csrf_token";

	/** The header that must repeat the cookie. */
	public static final String HEADER = "X-CSRF-Token";

	private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

	private static final SecureRandom RANDOM = new SecureRandom();

	private CsrfProtection() {
	}

	/**
	 * Tells whether a request may proceed.
	 * @param method the HTTP method
	 * @param token the request's access token, may be {@code null}
	 * @param cookie the {@code csrf_token} cookie, may be {@code null}
	 * @param header the {@code X-CSRF-Token} header, may be {@code null}
	 * @return {@code false} for a state-changing, cookie-authenticated request without a
	 * matching CSRF token
	 */
	public static boolean allows(String method, BearerToken token, String cookie, String header) {
		if (token == null || token.source() != BearerToken.Source.COOKIE || SAFE_METHODS.contains(method)) {
			return true;
		}
		if (cookie == null || header == null || cookie.isEmpty()) {
			return false;
		}
		return MessageDigest.isEqual(cookie.getBytes(StandardCharsets.UTF_8), header.getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * Makes a new CSRF token.
	 * @return 256 random bits, base64url
	 */
	public static String newToken() {
		byte[] bytes = new byte[32];
		RANDOM.nextBytes(bytes);
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

}
