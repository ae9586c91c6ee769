package dev.fulcrum.token;

import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.ExpiredJwtException;
import io.jsonwebtoken.Header;
import io.jsonwebtoken.IncorrectClaimException;
import io.jsonwebtoken.JwsHeader;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.JwtParserBuilder;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.LocatorAdapter;
import io.jsonwebtoken.MissingClaimException;
import io.jsonwebtoken.PrematureJwtException;
import io.jsonwebtoken.security.SecurityException;
import reactor.core.publisher.Mono;

/**
 * Verifies access tokens: size, algorithm, key, signature and claims, in that order, the
 * cheap checks first.
 * <ul>
 * <li>Tokens longer than {@code maxTokenLength} are refused unread.</li>
 * <li>Only the configured algorithms are accepted; {@code none} and every HMAC algorithm
 * never are, so a token "signed" with the public key as an HMAC secret fails.</li>
 * <li>The key is looked up by {@code kid} in the JWK Set and must be meant for the
 * token's algorithm.</li>
 * <li>{@code iss} and {@code aud} must match; {@code exp}, {@code iat}, {@code sub},
 * {@code jti}, {@code sid} and {@code preferred_username} must be present; {@code exp}
 * and {@code nbf} are checked with {@code clockSkew}.</li>
 * </ul>
 * A verified token is remembered until it expires (bounded by {@code cacheSize}), so the
 * signature of a token is checked once per verifier, not once per request. Revocation is
 * not checked here: see {@link RevocationChecker}.
 */
public final class TokenVerifier {

