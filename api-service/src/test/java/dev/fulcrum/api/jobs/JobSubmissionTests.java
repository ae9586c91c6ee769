package dev.fulcrum.api.jobs;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.fulcrum.jobs.JobKeys;
import dev.fulcrum.testsupport.TestHttp;
import dev.fulcrum.testsupport.TestRedisConfiguration;
import dev.fulcrum.testsupport.TestSpans;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Job submission over real HTTP and real Redis: the Idempotency-Key rules, validation per
 * job type, backpressure, reading, listing and cancelling one's own jobs.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "fulcrum.jobs.high-watermark=100000",
				"management.tracing.sampling.probability=1" })
@Import({ TestRedisConfiguration.class, TestSpans.class })
class JobSubmissionTests extends JobsOverHttp {

	/** Started for each test class, as a subclass runs these tests again on a cluster. */
	@Autowired
	TestSpans spans;

	@Autowired
	MeterRegistry meters;

	String alice;

	String bob;

	@BeforeEach
	void users() {
		this.alice = issuer.token("alice-" + UUID.randomUUID());
		this.bob = issuer.token("bob-" + UUID.randomUUID());
	}

	@Test
	void keepsTheSubmissionsTraceContextWithTheJobForTheWorker() {
		String trace = "0af7651916cd43dd8448eb211c80319c";
		HttpResponse<String> response = TestHttp.post(url("/api/jobs"), TestHttp.toJson(sleep(10)), "Authorization",
				"Bearer " + this.alice, "Idempotency-Key", key(), "traceparent",
				"00-" + trace + "-b7ad6b7169203331-01");
		assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
		String id = TestHttp.json(response).get("id").asString();
		await().atMost(Duration.ofSeconds(5))
			.until(() -> this.spans.of(trace).stream().anyMatch((span) -> span.getKind() == SpanKind.SERVER));
		SpanData server = this.spans.of(trace)
			.stream()
			.filter((span) -> span.getKind() == SpanKind.SERVER)
			.findFirst()
			.orElseThrow();
		assertThat(server.getParentSpanId()).as("continues the caller's span").isEqualTo("b7ad6b7169203331");
		assertThat(this.redis.opsForHash().get(JobKeys.job(id), JobKeys.TRACE_PARENT))
			.as("the submission's span, which the worker's continues")
			.isEqualTo("00-" + trace + "-" + server.getSpanId() + "-01");
	}

	@Test
	void queuesAJobAtomicallyAndShowsItToItsOwner() {
		long streamBefore = streamLength();
		HttpResponse<String> response = submit(this.alice, key(), sleep(10));
		assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
		JsonNode job = TestHttp.json(response);
		String id = job.get("id").asString();
		assertThat(job.get("status").asString()).isEqualTo("QUEUED");
		assertThat(job.get("type").asString()).isEqualTo("sleep");
		assertThat(response.headers().firstValue("Location")).hasValue("/api/jobs/" + id);
		assertThat(response.headers().firstValue("Idempotent-Replayed")).isEmpty();
		assertThat(streamLength()).isEqualTo(streamBefore + 1);
		assertThat(this.redis.opsForHash().get(JobKeys.job(id), "status")).isEqualTo("QUEUED");
		assertThat(this.redis.getExpire(JobKeys.job(id))).as("a queued job never expires").isEqualTo(-1);

		HttpResponse<String> read = get(this.alice, "/api/jobs/" + id);
		assertThat(read.statusCode()).isEqualTo(200);
		assertThat(TestHttp.json(read).get("attempts").asInt()).isZero();
		assertThat(TestHttp.json(read).get("createdAt").asString()).isNotBlank();
	}

	@Test
	void replaysTheFirstResponseForTheSameKey() {
		String key = key();
		HttpResponse<String> first = submit(this.alice, key, sleep(10));
		long streamAfterFirst = streamLength();
		HttpResponse<String> again = submit(this.alice, key, sleep(10));
		assertThat(again.statusCode()).isEqualTo(202);
		assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
		assertThat(TestHttp.json(again)).isEqualTo(TestHttp.json(first));
		assertThat(again.headers().firstValue("Location")).isEqualTo(first.headers().firstValue("Location"));
		assertThat(streamLength()).as("nothing queued twice").isEqualTo(streamAfterFirst);
	}

