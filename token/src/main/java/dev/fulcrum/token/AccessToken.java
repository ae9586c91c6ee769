package dev.fulcrum.token;

import java.time.Instant;
import java.util.List;

/**
 * A verified access token: its claims, checked and typed.
 *
 * @param issuer {@code iss}
 * @param subject {@code sub}, the user id
 * @param username {@code preferred_username}
 * @param roles {@code roles}, for example {@code USER}
 * @param sessionId {@code sid}, the auth session that the token belongs to
 * @param tokenId {@code jti}, unique per token
 * @param issuedAt {@code iat}
 * @param expiresAt {@code exp}
 * @param keyId the {@code kid} of the key that signed it
 */
public record AccessToken(String issuer, String subject, String username, List<String> roles, String sessionId,
		String tokenId, Instant issuedAt, Instant expiresAt, String keyId) {

	public AccessToken {
		roles = List.copyOf(roles);
	}

}
