package dev.fulcrum.token.servlet;

import java.io.IOException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import dev.fulcrum.common.problem.Problems;
import dev.fulcrum.token.InvalidTokenException;
import dev.fulcrum.token.TokenCheckUnavailableException;
import dev.fulcrum.token.TokenRefusal;

import org.springframework.http.HttpStatus;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;

/**
 * Answers requests that a protected endpoint turned away, as problems: 401 with
 * {@code WWW-Authenticate: Bearer} (RFC 6750: {@code error="invalid_token"} when a token
 * was sent and failed), 503 with {@code Retry-After} when the token could not be checked,
 * and 403 when the token lacks a role.
 */
final class AccessTokenEntryPoint implements AuthenticationEntryPoint, AccessDeniedHandler {

	@Override
	public void commence(HttpServletRequest request, HttpServletResponse response,
			AuthenticationException authException) throws IOException {
		Object failure = request.getAttribute(AccessTokenFilter.FAILURE);
		TokenRefusal refusal;
		if (AccessTokenFilter.CSRF.equals(failure)) {
			refusal = TokenRefusal.csrf();
		}
		else if (failure instanceof TokenCheckUnavailableException) {
			refusal = TokenRefusal.checkUnavailable();
		}
		else if (failure instanceof InvalidTokenException invalid) {
			refusal = TokenRefusal.invalidToken(invalid.getMessage());
		}
		else {
			refusal = TokenRefusal.missingToken();
		}
		refusal.headers().forEach(response::setHeader);
		Problems.write(response,
				Problems.of(HttpStatus.valueOf(refusal.status()), refusal.slug(), refusal.title(), refusal.detail()));
	}

	@Override
	public void handle(HttpServletRequest request, HttpServletResponse response,
			AccessDeniedException accessDeniedException) throws IOException {
		Problems.write(response, Problems.of(HttpStatus.FORBIDDEN, "forbidden", "Forbidden",
				"The access token does not grant this operation."));
	}

}
