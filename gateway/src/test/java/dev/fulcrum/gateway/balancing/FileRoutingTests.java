package dev.fulcrum.gateway.balancing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.fulcrum.testsupport.TestBackend;
import dev.fulcrum.testsupport.TestHttp;
import dev.fulcrum.testsupport.TestRedisConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The instances of a service from a file that the test rewrites under the running
 * gateway, as the local launcher does when it scales: a replica added joins after its
 * first health check and warms up (slow start, a 60 s window here so that the ramp can be
 * seen); a replica marked draining takes no new request but finishes its own; a replica
 * removed is gone.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "fulcrum.gateway.file-refresh=100ms",
				"fulcrum.gateway.balancing.health.paths.api-service=/health",
				"fulcrum.gateway.balancing.health.interval=1h", "fulcrum.gateway.balancing.slow-start.window=60s" })
@Import(TestRedisConfiguration.class)
class FileRoutingTests {

	static final Path file = temporaryFile();

	static final TestBackend a = new TestBackend("a");

	static final TestBackend b = new TestBackend("b");

	static final TestBackend c = new TestBackend("c");

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@DynamicPropertySource
	static void instancesFromAFile(DynamicPropertyRegistry registry) {
		write(a.url(), b.url());
		registry.add("fulcrum.gateway.files.api-service", file::toString);
	}

	@AfterAll
	static void stop() throws IOException {
		List.of(a, b, c).forEach(TestBackend::close);
		Files.deleteIfExists(file);
	}

	@Test
	void aReplicaAddedToTheFileJoinsThenWarmsUpADrainedOneFinishesItsRequestsAndLeaves() {
		assertThat(servedBy(20)).as("the instances of the file at start-up, warm at once")
			.containsOnly("a", "b")
			.contains("a", "b");

		write(a.url(), b.url(), c.url());
		await().atMost(Duration.ofSeconds(5))
			.until(() -> instance(c) != null && instance(c).get("healthy").asBoolean());
		long warmth = instance(c).get("warmthPercent").asLong();
		assertThat(warmth).as("just joined: a small share").isBetween(10L, 40L);
		List<String> served = servedBy(300);
		long toC = served.stream().filter("c"::equals).count();
		// Without slow start c would take a third (100); at 10-40 % of that, 10-40.
		assertThat(toC).as("requests to the warming replica, of 300").isBetween(1L, 60L);

		b.delayMillis = 1_500;
		List<CompletableFuture<HttpResponse<String>>> underWay = List.of(
				CompletableFuture.supplyAsync(() -> TestHttp.get(api())),
				CompletableFuture.supplyAsync(() -> TestHttp.get(api())),
				CompletableFuture.supplyAsync(() -> TestHttp.get(api())),
				CompletableFuture.supplyAsync(() -> TestHttp.get(api())));
		await().atMost(Duration.ofSeconds(5)).until(() -> instance(b).get("inFlight").asInt() > 0);
		write(a.url(), b.url() + " draining", c.url());
		await().atMost(Duration.ofSeconds(5)).until(() -> instance(b).get("draining").asBoolean());
		assertThat(instance(b).get("inFlight").asInt()).as("requests under way on the draining replica").isPositive();
		assertThat(servedBy(20)).as("no new request for the draining replica").doesNotContain("b");
		assertThat(underWay).as("those under way finish")
			.allSatisfy((response) -> assertThat(response.join().statusCode()).isEqualTo(200));
		assertThat(instance(b).get("inFlight").asInt()).isZero();

		write(a.url(), c.url());
		await().atMost(Duration.ofSeconds(5)).until(() -> instance(b) == null);
		// c is still warming up: it may or may not take one of these.
		assertThat(servedBy(20)).doesNotContain("b").contains("a");
	}

	private List<String> servedBy(int times) {
		return java.util.stream.IntStream.range(0, times).mapToObj((i) -> {
			HttpResponse<String> response = TestHttp.get(api());
			assertThat(response.statusCode()).isEqualTo(200);
			return response.headers().firstValue("X-Served-By").orElseThrow();
		}).toList();
	}

	private JsonNode instance(TestBackend backend) {
		JsonNode instances = TestHttp
			.json(TestHttp.get("http://localhost:" + this.managementPort + "/actuator/balancing"))
			.get("routes")
			.get("api-service")
			.get("instances");
		for (JsonNode instance : instances) {
			if (backend.url().endsWith(instance.get("instance").asString())) {
				return instance;
			}
		}
		return null;
	}

	private String api() {
		return "http://localhost:" + this.port + "/api/hello";
	}

	private static void write(String... lines) {
		try {
			Path temporary = Files.createTempFile(file.getParent(), "upstreams", ".tmp");
			Files.write(temporary, List.of(lines));
			Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static Path temporaryFile() {
		try {
			Path folder = Files.createTempDirectory("fulcrum-upstreams");
			folder.toFile().deleteOnExit();
			return folder.resolve("api-service");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
