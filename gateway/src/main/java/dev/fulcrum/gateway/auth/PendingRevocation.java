package dev.fulcrum.gateway.auth;

import java.util.function.Function;
import java.util.function.Supplier;

import dev.fulcrum.gateway.reactor.EventLoops;
import dev.fulcrum.token.AccessToken;
import dev.fulcrum.token.InvalidTokenException;
import dev.fulcrum.token.RevocationChecker;
import dev.fulcrum.token.TokenCheckUnavailableException;
import reactor.core.publisher.Mono;

import org.springframework.web.server.ServerWebExchange;

/**
 * The revocation lookup of a token the edge check accepted, put off until just before the
 * request is answered with a service's data, so that the rate limit can send it together
 * with its own Redis call: an authenticated, rate-limited request then waits for one
 * round trip, not two.
 * <p>
 * Whoever {@linkplain #take takes} it must make it before the request goes on: the edge
 * cache before a hit ({@link #check}), the rate limit beside its script
 * ({@link #lookUp}), and {@link RevocationCheckFilter}, before the breaker and balancing,
 * whatever is still pending. What may answer before them sends nothing of a service's: a
 * 404 for no route, or a shed 503. A filter added before
 * {@linkplain dev.fulcrum.gateway.FilterOrder#REVOCATION_CHECK revocation check} that
 * answers with a service's data (a route's response cache, say) must take the lookup and
 * make it first.
 */
public final class PendingRevocation {

	private static final String ATTRIBUTE = PendingRevocation.class.getName();

	private final AccessToken token;

	private final RevocationChecker checker;

	private PendingRevocation(AccessToken token, RevocationChecker checker) {
		this.token = token;
		this.checker = checker;
	}

	static void defer(ServerWebExchange exchange, AccessToken token, RevocationChecker checker) {
		exchange.getAttributes().put(ATTRIBUTE, new PendingRevocation(token, checker));
	}

	/**
	 * Takes a request's pending lookup, which the caller then makes.
	 * @param exchange the request
	 * @return the lookup, or {@code null} if none is pending
	 */
	public static PendingRevocation take(ServerWebExchange exchange) {
		return (PendingRevocation) exchange.getAttributes().remove(ATTRIBUTE);
	}

	/**
	 * The lookup (one {@code EXISTS}), for a caller that sends it together with a Redis
	 * call of its own.
	 * @return the token; an error that {@link #refuses} if it is revoked or the lookup
	 * failed (the check fails closed)
	 */
	public Mono<AccessToken> lookUp() {
		return this.checker.check(this.token);
	}

	/**
	 * Makes the lookup alone (one {@code EXISTS}), then goes on, on the request's event
	 * loop.
	 * @param exchange the request
	 * @param next what to do if the token is not revoked
	 * @return completes when the request is answered: by {@code next}, or with a refusal
	 */
	public Mono<Void> check(ServerWebExchange exchange, Supplier<Mono<Void>> next) {
		return lookUp().publishOn(EventLoops.of(exchange.getRequest()))
			.map((accepted) -> Mono.defer(next))
			.onErrorResume(PendingRevocation::refuses, (ex) -> Mono.just(refuse(ex, exchange)))
			.flatMap(Function.identity());
	}

	/**
	 * Tells whether a lookup's error refuses the request.
	 * @param error the error
	 * @return {@code true} for a revoked token, or a revocation list that cannot be read
	 */
	public static boolean refuses(Throwable error) {
		return error instanceof InvalidTokenException || error instanceof TokenCheckUnavailableException;
	}

	/**
	 * Refuses a request for a lookup's error: 401 for a revoked token, 503 when the list
	 * cannot be read.
	 * @param error an error that {@link #refuses}
	 * @param exchange the request
	 * @return completes when the refusal is written
	 */
	public static Mono<Void> refuse(Throwable error, ServerWebExchange exchange) {
		return Refusal.send(Refusal.of(error), exchange);
	}

}
