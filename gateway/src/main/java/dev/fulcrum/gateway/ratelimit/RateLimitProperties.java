package dev.fulcrum.gateway.ratelimit;

import java.time.Duration;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Rate limits ({@code fulcrum.gateway.rate-limit.*}).
 *
 * @param enabled whether routes are limited at all ({@code GATEWAY_RATE_LIMIT_ENABLED})
 * @param failOpen when Redis cannot answer: let requests through (the default), or refuse
 * them with a 503
 * @param timeout how long a decision may take before Redis counts as not answering
 * @param routes each limited route's policy, by route id
 */
@ConfigurationProperties("fulcrum.gateway.rate-limit")
record RateLimitProperties(@DefaultValue("true") boolean enabled, @DefaultValue("true") boolean failOpen,
		@DefaultValue("250ms") Duration timeout, Map<String, Policy> routes) {

	RateLimitProperties {
		routes = (routes != null) ? Map.copyOf(routes) : Map.of();
	}

}
