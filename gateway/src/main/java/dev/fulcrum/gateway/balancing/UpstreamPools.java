package dev.fulcrum.gateway.balancing;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The instances of every upstream service, by service name (the host of an
 * {@code lb://service} route): from the static list, or from DNS, looked up at start and
 * again every {@code dnsRefresh}. An instance that stays in DNS keeps its state (requests
 * in flight, latency, ejection); one that leaves is dropped, one that appears is added.
 */
@Component
class UpstreamPools implements DisposableBean {

	private static final Log logger = LogFactory.getLog(UpstreamPools.class);

	private final Map<String, List<Upstream>> pools = new ConcurrentHashMap<>();

	private final List<BiConsumer<String, List<Upstream>>> listeners = new CopyOnWriteArrayList<>();

	private final List<BiConsumer<String, Upstream>> newInstanceListeners = new CopyOnWriteArrayList<>();

	/** The services looked up in DNS at least once. */
	private final Set<String> lookedUp = ConcurrentHashMap.newKeySet();

	private final Resolver resolver;

	private final ScheduledExecutorService refresher;

	@Autowired
	UpstreamPools(UpstreamProperties properties) {
		this(properties, (host) -> Arrays.asList(InetAddress.getAllByName(host)));
	}

	UpstreamPools(UpstreamProperties properties, Resolver resolver) {
		this.resolver = resolver;
		properties.upstreams()
			.forEach((service, urls) -> this.pools.put(service, urls.stream().map(UpstreamPools::upstream).toList()));
		if (properties.dns().isEmpty()) {
			this.refresher = null;
			return;
		}
		// The JVM keeps each answer for 1 s (GatewayApplication sets it before the first
		// look-up; set here, it would come too late to count).
		properties.dns().forEach(this::lookUp);
		this.refresher = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("dns-refresh").factory());
		long period = properties.dnsRefresh().toMillis();
		this.refresher.scheduleWithFixedDelay(() -> properties.dns().forEach(this::lookUp), period, period,
				TimeUnit.MILLISECONDS);
	}

	/**
	 * The instances of a service that may take requests: healthy and not ejected. When
	 * none is, all of them (panic mode, as Envoy's): better to try an instance that may
	 * have recovered than to refuse every request. Empty only for an unknown service, or
	 * one whose name has no address.
	 */
	List<Upstream> available(String service) {
		List<Upstream> all = this.pools.getOrDefault(service, List.of());
		long now = System.nanoTime();
		int available = 0;
		for (Upstream upstream : all) {
			if (upstream.available(now)) {
				available++;
			}
		}
		if (available == all.size() || available == 0) {
			return all;
		}
		List<Upstream> some = new ArrayList<>(available);
		for (Upstream upstream : all) {
			if (upstream.available(now)) {
				some.add(upstream);
			}
		}
		return some;
	}

	/** Every instance of every service. */
	Map<String, List<Upstream>> all() {
		return Map.copyOf(this.pools);
	}

	/**
	 * Calls the listener with each service's instances now and whenever they change.
	 */
	void onChange(BiConsumer<String, List<Upstream>> listener) {
		this.listeners.add(listener);
		this.pools.forEach(listener);
	}

	/**
	 * Calls the listener with each instance that DNS adds to a service after the first
	 * look-up, before any request can reach it.
	 */
	void onNewInstance(BiConsumer<String, Upstream> listener) {
		this.newInstanceListeners.add(listener);
	}

	/** Looks a service's name up and updates its instances; keeps them if DNS fails. */
	void lookUp(String service, URI url) {
		List<InetAddress> addresses;
		try {
			addresses = this.resolver.resolve(url.getHost());
		}
		catch (UnknownHostException ex) {
			// A name with no address yet (no replica started) is an empty service; a
			// failing resolver keeps what was known.
			addresses = List.of();
			logger.debug("No address for " + url.getHost() + ": " + ex.getMessage());
		}
		catch (RuntimeException ex) {
			logger.warn("Looking up " + url.getHost() + " failed; keeping its instances: " + ex.getMessage());
			return;
		}
		Map<String, Upstream> known = new LinkedHashMap<>();
		this.pools.getOrDefault(service, List.of()).forEach((upstream) -> known.put(upstream.id(), upstream));
		List<Upstream> next = new ArrayList<>();
		boolean first = this.lookedUp.add(service);
		for (InetAddress address : addresses) {
			URI instance = UriComponentsBuilder.fromUri(url).host(address.getHostAddress()).build().toUri();
			Upstream upstream = known.get(Upstream.idOf(instance));
			if (upstream == null) {
				upstream = upstream(instance);
				if (!first) {
					Upstream added = upstream;
					this.newInstanceListeners.forEach((listener) -> listener.accept(service, added));
				}
			}
			next.add(upstream);
		}
		next.sort((a, b) -> a.id().compareTo(b.id()));
		List<Upstream> previous = this.pools.put(service, List.copyOf(next));
		if (!next.equals(previous)) {
			logger.info(service + " instances from DNS (" + url.getHost() + "): " + next);
			this.listeners.forEach((listener) -> listener.accept(service, List.copyOf(next)));
		}
	}

	@Override
	public void destroy() {
		if (this.refresher != null) {
			this.refresher.shutdownNow();
		}
	}

	private static Upstream upstream(URI url) {
		String weight = UriComponentsBuilder.fromUri(url).build().getQueryParams().getFirst("weight");
		URI base = UriComponentsBuilder.fromUri(url).replaceQuery(null).build().toUri();
		return new Upstream(base, (weight != null) ? Integer.parseInt(weight) : 1, new PeakEwma());
	}

	/** Looks a host name up: {@link InetAddress#getAllByName}, or a stand-in in tests. */
	@FunctionalInterface
	interface Resolver {

		List<InetAddress> resolve(String host) throws UnknownHostException;

	}

}
