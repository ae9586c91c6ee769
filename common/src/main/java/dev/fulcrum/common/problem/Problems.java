package dev.fulcrum.common.problem;

import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.MDC;
import tools.jackson.databind.json.JsonMapper;

import dev.fulcrum.common.RequestIds;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;

/**
 * Builds and writes problems, typed by {@link ProblemTypes}.
 */
public final class Problems {

	/** The media type of every error. */
	public static final String MEDIA_TYPE = MediaType.APPLICATION_PROBLEM_JSON_VALUE;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private Problems() {
	}

	/**
	 * Makes a problem carrying the current request id.
	 * @param status the status
	 * @param slug the kind of error, for example {@code invalid-token}
	 * @param title a short summary of the kind
	 * @param detail what went wrong in this request
	 * @return the problem
	 */
	public static ProblemDetail of(HttpStatus status, String slug, String title, String detail) {
		ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
		problem.setType(type(slug));
		problem.setTitle(title);
		return withRequestId(problem);
	}

	/**
	 * The {@code type} of a kind of error.
	 * @param slug the kind
	 * @return {@code urn:fulcrum:problem:<slug>}
	 */
	public static URI type(String slug) {
		return URI.create(ProblemTypes.of(slug));
	}

	/**
	 * Adds the current request id, if any, to a problem.
	 * @param problem the problem
	 * @return the same problem
	 */
	public static ProblemDetail withRequestId(ProblemDetail problem) {
		String requestId = MDC.get(RequestIds.MDC_KEY);
		if (requestId != null) {
			problem.setProperty("requestId", requestId);
		}
		return problem;
	}

	/**
	 * The members of a problem as they appear in JSON, extension members at the top level
	 * (as Spring MVC writes them), for writers without Spring's Jackson mix-in.
	 * @param problem the problem
	 * @return the members in order
	 */
	public static Map<String, Object> toMap(ProblemDetail problem) {
		Map<String, Object> members = new LinkedHashMap<>();
		members.put("type", problem.getType().toString());
		members.put("title", problem.getTitle());
		members.put("status", problem.getStatus());
		members.put("detail", problem.getDetail());
		if (problem.getInstance() != null) {
			members.put("instance", problem.getInstance().toString());
		}
		if (problem.getProperties() != null) {
			members.putAll(problem.getProperties());
		}
		return members;
	}

	/**
	 * Writes a problem outside Spring MVC (in a servlet filter or a security handler).
	 * @param response the response
	 * @param problem the problem
	 * @throws IOException if writing fails
	 */
	public static void write(HttpServletResponse response, ProblemDetail problem) throws IOException {
		response.setStatus(problem.getStatus());
		response.setContentType(MEDIA_TYPE);
		JSON.writeValue(response.getOutputStream(), toMap(problem));
	}

}
