package dev.fulcrum.api.jobs;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.fulcrum.api.idempotency.Idempotency;
import dev.fulcrum.api.idempotency.IdempotencyKey;
import dev.fulcrum.api.idempotency.IdempotencyProperties;
import dev.fulcrum.common.redis.LuaScripts;
import dev.fulcrum.jobs.JobShard;

import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * The idempotency records of the job queue as meters, per source ({@code sent},
 * {@code derived}): {@code fulcrum.idempotency.records}, how many are alive, and
 * {@code fulcrum.idempotency.memory}, an estimate of the bytes they take in Redis. The
 * submission script counts the records it makes per time bucket, a 64th of their TTL
 * wide, and keeps the last {@value #SAMPLE} of them; every
 * {@code fulcrum.idempotency.sample-interval} one script per shard and source sums the
 * buckets that may still hold a live record and asks Redis for the size of the sample
 * ({@code MEMORY USAGE}). So nothing is added per record, nothing is scanned, and the
 * submission script does a few small commands more in its one round trip. The count is
 * high by at most one bucket's records (a 64th of the TTL's worth); records the per-user
 * cap forgets early are taken out of it. Every api-service reports the same figures: sum
 * none of them.
 */
@Component
class IdempotencyRecords implements SmartLifecycle {

	/** How many of the last records are sampled for their size. */
	static final int SAMPLE = 8;

	/** How many buckets a TTL spans. */
	static final int BUCKETS = 64;

	private static final Log logger = LogFactory.getLog(IdempotencyRecords.class);

	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> COUNT = LuaScripts.load("scripts/idempotency-records.lua", List.class);

	private static final List<IdempotencyKey.Source> SOURCES = List.of(IdempotencyKey.Source.SENT,
			IdempotencyKey.Source.DERIVED);

	private final StringRedisTemplate redis;

	private final QueueShards shards;

	private final Clock clock;

	private final long intervalMillis;

	private final Map<IdempotencyKey.Source, Duration> ttls;

	private final Map<IdempotencyKey.Source, AtomicLong> records = Map.of(IdempotencyKey.Source.SENT, new AtomicLong(),
			IdempotencyKey.Source.DERIVED, new AtomicLong());

	private final Map<IdempotencyKey.Source, AtomicLong> bytes = Map.of(IdempotencyKey.Source.SENT, new AtomicLong(),
			IdempotencyKey.Source.DERIVED, new AtomicLong());

	private volatile ScheduledExecutorService sampler;

	IdempotencyRecords(StringRedisTemplate redis, QueueShards shards, Clock clock, JobProperties jobs,
			IdempotencyProperties properties, MeterRegistry meters) {
		this.redis = redis;
		this.shards = shards;
		this.clock = clock;
		this.intervalMillis = properties.sampleInterval().toMillis();
		this.ttls = Map.of(IdempotencyKey.Source.SENT, jobs.idempotencyTtl(), IdempotencyKey.Source.DERIVED,
				properties.route(Idempotency.JOBS).window());
		for (IdempotencyKey.Source source : SOURCES) {
			Gauge.builder("fulcrum.idempotency.records", this.records.get(source), AtomicLong::get)
				.description("Idempotency records alive in Redis, by where their key came from")
				.tag("key", source.tag())
				.register(meters);
			Gauge.builder("fulcrum.idempotency.memory", this.bytes.get(source), AtomicLong::get)
				.description("Bytes the idempotency records take in Redis, estimated from a sample of their sizes")
				.baseUnit("bytes")
				.tag("key", source.tag())
				.register(meters);
		}
	}

	/**
	 * The width of a count's time bucket for the records of a source.
	 * @param source {@code SENT} or {@code DERIVED}
	 * @return milliseconds, at least 1
	 */
	long bucketMillis(IdempotencyKey.Source source) {
		return Math.max(1, this.ttls.get(source).toMillis() / BUCKETS);
	}

	/** Counts and samples every shard's records once. */
	void sample() {
		long now = this.clock.millis();
		for (IdempotencyKey.Source source : SOURCES) {
			long count = 0;
			long sampledBytes = 0;
			long sampled = 0;
			for (JobShard shard : this.shards.all()) {
				List<?> answer = this.redis.execute(COUNT,
						List.of(shard.idempotencyCounts(source.tag()), shard.idempotencySample(source.tag())),
						String.valueOf(now), String.valueOf(this.ttls.get(source).toMillis()),
						String.valueOf(bucketMillis(source)));
				count += number(answer.get(0));
				sampledBytes += number(answer.get(1));
				sampled += number(answer.get(2));
			}
			this.records.get(source).set(count);
			this.bytes.get(source).set((sampled > 0) ? Math.round((double) sampledBytes / sampled * count) : 0);
		}
	}

	private static long number(Object value) {
		return (value instanceof Number number) ? number.longValue() : 0;
	}

	@Override
	public void start() {
		ScheduledExecutorService executor = Executors
			.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("idempotency-records").factory());
		executor.scheduleWithFixedDelay(() -> {
			try {
				sample();
			}
			catch (RuntimeException ex) {
				// Redis away: the last figures stand until it is back.
				logger.debug("Idempotency records not sampled: " + ex.getMessage());
			}
		}, 0, this.intervalMillis, TimeUnit.MILLISECONDS);
		this.sampler = executor;
	}

	@Override
	public void stop() {
		ScheduledExecutorService executor = this.sampler;
		if (executor != null) {
			executor.shutdownNow();
			try {
				executor.awaitTermination(1, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		this.sampler = null;
	}

	@Override
	public boolean isRunning() {
		return this.sampler != null;
	}

}
