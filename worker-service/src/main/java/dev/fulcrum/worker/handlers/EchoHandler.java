package dev.fulcrum.worker.handlers;

import tools.jackson.databind.JsonNode;

import org.springframework.stereotype.Component;

/** Runs {@code echo} jobs ({@link dev.fulcrum.jobs.types.EchoJob}). */
@Component
class EchoHandler implements JobHandler {

	@Override
	public String type() {
		return "echo";
	}

	@Override
	public JsonNode run(JobContext context) {
		return context.payload();
	}

}
