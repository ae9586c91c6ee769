package dev.fulcrum.gateway.resilience;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The circuit breaker of every route ({@code fulcrum.gateway.circuit-breaker.*}), one
 * breaker per route. It counts each client request once, after any retry on another
 * instance: a request fails when no instance answered, or the answer's status is one of
 * {@code failureStatuses}, unless it is the service's backpressure (a 429 or 503 problem
 * with {@code Retry-After}), which is passed through and counts as a success.
 *
 * @param enabled whether routes have breakers
 * @param slidingWindowSize the last this many requests are counted
 * @param minimumNumberOfCalls no verdict before this many requests in the window
 * @param failureRateThreshold the breaker opens at this percentage of failures
 * @param waitDurationInOpenState how long it stays open before letting trial requests
 * through
 * @param permittedCallsInHalfOpenState trial requests; if enough succeed it closes, else
 * it opens again
 * @param failureStatuses upstream statuses that count as failures
 */
@ConfigurationProperties("fulcrum.gateway.circuit-breaker")
record CircuitBreakerProperties(@DefaultValue("true") boolean enabled, @DefaultValue("20") int slidingWindowSize,
		@DefaultValue("10") int minimumNumberOfCalls, @DefaultValue("50") float failureRateThreshold,
		@DefaultValue("10s") Duration waitDurationInOpenState, @DefaultValue("3") int permittedCallsInHalfOpenState,
		@DefaultValue( {
				"502", "503", "504" }) List<Integer> failureStatuses){

	CircuitBreakerProperties {
		failureStatuses = List.copyOf(failureStatuses);
	}

}
