package dev.fulcrum.jobs;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Where jobs live in Redis. Every key of the queue carries the hash tag {@code {jobs}}:
 * the submission script writes the idempotency record, the job and the stream entry in
 * one atomic step, and the workers' scripts move a job and acknowledge its stream entry
 * in one step, which Redis Cluster allows only for keys in one slot.
 * <ul>
 * <li>{@code fulcrum:{jobs}:stream}: the job stream, one entry {@code id=<job id>} per
 * queued job, read by the {@code workers} consumer group.</li>
 * <li>{@code fulcrum:{jobs}:job:<id>}: the job, a hash.</li>
 * <li>{@code fulcrum:{jobs}:idem:<user>:<key hash>}: the first response to a submission
 * with that idempotency key.</li>
 * <li>{@code fulcrum:{jobs}:user:<user>}: the user's jobs by creation time, at most
 * {@code max-kept-per-user}; it expires with the last of them.</li>
 * <li>{@code fulcrum:{jobs}:user:<user>:open}: the user's unfinished jobs (queued,
 * running or waiting to retry) by creation time; its size is the unfinished-jobs
 * quota.</li>
 * <li>{@code fulcrum:{jobs}:user:<user>:<SUCCEEDED|DEAD|CANCELLED>}: the user's final
 * jobs of that status by creation time, so that a list by status reads only what it
 * returns.</li>
 * <li>{@code fulcrum:{jobs}:retries}: failed jobs waiting for their retry, by due
 * time.</li>
 * <li>{@code fulcrum:{jobs}:dead}: the dead-letter stream.</li>
 * <li>{@code fulcrum:{jobs}:outstanding}: how many jobs are not final, for
 * backpressure.</li>
 * </ul>
 */
public final class JobKeys {

	private static final String PREFIX = "fulcrum:{jobs}:";

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
		return PREFIX + "stream";
	}

	/**
	 * A job.
	 * @param id the job id
	 * @return its key
	 */
	public static String job(String id) {
		return PREFIX + "job:" + id;
	}

	/**
	 * An idempotency record. The client's key is hashed: it may be up to 255 characters
	 * of anything printable.
	 * @param user the user id
	 * @param idempotencyKey the {@code Idempotency-Key} as sent
	 * @return its key
	 */
	public static String idempotency(String user, String idempotencyKey) {
		return PREFIX + "idem:" + user + ":" + sha256(idempotencyKey);
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
		return PREFIX + "user:" + user;
	}

	/**
	 * A user's unfinished jobs (queued, running or waiting to retry).
	 * @param user the user id
	 * @return its key
	 */
	public static String userOpenJobs(String user) {
		return userJobs(user) + ":open";
	}

	/**
	 * A user's jobs of one final status.
	 * @param user the user id
	 * @param status {@code SUCCEEDED}, {@code DEAD} or {@code CANCELLED}
	 * @return its key
	 */
	public static String userFinalJobs(String user, JobStatus status) {
		if (!status.isFinal()) {
			throw new IllegalArgumentException(status + " is not final");
		}
		return userJobs(user) + ":" + status.name();
	}

	/**
	 * Failed jobs waiting for their retry, by due time.
	 * @return its key
	 */
	public static String retries() {
		return PREFIX + "retries";
	}

	/**
	 * The dead-letter stream: one entry {@code id, error} per job that failed its last
	 * attempt.
	 * @return its key
	 */
	public static String deadLetters() {
		return PREFIX + "dead";
	}

	/**
	 * The count of jobs that are not final.
	 * @return its key
	 */
	public static String outstanding() {
		return PREFIX + "outstanding";
	}

}
