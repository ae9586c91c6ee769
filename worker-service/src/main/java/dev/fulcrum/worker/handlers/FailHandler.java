package dev.fulcrum.worker.handlers;

import tools.jackson.databind.JsonNode;

import org.springframework.stereotype.Component;

/** Runs {@code fail} jobs ({@link dev.fulcrum.jobs.types.FailJob}). */
@Component
class FailHandler implements JobHandler {

	@Override
	public String type() {
		return "fail";
	}

	@Override
	public JsonNode run(JobContext context) {
		throw new IllegalStateException("fail: this job always fails (attempt " + context.attempt() + ")");
	}

}
