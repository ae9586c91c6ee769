package dev.fulcrum.api.jobs;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.fulcrum.jobs.JobKeys;
import dev.fulcrum.jobs.JobShard;
import dev.fulcrum.jobs.JobStatus;
import dev.fulcrum.testsupport.TestHttp;
import dev.fulcrum.testsupport.TestRedisConfiguration;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.data.redis.core.RedisCallback;

import static dev.fulcrum.api.jobs.JobSubmissionTests.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What one user can make the api-service store and do in Redis, over real HTTP and real
 * Redis, with small quotas: 5 unfinished jobs, 12 jobs kept, payloads of 16 KiB of UTF-8.
 * Each test failed before the quota it checks existed.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "fulcrum.jobs.high-watermark=100000",
				"fulcrum.jobs.max-unfinished-per-user=5", "fulcrum.jobs.max-kept-per-user=12" })
@Import(TestRedisConfiguration.class)
class JobQuotaTests extends JobsOverHttp {

	/** Started for each test class, as a subclass runs these tests again on a cluster. */
	String user;

	String token;

	@BeforeEach
	void aUserOfItsOwn() {
		String username = "quota-" + UUID.randomUUID();
		this.token = issuer.token(username);
		// The token's subject, which owns the jobs.
		this.user = "user-" + username;
	}

	@Test
	void refusesAUsersSubmissionPastItsUnfinishedJobsWithA429AndStoresNothing() {
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			ids.add(id(submitted(this.token, key(), sleep(1))));
		}
		long streamBefore = this.redis.opsForStream().size(JobKeys.stream());
		HttpResponse<String> refused = submit(this.token, key(), sleep(1));
		assertProblem(refused, 429, "too-many-unfinished-jobs");
		assertThat(refused.headers().firstValue("Retry-After")).isPresent();
		assertThat(this.redis.opsForStream().size(JobKeys.stream())).isEqualTo(streamBefore);

