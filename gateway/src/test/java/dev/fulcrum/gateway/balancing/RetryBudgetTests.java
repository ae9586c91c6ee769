package dev.fulcrum.gateway.balancing;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import dev.fulcrum.testsupport.TestBackend;
import dev.fulcrum.testsupport.TestHttp;
import dev.fulcrum.testsupport.TestRedisConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The retry budget: alone, with a clock of its own; and in the gateway, where every
 * instance of a service failing must not double the requests they get.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "fulcrum.gateway.balancing.ejection.consecutive-failures=100000",
				"fulcrum.gateway.balancing.health.paths.api-service=/health",
				"fulcrum.gateway.rate-limit.enabled=false", "fulcrum.gateway.circuit-breaker.enabled=false",
				"fulcrum.gateway.balancing.health.interval=1h", "fulcrum.gateway.balancing.retry.budget-percent=20",
				"fulcrum.gateway.balancing.retry.budget-min-retries=3" })
@Import(TestRedisConfiguration.class)
class RetryBudgetTests {

	static final List<TestBackend> backends = List.of(new TestBackend("b1"), new TestBackend("b2"));

	@LocalServerPort
	int port;

	@Autowired
	MeterRegistry meters;

	@DynamicPropertySource
	static void upstreamInstances(DynamicPropertyRegistry registry) {
		registry.add("fulcrum.gateway.upstreams.api-service",
				() -> List.of(backends.get(0).url(), backends.get(1).url()));
	}

	@AfterAll
	static void stopBackends() {
		backends.forEach(TestBackend::close);
	}

	@Test
	void allowsAShareOfTheWindowsRequestsOrTheMinimum() {
		AtomicLong now = new AtomicLong(1_000_000);
		RetryBudget budget = new RetryBudget(20, 3, 10, now::get);
		for (int i = 0; i < 3; i++) {
			assertThat(budget.tryRetry("s")).as("the minimum, without requests").isTrue();
		}
		assertThat(budget.tryRetry("s")).isFalse();
		for (int i = 0; i < 50; i++) {
			budget.requested("s");
		}
		// 20 % of 50 is 10: seven more than the three taken.
		for (int i = 0; i < 7; i++) {
			assertThat(budget.tryRetry("s")).isTrue();
		}
		assertThat(budget.tryRetry("s")).isFalse();
		assertThat(budget.tryRetry("other")).as("each service its own budget").isTrue();

		now.addAndGet(5_000);
		assertThat(budget.tryRetry("s")).as("five seconds later: the same window").isFalse();
		now.addAndGet(6_000);
		assertThat(budget.tryRetry("s")).as("eleven seconds later: all of it forgotten").isTrue();
	}

	@Test
	void keepsRetriesOfAFailingServiceWithinTheBudget() {
		backends.forEach((backend) -> backend.status = 503);
		double refusedBefore = count("fulcrum.gateway.upstream.retries.refused");
		double retriedBefore = count("fulcrum.gateway.upstream.retries");
		for (int i = 0; i < 100; i++) {
			HttpResponse<String> response = TestHttp.get("http://localhost:" + this.port + "/api/hello");
			assertThat(response.statusCode()).isEqualTo(503);
		}
		int received = backends.stream().mapToInt((backend) -> backend.received("GET")).sum();
		// Without the budget: 200, every request tried twice.
		assertThat(received).as("requests the instances got for 100 of the client's").isBetween(100, 120);
		assertThat(count("fulcrum.gateway.upstream.retries") - retriedBefore).isEqualTo(received - 100);
		assertThat(count("fulcrum.gateway.upstream.retries.refused") - refusedBefore).isEqualTo(100 - (received - 100));
	}

	private double count(String name) {
		return this.meters.find(name).counters().stream().mapToDouble((counter) -> counter.count()).sum();
	}

}
