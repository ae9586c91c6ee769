package dev.fulcrum.gateway.resilience;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The breakers' registry, configured from {@link CircuitBreakerProperties}, with their
 * state and calls published as {@code resilience4j.circuitbreaker.*} metrics.
 */
@Configuration(proxyBeanMethods = false)
class CircuitBreakerConfiguration {

	@Bean
	CircuitBreakerRegistry circuitBreakerRegistry(CircuitBreakerProperties properties, MeterRegistry meters) {
		CircuitBreakerConfig config = CircuitBreakerConfig.custom()
			.slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
			.slidingWindowSize(properties.slidingWindowSize())
			.minimumNumberOfCalls(properties.minimumNumberOfCalls())
			.failureRateThreshold(properties.failureRateThreshold())
			.waitDurationInOpenState(properties.waitDurationInOpenState())
			.permittedNumberOfCallsInHalfOpenState(properties.permittedCallsInHalfOpenState())
			// Leave OPEN on the first request after the wait, not on a timer thread.
			.automaticTransitionFromOpenToHalfOpenEnabled(false)
			.build();
		CircuitBreakerRegistry registry = CircuitBreakerRegistry.of(config);
		TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(registry).bindTo(meters);
		return registry;
	}

}
