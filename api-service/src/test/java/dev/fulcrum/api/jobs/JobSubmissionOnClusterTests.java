package dev.fulcrum.api.jobs;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import dev.fulcrum.jobs.JobKeys;
import dev.fulcrum.testsupport.TestHttp;
import dev.fulcrum.testsupport.TestRedis;
import dev.fulcrum.testsupport.TestRedisCluster;
import dev.fulcrum.testsupport.TestRedisConfiguration;
import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.Test;

import org.springframework.data.domain.Range;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link JobSubmissionTests} again, on a Redis Cluster of three masters: the submission,
 * cancel and redrive scripts keep their keys in the slot of {@code {jobs}}. And the
 * queue's slot moves to another master under a stream of submissions.
 */
@TestPropertySource(properties = TestRedisConfiguration.TOPOLOGY + "=cluster")
class JobSubmissionOnClusterTests extends JobSubmissionTests {

	static final Duration WAIT = Duration.ofSeconds(30);

	@Test
	void everyAcceptedJobIsKeptWhileTheQueuesSlotMovesToAnotherMaster() throws InterruptedException {
		int slot = SlotHash.getSlot(JobKeys.stream());
		TestRedis.Endpoint before = TestRedisCluster.masterOfSlot(slot);
		TestRedis.Endpoint target = TestRedisCluster.anotherMaster(slot);
		Queue<String> accepted = new ConcurrentLinkedQueue<>();
		Queue<String> refused = new ConcurrentLinkedQueue<>();
		AtomicBoolean submitting = new AtomicBoolean(true);
		AtomicReference<Throwable> failure = new AtomicReference<>();
		List<Thread> clients = new ArrayList<>();
		for (int c = 0; c < 4; c++) {
			// A user per client, new every 20 jobs: no job runs here, so each user's
			// unfinished-jobs quota fills.
			clients.add(Thread.ofPlatform().name("resharding-client-" + c).start(() -> {
				try {
					String token = null;
					for (int n = 0; submitting.get(); n++) {
						if (n % 20 == 0) {
							token = issuer.token("resharding-" + UUID.randomUUID());
						}
						HttpResponse<String> response = TestHttp.post(url("/api/jobs"),
								TestHttp.toJson(Map.of("type", "sleep", "payload", Map.of("ms", 1))), "Authorization",
								"Bearer " + token, "Idempotency-Key", UUID.randomUUID().toString());
						if (response.statusCode() == 202) {
							accepted.add(token + " " + TestHttp.json(response).get("id").asString());
						}
						else {
							refused.add(response.statusCode() + " " + response.body());
						}
					}
				}
				catch (Throwable ex) {
					failure.set(ex);
				}
			}));
		}
		await("jobs accepted before the move").atMost(WAIT).until(() -> accepted.size() >= 100);
		try {
			int moved = TestRedisCluster.moveSlot(slot, target);
			int atTheMove = accepted.size();
			await("jobs accepted after the move").atMost(WAIT).until(() -> accepted.size() >= atTheMove + 100);
			submitting.set(false);
			for (Thread client : clients) {
				client.join(WAIT.toMillis());
			}
			assertThat(failure.get()).as("a client failed").isNull();
			assertThat(moved).as("keys moved with the slot").isPositive();
			assertThat(TestRedisCluster.masterOfSlot(slot)).isEqualTo(target);
			// A submission that met the move may be refused, as unavailable: never an
			// error.
			assertThat(refused)
				.allSatisfy((answer) -> assertThat(answer).startsWith("503 ").contains("problem:unavailable"));
			assertThat(accepted).allSatisfy((entry) -> {
				String[] tokenAndId = entry.split(" ");
				HttpResponse<String> job = TestHttp.get(url("/api/jobs/" + tokenAndId[1]), "Authorization",
						"Bearer " + tokenAndId[0]);
				assertThat(job.statusCode()).as(job.body()).isEqualTo(200);
				assertThat(TestHttp.json(job).get("status").asString()).isEqualTo("QUEUED");
			});
			List<String> queued = this.redis.opsForStream()
				.range(JobKeys.stream(), Range.unbounded())
				.stream()
				.map((entry) -> (String) entry.getValue().get("id"))
				.toList();
			assertThat(queued).as("stream entries of accepted jobs")
				.containsAll(accepted.stream().map((entry) -> entry.split(" ")[1]).toList());
		}
		finally {
			submitting.set(false);
			// Back where it was: other test classes of this JVM expect the cluster as it
			// was made.
			TestRedisCluster.moveSlot(slot, before);
		}
	}

}
