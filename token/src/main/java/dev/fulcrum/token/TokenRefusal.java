package dev.fulcrum.token;

import java.util.Map;

/**
 * Why a request was refused for its token, as the gateway and the servlet services answer
 * it: one status, the headers that go with it, and the problem's slug, title and detail.
 * Both layers build their answers from here, so a client sees the same answer whichever
 * layer refused.
 *
 * @param status the HTTP status
 * @param headers headers that go with it
 * @param slug the kind of problem
 * @param title a short summary of the kind
 * @param detail what went wrong
 */
public record TokenRefusal(int status, Map<String, String> headers, String slug, String title, String detail) {

	/**
	 * No token at all: 401 with a bare challenge (RFC 6750 section 3.1: no error code
	 * when no credentials were sent).
	 * @return the refusal
	 */
	public static TokenRefusal missingToken() {
		return new TokenRefusal(401, Map.of("WWW-Authenticate", "Bearer"), "unauthenticated", "Authentication required",
				"This endpoint needs an access token: Authorization: Bearer <token>, or the access_token cookie.");
	}

	/**
	 * A token that failed a rule.
	 * @param reason the rule, from {@link InvalidTokenException#getMessage()}
	 * @return the refusal
	 */
	public static TokenRefusal invalidToken(String reason) {
		String challenge = "Bearer error=\"invalid_token\", error_description=\"" + quotable(reason) + "\"";
		return new TokenRefusal(401, Map.of("WWW-Authenticate", challenge), "invalid-token", "Invalid token",
				"The access token was refused: " + reason + ".");
	}

	/**
	 * The token could not be checked (Redis or the JWK Set did not answer).
	 * @return the refusal
	 */
	public static TokenRefusal checkUnavailable() {
		return new TokenRefusal(503, Map.of("Retry-After", "1"), "token-check-unavailable", "Token check unavailable",
				"The token could not be checked just now; retry shortly.");
	}

	/**
	 * A cookie-authenticated change of state without its CSRF token.
	 * @return the refusal
	 */
	public static TokenRefusal csrf() {
		return new TokenRefusal(403, Map.of(), "csrf", "CSRF token missing or wrong",
				"A request that changes state with the access_token cookie must repeat the csrf_token cookie in the X-CSRF-Token header.");
	}

	/** The reasons are fixed phrases; this only keeps a header value well-formed. */
	private static String quotable(String text) {
		return text.replaceAll("[\"\\\\\\p{Cntrl}]", "'");
	}

}
