package dev.fulcrum.token;

import java.time.Clock;
import java.time.Duration;

import dev.fulcrum.token.servlet.AccessTokenSecurity;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.data.redis.connection.ReactiveRedisConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

/**
 * Token verification for every service that depends on this module: keys from the JWKS
 * (unless the service has its own {@link VerificationKeys}, as the auth-service does),
 * the verifier, the revocation check on the service's Redis, and for servlet services the
 * Spring Security wiring.
 */
@AutoConfiguration(after = DataRedisAutoConfiguration.class)
@EnableConfigurationProperties(TokenProperties.class)
public class TokenAutoConfiguration {

	/**
	 * Known revocations are kept locally this long; Redis keeps the authoritative list.
	 */
	private static final Duration REMEMBER_REVOCATIONS = Duration.ofHours(1);

	@Bean
	@ConditionalOnMissingBean
	Clock tokenClock() {
		return Clock.systemUTC();
	}

	@Bean
	@ConditionalOnMissingBean
	VerificationKeys verificationKeys(TokenProperties properties, Clock clock) {
		return new RemoteJwks(properties, clock);
	}

	@Bean
	@ConditionalOnMissingBean
	TokenVerifier tokenVerifier(TokenProperties properties, VerificationKeys keys, Clock clock) {
		return new TokenVerifier(properties, keys, clock);
	}

	@Bean
	@ConditionalOnMissingBean
	RevocationChecker revocationChecker(ReactiveRedisConnectionFactory connectionFactory) {
		return new RevocationChecker(new ReactiveStringRedisTemplate(connectionFactory), REMEMBER_REVOCATIONS);
	}

	@Bean
	RevocationSubscription revocationSubscription(ReactiveRedisConnectionFactory connectionFactory,
			RevocationChecker checker) {
		return new RevocationSubscription(connectionFactory, checker);
	}

	@Bean
	@ConditionalOnMissingBean
	TokenAuthenticator tokenAuthenticator(TokenVerifier verifier, RevocationChecker revocations) {
		return new TokenAuthenticator(verifier, revocations);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
	@ConditionalOnClass(name = "org.springframework.security.web.SecurityFilterChain")
	static class ServletConfiguration {

		@Bean
		AccessTokenSecurity accessTokenSecurity(TokenAuthenticator authenticator) {
			return new AccessTokenSecurity(authenticator);
		}

		/**
		 * No observation around each of Spring Security's filters: wrapping a dozen
		 * filters a request cost the api-service about a tenth of its CPU
		 * (docs/benchmarks.md, "The whole stack"), and the request's own observation
		 * already times it. {@code management.observations.enable.spring.security=true}
		 * brings them back.
		 * @return settings that observe nothing
		 */
		@Bean
		@ConditionalOnMissingBean
		@ConditionalOnProperty(name = "management.observations.enable.spring.security", havingValue = "false",
				matchIfMissing = true)
		SecurityObservationSettings securityObservationSettings() {
			return SecurityObservationSettings.noObservations();
		}

	}

}
