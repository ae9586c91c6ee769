package dev.fulcrum.gateway.problem;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.fulcrum.common.RequestIds;
import dev.fulcrum.common.problem.ProblemTypes;
import dev.fulcrum.gateway.reactor.EventLoops;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
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

	/** Set on an exchange the gateway answered itself, without any instance. */
	private static final String ANSWERED_BY_GATEWAY = ProblemResponses.class.getName() + ".answeredByGateway";

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
	 * Whether an instance's answer is backpressure rather than failure: a 429 or 503
	 * problem with {@code Retry-After}, as a service sends when its queue is full, it is
	 * too busy to hash a password, or it throttles this client. The instance answered, at
	 * once, and asks the client to come back: no reason to break the route's circuit,
	 * eject the instance or send the request to another one, which would say the same of
	 * a shared queue. A 503 without {@code Retry-After}, another 5xx, a timeout or no
	 * answer at all are failures.
	 * @param response the response holding the instance's status and headers
	 * @return whether it is backpressure
	 */
	public static boolean isBackpressure(ServerHttpResponse response) {
		HttpStatusCode status = response.getStatusCode();
		if (status == null || (status.value() != 429 && status.value() != 503)) {
			return false;
		}
		HttpHeaders headers = response.getHeaders();
		MediaType type = headers.getContentType();
		return headers.containsHeader(HttpHeaders.RETRY_AFTER) && type != null
				&& MediaType.APPLICATION_PROBLEM_JSON.isCompatibleWith(type);
	}

	/**
	 * Whether the gateway answered an exchange itself with {@link #send}, so that its
	 * status and timing say nothing of any instance.
	 * @param exchange the exchange
	 * @return whether its answer is the gateway's own problem
	 */
	public static boolean answeredByGateway(ServerWebExchange exchange) {
		return exchange.getAttribute(ANSWERED_BY_GATEWAY) != null;
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
		problem.put("type", ProblemTypes.of(slug));
		problem.put("title", title);
		problem.put("status", status.value());
		problem.put("detail", detail);
		String requestId = exchange.getAttribute(RequestIds.ATTRIBUTE);
		if (requestId != null) {
			problem.put("requestId", requestId);
		}
		exchange.getAttributes().put(ANSWERED_BY_GATEWAY, Boolean.TRUE);
		ServerHttpResponse response = exchange.getResponse();
		response.setStatusCode(status);
		response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
		DataBuffer body = response.bufferFactory().wrap(JSON.writeValueAsBytes(problem));
		return EventLoops.answerLater(exchange, () -> response.writeWith(Mono.just(body)));
	}

}
