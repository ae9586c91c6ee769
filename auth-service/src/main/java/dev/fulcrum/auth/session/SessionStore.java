package dev.fulcrum.auth.session;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.fulcrum.auth.config.AuthProperties;

import org.springframework.core.io.ClassPathResource;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Sessions in Redis.
 * <ul>
 * <li>{@code fulcrum:auth:session:{<sid>}}: a hash of the {@link Session} fields plus
 * {@code refreshHash}, {@code previousHash} and {@code rotatedAt}; it expires after the
 * idle timeout, pushed back by each refresh, never past the absolute lifetime.</li>
 * <li>{@code fulcrum:auth:session:{<sid>}:used}: hashes of the session's spent refresh
 * tokens, to tell reuse from a made-up token.</li>
 * <li>{@code fulcrum:auth:user-sessions:{<user id>}}: a sorted set of the user's session
 * ids by creation time, for listing and logout-all. It is written before the session, so
 * no session is ever missing from it; ids of sessions that have expired are dropped when
 * read.</li>
 * </ul>
 */
@Component
public class SessionStore {

	private static final RedisScript<String> ROTATE = RedisScript
		.of(new ClassPathResource("scripts/rotate-refresh-token.lua"), String.class);

	private static final int MAX_USER_AGENT = 256;

	private final StringRedisTemplate redis;

	private final AuthProperties properties;

	private final Clock clock;

	SessionStore(StringRedisTemplate redis, AuthProperties properties, Clock clock) {
		this.redis = redis;
		this.properties = properties;
		this.clock = clock;
	}

	/**
	 * Starts a session.
	 * @param userId the user's id
	 * @param username the user's name
	 * @param roles the user's roles
	 * @param clientAddress where the login came from
	 * @param userAgent the client's {@code User-Agent}, may be {@code null}
	 * @return the session and its first refresh token
	 */
	public NewSession create(String userId, String username, List<String> roles, String clientAddress,
			String userAgent) {
		Instant now = this.clock.instant();
		String id = RefreshToken.newSessionId();
		RefreshToken refreshToken = RefreshToken.create(id);
		Session session = new Session(id, userId, username, roles, now, now,
				now.plus(this.properties.sessionLifetime()), clientAddress, truncate(userAgent));
		String index = userIndexKey(userId);
		this.redis.opsForZSet().add(index, id, now.toEpochMilli());
		this.redis.expire(index, this.properties.sessionLifetime());
		Map<String, String> fields = new LinkedHashMap<>();
		fields.put("id", id);
		fields.put("userId", userId);
		fields.put("username", username);
		fields.put("roles", String.join(",", roles));
		fields.put("createdAt", String.valueOf(now.toEpochMilli()));
		fields.put("lastSeenAt", String.valueOf(now.toEpochMilli()));
		fields.put("expiresAt", String.valueOf(session.expiresAt().toEpochMilli()));
		fields.put("clientAddress", clientAddress);
		fields.put("userAgent", session.userAgent());
		fields.put("refreshHash", refreshToken.hash());
		String key = sessionKey(id);
		this.redis.opsForHash().putAll(key, fields);
		this.redis.expire(key, idleTimeout(now, session.expiresAt()));
		return new NewSession(session, refreshToken.value());
	}

	/**
	 * Finds a live session.
	 * @param id the session id
	 * @return the session, or {@code null}
	 */
	public Session find(String id) {
		Map<Object, Object> fields = this.redis.opsForHash().entries(sessionKey(id));
		return fields.isEmpty() ? null : toSession(fields);
	}

