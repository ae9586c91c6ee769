package dev.fulcrum.auth.session;

import java.time.Clock;
import java.time.Duration;

import dev.fulcrum.token.AccessToken;
import dev.fulcrum.token.RevocationKeys;
import dev.fulcrum.token.TokenProperties;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * Writes the revocation list that every verifier reads (see {@link RevocationKeys}). The
 * entry is written before the call returns, so the next request with a revoked token is
 * refused everywhere; it is then announced on the channel so verifiers can refuse it
 * without asking Redis again.
 */
@Component
public class Revoker {

	private final StringRedisTemplate redis;

	private final SessionStore sessions;

	private final Duration skew;

	private final Clock clock;

	Revoker(StringRedisTemplate redis, SessionStore sessions, TokenProperties tokenProperties, Clock clock) {
		this.redis = redis;
		this.sessions = sessions;
		this.skew = tokenProperties.clockSkew();
		this.clock = clock;
	}

	/**
	 * Ends a session: its access tokens are refused and its refresh token stops working.
	 * @param sessionId the session (it may have expired already: its access tokens have
	 * not)
	 * @param userId its user
	 */
	public void revokeSession(String sessionId, String userId) {
		this.sessions.revoke(sessionId, userId);
	}

	/**
	 * Denies one access token for the rest of its life.
	 * @param token the token
	 */
	public void denyToken(AccessToken token) {
		Duration left = Duration.between(this.clock.instant(), token.expiresAt()).plus(this.skew);
		if (left.isNegative() || left.isZero()) {
			return;
		}
		String key = RevocationKeys.token(token.sessionId(), token.issuer(), token.tokenId());
		this.redis.opsForValue().set(key, "1", left);
		this.redis.convertAndSend(RevocationKeys.CHANNEL, key);
	}

}
