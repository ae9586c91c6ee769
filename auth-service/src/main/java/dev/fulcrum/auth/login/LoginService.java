package dev.fulcrum.auth.login;

import dev.fulcrum.auth.session.Revoker;
import dev.fulcrum.auth.session.Session;
import dev.fulcrum.auth.session.SessionStore;
import dev.fulcrum.auth.token.AccessTokenIssuer;
import dev.fulcrum.auth.user.User;
import dev.fulcrum.auth.user.UserService;
import dev.fulcrum.common.problem.ProblemException;
import dev.fulcrum.token.AccessToken;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * The login flows: log in, refresh (rotating the refresh token, revoking the session on
 * reuse), log out one session or all of them.
 */
@Service
class LoginService {

	private final UserService users;

	private final SessionStore sessions;

	private final Revoker revoker;

	private final AccessTokenIssuer issuer;

	private final LoginThrottle throttle;

	LoginService(UserService users, SessionStore sessions, Revoker revoker, AccessTokenIssuer issuer,
			LoginThrottle throttle) {
		this.users = users;
		this.sessions = sessions;
		this.revoker = revoker;
		this.issuer = issuer;
		this.throttle = throttle;
	}

	TokenResponse login(LoginRequest request, String clientAddress, String userAgent) {
		LoginThrottle.Attempt attempt = this.throttle.attempt(request.username(), clientAddress);
		User user = this.users.authenticate(request.username(), request.password());
		if (user == null) {
			// The attempt stays counted. One answer for an unknown user and a wrong
			// password.
			throw new ProblemException(HttpStatus.UNAUTHORIZED, "invalid-credentials", "Invalid credentials",
					"The username or password is wrong.");
		}
		this.throttle.succeeded(attempt);
		SessionStore.NewSession created;
		try {
			created = this.sessions.create(user.id(), user.username(), user.roles(), clientAddress, userAgent);
		}
		catch (SessionStore.SessionEndedException ex) {
			throw new ProblemException(HttpStatus.CONFLICT, "logged-out-everywhere", "Logged out everywhere",
					"A logout of all your sessions took effect while this login ran, and ended it too; log in again.");
		}
		return respond(created.session(), created.refreshToken());
	}

	TokenResponse refresh(RefreshRequest request) {
		SessionStore.Rotation rotation = this.sessions.rotate(request.refreshToken());
		return switch (rotation.outcome()) {
			case ROTATED -> respond(rotation.session(), rotation.refreshToken());
			case RACED -> throw invalidRefreshToken(
					"This refresh token was just used by another request; use the token that request received.");
			// Revoked in the same atomic step that detected the reuse.
			case REUSED -> throw invalidRefreshToken(
					"This refresh token was already used. The session has been revoked as a precaution; log in again.");
			case UNKNOWN -> throw invalidRefreshToken("The refresh token is not valid; log in again.");
		};
	}

	void logout(AccessToken token) {
		this.revoker.denyToken(token);
		this.revoker.revokeSession(token.sessionId(), token.subject());
	}

	/**
	 * Ends every session of the user created before this takes effect, those of logins
	 * racing it included: they see its moment and end their own session (see
	 * {@link SessionStore#beginLogoutAll}).
	 */
	void logoutAll(AccessToken token) {
		this.revoker.denyToken(token);
		for (String id : this.sessions.beginLogoutAll(token.subject())) {
			this.revoker.revokeSession(id, token.subject());
		}
		this.revoker.revokeSession(token.sessionId(), token.subject());
	}

	private TokenResponse respond(Session session, String refreshToken) {
		// Never past the session's end: a token refreshed just before it would outlive
		// it.
		AccessTokenIssuer.IssuedToken accessToken = this.issuer.issue(session.userId(), session.username(),
				session.roles(), session.id(), session.expiresAt());
		if (this.sessions.find(session.id()) == null) {
			// Logged out while this token was being signed: its revocation marker may
			// expire before the token would, so the token is not handed out.
			throw invalidRefreshToken("The session has ended; log in again.");
		}
		return new TokenResponse(accessToken.value(), "Bearer", accessToken.lifetimeSeconds(), refreshToken,
				session.id());
	}

	private static ProblemException invalidRefreshToken(String detail) {
		return new ProblemException(HttpStatus.UNAUTHORIZED, "invalid-refresh-token", "Invalid refresh token", detail);
	}

}
