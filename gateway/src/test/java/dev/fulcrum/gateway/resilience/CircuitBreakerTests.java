package dev.fulcrum.gateway.resilience;

import java.net.http.HttpResponse;
import java.time.Duration;

import dev.fulcrum.testsupport.TestBackend;
import dev.fulcrum.testsupport.TestHttp;
import dev.fulcrum.testsupport.TestRedisConfiguration;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The breaker of the api-service route over one real backend: it opens after enough
 * failures, answers 503 {@code circuit-open} without calling the backend, lets trial
 * requests through after its wait and closes when they succeed. Client errors are not
 * failures of the service.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = { "management.server.port=0",
		"fulcrum.gateway.rate-limit.enabled=false", "fulcrum.gateway.balancing.ejection.consecutive-failures=1000",
		"fulcrum.gateway.balancing.health.interval=1h", "fulcrum.gateway.circuit-breaker.sliding-window-size=10",
		"fulcrum.gateway.circuit-breaker.minimum-number-of-calls=5",
		"fulcrum.gateway.circuit-breaker.wait-duration-in-open-state=2s",
		"fulcrum.gateway.circuit-breaker.permitted-calls-in-half-open-state=2" })
@Import(TestRedisConfiguration.class)
class CircuitBreakerTests {

	static final TestBackend backend = new TestBackend("b1");

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@Autowired
	CircuitBreakerRegistry breakers;

	@DynamicPropertySource
	static void oneInstance(DynamicPropertyRegistry registry) {
		registry.add("fulcrum.gateway.upstreams.api-service", backend::url);
	}

	@BeforeEach
	void closedAndWell() {
		backend.reset();
		this.breakers.circuitBreaker("api-service").reset();
	}

	@AfterAll
	static void stopBackend() {
		backend.close();
	}

	@Test
	void opensAfterFailuresAndAnswersAtOnceWithoutCallingTheService() {
		backend.status = 503;
		for (int i = 0; i < 5; i++) {
			assertThat(get().headers().firstValue("X-Served-By")).as("the service's own 503").hasValue("b1");
		}
		assertThat(state()).isEqualTo("OPEN");

		HttpResponse<String> refused = get();
		assertThat(refused.statusCode()).isEqualTo(503);
		assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(TestHttp.json(refused).get("type").asString()).isEqualTo("urn:fulcrum:problem:circuit-open");
		assertThat(refused.headers().firstValue("Retry-After"))
			.hasValueSatisfying((seconds) -> assertThat(Integer.parseInt(seconds)).isBetween(1, 2));
		assertThat(backend.received("GET")).as("nothing reaches the service while open").isEqualTo(5);
	}

	@Test
	void closesAgainWhenTrialRequestsSucceedAfterTheWait() {
		backend.status = 503;
		for (int i = 0; i < 5; i++) {
			get();
		}
		assertThat(state()).isEqualTo("OPEN");
		backend.status = 200;
		assertThat(get().statusCode()).as("still open").isEqualTo(503);

		await().atMost(Duration.ofSeconds(10))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> get().statusCode() == 200);
		assertThat(get().statusCode()).isEqualTo(200);
		assertThat(state()).isEqualTo("CLOSED");
	}

	@Test
	void opensAgainWhenATrialRequestFails() {
		backend.status = 503;
		for (int i = 0; i < 5; i++) {
			get();
		}
		await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
			get();
			return backend.received("GET") > 5;
		});
		get();
		assertThat(state()).as("the trial requests failed").isEqualTo("OPEN");
	}

	@Test
	void clientErrorsAndServerBugsDoNotOpenIt() {
		backend.status = 404;
		for (int i = 0; i < 10; i++) {
			assertThat(get().statusCode()).isEqualTo(404);
		}
		backend.status = 500;
		for (int i = 0; i < 10; i++) {
			assertThat(get().statusCode()).isEqualTo(500);
		}
		assertThat(state()).isEqualTo("CLOSED");
	}

	@Test
	void backpressureFromTheServiceDoesNotOpenItAndReachesTheClientAsSent() {
		// A full queue or a busy auth-service: the instance answered at once, and asks
		// this client to come back later. Every other request of the route is fine.
		backend.status = 503;
		backend.headers.put("Content-Type", "application/problem+json");
		backend.headers.put("Retry-After", "7");
		for (int i = 0; i < 10; i++) {
			HttpResponse<String> full = get();
			assertThat(full.statusCode()).isEqualTo(503);
			assertThat(full.headers().firstValue("Retry-After")).hasValue("7");
			assertThat(full.headers().firstValue("X-Served-By")).as("the service's own answer").hasValue("b1");
		}
		backend.status = 429;
		for (int i = 0; i < 10; i++) {
			assertThat(get().statusCode()).isEqualTo(429);
		}
		assertThat(state()).isEqualTo("CLOSED");
		assertThat(backend.received("GET")).isEqualTo(20);
	}

	@Test
	void aServiceUnavailableWithoutRetryAfterStillCounts() {
		backend.status = 503;
		backend.headers.put("Content-Type", "application/problem+json");
		for (int i = 0; i < 5; i++) {
			get();
		}
		assertThat(state()).isEqualTo("OPEN");
	}

	private String state() {
		return TestHttp.json(TestHttp.get("http://localhost:" + this.managementPort + "/actuator/circuitbreakers"))
			.get("routes")
			.get("api-service")
			.get("state")
			.asString();
	}

	private HttpResponse<String> get() {
		return TestHttp.get("http://localhost:" + this.port + "/api/hello");
	}

}
