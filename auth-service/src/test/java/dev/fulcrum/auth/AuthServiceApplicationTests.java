package dev.fulcrum.auth;

import java.net.http.HttpResponse;

import dev.fulcrum.testsupport.TestHttp;
import dev.fulcrum.testsupport.TestRedisConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "fulcrum.instance-id=auth-test-1" })
@Import(TestRedisConfiguration.class)
class AuthServiceApplicationTests {

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@Test
	void echoesAValidRequestIdAndReplacesAnUnsafeOne() {
		String url = "http://localhost:" + this.port + "/anything";
		assertThat(TestHttp.get(url, "X-Request-Id", "abc-123").headers().firstValue("X-Request-Id"))
			.hasValue("abc-123");
		assertThat(TestHttp.get(url, "X-Request-Id", "a b").headers().firstValue("X-Request-Id")).isPresent()
			.get()
			.isNotEqualTo("a b");
	}

	@Test
	void reportsLivenessAndReadinessWithRedisOnTheManagementPort() {
		String base = "http://localhost:" + this.managementPort + "/actuator";
		assertThat(TestHttp.get(base + "/health/liveness").statusCode()).isEqualTo(200);
		HttpResponse<String> readiness = TestHttp.get(base + "/health/readiness");
		assertThat(readiness.statusCode()).isEqualTo(200);
		assertThat(TestHttp.json(readiness).at("/components/redis/status").asString()).isEqualTo("UP");
		assertThat(TestHttp.get(base + "/prometheus").body()).contains("jvm_threads_live_threads");
	}

	@Test
	void keepsActuatorOffThePublicPort() {
		assertThat(TestHttp.get("http://localhost:" + this.port + "/actuator/health").statusCode()).isEqualTo(404);
	}

}
