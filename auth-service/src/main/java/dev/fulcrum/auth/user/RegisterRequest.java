package dev.fulcrum.auth.user;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * {@code POST /auth/register}.
 *
 * @param username 3-32 of {@code [A-Za-z0-9._-]}
 * @param password 8-128 characters
 */
public record RegisterRequest(
		@NotNull(message = "is required") @Size(min = 3, max = 32, message = "must be 3 to 32 characters") @Pattern(
				regexp = "[A-Za-z0-9._-]*",
				message = "may contain only letters, digits, '.', '_' and '-'") String username,
		@NotNull(message = "is required") @Size(min = 8, max = 128,
				message = "must be 8 to 128 characters") String password) {

	@Override
	public String toString() {
		return "RegisterRequest[username=" + this.username + ", password=<hidden>]";
	}

}
