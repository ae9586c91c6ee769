package dev.fulcrum.auth.login;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The answer to login and refresh (names as in OAuth 2.0, RFC 6749 section 5.1).
 *
 * @param accessToken the access token
 * @param tokenType always {@code Bearer}
 * @param expiresIn seconds until the access token expires
 * @param refreshToken the refresh token, valid once
 * @param sessionId the session
 */
record TokenResponse(@JsonProperty("access_token") String accessToken, @JsonProperty("token_type") String tokenType,
		@JsonProperty("expires_in") long expiresIn, @JsonProperty("refresh_token") String refreshToken,
		@JsonProperty("session_id") String sessionId) {

	@Override
	public String toString() {
		return "TokenResponse[sessionId=" + this.sessionId + "]";
	}

}
