package dev.fulcrum.gateway.problem;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.fulcrum.common.RequestIds;
import dev.fulcrum.gateway.config.EventLoops;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;

/**
 * Writes a problem as the whole response, from a {@code WebFilter} or anything else that
 * answers without an upstream. A problem's {@code type} is
 * {@code urn:fulcrum:problem:<slug>}, and its {@code requestId} is the id the request-id
 * filter gave the request, so a client can quote it.
 */
public final class ProblemResponses {

	private static final String TYPE_PREFIX = "urn:fulcrum:problem:";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private ProblemResponses() {
	}

	/**
	 * Whether an error is the gateway refusing the client's own request (a 4xx, such as a
	 * body over the cap found while streaming it): no failure of the instance or route.
	 * @param error the error
	 * @return whether it is a client error
	 */
	public static boolean isClientError(Throwable error) {
		return error instanceof ResponseStatusException refusal && refusal.getStatusCode().is4xxClientError();
	}

	/**
	 * Answers with a problem. Headers that belong to it ({@code WWW-Authenticate},
	 * {@code Retry-After}) are set on the response beforehand.
	 * @param exchange the exchange to answer
	 * @param status the status
	 * @param slug the kind of error, stable for clients to branch on
	 * @param title a short summary of the kind
	 * @param detail what went wrong in this request
	 * @return completes when the response is written
	 */
	public static Mono<Void> send(ServerWebExchange exchange, HttpStatus status, String slug, String title,
			String detail) {
		Map<String, Object> problem = new LinkedHashMap<>();
		problem.put("type", TYPE_PREFIX + slug);
		problem.put("title", title);
		problem.put("status", status.value());
		problem.put("detail", detail);
		String requestId = exchange.getAttribute(RequestIds.ATTRIBUTE);
		if (requestId != null) {
			problem.put("requestId", requestId);
		}
		ServerHttpResponse response = exchange.getResponse();
		response.setStatusCode(status);
		response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
		DataBuffer body = response.bufferFactory().wrap(JSON.writeValueAsBytes(problem));
		return EventLoops.answerLater(exchange, () -> response.writeWith(Mono.just(body)));
	}

}
