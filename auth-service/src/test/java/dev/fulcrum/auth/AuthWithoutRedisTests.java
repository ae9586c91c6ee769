package dev.fulcrum.auth;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.fulcrum.testsupport.TestHttp;
import dev.fulcrum.testsupport.TestTokenIssuer;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * With Redis unreachable (a closed port), the auth-service answers fast and cleanly: 503
 * problems with {@code Retry-After}, never a hang or a 500; it stays alive but not ready.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "spring.data.redis.url=redis://127.0.0.1:1",
				"fulcrum.auth.password.memory-kib=1024", "fulcrum.auth.password.iterations=1" })
class AuthWithoutRedisTests {

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@Test
	void registerAndLoginAnswer503() {
		String body = TestHttp.toJson(Map.of("username", "nobody", "password", "long enough password"));
		assertTimeoutPreemptively(Duration.ofSeconds(8), () -> {
			for (String path : new String[] { "/auth/register", "/auth/login" }) {
				HttpResponse<String> response = TestHttp.post(url(path), body);
				AuthFlowTests.assertProblem(response, 503, "unavailable");
				assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
			}
		});
	}

	@Test
	void tokensThatCannotBeCheckedAre503NotAccepted() {
		try (TestTokenIssuer issuer = new TestTokenIssuer()) {
			HttpResponse<String> response = TestHttp.get(url("/auth/me"), "Authorization",
					"Bearer " + issuer.token("alice"));
			AuthFlowTests.assertProblem(response, 503, "token-check-unavailable");
		}
	}

	@Test
	void staysAliveButNotReady() {
		String base = "http://127.0.0.1:" + this.managementPort + "/actuator/health";
		assertThat(TestHttp.get(base + "/liveness").statusCode()).isEqualTo(200);
		assertThat(TestHttp.get(base + "/readiness").statusCode()).isEqualTo(503);
	}

	private String url(String path) {
		return "http://127.0.0.1:" + this.port + path;
	}

}
