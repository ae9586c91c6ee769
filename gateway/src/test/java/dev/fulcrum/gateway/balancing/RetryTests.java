package dev.fulcrum.gateway.balancing;

import java.net.http.HttpResponse;
import java.util.List;

import dev.fulcrum.testsupport.TestBackend;
import dev.fulcrum.testsupport.TestHttp;
import dev.fulcrum.testsupport.TestRedisConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
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

/**
 * Retries on another instance: a GET that got a 503, or could not connect, is answered by
 * another backend; a POST never goes out twice; and no request is tried more than
 * {@code max-attempts} times. Ejection is set high so that only retries are at work.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "fulcrum.gateway.balancing.ejection.consecutive-failures=1000",
				"fulcrum.gateway.balancing.health.paths.api-service=/health",
				"fulcrum.gateway.rate-limit.enabled=false", "fulcrum.gateway.balancing.health.interval=1h",
				"fulcrum.management.token=retry-tests-token",
				// The budget has tests of its own (RetryBudgetTests): out of the way
				// here.
				"fulcrum.gateway.balancing.retry.budget-min-retries=100000" })
@Import(TestRedisConfiguration.class)
class RetryTests {

	static final List<TestBackend> backends = List.of(new TestBackend("b1"), new TestBackend("b2"),
			new TestBackend("b3"));

	static final int closedPort = TestBackend.closedPort();

	static final int otherClosedPort = TestBackend.closedPort();

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@Autowired
	MeterRegistry meters;

	@DynamicPropertySource
	static void upstreamInstances(DynamicPropertyRegistry registry) {
		registry.add("fulcrum.gateway.upstreams.api-service",
				() -> List.of(backends.get(0).url(), backends.get(1).url(), backends.get(2).url()));
		// The auth route leads to one live backend and two ports nobody listens on, as
		// while two of three instances are being stopped.
		registry.add("fulcrum.gateway.upstreams.auth-service", () -> List.of(backends.get(0).url(),
				"http://127.0.0.1:" + closedPort, "http://127.0.0.1:" + otherClosedPort));
		registry.add("fulcrum.gateway.balancing.health.paths.auth-service", () -> "/health");
		registry.add("fulcrum.gateway.auth.public-paths",
				() -> "GET /api/hello,POST /api/hello,GET /auth/ping," + "POST /auth/ping");
	}

	@BeforeEach
	void roundRobinAndWell() {
		backends.forEach(TestBackend::reset);
		assertThat(TestHttp
			.post("http://localhost:" + this.managementPort + "/actuator/balancing/api-service",
					"{\"strategy\":\"round-robin\"}", "Content-Type", "application/json", "Authorization",
					"Bearer retry-tests-token")
			.statusCode()).isEqualTo(200);
	}

	@AfterAll
	static void stopBackends() {
		backends.forEach(TestBackend::close);
	}

	@Test
	void aGetAnsweredWith503IsSentToAnotherInstance() {
		backends.get(0).status = 503;
		double retriesBefore = retries("status");
		for (int i = 0; i < 12; i++) {
			HttpResponse<String> response = TestHttp.get(api());
			assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
			assertThat(response.headers().firstValue("X-Served-By")).isNotEqualTo("b1");
		}
		assertThat(backends.get(0).received("GET")).as("b1 was tried, its 503s never reached the client").isPositive();
		assertThat(retries("status") - retriesBefore).isEqualTo(backends.get(0).received("GET"));
	}

	@Test
	void aGetAnsweredWithBackpressureIsPassedThroughNotRetried() {
		// The service asks the client to come back later: another instance would say
		// the same of a shared queue, and trying it only adds load.
		backends.forEach((backend) -> {
			backend.status = 429;
			backend.headers.put("Content-Type", "application/problem+json");
			backend.headers.put("Retry-After", "3");
		});
		double retriesBefore = retries("status");
		HttpResponse<String> response = TestHttp.get(api());
		assertThat(response.statusCode()).isEqualTo(429);
		assertThat(response.headers().firstValue("Retry-After")).hasValue("3");
		backends.forEach((backend) -> backend.status = 503);
		assertThat(TestHttp.get(api()).statusCode()).isEqualTo(503);
		assertThat(backends.stream().mapToInt((backend) -> backend.received("GET")).sum()).isEqualTo(2);
		assertThat(retries("status") - retriesBefore).isZero();
	}

	@Test
	void aPostIsNeverSentTwice() {
		backends.get(0).status = 503;
		int failed = 0;
		for (int i = 0; i < 12; i++) {
			HttpResponse<String> response = TestHttp.post(api(), "{}", "Content-Type", "application/json");
			if (response.statusCode() == 503) {
				failed++;
			}
			else {
				assertThat(response.statusCode()).isEqualTo(200);
			}
		}
		int received = backends.stream().mapToInt((backend) -> backend.received("POST")).sum();
		assertThat(received).as("each POST reached exactly one instance").isEqualTo(12);
		assertThat(failed).as("b1's 503s reached the client").isEqualTo(backends.get(0).received("POST")).isPositive();
	}

	@Test
	void aGetIsTriedAtMostMaxAttemptsTimes() {
		backends.forEach((backend) -> backend.status = 503);
		HttpResponse<String> response = TestHttp.get(api());
		assertThat(response.statusCode()).isEqualTo(503);
		int received = backends.stream().mapToInt((backend) -> backend.received("GET")).sum();
		assertThat(received).as("two attempts, on two instances").isEqualTo(2);
		assertThat(backends.stream().filter((backend) -> backend.received("GET") > 0)).hasSize(2);
	}

	@Test
	void aGetThatCannotConnectIsSentToEveryOtherInstanceUntilOneAnswersAndAPostIsNot() {
		double retriesBefore = retries("error");
		for (int i = 0; i < 9; i++) {
			HttpResponse<String> response = TestHttp.get(auth());
			assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
			assertThat(response.headers().firstValue("X-Served-By")).hasValue("b1");
		}
		assertThat(retries("error") - retriesBefore)
			.as("GETs that went to a closed port first, some to both closed ports before b1")
			.isBetween(6.0, 18.0);

		int refused = 0;
		for (int i = 0; i < 6; i++) {
			HttpResponse<String> response = TestHttp.post(auth(), "{}", "Content-Type", "application/json");
			if (response.statusCode() == 503) {
				refused++;
				assertThat(TestHttp.json(response).get("type").asString())
					.isEqualTo("urn:fulcrum:problem:upstream-unavailable");
			}
		}
		assertThat(refused).as("POSTs to a closed port are not retried").isBetween(2, 6);
		assertThat(backends.get(0).received("POST")).isEqualTo(6 - refused);
	}

	private double retries(String reason) {
		var counter = this.meters.find("fulcrum.gateway.upstream.retries").tag("reason", reason).counter();
		return (counter != null) ? counter.count() : 0;
	}

	private String api() {
		return "http://localhost:" + this.port + "/api/hello";
	}

	private String auth() {
		return "http://localhost:" + this.port + "/auth/ping";
	}

}
