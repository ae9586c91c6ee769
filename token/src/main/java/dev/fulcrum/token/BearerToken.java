package dev.fulcrum.token;

import java.util.regex.Pattern;

/**
 * An access token as a request carries it: in {@code Authorization: Bearer} (APIs, curl)
 * or in the {@code access_token} cookie (browsers). Where it came from matters, because
 * only cookies are sent by a browser on its own, so only cookie-borne tokens need CSRF
 * protection.
 *
 * @param value the compact JWS
 * @param source where it came from
 */
public record BearerToken(String value, Source source) {

	/** The cookie set at login. */
	public static final String COOKIE = "access_token";

	private static final Pattern BEARER = Pattern.compile("^Bearer +", Pattern.CASE_INSENSITIVE);

	/**
	 * Finds the token of a request; the header wins over the cookie.
	 * @param authorization the {@code Authorization} header, may be {@code null}
	 * @param cookie the {@code access_token} cookie, may be {@code null}
	 * @return the token, or {@code null} when the request carries none
	 */
	public static BearerToken of(String authorization, String cookie) {
		if (authorization != null) {
			var matcher = BEARER.matcher(authorization);
			if (matcher.find()) {
				return new BearerToken(authorization.substring(matcher.end()).strip(), Source.HEADER);
			}
		}
		if (cookie != null && !cookie.isEmpty()) {
			return new BearerToken(cookie, Source.COOKIE);
		}
		return null;
	}

	/** Where a token came from. */
	public enum Source {

		/** {@code Authorization: Bearer}. */
		HEADER,

		/** The {@code access_token} cookie. */
		COOKIE

	}

}
