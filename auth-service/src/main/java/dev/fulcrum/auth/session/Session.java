package dev.fulcrum.auth.session;

import java.time.Instant;
import java.util.List;

/**
 * A login session.
 *
 * @param id the {@code sid} of its access tokens
 * @param userId the user's id
 * @param username the user's name
 * @param roles the user's roles at login
 * @param createdAt when the user logged in
 * @param lastSeenAt the last login or refresh
 * @param expiresAt the end of its absolute lifetime
 * @param clientAddress the address it was created from
 * @param userAgent the {@code User-Agent} it was created with (cut to 256 characters)
 */
public record Session(String id, String userId, String username, List<String> roles, Instant createdAt,
		Instant lastSeenAt, Instant expiresAt, String clientAddress, String userAgent) {

	public Session {
		roles = List.copyOf(roles);
	}

}
