package dev.fulcrum.api.jobs;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import tools.jackson.databind.json.JsonMapper;

import dev.fulcrum.common.problem.ProblemException;
import dev.fulcrum.common.redis.LuaScripts;
import dev.fulcrum.jobs.JobShard;
import dev.fulcrum.jobs.JobStatus;

import org.springframework.data.domain.Range;
import org.springframework.data.redis.connection.Limit;
import org.springframework.data.redis.connection.stream.MapRecord;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/admin/jobs/dead} (role {@code ADMIN}): the jobs that failed their last
 * attempt, and redrive, which queues one or all of them again with fresh attempts. The
 * dead-letter stream is a log (one per shard of the queue, listed shard by shard, newest
 * first in each); a job is listed while it is still dead.
 */
@RestController
class DeadLetterController {

	private static final RedisScript<Long> REDRIVE = LuaScripts.load("scripts/redrive-job.lua", Long.class);

	/** How far back the log is read. */
	private static final int SCAN = 1000;

	private final StringRedisTemplate redis;

	private final Clock clock;

	private final JsonMapper json = JsonMapper.builder().build();

	private final QueueShards shards;

	DeadLetterController(StringRedisTemplate redis, QueueShards shards, Clock clock) {
		this.redis = redis;
		this.shards = shards;
		this.clock = clock;
	}

	@GetMapping("/api/admin/jobs/dead")
	List<JobView> list(@RequestParam(name = "limit", defaultValue = "50") int limit) {
		if (limit < 1 || limit > 500) {
			throw new ProblemException(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request",
					"limit must be from 1 to 500.");
		}
		List<JobView> dead = new ArrayList<>();
		for (JobShard shard : this.shards.all()) {
			for (String id : deadJobIds(shard)) {
				Map<Object, Object> job = this.redis.opsForHash().entries(shard.job(id));
				if (JobStatus.DEAD.name().equals(job.get("status"))) {
					dead.add(JobView.of(job, this.json));
					if (dead.size() == limit) {
						return dead;
					}
				}
			}
		}
		return dead;
	}

	@PostMapping("/api/admin/jobs/dead/{id}/redrive")
	Map<String, Object> redrive(@PathVariable String id) {
		if (this.shards.all().stream().noneMatch((shard) -> redriveOne(shard, id))) {
			throw new ProblemException(HttpStatus.CONFLICT, "job-not-dead", "Job not dead",
					"Only a dead job can be redriven; this one is not (or no longer exists).");
		}
		return Map.of("redriven", List.of(id));
	}

	@PostMapping("/api/admin/jobs/dead/redrive")
	Map<String, Object> redriveAll() {
		List<String> redriven = new ArrayList<>();
		for (JobShard shard : this.shards.all()) {
			for (String id : deadJobIds(shard)) {
				if (redriveOne(shard, id)) {
					redriven.add(id);
				}
			}
		}
		return Map.of("redriven", redriven);
	}

	private boolean redriveOne(JobShard shard, String id) {
		Long done = this.redis.execute(REDRIVE, List.of(shard.job(id), shard.stream(), shard.outstanding()), id,
				this.clock.instant().toString());
		return done != null && done == 1;
	}

	/** Job ids in a shard's dead-letter log, newest first, each once. */
	private Set<String> deadJobIds(JobShard shard) {
		List<MapRecord<String, Object, Object>> entries = this.redis.opsForStream()
			.reverseRange(shard.deadLetters(), Range.unbounded(), Limit.limit().count(SCAN));
		Set<String> ids = new LinkedHashSet<>();
		if (entries != null) {
			entries.forEach((entry) -> ids.add(String.valueOf(entry.getValue().get("id"))));
		}
		return ids;
	}

}
