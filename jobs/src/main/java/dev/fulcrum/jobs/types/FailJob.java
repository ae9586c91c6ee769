package dev.fulcrum.jobs.types;

import java.util.List;

import tools.jackson.databind.JsonNode;

import dev.fulcrum.jobs.JobType;

/**
 * {@code fail}: always fails, to watch a job go to the dead letters. Any object payload.
 */
public final class FailJob implements JobType {

	@Override
	public String name() {
		return "fail";
	}

	@Override
	public List<PayloadError> validate(JsonNode payload) {
		return payload.isNull() ? List.of() : Payloads.object(payload);
	}

}
