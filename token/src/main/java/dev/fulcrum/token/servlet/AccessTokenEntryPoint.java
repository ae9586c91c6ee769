package dev.fulcrum.token.servlet;

import java.io.IOException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import dev.fulcrum.common.problem.Problems;
import dev.fulcrum.token.TokenCheckUnavailableException;

import org.springframework.http.HttpHeaders;
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
		if (AccessTokenFilter.CSRF.equals(failure)) {
			Problems.write(response, Problems.of(HttpStatus.FORBIDDEN, "csrf", "CSRF token missing or wrong",
					"A request that changes state with the access_token cookie must repeat the csrf_token cookie in the X-CSRF-Token header."));
			return;
		}
		if (failure instanceof TokenCheckUnavailableException) {
			response.setHeader(HttpHeaders.RETRY_AFTER, "1");
			Problems.write(response, Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "token-check-unavailable",
					"Token check unavailable", "The token could not be checked just now; retry shortly."));
			return;
		}
		if (failure instanceof RuntimeException invalid) {
			response.setHeader(HttpHeaders.WWW_AUTHENTICATE,
					"Bearer error=\"invalid_token\", error_description=\"" + invalid.getMessage() + "\"");
			Problems.write(response, Problems.of(HttpStatus.UNAUTHORIZED, "invalid-token", "Invalid token",
					"The access token was refused: " + invalid.getMessage() + "."));
			return;
		}
		response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
		Problems.write(response, Problems.of(HttpStatus.UNAUTHORIZED, "unauthenticated", "Authentication required",
				"This endpoint needs an access token: Authorization: Bearer <token>, or the access_token cookie."));
	}

	@Override
	public void handle(HttpServletRequest request, HttpServletResponse response,
			AccessDeniedException accessDeniedException) throws IOException {
		Problems.write(response, Problems.of(HttpStatus.FORBIDDEN, "forbidden", "Forbidden",
				"The access token does not grant this operation."));
	}

}
