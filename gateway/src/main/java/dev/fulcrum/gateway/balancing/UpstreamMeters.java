package dev.fulcrum.gateway.balancing;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;

import org.springframework.stereotype.Component;

/**
 * Per-instance meters, on {@code /actuator/prometheus}:
 * {@code fulcrum_gateway_upstream_requests_seconds{service,instance,outcome}} (count and
 * time of requests by {@code success} or {@code error}),
 * {@code fulcrum_gateway_upstream_in_flight}, {@code fulcrum_gateway_upstream_available}
 * (1 or 0) and {@code fulcrum_gateway_upstream_ejections_total}, all by {@code service}
 * and {@code instance}.
 */
@Component
class UpstreamMeters {

	private static final Duration P99_WINDOW = Duration.ofSeconds(30);

	private final MeterRegistry registry;

	private final Map<String, Timer> timers = new ConcurrentHashMap<>();

	private final Map<String, List<Upstream>> registered = new ConcurrentHashMap<>();

	UpstreamMeters(MeterRegistry registry, UpstreamPools pools) {
		this.registry = registry;
		pools.onChange(this::register);
	}

	/**
	 * Meters for the instances of a service; those of instances that left are removed.
	 */
	private synchronized void register(String service, List<Upstream> upstreams) {
		for (Upstream gone : this.registered.getOrDefault(service, List.of())) {
			if (!upstreams.contains(gone)) {
				List.copyOf(this.registry.getMeters())
					.stream()
					.filter((meter) -> service.equals(meter.getId().getTag("service"))
							&& gone.id().equals(meter.getId().getTag("instance")))
					.forEach(this.registry::remove);
				this.timers.keySet().removeIf((key) -> key.startsWith(service + ' ' + gone.id() + ' '));
			}
		}
		this.registered.put(service, upstreams);
		for (Upstream upstream : upstreams) {
			Gauge.builder("fulcrum.gateway.upstream.in.flight", upstream, Upstream::inFlight)
				.description("Requests this gateway has in flight to the instance")
				.tag("service", service)
				.tag("instance", upstream.id())
				.register(this.registry);
			Gauge.builder("fulcrum.gateway.upstream.available", upstream, (u) -> u.available(System.nanoTime()) ? 1 : 0)
				.description("1 while the instance takes requests (healthy, not ejected), else 0")
				.tag("service", service)
				.tag("instance", upstream.id())
				.register(this.registry);
			FunctionCounter.builder("fulcrum.gateway.upstream.ejections", upstream, Upstream::ejections)
				.description("Times the instance was ejected after failures in a row")
				.tag("service", service)
				.tag("instance", upstream.id())
				.register(this.registry);
		}
	}

	void record(String service, Upstream upstream, Duration duration, boolean failed) {
		String outcome = failed ? "error" : "success";
		this.timers
			.computeIfAbsent(service + ' ' + upstream.id() + ' ' + outcome,
					(key) -> Timer.builder("fulcrum.gateway.upstream.requests")
						.description("Requests proxied to the instance, by outcome")
						.tag("service", service)
						.tag("instance", upstream.id())
						.tag("outcome", outcome)
						// The p99 of about the last 30 s, for the live dashboard and
						// Grafana's per-instance panel ({quantile="0.99"}).
						.publishPercentiles(0.99)
						.distributionStatisticExpiry(P99_WINDOW)
						.distributionStatisticBufferLength(3)
						.register(this.registry))
			.record(duration);
	}

	/**
	 * The p99 of the instance's successful answers over about the last 30 s.
	 * @param service the service
	 * @param upstream the instance
	 * @return milliseconds, or {@code NaN} before its first success
	 */
	double p99Millis(String service, Upstream upstream) {
		Timer timer = this.timers.get(service + ' ' + upstream.id() + " success");
		if (timer == null) {
			return Double.NaN;
		}
		for (ValueAtPercentile value : timer.takeSnapshot().percentileValues()) {
			if (value.percentile() == 0.99) {
				return value.value(TimeUnit.MILLISECONDS);
			}
		}
		return Double.NaN;
	}

	void retried(String service, String reason) {
		this.registry.counter("fulcrum.gateway.upstream.retries", "service", service, "reason", reason).increment();
	}

	/**
	 * Counts a retry the budget refused: the client got the failed attempt's answer.
	 * @param service the service
	 * @param reason {@code status} or {@code error}
	 */
	void retryRefused(String service, String reason) {
		this.registry.counter("fulcrum.gateway.upstream.retries.refused", "service", service, "reason", reason)
			.increment();
	}

}
