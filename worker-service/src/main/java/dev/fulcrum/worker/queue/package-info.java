/**
 * The worker: reads the job stream as a member of the {@code workers} consumer group,
 * runs jobs on virtual threads, retries with backoff, sends the hopeless to the dead
 * letters, reclaims what dead workers left, and stops gracefully.
 */
package dev.fulcrum.worker.queue;
