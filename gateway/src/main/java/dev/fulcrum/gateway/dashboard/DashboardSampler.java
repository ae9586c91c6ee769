package dev.fulcrum.gateway.dashboard;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import tools.jackson.databind.json.JsonMapper;

import dev.fulcrum.common.InstanceId;
import dev.fulcrum.gateway.balancing.BalancingView;

import org.springframework.boot.actuate.autoconfigure.web.server.ConditionalOnManagementPort;
import org.springframework.boot.actuate.autoconfigure.web.server.ManagementPortType;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Once a second, what the live dashboard shows (where there is one: the management port
 * is the gateway's own, as everywhere Fulcrum runs): per balanced route its strategy, its
 * rate, its breaker's state, its concurrency limit and its refusals, and per instance its
 * share of the last {@value #WINDOW_SECONDS} seconds' requests, its rates, in-flight
 * requests, latency (EWMA and p99), health, ejection and warmth; the job queue; the
 * replicas. Rates are differences of counters the gateway keeps anyway, so the sampler
 * adds nothing to a request's path. The last {@value #HISTORY} seconds are kept for a
 * page that opens late.
 */
@Component
@ConditionalOnManagementPort(ManagementPortType.DIFFERENT)
public class DashboardSampler implements SmartLifecycle {

	static final int WINDOW_SECONDS = 5;

	static final int HISTORY = 300;

	private static final Log logger = LogFactory.getLog(DashboardSampler.class);

	private final BalancingView balancing;

	private final QueueStats queue;

	private final MeterRegistry meters;

	private final CircuitBreakerRegistry breakers;

	private final String gateway;

	private final JsonMapper json = JsonMapper.builder().build();

	/** Per route and instance, the counters of the last seconds, oldest first. */
	private final Map<String, Deque<Sample>> samples = new HashMap<>();

	/** Per counter meter, its last value, for a rate a second. */
	private final Map<String, double[]> counters = new HashMap<>();

	private QueueStats.Reading lastQueue;

	private double jobsPerSecond;

	private final Deque<Map<String, Object>> history = new ArrayDeque<>();

	/** A copy of the history for readers on other threads (the event loop). */
	private volatile List<Map<String, Object>> published = List.of();

	private volatile String latest;

	private ScheduledExecutorService ticker;

	DashboardSampler(BalancingView balancing, QueueStats queue, MeterRegistry meters, CircuitBreakerRegistry breakers,
			InstanceId instance) {
		this.balancing = balancing;
		this.queue = queue;
		this.meters = meters;
		this.breakers = breakers;
		this.gateway = instance.value();
	}

	/**
	 * The newest snapshot, JSON.
	 * @return it, or {@code null} before the first
	 */
	public String latest() {
		return this.latest;
	}

	/**
	 * The last minutes, JSON: per second the instances' shares and the replicas.
	 * @return an array, oldest first
	 */
	public String history() {
		return this.json.writeValueAsString(this.published);
	}

	/** Takes one snapshot; called every second. */
	synchronized void sample() {
		long now = System.nanoTime();
		Map<String, Object> snapshot = new LinkedHashMap<>();
		snapshot.put("at", System.currentTimeMillis());
		snapshot.put("gateway", this.gateway);
		snapshot.put("strategies", BalancingView.strategies());
		List<Map<String, Object>> routes = new ArrayList<>();
		Map<String, Object> point = new LinkedHashMap<>();
		point.put("at", snapshot.get("at"));
		Map<String, Object> shares = new LinkedHashMap<>();
		Map<String, Object> replicas = new LinkedHashMap<>();
		for (BalancingView.RouteState route : this.balancing.routes()) {
			routes.add(route(route, now, shares));
			replicas.put(route.service(),
					route.instances()
						.stream()
						.filter((instance) -> instance.healthy() && !instance.ejected() && !instance.draining())
						.count());
		}
		snapshot.put("routes", routes);
		Map<String, Object> queue = queue();
		snapshot.put("queue", queue);
		if (queue != null) {
			replicas.put("worker-service", queue.get("workers"));
		}
		snapshot.put("replicas", replicas);
		point.put("shares", shares);
		point.put("replicas", replicas);
		this.history.addLast(point);
		while (this.history.size() > HISTORY) {
			this.history.removeFirst();
		}
		this.published = List.copyOf(this.history);
		this.latest = this.json.writeValueAsString(snapshot);
		this.queue.refresh();
	}

	private Map<String, Object> route(BalancingView.RouteState route, long now, Map<String, Object> shares) {
		Map<String, Object> described = new LinkedHashMap<>();
		described.put("route", route.route());
		described.put("service", route.service());
		described.put("strategy", route.strategy());
		List<Map<String, Object>> instances = new ArrayList<>();
		double total = 0;
		for (BalancingView.InstanceState instance : route.instances()) {
			Deque<Sample> window = this.samples.computeIfAbsent(route.route() + ' ' + instance.address(),
					(key) -> new ArrayDeque<>());
			window.addLast(new Sample(now, instance.requests(), instance.errors()));
			while (window.size() > WINDOW_SECONDS + 1) {
				window.removeFirst();
			}
			Sample first = window.getFirst();
			double seconds = Math.max((now - first.nanos()) / 1e9, 1e-9);
			double rate = (window.size() < 2) ? 0 : (instance.requests() - first.requests()) / seconds;
			double errors = (window.size() < 2) ? 0 : (instance.errors() - first.errors()) / seconds;
			total += rate;
			Map<String, Object> one = new LinkedHashMap<>();
			one.put("address", instance.address());
			one.put("name", (instance.name() != null) ? instance.name() : instance.address());
			one.put("requestsPerSecond", round(rate));
			one.put("errorsPerSecond", round(errors));
			one.put("inFlight", instance.inFlight());
			one.put("ewmaMillis", round(instance.ewmaMillis()));
			one.put("p99Millis", Double.isNaN(instance.p99Millis()) ? null : round(instance.p99Millis()));
			one.put("healthy", instance.healthy());
			one.put("ejected", instance.ejected());
			one.put("draining", instance.draining());
			one.put("warmthPercent", instance.warmthPercent());
			instances.add(one);
		}
		Map<String, Object> routeShares = new LinkedHashMap<>();
		for (Map<String, Object> one : instances) {
			double share = (total > 0) ? ((Double) one.get("requestsPerSecond")) / total : 0;
			one.put("share", Math.round(share * 1000) / 1000.0);
			routeShares.put((String) one.get("name"), one.get("share"));
		}
		shares.put(route.route(), routeShares);
		this.samples.keySet()
			.removeIf((key) -> key.startsWith(route.route() + ' ') && route.instances()
				.stream()
				.noneMatch((instance) -> key.equals(route.route() + ' ' + instance.address())));
		described.put("requestsPerSecond", round(total));
		described.put("instances", instances);
		described.put("breaker",
				this.breakers.find(route.route()).map(CircuitBreaker::getState).map(Enum::name).orElse("CLOSED"));
		described.put("rateLimitedPerSecond", rate("fulcrum.gateway.rate.limit.decisions", route.route(), "rejected"));
		Gauge limit = this.meters.find("fulcrum.gateway.concurrency.limit").tag("route", route.route()).gauge();
		Gauge inFlight = this.meters.find("fulcrum.gateway.concurrency.in.flight").tag("route", route.route()).gauge();
		if (limit != null && inFlight != null) {
			Map<String, Object> concurrency = new LinkedHashMap<>();
			concurrency.put("limit", (long) limit.value());
			concurrency.put("inFlight", (long) inFlight.value());
			concurrency.put("shedPerSecond", rate("fulcrum.gateway.concurrency.shed", route.route(), null));
			described.put("concurrency", concurrency);
		}
		return described;
	}

	/** A counter's increase per second since the last sample; 0 for an unknown one. */
	private double rate(String name, String route, String outcome) {
		var search = this.meters.find(name).tag("route", route);
		if (outcome != null) {
			search = search.tag("outcome", outcome);
		}
		double count = search.counters().stream().mapToDouble(Counter::count).sum();
		long now = System.nanoTime();
		String key = name + ' ' + route + ' ' + outcome;
		double[] last = this.counters.put(key, new double[] { now, count });
		if (last == null) {
			return 0;
		}
		return round((count - last[1]) / Math.max((now - last[0]) / 1e9, 1e-9));
	}

	private Map<String, Object> queue() {
		QueueStats.Reading reading = this.queue.latest();
		if (reading == null) {
			this.lastQueue = null;
			return null;
		}
		Map<String, Object> queue = new LinkedHashMap<>();
		queue.put("depth", reading.lag() + reading.pending());
		queue.put("lag", reading.lag());
		queue.put("pending", reading.pending());
		queue.put("outstanding", reading.outstanding());
		queue.put("deadLetters", reading.deadLetters());
		queue.put("workers", reading.workers());
		// Entries finished: read by the group and no longer pending.
		double perSecond = 0;
		QueueStats.Reading before = this.lastQueue;
		if (before != null && reading.nanos() > before.nanos()) {
			long done = (reading.entriesRead() - reading.pending()) - (before.entriesRead() - before.pending());
			perSecond = Math.max(0, done) / ((reading.nanos() - before.nanos()) / 1e9);
		}
		if (before != null && reading.nanos() == before.nanos()) {
			// No new reading since the last sample: the rate it gave still holds.
			perSecond = this.jobsPerSecond;
		}
		this.jobsPerSecond = perSecond;
		this.lastQueue = reading;
		queue.put("jobsPerSecond", round(perSecond));
		return queue;
	}

	private static double round(double value) {
		return Math.round(value * 10) / 10.0;
	}

	@Override
	public void start() {
		this.ticker = Executors
			.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("dashboard-sampler").factory());
		this.ticker.scheduleAtFixedRate(() -> {
			try {
				sample();
			}
			catch (RuntimeException ex) {
				logger.debug("Dashboard sample failed", ex);
			}
		}, 1, 1, TimeUnit.SECONDS);
	}

	@Override
	public void stop() {
		if (this.ticker != null) {
			this.ticker.shutdownNow();
			this.ticker = null;
		}
	}

	@Override
	public boolean isRunning() {
		return this.ticker != null;
	}

	private record Sample(long nanos, long requests, long errors) {
	}

}
