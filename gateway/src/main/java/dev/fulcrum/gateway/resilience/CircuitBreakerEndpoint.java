package dev.fulcrum.gateway.resilience;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/circuitbreakers} on the management port: each route's breaker, its
 * state and what its window holds. A route has a breaker once it has had a request.
 */
@Component
@Endpoint(id = "circuitbreakers")
class CircuitBreakerEndpoint {

	private final CircuitBreakerRegistry registry;

	CircuitBreakerEndpoint(CircuitBreakerRegistry registry) {
		this.registry = registry;
	}

	@ReadOperation
	Map<String, Object> circuitBreakers() {
		Map<String, Object> byRoute = new LinkedHashMap<>();
		this.registry.getAllCircuitBreakers()
			.stream()
			.sorted(Comparator.comparing(CircuitBreaker::getName))
			.forEach((breaker) -> {
				CircuitBreaker.Metrics metrics = breaker.getMetrics();
				Map<String, Object> view = new LinkedHashMap<>();
				view.put("state", breaker.getState().name());
				view.put("failureRate", metrics.getFailureRate());
				view.put("bufferedCalls", metrics.getNumberOfBufferedCalls());
				view.put("failedCalls", metrics.getNumberOfFailedCalls());
				view.put("notPermittedCalls", metrics.getNumberOfNotPermittedCalls());
				byRoute.put(breaker.getName(), view);
			});
		return Map.of("routes", byRoute);
	}

}
