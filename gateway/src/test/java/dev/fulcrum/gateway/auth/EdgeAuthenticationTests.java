package dev.fulcrum.gateway.auth;

import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

import dev.fulcrum.testsupport.TestHttp;
import dev.fulcrum.testsupport.TestRedisConfiguration;
import dev.fulcrum.testsupport.TestTokenIssuer;
import dev.fulcrum.token.RevocationKeys;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Jwks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.cloud.gateway.filter.GlobalFilter;
import org.springframework.cloud.gateway.filter.NettyRoutingFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.Ordered;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.server.ServerWebExchange;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway in front of a real HTTP upstream, with a real JWK Set server and the test
 * Redis: protected routes need a valid, unrevoked token; public ones need nothing.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "management.server.port=0")
@Import({ TestRedisConfiguration.class, EdgeAuthenticationTests.ThreadRecorder.class })
class EdgeAuthenticationTests {

	static final TestUpstream upstream = new TestUpstream();

	static final TestTokenIssuer issuer = new TestTokenIssuer();

	@LocalServerPort
	int port;

	@Autowired
	StringRedisTemplate redis;

	@DynamicPropertySource
	static void upstreamsAndKeys(DynamicPropertyRegistry registry) {
		upstream.routeTo(registry, issuer);
	}

	@AfterAll
	static void stopServers() {
		upstream.stop();
		issuer.close();
	}

	@Test
	void letsPublicRoutesThroughWithoutAToken() {
		assertThat(get("/api/hello").statusCode()).isEqualTo(200);
		assertThat(get("/api/work?ms=0").statusCode()).isEqualTo(200);
		assertThat(get("/.well-known/jwks.json").statusCode()).isEqualTo(200);
		assertThat(TestHttp.post(url("/auth/login"), "{}").statusCode()).isEqualTo(200);
	}

	@Test
	void tellsUpstreamsTheRealClientAddressNotAClaimedOne() {
		HttpResponse<String> response = get("/api/hello", "X-Forwarded-For", "203.0.113.66");
		assertThat(response.headers().firstValue("X-Upstream-Saw-Forwarded-For")).hasValue("127.0.0.1");
	}

	@Test
	void letsPublicRoutesThroughEvenWithABadToken() {
		assertThat(get("/api/hello", "Authorization", "Bearer not-a-token").statusCode()).isEqualTo(200);
	}

	@Test
	void refusesAProtectedRouteWithoutAToken() {
		HttpResponse<String> response = get("/api/me", "X-Request-Id", "no-token-1");
		assertThat(response.statusCode()).isEqualTo(401);
		assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		JsonNode problem = TestHttp.json(response);
		assertThat(problem.get("type").asString()).isEqualTo("urn:fulcrum:problem:unauthenticated");
		assertThat(problem.get("status").asInt()).isEqualTo(401);
		assertThat(problem.get("title").asString()).isNotBlank();
		assertThat(problem.get("detail").asString()).isNotBlank();
		assertThat(problem.get("requestId").asString()).isEqualTo("no-token-1");
		assertThat(response.headers().firstValue("X-Request-Id")).hasValue("no-token-1");
	}

	@Test
	void carriesTheGeneratedRequestIdInTheProblem() {
		HttpResponse<String> response = get("/api/me");
		String requestId = response.headers().firstValue("X-Request-Id").orElseThrow();
		assertThat(TestHttp.json(response).get("requestId").asString()).isEqualTo(requestId);
	}

	@Test
	void requiresATokenForSubPathsAndOtherMethodsOfPublicEndpoints() {
		assertThat(get("/api/catalog/secret").statusCode()).isEqualTo(401);
		assertThat(TestHttp.post(url("/api/hello"), "{}").statusCode()).isEqualTo(401);
		assertThat(get("/auth/login").statusCode()).isEqualTo(401);
		assertThat(get("/api").statusCode()).isEqualTo(401);
	}

	@Test
	void requiresATokenForEncodedSpellingsOfProtectedPaths() {
		assertThat(get("/%61pi/me").statusCode()).isEqualTo(401);
		assertThat(get("/api/hello%2F..%2Fme").statusCode()).isEqualTo(401);
		assertThat(get("/api/hello/../me").statusCode()).isEqualTo(401);
	}

