package dev.fulcrum.worker.queue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.StreamMessage;
import io.micrometer.core.instrument.MeterRegistry;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.fulcrum.jobs.JobKeys;
import dev.fulcrum.jobs.JobShard;
import dev.fulcrum.jobs.JobStatus;
import dev.fulcrum.testsupport.TestRedisConfiguration;
import dev.fulcrum.testsupport.TestSpans;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Import;
import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.stream.Consumer;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.connection.stream.PendingMessages;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.connection.stream.StreamReadOptions;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The worker against real Redis, with short timings: runs, retries, dead letters, a
 * finished job never run again, duplicates refused, dead workers' jobs reclaimed, live
 * ones protected by heartbeats. Jobs are written as the api-service's submission script
 * writes them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "fulcrum.instance-id=worker-test-1", "fulcrum.worker.concurrency=4",
				"fulcrum.worker.max-attempts=3", "fulcrum.worker.backoff-base=50ms", "fulcrum.worker.backoff-max=200ms",
				"fulcrum.worker.visibility-timeout=1s", "fulcrum.worker.heartbeat-interval=250ms",
				"fulcrum.worker.maintenance-interval=100ms", "fulcrum.worker.read-block=200ms",
				"fulcrum.worker.max-result-bytes=1000", "management.tracing.sampling.probability=1" })
@Import({ TestRedisConfiguration.class, TestSpans.class })
@ExtendWith(OutputCaptureExtension.class)
class WorkerTests {

	static final Duration WAIT = Duration.ofSeconds(15);

	/**
	 * The shard of the queue these tests put their jobs in; a subclass may choose another
	 * one of several.
	 * @return the first shard
	 */
	JobShard shard() {
		return JobShard.FIRST;
	}

	@Autowired
	StringRedisTemplate redis;

	@Autowired
	JobQueue queue;

	@Autowired
	MeterRegistry meters;

	@Autowired
	TestSpans spans;

	@Test
	void joinsAGroupThatAnotherWorkerCreated() {
		// The group exists since this worker started: a second creation must be harmless.
		this.queue.ensureGroup(shard());
		this.queue.ensureGroup(shard());
	}

	@Test
	void runsAQueuedJobToSuccess() {
		String id = submit("echo", "{\"hello\":\"world\"}");
		awaitStatus(id, "SUCCEEDED");
		assertThat(field(id, "result")).isEqualTo("{\"hello\":\"world\"}");
		assertThat(field(id, "attempts")).isEqualTo("1");
		assertThat(field(id, "completedAt")).isNotBlank();
		assertThat(this.redis.getExpire(shard().job(id))).as("a final job expires").isPositive();
	}

	@Test
	void everyAttemptIsASpanContinuingTheSubmissionsTraceAndItsLogsCarryIt(CapturedOutput output) {
		String trace = "5b8aa5a2d2c872e8321cf37308d69df2";
		String submission = "051581bf3cb55c13";
		String id = UUID.randomUUID().toString();
		String user = "user-" + UUID.randomUUID();
		String key = UUID.randomUUID().toString();
		writeJob(id, "fail", "{}", user, key);
		// Kept by the submission script before the job is queued.
		this.redis.opsForHash().put(shard().job(id), JobKeys.TRACE_PARENT, "00-" + trace + "-" + submission + "-01");
		queue(id, user, key);
		awaitStatus(id, "DEAD");
		await().atMost(WAIT).until(() -> this.spans.of(trace).size() >= 3);
		List<SpanData> attempts = this.spans.of(trace);
		assertThat(attempts).as("three attempts, each a child of the submission's span")
			.hasSize(3)
			.allSatisfy((span) -> {
				assertThat(span.getKind()).isEqualTo(SpanKind.CONSUMER);
				assertThat(span.getParentSpanId()).isEqualTo(submission);
				assertThat(span.getName()).isEqualTo("job fail");
				assertThat(span.getAttributes().get(AttributeKey.stringKey("job.id"))).isEqualTo(id);
			});
		assertThat(attempts.stream().map((span) -> span.getAttributes().get(AttributeKey.stringKey("job.attempt"))))
			.containsExactlyInAnyOrder("1", "2", "3");
		SpanData first = attempts.stream()
			.filter((span) -> "1".equals(span.getAttributes().get(AttributeKey.stringKey("job.attempt"))))
			.findFirst()
			.orElseThrow();
		assertThat(output.getOut().lines().filter((line) -> line.contains("Job " + id + " attempt 1 failed")))
			.singleElement()
			.asString()
			.contains("\"trace\":{\"id\":\"" + trace + "\"}")
			.contains("\"span\":{\"id\":\"" + first.getSpanId() + "\"}");
	}

