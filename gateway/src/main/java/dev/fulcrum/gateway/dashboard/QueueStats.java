package dev.fulcrum.gateway.dashboard;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import reactor.core.publisher.Mono;

import org.springframework.core.NestedExceptionUtils;
import org.springframework.data.redis.connection.stream.StreamInfo;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.stereotype.Component;

/**
 * The job queue as the dashboard shows it, read from Redis once a second with read-only
 * commands on the three keys the gateway's Redis user may read (the stream, the dead
 * letters, the count of unfinished jobs; never a job's payload): {@code XINFO GROUPS},
 * {@code XINFO CONSUMERS}, {@code XLEN}, {@code GET}. Redis away or slow: the last
 * reading is dropped, and the page says the queue is unknown.
 */
@Component
class QueueStats {

	// The job keys the gateway's Redis user may read (docker/redis-users.acl), as the
	// jobs module names them (JobKeys; DashboardTests checks they agree): the gateway
	// does not depend on the jobs module, which holds job code.
	static final String STREAM = "fulcrum:{jobs}:stream";

	static final String DEAD_LETTERS = "fulcrum:{jobs}:dead";

	static final String OUTSTANDING = "fulcrum:{jobs}:outstanding";

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

	/** Starts a reading; {@link #latest()} has it once it is in. */
	void refresh() {
		String stream = STREAM;
		// No stream or no group yet (no job ever submitted, no worker ever started):
		// empty.
		Mono<Group> group = this.redis.opsForStream()
			.groups(stream)
			.filter((candidate) -> GROUP.equals(candidate.groupName()))
			.next()
			.map((found) -> new Group(number(found, "lag"), found.pendingCount(), number(found, "entries-read")))
			.onErrorResume(QueueStats::missing, (ex) -> Mono.empty())
			.defaultIfEmpty(Group.NONE);
		Mono<Long> workers = this.redis.opsForStream()
			.consumers(stream, GROUP)
			.filter((consumer) -> consumer.idleTimeMs() < ALIVE.toMillis())
			.count()
			.onErrorResume(QueueStats::missing, (ex) -> Mono.just(0L));
		Mono<Long> dead = this.redis.opsForStream().size(DEAD_LETTERS);
		Mono<Long> outstanding = this.redis.opsForValue().get(OUTSTANDING).map(Long::parseLong).defaultIfEmpty(0L);
		Mono.zip(group, workers, dead, outstanding)
			.map((all) -> new Reading(System.nanoTime(), all.getT1().lag(), all.getT1().pending(),
					all.getT1().entriesRead(), all.getT2(), all.getT3(), all.getT4()))
			.timeout(TIMEOUT)
			.subscribe(this.latest::set, (ex) -> this.latest.set(null));
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
	 * @param workers workers active in the last 15 s
	 * @param deadLetters entries of the dead-letter stream
	 * @param outstanding jobs not yet final (queued, running, waiting to retry)
	 */
	record Reading(long nanos, long lag, long pending, long entriesRead, long workers, long deadLetters,
			long outstanding) {
	}

}
