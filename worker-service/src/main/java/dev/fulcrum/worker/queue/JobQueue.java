package dev.fulcrum.worker.queue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XTrimArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.models.stream.ClaimedMessages;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.fulcrum.common.InstanceId;
import dev.fulcrum.common.redis.LuaScripts;
import dev.fulcrum.jobs.JobKeys;
import dev.fulcrum.jobs.JobShard;

import org.springframework.core.NestedExceptionUtils;
import org.springframework.data.redis.RedisSystemException;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.connection.stream.ByteRecord;
import org.springframework.data.redis.connection.stream.Consumer;
import org.springframework.data.redis.connection.stream.PendingMessagesSummary;
import org.springframework.data.redis.connection.stream.ReadOffset;
import org.springframework.data.redis.connection.stream.StreamInfo;
import org.springframework.data.redis.connection.stream.StreamOffset;
import org.springframework.data.redis.connection.stream.StreamReadOptions;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.stereotype.Component;

/**
 * The worker's side of the queue in Redis: reading, claiming, completing, failing,
 * retrying, reclaiming and heartbeats, each on one shard of the queue ({@link JobShard}).
 * Every state change is one Lua script on one shard's keys, so a crash at any point
 * leaves a job either untouched or fully moved.
 */
@Component
class JobQueue {

	private static final Log logger = LogFactory.getLog(JobQueue.class);

	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> CLAIM = LuaScripts.load("scripts/claim-jobs.lua", List.class);

	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> COMPLETE = LuaScripts.load("scripts/complete-jobs.lua", List.class);

	private static final RedisScript<String> FAIL = LuaScripts.load("scripts/fail-job.lua", String.class);

	private static final RedisScript<Long> REQUEUE = LuaScripts.load("scripts/requeue-job.lua", Long.class);

	private static final byte[] GROUP = bytes(JobKeys.GROUP);

	private static final byte[] ID = bytes("id");

	/**
	 * Bounds a command sent through Lettuce directly when the connection factory tells no
	 * command timeout of its own ({@code spring.data.redis.timeout}).
	 */
	private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

	private final StringRedisTemplate redis;

	private final WorkerProperties properties;

	private final String consumer;

	private final Clock clock;

	private final JsonMapper json = JsonMapper.builder().build();

	private final Duration readBlock;

	private final RedisConnectionFactory factory;

	private final byte[] consumerBytes;

	private final Consumer group;

	private final byte[] retentionMillis;

	private final Duration timeout;

	JobQueue(StringRedisTemplate redis, WorkerProperties properties, InstanceId instanceId) {
		this.redis = redis;
		this.factory = redis.getRequiredConnectionFactory();
		this.properties = properties;
		this.consumer = instanceId.value();
		this.consumerBytes = bytes(this.consumer);
		this.group = Consumer.from(JobKeys.GROUP, this.consumer);
		this.retentionMillis = bytes(String.valueOf(properties.retention().toMillis()));
		this.clock = Clock.systemUTC();
		this.readBlock = readBlock(properties.readBlock(), redis);
		this.timeout = (this.factory instanceof LettuceConnectionFactory lettuce)
				? lettuce.getClientConfiguration().getCommandTimeout() : DEFAULT_TIMEOUT;
	}

	/**
	 * A blocking read must return before the Redis command timeout
	 * ({@code spring.data.redis.timeout}), or every idle read ends in a timeout error:
	 * the wait is kept half a second shorter.
	 */
	private static Duration readBlock(Duration configured, StringRedisTemplate redis) {
		if (redis.getConnectionFactory() instanceof LettuceConnectionFactory lettuce) {
			Duration limit = lettuce.getClientConfiguration().getCommandTimeout().minusMillis(500);
			if (configured.compareTo(limit) > 0) {
				Duration shorter = limit.isNegative() || limit.isZero() ? Duration.ofMillis(100) : limit;
				logger.warn("fulcrum.worker.read-block " + configured
						+ " is not shorter than the Redis command timeout; " + "reads wait " + shorter + " instead");
				return shorter;
			}
		}
		return configured;
	}

	String consumer() {
		return this.consumer;
	}

	/**
	 * Creates a shard's stream and consumer group unless they exist.
	 * @param shard the shard
	 */
	void ensureGroup(JobShard shard) {
		try {
			this.redis.execute((RedisCallback<Object>) (connection) -> connection.streamCommands()
				.xGroupCreate(bytes(shard.stream()), JobKeys.GROUP, ReadOffset.from("0"), true));
		}
		catch (RedisSystemException ex) {
			// Another worker created it first: fine. (The reason is in the cause; the
			// exception's own message is a generic "Error in execution".)
			String reason = NestedExceptionUtils.getMostSpecificCause(ex).getMessage();
			if (reason == null || !reason.contains("BUSYGROUP")) {
				throw ex;
			}
		}
	}

