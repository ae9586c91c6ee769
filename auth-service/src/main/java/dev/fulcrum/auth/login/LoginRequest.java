package dev.fulcrum.auth.login;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * {@code POST /auth/login}. Lengths are capped so that no one hashes a megabyte, and a
 * name that no user can have is refused before it reaches a Redis key.
 *
 * @param username the name
 * @param password the password
 */
record LoginRequest(
		@NotBlank(message = "is required") @Size(max = 32, message = "must be at most 32 characters") @Pattern(
				regexp = "[A-Za-z0-9._-]*",
				message = "may contain only letters, digits, '.', '_' and '-'") String username,
		@NotBlank(message = "is required") @Size(max = 128,
				message = "must be at most 128 characters") String password) {

	@Override
	public String toString() {
		return "LoginRequest[username=" + this.username + ", password=<hidden>]";
	}

}
