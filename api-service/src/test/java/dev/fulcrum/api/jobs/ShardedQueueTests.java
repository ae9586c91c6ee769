package dev.fulcrum.api.jobs;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import dev.fulcrum.jobs.JobKeys;
import dev.fulcrum.jobs.JobShard;
import dev.fulcrum.testsupport.TestHttp;
import dev.fulcrum.testsupport.TestRedisCluster;
import dev.fulcrum.testsupport.TestRedisConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.data.domain.Range;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The job queue split into three shards on a Redis Cluster of three masters, over real
 * HTTP: each user's jobs in the user's shard, the shards on different masters,
 * idempotency exact per user, the high watermark over every shard, and reading, listing,
 * cancelling and the dead letters in any shard.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "fulcrum.jobs.shards=3", "fulcrum.jobs.high-watermark=100000",
				TestRedisConfiguration.TOPOLOGY + "=cluster" })
@Import(TestRedisConfiguration.class)
class ShardedQueueTests extends JobsOverHttp {

	@Test
	void eachUsersJobsGoToTheUsersShardAndTheShardsToDifferentMasters() {
		Set<Integer> used = new HashSet<>();
		for (int i = 0; i < 24; i++) {
			String name = "spread-" + UUID.randomUUID();
			String id = accepted(submit(issuer.token(name), UUID.randomUUID().toString(), echo(i)));
			JobShard shard = JobShard.ofUser("user-" + name, 3);
			assertThat(this.redis.opsForHash().get(shard.job(id), "user")).isEqualTo("user-" + name);
			assertThat(this.redis.opsForZSet().score(shard.userOpenJobs("user-" + name), id)).isNotNull();
			used.add(shard.index());
		}
		assertThat(used).as("shards that got a job").containsExactlyInAnyOrder(0, 1, 2);
		Set<String> masters = new HashSet<>();
		for (JobShard shard : JobShard.all(3)) {
			masters.add(TestRedisCluster.masterOf(shard.stream()).toString());
		}
		assertThat(masters).as("masters of the three shards' streams").hasSize(3);
		await("the number of shards recorded").atMost(Duration.ofSeconds(5))
			.until(() -> "3".equals(this.redis.opsForValue().get(JobKeys.shards())));
	}

	@Test
	void anIdempotencyKeyIsExactPerUserWhicheverTheirShards() {
		String[] names = usersInDifferentShards();
		String alice = issuer.token(names[0]);
		String bob = issuer.token(names[1]);
		String key = UUID.randomUUID().toString();
		String first = accepted(submit(alice, key, echo(1)));
		HttpResponse<String> replay = submit(alice, key, echo(1));
		assertThat(replay.statusCode()).isEqualTo(202);
		assertThat(replay.headers().firstValue("Idempotent-Replayed")).hasValue("true");
		assertThat(TestHttp.json(replay).get("id").asString()).isEqualTo(first);
		JobSubmissionTests.assertProblem(submit(alice, key, echo(2)), 422, "idempotency-key-reused");
		String bobs = accepted(submit(bob, key, echo(1)));
		assertThat(bobs).as("the same key from another user is another job").isNotEqualTo(first);
	}

