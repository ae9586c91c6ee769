package dev.fulcrum.auth;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.fulcrum.testsupport.TestHttp;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The public flows of the auth-service over real HTTP and real Redis: register, login,
 * me, refresh with rotation and reuse detection, logout, logout-all, sessions, CSRF and
 * throttling.
 */
@AuthServiceTest
class AuthFlowTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	AuthClient client;

	@Autowired
	StringRedisTemplate redis;

	@BeforeEach
	void client() {
		this.client = new AuthClient(this.port);
	}

	@Test
	void registersUser() {
		String username = AuthClient.newUsername();
		HttpResponse<String> response = this.client.register(username, AuthClient.PASSWORD);
		assertThat(response.statusCode()).isEqualTo(201);
		JsonNode body = TestHttp.json(response);
		assertThat(body.get("username").asString()).isEqualTo(username);
		assertThat(body.get("id").asString()).isNotBlank();
		assertThat(body.has("password")).isFalse();
	}

	@Test
	void refusesTakenUsernameInAnyCase() {
		String username = AuthClient.newUsername();
		this.client.register(username, AuthClient.PASSWORD);
		HttpResponse<String> response = this.client.register(username.toUpperCase(), AuthClient.PASSWORD);
		assertProblem(response, 409, "username-taken");
	}

	@Test
	void refusesInvalidFieldsListingEach() {
		HttpResponse<String> response = this.client.register("a/", "short");
		assertProblem(response, 400, "invalid-request");
		List<String> fields = TestHttp.json(response)
			.get("errors")
			.valueStream()
			.map((error) -> error.get("field").asString())
			.toList();
		assertThat(fields).contains("username", "password");
	}

	@Test
	void refusesMissingAndOverlongFields() {
		assertProblem(this.client.post("/auth/register", Map.of("username", AuthClient.newUsername())), 400,
				"invalid-request");
		assertProblem(this.client.register(AuthClient.newUsername(), "x".repeat(129)), 400, "invalid-request");
		assertProblem(this.client.register("u".repeat(33), AuthClient.PASSWORD), 400, "invalid-request");
		assertProblem(this.client.login("u".repeat(33), AuthClient.PASSWORD), 400, "invalid-request");
	}

	@Test
	void refusesMalformedJson() {
		HttpResponse<String> response = TestHttp.post(this.client.url("/auth/register"), "{\"username\": ");
		assertProblem(response, 400, "malformed-body");
		assertThat(response.body()).doesNotContain("Exception").doesNotContain("at dev.");
	}

	@Test
	void logsInWithTokensAndCookies() {
		String username = AuthClient.newUsername();
		this.client.register(username, AuthClient.PASSWORD);
		HttpResponse<String> response = this.client.login(username.toUpperCase(), AuthClient.PASSWORD);
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode body = TestHttp.json(response);
		assertThat(body.get("token_type").asString()).isEqualTo("Bearer");
		assertThat(body.get("expires_in").asLong()).isEqualTo(900L);
		assertThat(body.get("access_token").asString()).hasSizeGreaterThan(100);
		assertThat(body.get("refresh_token").asString()).matches("[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}");
		assertThat(body.get("session_id").asString()).isEqualTo(body.get("refresh_token").asString().substring(0, 22));
		List<String> cookies = response.headers().allValues("Set-Cookie");
		assertThat(cookies).anySatisfy((cookie) -> assertThat(cookie).startsWith("access_token=")
			.contains("HttpOnly")
			.contains("SameSite=Strict")
			.contains("Secure"));
		assertThat(cookies).anySatisfy((cookie) -> assertThat(cookie).startsWith("csrf_token=")
			.doesNotContain("HttpOnly")
			.contains("SameSite=Strict"));
		assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
	}

	@Test
	void answersUnknownUserAndWrongPasswordAlike() {
		String username = AuthClient.newUsername();
		this.client.register(username, AuthClient.PASSWORD);
		HttpResponse<String> wrongPassword = this.client.login(username, "wrong password");
		HttpResponse<String> unknownUser = this.client.login(AuthClient.newUsername(), AuthClient.PASSWORD);
		assertThat(wrongPassword.statusCode()).isEqualTo(401);
		assertThat(unknownUser.statusCode()).isEqualTo(401);
		assertThat(withoutRequestId(wrongPassword)).isEqualTo(withoutRequestId(unknownUser));
	}

	@Test
	void spendsOneHashOnAnUnknownUserAsOnAWrongPassword() {
		String username = AuthClient.newUsername();
		this.client.register(username, AuthClient.PASSWORD);
		CountingPasswordEncoder.checks.set(0);
		this.client.login(username, "wrong password");
		assertThat(CountingPasswordEncoder.checks.getAndSet(0)).isEqualTo(1);
		this.client.login(AuthClient.newUsername(), "wrong password");
		assertThat(CountingPasswordEncoder.checks.get()).isEqualTo(1);
	}

	@Test
	void throttlesAUsernameFromOneAddressFirst() {
		String username = AuthClient.newUsername();
		this.client.register(username, AuthClient.PASSWORD);
		IntStream.range(0, 3)
			.forEach((i) -> assertThat(this.client.login(username, "wrong password").statusCode()).isEqualTo(401));
		// Even with the right password, not from here; the user can still log in
		// elsewhere.
		HttpResponse<String> response = this.client.login(username, AuthClient.PASSWORD);
		assertProblem(response, 429, "too-many-attempts");
		assertThat(response.headers().firstValue("Retry-After").map(Long::parseLong))
			.hasValueSatisfying((seconds) -> assertThat(seconds).isBetween(1L, 900L));
		assertThat(new AuthClient(this.port).login(username, AuthClient.PASSWORD).statusCode()).isEqualTo(200);
	}

	@Test
	void throttlesAUsernameTriedFromManyAddressesButNeverWhereItsUserLoggedIn() {
		String username = AuthClient.newUsername();
		this.client.register(username, AuthClient.PASSWORD);
		this.client.loginOk(username);
		IntStream.range(0, 6)
			.forEach((i) -> assertThat(new AuthClient(this.port).login(username, "wrong password").statusCode())
				.isEqualTo(401));
		assertProblem(new AuthClient(this.port).login(username, AuthClient.PASSWORD), 429, "too-many-attempts");
		assertThat(this.client.login(username, AuthClient.PASSWORD).statusCode())
			.as("where the user logged in before the attack")
			.isEqualTo(200);
	}

	@Test
	void countsAnIpv6ClientByItsSlash64() {
		String username = AuthClient.newUsername();
		this.client.register(username, AuthClient.PASSWORD);
		// Three addresses of one /64: one client, at its limit of three.
		IntStream.range(1, 4)
			.forEach((i) -> assertThat(
					new AuthClient(this.port, "2001:db8:feed:1::" + i).login(username, "wrong password").statusCode())
				.isEqualTo(401));
		assertProblem(new AuthClient(this.port, "2001:db8:feed:1:ffff::9").login(username, AuthClient.PASSWORD), 429,
				"too-many-attempts");
		assertThat(new AuthClient(this.port, "2001:db8:feed:2::1").login(username, AuthClient.PASSWORD).statusCode())
			.as("the next /64")
			.isEqualTo(200);
	}

	@Test
	void throttlesFailedLoginsPerAddress() {
		IntStream.range(0, 8)
			.forEach((i) -> assertThat(this.client.login(AuthClient.newUsername(), "wrong password").statusCode())
				.isEqualTo(401));
		String username = AuthClient.newUsername();
		new AuthClient(this.port).register(username, AuthClient.PASSWORD);
		assertProblem(this.client.login(username, AuthClient.PASSWORD), 429, "too-many-attempts");
		assertThat(new AuthClient(this.port).login(username, AuthClient.PASSWORD).statusCode()).isEqualTo(200);
	}

	@Test
	void givesSuccessfulLoginsTheirAttemptBack() {
		String username = AuthClient.newUsername();
		this.client.register(username, AuthClient.PASSWORD);
		// More successes than any limit (3, 6, 8), from one address: none is a failure.
		IntStream.range(0, 10)
			.forEach((i) -> assertThat(this.client.login(username, AuthClient.PASSWORD).statusCode()).isEqualTo(200));
		// A refused attempt takes nothing either: the pair limit is reached, the others
		// not.
		IntStream.range(0, 3).forEach((i) -> this.client.login(username, "wrong password"));
		IntStream.range(0, 5)
			.forEach((i) -> assertProblem(this.client.login(username, "wrong password"), 429, "too-many-attempts"));
		assertThat(new AuthClient(this.port).login(username, AuthClient.PASSWORD).statusCode()).isEqualTo(200);
	}

	@Test
	void holdsTheLimitAgainstParallelGuesses() throws Exception {
		String username = AuthClient.newUsername();
		this.client.register(username, AuthClient.PASSWORD);
		CountingPasswordEncoder.checks.set(0);
		List<Integer> statuses;
		try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
			List<Future<Integer>> answers = IntStream.range(0, 20)
				.mapToObj((i) -> pool.submit(() -> this.client.login(username, "wrong password").statusCode()))
				.toList();
			statuses = new ArrayList<>();
			for (Future<Integer> answer : answers) {
				statuses.add(answer.get());
			}
		}
		assertThat(statuses).filteredOn((status) -> status == 401).hasSize(3);
		assertThat(statuses).filteredOn((status) -> status == 429).hasSize(17);
		assertThat(CountingPasswordEncoder.checks).as("passwords checked").hasValue(3);
	}

	@Test
	void limitsRegistrationsPerAddress() {
		IntStream.range(0, 10)
			.forEach((i) -> assertThat(this.client.register(AuthClient.newUsername(), AuthClient.PASSWORD).statusCode())
				.isEqualTo(201));
		assertProblem(this.client.register(AuthClient.newUsername(), AuthClient.PASSWORD), 429, "too-many-attempts");
	}

	@Test
	void describesTheCallerOnMe() {
		JsonNode session = this.client.newSession();
		HttpResponse<String> response = this.client.me(session.get("access_token").asString());
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode me = TestHttp.json(response);
		assertThat(me.get("username").asString()).startsWith("u-");
		assertThat(me.get("roles").valueStream().map(JsonNode::asString)).containsExactly("USER");
		assertThat(me.get("session_id").asString()).isEqualTo(session.get("session_id").asString());
		Instant issuedAt = Instant.parse(me.get("issued_at").asString());
		assertThat(Duration.between(issuedAt, Instant.parse(me.get("expires_at").asString())))
			.isEqualTo(Duration.ofMinutes(15));
		assertThat(issuedAt).isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(1));
	}

	@Test
	void asksForATokenWhenThereIsNone() {
		HttpResponse<String> response = TestHttp.get(this.client.url("/auth/me"));
		assertProblem(response, 401, "unauthenticated");
		assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
	}

	@Test
	void rotatesRefreshTokens() {
		JsonNode first = this.client.newSession();
		HttpResponse<String> response = this.client.refresh(first.get("refresh_token").asString());
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode second = TestHttp.json(response);
		assertThat(second.get("refresh_token").asString()).isNotEqualTo(first.get("refresh_token").asString());
		assertThat(second.get("access_token").asString()).isNotEqualTo(first.get("access_token").asString());
		assertThat(second.get("session_id").asString()).isEqualTo(first.get("session_id").asString());
		assertThat(this.client.me(second.get("access_token").asString()).statusCode()).isEqualTo(200);
		assertThat(this.client.refresh(second.get("refresh_token").asString()).statusCode()).isEqualTo(200);
	}

	@Test
	void revokesTheSessionWhenASpentRefreshTokenComesBack() {
		JsonNode first = this.client.newSession();
		JsonNode second = TestHttp.json(this.client.refresh(first.get("refresh_token").asString()));
		JsonNode third = TestHttp.json(this.client.refresh(second.get("refresh_token").asString()));
		// The first token, spent two rotations ago, is replayed: a thief or a bug.
		HttpResponse<String> replay = this.client.refresh(first.get("refresh_token").asString());
		assertProblem(replay, 401, "invalid-refresh-token");
		assertThat(replay.body()).contains("revoked");
		assertThat(this.client.refresh(third.get("refresh_token").asString()).statusCode()).isEqualTo(401);
		assertThat(this.client.me(third.get("access_token").asString()).statusCode()).isEqualTo(401);
	}

	@Test
	void toleratesAConcurrentRefreshWithoutRevoking() {
		JsonNode first = this.client.newSession();
		JsonNode second = TestHttp.json(this.client.refresh(first.get("refresh_token").asString()));
		// The same token again within the grace window: refused, but the session lives.
		HttpResponse<String> raced = this.client.refresh(first.get("refresh_token").asString());
		assertProblem(raced, 401, "invalid-refresh-token");
		assertThat(raced.body()).contains("just used");
		assertThat(this.client.refresh(second.get("refresh_token").asString()).statusCode()).isEqualTo(200);
	}

	@Test
	void keepsSessionsForTheIdleTimeoutAndEndsThemAtTheAbsoluteLifetime() {
		JsonNode first = this.client.newSession();
		String key = "fulcrum:auth:session:{" + first.get("session_id").asString() + "}";
		assertThat(this.redis.getExpire(key)).as("idle timeout, 24 h").isBetween(86_000L, 86_400L);
		JsonNode second = TestHttp.json(this.client.refresh(first.get("refresh_token").asString()));
		assertThat(this.redis.getExpire(key)).as("pushed back by the refresh").isBetween(86_000L, 86_400L);
		// The absolute lifetime has run out (as if seven days had passed): refresh ends
		// it.
		this.redis.opsForHash().put(key, "expiresAt", String.valueOf(Instant.now().minusSeconds(1).toEpochMilli()));
		assertProblem(this.client.refresh(second.get("refresh_token").asString()), 401, "invalid-refresh-token");
		assertThat(this.redis.hasKey(key)).isFalse();
	}

	@Test
	void refusesMissingOverlongAndMalformedLoginAndRefreshBodies() {
		assertProblem(this.client.post("/auth/login", Map.of("username", "someone")), 400, "invalid-request");
		assertProblem(this.client.login("someone", "x".repeat(129)), 400, "invalid-request");
		assertProblem(this.client.login("some one", AuthClient.PASSWORD), 400, "invalid-request");
		assertProblem(TestHttp.post(this.client.url("/auth/login"), "{\"username\":"), 400, "malformed-body");
		assertProblem(this.client.post("/auth/refresh", Map.of()), 400, "invalid-request");
		assertProblem(this.client.refresh("x".repeat(129)), 400, "invalid-request");
		assertProblem(TestHttp.post(this.client.url("/auth/refresh"), "[1,2"), 400, "malformed-body");
	}

	@Test
	void refusesMadeUpRefreshTokens() {
		assertProblem(this.client.refresh("nonsense"), 401, "invalid-refresh-token");
		JsonNode session = this.client.newSession();
		String forged = session.get("session_id").asString() + "." + "A".repeat(43);
		assertProblem(this.client.refresh(forged), 401, "invalid-refresh-token");
		// A guess does not revoke the real session.
		assertThat(this.client.refresh(session.get("refresh_token").asString()).statusCode()).isEqualTo(200);
	}

	@Test
	void logoutRevokesTheTokenAtOnceAndEndsTheSession() {
		JsonNode session = this.client.newSession();
		String accessToken = session.get("access_token").asString();
		assertThat(this.client.me(accessToken).statusCode()).isEqualTo(200);
		HttpResponse<String> logout = this.client.postWithToken("/auth/logout", accessToken);
		assertThat(logout.statusCode()).isEqualTo(204);
		assertThat(logout.headers().allValues("Set-Cookie"))
			.anySatisfy((cookie) -> assertThat(cookie).startsWith("access_token=;").contains("Max-Age=0"));
		HttpResponse<String> after = this.client.me(accessToken);
		assertProblem(after, 401, "invalid-token");
		assertThat(after.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("error=\"invalid_token\"")
			.contains("revoked");
		assertThat(this.client.refresh(session.get("refresh_token").asString()).statusCode()).isEqualTo(401);
	}

	@Test
	void logoutAllEndsEverySessionOfTheUser() {
		String username = AuthClient.newUsername();
		this.client.register(username, AuthClient.PASSWORD);
		JsonNode laptop = this.client.loginOk(username);
		JsonNode phone = this.client.loginOk(username);
		JsonNode someoneElse = this.client.newSession();
		assertThat(this.client.postWithToken("/auth/logout-all", laptop.get("access_token").asString()).statusCode())
			.isEqualTo(204);
		assertThat(this.client.me(laptop.get("access_token").asString()).statusCode()).isEqualTo(401);
		assertThat(this.client.me(phone.get("access_token").asString()).statusCode()).isEqualTo(401);
		assertThat(this.client.refresh(phone.get("refresh_token").asString()).statusCode()).isEqualTo(401);
		assertThat(this.client.me(someoneElse.get("access_token").asString()).statusCode()).isEqualTo(200);
	}

	/**
	 * Logins racing a logout-all: each either failed, or ended up revoked, or created its
	 * session after the logout-all took effect; none created before it survives. Before,
	 * the logout-all could read the index between a login listing its session and
	 * creating it, skip it as expired, and leave it alive and unlisted.
	 */
	@Test
	void logoutAllEndsTheSessionsOfLoginsRacingIt() throws Exception {
		for (int round = 0; round < 5; round++) {
			String username = AuthClient.newUsername();
			this.client.register(username, AuthClient.PASSWORD);
			String token = this.client.loginOk(username).get("access_token").asString();
			List<HttpResponse<String>> logins;
			HttpResponse<String> logoutAll;
			long loggedOutAt;
			try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
				List<Future<HttpResponse<String>>> racing = IntStream.range(0, 3)
					.mapToObj((i) -> pool.submit(() -> this.client.login(username, AuthClient.PASSWORD)))
					.toList();
				logoutAll = this.client.postWithToken("/auth/logout-all", token);
				loggedOutAt = Long
					.parseLong(this.redis.opsForValue().get("fulcrum:auth:logout-all:{" + subject(token) + "}"));
				logins = new ArrayList<>();
				for (Future<HttpResponse<String>> login : racing) {
					logins.add(login.get());
				}
			}
			assertThat(logoutAll.statusCode()).isEqualTo(204);
			for (HttpResponse<String> login : logins) {
				if (login.statusCode() == 409) {
					assertProblem(login, 409, "logged-out-everywhere");
					continue;
				}
				assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
				String sessionId = TestHttp.json(login).get("session_id").asString();
				boolean revoked = Boolean.TRUE.equals(this.redis.hasKey("fulcrum:revoked:{" + sessionId + "}"));
				String created = (String) this.redis.opsForHash()
					.get("fulcrum:auth:session:{" + sessionId + "}", "createdAt");
				assertThat(revoked || (created != null && Long.parseLong(created) >= loggedOutAt - 1000))
					.as("session " + sessionId + " is revoked, or was created after the logout-all")
					.isTrue();
				if (!revoked) {
					assertThat(this.redis.opsForZSet()
						.score("fulcrum:auth:user-sessions:{" + subject(token) + "}", sessionId))
						.as("a live session is listed, so the next logout-all finds it")
						.isNotNull();
				}
			}
		}
	}

	@Test
	void endsTheOldestSessionPastTheCapOfLiveSessionsPerUser() {
		String username = AuthClient.newUsername();
		this.client.register(username, AuthClient.PASSWORD);
		List<JsonNode> sessions = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			sessions.add(this.client.loginOk(username));
		}
		// The cap is 4 here: the first session ended, with its tokens.
		assertProblem(this.client.me(sessions.get(0).get("access_token").asString()), 401, "invalid-token");
		assertThat(this.client.refresh(sessions.get(0).get("refresh_token").asString()).statusCode()).isEqualTo(401);
		HttpResponse<String> listed = TestHttp.get(this.client.url("/auth/sessions"), "Authorization",
				"Bearer " + sessions.get(4).get("access_token").asString());
		assertThat(TestHttp.json(listed)).hasSize(4);
		assertThat(this.client.me(sessions.get(1).get("access_token").asString()).statusCode()).isEqualTo(200);
	}

	@Test
	void remembersTheLastHundredSpentRefreshTokensOfASessionNotEveryOne() {
		JsonNode session = this.client.newSession();
		String sessionId = session.get("session_id").asString();
		List<String> spent = new ArrayList<>();
		String current = session.get("refresh_token").asString();
		for (int i = 0; i < 105; i++) {
			HttpResponse<String> refreshed = this.client.refresh(current);
			assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
			spent.add(current);
			current = TestHttp.json(refreshed).get("refresh_token").asString();
		}
		// However often a client refreshes, the session's memory stays bounded.
		assertThat(this.redis.opsForZSet().size("fulcrum:auth:session:{" + sessionId + "}:spent")).isEqualTo(100);
		assertProblem(this.client.refresh(spent.get(0)), 401, "invalid-refresh-token");
		assertThat(this.redis.hasKey("fulcrum:revoked:{" + sessionId + "}"))
			.as("forgotten, so not known as reuse: refused, the session left alone")
			.isFalse();
		assertProblem(this.client.refresh(spent.get(60)), 401, "invalid-refresh-token");
		assertThat(this.redis.hasKey("fulcrum:revoked:{" + sessionId + "}")).as("remembered: reuse, revoked").isTrue();
	}

	@Test
	void neverIssuesAnAccessTokenThatOutlivesItsSession() {
		JsonNode first = this.client.newSession();
		String key = "fulcrum:auth:session:{" + first.get("session_id").asString() + "}";
		// Two minutes of the session left: a refresh now must not issue 15 minutes.
		long ends = Instant.now().plusSeconds(120).toEpochMilli();
		this.redis.opsForHash().put(key, "expiresAt", String.valueOf(ends));
		HttpResponse<String> refreshed = this.client.refresh(first.get("refresh_token").asString());
		assertThat(refreshed.statusCode()).isEqualTo(200);
		assertThat(TestHttp.json(refreshed).get("expires_in").asLong()).isBetween(110L, 120L);
		long exp = claims(TestHttp.json(refreshed).get("access_token").asString()).get("exp").asLong();
		assertThat(exp * 1000).isLessThanOrEqualTo(ends);
	}

	@Test
	void listsAndDeletesOwnSessionsOnly() {
		String username = AuthClient.newUsername();
		this.client.register(username, AuthClient.PASSWORD);
		JsonNode laptop = this.client.loginOk(username);
		JsonNode phone = this.client.loginOk(username);
		JsonNode someoneElse = this.client.newSession();
		String laptopToken = laptop.get("access_token").asString();

		HttpResponse<String> list = TestHttp.get(this.client.url("/auth/sessions"), "Authorization",
				"Bearer " + laptopToken);
		assertThat(list.statusCode()).isEqualTo(200);
		List<JsonNode> sessions = TestHttp.json(list).valueStream().toList();
		assertThat(sessions).extracting((s) -> s.get("id").asString())
			.containsExactlyInAnyOrder(laptop.get("session_id").asString(), phone.get("session_id").asString());
		assertThat(sessions).filteredOn((s) -> s.get("current").asBoolean())
			.extracting((s) -> s.get("id").asString())
			.containsExactly(laptop.get("session_id").asString());
		assertThat(sessions).allSatisfy((s) -> {
			assertThat(s.get("client_address").asString()).isEqualTo(this.client.address());
			assertThat(s.get("user_agent").asString()).startsWith("Java-http-client");
			assertThat(Instant.parse(s.get("created_at").asString())).isBeforeOrEqualTo(Instant.now());
			assertThat(s.get("last_seen_at").asString()).isEqualTo(s.get("created_at").asString());
			assertThat(Duration.between(Instant.parse(s.get("created_at").asString()),
					Instant.parse(s.get("expires_at").asString())))
				.isEqualTo(Duration.ofDays(7));
		});

		HttpResponse<String> notMine = TestHttp.send("DELETE",
				this.client.url("/auth/sessions/" + someoneElse.get("session_id").asString()), null, "Authorization",
				"Bearer " + laptopToken);
		assertProblem(notMine, 404, "session-not-found");
		assertThat(this.client.me(someoneElse.get("access_token").asString()).statusCode()).isEqualTo(200);

		HttpResponse<String> mine = TestHttp.send("DELETE",
				this.client.url("/auth/sessions/" + phone.get("session_id").asString()), null, "Authorization",
				"Bearer " + laptopToken);
		assertThat(mine.statusCode()).isEqualTo(204);
		assertThat(this.client.me(phone.get("access_token").asString()).statusCode()).isEqualTo(401);
		assertThat(this.client.me(laptopToken).statusCode()).isEqualTo(200);
	}

	@Test
	void cookieAuthenticatedLogoutNeedsTheCsrfToken() {
		JsonNode session = this.client.newSession();
		String cookie = "access_token=" + session.get("access_token").asString() + "; csrf_token=abc123";
		HttpResponse<String> withoutHeader = this.client.post("/auth/logout", null, "Cookie", cookie);
		assertProblem(withoutHeader, 403, "csrf");
		HttpResponse<String> wrongHeader = this.client.post("/auth/logout", null, "Cookie", cookie, "X-CSRF-Token",
				"abc124");
		assertProblem(wrongHeader, 403, "csrf");
		assertThat(this.client.me(session.get("access_token").asString()).statusCode()).isEqualTo(200);
		HttpResponse<String> withHeader = this.client.post("/auth/logout", null, "Cookie", cookie, "X-CSRF-Token",
				"abc123");
		assertThat(withHeader.statusCode()).isEqualTo(204);
	}

	@Test
	void loginStillWorksWithAStaleCookieAndNoCsrfHeader() {
		JsonNode session = this.client.newSession();
		String username = TestHttp.json(this.client.me(session.get("access_token").asString()))
			.get("username")
			.asString();
		HttpResponse<String> response = this.client.post("/auth/login",
				Map.of("username", username, "password", AuthClient.PASSWORD), "Cookie",
				"access_token=" + session.get("access_token").asString());
		assertThat(response.statusCode()).isEqualTo(200);
	}

	@Test
	void readsTheTokenFromTheCookieForSafeRequests() {
		JsonNode session = this.client.newSession();
		HttpResponse<String> response = TestHttp.get(this.client.url("/auth/me"), "Cookie",
				"access_token=" + session.get("access_token").asString());
		assertThat(response.statusCode()).isEqualTo(200);
	}

	@Test
	void madeUpKeyIdsNeitherSlowPublicEndpointsNorQueueUp() {
		assertTimeoutPreemptively(Duration.ofSeconds(6), () -> {
			try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
				List<Future<HttpResponse<String>>> publicCalls = IntStream.range(0, 30)
					.mapToObj((i) -> pool.submit(() -> TestHttp.get(this.client.url("/.well-known/jwks.json"),
							"Authorization", "Bearer " + madeUpKeyId("public-" + i))))
					.toList();
				List<Future<HttpResponse<String>>> protectedCalls = IntStream.range(0, 30)
					.mapToObj((i) -> pool.submit(() -> TestHttp.get(this.client.url("/auth/me"), "Authorization",
							"Bearer " + madeUpKeyId("protected-" + i))))
					.toList();
				for (Future<HttpResponse<String>> call : publicCalls) {
					assertThat(call.get().statusCode()).isEqualTo(200);
				}
				for (Future<HttpResponse<String>> call : protectedCalls) {
					assertThat(call.get().headers().firstValue("WWW-Authenticate").orElseThrow())
						.contains("unknown key");
				}
			}
		});
	}

	private static String madeUpKeyId(String keyId) {
		String header = "{\"alg\":\"ES256\",\"kid\":\"" + keyId + "\"}";
		return Base64.getUrlEncoder().withoutPadding().encodeToString(header.getBytes(StandardCharsets.UTF_8))
				+ ".e30.AAAA";
	}

	@Test
	void publishesOnlyPublicKeys() {
		HttpResponse<String> response = TestHttp.get(this.client.url("/.well-known/jwks.json"));
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/jwk-set+json");
		List<JsonNode> keys = TestHttp.json(response).get("keys").valueStream().toList();
		assertThat(keys).isNotEmpty().allSatisfy((key) -> {
			assertThat(key.get("kid").asString()).isNotBlank();
			assertThat(key.get("alg").asString()).isEqualTo("ES256");
			assertThat(key.get("use").asString()).isEqualTo("sig");
			assertThat(key.has("d")).as("private parameter d").isFalse();
		});
	}

	private static JsonNode claims(String token) {
		return JSON.readTree(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8));
	}

	private static String subject(String token) {
		return claims(token).get("sub").asString();
	}

	static void assertProblem(HttpResponse<String> response, int status, String slug) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
		JsonNode problem = TestHttp.json(response);
		assertThat(problem.get("type").asString()).isEqualTo("urn:fulcrum:problem:" + slug);
		assertThat(problem.get("status").asInt()).isEqualTo(status);
		assertThat(problem.get("title").asString()).isNotBlank();
		assertThat(problem.get("detail").asString()).isNotBlank();
		assertThat(problem.get("requestId").asString()).isNotBlank();
	}

	private static String withoutRequestId(HttpResponse<String> response) {
		return TestHttp.json(response).deepCopy().toString().replaceAll("\"requestId\":\"[^\"]*\"", "");
	}

}
