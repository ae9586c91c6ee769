package dev.fulcrum.testsupport;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every servlet service with a separate management port promises (docs/design.md):
 * request ids, {@code X-Served-By}, liveness and readiness (with Redis) and Prometheus on
 * the management port, and no actuator on the public port. A service's
 * {@code @SpringBootTest} extends this with {@code management.server.port=0} and
 * {@code fulcrum.instance-id} set to {@link #instanceId()}.
 */
public abstract class ServiceContractTests {

	@LocalServerPort
	protected int port;

	@LocalManagementPort
	protected int managementPort;

	/**
	 * The instance id the test configures.
	 * @return the expected {@code X-Served-By}
	 */
	protected abstract String instanceId();

	/**
	 * Where the service serves its OpenAPI document, and operations it must describe.
	 * @return the document's path, then {@code "METHOD /path"} of some operations
	 */
	protected abstract List<String> openApiDocument();

	/**
	 * The OpenAPI document is public, names the service, points at a relative server (the
	 * gateway), and describes every operation's errors as problems.
	 */
	@Test
	void publishesAnOpenApiDocumentWithItsProblems() {
		List<String> expected = openApiDocument();
		HttpResponse<String> response = TestHttp.get("http://localhost:" + this.port + expected.get(0));
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode document = TestHttp.json(response);
		assertThat(document.path("openapi").asString()).startsWith("3.");
		assertThat(document.at("/info/title").asString()).startsWith("Fulcrum ");
		assertThat(document.at("/servers/0/url").asString()).isEqualTo("/");
		assertThat(document.at("/components/schemas/Problem/properties").propertyNames()).contains("type", "title",
				"status", "detail", "requestId");
		for (String operation : expected.subList(1, expected.size())) {
			String[] parts = operation.split(" ");
			JsonNode described = document.path("paths").path(parts[1]).path(parts[0].toLowerCase(Locale.ROOT));
			assertThat(described.isMissingNode()).as(operation).isFalse();
			for (String status : List.of("429", "503", "default")) {
				assertThat(described.at("/responses/" + status + "/content").propertyNames())
					.as(operation + " " + status)
					.containsExactly("application/problem+json");
			}
		}
	}

	@Test
	void namesTheInstanceThatServed() {
		HttpResponse<String> response = TestHttp.get("http://localhost:" + this.port + "/any/path");
		assertThat(response.headers().firstValue("X-Served-By")).hasValue(instanceId());
	}

	@Test
	void echoesAValidRequestIdAndReplacesAnUnsafeOne() {
		String url = "http://localhost:" + this.port + "/any/path";
		assertThat(TestHttp.get(url, "X-Request-Id", "abc-123").headers().allValues("X-Request-Id"))
			.containsExactly("abc-123");
		assertThat(TestHttp.get(url, "X-Request-Id", "a{b}").headers().firstValue("X-Request-Id")).isPresent()
			.get()
			.isNotEqualTo("a{b}");
	}

	@Test
	void reportsLivenessAndReadinessWithRedisOnTheManagementPort() {
		String base = "http://localhost:" + this.managementPort + "/actuator";
		assertThat(TestHttp.get(base + "/health/liveness").statusCode()).isEqualTo(200);
		HttpResponse<String> readiness = TestHttp.get(base + "/health/readiness");
		assertThat(readiness.statusCode()).isEqualTo(200);
		assertThat(TestHttp.json(readiness).at("/components/redis/status").asString()).isEqualTo("UP");
		assertThat(TestHttp.get(base + "/prometheus").body()).contains("jvm_threads_live_threads")
			.contains("instance=\"" + instanceId() + "\"");
	}

	/**
	 * A request is timed once, by Spring's {@code http_server_requests}: no observation
	 * per Redis command or per security filter, and no "active requests" long-task timer,
	 * which together cost the api-service 12-24 % of its CPU per request
	 * (docs/benchmarks.md, "The whole stack").
	 */
	@Test
	void timesARequestOnceWithoutAnObservationPerRedisCommandOrSecurityFilter() {
		String base = "http://localhost:" + this.managementPort + "/actuator";
		// Redis commands (readiness pings it) and the security filter chain (the document
		// is public, but passes through it).
		assertThat(TestHttp.get(base + "/health/readiness").statusCode()).isEqualTo(200);
		assertThat(TestHttp.get("http://localhost:" + this.port + openApiDocument().get(0)).statusCode())
			.isEqualTo(200);
		String metrics = TestHttp.get(base + "/prometheus").body();
		assertThat(metrics).contains("http_server_requests_seconds_count{");
		assertThat(metrics.lines().map((line) -> line.replaceFirst("[{ ].*", "")).distinct())
			.noneMatch((name) -> name.startsWith("lettuce_") || name.startsWith("spring_security_"))
			.noneMatch((name) -> name.startsWith("http_server_requests_active"));
	}

	@Test
	void keepsActuatorOffThePublicPort() {
		assertThat(TestHttp.get("http://localhost:" + this.port + "/actuator/health").statusCode()).isEqualTo(404);
	}

}
