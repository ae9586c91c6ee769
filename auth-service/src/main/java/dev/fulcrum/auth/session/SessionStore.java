package dev.fulcrum.auth.session;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.fulcrum.auth.config.AuthProperties;
import dev.fulcrum.common.redis.LuaScripts;
import dev.fulcrum.token.RevocationKeys;
import dev.fulcrum.token.TokenProperties;

import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * Sessions in Redis.
 * <ul>
 * <li>{@code fulcrum:auth:session:{<sid>}}: a hash of the {@link Session} fields plus
 * {@code refreshHash}, {@code previousHash} and {@code rotatedAt}; it expires after the
 * idle timeout, pushed back by each refresh, never past the absolute lifetime.</li>
 * <li>{@code fulcrum:auth:session:{<sid>}:spent}: hashes of the session's last 100 spent
 * refresh tokens by rotation time, to tell reuse from a made-up token; bounded, however
 * often the client refreshes.</li>
 * <li>{@code fulcrum:auth:user-sessions:{<user id>}}: a sorted set of the user's session
 * ids by creation time (Redis's clock), for listing, logout-all and the cap of live
 * sessions per user. It is written right after the session; a login that crashed in
 * between never handed out the session's tokens. Ids of sessions that have expired are
 * dropped when read.</li>
 * <li>{@code fulcrum:auth:logout-all:{<user id>}}: when the user's last logout-all took
 * effect, for the logins that created a session before it but list it after.</li>
 * </ul>
 */
@Component
public class SessionStore {

	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> ROTATE = LuaScripts.load("scripts/rotate-refresh-token.lua", List.class);

	private static final RedisScript<Long> CREATE = LuaScripts.load("scripts/create-session.lua", Long.class);

	private static final RedisScript<Long> REVOKE = LuaScripts.load("scripts/revoke-session.lua", Long.class);

	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> REGISTER = LuaScripts.load("scripts/register-session.lua", List.class);

	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> BEGIN_LOGOUT_ALL = LuaScripts.load("scripts/begin-logout-all.lua",
			List.class);

	/** Spent refresh tokens remembered per session, to detect their reuse. */
	private static final int SPENT_REMEMBERED = 100;

	/** Longer than any login takes between creating its session and listing it. */
	private static final Duration LOGOUT_ALL_MEMORY = Duration.ofMinutes(1);

	private static final int MAX_USER_AGENT = 256;

	private final StringRedisTemplate redis;

	private final AuthProperties properties;

	private final Clock clock;

	/** Outlives every access token a session can have issued. */
	private final Duration markerLife;

	SessionStore(StringRedisTemplate redis, AuthProperties properties, TokenProperties tokenProperties, Clock clock) {
		this.redis = redis;
		this.properties = properties;
		this.clock = clock;
		this.markerLife = properties.accessTokenTtl().plus(tokenProperties.clockSkew());
	}

	/**
	 * Starts a session.
	 * @param userId the user's id
	 * @param username the user's name
	 * @param roles the user's roles
	 * @param clientAddress where the login came from
	 * @param userAgent the client's {@code User-Agent}, may be {@code null}
	 * @return the session and its first refresh token
	 * @throws SessionEndedException if a logout-all of the user took effect while the
	 * session was being created (it is revoked)
	 */
	public NewSession create(String userId, String username, List<String> roles, String clientAddress,
			String userAgent) {
		Instant now = this.clock.instant();
		String id = RefreshToken.newSessionId();
		RefreshToken refreshToken = RefreshToken.create(id);
		Session session = new Session(id, userId, username, roles, now, now,
				now.plus(this.properties.sessionLifetime()), clientAddress, truncate(userAgent));
		List<String> arguments = List.of(String.valueOf(idleTimeout(now, session.expiresAt()).toMillis()), "id", id,
				"userId", userId, "username", username, "roles", String.join(",", roles), "createdAt",
				String.valueOf(now.toEpochMilli()), "lastSeenAt", String.valueOf(now.toEpochMilli()), "expiresAt",
				String.valueOf(session.expiresAt().toEpochMilli()), "clientAddress", clientAddress, "userAgent",
				session.userAgent(), "refreshHash", refreshToken.hash());
		Long created = this.redis.execute(CREATE, List.of(sessionKey(id)), arguments.toArray());
		List<?> listed = this.redis.execute(REGISTER, List.of(userIndexKey(userId), logoutAllKey(userId)), id,
				String.valueOf(created), String.valueOf(this.properties.sessionLifetime().toMillis()),
				String.valueOf(this.properties.maxSessionsPerUser()));
		if ("ended".equals(listed.get(0))) {
			revoke(id, userId);
			throw new SessionEndedException();
		}
		// Past the cap: the oldest sessions end, as if logged out.
		listed.stream().skip(1).map(String.class::cast).forEach((oldest) -> revoke(oldest, userId));
		return new NewSession(session, refreshToken.value());
	}

	/**
	 * Takes the moment a logout-all takes effect: every session created before it must
	 * end, including those of logins still running, which see the moment and end their
	 * own.
	 * @param userId the user
	 * @return the ids of the sessions to revoke now
	 */
	public List<String> beginLogoutAll(String userId) {
		List<?> ids = this.redis.execute(BEGIN_LOGOUT_ALL, List.of(userIndexKey(userId), logoutAllKey(userId)),
				String.valueOf(LOGOUT_ALL_MEMORY.toMillis()));
		return ids.stream().map(String.class::cast).toList();
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
		String id = token.sessionId();
		List<?> answer = this.redis.execute(ROTATE, List.of(sessionKey(id), usedKey(id), RevocationKeys.session(id)),
				token.hash(), next.hash(), String.valueOf(this.properties.refreshGrace().toMillis()),
				String.valueOf(this.properties.sessionIdleTimeout().toMillis()),
				String.valueOf(this.markerLife.toMillis()), RevocationKeys.CHANNEL, String.valueOf(SPENT_REMEMBERED));
		Rotation.Outcome result = Rotation.Outcome.valueOf(((String) answer.get(0)).toUpperCase(Locale.ROOT));
		if (result == Rotation.Outcome.REUSED) {
			// The script has revoked the session; only the user's index is left to tidy.
			removeFromIndex((String) answer.get(1), id);
			return new Rotation(result, null, null);
		}
		if (result != Rotation.Outcome.ROTATED) {
			return new Rotation(result, null, null);
		}
		Session session = find(id);
		if (session == null) {
			return new Rotation(Rotation.Outcome.UNKNOWN, null, null);
		}
		return new Rotation(result, session, next.value());
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
	 * Revokes a session in one atomic step (see {@code revoke-session.lua}): its access
	 * tokens are refused from now on, its refresh token stops working, and verifiers are
	 * told on the revocation channel.
	 * @param id the session id (it may have expired already: its access tokens have not)
	 * @param userId its user
	 */
	public void revoke(String id, String userId) {
		this.redis.execute(REVOKE, List.of(sessionKey(id), usedKey(id), RevocationKeys.session(id)),
				String.valueOf(this.markerLife.toMillis()), RevocationKeys.CHANNEL);
		removeFromIndex(userId, id);
	}

	private void removeFromIndex(String userId, String id) {
		if (userId != null) {
			this.redis.opsForZSet().remove(userIndexKey(userId), id);
		}
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
		return "fulcrum:auth:session:{" + id + "}:spent";
	}

	private static String userIndexKey(String userId) {
		return "fulcrum:auth:user-sessions:{" + userId + "}";
	}

	private static String logoutAllKey(String userId) {
		return "fulcrum:auth:logout-all:{" + userId + "}";
	}

	/** A logout-all of the user ended the session while it was being created. */
	public static final class SessionEndedException extends RuntimeException {

		SessionEndedException() {
			super("ended by a logout-all while being created", null, false, false);
		}

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
	 * @param session the session, when {@code ROTATED}
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

			/** Spent long ago: a sign of theft; the script has revoked the session. */
			REUSED,

			/** Not a token of a live session. */
			UNKNOWN

		}

	}

}
