package dev.fulcrum.api.jobs;

import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A job as its owner sees it.
 *
 * @param id the id
 * @param type the type
 * @param status the status
 * @param attempts attempts so far
 * @param result the result, once succeeded
 * @param error the last error, once an attempt failed
 * @param createdAt when it was submitted
 * @param updatedAt when it last changed
 * @param completedAt when it became final
 */
record JobView(String id, String type, String status, int attempts, JsonNode result, String error, String createdAt,
		String updatedAt, String completedAt) {

	static JobView of(Map<Object, Object> job, JsonMapper json) {
		Object result = job.get("result");
		return new JobView((String) job.get("id"), (String) job.get("type"), (String) job.get("status"),
				Integer.parseInt((String) job.getOrDefault("attempts", "0")),
				(result != null) ? json.readTree((String) result) : null, (String) job.get("error"),
				(String) job.get("createdAt"), (String) job.get("updatedAt"), (String) job.get("completedAt"));
	}

}
