package dev.fulcrum.worker;

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
 * A worker whose Redis is unreachable (a port nobody listens on) must say so: not ready,
 * so no traffic or work is routed to it, yet alive, so an orchestrator does not restart
 * it in a loop.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class WorkerWithoutRedisTests {

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void unreachableRedis(DynamicPropertyRegistry registry) {
		registry.add("spring.data.redis.url", () -> "redis://127.0.0.1:" + TestBackend.closedPort());
	}

	@Test
	void isAliveButNotReady() {
		String base = "http://localhost:" + this.port + "/actuator/health";
		HttpResponse<String> readiness = TestHttp.get(base + "/readiness");
		assertThat(readiness.statusCode()).isEqualTo(503);
		assertThat(TestHttp.json(readiness).at("/components/redis/status").asString()).isEqualTo("DOWN");
		assertThat(TestHttp.get(base + "/liveness").statusCode()).isEqualTo(200);
	}

}
