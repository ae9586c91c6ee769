package dev.fulcrum.api.jobs;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import jakarta.validation.Valid;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.fulcrum.common.problem.ProblemException;
import dev.fulcrum.jobs.JobStatus;
import dev.fulcrum.token.AccessToken;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/jobs}: submit with an {@code Idempotency-Key}, read one, list one's own,
 * cancel a queued one. Every job belongs to the token's subject; another user's job is
 * answered 404, as if it did not exist.
 */
@RestController
@EnableConfigurationProperties(JobProperties.class)
class JobController {

	/** 1 to 255 printable ASCII characters, as the API contract says. */
	private static final Pattern KEY = Pattern.compile("[\\x20-\\x7E]{1,255}");

	private final JobService jobs;

	private final JsonMapper json = JsonMapper.builder().build();

	JobController(JobService jobs) {
		this.jobs = jobs;
	}

	@PostMapping("/api/jobs")
	ResponseEntity<JsonNode> submit(@AuthenticationPrincipal AccessToken token,
			@RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey,
			@Valid @RequestBody SubmitJobRequest request) {
		JobService.Submission submission = this.jobs.submit(token.subject(), checked(idempotencyKey), request);
		JsonNode body = this.json.readTree(submission.body());
		ResponseEntity.BodyBuilder response = ResponseEntity.status(submission.status())
			.contentType(MediaType.APPLICATION_JSON)
			.location(URI.create("/api/jobs/" + body.get("id").asString()));
		if (submission.replayed()) {
			response.header("Idempotent-Replayed", "true");
		}
		return response.body(body);
	}

	@GetMapping("/api/jobs/{id}")
	JobView get(@AuthenticationPrincipal AccessToken token, @PathVariable String id) {
		return this.jobs.get(token.subject(), id);
	}

	@GetMapping("/api/jobs")
	List<JobView> list(@AuthenticationPrincipal AccessToken token,
			@RequestParam(name = "status", required = false) String status,
			@RequestParam(name = "limit", defaultValue = "20") int limit) {
		if (limit < 1 || limit > 100) {
			throw new ProblemException(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request",
					"limit must be from 1 to 100.");
		}
		return this.jobs.list(token.subject(), status(status), limit);
	}

	@DeleteMapping("/api/jobs/{id}")
	ResponseEntity<Void> cancel(@AuthenticationPrincipal AccessToken token, @PathVariable String id) {
		this.jobs.cancel(token.subject(), id);
		return ResponseEntity.noContent().build();
	}

	private static String checked(String idempotencyKey) {
		if (idempotencyKey == null || idempotencyKey.isEmpty()) {
			throw new ProblemException(HttpStatus.BAD_REQUEST, "idempotency-key-missing", "Idempotency-Key missing",
					"POST /api/jobs needs an Idempotency-Key header (a new UUID per job is a good choice).");
		}
		if (!KEY.matcher(idempotencyKey).matches()) {
			throw new ProblemException(HttpStatus.BAD_REQUEST, "idempotency-key-invalid", "Idempotency-Key invalid",
					"The Idempotency-Key must be 1 to 255 printable ASCII characters.");
		}
		return idempotencyKey;
	}

	private static JobStatus status(String status) {
		if (status == null || status.isEmpty()) {
			return null;
		}
		try {
			return JobStatus.valueOf(status.toUpperCase(Locale.ROOT));
		}
		catch (IllegalArgumentException ex) {
			throw new ProblemException(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request",
					"status must be one of " + List.of(JobStatus.values()) + ".");
		}
	}

}
