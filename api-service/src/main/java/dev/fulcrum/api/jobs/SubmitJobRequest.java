package dev.fulcrum.api.jobs;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /api/jobs}.
 *
 * @param type the job type
 * @param payload its payload, checked by the type
 */
record SubmitJobRequest(
		@NotBlank(message = "is required") @Size(max = 64, message = "must be at most 64 characters") String type,
		JsonNode payload) {
}
