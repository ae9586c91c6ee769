package dev.fulcrum.jobs.types;

import java.util.List;

import tools.jackson.databind.JsonNode;

import dev.fulcrum.jobs.JobType;

/**
 * {@code flaky {"failTimes"}}: fails its first {@code failTimes} attempts (0 to 20), then
 * succeeds, to watch retries with backoff.
 */
public final class FlakyJob implements JobType {

	@Override
	public String name() {
		return "flaky";
	}

	@Override
	public List<PayloadError> validate(JsonNode payload) {
		List<PayloadError> errors = Payloads.object(payload);
		if (errors.isEmpty()) {
			Payloads.integer(payload, "failTimes", 0, 20, true, errors);
		}
		return errors;
	}

}
