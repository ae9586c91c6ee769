/**
 * The job contract that api-service (which submits) and worker-service (which runs) must
 * agree on: the job types and their payload rules ({@link dev.fulcrum.jobs.JobType}), the
 * statuses ({@link dev.fulcrum.jobs.JobStatus}), and where a job lives in Redis
 * ({@link dev.fulcrum.jobs.JobKeys}). What a worker does with each type is not here: the
 * handlers are beans of the worker-service, which the api-service does not ship.
 */
package dev.fulcrum.jobs;
