package dev.fulcrum.gateway.dashboard;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

import dev.fulcrum.gateway.GatewayRedisUser;
import dev.fulcrum.jobs.JobKeys;
import dev.fulcrum.jobs.JobShard;
import dev.fulcrum.testsupport.TestBackend;
import dev.fulcrum.testsupport.TestHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The live dashboard on the management port: the page and its assets come from the jar
 * with a policy that lets them load nothing else, the public port does not serve them,
 * and the stream sends the last minutes and then a snapshot a second holding each
 * instance's share, its own name and the job queue, read by the gateway's own Redis user,
 * which may read the queue's stream but not a job.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "fulcrum.gateway.balancing.health.paths.api-service=/health",
				"fulcrum.gateway.rate-limit.enabled=false", "fulcrum.gateway.auth.public-paths=GET /api/hello" })
@Import(GatewayRedisUser.class)
class DashboardTests {

	static final List<TestBackend> backends = List.of(new TestBackend("api-a"), new TestBackend("api-b"));

	private static final JsonMapper json = JsonMapper.builder().build();

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@Autowired
	StringRedisTemplate redis;

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
	void servesThePageAndItsAssetsFromTheJarOnTheManagementPortOnly() {
		HttpResponse<String> page = TestHttp.get(management("/dashboard/"));
		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.headers().firstValue("Content-Type")).get().asString().startsWith("text/html");
		assertThat(page.body()).contains("<title>Fulcrum", "uplot/uPlot.iife.min.js", "dashboard.js");
		assertThat(page.headers().firstValue("Content-Security-Policy"))
			.hasValue(dev.fulcrum.dashboard.DashboardConfiguration.CONTENT_SECURITY_POLICY);
		for (String asset : List.of("dashboard.js", "dashboard.css", "uplot/uPlot.iife.min.js",
				"uplot/uPlot.min.css")) {
			HttpResponse<String> found = TestHttp.get(management("/dashboard/" + asset));
			assertThat(found.statusCode()).as(asset).isEqualTo(200);
			assertThat(found.body()).as(asset).isNotBlank();
		}
		assertThat(TestHttp.get(management("/dashboard")).statusCode()).as("redirected to the page").isEqualTo(308);
		HttpResponse<String> publicPort = TestHttp.get("http://localhost:" + this.port + "/dashboard/");
		assertThat(publicPort.statusCode())
			.as("the public port has no dashboard: %s %s", publicPort.headers().map(), publicPort.body())
			.isNotEqualTo(200);
		assertThat(publicPort.body()).doesNotContain("<title>Fulcrum");
		assertThat(TestHttp.get("http://localhost:" + this.port + "/webjars/uplot/1.6.30/dist/uPlot.iife.min.js")
			.statusCode()).as("nor the WebJar").isNotEqualTo(200);
	}

	@Test
	void streamsTheSharesOfTheInstancesByTheirOwnNamesAndTheQueue() throws Exception {
		GatewayRedisUser.command("DEL " + JobKeys.stream() + " " + JobKeys.deadLetters());
		GatewayRedisUser.command("XGROUP CREATE " + JobKeys.stream() + " " + JobKeys.GROUP + " $ MKSTREAM");
		for (int i = 0; i < 3; i++) {
			GatewayRedisUser.command("XADD " + JobKeys.stream() + " * id job-" + i);
		}
		GatewayRedisUser.command("XADD " + JobKeys.deadLetters() + " * id dead-1");
		GatewayRedisUser.command("SET " + JobKeys.outstanding() + " 3");
		for (int i = 0; i < 20; i++) {
			assertThat(TestHttp.get("http://localhost:" + this.port + "/api/hello").statusCode()).isEqualTo(200);
		}
		// Load all along, so that the last seconds always hold requests.
		AtomicBoolean loading = new AtomicBoolean(true);
		Thread load = Thread.ofVirtual().start(() -> {
			while (loading.get()) {
				TestHttp.get("http://localhost:" + this.port + "/api/hello");
			}
		});
		JsonNode snapshot;
		try {
			snapshot = awaitSnapshot((candidate) -> {
				JsonNode route = route(candidate, "api-service");
				return route != null && route.path("instances").size() == 2
						&& route.path("instances").get(0).path("name").asString().startsWith("api-")
						&& route.path("instances").get(1).path("name").asString().startsWith("api-")
						&& route.path("requestsPerSecond").asDouble() > 0
				// The queue is read apart, once a second: wait for a reading taken
				// after the entries above were written.
						&& candidate.path("queue").path("lag").asLong() == 3
						&& candidate.path("queue").path("deadLetters").asLong() == 1;
			});
		}
		finally {
			loading.set(false);
			load.join();
		}
		JsonNode route = route(snapshot, "api-service");
		assertThat(route.path("strategy").asString()).isEqualTo("round-robin");
		assertThat(route.path("breaker").asString()).isEqualTo("CLOSED");
		assertThat(route.path("concurrency").path("limit").asLong()).isPositive();
		double total = 0;
		for (JsonNode instance : route.path("instances")) {
			assertThat(instance.path("name").asString()).isIn("api-a", "api-b");
			assertThat(instance.path("healthy").asBoolean()).isTrue();
			assertThat(instance.path("p99Millis").isNumber()).as("p99 of its successes").isTrue();
			total += instance.path("share").asDouble();
		}
		assertThat(total).as("the shares add up").isCloseTo(1.0, org.assertj.core.data.Offset.offset(0.01));
		assertThat(snapshot.path("strategies").toString()).contains("least-connections");
		JsonNode queue = snapshot.path("queue");
		assertThat(queue.path("lag").asLong()).isEqualTo(3);
		assertThat(queue.path("deadLetters").asLong()).isEqualTo(1);
		assertThat(queue.path("outstanding").asLong()).isEqualTo(3);
		assertThat(snapshot.path("replicas").path("api-service").asLong()).isEqualTo(2);
	}

	@Test
	void theGatewaysRedisUserReadsTheQueueButNotAJob() throws Exception {
		GatewayRedisUser.command("HSET " + JobKeys.job("secret") + " payload private");
		assertThatExceptionOfType(RuntimeException.class)
			.isThrownBy(() -> this.redis.opsForHash().entries(JobKeys.job("secret")))
			.withStackTraceContaining("NOPERM");
		assertThatExceptionOfType(RuntimeException.class)
			.isThrownBy(() -> this.redis.opsForValue().set(JobKeys.outstanding(), "0"))
			.withStackTraceContaining("NOPERM");
		assertThat(this.redis.opsForStream().size(JobKeys.deadLetters())).isNotNull();
	}

	@Test
	void readsTheKeysTheJobsModuleNames() {
		assertThat(QueueStats.SHARDS).isEqualTo(JobKeys.shards());
		for (int i = 0; i < 3; i++) {
			JobShard shard = new JobShard(i);
			assertThat(QueueStats.prefix(i) + QueueStats.STREAM).isEqualTo(shard.stream());
			assertThat(QueueStats.prefix(i) + QueueStats.DEAD_LETTERS).isEqualTo(shard.deadLetters());
			assertThat(QueueStats.prefix(i) + QueueStats.OUTSTANDING).isEqualTo(shard.outstanding());
		}
		assertThat(QueueStats.GROUP).isEqualTo(JobKeys.GROUP);
	}

	/**
	 * Reads the stream until a snapshot matches, at most 20 s; checks it began with
	 * history.
	 */
	private JsonNode awaitSnapshot(Predicate<JsonNode> wanted) throws Exception {
		HttpClient client = HttpClient.newHttpClient();
		HttpRequest request = HttpRequest.newBuilder(URI.create(management("/dashboard/stream")))
			.timeout(Duration.ofSeconds(5))
			.build();
		HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
		assertThat(response.headers().firstValue("Content-Type")).get().asString().startsWith("text/event-stream");
		long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		try (BufferedReader lines = new BufferedReader(
				new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
			String event = null;
			boolean history = false;
			JsonNode last = null;
			String line;
			while (System.nanoTime() < deadline && (line = lines.readLine()) != null) {
				if (line.startsWith("event:")) {
					event = line.substring("event:".length()).strip();
				}
				else if (line.startsWith("data:")) {
					JsonNode data = json.readTree(line.substring("data:".length()));
					if ("history".equals(event)) {
						assertThat(data.isArray()).isTrue();
						history = true;
					}
					else if ("snapshot".equals(event)) {
						assertThat(history).as("history comes first").isTrue();
						last = data;
						if (wanted.test(data)) {
							return data;
						}
					}
				}
			}
			throw new AssertionError("no snapshot as wanted in 20 s; the last: " + last);
		}
	}

	private static JsonNode route(JsonNode snapshot, String id) {
		for (JsonNode route : snapshot.path("routes")) {
			if (route.path("route").asString().equals(id)) {
				return route;
			}
		}
		return null;
	}

	private String management(String path) {
		return "http://localhost:" + this.managementPort + path;
	}

}
