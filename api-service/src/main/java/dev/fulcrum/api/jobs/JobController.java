package dev.fulcrum.api.jobs;

import java.net.URI;
import java.util.List;
import java.util.Locale;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.fulcrum.api.idempotency.Idempotency;
import dev.fulcrum.api.idempotency.IdempotencyKey;
import dev.fulcrum.api.idempotency.RequestBodies;
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
 * {@code /api/jobs}: submit (with an {@code Idempotency-Key}, or without one as the
 * route's idempotency mode allows), read one, list one's own, cancel a queued one. Every
 * job belongs to the token's subject; another user's job is answered 404, as if it did
 * not exist.
 */
@RestController
@EnableConfigurationProperties(JobProperties.class)
class JobController {

	private final JobService jobs;

	private final JsonMapper json = JsonMapper.builder().build();

	JobController(JobService jobs) {
		this.jobs = jobs;
	}

	@PostMapping("/api/jobs")
	@Operation(summary = "Submit a job",
			description = "Queues a job and answers 202 at once. Idempotency follows the IETF Idempotency-Key draft "
					+ "per user: the same key and request again replays the first response with "
					+ "Idempotent-Replayed: true; the same key with another request is a 422. Without a key, the "
					+ "route's idempotency mode decides: required (the default) answers 400; content derives a key "
					+ "from the user, method, path and canonical JSON body, valid for a window (5 minutes by "
					+ "default), and returns it in the Idempotency-Key response header; optional makes a new job "
					+ "every time. docs/jobs.md#idempotency-modes")
	@ApiResponse(responseCode = "202", description = "Queued, or the first response replayed",
			headers = {
					@Header(name = "Idempotent-Replayed",
							description = "true when this is the first response to the same key and request, "
									+ "replayed",
							schema = @Schema(type = "string", allowableValues = "true")),
					@Header(name = "Idempotency-Key",
							description = "In content mode without a sent key: the key the server derived, "
									+ "content-sha256: and 64 hex digits; a client may send it back as its own",
							schema = @Schema(type = "string")) },
			content = @Content(mediaType = "application/json", schema = @Schema(implementation = JobView.class)))
	ResponseEntity<JsonNode> submit(@AuthenticationPrincipal AccessToken token,
			@Parameter(in = ParameterIn.HEADER, name = "Idempotency-Key",
					description = "1 to 255 printable ASCII characters, a new UUID per job is a good choice. Required "
							+ "in the route's default mode (required); optional in content and optional modes, "
							+ "where a sent key still wins.",
					schema = @Schema(type = "string", minLength = 1, maxLength = 255)) @RequestHeader(
							name = "Idempotency-Key", required = false) String idempotencyKey,
			@Valid @RequestBody SubmitJobRequest request, HttpServletRequest http) {
		JobService.Submission submission = this.jobs.submit(token.subject(), request,
				new Idempotency.Request(Idempotency.JOBS, token.subject(), http.getMethod(), http.getRequestURI(),
						http.getQueryString(), idempotencyKey, () -> RequestBodies.of(http, this.json)));
		JsonNode body = this.json.readTree(submission.body());
		ResponseEntity.BodyBuilder response = ResponseEntity.status(submission.status())
			.contentType(MediaType.APPLICATION_JSON)
			.location(URI.create("/api/jobs/" + body.get("id").asString()));
		if (submission.replayed()) {
			response.header("Idempotent-Replayed", "true");
		}
		if (submission.key().source() == IdempotencyKey.Source.DERIVED) {
			// Which key the server derived: the client may send it back as its own.
			response.header("Idempotency-Key", submission.key().value());
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
