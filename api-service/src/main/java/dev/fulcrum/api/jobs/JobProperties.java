package dev.fulcrum.api.jobs;

import java.time.Duration;

import dev.fulcrum.jobs.JobShard;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Job submission settings ({@code fulcrum.jobs.*}).
 *
 * @param idempotencyTtl how long an idempotency key and its first response are kept
 * @param retention how long a final job (succeeded, dead, cancelled) is kept
 * @param highWatermark past this many jobs not yet final, submissions get 503
 * @param retryAfter the {@code Retry-After} of that 503
 * @param maxPayloadBytes the largest payload accepted, in bytes of UTF-8 JSON
 * @param maxUnfinishedPerUser past this many jobs of one user not yet final, that user's
 * submissions get 429
 * @param maxKeptPerUser the most jobs kept per user, finished or not: a submission at the
 * cap forgets the user's oldest finished job
 * @param shards how many shards the job queue is split into ({@code JobShard}): a user's
 * jobs go to one of them, by user id; the same in every api-service and worker
 */
@ConfigurationProperties("fulcrum.jobs")
public record JobProperties(@DefaultValue("24h") Duration idempotencyTtl, @DefaultValue("24h") Duration retention,
		@DefaultValue("10000") long highWatermark, @DefaultValue("1s") Duration retryAfter,
		@DefaultValue("16384") int maxPayloadBytes, @DefaultValue("100") int maxUnfinishedPerUser,
		@DefaultValue("500") int maxKeptPerUser, @DefaultValue("1") int shards) {

	public JobProperties {
		if (maxUnfinishedPerUser < 1 || maxKeptPerUser <= maxUnfinishedPerUser) {
			throw new IllegalArgumentException("fulcrum.jobs.max-kept-per-user (" + maxKeptPerUser
					+ ") must be more than max-unfinished-per-user (" + maxUnfinishedPerUser
					+ "), which must be 1 or more");
		}
		if (shards < 1 || shards > JobShard.MAX) {
			throw new IllegalArgumentException(
					"fulcrum.jobs.shards must be from 1 to " + JobShard.MAX + ", not " + shards);
		}
	}

}