	/**
	 * Reads messages of a shard's stream for this consumer.
	 * @param shard the shard
	 * @param count at most this many
	 * @param pendingAfter read this consumer's own unacknowledged messages after this id
	 * (after a restart), or {@code null} for new messages (waiting up to
	 * {@code readBlock})
	 * @return the deliveries
	 */
	List<Delivery> read(JobShard shard, int count, String pendingAfter) {
		return read(shard, count, pendingAfter, true);
	}

	/**
	 * Reads messages of a shard's stream for this consumer, without waiting for new ones.
	 * @param shard the shard
	 * @param count at most this many
	 * @return the deliveries, none if nothing waits
	 */
	List<Delivery> readWaiting(JobShard shard, int count) {
		return read(shard, count, null, false);
	}

	private List<Delivery> read(JobShard shard, int count, String pendingAfter, boolean block) {
		StreamReadOptions options = StreamReadOptions.empty().count(count);
		if (pendingAfter == null && block) {
			options = options.block(this.readBlock);
		}
		ReadOffset offset = (pendingAfter != null) ? ReadOffset.from(pendingAfter) : ReadOffset.lastConsumed();
		List<ByteRecord> records;
		// A blocking read gets a connection of its own from the pool (it would hold up
		// every other command on the shared one), given back when this one closes.
		try (RedisConnection connection = this.factory.getConnection()) {
			records = connection.streamCommands()
				.xReadGroup(this.group, options, StreamOffset.create(bytes(shard.stream()), offset));
		}
		List<Delivery> deliveries = new ArrayList<>();
		if (records != null) {
			for (ByteRecord record : records) {
				deliveries.add(new Delivery(shard, record.getId().getValue(), jobId(record.getValue())));
			}
		}
		return deliveries;
	}

	/**
	 * Takes a batch of delivered jobs, or acknowledges the deliveries that must not run,
	 * in one script for the whole batch.
	 * @param deliveries the deliveries, all of one shard (as one read brings them)
	 * @return per delivery in order, the job to run, or {@code null}
	 */
	List<Claim> claim(List<Delivery> deliveries) {
		JobShard shard = deliveries.getFirst().shard();
		byte[][] keys = new byte[2 + deliveries.size()][];
		byte[][] args = new byte[4 + deliveries.size()][];
		keys[0] = bytes(shard.stream());
		keys[1] = bytes(shard.outstanding());
		args[0] = this.consumerBytes;
		args[1] = bytes(now());
		args[2] = GROUP;
		args[3] = this.retentionMillis;
		for (int i = 0; i < deliveries.size(); i++) {
			if (!deliveries.get(i).shard().equals(shard)) {
				throw new IllegalArgumentException("A claim is of one shard's deliveries");
			}
			keys[2 + i] = bytes(shard.job(deliveries.get(i).jobId()));
			args[4 + i] = bytes(deliveries.get(i).messageId());
		}
		List<?> answers = script(CLAIM, keys, args);
		List<Claim> claims = new ArrayList<>(deliveries.size());
		for (int i = 0; i < deliveries.size(); i++) {
			List<?> answer = (List<?>) answers.get(i);
			claims
				.add("run".equals(text(answer.get(0)))
						? new Claim(deliveries.get(i), text(answer.get(2)), this.json.readTree(text(answer.get(3))),
								text(answer.get(4)), Integer.parseInt(text(answer.get(1))), text(answer.get(5)))
						: null);
		}
		return claims;
	}

	/**
	 * Records a batch of successes, in one script per shard.
	 * @param finished the finished jobs and their results
	 * @return per job in order, {@code done}, or {@code stale} if another worker has
	 * taken the job over
	 */
	List<String> complete(List<Finished> finished) {
		Map<JobShard, List<Integer>> byShard = new LinkedHashMap<>();
		for (int i = 0; i < finished.size(); i++) {
			byShard.computeIfAbsent(finished.get(i).delivery().shard(), (shard) -> new ArrayList<>()).add(i);
		}
		if (byShard.size() == 1) {
			return completeInShard(finished.getFirst().delivery().shard(), finished);
		}
		String[] outcomes = new String[finished.size()];
		byShard.forEach((shard, positions) -> {
			List<String> answers = completeInShard(shard, positions.stream().map(finished::get).toList());
			for (int i = 0; i < positions.size(); i++) {
				outcomes[positions.get(i)] = answers.get(i);
			}
		});
		return List.of(outcomes);
	}

