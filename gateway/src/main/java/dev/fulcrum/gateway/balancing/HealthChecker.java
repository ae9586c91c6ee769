package dev.fulcrum.gateway.balancing;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Active health checks: every {@code interval}, a {@code GET} of each instance's health
 * path for the services that have one; an instance that fails {@code unhealthyThreshold}
 * checks in a row is taken out, one that passes {@code healthyThreshold} in a row comes
 * back. Checks never block a request: they run on their own schedule, and a request only
 * reads the result.
 */
@Component
class HealthChecker implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(HealthChecker.class);

	private static final Duration JOINING_PACE = Duration.ofSeconds(1);

	private static final int JOINING_CHECKS = 120;

	private final UpstreamPools pools;

	private final BalancingProperties.HealthChecks policy;

	private final WebClient client;

	private volatile Disposable schedule;

	HealthChecker(UpstreamPools pools, BalancingProperties properties) {
		this.pools = pools;
		this.policy = properties.health();
		this.client = WebClient.create();
		pools.onNewInstance(this::join);
	}

	/**
	 * A new instance (DNS or its file named one more replica, which may still be
	 * starting) takes requests once its first health check passes, checked every second
	 * until then: it joins about a second after it is ready, and no request meets it
	 * before. From then on it warms up (slow start), as one does that comes back after
	 * failing its checks.
	 */
	private void join(String service, Upstream upstream) {
		String path = this.policy.paths().get(service);
		if (path == null) {
			return;
		}
		upstream.join();
		Duration pace = (this.policy.interval().compareTo(JOINING_PACE) < 0) ? this.policy.interval() : JOINING_PACE;
		Flux.interval(Duration.ZERO, pace)
			.onBackpressureDrop()
			.concatMap((tick) -> upstream.joining() ? check(upstream, path) : Mono.just(true))
			.doOnNext((passed) -> record(service, upstream, passed))
			.takeUntil((passed) -> passed)
			// The regular checks take over from here.
			.take(JOINING_CHECKS)
			.subscribe();
	}

	@Override
	public void start() {
		if (this.policy.paths().isEmpty()) {
			return;
		}
		this.schedule = Flux.interval(this.policy.interval())
			.onBackpressureDrop()
			.concatMap((tick) -> checkAll())
			.subscribe();
	}

	@Override
	public void stop() {
		Disposable current = this.schedule;
		if (current != null) {
			current.dispose();
		}
		this.schedule = null;
	}

	@Override
	public boolean isRunning() {
		return this.schedule != null;
	}

	/** One round: every instance of every checked service, at once. */
	Mono<Void> checkAll() {
		return Flux.fromIterable(this.policy.paths().entrySet())
			.flatMap((entry) -> Flux.fromIterable(instances(entry))
				.flatMap((upstream) -> check(upstream, entry.getValue())
					.doOnNext((passed) -> record(entry.getKey(), upstream, passed))))
			.then();
	}

	private List<Upstream> instances(Map.Entry<String, String> service) {
		return this.pools.all().getOrDefault(service.getKey(), List.of());
	}

	private Mono<Boolean> check(Upstream upstream, String path) {
		URI url = upstream.uri().resolve(path);
		return this.client.get()
			.uri(url)
			.exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode().is2xxSuccessful()))
			.timeout(this.policy.timeout())
			.onErrorReturn(false);
	}

	private void record(String service, Upstream upstream, boolean passed) {
		boolean joining = upstream.joining();
		if (upstream.countCheck(passed, this.policy)) {
			if (upstream.healthy()) {
				upstream.warmUp(System.nanoTime());
			}
			if (joining) {
				logger.info("Health check passes: " + service + " instance " + upstream.id() + " joins");
			}
			else if (upstream.healthy()) {
				logger.info("Health checks pass again: " + service + " instance " + upstream.id() + " is back");
			}
			else {
				logger.warn("Health checks fail: " + service + " instance " + upstream.id() + " is taken out");
			}
		}
	}

}
