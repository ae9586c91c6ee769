package dev.fulcrum.gateway.problem;

import java.io.IOException;
import java.net.ConnectException;
import java.util.Locale;
import java.util.concurrent.TimeoutException;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.timeout.ReadTimeoutException;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.publisher.Mono;

import org.springframework.core.NestedExceptionUtils;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;

/**
 * Turns every error that reaches the edge into a problem response, before Spring Boot's
 * default handler would write its own JSON: an upstream that cannot be reached is a fast
 * 503 {@code upstream-unavailable} with {@code Retry-After}, one that does not answer in
 * time a 504 {@code upstream-timeout}, one that closed the connection before answering a
 * 502 {@code upstream-failed}, a status the framework raised (404 for no route) that
 * status, anything else a 500 without details.
 */
@Component
@Order(-2)
class GatewayErrorHandler implements WebExceptionHandler {

	private static final Log logger = LogFactory.getLog(GatewayErrorHandler.class);

	@Override
	public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
		if (exchange.getResponse().isCommitted()) {
			return Mono.error(ex);
		}
		Throwable cause = NestedExceptionUtils.getMostSpecificCause(ex);
		exchange.getResponse().getHeaders().remove(HttpHeaders.CONTENT_TYPE);
		if (cause instanceof ConnectException || cause instanceof ConnectTimeoutException) {
			exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, "1");
			return ProblemResponses.send(exchange, HttpStatus.SERVICE_UNAVAILABLE, "upstream-unavailable",
					"Service unavailable",
					"No instance of the service behind this route could be reached; retry later.");
		}
		if (cause instanceof TimeoutException || cause instanceof ReadTimeoutException) {
			return timeout(exchange);
		}
		if (cause instanceof IOException) {
			// The connection broke before an answer: the instance's failure, not the
			// edge's.
			return ProblemResponses.send(exchange, HttpStatus.BAD_GATEWAY, "upstream-failed", "Bad gateway",
					"The instance behind this route closed the connection before answering.");
		}
		if (ex instanceof ResponseStatusException status) {
			HttpStatusCode code = status.getStatusCode();
			if (code.value() == HttpStatus.GATEWAY_TIMEOUT.value()) {
				return timeout(exchange);
			}
			HttpStatus known = HttpStatus.resolve(code.value());
			String title = (known != null) ? known.getReasonPhrase() : "Error";
			String slug = title.toLowerCase(Locale.ROOT).replace(' ', '-');
			return ProblemResponses.send(exchange, (known != null) ? known : HttpStatus.INTERNAL_SERVER_ERROR, slug,
					title, (status.getReason() != null) ? status.getReason() : title + ".");
		}
		logger.error("Unexpected error at the edge", ex);
		return ProblemResponses.send(exchange, HttpStatus.INTERNAL_SERVER_ERROR, "internal-error", "Internal error",
				"Something went wrong in the gateway; quote the requestId when reporting it.");
	}

	private static Mono<Void> timeout(ServerWebExchange exchange) {
		return ProblemResponses.send(exchange, HttpStatus.GATEWAY_TIMEOUT, "upstream-timeout", "Gateway timeout",
				"The service behind this route did not answer in time.");
	}

}
