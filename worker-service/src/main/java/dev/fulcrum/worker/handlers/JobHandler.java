package dev.fulcrum.worker.handlers;

import tools.jackson.databind.JsonNode;

/**
 * What a worker does with one type of job. An implementation is a Spring bean of this
 * package, one per type the contract lists ({@link dev.fulcrum.jobs.JobTypes}); its
 * payload has passed that type's rules at submission.
 */
public interface JobHandler {

	/**
	 * The job type this runs.
	 * @return a name of {@link dev.fulcrum.jobs.JobTypes#names()}, for example
	 * {@code sleep}
	 */
	String type();

	/**
	 * Runs the job. Called possibly more than once for one job (after a crash): an
	 * implementation with effects outside Fulcrum should use
	 * {@link JobContext#idempotencyKey()} to make them happen once.
	 * @param context the job
	 * @return the result, stored as JSON
	 * @throws Exception to fail this attempt (it is retried while attempts remain)
	 */
	JsonNode run(JobContext context) throws Exception;

}
