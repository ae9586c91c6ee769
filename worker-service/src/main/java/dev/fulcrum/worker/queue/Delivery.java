package dev.fulcrum.worker.queue;

/**
 * A message of the job stream delivered to this worker.
 *
 * @param messageId the stream entry id
 * @param jobId the job it names
 */
record Delivery(String messageId, String jobId) {
}
