package dev.fulcrum.auth.user;

import java.time.Instant;
import java.util.List;

/**
 * A registered user.
 *
 * @param id a random id, the {@code sub} of the user's tokens
 * @param username the name as registered
 * @param passwordHash the encoded password ({@code {argon2}...})
 * @param roles the user's roles
 * @param createdAt when the user registered
 */
public record User(String id, String username, String passwordHash, List<String> roles, Instant createdAt) {

	public User {
		roles = List.copyOf(roles);
	}

}
