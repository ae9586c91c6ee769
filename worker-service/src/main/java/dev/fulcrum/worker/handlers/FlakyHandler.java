package dev.fulcrum.worker.handlers;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

import org.springframework.stereotype.Component;

/** Runs {@code flaky} jobs ({@link dev.fulcrum.jobs.types.FlakyJob}). */
@Component
class FlakyHandler implements JobHandler {

	@Override
	public String type() {
		return "flaky";
	}

	@Override
	public JsonNode run(JobContext context) {
		long failTimes = context.payload().get("failTimes").asLong();
		if (context.attempt() <= failTimes) {
			throw new IllegalStateException(
					"flaky: attempt " + context.attempt() + " of " + failTimes + " planned failures");
		}
		return JsonNodeFactory.instance.objectNode().put("succeededOnAttempt", context.attempt());
	}

}
