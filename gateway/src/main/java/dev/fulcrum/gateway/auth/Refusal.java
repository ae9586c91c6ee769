package dev.fulcrum.gateway.auth;

import dev.fulcrum.gateway.problem.ProblemResponses;
import dev.fulcrum.token.InvalidTokenException;
import dev.fulcrum.token.TokenRefusal;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;

/**
 * Sends a {@link TokenRefusal} (the same answers the servlet services give) as a problem
 * from the gateway.
 */
final class Refusal {

	private static final Log logger = LogFactory.getLog(Refusal.class);

	private Refusal() {
	}

	/** The refusal for a token check's error: 401 invalid, else 503 unavailable. */
	static TokenRefusal of(Throwable error) {
		if (error instanceof InvalidTokenException invalid) {
			return TokenRefusal.invalidToken(invalid.getMessage());
		}
		logger.debug("Token check unavailable: " + error.getMessage());
		return TokenRefusal.checkUnavailable();
	}

	static Mono<Void> send(TokenRefusal refusal, ServerWebExchange exchange) {
		refusal.headers().forEach(exchange.getResponse().getHeaders()::set);
		return ProblemResponses.send(exchange, HttpStatus.valueOf(refusal.status()), refusal.slug(), refusal.title(),
				refusal.detail());
	}

}
