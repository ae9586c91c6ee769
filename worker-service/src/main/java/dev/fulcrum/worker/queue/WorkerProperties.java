package dev.fulcrum.worker.queue;

import java.time.Duration;

import dev.fulcrum.jobs.JobShard;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Worker settings ({@code fulcrum.worker.*}).
 *
 * @param concurrency jobs run at once by this process; reads never fetch more than the
 * free slots
 * @param maxAttempts attempts a job gets before it is dead
 * @param backoffBase the first retry waits up to this long; each further one up to twice
 * as long (full jitter)
 * @param backoffMax no retry waits longer than this
 * @param visibilityTimeout a job held this long without a heartbeat is taken over by
 * another worker
 * @param heartbeatInterval how often a running job's message is touched so that it is not
 * taken over while alive (well below the visibility timeout)
 * @param maintenanceInterval how often due retries are queued again and stalled messages
 * reclaimed
 * @param idleCheckInterval while the queue is idle (nothing outstanding when last asked,
 * and no job read since), how often to ask again and look for due retries and stalled
 * messages, instead of every {@code maintenanceInterval}; at most half the
 * {@code visibilityTimeout} is used
 * @param readBlock how long one read waits for new messages (kept shorter than the Redis
 * command timeout, {@code spring.data.redis.timeout})
 * @param shutdownDeadline on shutdown, how long running jobs may take to finish; the rest
 * is left for other workers to reclaim
 * @param retention how long a final job is kept
 * @param maxResultBytes the largest result stored, in bytes of UTF-8 JSON; a job
 * returning more is dead at once, its result dropped
 * @param shards how many shards of the job queue to read at least: the api-services'
 * {@code fulcrum.jobs.shards}; more are read when the api-services have recorded more
 */
@ConfigurationProperties("fulcrum.worker")
public record WorkerProperties(@DefaultValue("8") int concurrency, @DefaultValue("5") int maxAttempts,
		@DefaultValue("500ms") Duration backoffBase, @DefaultValue("30s") Duration backoffMax,
		@DefaultValue("30s") Duration visibilityTimeout, @DefaultValue("10s") Duration heartbeatInterval,
		@DefaultValue("1s") Duration maintenanceInterval, @DefaultValue("10s") Duration idleCheckInterval,
		@DefaultValue("1s") Duration readBlock, @DefaultValue("10s") Duration shutdownDeadline,
		@DefaultValue("24h") Duration retention, @DefaultValue("16384") int maxResultBytes,
		@DefaultValue("1") int shards) {

	public WorkerProperties {
		if (shards < 1 || shards > JobShard.MAX) {
			throw new IllegalArgumentException(
					"fulcrum.worker.shards must be from 1 to " + JobShard.MAX + ", not " + shards);
		}
	}

}
