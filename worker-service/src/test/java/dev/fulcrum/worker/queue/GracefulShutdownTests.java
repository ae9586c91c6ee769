package dev.fulcrum.worker.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.fulcrum.jobs.JobKeys;
import dev.fulcrum.worker.WorkerServiceApplication;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A worker stopping (as on SIGTERM) finishes what it holds within its deadline and leaves
 * the rest unacknowledged for another worker to reclaim. The worker under test uses Redis
 * database 1, where no other test's worker reads.
 */
class GracefulShutdownTests {

	@Test
	void finishesShortJobsAndLeavesLongOnesForReclaim() {
		try (SideRedis side = new SideRedis(1)) {
			String consumer = "shutdown-" + UUID.randomUUID();
			ConfigurableApplicationContext worker = new SpringApplicationBuilder(WorkerServiceApplication.class).run(
					"--server.port=0", "--fulcrum.instance-id=" + consumer, "--spring.data.redis.url=" + side.url(),
					"--fulcrum.worker.concurrency=2", "--fulcrum.worker.shutdown-deadline=2s",
					"--fulcrum.worker.read-block=200ms", "--fulcrum.worker.visibility-timeout=60s");
			String shortJob = side.submit("sleep", "{\"ms\":800}");
			String longJob = side.submit("sleep", "{\"ms\":10000}");
			await().atMost(Duration.ofSeconds(20))
				.until(() -> consumer.equals(side.field(shortJob, "owner"))
						&& consumer.equals(side.field(longJob, "owner")));

			Instant stopping = Instant.now();
			worker.close();
			Duration took = Duration.between(stopping, Instant.now());

			assertThat(took).as("the stop waits no longer than the deadline allows").isLessThan(Duration.ofSeconds(8));
			assertThat(side.field(shortJob, "status")).isEqualTo("SUCCEEDED");
			assertThat(side.field(longJob, "status")).as("left as it was, for reclaim").isEqualTo("RUNNING");
			assertThat(side.redis.opsForStream().pending(JobKeys.stream(), JobKeys.GROUP).getTotalPendingMessages())
				.as("its message still unacknowledged")
				.isEqualTo(1);
		}
	}

}