	private List<String> completeInShard(JobShard shard, List<Finished> finished) {
		byte[][] keys = new byte[2 + finished.size()][];
		byte[][] args = new byte[4 + 2 * finished.size()][];
		keys[0] = bytes(shard.stream());
		keys[1] = bytes(shard.outstanding());
		args[0] = this.consumerBytes;
		args[1] = bytes(now());
		args[2] = this.retentionMillis;
		args[3] = GROUP;
		for (int i = 0; i < finished.size(); i++) {
			Finished job = finished.get(i);
			keys[2 + i] = bytes(shard.job(job.delivery().jobId()));
			args[4 + 2 * i] = bytes(job.delivery().messageId());
			args[5 + 2 * i] = bytes(job.result());
		}
		List<?> answers = script(COMPLETE, keys, args);
		List<String> outcomes = new ArrayList<>(answers.size());
		for (Object answer : answers) {
			outcomes.add(text(answer));
		}
		return outcomes;
	}

	/**
	 * Runs a script by its SHA-1, sending its text only if Redis does not have it yet (a
	 * restarted Redis, or the first call).
	 */
	private List<?> script(RedisScript<?> script, byte[][] keys, byte[][] args) {
		try {
			return lettuce((commands) -> commands.evalsha(script.getSha1(), ScriptOutputType.MULTI, keys, args));
		}
		catch (RedisSystemException ex) {
			if (!(ex.getCause() instanceof ExecutionException failed
					&& failed.getCause() instanceof RedisNoScriptException)) {
				throw ex;
			}
			return lettuce((commands) -> commands.eval(script.getScriptAsString(), ScriptOutputType.MULTI, keys, args));
		}
	}

	/**
	 * Records a failed attempt.
	 * @param retryAtMillis when to retry, if attempts remain
	 * @return {@code retrying}, {@code dead}, or {@code stale}
	 */
	String fail(Delivery delivery, String error, long retryAtMillis) {
		return fail(delivery, error, retryAtMillis, this.properties.maxAttempts());
	}

	/**
	 * Records a failed attempt that no retry could mend (its result is over the cap): the
	 * job is dead at once.
	 * @return {@code dead}, or {@code stale}
	 */
	String failFinally(Delivery delivery, String error) {
		return fail(delivery, error, 0, 1);
	}

	private String fail(Delivery delivery, String error, long retryAtMillis, int maxAttempts) {
		JobShard shard = delivery.shard();
		return this.redis.execute(FAIL,
				List.of(shard.job(delivery.jobId()), shard.stream(), shard.outstanding(), shard.retries(),
						shard.deadLetters()),
				delivery.messageId(), this.consumer, error, now(), String.valueOf(retryAtMillis),
				String.valueOf(maxAttempts), String.valueOf(this.properties.retention().toMillis()), JobKeys.GROUP);
	}

	/**
	 * Queues again a shard's jobs whose retry is due.
	 * @param shard the shard
	 * @return how many this worker queued
	 */
	int requeueDue(JobShard shard) {
		var due = this.redis.opsForZSet()
			.rangeByScore(shard.retries(), Double.NEGATIVE_INFINITY, this.clock.millis(), 0, 100);
		int queued = 0;
		if (due != null) {
			for (String id : due) {
				Long done = this.redis.execute(REQUEUE, List.of(shard.job(id), shard.retries(), shard.stream()), id,
						now());
				queued += (done != null) ? done.intValue() : 0;
			}
		}
		return queued;
	}

	/**
	 * The count of jobs not yet final in some shards: queued, running or waiting to
	 * retry.
	 * @param shards the shards
	 * @return the count, 0 when none
	 */
	long outstanding(Collection<JobShard> shards) {
		long sum = 0;
		for (JobShard shard : shards) {
			byte[] count = lettuce((commands) -> commands.get(bytes(shard.outstanding())));
			sum += (count != null) ? Long.parseLong(text(count)) : 0;
		}
		return sum;
	}

	/**
	 * How many shards the api-services have ever used, as they recorded it; 1 when none
	 * did.
	 * @return the number recorded
	 */
	int recordedShards() {
		byte[] count = lettuce((commands) -> commands.get(bytes(JobKeys.shards())));
		return (count != null) ? Integer.parseInt(text(count)) : 1;
	}

	/**
	 * Takes over messages that another consumer has held longer than the visibility
	 * timeout without a heartbeat ({@code XAUTOCLAIM}; Spring Data Redis has no method
	 * for it, so Lettuce's is used).
	 * @param shard the shard whose stream is looked at
	 * @param count at most this many
	 * @return the deliveries now held by this consumer
	 */
	List<Delivery> reclaim(JobShard shard, int count) {
		ClaimedMessages<byte[], byte[]> claimed = lettuce((commands) -> commands.xautoclaim(bytes(shard.stream()),
				XAutoClaimArgs.Builder
					.xautoclaim(io.lettuce.core.Consumer.from(bytes(JobKeys.GROUP), bytes(this.consumer)),
							this.properties.visibilityTimeout(), "0-0")
					.count(count)));
		List<Delivery> deliveries = new ArrayList<>();
		for (StreamMessage<byte[], byte[]> message : claimed.getMessages()) {
			deliveries.add(new Delivery(shard, message.getId(), jobId(message.getBody())));
		}
		return deliveries;
	}

