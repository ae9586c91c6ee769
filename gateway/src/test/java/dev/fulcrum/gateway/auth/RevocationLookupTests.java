package dev.fulcrum.gateway.auth;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.UnaryOperator;

import dev.fulcrum.gateway.GatewayRedisUser;
import dev.fulcrum.testsupport.TestHttp;
import dev.fulcrum.testsupport.TestRedis;
import dev.fulcrum.testsupport.TestRedisConfiguration;
import dev.fulcrum.testsupport.TestTokenIssuer;
import dev.fulcrum.token.RevocationKeys;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Where the edge looks a token's revocation up, read from what the test Redis is sent
 * ({@code MONITOR}): beside the rate limit's script on a limited route, on its own before
 * an edge-cache hit, and on its own when no limit applies; and as the gateway's own Redis
 * user of {@code docker/redis-users.acl}, which may only read the revocation list.
 */
class RevocationLookupTests {

	static final TestUpstream upstream = new TestUpstream();

	static final TestTokenIssuer issuer = new TestTokenIssuer();

	@DynamicPropertySource
	static void upstreamsAndKeys(DynamicPropertyRegistry registry) {
		upstream.routeTo(registry, issuer);
	}

	@AfterAll
	static void stopServers() {
		upstream.stop();
		issuer.close();
	}

