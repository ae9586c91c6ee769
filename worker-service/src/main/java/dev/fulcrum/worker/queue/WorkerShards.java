package dev.fulcrum.worker.queue;

import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.fulcrum.jobs.JobShard;

import org.springframework.stereotype.Component;

/**
 * The shards of the job queue this worker reads: as many as configured
 * ({@code fulcrum.worker.shards}, the api-services' {@code fulcrum.jobs.shards}), or as
 * many as the api-services have recorded in Redis if that is more, so that no shard that
 * may hold a job is left unread, even by a worker configured with fewer. The worker asks
 * Redis again from time to time ({@link #refresh}); the number only grows.
 */
@Component
class WorkerShards {

	private static final Log logger = LogFactory.getLog(WorkerShards.class);

	private final JobQueue queue;

	private volatile List<JobShard> current;

	WorkerShards(JobQueue queue, WorkerProperties properties) {
		this.queue = queue;
		this.current = JobShard.all(properties.shards());
	}

	/**
	 * The shards read now.
	 * @return shards 0 to n - 1
	 */
	List<JobShard> current() {
		return this.current;
	}

	/**
	 * Asks Redis how many shards the api-services have used.
	 * @return the shards read from now on: the same, or more
	 */
	List<JobShard> refresh() {
		int recorded = this.queue.recordedShards();
		List<JobShard> before = this.current;
		if (recorded > before.size()) {
			logger.info("The api-services use " + recorded + " shards of the job queue; reading all of them");
			this.current = JobShard.all(Math.min(recorded, JobShard.MAX));
		}
		return this.current;
	}

}