	@Test
	void storesNoResultOverTheCapAndTheJobIsDeadAtOnce() {
		// 400 characters, 1,200 bytes of UTF-8: a cap counted in characters let it
		// through.
		String id = submit("echo", "{\"text\":\"" + "中".repeat(400) + "\"}");
		awaitStatus(id, "DEAD");
		assertThat(field(id, "attempts")).as("no retry would return less").isEqualTo("1");
		assertThat(field(id, "error")).startsWith("result-too-large: 1211 bytes");
		assertThat(field(id, "result")).isNull();
		assertThat(this.redis.getExpire(shard().job(id))).as("a final job expires").isPositive();
	}

	@Test
	void movesAFinishedJobFromItsUsersUnfinishedJobsToThoseOfItsStatus() {
		String user = "user-" + UUID.randomUUID();
		String done = submit("echo", "{}", user, UUID.randomUUID().toString());
		String failed = submit("fail", "{}", user, UUID.randomUUID().toString());
		awaitStatus(done, "SUCCEEDED");
		awaitStatus(failed, "DEAD");
		assertThat(this.redis.hasKey(shard().userOpenJobs(user))).as("no unfinished job left").isFalse();
		assertThat(this.redis.opsForZSet().range(shard().userFinalJobs(user, JobStatus.SUCCEEDED), 0, -1))
			.containsExactly(done);
		assertThat(this.redis.opsForZSet().range(shard().userFinalJobs(user, JobStatus.DEAD), 0, -1))
			.containsExactly(failed);
		for (String index : List.of(shard().userJobs(user), shard().userFinalJobs(user, JobStatus.SUCCEEDED),
				shard().userFinalJobs(user, JobStatus.DEAD))) {
			assertThat(this.redis.getExpire(index)).as(index + " expires with the jobs it lists")
				.isPositive()
				.isLessThanOrEqualTo(Duration.ofHours(24).toSeconds());
		}
	}

	@Test
	void countsOutcomesAndMeasuresTheQueue() {
		double before = succeeded();
		String id = submit("echo", "{}");
		awaitStatus(id, "SUCCEEDED");
		await().atMost(WAIT).until(() -> succeeded() >= before + 1);
		assertThat(this.meters.get("fulcrum.jobs.processing").tag("type", "echo").timer().count()).isPositive();
		this.redis.opsForZSet().add(shard().retries(), "metrics-probe", Double.MAX_VALUE);
		try {
			await().atMost(WAIT)
				.until(() -> this.meters.get("fulcrum.jobs.retrying").gauge().value() >= 1
						&& this.meters.get("fulcrum.jobs.queue.length").gauge().value() >= 1);
		}
		finally {
			this.redis.opsForZSet().remove(shard().retries(), "metrics-probe");
		}
		assertThat(this.meters.find("fulcrum.jobs.lag").gauge()).isNotNull();
		assertThat(this.meters.find("fulcrum.jobs.pending").gauge()).isNotNull();
		assertThat(this.meters.find("fulcrum.jobs.dead.letters").gauge()).isNotNull();
	}

	private double succeeded() {
		var counter = this.meters.find("fulcrum.jobs.outcomes").tag("outcome", "succeeded").counter();
		return (counter != null) ? counter.count() : 0;
	}

	@Test
	void trimsAcknowledgedEntriesButKeepsPendingOnes() {
		String id = submit("echo", "{}");
		awaitStatus(id, "SUCCEEDED");
		String running = submit("sleep", "{\"ms\":1500}");
		awaitStatus(running, "RUNNING");
		String pendingMessage = (String) this.redis.opsForHash().get(shard().job(running), "message");
		this.queue.trim(shard());
		List<MapRecord<String, Object, Object>> left = this.redis.opsForStream()
			.range(shard().stream(), Range.unbounded());
		assertThat(left).extracting((entry) -> entry.getValue().get("id")).doesNotContain(id);
		assertThat(left).extracting((entry) -> entry.getId().getValue()).contains(pendingMessage);
		awaitStatus(running, "SUCCEEDED");
	}

