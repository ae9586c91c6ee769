package dev.fulcrum.system;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import dev.fulcrum.load.Spike;
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
 * machine is enough. A spike (the short form of bench/spike.sh: 10 requests a second of
 * the mix, 100 for 25 s, 10 again; open model) scales the API from one replica to two,
 * which the gateway takes into rotation; after it, the replica is drained and stopped. No
 * request fails, at scale-out or at scale-in. A backlog of jobs scales the workers the
 * same way, submitted without idempotency keys ({@code optional} mode). The spike's chart
 * lands in {@code system-tests/target/spike}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class AutoscaleSystemTests {

	/**
	 * The launcher's default options ({@code Fulcrum.DEFAULT_JAVA_OPTIONS}) with C1
	 * alone.
	 */
	static final String C1_JAVA_OPTIONS = "-Xms64m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError";

	static LocalStack stack;

	static String gateway;

	@BeforeAll
	@Timeout(value = 6, unit = TimeUnit.MINUTES)
	static void up() {
		// C1 alone, as bench/spike.sh runs: the CPU target and the windows are set
		// for its steady CPU, and C2 compiling in a new replica is CPU the autoscaler
		// would count.
		stack = LocalStack.up(
				Map.of("FULCRUM_JAVA_OPTS", C1_JAVA_OPTIONS, "FULCRUM_AUTOSCALE_PERIOD", "3s",
						"FULCRUM_AUTOSCALE_DOWN_WINDOW", "15s", "FULCRUM_AUTOSCALE_CPU_TARGET", "0.2",
						"FULCRUM_AUTOSCALE_LAG_TARGET", "20", "GATEWAY_SLOW_START_WINDOW", "10s",
						"JOBS_MAX_UNFINISHED_PER_USER", "1000", "JOBS_MAX_KEPT_PER_USER", "2000",
						// The backlog is submitted without keys: every identical
						// submission
						// is a job of its own (docs/jobs.md#idempotency-modes).
						"JOBS_IDEMPOTENCY_MODE", "optional"),
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
	void aSpikeScalesTheApiOutAndBackInWithoutAFailedRequest() throws Exception {
		Spike.Settings settings = new Spike.Settings(URI.create(gateway), stack.home, 10, 10, Duration.ofSeconds(5),
				Duration.ofSeconds(25), Duration.ofSeconds(40), 20, 100, Path.of("target/spike"),
				Duration.ofSeconds(5));
		Spike.Report report = Spike.run(settings);
		System.out.print(report);

		assertThat(report.baseReplicas()).as("before the spike").isEqualTo(1);
		assertThat(report.peakReplicas()).as("during the spike").isEqualTo(2);
		assertThat(report.firstScaleOutSeconds()).as("seconds to the new replica").isBetween(0, 25);
		assertThat(report.scaledInSeconds()).as("seconds from the spike's end to one replica").isBetween(0, 40);
		assertThat(report.failed()).as("failed requests:\n" + report).isZero();
		assertThat(report.phases().get("spike").succeeded()).as("the spike was served")
			.isGreaterThan((long) (0.9 * 100 * 25));
		assertThat(report.chart()).exists().isNotEmptyFile();

		String log = supervisorLog();
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
		// One worker runs 8 jobs at once: 200 jobs of a second each keep it busy for
		// about 25 s, and leave a lag of well over 20 a worker while they are submitted.
		// The same job every time, without a key: in optional mode each one is new.
		List<String> ids = java.util.Collections.synchronizedList(new ArrayList<>());
		try (var submitters = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
			for (int submitter = 0; submitter < 6; submitter++) {
				submitters.execute(() -> {
					for (int i = 0; i < 34; i++) {
						HttpResponse<String> submitted = TestHttp.post(gateway + "/api/jobs",
								TestHttp.toJson(Map.of("type", "sleep", "payload", Map.of("ms", 1000))),
								"Authorization", bearer);
						assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
						assertThat(submitted.headers().firstValue("Idempotent-Replayed")).isEmpty();
						ids.add(TestHttp.json(submitted).get("id").asString());
					}
				});
			}
		}
		assertThat(ids).hasSize(204).doesNotHaveDuplicates();
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

}
