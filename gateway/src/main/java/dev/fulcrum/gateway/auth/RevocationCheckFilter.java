package dev.fulcrum.gateway.auth;

import reactor.core.publisher.Mono;

import dev.fulcrum.gateway.FilterOrder;

import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * Makes the {@linkplain PendingRevocation revocation lookup} that nothing before it made
 * (no rate limit on the route, or rate limiting off), before the request is balanced and
 * proxied.
 */
@Component
class RevocationCheckFilter implements GlobalFilter, Ordered {

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
		PendingRevocation revocation = PendingRevocation.take(exchange);
		if (revocation == null) {
			return chain.filter(exchange);
		}
		return revocation.check(exchange, () -> chain.filter(exchange));
	}

	@Override
	public int getOrder() {
		return FilterOrder.REVOCATION_CHECK;
	}

}
