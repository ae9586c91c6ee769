package dev.fulcrum.auth.config;

import java.util.Map;
import java.util.concurrent.Semaphore;

import dev.fulcrum.token.servlet.AccessTokenSecurity;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import org.springframework.security.crypto.password.DelegatingPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;

/**
 * Who may call what: register, login, refresh and the JWK Set are public; everything else
 * needs a valid, unrevoked access token.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AuthProperties.class)
class SecurityConfig {

	@Bean
	SecurityFilterChain securityFilterChain(HttpSecurity http, AccessTokenSecurity tokens) throws Exception {
		tokens.apply(http)
			.authorizeHttpRequests((requests) -> requests
				.requestMatchers(HttpMethod.POST, "/auth/register", "/auth/login", "/auth/refresh")
				.permitAll()
				.requestMatchers(HttpMethod.GET, "/.well-known/jwks.json", "/auth/openapi.json")
				.permitAll()
				// Actuator is served on the management port only; the public port answers
				// 404.
				.requestMatchers("/error", "/actuator/**")
				.permitAll()
				.anyRequest()
				.authenticated());
		return http.build();
	}

	/**
	 * Argon2id behind a {@code {argon2}} prefix, so that the algorithm or its cost can
	 * change later without invalidating stored hashes. At most {@code concurrentHashes}
	 * are computed at once: each takes {@code memoryKib} of heap.
	 */
	@Bean
	PasswordEncoder passwordEncoder(AuthProperties properties) {
		AuthProperties.Password cost = properties.password();
		PasswordEncoder argon2 = new BoundedPasswordEncoder(
				new Argon2PasswordEncoder(16, 32, 1, cost.memoryKib(), cost.iterations()),
				new Semaphore(cost.concurrentHashes()), cost.queueTimeout());
		return new DelegatingPasswordEncoder("argon2", Map.of("argon2", argon2));
	}

}