	@Nested
	@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "management.server.port=0",
					// The edge cache's path protected, as a deployment may have it.
					"fulcrum.gateway.auth.public-paths=GET /api/hello" })
	@Import(TestRedisConfiguration.class)
	class WithTheRateLimit {

		@LocalServerPort
		int port;

		@Autowired
		StringRedisTemplate redis;

		@Test
		void sendsOneLookupAndOneLimitScriptPerRequest() throws IOException {
			String token = issuer.token("one-trip-" + UUID.randomUUID());
			// The first call may load the script.
			assertThat(get(this.port, "/api/me", token).statusCode()).isEqualTo(200);
			List<String> commands = commandsSentWhile(this.redis, () -> {
				for (int i = 0; i < 4; i++) {
					assertThat(get(this.port, "/api/me", token).statusCode()).isEqualTo(200);
				}
			});
			assertThat(commands).containsExactlyInAnyOrder("exists", "evalsha", "exists", "evalsha", "exists",
					"evalsha", "exists", "evalsha");
		}

		@Test
		void refusesARevokedTokenOnALimitedRouteBeforeItReachesTheService() {
			String sessionId = UUID.randomUUID().toString();
			String token = issuer.token("revoked-" + sessionId, sessionId, UnaryOperator.identity());
			assertThat(get(this.port, "/api/me", token).statusCode()).isEqualTo(200);
			this.redis.opsForValue().set(RevocationKeys.session(sessionId), "1", Duration.ofMinutes(20));
			int received = upstream.received("/api/me");
			HttpResponse<String> refused = get(this.port, "/api/me", token);
			assertThat(refused.statusCode()).isEqualTo(401);
			assertThat(TestHttp.json(refused).get("type").asString()).isEqualTo("urn:fulcrum:problem:invalid-token");
			assertThat(upstream.received("/api/me")).isEqualTo(received);
		}

		@Test
		void looksTheRevocationUpBeforeServingFromTheEdgeCache() {
			String sessionId = UUID.randomUUID().toString();
			String token = issuer.token("cache-reader", sessionId, UnaryOperator.identity());
			String path = "/api/catalog";
			assertThat(get(this.port, path, issuer.token("cache-filler")).statusCode()).isEqualTo(200);
			HttpResponse<String> hit = get(this.port, path, token);
			assertThat(hit.headers().firstValue("X-Cache")).hasValue("HIT");
			this.redis.opsForValue().set(RevocationKeys.session(sessionId), "1", Duration.ofMinutes(20));
			HttpResponse<String> refused = get(this.port, path, token);
			assertThat(refused.statusCode()).isEqualTo(401);
			assertThat(refused.headers().firstValue("X-Cache")).isEmpty();
		}

	}

	@Nested
	@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
			properties = { "management.server.port=0", "fulcrum.gateway.rate-limit.enabled=false" })
	@Import(TestRedisConfiguration.class)
	class WithoutARateLimit {

		@LocalServerPort
		int port;

		@Autowired
		StringRedisTemplate redis;

		@Test
		void looksEachRequestUpOnItsOwnAndRefusesARevokedToken() throws IOException {
			String sessionId = UUID.randomUUID().toString();
			String token = issuer.token("no-limit", sessionId, UnaryOperator.identity());
			assertThat(get(this.port, "/api/me", token).statusCode()).isEqualTo(200);
			List<String> commands = commandsSentWhile(this.redis, () -> {
				for (int i = 0; i < 3; i++) {
					assertThat(get(this.port, "/api/me", token).statusCode()).isEqualTo(200);
				}
			});
			assertThat(commands).containsExactly("exists", "exists", "exists");
			this.redis.opsForValue().set(RevocationKeys.session(sessionId), "1", Duration.ofMinutes(20));
			int received = upstream.received("/api/me");
			assertThat(get(this.port, "/api/me", token).statusCode()).isEqualTo(401);
			assertThat(upstream.received("/api/me")).isEqualTo(received);
		}

	}

	/**
	 * The gateway as compose, Kubernetes and {@code ./fulcrum up} connect it: as the user
	 * {@code gateway} of the shipped ACL file, which may only read the revocation list.
	 */
	@Nested
	@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "management.server.port=0")
	@Import(GatewayRedisUser.class)
	class AsItsOwnRedisUser {

		@LocalServerPort
		int port;

		@Autowired
		StringRedisTemplate redis;

		@Test
		void connectsAsTheGatewayUserWhichMayNotWriteTheRevocationList() {
			assertThatExceptionOfType(RuntimeException.class)
				.isThrownBy(() -> this.redis.opsForValue().set(RevocationKeys.session("acl-probe"), "1"))
				.withStackTraceContaining("NOPERM");
			assertThat(this.redis.hasKey(RevocationKeys.session("acl-probe"))).as("reading is allowed").isFalse();
		}

		@Test
		void passesAValidTokenOnALimitedRouteAndRefusesARevokedOne() throws IOException {
			String sessionId = UUID.randomUUID().toString();
			String token = issuer.token("acl-" + sessionId, sessionId, UnaryOperator.identity());
			HttpResponse<String> passed = get(this.port, "/api/me", token);
			assertThat(passed.statusCode()).isEqualTo(200);
			assertThat(passed.headers().firstValue("X-RateLimit-Remaining")).as("the limit was checked").isPresent();
			GatewayRedisUser.command("SET " + RevocationKeys.session(sessionId) + " 1 EX 1200");
			assertThat(get(this.port, "/api/me", token).statusCode()).isEqualTo(401);
		}

	}

	private static HttpResponse<String> get(int port, String path, String token) {
		return TestHttp.get("http://localhost:" + port + path, "Authorization", "Bearer " + token);
	}

	/**
	 * The commands clients sent Redis while an action ran, read from {@code MONITOR}
	 * (which also shows what scripts call, marked {@code lua}: those are left out).
	 */
	private static List<String> commandsSentWhile(StringRedisTemplate redis, Runnable action) throws IOException {
		LettuceConnectionFactory factory = (LettuceConnectionFactory) redis.getConnectionFactory();
		String marker = "end-of-monitor-" + UUID.randomUUID();
		// Connected before, so that its handshake is not among the commands.
		redis.hasKey(marker);
		try (Socket socket = new Socket(factory.getHostName(), factory.getPort())) {
			socket.setSoTimeout(5_000);
			BufferedReader in = new BufferedReader(
					new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
			socket.getOutputStream().write("MONITOR\r\n".getBytes(StandardCharsets.UTF_8));
			assertThat(in.readLine()).isEqualTo("+OK");
			action.run();
			redis.hasKey(marker);
			List<String> commands = new ArrayList<>();
			while (true) {
				String line = in.readLine();
				assertThat(line).as("MONITOR's stream, up to the marker").isNotNull();
				if (line.contains(marker)) {
					return commands;
				}
				if (!line.contains(" lua] ")) {
					int name = line.indexOf("] \"") + 3;
					commands.add(line.substring(name, line.indexOf('"', name)).toLowerCase(Locale.ROOT));
				}
			}
		}
	}

}
