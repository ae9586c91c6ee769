package dev.fulcrum.token.servlet;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import dev.fulcrum.token.AccessToken;
import dev.fulcrum.token.BearerToken;
import dev.fulcrum.token.CsrfProtection;
import dev.fulcrum.token.InvalidTokenException;
import dev.fulcrum.token.TokenAuthenticator;
import dev.fulcrum.token.TokenCheckUnavailableException;

import org.springframework.http.HttpHeaders;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates a request by its access token, if it carries one, when the request's
 * authentication is first asked for. A token that fails is not answered here: the failure
 * is kept in the request, and only if the endpoint needs authentication does
 * {@link AccessTokenEntryPoint} turn it into a 401 (or a 503 when the check could not be
 * made). Public endpoints thus work the same with a stale cookie, and never pay for a
 * token check. A cookie-authenticated request that changes state without its CSRF token
 * is not authenticated either; a protected endpoint answers it 403.
 */
final class AccessTokenFilter extends OncePerRequestFilter {

	/** The request attribute holding why a token was not accepted. */
	static final String FAILURE = AccessTokenFilter.class.getName() + ".failure";

	/** The failure recorded for a cookie-authenticated change without its CSRF token. */
	static final String CSRF = "csrf";

	private final TokenAuthenticator authenticator;

	private final SecurityContextHolderStrategy contexts = SecurityContextHolder.getContextHolderStrategy();

	AccessTokenFilter(TokenAuthenticator authenticator) {
		this.authenticator = authenticator;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		BearerToken token = BearerToken.of(request.getHeader(HttpHeaders.AUTHORIZATION),
				cookie(request, BearerToken.COOKIE));
		if (token != null) {
			// Deferred: the token is checked only when something asks who the caller is
			// (authorization of a protected endpoint, a controller). A public endpoint
			// never pays for it, and a made-up token cannot make it wait on anything.
			this.contexts.setDeferredContext(SingletonSupplier.of(() -> authenticate(request, token)));
		}
		try {
			chain.doFilter(request, response);
		}
		finally {
			this.contexts.clearContext();
		}
	}

	private SecurityContext authenticate(HttpServletRequest request, BearerToken token) {
		SecurityContext context = this.contexts.createEmptyContext();
		try {
			// Virtual threads: blocking here costs no platform thread.
			AccessToken accessToken = this.authenticator.authenticate(token.value()).block();
			if (CsrfProtection.allows(request.getMethod(), token, cookie(request, CsrfProtection.COOKIE),
					request.getHeader(CsrfProtection.HEADER))) {
				context.setAuthentication(new AccessTokenAuthentication(accessToken));
			}
			else {
				// Not authenticated, then: the entry point answers 403.
				request.setAttribute(FAILURE, CSRF);
			}
		}
		catch (InvalidTokenException | TokenCheckUnavailableException ex) {
			request.setAttribute(FAILURE, ex);
		}
		return context;
	}

	static String cookie(HttpServletRequest request, String name) {
		Cookie[] cookies = request.getCookies();
		if (cookies != null) {
			for (Cookie cookie : cookies) {
				if (name.equals(cookie.getName())) {
					return cookie.getValue();
				}
			}
		}
		return null;
	}

}
