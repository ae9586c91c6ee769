package dev.fulcrum.gateway.accesslog;

import java.time.Duration;
import java.util.Arrays;

import dev.fulcrum.testsupport.TestBackend;
import dev.fulcrum.testsupport.TestHttp;
import dev.fulcrum.testsupport.TestRedisConfiguration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every answered request is counted in {@code fulcrum_gateway_requests_seconds} by route,
 * method, status and outcome, and written as one ECS access log line with its request id.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "fulcrum.gateway.rate-limit.enabled=false" })
@Import(TestRedisConfiguration.class)
@ExtendWith(OutputCaptureExtension.class)
class EdgeRequestMetricsTests {

	static final TestBackend backend = new TestBackend("counted");

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@DynamicPropertySource
	static void oneInstance(DynamicPropertyRegistry registry) {
		registry.add("fulcrum.gateway.upstreams.api-service", backend::url);
	}

	@AfterAll
	static void stopBackend() {
		backend.close();
	}

	@Test
	void countsRequestsByRouteMethodStatusAndOutcome() {
		double before = count("route=\"api-service\"", "method=\"GET\"", "status=\"200\"", "outcome=\"SUCCESS\"");
		for (int i = 0; i < 3; i++) {
			assertThat(TestHttp.get(url("/api/hello")).statusCode()).isEqualTo(200);
		}
		assertThat(TestHttp.get(url("/api/me")).statusCode()).isEqualTo(401);
		assertThat(TestHttp.get(url("/nowhere")).statusCode()).isEqualTo(404);
		// Counted when the exchange completes, which may be just after the client has
		// read the answer.
		Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
			assertThat(count("route=\"api-service\"", "method=\"GET\"", "status=\"200\"", "outcome=\"SUCCESS\""))
				.isEqualTo(before + 3);
			// Refused at the edge, before routing.
			assertThat(count("route=\"none\"", "status=\"401\"", "outcome=\"CLIENT_ERROR\"")).isGreaterThanOrEqualTo(1);
			assertThat(count("route=\"none\"", "status=\"404\"")).isGreaterThanOrEqualTo(1);
		});
		assertThat(prometheus()).contains("fulcrum_gateway_requests_seconds_bucket{")
			.doesNotContain("http_server_requests_seconds_count{");
	}

	@Test
	void writesOneAccessLogLinePerRequest(CapturedOutput output) {
		assertThat(TestHttp.get(url("/api/hello"), "X-Request-Id", "access-log-1").statusCode()).isEqualTo(200);
		Awaitility.await()
			.atMost(Duration.ofSeconds(5))
			.until(() -> output.getOut().contains("\"requestId\":\"access-log-1\""));
		JsonNode line = JsonMapper.builder()
			.build()
			.readTree(output.getOut()
				.lines()
				.filter((text) -> text.contains("\"requestId\":\"access-log-1\""))
				.findFirst()
				.orElseThrow());
		assertThat(line.path("log").path("logger").asString()).isEqualTo("dev.fulcrum.gateway.access");
		assertThat(line.path("message").asString()).isEqualTo("request completed");
		assertThat(line.path("requestId").asString()).isEqualTo("access-log-1");
		assertThat(line.path("method").asString()).isEqualTo("GET");
		assertThat(line.path("path").asString()).isEqualTo("/api/hello");
		assertThat(line.path("status").asInt()).isEqualTo(200);
		assertThat(line.path("servedBy").asString()).isEqualTo("counted");
		assertThat(line.path("durationMs").isIntegralNumber()).isTrue();
		assertThat(line.path("ecs").path("version").asString()).isEqualTo("8.11");
	}

	private double count(String... tags) {
		return prometheus().lines()
			.filter((line) -> line.startsWith("fulcrum_gateway_requests_seconds_count{"))
			.filter((line) -> Arrays.stream(tags).allMatch(line::contains))
			.mapToDouble((line) -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
			.sum();
	}

	private String prometheus() {
		return TestHttp.get("http://localhost:" + this.managementPort + "/actuator/prometheus").body();
	}

	private String url(String path) {
		return "http://localhost:" + this.port + path;
	}

}
