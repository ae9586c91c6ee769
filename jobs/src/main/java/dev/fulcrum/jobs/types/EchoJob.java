package dev.fulcrum.jobs.types;

import java.util.List;

import tools.jackson.databind.JsonNode;

import dev.fulcrum.jobs.JobType;

/**
 * {@code echo}: returns its payload, any JSON object.
 */
public final class EchoJob implements JobType {

	@Override
	public String name() {
		return "echo";
	}

	@Override
	public List<PayloadError> validate(JsonNode payload) {
		return Payloads.object(payload);
	}

}