	/**
	 * Spends a refresh token and issues the next one, atomically.
	 * @param presented the token the client sent
	 * @return what happened
	 */
	public Rotation rotate(String presented) {
		RefreshToken token = RefreshToken.parse(presented);
		if (token == null) {
			return new Rotation(Rotation.Outcome.UNKNOWN, null, null);
		}
		RefreshToken next = RefreshToken.create(token.sessionId());
		String key = sessionKey(token.sessionId());
		String outcome = this.redis.execute(ROTATE, List.of(key, usedKey(token.sessionId())), token.hash(), next.hash(),
				String.valueOf(this.clock.millis()), String.valueOf(this.properties.refreshGrace().toMillis()),
				String.valueOf(this.properties.sessionIdleTimeout().toMillis()));
		Rotation.Outcome result = Rotation.Outcome.valueOf(outcome.toUpperCase(Locale.ROOT));
		Session session = (result == Rotation.Outcome.UNKNOWN) ? null : find(token.sessionId());
		if (session == null) {
			return new Rotation(Rotation.Outcome.UNKNOWN, null, null);
		}
		return new Rotation(result, session, (result == Rotation.Outcome.ROTATED) ? next.value() : null);
	}

	/**
	 * The user's live sessions, newest first.
	 * @param userId the user's id
	 * @return the sessions
	 */
	public List<Session> findByUser(String userId) {
		String index = userIndexKey(userId);
		Set<String> ids = this.redis.opsForZSet().reverseRange(index, 0, -1);
		List<Session> sessions = new ArrayList<>();
		if (ids == null) {
			return sessions;
		}
		for (String id : ids) {
			Session session = find(id);
			if (session != null) {
				sessions.add(session);
			}
			else {
				this.redis.opsForZSet().remove(index, id);
			}
		}
		return sessions;
	}

	/**
	 * Deletes a session and its refresh tokens.
	 * @param id the session id
	 * @param userId its user
	 */
	public void delete(String id, String userId) {
		this.redis.delete(List.of(sessionKey(id), usedKey(id)));
		this.redis.opsForZSet().remove(userIndexKey(userId), id);
	}

	private Duration idleTimeout(Instant now, Instant expiresAt) {
		Duration left = Duration.between(now, expiresAt);
		return (left.compareTo(this.properties.sessionIdleTimeout()) < 0) ? left : this.properties.sessionIdleTimeout();
	}

	private static Session toSession(Map<Object, Object> fields) {
		return new Session((String) fields.get("id"), (String) fields.get("userId"), (String) fields.get("username"),
				Arrays.asList(((String) fields.get("roles")).split(",")), millis(fields.get("createdAt")),
				millis(fields.get("lastSeenAt")), millis(fields.get("expiresAt")), (String) fields.get("clientAddress"),
				(String) fields.get("userAgent"));
	}

	private static Instant millis(Object value) {
		return Instant.ofEpochMilli(Long.parseLong((String) value));
	}

	private static String truncate(String userAgent) {
		if (userAgent == null) {
			return "";
		}
		return (userAgent.length() > MAX_USER_AGENT) ? userAgent.substring(0, MAX_USER_AGENT) : userAgent;
	}

	static String sessionKey(String id) {
		return "fulcrum:auth:session:{" + id + "}";
	}

	private static String usedKey(String id) {
		return "fulcrum:auth:session:{" + id + "}:used";
	}

	private static String userIndexKey(String userId) {
		return "fulcrum:auth:user-sessions:{" + userId + "}";
	}

	/**
	 * A session just created.
	 *
	 * @param session the session
	 * @param refreshToken its first refresh token, to give to the client once
	 */
	public record NewSession(Session session, String refreshToken) {

		@Override
		public String toString() {
			return "NewSession[session=" + this.session + "]";
		}

	}

	/**
	 * The result of presenting a refresh token.
	 *
	 * @param outcome what happened
	 * @param session the session, unless {@code UNKNOWN}
	 * @param refreshToken the next refresh token, only when {@code ROTATED}
	 */
	public record Rotation(Outcome outcome, Session session, String refreshToken) {

		@Override
		public String toString() {
			return "Rotation[outcome=" + this.outcome + ", session=" + this.session + "]";
		}

		/** What presenting a refresh token did. */
		public enum Outcome {

			/** Spent and replaced. */
			ROTATED,

			/** Spent moments ago by a concurrent refresh; the session lives on. */
			RACED,

			/** Spent long ago: a sign of theft; the caller revokes the session. */
			REUSED,

			/** Not a token of a live session. */
			UNKNOWN

		}

	}

}