	/**
	 * Touches the messages of running jobs, resetting their idle time, so that no other
	 * worker takes them over while this one is alive ({@code XCLAIM ... JUSTID}), one
	 * command per shard.
	 * @param deliveries the messages
	 */
	void heartbeat(Collection<Delivery> deliveries) {
		Map<JobShard, List<String>> byShard = new LinkedHashMap<>();
		deliveries.forEach((delivery) -> byShard.computeIfAbsent(delivery.shard(), (shard) -> new ArrayList<>())
			.add(delivery.messageId()));
		byShard.forEach((shard,
				messageIds) -> lettuce((commands) -> commands.xclaim(bytes(shard.stream()),
						io.lettuce.core.Consumer.from(bytes(JobKeys.GROUP), bytes(this.consumer)),
						XClaimArgs.Builder.justid().minIdleTime(0), messageIds.toArray(new String[0]))));
	}

	/**
	 * Runs one command on the connection factory's shared connection, through Lettuce and
	 * no RedisTemplate: the template wraps every call in a connection proxy and
	 * transaction-synchronisation lookups, which JFR put at a quarter of a worker's Java
	 * samples at a steady job rate (docs/benchmarks.md, "Job drain").
	 */
	@SuppressWarnings("unchecked")
	private <T> T lettuce(Function<RedisClusterAsyncCommands<byte[], byte[]>, RedisFuture<T>> command) {
		try (RedisConnection connection = this.factory.getConnection()) {
			var commands = (RedisClusterAsyncCommands<byte[], byte[]>) connection.getNativeConnection();
			return command.apply(commands).get(this.timeout.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted", ex);
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new RedisSystemException("Redis command failed: " + ex.getMessage(), ex);
		}
	}

	/**
	 * Trims the job stream up to the oldest entry still needed: everything before the
	 * oldest unacknowledged message and before the group's last delivered one has been
	 * delivered and acknowledged, so no worker can need it again. The dead-letter stream
	 * keeps its newest 10 000 entries. Nothing grows forever.
	 * @param shard the shard whose streams are trimmed
	 */
	void trim(JobShard shard) {
		StreamInfo.XInfoGroups groups = this.redis.opsForStream().groups(shard.stream());
		String lastDelivered = groups.stream()
			.filter((group) -> JobKeys.GROUP.equals(group.groupName()))
			.map(StreamInfo.XInfoGroup::lastDeliveredId)
			.findFirst()
			.orElse(null);
		if (lastDelivered == null) {
			return;
		}
		PendingMessagesSummary pending = this.redis.opsForStream().pending(shard.stream(), JobKeys.GROUP);
		String keepFrom = lastDelivered;
		if (pending != null && pending.getTotalPendingMessages() > 0) {
			keepFrom = pending.minMessageId();
		}
		String minId = keepFrom;
		lettuce((commands) -> commands.xtrim(bytes(shard.stream()), XTrimArgs.Builder.minId(minId)));
		lettuce((commands) -> commands.xtrim(bytes(shard.deadLetters()), true, 10_000));
	}

	/**
	 * The job a stream entry names, or {@code ""} for an entry that names none: its claim
	 * then finds no job and acknowledges it, rather than leave it pending forever.
	 */
	private static String jobId(Map<byte[], byte[]> fields) {
		for (Map.Entry<byte[], byte[]> field : fields.entrySet()) {
			if (Arrays.equals(ID, field.getKey())) {
				return text(field.getValue());
			}
		}
		return "";
	}

	private String now() {
		return this.clock.instant().toString();
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static String text(Object value) {
		return (value instanceof byte[] raw) ? new String(raw, StandardCharsets.UTF_8) : String.valueOf(value);
	}

	/**
	 * A job this worker holds.
	 *
	 * @param delivery its message
	 * @param type its type
	 * @param payload its payload
	 * @param idempotencyKey the key it was submitted with
	 * @param attempt this attempt's number
	 * @param traceParent the submission's W3C {@code traceparent}, empty if it had none
	 */
	record Claim(Delivery delivery, String type, JsonNode payload, String idempotencyKey, int attempt,
			String traceParent) {
	}

	/**
	 * A job that ran to success.
	 *
	 * @param delivery its message
	 * @param result what it returned, JSON
	 */
	record Finished(Delivery delivery, String result) {
	}

}
