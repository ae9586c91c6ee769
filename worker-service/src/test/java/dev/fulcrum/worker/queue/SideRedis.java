package dev.fulcrum.worker.queue;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import dev.fulcrum.jobs.JobKeys;
import dev.fulcrum.testsupport.TestRedis;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * A database of the test Redis of its own, for tests that run a worker of their own and
 * must not meet the shared test context's worker (which reads database 0). It has its own
 * client, because the worker's connections close with the worker. Close it at the end.
 */
final class SideRedis implements AutoCloseable {

	private final int database;

	private final LettuceConnectionFactory factory;

	final StringRedisTemplate redis;

	SideRedis(int database) {
		this.database = database;
		RedisStandaloneConfiguration configuration = new RedisStandaloneConfiguration(TestRedis.start().host(),
				TestRedis.start().port());
		configuration.setDatabase(database);
		this.factory = new LettuceConnectionFactory(configuration);
		this.factory.afterPropertiesSet();
		this.factory.start();
		this.redis = new StringRedisTemplate(this.factory);
	}

	/** The URL for the worker's {@code spring.data.redis.url}. */
	String url() {
		return TestRedis.start().url() + "/" + this.database;
	}

	/** Queues a job as the api-service's submission script writes it. */
	String submit(String type, String payload) {
		String id = UUID.randomUUID().toString();
		String now = Instant.now().toString();
		this.redis.opsForHash()
			.putAll(JobKeys.job(id),
					Map.ofEntries(Map.entry("id", id), Map.entry("user", "side"), Map.entry("type", type),
							Map.entry("payload", payload), Map.entry("status", "QUEUED"), Map.entry("attempts", "0"),
							Map.entry("createdAt", now), Map.entry("updatedAt", now),
							Map.entry("idempotencyKey", "k-" + id),
							Map.entry("idempotencyRecord", JobKeys.idempotency("side", "k-" + id))));
		this.redis.opsForValue().increment(JobKeys.outstanding());
		this.redis.opsForStream().add(JobKeys.stream(), Map.of("id", id));
		return id;
	}

	String field(String id, String name) {
		return (String) this.redis.opsForHash().get(JobKeys.job(id), name);
	}

	@Override
	public void close() {
		this.factory.destroy();
	}

}