	@Test
	void theHighWatermarkCountsTheJobsOfEveryShard() {
		String[] names = usersInDifferentShards();
		JobShard other = JobShard.ofUser("user-" + names[1], 3);
		String token = issuer.token(names[0]);
		String counter = other.outstanding();
		String before = this.redis.opsForValue().get(counter);
		try {
			this.redis.opsForValue().set(counter, "100000");
			await("another shard at the high watermark").atMost(Duration.ofSeconds(5))
				.pollInterval(Duration.ofMillis(100))
				.until(() -> submit(token, UUID.randomUUID().toString(), echo(1)).statusCode() == 503);
			JobSubmissionTests.assertProblem(submit(token, UUID.randomUUID().toString(), echo(1)), 503, "queue-full");
		}
		finally {
			this.redis.opsForValue().set(counter, (before != null) ? before : "0");
		}
		await("below the high watermark again").atMost(Duration.ofSeconds(5))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> submit(token, UUID.randomUUID().toString(), echo(1)).statusCode() == 202);
	}

	@Test
	void readsListsAndCancelsAJobInTheUsersShard() {
		for (String name : usersInDifferentShards()) {
			String token = issuer.token(name);
			String id = accepted(submit(token, UUID.randomUUID().toString(), echo(7)));
			HttpResponse<String> job = get(token, "/api/jobs/" + id);
			assertThat(job.statusCode()).as(job.body()).isEqualTo(200);
			assertThat(TestHttp.json(get(token, "/api/jobs?status=QUEUED"))
				.valueStream()
				.map((listed) -> listed.get("id").asString())).containsExactly(id);
			HttpResponse<String> cancel = TestHttp.send("DELETE", url("/api/jobs/" + id), null, "Authorization",
					"Bearer " + token);
			assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(204);
			assertThat(TestHttp.json(get(token, "/api/jobs/" + id)).get("status").asString()).isEqualTo("CANCELLED");
		}
	}

	@Test
	void adminsListAndRedriveDeadJobsOfEveryShard() {
		String admin = issuer.token("root-" + UUID.randomUUID(), UUID.randomUUID().toString(),
				(jwt) -> jwt.claim("roles", List.of("USER", "ADMIN")));
		String one = deadJob(new JobShard(1));
		String two = deadJob(new JobShard(2));
		HttpResponse<String> listed = get(admin, "/api/admin/jobs/dead?limit=500");
		assertThat(TestHttp.json(listed).valueStream().map((job) -> job.get("id").asString())).contains(one, two);
		HttpResponse<String> redrive = TestHttp.post(url("/api/admin/jobs/dead/" + two + "/redrive"), null,
				"Authorization", "Bearer " + admin);
		assertThat(redrive.statusCode()).as(redrive.body()).isEqualTo(200);
		assertThat(this.redis.opsForHash().get(new JobShard(2).job(two), "status")).isEqualTo("QUEUED");
		assertThat(this.redis.opsForStream()
			.range(new JobShard(2).stream(), Range.unbounded())
			.stream()
			.map((entry) -> entry.getValue().get("id"))).contains(two);
	}

	/** Two user names whose users' jobs are in different shards. */
	private static String[] usersInDifferentShards() {
		String first = "first-" + UUID.randomUUID();
		while (true) {
			String second = "second-" + UUID.randomUUID();
			if (JobShard.ofUser("user-" + first, 3).index() != JobShard.ofUser("user-" + second, 3).index()) {
				return new String[] { first, second };
			}
		}
	}

	/** A job as the worker leaves it after its last failed attempt, in a shard. */
	private String deadJob(JobShard shard) {
		String id = UUID.randomUUID().toString();
		this.redis.opsForHash()
			.putAll(shard.job(id),
					Map.of("id", id, "user", "someone", "type", "fail", "payload", "null", "status", "DEAD", "attempts",
							"5", "error", "fail: always", "createdAt", "2026-01-01T00:00:00Z", "updatedAt",
							"2026-01-01T00:00:00Z", "completedAt", "2026-01-01T00:00:00Z"));
		this.redis.expire(shard.job(id), Duration.ofHours(24));
		this.redis.opsForStream().add(shard.deadLetters(), Map.of("id", id, "error", "fail: always"));
		return id;
	}

	private static String accepted(HttpResponse<String> response) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
		return TestHttp.json(response).get("id").asString();
	}

	private HttpResponse<String> submit(String token, String key, Map<String, Object> body) {
		return TestHttp.post(url("/api/jobs"), TestHttp.toJson(body), "Authorization", "Bearer " + token,
				"Idempotency-Key", key);
	}

	private HttpResponse<String> get(String token, String path) {
		return TestHttp.get(url(path), "Authorization", "Bearer " + token);
	}

	private static Map<String, Object> echo(int n) {
		return Map.of("type", "echo", "payload", Map.of("n", n));
	}

}
