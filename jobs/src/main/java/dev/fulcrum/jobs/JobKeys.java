package dev.fulcrum.jobs;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The job queue's names in Redis, and the keys of its {@link JobShard#FIRST first shard}.
 * The queue is split into {@code fulcrum.jobs.shards} shards ({@link JobShard}), each its
 * own hash tag; with one shard (the default) every key carries {@code {jobs}}, as before
 * there were shards:
 * <ul>
 * <li>{@code fulcrum:{jobs}:stream}: the job stream, one entry {@code id=<job id>} per
 * queued job, read by the {@code workers} consumer group.</li>
 * <li>{@code fulcrum:{jobs}:job:<id>}: the job, a hash.</li>
 * <li>{@code fulcrum:{jobs}:idem:<user>:<key hash>}: the first response to a submission
 * with that idempotency key.</li>
 * <li>{@code fulcrum:{jobs}:user:<user>}, {@code ...:open} and
 * {@code ...:<SUCCEEDED|DEAD|CANCELLED>}: the user's jobs, unfinished jobs and final jobs
 * by status, by creation time.</li>
 * <li>{@code fulcrum:{jobs}:retries}: failed jobs waiting for their retry, by due
 * time.</li>
 * <li>{@code fulcrum:{jobs}:dead}: the dead-letter stream.</li>
 * <li>{@code fulcrum:{jobs}:outstanding}: how many jobs are not final, for
 * backpressure.</li>
 * <li>{@code fulcrum:{jobs}:shards}: how many shards the api-services have ever used
 * ({@link #shards()}), so that workers read every shard that may hold a job.</li>
 * </ul>
 * The submission script writes the idempotency record, the job and the stream entry in
 * one atomic step, and the workers' scripts move a job and acknowledge its stream entry
 * in one step, which Redis Cluster allows only for keys in one slot: hence one hash tag
 * per shard.
 */
public final class JobKeys {

	/** The consumer group of the workers. */
	public static final String GROUP = "workers";

	/**
	 * The job hash's field (and the W3C header) holding the trace context of the
	 * submission, which the worker's span for the job continues.
	 */
	public static final String TRACE_PARENT = "traceparent";

	private JobKeys() {
	}

	/**
	 * The job stream.
	 * @return its key
	 */
	public static String stream() {
		return JobShard.FIRST.stream();
	}

	/**
	 * A job.
	 * @param id the job id
	 * @return its key
	 */
	public static String job(String id) {
		return JobShard.FIRST.job(id);
	}

	/**
	 * An idempotency record. The client's key is hashed: it may be up to 255 characters
	 * of anything printable.
	 * @param user the user id
	 * @param idempotencyKey the {@code Idempotency-Key} as sent
	 * @return its key
	 */
	public static String idempotency(String user, String idempotencyKey) {
		return JobShard.FIRST.idempotency(user, idempotencyKey);
	}

	/**
	 * SHA-256, hex.
	 * @param text the text
	 * @return the hash of its UTF-8 bytes
	 */
	public static String sha256(String text) {
		try {
			return HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * A user's jobs.
	 * @param user the user id
	 * @return its key
	 */
	public static String userJobs(String user) {
		return JobShard.FIRST.userJobs(user);
	}

	/**
	 * A user's unfinished jobs (queued, running or waiting to retry).
	 * @param user the user id
	 * @return its key
	 */
	public static String userOpenJobs(String user) {
		return JobShard.FIRST.userOpenJobs(user);
	}

	/**
	 * A user's jobs of one final status.
	 * @param user the user id
	 * @param status {@code SUCCEEDED}, {@code DEAD} or {@code CANCELLED}
	 * @return its key
	 */
	public static String userFinalJobs(String user, JobStatus status) {
		return JobShard.FIRST.userFinalJobs(user, status);
	}

	/**
	 * Failed jobs waiting for their retry, by due time.
	 * @return its key
	 */
	public static String retries() {
		return JobShard.FIRST.retries();
	}

	/**
	 * The dead-letter stream: one entry {@code id, error} per job that failed its last
	 * attempt.
	 * @return its key
	 */
	public static String deadLetters() {
		return JobShard.FIRST.deadLetters();
	}

	/**
	 * How many shards the api-services have ever used: the most any of them was
	 * configured with, so that workers read every shard that may hold a job, even after
	 * the setting was lowered. Kept in the first shard.
	 * @return its key
	 */
	public static String shards() {
		return JobShard.FIRST.prefix() + "shards";
	}

	/**
	 * The count of jobs that are not final.
	 * @return its key
	 */
	public static String outstanding() {
		return JobShard.FIRST.outstanding();
	}

}
