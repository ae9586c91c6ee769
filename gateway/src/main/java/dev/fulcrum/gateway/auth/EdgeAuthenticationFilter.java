package dev.fulcrum.gateway.auth;

import java.util.function.Function;

import dev.fulcrum.gateway.FilterOrder;
import dev.fulcrum.gateway.reactor.EventLoops;
import dev.fulcrum.token.BearerToken;
import dev.fulcrum.token.CsrfProtection;
import dev.fulcrum.token.TokenAuthenticator;
import dev.fulcrum.token.TokenRefusal;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Refuses requests to protected endpoints that lack a valid access token, before they
 * reach the router: 401 without a token or with one that is invalid or revoked, 403 for a
 * cookie-authenticated change of state without its CSRF token, and 503 when the token
 * cannot be checked (the JWK Set or Redis does not answer). Fails closed: a request that
 * cannot be checked is not let through.
 * <p>
 * The check never blocks: signatures are verified against keys in memory (a verified
 * token is remembered until it expires). Revocation is one reactive Redis lookup, put off
 * until the request is about to be answered ({@link PendingRevocation}) so that the rate
 * limit can send it together with its own call; the request then goes back to its own
 * event loop.
 */
@Component
class EdgeAuthenticationFilter implements WebFilter, Ordered {

	private final AccessRules rules;

	private final TokenAuthenticator authenticator;

	EdgeAuthenticationFilter(EdgeAuthProperties properties, TokenAuthenticator authenticator) {
		this.rules = AccessRules.of(properties);
		this.authenticator = authenticator;
	}

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		ServerHttpRequest request = exchange.getRequest();
		if (!this.rules.needsToken(request)) {
			return chain.filter(exchange);
		}
		BearerToken token = BearerToken.of(request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION),
				cookie(request, BearerToken.COOKIE));
		if (token == null) {
			return Refusal.send(TokenRefusal.missingToken(), exchange);
		}
		return refusal(exchange, token).map((refusal) -> Refusal.send(refusal, exchange))
			// Nothing to refuse: the request goes on as it came, token included.
			.defaultIfEmpty(Mono.defer(() -> chain.filter(exchange)))
			.flatMap(Function.identity());
	}

	/**
	 * Checks the token's signature and claims, then CSRF, as the services do; its
	 * revocation is looked up later ({@link PendingRevocation}).
	 * @return why the request is refused, or empty when it may pass
	 */
	private Mono<TokenRefusal> refusal(ServerWebExchange exchange, BearerToken token) {
		ServerHttpRequest request = exchange.getRequest();
		// A token verified before is known at once, on the request's event loop; one
		// verified with a key fetched for it comes back on the HTTP client's thread.
		return this.authenticator.verify(token.value())
			.flatMap((accessToken) -> EventLoops.resume(request, accessToken))
			.flatMap((accessToken) -> {
				if (!csrfAllows(request, token)) {
					return Mono.just(TokenRefusal.csrf());
				}
				exchange.getAttributes().put(AuthenticatedUser.ATTRIBUTE, accessToken.subject());
				PendingRevocation.defer(exchange, accessToken, this.authenticator.revocations());
				return Mono.<TokenRefusal>empty();
			})
			.onErrorResume(PendingRevocation::refuses, (ex) -> Mono.just(Refusal.of(ex)));
	}

	private static boolean csrfAllows(ServerHttpRequest request, BearerToken token) {
		return CsrfProtection.allows(request.getMethod().name(), token, cookie(request, CsrfProtection.COOKIE),
				request.getHeaders().getFirst(CsrfProtection.HEADER));
	}

	private static String cookie(ServerHttpRequest request, String name) {
		HttpCookie cookie = request.getCookies().getFirst(name);
		return (cookie != null) ? cookie.getValue() : null;
	}

	@Override
	public int getOrder() {
		return FilterOrder.EDGE_AUTHENTICATION;
	}

}
