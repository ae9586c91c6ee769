package dev.fulcrum.system;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.concurrent.TimeUnit;

import dev.fulcrum.testsupport.TestHttp;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * One client abusing the running stack ({@code ./fulcrum up}, small limits set from the
 * environment): each test is one attack of issue 17, and asserts that it is refused or
 * contained and that every other client goes on as before. Each asserts what the code did
 * wrong before its fix (each javadoc says what that was); the full queue, the lockout and
 * the retry storm were also run against jars of the old code, and failed there.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class AbuseSystemTests {

	/** The queue is full at 30 jobs not yet final, of all users together. */
	static final int HIGH_WATERMARK = 30;

	/** One user may have 20 of them. */
	static final int MAX_UNFINISHED = 20;

	/** One user's jobs kept, finished or not. */
	static final int MAX_KEPT = 40;

	/** The one loopback address the gateway takes for a TLS-terminating proxy. */
	static final String TRUSTED_PROXY = "127.0.0.30";

	/** The largest payload, and result, in bytes of UTF-8 JSON (the default). */
	static final int MAX_PAYLOAD_BYTES = 16_384;

	static final JsonMapper JSON = JsonMapper.builder().build();

	/** How long a key derived from a submission's content holds, in this stack. */
	static final Duration CONTENT_WINDOW = Duration.ofSeconds(4);

	static LocalStack stack;

	static String gateway;

	@BeforeAll
	@Timeout(value = 6, unit = TimeUnit.MINUTES)
	static void up() {
		stack = LocalStack.up(Map.of("JOBS_HIGH_WATERMARK", String.valueOf(HIGH_WATERMARK),
				"JOBS_MAX_UNFINISHED_PER_USER", String.valueOf(MAX_UNFINISHED), "JOBS_MAX_KEPT_PER_USER",
				String.valueOf(MAX_KEPT), "GATEWAY_TRUSTED_PROXIES", TRUSTED_PROXY.replace(".", "\\."),
				// No outlier ejection: it would take a failing instance out after five
				// failures, and with it the retries the budget is tested on.
				"FULCRUM_GATEWAY_BALANCING_EJECTION_CONSECUTIVEFAILURES", "100000",
				// Submissions without a key are deduplicated by content, for a short
				// window; every other test here sends a key, which wins.
				"JOBS_IDEMPOTENCY_MODE", "content", "JOBS_IDEMPOTENCY_WINDOW", CONTENT_WINDOW.toSeconds() + "s"));
		gateway = stack.url("gateway");
	}

	@AfterAll
	static void down() {
		if (stack != null) {
			stack.close();
		}
	}

	/**
	 * A client that cannot keep an {@code Idempotency-Key} across its retries (a form, a
	 * webhook sender, a script) resends the same submission many times. In
	 * {@code content} mode the server derives the key from the user, method, path and
	 * canonical body: the resends, even reformatted, are replays of one job, through the
	 * gateway and either api-service; other content, another user or a key the client
	 * sends is a new job, and so is the same content once the window is over. Every job
	 * runs once.
	 */
	@Test
	@Order(0)
	void resendsWithoutAKeyAreOneJobByTheirContent() {
		String client = newUser("resender");
		String body = "{\"type\":\"echo\",\"payload\":{\"order\":42,\"items\":[\"a\",\"b\"]}}";
		String reformatted = "{\n  \"payload\": { \"items\": [\"a\", \"b\"], \"order\": 42 },\n  \"type\": \"echo\"\n}";
		double replaysBefore = apiServiceCounter("fulcrum_idempotency_requests_total",
				"mode=\"content\",outcome=\"replayed\"");
		HttpResponse<String> first = post(client, body);
		assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
		String derived = first.headers().firstValue("Idempotency-Key").orElseThrow();
		assertThat(derived).startsWith("content-sha256:");
		String id = TestHttp.json(first).get("id").asString();
		for (int i = 0; i < 10; i++) {
			HttpResponse<String> again = post(client, (i % 2 == 0) ? body : reformatted);
			assertThat(again.statusCode()).isEqualTo(202);
			assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
			assertThat(again.headers().firstValue("Idempotency-Key")).hasValue(derived);
			assertThat(TestHttp.json(again).get("id").asString()).isEqualTo(id);
		}
		assertThat(apiServiceCounter("fulcrum_idempotency_requests_total", "mode=\"content\",outcome=\"replayed\""))
			.as("replays counted over the api-services")
			.isGreaterThanOrEqualTo(replaysBefore + 10);

		List<String> jobs = new ArrayList<>(List.of(id));
		HttpResponse<String> other = post(client, body.replace("42", "43"));
		HttpResponse<String> sent = post(client, body, "Idempotency-Key", UUID.randomUUID().toString());
		String someoneElse = newUser("resender");
		HttpResponse<String> theirs = post(someoneElse, body);
		for (HttpResponse<String> answer : List.of(other, sent, theirs)) {
			assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
			assertThat(answer.headers().firstValue("Idempotent-Replayed")).isEmpty();
			assertThat(TestHttp.json(answer).get("id").asString()).isNotIn(jobs);
			jobs.add(TestHttp.json(answer).get("id").asString());
		}
		assertProblem(post(client, body.replace("42", "44"), "Idempotency-Key", derived), 422,
				"idempotency-key-reused");

		HttpResponse<String> later = await().alias("a new job once the window is over")
			.atMost(CONTENT_WINDOW.plusSeconds(10))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> post(client, body), (answer) -> answer.headers().firstValue("Idempotent-Replayed").isEmpty());
		assertThat(later.statusCode()).isEqualTo(202);
		String afterWindow = TestHttp.json(later).get("id").asString();
		assertThat(afterWindow).isNotIn(jobs);

		Jobs.awaitSucceeded(gateway, client,
				List.of(id, TestHttp.json(other).get("id").asString(), TestHttp.json(sent).get("id").asString(),
						afterWindow),
				Duration.ofSeconds(30))
			.values()
			.forEach((job) -> assertThat(job.get("attempts").asInt()).as("run once").isEqualTo(1));
		Jobs.awaitSucceeded(gateway, someoneElse, List.of(TestHttp.json(theirs).get("id").asString()),
				Duration.ofSeconds(30));
	}

	/**
	 * The Postman collection's jobs, run against this stack in {@code content} mode: its
	 * submissions without a key check what that mode answers (the local stack's run
	 * checks {@code required}).
	 */
	@Test
	@Order(0)
	@Timeout(value = 4, unit = TimeUnit.MINUTES)
	void thePostmanJobsRunGreenInContentMode() {
		PostmanCollection postman = new PostmanCollection(stack.root);
		java.nio.file.Path report = stack.home.resolve("newman-content-report.json");
		LocalStack.Result run = postman.run(gateway, report, Map.of("idempotencyMode", "content"),
				List.of("Auth", "Jobs"));
		String output = run.output().substring(Math.max(0, run.output().length() - 12_000));
		assertThat(run.exitCode()).as("newman run (its end):\n" + output).isZero();
		JsonNode result = PostmanCollection.read(report);
		assertThat(PostmanCollection.failures(result)).isEmpty();
		assertThat(PostmanCollection.executed(result)).as("requests that ran")
			.contains("Jobs / Submit without an Idempotency-Key",
					"Jobs / Submit the same job again without a key, members reordered");
		assertThat(run.output()).as("the content mode's checks ran")
			.contains("202 with the key the server derived from the content")
			.contains("202 replayed: the same content is the same job");
	}

	/** The sum of a counter of the api-services' over the series that hold the labels. */
	private static double apiServiceCounter(String name, String labels) {
		return stack.instances()
			.stream()
			.filter((instance) -> instance.service().equals("api-service"))
			.flatMap((instance) -> TestHttp
				.get(instance.health().substring(0, instance.health().indexOf("/actuator/")) + "/actuator/prometheus")
				.body()
				.lines())
			.filter((line) -> line.startsWith(name + "{") && line.contains(labels))
			.mapToDouble((line) -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
			.sum();
	}

	private static HttpResponse<String> post(String bearer, String body, String... headers) {
		String[] all = new String[headers.length + 2];
		all[0] = "Authorization";
		all[1] = bearer;
		System.arraycopy(headers, 0, all, 2, headers.length);
		return TestHttp.post(gateway + "/api/jobs", body, all);
	}

	private static void assertProblem(HttpResponse<String> answer, int status, String slug) {
		assertThat(answer.statusCode()).as(answer.body()).isEqualTo(status);
		assertThat(TestHttp.json(answer).get("type").asString()).isEqualTo("urn:fulcrum:problem:" + slug);
	}

	/**
	 * Attack: fill the job queue and keep submitting. The API answers {@code 503
	 * queue-full} with {@code Retry-After}, as designed; the gateway once counted those
	 * as failures of the route, opened the breaker, and every client's {@code /api/**}
	 * call got {@code 503 circuit-open}.
	 */
	@Test
	@Order(4)
	void aFullQueueIsBackpressureForItsSubmittersNotAnOutageForEveryone() {
		// Two accounts: one alone may not have more than its share of the queue.
		String first = newUser("flooder");
		for (int i = 0; i < MAX_UNFINISHED; i++) {
			assertThat(submit(first, sleep(20_000)).statusCode()).isEqualTo(202);
		}
		String flooder = newUser("flooder");
		List<HttpResponse<String>> answers = new ArrayList<>();
		for (int i = 0; i < HIGH_WATERMARK - MAX_UNFINISHED + 25; i++) {
			answers.add(submit(flooder, sleep(20_000)));
		}
		List<HttpResponse<String>> refused = answers.stream().filter((answer) -> answer.statusCode() == 503).toList();
		assertThat(refused).as("submissions past the high watermark").hasSizeGreaterThanOrEqualTo(25);
		assertThat(refused).allSatisfy((answer) -> {
			assertThat(TestHttp.json(answer).get("type").asString()).isEqualTo("urn:fulcrum:problem:queue-full");
			assertThat(answer.headers().firstValue("Retry-After")).isPresent();
		});

		String bystander = newUser("bystander");
		for (int i = 0; i < 20; i++) {
			assertThat(TestHttp.get(gateway + "/api/hello").statusCode()).as("public GET /api/hello").isEqualTo(200);
			assertThat(TestHttp.get(gateway + "/api/me", "Authorization", bystander).statusCode()).as("GET /api/me")
				.isEqualTo(200);
		}
		assertThat(breakerState("api-service")).isEqualTo("CLOSED");
	}

	/**
	 * Attack: keep submitting slow jobs. Before, one account could take the whole queue
	 * (and, with a watermark of 10,000, most of Redis); now it gets 429
	 * {@code too-many-unfinished-jobs} past its share, and others submit as before.
	 */
	@Test
	@Order(3)
	void oneAccountHoldsNoMoreUnfinishedJobsThanItsQuota() {
		String hoarder = newUser("hoarder");
		List<String> accepted = new ArrayList<>();
		int refused = 0;
		for (int i = 0; i < MAX_UNFINISHED + 5; i++) {
			HttpResponse<String> answer = submit(hoarder, sleep(5_000));
			if (answer.statusCode() == 202) {
				accepted.add(TestHttp.json(answer).get("id").asString());
			}
			else {
				assertThat(answer.statusCode()).isEqualTo(429);
				assertThat(TestHttp.json(answer).get("type").asString())
					.isEqualTo("urn:fulcrum:problem:too-many-unfinished-jobs");
				assertThat(answer.headers().firstValue("Retry-After")).isPresent();
				refused++;
			}
		}
		assertThat(accepted).hasSize(MAX_UNFINISHED);
		assertThat(refused).isEqualTo(5);
		assertThat(submit(newUser("neighbour"), sleep(1)).statusCode()).isEqualTo(202);
		assertThat(breakerState("api-service")).isEqualTo("CLOSED");
		// Out of the way of the next test: every job final, cancelled or done.
		accepted.forEach((id) -> TestHttp.send("DELETE", gateway + "/api/jobs/" + id, null, "Authorization", hoarder));
		await().atMost(Duration.ofSeconds(30))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> TestHttp.json(TestHttp.get(gateway + "/api/jobs?status=RUNNING", "Authorization", hoarder))
				.isEmpty());
	}

	/**
	 * Attack: a payload of characters that take three bytes each. The cap counted
	 * characters: 16,384 of "中" were 48 KiB, stored twice (payload and echoed result).
	 */
	@Test
	@Order(2)
	void aPayloadIsMeasuredInBytes() {
		String user = newUser("wide");
		HttpResponse<String> refused = submit(user,
				Map.of("type", "echo", "payload", Map.of("text", "中".repeat(MAX_PAYLOAD_BYTES / 3 + 100))));
		assertThat(refused.statusCode()).as(refused.body()).isEqualTo(413);
		assertThat(TestHttp.json(refused).get("type").asString()).isEqualTo("urn:fulcrum:problem:payload-too-large");
	}

	/**
	 * Attack: store as much as possible, the largest payloads echoed back as the largest
	 * results, far more jobs than the account may keep. What the account holds in Redis
	 * stays within the bound that docs/security.md computes.
	 */
	@Test
	@Order(1)
	@Timeout(value = 4, unit = TimeUnit.MINUTES)
	void oneAccountsJobsUseNoMoreRedisThanTheQuotasAllow() {
		String user = newUser("hoarder");
		String payload = "x".repeat(MAX_PAYLOAD_BYTES - 20);
		for (int batch = 0; batch < 3; batch++) {
			List<String> ids = new ArrayList<>();
			for (int i = 0; i < MAX_UNFINISHED; i++) {
				HttpResponse<String> accepted = submit(user,
						Map.of("type", "echo", "payload", Map.of("text", payload)));
				assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
				ids.add(TestHttp.json(accepted).get("id").asString());
			}
			Jobs.awaitSucceeded(gateway, user, ids, Duration.ofMinutes(1));
		}
		String subject = subject(user);
		withRedis(stack.redisUrl(), (redis) -> {
			List<String> keys = new ArrayList<>();
			List<String> jobs = redis.zrange("fulcrum:{jobs}:user:" + subject, 0, -1);
			jobs.forEach((id) -> keys.add("fulcrum:{jobs}:job:" + id));
			keys.addAll(redis.keys("fulcrum:{jobs}:idem:" + subject + ":*"));
			keys.addAll(redis.keys("fulcrum:{jobs}:user:" + subject + "*"));
			// Every field counted (SAMPLES 0): by default Redis samples five of a hash's.
			long bytes = keys.stream()
				.mapToLong((key) -> redis.dispatch(CommandType.MEMORY, new IntegerOutput<>(StringCodec.UTF8),
						new CommandArgs<>(StringCodec.UTF8).add("USAGE").addKey(key).add("SAMPLES").add(0)))
				.sum();
			assertThat(jobs).as("jobs kept of the " + 3 * MAX_UNFINISHED + " submitted").hasSize(MAX_KEPT);
			assertThat(redis.keys("fulcrum:{jobs}:idem:" + subject + ":*")).hasSize(MAX_KEPT);
			long bound = (long) MAX_KEPT * PER_JOB_BOUND;
			System.out.printf("One account's jobs in Redis: %d keys, %d bytes, %d per job kept (bound %d)%n",
					keys.size(), bytes, bytes / MAX_KEPT, PER_JOB_BOUND);
			assertThat(bytes).isLessThanOrEqualTo(bound);
		});
	}

	/**
	 * The most one kept job may take in Redis, as docs/security.md computes it: its
	 * payload and its result at their caps, the job's other fields, its idempotency
	 * record and its entries in the user's indexes, with Redis's own overhead: 4 KiB for
	 * all of these (measured: 2.2 KiB).
	 */
	static final long PER_JOB_BOUND = 2L * MAX_PAYLOAD_BYTES + 4_096;

	/**
	 * Attack: fail logins for someone else's name from ten addresses, five each (the
	 * limit per name and address). Before, the 50 failures reached the per-name limit and
	 * locked the victim out everywhere for 15 minutes; now that limit is a ceiling of
	 * 1,000, and the victim logs in from its own address.
	 */
	@Test
	@Order(5)
	void failedLoginsForAVictimsNameFromManyAddressesDoNotLockTheVictimOut() throws Exception {
		String victim = "victim" + UUID.randomUUID().toString().substring(0, 8);
		String credentials = TestHttp.toJson(Map.of("username", victim, "password", "system test password"));
		String wrong = TestHttp.toJson(Map.of("username", victim, "password", "not the password"));
		assertThat(postFrom("127.0.0.12", "/auth/register", credentials).statusCode()).isEqualTo(201);
		for (int address = 2; address <= 11; address++) {
			for (int i = 0; i < 5; i++) {
				assertThat(postFrom("127.0.0." + address, "/auth/login", wrong).statusCode()).isEqualTo(401);
			}
			assertThat(postFrom("127.0.0." + address, "/auth/login", wrong).statusCode())
				.as("this name from this address: at its limit")
				.isEqualTo(429);
		}
		HttpResponse<String> login = postFrom("127.0.0.12", "/auth/login", credentials);
		assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
	}

	/**
	 * Attack: reach a management port (a neighbour on the host, a pod in the cluster) and
	 * switch the gateway's balancing strategy, or pin every client to one instance.
	 * Before, no credential was asked; now writes need the token that
	 * {@code ./fulcrum up} printed, and reading stays open.
	 */
	@Test
	@Order(6)
	void changingStateOnAManagementPortNeedsTheToken() {
		String balancing = stack.management("gateway") + "/balancing/api-service";
		String body = "{\"strategy\":\"ip-hash\"}";
		HttpResponse<String> refused = TestHttp.post(balancing, body, "Content-Type", "application/json");
		assertThat(refused.statusCode()).as(refused.body()).isEqualTo(401);
		assertThat(TestHttp.json(TestHttp.get(stack.management("gateway") + "/balancing"))
			.at("/routes/api-service/strategy")
			.asString()).isEqualTo("round-robin");
		String faults = stack.management("api-service") + "/faults";
		assertThat(TestHttp.post(faults, "{\"failureRate\":1}", "Content-Type", "application/json").statusCode())
			.isEqualTo(401);
		assertThat(TestHttp.get(gateway + "/api/hello").statusCode()).isEqualTo(200);

		String token = stack.managementToken();
		assertThat(stack.fulcrumUpOutput()).contains("Authorization: Bearer " + token);
		try {
			assertThat(TestHttp
				.post(balancing, body, "Content-Type", "application/json", "Authorization", "Bearer " + token)
				.statusCode()).isEqualTo(200);
		}
		finally {
			TestHttp.post(balancing, "{\"strategy\":\"round-robin\"}", "Content-Type", "application/json",
					"Authorization", "Bearer " + token);
		}
	}

	/**
	 * Attack, or bad luck: one of the two instances fails every request. Each GET it
	 * failed was retried on the other instance, so the service got half as many requests
	 * again as the clients sent, in the middle of its trouble. Now retries stay within 20
	 * % of the service's recent requests (10 at least), and the refused ones are counted;
	 * past the budget the client gets the failure, and the breaker takes over.
	 */
	@Test
	@Order(7)
	void retriesCannotMultiplyTheLoadOfAFailingService() {
		String token = "Bearer " + stack.managementToken();
		List<String> faults = stack.instances()
			.stream()
			.filter((entry) -> entry.instance().equals("api-service-1"))
			.map((entry) -> entry.health().replace("/health/readiness", "/faults"))
			.toList();
		double retriedBefore = gatewayCounter("fulcrum_gateway_upstream_retries_total");
		try {
			faults.forEach((url) -> assertThat(TestHttp
				.post(url, "{\"failureRate\":1}", "Content-Type", "application/json", "Authorization", token)
				.statusCode()).isEqualTo(200));
			for (int i = 0; i < 200; i++) {
				TestHttp.get(gateway + "/api/hello");
			}
		}
		finally {
			faults.forEach((url) -> TestHttp.send("DELETE", url, null, "Authorization", token));
		}
		// Past the budget the failures reached the clients and the breaker opened: wait
		// until trial requests have closed it, for the tests after this one.
		await().atMost(Duration.ofSeconds(40))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> TestHttp.get(gateway + "/api/hello").statusCode() == 200
					&& "CLOSED".equals(breakerState("api-service")));
		double retried = gatewayCounter("fulcrum_gateway_upstream_retries_total") - retriedBefore;
		System.out.printf("Retries for 200 requests, one of two instances failing: %.0f (refused: %.0f)%n", retried,
				gatewayCounter("fulcrum_gateway_upstream_retries_refused_total"));
		// Without a budget about 100 (round-robin sends half to the failing instance);
		// now at most 20 % of the window's requests, the 200 here and the few before
		// them.
		assertThat(retried).as("retries for 200 requests").isLessThanOrEqualTo(60);
		assertThat(gatewayCounter("fulcrum_gateway_upstream_retries_refused_total")).isPositive();
	}

	/** The sum of a counter of the gateway's over its api-service series. */
	private static double gatewayCounter(String name) {
		return TestHttp.get(stack.management("gateway") + "/prometheus")
			.body()
			.lines()
			.filter((line) -> line.startsWith(name + "{") && line.contains("service=\"api-service\""))
			.mapToDouble((line) -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
			.sum();
	}

	/**
	 * Attack: a storm of refreshes (or registrations, or logins) from one place. Each
	 * cost the auth-service a Redis round trip or a password hash, with nothing at the
	 * edge to stop them; now the gateway limits {@code /auth/**} per client network (10 a
	 * second, 100 at once), and everyone else is unaffected.
	 */
	@Test
	@Order(8)
	void theEdgeLimitsAuthCallsPerClientAddress() throws Exception {
		String garbage = TestHttp.toJson(Map.of("refresh_token", "not-a-refresh-token"));
		int limited = 0;
		long started = System.nanoTime();
		for (int i = 0; i < 150; i++) {
			HttpResponse<String> answer = postFrom("127.0.0.20", "/auth/refresh", garbage);
			if (answer.statusCode() == 429) {
				assertThat(JSON.readTree(answer.body()).get("type").asString())
					.isEqualTo("urn:fulcrum:problem:rate-limited");
				assertThat(answer.headers().firstValue("Retry-After")).isPresent();
				limited++;
			}
			else {
				assertThat(answer.statusCode()).isEqualTo(401);
			}
		}
		// A bucket of 100 that refills 10 a second: what got through is the bucket and
		// what it refilled meanwhile, however long the 150 took on a busy machine.
		double seconds = (System.nanoTime() - started) / 1e9;
		assertThat(150 - limited).as("refreshes let through in %.1f s", seconds)
			.isLessThanOrEqualTo(100 + (int) Math.ceil(10 * seconds) + 1);
		assertThat(limited).isPositive();
		assertThat(postFrom("127.0.0.21", "/auth/refresh", garbage).statusCode()).as("another address").isEqualTo(401);
	}

	/**
	 * A TLS-terminating proxy in front of the gateway says the client used https: the
	 * answer carries HSTS. The same claim from anyone else does not.
	 */
	@Test
	@Order(9)
	void sendsHstsOnlyWhenATrustedProxySaysTheClientUsedHttps() throws Exception {
		HttpResponse<String> behindProxy = getFrom(TRUSTED_PROXY, "/api/hello", "X-Forwarded-Proto", "https");
		assertThat(behindProxy.headers().firstValue("Strict-Transport-Security"))
			.hasValue("max-age=31536000; includeSubDomains");
		HttpResponse<String> claimed = getFrom("127.0.0.31", "/api/hello", "X-Forwarded-Proto", "https");
		assertThat(claimed.headers().firstValue("Strict-Transport-Security")).isEmpty();
	}

	/**
	 * Sessions hold: a user's live sessions are capped (a login past the cap ends the
	 * oldest, tokens and all), an access token refreshed just before the session's end
	 * expires with the session, and logins racing a logout-all end with it unless they
	 * began after it. Before, sessions were unbounded, the token outlived its session by
	 * up to 15 minutes, and a racing login could survive a logout-all unlisted.
	 */
	@Test
	@Order(10)
	void sessionsHold() throws Exception {
		String username = "sessions" + UUID.randomUUID().toString().substring(0, 8);
		String credentials = TestHttp.toJson(Map.of("username", username, "password", "system test password"));
		assertThat(TestHttp.post(gateway + "/auth/register", credentials).statusCode()).isEqualTo(201);
		List<JsonNode> logins = new ArrayList<>();
		for (int i = 0; i < 21; i++) {
			logins.add(TestHttp.json(TestHttp.post(gateway + "/auth/login", credentials)));
		}
		assertThat(me(logins.get(0))).as("the oldest of 21 sessions, past the cap of 20").isEqualTo(401);
		assertThat(me(logins.get(1))).isEqualTo(200);
		HttpResponse<String> deleted = TestHttp.send("DELETE",
				gateway + "/auth/sessions/" + logins.get(2).get("session_id").asString(), null, "Authorization",
				"Bearer " + logins.get(3).get("access_token").asString());
		assertThat(deleted.statusCode()).isEqualTo(204);
		assertThat(me(logins.get(2))).as("a deleted session's token, at once, at the API").isEqualTo(401);

		JsonNode last = logins.get(20);
		long ends = System.currentTimeMillis() + 60_000;
		withRedis(stack.redisUrl(),
				(redis) -> redis.hset("fulcrum:auth:session:{" + last.get("session_id").asString() + "}", "expiresAt",
						String.valueOf(ends)));
		JsonNode refreshed = TestHttp.json(TestHttp.post(gateway + "/auth/refresh",
				TestHttp.toJson(Map.of("refresh_token", last.get("refresh_token").asString()))));
		assertThat(refreshed.get("expires_in").asLong()).as("a minute of session left").isBetween(50L, 60L);

		String bearer = "Bearer " + logins.get(5).get("access_token").asString();
		List<HttpResponse<String>> racing = new ArrayList<>();
		HttpResponse<String> logoutAll;
		try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
			List<Future<HttpResponse<String>>> calls = new ArrayList<>();
			for (int i = 0; i < 4; i++) {
				calls.add(pool.submit(() -> TestHttp.post(gateway + "/auth/login", credentials)));
			}
			logoutAll = TestHttp.post(gateway + "/auth/logout-all", null, "Authorization", bearer);
			for (Future<HttpResponse<String>> call : calls) {
				racing.add(call.get());
			}
		}
		assertThat(logoutAll.statusCode()).isEqualTo(204);
		for (int i = 1; i < 21; i++) {
			assertThat(me(logins.get(i))).as("session " + i + " after logout-all").isEqualTo(401);
		}
		assertThat(racing).allSatisfy((login) -> assertThat(login.statusCode()).isIn(200, 409));
	}

	/**
	 * Attack: fill Redis (here: a maxmemory of one byte, so that every write is refused
	 * with OOM under noeviction). Before, logins and logouts answered 500 and a logout
	 * left its token valid while saying nothing. Now every write answers a 503
	 * {@code store-full} problem with {@code Retry-After}, valid tokens keep verifying,
	 * other clients' reads go on, and it all works again once memory frees, with no
	 * restart.
	 */
	@Test
	@Order(20)
	void aFullRedisIsACleanRecoverableState() {
		String credentials = TestHttp.toJson(Map.of("username", "full" + UUID.randomUUID().toString().substring(0, 8),
				"password", "system test password"));
		assertThat(TestHttp.post(gateway + "/auth/register", credentials).statusCode()).isEqualTo(201);
		JsonNode login = TestHttp.json(TestHttp.post(gateway + "/auth/login", credentials));
		String bearer = "Bearer " + login.get("access_token").asString();
		// The flood of the full-queue test (20 s jobs) may still fill the queue: a full
		// queue is refused before anything is written, so it must have room again for
		// the store to be what refuses.
		String prober = newUser("probe");
		await().atMost(Duration.ofSeconds(90))
			.pollInterval(Duration.ofSeconds(1))
			.until(() -> submit(prober, sleep(1)).statusCode() == 202);
		maxmemory("1");
		try {
			assertStoreFull(TestHttp.post(gateway + "/auth/login", credentials));
			assertStoreFull(TestHttp.post(gateway + "/auth/refresh",
					TestHttp.toJson(Map.of("refresh_token", login.get("refresh_token").asString()))));
			assertStoreFull(TestHttp.post(gateway + "/auth/logout", null, "Authorization", bearer));
			assertStoreFull(submit(bearer, sleep(1)));
			assertThat(TestHttp.get(gateway + "/api/me", "Authorization", bearer).statusCode())
				.as("a valid token verifies: its logout was refused, and said so")
				.isEqualTo(200);
			assertThat(TestHttp.get(gateway + "/api/hello").statusCode()).isEqualTo(200);
		}
		finally {
			maxmemory("0");
		}
		await().atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(500))
			.until(() -> TestHttp.post(gateway + "/auth/login", credentials).statusCode() == 200);
		assertThat(TestHttp.post(gateway + "/auth/logout", null, "Authorization", bearer).statusCode()).isEqualTo(204);
		assertThat(TestHttp.get(gateway + "/api/me", "Authorization", bearer).statusCode()).isEqualTo(401);
		assertThat(submit(newUser("after"), sleep(1)).statusCode()).isEqualTo(202);
		assertThat(breakerState("api-service")).isEqualTo("CLOSED");
		assertThat(breakerState("auth-service")).isEqualTo("CLOSED");
	}

	/**
	 * Attack: take over a service (a worker's dependency gone bad, say) and use its Redis
	 * credentials. Before, every service shared one full-access password, and whoever
	 * held it could write the key set and mint ADMIN tokens, or erase revocations. Now
	 * each service is a Redis user of its own with only its keys and commands.
	 */
	@Test
	@Order(12)
	void aServicesRedisCredentialsReachOnlyWhatThatServiceNeeds() {
		String jwks = "fulcrum:auth:jwks";
		String revoked = "fulcrum:revoked:{acl-probe}";
		asUser("worker-service", (redis) -> {
			assertNoPermission(() -> redis.hset(jwks, "forged", "{}"));
			assertNoPermission(() -> redis.set(revoked, "1"));
			assertNoPermission(() -> redis.hgetall(jwks));
			assertNoPermission(() -> redis.keys("*"));
			assertNoPermission(() -> redis.flushall());
			assertThat(redis.xlen("fulcrum:{jobs}:stream")).isNotNegative();
		});
		asUser("api-service", (redis) -> {
			assertNoPermission(() -> redis.hset(jwks, "forged", "{}"));
			assertNoPermission(() -> redis.set(revoked, "1"));
			assertNoPermission(() -> redis.del(revoked));
			assertThat(redis.exists(revoked)).as("reads revocations").isZero();
		});
		asUser("gateway", (redis) -> {
			assertNoPermission(() -> redis.hset(jwks, "forged", "{}"));
			assertNoPermission(() -> redis.set(revoked, "1"));
			// The live page reads the queue's stream and counts, never a job, and writes
			// none.
			assertThat(redis.xlen("fulcrum:{jobs}:stream")).isNotNegative();
			assertNoPermission(() -> redis.hgetall("fulcrum:{jobs}:job:acl-probe"));
			assertNoPermission(() -> redis.xadd("fulcrum:{jobs}:stream", "id", "forged"));
			assertNoPermission(() -> redis.set("fulcrum:{jobs}:outstanding", "0"));
			assertThat(redis.exists(revoked)).isZero();
		});
		asUser("auth-service", (redis) -> {
			assertNoPermission(() -> redis.xlen("fulcrum:{jobs}:stream"));
			assertNoPermission(() -> redis.configGet("maxmemory"));
			assertThat(redis.hexists(jwks, "forged")).isFalse();
		});
		assertThat(me(TestHttp.json(TestHttp.post(gateway + "/auth/login",
				TestHttp.toJson(Map.of("username", "demo", "password", "demo-password"))))))
			.as("the stack works on these users")
			.isEqualTo(200);
	}

	private static void asUser(String user, Consumer<RedisCommands<String, String>> check) {
		withRedis(stack.redisUrl(user), check);
	}

	/** Runs commands on the stack's Redis, connected with the URL's user and password. */
	private static void withRedis(String url, Consumer<RedisCommands<String, String>> commands) {
		RedisClient client = RedisClient.create(url);
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			commands.accept(connection.sync());
		}
		finally {
			client.shutdown();
		}
	}

	private static void assertNoPermission(Runnable command) {
		assertThatExceptionOfType(RedisCommandExecutionException.class).isThrownBy(command::run)
			.withMessageStartingWith("NOPERM");
	}

	private static void assertStoreFull(HttpResponse<String> answer) {
		assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
		assertThat(JSON.readTree(answer.body()).get("type").asString()).isEqualTo("urn:fulcrum:problem:store-full");
		assertThat(answer.headers().firstValue("Retry-After")).isPresent();
	}

	private static void maxmemory(String bytes) {
		withRedis(stack.redisUrl(), (redis) -> {
			redis.configSet("maxmemory-policy", "noeviction");
			redis.configSet("maxmemory", bytes);
		});
	}

	private static int me(JsonNode login) {
		return TestHttp.get(gateway + "/api/me", "Authorization", "Bearer " + login.get("access_token").asString())
			.statusCode();
	}

	/** A GET from one of the loopback addresses, as if from another client. */
	private static HttpResponse<String> getFrom(String address, String path, String... headers) throws Exception {
		return from(address, HttpRequest.newBuilder(gatewayUri(path)).headers(headers).GET());
	}

	/** A POST from one of the loopback addresses, as if from another client. */
	private static HttpResponse<String> postFrom(String address, String path, String body) throws Exception {
		return from(address,
				HttpRequest.newBuilder(gatewayUri(path))
					.header("Content-Type", "application/json")
					.POST(HttpRequest.BodyPublishers.ofString(body)));
	}

	private static HttpResponse<String> from(String address, HttpRequest.Builder request) throws Exception {
		try (HttpClient client = HttpClient.newBuilder()
			.localAddress(InetAddress.getByName(address))
			.connectTimeout(Duration.ofSeconds(5))
			.build()) {
			return client.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
		}
	}

	/** The gateway by its address, which the loopback addresses above connect to. */
	private static URI gatewayUri(String path) {
		return URI.create(gateway.replace("localhost", "127.0.0.1") + path);
	}

	private static String breakerState(String route) {
		return TestHttp.json(TestHttp.get(stack.management("gateway") + "/circuitbreakers"))
			.get("routes")
			.get(route)
			.get("state")
			.asString();
	}

	/**
	 * Registers and logs in a user of its own; returns its {@code Authorization} value.
	 */
	private static String newUser(String prefix) {
		String credentials = TestHttp.toJson(Map.of("username", prefix + UUID.randomUUID().toString().substring(0, 8),
				"password", "system test password"));
		HttpResponse<String> registered = TestHttp.post(gateway + "/auth/register", credentials);
		assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
		HttpResponse<String> login = TestHttp.post(gateway + "/auth/login", credentials);
		assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
		return "Bearer " + TestHttp.json(login).get("access_token").asString();
	}

	/** The token's subject: the user id that owns what the account stores. */
	private static String subject(String bearer) {
		String payload = bearer.substring("Bearer ".length()).split("\\.")[1];
		return JSON.readTree(new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8))
			.get("sub")
			.asString();
	}

	private static Map<String, Object> sleep(int ms) {
		return Map.of("type", "sleep", "payload", Map.of("ms", ms));
	}

	private static HttpResponse<String> submit(String bearer, Map<String, Object> job) {
		return TestHttp.post(gateway + "/api/jobs", TestHttp.toJson(job), "Authorization", bearer, "Idempotency-Key",
				UUID.randomUUID().toString());
	}

}
