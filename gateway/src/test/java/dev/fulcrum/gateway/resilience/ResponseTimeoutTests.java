package dev.fulcrum.gateway.resilience;

import java.net.http.HttpResponse;
import java.util.List;

import dev.fulcrum.testsupport.TestBackend;
import dev.fulcrum.testsupport.TestHttp;
import dev.fulcrum.testsupport.TestRedisConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An instance that does not answer in time: the client gets a 504 problem when the
 * response timeout is up, not when the instance gets round to it, and the request is not
 * tried again elsewhere (the client has waited once already).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "fulcrum.gateway.rate-limit.enabled=false",
				"fulcrum.gateway.balancing.health.interval=1h", "fulcrum.gateway.response-timeout=500ms" })
@Import(TestRedisConfiguration.class)
class ResponseTimeoutTests {

	static final List<TestBackend> backends = List.of(new TestBackend("b1"), new TestBackend("b2"));

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void slowInstances(DynamicPropertyRegistry registry) {
		registry.add("fulcrum.gateway.upstreams.api-service",
				() -> List.of(backends.get(0).url(), backends.get(1).url()));
	}

	@AfterAll
	static void stopBackends() {
		backends.forEach(TestBackend::close);
	}

	@Test
	void answers504WhenTheInstanceTakesLongerThanTheResponseTimeout() {
		backends.forEach((backend) -> backend.delayMillis = 3000);
		long started = System.nanoTime();
		HttpResponse<String> response = TestHttp.get("http://localhost:" + this.port + "/api/hello", "X-Request-Id",
				"slow-1");
		long millis = (System.nanoTime() - started) / 1_000_000;
		assertThat(response.statusCode()).isEqualTo(504);
		assertThat(millis).as("the timeout, not the instance's 3 s").isBetween(400L, 2500L);
		assertThat(TestHttp.json(response).get("type").asString()).isEqualTo("urn:fulcrum:problem:upstream-timeout");
		assertThat(TestHttp.json(response).get("requestId").asString()).isEqualTo("slow-1");
		assertThat(backends.get(0).received("GET") + backends.get(1).received("GET")).as("not retried").isEqualTo(1);
	}

}
