package dev.fulcrum.gateway.auth;

import java.util.function.Function;

import dev.fulcrum.gateway.config.EventLoops;
import dev.fulcrum.token.BearerToken;
import dev.fulcrum.token.CsrfProtection;
import dev.fulcrum.token.InvalidTokenException;
import dev.fulcrum.token.TokenAuthenticator;
import dev.fulcrum.token.TokenCheckUnavailableException;
import dev.fulcrum.token.TokenRefusal;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
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
 * token is remembered until it expires), and revocation is one reactive Redis round trip,
 * after which the request goes back to its own event loop.
 */
@Component
class EdgeAuthenticationFilter implements WebFilter, Ordered {

	/**
	 * Right after the request-id filter ({@code HIGHEST_PRECEDENCE}), so that every
	 * refusal carries the request id, and long before routing.
	 */
	static final int ORDER = Ordered.HIGHEST_PRECEDENCE + 100;

	private static final Log logger = LogFactory.getLog(EdgeAuthenticationFilter.class);

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
		// Go on on the request's own event loop, not on the thread that read Redis's
		// answer:
		// all lookups share one Redis connection, so without the hop every authenticated
		// request of this gateway would be proxied by that single thread.
		return refusal(exchange, token).publishOn(EventLoops.of(request))
			.map((refusal) -> Refusal.send(refusal, exchange))
			// Nothing to refuse: the request goes on as it came, token included.
			.defaultIfEmpty(Mono.defer(() -> chain.filter(exchange)))
			.flatMap(Function.identity());
	}

	/**
	 * Checks the token, then CSRF, as the services do.
	 * @return why the request is refused, or empty when it may pass
	 */
	private Mono<TokenRefusal> refusal(ServerWebExchange exchange, BearerToken token) {
		ServerHttpRequest request = exchange.getRequest();
		return this.authenticator.authenticate(token.value()).flatMap((accessToken) -> {
			if (!csrfAllows(request, token)) {
				return Mono.just(TokenRefusal.csrf());
			}
			exchange.getAttributes().put(AuthenticatedUser.ATTRIBUTE, accessToken.subject());
			return Mono.<TokenRefusal>empty();
		})
			.onErrorResume(InvalidTokenException.class, (ex) -> Mono.just(TokenRefusal.invalidToken(ex.getMessage())))
			.onErrorResume(TokenCheckUnavailableException.class, (ex) -> {
				logger.debug("Token check unavailable: " + ex.getMessage());
				return Mono.just(TokenRefusal.checkUnavailable());
			});
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
		return ORDER;
	}

}
