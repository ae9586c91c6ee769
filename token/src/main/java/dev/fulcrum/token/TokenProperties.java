package dev.fulcrum.token;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * What a verifier accepts ({@code fulcrum.token.*}). The issuer and the verifiers must
 * agree on {@code issuer}, {@code audience} and {@code algorithms}.
 *
 * @param issuer the expected {@code iss}
 * @param audience the expected {@code aud}
 * @param algorithms the only JWS algorithms accepted ({@code ES256}, {@code EdDSA})
 * @param jwksUri where the public keys are published (the auth-service's
 * {@code /.well-known/jwks.json})
 * @param clockSkew tolerance for {@code exp}, {@code nbf} and {@code iat} between hosts
 * @param maxTokenLength longer tokens are refused before any parsing (8 KiB)
 * @param jwksRefreshInterval the key set is fetched again after this long, in the
 * background
 * @param jwksMinRefreshInterval an unknown {@code kid} triggers a fetch at most this
 * often, so that tokens with made-up key ids cannot flood the auth-service
 * @param jwksTimeout how long one fetch of the key set may take
 * @param cacheSize how many verified tokens are kept, each until it expires
 */
@ConfigurationProperties("fulcrum.token")
public record TokenProperties(@DefaultValue("fulcrum") String issuer, @DefaultValue("fulcrum-api") String audience,
		@DefaultValue("ES256") List<String> algorithms,
		@DefaultValue("http://localhost:8081/.well-known/jwks.json") URI jwksUri,
		@DefaultValue("30s") Duration clockSkew, @DefaultValue("8192") int maxTokenLength,
		@DefaultValue("5m") Duration jwksRefreshInterval, @DefaultValue("1s") Duration jwksMinRefreshInterval,
		@DefaultValue("2s") Duration jwksTimeout, @DefaultValue("10000") int cacheSize) {

	public TokenProperties {
		algorithms = List.copyOf(algorithms);
	}

	/**
	 * Defaults, for tests and tools.
	 * @return the defaults
	 */
	public static TokenProperties defaults() {
		return new TokenProperties("fulcrum", "fulcrum-api", List.of("ES256"),
				URI.create("http://localhost:8081/.well-known/jwks.json"), Duration.ofSeconds(30), 8192,
				Duration.ofMinutes(5), Duration.ofSeconds(1), Duration.ofSeconds(2), 10_000);
	}

	/**
	 * The same settings with another JWKS location.
	 * @param uri the JWKS location
	 * @return the new settings
	 */
	public TokenProperties withJwksUri(URI uri) {
		return new TokenProperties(this.issuer, this.audience, this.algorithms, uri, this.clockSkew,
				this.maxTokenLength, this.jwksRefreshInterval, this.jwksMinRefreshInterval, this.jwksTimeout,
				this.cacheSize);
	}

}
