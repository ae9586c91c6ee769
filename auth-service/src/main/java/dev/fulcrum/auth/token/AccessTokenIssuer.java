package dev.fulcrum.auth.token;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;

import io.jsonwebtoken.Jwts;

import dev.fulcrum.auth.config.AuthProperties;
import dev.fulcrum.token.SignatureAlgorithms;
import dev.fulcrum.token.TokenJson;
import dev.fulcrum.token.TokenProperties;

import org.springframework.stereotype.Component;

/**
 * Signs access tokens with this instance's current key: {@code kid} in the header;
 * {@code iss}, {@code aud}, {@code sub}, {@code iat}, {@code exp}, {@code jti},
 * {@code sid}, {@code roles} and {@code preferred_username} in the claims.
 */
@Component
public class AccessTokenIssuer {

	private final SigningKeys keys;

	private final AuthProperties properties;

	private final TokenProperties tokenProperties;

	private final Clock clock;

	AccessTokenIssuer(SigningKeys keys, AuthProperties properties, TokenProperties tokenProperties, Clock clock) {
		this.keys = keys;
		this.properties = properties;
		this.tokenProperties = tokenProperties;
		this.clock = clock;
	}

	/**
	 * Issues a token.
	 * @param userId the {@code sub}
	 * @param username the {@code preferred_username}
	 * @param roles the {@code roles}
	 * @param sessionId the {@code sid}
	 * @param sessionEnds when the session ends: the token expires then at the latest
	 * @return the token and when it expires
	 */
	public IssuedToken issue(String userId, String username, List<String> roles, String sessionId,
			Instant sessionEnds) {
		SigningKeys.Signer signer = this.keys.signer();
		Instant now = this.clock.instant();
		Instant expiresAt = now.plus(this.properties.accessTokenTtl());
		if (sessionEnds.isBefore(expiresAt)) {
			expiresAt = sessionEnds;
		}
		String token = Jwts.builder()
			.json(TokenJson.serializer())
			.header()
			.keyId(signer.keyId())
			.type("at+jwt")
			.and()
			.issuer(this.tokenProperties.issuer())
			.audience()
			.add(this.tokenProperties.audience())
			.and()
			.subject(userId)
			.issuedAt(Date.from(now))
			.expiration(Date.from(expiresAt))
			.id(UUID.randomUUID().toString())
			.claim("sid", sessionId)
			.claim("roles", roles)
			.claim("preferred_username", username)
			.signWith(signer.privateKey(), SignatureAlgorithms.forSigning(signer.algorithm()))
			.compact();
		return new IssuedToken(token, now, expiresAt);
	}

	/**
	 * A signed access token.
	 *
	 * @param value the compact JWS
	 * @param issuedAt its {@code iat}
	 * @param expiresAt its {@code exp}
	 */
	public record IssuedToken(String value, Instant issuedAt, Instant expiresAt) {

		/**
		 * The token's lifetime in seconds, for {@code expires_in}.
		 * @return seconds from issue to expiry
		 */
		public long lifetimeSeconds() {
			return Duration.between(this.issuedAt, this.expiresAt).toSeconds();
		}

		@Override
		public String toString() {
			return "IssuedToken[expiresAt=" + this.expiresAt + "]";
		}

	}

}
