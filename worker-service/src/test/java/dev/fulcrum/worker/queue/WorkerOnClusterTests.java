package dev.fulcrum.worker.queue;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import dev.fulcrum.jobs.JobKeys;
import dev.fulcrum.testsupport.TestRedis;
import dev.fulcrum.testsupport.TestRedisCluster;
import dev.fulcrum.testsupport.TestRedisConfiguration;
import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.Test;

import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link WorkerTests} again, on a Redis Cluster of three masters: every job script
 * (claim, complete, fail, requeue) keeps its keys in the slot of {@code {jobs}}, and the
 * blocking group reads, reclaims and heartbeats work through the cluster client. And the
 * queue's slot moves to another master while jobs keep coming and running.
 */
@TestPropertySource(properties = TestRedisConfiguration.TOPOLOGY + "=cluster")
class WorkerOnClusterTests extends WorkerTests {

	@Test
	void everyJobRunsWhileTheQueuesSlotMovesToAnotherMaster() throws InterruptedException {
		int slot = SlotHash.getSlot(JobKeys.stream());
		TestRedis.Endpoint before = TestRedisCluster.masterOfSlot(slot);
		TestRedis.Endpoint target = TestRedisCluster.anotherMaster(slot);
		Queue<String> submitted = new ConcurrentLinkedQueue<>();
		AtomicBoolean submitting = new AtomicBoolean(true);
		AtomicReference<Throwable> failure = new AtomicReference<>();
		Thread submitter = Thread.ofPlatform().name("resharding-submitter").start(() -> {
			try {
				while (submitting.get()) {
					submitted.add(submit("echo", "{\"n\":" + submitted.size() + "}"));
					Thread.sleep(2);
				}
			}
			catch (Throwable ex) {
				failure.set(ex);
			}
		});
		await("jobs submitted before the move").atMost(WAIT).until(() -> submitted.size() >= 100);
		try {
			int moved = TestRedisCluster.moveSlot(slot, target);
			int atTheMove = submitted.size();
			await("jobs submitted after the move").atMost(WAIT).until(() -> submitted.size() >= atTheMove + 100);
			submitting.set(false);
			submitter.join(WAIT.toMillis());
			assertThat(failure.get()).as("a submission failed").isNull();
			assertThat(moved).as("keys moved with the slot").isPositive();
			assertThat(TestRedisCluster.masterOfSlot(slot)).isEqualTo(target);
			List<String> jobs = List.copyOf(submitted);
			await("every job succeeded").atMost(Duration.ofSeconds(60))
				.pollInterval(Duration.ofMillis(200))
				.until(() -> jobs.stream().allMatch((id) -> "SUCCEEDED".equals(field(id, "status"))));
			assertThat(jobs).allSatisfy((id) -> assertThat(field(id, "result")).startsWith("{\"n\":"));
		}
		finally {
			submitting.set(false);
			// Back where it was: other test classes of this JVM expect the cluster as it
			// was made.
			TestRedisCluster.moveSlot(slot, before);
		}
	}

}
