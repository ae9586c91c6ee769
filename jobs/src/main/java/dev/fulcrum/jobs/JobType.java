package dev.fulcrum.jobs;

import java.util.List;

import tools.jackson.databind.JsonNode;

/**
 * One kind of job: its name, the rules for its payload (checked by the api-service at
 * submission, so a bad job is a 400 and never reaches the queue), and what a worker does
 * with it. A new kind of job is one class implementing this, listed in {@link JobTypes}.
 */
public interface JobType {

	/**
	 * The name clients use in {@code "type"}.
	 * @return for example {@code sleep}
	 */
	String name();

	/**
	 * Checks a payload.
	 * @param payload the {@code "payload"} of the submission (never {@code null}; JSON
	 * {@code null} when absent)
	 * @return what is wrong, empty when the payload is fine
	 */
	List<PayloadError> validate(JsonNode payload);

	/**
	 * Runs the job. Called by a worker, possibly more than once for one job (after a
	 * crash): an implementation with effects outside Fulcrum should use
	 * {@link JobContext#idempotencyKey()} to make them happen once.
	 * @param context the job
	 * @return the result, stored as JSON
	 * @throws Exception to fail this attempt (it is retried while attempts remain)
	 */
	JsonNode run(JobContext context) throws Exception;

	/**
	 * One thing wrong with a payload.
	 *
	 * @param field the path of the field, for example {@code payload.ms}
	 * @param message what is wrong with it
	 */
	record PayloadError(String field, String message) {
	}

}
