package dev.fulcrum.system;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import dev.fulcrum.testsupport.TestHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code ./fulcrum up --autoscale}, short form: the supervisor decides every 3 s, scales
 * in after a 15 s window, and the targets are low, so that a little load on this small
 * machine is enough. Load on the API scales it from one replica to two, which the gateway
 * takes into rotation; the load gone, the replica is drained and stopped. A client that
 * keeps calling at a steady pace all along gets no failed request, at scale-out or at
 * scale-in. A backlog of jobs scales the workers the same way.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class AutoscaleSystemTests {

	static LocalStack stack;

	static String gateway;

	@BeforeAll
	@Timeout(value = 6, unit = TimeUnit.MINUTES)
	static void up() {
		stack = LocalStack.up(
				Map.of("FULCRUM_AUTOSCALE_PERIOD", "3s", "FULCRUM_AUTOSCALE_DOWN_WINDOW", "15s",
						"FULCRUM_AUTOSCALE_CPU_TARGET", "0.1", "FULCRUM_AUTOSCALE_LAG_TARGET", "20",
						"GATEWAY_SLOW_START_WINDOW", "10s", "JOBS_MAX_UNFINISHED_PER_USER", "1000",
						"JOBS_MAX_KEPT_PER_USER", "2000"),
				"--autoscale", "--api", "1", "--workers", "1", "--max-api", "2", "--max-workers", "2");
		gateway = stack.url("gateway");
	}

	@AfterAll
	static void down() {
		if (stack != null) {
			stack.close();
		}
	}

	@Test
	@Order(1)
	void theApiScalesOutUnderLoadAndBackInAfterwardsWithoutAFailedRequest() throws Exception {
		try (SteadyClient steady = new SteadyClient(gateway + "/api/hello", Duration.ofMillis(50))) {
			try (Load load = new Load(6, (i) -> Load.get(gateway + "/api/hello"))) {
				await().atMost(Duration.ofSeconds(150))
					.pollInterval(Duration.ofSeconds(1))
					.until(() -> upstreams().contains("api-service-2 ready"));
				// The gateway takes the new replica into rotation (slow start: a small
				// share at first).
				await().atMost(Duration.ofSeconds(20)).until(() -> steady.servedBy.contains("api-service-2"));
				load.close();
				assertThat(load.failed())
					.as("failed requests of the load: " + load.firstFailures() + ", " + load.summary())
					.isZero();
			}
			// The load gone: held for the scale-down window, then drained and stopped.
			await().atMost(Duration.ofSeconds(90))
				.pollInterval(Duration.ofSeconds(1))
				.until(() -> replicas("api-service") == 1 && !upstreams().contains("api-service-2"));
			Thread.sleep(2_000);
			steady.close();
			assertThat(steady.failures).as("failed requests of the steady client").isEmpty();
			assertThat(steady.sent.get()).as("requests of the steady client").isGreaterThan(100);
		}
		String log = Files.readString(stack.home.resolve("logs/supervisor.log"));
		assertThat(log).contains("api-service 1 -> 2: cpu ")
			.contains("api-service-2 is ready after")
			.containsPattern("api-service 2 -> 1: cpu [0-9.]+ over 2 replicas")
			.contains("api-service-2 drained (none of its requests in flight at the gateway");
		LocalStack.Result status = stack.fulcrum(Duration.ofSeconds(60), "status");
		assertThat(status.output()).contains("Autoscaling: on")
			.contains("Last scaling decisions")
			.contains("api-service 2 -> 1");
	}

	@Test
	@Order(2)
	void aBacklogOfJobsScalesTheWorkersOutAndBackInOnceTheQueueIsDrained() throws Exception {
		String bearer = newUser();
		// One worker runs 8 jobs at once: 300 jobs of a second each keep it busy for
		// about 40 s, and leave a lag of well over 20 a worker while they are submitted.
		List<String> ids = java.util.Collections.synchronizedList(new ArrayList<>());
		try (var submitters = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
			for (int submitter = 0; submitter < 6; submitter++) {
				submitters.execute(() -> {
					for (int i = 0; i < 50; i++) {
						HttpResponse<String> submitted = TestHttp.post(gateway + "/api/jobs",
								TestHttp.toJson(Map.of("type", "sleep", "payload", Map.of("ms", 1000))),
								"Authorization", bearer, "Idempotency-Key", UUID.randomUUID().toString());
						assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
						ids.add(TestHttp.json(submitted).get("id").asString());
					}
				});
			}
		}
		assertThat(ids).hasSize(300);
		await().atMost(Duration.ofSeconds(30)).until(() -> replicas("worker-service") == 2);
		Jobs.awaitSucceeded(gateway, bearer, ids, Duration.ofMinutes(2));
		await().atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofSeconds(1))
			.until(() -> replicas("worker-service") == 1);
		assertThat(supervisorLog()).containsPattern("worker-service 1 -> 2: queue lag [0-9.]+ over 1 replica")
			.containsPattern("worker-service 2 -> 1: queue lag");
	}

	private static int replicas(String service) {
		return (int) stack.instances().stream().filter((entry) -> entry.service().equals(service)).count();
	}

	/**
	 * The API replicas in the gateway's file, as {@code api-service-N ready} or
	 * {@code api-service-N draining}.
	 */
	private static String upstreams() throws Exception {
		Path file = stack.home.resolve("upstreams/api-service");
		StringBuilder described = new StringBuilder();
		for (String line : Files.readAllLines(file)) {
			if (line.startsWith("#")) {
				continue;
			}
			String port = line.split(" ")[0].replaceFirst(".*:", "");
			String name = stack.instances()
				.stream()
				.filter((entry) -> entry.url().endsWith(":" + port))
				.map(LocalStack.Entry::instance)
				.findFirst()
				.orElse("?");
			described.append(name).append(line.endsWith(" draining") ? " draining" : " ready").append('\n');
		}
		return described.toString();
	}

	private static String supervisorLog() {
		try {
			return Files.readString(stack.home.resolve("logs/supervisor.log"));
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	private static String newUser() {
		String credentials = TestHttp.toJson(Map.of("username", "scale-" + UUID.randomUUID().toString().substring(0, 8),
				"password", "system test password"));
		assertThat(TestHttp.post(gateway + "/auth/register", credentials).statusCode()).isEqualTo(201);
		return "Bearer "
				+ TestHttp.json(TestHttp.post(gateway + "/auth/login", credentials)).get("access_token").asString();
	}

	/**
	 * One client at a steady pace (a request, then a pause), recording every failure and
	 * which instance served it.
	 */
	static final class SteadyClient implements AutoCloseable {

		final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

		final java.util.Set<String> servedBy = java.util.concurrent.ConcurrentHashMap.newKeySet();

		final AtomicLong sent = new AtomicLong();

		private final AtomicBoolean running = new AtomicBoolean(true);

		private final Thread thread;

		SteadyClient(String url, Duration pause) {
			this.thread = Thread.ofVirtual().start(() -> {
				while (this.running.get()) {
					try {
						HttpResponse<String> response = TestHttp.get(url);
						this.sent.incrementAndGet();
						if (response.statusCode() != 200) {
							this.failures.add(response.statusCode() + " " + response.body());
						}
						response.headers().firstValue("X-Served-By").ifPresent(this.servedBy::add);
						Thread.sleep(pause);
					}
					catch (InterruptedException ex) {
						return;
					}
					catch (RuntimeException ex) {
						this.failures.add(ex.toString());
					}
				}
			});
		}

		@Override
		public void close() throws InterruptedException {
			this.running.set(false);
			this.thread.join(Duration.ofSeconds(15));
		}

	}

}
