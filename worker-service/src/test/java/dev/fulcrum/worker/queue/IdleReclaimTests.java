package dev.fulcrum.worker.queue;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.fulcrum.jobs.JobKeys;
import dev.fulcrum.worker.WorkerServiceApplication;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.connection.stream.Consumer;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.connection.stream.StreamReadOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An idle worker, waiting for new messages with the default read block, takes over the
 * message of a worker that died holding it. (The reader holds the free slots while it
 * waits; reclaiming from another thread found none, and a dead worker's last jobs stayed
 * stuck while the stream was quiet.) The worker uses Redis database 3, where no other
 * test's worker reads.
 */
class IdleReclaimTests {

	@Test
	void anIdleWorkerTakesOverADeadWorkersMessage() {
		try (SideRedis side = new SideRedis(3)) {
			// Before the live worker starts, a worker that is now dead took a message and
			// started its job.
			side.redis.delete(JobKeys.stream());
			side.redis.opsForStream().createGroup(JobKeys.stream(), ReadOffset.from("0"), JobKeys.GROUP);
			String ghost = "ghost-" + UUID.randomUUID();
			String id = side.submit("echo", "{}");
			var taken = side.redis.opsForStream()
				.read(Consumer.from(JobKeys.GROUP, ghost), StreamReadOptions.empty().count(10),
						StreamOffset.create(JobKeys.stream(), ReadOffset.lastConsumed()));
			assertThat(taken).hasSize(1);
			String messageId = taken.getFirst().getId().getValue();
			side.redis.opsForHash()
				.putAll(JobKeys.job(id),
						Map.of("status", "RUNNING", "owner", ghost, "message", messageId, "attempts", "1"));

			// The live worker finds nothing new to read: it waits on the stream, and must
			// still take the stalled message over.
			try (ConfigurableApplicationContext worker = new SpringApplicationBuilder(WorkerServiceApplication.class)
				.run("--server.port=0", "--fulcrum.instance-id=idle-" + UUID.randomUUID(),
						"--spring.data.redis.url=" + side.url(), "--fulcrum.worker.concurrency=2",
						"--fulcrum.worker.visibility-timeout=1s")) {
				// Idle past the timeout already; the default read block (1 s) and
				// reclaim period (1 s) leave it a few seconds.
				await().atMost(Duration.ofSeconds(5)).until(() -> "SUCCEEDED".equals(side.field(id, "status")));
				assertThat(side.field(id, "attempts")).as("the dead worker's attempt, then this one's").isEqualTo("2");
			}
		}
	}

}
