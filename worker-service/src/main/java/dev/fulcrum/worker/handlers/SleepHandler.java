package dev.fulcrum.worker.handlers;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

import org.springframework.stereotype.Component;

/** Runs {@code sleep} jobs ({@link dev.fulcrum.jobs.types.SleepJob}). */
@Component
class SleepHandler implements JobHandler {

	@Override
	public String type() {
		return "sleep";
	}

	@Override
	public JsonNode run(JobContext context) throws InterruptedException {
		long millis = context.payload().get("ms").asLong();
		Thread.sleep(millis);
		return JsonNodeFactory.instance.objectNode().put("sleptMs", millis);
	}

}
