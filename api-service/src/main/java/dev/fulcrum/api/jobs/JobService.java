package dev.fulcrum.api.jobs;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.NullNode;

import dev.fulcrum.api.idempotency.Idempotency;
import dev.fulcrum.api.idempotency.IdempotencyKey;
import dev.fulcrum.common.problem.ProblemException;
import dev.fulcrum.common.redis.LuaScripts;
import dev.fulcrum.jobs.JobKeys;
import dev.fulcrum.jobs.JobShard;
import dev.fulcrum.jobs.JobStatus;
import dev.fulcrum.jobs.JobType;
import dev.fulcrum.jobs.JobTypes;

import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * Submits, reads, lists and cancels jobs, following the IETF Idempotency-Key draft per
 * user: the first request with a key, sent or derived from its content by the route's
 * mode ({@link Idempotency}), is recorded together with its job in one atomic script; the
 * same key with the same request replays that first response; with another request it is
 * a 422. In {@code optional} mode without a key nothing is recorded. Because recording
 * and queueing are one step, there is no moment when a first request is "still being
 * handled" and a second one would need a 409.
 */
@Service
class JobService {

	@SuppressWarnings("rawtypes")
	private static final RedisScript<List> SUBMIT = LuaScripts.load("scripts/submit-job.lua", List.class);

	private static final RedisScript<String> CANCEL = LuaScripts.load("scripts/cancel-job.lua", String.class);

	private final StringRedisTemplate redis;

	private final JobProperties properties;

	private final JsonMapper json;

	private final Clock clock;

	private final Tracer tracer;

	private final Propagator propagator;

	private final QueueShards shards;

	private final Idempotency idempotency;

	private final IdempotencyRecords records;

	JobService(StringRedisTemplate redis, JobProperties properties, QueueShards shards, Idempotency idempotency,
			IdempotencyRecords records, Clock clock, Tracer tracer, Propagator propagator) {
		this.redis = redis;
		this.idempotency = idempotency;
		this.records = records;
		this.shards = shards;
		this.properties = properties;
		this.clock = clock;
		this.tracer = tracer;
		this.propagator = propagator;
		this.json = JsonMapper.builder().build();
	}

