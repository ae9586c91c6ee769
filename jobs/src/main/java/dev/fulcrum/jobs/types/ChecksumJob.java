package dev.fulcrum.jobs.types;

import java.util.List;

import tools.jackson.databind.JsonNode;

import dev.fulcrum.jobs.JobType;

/**
 * {@code checksum {"text","rounds"}}: SHA-256 of the text, hashed again {@code rounds}
 * times (1 to 100 000), a stand-in for CPU work.
 */
public final class ChecksumJob implements JobType {

	@Override
	public String name() {
		return "checksum";
	}

	@Override
	public List<PayloadError> validate(JsonNode payload) {
		List<PayloadError> errors = Payloads.object(payload);
		if (errors.isEmpty()) {
			Payloads.text(payload, "text", 10_000, errors);
			Payloads.integer(payload, "rounds", 1, 100_000, true, errors);
		}
		return errors;
	}

}
