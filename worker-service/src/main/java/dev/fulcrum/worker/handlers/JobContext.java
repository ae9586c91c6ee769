package dev.fulcrum.worker.handlers;

import tools.jackson.databind.JsonNode;

/**
 * What a job type gets to run one attempt.
 *
 * @param jobId the job's id
 * @param idempotencyKey the key the job was submitted with, sent by the client or derived
 * from its content; the job id for a job submitted without one (the same for every
 * attempt)
 * @param attempt this attempt's number, from 1
 * @param payload the validated payload
 */
public record JobContext(String jobId, String idempotencyKey, int attempt, JsonNode payload) {
}
