package dev.fulcrum.worker.queue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.fulcrum.jobs.JobKeys;
import dev.fulcrum.jobs.JobShard;
import dev.fulcrum.testsupport.TestRedisConfiguration;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link WorkerTests} again, on a Redis Cluster of three masters with the queue split
 * into three shards, every job of these tests in the last one: runs, retries, dead
 * letters, duplicates, reclaim and heartbeats work in a shard other than the first, with
 * a reader per shard. And the readers share the slots fairly, and a worker reads the
 * shards the api-services recorded even beyond its own setting.
 */
@TestPropertySource(properties = { TestRedisConfiguration.TOPOLOGY + "=cluster", "fulcrum.worker.shards=3" })
class WorkerOnShardedClusterTests extends WorkerTests {

	@Autowired
	WorkerShards shards;

	@Override
	JobShard shard() {
		return new JobShard(2);
	}

	@Test
	void aJobInAQuietShardRunsAtOnceWhileAnotherShardIsFlooded() {
		// Forty jobs of 300 ms in the first shard: ten rounds of the worker's four slots.
		List<String> flood = new ArrayList<>();
		for (int i = 0; i < 40; i++) {
			flood.add(submitTo(JobShard.FIRST, "sleep", "{\"ms\":300}"));
		}
		await().atMost(WAIT).until(() -> "RUNNING".equals(field(JobShard.FIRST, flood.getFirst(), "status")));
		long start = System.nanoTime();
		String quiet = submit("echo", "{\"quiet\":true}");
		awaitStatus(quiet, "SUCCEEDED");
		Duration waited = Duration.ofNanos(System.nanoTime() - start);
		long floodLeft = flood.stream()
			.filter((id) -> !"SUCCEEDED".equals(field(JobShard.FIRST, id, "status")))
			.count();
		assertThat(floodLeft).as("the flood is still being drained").isPositive();
		assertThat(waited).as("the quiet shard's job waited behind the flood").isLessThan(Duration.ofMillis(1500));
		await().atMost(Duration.ofSeconds(30))
			.until(() -> flood.stream().allMatch((id) -> "SUCCEEDED".equals(field(JobShard.FIRST, id, "status"))));
	}

	@Test
	void readsEveryShardTheApiServicesRecordedEvenBeyondItsOwnSetting() {
		assertThat(this.shards.current()).hasSizeGreaterThanOrEqualTo(3);
		this.redis.opsForValue().set(JobKeys.shards(), "4");
		String id = submitTo(new JobShard(3), "echo", "{\"shard\":3}");
		await().atMost(WAIT).until(() -> "SUCCEEDED".equals(field(new JobShard(3), id, "status")));
		assertThat(this.shards.current()).hasSize(4);
	}

}
