package dev.fulcrum.auth.token;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Jwks;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.fulcrum.auth.AuthServiceApplication;
import dev.fulcrum.auth.AuthServiceTest;
import dev.fulcrum.testsupport.TestHttp;
import dev.fulcrum.testsupport.TestRedis;
import dev.fulcrum.token.AccessToken;
import dev.fulcrum.token.RemoteJwks;
import dev.fulcrum.token.TokenProperties;
import dev.fulcrum.token.TokenVerifier;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two auth replicas on one Redis, each with its own signing key: tokens of either verify
 * at the other and at an independent verifier reading the published JWK Set, and a key
 * rotation leaves live tokens valid.
 */
@AuthServiceTest
class ReplicasAndRotationTests {

	static ConfigurableApplicationContext second;

	@LocalServerPort
	int port;

	@Autowired
	SigningKeys keys;

	@Autowired
	StringRedisTemplate redis;

	@BeforeAll
	static void startSecondReplica() {
		// Arguments, not default properties: they must win over application.yml.
		second = new SpringApplicationBuilder(AuthServiceApplication.class).run("--server.port=0",
				"--management.server.port=0", "--fulcrum.instance-id=auth-test-2",
				"--spring.data.redis.url=" + TestRedis.start().url(), "--fulcrum.auth.password.memory-kib=1024",
				"--fulcrum.auth.password.iterations=1");
	}

	@AfterAll
	static void stopSecondReplica() {
		second.close();
	}

	@Test
	void eachReplicaAcceptsTheOthersTokens() {
		String username = "r-" + UUID.randomUUID().toString().substring(0, 8);
		register(this.port, username);
		String fromFirst = login(this.port, username);
		String fromSecond = login(secondPort(), username);
		assertThat(keyId(fromFirst)).isNotEqualTo(keyId(fromSecond));
		assertThat(me(secondPort(), fromFirst).statusCode()).isEqualTo(200);
		assertThat(me(this.port, fromSecond).statusCode()).isEqualTo(200);
		assertThat(publishedKeyIds(this.port)).contains(keyId(fromFirst), keyId(fromSecond));
		assertThat(publishedKeyIds(secondPort())).isEqualTo(publishedKeyIds(this.port));
	}

	@Test
	void rotationKeepsLiveTokensValidEverywhere() throws Exception {
		String username = "k-" + UUID.randomUUID().toString().substring(0, 8);
		register(this.port, username);
		String before = login(this.port, username);
		this.keys.rotate();
		// A heartbeat prunes the set: the retired key must survive it.
		this.keys.heartbeat();
		String after = login(this.port, username);
		assertThat(keyId(after)).isNotEqualTo(keyId(before));
		assertThat(publishedKeyIds(this.port)).contains(keyId(before), keyId(after));
		long notAfter = ((Number) JsonMapper.builder()
			.build()
			.readValue((String) this.redis.opsForHash().get(SigningKeys.JWKS_KEY, keyId(after)), Map.class)
			.get("notAfter")).longValue();
		assertThat(notAfter).as("published at least as long as a token it signs can live")
			.isGreaterThanOrEqualTo(Instant.now().plusSeconds(15 * 60 + 30).getEpochSecond());

		assertThat(me(secondPort(), before).statusCode()).isEqualTo(200);
		assertThat(me(secondPort(), after).statusCode()).isEqualTo(200);
		TokenVerifier independent = remoteVerifier(secondPort());
		assertThat(independent.verify(before).block()).extracting(AccessToken::username).isEqualTo(username);
		assertThat(independent.verify(after).block()).extracting(AccessToken::username).isEqualTo(username);
	}

	@Test
	void dropsKeysOnlyOnceTheirTokensCanNoLongerBeAlive() {
		String expired = "expired-" + UUID.randomUUID();
		String live = "live-" + UUID.randomUUID();
		this.redis.opsForHash().put(SigningKeys.JWKS_KEY, expired, entry(Instant.now().minusSeconds(1)));
		this.redis.opsForHash().put(SigningKeys.JWKS_KEY, live, entry(Instant.now().plusSeconds(600)));
		this.keys.heartbeat();
		assertThat(this.redis.opsForHash().keys(SigningKeys.JWKS_KEY)).contains(live).doesNotContain(expired);
		this.redis.opsForHash().delete(SigningKeys.JWKS_KEY, live);
	}

	private static String entry(Instant notAfter) {
		var jwk = Jwks.builder()
			.key(Jwts.SIG.ES256.keyPair().build().getPublic())
			.algorithm("ES256")
			.idFromThumbprint()
			.build();
		return JsonMapper.builder()
			.build()
			.writeValueAsString(Map.of("jwk", Map.copyOf(jwk), "notAfter", notAfter.getEpochSecond()));
	}

	private static TokenVerifier remoteVerifier(int port) throws Exception {
		TokenProperties properties = TokenProperties.defaults()
			.withJwksUri(URI.create("http://127.0.0.1:" + port + "/.well-known/jwks.json"));
		RemoteJwks jwks = new RemoteJwks(properties, Clock.systemUTC());
		jwks.refreshNow();
		return new TokenVerifier(properties, jwks, Clock.systemUTC());
	}

	private static int secondPort() {
		return Integer.parseInt(second.getEnvironment().getRequiredProperty("local.server.port"));
	}

	private static void register(int port, String username) {
		HttpResponse<String> response = TestHttp.post("http://127.0.0.1:" + port + "/auth/register",
				TestHttp.toJson(Map.of("username", username, "password", "long enough password")));
		assertThat(response.statusCode()).isEqualTo(201);
	}

	private static String login(int port, String username) {
		HttpResponse<String> response = TestHttp.post("http://127.0.0.1:" + port + "/auth/login",
				TestHttp.toJson(Map.of("username", username, "password", "long enough password")));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return TestHttp.json(response).get("access_token").asString();
	}

	private static HttpResponse<String> me(int port, String token) {
		return TestHttp.get("http://127.0.0.1:" + port + "/auth/me", "Authorization", "Bearer " + token);
	}

	private static List<String> publishedKeyIds(int port) {
		JsonNode set = TestHttp.json(TestHttp.get("http://127.0.0.1:" + port + "/.well-known/jwks.json"));
		return set.get("keys").valueStream().map((key) -> key.get("kid").asString()).sorted().toList();
	}

	private static String keyId(String token) {
		String header = new String(Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))));
		return JsonMapper.builder().build().readTree(header).get("kid").asString();
	}

}
