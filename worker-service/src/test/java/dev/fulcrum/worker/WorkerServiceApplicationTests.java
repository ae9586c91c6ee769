package dev.fulcrum.worker;

import java.net.http.HttpResponse;

import dev.fulcrum.testsupport.TestHttp;
import dev.fulcrum.testsupport.TestRedisConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(TestRedisConfiguration.class)
class WorkerServiceApplicationTests {

	@LocalServerPort
	int port;

	@Test
	void reportsRedisInItsHealth() {
		HttpResponse<String> health = TestHttp.get("http://localhost:" + this.port + "/actuator/health");
		assertThat(health.statusCode()).isEqualTo(200);
		assertThat(TestHttp.json(health).at("/components/redis/status").asString()).isEqualTo("UP");
	}

	@Test
	void readinessDependsOnRedisAndLivenessDoesNot() {
		// Readiness includes Redis (a worker that cannot reach the queue must not look
		// ready);
		// liveness does not, so an orchestrator does not restart workers during a Redis
		// outage.
		String base = "http://localhost:" + this.port + "/actuator/health";
		assertThat(TestHttp.json(TestHttp.get(base + "/readiness")).at("/components/redis/status").asString())
			.isEqualTo("UP");
		assertThat(TestHttp.json(TestHttp.get(base + "/liveness")).at("/components/redis").isMissingNode()).isTrue();
	}

	@Test
	void exposesPrometheusMetrics() {
		assertThat(TestHttp.get("http://localhost:" + this.port + "/actuator/prometheus").body())
			.contains("application=\"worker-service\"");
	}

}
