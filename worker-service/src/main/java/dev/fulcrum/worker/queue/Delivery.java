package dev.fulcrum.worker.queue;

import dev.fulcrum.jobs.JobShard;

/**
 * A message of a shard's job stream delivered to this worker. Message ids are unique only
 * within one stream: a delivery is known by its shard and its id together.
 *
 * @param shard the shard whose stream it came from
 * @param messageId the stream entry id
 * @param jobId the job it names
 */
record Delivery(JobShard shard, String messageId, String jobId) {
}