		assertThat(submit(issuer.token("other-" + UUID.randomUUID()), key(), sleep(1)).statusCode())
			.as("another user is not held back")
			.isEqualTo(202);
		cancel(ids.get(0));
		assertThat(submit(this.token, key(), sleep(1)).statusCode()).as("one finished: room for one").isEqualTo(202);
		assertProblem(submit(this.token, key(), sleep(1)), 429, "too-many-unfinished-jobs");
	}

	@Test
	void countsThePayloadInBytesOfUtf8() {
		// 6,000 characters, 18,000 bytes: a cap of 16,384 counted in characters let it
		// through.
		HttpResponse<String> refused = submit(this.token, key(),
				Map.of("type", "echo", "payload", Map.of("text", "中".repeat(6_000))));
		assertProblem(refused, 413, "payload-too-large");
		assertThat(TestHttp.json(refused).get("detail").asString()).contains("18011 bytes");
		assertThat(this.redis.hasKey(JobKeys.userJobs(this.user))).isFalse();
		assertThat(submit(this.token, key(), Map.of("type", "echo", "payload", Map.of("text", "中".repeat(5_000))))
			.statusCode()).as("15,011 bytes").isEqualTo(202);
	}

	@Test
	void keepsAtMostTheQuotaOfJobsPerUserForgettingTheOldestFinishedOnesWithTheirKeys() {
		long recordsBefore = sentRecordsCounted();
		List<String> keys = new ArrayList<>();
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < 40; i++) {
			String key = key();
			String id = id(submitted(this.token, key, sleep(1)));
			keys.add(key);
			ids.add(id);
			if (i % 10 != 0) {
				// Four stay queued, the rest finish (cancelled).
				cancel(id);
			}
		}
		assertThat(this.redis.opsForZSet().size(JobKeys.userJobs(this.user))).isEqualTo(12);
		List<String> listed = TestHttp.json(get("/api/jobs?limit=100"))
			.valueStream()
			.map((job) -> job.get("id").asString())
			.toList();
		assertThat(listed).hasSize(12).contains(ids.get(0), ids.get(10), ids.get(20), ids.get(30));
		assertThat(listed).as("the newest").startsWith(ids.get(39), ids.get(38));
		String forgotten = ids.get(1);
		assertThat(this.redis.hasKey(JobKeys.job(forgotten))).isFalse();
		assertThat(this.redis.hasKey(JobKeys.idempotency(this.user, keys.get(1)))).as("its idempotency record")
			.isFalse();
		assertThat(this.redis.opsForZSet().size(JobKeys.userFinalJobs(this.user, JobStatus.CANCELLED))).isEqualTo(8);
		assertThat(this.redis.hasKey(JobKeys.job(ids.get(0)))).as("unfinished jobs are never forgotten").isTrue();
		assertThat(sentRecordsCounted() - recordsBefore).as("the records counted: the forgotten ones are out")
			.isEqualTo(12);
	}

	/** The records of sent keys as counted for the meters, over every time bucket. */
	private long sentRecordsCounted() {
		return this.redis.opsForHash()
			.values(JobShard.FIRST.idempotencyCounts("sent"))
			.stream()
			.mapToLong((count) -> Long.parseLong(count.toString()))
			.sum();
	}

	@Test
	void expiresTheUsersIndexesWithTheJobsTheyList() {
		String first = id(submitted(this.token, key(), sleep(1)));
		String second = id(submitted(this.token, key(), sleep(1)));
		assertThat(this.redis.getExpire(JobKeys.userJobs(this.user))).as("it lists unfinished jobs").isEqualTo(-1);
		cancel(first);
		assertThat(this.redis.getExpire(JobKeys.userJobs(this.user))).as("one still queued").isEqualTo(-1);
		cancel(second);
		assertThat(this.redis.hasKey(JobKeys.userOpenJobs(this.user))).isFalse();
		for (String index : List.of(JobKeys.userJobs(this.user),
				JobKeys.userFinalJobs(this.user, JobStatus.CANCELLED))) {
			assertThat(this.redis.getExpire(index)).as(index).isBetween(86_000L, 86_400L);
		}
	}

	/**
	 * A user with a long history asks for jobs of a status it has none of: before, the
	 * list read up to a thousand jobs one by one to find out; now it reads one index.
	 */
	@Test
	void listsByStatusWithRedisWorkBoundedWhateverTheUsersHistory() {
		for (int i = 0; i < 11; i++) {
			cancel(id(submitted(this.token, key(), sleep(1))));
		}
		submitted(this.token, key(), sleep(1));

		long before = hgetalls();
		assertThat(TestHttp.json(get("/api/jobs?status=SUCCEEDED")).size()).isZero();
		assertThat(hgetalls() - before).as("jobs read for none").isZero();

		before = hgetalls();
		assertThat(TestHttp.json(get("/api/jobs?status=CANCELLED&limit=3")).size()).isEqualTo(3);
		assertThat(hgetalls() - before).as("jobs read for three").isEqualTo(3);

		before = hgetalls();
		assertThat(TestHttp.json(get("/api/jobs?status=QUEUED")).size()).isEqualTo(1);
		assertThat(hgetalls() - before).as("at most the unfinished quota").isLessThanOrEqualTo(5);

		before = hgetalls();
		assertThat(TestHttp.json(get("/api/jobs?limit=4")).size()).isEqualTo(4);
		assertThat(hgetalls() - before).isEqualTo(4);
	}

	/**
	 * Calls of HGETALL so far, from Redis's own statistics: on a cluster, the sum over
	 * its masters (whose entries are named {@code <host:port>.cmdstat_hgetall}).
	 */
	private long hgetalls() {
		Properties stats = this.redis
			.execute((RedisCallback<Properties>) (connection) -> connection.serverCommands().info("commandstats"));
		return stats.stringPropertyNames()
			.stream()
			.filter((name) -> name.endsWith("cmdstat_hgetall"))
			.mapToLong((name) -> Long.parseLong(stats.getProperty(name).replaceAll("^calls=(\\d+),.*$", "$1")))
			.sum();
	}

	private HttpResponse<String> submitted(String token, String key, Object body) {
		HttpResponse<String> response = submit(token, key, body);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
		return response;
	}

	private HttpResponse<String> submit(String token, String key, Object body) {
		return TestHttp.post(url("/api/jobs"), TestHttp.toJson(body), "Authorization", "Bearer " + token,
				"Idempotency-Key", key);
	}

	private void cancel(String id) {
		assertThat(TestHttp.send("DELETE", url("/api/jobs/" + id), null, "Authorization", "Bearer " + this.token)
			.statusCode()).isEqualTo(204);
	}

	private HttpResponse<String> get(String path) {
		HttpResponse<String> response = TestHttp.get(url(path), "Authorization", "Bearer " + this.token);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return response;
	}

	private static String id(HttpResponse<String> response) {
		return TestHttp.json(response).get("id").asString();
	}

	private static Map<String, Object> sleep(int ms) {
		return Map.of("type", "sleep", "payload", Map.of("ms", ms));
	}

	private static String key() {
		return UUID.randomUUID().toString();
	}

}