	@Test
	void passesAValidBearerTokenOnUnchanged() {
		String token = validToken();
		HttpResponse<String> response = get("/api/me", "Authorization", "Bearer " + token);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("X-Upstream-Saw-Authorization")).hasValue("Bearer " + token);
	}

	@Test
	void proxiesAnAuthenticatedRequestFromItsOwnEventLoopNotFromRedisClientThread() {
		ThreadRecorder.threads.clear();
		for (int i = 0; i < 5; i++) {
			assertThat(get("/api/me", "Authorization", "Bearer " + validToken()).statusCode()).isEqualTo(200);
		}
		// Had the request stayed on the thread that read Redis's answer (the revocation
		// lookup, within the rate limit's script), one Lettuce thread would proxy every
		// authenticated request.
		assertThat(ThreadRecorder.threads).hasSize(5)
			.allSatisfy((name) -> assertThat(name).contains("http-").doesNotContain("lettuce"));
	}

	@Test
	void passesAValidCookieTokenOnAGet() {
		String token = validToken();
		HttpResponse<String> response = get("/auth/me", "Cookie", "access_token=" + token);
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("X-Upstream-Saw-Cookie")).hasValue("access_token=" + token);
	}

	@Test
	void refusesACookieAuthenticatedPostWithoutItsCsrfToken() {
		HttpResponse<String> response = TestHttp.post(url("/api/jobs"), "{}", "Cookie",
				"access_token=" + validToken() + "; csrf_token=abc");
		assertThat(response.statusCode()).isEqualTo(403);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(TestHttp.json(response).get("type").asString()).isEqualTo("urn:fulcrum:problem:csrf");
	}

	@Test
	void refusesACookieAuthenticatedPostWithAWrongCsrfToken() {
		HttpResponse<String> response = TestHttp.post(url("/api/jobs"), "{}", "Cookie",
				"access_token=" + validToken() + "; csrf_token=abc", "X-CSRF-Token", "xyz");
		assertThat(response.statusCode()).isEqualTo(403);
	}

	@Test
	void passesACookieAuthenticatedPostWithAMatchingCsrfToken() {
		HttpResponse<String> response = TestHttp.post(url("/api/jobs"), "{}", "Cookie",
				"access_token=" + validToken() + "; csrf_token=abc", "X-CSRF-Token", "abc");
		assertThat(response.statusCode()).isEqualTo(200);
	}

	@Test
	void passesABearerAuthenticatedPostWithoutACsrfToken() {
		HttpResponse<String> response = TestHttp.post(url("/api/jobs"), "{}", "Authorization",
				"Bearer " + validToken());
		assertThat(response.statusCode()).isEqualTo(200);
	}

	@Test
	void refusesAnExpiredToken() {
		HttpResponse<String> response = get("/api/me", "Authorization", "Bearer " + expiredToken());
		assertInvalidToken(response, "token has expired");
	}

	@Test
	void refusesATokenSignedByAnUnknownKey() {
		HttpResponse<String> response = get("/api/me", "Authorization", "Bearer " + tokenSignedByAnUnknownKey());
		assertInvalidToken(response, "token is signed by an unknown key");
	}

	@Test
	void refusesAMalformedToken() {
		HttpResponse<String> response = get("/api/me", "Cookie", "access_token=not.a.token");
		assertInvalidToken(response, "malformed token");
	}

	@Test
	void refusesATokenOnTheVeryNextRequestAfterItsSessionIsRevoked() {
		String sessionId = UUID.randomUUID().toString();
		String token = issuer.token("alice", sessionId, UnaryOperator.identity());
		assertThat(get("/api/me", "Authorization", "Bearer " + token).statusCode()).isEqualTo(200);
		this.redis.opsForValue().set(RevocationKeys.session(sessionId), "1", Duration.ofMinutes(20));
		HttpResponse<String> response = get("/api/me", "Authorization", "Bearer " + token);
		assertInvalidToken(response, "token has been revoked");
	}

	@Test
	void refusesADeniedTokenButNotItsSessionsOtherTokens() {
		String sessionId = UUID.randomUUID().toString();
		String denied = issuer.token("alice", sessionId, (jwt) -> jwt.id("denied-" + sessionId));
		String sibling = issuer.token("alice", sessionId, UnaryOperator.identity());
		this.redis.opsForValue()
			.set(RevocationKeys.token(sessionId, TestTokenIssuer.ISSUER, "denied-" + sessionId), "1",
					Duration.ofMinutes(20));
		assertInvalidToken(get("/api/me", "Authorization", "Bearer " + denied), "token has been revoked");
		assertThat(get("/api/me", "Authorization", "Bearer " + sibling).statusCode()).isEqualTo(200);
	}

	private static void assertInvalidToken(HttpResponse<String> response, String reason) {
		assertThat(response.statusCode()).isEqualTo(401);
		assertThat(response.headers().firstValue("WWW-Authenticate"))
			.hasValue("Bearer error=\"invalid_token\", error_description=\"" + reason + "\"");
		JsonNode problem = TestHttp.json(response);
		assertThat(problem.get("type").asString()).isEqualTo("urn:fulcrum:problem:invalid-token");
		assertThat(problem.get("requestId").asString()).isEqualTo(response.headers().firstValue("X-Request-Id").get());
	}

	private static String validToken() {
		return issuer.token("alice");
	}

	/** Expired five minutes ago, well beyond the verifiers' clock skew. */
	private static String expiredToken() {
		Instant now = Instant.now();
		return issuer.token("alice", UUID.randomUUID().toString(),
				(token) -> token.issuedAt(Date.from(now.minus(Duration.ofMinutes(20))))
					.expiration(Date.from(now.minus(Duration.ofMinutes(5)))));
	}

	/** Well formed, but signed by a key that is not in the JWK Set. */
	private static String tokenSignedByAnUnknownKey() {
		KeyPair stranger = Jwts.SIG.ES256.keyPair().build();
		String keyId = Jwks.builder().key(stranger.getPublic()).idFromThumbprint().build().getId();
		return issuer.token("alice", UUID.randomUUID().toString(),
				(token) -> token.header().keyId(keyId).and().signWith(stranger.getPrivate(), Jwts.SIG.ES256));
	}

	private HttpResponse<String> get(String path, String... headers) {
		return TestHttp.get(url(path), headers);
	}

	private String url(String path) {
		return "http://localhost:" + this.port + path;
	}

	/**
	 * Notes which thread carries each request to /api/me to the proxy, past the token
	 * check and its revocation lookup.
	 */
	@TestConfiguration(proxyBeanMethods = false)
	static class ThreadRecorder {

		static final List<String> threads = new CopyOnWriteArrayList<>();

		@Bean
		GlobalFilter threadRecorder() {
			return new RecordingFilter();
		}

		static class RecordingFilter implements GlobalFilter, Ordered {

			@Override
			public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
				if (exchange.getRequest().getPath().value().equals("/api/me")) {
					threads.add(Thread.currentThread().getName());
				}
				return chain.filter(exchange);
			}

			@Override
			public int getOrder() {
				// Just before the proxy filter.
				return NettyRoutingFilter.ORDER - 20;
			}

		}

	}

}
