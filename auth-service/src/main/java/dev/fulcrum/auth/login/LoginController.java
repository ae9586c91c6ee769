package dev.fulcrum.auth.login;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;

import dev.fulcrum.auth.config.AuthProperties;
import dev.fulcrum.token.AccessToken;
import dev.fulcrum.token.BearerToken;
import dev.fulcrum.token.CsrfProtection;

import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseCookie;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /auth/login}, {@code /auth/refresh}, {@code /auth/logout},
 * {@code /auth/logout-all} and {@code /auth/me}. Login and refresh also set the
 * {@code access_token} cookie (HttpOnly) and the {@code csrf_token} cookie that
 * cookie-authenticated requests must echo; logout clears both.
 */
@RestController
class LoginController {

	private final LoginService logins;

	private final AuthProperties properties;

	LoginController(LoginService logins, AuthProperties properties) {
		this.logins = logins;
		this.properties = properties;
	}

	@PostMapping("/auth/login")
	ResponseEntity<TokenResponse> login(@Valid @RequestBody LoginRequest request, HttpServletRequest http) {
		TokenResponse response = this.logins.login(request, ClientAddress.of(http),
				http.getHeader(HttpHeaders.USER_AGENT));
		return withCookies(response);
	}

	@PostMapping("/auth/refresh")
	ResponseEntity<TokenResponse> refresh(@Valid @RequestBody RefreshRequest request) {
		return withCookies(this.logins.refresh(request));
	}

	@PostMapping("/auth/logout")
	ResponseEntity<Void> logout(@AuthenticationPrincipal AccessToken token) {
		this.logins.logout(token);
		return clearCookies();
	}

	@PostMapping("/auth/logout-all")
	ResponseEntity<Void> logoutAll(@AuthenticationPrincipal AccessToken token) {
		this.logins.logoutAll(token);
		return clearCookies();
	}

	@GetMapping("/auth/me")
	Me me(@AuthenticationPrincipal AccessToken token) {
		return new Me(token.username(), token.roles(), token.sessionId(), token.issuedAt(), token.expiresAt());
	}

	private ResponseEntity<TokenResponse> withCookies(TokenResponse response) {
		Duration life = Duration.ofSeconds(response.expiresIn());
		return ResponseEntity.ok()
			.header(HttpHeaders.SET_COOKIE, cookie(BearerToken.COOKIE, response.accessToken(), life, true))
			.header(HttpHeaders.SET_COOKIE, cookie(CsrfProtection.COOKIE, CsrfProtection.newToken(), life, false))
			.header(HttpHeaders.CACHE_CONTROL, "no-store")
			.body(response);
	}

	private ResponseEntity<Void> clearCookies() {
		return ResponseEntity.noContent()
			.header(HttpHeaders.SET_COOKIE, cookie(BearerToken.COOKIE, "", Duration.ZERO, true))
			.header(HttpHeaders.SET_COOKIE, cookie(CsrfProtection.COOKIE, "", Duration.ZERO, false))
			.build();
	}

	private String cookie(String name, String value, Duration maxAge, boolean httpOnly) {
		return ResponseCookie.from(name, value)
			.httpOnly(httpOnly)
			.secure(this.properties.cookieSecure())
			.sameSite("Strict")
			.path("/")
			.maxAge(maxAge)
			.build()
			.toString();
	}

	/**
	 * {@code GET /auth/me}.
	 *
	 * @param username the user's name
	 * @param roles the user's roles
	 * @param sessionId the session of the token
	 * @param issuedAt when the token was issued
	 * @param expiresAt when it expires
	 */
	record Me(String username, List<String> roles, @JsonProperty("session_id") String sessionId,
			@JsonProperty("issued_at") Instant issuedAt, @JsonProperty("expires_at") Instant expiresAt) {
	}

}
