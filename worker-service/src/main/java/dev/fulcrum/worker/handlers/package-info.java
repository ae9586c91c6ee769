/**
 * What a worker does with each type of job: one
 * {@link dev.fulcrum.worker.handlers.JobHandler} bean per type of the contract
 * ({@code dev.fulcrum.jobs.JobTypes}), found by
 * {@link dev.fulcrum.worker.handlers.JobHandlers}. The queue ({@code queue}) claims a job
 * and hands it to its handler; a handler knows nothing of Redis.
 */
package dev.fulcrum.worker.handlers;
