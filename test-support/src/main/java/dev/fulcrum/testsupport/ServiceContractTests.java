package dev.fulcrum.testsupport;

import java.net.http.HttpResponse;

import org.junit.jupiter.api.Test;

import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every servlet service with a separate management port promises (DESIGN.md):
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

	@Test
	void keepsActuatorOffThePublicPort() {
		assertThat(TestHttp.get("http://localhost:" + this.port + "/actuator/health").statusCode()).isEqualTo(404);
	}

}
