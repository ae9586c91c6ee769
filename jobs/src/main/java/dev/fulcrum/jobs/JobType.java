package dev.fulcrum.jobs;

import java.util.List;

import tools.jackson.databind.JsonNode;

/**
 * One kind of job, as the contract names it: its name and the rules for its payload
 * (checked by the api-service at submission, so a bad job is a 400 and never reaches the
 * queue). What a worker does with it is the worker-service's handler of that name. A new
 * kind of job is one class implementing this, listed in {@link JobTypes}, and one handler
 * bean in the worker-service.
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
	 * One thing wrong with a payload.
	 *
	 * @param field the path of the field, for example {@code payload.ms}
	 * @param message what is wrong with it
	 */
	record PayloadError(String field, String message) {
	}

}