	Submission submit(String user, SubmitJobRequest request, Idempotency.Request keyed) {
		JsonNode payload = (request.payload() != null) ? request.payload() : NullNode.getInstance();
		// The key's form first, then the body, then Redis: an invalid request gets its
		// 400
		// or 413 even with a key used before.
		IdempotencyKey key = this.idempotency.resolve(keyed, this.properties.idempotencyTtl());
		JobType type = validate(request.type(), payload);
		String id = UUID.randomUUID().toString();
		Instant now = this.clock.instant();
		String body = this.json.writeValueAsString(new JobView(id, type.name(), JobStatus.QUEUED.name(), 0, null, null,
				now.toString(), now.toString(), null));
		JobShard shard = this.shards.of(user);
		List<?> answer = this.redis.execute(SUBMIT,
				List.of(shard.idempotency(user, key.value()), shard.job(id), shard.stream(), shard.outstanding(),
						shard.userJobs(user), shard.userOpenJobs(user), shard.idempotencyCounts(recordsOf(key)),
						shard.idempotencySample(recordsOf(key))),
				fingerprint(type.name(), payload), id, user, type.name(), this.json.writeValueAsString(payload),
				now.toString(), String.valueOf(now.toEpochMilli()), String.valueOf(key.ttl().toMillis()),
				String.valueOf(this.properties.highWatermark()), body, key.value(),
				String.valueOf(this.properties.maxUnfinishedPerUser()),
				String.valueOf(this.properties.maxKeptPerUser()), traceParent(),
				String.valueOf(this.shards.outstandingElsewhere(shard)), key.source().tag(),
				String.valueOf(this.records.bucketMillis(IdempotencyKey.Source.SENT)),
				String.valueOf(this.records.bucketMillis(IdempotencyKey.Source.DERIVED)));
		String outcome = (String) answer.get(0);
		this.idempotency.count(key, switch (outcome) {
			case "created", "mismatch" -> outcome;
			case "replay" -> "replayed";
			default -> "refused";
		});
		return switch (outcome) {
			case "created" -> new Submission(202, body, false, key);
			case "replay" ->
				new Submission(Integer.parseInt((String) answer.get(1)), (String) answer.get(2), true, key);
			case "mismatch" -> throw new ProblemException(HttpStatus.UNPROCESSABLE_CONTENT, "idempotency-key-reused",
					"Idempotency key reused",
					"This Idempotency-Key was already used with a different request; use a new key for a new job.");
			case "busy" -> throw new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, "queue-full", "Queue full",
					"Too much work is waiting; nothing was stored. Retry later with the same Idempotency-Key.")
				.withHeader(HttpHeaders.RETRY_AFTER, String.valueOf(this.properties.retryAfter().toSeconds()));
			case "quota" -> throw new ProblemException(HttpStatus.TOO_MANY_REQUESTS, "too-many-unfinished-jobs",
					"Too many unfinished jobs",
					"You have " + this.properties.maxUnfinishedPerUser()
							+ " jobs queued, running or waiting to retry, the most one user may have; nothing was "
							+ "stored. Retry with the same Idempotency-Key once some have finished.")
				.withHeader(HttpHeaders.RETRY_AFTER, String.valueOf(this.properties.retryAfter().toSeconds()));
			default -> throw new IllegalStateException("unexpected answer " + answer);
		};
	}

	/**
	 * One of the user's jobs, from the user's shard; should the number of shards have
	 * changed since it was submitted, from whichever shard holds it.
	 */
	JobView get(String user, String id) {
		JobShard home = this.shards.of(user);
		Map<Object, Object> job = this.redis.opsForHash().entries(home.job(id));
		if (job.isEmpty()) {
			for (JobShard shard : this.shards.all()) {
				if (shard.index() != home.index()) {
					job = this.redis.opsForHash().entries(shard.job(id));
					if (!job.isEmpty()) {
						break;
					}
				}
			}
		}
		if (job.isEmpty() || !user.equals(job.get("user"))) {
			throw notFound();
		}
		return JobView.of(job, this.json);
	}

	/**
	 * The user's jobs, newest first, from the index that holds exactly what is asked for:
	 * all of them, the unfinished ones, or those of one final status. The Redis work is
	 * bounded whatever the user's history: one range read and one pipelined read of the
	 * jobs per page, at most two pages (a second only when the first held jobs expired
	 * since), or for an unfinished status the user's unfinished jobs, which the quota
	 * bounds.
	 */
	List<JobView> list(String user, JobStatus status, int limit) {
		JobShard shard = this.shards.of(user);
		if (status == null) {
			return listFinal(shard, shard.userJobs(user), limit);
		}
		if (status.isFinal()) {
			return listFinal(shard, shard.userFinalJobs(user, status), limit);
		}
		String open = shard.userOpenJobs(user);
		Set<String> ids = this.redis.opsForZSet().reverseRange(open, 0, this.properties.maxUnfinishedPerUser() - 1);
		List<JobView> jobs = new ArrayList<>();
		for (Map<Object, Object> job : read(shard, ids)) {
			if (status.name().equals(job.get("status")) && jobs.size() < limit) {
				jobs.add(JobView.of(job, this.json));
			}
		}
		return jobs;
	}

	/** Reads an index of jobs that may expire, forgetting those that have. */
	private List<JobView> listFinal(JobShard shard, String index, int limit) {
		List<JobView> jobs = new ArrayList<>();
		long start = 0;
		for (int round = 0; round < 2 && jobs.size() < limit; round++) {
			Set<String> page = this.redis.opsForZSet().reverseRange(index, start, start + limit - 1);
			if (page == null || page.isEmpty()) {
				break;
			}
			List<String> ids = new ArrayList<>(page);
			List<Map<Object, Object>> read = read(shard, ids);
			List<String> expired = new ArrayList<>();
			for (int i = 0; i < ids.size(); i++) {
				Map<Object, Object> job = read.get(i);
				if (job.isEmpty()) {
					expired.add(ids.get(i));
				}
				else if (jobs.size() < limit) {
					jobs.add(JobView.of(job, this.json));
				}
			}
			if (expired.isEmpty()) {
				break;
			}
			this.redis.opsForZSet().remove(index, expired.toArray());
			start += ids.size() - expired.size();
		}
		return jobs;
	}

	/** The jobs, in order, in one pipelined round trip; an empty map for one gone. */
	@SuppressWarnings("unchecked")
	private List<Map<Object, Object>> read(JobShard shard, Collection<String> ids) {
		if (ids == null || ids.isEmpty()) {
			return List.of();
		}
		List<Object> jobs = this.redis.executePipelined((RedisCallback<Object>) (connection) -> {
			for (String id : ids) {
				connection.hashCommands().hGetAll(shard.job(id).getBytes(StandardCharsets.UTF_8));
			}
			return null;
		});
		return jobs.stream().map((job) -> (Map<Object, Object>) job).toList();
	}

	void cancel(String user, String id) {
		JobShard shard = this.shards.of(user);
		String outcome = this.redis.execute(CANCEL, List.of(shard.job(id), shard.outstanding(), shard.userJobs(user)),
				user, this.clock.instant().toString(), String.valueOf(this.properties.retention().toMillis()), id);
		if ("not-found".equals(outcome)) {
			throw notFound();
		}
		if (!"cancelled".equals(outcome)) {
			throw new ProblemException(HttpStatus.CONFLICT, "job-not-queued", "Job not queued",
					"Only a queued job can be cancelled; this one is " + outcome + ".");
		}
	}

	private JobType validate(String typeName, JsonNode payload) {
		JobType type = JobTypes.find(typeName);
		if (type == null) {
			throw new ProblemException(HttpStatus.BAD_REQUEST, "unknown-job-type", "Unknown job type",
					"'" + typeName + "' is not a job type; known types: " + JobTypes.names() + ".");
		}
		int bytes = this.json.writeValueAsBytes(payload).length;
		if (bytes > this.properties.maxPayloadBytes()) {
			// No retry mends this: 413 (Content Too Large), not a 429.
			throw new ProblemException(HttpStatus.CONTENT_TOO_LARGE, "payload-too-large", "Payload too large",
					"The payload is " + bytes + " bytes of JSON (UTF-8); a job's payload may have at most "
							+ this.properties.maxPayloadBytes() + ".");
		}
		List<JobType.PayloadError> errors = new ArrayList<>(type.validate(payload));
		if (!errors.isEmpty()) {
			ProblemException problem = new ProblemException(HttpStatus.BAD_REQUEST, "invalid-payload",
					"Invalid payload", "The payload does not fit job type '" + type.name() + "'.");
			problem.getBody()
				.setProperty("errors",
						errors.stream().map((e) -> Map.of("field", e.field(), "message", e.message())).toList());
			throw problem;
		}
		return type;
	}

	/**
	 * The W3C {@code traceparent} of the submission's span, kept with the job so that the
	 * worker's span for it continues the trace across the queue (docs/tracing.md); empty
	 * outside a span.
	 */
	private String traceParent() {
		Span span = this.tracer.currentSpan();
		if (span == null) {
			return "";
		}
		Map<String, String> carrier = new HashMap<>(4);
		this.propagator.inject(span.context(), carrier, Map::put);
		return carrier.getOrDefault(JobKeys.TRACE_PARENT, "");
	}

	/** The source a key's record is counted under; a job without a key has no record. */
	private static String recordsOf(IdempotencyKey key) {
		return (key.source() == IdempotencyKey.Source.NONE) ? IdempotencyKey.Source.SENT.tag() : key.source().tag();
	}

	private String fingerprint(String type, JsonNode payload) {
		return JobKeys.sha256(Idempotency.canonicalJson(Map.of("type", type, "payload", payload)));
	}

	private static ProblemException notFound() {
		return new ProblemException(HttpStatus.NOT_FOUND, "job-not-found", "Job not found",
				"You have no job with this id.");
	}

	/**
	 * The response to a submission.
	 *
	 * @param status the status, 202 unless a replay says otherwise
	 * @param body the body, JSON
	 * @param replayed whether it is the recorded first response
	 * @param key the request's idempotency key
	 */
	record Submission(int status, String body, boolean replayed, IdempotencyKey key) {
	}

}
