package dev.fulcrum.gateway.dashboard;

import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.Set;
import java.util.List;
import java.util.HashSet;
import java.util.concurrent.atomic.AtomicReference;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.NestedExceptionUtils;
import org.springframework.data.redis.connection.stream.StreamInfo;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * The job queue as the dashboard shows it, read from Redis once a second with read-only
 * commands on the keys the gateway's Redis user may read (the number of shards, and per
 * shard the stream, the dead letters, the count of unfinished jobs; never a job's
 * payload): {@code GET}, then per shard {@code XINFO GROUPS}, {@code XINFO CONSUMERS},
 * {@code XLEN}, {@code GET}, summed over the shards. Redis away or slow: the last reading
 * is dropped, and the page says the queue is unknown.
 */
@Component
class QueueStats {

	// The job keys the gateway's Redis user may read (docker/redis-users.acl), as the
	// jobs module names them (JobKeys; DashboardTests checks they agree): the gateway
	// does not depend on the jobs module, which holds job code.
	static final String SHARDS = "fulcrum:{jobs}:shards";

	static final String STREAM = "stream";

	static final String DEAD_LETTERS = "dead";

	static final String OUTSTANDING = "outstanding";

	static final String GROUP = "workers";

	private static final Duration TIMEOUT = Duration.ofMillis(800);

	/**
	 * A worker counts as active if it took a message within this time. (Redis 7.2 and
	 * newer count a blocking read that found nothing as well, so there an idle worker
	 * counts too; 7.0 counts only reads that delivered.)
	 */
	private static final Duration ALIVE = Duration.ofSeconds(15);

	private final ReactiveStringRedisTemplate redis;

	private final AtomicReference<Reading> latest = new AtomicReference<>();

	QueueStats(ReactiveStringRedisTemplate redis) {
		this.redis = redis;
	}

	/**
	 * What every key of a shard of the queue starts with (the jobs module's
	 * {@code JobShard.prefix()}).
	 * @param shard the shard's number
	 * @return {@code fulcrum:{jobs}:} for the first, {@code fulcrum:{jobs-<n>}:} for the
	 * others
	 */
	static String prefix(int shard) {
		return (shard == 0) ? "fulcrum:{jobs}:" : "fulcrum:{jobs-" + shard + "}:";
	}

	/** Starts a reading; {@link #latest()} has it once it is in. */
	void refresh() {
		this.redis.opsForValue()
			.get(SHARDS)
			.map(Integer::parseInt)
			.defaultIfEmpty(1)
			.flatMapMany((shards) -> Flux.range(0, shards))
			.flatMap(this::read)
			.collectList()
			.map(QueueStats::total)
			.timeout(TIMEOUT)
			.subscribe(this.latest::set, (ex) -> this.latest.set(null));
	}

	private static Reading total(List<Shard> shards) {
		Set<String> workers = new HashSet<>();
		long lag = 0;
		long pending = 0;
		long entriesRead = 0;
		long dead = 0;
		long outstanding = 0;
		for (Shard shard : shards) {
			lag += shard.group().lag();
			pending += shard.group().pending();
			entriesRead += shard.group().entriesRead();
			workers.addAll(shard.workers());
			dead += shard.deadLetters();
			outstanding += shard.outstanding();
		}
		return new Reading(System.nanoTime(), lag, pending, entriesRead, workers.size(), dead, outstanding);
	}

	private Mono<Shard> read(int shard) {
		String stream = prefix(shard) + STREAM;
		// No stream or no group yet (no job ever submitted, no worker ever started):
		// empty.
		Mono<Group> group = this.redis.opsForStream()
			.groups(stream)
			.filter((candidate) -> GROUP.equals(candidate.groupName()))
			.next()
			.map((found) -> new Group(number(found, "lag"), found.pendingCount(), number(found, "entries-read")))
			.onErrorResume(QueueStats::missing, (ex) -> Mono.empty())
			.defaultIfEmpty(Group.NONE);
		Mono<Set<String>> workers = this.redis.opsForStream()
			.consumers(stream, GROUP)
			.filter((consumer) -> consumer.idleTimeMs() < ALIVE.toMillis())
			.map(StreamInfo.XInfoConsumer::consumerName)
			.collect(Collectors.toSet())
			.onErrorResume(QueueStats::missing, (ex) -> Mono.just(Set.of()));
		Mono<Long> dead = this.redis.opsForStream().size(prefix(shard) + DEAD_LETTERS);
		Mono<Long> outstanding = this.redis.opsForValue()
			.get(prefix(shard) + OUTSTANDING)
			.map(Long::parseLong)
			.defaultIfEmpty(0L);
		return Mono.zip(group, workers, dead, outstanding)
			.map((all) -> new Shard(all.getT1(), all.getT2(), all.getT3(), all.getT4()));
	}

	/**
	 * The last reading, or {@code null} if the last attempt failed or none was made.
	 * @return the reading
	 */
	Reading latest() {
		return this.latest.get();
	}

	/** Redis's answer for a stream or a group that does not exist yet. */
	private static boolean missing(Throwable ex) {
		String message = String.valueOf(NestedExceptionUtils.getMostSpecificCause(ex).getMessage());
		return message.contains("no such key") || message.contains("NOGROUP");
	}

	private static long number(StreamInfo.XInfoGroup group, String field) {
		Map<String, Object> raw = group.getRaw();
		Object value = raw.get(field);
		if (value instanceof Number number) {
			return number.longValue();
		}
		return (value != null) ? Long.parseLong(value.toString()) : 0;
	}

	/** One shard's part of a reading. */
	private record Shard(Group group, Set<String> workers, long deadLetters, long outstanding) {

	}

	private record Group(long lag, long pending, long entriesRead) {

		static final Group NONE = new Group(0, 0, 0);

	}

	/**
	 * One reading of the queue.
	 *
	 * @param nanos when it was taken ({@link System#nanoTime()})
	 * @param lag entries not yet delivered to any worker
	 * @param pending entries delivered and not yet acknowledged
	 * @param entriesRead entries the group has read so far (Redis 7)
	 * @param workers workers active in the last 15 s, in any shard
	 * @param deadLetters entries of the dead-letter stream
	 * @param outstanding jobs not yet final (queued, running, waiting to retry)
	 */
	record Reading(long nanos, long lag, long pending, long entriesRead, long workers, long deadLetters,
			long outstanding) {
	}

}
