package dev.fulcrum.gateway.ratelimit;

import java.net.http.HttpResponse;

import dev.fulcrum.testsupport.TestBackend;
import dev.fulcrum.testsupport.TestHttp;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With {@code fail-open: false} and Redis unreachable, a limited route answers a fast 503
 * problem instead of letting requests through unchecked.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "fulcrum.gateway.rate-limit.fail-open=false" })
class RateLimitFailClosedTests {

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void unreachableRedis(DynamicPropertyRegistry registry) {
		registry.add("spring.data.redis.url", () -> "redis://127.0.0.1:" + TestBackend.closedPort());
		// Never reached: the limit refuses first.
		registry.add("fulcrum.gateway.upstreams.api-service", () -> "http://127.0.0.1:" + TestBackend.closedPort());
	}

	@Test
	void refusesWithA503WhenTheLimitCannotBeChecked() {
		long started = System.nanoTime();
		HttpResponse<String> response = TestHttp.get("http://localhost:" + this.port + "/api/hello");
		assertThat(response.statusCode()).isEqualTo(503);
		assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
		assertThat(TestHttp.json(response).get("type").asString())
			.isEqualTo("urn:fulcrum:problem:rate-limit-unavailable");
		assertThat((System.nanoTime() - started) / 1_000_000).as("fast, not hanging").isLessThan(3_000);
	}

}