	@Test
	void retriesAFlakyJobUntilItSucceeds() {
		String id = submit("flaky", "{\"failTimes\":2}");
		awaitStatus(id, "SUCCEEDED");
		assertThat(field(id, "attempts")).isEqualTo("3");
		assertThat(field(id, "result")).contains("\"succeededOnAttempt\":3");
		await().atMost(WAIT)
			.untilAsserted(() -> assertThat(
					this.meters.get("fulcrum.jobs.attempts").tag("outcome", "succeeded").summary().max())
				.isGreaterThanOrEqualTo(3));
	}

	@Test
	void sendsAJobThatAlwaysFailsToTheDeadLetters() {
		String id = submit("fail", "null");
		awaitStatus(id, "DEAD");
		assertThat(field(id, "attempts")).isEqualTo("3");
		await().atMost(WAIT)
			.untilAsserted(() -> assertThat(
					this.meters.get("fulcrum.jobs.attempts").tag("outcome", "dead").summary().totalAmount())
				.isGreaterThanOrEqualTo(3));
		assertThat(field(id, "error")).contains("always fails");
		List<MapRecord<String, Object, Object>> dead = this.redis.opsForStream()
			.range(shard().deadLetters(), Range.unbounded());
		assertThat(dead).anySatisfy((entry) -> assertThat(entry.getValue()).containsEntry("id", id));
	}

	@Test
	void acknowledgesAFinishedJobsRedeliveryWithoutRunningIt() {
		String id = UUID.randomUUID().toString();
		this.redis.opsForHash()
			.putAll(shard().job(id), Map.of("id", id, "user", "u", "type", "echo", "payload", "{}", "status",
					"SUCCEEDED", "attempts", "1", "result", "{\"first\":true}", "idempotencyKey", "k-" + id));
		String messageId = this.redis.opsForStream().add(shard().stream(), Map.of("id", id)).getValue();
		awaitAcknowledged(List.of(messageId));
		assertThat(field(id, "attempts")).isEqualTo("1");
		assertThat(field(id, "result")).isEqualTo("{\"first\":true}");
	}

	@Test
	void runsAJobOnceWhenItsMessageIsDuplicated() {
		String id = submit("sleep", "{\"ms\":300}");
		String second = this.redis.opsForStream().add(shard().stream(), Map.of("id", id)).getValue();
		String third = this.redis.opsForStream().add(shard().stream(), Map.of("id", id)).getValue();
		awaitStatus(id, "SUCCEEDED");
		awaitAcknowledged(List.of(second, third));
		assertThat(field(id, "attempts")).isEqualTo("1");
	}

	@Test
	void acknowledgesAnEntryThatNamesNoJob() {
		String entry = this.redis.opsForStream().add(shard().stream(), Map.of("not-an-id", "x")).getValue();
		awaitAcknowledged(List.of(entry));
	}

	@Test
	void refusesASecondJobWithTheSameIdempotencyKey() {
		String key = "same-key-" + UUID.randomUUID();
		String first = submit("echo", "{}", "dup-user", key);
		String second = UUID.randomUUID().toString();
		writeJob(second, "echo", "{}", "dup-user", key);
		this.redis.opsForStream().add(shard().stream(), Map.of("id", second));
		awaitStatus(first, "SUCCEEDED");
		awaitStatus(second, "CANCELLED");
		assertThat(field(second, "error")).isEqualTo("duplicate of job " + first);
		assertThat(field(second, "attempts")).isEqualTo("0");
	}

