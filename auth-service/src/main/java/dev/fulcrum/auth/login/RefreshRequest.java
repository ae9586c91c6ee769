package dev.fulcrum.auth.login;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/**
 * {@code POST /auth/refresh}.
 *
 * @param refreshToken the refresh token from login or the last refresh
 */
record RefreshRequest(@JsonProperty("refresh_token") @NotBlank(message = "is required") @Size(max = 128,
		message = "must be at most 128 characters") String refreshToken) {

	@Override
	public String toString() {
		return "RefreshRequest[refreshToken=<hidden>]";
	}

}
