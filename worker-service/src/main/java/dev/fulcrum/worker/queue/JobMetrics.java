package dev.fulcrum.worker.queue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.fulcrum.jobs.JobKeys;
import dev.fulcrum.jobs.JobShard;

import org.springframework.data.redis.connection.stream.PendingMessagesSummary;
import org.springframework.data.redis.connection.stream.StreamInfo;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * The worker's meters, on {@code /actuator/prometheus}:
 * <ul>
 * <li>{@code fulcrum_jobs_outcomes_total{outcome}}: attempts by how they ended
 * ({@code succeeded}, {@code retrying}, {@code dead}, {@code stale}, {@code skipped} for
 * deliveries acknowledged without running);</li>
 * <li>{@code fulcrum_jobs_processing_seconds{type}}: how long attempts ran;</li>
 * <li>{@code fulcrum_jobs_attempts{outcome}}: how many attempts jobs took until they
 * {@code succeeded} or went {@code dead};</li>
 * <li>{@code fulcrum_jobs_queue_length}, {@code fulcrum_jobs_pending},
 * {@code fulcrum_jobs_lag}, {@code fulcrum_jobs_dead_letters},
 * {@code fulcrum_jobs_retrying}, {@code fulcrum_jobs_outstanding}: the queue as Redis
 * sees it, totals over every shard the worker reads, read when a scrape asks for them and
 * the last reading is a second old or more (one reading serves every gauge of a scrape).
 * Nobody scraping costs Redis nothing: an idle worker spends nothing but its blocking
 * read. If Redis does not answer, the scrape gets the last values read.</li>
 * </ul>
 */
@Component
class JobMetrics {

	private static final Log logger = LogFactory.getLog(JobMetrics.class);

	/** How old a reading of the queue may be before a scrape reads it again. */
	private static final Duration STALE_AFTER = Duration.ofSeconds(1);

	private final MeterRegistry registry;

	private final StringRedisTemplate redis;

	private final AtomicLong length = new AtomicLong();

	private final AtomicLong pending = new AtomicLong();

	private final AtomicLong lag = new AtomicLong();

	private final AtomicLong dead = new AtomicLong();

	private final AtomicLong retrying = new AtomicLong();

	private final AtomicLong outstanding = new AtomicLong();

	/** When the queue was last read ({@link System#nanoTime()}), or 0 before that. */
	private long readAt;

	private final WorkerShards shards;

	JobMetrics(MeterRegistry registry, StringRedisTemplate redis, WorkerShards shards) {
		this.registry = registry;
		this.redis = redis;
		this.shards = shards;
		gauge("fulcrum.jobs.queue.length", this.length, "Entries in the job stream");
		gauge("fulcrum.jobs.pending", this.pending, "Messages delivered to a worker and not yet acknowledged");
		gauge("fulcrum.jobs.lag", this.lag, "Messages in the stream not yet delivered to any worker");
		gauge("fulcrum.jobs.dead.letters", this.dead, "Entries in the dead-letter stream");
		gauge("fulcrum.jobs.retrying", this.retrying, "Jobs waiting for a retry");
		gauge("fulcrum.jobs.outstanding", this.outstanding, "Jobs not yet final");
	}

	void outcome(String outcome) {
		Counter.builder("fulcrum.jobs.outcomes")
			.description("Job deliveries by how they ended")
			.tag("outcome", outcome)
			.register(this.registry)
			.increment();
	}

	/**
	 * Records how many attempts a job took to reach its end.
	 * @param outcome {@code succeeded} or {@code dead}
	 * @param attempts its attempts, this one included
	 */
	void finished(String outcome, int attempts) {
		DistributionSummary.builder("fulcrum.jobs.attempts")
			.description("Attempts a job took until it succeeded or died")
			.tag("outcome", outcome)
			.register(this.registry)
			.record(attempts);
	}

	void processed(String type, Duration duration) {
		Timer.builder("fulcrum.jobs.processing")
			.description("How long job attempts ran")
			.tag("type", type)
			.register(this.registry)
			.record(duration);
	}

	/**
	 * Reads the queue's sizes from Redis, unless they were read less than a second ago.
	 */
	synchronized void refreshIfStale() {
		long now = System.nanoTime();
		if (this.readAt != 0 && now - this.readAt < STALE_AFTER.toNanos()) {
			return;
		}
		// Set before reading: an unreachable Redis is asked once a second, not once a
		// gauge.
		this.readAt = now;
		try {
			refresh();
		}
		catch (RuntimeException ex) {
			logger.debug("Queue metrics not read: " + ex.getMessage());
		}
	}

	private void refresh() {
		long length = 0;
		long dead = 0;
		long retrying = 0;
		long outstanding = 0;
		long pending = 0;
		long lag = 0;
		for (JobShard shard : this.shards.current()) {
			length += size(this.redis.opsForStream().size(shard.stream()));
			dead += size(this.redis.opsForStream().size(shard.deadLetters()));
			retrying += size(this.redis.opsForZSet().size(shard.retries()));
			String count = this.redis.opsForValue().get(shard.outstanding());
			outstanding += (count != null) ? Long.parseLong(count) : 0;
			PendingMessagesSummary summary = this.redis.opsForStream().pending(shard.stream(), JobKeys.GROUP);
			pending += (summary != null) ? summary.getTotalPendingMessages() : 0;
			StreamInfo.XInfoGroups groups = this.redis.opsForStream().groups(shard.stream());
			lag += groups.stream()
				.filter((group) -> JobKeys.GROUP.equals(group.groupName()))
				.findFirst()
				.map((group) -> group.getRaw().get("lag"))
				.map((value) -> (value instanceof Number number) ? number.longValue() : 0L)
				.orElse(0L);
		}
		this.length.set(length);
		this.dead.set(dead);
		this.retrying.set(retrying);
		this.outstanding.set(outstanding);
		this.pending.set(pending);
		this.lag.set(lag);
	}

	private void gauge(String name, AtomicLong value, String description) {
		Gauge.builder(name, value, (current) -> {
			refreshIfStale();
			return current.get();
		}).description(description).register(this.registry);
	}

	private static long size(Long value) {
		return (value != null) ? value : 0;
	}

}
