package dev.fulcrum.jobs.types;

import java.util.ArrayList;
import java.util.List;

import tools.jackson.databind.JsonNode;

import dev.fulcrum.jobs.JobType.PayloadError;

/**
 * Small checks that payload rules are made of.
 */
final class Payloads {

	private Payloads() {
	}

	static List<PayloadError> object(JsonNode payload) {
		List<PayloadError> errors = new ArrayList<>();
		if (!payload.isObject()) {
			errors.add(new PayloadError("payload", "must be a JSON object"));
		}
		return errors;
	}

	static void integer(JsonNode payload, String field, long min, long max, boolean required,
			List<PayloadError> errors) {
		JsonNode value = payload.get(field);
		if (value == null || value.isNull()) {
			if (required) {
				errors.add(new PayloadError("payload." + field, "is required"));
			}
			return;
		}
		if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < min || value.asLong() > max) {
			errors.add(new PayloadError("payload." + field, "must be an integer from " + min + " to " + max));
		}
	}

	static void text(JsonNode payload, String field, int maxLength, List<PayloadError> errors) {
		JsonNode value = payload.get(field);
		if (value == null || !value.isString()) {
			errors.add(new PayloadError("payload." + field, "is required and must be a string"));
		}
		else if (value.asString().length() > maxLength) {
			errors.add(new PayloadError("payload." + field, "must be at most " + maxLength + " characters"));
		}
	}

}