	@Test
	void refusesTheSameKeyWithAnotherRequest() {
		String key = key();
		submit(this.alice, key, sleep(10));
		HttpResponse<String> response = submit(this.alice, key, sleep(20));
		assertProblem(response, 422, "idempotency-key-reused");
	}

	@Test
	void treatsTheSameRequestWithReorderedFieldsAsTheSame() {
		String key = key();
		submit(this.alice, key, Map.of("type", "checksum", "payload", Map.of("text", "a", "rounds", 2)));
		HttpResponse<String> again = TestHttp.post(url("/api/jobs"),
				"{\"payload\":{\"rounds\":2,\"text\":\"a\"},\"type\":\"checksum\"}", "Authorization",
				"Bearer " + this.alice, "Idempotency-Key", key);
		assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
	}

	@Test
	void scopesKeysPerUser() {
		String key = key();
		String aliceJob = TestHttp.json(submit(this.alice, key, sleep(10))).get("id").asString();
		HttpResponse<String> bobs = submit(this.bob, key, sleep(10));
		assertThat(bobs.headers().firstValue("Idempotent-Replayed")).isEmpty();
		assertThat(TestHttp.json(bobs).get("id").asString()).isNotEqualTo(aliceJob);
	}

	@Test
	void makesOneJobOfFiftyConcurrentSubmissionsWithOneKey() throws Exception {
		String key = key();
		long streamBefore = streamLength();
		List<HttpResponse<String>> responses = new ArrayList<>();
		try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
			List<Future<HttpResponse<String>>> calls = IntStream.range(0, 50)
				.mapToObj((i) -> pool.submit(() -> submit(this.alice, key, sleep(10))))
				.toList();
			for (Future<HttpResponse<String>> call : calls) {
				responses.add(call.get());
			}
		}
		assertThat(responses).allSatisfy((r) -> assertThat(r.statusCode()).isIn(202, 409));
		assertThat(responses.stream().map((r) -> TestHttp.json(r).get("id").asString()).distinct()).hasSize(1);
		assertThat(responses).filteredOn((r) -> r.headers().firstValue("Idempotent-Replayed").isEmpty()).hasSize(1);
		assertThat(streamLength()).as("exactly one job queued").isEqualTo(streamBefore + 1);
	}

	@Test
	void refusesMissingOrMalformedKeysAndStoresNothing() {
		long streamBefore = streamLength();
		HttpResponse<String> missing = TestHttp.post(url("/api/jobs"), TestHttp.toJson(sleep(1)), "Authorization",
				"Bearer " + this.alice);
		assertProblem(missing, 400, "idempotency-key-missing");
		assertThat(TestHttp.json(missing).get("detail").asString())
			.startsWith("POST /api/jobs needs an Idempotency-Key header");
		assertProblem(submit(this.alice, "k".repeat(256), sleep(1)), 400, "idempotency-key-invalid");
		assertProblem(submit(this.alice, "tab\there", sleep(1)), 400, "idempotency-key-invalid");
		assertThat(streamLength()).isEqualTo(streamBefore);
		assertThat(this.meters.get("fulcrum.idempotency.requests")
			.tags("mode", "required", "key", "none", "outcome", "missing")
			.counter()
			.count()).as("counted as refused for a missing key").isPositive();
	}

	@Test
	void refusesUnknownTypesAndBadPayloadsListingEachField() {
		assertProblem(submit(this.alice, key(), Map.of("type", "nope", "payload", Map.of())), 400, "unknown-job-type");
		HttpResponse<String> badSleep = submit(this.alice, key(), Map.of("type", "sleep", "payload", Map.of("ms", -1)));
		assertProblem(badSleep, 400, "invalid-payload");
		assertThat(TestHttp.json(badSleep).get("errors").get(0).get("field").asString()).isEqualTo("payload.ms");
		HttpResponse<String> badChecksum = submit(this.alice, key(),
				Map.of("type", "checksum", "payload", Map.of("rounds", 0)));
		assertThat(TestHttp.json(badChecksum).get("errors").valueStream().map((e) -> e.get("field").asString()))
			.containsExactlyInAnyOrder("payload.text", "payload.rounds");
		assertProblem(submit(this.alice, key(), Map.of("type", "echo", "payload", Map.of("big", "x".repeat(20_000)))),
				413, "payload-too-large");
		assertProblem(submit(this.alice, key(), Map.of("payload", Map.of())), 400, "invalid-request");
		assertProblem(TestHttp.post(url("/api/jobs"), "{\"type\":", "Authorization", "Bearer " + this.alice,
				"Idempotency-Key", key()), 400, "malformed-body");
	}

	@Test
	void answers503AndStoresNothingPastTheHighWatermark() {
		String counter = JobKeys.outstanding();
		String before = this.redis.opsForValue().get(counter);
		this.redis.opsForValue().set(counter, "100000");
		try {
			long streamBefore = streamLength();
			HttpResponse<String> response = submit(this.alice, key(), sleep(1));
			assertProblem(response, 503, "queue-full");
			assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
			assertThat(streamLength()).isEqualTo(streamBefore);
		}
		finally {
			this.redis.opsForValue().set(counter, (before != null) ? before : "0");
		}
	}

	@Test
	void hidesOtherUsersJobs() {
		String id = TestHttp.json(submit(this.alice, key(), sleep(1))).get("id").asString();
		assertProblem(get(this.bob, "/api/jobs/" + id), 404, "job-not-found");
		assertProblem(TestHttp.send("DELETE", url("/api/jobs/" + id), null, "Authorization", "Bearer " + this.bob), 404,
				"job-not-found");
		assertThat(get(this.alice, "/api/jobs/" + id).statusCode()).isEqualTo(200);
	}

	@Test
	void cancelsAQueuedJobOnce() {
		String id = TestHttp.json(submit(this.alice, key(), sleep(1))).get("id").asString();
		HttpResponse<String> cancel = TestHttp.send("DELETE", url("/api/jobs/" + id), null, "Authorization",
				"Bearer " + this.alice);
		assertThat(cancel.statusCode()).isEqualTo(204);
		JsonNode job = TestHttp.json(get(this.alice, "/api/jobs/" + id));
		assertThat(job.get("status").asString()).isEqualTo("CANCELLED");
		assertThat(job.get("completedAt").asString()).isNotBlank();
		assertThat(this.redis.getExpire(JobKeys.job(id))).as("a final job expires").isPositive();
		assertProblem(TestHttp.send("DELETE", url("/api/jobs/" + id), null, "Authorization", "Bearer " + this.alice),
				409, "job-not-queued");
	}

	@Test
	void listsOwnJobsNewestFirstByStatus() {
		String first = TestHttp.json(submit(this.alice, key(), sleep(1))).get("id").asString();
		String second = TestHttp.json(submit(this.alice, key(), sleep(1))).get("id").asString();
		TestHttp.send("DELETE", url("/api/jobs/" + first), null, "Authorization", "Bearer " + this.alice);
		submit(this.bob, key(), sleep(1));

		List<String> all = ids(get(this.alice, "/api/jobs"));
		assertThat(all).containsExactly(second, first);
		assertThat(ids(get(this.alice, "/api/jobs?status=cancelled"))).containsExactly(first);
		assertThat(ids(get(this.alice, "/api/jobs?status=QUEUED&limit=1"))).containsExactly(second);
		assertProblem(get(this.alice, "/api/jobs?status=nonsense"), 400, "invalid-request");
		assertProblem(get(this.alice, "/api/jobs?limit=0"), 400, "invalid-request");
	}

	@Test
	void keepsIdempotencyRecordsForADay() {
		String key = key();
		submit(this.alice, key, sleep(1));
		List<String> records = this.redis.keys("fulcrum:{jobs}:idem:user-alice-*").stream().toList();
		assertThat(records).isNotEmpty()
			.allSatisfy((record) -> assertThat(this.redis.getExpire(record)).isBetween(86_000L, 86_400L));
	}

	@Test
	void letsAdminsListAndRedriveDeadJobs() {
		String admin = issuer.token("root-" + UUID.randomUUID(), UUID.randomUUID().toString(),
				(jwt) -> jwt.claim("roles", List.of("USER", "ADMIN")));
		String one = deadJob();
		String two = deadJob();
		List<String> listed = ids(get(admin, "/api/admin/jobs/dead?limit=500"));
		assertThat(listed).contains(one, two);

		long streamBefore = streamLength();
		HttpResponse<String> redrive = TestHttp.post(url("/api/admin/jobs/dead/" + one + "/redrive"), null,
				"Authorization", "Bearer " + admin);
		assertThat(redrive.statusCode()).as(redrive.body()).isEqualTo(200);
		assertThat(this.redis.opsForHash().get(JobKeys.job(one), "status")).isEqualTo("QUEUED");
		assertThat(this.redis.opsForHash().get(JobKeys.job(one), "attempts")).isEqualTo("0");
		assertThat(this.redis.getExpire(JobKeys.job(one))).as("queued again: no expiry").isEqualTo(-1);
		assertThat(streamLength()).isEqualTo(streamBefore + 1);
		assertProblem(TestHttp.post(url("/api/admin/jobs/dead/" + one + "/redrive"), null, "Authorization",
				"Bearer " + admin), 409, "job-not-dead");
		assertThat(ids(get(admin, "/api/admin/jobs/dead?limit=500"))).doesNotContain(one).contains(two);

		HttpResponse<String> all = TestHttp.post(url("/api/admin/jobs/dead/redrive"), null, "Authorization",
				"Bearer " + admin);
		assertThat(TestHttp.json(all).get("redriven").valueStream().map(JsonNode::asString)).contains(two)
			.doesNotContain(one);
		assertThat(this.redis.opsForHash().get(JobKeys.job(two), "status")).isEqualTo("QUEUED");
	}

	@Test
	void keepsDeadLettersFromNonAdmins() {
		assertProblem(get(this.alice, "/api/admin/jobs/dead"), 403, "forbidden");
		assertThat(TestHttp.get(url("/api/admin/jobs/dead")).statusCode()).isEqualTo(401);
	}

	/** A job as the worker leaves it after its last failed attempt. */
	private String deadJob() {
		String id = UUID.randomUUID().toString();
		this.redis.opsForHash()
			.putAll(JobKeys.job(id),
					Map.of("id", id, "user", "someone", "type", "fail", "payload", "null", "status", "DEAD", "attempts",
							"5", "error", "fail: always", "createdAt", "2026-01-01T00:00:00Z", "updatedAt",
							"2026-01-01T00:00:00Z", "completedAt", "2026-01-01T00:00:00Z"));
		this.redis.expire(JobKeys.job(id), Duration.ofHours(24));
		this.redis.opsForStream().add(JobKeys.deadLetters(), Map.of("id", id, "error", "fail: always"));
		return id;
	}

	@Test
	void needsAToken() {
		HttpResponse<String> response = TestHttp.post(url("/api/jobs"), TestHttp.toJson(sleep(1)), "Idempotency-Key",
				key());
		assertThat(response.statusCode()).isEqualTo(401);
	}

	private HttpResponse<String> submit(String token, String key, Object body) {
		return TestHttp.post(url("/api/jobs"), TestHttp.toJson(body), "Authorization", "Bearer " + token,
				"Idempotency-Key", key);
	}

	private HttpResponse<String> get(String token, String path) {
		return TestHttp.get(url(path), "Authorization", "Bearer " + token);
	}

	private static List<String> ids(HttpResponse<String> response) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return TestHttp.json(response).valueStream().map((job) -> job.get("id").asString()).toList();
	}

	private static Map<String, Object> sleep(int ms) {
		return Map.of("type", "sleep", "payload", Map.of("ms", ms));
	}

	private static String key() {
		return UUID.randomUUID().toString();
	}

	static void assertProblem(HttpResponse<String> response, int status, String slug) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
		assertThat(TestHttp.json(response).get("type").asString()).isEqualTo("urn:fulcrum:problem:" + slug);
		assertThat(TestHttp.json(response).get("requestId").asString()).isNotBlank();
	}

}
