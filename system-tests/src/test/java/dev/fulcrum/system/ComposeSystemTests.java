package dev.fulcrum.system;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.fulcrum.load.OpenLoad;
import dev.fulcrum.load.RateSearch;
import dev.fulcrum.load.ScalingChart;
import dev.fulcrum.load.ScalingLab;
import dev.fulcrum.testsupport.TestHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code docker-compose.yml} as users run it, on a real Docker engine: built and started
 * with {@code up --build}, the Postman collection and the README's job walkthrough
 * through the gateway, a load of registrations, logins and a minute of mixed traffic with
 * no container killed for memory, the scaling lab's quick mode (two api-service replicas
 * against one, each at half a core), api-service scaled out and back under load, an
 * api-service and a worker killed under load, SIGTERM drained within the grace period,
 * and {@code down -v} leaving nothing behind.
 * <p>
 * Skipped where no engine answers, mandatory in CI ({@code FULCRUM_REQUIRE_DOCKER=1}).
 * Where no registry is reachable, the images that the files name must be there already
 * ({@code deploy-tests/images/}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ComposeSystemTests {

	/**
	 * The test's own additions to the stack: an administrator (the Postman collection's
	 * Admin folder) with a password made for this run, and room for the registrations
	 * that every test makes from this one address.
	 */
	private static final String TEST_OVERRIDE = """
			# Written by ComposeSystemTests: what the tests add to docker-compose.yml.
			services:
			  auth-service:
			    environment:
			      FULCRUM_AUTH_DEMO_USER_ENABLED: "true"
			      FULCRUM_AUTH_DEMO_USER_PASSWORD: ${TEST_USER_PASSWORD}
			      FULCRUM_AUTH_DEMO_ADMIN_ENABLED: "true"
			      FULCRUM_AUTH_DEMO_ADMIN_USERNAME: admin
			      FULCRUM_AUTH_DEMO_ADMIN_PASSWORD: ${TEST_ADMIN_PASSWORD}
			      FULCRUM_AUTH_THROTTLE_REGISTRATIONS_PER_ADDRESS: "1000"
			""";

	private static final String ADMIN_PASSWORD = "admin-" + UUID.randomUUID();

	static ComposeStack stack;

	static Duration timeToHealthy;

	@BeforeAll
	@Timeout(value = 20, unit = TimeUnit.MINUTES)
	static void up() {
		DockerEngine engine = DockerEngine.find();
		Path override = ComposeStack.writeFile("compose-test.yml", TEST_OVERRIDE);
		stack = new ComposeStack(engine, "fulcrumtest",
				Map.of("TEST_ADMIN_PASSWORD", ADMIN_PASSWORD, "TEST_USER_PASSWORD", "user-" + UUID.randomUUID()),
				Path.of("docker-compose.yml"), override);
		// Anything a killed earlier run left behind goes first.
		stack.close();
		long buildStart = System.nanoTime();
		stack.compose(Duration.ofMinutes(15), "build");
		long upStart = System.nanoTime();
		System.out.printf("compose: images built in %.0f s%n", (upStart - buildStart) / 1e9);
		stack.compose(Duration.ofMinutes(5), "up", "--detach");
		stack.awaitHealthy(Duration.ofMinutes(5));
		timeToHealthy = Duration.ofNanos(System.nanoTime() - upStart);
		System.out.printf("compose: every container healthy %.1f s after up%n", timeToHealthy.toMillis() / 1e3);
		for (String image : List.of("gateway", "auth-service", "api-service", "worker-service")) {
			System.out.printf("compose: image fulcrum/%s:local is %s%n", image,
					engine
						.docker(Duration.ofSeconds(30), "image", "inspect", "--format", "{{.Size}}",
								"fulcrum/" + image + ":local")
						.output()
						.strip());
		}
	}

	@AfterAll
	static void down() {
		if (stack != null) {
			stack.close();
		}
	}

	@Test
	@Order(1)
	void startsEveryContainerOfTheFileAndEachBecomesHealthy() {
		assertThat(stack.containers()).containsExactlyInAnyOrder(stack.container("redis", 1),
				stack.container("auth-service", 1), stack.container("auth-service", 2),
				stack.container("api-service", 1), stack.container("api-service", 2), stack.container("api-service", 3),
				stack.container("worker-service", 1), stack.container("worker-service", 2),
				stack.container("gateway", 1));
		assertThat(timeToHealthy).as("time from up to all healthy").isLessThan(Duration.ofMinutes(5));
		assertThat(TestHttp.get(stack.management() + "/actuator/health/readiness").statusCode()).isEqualTo(200);
	}

	/**
	 * Each service is a Redis user of its own (docker/redis-users.acl, written into an
	 * ACL file at Redis's start): with the worker's credentials, the signing keys and the
	 * revocations are out of reach; the services themselves all work (the other tests).
	 */
	@Test
	@Order(2)
	void aServicesRedisUserReachesOnlyItsOwnKeys() {
		String worker = redisCli("--user worker-service --pass \"$REDIS_WORKER_SERVICE_PASSWORD\"");
		assertThat(stack.engine
			.docker(Duration.ofSeconds(20), "exec", stack.container("redis", 1), "sh", "-c",
					worker + " hset fulcrum:auth:jwks forged x; " + worker + " set 'fulcrum:revoked:{x}' 1; " + worker
							+ " xlen 'fulcrum:{jobs}:stream'")
			.output()).containsSubsequence("NOPERM", "NOPERM").doesNotContain("ERR");
		String users = stack.engine
			.docker(Duration.ofSeconds(20), "exec", stack.container("redis", 1), "sh", "-c",
					redisCli("-a \"$REDIS_PASSWORD\"") + " acl users")
			.output();
		assertThat(users.lines().map(String::strip)).contains("default", "auth-service", "gateway", "api-service",
				"worker-service");
	}

	private static String redisCli(String credentials) {
		return "redis-cli --no-auth-warning " + credentials;
	}

	@Test
	@Order(2)
	void namesEachInstanceByItsReplicaNotByTheContainerHash() {
		Set<String> servedBy = new HashSet<>();
		for (int i = 0; i < 12; i++) {
			HttpResponse<String> hello = TestHttp.get(stack.gateway() + "/api/hello");
			assertThat(hello.statusCode()).isEqualTo(200);
			servedBy.add(hello.headers().firstValue("X-Served-By").orElseThrow());
		}
		assertThat(servedBy).containsExactlyInAnyOrder("api-service-1", "api-service-2", "api-service-3");
		String logs = stack.engine.docker(Duration.ofSeconds(30), "logs", stack.container("worker-service", 2))
			.output();
		assertThat(logs).contains("\"node\":{\"name\":\"worker-service-2\"}");
	}

	@Test
	@Order(3)
	void runsEveryContainerUnprivilegedOnAReadOnlyRootWithNoCapabilities() {
		for (String container : stack.containers()) {
			JsonNode inspect = stack.inspect(container);
			String user = inspect.at("/Config/User").asString();
			assertThat(user).as(container + " user").isNotEmpty().isNotIn("root", "0", "0:0");
			assertThat(inspect.at("/HostConfig/ReadonlyRootfs").asBoolean()).as(container + " read-only root").isTrue();
			assertThat(inspect.at("/HostConfig/CapDrop").valueStream().map(JsonNode::asString))
				.as(container + " capabilities dropped")
				.contains("ALL");
			assertThat(inspect.at("/HostConfig/SecurityOpt").valueStream().map(JsonNode::asString))
				.as(container + " security options")
				.contains("no-new-privileges:true");
			String uid = stack.engine.docker(Duration.ofSeconds(30), "exec", container, "id", "-u")
				.orThrow("id -u in " + container)
				.output()
				.strip();
			assertThat(uid).as(container + " runs as").isNotEqualTo("0");
		}
	}

	@Test
	@Order(4)
	@Timeout(value = 5, unit = TimeUnit.MINUTES)
	void thePostmanCollectionRunsGreenThroughTheGateway() throws Exception {
		PostmanCollection postman = new PostmanCollection(stack.root);
		Path report = ComposeStack.writeFile("newman-compose.json", "{}");
		LocalStack.Result run = postman.run(stack.gateway(), report, Map.of("adminPassword", ADMIN_PASSWORD));
		JsonNode result = PostmanCollection.read(report);
		assertThat(PostmanCollection.failures(result)).as(run.output()).isEmpty();
		assertThat(run.exitCode()).as(run.output()).isZero();
		assertThat(PostmanCollection.executed(result)).containsExactlyInAnyOrderElementsOf(postman.requestNames());
	}

	@Test
	@Order(5)
	void theJobWalkthroughOfTheReadmeGoesAsItSays() {
		String gateway = stack.gateway();
		String bearer = newUser("walk-");
		String key = UUID.randomUUID().toString();
		String sleep = TestHttp.toJson(Map.of("type", "sleep", "payload", Map.of("ms", 2000)));
		HttpResponse<String> first = submit(bearer, key, sleep);
		assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
		assertThat(first.headers().firstValue("Location")).hasValueSatisfying(
				(location) -> assertThat(location).isEqualTo("/api/jobs/" + TestHttp.json(first).get("id").asString()));
		HttpResponse<String> again = submit(bearer, key, sleep);
		assertThat(again.statusCode()).isEqualTo(202);
		assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
		HttpResponse<String> reused = submit(bearer, key,
				TestHttp.toJson(Map.of("type", "sleep", "payload", Map.of("ms", 5))));
		assertThat(reused.statusCode()).isEqualTo(422);
		assertThat(TestHttp.json(reused).get("type").asString())
			.isEqualTo("urn:fulcrum:problem:idempotency-key-reused");
		String flaky = TestHttp
			.json(submit(bearer, UUID.randomUUID().toString(),
					TestHttp.toJson(Map.of("type", "flaky", "payload", Map.of("failTimes", 2)))))
			.get("id")
			.asString();
		String fail = TestHttp
			.json(submit(bearer, UUID.randomUUID().toString(), TestHttp.toJson(Map.of("type", "fail"))))
			.get("id")
			.asString();
		Map<String, String> expected = Map.of(TestHttp.json(first).get("id").asString(), "SUCCEEDED", flaky,
				"SUCCEEDED", fail, "DEAD");
		await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
			for (Map.Entry<String, String> job : expected.entrySet()) {
				assertThat(TestHttp.json(TestHttp.get(gateway + "/api/jobs/" + job.getKey(), "Authorization", bearer))
					.get("status")
					.asString()).as(job.getKey()).isEqualTo(job.getValue());
			}
		});
		assertThat(TestHttp.json(TestHttp.get(gateway + "/api/jobs/" + flaky, "Authorization", bearer))
			.get("attempts")
			.asInt()).isEqualTo(3);
		String admin = "Bearer " + TestHttp
			.json(TestHttp.post(gateway + "/auth/login",
					TestHttp.toJson(Map.of("username", "admin", "password", ADMIN_PASSWORD))))
			.get("access_token")
			.asString();
		assertThat(TestHttp.get(gateway + "/api/admin/jobs/dead", "Authorization", admin).body()).contains(fail);
		HttpResponse<String> redrive = TestHttp.post(gateway + "/api/admin/jobs/dead/redrive", null, "Authorization",
				admin);
		assertThat(redrive.statusCode()).as(redrive.body()).isEqualTo(200);
		assertThat(redrive.body()).contains(fail);
	}

	/**
	 * The load that OOM-killed both auth-services at 75 % heap: registrations, a burst of
	 * logins (Argon2, 16 MiB each), then a minute of mixed authenticated traffic.
	 */
	@Test
	@Order(6)
	void takesLoginsAndAMinuteOfMixedTrafficWithNoContainerKilledOrRestarted() throws Exception {
		String gateway = stack.gateway();
		List<String> bearers = new ArrayList<>();
		for (int i = 0; i < 12; i++) {
			bearers.add(newUser("load-"));
		}
		String credentials = TestHttp.toJson(Map.of("username", "admin", "password", ADMIN_PASSWORD));
		try (ExecutorService logins = Executors.newVirtualThreadPerTaskExecutor()) {
			for (int i = 0; i < 40; i++) {
				logins.execute(() -> TestHttp.post(gateway + "/auth/login", credentials));
			}
		}
		try (Load load = new Load(32, (n) -> switch ((int) (n % 10)) {
			case 0 -> Load.get(gateway + "/api/hello");
			case 1 ->
				Load.post(gateway + "/api/jobs", "{\"type\":\"echo\",\"payload\":{\"n\":" + n + "}}", "Authorization",
						bearers.get((int) (n % bearers.size())), "Idempotency-Key", UUID.randomUUID().toString());
			default -> Load.get(gateway + "/api/me", "Authorization", bearers.get((int) (n % bearers.size())));
		})) {
			Thread.sleep(60_000);
			load.close();
			System.out.println("compose: mixed load, " + load.summary());
			assertThat(load.failed()).as(load.firstFailures().toString()).isLessThanOrEqualTo(load.total() / 100);
		}
		System.out.println("compose: memory after the load\n" + stack.engine
			.docker(Duration.ofSeconds(30), "stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}}")
			.output());
		for (String container : stack.containers()) {
			JsonNode inspect = stack.inspect(container);
			assertThat(inspect.at("/State/OOMKilled").asBoolean()).as(container + " OOMKilled").isFalse();
			assertThat(inspect.at("/RestartCount").asInt()).as(container + " RestartCount").isZero();
			assertThat(inspect.at("/State/Status").asString()).as(container).isEqualTo("running");
		}
	}

	/**
	 * The scaling lab's quick mode on this stack, end to end: two api-service replicas at
	 * half a core each, then one (warm from the minute of traffic before, so that no
	 * replica starts), each searched for the highest rate of the mix held with p99 within
	 * 250 ms, with every part's CPU and Redis's commands measured, the table and chart
	 * written and the quotas lifted. It asserts no ratio between the two: on this shared
	 * two-core machine, 5 s steps put either first (CI measured 608/s for one replica and
	 * 759/s for two, and in another run 563/s and 375/s); docs/scaling.md holds the
	 * figures. The target is looser than the lab's 100 ms because the images' AOT caches
	 * hold no profiles: two minutes after {@code up}, C2 still compiles in every
	 * container, and at half a core that put the two replicas' p99 at 119 ms at 100/s and
	 * CI saw 200/s fail twice. Each configuration is warmed until its CPU per request
	 * settles (at most 20 s): after a 5 s warm-up, CI once saw both replicas fail 100/s
	 * twice, at a p99 of 266 and 542 ms.
	 */
	@Test
	@Order(7)
	@Timeout(value = 8, unit = TimeUnit.MINUTES)
	void theScalingLabMeasuresOneAndTwoReplicasOnTheComposeStack() throws Exception {
		// Started below what a warm half-core replica holds (about 160-600/s here) and
		// doubled at each step, with no refinement (the figure is not what is checked),
		// after a step of warm-up.
		int maxP99Millis = 250;
		RateSearch search = new RateSearch(100, 2, 0, Duration.ofSeconds(5), maxP99Millis, 0.01, 5_000);
		Path out = Path.of("target/scaling-lab").toAbsolutePath();
		ScalingLab.Settings settings = new ScalingLab.Settings(URI.create(stack.gateway()),
				URI.create(stack.management()), stack.project(), 0.5, 1.0, List.of(2, 1), List.of(), List.of(), 0, 50,
				search, Duration.ofSeconds(20), 150, out);
		List<ScalingLab.Point> points;
		try (HttpClient client = OpenLoad.client()) {
			points = ScalingLab.run(settings, client, (line) -> System.out.println("compose: lab " + line));
		}
		System.out.println(ScalingLab.table(points, Runtime.getRuntime().availableProcessors()));
		ScalingChart.write(points, "Scaling lab, quick", 100, out.resolve("scaling-lab.png"));
		assertThat(out.resolve("scaling-lab.png")).isNotEmptyFile();
		assertThat(points).extracting(ScalingLab.Point::apiReplicas).containsExactly(2, 1);
		for (ScalingLab.Point point : points) {
			assertThat(point.result().best()).as(point.label() + " sustained some rate: " + point.result().steps())
				.isNotNull();
			assertThat(point.result().best().summary().p99Millis()).as(point.label()).isLessThanOrEqualTo(maxP99Millis);
			assertThat(point.result().best().perRequest()).as(point.label())
				.containsOnlyKeys("gateway", "api-service", "auth-service", "worker-service", "redis", "generator",
						"redis-commands")
				.allSatisfy((counter, value) -> assertThat(value).as(counter).isPositive());
		}
		// The lab leaves no quota behind.
		for (String container : stack.containers("api-service")) {
			assertThat(stack.inspect(container).at("/HostConfig/CpuQuota").asLong()).as(container)
				.isLessThanOrEqualTo(0);
		}
	}

	@Test
	@Order(8)
	@Timeout(value = 5, unit = TimeUnit.MINUTES)
	void scalesApiServiceToFourAndBackToTwoWithoutAFailedRequest() throws Exception {
		stack.compose(Duration.ofMinutes(3), "up", "--detach", "--no-build", "--no-recreate", "--scale",
				"api-service=4");
		String fourth = stack.container("api-service", 4);
		await().atMost(Duration.ofMinutes(2))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> "healthy".equals(stack.inspect(fourth).at("/State/Health/Status").asString()));
		long healthy = System.nanoTime();
		Set<String> servedBy = new HashSet<>();
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
			servedBy.add(TestHttp.get(stack.gateway() + "/api/hello").headers().firstValue("X-Served-By").orElse(""));
			return servedBy.contains("api-service-4");
		});
		double seconds = (System.nanoTime() - healthy) / 1e9;
		System.out.printf("compose: the gateway sent api-service-4 its first request %.1f s after it was healthy%n",
				seconds);
		// Within the gateway's DNS refresh (5 s) and one joining probe (1 s), then the
		// first request it is given: in its slow start a new replica gets a tenth of its
		// share, about one request in 31 of these ten a second, so that first
		// request alone takes 3.5 s on average and 12 s about once in fifty. Counted from
		// Docker's own verdict (up to its 5 s interval after the instance is ready).
		// Once in CI 9.4 s failed a 6 s bound that had no room for the slow start.
		assertThat(seconds).as("seconds from healthy to balanced").isLessThan(20.0);
		// The new replicas warm up (slow start: a tenth of their share at first, all of
		// it after 30 s), so all four serve within that, not within four requests.
		servedBy.clear();
		await().atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(20)).until(() -> {
			servedBy.add(TestHttp.get(stack.gateway() + "/api/hello").headers().firstValue("X-Served-By").orElse(""));
			return servedBy.size() >= 4;
		});
		assertThat(servedBy).containsExactlyInAnyOrder("api-service-1", "api-service-2", "api-service-3",
				"api-service-4");

		// Paced below the 1,000 requests a second that one client may send on this route
		// (8 clients, each waiting 10 ms: at most 800 a second). Back to back, a fast run
		// reached 1,092 a second and its 429s counted as failures of the scale-in.
		try (Load load = new Load(8, Duration.ofMillis(10), (n) -> Load.get(stack.gateway() + "/api/hello"))) {
			Thread.sleep(2_000);
			stack.compose(Duration.ofMinutes(2), "up", "--detach", "--no-build", "--no-recreate", "--scale",
					"api-service=2");
			Thread.sleep(8_000);
			load.close();
			System.out.println("compose: scaling 4 -> 2 under load, " + load.summary());
			assertThat(load.failed()).as(load.firstFailures().toString()).isZero();
			assertThat(load.total()).isPositive();
		}
		assertThat(stack.containers("api-service")).hasSize(2);
	}

	@Test
	@Order(9)
	void losesUnderAPermilleOfGetsWhenAnApiServiceIsKilled() throws Exception {
		// Sixteen clients, as many users as send authenticated GETs: the route's
		// concurrency limit falls while the survivor takes the load, and one user holding
		// half of it would be shed by design (ConcurrencyLimitFilter), which is not what
		// this test is about. CI once saw one user's sixteen requests shed that way.
		List<String> bearers = new ArrayList<>();
		for (int i = 0; i < 8; i++) {
			bearers.add(newUser("kill-api-"));
		}
		try (Load load = new Load(16, (n) -> (n % 2 == 0) ? Load.get(stack.gateway() + "/api/hello") : Load
			.get(stack.gateway() + "/api/me", "Authorization", bearers.get((int) (n / 2 % bearers.size()))))) {
			Thread.sleep(3_000);
			stack.engine.docker(Duration.ofSeconds(30), "kill", stack.container("api-service", 1))
				.orThrow("docker kill");
			Thread.sleep(12_000);
			load.close();
			System.out.println("compose: api-service-1 killed under GET load, " + load.summary());
			assertThat(load.total()).isGreaterThan(500);
			assertThat(load.failed()).as(load.firstFailures().toString()).isLessThanOrEqualTo(load.total() / 1000);
		}
		finally {
			// Whatever the verdict, the tests after this one need both replicas.
			restart(stack.container("api-service", 1));
		}
	}

	@Test
	@Order(10)
	@Timeout(value = 4, unit = TimeUnit.MINUTES)
	void losesNoJobToAKilledWorkerAndRunsNoneAgainOnceDone() throws Exception {
		String gateway = stack.gateway();
		String bearer = newUser("kill-worker-");
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < 100; i++) {
			HttpResponse<String> submitted = submit(bearer, UUID.randomUUID().toString(),
					TestHttp.toJson(Map.of("type", "sleep", "payload", Map.of("ms", 500))));
			assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
			ids.add(TestHttp.json(submitted).get("id").asString());
		}
		// Both workers are busy with the backlog: kill one in the middle of its jobs.
		stack.engine.docker(Duration.ofSeconds(30), "kill", stack.container("worker-service", 1))
			.orThrow("docker kill");
		try {
			Map<String, JsonNode> done = Jobs.awaitSucceeded(gateway, bearer, ids, Duration.ofMinutes(3));
			long again = done.values().stream().filter((job) -> job.get("attempts").asInt() > 1).count();
			System.out.printf("compose: a worker killed with jobs in flight: %d of %d jobs ran a second attempt%n",
					again, ids.size());
			// Only what the killed worker held when it died ran twice: at most its 8
			// slots.
			assertThat(again).as("jobs run again").isLessThanOrEqualTo(8);
			// Past the visibility timeout, nothing finished is taken up again.
			Thread.sleep(6_000);
			for (String id : ids) {
				JsonNode now = TestHttp.json(TestHttp.get(gateway + "/api/jobs/" + id, "Authorization", bearer));
				assertThat(now.get("updatedAt").asString()).as(id).isEqualTo(done.get(id).get("updatedAt").asString());
				assertThat(now.get("attempts").asInt()).as(id).isEqualTo(done.get(id).get("attempts").asInt());
			}
		}
		finally {
			restart(stack.container("worker-service", 1));
		}
	}

	@Test
	@Order(11)
	void stopsOnSigtermWithinTheGracePeriodAfterFinishingItsWork() throws Exception {
		String bearer = newUser("stop-");
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			ids.add(TestHttp
				.json(submit(bearer, UUID.randomUUID().toString(),
						TestHttp.toJson(Map.of("type", "sleep", "payload", Map.of("ms", 1500)))))
				.get("id")
				.asString());
		}
		// More jobs running than one worker has slots (8): both workers hold some.
		await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> ids.stream()
				.filter((id) -> "RUNNING"
					.equals(TestHttp.json(TestHttp.get(stack.gateway() + "/api/jobs/" + id, "Authorization", bearer))
						.get("status")
						.asString()))
				.count() > 8);
		for (String container : List.of(stack.container("worker-service", 2), stack.container("api-service", 2))) {
			long start = System.nanoTime();
			stack.engine.docker(Duration.ofMinutes(1), "stop", container).orThrow("docker stop " + container);
			double seconds = (System.nanoTime() - start) / 1e9;
			JsonNode state = stack.inspect(container).get("State");
			System.out.printf("compose: %s stopped in %.1f s, exit code %d%n", container, seconds,
					state.get("ExitCode").asInt());
			// 143 is the JVM's exit after SIGTERM; 137 would be the SIGKILL at the end of
			// the grace period.
			assertThat(state.get("ExitCode").asInt()).as(container + " exit code").isEqualTo(143);
			assertThat(seconds).as(container + " seconds to stop").isLessThan(30.0);
		}
		await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
			for (String id : ids) {
				assertThat(TestHttp.json(TestHttp.get(stack.gateway() + "/api/jobs/" + id, "Authorization", bearer))
					.get("status")
					.asString()).as(id).isEqualTo("SUCCEEDED");
			}
		});
	}

	/**
	 * {@code ./fulcrum autoscale-compose} on this project (one api-service running by
	 * now, one worker): a load past its low CPU target scales the api-service out through
	 * the Docker API; once the load is light, the new replica is drained at the gateway,
	 * stopped and removed with no failed request.
	 */
	@Test
	@Order(12)
	@Timeout(value = 7, unit = TimeUnit.MINUTES)
	void theComposeAutoscalerScalesTheApiOutUnderLoadAndBackInWithoutAFailedRequest() throws Exception {
		// One api-service and one worker running, whatever the tests before left.
		stack.compose(Duration.ofMinutes(3), "up", "--detach", "--no-build", "--no-recreate", "--scale",
				"api-service=1", "--scale", "worker-service=1");
		await().atMost(Duration.ofMinutes(2))
			.pollInterval(Duration.ofSeconds(1))
			.until(() -> stack.project().containers("api-service").size() == 1
					&& stack.project().healthy(stack.project().containers("api-service").getFirst()));
		Path log = Path.of("target/compose-autoscaler.log").toAbsolutePath();
		ProcessBuilder builder = new ProcessBuilder("bash", stack.root.resolve("fulcrum").toString(),
				"autoscale-compose", stack.project, "--max-api", "2", "--max-workers", "1")
			.redirectErrorStream(true)
			.redirectOutput(log.toFile());
		// The test's own engine (DOCKER_HOST, where set, goes with it), its gateway,
		// short periods and a low target.
		builder.environment()
			.putAll(Map.of("GATEWAY_MANAGEMENT_PORT", String.valueOf(stack.managementPort), "FULCRUM_AUTOSCALE_PERIOD",
					"3s", "FULCRUM_AUTOSCALE_CPU_TARGET", "0.1", "FULCRUM_AUTOSCALE_DOWN_WINDOW", "15s", "PATH",
					stack.engine.environment().get("PATH")));
		Process autoscaler = builder.start();
		try {
			String bearer = newUser("autoscale-");
			try (Load heavy = new Load(8, (n) -> (n % 2 == 0) ? Load.get(stack.gateway() + "/api/hello")
					: Load.get(stack.gateway() + "/api/me", "Authorization", bearer))) {
				await().atMost(Duration.ofMinutes(2))
					.pollInterval(Duration.ofSeconds(1))
					.until(() -> stack.project().containers("api-service").size() == 2
							&& stack.project().containers("api-service").stream().allMatch(stack.project()::healthy));
				heavy.close();
				System.out.println("compose: autoscaler, under load, " + heavy.summary());
			}
			String second = stack.project().containers("api-service").get(1);
			// A light load through the scale-in: the drained replica fails none of it.
			// About 20 requests a second: far below the target, so that it scales in.
			try (Load light = new Load(1, (n) -> {
				LockSupport.parkNanos(50_000_000);
				return Load.get(stack.gateway() + "/api/hello");
			})) {
				// Up to 150 s: in one CI run the autoscaler held two replicas for more
				// than 90 s
				// after scaling out (it logs nothing while it holds), the new replica's
				// CPU
				// still above the low target.
				await().atMost(Duration.ofSeconds(150))
					.pollInterval(Duration.ofSeconds(1))
					.until(() -> stack.project().containers("api-service").size() == 1);
				Thread.sleep(2_000);
				light.close();
				System.out.println("compose: autoscaler, scaling in under light load, " + light.summary());
				assertThat(light.failed()).as(light.firstFailures().toString()).isZero();
				assertThat(light.total()).isPositive();
			}
			String decisions = Files.readString(log);
			System.out.println("compose: the autoscaler's log\n" + decisions);
			assertThat(decisions).contains("api-service 1 -> 2: cpu")
				.contains("started " + second)
				.contains("api-service 2 -> 1: cpu")
				.contains(second + " drained")
				.contains("stopped and removed " + second);
			assertThat(stack.containers("api-service")).as("the removed replica is gone").doesNotContain(second);
		}
		finally {
			autoscaler.destroy();
			autoscaler.waitFor(30, TimeUnit.SECONDS);
		}
	}

	@Test
	@Order(20)
	void downWithVolumesLeavesNoContainerNetworkOrVolume() {
		assertThat(stack.leftovers()).as("before down").isNotEmpty();
		stack.close();
		assertThat(stack.leftovers()).as("after down -v").isEmpty();
	}

	/**
	 * Starts a container that the test killed: Docker takes {@code docker kill} for an
	 * operator's stop and does not apply the restart policy.
	 */
	private static void restart(String container) {
		stack.engine.docker(Duration.ofSeconds(30), "start", container).orThrow("docker start " + container);
		await().atMost(Duration.ofMinutes(2))
			.pollInterval(Duration.ofSeconds(1))
			.until(() -> "healthy".equals(stack.inspect(container).at("/State/Health/Status").asString()));
	}

	private static String newUser(String prefix) {
		String credentials = TestHttp.toJson(Map.of("username", prefix + UUID.randomUUID().toString().substring(0, 8),
				"password", "system test password"));
		HttpResponse<String> registered = TestHttp.post(stack.gateway() + "/auth/register", credentials);
		assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
		return "Bearer " + TestHttp.json(TestHttp.post(stack.gateway() + "/auth/login", credentials))
			.get("access_token")
			.asString();
	}

	private static HttpResponse<String> submit(String bearer, String key, String body) {
		return TestHttp.post(stack.gateway() + "/api/jobs", body, "Authorization", bearer, "Idempotency-Key", key);
	}

}
