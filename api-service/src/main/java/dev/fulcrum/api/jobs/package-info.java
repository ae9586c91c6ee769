/**
 * Job submission: {@code POST /api/jobs} with an idempotency key (recorded, created and
 * queued in one atomic script), backpressure, and the caller's view of their jobs.
 */
package dev.fulcrum.api.jobs;
