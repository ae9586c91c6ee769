package dev.fulcrum.auth.session;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonProperty;

import dev.fulcrum.common.problem.ProblemException;
import dev.fulcrum.token.AccessToken;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /auth/sessions} and {@code DELETE /auth/sessions/{id}}: the caller's own
 * sessions only; another user's session is answered 404, as if it did not exist.
 */
@RestController
class SessionController {

	private final SessionStore sessions;

	private final Revoker revoker;

	SessionController(SessionStore sessions, Revoker revoker) {
		this.sessions = sessions;
		this.revoker = revoker;
	}

	@GetMapping("/auth/sessions")
	List<SessionView> list(@AuthenticationPrincipal AccessToken token) {
		return this.sessions.findByUser(token.subject())
			.stream()
			.map((session) -> SessionView.of(session, token.sessionId()))
			.toList();
	}

	@DeleteMapping("/auth/sessions/{id}")
	ResponseEntity<Void> delete(@AuthenticationPrincipal AccessToken token, @PathVariable String id) {
		Session session = this.sessions.find(id);
		if (session == null || !session.userId().equals(token.subject())) {
			throw new ProblemException(HttpStatus.NOT_FOUND, "session-not-found", "Session not found",
					"You have no live session with this id.");
		}
		this.revoker.revokeSession(session.id(), session.userId());
		return ResponseEntity.noContent().build();
	}

	/**
	 * One session as its user sees it.
	 *
	 * @param id the session id
	 * @param createdAt login time
	 * @param lastSeenAt last login or refresh
	 * @param expiresAt end of its absolute lifetime
	 * @param clientAddress where it logged in from
	 * @param userAgent with what
	 * @param current whether the caller's token belongs to it
	 */
	record SessionView(String id, @JsonProperty("created_at") Instant createdAt,
			@JsonProperty("last_seen_at") Instant lastSeenAt, @JsonProperty("expires_at") Instant expiresAt,
			@JsonProperty("client_address") String clientAddress, @JsonProperty("user_agent") String userAgent,
			boolean current) {

		static SessionView of(Session session, String currentId) {
			return new SessionView(session.id(), session.createdAt(), session.lastSeenAt(), session.expiresAt(),
					session.clientAddress(), session.userAgent(), session.id().equals(currentId));
		}

	}

}
