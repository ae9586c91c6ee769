package dev.fulcrum.jobs;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;
import java.util.zip.CRC32;

/**
 * One shard of the job queue: a stream, its jobs and everything about them, under one
 * hash tag, so that every script of the queue touches one slot of a Redis Cluster. Shard
 * 0 is {@code {jobs}} (the queue's keys from before there were shards), shard {@code i}
 * is {@code {jobs-i}}; the first three hash to slots 9631, 1557 and 13942, one in each
 * third of the slots, so that a cluster of three masters with the slots split evenly
 * serves them from three masters.
 * <p>
 * A user's jobs all live in one shard, {@link #ofUser}: the submission script checks the
 * user's idempotency record and quotas and queues the job in one atomic step, as with a
 * single queue, and a user's own jobs are found from the user's id alone.
 *
 * @param index the shard's number, from 0
 */
public record JobShard(int index) {

	/** The first shard, {@code {jobs}}: the only one unless there are more. */
	public static final JobShard FIRST = new JobShard(0);

	/** More would be a queue no Redis Cluster could drain fairly from one worker. */
	public static final int MAX = 64;

	public JobShard {
		if (index < 0 || index >= MAX) {
			throw new IllegalArgumentException("A shard is numbered 0 to " + (MAX - 1) + ", not " + index);
		}
	}

	/**
	 * The shard of a user's jobs: the CRC-32 of the user id, modulo the number of shards.
	 * @param user the user id
	 * @param shards how many shards there are
	 * @return the user's shard
	 */
	public static JobShard ofUser(String user, int shards) {
		if (shards <= 1) {
			return FIRST;
		}
		CRC32 crc = new CRC32();
		crc.update(user.getBytes(StandardCharsets.UTF_8));
		return new JobShard((int) (crc.getValue() % shards));
	}

	/**
	 * Every shard of a queue of that many.
	 * @param shards how many shards there are
	 * @return shards 0 to {@code shards - 1}
	 */
	public static List<JobShard> all(int shards) {
		return IntStream.range(0, Math.max(1, shards)).mapToObj(JobShard::new).toList();
	}

	/**
	 * The hash tag of the shard's keys.
	 * @return {@code jobs} or {@code jobs-<index>}
	 */
	public String tag() {
		return (this.index == 0) ? "jobs" : "jobs-" + this.index;
	}

	/**
	 * What every key of the shard starts with; scripts derive the keys they build from
	 * it.
	 * @return {@code fulcrum:{<tag>}:}
	 */
	public String prefix() {
		return "fulcrum:{" + tag() + "}:";
	}

	/**
	 * The shard's job stream, one entry {@code id=<job id>} per queued job, read by the
	 * {@value JobKeys#GROUP} consumer group.
	 * @return its key
	 */
	public String stream() {
		return prefix() + "stream";
	}

	/**
	 * A job of this shard, a hash.
	 * @param id the job id
	 * @return its key
	 */
	public String job(String id) {
		return prefix() + "job:" + id;
	}

	/**
	 * An idempotency record: the first response to a submission with that key. The
	 * client's key is hashed: it may be up to 255 characters of anything printable.
	 * @param user the user id
	 * @param idempotencyKey the {@code Idempotency-Key} as sent
	 * @return its key
	 */
	public String idempotency(String user, String idempotencyKey) {
		return prefix() + "idem:" + user + ":" + JobKeys.sha256(idempotencyKey);
	}

	/**
	 * How many idempotency records of one source ({@code sent} by clients,
	 * {@code derived} by the server from a request's content) were made, per time bucket
	 * of a 64th of their TTL: the records alive are those of the buckets not yet expired,
	 * counted without scanning the keyspace and without a key per record.
	 * @param source {@code sent} or {@code derived}
	 * @return its key, a hash of bucket to count
	 */
	public String idempotencyCounts(String source) {
		return prefix() + "idem-counts:" + source;
	}

	/**
	 * The keys of the last few idempotency records of one source: the sample whose sizes
	 * estimate what all of them take.
	 * @param source {@code sent} or {@code derived}
	 * @return its key, a list of at most 8 record keys
	 */
	public String idempotencySample(String source) {
		return prefix() + "idem-sample:" + source;
	}

	/**
	 * A user's jobs by creation time, at most {@code max-kept-per-user}; it expires with
	 * the last of them.
	 * @param user the user id
	 * @return its key
	 */
	public String userJobs(String user) {
		return prefix() + "user:" + user;
	}

	/**
	 * A user's unfinished jobs (queued, running or waiting to retry) by creation time;
	 * its size is the unfinished-jobs quota.
	 * @param user the user id
	 * @return its key
	 */
	public String userOpenJobs(String user) {
		return userJobs(user) + ":open";
	}

	/**
	 * A user's jobs of one final status by creation time, so that a list by status reads
	 * only what it returns.
	 * @param user the user id
	 * @param status {@code SUCCEEDED}, {@code DEAD} or {@code CANCELLED}
	 * @return its key
	 */
	public String userFinalJobs(String user, JobStatus status) {
		if (!status.isFinal()) {
			throw new IllegalArgumentException(status + " is not final");
		}
		return userJobs(user) + ":" + status.name();
	}

	/**
	 * Failed jobs waiting for their retry, by due time.
	 * @return its key
	 */
	public String retries() {
		return prefix() + "retries";
	}

	/**
	 * The dead-letter stream: one entry {@code id, error} per job that failed its last
	 * attempt.
	 * @return its key
	 */
	public String deadLetters() {
		return prefix() + "dead";
	}

	/**
	 * The count of the shard's jobs that are not final.
	 * @return its key
	 */
	public String outstanding() {
		return prefix() + "outstanding";
	}

	@Override
	public String toString() {
		return "shard " + this.index + " {" + tag() + "}";
	}

}