	@Test
	void runsBothJobsOfOneContentWhenTheSecondCameAfterTheWindow() {
		// content mode: the same content after the derived key's window is a new job,
		// whose
		// record replaces the first's. The first, still queued, is not a duplicate.
		String key = "content-sha256:" + UUID.randomUUID();
		String first = UUID.randomUUID().toString();
		writeJob(first, "echo", "{}", "content-user", key);
		String second = UUID.randomUUID().toString();
		writeJob(second, "echo", "{}", "content-user", key);
		for (String id : List.of(first, second)) {
			this.redis.opsForHash().put(shard().job(id), "idempotencySource", "derived");
			queue(id, "content-user", key);
		}
		awaitStatus(first, "SUCCEEDED");
		awaitStatus(second, "SUCCEEDED");
		assertThat(field(first, "attempts")).isEqualTo("1");
	}

	@Test
	void givesAJobSubmittedWithoutAKeyItsIdAsTheKey() {
		// optional mode without a key: no record, no key, and a handler still gets one
		// key for every attempt.
		String id = UUID.randomUUID().toString();
		writeJob(id, "echo", "{}", "keyless-user", "unused");
		this.redis.opsForHash().delete(shard().job(id), "idempotencyKey", "idempotencyRecord");
		this.redis.opsForValue().increment(shard().outstanding());
		List<JobQueue.Claim> claims = this.queue.claim(List.of(new Delivery(shard(), "1-7", id)));
		assertThat(claims.get(0).idempotencyKey()).isEqualTo(id);
		assertThat(this.queue.complete(List.of(new JobQueue.Finished(claims.get(0).delivery(), "{}"))))
			.containsExactly("done");
	}

	@Test
	void claimsABatchWithEveryOutcomeInOneStep() {
		// Jobs that never reach the stream, so only this test's calls touch them; the
		// message ids are made up (acknowledging an id the stream lacks changes nothing).
		String fresh = UUID.randomUUID().toString();
		writeJob(fresh, "echo", "{\"n\":1}", "batch-user", "k-fresh");
		this.redis.opsForHash().put(shard().idempotency("batch-user", "k-fresh"), "jobId", fresh);
		this.redis.opsForValue().increment(shard().outstanding());
		String finished = UUID.randomUUID().toString();
		writeJob(finished, "echo", "{}", "batch-user", "k-finished");
		this.redis.opsForHash().put(shard().job(finished), "status", "SUCCEEDED");
		String missing = UUID.randomUUID().toString();
		String duplicate = UUID.randomUUID().toString();
		writeJob(duplicate, "echo", "{}", "batch-user", "k-fresh");
		String running = UUID.randomUUID().toString();
		writeJob(running, "echo", "{}", "batch-user", "k-running");
		this.redis.opsForHash().putAll(shard().job(running), Map.of("status", "RUNNING", "message", "1-1"));

		List<Delivery> batch = List.of(new Delivery(shard(), "1-2", fresh), new Delivery(shard(), "1-3", finished),
				new Delivery(shard(), "1-4", missing), new Delivery(shard(), "1-5", duplicate),
				new Delivery(shard(), "1-6", running));
		List<JobQueue.Claim> claims = this.queue.claim(batch);

		assertThat(claims).hasSize(5);
		JobQueue.Claim claim = claims.get(0);
		assertThat(claim.delivery()).isEqualTo(batch.get(0));
		assertThat(claim.type()).isEqualTo("echo");
		assertThat(claim.payload().get("n").asInt()).isEqualTo(1);
		assertThat(claim.idempotencyKey()).isEqualTo("k-fresh");
		assertThat(claim.attempt()).isEqualTo(1);
		assertThat(claims.subList(1, 5)).as("final, gone, duplicate key, running elsewhere").containsOnlyNulls();
		assertThat(field(fresh, "status")).isEqualTo("RUNNING");
		assertThat(field(fresh, "owner")).isEqualTo(this.queue.consumer());
		assertThat(field(finished, "status")).isEqualTo("SUCCEEDED");
		assertThat(this.redis.hasKey(shard().job(missing))).isFalse();
		assertThat(field(duplicate, "status")).isEqualTo("CANCELLED");
		assertThat(field(running, "status")).isEqualTo("RUNNING");
		assertThat(field(running, "attempts")).isEqualTo("0");

		// Completed in one group with a job this worker does not hold: only its own job
		// changes.
		String result = "{\"ok\":true}";
		assertThat(this.queue.complete(
				List.of(new JobQueue.Finished(batch.get(0), result), new JobQueue.Finished(batch.get(4), result))))
			.containsExactly("done", "stale");
		assertThat(field(fresh, "status")).isEqualTo("SUCCEEDED");
		assertThat(field(fresh, "result")).isEqualTo("{\"ok\":true}");
		assertThat(field(running, "status")).isEqualTo("RUNNING");
		assertThat(this.queue.complete(List.of(new JobQueue.Finished(batch.get(0), result))))
			.as("a second completion of the same job")
			.containsExactly("stale");
	}

