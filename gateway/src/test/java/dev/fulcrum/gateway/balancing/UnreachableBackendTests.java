package dev.fulcrum.gateway.balancing;

import java.net.http.HttpResponse;

import dev.fulcrum.testsupport.TestBackend;
import dev.fulcrum.testsupport.TestHttp;
import dev.fulcrum.testsupport.TestRedisConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Errors at the edge are problems: an upstream nobody listens on gives a fast 503 (never
 * a hang, never the framework's default JSON), an unknown path a 404.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "management.server.port=0")
@Import(TestRedisConfiguration.class)
class UnreachableBackendTests {

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void deadUpstream(DynamicPropertyRegistry registry) {
		registry.add("fulcrum.gateway.upstreams.api-service", () -> "http://127.0.0.1:" + TestBackend.closedPort());
	}

	@Test
	void answersAFast503ProblemWhenNoInstanceCanBeReached() {
		long started = System.nanoTime();
		HttpResponse<String> response = TestHttp.get("http://localhost:" + this.port + "/api/hello", "X-Request-Id",
				"dead-upstream-1");
		assertThat((System.nanoTime() - started) / 1_000_000).as("fast, not hanging").isLessThan(3_000);
		assertThat(response.statusCode()).isEqualTo(503);
		assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(TestHttp.json(response).get("type").asString())
			.isEqualTo("urn:fulcrum:problem:upstream-unavailable");
		assertThat(TestHttp.json(response).get("requestId").asString()).isEqualTo("dead-upstream-1");
	}

	@Test
	void answersAnUnknownPathWithA404Problem() {
		HttpResponse<String> response = TestHttp.get("http://localhost:" + this.port + "/nowhere");
		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(TestHttp.json(response).get("type").asString()).isEqualTo("urn:fulcrum:problem:not-found");
	}

}
