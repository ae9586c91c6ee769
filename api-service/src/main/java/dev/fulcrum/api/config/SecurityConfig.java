package dev.fulcrum.api.config;

import dev.fulcrum.token.servlet.AccessTokenSecurity;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The api-service checks every token again, whatever the gateway did: a request that
 * reaches it some other way (inside the cluster, a misrouted call) gets no free pass.
 * Public: {@code /api/hello}, {@code /api/work}, {@code /api/catalog}.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfig {

	@Bean
	SecurityFilterChain securityFilterChain(HttpSecurity http, AccessTokenSecurity tokens) throws Exception {
		tokens.apply(http)
			.authorizeHttpRequests((requests) -> requests
				.requestMatchers(HttpMethod.GET, "/api/hello", "/api/work", "/api/catalog", "/api/openapi.json")
				.permitAll()
				// As at the gateway: a public GET is a public HEAD.
				.requestMatchers(HttpMethod.HEAD, "/api/hello", "/api/work", "/api/catalog")
				.permitAll()
				.requestMatchers("/api/admin/**")
				.hasRole("ADMIN")
				// Actuator is served on the management port only; the public port
				// answers 404.
				.requestMatchers("/error", "/actuator/**")
				.permitAll()
				.anyRequest()
				.authenticated());
		return http.build();
	}

}
