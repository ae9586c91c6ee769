package dev.fulcrum.api;

import java.net.http.HttpResponse;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;

import dev.fulcrum.testsupport.ServiceContractTests;
import dev.fulcrum.testsupport.TestTokenIssuer;
import dev.fulcrum.token.RevocationKeys;
import dev.fulcrum.testsupport.TestHttp;
import dev.fulcrum.testsupport.TestRedisConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "fulcrum.instance-id=api-test-1" })
@Import(TestRedisConfiguration.class)
class ApiServiceApplicationTests extends ServiceContractTests {

	static final TestTokenIssuer issuer = new TestTokenIssuer();

	@Autowired
	StringRedisTemplate redis;

	@DynamicPropertySource
	static void jwks(DynamicPropertyRegistry registry) {
		registry.add("fulcrum.token.jwks-uri", issuer::jwksUri);
	}

	@AfterAll
	static void stopIssuer() {
		issuer.close();
	}

	@Override
	protected String instanceId() {
		return "api-test-1";
	}

	@Override
	protected List<String> openApiDocument() {
		return List.of("/api/openapi.json", "GET /api/hello", "GET /api/me", "GET /api/catalog", "POST /api/jobs",
				"GET /api/jobs/{id}");
	}

	@Test
	void hasNoFaultSwitchUnlessEnabled() {
		assertThat(TestHttp.get("http://localhost:" + this.managementPort + "/actuator/faults").statusCode())
			.isEqualTo(404);
	}

	@Test
	void helloNamesTheInstanceInBodyAndHeader() {
		HttpResponse<String> response = TestHttp.get("http://localhost:" + this.port + "/api/hello");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(response.headers().firstValue("X-Served-By")).hasValue("api-test-1");
		assertThat(TestHttp.json(response).get("instance").asString()).isEqualTo("api-test-1");
		assertThat(TestHttp.json(response).get("message").asString()).isNotBlank();
	}

	@Test
	void meNamesTheVerifiedUserAndTheInstance() {
		HttpResponse<String> response = me("Bearer " + issuer.token("alice"));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		assertThat(TestHttp.json(response).get("username").asString()).isEqualTo("alice");
		assertThat(TestHttp.json(response).get("instance").asString()).isEqualTo("api-test-1");
	}

	@Test
	void meNeedsAToken() {
		HttpResponse<String> response = TestHttp.get("http://localhost:" + this.port + "/api/me");
		assertThat(response.statusCode()).isEqualTo(401);
		assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
		assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
	}

	@Test
	void meRefusesAnExpiredToken() {
		String expired = issuer.token("bob", "s-expired",
				(jwt) -> jwt.issuedAt(Date.from(Instant.now().minus(Duration.ofMinutes(30))))
					.expiration(Date.from(Instant.now().minus(Duration.ofMinutes(5)))));
		HttpResponse<String> response = me("Bearer " + expired);
		assertThat(response.statusCode()).isEqualTo(401);
		assertThat(response.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("error=\"invalid_token\"")
			.contains("expired");
	}

	@Test
	void meRefusesARevokedSessionOnTheNextRequest() {
		String sessionId = "s-" + UUID.randomUUID();
		String token = issuer.token("carol", sessionId, (jwt) -> jwt);
		assertThat(me("Bearer " + token).statusCode()).isEqualTo(200);
		this.redis.opsForValue().set(RevocationKeys.session(sessionId), "1", Duration.ofMinutes(16));
		HttpResponse<String> response = me("Bearer " + token);
		assertThat(response.statusCode()).isEqualTo(401);
		assertThat(response.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("revoked");
	}

	@Test
	void meRefusesADeniedTokenButNotItsSessionsOtherTokens() {
		String sessionId = "s-" + UUID.randomUUID();
		String denied = issuer.token("dave", sessionId, (jwt) -> jwt.id("denied-" + sessionId));
		String sibling = issuer.token("dave", sessionId, (jwt) -> jwt);
		this.redis.opsForValue()
			.set(RevocationKeys.token(sessionId, TestTokenIssuer.ISSUER, "denied-" + sessionId), "1",
					Duration.ofMinutes(16));
		assertThat(me("Bearer " + denied).statusCode()).isEqualTo(401);
		assertThat(me("Bearer " + sibling).statusCode()).isEqualTo(200);
	}

	@Test
	void learnsRevocationsFromTheChannelWithoutAskingRedis() {
		String sessionId = "s-" + UUID.randomUUID();
		String token = issuer.token("erin", sessionId, (jwt) -> jwt);
		assertThat(me("Bearer " + token).statusCode()).isEqualTo(200);
		// Announced but not written: only the subscription can make the next call fail.
		this.redis.convertAndSend(RevocationKeys.CHANNEL, RevocationKeys.session(sessionId));
		await().atMost(Duration.ofSeconds(5))
			.pollInterval(Duration.ofMillis(50))
			.until(() -> me("Bearer " + token).statusCode() == 401);
		assertThat(this.redis.hasKey(RevocationKeys.session(sessionId))).isFalse();
	}

	@Test
	void publicEndpointsAnswerHeadAsWellAsGet() {
		assertThat(TestHttp.send("HEAD", "http://localhost:" + this.port + "/api/hello", null).statusCode())
			.isEqualTo(200);
	}

	@Test
	void helloStaysPublicWithAStaleCookie() {
		HttpResponse<String> response = TestHttp.get("http://localhost:" + this.port + "/api/hello", "Cookie",
				"access_token=not-a-token");
		assertThat(response.statusCode()).isEqualTo(200);
	}

	private HttpResponse<String> me(String authorization) {
		return TestHttp.get("http://localhost:" + this.port + "/api/me", "Authorization", authorization);
	}

}
