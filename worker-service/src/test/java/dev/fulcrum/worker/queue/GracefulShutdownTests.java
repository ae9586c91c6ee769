package dev.fulcrum.worker.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.fulcrum.jobs.JobKeys;
import dev.fulcrum.testsupport.TestRedis;
import dev.fulcrum.worker.WorkerServiceApplication;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

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
		ConfigurableApplicationContext worker = new SpringApplicationBuilder(WorkerServiceApplication.class).run(
				"--server.port=0", "--fulcrum.instance-id=shutdown-" + UUID.randomUUID(),
				"--spring.data.redis.url=" + TestRedis.start().url() + "/1", "--fulcrum.worker.concurrency=2",
				"--fulcrum.worker.shutdown-deadline=2s", "--fulcrum.worker.read-block=200ms",
				"--fulcrum.worker.visibility-timeout=60s");
		LettuceConnectionFactory client = database1();
		StringRedisTemplate redis = new StringRedisTemplate(client);
		String consumer = worker.getEnvironment().getRequiredProperty("fulcrum.instance-id");
		String shortJob = submit(redis, "{\"ms\":800}");
		String longJob = submit(redis, "{\"ms\":10000}");
		await().atMost(Duration.ofSeconds(20))
			.until(() -> consumer.equals(redis.opsForHash().get(JobKeys.job(shortJob), "owner"))
					&& consumer.equals(redis.opsForHash().get(JobKeys.job(longJob), "owner")));

		Instant stopping = Instant.now();
		worker.close();
		Duration took = Duration.between(stopping, Instant.now());

		assertThat(took).as("the stop waits no longer than the deadline allows").isLessThan(Duration.ofSeconds(8));
		assertThat(status(redis, shortJob)).isEqualTo("SUCCEEDED");
		assertThat(status(redis, longJob)).as("left as it was, for reclaim").isEqualTo("RUNNING");
		assertThat(redis.opsForStream().pending(JobKeys.stream(), JobKeys.GROUP).getTotalPendingMessages())
			.as("its message still unacknowledged")
			.isEqualTo(1);
		client.destroy();
	}

	/** A client of its own: the worker's connections close with it. */
	private static LettuceConnectionFactory database1() {
		RedisStandaloneConfiguration configuration = new RedisStandaloneConfiguration(TestRedis.start().host(),
				TestRedis.start().port());
		configuration.setDatabase(1);
		LettuceConnectionFactory factory = new LettuceConnectionFactory(configuration);
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

	private static String submit(StringRedisTemplate redis, String payload) {
		String id = UUID.randomUUID().toString();
		String now = Instant.now().toString();
		redis.opsForHash()
			.putAll(JobKeys.job(id), Map.of("id", id, "user", "shutdown", "type", "sleep", "payload", payload, "status",
					"QUEUED", "attempts", "0", "createdAt", now, "updatedAt", now, "idempotencyKey", "k-" + id));
		redis.opsForStream().add(JobKeys.stream(), Map.of("id", id));
		return id;
	}

	private static String status(StringRedisTemplate redis, String id) {
		return (String) redis.opsForHash().get(JobKeys.job(id), "status");
	}

}
