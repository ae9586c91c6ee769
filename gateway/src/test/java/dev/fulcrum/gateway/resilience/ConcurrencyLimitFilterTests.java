package dev.fulcrum.gateway.resilience;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

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
import static org.awaitility.Awaitility.await;

/**
 * The adaptive concurrency limit of the api-service route over one real backend, with a
 * small range (1 to 3) to see it move: past the limit a request is answered 503
 * {@code overloaded} at once without reaching the backend; answers that all wait longer
 * than the queueing delay over the quick answers' baseline bring the limit down, quick
 * ones bring it back up; one client cannot hold every place. (The floor from the goodput
 * is off: at a limit of 3 it would hold it up.) Each test starts from quick answers, so
 * that none depends on another's end.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "fulcrum.gateway.rate-limit.enabled=false",
				"fulcrum.gateway.circuit-breaker.enabled=false", "fulcrum.gateway.balancing.health.interval=1h",
				"fulcrum.gateway.concurrency-limit.enabled=true", "fulcrum.gateway.concurrency-limit.initial-limit=2",
				"fulcrum.gateway.concurrency-limit.min-limit=1", "fulcrum.gateway.concurrency-limit.max-limit=3",
				"fulcrum.gateway.concurrency-limit.queueing-delay=100ms",
				"fulcrum.gateway.concurrency-limit.floor-latency=0ms",
				"spring.cloud.gateway.server.webflux.trusted-proxies=127\\.0\\.0\\.1",
				"fulcrum.gateway.concurrency-limit.window=50ms", "fulcrum.gateway.concurrency-limit.window-samples=3",
				"fulcrum.gateway.concurrency-limit.shed-delay=200ms" })
@Import(TestRedisConfiguration.class)
class ConcurrencyLimitFilterTests {

	static final TestBackend backend = new TestBackend("b1");

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@Autowired
	MeterRegistry meters;

	@DynamicPropertySource
	static void oneInstance(DynamicPropertyRegistry registry) {
		registry.add("fulcrum.gateway.upstreams.api-service", backend::url);
	}

	@BeforeEach
	void quickBackend() {
		backend.reset();
	}

	@AfterAll
	static void stopBackend() {
		backend.close();
	}

	@Test
	void shedsWhatIsOverTheLimitAtOnceWithA503OverloadedProblem() {
		limitReaches(3);
		int before = backend.received("GET");
		backend.delayMillis = 1500;
		List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
		for (int i = 1; i <= 3; i++) {
			String client = "192.0.2." + i;
			held.add(CompletableFuture.supplyAsync(() -> get(client)));
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> backend.received("GET") == before + 3);

		long started = System.nanoTime();
		HttpResponse<String> shed = get("192.0.2.4");
		long tookMillis = (System.nanoTime() - started) / 1_000_000;
		assertThat(shed.statusCode()).isEqualTo(503);
		assertThat(shed.headers().firstValue("Content-Type")).hasValue("application/problem+json");
		assertThat(shed.headers().firstValue("Retry-After")).hasValue("1");
		assertThat(TestHttp.json(shed).get("type").asString()).isEqualTo("urn:fulcrum:problem:overloaded");
		assertThat(TestHttp.json(shed).get("detail").asString()).contains("already has 3 requests under way");
		assertThat(tookMillis).as("answered after the shed delay, not after the held requests").isBetween(200L, 1000L);
		assertThat(backend.received("GET")).as("the backend never saw it").isEqualTo(before + 3);

		assertThat(held).allSatisfy((request) -> assertThat(request.join().statusCode()).isEqualTo(200));
		assertThat(prometheus())
			.containsPattern("fulcrum_gateway_concurrency_shed_total\\{[^}]*route=\"api-service\"[^}]*} [1-9]");
		assertThat(get().statusCode()).as("places given back").isEqualTo(200);
	}

	@Test
	void oneClientCannotHoldEveryPlace() {
		limitReaches(3);
		int before = backend.received("GET");
		backend.delayMillis = 1500;
		List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
		for (int i = 0; i < 2; i++) {
			held.add(CompletableFuture.supplyAsync(() -> get("192.0.2.1")));
		}
		await().atMost(Duration.ofSeconds(5)).until(() -> backend.received("GET") == before + 2);

		HttpResponse<String> third = get("192.0.2.1");
		assertThat(third.statusCode()).as("a third place for the client that holds two of three").isEqualTo(503);
		assertThat(TestHttp.json(third).get("detail").asString()).contains("you already have 2 of them");
		CompletableFuture<HttpResponse<String>> other = CompletableFuture.supplyAsync(() -> get("198.51.100.1"));
		await().atMost(Duration.ofSeconds(5)).until(() -> backend.received("GET") == before + 3);
		assertThat(other.join().statusCode()).as("another client gets the last place").isEqualTo(200);
		assertThat(held).allSatisfy((request) -> assertThat(request.join().statusCode()).isEqualTo(200));
		assertThat(get("192.0.2.1").statusCode()).as("places given back").isEqualTo(200);
	}

	@Test
	void lowersTheLimitWhileEveryAnswerWaitsAndRaisesItWhenAnswersAreQuickAgain() {
		// Quick answers first: the baseline is a few milliseconds, whatever ran before.
		limitReaches(3);
		backend.delayMillis = 200;
		limitFallsTo(1);
		backend.delayMillis = 0;
		limitReaches(3);
	}

	/**
	 * Sends requests two at a time (half of the limit and more under way) until the
	 * route's limit is {@code limit}; at a limit of one, one of each two is shed.
	 */
	private void limitFallsTo(int limit) {
		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ZERO).until(() -> {
			CompletableFuture<HttpResponse<String>> other = CompletableFuture.supplyAsync(this::get);
			assertThat(get().statusCode()).isIn(200, 503);
			assertThat(other.join().statusCode()).isIn(200, 503);
			return limit() == limit;
		});
	}

	/** Sends requests one after the other until the route's limit is {@code limit}. */
	private void limitReaches(int limit) {
		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ZERO).until(() -> {
			HttpResponse<String> response = get();
			assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
			return limit() == limit;
		});
	}

	private double limit() {
		return this.meters.get("fulcrum.gateway.concurrency.limit").tag("route", "api-service").gauge().value();
	}

	private String prometheus() {
		return TestHttp.get("http://localhost:" + this.managementPort + "/actuator/prometheus").body();
	}

	private HttpResponse<String> get() {
		return TestHttp.get("http://localhost:" + this.port + "/api/hello");
	}

	/** A request from a client behind the trusted proxy that this test is. */
	private HttpResponse<String> get(String client) {
		return TestHttp.get("http://localhost:" + this.port + "/api/hello", "X-Forwarded-For", client);
	}

}
