package dev.fulcrum.gateway.auth;

import org.springframework.web.server.ServerWebExchange;

/**
 * The subject of the access token the edge check accepted, for filters that run after it
 * (rate limiting keys on it). Absent on public routes and for requests without a token.
 */
public final class AuthenticatedUser {

	static final String ATTRIBUTE = AuthenticatedUser.class.getName();

	private AuthenticatedUser() {
	}

	/** The token's subject, or {@code null}. */
	public static String of(ServerWebExchange exchange) {
		return exchange.getAttribute(ATTRIBUTE);
	}

}
