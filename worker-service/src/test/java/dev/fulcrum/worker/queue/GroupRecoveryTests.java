package dev.fulcrum.worker.queue;

import java.time.Duration;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.fulcrum.jobs.JobKeys;
import dev.fulcrum.worker.WorkerServiceApplication;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.awaitility.Awaitility.await;

/**
 * A worker recovers by itself when its consumer group disappears (as after a Redis
 * restart without persistence): reads and reclaims fail until the reader creates the
 * group again, and the slots of failed reclaims come back. The worker uses Redis database
 * 2, where no other test's worker reads.
 */
class GroupRecoveryTests {

	@Test
	void recoversByItselfWhenTheGroupDisappears() {
		try (SideRedis side = new SideRedis(2);
				ConfigurableApplicationContext worker = new SpringApplicationBuilder(WorkerServiceApplication.class)
					.run("--server.port=0", "--fulcrum.instance-id=recovery-" + UUID.randomUUID(),
							"--spring.data.redis.url=" + side.url(), "--fulcrum.worker.concurrency=2",
							"--fulcrum.worker.maintenance-interval=100ms", "--fulcrum.worker.read-block=200ms")) {
			String first = side.submit("echo", "{}");
			await().atMost(Duration.ofSeconds(15)).until(() -> "SUCCEEDED".equals(side.field(first, "status")));

			side.redis.opsForStream().destroyGroup(JobKeys.stream(), JobKeys.GROUP);
			String second = side.submit("echo", "{}");
			await().atMost(Duration.ofSeconds(15)).until(() -> "SUCCEEDED".equals(side.field(second, "status")));
		}
	}

}
