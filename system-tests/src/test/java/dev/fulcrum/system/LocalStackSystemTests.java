package dev.fulcrum.system;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * The local stack end to end: {@code ./fulcrum up} starts every process, the gateway
 * balances {@code /api/hello} over both API instances, a user registers, logs in, is
 * verified by both API instances, refreshes and logs out with the token refused at once
 * everywhere, the token verifies with an independent JOSE library, the Postman collection
 * passes with newman and calls every documented operation, and {@code ./fulcrum down}
 * leaves nothing behind.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LocalStackSystemTests {

	static LocalStack stack;

	@BeforeAll
	@Timeout(value = 6, unit = TimeUnit.MINUTES)
	static void up() {
		// One user submits for seconds on end here (the Redis pause): far more jobs than
		// a user may keep (docs/security.md), which would forget finished ones while the
		// test still waits to see them succeed. With the trace server, which the tracing
		// test reads.
		stack = LocalStack.up(Map.of("JOBS_MAX_UNFINISHED_PER_USER", "100000", "JOBS_MAX_KEPT_PER_USER", "200000"),
				"--tracing");
	}

	@AfterAll
	static void down() {
		if (stack != null) {
			stack.close();
		}
	}

	@Test
	@Order(1)
	void startsEveryProcessOfTheStack() {
		assertThat(stack.instances()).extracting(LocalStack.Entry::instance)
			.containsExactly("redis", "zipkin", "auth-service-1", "api-service-1", "api-service-2", "worker-service-1",
					"worker-service-2", "gateway-1", "supervisor");
	}

	/**
	 * On JDK 25 each service runs from its extracted jar with the AOT cache trained for
	 * it, under load (the default options run C2, which uses the profiles), and the JVM
	 * has mapped that cache (a cache that does not match is silently ignored: only the
	 * mapping proves it is used). That the private stack which trained them left nothing
	 * behind, {@link LocalStack#up} checks for every stack.
	 */
	@Test
	@Order(1)
	void everyJavaServiceRunsWithItsAotCacheMapped() throws Exception {
		for (LocalStack.Entry entry : stack.instances()) {
			if (List.of("redis", "zipkin", "supervisor").contains(entry.service())) {
				continue;
			}
			String commandLine = Files.readString(Path.of("/proc", String.valueOf(entry.pid()), "cmdline"))
				.replace('\0', ' ');
			String java = commandLine.substring(0, commandLine.indexOf(' '));
			if (javaFeature(java) < 25) {
				assertThat(commandLine).as(entry.instance()).doesNotContain("-XX:AOTCache");
				continue;
			}
			String cache = "/" + entry.service() + "/target/aot/";
			assertThat(commandLine).as(entry.instance())
				.containsPattern("-XX:AOTCache=\\S*" + cache)
				.containsPattern("-jar \\S*" + cache + "[0-9a-f]{16}/" + entry.service() + ".jar");
			assertThat(Files.readString(Path.of("/proc", String.valueOf(entry.pid()), "maps")))
				.as(entry.instance() + " maps its cache")
				.containsPattern(cache + "[0-9a-f]{16}/" + entry.service() + "\\.aot");
			Matcher file = Pattern.compile("-XX:AOTCache=(\\S+)").matcher(commandLine);
			assertThat(file.find()).isTrue();
			assertThat(Files.readString(Path.of(file.group(1)).resolveSibling("stamp")))
				.as(entry.instance() + "'s cache")
				.contains("training=under_load");
		}
	}

	/** The feature version of a JDK, from the release file beside its bin/java. */
	private static int javaFeature(String java) throws Exception {
		Path release = Path.of(java).toRealPath().getParent().getParent().resolve("release");
		String version = Files.readAllLines(release)
			.stream()
			.filter((line) -> line.startsWith("JAVA_VERSION="))
			.findFirst()
			.orElseThrow();
		return Integer.parseInt(version.replaceAll("[^0-9.]", "").split("\\.")[0]);
	}

	@Test
	@Order(2)
	void everyServiceIsHealthy() {
		for (LocalStack.Entry entry : stack.instances()) {
			if (entry.health().startsWith("http")) {
				HttpResponse<String> health = TestHttp.get(entry.health());
				assertThat(health.statusCode()).as(entry.instance() + " readiness").isEqualTo(200);
				assertThat(TestHttp.json(health).get("status").asString()).as(entry.instance()).isEqualTo("UP");
			}
		}
		LocalStack.Result status = stack.fulcrum(Duration.ofSeconds(60), "status");
		assertThat(status.exitCode()).as(status.output()).isZero();
		assertThat(status.output().lines().skip(1).takeWhile((line) -> !line.isBlank())).hasSize(9)
			.allSatisfy((line) -> assertThat(line).contains(" UP "));
		assertThat(status.output())
			.contains("Replicas: redis 1, zipkin 1, auth-service 1, api-service 2, worker-service 2, gateway 1")
			.contains("Autoscaling: off");
	}

	@Test
	@Order(3)
	void gatewayServesHelloFromBothApiInstances() {
		Set<String> servedBy = new HashSet<>();
		for (int i = 0; i < 10; i++) {
			HttpResponse<String> response = TestHttp.get(stack.url("gateway") + "/api/hello");
			assertThat(response.statusCode()).isEqualTo(200);
			String instance = response.headers().firstValue("X-Served-By").orElseThrow();
			assertThat(TestHttp.json(response).get("instance").asString()).isEqualTo(instance);
			servedBy.add(instance);
		}
		assertThat(servedBy).containsExactlyInAnyOrder("api-service-1", "api-service-2");
	}

	@Test
	@Order(13)
	void theOpenApiDocumentsOfAuthAndApiAreServedThroughTheGatewayWithoutAToken() {
		for (String path : List.of("/api/openapi.json", "/auth/openapi.json")) {
			HttpResponse<String> response = TestHttp.get(stack.url("gateway") + path);
			assertThat(response.statusCode()).as(path).isEqualTo(200);
			assertThat(TestHttp.json(response).at("/servers/0/url").asString()).as(path).isEqualTo("/");
			assertThat(TestHttp.json(response).at("/components/schemas/Problem").isObject()).as(path).isTrue();
		}
		assertThat(TestHttp.json(TestHttp.get(stack.url("gateway") + "/api/openapi.json"))
			.at("/paths/~1api~1jobs/post")
			.isObject()).isTrue();
		assertThat(TestHttp.json(TestHttp.get(stack.url("gateway") + "/auth/openapi.json"))
			.at("/paths/~1auth~1login/post")
			.isObject()).isTrue();
	}

	@Test
	@Order(14)
	@Timeout(value = 5, unit = TimeUnit.MINUTES)
	void thePostmanCollectionRunsGreenAgainstTheStackAndCallsEveryOperation() {
		String gateway = stack.url("gateway");
		PostmanCollection postman = new PostmanCollection(stack.root);
		Path report = stack.home.resolve("newman-report.json");

		LocalStack.Result run = postman.run(gateway, report);

		String output = run.output().substring(Math.max(0, run.output().length() - 12_000));
		assertThat(run.exitCode()).as("newman run (its end):\n" + output).isZero();
		JsonNode result = PostmanCollection.read(report);
		assertThat(PostmanCollection.failures(result)).isEmpty();
		assertThat(result.at("/run/stats/assertions/total").asInt()).as("assertions run").isGreaterThan(150);
		assertThat(PostmanCollection.executed(result)).as("requests that ran")
			.containsExactlyInAnyOrderElementsOf(postman.requestNames());
		Set<String> documented = new TreeSet<>();
		for (String path : List.of("/api/openapi.json", "/auth/openapi.json")) {
			documented.addAll(PostmanCollection.operationsOf(TestHttp.json(TestHttp.get(gateway + path))));
		}
		assertThat(documented).as("operations of both OpenAPI documents").hasSizeGreaterThan(15);
		assertThat(postman.operations()).as("operations the collection calls").containsAll(documented);
	}

	@Test
	@Order(12)
	void theGatewayCachesTheCatalogAndAnswersIfNoneMatchAtTheEdge() {
		String catalog = stack.url("gateway") + "/api/catalog";
		HttpResponse<String> fetched = TestHttp.get(catalog, "Cache-Control", "no-cache");
		assertThat(fetched.statusCode()).isEqualTo(200);
		assertThat(fetched.headers().firstValue("X-Cache")).hasValue("MISS");
		assertThat(fetched.headers().firstValue("Cache-Control"))
			.hasValueSatisfying((cacheControl) -> assertThat(cacheControl).contains("public").contains("max-age="));
		String etag = fetched.headers().firstValue("ETag").orElseThrow();

		HttpResponse<String> cached = TestHttp.get(catalog);
		assertThat(cached.headers().firstValue("X-Cache")).hasValue("HIT");
		assertThat(cached.body()).isEqualTo(fetched.body());
		assertThat(TestHttp.json(cached).get("items").size()).isPositive();

		HttpResponse<String> notModified = TestHttp.get(catalog, "If-None-Match", etag);
		assertThat(notModified.statusCode()).isEqualTo(304);
		assertThat(notModified.headers().firstValue("X-Cache")).hasValue("HIT");
	}

	@Test
	@Order(11)
	void switchesTheBalancingStrategyAtRuntimeAndTheSpreadFollows() {
		String gateway = stack.url("gateway");
		// The management port, from the gateway's health URL (never the public port).
		String health = stack.instances()
			.stream()
			.filter((entry) -> entry.service().equals("gateway"))
			.findFirst()
			.orElseThrow()
			.health();
		String balancing = health.replace("/health/readiness", "/balancing/api-service");
		try {
			HttpResponse<String> switched = TestHttp.post(balancing, "{\"strategy\":\"ip-hash\"}", "Content-Type",
					"application/json", "Authorization", "Bearer " + stack.managementToken());
			assertThat(switched.statusCode()).as(switched.body()).isEqualTo(200);
			Set<String> pinned = new HashSet<>();
			for (int i = 0; i < 20; i++) {
				pinned.add(TestHttp.get(gateway + "/api/hello").headers().firstValue("X-Served-By").orElseThrow());
			}
			assertThat(pinned).as("one client under ip-hash").hasSize(1);
		}
		finally {
			TestHttp.post(balancing, "{\"strategy\":\"round-robin\"}", "Content-Type", "application/json",
					"Authorization", "Bearer " + stack.managementToken());
		}
		Set<String> spread = new HashSet<>();
		for (int i = 0; i < 10; i++) {
			spread.add(TestHttp.get(gateway + "/api/hello").headers().firstValue("X-Served-By").orElseThrow());
		}
		assertThat(spread).as("round-robin again").containsExactlyInAnyOrder("api-service-1", "api-service-2");
	}

	/**
	 * The gateway's live dashboard in a real browser (Debian's Chromium, headless, driven
	 * by playwright-core) while the test sends load: the page lists both API instances by
	 * name, each with part of the requests; switching the strategy from the page is
	 * refused without the management token and done with it; under ip-hash one client's
	 * requests all go to one instance, and the page shows it within seconds. The page
	 * loads nothing from anywhere else and logs no error. The screenshot is the README's.
	 */
	@Test
	@Order(3)
	@Timeout(value = 4, unit = TimeUnit.MINUTES)
	void theLiveDashboardShowsTheSharesMoveWhenTheStrategyIsSwitchedFromThePage() throws Exception {
		Path chromium = Path.of(System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium"));
		if (!Files.isExecutable(chromium)) {
			String reason = "no Chromium at " + chromium + " (Debian's chromium package; CHROMIUM names another)";
			if ("1".equals(System.getenv("FULCRUM_REQUIRE_CHROMIUM"))) {
				throw new IllegalStateException(reason + " (FULCRUM_REQUIRE_CHROMIUM=1)");
			}
			org.junit.jupiter.api.Assumptions.abort(reason);
		}
		String gateway = stack.url("gateway");
		String page = stack.management("gateway").replace("/actuator", "/dashboard/");
		// One client, one request at a time: under ip-hash all of them go to one instance
		// (with more at once, its bounded load would spill some to the other).
		AtomicBoolean loading = new AtomicBoolean(true);
		ExecutorService load = Executors.newSingleThreadExecutor();
		load.execute(() -> {
			while (loading.get()) {
				TestHttp.get(gateway + "/api/hello");
			}
		});
		Path screenshot = stack.root.resolve("system-tests/target/dashboard.png");
		try {
			LocalStack.Result run = NodeTools.run(List.of("node", "dashboard.mjs", page, stack.managementToken(),
					"api-service", "round-robin", "ip-hash", screenshot.toString()), 150);
			assertThat(run.exitCode()).as(run.output()).isZero();
			List<String> lines = run.output().lines().filter((line) -> line.startsWith("{")).toList();
			assertThat(lines).as(run.output()).isNotEmpty();
			JsonNode result = TestHttp.json(lines.getLast());
			assertThat(result.path("before").findValuesAsString("name")).as("both instances, by name")
				.containsExactlyInAnyOrder("api-service-1", "api-service-2");
			assertThat(result.path("live").asString()).isEqualTo("live");
			assertThat(result.path("refused").asString()).as("no token").startsWith("401");
			assertThat(result.path("switched").asString()).isEqualTo("now ip-hash");
			assertThat(result.path("strategy").asString()).isEqualTo("ip-hash");
			assertThat(result.path("after").findValues("share")).as("one instance takes one client's requests")
				.anySatisfy((share) -> assertThat(share.asDouble()).isGreaterThanOrEqualTo(0.9));
			assertThat(result.path("restored").asString()).isEqualTo("now round-robin");
			assertThat(result.path("errors").isEmpty()).as("errors on the page: " + result.path("errors")).isTrue();
			assertThat(result.path("foreign").isEmpty()).as("requests elsewhere: " + result.path("foreign")).isTrue();
			assertThat(screenshot).exists();
			assertThat(Files.size(screenshot)).isGreaterThan(20_000);
		}
		finally {
			loading.set(false);
			load.shutdown();
			load.awaitTermination(10, TimeUnit.SECONDS);
			TestHttp.post(stack.management("gateway") + "/balancing/api-service", "{\"strategy\":\"round-robin\"}",
					"Content-Type", "application/json", "Authorization", "Bearer " + stack.managementToken());
		}
	}

	@Test
	@Order(4)
	void carriesOneRequestIdThroughTheGateway() {
		HttpResponse<String> response = TestHttp.get(stack.url("gateway") + "/api/hello", "X-Request-Id",
				"system-test-1");
		assertThat(response.headers().allValues("X-Request-Id")).containsExactly("system-test-1");
	}

	@Test
	@Order(5)
	void doesNotRouteManagementEndpoints() {
		HttpResponse<String> response = TestHttp.get(stack.url("gateway") + "/actuator/health");
		assertThat(response.statusCode()).isEqualTo(404);
		assertThat(response.headers().firstValue("X-Served-By")).as("answered by a routed service").isEmpty();
	}

	@Test
	@Order(6)
	void authenticatesThroughTheGatewayAndRevokesAtOnce() {
		String gateway = stack.url("gateway");
		String username = "sys-" + UUID.randomUUID().toString().substring(0, 8);
		String credentials = TestHttp.toJson(Map.of("username", username, "password", "system test password"));
		assertThat(TestHttp.post(gateway + "/auth/register", credentials).statusCode()).isEqualTo(201);
		HttpResponse<String> login = TestHttp.post(gateway + "/auth/login", credentials);
		assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
		String refreshToken = TestHttp.json(login).get("refresh_token").asString();

		Set<String> servedBy = new HashSet<>();
		for (int i = 0; i < 10; i++) {
			HttpResponse<String> me = TestHttp.get(gateway + "/api/me", "Authorization",
					"Bearer " + TestHttp.json(login).get("access_token").asString());
			assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
			assertThat(TestHttp.json(me).get("username").asString()).isEqualTo(username);
			servedBy.add(TestHttp.json(me).get("instance").asString());
		}
		assertThat(servedBy).as("/api/me verified by both API instances")
			.containsExactlyInAnyOrder("api-service-1", "api-service-2");

		HttpResponse<String> refresh = TestHttp.post(gateway + "/auth/refresh",
				TestHttp.toJson(Map.of("refresh_token", refreshToken)));
		assertThat(refresh.statusCode()).as(refresh.body()).isEqualTo(200);
		String accessToken = TestHttp.json(refresh).get("access_token").asString();
		String bearer = "Bearer " + accessToken;
		assertThat(TestHttp.get(gateway + "/api/me", "Authorization", bearer).statusCode()).isEqualTo(200);

		HttpResponse<String> logout = TestHttp.post(gateway + "/auth/logout", null, "Authorization", bearer);
		assertThat(logout.statusCode()).isEqualTo(204);

		HttpResponse<String> atGateway = TestHttp.get(gateway + "/api/me", "Authorization", bearer);
		assertThat(atGateway.statusCode()).isEqualTo(401);
		assertThat(atGateway.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("invalid_token")
			.contains("revoked");
		for (LocalStack.Entry api : stack.instances()) {
			if (api.service().equals("api-service")) {
				HttpResponse<String> direct = TestHttp.get(api.url() + "/api/me", "Authorization", bearer);
				assertThat(direct.statusCode()).as(api.instance() + " without the gateway").isEqualTo(401);
			}
		}
		HttpResponse<String> spentRefresh = TestHttp.post(gateway + "/auth/refresh",
				TestHttp.toJson(Map.of("refresh_token", TestHttp.json(refresh).get("refresh_token").asString())));
		assertThat(spentRefresh.statusCode()).isEqualTo(401);
	}

	@Test
	@Order(7)
	void tokensVerifyWithAnIndependentJoseLibrary() {
		String gateway = stack.url("gateway");
		HttpResponse<String> login = TestHttp.post(gateway + "/auth/login",
				TestHttp.toJson(Map.of("username", "demo", "password", "demo-password")));
		assertThat(login.statusCode()).as("the local profile's demo user: " + login.body()).isEqualTo(200);
		String token = TestHttp.json(login).get("access_token").asString();

		LocalStack.Result verified = JoseCheck.verify(gateway + "/.well-known/jwks.json", token);
		assertThat(verified.exitCode()).as(verified.output()).isZero();
		assertThat(verified.output()).contains("\"alg\":\"ES256\"").contains("\"preferred_username\":\"demo\"");

		String tampered = token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
		LocalStack.Result refused = JoseCheck.verify(gateway + "/.well-known/jwks.json", tampered);
		assertThat(refused.exitCode()).as(refused.output()).isEqualTo(1);
		assertThat(refused.output()).contains("ERR_JWS_SIGNATURE_VERIFICATION_FAILED");
	}

	/**
	 * One job's trace in Zipkin, as a user would follow it: the client's
	 * {@code traceparent} is continued by the gateway, whose attempt at an API instance
	 * is the parent of the api-service's span, which is the parent of each of the
	 * worker's attempts at the job (a flaky job: two), across the queue. The logs written
	 * inside those spans carry the trace's id.
	 */
	@Test
	@Order(8)
	void followsAJobsTraceFromTheGatewayThroughTheApiAcrossTheQueueToTheWorkerInZipkin() throws Exception {
		String gateway = stack.url("gateway");
		String bearer = "Bearer " + TestHttp
			.json(TestHttp.post(gateway + "/auth/login",
					TestHttp.toJson(Map.of("username", "demo", "password", "demo-password"))))
			.get("access_token")
			.asString();
		String trace = UUID.randomUUID().toString().replace("-", "");
		String clientSpan = trace.substring(0, 16);
		HttpResponse<String> submitted = TestHttp.post(gateway + "/api/jobs",
				TestHttp.toJson(Map.of("type", "flaky", "payload", Map.of("failTimes", 1))), "Authorization", bearer,
				"Idempotency-Key", UUID.randomUUID().toString(), "traceparent",
				"00-" + trace + "-" + clientSpan + "-01");
		assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
		assertThat(submitted.headers().firstValue("traceresponse")).get().asString().startsWith("00-" + trace + "-");
		String id = TestHttp.json(submitted).get("id").asString();
		Jobs.awaitSucceeded(gateway, bearer, List.of(id), Duration.ofSeconds(60));

		String zipkin = stack.url("zipkin").replaceFirst("/zipkin/$", "");
		List<JsonNode> spans = new ArrayList<>();
		// Each service sends its spans in batches, every few seconds.
		await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
			HttpResponse<String> found = TestHttp.get(zipkin + "/api/v2/trace/" + trace);
			if (found.statusCode() != 200) {
				return false;
			}
			spans.clear();
			TestHttp.json(found).forEach(spans::add);
			return spans.stream().filter((span) -> service(span).equals("worker-service")).count() == 2
					&& spans.stream().anyMatch((span) -> service(span).equals("api-service"))
					&& spans.stream().filter((span) -> service(span).equals("gateway")).count() == 2;
		});
		JsonNode edge = one(spans, "gateway", "SERVER");
		assertThat(edge.path("parentId").asString()).as("the client's span").isEqualTo(clientSpan);
		assertThat(edge.path("name").asString()).isEqualTo("post api-service");
		JsonNode attempt = one(spans, "gateway", "CLIENT");
		assertThat(attempt.path("parentId").asString()).isEqualTo(edge.path("id").asString());
		JsonNode api = one(spans, "api-service", "SERVER");
		assertThat(api.path("parentId").asString()).as("the attempt that reached it")
			.isEqualTo(attempt.path("id").asString());
		assertThat(attempt.path("tags").path("fulcrum.served_by").asString()).isIn("api-service-1", "api-service-2");
		List<JsonNode> runs = spans.stream().filter((span) -> service(span).equals("worker-service")).toList();
		assertThat(runs).allSatisfy((run) -> {
			assertThat(run.path("kind").asString()).isEqualTo("CONSUMER");
			assertThat(run.path("parentId").asString()).as("continues the submission across the queue")
				.isEqualTo(api.path("id").asString());
			assertThat(run.path("tags").path("job.id").asString()).isEqualTo(id);
		});
		assertThat(runs).extracting((run) -> run.path("tags").path("job.attempt").asString())
			.containsExactlyInAnyOrder("1", "2");

		String traced = "\"trace\":{\"id\":\"" + trace + "\"}";
		assertThat(Files.readString(stack.home.resolve("logs/gateway-1.log"))).as("the gateway's access log")
			.contains(traced);
		String workerLogs = Files.readString(stack.home.resolve("logs/worker-service-1.log"))
				+ Files.readString(stack.home.resolve("logs/worker-service-2.log"));
		assertThat(workerLogs.lines().filter((line) -> line.contains("Job " + id + " attempt 1 failed")))
			.as("the worker's log of the failed attempt")
			.singleElement()
			.asString()
			.contains(traced);
	}

	private static String service(JsonNode span) {
		return span.path("localEndpoint").path("serviceName").asString();
	}

	private static JsonNode one(List<JsonNode> spans, String service, String kind) {
		List<JsonNode> found = spans.stream()
			.filter((span) -> service(span).equals(service) && span.path("kind").asString().equals(kind))
			.toList();
		assertThat(found).as(service + " " + kind + " spans in " + spans).hasSize(1);
		return found.get(0);
	}

	@Test
	@Order(8)
	void runsSubmittedJobsOnTheWorkersWithRetriesAndDeadLetters() {
		String gateway = stack.url("gateway");
		HttpResponse<String> login = TestHttp.post(gateway + "/auth/login",
				TestHttp.toJson(Map.of("username", "demo", "password", "demo-password")));
		String bearer = "Bearer " + TestHttp.json(login).get("access_token").asString();
		Map<String, String> expected = new LinkedHashMap<>();
		// The failing job's trace: its runs before and after the redrive are all in it.
		String trace = UUID.randomUUID().toString().replace("-", "");
		for (Map<String, Object> job : List.of(Map.<String, Object>of("type", "echo", "payload", Map.of("n", 1)),
				Map.<String, Object>of("type", "flaky", "payload", Map.of("failTimes", 1)),
				Map.<String, Object>of("type", "fail"))) {
			HttpResponse<String> submitted = TestHttp.post(gateway + "/api/jobs", TestHttp.toJson(job), "Authorization",
					bearer, "Idempotency-Key", UUID.randomUUID().toString(), "traceparent",
					"00-" + ("fail".equals(job.get("type")) ? trace : UUID.randomUUID().toString().replace("-", ""))
							+ "-a1b2c3d4e5f60718-01");
			assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
			expected.put(TestHttp.json(submitted).get("id").asString(),
					"fail".equals(job.get("type")) ? "DEAD" : "SUCCEEDED");
		}
		expected.forEach((id, status) -> await().atMost(Duration.ofSeconds(60))
			.pollInterval(Duration.ofMillis(200))
			.until(() -> status.equals(TestHttp.json(TestHttp.get(gateway + "/api/jobs/" + id, "Authorization", bearer))
				.get("status")
				.asString())));

		// The local profile's administrator redrives the dead one; it runs (and dies)
		// again.
		String dead = expected.entrySet()
			.stream()
			.filter((e) -> e.getValue().equals("DEAD"))
			.findFirst()
			.orElseThrow()
			.getKey();
		String firstDeath = TestHttp.json(TestHttp.get(gateway + "/api/jobs/" + dead, "Authorization", bearer))
			.get("updatedAt")
			.asString();
		HttpResponse<String> adminLogin = TestHttp.post(gateway + "/auth/login",
				TestHttp.toJson(Map.of("username", "admin", "password", "admin-password")));
		String admin = "Bearer " + TestHttp.json(adminLogin).get("access_token").asString();
		assertThat(TestHttp.get(gateway + "/api/admin/jobs/dead", "Authorization", bearer).statusCode()).isEqualTo(403);
		assertThat(TestHttp.get(gateway + "/api/admin/jobs/dead", "Authorization", admin).body()).contains(dead);
		HttpResponse<String> redrive = TestHttp.post(gateway + "/api/admin/jobs/dead/" + dead + "/redrive", null,
				"Authorization", admin);
		assertThat(redrive.statusCode()).as(redrive.body()).isEqualTo(200);
		await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
			JsonNode job = TestHttp.json(TestHttp.get(gateway + "/api/jobs/" + dead, "Authorization", bearer));
			return job.get("status").asString().equals("DEAD") && !job.get("updatedAt").asString().equals(firstDeath);
		});
		int attempts = TestHttp.json(TestHttp.get(gateway + "/api/jobs/" + dead, "Authorization", bearer))
			.get("attempts")
			.asInt();
		String zipkin = stack.url("zipkin").replaceFirst("/zipkin/$", "");
		await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(500))
			.alias("every run of the dead job, before and after its redrive, in its trace")
			.until(() -> {
				HttpResponse<String> found = TestHttp.get(zipkin + "/api/v2/trace/" + trace);
				if (found.statusCode() != 200) {
					return false;
				}
				List<String> runs = new ArrayList<>();
				TestHttp.json(found).forEach((span) -> {
					if (service(span).equals("worker-service")) {
						runs.add(span.path("tags").path("job.attempt").asString());
					}
				});
				return runs.size() == 2 * attempts && runs.stream().filter("1"::equals).count() == 2;
			});
	}

	@Test
	@Order(9)
	@Timeout(value = 4, unit = TimeUnit.MINUTES)
	void loses200JobsToNoKilledWorkerAndRunsNoneAgainOnceDone() throws Exception {
		String gateway = stack.url("gateway");
		String bearer = newUser(gateway, "kill-");
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			HttpResponse<String> submitted = TestHttp.post(gateway + "/api/jobs",
					TestHttp.toJson(Map.of("type", "sleep", "payload", Map.of("ms", 500))), "Authorization", bearer,
					"Idempotency-Key", UUID.randomUUID().toString());
			assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
			ids.add(TestHttp.json(submitted).get("id").asString());
		}
		// Both workers are busy with a backlog: kill one in the middle of its jobs.
		LocalStack.Entry victim = stack.instances()
			.stream()
			.filter((entry) -> entry.instance().equals("worker-service-1"))
			.findFirst()
			.orElseThrow();
		ProcessHandle process = ProcessHandle.of(victim.pid()).orElseThrow();
		assertThat(process.destroyForcibly()).as("SIGKILL sent").isTrue();
		process.onExit().get(10, TimeUnit.SECONDS);
		// The supervisor starts it again, as compose's restart policy would, its log
		// kept.
		await().atMost(Duration.ofSeconds(10))
			.until(() -> stack.instances()
				.stream()
				.anyMatch((entry) -> entry.instance().equals("worker-service-1") && entry.pid() != victim.pid()
						&& ProcessHandle.of(entry.pid()).map(ProcessHandle::isAlive).orElse(false)));
		// The supervisor writes the stack's table, then its log line: wait for the line.
		await().alias("the supervisor logs the restart")
			.atMost(Duration.ofSeconds(5))
			.untilAsserted(() -> assertThat(Files.readString(stack.home.resolve("logs/supervisor.log")))
				.contains("worker-service-1 (pid " + victim.pid() + ") is gone; restarting it in 1s")
				.contains("restarted worker-service-1"));

		Map<String, JsonNode> done = Jobs.awaitSucceeded(gateway, bearer, ids, Duration.ofMinutes(3));
		assertThat(done.values()).as("jobs the killed worker held were run again by the other")
			.anySatisfy((job) -> assertThat(job.get("attempts").asInt()).isGreaterThan(1));
		// Past the visibility timeout, nothing finished is taken up again.
		Thread.sleep(6_000);
		for (String id : ids) {
			JsonNode now = TestHttp.json(TestHttp.get(gateway + "/api/jobs/" + id, "Authorization", bearer));
			assertThat(now.get("updatedAt").asString()).as(id).isEqualTo(done.get(id).get("updatedAt").asString());
			assertThat(now.get("attempts").asInt()).as(id).isEqualTo(done.get(id).get("attempts").asInt());
		}
	}

	@Test
	@Order(10)
	@Timeout(value = 4, unit = TimeUnit.MINUTES)
	void answersCleanly503WhileRedisIsStoppedAndLosesNothingAccepted() throws Exception {
		String gateway = stack.url("gateway");
		String bearer = newUser(gateway, "pause-");
		long redisPid = stack.instances()
			.stream()
			.filter((entry) -> entry.service().equals("redis"))
			.findFirst()
			.orElseThrow()
			.pid();

		Map<String, HttpResponse<String>> answers = new ConcurrentHashMap<>();
		AtomicBoolean submitting = new AtomicBoolean(true);
		try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
			for (int client = 0; client < 4; client++) {
				clients.execute(() -> {
					while (submitting.get()) {
						String key = UUID.randomUUID().toString();
						answers.put(key, submit(gateway, bearer, key));
					}
				});
			}
			Thread.sleep(1_500);
			signal("STOP", redisPid);
			try {
				Thread.sleep(4_000);
			}
			finally {
				signal("CONT", redisPid);
			}
			Thread.sleep(3_000);
			submitting.set(false);
		}

		assertThat(answers.values()).as("every answer is an acceptance or a clean 503 problem")
			.allSatisfy((response) -> assertThat(response.statusCode()).as(response.body()).isIn(202, 503));
		assertThat(answers.values()).extracting(HttpResponse::statusCode).as("the outage was felt").contains(503);
		assertThat(answers.values()).filteredOn((response) -> response.statusCode() == 503)
			.allSatisfy((response) -> assertThat(response.body()).contains("urn:fulcrum:problem:"));
		// Safe to retry with the same key: now accepted (or replayed, if the script ran
		// after all once Redis woke up).
		Set<String> jobs = ConcurrentHashMap.newKeySet();
		answers.forEach((key, response) -> {
			HttpResponse<String> accepted = (response.statusCode() == 202) ? response : submit(gateway, bearer, key);
			assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
			jobs.add(TestHttp.json(accepted).get("id").asString());
		});
		// Everything accepted is done: nothing lost.
		Jobs.awaitSucceeded(gateway, bearer, jobs, Duration.ofMinutes(2));
	}

	/**
	 * Registers and logs in a user of its own, so that its job list holds only this
	 * test's.
	 */
	private static String newUser(String gateway, String prefix) {
		String credentials = TestHttp.toJson(Map.of("username", prefix + UUID.randomUUID().toString().substring(0, 8),
				"password", "system test password"));
		assertThat(TestHttp.post(gateway + "/auth/register", credentials).statusCode()).isEqualTo(201);
		return "Bearer "
				+ TestHttp.json(TestHttp.post(gateway + "/auth/login", credentials)).get("access_token").asString();
	}

	private static HttpResponse<String> submit(String gateway, String bearer, String key) {
		return TestHttp.post(gateway + "/api/jobs",
				TestHttp.toJson(Map.of("type", "sleep", "payload", Map.of("ms", 10))), "Authorization", bearer,
				"Idempotency-Key", key);
	}

	private static void signal(String signal, long pid) throws Exception {
		Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(pid)).inheritIO().start();
		assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
		assertThat(kill.exitValue()).as("kill -" + signal).isZero();
	}

	@Test
	@Order(20)
	void downLeavesNothingRunning() {
		List<LocalStack.Entry> instances = stack.instances();
		// The supervisor and what it supervises, worker-service-1 restarted after the job
		// test killed it.
		assertThat(stack.liveProcesses()).as("processes of the stack before down").hasSizeGreaterThanOrEqualTo(8);

		LocalStack.Result down = stack.fulcrum(Duration.ofMinutes(1), "down");

		assertThat(down.exitCode()).as(down.output()).isZero();
		assertThat(stack.liveProcesses()).as("processes of the stack after down").isEmpty();
		assertThat(instances).allSatisfy(
				(entry) -> assertThat(ProcessHandle.of(entry.pid()).filter(ProcessHandle::isAlive)).as(entry.instance())
					.isEmpty());
		LocalStack.Result status = stack.fulcrum(Duration.ofSeconds(30), "status");
		assertThat(status.exitCode()).isEqualTo(1);
		assertThat(status.output()).contains("nothing is running");
	}

}
