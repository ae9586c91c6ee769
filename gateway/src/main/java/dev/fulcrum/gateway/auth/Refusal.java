package dev.fulcrum.gateway.auth;

import java.util.Map;

import dev.fulcrum.gateway.problem.ProblemResponses;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;

/**
 * Why the gateway turned a request away, and how it says so: a problem plus the headers
 * RFC 6750 and RFC 9110 ask for. Slugs and wording match the services' own refusals
 * ({@code dev.fulcrum.token.servlet}), so a client sees the same answer whichever layer
 * refused.
 *
 * @param status the status
 * @param headers headers that go with it
 * @param slug the kind of problem
 * @param title a short summary of the kind
 * @param detail what went wrong
 */
record Refusal(HttpStatus status, Map<String, String> headers, String slug, String title, String detail) {

	static Refusal missingToken() {
		return new Refusal(HttpStatus.UNAUTHORIZED, Map.of(HttpHeaders.WWW_AUTHENTICATE, "Bearer"), "unauthenticated",
				"Authentication required",
				"This endpoint needs an access token: Authorization: Bearer <token>, or the access_token cookie.");
	}

	static Refusal invalidToken(String reason) {
		String challenge = "Bearer error=\"invalid_token\", error_description=\"" + quotable(reason) + "\"";
		return new Refusal(HttpStatus.UNAUTHORIZED, Map.of(HttpHeaders.WWW_AUTHENTICATE, challenge), "invalid-token",
				"Invalid token", "The access token was refused: " + reason + ".");
	}

	static Refusal checkUnavailable() {
		return new Refusal(HttpStatus.SERVICE_UNAVAILABLE, Map.of(HttpHeaders.RETRY_AFTER, "1"),
				"token-check-unavailable", "Token check unavailable",
				"The token could not be checked just now; retry shortly.");
	}

	static Refusal csrf() {
		return new Refusal(HttpStatus.FORBIDDEN, Map.of(), "csrf", "CSRF token missing or wrong",
				"A request that changes state with the access_token cookie must repeat the csrf_token cookie in the X-CSRF-Token header.");
	}

	Mono<Void> sendTo(ServerWebExchange exchange) {
		this.headers.forEach(exchange.getResponse().getHeaders()::set);
		return ProblemResponses.send(exchange, this.status, this.slug, this.title, this.detail);
	}

	/** The reasons are fixed phrases; this only keeps a header value well-formed. */
	private static String quotable(String text) {
		return text.replaceAll("[\"\\\\\\p{Cntrl}]", "'");
	}

}
