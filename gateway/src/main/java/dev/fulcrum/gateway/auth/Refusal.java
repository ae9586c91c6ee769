package dev.fulcrum.gateway.auth;

import dev.fulcrum.gateway.problem.ProblemResponses;
import dev.fulcrum.token.TokenRefusal;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.web.server.ServerWebExchange;

/**
 * Sends a {@link TokenRefusal} (the same answers the servlet services give) as a problem
 * from the gateway.
 */
final class Refusal {

	private Refusal() {
	}

	static Mono<Void> send(TokenRefusal refusal, ServerWebExchange exchange) {
		refusal.headers().forEach(exchange.getResponse().getHeaders()::set);
		return ProblemResponses.send(exchange, HttpStatus.valueOf(refusal.status()), refusal.slug(), refusal.title(),
				refusal.detail());
	}

}
