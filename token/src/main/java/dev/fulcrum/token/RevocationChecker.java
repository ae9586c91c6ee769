package dev.fulcrum.token;

import java.time.Duration;
import java.util.List;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Checks a verified token against the revocation list in Redis.
 * <p>
 * A revocation is final, so what this verifier has learnt is revoked is remembered
 * locally (from earlier checks and from the {@link RevocationKeys#CHANNEL} messages) and
 * refused with no round trip. Everything else costs exactly one round trip: one
 * {@code EXISTS} over the session key and the token key. "Not revoked" is never cached: a
 * cache fed by asynchronous messages cannot promise that a token is refused on the very
 * next request after logout returns, and that promise is the point of the list.
 * <p>
 * When Redis does not answer, the check fails closed with
 * {@link TokenCheckUnavailableException}.
 */
public final class RevocationChecker {

	private final ReactiveStringRedisTemplate redis;

	private final Cache<String, Boolean> knownRevoked;

	private volatile boolean connected;

	/**
	 * Creates a checker.
	 * @param redis the Redis to ask
	 * @param remember how long a known revocation is kept locally: the longest lifetime
	 * of an access token, plus skew
	 */
	public RevocationChecker(ReactiveStringRedisTemplate redis, Duration remember) {
		this.redis = redis;
		this.knownRevoked = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(remember).build();
	}

	/**
	 * Passes a token that is not revoked.
	 * @param token a verified token
	 * @return the same token, or an error {@link InvalidTokenException} if it is revoked,
	 * or {@link TokenCheckUnavailableException} if Redis cannot tell
	 */
	public Mono<AccessToken> check(AccessToken token) {
		String sessionKey = RevocationKeys.session(token.sessionId());
		String tokenKey = RevocationKeys.token(token.sessionId(), token.issuer(), token.tokenId());
		if (this.knownRevoked.getIfPresent(sessionKey) != null || this.knownRevoked.getIfPresent(tokenKey) != null) {
			return Mono.error(revoked());
		}
		Mono<Long> lookup = this.redis.countExistingKeys(List.of(sessionKey, tokenKey));
		if (!this.connected) {
			// Lettuce opens its shared connection synchronously on first use (and again
			// after Redis was down at start-up): not on the caller's event loop. Once
			// connected, Lettuce reconnects in the background and nothing blocks.
			lookup = lookup.subscribeOn(Schedulers.boundedElastic());
		}
		return lookup.doOnNext((found) -> this.connected = true).onErrorMap((ex) -> {
			this.connected = false;
			return new TokenCheckUnavailableException("the revocation list cannot be read", ex);
		}).flatMap((found) -> {
			if (found > 0) {
				// This token is revoked either way; which key said so does not
				// matter.
				this.knownRevoked.put(tokenKey, Boolean.TRUE);
				return Mono.error(revoked());
			}
			return Mono.just(token);
		});
	}

	/**
	 * Remembers a revocation announced on {@link RevocationKeys#CHANNEL}.
	 * @param key the revocation key
	 */
	public void remember(String key) {
		if (RevocationKeys.isRevocationKey(key)) {
			this.knownRevoked.put(key, Boolean.TRUE);
		}
	}

	private static InvalidTokenException revoked() {
		return new InvalidTokenException("token has been revoked");
	}

}