	@Test
	void reclaimsAJobFromAWorkerThatDied() {
		String id = UUID.randomUUID().toString();
		writeJob(id, "echo", "{\"reclaimed\":true}", "ghost-user", "k-" + id);
		String trace = UUID.randomUUID().toString().replace("-", "");
		this.redis.opsForHash().put(shard().job(id), JobKeys.TRACE_PARENT, "00-" + trace + "-1f2e3d4c5b6a7980-01");
		this.redis.opsForHash().put(shard().idempotency("ghost-user", "k-" + id), "jobId", id);
		// Keep every slot of the live worker busy, so that the message goes to the ghost.
		List<String> busy = List.of(submit("sleep", "{\"ms\":1500}"), submit("sleep", "{\"ms\":1500}"),
				submit("sleep", "{\"ms\":1500}"), submit("sleep", "{\"ms\":1500}"));
		busy.forEach((job) -> awaitStatus(job, "RUNNING"));
		// A worker that is now dead took the message and started the job.
		String ghost = "ghost-" + UUID.randomUUID();
		String messageId = this.redis.opsForStream().add(shard().stream(), Map.of("id", id)).getValue();
		List<MapRecord<String, Object, Object>> taken = this.redis.opsForStream()
			.read(Consumer.from(JobKeys.GROUP, ghost), StreamReadOptions.empty().count(100),
					StreamOffset.create(shard().stream(), ReadOffset.lastConsumed()));
		assertThat(taken).extracting((record) -> record.getId().getValue()).contains(messageId);
		this.redis.opsForHash()
			.putAll(shard().job(id),
					Map.of("status", "RUNNING", "owner", ghost, "message", messageId, "attempts", "1"));

		awaitStatus(id, "SUCCEEDED");
		assertThat(field(id, "attempts")).as("the dead worker's attempt, then ours").isEqualTo("2");
		await().atMost(WAIT).until(() -> !this.spans.of(trace).isEmpty());
		assertThat(this.spans.of(trace)).as("the reclaimed run continues the submission's trace")
			.singleElement()
			.satisfies((span) -> {
				assertThat(span.getParentSpanId()).isEqualTo("1f2e3d4c5b6a7980");
				assertThat(span.getAttributes().get(AttributeKey.stringKey("job.attempt"))).isEqualTo("2");
			});
	}

	@Test
	void heartbeatsKeepALiveJobFromBeingTakenOver() {
		String id = submit("sleep", "{\"ms\":2500}");
		awaitStatus(id, "RUNNING");
		List<String> stolen = new ArrayList<>();
		Instant end = Instant.now().plusMillis(2000);
		while (Instant.now().isBefore(end) && "RUNNING".equals(field(id, "status"))) {
			// Another worker looking for stalled messages (idle past the 1 s timeout).
			stolen.addAll(autoclaim("thief"));
			sleep(200);
		}
		assertThat(stolen).as("messages another worker could take over").isEmpty();
		awaitStatus(id, "SUCCEEDED");
		assertThat(field(id, "attempts")).isEqualTo("1");
	}

	@Test
	void theThiefInTheHeartbeatTestCouldStealAStalledMessage() {
		// Proves the check above can fail: a message nobody touches is taken over.
		String ghost = "stalled-" + UUID.randomUUID();
		String messageId = this.redis.opsForStream()
			.add(shard().stream() + ":probe", Map.of("id", "nothing"))
			.getValue();
		this.redis.opsForStream().createGroup(shard().stream() + ":probe", ReadOffset.from("0"), "probe");
		this.redis.opsForStream()
			.read(Consumer.from("probe", ghost), StreamReadOptions.empty().count(10),
					StreamOffset.create(shard().stream() + ":probe", ReadOffset.lastConsumed()));
		sleep(1100);
		List<String> taken = autoclaim(shard().stream() + ":probe", "probe", "thief");
		assertThat(taken).containsExactly(messageId);
		this.redis.delete(shard().stream() + ":probe");
	}

