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
		String url = TestRedis.start().url() + "/2";
		try (ConfigurableApplicationContext worker = new SpringApplicationBuilder(WorkerServiceApplication.class).run(
				"--server.port=0", "--fulcrum.instance-id=recovery-" + UUID.randomUUID(),
				"--spring.data.redis.url=" + url, "--fulcrum.worker.concurrency=2",
				"--fulcrum.worker.maintenance-interval=100ms", "--fulcrum.worker.read-block=200ms")) {
			LettuceConnectionFactory client = database2();
			try {
				StringRedisTemplate redis = new StringRedisTemplate(client);
				String first = submit(redis);
				await().atMost(Duration.ofSeconds(15)).until(() -> "SUCCEEDED".equals(status(redis, first)));

				redis.opsForStream().destroyGroup(JobKeys.stream(), JobKeys.GROUP);
				String second = submit(redis);
				await().atMost(Duration.ofSeconds(15)).until(() -> "SUCCEEDED".equals(status(redis, second)));
			}
			finally {
				client.destroy();
			}
		}
	}

	private static LettuceConnectionFactory database2() {
		RedisStandaloneConfiguration configuration = new RedisStandaloneConfiguration(TestRedis.start().host(),
				TestRedis.start().port());
		configuration.setDatabase(2);
		LettuceConnectionFactory factory = new LettuceConnectionFactory(configuration);
		factory.afterPropertiesSet();
		factory.start();
		return factory;
	}

	private static String submit(StringRedisTemplate redis) {
		String id = UUID.randomUUID().toString();
		String now = Instant.now().toString();
		redis.opsForHash()
			.putAll(JobKeys.job(id), Map.of("id", id, "user", "recovery", "type", "echo", "payload", "{}", "status",
					"QUEUED", "attempts", "0", "createdAt", now, "updatedAt", now, "idempotencyKey", "k-" + id));
		redis.opsForStream().add(JobKeys.stream(), Map.of("id", id));
		return id;
	}

	private static String status(StringRedisTemplate redis, String id) {
		return (String) redis.opsForHash().get(JobKeys.job(id), "status");
	}

}