	/**
	 * Key ids are looked up, never interpreted; anything but a plain token is refused.
	 */
	private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_.-]{1,128}");

	private final TokenProperties properties;

	private final VerificationKeys keys;

	private final Clock clock;

	private final Set<String> algorithms;

	private final JwtParser parser;

	private final Cache<String, AccessToken> verified;

	public TokenVerifier(TokenProperties properties, VerificationKeys keys, Clock clock) {
		this.properties = properties;
		this.keys = keys;
		this.clock = clock;
		this.algorithms = Set.copyOf(properties.algorithms());
		for (String algorithm : this.algorithms) {
			if (!SignatureAlgorithms.names().contains(algorithm)) {
				throw new IllegalArgumentException(
						"fulcrum.token.algorithms: " + algorithm + " is not one of " + SignatureAlgorithms.names());
			}
		}
		JwtParserBuilder builder = Jwts.parser()
			.json(TokenJson.deserializer())
			.clock(() -> Date.from(clock.instant()))
			.clockSkewSeconds(properties.clockSkew().toSeconds())
			.requireIssuer(properties.issuer())
			.requireAudience(properties.audience())
			.keyLocator(new KeyLocator());
		builder.sig().clear();
		this.algorithms.forEach((algorithm) -> builder.sig().add(SignatureAlgorithms.of(algorithm)));
		this.parser = builder.build();
		this.verified = Caffeine.newBuilder()
			.maximumSize(properties.cacheSize())
			.expireAfter(new UntilExpiry(clock, properties.clockSkew()))
			.build();
		keys.onKeysRemoved(this::forgetTokensSignedBy);
	}

	/**
	 * Verifies a token. Completes at once unless the signing key is not known yet.
	 * @param token the compact JWS
	 * @return the verified token, or an error {@link InvalidTokenException} (refuse with
	 * 401) or {@link TokenCheckUnavailableException} (answer 503)
	 */
	public Mono<AccessToken> verify(String token) {
		try {
			AccessToken known = checkCached(token);
			if (known != null) {
				return Mono.just(known);
			}
			String keyId = keyIdOf(token);
			return this.keys.find(keyId)
				.switchIfEmpty(Mono.error(() -> new InvalidTokenException("token is signed by an unknown key")))
				.map((key) -> parse(token));
		}
		catch (InvalidTokenException ex) {
			return Mono.error(ex);
		}
		catch (RuntimeException ex) {
			// Whatever a malformed token trips over, it is a 401, never a 500.
			return Mono.error(new InvalidTokenException("malformed token"));
		}
	}

	/**
	 * How many verified tokens are remembered, for tests and benchmarks.
	 * @return the estimated count
	 */
	public long cachedTokens() {
		return this.verified.estimatedSize();
	}

	private AccessToken checkCached(String token) {
		if (token == null || token.isBlank()) {
			throw new InvalidTokenException("no token");
		}
		if (token.length() > this.properties.maxTokenLength()) {
			throw new InvalidTokenException("token is longer than " + this.properties.maxTokenLength() + " bytes");
		}
		AccessToken known = this.verified.getIfPresent(token);
		if (known != null && !this.clock.instant().isBefore(known.expiresAt().plus(this.properties.clockSkew()))) {
			throw new InvalidTokenException("token has expired");
		}
		return known;
	}

	/** Reads the header before any key is needed, to find the key to fetch. */
	private String keyIdOf(String token) {
		int dot = token.indexOf('.');
		if (dot <= 0) {
			throw new InvalidTokenException("malformed token");
		}
		Object parsed;
		try {
			byte[] json = Base64.getUrlDecoder().decode(token.substring(0, dot));
			parsed = TokenJson.mapper().readValue(new String(json, StandardCharsets.UTF_8), Object.class);
		}
		catch (RuntimeException ex) {
			throw new InvalidTokenException("malformed token");
		}
		if (!(parsed instanceof Map<?, ?> header)) {
			throw new InvalidTokenException("malformed token");
		}
		if (!(header.get("alg") instanceof String algorithm) || !this.algorithms.contains(algorithm)) {
			throw new InvalidTokenException("token algorithm is not accepted");
		}
		if (!(header.get("kid") instanceof String keyId) || !KEY_ID.matcher(keyId).matches()) {
			throw new InvalidTokenException("token has no valid key id");
		}
		return keyId;
	}

	private AccessToken parse(String token) {
		Claims claims;
		String keyId;
		try {
			var jws = this.parser.parseSignedClaims(token);
			claims = jws.getPayload();
			keyId = jws.getHeader().getKeyId();
		}
		catch (InvalidTokenException ex) {
			throw ex;
		}
		catch (ExpiredJwtException ex) {
			throw new InvalidTokenException("token has expired");
		}
		catch (PrematureJwtException ex) {
			throw new InvalidTokenException("token is not valid yet");
		}
		catch (IncorrectClaimException | MissingClaimException ex) {
			throw new InvalidTokenException("token has the wrong " + ex.getClaimName());
		}
		catch (SecurityException ex) {
			throw new InvalidTokenException("token signature is invalid");
		}
		catch (RuntimeException ex) {
			throw new InvalidTokenException("malformed token");
		}
		AccessToken accessToken = toAccessToken(claims, keyId);
		this.verified.put(token, accessToken);
		return accessToken;
	}

	private AccessToken toAccessToken(Claims claims, String keyId) {
		Date expiration = claims.getExpiration();
		Date issuedAt = claims.getIssuedAt();
		String subject = claims.getSubject();
		String tokenId = claims.getId();
		Object sessionId = claims.get("sid");
		Object username = claims.get("preferred_username");
		if (expiration == null || issuedAt == null || subject == null || tokenId == null
				|| !(sessionId instanceof String) || !(username instanceof String)) {
			throw new InvalidTokenException("token lacks a required claim");
		}
		if (issuedAt.toInstant().isAfter(this.clock.instant().plus(this.properties.clockSkew()))) {
			throw new InvalidTokenException("token is not valid yet");
		}
		return new AccessToken(claims.getIssuer(), subject, (String) username, roles(claims.get("roles")),
				(String) sessionId, tokenId, issuedAt.toInstant(), expiration.toInstant(), keyId);
	}

	private static List<String> roles(Object claim) {
		if (claim == null) {
			return List.of();
		}
		if (claim instanceof Collection<?> values && values.stream().allMatch(String.class::isInstance)) {
			return values.stream().map(String.class::cast).toList();
		}
		throw new InvalidTokenException("token has malformed roles");
	}

	private void forgetTokensSignedBy(Set<String> keyIds) {
		this.verified.asMap().values().removeIf((token) -> keyIds.contains(token.keyId()));
	}

	/**
	 * Finds the key that the header names, and insists it is meant for that algorithm.
	 */
	private final class KeyLocator extends LocatorAdapter<Key> {

		@Override
		protected Key locate(JwsHeader header) {
			VerificationKey key = TokenVerifier.this.keys.cached(header.getKeyId());
			if (key == null) {
				throw new InvalidTokenException("token is signed by an unknown key");
			}
			if (!key.algorithm().equals(header.getAlgorithm())) {
				throw new InvalidTokenException("token algorithm does not match its key");
			}
			return key.key();
		}

		@Override
		protected Key doLocate(Header header) {
			throw new InvalidTokenException("token is not signed");
		}

	}

	/** Each verified token is remembered until it expires (plus the allowed skew). */
	private record UntilExpiry(Clock clock, Duration skew) implements Expiry<String, AccessToken> {

		@Override
		public long expireAfterCreate(String key, AccessToken value, long currentTime) {
			Duration left = Duration.between(this.clock.instant(), value.expiresAt().plus(this.skew));
			return Math.max(0, left.toNanos());
		}

		@Override
		public long expireAfterUpdate(String key, AccessToken value, long currentTime, long currentDuration) {
			return expireAfterCreate(key, value, currentTime);
		}

		@Override
		public long expireAfterRead(String key, AccessToken value, long currentTime, long currentDuration) {
			return currentDuration;
		}

	}

}