	private List<String> autoclaim(String consumer) {
		return autoclaim(shard().stream(), JobKeys.GROUP, consumer);
	}

	@SuppressWarnings("unchecked")
	private List<String> autoclaim(String stream, String group, String consumer) {
		return this.redis.execute((RedisCallback<List<String>>) (connection) -> {
			var commands = (RedisClusterAsyncCommands<byte[], byte[]>) connection.getNativeConnection();
			try {
				return commands
					.xautoclaim(bytes(stream),
							XAutoClaimArgs.Builder
								.xautoclaim(io.lettuce.core.Consumer.from(bytes(group), bytes(consumer)),
										Duration.ofSeconds(1), "0-0")
								.count(100))
					.get(5, TimeUnit.SECONDS)
					.getMessages()
					.stream()
					.map(StreamMessage::getId)
					.toList();
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		});
	}

	String submit(String type, String payload) {
		return submit(type, payload, "user-" + UUID.randomUUID(), UUID.randomUUID().toString());
	}

	/** Submits a job to another shard than {@link #shard()}. */
	String submitTo(JobShard shard, String type, String payload) {
		String id = UUID.randomUUID().toString();
		String user = "user-" + UUID.randomUUID();
		String key = UUID.randomUUID().toString();
		writeJob(shard, id, type, payload, user, key);
		queue(shard, id, user, key);
		return id;
	}

	/** As the api-service's submit-job.lua does, minus its atomicity and quotas. */
	private String submit(String type, String payload, String user, String idempotencyKey) {
		String id = UUID.randomUUID().toString();
		writeJob(id, type, payload, user, idempotencyKey);
		queue(id, user, idempotencyKey);
		return id;
	}

	/** Indexes and queues a job already written. */
	private void queue(String id, String user, String idempotencyKey) {
		queue(shard(), id, user, idempotencyKey);
	}

	private void queue(JobShard shard, String id, String user, String idempotencyKey) {
		this.redis.opsForZSet().add(shard.userJobs(user), id, System.currentTimeMillis());
		this.redis.opsForZSet().add(shard.userOpenJobs(user), id, System.currentTimeMillis());
		this.redis.opsForHash().put(shard.idempotency(user, idempotencyKey), "jobId", id);
		this.redis.opsForValue().increment(shard.outstanding());
		this.redis.opsForStream().add(shard.stream(), Map.of("id", id));
	}

	private void writeJob(String id, String type, String payload, String user, String idempotencyKey) {
		writeJob(shard(), id, type, payload, user, idempotencyKey);
	}

	private void writeJob(JobShard shard, String id, String type, String payload, String user, String idempotencyKey) {
		String now = Instant.now().toString();
		this.redis.opsForHash()
			.putAll(shard.job(id),
					Map.ofEntries(Map.entry("id", id), Map.entry("user", user), Map.entry("type", type),
							Map.entry("payload", payload), Map.entry("status", "QUEUED"), Map.entry("attempts", "0"),
							Map.entry("createdAt", now), Map.entry("updatedAt", now),
							Map.entry("idempotencyKey", idempotencyKey),
							Map.entry("idempotencyRecord", shard.idempotency(user, idempotencyKey))));
	}

	void awaitStatus(String id, String status) {
		await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> status.equals(field(id, "status")));
	}

	/** Waits until none of these messages is pending (all acknowledged). */
	private void awaitAcknowledged(List<String> messageIds) {
		await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
			PendingMessages pending = this.redis.opsForStream()
				.pending(shard().stream(), JobKeys.GROUP, Range.unbounded(), 10_000);
			return pending.stream().noneMatch((message) -> messageIds.contains(message.getIdAsString()));
		});
	}

	String field(String id, String name) {
		return field(shard(), id, name);
	}

	String field(JobShard shard, String id, String name) {
		return (String) this.redis.opsForHash().get(shard.job(id), name);
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
