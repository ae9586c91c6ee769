package dev.fulcrum.api.jobs;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.fulcrum.jobs.JobKeys;
import dev.fulcrum.jobs.JobShard;

import org.springframework.context.SmartLifecycle;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * The shards of the job queue as this api-service sees them
 * ({@code fulcrum.jobs.shards}): which one holds a user's jobs, every one that may hold a
 * job, and how many unfinished jobs the others hold, for the high watermark.
 * <ul>
 * <li>The number of shards is recorded in Redis ({@link JobKeys#shards()}) as the most
 * any api-service has used, so that workers read every shard that may hold a job, and so
 * that a lowered setting still finds the jobs of the shards it no longer writes to.</li>
 * <li>With more than one shard, every {@value #REFRESH_MILLIS} ms it reads each shard's
 * count of unfinished jobs: the submission script adds the others' counts to its own
 * shard's, so the high watermark applies to the total, up to that long ago.</li>
 * </ul>
 * With one shard (the default) nothing runs in the background: the count is recorded only
 * when more than one shard is configured, and the one shard's count is exact.
 */
@Component
class QueueShards implements SmartLifecycle {

	static final long REFRESH_MILLIS = 250;

	private static final Log logger = LogFactory.getLog(QueueShards.class);

	/** Raises the recorded number of shards to ARGV[1]; returns the recorded number. */
	private static final RedisScript<Long> RECORD = RedisScript.of("""
			local recorded = tonumber(redis.call('GET', KEYS[1]) or '1')
			if recorded < tonumber(ARGV[1]) then
			  redis.call('SET', KEYS[1], ARGV[1])
			  return tonumber(ARGV[1])
			end
			return recorded""", Long.class);

	private final StringRedisTemplate redis;

	private final int count;

	private final AtomicLongArray outstanding;

	/** Every shard that may hold a job, kept as a list: submissions ask on every call. */
	private volatile List<JobShard> all;

	private volatile ScheduledExecutorService refresher;

	QueueShards(StringRedisTemplate redis, JobProperties properties) {
		this.redis = redis;
		this.count = properties.shards();
		this.all = JobShard.all(this.count);
		this.outstanding = new AtomicLongArray(JobShard.MAX);
	}

	/**
	 * The shard of a user's jobs, where the user's next job goes.
	 * @param user the user id
	 * @return the shard
	 */
	JobShard of(String user) {
		return JobShard.ofUser(user, this.count);
	}

	/**
	 * Every shard that may hold a job: as many as were ever recorded, at least as many as
	 * configured here.
	 * @return the shards
	 */
	List<JobShard> all() {
		return this.all;
	}

	/** Takes the number of shards recorded in Redis, never fewer than configured here. */
	private void recorded(int recorded) {
		if (recorded > this.all.size()) {
			this.all = JobShard.all(Math.min(recorded, JobShard.MAX));
		}
	}

	/**
	 * Unfinished jobs in the other shards, as last read.
	 * @param shard the submission's shard
	 * @return their sum, 0 with one shard
	 */
	long outstandingElsewhere(JobShard shard) {
		long sum = 0;
		for (JobShard other : all()) {
			if (other.index() != shard.index()) {
				sum += this.outstanding.get(other.index());
			}
		}
		return sum;
	}

	@Override
	public void start() {
		if (this.count <= 1) {
			// Lowered from more, the jobs of the other shards are still found.
			try {
				String value = this.redis.opsForValue().get(JobKeys.shards());
				recorded((value != null) ? Integer.parseInt(value) : 1);
			}
			catch (RuntimeException ex) {
				logger.debug("Number of queue shards not read: " + ex.getMessage());
			}
			return;
		}
		ScheduledExecutorService executor = Executors
			.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("queue-shards").factory());
		executor.scheduleWithFixedDelay(this::refresh, 0, REFRESH_MILLIS, TimeUnit.MILLISECONDS);
		this.refresher = executor;
	}

	private void refresh() {
		try {
			Long now = this.redis.execute(RECORD, List.of(JobKeys.shards()), String.valueOf(this.count));
			recorded((now != null) ? now.intValue() : this.count);
			for (JobShard shard : all()) {
				String value = this.redis.opsForValue().get(shard.outstanding());
				this.outstanding.set(shard.index(), (value != null) ? Long.parseLong(value) : 0);
			}
		}
		catch (RuntimeException ex) {
			// Redis away: the last counts stand; submissions fail on their own meanwhile.
			logger.debug("Queue shards not refreshed: " + ex.getMessage());
		}
	}

	@Override
	public void stop() {
		ScheduledExecutorService executor = this.refresher;
		if (executor != null) {
			executor.shutdownNow();
			try {
				executor.awaitTermination(Duration.ofSeconds(1).toMillis(), TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		this.refresher = null;
	}

	@Override
	public boolean isRunning() {
		return this.refresher != null;
	}

}
