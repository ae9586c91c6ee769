package dev.fulcrum.common.problem;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.core.NestedExceptionUtils;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.validation.FieldError;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Turns every exception of a servlet service into a problem: Spring MVC's own (404, 405,
 * 415, unreadable body, failed validation with a list of field errors),
 * {@link ProblemException}s, and, last, anything unexpected as a plain 500 with no
 * internals.
 */
@RestControllerAdvice
public class ProblemExceptionHandler extends ResponseEntityExceptionHandler {

	private static final Log logger = LogFactory.getLog(ProblemExceptionHandler.class);

	/**
	 * What a Redis Cluster node answers to a script that reads a key it does not declare
	 * (one it derives, as the submission script derives an old job's key) while the slot
	 * moves to another master, after that key has moved: the script fails there (the
	 * submission script before any write) and runs once the move is over.
	 */
	static final String NON_LOCAL_KEY = "ERR Script attempted to access a non local key";

	/** Redis's error replies that mean "not now", not "not this". */
	private static final List<String> TRANSIENT_REPLIES = List.of("READONLY ", "LOADING ", "MASTERDOWN ", "TRYAGAIN ",
			"CLUSTERDOWN ", NON_LOCAL_KEY);

	@ExceptionHandler(ProblemException.class)
	ResponseEntity<Object> handleProblem(ProblemException ex, WebRequest request) {
		return handleExceptionInternal(ex, ex.getBody(), ex.getHeaders(), ex.getStatusCode(), request);
	}

	/**
	 * Redis (or another store) is down, slow, failing over, or lost the connection under
	 * the command: the client may retry. A write that timed out or whose connection broke
	 * may have run; a retry with the same Idempotency-Key settles it. As any 503 problem
	 * with {@code Retry-After}, the gateway passes it on as backpressure: every replica
	 * shares the store, so no instance is to blame.
	 */
	@ExceptionHandler({ DataAccessResourceFailureException.class, TransientDataAccessException.class })
	ResponseEntity<Object> handleUnavailable(Exception ex, WebRequest request) {
		logger.warn("Data store unavailable: " + NestedExceptionUtils.getMostSpecificCause(ex).getMessage());
		ProblemDetail problem = Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "unavailable", "Service unavailable",
				"A data store did not answer; retry shortly.");
		HttpHeaders headers = new HttpHeaders();
		headers.set(HttpHeaders.RETRY_AFTER, "1");
		return handleExceptionInternal(ex, problem, headers, HttpStatus.SERVICE_UNAVAILABLE, request);
	}

	/**
	 * Redis is full ({@code maxmemory} with {@code noeviction}: it refuses writes with
	 * {@code OOM}): nothing was stored, and the client may retry once memory frees. A
	 * connection that broke under the command, or a Redis that cannot serve it for now,
	 * is unavailable as above. Anything else of the kind is unexpected.
	 */
	@ExceptionHandler(DataAccessException.class)
	ResponseEntity<Object> handleDataAccess(DataAccessException ex, WebRequest request) {
		if (isUnavailable(ex)) {
			return handleUnavailable(ex, request);
		}
		if (!isOutOfMemory(ex)) {
			return handleUnexpected(ex, request);
		}
		logger.warn("Data store full: " + ex.getMostSpecificCause().getMessage());
		ProblemDetail problem = Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "store-full", "Data store full",
				"The data store is full and refused to record this; nothing was changed. Retry later.");
		HttpHeaders headers = new HttpHeaders();
		headers.set(HttpHeaders.RETRY_AFTER, "5");
		return handleExceptionInternal(ex, problem, headers, HttpStatus.SERVICE_UNAVAILABLE, request);
	}

	/**
	 * Whether the command failed because Redis could not be reached or cannot serve for
	 * the moment, not because of the command: the connection broke under it (reset or
	 * closed, as when the master stops in a failover; Spring Data Redis reports it as a
	 * plain {@code RedisSystemException}), or Redis answered with one of the errors of a
	 * failover, a start or a slot's move ({@code READONLY}, {@code LOADING},
	 * {@code MASTERDOWN}, {@code TRYAGAIN}, {@code CLUSTERDOWN}, a non-local key). As
	 * after a timeout, the command may or may not have run; a retry with the same
	 * Idempotency-Key tells.
	 */
	static boolean isUnavailable(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof IOException) {
				return true;
			}
			String message = cause.getMessage();
			if (message != null && TRANSIENT_REPLIES.stream().anyMatch(message::startsWith)) {
				return true;
			}
		}
		return false;
	}

	/** Whether Redis refused a write for want of memory ({@code OOM ...}). */
	static boolean isOutOfMemory(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			String message = cause.getMessage();
			if (message != null && (message.startsWith("OOM ") || message.contains("-OOM ")
					|| message.contains("OOM command not allowed"))) {
				return true;
			}
		}
		return false;
	}

	@ExceptionHandler(Exception.class)
	ResponseEntity<Object> handleUnexpected(Exception ex, WebRequest request) {
		logger.error("Unexpected error", ex);
		ProblemDetail problem = Problems.of(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error", "Internal error",
				"The request could not be completed. Quote the requestId when reporting it.");
		return handleExceptionInternal(ex, problem, new HttpHeaders(), HttpStatus.INTERNAL_SERVER_ERROR, request);
	}

	@Override
	protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		ProblemDetail problem = Problems.of(HttpStatus.BAD_REQUEST, "invalid-request", "Invalid request",
				"One or more fields are invalid.");
		List<Map<String, String>> errors = ex.getBindingResult()
			.getFieldErrors()
			.stream()
			.map(ProblemExceptionHandler::fieldError)
			.toList();
		problem.setProperty("errors", errors);
		return handleExceptionInternal(ex, problem, headers, HttpStatus.BAD_REQUEST, request);
	}

	@Override
	protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex,
			HttpHeaders headers, HttpStatusCode status, WebRequest request) {
		ProblemDetail problem = Problems.of(HttpStatus.BAD_REQUEST, "malformed-body", "Malformed request body",
				"The request body is missing or is not the JSON this endpoint expects.");
		return handleExceptionInternal(ex, problem, headers, HttpStatus.BAD_REQUEST, request);
	}

	@Override
	protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
			HttpStatusCode statusCode, WebRequest request) {
		ResponseEntity<Object> response = super.handleExceptionInternal(ex, body, headers, statusCode, request);
		if (response != null && response.getBody() instanceof ProblemDetail problem) {
			if (problem.getType() == null || "about:blank".equals(problem.getType().toString())) {
				problem.setType(Problems.type(slug(statusCode)));
			}
			Problems.withRequestId(problem);
		}
		return response;
	}

	private static Map<String, String> fieldError(FieldError error) {
		String message = (error.getDefaultMessage() != null) ? error.getDefaultMessage() : "is invalid";
		return Map.of("field", error.getField(), "message", message);
	}

	private static String slug(HttpStatusCode status) {
		HttpStatus known = HttpStatus.resolve(status.value());
		String phrase = (known != null) ? known.getReasonPhrase() : "error " + status.value();
		return phrase.toLowerCase(Locale.ROOT).replace(' ', '-');
	}

}
