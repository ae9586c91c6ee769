package dev.fulcrum.load;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The search against a real HTTP server on loopback whose capacity is known: two requests
 * at a time, 10 ms each, so at most 200 a second. Below that the answers take about 10
 * ms; past it a queue grows and p99 with it.
 */
class RateSearchTests {

	final Semaphore workers = new Semaphore(2, true);

	final HttpServer server = LoopbackServer.start(1024, () -> {
		this.workers.acquire();
		try {
			Thread.sleep(10);
		}
		finally {
			this.workers.release();
		}
		return 200;
	});

	final List<HttpConnections> opened = new ArrayList<>();

	@AfterEach
	void stop() {
		this.opened.forEach(HttpConnections::close);
		this.server.stop(0);
	}

	@Test
	void findsTheHighestRateWithinTheLatencyTarget() {
		RateSearch search = new RateSearch(40, 1.5, 2, Duration.ofSeconds(1), 100, 0.01, 1_000);

		RateSearch.Result result = search.run(connections(), this::request);

		result.steps().forEach(System.out::println);
		// 40 answers a step: one stall fails it, and the search measures a failed rate
		// once more before it decides.
		assertThat(result.steps()).as("40/s, a fifth of the capacity")
			.filteredOn((step) -> step.rate() == 40)
			.anyMatch(RateSearch.Step::passed);
		assertThat(result.steps()).as("some rate past the capacity failed").anyMatch((step) -> !step.passed());
		assertThat(result.sustained()).as("the capacity is 200/s").isBetween(90.0, 250.0);
	}

	@Test
	void saysHowMuchEachCounterRosePerRequest() {
		RateSearch search = new RateSearch(40, 2, 0, Duration.ofSeconds(1), 100, 0.01, 80);
		com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean) ManagementFactory
			.getOperatingSystemMXBean();

		// The server runs in this JVM: its CPU time is the server's and the client's.
		RateSearch.Result result = search.run(connections(), this::request,
				() -> Map.of("this-jvm", os.getProcessCpuTime()));

		assertThat(result.steps()).isNotEmpty().allSatisfy((step) -> {
			assertThat(step.perRequest()).containsOnlyKeys("this-jvm");
			// Some CPU, and less than a whole core for each of the step's requests.
			assertThat(step.perRequest().get("this-jvm")).isPositive().isLessThan(1e9 / step.rate());
		});
	}

	@Test
	void oneStallDoesNotDecideARate() {
		// Requests 100 to 104, in the first counted step (the uncounted one before it
		// sends 80), take 300 ms: a stall such as a long garbage collection.
		AtomicInteger received = new AtomicInteger();
		this.server.removeContext("/");
		this.server.createContext("/", (exchange) -> {
			int n = received.getAndIncrement();
			if (n >= 100 && n < 105) {
				LockSupport.parkNanos(300_000_000L);
			}
			exchange.sendResponseHeaders(200, -1);
			exchange.close();
		});
		RateSearch search = new RateSearch(40, 2, 0, Duration.ofSeconds(2), 100, 0.01, 80);

		RateSearch.Result result = search.run(connections(), this::request);

		result.steps().forEach(System.out::println);
		assertThat(result.steps().get(0).passed()).as("40/s with the stall").isFalse();
		assertThat(result.steps().get(1).rate()).as("held once more").isEqualTo(40);
		assertThat(result.steps().get(1).passed()).isTrue();
		assertThat(result.sustained()).isEqualTo(80);
	}

	@Test
	void aServerThatFailsEverythingSustainsNothing() {
		this.server.removeContext("/");
		this.server.createContext("/", (exchange) -> {
			exchange.sendResponseHeaders(503, -1);
			exchange.close();
		});
		RateSearch search = new RateSearch(20, 2, 2, Duration.ofSeconds(1), 100, 0.01, 100);

		RateSearch.Result result = search.run(connections(), this::request);

		assertThat(result.best()).isNull();
		assertThat(result.sustained()).isZero();
	}

	/** Every request of a run: a GET of the server's root. */
	private Request request(long n) {
		return Request.get(root());
	}

	private URI root() {
		return LoopbackServer.root(this.server);
	}

	private HttpConnections connections() {
		HttpConnections connections = new HttpConnections(root(), Duration.ofSeconds(5));
		this.opened.add(connections);
		return connections;
	}

}
