package dev.fulcrum.jobs.types;

import java.util.List;

import tools.jackson.databind.JsonNode;

import dev.fulcrum.jobs.JobType;

/**
 * {@code sleep {"ms"}}: waits that long (0 to 60 000 ms), a stand-in for slow I/O.
 */
public final class SleepJob implements JobType {

	static final long MAX_MILLIS = 60_000;

	@Override
	public String name() {
		return "sleep";
	}

	@Override
	public List<PayloadError> validate(JsonNode payload) {
		List<PayloadError> errors = Payloads.object(payload);
		if (errors.isEmpty()) {
			Payloads.integer(payload, "ms", 0, MAX_MILLIS, true, errors);
		}
		return errors;
	}

}
