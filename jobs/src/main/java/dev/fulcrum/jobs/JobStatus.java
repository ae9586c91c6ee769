package dev.fulcrum.jobs;

/**
 * Where a job is in its life: {@code QUEUED -> RUNNING -> SUCCEEDED}, or
 * {@code RUNNING -> RETRYING -> QUEUED} with backoff, or {@code DEAD} after the last
 * attempt; {@code CANCELLED} from {@code QUEUED}.
 */
public enum JobStatus {

	/** Waiting on the stream for a worker. */
	QUEUED,

	/** A worker holds it. */
	RUNNING,

	/** Failed; waits for its backoff before it is queued again. */
	RETRYING,

	/** Done; the result is kept. */
	SUCCEEDED,

	/** Failed its last attempt; on the dead-letter stream. */
	DEAD,

	/** Cancelled while still queued. */
	CANCELLED;

	/**
	 * Tells whether nothing more will happen to the job.
	 * @return {@code true} for succeeded, dead and cancelled
	 */
	public boolean isFinal() {
		return this == SUCCEEDED || this == DEAD || this == CANCELLED;
	}

}
