package dev.fulcrum.system;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.fulcrum.testsupport.TestHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The HA variant ({@code docker-compose.yml} with {@code docker-compose.ha.yml}) on a
 * real Docker engine: the Redis master is stopped under a load of job submissions, the
 * Sentinels promote the replica, the services follow it by themselves, and every job that
 * was accepted is done. Skipped where no engine answers, mandatory in CI.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ComposeHaSystemTests {

	static ComposeStack stack;

	@BeforeAll
	@Timeout(value = 20, unit = TimeUnit.MINUTES)
	static void up() {
		stack = new ComposeStack(DockerEngine.find(), "fulcrumhatest", Map.of(), Path.of("docker-compose.yml"),
				Path.of("docker-compose.ha.yml"));
		stack.close();
		stack.compose(Duration.ofMinutes(15), "build");
		long start = System.nanoTime();
		stack.compose(Duration.ofMinutes(5), "up", "--detach");
		stack.awaitHealthy(Duration.ofMinutes(5));
		System.out.printf("compose HA: every container healthy %.1f s after up%n", (System.nanoTime() - start) / 1e9);
	}

	@AfterAll
	static void down() {
		if (stack != null) {
			stack.close();
			assertThat(stack.leftovers()).as("after down -v").isEmpty();
		}
	}

	@Test
	void failsOverToTheReplicaWhenTheMasterStopsAndLosesNoAcceptedJob() throws Exception {
		String gateway = stack.gateway();
		String credentials = TestHttp.toJson(Map.of("username", "ha-" + UUID.randomUUID().toString().substring(0, 8),
				"password", "system test password"));
		assertThat(TestHttp.post(gateway + "/auth/register", credentials).statusCode()).isEqualTo(201);
		String bearer = "Bearer "
				+ TestHttp.json(TestHttp.post(gateway + "/auth/login", credentials)).get("access_token").asString();
		assertThat(masterOfTheSentinels()).isEqualTo("redis");

		Map<String, HttpResponse<String>> answers = new ConcurrentHashMap<>();
		AtomicBoolean submitting = new AtomicBoolean(true);
		long stopped;
		try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
			for (int client = 0; client < 4; client++) {
				clients.execute(() -> {
					while (submitting.get()) {
						String key = UUID.randomUUID().toString();
						try {
							answers.put(key, submit(gateway, bearer, key));
						}
						catch (RuntimeException ex) {
							// No answer at all: counted below as a failure of the test.
							answers.put(key + " (no answer: " + ex.getMessage() + ")", null);
						}
					}
				});
			}
			Thread.sleep(2_000);
			stopped = System.nanoTime();
			stack.compose(Duration.ofMinutes(1), "stop", "redis");
			await().atMost(Duration.ofSeconds(60))
				.pollInterval(Duration.ofMillis(500))
				.until(() -> "redis-replica".equals(masterOfTheSentinels()));
			System.out.printf("compose HA: the Sentinels named redis-replica master %.1f s after the stop%n",
					(System.nanoTime() - stopped) / 1e9);
			// The services reconnect by themselves: submissions are accepted again.
			await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
				String key = UUID.randomUUID().toString();
				HttpResponse<String> response = submit(gateway, bearer, key);
				answers.put(key, response);
				return response.statusCode() == 202;
			});
			System.out.printf("compose HA: submissions accepted again %.1f s after the stop%n",
					(System.nanoTime() - stopped) / 1e9);
			Thread.sleep(2_000);
			submitting.set(false);
		}

		assertThat(answers.values()).as("every submission was answered").doesNotContainNull();
		assertThat(answers.values()).as("every answer is an acceptance or a clean 503 problem")
			.allSatisfy((response) -> assertThat(response.statusCode()).as(response.body()).isIn(202, 503));
		assertThat(answers.values()).filteredOn((response) -> response.statusCode() == 503)
			.allSatisfy((response) -> assertThat(response.body()).contains("urn:fulcrum:problem:"));
		Set<String> accepted = ConcurrentHashMap.newKeySet();
		answers.values()
			.stream()
			.filter((response) -> response.statusCode() == 202)
			.forEach((response) -> accepted.add(TestHttp.json(response).get("id").asString()));
		System.out.printf("compose HA: %d submissions, %d accepted%n", answers.size(), accepted.size());
		Jobs.awaitSucceeded(gateway, bearer, accepted, Duration.ofMinutes(2));

		// The old master comes back as a replica of the new one.
		stack.compose(Duration.ofMinutes(1), "start", "redis");
		await().atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofSeconds(1))
			.until(() -> redisCli("redis", "info", "replication").contains("role:slave"));
	}

	/** The master's host name as the first Sentinel sees it. */
	private static String masterOfTheSentinels() {
		String[] lines = stack.engine.docker(Duration.ofSeconds(20), "exec", stack.container("redis-sentinel-1", 1),
				"sh", "-c",
				"redis-cli -p 26379 --no-auth-warning -a \"$REDIS_PASSWORD\" sentinel get-master-addr-by-name fulcrum")
			.output()
			.strip()
			.split("\\R");
		return lines[0].strip();
	}

	private static String redisCli(String service, String... command) {
		return stack.engine
			.docker(Duration.ofSeconds(20), "exec", stack.container(service, 1), "sh", "-c",
					"redis-cli --no-auth-warning -a \"$REDIS_PASSWORD\" " + String.join(" ", command))
			.output();
	}

	private static HttpResponse<String> submit(String gateway, String bearer, String key) {
		return TestHttp.post(gateway + "/api/jobs",
				TestHttp.toJson(Map.of("type", "sleep", "payload", Map.of("ms", 10))), "Authorization", bearer,
				"Idempotency-Key", key);
	}

}
