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
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates a request by its access token, if it carries one. A token that fails is
 * not answered here: the failure is kept in the request, and only if the endpoint needs
 * authentication does {@link AccessTokenEntryPoint} turn it into a 401 (or a 503 when the
 * check could not be made). Public endpoints thus work the same with a stale cookie. A
 * cookie-authenticated request that changes state without its CSRF token is refused with
 * 403 at once.
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
			try {
				// Virtual threads: blocking here costs no platform thread.
				AccessToken accessToken = this.authenticator.authenticate(token.value()).block();
				if (!CsrfProtection.allows(request.getMethod(), token, cookie(request, CsrfProtection.COOKIE),
						request.getHeader(CsrfProtection.HEADER))) {
					// Not authenticated, then: a public endpoint (login) still works, a
					// protected one is refused with 403 by the entry point.
					request.setAttribute(FAILURE, CSRF);
				}
				else {
					SecurityContext context = this.contexts.createEmptyContext();
					context.setAuthentication(new AccessTokenAuthentication(accessToken, token.source()));
					this.contexts.setContext(context);
				}
			}
			catch (InvalidTokenException | TokenCheckUnavailableException ex) {
				request.setAttribute(FAILURE, ex);
			}
		}
		try {
			chain.doFilter(request, response);
		}
		finally {
			this.contexts.clearContext();
		}
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
